#![allow(clippy::unwrap_used, clippy::expect_used)]

use super::*;
use aws_sdk_cloudformation::operation::describe_stacks::{
    DescribeStacksError, DescribeStacksOutput,
};
use aws_sdk_cloudformation::types::{Output, StackStatus};
use aws_smithy_mocks::mock;

use crate::aws::stack_fixtures::{absent_rule, client, service_error};

#[tokio::test]
async fn a_missing_stack_is_none() {
    let absent = absent_rule();
    assert_eq!(describe_stack(&client(&[&absent]), "app").await, Ok(None));
}

#[tokio::test]
async fn other_validation_errors_are_errors() {
    let rule = mock!(Client::describe_stacks)
        .then_error(|| DescribeStacksError::generic(service_error("ValidationError", "bad name")));
    let err = describe_stack(&client(&[&rule]), "app").await.unwrap_err();
    assert_eq!(err.name(), "AwsError");
}

#[tokio::test]
async fn throttling_is_transient() {
    let rule = mock!(Client::describe_stacks)
        .then_error(|| DescribeStacksError::generic(service_error("Throttling", "Rate exceeded")));
    let err = describe_stack(&client(&[&rule]), "app").await.unwrap_err();
    assert_eq!(err.name(), "Transient");
}

#[tokio::test]
async fn the_first_stack_is_returned_with_its_outputs() {
    let rule = mock!(Client::describe_stacks)
        .match_requests(|req| req.stack_name() == Some("app"))
        .then_output(|| {
            DescribeStacksOutput::builder()
                .stacks(
                    Stack::builder()
                        .stack_name("app")
                        .stack_status(StackStatus::UpdateComplete)
                        .outputs(
                            Output::builder()
                                .output_key("Url")
                                .output_value("https://x")
                                .build(),
                        )
                        .outputs(Output::builder().output_key("Empty").build())
                        .outputs(Output::builder().output_value("no key").build())
                        .build(),
                )
                .build()
        });
    let stack = describe_stack(&client(&[&rule]), "app")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(status_text(&stack), "UPDATE_COMPLETE");
    let outputs = outputs_of(&stack);
    assert_eq!(outputs.len(), 2);
    assert_eq!(outputs["Url"], "https://x");
    assert_eq!(outputs["Empty"], "");
}

#[test]
fn outputs_are_kept_in_key_order_within_their_share_of_the_state() {
    let big = "x".repeat(OUTPUTS_MAX_JSON_BYTES / 3);
    let stack = Stack::builder()
        .stack_name("app")
        .outputs(Output::builder().output_key("A").output_value(&big).build())
        .outputs(Output::builder().output_key("B").output_value(&big).build())
        .outputs(Output::builder().output_key("C").output_value(&big).build())
        .outputs(
            Output::builder()
                .output_key("D")
                .output_value("small")
                .build(),
        )
        .outputs(
            Output::builder()
                .output_key("E")
                .output_value("\"".repeat(OUTPUTS_MAX_JSON_BYTES / 2))
                .build(),
        )
        .build();
    let outputs = outputs_of(&stack);
    assert_eq!(
        outputs.keys().map(String::as_str).collect::<Vec<_>>(),
        ["A", "B", "D"]
    );
    let json = serde_json::to_string(&outputs).unwrap();
    assert!(json.len() <= OUTPUTS_MAX_JSON_BYTES, "{}", json.len());
}
