//! The rules both sources of a deployment's input share (the action's UserParameters and the
//! template configuration file): how a JSON mistake is told, parameter names, and
//! CloudFormation's tag limits, so both sources meet the same rules.

use std::collections::BTreeMap;

use serde_json::Value;

/// CloudFormation's tag limits.
pub const MAX_TAGS: usize = 50;
pub const MAX_TAG_KEY_CHARS: usize = 128;
pub const MAX_TAG_VALUE_CHARS: usize = 256;

/// "at line L, column C: what went wrong", for a JSON parse error.
pub fn json_error_text(e: &serde_json::Error) -> String {
    // serde_json's text ends with its own " at line L column C"; say the position once.
    let full = e.to_string();
    let what = full.split(" at line ").next().unwrap_or(&full);
    format!("at line {}, column {}: {what}", e.line(), e.column())
}

/// "a string", "an array", … for messages about a JSON value of the wrong type.
pub fn kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// A CloudFormation parameter name: letters and digits.
pub fn is_parameter_name(name: &str) -> bool {
    !name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric())
}

/// What breaks CloudFormation's tag limits, if anything. Shared with the template
/// configuration's tags so both sources meet the same rules.
pub fn tag_problem(tags: &BTreeMap<String, String>) -> Option<String> {
    if tags.len() > MAX_TAGS {
        return Some(format!(
            "{} tags; CloudFormation allows at most {MAX_TAGS}",
            tags.len()
        ));
    }
    tags.iter().find_map(|(key, value)| {
        let key_chars = key.chars().count();
        let value_chars = value.chars().count();
        if key_chars == 0 {
            Some("a tag key is empty".to_string())
        } else if key_chars > MAX_TAG_KEY_CHARS {
            Some(format!(
                "tag key `{key}` is {key_chars} characters; at most {MAX_TAG_KEY_CHARS} are allowed"
            ))
        } else if key.to_ascii_lowercase().starts_with("aws:") {
            Some(format!(
                "tag key `{key}` starts with `aws:`, which AWS reserves"
            ))
        } else if value_chars == 0 {
            // CloudFormation's Tag.Value has a minimum length of 1.
            Some(format!(
                "the value of tag `{key}` is empty; CloudFormation needs 1 to \
                 {MAX_TAG_VALUE_CHARS} characters"
            ))
        } else if value_chars > MAX_TAG_VALUE_CHARS {
            Some(format!(
                "the value of tag `{key}` is {value_chars} characters; at most \
                 {MAX_TAG_VALUE_CHARS} are allowed"
            ))
        } else {
            None
        }
    })
}
