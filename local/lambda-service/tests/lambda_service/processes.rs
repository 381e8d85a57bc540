//! The function processes: crashes, timeouts, init failures, concurrency, their environment,
//! and shutdown.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use serde_json::json;

use stackflow_lambda_service as lambda_service;

use crate::support::*;

#[tokio::test]
async fn crash_is_exit_error_and_the_next_invoke_gets_a_fresh_process() {
    let h =
        Harness::start(|dir| vec![spec("crash", "crash.py", Duration::from_secs(10), dir)]).await;
    let (_, first) = h.invoke("crash", json!({})).await;

    let (error, crashed) = h.invoke("crash", json!({"crash": true})).await;
    assert_eq!(error.as_deref(), Some("Unhandled"));
    assert_eq!(crashed["errorType"], "Runtime.ExitError");
    let message = crashed["errorMessage"].as_str().unwrap();
    assert!(message.contains("exit status 3"), "{message}");

    let (error, after) = h.invoke("crash", json!({})).await;
    assert_eq!(error, None);
    assert_ne!(
        after["pid"], first["pid"],
        "a fresh process after the crash"
    );

    let records = h.wait_for_records("crash", 3).await;
    assert_eq!(records[1].error_type.as_deref(), Some("Runtime.ExitError"));
    assert!(records[2].ok);
    assert!(
        records[2].init_duration_ms.is_some(),
        "the invocation after a crash is cold"
    );
    h.finish().await;
}

#[tokio::test]
async fn timeout_is_sandbox_timedout_and_the_next_invoke_works() {
    // Long enough for the invocation after the timeout to answer in time on a loaded machine.
    let h =
        Harness::start(|dir| vec![spec("sleepy", "sleepy.py", Duration::from_secs(5), dir)]).await;
    let (error, timed_out) = h.invoke("sleepy", json!({"sleep": 300})).await;
    assert_eq!(error.as_deref(), Some("Unhandled"));
    assert_eq!(timed_out["errorType"], "Sandbox.Timedout");
    assert_eq!(
        timed_out["errorMessage"],
        "Task timed out after 5.00 seconds"
    );

    let (error, after) = h.invoke("sleepy", json!({"sleep": 0})).await;
    assert_eq!(error, None);
    assert_eq!(after["slept"], 0);

    let records = h.wait_for_records("sleepy", 2).await;
    assert_eq!(records[0].error_type.as_deref(), Some("Sandbox.Timedout"));
    assert!(
        records[1].init_duration_ms.is_some(),
        "the timed-out process was replaced"
    );
    h.finish().await;
}

#[tokio::test]
async fn overlapping_invokes_of_one_function_run_at_once_in_two_processes() {
    let h = Harness::start(|dir| vec![spec("barrier", "barrier.py", Duration::from_secs(10), dir)])
        .await;
    // Each invocation finishes only once both have started: one process at a time would time
    // out instead, whatever the machine's speed.
    let meeting = h.log_dir.join("meeting");
    std::fs::create_dir_all(&meeting).unwrap();
    let event = json!({"dir": meeting, "parties": 2});
    let (a, b) = tokio::join!(
        h.invoke("barrier", event.clone()),
        h.invoke("barrier", event)
    );
    assert_eq!(a.0, None, "{}", a.1);
    assert_eq!(b.0, None, "{}", b.1);
    assert_ne!(a.1["pid"], b.1["pid"], "two execution environments");

    // One at a time afterwards: the warm processes serve, no third one starts.
    let alone = h.log_dir.join("alone");
    std::fs::create_dir_all(&alone).unwrap();
    let event = json!({"dir": alone, "parties": 1});
    let (error, later) = h.invoke("barrier", event.clone()).await;
    assert_eq!(error, None);
    let (error, again) = h.invoke("barrier", event).await;
    assert_eq!(error, None);
    assert_eq!(later["pid"], again["pid"], "one warm process, kept");
    assert!([&a.1["pid"], &b.1["pid"]].contains(&&later["pid"]));

    let records = h.wait_for_records("barrier", 4).await;
    assert!(records.iter().all(|r| r.ok));
    assert_eq!(
        records
            .iter()
            .filter(|r| r.init_duration_ms.is_some())
            .count(),
        2
    );
    h.finish().await;
}

#[tokio::test]
async fn no_more_than_max_instances_processes_run_one_function() {
    let h = Harness::start(|dir| vec![spec("barrier", "barrier.py", Duration::from_secs(10), dir)])
        .await;
    // MAX_INSTANCES invocations that finish only together, and one more beside them: it runs
    // before them, or waits for one of them, in a process of theirs either way.
    let meeting = h.log_dir.join("meeting");
    let alone = h.log_dir.join("alone");
    for dir in [&meeting, &alone] {
        std::fs::create_dir_all(dir).unwrap();
    }
    assert_eq!(
        lambda_service::MAX_INSTANCES,
        4,
        "the calls below are written for 4"
    );
    let together = json!({"dir": meeting, "parties": 4});
    let beside = json!({"dir": alone, "parties": 1});
    let (a, b, c, d, e) = tokio::join!(
        h.invoke("barrier", together.clone()),
        h.invoke("barrier", together.clone()),
        h.invoke("barrier", together.clone()),
        h.invoke("barrier", together),
        h.invoke("barrier", beside),
    );
    let mut pids = BTreeSet::new();
    for (error, body) in [a, b, c, d, e] {
        assert_eq!(error, None, "{body}");
        pids.insert(body["pid"].as_u64().unwrap());
    }
    assert_eq!(pids.len(), lambda_service::MAX_INSTANCES, "{pids:?}");
    h.finish().await;
}

#[tokio::test]
async fn sequential_invokes_reuse_one_warm_process() {
    let h =
        Harness::start(|dir| vec![spec("sleepy", "sleepy.py", Duration::from_secs(10), dir)]).await;
    let (_, first) = h.invoke("sleepy", json!({"sleep": 0})).await;
    for _ in 0..3 {
        let (error, body) = h.invoke("sleepy", json!({"sleep": 0})).await;
        assert_eq!(error, None);
        assert_eq!(body["pid"], first["pid"]);
    }
    h.finish().await;
}

#[tokio::test]
async fn the_process_gets_only_the_spec_and_lambda_environment() {
    let h = Harness::start(|dir| {
        let mut s = spec("env-report", "env_report.py", Duration::from_secs(10), dir);
        s.memory_mb = 256;
        s.env.insert("STACKFLOW_SETTING".into(), "value".into());
        s.env.insert("AWS_LAMBDA_LOG_LEVEL".into(), "debug".into());
        s.env.insert("AWS_LAMBDA_LOG_FORMAT".into(), "JSON".into());
        // Lambda's own variables win over the spec's.
        s.env.insert("AWS_REGION".into(), "eu-west-3".into());
        vec![s]
    })
    .await;
    let (error, body) = h.invoke("env-report", json!({})).await;
    assert_eq!(error, None);
    let env: BTreeMap<String, String> = serde_json::from_value(body["env"].clone()).unwrap();

    let names: BTreeSet<&str> = env.keys().map(String::as_str).collect();
    let expected: BTreeSet<&str> = [
        "PYTHONDONTWRITEBYTECODE",
        "STACKFLOW_SETTING",
        "AWS_LAMBDA_LOG_LEVEL",
        "AWS_LAMBDA_LOG_FORMAT",
        "AWS_LAMBDA_RUNTIME_API",
        "AWS_LAMBDA_FUNCTION_NAME",
        "AWS_LAMBDA_FUNCTION_VERSION",
        "AWS_LAMBDA_FUNCTION_MEMORY_SIZE",
        "AWS_LAMBDA_LOG_GROUP_NAME",
        "AWS_LAMBDA_INITIALIZATION_TYPE",
        "AWS_REGION",
        "AWS_DEFAULT_REGION",
        "_HANDLER",
        "LAMBDA_TASK_ROOT",
        "PATH",
    ]
    .into_iter()
    .collect();
    assert_eq!(
        names, expected,
        "nothing of the test process's environment leaks in"
    );

    let fixtures = fixtures_dir();
    assert!(env["AWS_LAMBDA_RUNTIME_API"].starts_with("127.0.0.1:"));
    assert_eq!(env["AWS_LAMBDA_FUNCTION_NAME"], "env-report");
    assert_eq!(env["AWS_LAMBDA_FUNCTION_VERSION"], "$LATEST");
    assert_eq!(env["AWS_LAMBDA_FUNCTION_MEMORY_SIZE"], "256");
    assert_eq!(env["AWS_REGION"], REGION);
    assert_eq!(env["AWS_DEFAULT_REGION"], REGION);
    assert_eq!(env["AWS_LAMBDA_LOG_LEVEL"], "debug");
    assert_eq!(env["STACKFLOW_SETTING"], "value");
    assert_eq!(env["_HANDLER"], "env_report.py");
    assert_eq!(Path::new(&env["LAMBDA_TASK_ROOT"]), fixtures);
    assert_eq!(Path::new(body["cwd"].as_str().unwrap()), fixtures);
    assert_eq!(env["PATH"], "/usr/local/bin:/usr/bin:/bin");
    h.finish().await;
}

#[tokio::test]
async fn init_failure_is_runtime_init_error() {
    let h = Harness::start(|dir| {
        let mut reports = spec("init-report", "init_fail.py", Duration::from_secs(10), dir);
        reports
            .env
            .insert("FIXTURE_INIT_MODE".into(), "report".into());
        let exits = spec("init-exit", "init_fail.py", Duration::from_secs(10), dir);
        vec![reports, exits]
    })
    .await;

    let (error, reported) = h.invoke("init-report", json!({})).await;
    assert_eq!(error.as_deref(), Some("Unhandled"));
    assert_eq!(reported["errorType"], "Runtime.InitError");
    let message = reported["errorMessage"].as_str().unwrap();
    assert!(
        message.contains("missing required variable STATE_MACHINE_ARN"),
        "{message}"
    );

    let (error, exited) = h.invoke("init-exit", json!({})).await;
    assert_eq!(error.as_deref(), Some("Unhandled"));
    assert_eq!(exited["errorType"], "Runtime.InitError");
    let message = exited["errorMessage"].as_str().unwrap();
    assert!(message.contains("exit status 2"), "{message}");
    h.finish().await;
}

#[tokio::test]
async fn shutdown_kills_the_function_processes() {
    let h = Harness::start(|dir| vec![spec("echo", "echo.py", Duration::from_secs(10), dir)]).await;
    let (_, body) = h.invoke("echo", json!({})).await;
    let pid = body["pid"].as_u64().unwrap();
    let proc_entry = PathBuf::from(format!("/proc/{pid}"));
    assert!(proc_entry.exists());

    h.finish().await;
    let started = Instant::now();
    while proc_entry.exists() {
        assert!(
            started.elapsed() < WAIT_LIMIT,
            "process {pid} still alive after shutdown"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}
