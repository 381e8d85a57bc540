#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use super::*;
use crate::truncate::truncate_chars;
use aws_sdk_codepipeline::operation::put_job_success_result::PutJobSuccessResultError;
use aws_sdk_codepipeline::types::error::InvalidJobStateException;
use aws_smithy_mocks::{mock_client, Rule, RuleMode};
use aws_smithy_runtime_api::http::StatusCode;
use aws_smithy_types::body::SdkBody;
use aws_smithy_types::error::ErrorMetadata;
use aws_smithy_types::retry::RetryConfig;

/// An AWS JSON-protocol error answer, as the service sends it: the SDK parses the code from
/// it exactly as in production (a modeled error built in a test carries no code).
pub(crate) fn error_response(status: u16, code: &str, message: &str) -> HttpResponse {
    let body = serde_json::json!({ "__type": code, "message": message }).to_string();
    HttpResponse::new(StatusCode::try_from(status).unwrap(), SdkBody::from(body))
}

/// A CodePipeline client answering from `rules` in order, without SDK retries: the tests
/// look at what our code does once the SDK has given up.
pub(crate) fn mock_codepipeline(rules: &[&Rule]) -> aws_sdk_codepipeline::Client {
    mock_client!(
        aws_sdk_codepipeline,
        RuleMode::Sequential,
        rules,
        |config| { config.retry_config(RetryConfig::disabled()) }
    )
}

fn service_error(
    err: PutJobSuccessResultError,
    status: u16,
) -> SdkError<PutJobSuccessResultError, HttpResponse> {
    SdkError::service_error(
        err,
        HttpResponse::new(StatusCode::try_from(status).unwrap(), SdkBody::empty()),
    )
}

#[test]
fn truncation_keeps_short_text_and_cuts_long_text_on_char_boundaries() {
    assert_eq!(truncate_chars("héllo", 5), "héllo");
    assert_eq!(truncate_chars("héllo wörld", 6), "héllo…");
    let long = "ü".repeat(6_000);
    let cut = truncate_chars(&long, FAILURE_MESSAGE_MAX_CHARS);
    assert_eq!(cut.chars().count(), FAILURE_MESSAGE_MAX_CHARS);
    assert!(cut.ends_with('…'));
}

#[test]
fn a_closed_job_is_recognised() {
    let meta = ErrorMetadata::builder()
        .code("InvalidJobStateException")
        .message("job is closed")
        .build();
    let err = service_error(
        PutJobSuccessResultError::InvalidJobStateException(
            InvalidJobStateException::builder().meta(meta).build(),
        ),
        400,
    );
    assert_eq!(
        report_failure("PutJobSuccessResult", &err),
        ReportFailure::Closed(
            "PutJobSuccessResult: InvalidJobStateException: job is closed".into()
        )
    );
}

#[test]
fn an_unknown_5xx_is_transient() {
    let meta = ErrorMetadata::builder()
        .code("SomethingBroke")
        .message("oops")
        .build();
    let err = service_error(PutJobSuccessResultError::generic(meta), 502);
    match report_failure("PutJobSuccessResult", &err) {
        ReportFailure::Failed(error) => assert_eq!(error.name(), "Transient"),
        other => panic!("expected Transient, got {other:?}"),
    }
}

#[test]
fn a_validation_error_is_not_transient() {
    let meta = ErrorMetadata::builder()
        .code("ValidationException")
        .message("bad")
        .build();
    let err = service_error(PutJobSuccessResultError::generic(meta), 400);
    assert_eq!(
        report_failure("PutJobSuccessResult", &err),
        ReportFailure::Failed(Error::AwsError(
            "PutJobSuccessResult: ValidationException: bad".into()
        ))
    );
}
