//! When moto failed a CreateStack or UpdateStack, and which resource to blame. moto answers a
//! template it cannot run with an HTTP 500 (its traceback goes to its log, not the answer), or
//! with another service's error, and leaves the stack half made; CloudFormation would accept
//! the request and roll the stack back. CloudFormation's own API errors (a ValidationError, an
//! AlreadyExistsException, …) are answers CloudFormation gives too: they pass unchanged.

use serde_yaml_ng::Value;
use stackflow::template_document::{Resource, TemplateDocument};

use crate::wire::element;

/// The error codes CloudFormation's API answers CreateStack and UpdateStack with: their own
/// and the common ones (CloudFormation API reference: API_CreateStack.html, API_UpdateStack.html
/// "Errors", and CommonErrors.html).
const CLOUDFORMATION_ERRORS: &[&str] = &[
    "AlreadyExistsException",
    "InsufficientCapabilitiesException",
    "LimitExceededException",
    "TokenAlreadyExistsException",
    "ValidationError",
    "AccessDenied",
    "AccessDeniedException",
    "ExpiredToken",
    "IncompleteSignature",
    "InternalFailure",
    "InvalidAction",
    "InvalidClientTokenId",
    "InvalidParameterCombination",
    "InvalidParameterValue",
    "InvalidQueryParameter",
    "MalformedQueryString",
    "MissingAction",
    "MissingAuthenticationToken",
    "MissingParameter",
    "NotAuthorized",
    "OptInRequired",
    "RequestExpired",
    "ServiceUnavailable",
    "SignatureDoesNotMatch",
    "Throttling",
    "ThrottlingException",
];

/// The longest piece of moto's text kept in an event's reason.
const MAX_TEXT_CHARS: usize = 400;

/// moto's failure of a stack operation, as the layer tells it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EmulatorFailure {
    /// The failure told for an event's reason, trimmed and without credentials.
    pub text: String,
    /// What moto's answer itself said (code and message), if anything: where a culprit is
    /// looked for.
    pub said: Option<String>,
}

/// `Some` when moto's answer (`status`, `body`) to a CreateStack or UpdateStack is a failure of
/// the emulator rather than an answer CloudFormation gives. A CloudFormation error code may
/// still come from a resource (SQS's InvalidParameterValue): whether moto started the
/// operation tells (`outcomes`), and [`told`] words it then.
pub fn emulator_failure(status: u16, body: &str) -> Option<EmulatorFailure> {
    if status < 400 || is_cloudformation_error(status, body) {
        return None;
    }
    Some(told(status, body))
}

/// A 4xx in CloudFormation's error shape with one of CloudFormation's codes.
pub fn is_cloudformation_error(status: u16, body: &str) -> bool {
    status < 500
        && body.contains("<ErrorResponse")
        && error_code(body).is_some_and(|code| CLOUDFORMATION_ERRORS.contains(&code.as_str()))
}

/// moto's error answer as the layer tells it.
pub fn told(status: u16, body: &str) -> EmulatorFailure {
    let said = match (error_code(body), error_message(body)) {
        (Some(code), Some(message)) => Some(format!("{code}: {message}")),
        (Some(said), None) | (None, Some(said)) => Some(said),
        (None, None) => None,
    };
    let text = said
        .as_deref()
        .unwrap_or("no reason given (its traceback is in the environment's logs/moto.log)");
    EmulatorFailure {
        text: clean(&format!("moto answered HTTP {status}: {text}")),
        said: said.as_deref().map(clean),
    }
}

/// The error code of an XML (`<Code>`) or JSON (`__type`, `code`) error body.
pub fn error_code(body: &str) -> Option<String> {
    if let Some(code) = element(body, "Code") {
        return Some(code.trim().to_string());
    }
    let json: serde_json::Value = serde_json::from_str(body).ok()?;
    let code = json.get("__type").or_else(|| json.get("code"))?.as_str()?;
    // awsJson's `__type` may carry a namespace: `com.amazonaws.kms#NotFoundException`.
    Some(code.rsplit('#').next().unwrap_or(code).to_string())
}

fn error_message(body: &str) -> Option<String> {
    if let Some(message) = element(body, "Message").or_else(|| element(body, "message")) {
        return Some(message.trim().to_string());
    }
    let json: serde_json::Value = serde_json::from_str(body).ok()?;
    let message = json
        .get("message")
        .or_else(|| json.get("Message"))?
        .as_str()?;
    Some(message.to_string())
}

/// `text` on one line, at most [`MAX_TEXT_CHARS`], without what looks like a credential.
pub fn clean(text: &str) -> String {
    let words: Vec<String> = text
        .split_whitespace()
        .map(|word| {
            if looks_like_a_credential(word) {
                "[redacted]".to_string()
            } else {
                word.to_string()
            }
        })
        .collect();
    let line = words.join(" ");
    if line.chars().count() <= MAX_TEXT_CHARS {
        return line;
    }
    let cut: String = line.chars().take(MAX_TEXT_CHARS).collect();
    format!("{cut}…")
}

/// An access key id, a signature or a session token, as they appear in a request or an error.
fn looks_like_a_credential(word: &str) -> bool {
    let bare = word.trim_matches(|c: char| !c.is_ascii_alphanumeric());
    let access_key = (bare.starts_with("AKIA") || bare.starts_with("ASIA"))
        && bare.len() >= 16
        && bare
            .chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit());
    let lowered = word.to_ascii_lowercase();
    access_key
        || [
            "credential=",
            "signature=",
            "security-token",
            "securitytoken",
            "secret",
        ]
        .iter()
        .any(|marker| lowered.contains(marker))
}

/// The resource a failed operation names: `(logical id, type)`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Culprit {
    pub logical_id: String,
    pub type_name: String,
}

/// The resource to blame for `failure` in `template` (the request's template text): the one
/// whose logical ID moto's text names (the longest, if several), else one of the type it
/// names, else the first resource with a declaration moto is known to crash on, else the
/// template's only resource; `None`: the stack itself.
pub fn culprit(template: Option<&str>, failure: &EmulatorFailure) -> Option<Culprit> {
    let document = TemplateDocument::parse(template?).ok()?;
    let resources = document.resources();
    let as_culprit = |resource: &Resource<'_>| Culprit {
        logical_id: resource.logical_id.clone(),
        type_name: resource.type_name.unwrap_or("unknown type").to_string(),
    };
    let said = failure.said.as_deref().unwrap_or_default();
    let named = resources
        .iter()
        .filter(|resource| names_word(said, &resource.logical_id))
        .max_by_key(|resource| resource.logical_id.len());
    let of_type = || {
        resources.iter().find(|resource| {
            resource
                .type_name
                .is_some_and(|type_name| said.contains(type_name))
        })
    };
    let crashes = || resources.iter().find(|resource| moto_crashes_on(resource));
    let only = || match resources.as_slice() {
        [only] => Some(only),
        _ => None,
    };
    named
        .or_else(of_type)
        .or_else(crashes)
        .or_else(only)
        .map(as_culprit)
}

/// Whether `text` has `word` with no letter, digit or `_` on either side.
fn names_word(text: &str, word: &str) -> bool {
    if word.is_empty() {
        return false;
    }
    let part_of_a_word = |c: char| c.is_ascii_alphanumeric() || c == '_';
    text.match_indices(word).any(|(at, _)| {
        let before = text[..at].chars().next_back();
        let after = text[at + word.len()..].chars().next();
        !before.is_some_and(part_of_a_word) && !after.is_some_and(part_of_a_word)
    })
}

/// Declarations moto 5.2 answers with an HTTP 500 (tried against it): an AWS::SSM::Parameter
/// without Name, an AWS::KMS::Key without KeyPolicy, `Fn::Base64` over `Fn::Sub`, and a
/// `Fn::ForEach` loop in Resources (moto reads it as a resource).
fn moto_crashes_on(resource: &Resource<'_>) -> bool {
    let properties = resource.declaration.get("Properties");
    let lacks = |name: &str| properties.and_then(|p| p.get(name)).is_none();
    match resource.type_name {
        Some("AWS::SSM::Parameter") if lacks("Name") => true,
        Some("AWS::KMS::Key") if lacks("KeyPolicy") => true,
        _ => {
            resource.logical_id.starts_with("Fn::ForEach::")
                || base64_over_sub(resource.declaration)
        }
    }
}

fn base64_over_sub(value: &Value) -> bool {
    let is_sub = |value: &Value| match value {
        Value::Tagged(tagged) => tagged.tag == "Sub",
        Value::Mapping(map) => map.contains_key("Fn::Sub"),
        _ => false,
    };
    match value {
        Value::Tagged(tagged) if tagged.tag == "Base64" && is_sub(&tagged.value) => true,
        Value::Tagged(tagged) => base64_over_sub(&tagged.value),
        Value::Mapping(map) => map.iter().any(|(key, inner)| {
            (key.as_str() == Some("Fn::Base64") && is_sub(inner)) || base64_over_sub(inner)
        }),
        Value::Sequence(items) => items.iter().any(base64_over_sub),
        _ => false,
    }
}

#[cfg(test)]
#[path = "failure_tests.rs"]
mod tests;
