//! The template's format: it must read as JSON or YAML, be a mapping of sections and define at
//! least one resource.

use serde_yaml_ng::Value;
use stackflow::template_document::{ReadError, TemplateDocument};

use crate::Reply;

/// CloudFormation's answer to a template without resources. Wording from CloudFormation's
/// answers quoted in https://github.com/mludvig/aws-ethereum-miner/issues/7 and
/// https://github.com/getmoto/moto/pull/10235.
pub const NO_RESOURCES: &str =
    "Template format error: At least one Resources member must be defined.";

/// CloudFormation's answer to a template that parses but is not a mapping of sections (a bare
/// string or list). Wording inferred from CloudFormation's "Template format error: …" family;
/// AWS documents no text for it.
pub const UNSUPPORTED_STRUCTURE: &str = "Template format error: unsupported structure.";

/// The template document, or CloudFormation's refusal of its format.
pub fn read(text: &str) -> Result<TemplateDocument, Reply> {
    // A template that starts as JSON does is judged as JSON (CloudFormation then names JSON in
    // its message); the shared reader would take broken JSON as YAML (`{"A": }` is YAML's
    // null). Inferred from CloudFormation's two messages; AWS documents no rule.
    let unprefixed = text.strip_prefix('\u{feff}').unwrap_or(text);
    if unprefixed.trim_start().starts_with('{')
        && serde_json::from_str::<serde_json::Value>(unprefixed).is_err()
    {
        return Err(Reply::refused("ValidationError", not_well_formed(text)));
    }
    let document = TemplateDocument::parse(text).map_err(|err| refusal(text, &err))?;
    let has_resources = matches!(
        document.section("Resources"),
        Some(Value::Mapping(resources)) if !resources.is_empty()
    );
    if has_resources {
        Ok(document)
    } else {
        Err(Reply::refused("ValidationError", NO_RESOURCES))
    }
}

fn refusal(text: &str, err: &ReadError) -> Reply {
    let message = match err {
        ReadError::NotAMapping => UNSUPPORTED_STRUCTURE.to_string(),
        ReadError::TooDeep | ReadError::Syntax(_) => not_well_formed(text),
    };
    Reply::refused("ValidationError", message)
}

/// "Template format error: JSON not well-formed. (line 3, column 7)" for a template that starts
/// as JSON does (`{`), the YAML message otherwise. Wording from CloudFormation's answers quoted
/// in https://github.com/Netflix/metaflow-tools/issues/31 (YAML); the JSON one is inferred from
/// it. Lines and columns count from 1, as both parsers here do.
pub fn not_well_formed(text: &str) -> String {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let (format, location) = if text.trim_start().starts_with('{') {
        let location = serde_json::from_str::<serde_json::Value>(text)
            .err()
            .map(|err| (err.line(), err.column()));
        ("JSON", location)
    } else {
        let location = serde_yaml_ng::from_str::<Value>(text)
            .err()
            .and_then(|err| err.location())
            .map(|at| (at.line(), at.column()));
        ("YAML", location)
    };
    match location {
        Some((line, column)) => format!(
            "Template format error: {format} not well-formed. (line {line}, column {column})"
        ),
        None => format!("Template format error: {format} not well-formed."),
    }
}

#[cfg(test)]
#[path = "template_tests.rs"]
mod tests;
