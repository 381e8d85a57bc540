//! The parameters of a request against the template's Parameters section: each one passed is
//! declared, each one declared without a Default has a value, and each value passed meets its
//! declared constraints (AllowedValues, AllowedPattern, MinLength/MaxLength,
//! MinValue/MaxValue, and the types Number, List<Number> and CommaDelimitedList). A
//! ConstraintDescription, when declared, replaces the message a broken constraint gives.
//!
//! Not checked here: the AWS-specific types (AWS::EC2::KeyPair::KeyName, AWS::EC2::VPC::Id, …,
//! AWS::SSM::Parameter::Value<…>), whose values only AWS can look up; the Default values (the
//! template's own, which CloudFormation judges when it validates the template); and values
//! given with UsePreviousValue, which are the stack's already.

use regex_lite::Regex;
use serde_yaml_ng::Value;
use stackflow::template_document::{scalar_text, TemplateDocument};

use crate::request::ParameterValue;
use crate::Reply;

/// Parameters passed to a template that declares none. Wording from CloudFormation's answers
/// quoted in https://github.com/aws/aws-toolkit-azure-devops/issues/75.
pub const NOT_REQUIRED: &str =
    "Parameter values specified for a template which does not require them.";

/// Wording from CloudFormation's answers quoted in
/// https://github.com/buildkite/elastic-ci-stack-for-aws/pull/2 ("Parameters: [NotificationEmail]
/// do not exist in the template"); several are listed as `[A, B]` as for "must have values".
pub fn undeclared(names: &[&str]) -> String {
    format!(
        "Parameters: [{}] do not exist in the template",
        names.join(", ")
    )
}

/// Wording from CloudFormation's answers quoted in https://github.com/sat-utils/sat-api/issues/25
/// ("Parameters: [ArtifactPath, ConfigS3Bucket] must have values").
pub fn without_value(names: &[&str]) -> String {
    format!("Parameters: [{}] must have values", names.join(", "))
}

/// The refusal for the first problem with the parameters `passed`.
pub fn check(document: &TemplateDocument, passed: &[ParameterValue]) -> Option<Reply> {
    let declared = declared(document);
    let refuse = |message: String| Some(Reply::refused("ValidationError", message));
    if declared.is_empty() && !passed.is_empty() {
        return refuse(NOT_REQUIRED.to_string());
    }
    let declaration = |name: &str| {
        declared
            .iter()
            .find_map(|(declared, value)| (declared == name).then_some(*value))
    };
    let mut unknown: Vec<&str> = Vec::new();
    for parameter in passed {
        if declaration(&parameter.key).is_none() && !unknown.contains(&parameter.key.as_str()) {
            unknown.push(&parameter.key);
        }
    }
    if !unknown.is_empty() {
        return refuse(undeclared(&unknown));
    }
    let has_value = |name: &str| {
        passed
            .iter()
            .any(|p| p.key == name && (p.value.is_some() || p.use_previous_value))
    };
    let missing: Vec<&str> = declared
        .iter()
        .filter(|(name, declaration)| declaration.get("Default").is_none() && !has_value(name))
        .map(|(name, _)| name.as_str())
        .collect();
    if !missing.is_empty() {
        return refuse(without_value(&missing));
    }
    passed.iter().find_map(|parameter| {
        let value = parameter
            .value
            .as_deref()
            .filter(|_| !parameter.use_previous_value)?;
        let declaration = declaration(&parameter.key)?;
        violation(&parameter.key, declaration, value).and_then(refuse)
    })
}

/// The Parameters section's entries, in template order.
fn declared(document: &TemplateDocument) -> Vec<(String, &Value)> {
    let Some(Value::Mapping(parameters)) = document.section("Parameters") else {
        return Vec::new();
    };
    parameters
        .iter()
        .filter_map(|(name, declaration)| Some((scalar_text(name)?, declaration)))
        .collect()
}

/// What is wrong with `value` for the parameter `name` declared as `declaration`, in
/// CloudFormation's words; `None` when it passes (or its type is not checked here).
pub fn violation(name: &str, declaration: &Value, value: &str) -> Option<String> {
    let problem = match declaration.get("Type").and_then(Value::as_str) {
        Some("String") => allowed_value(name, declaration, value)
            .or_else(|| length(name, declaration, value))
            .or_else(|| pattern(name, declaration, value)),
        Some("Number") => {
            allowed_value(name, declaration, value).or_else(|| number(name, declaration, value))
        }
        Some("List<Number>") => value.split(',').find_map(|item| {
            allowed_value(name, declaration, item.trim())
                .or_else(|| number(name, declaration, item.trim()))
        }),
        // AllowedValues and AllowedPattern apply to each item of a CommaDelimitedList, as
        // https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/parameters-section-structure.html
        // says.
        Some("CommaDelimitedList") => value.split(',').find_map(|item| {
            allowed_value(name, declaration, item).or_else(|| pattern(name, declaration, item))
        }),
        // The AWS-specific types need AWS to look their values up.
        _ => None,
    }?;
    Some(
        match declaration
            .get("ConstraintDescription")
            .and_then(scalar_text)
        {
            // Wording from CloudFormation's answer quoted in
            // https://github.com/aws/aws-cli/issues/7750 ("Parameter Profiles failed to satisfy
            // constraint: Active profile identifiers must only use word characters, …").
            Some(description) => {
                format!("Parameter {name} failed to satisfy constraint: {description}")
            }
            None => problem,
        },
    )
}

/// Wording from CloudFormation's answer quoted in https://github.com/aws/aws-sdk-ruby/issues/1414
/// ("Parameter 'InstanceType' must be one of AllowedValues").
fn allowed_value(name: &str, declaration: &Value, value: &str) -> Option<String> {
    let Some(Value::Sequence(allowed)) = declaration.get("AllowedValues") else {
        return None;
    };
    let allowed = allowed
        .iter()
        .any(|item| scalar_text(item).as_deref() == Some(value));
    (!allowed).then(|| format!("Parameter '{name}' must be one of AllowedValues"))
}

/// MinLength wording from CloudFormation's answer quoted in
/// https://github.com/aws-cloudformation/cloudformation-coverage-roadmap/issues/930 ("Parameter
/// 'XYZ' must contain at least N characters"); MaxLength's is inferred from it.
fn length(name: &str, declaration: &Value, value: &str) -> Option<String> {
    let length = value.chars().count() as f64;
    if let Some((min, text)) = attribute(declaration, "MinLength") {
        if length < min {
            return Some(format!(
                "Parameter '{name}' must contain at least {text} characters"
            ));
        }
    }
    let (max, text) = attribute(declaration, "MaxLength")?;
    (length > max).then(|| format!("Parameter '{name}' must contain at most {text} characters"))
}

/// Wording from CloudFormation's answer quoted in
/// https://github.com/aws/aws-connected-device-framework/issues/183 ("Parameter 'Tester' must
/// match pattern ^db\\.…"). The pattern must match the whole value, as the Parameters page of
/// the user guide says. CloudFormation's regular expressions are Java's: a pattern this
/// engine cannot compile (lookaround, backreferences) is not checked.
fn pattern(name: &str, declaration: &Value, value: &str) -> Option<String> {
    let pattern = declaration.get("AllowedPattern").and_then(scalar_text)?;
    let whole = Regex::new(&format!("^(?:{pattern})$")).ok()?;
    (!whole.is_match(value)).then(|| format!("Parameter '{name}' must match pattern {pattern}"))
}

/// "must be a number not less than" from a CloudFormation answer quoted in notes on
/// openshift/rosa's `create network` (found by code search: "api error ValidationError:
/// Parameter 'AvailabilityZoneCount' must be a number not less than 1"); "must be a number" and
/// "not greater than" are inferred from it.
fn number(name: &str, declaration: &Value, value: &str) -> Option<String> {
    let Some(number) = as_number(value) else {
        return Some(format!("Parameter '{name}' must be a number"));
    };
    if let Some((min, text)) = attribute(declaration, "MinValue") {
        if number < min {
            return Some(format!(
                "Parameter '{name}' must be a number not less than {text}"
            ));
        }
    }
    let (max, text) = attribute(declaration, "MaxValue")?;
    (number > max).then(|| format!("Parameter '{name}' must be a number not greater than {text}"))
}

/// A numeric attribute (`MinLength: 3` or `MinLength: "3"`): its value and its text as written.
fn attribute(declaration: &Value, key: &str) -> Option<(f64, String)> {
    let text = declaration.get(key).and_then(scalar_text)?;
    Some((as_number(&text)?, text))
}

/// An integer or a float, as CloudFormation's Number type takes them: digits, a sign, a point
/// and an exponent; not `inf` or `NaN`, which Rust would read.
fn as_number(text: &str) -> Option<f64> {
    let numeric = !text.is_empty()
        && text
            .chars()
            .all(|c| c.is_ascii_digit() || "+-.eE".contains(c));
    numeric
        .then(|| text.parse::<f64>().ok())
        .flatten()
        .filter(|n| n.is_finite())
}

#[cfg(test)]
#[path = "parameters_tests.rs"]
mod tests;
