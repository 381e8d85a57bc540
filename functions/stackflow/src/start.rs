//! start-deployment: turn a CodePipeline job into a Step Functions execution.
//!
//! CodePipeline invokes the function asynchronously, and Lambda may deliver the same event more
//! than once. The execution name is derived from the job id, so a second delivery can never start
//! a second deployment: Step Functions refuses or deduplicates the name. A continuation job (its
//! event carries a continuation token) never starts an execution: `crate::continuation` hands it
//! to the execution that waits for it.

use std::time::{Duration, SystemTime};

use aws_sdk_codepipeline::types::FailureType;
use aws_sdk_sfn::operation::start_execution::StartExecutionError;
use aws_smithy_runtime_api::client::orchestrator::HttpResponse;
use aws_smithy_runtime_api::client::result::SdkError;
use aws_smithy_types::DateTime;

use crate::aws_error::classify;
use crate::contract::StartOutput;
use crate::error::Error;
use crate::job_event::JobRequest;
use crate::job_result::{put_job_failure, report_failure, truncate_chars, ReportFailure};

/// A new execution was started for the job.
pub const STARTED: &str = "Started";
/// The job's execution already existed (a repeated delivery of the event).
pub const ALREADY_STARTED: &str = "AlreadyStarted";
/// No execution could be started; the job was reported failed.
pub const REPORTED_FAILURE: &str = "ReportedFailure";

/// The most bytes of UTF-8 an execution input may be: its share of the 256 KiB that Step
/// Functions allows an execution's state, which grows from it (statemachine/README.md adds the
/// shares up). UserParameters (at most 1,000 characters in CodePipeline) and a few artifact
/// locations take far less.
pub const MAX_EXECUTION_INPUT_BYTES: usize = 32 * 1024;
/// Step Functions' limit on an execution name.
const MAX_EXECUTION_NAME_CHARS: usize = 80;
/// An execution that started this long before our request is an earlier delivery's.
const CLOCK_TOLERANCE: Duration = Duration::from_secs(5);

/// The execution name for a job: its id when that is already a valid name (CodePipeline job ids
/// are UUIDs), otherwise a sanitised prefix plus a hash of the id, so distinct ids keep distinct
/// names and the same id always gets the same one.
pub fn execution_name(job_id: &str) -> String {
    let valid = |c: char| c.is_ascii_alphanumeric() || c == '-' || c == '_';
    let length = job_id.chars().count();
    if (1..=MAX_EXECUTION_NAME_CHARS).contains(&length) && job_id.chars().all(valid) {
        return job_id.to_string();
    }
    let hash = format!("{:016x}", fnv1a(job_id.as_bytes()));
    let prefix: String = job_id
        .chars()
        .map(|c| if valid(c) { c } else { '-' })
        .take(MAX_EXECUTION_NAME_CHARS - hash.len() - 1)
        .collect();
    format!("{prefix}-{hash}")
}

/// FNV-1a, 64 bits: stable across releases, unlike std's hasher.
fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |hash, byte| {
        (hash ^ u64::from(*byte)).wrapping_mul(0x0000_0100_0000_01b3)
    })
}

/// The ARN an execution of a (non-versioned) state machine gets, to name it in logs and output
/// when Step Functions refused a repeated start.
fn execution_arn(state_machine_arn: &str, name: &str) -> Option<String> {
    let (prefix, machine) = state_machine_arn.split_once(":stateMachine:")?;
    (!machine.contains(':')).then(|| format!("{prefix}:execution:{machine}:{name}"))
}

/// What start-deployment is configured with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EntryConfig {
    /// The state machine executions are started of.
    pub state_machine_arn: String,
    /// Seconds a job is answered before the deployment hands it over to a continuation job
    /// (`JOB_HANDOVER_SECONDS`).
    pub hand_over_seconds: u32,
}

/// Start the job's execution (or, for a continuation job, hand the job to the execution that
/// waits for it), or report the job failed when that is impossible.
///
/// Returns `Err` only when the failure could not be reported for a passing reason (or for a
/// reason nobody can fix from here), so Lambda's async retry tries the whole thing again; the
/// execution name makes that safe.
pub async fn start(
    sfn: &aws_sdk_sfn::Client,
    codepipeline: &aws_sdk_codepipeline::Client,
    config: &EntryConfig,
    job: &JobRequest,
) -> Result<StartOutput, Error> {
    if let Some(token) = &job.continuation_token {
        return crate::continuation::continue_deployment(
            sfn,
            codepipeline,
            job,
            token,
            config.hand_over_seconds,
            crate::clock::now_unix(),
        )
        .await;
    }
    start_requested_at(sfn, codepipeline, config, job, SystemTime::now()).await
}

async fn start_requested_at(
    sfn: &aws_sdk_sfn::Client,
    codepipeline: &aws_sdk_codepipeline::Client,
    config: &EntryConfig,
    job: &JobRequest,
    requested_at: SystemTime,
) -> Result<StartOutput, Error> {
    let state_machine_arn = config.state_machine_arn.as_str();
    let name = execution_name(&job.job_id);
    let hand_over_at =
        crate::clock::unix_seconds(requested_at) + i64::from(config.hand_over_seconds);
    let input = serde_json::to_string(&job.execution_input(hand_over_at))
        .map_err(|err| Error::InvalidEvent(format!("job {}: {err}", job.job_id)))?;
    if input.len() > MAX_EXECUTION_INPUT_BYTES {
        let reason = format!(
            "The deployment could not start: its execution input is {} bytes, more than the {} \
             a deployment's Step Functions state leaves it. Shorten the action's UserParameters \
             ({} bytes).",
            input.len(),
            MAX_EXECUTION_INPUT_BYTES,
            job.user_parameters.len()
        );
        return report_start_failure(codepipeline, job, FailureType::ConfigurationError, &reason)
            .await;
    }

    let result = sfn
        .start_execution()
        .state_machine_arn(state_machine_arn)
        .name(&name)
        .input(input)
        .send()
        .await;
    match result {
        Ok(started) => {
            let outcome = if is_earlier_execution(started.start_date(), requested_at) {
                ALREADY_STARTED
            } else {
                STARTED
            };
            tracing::info!(
                job_id = %job.job_id,
                execution_arn = %started.execution_arn(),
                outcome,
                "execution started"
            );
            Ok(output(
                job,
                Some(started.execution_arn().to_string()),
                outcome,
            ))
        }
        Err(err) if is_already_exists(&err) => {
            let arn = execution_arn(state_machine_arn, &name);
            tracing::info!(
                job_id = %job.job_id,
                execution_name = %name,
                outcome = ALREADY_STARTED,
                "the job's execution already exists; this is a repeated delivery"
            );
            Ok(output(job, arn, ALREADY_STARTED))
        }
        Err(err) => {
            let context = format!("StartExecution of {state_machine_arn}");
            let cause = classify(&context, &err).message();
            let failure_type = if is_input_rejected(&err) {
                FailureType::ConfigurationError
            } else {
                FailureType::JobFailed
            };
            let reason = format!("The deployment could not start: {cause}");
            report_start_failure(codepipeline, job, failure_type, &reason).await
        }
    }
}

/// Step Functions answers a repeated start with the same input by returning the running
/// execution; its start date then predates our request.
fn is_earlier_execution(start_date: &DateTime, requested_at: SystemTime) -> bool {
    let threshold = requested_at
        .checked_sub(CLOCK_TOLERANCE)
        .unwrap_or(SystemTime::UNIX_EPOCH);
    *start_date < DateTime::from(threshold)
}

fn is_already_exists(err: &SdkError<StartExecutionError, HttpResponse>) -> bool {
    err.as_service_error()
        .is_some_and(StartExecutionError::is_execution_already_exists)
}

/// The job's own input was refused (too large, not valid): a configuration problem of the job.
fn is_input_rejected(err: &SdkError<StartExecutionError, HttpResponse>) -> bool {
    err.as_service_error()
        .is_some_and(StartExecutionError::is_invalid_execution_input)
}

/// Report that the job could not be started (or continued), and say so in the output.
pub(crate) async fn report_start_failure(
    codepipeline: &aws_sdk_codepipeline::Client,
    job: &JobRequest,
    failure_type: FailureType,
    reason: &str,
) -> Result<StartOutput, Error> {
    let message = truncate_chars(reason, crate::job_result::FAILURE_MESSAGE_MAX_CHARS);
    tracing::warn!(
        job_id = %job.job_id,
        failure_type = %failure_type.as_str(),
        reason = %message,
        "no execution could be started; reporting the job failed"
    );
    match put_job_failure(codepipeline, &job.job_id, failure_type, &message, None).await {
        Ok(()) => {}
        Err(err) => {
            let context = format!("PutJobFailureResult for job {}", job.job_id);
            match report_failure(&context, &err) {
                ReportFailure::Closed(detail) => {
                    tracing::warn!(job_id = %job.job_id, %detail, "the job was already closed");
                }
                ReportFailure::Failed(error) => {
                    tracing::error!(
                        job_id = %job.job_id,
                        error = %error,
                        "could not report the job failed; Lambda will retry the event"
                    );
                    return Err(error);
                }
            }
        }
    }
    tracing::info!(job_id = %job.job_id, outcome = REPORTED_FAILURE, "job reported failed");
    Ok(output(job, None, REPORTED_FAILURE))
}

fn output(job: &JobRequest, execution_arn: Option<String>, outcome: &str) -> StartOutput {
    StartOutput {
        job_id: job.job_id.clone(),
        execution_arn,
        outcome: outcome.to_string(),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;
    use crate::job_event::tests::{fixture_job, SECRETS};
    use crate::job_result::tests::error_response;
    use aws_sdk_codepipeline::operation::put_job_failure_result::{
        PutJobFailureResultError, PutJobFailureResultOutput,
    };
    use aws_sdk_sfn::operation::start_execution::StartExecutionOutput;
    use aws_sdk_sfn::types::error::ExecutionAlreadyExists;
    use aws_smithy_mocks::{mock, mock_client, Rule};
    use aws_smithy_types::error::ErrorMetadata;
    use aws_smithy_types::retry::RetryConfig;

    const STATE_MACHINE: &str = "arn:aws:states:us-east-1:111111111111:stateMachine:stackflow";
    const JOB_ID: &str = "11111111-abcd-1111-abcd-111111abcdef";
    const EXECUTION: &str =
        "arn:aws:states:us-east-1:111111111111:execution:stackflow:11111111-abcd-1111-abcd-111111abcdef";

    fn now() -> SystemTime {
        SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000)
    }

    fn config() -> EntryConfig {
        EntryConfig {
            state_machine_arn: STATE_MACHINE.into(),
            hand_over_seconds: 900,
        }
    }

    fn started_at(seconds: i64) -> Rule {
        mock!(aws_sdk_sfn::Client::start_execution).then_output(move || {
            StartExecutionOutput::builder()
                .execution_arn(EXECUTION)
                .start_date(DateTime::from_secs(seconds))
                .build()
                .unwrap()
        })
    }

    fn start_fails(error: fn() -> StartExecutionError) -> Rule {
        mock!(aws_sdk_sfn::Client::start_execution).then_error(error)
    }

    /// StartExecution answered with an AWS error, parsed by the SDK as in production.
    fn start_answers(code: &'static str, message: &'static str) -> Rule {
        mock!(aws_sdk_sfn::Client::start_execution)
            .then_http_response(move || error_response(400, code, message))
    }

    fn failure_reported() -> Rule {
        mock!(aws_sdk_codepipeline::Client::put_job_failure_result)
            .then_output(|| PutJobFailureResultOutput::builder().build())
    }

    fn sfn_client(rule: &Rule) -> aws_sdk_sfn::Client {
        mock_client!(aws_sdk_sfn, [rule])
    }

    fn codepipeline_client(rule: &Rule) -> aws_sdk_codepipeline::Client {
        // No SDK retries here: the tests look at what start() does once the SDK has given up.
        mock_client!(
            aws_sdk_codepipeline,
            aws_smithy_mocks::RuleMode::Sequential,
            [rule],
            |config| config.retry_config(RetryConfig::disabled())
        )
    }

    async fn run(start_rule: &Rule, report_rule: &Rule) -> Result<StartOutput, Error> {
        start_requested_at(
            &sfn_client(start_rule),
            &codepipeline_client(report_rule),
            &config(),
            &fixture_job(),
            now(),
        )
        .await
    }

    #[test]
    fn the_execution_name_is_the_job_id_when_valid() {
        assert_eq!(execution_name(JOB_ID), JOB_ID);
    }

    #[test]
    fn an_invalid_job_id_is_sanitised_deterministically_and_kept_distinct() {
        let name = execution_name("job id/with:odd*chars");
        assert!(name.starts_with("job-id-with-odd-chars-"), "{name}");
        assert!(name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_'));
        assert_eq!(name, execution_name("job id/with:odd*chars"));
        assert_ne!(name, execution_name("job-id-with-odd-chars"));
        assert_ne!(name, execution_name("job id/with:odd?chars"));
    }

    #[test]
    fn a_long_job_id_is_cut_to_80_characters() {
        let long = "a".repeat(200);
        let name = execution_name(&long);
        assert_eq!(name.chars().count(), 80);
        assert_ne!(name, execution_name(&"a".repeat(201)));
    }

    #[tokio::test]
    async fn a_new_job_starts_an_execution_named_after_it_with_a_clean_input() {
        let start_rule = mock!(aws_sdk_sfn::Client::start_execution)
            .match_requests(|req| {
                let input = req.input().unwrap_or_default();
                let reply_to: serde_json::Value = serde_json::from_str(input)
                    .map(|input: serde_json::Value| input["replyTo"].clone())
                    .unwrap_or_default();
                req.state_machine_arn() == Some(STATE_MACHINE)
                    && req.name() == Some(JOB_ID)
                    && reply_to == serde_json::json!({"jobId": JOB_ID, "handOverAt": 1_700_000_900})
                    && input.contains("\"userParameters\"")
                    && input.contains("SourceArtifact")
                    && SECRETS.iter().all(|secret| !input.contains(secret))
            })
            .then_output(|| {
                StartExecutionOutput::builder()
                    .execution_arn(EXECUTION)
                    .start_date(DateTime::from_secs(1_700_000_000))
                    .build()
                    .unwrap()
            });
        let report_rule = failure_reported();
        let output = run(&start_rule, &report_rule).await.unwrap();
        assert_eq!(
            output,
            StartOutput {
                job_id: JOB_ID.into(),
                execution_arn: Some(EXECUTION.into()),
                outcome: STARTED.into(),
            }
        );
        assert_eq!(start_rule.num_calls(), 1);
        assert_eq!(report_rule.num_calls(), 0);
    }

    #[tokio::test]
    async fn a_repeated_delivery_refused_as_already_existing_is_already_started() {
        let start_rule = start_fails(|| {
            StartExecutionError::ExecutionAlreadyExists(
                ExecutionAlreadyExists::builder()
                    .message("Execution Already Exists")
                    .build(),
            )
        });
        let report_rule = failure_reported();
        let output = run(&start_rule, &report_rule).await.unwrap();
        assert_eq!(output.outcome, ALREADY_STARTED);
        assert_eq!(output.execution_arn.as_deref(), Some(EXECUTION));
        assert_eq!(
            report_rule.num_calls(),
            0,
            "a duplicate must not be reported"
        );
    }

    #[tokio::test]
    async fn a_repeated_delivery_answered_with_the_running_execution_is_already_started() {
        // Same name and input: Step Functions returns the execution started a minute ago.
        let start_rule = started_at(1_700_000_000 - 60);
        let report_rule = failure_reported();
        let output = run(&start_rule, &report_rule).await.unwrap();
        assert_eq!(output.outcome, ALREADY_STARTED);
        assert_eq!(output.execution_arn.as_deref(), Some(EXECUTION));
        assert_eq!(report_rule.num_calls(), 0);
    }

    #[tokio::test]
    async fn a_start_failure_is_reported_as_job_failed_with_the_reason() {
        let start_rule = start_answers("StateMachineDoesNotExist", "State Machine Does Not Exist");
        let report_rule = mock!(aws_sdk_codepipeline::Client::put_job_failure_result)
            .match_requests(|req| {
                let details = req.failure_details().unwrap();
                req.job_id() == Some(JOB_ID)
                    && details.r#type() == &FailureType::JobFailed
                    && details.message().contains("StateMachineDoesNotExist")
                    && details.message().contains("State Machine Does Not Exist")
                    && details.message().contains(STATE_MACHINE)
            })
            .then_output(|| PutJobFailureResultOutput::builder().build());
        let output = run(&start_rule, &report_rule).await.unwrap();
        assert_eq!(output.outcome, REPORTED_FAILURE);
        assert_eq!(output.execution_arn, None);
        assert_eq!(report_rule.num_calls(), 1);
    }

    #[tokio::test]
    async fn a_refused_input_is_reported_as_a_configuration_error() {
        let start_rule = start_answers("InvalidExecutionInput", "Invalid execution input");
        let report_rule = mock!(aws_sdk_codepipeline::Client::put_job_failure_result)
            .match_requests(|req| {
                req.failure_details().map(|d| d.r#type()) == Some(&FailureType::ConfigurationError)
            })
            .then_output(|| PutJobFailureResultOutput::builder().build());
        let output = run(&start_rule, &report_rule).await.unwrap();
        assert_eq!(output.outcome, REPORTED_FAILURE);
        assert_eq!(report_rule.num_calls(), 1);
    }

    #[tokio::test]
    async fn oversized_user_parameters_are_reported_without_calling_step_functions() {
        let start_rule = started_at(1_700_000_000);
        let report_rule = mock!(aws_sdk_codepipeline::Client::put_job_failure_result)
            .match_requests(|req| {
                let details = req.failure_details().unwrap();
                details.r#type() == &FailureType::ConfigurationError
                    && details.message().contains("UserParameters")
                    && details.message().chars().count() <= 5_000
            })
            .then_output(|| PutJobFailureResultOutput::builder().build());
        let mut job = fixture_job();
        job.user_parameters = "x".repeat(MAX_EXECUTION_INPUT_BYTES);
        let output = start_requested_at(
            &sfn_client(&start_rule),
            &codepipeline_client(&report_rule),
            &config(),
            &job,
            now(),
        )
        .await
        .unwrap();
        assert_eq!(output.outcome, REPORTED_FAILURE);
        assert_eq!(start_rule.num_calls(), 0);
        assert_eq!(report_rule.num_calls(), 1);
    }

    #[tokio::test]
    async fn a_job_closed_before_the_failure_report_still_succeeds() {
        let start_rule = start_answers("StateMachineDoesNotExist", "gone");
        let report_rule = mock!(aws_sdk_codepipeline::Client::put_job_failure_result)
            .then_http_response(|| error_response(400, "JobNotFoundException", "no such job"));
        let output = run(&start_rule, &report_rule).await.unwrap();
        assert_eq!(output.outcome, REPORTED_FAILURE);
        assert_eq!(report_rule.num_calls(), 1);
    }

    #[tokio::test]
    async fn a_throttled_failure_report_is_an_error_for_lambda_to_retry() {
        let start_rule = start_answers("StateMachineDoesNotExist", "gone");
        let report_rule =
            mock!(aws_sdk_codepipeline::Client::put_job_failure_result).then_error(|| {
                PutJobFailureResultError::generic(
                    ErrorMetadata::builder()
                        .code("ThrottlingException")
                        .message("Rate exceeded")
                        .build(),
                )
            });
        let err = run(&start_rule, &report_rule).await.unwrap_err();
        assert_eq!(err.name(), "Transient");
    }

    #[tokio::test]
    async fn a_continuation_job_never_starts_an_execution() {
        let start_rule = started_at(1_700_000_000);
        let send = mock!(aws_sdk_sfn::Client::send_task_success).then_output(|| {
            aws_sdk_sfn::operation::send_task_success::SendTaskSuccessOutput::builder().build()
        });
        let report_rule = failure_reported();
        let sfn = mock_client!(
            aws_sdk_sfn,
            aws_smithy_mocks::RuleMode::MatchAny,
            [&start_rule, &send]
        );
        let mut job = fixture_job();
        job.continuation_token = Some("task-token".into());
        let output = start(&sfn, &codepipeline_client(&report_rule), &config(), &job)
            .await
            .unwrap();
        assert_eq!(output.outcome, crate::continuation::CONTINUED);
        assert_eq!((start_rule.num_calls(), send.num_calls()), (0, 1));
        assert_eq!(report_rule.num_calls(), 0);
    }

    #[test]
    fn the_execution_arn_is_derived_from_the_state_machine_arn() {
        assert_eq!(
            execution_arn(STATE_MACHINE, JOB_ID).as_deref(),
            Some(EXECUTION)
        );
        assert_eq!(execution_arn("not-an-arn", JOB_ID), None);
    }
}
