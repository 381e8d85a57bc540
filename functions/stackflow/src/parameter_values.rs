//! A parameter override's value: a literal, or `{"Fn::GetParam": [artifact, file, key]}`, a value
//! read from a JSON file in another input artifact of the job, as CodePipeline's own
//! CloudFormation action reads it in ParameterOverrides
//! (https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/continuous-delivery-codepipeline-parameter-override-functions.html).
//! Fetch template reads those files in the same pass as the template; the values are staged
//! with the others and never ride in the state.

use std::collections::BTreeMap;

use serde_json::Value;

use crate::error::Error;
use crate::input_rules::kind;

/// The largest JSON file `Fn::GetParam` reads, in bytes: a build's output of a version or an
/// image tag is a few hundred; CodePipeline documents no limit of its own.
pub const MAX_PARAM_FILE_BYTES: u64 = 64 * 1024;

/// Where `Fn::GetParam` reads a value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArtifactParam {
    pub artifact: String,
    pub file: String,
    pub key: String,
}

/// A parameter override's value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ParameterValue {
    Literal(String),
    FromArtifact(ArtifactParam),
}

/// Read `parameters.<name>`: a string, a number or a boolean (taken as its JSON text), or
/// `{"Fn::GetParam": ["artifact", "file", "key"]}`. `invalid` words a refusal.
pub fn parse_value(
    name: &str,
    value: &Value,
    invalid: impl Fn(String) -> Error,
) -> Result<ParameterValue, Error> {
    let literal = |text: String| Ok(ParameterValue::Literal(text));
    match value {
        Value::String(text) => literal(text.clone()),
        Value::Number(n) => literal(n.to_string()),
        Value::Bool(flag) => literal(flag.to_string()),
        Value::Object(map) => {
            let form = "{\"Fn::GetParam\": [\"artifact\", \"file.json\", \"key\"]}";
            let args = match (map.len(), map.get("Fn::GetParam")) {
                (1, Some(Value::Array(args))) => args,
                _ => {
                    return Err(invalid(format!(
                        "`parameters.{name}` is an object, but not {form}, the one function \
                         a value may use"
                    )))
                }
            };
            let texts: Vec<&str> = args.iter().filter_map(Value::as_str).collect();
            match texts.as_slice() {
                [artifact, file, key]
                    if args.len() == 3 && texts.iter().all(|t| !t.trim().is_empty()) =>
                {
                    Ok(ParameterValue::FromArtifact(ArtifactParam {
                        artifact: artifact.to_string(),
                        file: file.trim_start_matches("./").to_string(),
                        key: key.to_string(),
                    }))
                }
                _ => Err(invalid(format!(
                    "`parameters.{name}`: Fn::GetParam takes three non-empty strings, the \
                     input artifact, the JSON file in it and the key: {form}"
                ))),
            }
        }
        other => Err(invalid(format!(
            "`parameters.{name}` must be a string (or a number or boolean, or Fn::GetParam), \
             got {}",
            kind(other)
        ))),
    }
}

/// The value of `param.key` in the JSON file `bytes` (`param.file` of `param.artifact`), for
/// parameter `name`: a string, or a number as its text.
pub fn value_in_file(name: &str, param: &ArtifactParam, bytes: &[u8]) -> Result<String, Error> {
    let ArtifactParam {
        artifact,
        file,
        key,
    } = param;
    let at = format!("`parameters.{name}`: Fn::GetParam");
    let document: Value = serde_json::from_slice(bytes).map_err(|e| {
        Error::InvalidParameters(format!(
            "{at} reads `{file}` in artifact `{artifact}`, which is not JSON: {e}"
        ))
    })?;
    let Value::Object(map) = document else {
        return Err(Error::InvalidParameters(format!(
            "{at} reads `{file}` in artifact `{artifact}`, which is not a JSON object"
        )));
    };
    match map.get(key) {
        Some(Value::String(text)) => Ok(text.clone()),
        Some(Value::Number(n)) => Ok(n.to_string()),
        Some(other) => Err(Error::InvalidParameters(format!(
            "{at}: key `{key}` in `{file}` of artifact `{artifact}` is {}, and a parameter \
             value must be a string or a number",
            kind(other)
        ))),
        None => {
            let keys: Vec<&str> = map.keys().map(String::as_str).take(20).collect();
            Err(Error::InvalidParameters(format!(
                "{at}: `{file}` in artifact `{artifact}` has no key `{key}`; its keys are: {}",
                if keys.is_empty() {
                    "none".to_string()
                } else {
                    keys.join(", ")
                }
            )))
        }
    }
}

/// The values read from artifacts (`Fn::GetParam`).
pub fn artifact_params(values: &BTreeMap<String, ParameterValue>) -> Vec<&ArtifactParam> {
    values
        .values()
        .filter_map(|value| match value {
            ParameterValue::FromArtifact(param) => Some(param),
            ParameterValue::Literal(_) => None,
        })
        .collect()
}

#[cfg(test)]
#[path = "parameter_values_tests.rs"]
mod tests;
