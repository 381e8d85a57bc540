#![allow(clippy::unwrap_used, clippy::expect_used)]

use super::*;

fn json(error: &FunctionError) -> Value {
    serde_json::from_slice(&error.body).unwrap()
}

#[test]
fn body_error_type_wins_over_the_generic_header() {
    let error = FunctionError::from_runtime(
        Some("unhandled"),
        br#"{"errorType":"ValidationFailed","errorMessage":"bad","stackTrace":[]}"#,
    );
    assert_eq!(error.error_type, "ValidationFailed");
    let body = json(&error);
    assert_eq!(body["errorType"], "ValidationFailed");
    assert_eq!(body["errorMessage"], "bad");
    assert_eq!(body["stackTrace"], serde_json::json!([]));
}

#[test]
fn header_names_the_error_when_the_body_does_not() {
    let error = FunctionError::from_runtime(Some("Custom.Thing"), br#"{"errorMessage":"m"}"#);
    assert_eq!(error.error_type, "Custom.Thing");
    assert_eq!(json(&error)["errorType"], "Custom.Thing");
}

#[test]
fn non_json_error_body_becomes_the_message() {
    let error = FunctionError::from_runtime(None, b"plain words");
    assert_eq!(error.error_type, "Unhandled");
    let body = json(&error);
    assert_eq!(body["errorMessage"], "plain words");
    assert_eq!(body["errorType"], "Unhandled");
}

#[test]
fn message_of_reads_error_message() {
    assert_eq!(
        FunctionError::message_of(br#"{"errorMessage":"boom"}"#),
        "boom"
    );
    assert_eq!(FunctionError::message_of(b"raw"), "raw");
}
