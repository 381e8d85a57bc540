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
    // Not "LimitExceededException": CloudFormation answers it when an account quota is reached
    // (stacks, stack sets, …), which no retry fixes.
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
pub fn classify_sdk_error<E>(context: &str, err: &SdkError<E, HttpResponse>) -> Error
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
                ("", None) => match body_start(service.raw().body().bytes()) {
                    // An answer the SDK could not parse still says what went wrong.
                    Some(body) => format!(
                        "{context}: HTTP {} with no error code; the answer began: {body}",
                        status.as_u16()
                    ),
                    None => format!("{context}: HTTP {} with no error code", status.as_u16()),
                },
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

/// How much of an unparseable error answer a message keeps.
pub const MAX_BODY_CHARS: usize = 300;

/// The start of an error answer's body, white space folded, cut to [`MAX_BODY_CHARS`] and with
/// anything that looks like a credential masked; `None` when there is no text.
fn body_start(body: Option<&[u8]>) -> Option<String> {
    let text = String::from_utf8_lossy(body?);
    let folded = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if folded.is_empty() {
        return None;
    }
    let redacted = redact_credentials(&folded);
    Some(crate::truncate::truncate_marked(
        &redacted,
        MAX_BODY_CHARS,
        "… (cut)",
    ))
}

/// Names whose values are credentials, in an answer that echoes a request (a query string, a
/// header, JSON or XML).
const CREDENTIAL_NAMES: &[&str] = &[
    "secretaccesskey",
    "sessiontoken",
    "security-token",
    "securitytoken",
    "signature",
    "credential",
    "authorization",
    "password",
];

/// Masks access key ids (`AKIA…`, `ASIA…`) and the value that follows a credential's name
/// (`Signature=…`, `"SessionToken": "…"`, `X-Amz-Security-Token: …`).
pub fn redact_credentials(text: &str) -> String {
    // Base64 and URL-encoded values are one word; `=` and `:` separate a name from its value.
    let is_word = |c: char| c.is_ascii_alphanumeric() || "+/_.%-".contains(c);
    let mut out = String::with_capacity(text.len());
    let mut after_name = false;
    let mut rest = text;
    while let Some(c) = rest.chars().next() {
        if is_word(c) {
            let end = rest.find(|c: char| !is_word(c)).unwrap_or(rest.len());
            let word = &rest[..end];
            if after_name || is_access_key_id(word) {
                out.push_str("****");
                after_name = false;
            } else {
                let lower = word.to_ascii_lowercase();
                out.push_str(word);
                after_name = CREDENTIAL_NAMES.iter().any(|name| lower.contains(name));
            }
            rest = &rest[end..];
        } else {
            // Only quotes, `=`, `:` and spaces stand between a name and its value.
            after_name &= "\"':= ".contains(c);
            out.push(c);
            rest = &rest[c.len_utf8()..];
        }
    }
    out
}

/// `AKIA`/`ASIA` and 16 more upper-case letters or digits: an AWS access key id.
fn is_access_key_id(word: &str) -> bool {
    word.len() == 20
        && (word.starts_with("AKIA") || word.starts_with("ASIA"))
        && word
            .chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit())
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
#[path = "error_tests.rs"]
mod tests;
