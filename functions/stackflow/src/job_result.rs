//! Telling CodePipeline how a job ended. report-result does it for every deployment;
//! start-deployment does it only when no execution could be started.

use aws_sdk_codepipeline::operation::put_job_failure_result::PutJobFailureResultError;
use aws_sdk_codepipeline::types::{FailureDetails, FailureType};
use aws_smithy_runtime_api::client::orchestrator::HttpResponse;
use aws_smithy_runtime_api::client::result::SdkError;
use aws_smithy_types::error::metadata::ProvideErrorMetadata;

use crate::aws_error::{classify, code_and_message};
use crate::error::Error;

/// CodePipeline's limit on `failureDetails.message`.
pub const FAILURE_MESSAGE_MAX_CHARS: usize = 5_000;
/// CodePipeline's limit on `executionDetails.summary`.
pub const SUMMARY_MAX_CHARS: usize = 2_048;

/// At most `max` characters of `text`, cut on a character boundary; a cut ends in `…`.
pub fn truncate_chars(text: &str, max: usize) -> String {
    truncate_marked(text, max, "…")
}

/// At most `max` characters of `text`, cut on a character boundary; a cut ends in `marker`.
pub fn truncate_marked(text: &str, max: usize, marker: &str) -> String {
    if text.chars().count() <= max {
        return text.to_string();
    }
    let keep = max.saturating_sub(marker.chars().count());
    let mut cut: String = text.chars().take(keep).collect();
    cut.push_str(marker);
    cut
}

/// How a PutJob*Result call failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReportFailure {
    /// CodePipeline had already closed the job (it timed out, was reported, or the pipeline
    /// moved on): nothing will ever accept a result for it, so retrying is pointless.
    Closed(String),
    /// Anything else; `Transient` when throttled or on a 5xx, so the caller retries.
    Failed(Error),
}

/// Sort a PutJob*Result error into closed-job, passing fault or other.
pub fn report_failure<E>(context: &str, err: &SdkError<E, HttpResponse>) -> ReportFailure
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
{
    let (code, message) = code_and_message(err);
    if let Some(code @ ("InvalidJobStateException" | "JobNotFoundException")) = code.as_deref() {
        let message = message.unwrap_or_default();
        return ReportFailure::Closed(format!("{context}: {code}: {message}"));
    }
    ReportFailure::Failed(classify(context, err))
}

/// PutJobFailureResult with a message cut to CodePipeline's limit.
pub async fn put_job_failure(
    codepipeline: &aws_sdk_codepipeline::Client,
    job_id: &str,
    failure_type: FailureType,
    message: &str,
    external_execution_id: Option<&str>,
) -> Result<(), SdkError<PutJobFailureResultError, HttpResponse>> {
    let message = if message.trim().is_empty() {
        "the deployment failed without a message".to_string()
    } else {
        truncate_chars(message, FAILURE_MESSAGE_MAX_CHARS)
    };
    let details = FailureDetails::builder()
        .r#type(failure_type)
        .message(message)
        .set_external_execution_id(external_execution_id.map(str::to_string))
        .build()
        // Both required fields are set above; this cannot fail, but must not panic either.
        .map_err(SdkError::construction_failure)?;
    codepipeline
        .put_job_failure_result()
        .job_id(job_id)
        .failure_details(details)
        .send()
        .await
        .map(|_| ())
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
pub(crate) mod tests {
    use super::*;
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
}
