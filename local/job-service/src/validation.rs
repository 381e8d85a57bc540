//! The constraints of CodePipeline's API model (botocore's `codepipeline/2015-07-09` service
//! model), checked as the service does and reported in its ValidationException wording.

use std::collections::BTreeMap;

use crate::error::JobServiceError;

pub const FAILURE_MESSAGE_MAX: usize = 5000;
pub const EXECUTION_SUMMARY_MAX: usize = 2048;
pub const EXECUTION_ID_MAX: usize = 1500;
pub const CONTINUATION_TOKEN_MAX: usize = 2048;
pub const REVISION_MAX: usize = 1500;
pub const CHANGE_IDENTIFIER_MAX: usize = 100;
pub const REVISION_SUMMARY_MAX: usize = 2048;
pub const NONCE_MAX: usize = 50;
/// `ActionConfigurationValue`: UserParameters is one of the action's configuration values.
pub const CONFIGURATION_VALUE_MAX: usize = 1000;
/// `PipelineName`, `ArtifactName`.
pub const NAME_MAX: usize = 100;
/// A Lambda invoke action takes 0 to 5 input artifacts and 0 to 5 output artifacts.
pub const ARTIFACTS_MAX: usize = 5;
/// CodePipeline's quota on all output variables of one action, in bytes (keys and values).
pub const OUTPUT_VARIABLES_MAX_BYTES: usize = 122_880;

pub const FAILURE_TYPES: [&str; 6] = [
    "JobFailed",
    "ConfigurationError",
    "PermissionError",
    "RevisionOutOfSync",
    "RevisionUnavailable",
    "SystemUnavailable",
];

const JOB_ID_PATTERN: &str = "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}";
const OUTPUT_VARIABLE_KEY_PATTERN: &str = "[A-Za-z0-9@\\-_]+";
const PIPELINE_NAME_PATTERN: &str = "[A-Za-z0-9.@\\-_]+";
const ARTIFACT_NAME_PATTERN: &str = "[a-zA-Z0-9_\\-]+";

/// Collects constraint violations and turns them into one ValidationException, worded like
/// AWS: "2 validation errors detected: Value at 'x' failed to satisfy constraint: ...".
#[derive(Debug, Default)]
pub struct Violations(Vec<String>);

impl Violations {
    pub fn new() -> Self {
        Self::default()
    }

    /// The member must be present.
    pub fn required<T: ?Sized>(&mut self, path: &str, value: Option<&T>) {
        if value.is_none() {
            self.0.push(format!(
                "Value null at '{path}' failed to satisfy constraint: Member must not be null"
            ));
        }
    }

    /// A string member, when present, has `min..=max` characters.
    pub fn length(&mut self, path: &str, value: Option<&str>, min: usize, max: usize) {
        let Some(value) = value else { return };
        let chars = value.chars().count();
        if chars < min {
            self.0.push(format!(
                "Value at '{path}' failed to satisfy constraint: Member must have length \
                 greater than or equal to {min}"
            ));
        } else if chars > max {
            self.0.push(format!(
                "Value at '{path}' failed to satisfy constraint: Member must have length \
                 less than or equal to {max}"
            ));
        }
    }

    /// An integer member, when present, lies in `min..=max`.
    pub fn range(&mut self, path: &str, value: Option<i64>, min: i64, max: i64) {
        let Some(value) = value else { return };
        if value < min {
            self.0.push(format!(
                "Value '{value}' at '{path}' failed to satisfy constraint: Member must have \
                 value greater than or equal to {min}"
            ));
        } else if value > max {
            self.0.push(format!(
                "Value '{value}' at '{path}' failed to satisfy constraint: Member must have \
                 value less than or equal to {max}"
            ));
        }
    }

    /// A string member, when present, is one of `allowed`.
    pub fn one_of(&mut self, path: &str, value: Option<&str>, allowed: &[&str]) {
        let Some(value) = value else { return };
        if !allowed.contains(&value) {
            self.0.push(format!(
                "Value '{}' at '{path}' failed to satisfy constraint: Member must satisfy enum \
                 value set: [{}]",
                shown(value),
                allowed.join(", ")
            ));
        }
    }

    /// A job id, when present, is a lowercase UUID.
    pub fn job_id(&mut self, path: &str, value: Option<&str>) {
        if let Some(value) = value {
            self.pattern(path, value, JOB_ID_PATTERN, is_job_id(value));
        }
    }

    /// A pipeline name, when present: 1..=100 of `[A-Za-z0-9.@\-_]`.
    pub fn pipeline_name(&mut self, path: &str, value: Option<&str>) {
        self.length(path, value, 1, NAME_MAX);
        if let Some(value) = value {
            let matches = !value.is_empty()
                && value
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '@' | '-' | '_'));
            self.pattern(path, value, PIPELINE_NAME_PATTERN, matches);
        }
    }

    /// An artifact name: 1..=100 of `[a-zA-Z0-9_\-]`.
    pub fn artifact_name(&mut self, path: &str, value: &str) {
        self.length(path, Some(value), 1, NAME_MAX);
        let matches = !value.is_empty()
            && value
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_'));
        self.pattern(path, value, ARTIFACT_NAME_PATTERN, matches);
    }

    /// Output variable names match `[A-Za-z0-9@\-_]+`; values are free.
    pub fn output_variable_keys(&mut self, path: &str, variables: &BTreeMap<String, String>) {
        for key in variables.keys() {
            let matches = !key.is_empty()
                && key
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '@' | '-' | '_'));
            self.pattern(
                &format!("{path}.{}.member.key", shown(key)),
                key,
                OUTPUT_VARIABLE_KEY_PATTERN,
                matches,
            );
        }
    }

    /// A free-form violation (a rule that is not a single member's constraint).
    pub fn other(&mut self, message: String) {
        self.0.push(message);
    }

    pub fn into_result(self) -> Result<(), JobServiceError> {
        match self.0.len() {
            0 => Ok(()),
            1 => Err(JobServiceError::Validation(format!(
                "1 validation error detected: {}",
                self.0.join("; ")
            ))),
            n => Err(JobServiceError::Validation(format!(
                "{n} validation errors detected: {}",
                self.0.join("; ")
            ))),
        }
    }

    fn pattern(&mut self, path: &str, value: &str, pattern: &str, matches: bool) {
        if !matches {
            self.0.push(format!(
                "Value '{}' at '{path}' failed to satisfy constraint: Member must satisfy \
                 regular expression pattern: {pattern}",
                shown(value)
            ));
        }
    }
}

/// The size CodePipeline counts against its output variables quota: bytes of keys and values.
pub fn output_variables_size(variables: &BTreeMap<String, String>) -> usize {
    variables.iter().map(|(k, v)| k.len() + v.len()).sum()
}

/// Whether `value` is a job id as CodePipeline issues them (a lowercase UUID).
pub fn is_job_id(value: &str) -> bool {
    let groups: Vec<&str> = value.split('-').collect();
    let lengths = [8, 4, 4, 4, 12];
    groups.len() == lengths.len()
        && groups.iter().zip(lengths).all(|(group, len)| {
            group.len() == len
                && group
                    .bytes()
                    .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
        })
}

/// A value as it may appear in an error message: short, so a huge input cannot flood the reply.
fn shown(value: &str) -> String {
    const MAX: usize = 100;
    if value.chars().count() <= MAX {
        value.to_string()
    } else {
        let head: String = value.chars().take(MAX).collect();
        format!("{head}...")
    }
}

#[cfg(test)]
#[path = "validation_tests.rs"]
mod tests;
