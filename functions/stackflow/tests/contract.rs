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

#[path = "contract/failures.rs"]
mod failures;
#[path = "contract/hand_over.rs"]
mod hand_over;
#[path = "contract/no_echo.rs"]
mod no_echo;
#[path = "contract/success.rs"]
mod success;

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
    // Valid parameters lead on by mode; the walks here deploy a template.
    if flow.at == "Template to fetch?" {
        flow.choice();
        assert_eq!(flow.at, "Fetch template");
    }
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
    // Events no rule answers read none: the count of resources done for the summary.
    let no_events = mock!(aws_sdk_cloudformation::Client::describe_stack_events).then_output(|| {
        aws_sdk_cloudformation::operation::describe_stack_events::DescribeStackEventsOutput::builder()
            .build()
    });
    let rules: Vec<&Rule> = rules.iter().copied().chain([&no_events]).collect();
    let cfn = client!(aws_sdk_cloudformation, &rules);
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
    let clients = report_result::ReportClients {
        codepipeline: client!(aws_sdk_codepipeline, &[rule]),
        s3: client!(aws_sdk_s3, &[]),
        cloudformation: client!(aws_sdk_cloudformation, &[]),
    };
    let clients = &clients;
    let state = flow.at.clone();
    flow.task(&state, |input: ReportInput| async move {
        report_result::report(clients, &input).await
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
    "Template to fetch?",
    "Fetch template",
    "Deploy stack",
    "Report failure",
    "Deployment failed",
];

const FAILED_AT_CHECK: &[&str] = &[
    "Validate parameters",
    "Template to fetch?",
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
