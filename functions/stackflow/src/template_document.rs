//! A CloudFormation template read as a document: JSON, or YAML with CloudFormation's short-form
//! tags (`!Ref`, `!Sub`, …, kept as tagged values). The one reader of template text that
//! stackflow (NoEcho detection) and the local environment (CloudFormation's checks, the
//! resource types moto does not emulate, the logical IDs an emulator error names) share.
//! CloudFormation judges a template; this only reads it.

use std::fmt;

use serde_yaml_ng::{Mapping, Value};

/// How deep a template may nest `[`/`{` here: the parsers refuse more than 128 levels anyway,
/// but the YAML parser takes time quadratic in the depth to get there (minutes for a 1 MB
/// template of `[`), which the Lambda's timeout would cut short.
const MAX_NESTING: usize = 128;

/// Why a template text could not be read as a document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReadError {
    /// `[`/`{` nest deeper than [`MAX_NESTING`].
    TooDeep,
    /// Neither JSON nor YAML: the YAML parser's message (it names line and column).
    Syntax(String),
    /// It parsed, but the top level is not a mapping of sections.
    NotAMapping,
}

impl fmt::Display for ReadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ReadError::TooDeep => write!(f, "brackets nest more than {MAX_NESTING} levels deep"),
            ReadError::Syntax(reason) => f.write_str(reason),
            ReadError::NotAMapping => {
                f.write_str("the template is not a JSON object or YAML mapping")
            }
        }
    }
}

/// One entry of the Resources section.
#[derive(Debug, Clone, PartialEq)]
pub struct Resource<'a> {
    pub logical_id: String,
    /// `Type`, when it is a string.
    pub type_name: Option<&'a str>,
    pub declaration: &'a Value,
}

/// A parsed template.
#[derive(Debug, Clone, PartialEq)]
pub struct TemplateDocument {
    root: Mapping,
}

impl TemplateDocument {
    /// Read `text` (a leading byte-order mark is allowed): JSON first, then YAML.
    pub fn parse(text: &str) -> Result<Self, ReadError> {
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        if flow_nesting_over(text, MAX_NESTING) {
            return Err(ReadError::TooDeep);
        }
        let document = match serde_json::from_str::<serde_json::Value>(text) {
            Ok(json) => {
                serde_yaml_ng::to_value(json).map_err(|err| ReadError::Syntax(err.to_string()))?
            }
            Err(_) => serde_yaml_ng::from_str::<Value>(text)
                .map_err(|err| ReadError::Syntax(err.to_string()))?,
        };
        match document {
            Value::Mapping(root) => Ok(TemplateDocument { root }),
            _ => Err(ReadError::NotAMapping),
        }
    }

    /// A top-level section (`Parameters`, `Resources`, `Transform`, …) when present.
    pub fn section(&self, name: &str) -> Option<&Value> {
        self.root.get(name)
    }

    /// The Resources section's entries, in template order; empty when the section is missing
    /// or not a mapping.
    pub fn resources(&self) -> Vec<Resource<'_>> {
        let Some(Value::Mapping(resources)) = self.section("Resources") else {
            return Vec::new();
        };
        resources
            .iter()
            .filter_map(|(name, declaration)| {
                Some(Resource {
                    logical_id: scalar_text(name)?,
                    // Not `as_str`, which reads through a tag (`Type: !Ref X` is no type).
                    type_name: match declaration.get("Type") {
                        Some(Value::String(name)) => Some(name.as_str()),
                        _ => None,
                    },
                    declaration,
                })
            })
            .collect()
    }

    /// The macros the top-level `Transform` names (a string or a list of strings, or objects
    /// with a `Name`), and those of every `Fn::Transform` in the template.
    pub fn transforms(&self) -> Vec<String> {
        let mut names = Vec::new();
        if let Some(section) = self.section("Transform") {
            collect_transform_names(section, &mut names);
        }
        collect_fn_transforms(&Value::Mapping(self.root.clone()), &mut names);
        names
    }
}

fn collect_transform_names(value: &Value, names: &mut Vec<String>) {
    match value {
        Value::String(name) => names.push(name.clone()),
        Value::Sequence(items) => items
            .iter()
            .for_each(|item| collect_transform_names(item, names)),
        Value::Mapping(_) => {
            if let Some(name) = value.get("Name").and_then(Value::as_str) {
                names.push(name.to_string());
            }
        }
        _ => {}
    }
}

fn collect_fn_transforms(value: &Value, names: &mut Vec<String>) {
    match value {
        Value::Mapping(map) => {
            for (key, inner) in map {
                if key.as_str() == Some("Fn::Transform") {
                    collect_transform_names(inner, names);
                }
                collect_fn_transforms(inner, names);
            }
        }
        Value::Sequence(items) => items
            .iter()
            .for_each(|item| collect_fn_transforms(item, names)),
        Value::Tagged(tagged) => {
            if tagged.tag == "Transform" {
                collect_transform_names(&tagged.value, names);
            }
            collect_fn_transforms(&tagged.value, names);
        }
        _ => {}
    }
}

/// A string, number or boolean as text.
pub fn scalar_text(value: &Value) -> Option<String> {
    match value {
        Value::String(text) => Some(text.clone()),
        Value::Number(number) => Some(number.to_string()),
        Value::Bool(flag) => Some(flag.to_string()),
        _ => None,
    }
}

/// Whether `[` and `{` nest deeper than `limit` in `text`, counted without regard to quoting:
/// brackets in strings or comments count too, which errs on the side of refusing.
fn flow_nesting_over(text: &str, limit: usize) -> bool {
    let mut depth = 0usize;
    for byte in text.bytes() {
        match byte {
            b'[' | b'{' => {
                depth += 1;
                if depth > limit {
                    return true;
                }
            }
            b']' | b'}' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    false
}

#[cfg(test)]
#[path = "template_document_tests.rs"]
mod tests;
