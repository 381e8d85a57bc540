//! The service as a whole: the configurations it refuses, its invocation records, and the
//! armed faults (test tooling).

use std::net::SocketAddr;
use std::time::Duration;

use serde_json::{json, Value};
use stackflow_lambda_service::{
    self as lambda_service, FunctionSpec, LambdaServiceConfig, LambdaServiceError,
};

use crate::support::*;

#[tokio::test]
async fn start_refuses_bad_configurations() {
    let dir = fresh_log_dir();
    let config = |listen: SocketAddr, functions: Vec<FunctionSpec>| LambdaServiceConfig {
        listen,
        region: REGION.into(),
        account_id: ACCOUNT.into(),
        functions,
        async_retry_delays: vec![],
    };
    let loopback = SocketAddr::from(([127, 0, 0, 1], 0));
    let echo = spec("echo", "echo.py", Duration::from_secs(1), &dir);

    let open = lambda_service::start(config(SocketAddr::from(([0, 0, 0, 0], 0)), vec![])).await;
    assert!(matches!(open, Err(LambdaServiceError::NotLoopback(_))));

    let mut missing = echo.clone();
    missing.executable = fixtures_dir().join("no-such-function");
    let result = lambda_service::start(config(loopback, vec![missing])).await;
    assert!(matches!(
        result,
        Err(LambdaServiceError::ExecutableNotFound { .. })
    ));

    let result = lambda_service::start(config(loopback, vec![echo.clone(), echo])).await;
    assert!(matches!(
        result,
        Err(LambdaServiceError::DuplicateFunction(_))
    ));
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test]
async fn records_name_the_process_and_give_microseconds_for_the_benchmark() {
    let h = Harness::start(|dir| vec![spec("echo", "echo.py", Duration::from_secs(10), dir)]).await;
    let (_, first) = h.invoke("echo", json!({"n": 1})).await;
    let (_, second) = h.invoke("echo", json!({"n": 2})).await;

    let records = h.wait_for_records("echo", 2).await;
    for (record, body) in records.iter().zip([&first, &second]) {
        assert_eq!(
            record.pid.map(u64::from),
            body["pid"].as_u64(),
            "the record names the process that served it"
        );
        assert_eq!(record.duration_us / 1000, record.duration_ms);
    }
    let cold = &records[0];
    let init_us = cold
        .init_duration_us
        .expect("a cold start has an init duration");
    assert_eq!(Some(init_us / 1000), cold.init_duration_ms);
    assert!(
        init_us <= cold.duration_us,
        "the cold invocation's duration includes its init"
    );
    assert_eq!(records[1].init_duration_us, None, "the warm one has none");
    h.finish().await;
}

#[tokio::test]
async fn armed_faults_crash_or_time_out_only_matching_invocations() {
    let h = Harness::start(|dir| vec![spec("echo", "echo.py", Duration::from_secs(10), dir)]).await;
    let faults = format!("{}/stackflow/faults", h.base);
    let arm = |body: Value| {
        let request = h.http.post(&faults).json(&body);
        async move { request.send().await.unwrap() }
    };
    assert_eq!(
        arm(json!({"function": "nope", "fault": "crash"}))
            .await
            .status(),
        400
    );
    assert_eq!(
        arm(json!({"function": "echo", "fault": "crash", "matching": "job-a"}))
            .await
            .status(),
        200
    );
    let (_, warm) = h.invoke("echo", json!({"job": "job-b"})).await;

    let (error, crashed) = h.invoke("echo", json!({"job": "job-a"})).await;
    assert_eq!(error.as_deref(), Some("Unhandled"));
    assert_eq!(crashed["errorType"], "Runtime.ExitError");
    assert_eq!(
        crashed["errorMessage"],
        "Runtime exited with error: signal: killed"
    );
    let (error, after) = h.invoke("echo", json!({"job": "job-a"})).await;
    assert_eq!(error, None, "the fault was used up");
    assert_ne!(after["pid"], warm["pid"], "a fresh process after the crash");

    arm(json!({"function": "echo", "fault": "timeout", "timeoutSeconds": 1})).await;
    let listed: Vec<Value> = h
        .http
        .get(&faults)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(listed.len(), 1);
    let (error, timed_out) = h.invoke("echo", json!({})).await;
    assert_eq!(error.as_deref(), Some("Unhandled"));
    assert_eq!(timed_out["errorType"], "Sandbox.Timedout");
    assert_eq!(
        timed_out["errorMessage"],
        "Task timed out after 1.00 seconds"
    );

    arm(json!({"function": "echo", "fault": "crash"})).await;
    let cleared = h.http.delete(&faults).send().await.unwrap();
    assert_eq!(cleared.status(), 200);
    let (error, _) = h.invoke("echo", json!({})).await;
    assert_eq!(error, None, "cleared faults strike no more");
    h.finish().await;
}
