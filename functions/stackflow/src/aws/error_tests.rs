use super::*;
use aws_sdk_cloudformation::operation::describe_stacks::DescribeStacksError;
use aws_smithy_runtime_api::http::{Response, StatusCode};
use aws_smithy_types::body::SdkBody;
use aws_smithy_types::error::ErrorMetadata;

fn service_error_with_status(
    status: u16,
    code: &str,
    message: &str,
) -> SdkError<DescribeStacksError, Response> {
    let meta = ErrorMetadata::builder().code(code).message(message).build();
    let status = StatusCode::try_from(status).unwrap_or_else(|_| unreachable!());
    SdkError::service_error(
        DescribeStacksError::generic(meta),
        Response::new(status, SdkBody::empty()),
    )
}

fn service_error(code: &str, message: &str) -> SdkError<DescribeStacksError, Response> {
    service_error_with_status(400, code, message)
}

#[test]
fn a_server_error_with_an_unknown_code_is_transient() {
    let err = classify_sdk_error(
        "DescribeStacks",
        &service_error_with_status(503, "Whatever", "down"),
    );
    assert_eq!(err.name(), "Transient");
}

#[test]
fn an_answer_without_an_error_code_is_named_by_its_status() {
    let bare = SdkError::service_error(
        DescribeStacksError::generic(ErrorMetadata::builder().build()),
        Response::new(
            StatusCode::try_from(503).unwrap_or_else(|_| unreachable!()),
            SdkBody::empty(),
        ),
    );
    assert_eq!(
        classify_sdk_error("GetObject of artifact", &bare),
        Error::Transient("GetObject of artifact: HTTP 503 with no error code".into())
    );
    let err = classify_sdk_error("CreateStack", &service_error("", "bad gateway"));
    assert_eq!(
        err,
        Error::AwsError("CreateStack: HTTP 400: bad gateway".into())
    );
}

#[test]
fn an_answer_without_an_error_code_keeps_the_start_of_its_body_without_credentials() {
    let body = format!(
        "<html>\n  <h1>Bad request</h1> <p>Parameter DbPort is invalid</p> \
         X-Amz-Security-Token=FwoGZXIvYXdzEBYaDSECRET&X-Amz-Credential=AKIAABCDEFGHIJKLMNOP/x \
         secretAccessKey: wJalrSECRET {}</html>",
        "padding ".repeat(100)
    );
    let bare = SdkError::service_error(
        DescribeStacksError::generic(ErrorMetadata::builder().build()),
        Response::new(
            StatusCode::try_from(400).unwrap_or_else(|_| unreachable!()),
            SdkBody::from(body),
        ),
    );
    let message = classify_sdk_error("CreateStack on stack s", &bare).message();
    assert!(
        message.starts_with(
            "CreateStack on stack s: HTTP 400 with no error code; the answer began: <html> \
             <h1>Bad request</h1> <p>Parameter DbPort is invalid</p>"
        ),
        "{message}"
    );
    for secret in [
        "FwoGZXIvYXdzEBYaDSECRET",
        "AKIAABCDEFGHIJKLMNOP",
        "wJalrSECRET",
    ] {
        assert!(!message.contains(secret), "{secret} in {message}");
    }
    assert!(message.ends_with("… (cut)"), "{message}");
    assert!(message.chars().count() < 400, "{message}");
}

#[test]
fn credentials_are_masked_in_any_shape() {
    assert_eq!(
        redact_credentials(
            "key AKIAABCDEFGHIJKLMNOP and \"SessionToken\": \"abc\" Signature=xyz ok"
        ),
        "key **** and \"SessionToken\": \"****\" Signature=**** ok"
    );
    assert_eq!(
        redact_credentials("nothing secret here"),
        "nothing secret here"
    );
}

#[test]
fn a_quota_is_not_throttling() {
    let err = classify_sdk_error(
        "CreateStack on stack s",
        &service_error("LimitExceededException", "Limit for stacks exceeded"),
    );
    assert_eq!(
        err,
        Error::AwsError(
            "CreateStack on stack s: LimitExceededException: Limit for stacks exceeded".into()
        )
    );
}

#[test]
fn throttling_is_transient() {
    let err = classify_sdk_error(
        "DescribeStacks",
        &service_error("Throttling", "Rate exceeded"),
    );
    assert_eq!(
        err,
        Error::Transient("DescribeStacks: Throttling: Rate exceeded".into())
    );
}

#[test]
fn access_denied_is_a_permission_problem() {
    let err = classify_sdk_error("GetObject", &service_error("AccessDenied", "nope"));
    assert_eq!(err.name(), "AccessDenied");
}

#[test]
fn other_codes_keep_their_code_and_message() {
    let err = classify_sdk_error(
        "CreateStack",
        &service_error("ValidationError", "bad template"),
    );
    assert_eq!(
        err,
        Error::AwsError("CreateStack: ValidationError: bad template".into())
    );
}
