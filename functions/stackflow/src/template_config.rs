//! CodePipeline's template configuration file (`{"Parameters":{..},"Tags":{..},"StackPolicy":{..}}`,
//! every key optional), and how it merges with the UserParameters overrides.

use std::collections::BTreeMap;

use serde_json::{Map, Value};

use crate::error::Error;
use crate::input_rules::{is_parameter_name, json_error_text, kind, tag_problem};

/// The keys a template configuration file may have.
pub const ACCEPTED_KEYS: &[&str] = &["Parameters", "Tags", "StackPolicy"];

/// What a template configuration file says, or (after [`TemplateConfig::merged_with`]) what it
/// and the UserParameters say together.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TemplateConfig {
    pub parameters: BTreeMap<String, String>,
    pub tags: BTreeMap<String, String>,
    /// The StackPolicy object as compact JSON text.
    pub stack_policy: Option<String>,
}

/// Parse the file at `path` (named in messages). Unknown keys and non-string values are errors,
/// as CodePipeline's own CloudFormation action treats them.
pub fn parse(path: &str, text: &str) -> Result<TemplateConfig, Error> {
    let invalid = |problem: String| {
        Error::TemplateInvalid(format!("template configuration `{path}`: {problem}"))
    };
    // Editors on Windows like to start JSON files with a byte-order mark; serde_json does not.
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let value: Value = serde_json::from_str(text)
        .map_err(|e| invalid(format!("not valid JSON {}", json_error_text(&e))))?;
    let Value::Object(map) = value else {
        return Err(invalid(format!(
            "must be a JSON object, got {}",
            kind(&value)
        )));
    };
    let unknown: Vec<String> = map
        .keys()
        .filter(|key| !ACCEPTED_KEYS.contains(&key.as_str()))
        .map(|key| format!("`{key}`"))
        .collect();
    if !unknown.is_empty() {
        return Err(invalid(format!(
            "unknown {} {}; the accepted keys are: {}",
            if unknown.len() == 1 { "key" } else { "keys" },
            unknown.join(", "),
            ACCEPTED_KEYS.join(", ")
        )));
    }

    let parameters = string_map(&map, "Parameters").map_err(invalid)?;
    if let Some(name) = parameters.keys().find(|name| !is_parameter_name(name)) {
        return Err(invalid(format!(
            "`Parameters` has `{name}`, which is not a CloudFormation parameter name \
             (letters and digits only)"
        )));
    }
    let tags = string_map(&map, "Tags").map_err(invalid)?;
    if let Some(problem) = tag_problem(&tags) {
        return Err(invalid(format!("`Tags`: {problem}")));
    }
    let stack_policy = match map.get("StackPolicy") {
        None => None,
        Some(policy @ Value::Object(_)) => Some(policy.to_string()),
        Some(other) => {
            return Err(invalid(format!(
                "`StackPolicy` must be an object, got {}",
                kind(other)
            )))
        }
    };
    let config = TemplateConfig {
        parameters,
        tags,
        stack_policy,
    };
    let size = config.json_bytes();
    if size > STATE_MAX_JSON_BYTES {
        return Err(invalid(format!(
            "its parameter names, `Tags` and `StackPolicy` are {size} bytes of JSON; at most \
             {STATE_MAX_JSON_BYTES} are accepted, as they travel in the deployment's Step \
             Functions state"
        )));
    }
    Ok(config)
}

/// The most bytes of JSON what a configuration file puts into the execution's state may take
/// (`$.template`), which Step Functions holds under 256 KiB (statemachine/README.md adds it up).
pub const STATE_MAX_JSON_BYTES: usize = 64 * 1024;

impl TemplateConfig {
    /// What of it the state holds, as bytes of JSON text: the parameter names (their values are
    /// staged in S3, never in state), the tags and the stack policy.
    fn json_bytes(&self) -> usize {
        let names: Vec<&String> = self.parameters.keys().collect();
        json_len(&names)
            .saturating_add(json_len(&self.tags))
            .saturating_add(self.stack_policy.as_ref().map_or(0, json_len))
    }
}

/// The length of `value` as JSON text, as the execution's state holds it.
pub(crate) fn json_len<T: serde::Serialize + ?Sized>(value: &T) -> usize {
    serde_json::to_string(value).map_or(usize::MAX, |json| json.len())
}

fn string_map(map: &Map<String, Value>, key: &str) -> Result<BTreeMap<String, String>, String> {
    match map.get(key) {
        None => Ok(BTreeMap::new()),
        Some(Value::Object(entries)) => entries
            .iter()
            .map(|(name, value)| match value {
                Value::String(text) => Ok((name.clone(), text.clone())),
                other => Err(format!(
                    "`{key}.{name}` must be a string, got {}",
                    kind(other)
                )),
            })
            .collect(),
        Some(other) => Err(format!(
            "`{key}` must be an object of strings, got {}",
            kind(other)
        )),
    }
}

impl TemplateConfig {
    /// This configuration with the UserParameters' `parameters` and `tags` laid over it: on the
    /// same name, the UserParameters win. The merged tags must still meet CloudFormation's limits.
    pub fn merged_with(
        mut self,
        parameters: &BTreeMap<String, String>,
        tags: &BTreeMap<String, String>,
    ) -> Result<TemplateConfig, Error> {
        self.parameters
            .extend(parameters.iter().map(|(k, v)| (k.clone(), v.clone())));
        self.tags
            .extend(tags.iter().map(|(k, v)| (k.clone(), v.clone())));
        if let Some(problem) = tag_problem(&self.tags) {
            return Err(Error::TemplateInvalid(format!(
                "the template configuration's tags and the UserParameters tags together: {problem}"
            )));
        }
        Ok(self)
    }
}

#[cfg(test)]
#[path = "template_config_tests.rs"]
mod tests;
