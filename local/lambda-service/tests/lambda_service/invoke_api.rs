//! The Invoke API: synchronous and Event invocations, names and ARNs, and what it refuses.

use std::time::Duration;

use serde_json::{json, Value};

use crate::support::*;

#[tokio::test]
async fn sync_invoke_returns_the_function_response_from_a_warm_process() {
    let h = Harness::start(|dir| vec![spec("echo", "echo.py", Duration::from_secs(10), dir)]).await;
    let payload = json!({"job": {"id": "j-1"}, "n": 1});

    let response = h.invoke_as("echo", None, &payload.to_string()).await;
    assert_eq!(response.status(), 200);
    assert_eq!(header(&response, "x-amz-function-error"), None);
    assert_eq!(
        header(&response, "x-amz-executed-version").as_deref(),
        Some("$LATEST")
    );
    assert_eq!(
        header(&response, "content-type").as_deref(),
        Some("application/json")
    );
    let request_id = header(&response, "x-amzn-requestid").unwrap();
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["event"], payload);
    assert_eq!(body["request_id"], request_id.as_str());
    assert_eq!(body["invoked_function_arn"], arn("echo").as_str());
    assert!(body["deadline_ms"].as_u64().unwrap() > now_ms());
    assert!(body["trace_id"].as_str().unwrap().starts_with("Root=1-"));

    let (error, second) = h.invoke("echo", json!({"n": 2})).await;
    assert_eq!(error, None);
    assert_eq!(second["event"], json!({"n": 2}));
    assert_eq!(
        second["pid"], body["pid"],
        "the second invocation reuses the warm process"
    );

    let records = h.wait_for_records("echo", 2).await;
    assert_eq!(records[0].request_id, request_id);
    assert_eq!(records[0].invocation_type, "RequestResponse");
    assert_eq!(records[0].attempt, 1);
    assert!(records[0].ok);
    assert!(
        records[0].init_duration_ms.is_some(),
        "first invocation is a cold start"
    );
    assert_eq!(
        records[1].init_duration_ms, None,
        "second invocation is warm"
    );

    let log = h.log("echo");
    assert!(
        log.contains("echo fixture handling a request"),
        "stdout goes to the log: {log}"
    );
    assert!(
        log.contains("echo fixture stderr line"),
        "stderr goes to the log: {log}"
    );
    assert!(
        log.contains(&format!("START RequestId: {request_id}")),
        "{log}"
    );
    assert!(!log.contains("j-1"), "payloads are not logged: {log}");
    h.finish().await;
}

#[tokio::test]
async fn empty_payload_is_delivered_as_an_empty_object() {
    let h = Harness::start(|dir| vec![spec("echo", "echo.py", Duration::from_secs(10), dir)]).await;
    let response = h.invoke_as("echo", None, "").await;
    assert_eq!(response.status(), 200);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["event"], json!({}));
    h.finish().await;
}

#[tokio::test]
async fn function_error_is_http_200_with_the_function_error_header() {
    let h = Harness::start(|dir| vec![spec("fail", "fail.py", Duration::from_secs(10), dir)]).await;
    let response = h.invoke_as(&arn("fail"), None, "{}").await;
    assert_eq!(response.status(), 200);
    assert_eq!(
        header(&response, "x-amz-function-error").as_deref(),
        Some("Unhandled")
    );
    assert_eq!(
        header(&response, "x-amz-executed-version").as_deref(),
        Some("$LATEST")
    );
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["errorType"], "ValidationFailed");
    assert_eq!(body["errorMessage"], "UserParameters is not valid JSON");

    let records = h.wait_for_records("fail", 1).await;
    assert!(!records[0].ok);
    assert_eq!(records[0].error_type.as_deref(), Some("ValidationFailed"));
    h.finish().await;
}

#[tokio::test]
async fn names_arns_and_qualified_arns_resolve() {
    let h = Harness::start(|dir| vec![spec("echo", "echo.py", Duration::from_secs(10), dir)]).await;
    for (function_name, invoked_arn) in [
        ("echo".to_string(), arn("echo")),
        (arn("echo"), arn("echo")),
        (
            format!("{}:$LATEST", arn("echo")),
            format!("{}:$LATEST", arn("echo")),
        ),
        (
            format!("{}:live", arn("echo")),
            format!("{}:live", arn("echo")),
        ),
        (format!("{ACCOUNT}:function:echo"), arn("echo")),
    ] {
        let (error, body) = h.invoke(&function_name, json!({})).await;
        assert_eq!(error, None, "{function_name}");
        assert_eq!(
            body["invoked_function_arn"],
            invoked_arn.as_str(),
            "{function_name}"
        );
    }

    // The Qualifier query parameter qualifies an unqualified name.
    let url = format!(
        "{}/2015-03-31/functions/echo/invocations?Qualifier=live",
        h.base
    );
    let response = h.http.post(url).body("{}").send().await.unwrap();
    assert_eq!(response.status(), 200);
    let body: Value = response.json().await.unwrap();
    assert_eq!(
        body["invoked_function_arn"],
        format!("{}:live", arn("echo")).as_str()
    );

    // Another account's or region's function is not ours.
    let other_account = "arn:aws:lambda:us-east-1:999999999999:function:echo";
    assert_eq!(h.invoke_as(other_account, None, "{}").await.status(), 404);
    let other_region = format!("arn:aws:lambda:eu-west-1:{ACCOUNT}:function:echo");
    assert_eq!(h.invoke_as(&other_region, None, "{}").await.status(), 404);
    h.finish().await;
}

#[tokio::test]
async fn unknown_function_is_404_resource_not_found() {
    let h = Harness::start(|dir| vec![spec("echo", "echo.py", Duration::from_secs(10), dir)]).await;
    let response = h.invoke_as(&arn("nope"), None, "{}").await;
    assert_eq!(response.status(), 404);
    assert_eq!(
        header(&response, "x-amzn-errortype").as_deref(),
        Some("ResourceNotFoundException")
    );
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["Type"], "User");
    assert_eq!(
        body["message"],
        format!("Function not found: {}", arn("nope")).as_str()
    );
    assert!(h.records().await.is_empty());
    h.finish().await;
}

#[tokio::test]
async fn dry_run_is_204_and_runs_nothing() {
    let h = Harness::start(|dir| vec![spec("echo", "echo.py", Duration::from_secs(10), dir)]).await;
    let response = h.invoke_as("echo", Some("DryRun"), "{}").await;
    assert_eq!(response.status(), 204);
    assert!(h.records().await.is_empty());
    h.finish().await;
}

#[tokio::test]
async fn bad_payload_or_invocation_type_is_400() {
    let h = Harness::start(|dir| vec![spec("echo", "echo.py", Duration::from_secs(10), dir)]).await;
    let response = h.invoke_as("echo", None, "{not json").await;
    assert_eq!(response.status(), 400);
    assert_eq!(
        header(&response, "x-amzn-errortype").as_deref(),
        Some("InvalidRequestContentException")
    );
    let response = h.invoke_as("echo", Some("Later"), "{}").await;
    assert_eq!(response.status(), 400);
    assert_eq!(
        header(&response, "x-amzn-errortype").as_deref(),
        Some("InvalidParameterValueException")
    );
    assert!(h.records().await.is_empty());
    h.finish().await;
}

#[tokio::test]
async fn event_invocation_is_accepted_and_runs_once_in_the_background() {
    let h = Harness::start(|dir| vec![spec("echo", "echo.py", Duration::from_secs(10), dir)]).await;
    let response = h
        .invoke_as(&arn("echo"), Some("Event"), r#"{"async": true}"#)
        .await;
    assert_eq!(response.status(), 202);
    let request_id = header(&response, "x-amzn-requestid").unwrap();

    // A success is not retried: the invocation ended after its one attempt.
    let outcome = h.wait_for_async_outcome(&request_id).await;
    assert_eq!(
        (outcome.attempts, outcome.succeeded),
        (1, true),
        "{outcome:?}"
    );
    assert_eq!(outcome.function, "echo");
    let records = h.records().await;
    assert_eq!(records.len(), 1, "{records:?}");
    assert_eq!(records[0].request_id, request_id);
    assert_eq!(records[0].invocation_type, "Event");
    assert!(records[0].ok);
    h.finish().await;
}

#[tokio::test]
async fn failing_event_invocation_is_attempted_three_times() {
    let h = Harness::start(|dir| vec![spec("fail", "fail.py", Duration::from_secs(10), dir)]).await;
    let response = h.invoke_as(&arn("fail"), Some("Event"), "{}").await;
    assert_eq!(response.status(), 202);
    let request_id = header(&response, "x-amzn-requestid").unwrap();

    // The service's own record that the retries are exhausted: no fourth attempt will come.
    let outcome = h.wait_for_async_outcome(&request_id).await;
    assert_eq!(
        (outcome.attempts, outcome.succeeded),
        (3, false),
        "{outcome:?}"
    );
    let records = h.records().await;
    assert_eq!(
        records.iter().map(|r| r.attempt).collect::<Vec<_>>(),
        vec![1, 2, 3]
    );
    for record in &records {
        assert_eq!(record.request_id, request_id, "retries keep the request id");
        assert_eq!(record.invocation_type, "Event");
        assert_eq!(record.error_type.as_deref(), Some("ValidationFailed"));
    }
    h.finish().await;
}
