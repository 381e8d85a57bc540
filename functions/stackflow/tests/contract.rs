//! The contract between the steps (issue 2): each step's output, placed in the execution
//! document where the state machine puts it, deserializes as the next step's input. Every walk
//! starts from a CodePipeline job event, goes through start-deployment's StartExecution, and
//! ends at report-result's call to CodePipeline, each step's real logic against mocked AWS.
//! `flow` moves the data as statemachine/stackflow.asl.json says.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[path = "contract/aws.rs"]
mod aws;
#[path = "contract/flow.rs"]
mod flow;

use std::sync::{Arc, Mutex};

use aws_lambda_events::event::codepipeline_job::CodePipelineJobEvent;
use aws_sdk_cloudformation::operation::create_stack::{CreateStackError, CreateStackOutput};
use aws_sdk_cloudformation::operation::update_stack::{UpdateStackError, UpdateStackOutput};
use aws_sdk_cloudformation::types::ResourceStatus;
use aws_sdk_codepipeline::operation::put_job_failure_result::PutJobFailureResultOutput;
use aws_sdk_codepipeline::operation::put_job_success_result::PutJobSuccessResultOutput;
use aws_sdk_codepipeline::types::FailureType;
use aws_sdk_s3::operation::get_object::GetObjectError;
use aws_sdk_s3::types::error::NoSuchKey;
use aws_sdk_sfn::operation::send_task_success::SendTaskSuccessOutput;
use aws_sdk_sfn::operation::start_execution::StartExecutionOutput;
use aws_smithy_mocks::{mock, Rule};
use aws_smithy_types::DateTime;

use stackflow::aws::client_token::token_for;
use stackflow::clock;
use stackflow::codepipeline::job_event::JobRequest;
use stackflow::contract::{
    CheckInput, DeployInput, ExecutionInput, FetchInput, ReportInput, StackAction, StartOutcome,
    StartOutput,
};
use stackflow::steps::{
    check_stack, deploy_stack, fetch_template, report_result, start_deployment, validate_params,
};

use aws::{client, STACK_ID, STAGING_BUCKET, STATE_MACHINE, TEMPLATE};
use flow::Flow;

/// The fixture of tests/events: the smallest UserParameters.
const JOB_EVENT: &str = include_str!("../../../tests/events/codepipeline-job.json");
/// Every UserParameters key set, and a template configuration file.
const FULL_JOB_EVENT: &str = include_str!("fixtures/codepipeline-job-full.json");
/// The continuation job CodePipeline sends after the deployment replied "in progress" on the job
/// of JOB_EVENT: its `continuationToken` is the one report-result replied with.
const CONTINUATION_JOB_EVENT: &str = include_str!("fixtures/codepipeline-continuation-job.json");
/// UserParameters with a misspelt key.
const INVALID_PARAMS_JOB_EVENT: &str =
    include_str!("fixtures/codepipeline-job-invalid-params.json");

/// The artifact of the fixtures.
const ARTIFACT_BUCKET: &str = "stackflow-local-artifacts";
const ARTIFACT_KEY: &str = "my-pipeline/SourceArti/AbCdEfG";
/// The artifact credentials of the fixtures, which no state may ever see.
const SECRETS: &[&str] = &[
    "ASIAFIXTUREACCESSKEY",
    "fixtureSecretAccessKey/DoNotLog+0123456789abcdef",
    "FixtureSessionToken//////////wEaDoNotLogThisTokenEver0123456789",
];

/// How long start-deployment answers a job before handing it over; longer than the walks.
const HAND_OVER_SECONDS: u32 = 600;

/// Where a mock's request matcher records what the step sent.
type Recorded<T> = Arc<Mutex<Option<T>>>;

fn recorded<T: Clone>(place: &Recorded<T>) -> T {
    place.lock().unwrap().clone().expect("the call was made")
}

/// start-deployment on the job event `event`, with Step Functions answering `sfn_rule`; it must
/// not report the job failed.
async fn entry(event: &str, sfn_rule: &Rule) -> StartOutput {
    let event: CodePipelineJobEvent = serde_json::from_str(event).unwrap();
    let job = JobRequest::from_event(event).unwrap();
    let no_report = mock!(aws_sdk_codepipeline::Client::put_job_failure_result)
        .then_output(|| PutJobFailureResultOutput::builder().build());
    let sfn = client!(aws_sdk_sfn, &[sfn_rule]);
    let codepipeline = client!(aws_sdk_codepipeline, &[&no_report]);
    let entry = start_deployment::EntryConfig {
        state_machine_arn: STATE_MACHINE.to_string(),
        hand_over_seconds: HAND_OVER_SECONDS,
    };
    let output = start_deployment::start(&sfn, &codepipeline, &entry, &job)
        .await
        .unwrap();
    assert_eq!(no_report.num_calls(), 0);
    output
}

/// start-deployment on a job event: the execution it starts, as a walk at its first state.
async fn started(event: &str) -> Flow {
    let job_id = serde_json::from_str::<serde_json::Value>(event).unwrap()["CodePipeline.job"]
        ["id"]
        .as_str()
        .unwrap()
        .to_string();
    let execution_arn =
        format!("arn:aws:states:us-east-1:111111111111:execution:stackflow:{job_id}");
    let sent: Recorded<String> = Arc::default();
    let seen = Arc::clone(&sent);
    let arn = execution_arn.clone();
    let start_execution = mock!(aws_sdk_sfn::Client::start_execution)
        .match_requests(move |req| {
            *seen.lock().unwrap() = req.input().map(str::to_string);
            req.state_machine_arn() == Some(STATE_MACHINE)
        })
        .then_output(move || {
            StartExecutionOutput::builder()
                .execution_arn(&arn)
                .start_date(DateTime::from(std::time::SystemTime::now()))
                .build()
                .unwrap()
        });

    let output = entry(event, &start_execution).await;

    assert_eq!(output.outcome, StartOutcome::Started);
    assert_eq!(
        output.execution_arn.as_deref(),
        Some(execution_arn.as_str())
    );
    let input = recorded(&sent);
    for secret in SECRETS {
        assert!(
            !input.contains(secret),
            "the execution input shows {secret}"
        );
    }
    Flow::start(&execution_arn, &input)
}

/// start-deployment on a continuation job's event: the waiting state of `flow` ends with what
/// SendTaskSuccess carries.
async fn resumed(flow: &mut Flow, event: &str) {
    let sent: Recorded<(String, String)> = Arc::default();
    let seen = Arc::clone(&sent);
    let send_task_success = mock!(aws_sdk_sfn::Client::send_task_success)
        .match_requests(move |req| {
            *seen.lock().unwrap() = Some((
                req.task_token().unwrap_or_default().to_string(),
                req.output().unwrap_or_default().to_string(),
            ));
            true
        })
        .then_output(|| SendTaskSuccessOutput::builder().build());

    let output = entry(event, &send_task_success).await;

    assert_eq!(output.outcome, StartOutcome::Continued);
    let (task_token, result) = recorded(&sent);
    flow.send_task_success(&task_token, &result);
}

/// What the stackflow deployment of these flows allows: the fixtures' artifact bucket and one
/// service role.
fn settings() -> stackflow::settings::ValidateSettings {
    stackflow::settings::ValidateSettings {
        roles: stackflow::settings::ServiceRoles::parse("arn:aws:iam::111111111111:role/deployer")
            .unwrap(),
        artifact_store: stackflow::settings::ArtifactStore {
            bucket: "stackflow-local-artifacts".to_string(),
            key_arn: None,
        },
    }
}

/// Validate parameters at `now`.
async fn validate(flow: &mut Flow, now: i64) {
    flow.task("Validate parameters", |input: ExecutionInput| async move {
        validate_params::validate(&input, &settings(), now)
    })
    .await;
}

/// Fetch template, with the artifact answering `get`.
async fn fetch_with(flow: &mut Flow, get: &Rule) {
    let put = aws::staged(&flow.staged);
    let s3 = client!(aws_sdk_s3, &[get, &put]);
    let s3 = &s3;
    flow.task("Fetch template", |input: FetchInput| async move {
        fetch_template::fetch_template(s3, STAGING_BUCKET, aws::REGION, &input).await
    })
    .await;
}

/// Fetch template from an artifact holding `entries`.
async fn fetch(flow: &mut Flow, entries: &[(&str, &str)]) {
    let get = aws::artifact(ARTIFACT_BUCKET, ARTIFACT_KEY, aws::zip_of(entries));
    fetch_with(flow, &get).await;
}

/// Deploy stack at `now` against CloudFormation answering from `rules`.
/// (With what Fetch template staged in the staging bucket.)
async fn deploy(flow: &mut Flow, now: i64, rules: &[&Rule]) {
    let cfn = client!(aws_sdk_cloudformation, rules);
    let s3 = client!(aws_sdk_s3, &[&aws::staging(&flow.staged)]);
    let (cfn, s3) = (&cfn, &s3);
    flow.task("Deploy stack", |input: DeployInput| async move {
        deploy_stack::deploy(cfn, s3, &settings().roles, &input, now).await
    })
    .await;
}

/// Check stack at `now` against CloudFormation answering from `rules` (with what Fetch template
/// staged in the staging bucket).
async fn check(flow: &mut Flow, now: i64, rules: &[&Rule]) {
    let cfn = client!(aws_sdk_cloudformation, rules);
    let s3 = client!(aws_sdk_s3, &[&aws::staging(&flow.staged)]);
    let (cfn, s3) = (&cfn, &s3);
    flow.task("Check stack", |input: CheckInput| async move {
        check_stack::check(cfn, s3, &input, now).await
    })
    .await;
}

/// Report success or Report failure (the current state) to CodePipeline answering `rule`;
/// asserts that the call matched it.
async fn report(flow: &mut Flow, rule: &Rule) {
    let codepipeline = client!(aws_sdk_codepipeline, &[rule]);
    let codepipeline = &codepipeline;
    let state = flow.at.clone();
    flow.task(&state, |input: ReportInput| async move {
        report_result::report(codepipeline, &input).await
    })
    .await;
    assert_eq!(rule.num_calls(), 1, "CodePipeline was not told as expected");
}

/// PutJobFailureResult for `job_id` with exactly this type and message, naming the execution.
fn failure_reported(job_id: &'static str, kind: FailureType, message: String) -> Rule {
    mock!(aws_sdk_codepipeline::Client::put_job_failure_result)
        .match_requests(move |req| {
            let details = req.failure_details().unwrap();
            req.job_id() == Some(job_id)
                && details.r#type() == &kind
                && details.message() == message
                && details
                    .external_execution_id()
                    .is_some_and(|id| id.ends_with(job_id))
        })
        .then_output(|| PutJobFailureResultOutput::builder().build())
}

/// The walk ended at Deployment failed, with report-result's answer in the document.
fn assert_failed(flow: &Flow, visited: &[&str]) {
    assert_eq!(flow.visited, visited);
    assert_eq!(flow.end(), "Fail");
    assert_eq!(flow.doc["report"]["reported"], "Failed", "{:#}", flow.doc);
}

const JOB: &str = "11111111-abcd-1111-abcd-111111abcdef";

/// The walk of a deployment whose first check of the stack fails.
/// The states of a deployment whose Deploy stack failed.
const FAILED_AT_DEPLOY: &[&str] = &[
    "Validate parameters",
    "Fetch template",
    "Deploy stack",
    "Report failure",
    "Deployment failed",
];

const FAILED_AT_CHECK: &[&str] = &[
    "Validate parameters",
    "Fetch template",
    "Deploy stack",
    "Stack operation started?",
    "Wait for stack",
    "Check stack",
    "Report failure",
    "Deployment failed",
];

/// The walk of JOB_EVENT up to its first check: its stack created and waited for.
async fn creating() -> Flow {
    let now = clock::now_unix();
    let mut flow = started(JOB_EVENT).await;
    validate(&mut flow, now).await;
    fetch(&mut flow, &[("template.yaml", TEMPLATE)]).await;
    let create = mock!(aws_sdk_cloudformation::Client::create_stack)
        .then_output(|| CreateStackOutput::builder().stack_id(STACK_ID).build());
    deploy(&mut flow, now, &[&aws::no_stack(), &create]).await;
    flow.choice();
    flow.wait();
    flow
}

#[tokio::test]
async fn a_new_stack_is_created_polled_and_reported_with_its_outputs() {
    const FULL_JOB: &str = "22222222-abcd-2222-abcd-222222abcdef";
    let now = clock::now_unix();
    let mut flow = started(FULL_JOB_EVENT).await;

    validate(&mut flow, now).await;
    assert_eq!(flow.doc["params"]["deadline"], now + 30 * 60);

    let configuration = r#"{"Parameters":{"Env":"staging","Size":"2"},"Tags":{"cost":"a"}}"#;
    fetch(
        &mut flow,
        &[
            ("infra/template.yaml", TEMPLATE),
            ("infra/prod.json", configuration),
        ],
    )
    .await;

    // What UserParameters and the configuration file say reaches CreateStack.
    let template_url = format!(
        "https://{STAGING_BUCKET}.s3.us-east-1.amazonaws.com/stackflow/{FULL_JOB}/template.yaml"
    );
    let create = mock!(aws_sdk_cloudformation::Client::create_stack)
        .match_requests(move |req| {
            let parameters: Vec<_> = req
                .parameters()
                .iter()
                .map(|p| (p.parameter_key().unwrap(), p.parameter_value().unwrap()))
                .collect();
            let tags: Vec<_> = req
                .tags()
                .iter()
                .map(|t| (t.key().unwrap(), t.value().unwrap()))
                .collect();
            req.stack_name() == Some("my-stack")
                && req.template_url() == Some(template_url.as_str())
                && parameters == [("Env", "prod"), ("Size", "2")]
                && req
                    .capabilities()
                    .iter()
                    .map(|c| c.as_str())
                    .eq(["CAPABILITY_IAM"])
                && tags == [("cost", "a"), ("team", "payments")]
                && req.client_request_token() == token_for(StackAction::Create, FULL_JOB).as_deref()
        })
        .then_output(|| CreateStackOutput::builder().stack_id(STACK_ID).build());
    deploy(&mut flow, now, &[&aws::no_stack(), &create]).await;
    assert_eq!(create.num_calls(), 1);

    flow.choice();
    assert_eq!(flow.wait(), 10);
    let describe = aws::described(&["CREATE_IN_PROGRESS", "CREATE_COMPLETE"]);
    check(&mut flow, now, &[&describe]).await;
    flow.choice();
    assert_eq!(flow.wait(), 10);
    check(&mut flow, now, &[&describe]).await;
    flow.choice();

    let success = mock!(aws_sdk_codepipeline::Client::put_job_success_result)
        .match_requests(|req| {
            let details = req.execution_details().unwrap();
            let variables = req.output_variables().unwrap();
            req.job_id() == Some(FULL_JOB)
                && details.summary() == Some("Stack my-stack: CREATE_COMPLETE")
                && details
                    .external_execution_id()
                    .is_some_and(|id| id.ends_with(FULL_JOB))
                && variables.len() == 2
                && variables["QueueUrl"]
                    == "https://sqs.us-east-1.amazonaws.com/111111111111/orders"
                && variables["QueueArn"] == "arn:aws:sqs:us-east-1:111111111111:orders"
        })
        .then_output(|| PutJobSuccessResultOutput::builder().build());
    report(&mut flow, &success).await;

    assert_eq!(
        flow.visited,
        [
            "Validate parameters",
            "Fetch template",
            "Deploy stack",
            "Stack operation started?",
            "Wait for stack",
            "Check stack",
            "Stack settled?",
            "Wait for stack",
            "Check stack",
            "Stack settled?",
            "Report success",
            "Deployed",
        ]
    );
    assert_eq!(flow.end(), "Succeed");
    assert_eq!(flow.doc["report"]["reported"], "Succeeded");
    let history = flow.doc.to_string();
    for secret in SECRETS {
        assert!(
            !history.contains(secret),
            "the execution document shows {secret}"
        );
    }
    assert!(
        !history.contains("AWS::SQS::Queue"),
        "a template body rode along"
    );
}

#[tokio::test]
async fn a_stack_that_already_matches_is_reported_as_no_changes() {
    let now = clock::now_unix();
    let mut flow = started(JOB_EVENT).await;
    validate(&mut flow, now).await;
    fetch(&mut flow, &[("template.yaml", TEMPLATE)]).await;

    let update = mock!(aws_sdk_cloudformation::Client::update_stack).then_error(|| {
        UpdateStackError::generic(aws::cfn_error(
            "ValidationError",
            "No updates are to be performed.",
        ))
    });
    let someone_elses = aws::events(vec![aws::event(
        "Console-UpdateStack-1",
        "my-stack",
        "AWS::CloudFormation::Stack",
        ResourceStatus::UpdateComplete,
        "",
    )]);
    deploy(
        &mut flow,
        now,
        &[
            &aws::described(&["UPDATE_COMPLETE"]),
            &someone_elses,
            &update,
        ],
    )
    .await;
    flow.choice();

    let success = mock!(aws_sdk_codepipeline::Client::put_job_success_result)
        .match_requests(|req| {
            let details = req.execution_details().unwrap();
            req.job_id() == Some(JOB)
                && details.summary() == Some("Stack my-stack: no changes")
                && req.output_variables().is_some_and(|v| v.len() == 2)
        })
        .then_output(|| PutJobSuccessResultOutput::builder().build());
    report(&mut flow, &success).await;

    assert_eq!(
        flow.visited,
        [
            "Validate parameters",
            "Fetch template",
            "Deploy stack",
            "Stack operation started?",
            "Report success",
            "Deployed",
        ]
    );
    assert_eq!(flow.end(), "Succeed");
}

#[tokio::test]
async fn invalid_user_parameters_are_reported_as_a_configuration_error() {
    const INVALID_JOB: &str = "33333333-abcd-3333-abcd-333333abcdef";
    let now = clock::now_unix();
    let mut flow = started(INVALID_PARAMS_JOB_EVENT).await;
    validate(&mut flow, now).await;
    assert_eq!(flow.doc["error"]["Error"], "InvalidParameters");

    let message = "UserParameters: unknown key `template`; the accepted keys are: stack, \
                   artifact, file, config, parameters, capabilities, roleArn, tags, \
                   replaceOnFailure, pollSeconds, timeoutMinutes";
    report(
        &mut flow,
        &failure_reported(INVALID_JOB, FailureType::ConfigurationError, message.into()),
    )
    .await;

    assert_failed(
        &flow,
        &["Validate parameters", "Report failure", "Deployment failed"],
    );
}

#[tokio::test]
async fn a_missing_artifact_is_reported_as_a_configuration_error() {
    let now = clock::now_unix();
    let mut flow = started(JOB_EVENT).await;
    validate(&mut flow, now).await;
    let missing = mock!(aws_sdk_s3::Client::get_object)
        .then_error(|| GetObjectError::NoSuchKey(NoSuchKey::builder().build()));
    fetch_with(&mut flow, &missing).await;

    let message = format!(
        "artifact `SourceArtifact` is not in S3: s3://{ARTIFACT_BUCKET}/{ARTIFACT_KEY} (NoSuchKey)"
    );
    report(
        &mut flow,
        &failure_reported(JOB, FailureType::ConfigurationError, message),
    )
    .await;

    assert_failed(
        &flow,
        &[
            "Validate parameters",
            "Fetch template",
            "Report failure",
            "Deployment failed",
        ],
    );
}

#[tokio::test]
async fn a_template_cloudformation_rejects_is_reported_as_a_configuration_error() {
    let now = clock::now_unix();
    let mut flow = started(JOB_EVENT).await;
    validate(&mut flow, now).await;
    fetch(&mut flow, &[("template.yaml", TEMPLATE)]).await;
    let rejected = mock!(aws_sdk_cloudformation::Client::create_stack).then_error(|| {
        CreateStackError::generic(aws::cfn_error(
            "ValidationError",
            "Template format error: Unresolved resource dependencies [Bucket] in the Resources block of the template",
        ))
    });
    deploy(&mut flow, now, &[&aws::no_stack(), &rejected]).await;

    let message = "CloudFormation rejected the template for stack my-stack: Template format \
                   error: Unresolved resource dependencies [Bucket] in the Resources block of \
                   the template";
    report(
        &mut flow,
        &failure_reported(JOB, FailureType::ConfigurationError, message.into()),
    )
    .await;

    assert_failed(&flow, FAILED_AT_DEPLOY);
}

#[tokio::test]
async fn a_rolled_back_update_is_reported_with_its_first_failed_resource() {
    let now = clock::now_unix();
    let mut flow = started(JOB_EVENT).await;
    validate(&mut flow, now).await;
    fetch(&mut flow, &[("template.yaml", TEMPLATE)]).await;

    let someone_elses = aws::events(vec![aws::event(
        "Console-UpdateStack-1",
        "my-stack",
        "AWS::CloudFormation::Stack",
        ResourceStatus::UpdateComplete,
        "",
    )]);
    let update = mock!(aws_sdk_cloudformation::Client::update_stack)
        .then_output(|| UpdateStackOutput::builder().stack_id(STACK_ID).build());
    deploy(
        &mut flow,
        now,
        &[
            &aws::described(&["UPDATE_COMPLETE"]),
            &someone_elses,
            &update,
        ],
    )
    .await;
    flow.choice();
    flow.wait();

    // Newest first: the rollback, then the cause, then what led to it.
    let ours = token_for(StackAction::Update, JOB).unwrap();
    let stack_kind = "AWS::CloudFormation::Stack";
    let our_events = aws::events(vec![
        aws::event(
            &ours,
            "my-stack",
            stack_kind,
            ResourceStatus::UpdateRollbackComplete,
            "",
        ),
        aws::event(
            &ours,
            "my-stack",
            stack_kind,
            ResourceStatus::UpdateRollbackInProgress,
            "The following resource(s) failed to update: [Queue].",
        ),
        aws::event(
            &ours,
            "Queue",
            "AWS::SQS::Queue",
            ResourceStatus::UpdateFailed,
            "Invalid value for MessageRetentionPeriod",
        ),
        aws::event(
            &ours,
            "my-stack",
            stack_kind,
            ResourceStatus::UpdateInProgress,
            "User Initiated",
        ),
    ]);
    check(
        &mut flow,
        now,
        &[&aws::described(&["UPDATE_ROLLBACK_COMPLETE"]), &our_events],
    )
    .await;

    let message = "UPDATE_ROLLBACK_COMPLETE: Queue (AWS::SQS::Queue) UPDATE_FAILED: Invalid \
                   value for MessageRetentionPeriod";
    report(
        &mut flow,
        &failure_reported(JOB, FailureType::JobFailed, message.into()),
    )
    .await;

    assert_failed(&flow, FAILED_AT_CHECK);
}

#[tokio::test]
async fn a_stack_still_busy_at_the_deadline_is_reported_as_timed_out() {
    let mut flow = creating().await;

    let past_the_deadline = flow.doc["params"]["deadline"].as_i64().unwrap() + 1;
    // Our create is still running one resource.
    let ours = format!("stackflow-create-{JOB}");
    let events = aws::events(vec![
        aws::event(
            &ours,
            "Db",
            "AWS::RDS::DBInstance",
            ResourceStatus::CreateInProgress,
            "",
        ),
        aws::event(
            &ours,
            "my-stack",
            "AWS::CloudFormation::Stack",
            ResourceStatus::CreateInProgress,
            "User Initiated",
        ),
    ]);
    check(
        &mut flow,
        past_the_deadline,
        &[&aws::described(&["CREATE_IN_PROGRESS"]), &events],
    )
    .await;

    let message = format!(
        "stack my-stack did not settle within timeoutMinutes (60 minutes): it is still in \
         CREATE_IN_PROGRESS. The operation in progress is this deployment's own \
         (ClientRequestToken {ours}). Still in progress: Db (AWS::RDS::DBInstance). \
         CloudFormation carries on with the operation; stackflow only stopped waiting for it. \
         Next: watch the stack in the CloudFormation console; once it has settled, run the \
         stage again (an unchanged template then succeeds with \"no changes\", a failed one \
         names its first failed resource). If this stack's operations take longer, raise \
         \"timeoutMinutes\" in the action's UserParameters."
    );
    report(
        &mut flow,
        &failure_reported(JOB, FailureType::JobFailed, message),
    )
    .await;

    assert_failed(&flow, FAILED_AT_CHECK);
}

#[tokio::test]
async fn a_long_deployment_is_handed_over_to_a_continuation_job_and_reported_on_it() {
    const NEXT_JOB: &str = "44444444-abcd-4444-abcd-444444abcdef";
    let mut flow = creating().await;

    // The job's reply deadline comes while the stack is still being created.
    let hand_over_at = flow.doc["replyTo"]["handOverAt"].as_i64().unwrap();
    let describe = aws::described(&["CREATE_IN_PROGRESS", "CREATE_COMPLETE"]);
    check(&mut flow, hand_over_at, &[&describe]).await;
    flow.choice();

    // report-result replies "in progress"; CodePipeline's continuation job brings the token back.
    let continuation: serde_json::Value = serde_json::from_str(CONTINUATION_JOB_EVENT).unwrap();
    let token = continuation["CodePipeline.job"]["data"]["continuationToken"]
        .as_str()
        .unwrap()
        .to_string();
    let in_progress = mock!(aws_sdk_codepipeline::Client::put_job_success_result)
        .match_requests(move |req| {
            req.job_id() == Some(JOB)
                && req.continuation_token() == Some(token.as_str())
                && req.output_variables().is_none()
        })
        .then_output(|| PutJobSuccessResultOutput::builder().build());
    report(&mut flow, &in_progress).await;
    resumed(&mut flow, CONTINUATION_JOB_EVENT).await;
    assert_eq!(flow.doc["replyTo"]["jobId"], NEXT_JOB);

    flow.wait();
    check(&mut flow, hand_over_at, &[&describe]).await;
    flow.choice();
    let success = mock!(aws_sdk_codepipeline::Client::put_job_success_result)
        .match_requests(|req| {
            req.job_id() == Some(NEXT_JOB)
                && req.continuation_token().is_none()
                && req.output_variables().is_some_and(|v| v.len() == 2)
        })
        .then_output(|| PutJobSuccessResultOutput::builder().build());
    report(&mut flow, &success).await;

    assert_eq!(
        flow.visited,
        [
            "Validate parameters",
            "Fetch template",
            "Deploy stack",
            "Stack operation started?",
            "Wait for stack",
            "Check stack",
            "Stack settled?",
            "Hand over to the next job",
            "Wait for stack",
            "Check stack",
            "Stack settled?",
            "Report success",
            "Deployed",
        ]
    );
    assert_eq!(flow.end(), "Succeed");
    // Everything the deployment does is still named after the job that started it.
    assert_eq!(flow.doc["jobId"], JOB);
}

/// A template declaring `DbPassword` NoEcho, with an Output that shows it (CloudFormation does
/// not mask Outputs).
const NO_ECHO_TEMPLATE: &str = "Parameters:\n  DbPassword:\n    Type: String\n    NoEcho: true\n  \
    Env:\n    Type: String\n  Size:\n    Type: String\nResources:\n  Queue:\n    Type: AWS::SQS::Queue\n\
    Outputs:\n  Dsn:\n    Value: !Sub 'postgres://admin:${DbPassword}@db'\n";

/// The NoEcho value the configuration file gives.
const DB_PASSWORD: &str = "pw-in-config-0c41e7";

/// FULL_JOB_EVENT's deployment, its configuration file giving the NoEcho `DbPassword`, up to
/// Deploy stack, whose CreateStack gets the value from the staging bucket.
async fn deploying_a_no_echo_value(create: &Rule) -> Flow {
    let now = clock::now_unix();
    let mut flow = started(FULL_JOB_EVENT).await;
    validate(&mut flow, now).await;
    let configuration =
        format!(r#"{{"Parameters":{{"DbPassword":"{DB_PASSWORD}","Env":"staging","Size":"2"}}}}"#);
    fetch(
        &mut flow,
        &[
            ("infra/template.yaml", NO_ECHO_TEMPLATE),
            ("infra/prod.json", &configuration),
        ],
    )
    .await;
    assert_eq!(
        flow.doc["template"]["noEcho"],
        serde_json::json!(["DbPassword"])
    );
    deploy(&mut flow, now, &[&aws::no_stack(), create]).await;
    flow
}

/// Whether CreateStack got every parameter value, the NoEcho one included.
fn create_with_every_value(
) -> impl Fn(&aws_sdk_cloudformation::operation::create_stack::CreateStackInput) -> bool {
    |req| {
        let parameters: Vec<_> = req
            .parameters()
            .iter()
            .map(|p| (p.parameter_key().unwrap(), p.parameter_value().unwrap()))
            .collect();
        parameters == [("DbPassword", DB_PASSWORD), ("Env", "prod"), ("Size", "2")]
    }
}

/// Asserts that `secret` is in no state's input or output, nor in the execution document.
fn assert_in_no_state(flow: &Flow, secret: &str) {
    for (n, entry) in flow.history.iter().enumerate() {
        assert!(
            !entry.to_string().contains(secret),
            "history entry {n} shows the NoEcho value: {entry:#}"
        );
    }
    assert!(!flow.doc.to_string().contains(secret), "{:#}", flow.doc);
}

#[tokio::test]
async fn a_no_echo_value_of_the_configuration_file_is_in_no_state_and_no_output_variable() {
    const FULL_JOB: &str = "22222222-abcd-2222-abcd-222222abcdef";
    let create = mock!(aws_sdk_cloudformation::Client::create_stack)
        .match_requests(create_with_every_value())
        .then_output(|| CreateStackOutput::builder().stack_id(STACK_ID).build());
    let mut flow = deploying_a_no_echo_value(&create).await;
    assert_eq!(create.num_calls(), 1);
    flow.choice();
    flow.wait();

    // CloudFormation shows the Output as it is.
    let finished = mock!(aws_sdk_cloudformation::Client::describe_stacks).then_output(|| {
        let mut stack = aws::stack("CREATE_COMPLETE");
        stack.outputs.get_or_insert_with(Vec::new).push(
            aws_sdk_cloudformation::types::Output::builder()
                .output_key("Dsn")
                .output_value(format!("postgres://admin:{DB_PASSWORD}@db"))
                .build(),
        );
        aws_sdk_cloudformation::operation::describe_stacks::DescribeStacksOutput::builder()
            .stacks(stack)
            .build()
    });
    check(&mut flow, clock::now_unix(), &[&finished]).await;
    flow.choice();
    let success = mock!(aws_sdk_codepipeline::Client::put_job_success_result)
        .match_requests(|req| {
            let variables = req.output_variables().unwrap();
            req.job_id() == Some(FULL_JOB)
                && variables["Dsn"] == "****"
                && variables["QueueArn"] == "arn:aws:sqs:us-east-1:111111111111:orders"
        })
        .then_output(|| PutJobSuccessResultOutput::builder().build());
    report(&mut flow, &success).await;

    assert_eq!(flow.end(), "Succeed");
    assert_in_no_state(&flow, DB_PASSWORD);
    // It is in the staging bucket, where Deploy stack read it.
    let staged = flow.staged.lock().unwrap();
    let values = &staged[&format!("stackflow/{FULL_JOB}/staged/parameters.json")];
    assert!(String::from_utf8_lossy(values).contains(DB_PASSWORD));
}

#[tokio::test]
async fn a_no_echo_value_cloudformation_quotes_is_masked_in_the_failure_report() {
    const FULL_JOB: &str = "22222222-abcd-2222-abcd-222222abcdef";
    let rejected = mock!(aws_sdk_cloudformation::Client::create_stack)
        .match_requests(create_with_every_value())
        .then_error(|| {
            CreateStackError::generic(aws::cfn_error(
                "ValidationError",
                &format!(
                    "Parameter DbPassword failed to satisfy constraint: {DB_PASSWORD} is too short"
                ),
            ))
        });
    let mut flow = deploying_a_no_echo_value(&rejected).await;
    assert_eq!(rejected.num_calls(), 1);

    let message = "CloudFormation rejected the template for stack my-stack: Parameter DbPassword \
                   failed to satisfy constraint: **** is too short";
    report(
        &mut flow,
        &failure_reported(FULL_JOB, FailureType::ConfigurationError, message.into()),
    )
    .await;

    assert_failed(&flow, FAILED_AT_DEPLOY);
    assert_in_no_state(&flow, DB_PASSWORD);
}
