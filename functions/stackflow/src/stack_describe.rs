//! DescribeStacks for one stack, and what DeployStack and CheckStack read from the answer.

use std::collections::BTreeMap;

use aws_sdk_cloudformation::types::Stack;
use aws_sdk_cloudformation::Client;

use crate::aws_error::{classify, code_and_message};
use crate::error::Error;
use crate::template_config::json_len;

/// The stack named (or with the id) `name_or_id`; `None` when CloudFormation says it does not
/// exist. Describing by id also returns deleted stacks, in DELETE_COMPLETE.
pub async fn describe_stack(cfn: &Client, name_or_id: &str) -> Result<Option<Stack>, Error> {
    match cfn.describe_stacks().stack_name(name_or_id).send().await {
        Ok(output) => Ok(output.stacks.unwrap_or_default().into_iter().next()),
        Err(err) => {
            if is_does_not_exist(&code_and_message(&err)) {
                Ok(None)
            } else {
                Err(classify(
                    &format!("DescribeStacks on stack {name_or_id}"),
                    &err,
                ))
            }
        }
    }
}

/// CloudFormation's answer for a missing stack: a ValidationError "Stack with id X does not exist".
pub fn is_does_not_exist((code, message): &(Option<String>, Option<String>)) -> bool {
    code.as_deref() == Some("ValidationError")
        && message
            .as_deref()
            .is_some_and(|m| m.contains("does not exist"))
}

/// The status as CloudFormation spells it.
pub fn status_text(stack: &Stack) -> String {
    stack
        .stack_status()
        .map_or("UNKNOWN", |s| s.as_str())
        .to_string()
}

/// The most bytes of JSON the stack Outputs may take in the execution's state (`$.stack.outputs`,
/// and again as the report's output variables). CloudFormation bounds their number (200) and
/// names (255 characters) but not their values; Step Functions fails an execution whose state
/// passes 256 KiB, uncatchably (statemachine/README.md adds the state up).
pub const OUTPUTS_MAX_JSON_BYTES: usize = 32 * 1024;

/// The stack Outputs, OutputKey → OutputValue, in key order as far as they fit in
/// [`OUTPUTS_MAX_JSON_BYTES`]; an output that does not fit is left out and logged.
pub fn outputs_of(stack: &Stack) -> BTreeMap<String, String> {
    let all: BTreeMap<String, String> = stack
        .outputs()
        .iter()
        .filter_map(|output| {
            let key = output.output_key()?;
            Some((
                key.to_string(),
                output.output_value().unwrap_or_default().to_string(),
            ))
        })
        .collect();
    let mut used = 2; // {}
    let mut kept = BTreeMap::new();
    for (key, value) in all {
        // "key":"value", with its comma
        let size = json_len(key.as_str())
            .saturating_add(json_len(value.as_str()))
            .saturating_add(2);
        if used + size > OUTPUTS_MAX_JSON_BYTES {
            tracing::warn!(stack = stack.stack_name().unwrap_or_default(), output = %key, size, "stack output left out: the outputs would pass their share of the execution's state");
            continue;
        }
        used += size;
        kept.insert(key, value);
    }
    kept
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;
    use aws_sdk_cloudformation::operation::describe_stacks::{
        DescribeStacksError, DescribeStacksOutput,
    };
    use aws_sdk_cloudformation::types::{Output, StackStatus};
    use aws_smithy_mocks::mock;

    use crate::stack_fixtures::{absent_rule, client, service_error};

    #[tokio::test]
    async fn a_missing_stack_is_none() {
        let absent = absent_rule();
        assert_eq!(describe_stack(&client(&[&absent]), "app").await, Ok(None));
    }

    #[tokio::test]
    async fn other_validation_errors_are_errors() {
        let rule = mock!(Client::describe_stacks).then_error(|| {
            DescribeStacksError::generic(service_error("ValidationError", "bad name"))
        });
        let err = describe_stack(&client(&[&rule]), "app").await.unwrap_err();
        assert_eq!(err.name(), "AwsError");
    }

    #[tokio::test]
    async fn throttling_is_transient() {
        let rule = mock!(Client::describe_stacks).then_error(|| {
            DescribeStacksError::generic(service_error("Throttling", "Rate exceeded"))
        });
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
}
