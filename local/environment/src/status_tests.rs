#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;

use aws_sdk_cloudformation::config::retry::RetryConfig;
use aws_sdk_cloudformation::error::ErrorMetadata;
use aws_sdk_cloudformation::operation::describe_stacks::{
    DescribeStacksError, DescribeStacksOutput,
};
use aws_sdk_cloudformation::operation::list_stacks::ListStacksOutput;
use aws_sdk_cloudformation::types::{Stack, StackStatus, StackSummary};
use aws_smithy_mocks::{mock, mock_client, Rule, RuleMode};

use super::*;

fn cfn(rules: &[&Rule]) -> aws_sdk_cloudformation::Client {
    mock_client!(aws_sdk_cloudformation, RuleMode::MatchAny, rules, |c| c
        .retry_config(RetryConfig::disabled()))
}

async fn printed(rules: &[&Rule]) -> String {
    let mut out = Vec::new();
    print_stacks(&cfn(rules), Path::new("/home/logs/moto.log"), &mut out).await;
    String::from_utf8(out).unwrap()
}

fn summary(name: &str, status: StackStatus) -> StackSummary {
    StackSummary::builder()
        .stack_name(name)
        .stack_status(status)
        .creation_time(aws_sdk_cloudformation::primitives::DateTime::from_secs(0))
        .build()
}

#[tokio::test]
async fn every_stack_is_listed_with_its_status() {
    let describe = mock!(aws_sdk_cloudformation::Client::describe_stacks).then_output(|| {
        let stack = Stack::builder()
            .stack_name("app")
            .stack_status(StackStatus::CreateComplete)
            .creation_time(aws_sdk_cloudformation::primitives::DateTime::from_secs(0))
            .build();
        DescribeStacksOutput::builder().stacks(stack).build()
    });
    assert_eq!(
        printed(&[&describe]).await,
        "  stacks:\n    app CREATE_COMPLETE\n"
    );
}

#[tokio::test]
async fn when_moto_cannot_describe_them_the_stacks_are_listed_and_its_log_named() {
    let describe = mock!(aws_sdk_cloudformation::Client::describe_stacks).then_error(|| {
        DescribeStacksError::generic(ErrorMetadata::builder().code("InternalFailure").build())
    });
    let list = mock!(aws_sdk_cloudformation::Client::list_stacks).then_output(|| {
        ListStacksOutput::builder()
            .stack_summaries(summary("app", StackStatus::CreateInProgress))
            .stack_summaries(summary("gone", StackStatus::DeleteComplete))
            .stack_summaries(summary("db", StackStatus::UpdateComplete))
            .build()
    });
    let text = printed(&[&describe, &list]).await;
    assert!(
        text.contains("moto could not describe the stacks"),
        "{text}"
    );
    assert!(text.contains("see /home/logs/moto.log"), "{text}");
    assert!(
        text.ends_with("  stacks:\n    app CREATE_IN_PROGRESS\n    db UPDATE_COMPLETE\n"),
        "{text}"
    );
}
