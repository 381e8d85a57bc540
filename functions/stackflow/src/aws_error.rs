//! One place that turns an AWS SDK error into a domain [`Error`]: passing faults become
//! `Transient` (the state machine retries them), refusals become `AccessDenied`, the rest keep
//! AWS's code and message.

use aws_smithy_runtime_api::client::orchestrator::HttpResponse;
use aws_smithy_runtime_api::client::result::SdkError;
use aws_smithy_types::error::metadata::ProvideErrorMetadata;

use crate::error::Error;

/// The error code and message AWS answered with, when it answered.
pub fn code_and_message<E, R>(err: &SdkError<E, R>) -> (Option<String>, Option<String>)
where
    E: ProvideErrorMetadata,
{
    match err {
        SdkError::ServiceError(service) => (
            service.err().code().map(str::to_string),
            service.err().message().map(str::to_string),
        ),
        _ => (None, None),
    }
}

const THROTTLING_CODES: &[&str] = &[
    "Throttling",
    "ThrottlingException",
    "ThrottledException",
    "RequestThrottledException",
    "TooManyRequestsException",
    "ProvisionedThroughputExceededException",
    "TransactionInProgressException",
    "RequestLimitExceeded",
    "BandwidthLimitExceeded",
    "LimitExceededException",
    "RequestThrottled",
    "SlowDown",
    "PriorRequestNotComplete",
    "EC2ThrottledException",
    "ServiceUnavailable",
    "ServiceUnavailableException",
    "InternalError",
    "InternalFailure",
    "InternalServerError",
    "InternalServiceError",
    "RequestTimeout",
    "RequestTimeoutException",
];

const ACCESS_DENIED_CODES: &[&str] = &[
    "AccessDenied",
    "AccessDeniedException",
    "UnauthorizedOperation",
    "UnrecognizedClientException",
    "InvalidClientTokenId",
    "ExpiredToken",
    "ExpiredTokenException",
    "SignatureDoesNotMatch",
    "InvalidAccessKeyId",
];

/// Classify an SDK error. `context` says what was being done, e.g. "DescribeStacks on stack X".
pub fn classify<E>(context: &str, err: &SdkError<E, HttpResponse>) -> Error
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
{
    match err {
        SdkError::ServiceError(service) => {
            let status = service.raw().status();
            // A body without an error code (an HTML or empty 503 from a proxy): the status says
            // the most.
            let code = service.err().code().unwrap_or("");
            let text = match (code, service.err().message()) {
                ("", Some(message)) => format!("{context}: HTTP {}: {message}", status.as_u16()),
                ("", None) => format!("{context}: HTTP {} with no error code", status.as_u16()),
                (code, message) => {
                    format!("{context}: {code}: {}", message.unwrap_or("no message"))
                }
            };
            // A 5xx is AWS's own fault whatever its code: worth another try.
            if THROTTLING_CODES.contains(&code) || status.is_server_error() {
                Error::Transient(text)
            } else if ACCESS_DENIED_CODES.contains(&code) {
                Error::AccessDenied(text)
            } else {
                Error::AwsError(text)
            }
        }
        SdkError::TimeoutError(_) => Error::Transient(format!("{context}: request timed out")),
        SdkError::DispatchFailure(failure) => {
            Error::Transient(format!("{context}: could not reach AWS: {failure:?}"))
        }
        SdkError::ResponseError(_) => Error::Transient(format!(
            "{context}: AWS sent a response that could not be read"
        )),
        SdkError::ConstructionFailure(_) => {
            Error::Misconfigured(format!("{context}: the request could not be built"))
        }
        _ => Error::AwsError(format!("{context}: {}", err_chain(err))),
    }
}

/// The error's display text and its sources, joined, for errors without AWS metadata.
pub fn err_chain(err: &(dyn std::error::Error + 'static)) -> String {
    let mut text = err.to_string();
    let mut source = err.source();
    while let Some(inner) = source {
        text.push_str(": ");
        text.push_str(&inner.to_string());
        source = inner.source();
    }
    text
}

#[cfg(test)]
mod tests {
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
        let err = classify(
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
            classify("GetObject of artifact", &bare),
            Error::Transient("GetObject of artifact: HTTP 503 with no error code".into())
        );
        let err = classify("CreateStack", &service_error("", "bad gateway"));
        assert_eq!(
            err,
            Error::AwsError("CreateStack: HTTP 400: bad gateway".into())
        );
    }

    #[test]
    fn throttling_is_transient() {
        let err = classify(
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
        let err = classify("GetObject", &service_error("AccessDenied", "nope"));
        assert_eq!(err.name(), "AccessDenied");
    }

    #[test]
    fn other_codes_keep_their_code_and_message() {
        let err = classify(
            "CreateStack",
            &service_error("ValidationError", "bad template"),
        );
        assert_eq!(
            err,
            Error::AwsError("CreateStack: ValidationError: bad template".into())
        );
    }
}
