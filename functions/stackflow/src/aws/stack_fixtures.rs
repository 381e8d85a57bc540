//! Test fixtures shared by the DeployStack and CheckStack tests: inputs, stacks, events, and a
//! mocked CloudFormation client.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeMap;

use aws_sdk_cloudformation::operation::describe_stack_events::DescribeStackEventsOutput;
use aws_sdk_cloudformation::operation::describe_stacks::{
    DescribeStacksError, DescribeStacksOutput,
};
use aws_sdk_cloudformation::types::{
    Change, ChangeAction, Output, Replacement, ResourceChange, ResourceStatus, Stack, StackEvent,
    StackStatus,
};
use aws_sdk_cloudformation::Client;
use aws_smithy_mocks::{mock, mock_client, Rule, RuleMode};
use aws_smithy_types::error::ErrorMetadata;
use aws_smithy_types::retry::RetryConfig;

use crate::contract::{
    ArtifactLocation, Capability, CheckInput, DeployInput, DeploymentParams, Mode, StackAction,
    StackProgress, StagedTemplate, TemplateSource,
};

pub const JOB: &str = "0f2c7a54-1b9e-4c53-9d1a-6e2f0c8b7a11";
pub const STACK: &str = "app";
pub const STACK_ID: &str =
    "arn:aws:cloudformation:eu-west-1:123456789012:stack/app/5b1d0a70-1111-2222-3333-444455556666";
pub const TEMPLATE_URL: &str = "https://staging.s3.eu-west-1.amazonaws.com/0f2c7a54/template.yaml";
pub const ROLE_ARN: &str = "arn:aws:iam::123456789012:role/cfn-deployer";
pub const POLICY: &str =
    r#"{"Statement":[{"Effect":"Allow","Action":"Update:*","Principal":"*","Resource":"*"}]}"#;
/// A deadline far after `NOW`.
pub const DEADLINE: i64 = 1_700_003_600;
pub const NOW: i64 = 1_700_000_000;
/// When the operation the checks watch started: 100 s before `NOW`.
pub const STARTED_AT: i64 = NOW - 100;

pub fn params() -> DeploymentParams {
    DeploymentParams {
        mode: Mode::Deploy,
        stack: STACK.to_string(),
        source: Some(TemplateSource {
            artifact: ArtifactLocation {
                name: "BuildOutput".to_string(),
                bucket: "artifacts".to_string(),
                key: "pipeline/BuildOutput/abc.zip".to_string(),
                revision: None,
            },
            file: "template.yaml".to_string(),
            config: None,
            param_artifacts: Vec::new(),
        }),
        change_set_name: None,
        parameter_names: Vec::new(),
        capabilities: vec![Capability::CapabilityIam, Capability::CapabilityAutoExpand],
        role_arn: Some(ROLE_ARN.to_string()),
        tags: BTreeMap::new(),
        replace_on_failure: false,
        poll_seconds: 15,
        timeout_minutes: 60,
        deadline: DEADLINE,
        output: None,
        options: Default::default(),
    }
}

/// Where `staged_template()` says the parameter values are.
pub const STAGED_KEY: &str = "stackflow/0f2c7a54/staged/parameters.json";
/// The staged parameter values of `staged_template()`.
pub const STAGED_PARAMETERS: &str = r#"{"parameters":{"Env":"prod","QueueName":"orders"}}"#;

pub fn staged_template() -> StagedTemplate {
    StagedTemplate {
        template_url: TEMPLATE_URL.to_string(),
        bucket: "staging".to_string(),
        key: "0f2c7a54/template.yaml".to_string(),
        size: 1234,
        parameters_key: STAGED_KEY.to_string(),
        parameter_names: vec!["Env".to_string(), "QueueName".to_string()],
        no_echo: Vec::new(),
        tags: BTreeMap::from([("team".to_string(), "payments".to_string())]),
        stack_policy_body: Some(POLICY.to_string()),
    }
}

pub fn deploy_input() -> DeployInput {
    DeployInput {
        job_id: JOB.to_string(),
        params: params(),
        template: Some(staged_template()),
        current_job: None,
    }
}

/// CheckStack's input after DeployStack answered `action` with this job's token.
pub fn check_input(action: StackAction, token: Option<String>) -> CheckInput {
    CheckInput {
        job_id: JOB.to_string(),
        params: params(),
        template: Some(staged_template()),
        stack: StackProgress {
            stack_name: STACK.to_string(),
            stack_id: Some(STACK_ID.to_string()),
            action,
            next: crate::contract::Next::Wait,
            status: None,
            client_request_token: token,
            outputs: BTreeMap::new(),
            started_at: Some(STARTED_AT),
            wait_seconds: 15,
            change_set: None,
            tally: Default::default(),
        },
        current_job: None,
    }
}

pub fn stack(status: &str) -> Stack {
    Stack::builder()
        .stack_id(STACK_ID)
        .stack_name(STACK)
        .stack_status(StackStatus::from(status))
        .outputs(
            Output::builder()
                .output_key("QueueUrl")
                .output_value("https://sqs/orders")
                .build(),
        )
        .outputs(
            Output::builder()
                .output_key("QueueArn")
                .output_value("arn:aws:sqs:orders")
                .build(),
        )
        .build()
}

pub fn described(stack: Stack) -> DescribeStacksOutput {
    DescribeStacksOutput::builder().stacks(stack).build()
}

/// DescribeStacks always answering with the stack in `status`.
pub fn describe_rule(status: &'static str) -> Rule {
    mock!(Client::describe_stacks).then_output(move || described(stack(status)))
}

pub fn service_error(code: &str, message: &str) -> ErrorMetadata {
    ErrorMetadata::builder().code(code).message(message).build()
}

/// DescribeStacks saying the stack does not exist.
pub fn absent_rule() -> Rule {
    mock!(Client::describe_stacks).then_error(|| {
        DescribeStacksError::generic(service_error(
            "ValidationError",
            "Stack with id app does not exist",
        ))
    })
}

pub fn event(
    token: Option<&str>,
    logical: &str,
    kind: &str,
    status: ResourceStatus,
    reason: &str,
) -> StackEvent {
    StackEvent::builder()
        .stack_id(STACK_ID)
        .stack_name(STACK)
        .set_client_request_token(token.map(str::to_string))
        .logical_resource_id(logical)
        .resource_type(kind)
        .resource_status(status)
        .resource_status_reason(reason)
        .build()
}

/// A change set's change of queue `logical`, as DescribeChangeSet lists it.
pub fn queue_change(
    action: ChangeAction,
    logical: &str,
    replacement: Option<Replacement>,
) -> Change {
    Change::builder()
        .resource_change(
            ResourceChange::builder()
                .action(action)
                .logical_resource_id(logical)
                .resource_type("AWS::SQS::Queue")
                .set_replacement(replacement)
                .build(),
        )
        .build()
}

/// DescribeStackEvents answering with `events` (newest first), one page.
pub fn events_rule(events: Vec<StackEvent>) -> Rule {
    mock!(Client::describe_stack_events).then_output(move || {
        DescribeStackEventsOutput::builder()
            .set_stack_events(Some(events.clone()))
            .build()
    })
}

/// A stack whose newest event is someone else's (a console update, say).
pub fn foreign_events_rule() -> Rule {
    events_rule(vec![event(
        Some("Console-UpdateStack-1234"),
        STACK,
        "AWS::CloudFormation::Stack",
        ResourceStatus::UpdateComplete,
        "",
    )])
}

/// A client answering from `rules` in any order; the SDK's own retries are off so an error
/// reaches the code under test at once. DescribeStackEvents that no rule answers reads no
/// events: the count of resources done for the summary, which most tests do not look at.
pub fn client(rules: &[&Rule]) -> Client {
    let no_events = events_rule(Vec::new());
    let rules: Vec<&Rule> = rules.iter().copied().chain([&no_events]).collect();
    mock_client!(aws_sdk_cloudformation, RuleMode::MatchAny, &rules, |c| c
        .retry_config(RetryConfig::disabled()))
}

/// GetObject of the staged parameter values in the staging bucket, answering `body`.
pub fn staged_rule(body: &'static str) -> Rule {
    mock!(aws_sdk_s3::Client::get_object)
        .match_requests(|req| req.bucket() == Some("staging") && req.key() == Some(STAGED_KEY))
        .then_output(move || {
            aws_sdk_s3::operation::get_object::GetObjectOutput::builder()
                .content_length(body.len() as i64)
                .body(aws_sdk_s3::primitives::ByteStream::from_static(
                    body.as_bytes(),
                ))
                .build()
        })
}

/// An S3 client answering from `rules`, without retries.
pub fn s3_client(rules: &[&Rule]) -> aws_sdk_s3::Client {
    mock_client!(aws_sdk_s3, RuleMode::MatchAny, rules, |c| c
        .retry_config(RetryConfig::disabled()))
}

/// The staging bucket holding the values of `staged_template()`.
pub fn staging() -> aws_sdk_s3::Client {
    s3_client(&[&staged_rule(STAGED_PARAMETERS)])
}

/// The service roles a stackflow deployment of these tests allows: the fixtures' role first.
pub fn service_roles() -> crate::settings::ServiceRoles {
    crate::settings::ServiceRoles::parse(&format!(
        "{ROLE_ARN},arn:aws:iam::123456789012:role/other"
    ))
    .unwrap()
}

/// A NoEcho parameter value that must never reach state, a log or a message.
pub const SECRET: &str = "pw-3f9c1d77";
