//! Parameter values stay out of the execution document: Step Functions shows every state's input
//! and output in its history, so a value that entered state would be copied into each later
//! state. fetch-template stages the values beside the template in the staging bucket (private,
//! encrypted, objects expire after a day) and the document carries their location, the
//! parameter names, and which of them are `NoEcho`. deploy-stack reads the values back to pass
//! them to CloudFormation; deploy-stack and check-stack read them to mask the `NoEcho` values
//! wherever an answer of CloudFormation's would carry one into state (a stack Output that
//! references the parameter, an error message that quotes it).

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use serde::{Deserialize, Serialize};

use crate::contract::StackProgress;
use crate::error::Error;
use crate::template_document::{scalar_text, TemplateDocument};

/// What a masked value reads, as CloudFormation shows a NoEcho parameter in DescribeStacks.
pub const MASK: &str = "****";

/// The staged object's name under the job's staging prefix. Templates are staged as
/// `<prefix>/<file name>`, one level down, so no template file name can take this key.
pub const PARAMETERS_OBJECT: &str = "staged/parameters.json";

/// The largest staged object read back, in bytes. CloudFormation takes at most 200 parameters
/// of at most 4 KB each; this leaves room for JSON escaping.
pub const MAX_STAGED_BYTES: u64 = 4 * 1024 * 1024;

/// The staged object: every parameter value passed to CloudFormation, and the defaults of the
/// template's `NoEcho` parameters (which are to be masked too, though nobody passes them).
///
/// Its `Debug` shows names only, so logging it cannot leak a value.
#[derive(Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct StagedParameters {
    /// Parameter name → value, as passed to CreateStack/UpdateStack.
    pub parameters: BTreeMap<String, String>,
    /// NoEcho parameter name → its `Default` in the template.
    #[serde(default)]
    pub no_echo_defaults: BTreeMap<String, String>,
}

impl fmt::Debug for StagedParameters {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("StagedParameters")
            .field("parameters", &self.parameters.keys().collect::<Vec<_>>())
            .field(
                "no_echo_defaults",
                &self.no_echo_defaults.keys().collect::<Vec<_>>(),
            )
            .finish()
    }
}

impl StagedParameters {
    /// The JSON body of the staged object.
    pub fn to_json(&self) -> String {
        // A struct of string maps always serializes.
        serde_json::to_string(self).unwrap_or_default()
    }
}

/// The key prefix of what stackflow stages in the staging bucket.
pub const STAGING_PREFIX: &str = "stackflow";

/// `stackflow/<jobId>`, the job id made safe for a key: what this job stages lies under it.
pub fn staging_prefix(job_id: &str) -> String {
    let job: String = job_id
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' || c == '.' {
                c
            } else {
                '_'
            }
        })
        .collect();
    format!("{STAGING_PREFIX}/{job}")
}

/// The staged object's key for the job `job_id`: `stackflow/<jobId>/staged/parameters.json`.
pub fn parameters_key(job_id: &str) -> String {
    format!("{}/{PARAMETERS_OBJECT}", staging_prefix(job_id))
}

impl StagedParameters {
    /// The staged object's bytes, read back from `location` (for messages).
    pub fn from_staged_json(body: &[u8], location: &str) -> Result<Self, Error> {
        serde_json::from_slice(body).map_err(|e| {
            // Position and category only: serde's own text can quote the value it choked on.
            Error::Misconfigured(format!(
                "the staged parameter values {location} are not what fetch-template stages \
                 ({:?} error at line {}, column {}); was the object replaced?",
                e.classify(),
                e.line(),
                e.column()
            ))
        })
    }
}

/// What the template's `Parameters` section says about NoEcho.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct NoEchoParameters {
    /// The names of the parameters declared `NoEcho`.
    pub names: BTreeSet<String>,
    /// Their `Default` values, where they have one.
    pub defaults: BTreeMap<String, String>,
}

impl fmt::Debug for NoEchoParameters {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("NoEchoParameters")
            .field("names", &self.names)
            .field("defaults", &self.defaults.keys().collect::<Vec<_>>())
            .finish()
    }
}

/// The NoEcho parameters the template `text` declares (JSON, or YAML with CloudFormation's
/// short-form tags such as `!Ref`), or `None` when its `Parameters` section cannot be read
/// here. CloudFormation judges the template; the caller then treats every parameter as NoEcho.
///
/// `NoEcho` counts unless it is `false` or `"false"` (any case): an odd value errs on the side
/// of masking.
pub fn no_echo_parameters(text: &str) -> Option<NoEchoParameters> {
    let document = TemplateDocument::parse(text).ok()?;
    let mut found = NoEchoParameters::default();
    let parameters = match document.section("Parameters") {
        None | Some(serde_yaml_ng::Value::Null) => return Some(found),
        Some(section) => section.as_mapping()?,
    };
    for (name, declaration) in parameters {
        let name = scalar_text(name)?;
        let declaration = declaration.as_mapping()?;
        let no_echo = declaration.get("NoEcho").is_some_and(|flag| {
            !matches!(flag, serde_yaml_ng::Value::Bool(false))
                && !flag
                    .as_str()
                    .is_some_and(|text| text.eq_ignore_ascii_case("false"))
        });
        if !no_echo {
            continue;
        }
        if let Some(default) = declaration.get("Default").and_then(scalar_text) {
            found.defaults.insert(name.clone(), default);
        }
        found.names.insert(name);
    }
    Some(found)
}

/// The values of a deployment's NoEcho parameters, to mask wherever they would enter state, a
/// message or a log. `Debug` shows only how many there are.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct Secrets {
    /// Non-empty, distinct, longest first (so a value inside another is not masked first).
    values: Vec<String>,
}

impl fmt::Debug for Secrets {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Secrets({} values)", self.values.len())
    }
}

impl Secrets {
    pub fn none() -> Secrets {
        Secrets::default()
    }

    /// The staged values of the parameters named in `no_echo`, and the NoEcho defaults.
    pub fn of(staged: &StagedParameters, no_echo: &[String]) -> Secrets {
        let passed = no_echo
            .iter()
            .filter_map(|name| staged.parameters.get(name));
        let mut values: Vec<String> = passed
            .chain(staged.no_echo_defaults.values())
            .filter(|value| !value.is_empty())
            .cloned()
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect();
        values.sort_by(|a, b| b.len().cmp(&a.len()).then_with(|| a.cmp(b)));
        Secrets { values }
    }

    pub fn is_empty(&self) -> bool {
        self.values.is_empty()
    }

    /// Whether `text` holds any of the values.
    pub fn found_in(&self, text: &str) -> bool {
        self.values
            .iter()
            .any(|value| text.contains(value.as_str()))
    }

    /// `text` with every occurrence of a value replaced by [`MASK`].
    pub fn redact(&self, text: &str) -> String {
        if !self.found_in(text) {
            return text.to_string();
        }
        self.values.iter().fold(text.to_string(), |text, value| {
            text.replace(value.as_str(), MASK)
        })
    }

    /// Stack outputs with every output that holds a value read as [`MASK`] as a whole:
    /// CloudFormation does not mask an Output that references a NoEcho parameter.
    pub fn mask_outputs(&self, outputs: BTreeMap<String, String>) -> BTreeMap<String, String> {
        outputs
            .into_iter()
            .map(|(key, value)| {
                let value = if self.found_in(&value) {
                    MASK.to_string()
                } else {
                    value
                };
                (key, value)
            })
            .collect()
    }

    /// A step's answer as it may enter state: outputs masked, an error's message redacted.
    pub fn mask_step(&self, result: Result<StackProgress, Error>) -> Result<StackProgress, Error> {
        if self.is_empty() {
            return result;
        }
        match result {
            Ok(progress) => Ok(StackProgress {
                outputs: self.mask_outputs(progress.outputs),
                ..progress
            }),
            Err(err) => Err(err.map_message(|message| self.redact(&message))),
        }
    }
}

#[cfg(test)]
#[path = "staged_parameters_tests.rs"]
mod tests;
