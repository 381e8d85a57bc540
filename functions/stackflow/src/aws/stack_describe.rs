//! DescribeStacks for one stack, and what DeployStack and CheckStack read from the answer.

use std::collections::BTreeMap;

use aws_sdk_cloudformation::types::Stack;
use aws_sdk_cloudformation::Client;

use crate::aws::error::{classify_sdk_error, code_and_message};
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
                Err(classify_sdk_error(
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
#[path = "stack_describe_tests.rs"]
mod tests;
