//! ValidateParams: the action's UserParameters, parsed into a documented schema and checked
//! against the job before anything touches AWS, so a typo fails the pipeline at once with a
//! message that says where.

mod stack_options;

use std::collections::BTreeMap;
use std::fmt::Display;
use std::ops::RangeInclusive;

use serde_json::{Map, Value};

use crate::change_summary::CHANGE_SET_FILE;
use crate::contract::{
    ArtifactLocation, Capability, DeploymentParams, ExecutionInput, Mode, OutputTarget,
    StackOptions, TemplateSource,
};
use crate::error::Error;
use crate::input_rules::{is_parameter_name, json_error_text, kind, tag_problem};
use crate::mode_keys::{applies, keys_of, required_keys, ACCEPTED_KEYS, MODES};
use crate::parameter_values::{artifact_params, ParameterValue};
use crate::settings::{is_role_arn, ValidateSettings};

mod fields;
use fields::{wrong_type, Fields};

/// The UserParameters of the CodePipeline action: a JSON object (as text, in the action's
/// `UserParameters` setting). This is the reference for pipeline authors.
///
/// ```json
/// {
///   "mode": "deploy",
///   "stack": "my-app",
///   "artifact": "BuildOutput",
///   "file": "infra/template.yaml",
///   "config": "infra/prod.json",
///   "parameters": { "Env": "prod", "Replicas": 3 },
///   "capabilities": ["CAPABILITY_IAM"],
///   "roleArn": "arn:aws:iam::123456789012:role/cfn-deploy",
///   "tags": { "team": "payments" },
///   "replaceOnFailure": false,
///   "pollSeconds": 15,
///   "timeoutMinutes": 60,
///   "rollbackAlarms": ["arn:aws:cloudwatch:eu-west-1:123456789012:alarm:app-5xx"],
///   "monitoringMinutes": 10,
///   "terminationProtection": true,
///   "onFailure": "rollback",
///   "notificationArns": ["arn:aws:sns:eu-west-1:123456789012:deployments"]
/// }
/// ```
///
/// Any other key is an error (a misspelt key is never silently ignored), and so is a key that
/// does not apply to the mode (`crate::mode_keys`). A `null` value for an optional key means
/// the same as leaving the key out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserParameters {
    /// `mode` (optional, default `deploy`): `deploy`, `createChangeSet`, `executeChangeSet` or
    /// `delete`.
    pub mode: Mode,
    /// `stack` (required): the CloudFormation stack to create or update. A letter, then letters,
    /// digits and hyphens; at most 128 characters.
    pub stack: String,
    /// `artifact` (required by `deploy` and `createChangeSet`): the name of the action's input
    /// artifact (a zip) that holds the template.
    pub artifact: Option<String>,
    /// `file` (required with `artifact`): the template's path inside the artifact, relative to
    /// its root, with `/` separators. A leading `./` is allowed and dropped; absolute paths and
    /// `..` are not.
    pub file: Option<String>,
    /// `config` (optional): the path, inside the same artifact, of a CodePipeline template
    /// configuration file (`{"Parameters":{..},"Tags":{..},"StackPolicy":{..}}`). Same path
    /// rules as `file`.
    pub config: Option<String>,
    /// `parameters` (optional): template parameter values, by parameter name (letters and
    /// digits). They win over the configuration file's. Values are strings; a number or a
    /// boolean is accepted and passed as its JSON text (`3` → `"3"`, `true` → `"true"`); and
    /// `{"Fn::GetParam": ["artifact", "file.json", "key"]}` reads the value from a JSON file in
    /// an input artifact (`crate::parameter_values`).
    pub parameters: BTreeMap<String, ParameterValue>,
    /// `capabilities` (optional): the capabilities to acknowledge, any of `CAPABILITY_IAM`,
    /// `CAPABILITY_NAMED_IAM`, `CAPABILITY_AUTO_EXPAND`. Duplicates are dropped.
    pub capabilities: Vec<Capability>,
    /// `roleArn` (optional): the IAM service role CloudFormation assumes for the stack
    /// operation, `arn:<partition>:iam::<12-digit account>:role/<name>`; one of the roles the
    /// stackflow deployment allows (its template parameter `CloudFormationRoleArn`), whose first
    /// is the default when this is left out.
    pub role_arn: Option<String>,
    /// `tags` (optional): stack tags; they win over the configuration file's. CloudFormation's
    /// limits apply: at most 50 tags, keys of 1–128 characters not starting with `aws:`, values
    /// of 1–256 characters. Numbers and booleans are accepted as for `parameters`.
    pub tags: BTreeMap<String, String>,
    /// `replaceOnFailure` (optional, default `false`): when the stack is in a state it cannot be
    /// updated from (e.g. `ROLLBACK_COMPLETE`), delete it and create it again.
    pub replace_on_failure: bool,
    /// `pollSeconds` (optional, default 15): seconds before the first stack status check, 1–300;
    /// later waits grow with the operation's age (`crate::polling`).
    pub poll_seconds: u32,
    /// `changeSetName` (required by `createChangeSet` and `executeChangeSet`): the change set
    /// to create or execute. A letter, then letters, digits and hyphens; at most 128.
    pub change_set_name: Option<String>,
    /// `outputFile` (optional): a path; on success the stack outputs are written as a JSON
    /// object to that file in a zip at the action's output artifact. Same path rules as `file`.
    pub output_file: Option<String>,
    /// `timeoutMinutes` (optional, default 60): how long to wait for the stack to settle before
    /// failing the job, 1–1320 (22 hours, inside CodePipeline's 24 for the whole action).
    pub timeout_minutes: u32,
    /// `rollbackAlarms`, `monitoringMinutes`, `terminationProtection`, `onFailure`,
    /// `notificationArns` (optional): the stack options, each documented on
    /// `crate::contract::StackOptions` and checked in `stack_options`.
    pub options: StackOptions,
}

/// Every capability a user may acknowledge.
pub const ALL_CAPABILITIES: [Capability; 3] = [
    Capability::CapabilityIam,
    Capability::CapabilityNamedIam,
    Capability::CapabilityAutoExpand,
];

pub const DEFAULT_POLL_SECONDS: u32 = 15;
pub const POLL_SECONDS: RangeInclusive<u32> = 1..=300;
pub const DEFAULT_TIMEOUT_MINUTES: u32 = 60;
/// 22 hours: CodePipeline fails a Lambda invoke action after 24, counted from the first job;
/// the steps before the deadline starts, the hand-overs and the report after it, retries
/// included, need up to about 81 minutes of that (tests/agreement/budgets.rs).
pub const TIMEOUT_MINUTES: RangeInclusive<u32> = 1..=1320;

/// CloudFormation's stack name limit.
pub const MAX_STACK_NAME_CHARS: usize = 128;

/// Check the job's UserParameters and resolve them against its input artifacts and against
/// what this deployment of stackflow allows (`settings`). `now_unix` is the current time, from
/// which the deadline is counted.
pub fn validate(
    input: &ExecutionInput,
    settings: &ValidateSettings,
    now_unix: i64,
) -> Result<DeploymentParams, Error> {
    let user = parse_user_parameters(&input.user_parameters)?;
    let source = match (&user.artifact, &user.file) {
        (Some(name), Some(file)) => {
            let artifact = resolve_artifact(name, &input.input_artifacts)?;
            settings
                .artifact_store
                .check(&artifact, input.encryption_key.as_ref())?;
            let param_artifacts = param_artifacts(&user, &artifact, input, settings)?;
            Some(TemplateSource {
                artifact,
                file: file.clone(),
                config: user.config.clone(),
                param_artifacts,
            })
        }
        _ => None,
    };
    let output = match &user.output_file {
        Some(file) => Some(output_target(file, user.mode, input, settings)?),
        None => None,
    };
    let role_arn = settings.roles.resolve(user.role_arn.as_deref())?;
    let deadline = now_unix.saturating_add(i64::from(user.timeout_minutes) * 60);
    Ok(DeploymentParams {
        mode: user.mode,
        stack: user.stack,
        source,
        change_set_name: user.change_set_name,
        // Names only: a value here would ride in every later state (fetch-template reads the
        // values from the raw UserParameters).
        parameter_names: user.parameters.into_keys().collect(),
        capabilities: user.capabilities,
        role_arn: Some(role_arn),
        tags: user.tags,
        replace_on_failure: user.replace_on_failure,
        poll_seconds: user.poll_seconds,
        timeout_minutes: user.timeout_minutes,
        deadline,
        output,
        options: user.options,
    })
}

/// The other input artifacts `Fn::GetParam` values read, resolved to their S3 locations; each
/// must be an input artifact of the job, in the artifact store fetch-template may read.
fn param_artifacts(
    user: &UserParameters,
    template_artifact: &ArtifactLocation,
    input: &ExecutionInput,
    settings: &ValidateSettings,
) -> Result<Vec<ArtifactLocation>, Error> {
    let mut found: Vec<ArtifactLocation> = Vec::new();
    for param in artifact_params(&user.parameters) {
        let known = found.iter().any(|a| a.name == param.artifact);
        if param.artifact == template_artifact.name || known {
            continue;
        }
        let artifact = resolve_artifact(&param.artifact, &input.input_artifacts).map_err(|_| {
            let names: Vec<&str> = input
                .input_artifacts
                .iter()
                .map(|a| a.name.as_str())
                .collect();
            invalid(format_args!(
                "`parameters`: Fn::GetParam names artifact `{}`, which is not an input artifact \
                 of this action; its input artifacts are: {}",
                param.artifact,
                names.join(", ")
            ))
        })?;
        settings
            .artifact_store
            .check(&artifact, input.encryption_key.as_ref())?;
        found.push(artifact);
    }
    Ok(found)
}

/// Where `outputFile` goes: the job's output artifact (the first, as CloudFormation's own
/// action has one), in the artifact store report-result may write to.
fn output_target(
    file: &str,
    mode: Mode,
    input: &ExecutionInput,
    settings: &ValidateSettings,
) -> Result<OutputTarget, Error> {
    let Some(artifact) = input.output_artifacts.first() else {
        return Err(invalid(format_args!(
            "`outputFile` `{file}` is given, but the action has no output artifact to write it \
             to; add an output artifact to the action, or leave `outputFile` out"
        )));
    };
    settings.artifact_store.check_bucket(artifact)?;
    if file == CHANGE_SET_FILE && mode == Mode::CreateChangeSet {
        return Err(invalid(format_args!(
            "`outputFile` `{file}` is where a change set's changes go in the output artifact; \
             name the outputs file otherwise, e.g. `outputs.json`"
        )));
    }
    Ok(OutputTarget {
        artifact: artifact.clone(),
        file: file.to_string(),
        encryption_key: input.encryption_key.clone(),
    })
}

/// The smallest UserParameters, shown when they are not JSON.
const EXAMPLE: &str = r#"{"stack":"my-stack","artifact":"BuildOutput","file":"template.yaml"}"#;

/// Parse and check UserParameters on their own (everything that does not need the job).
pub fn parse_user_parameters(text: &str) -> Result<UserParameters, Error> {
    let value: Value = serde_json::from_str(text).map_err(|e| {
        invalid(format_args!(
            "not valid JSON {}; expected an object such as {EXAMPLE}",
            json_error_text(&e)
        ))
    })?;
    let Value::Object(map) = value else {
        return Err(invalid(format_args!(
            "must be a JSON object, got {}",
            kind(&value)
        )));
    };
    let mode = parse_mode(map.get("mode"))?;
    check_keys(mode, &map)?;
    let fields = Fields(map);
    let change_set_name = fields.optional_string("changeSetName")?;
    if let Some(problem) = change_set_name.and_then(change_set_name_problem) {
        return Err(invalid(format_args!("`changeSetName` {problem}")));
    }

    let stack = fields.required_string("stack")?;
    if let Some(problem) = stack_name_problem(stack) {
        return Err(invalid(format_args!("`stack` {problem}")));
    }
    let capabilities = fields.capabilities()?;
    let role_arn = fields.optional_string("roleArn")?;
    if let Some(arn) = role_arn {
        if !is_role_arn(arn) {
            return Err(invalid(format_args!(
                "`roleArn` `{arn}` is not an IAM role ARN \
                 (arn:aws:iam::<12-digit account>:role/<name>)"
            )));
        }
    }
    let parameters = fields.parameter_map()?;
    if let Some(name) = parameters.keys().find(|name| !is_parameter_name(name)) {
        return Err(invalid(format_args!(
            "`parameters` has `{name}`, which is not a CloudFormation parameter name \
             (letters and digits only)"
        )));
    }
    let tags = fields.scalar_map("tags")?;
    if let Some(problem) = tag_problem(&tags) {
        return Err(invalid(format_args!("`tags`: {problem}")));
    }
    // Required by the modes that deploy a template; refused by the others (`check_keys`).
    let (artifact, file) = if mode.uses_template() {
        let artifact = fields.required_string("artifact")?.to_string();
        let file = normalise_path("file", fields.required_string("file")?)?;
        (Some(artifact), Some(file))
    } else {
        (None, None)
    };

    Ok(UserParameters {
        mode,
        stack: stack.to_string(),
        artifact,
        file,
        config: fields.optional_path("config")?,
        parameters,
        capabilities,
        role_arn: role_arn.map(str::to_string),
        tags,
        replace_on_failure: fields.bool_or("replaceOnFailure", false)?,
        change_set_name: change_set_name.map(str::to_string),
        output_file: fields.optional_path("outputFile")?,
        poll_seconds: fields.integer_in("pollSeconds", POLL_SECONDS, DEFAULT_POLL_SECONDS)?,
        timeout_minutes: fields.integer_in(
            "timeoutMinutes",
            TIMEOUT_MINUTES,
            DEFAULT_TIMEOUT_MINUTES,
        )?,
        options: stack_options::parse(&fields)?,
    })
}

fn invalid(message: impl Display) -> Error {
    Error::InvalidParameters(format!("UserParameters: {message}"))
}

/// The `mode` key: one of [`MODES`], `deploy` when absent.
fn parse_mode(value: Option<&Value>) -> Result<Mode, Error> {
    let names = || {
        MODES
            .iter()
            .map(|mode| mode.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    };
    match value {
        None | Some(Value::Null) => Ok(Mode::Deploy),
        Some(Value::String(text)) => MODES
            .into_iter()
            .find(|mode| mode.as_str() == text)
            .ok_or_else(|| {
                invalid(format_args!(
                    "`mode` `{text}` is not a mode; the modes are: {}",
                    names()
                ))
            }),
        Some(other) => Err(wrong_type("mode", &format!("one of {}", names()), other)),
    }
}

/// Unknown keys (with a hint when only the case differs), keys the mode does not take, and
/// the mode's missing required keys.
fn check_keys(mode: Mode, map: &Map<String, Value>) -> Result<(), Error> {
    let unknown: Vec<String> = map
        .keys()
        .filter(|key| !ACCEPTED_KEYS.contains(&key.as_str()))
        .map(|key| {
            match ACCEPTED_KEYS
                .iter()
                .find(|accepted| accepted.eq_ignore_ascii_case(key))
            {
                Some(accepted) => format!("`{key}` (did you mean `{accepted}`?)"),
                None => format!("`{key}`"),
            }
        })
        .collect();
    let mode_keys = keys_of(mode).join(", ");
    if !unknown.is_empty() {
        let noun = if unknown.len() == 1 { "key" } else { "keys" };
        return Err(invalid(format_args!(
            "unknown {noun} {}; the accepted keys are: {}",
            unknown.join(", "),
            ACCEPTED_KEYS.join(", ")
        )));
    }
    let misplaced: Vec<String> = map
        .iter()
        .filter(|(key, value)| !value.is_null() && !applies(mode, key))
        .map(|(key, _)| format!("`{key}`"))
        .collect();
    if !misplaced.is_empty() {
        let (noun, verb) = if misplaced.len() == 1 {
            ("key", "does")
        } else {
            ("keys", "do")
        };
        return Err(invalid(format_args!(
            "{noun} {} {verb} not apply to mode `{}`; it takes: {mode_keys}",
            misplaced.join(", "),
            mode.as_str()
        )));
    }
    let missing: Vec<String> = required_keys(mode)
        .iter()
        .filter(|key| !map.contains_key(**key))
        .map(|key| format!("`{key}`"))
        .collect();
    if !missing.is_empty() {
        let noun = if missing.len() == 1 { "key" } else { "keys" };
        return Err(invalid(format_args!(
            "missing required {noun} {} for mode `{}`",
            missing.join(", "),
            mode.as_str()
        )));
    }
    Ok(())
}

/// Why CloudFormation would reject this stack name, if it would.
pub(crate) fn stack_name_problem(name: &str) -> Option<String> {
    let shape = "a letter, then letters, digits and hyphens";
    let mut chars = name.chars();
    match chars.next() {
        None => Some(format!("is empty; a stack name is {shape}")),
        Some(first) if !first.is_ascii_alphabetic() => Some(format!(
            "`{name}` does not start with a letter; a stack name is {shape}"
        )),
        _ if !chars.all(|c| c.is_ascii_alphanumeric() || c == '-') => Some(format!(
            "`{name}` has a character CloudFormation does not allow; a stack name is {shape}"
        )),
        _ if name.len() > MAX_STACK_NAME_CHARS => Some(format!(
            "is {} characters long; CloudFormation allows at most {MAX_STACK_NAME_CHARS}",
            name.len()
        )),
        _ => None,
    }
}

/// Why CloudFormation would reject this change set name, if it would (the same shape as a
/// stack name: `[a-zA-Z][-a-zA-Z0-9]*`, at most 128 characters).
fn change_set_name_problem(name: &str) -> Option<String> {
    stack_name_problem(name).map(|problem| problem.replace("a stack name", "a change set name"))
}

fn parse_capability(text: &str) -> Result<Capability, Error> {
    ALL_CAPABILITIES
        .into_iter()
        .find(|capability| capability.as_str() == text)
        .ok_or_else(|| {
            let accepted: Vec<&str> = ALL_CAPABILITIES.iter().map(|c| c.as_str()).collect();
            invalid(format_args!(
                "`capabilities` has `{text}`, which is not a capability; the accepted ones are: {}",
                accepted.join(", ")
            ))
        })
}

/// A path inside the artifact: relative, no `..`, `./` and `.` components dropped.
fn normalise_path(key: &str, raw: &str) -> Result<String, Error> {
    if raw.starts_with('/') {
        return Err(invalid(format_args!(
            "`{key}` `{raw}` is an absolute path; give the path inside the artifact, e.g. \
             `template.yaml` or `dir/template.yaml`"
        )));
    }
    let mut parts = Vec::new();
    for part in raw.split('/') {
        match part {
            "." => {}
            ".." => {
                return Err(invalid(format_args!(
                    "`{key}` `{raw}` has a `..` component; the path must stay inside the artifact"
                )))
            }
            "" => {
                return Err(invalid(format_args!(
                    "`{key}` `{raw}` is not a file path inside the artifact (empty, or an \
                     empty component such as `//` or a trailing `/`)"
                )))
            }
            _ => parts.push(part),
        }
    }
    if parts.is_empty() {
        return Err(invalid(format_args!(
            "`{key}` `{raw}` does not name a file"
        )));
    }
    Ok(parts.join("/"))
}

fn resolve_artifact(name: &str, artifacts: &[ArtifactLocation]) -> Result<ArtifactLocation, Error> {
    if let Some(found) = artifacts.iter().find(|artifact| artifact.name == name) {
        return Ok(found.clone());
    }
    let have = if artifacts.is_empty() {
        "the action has no input artifacts".to_string()
    } else {
        let names: Vec<&str> = artifacts.iter().map(|a| a.name.as_str()).collect();
        format!("its input artifacts are: {}", names.join(", "))
    };
    Err(invalid(format_args!(
        "`artifact` `{name}` is not an input artifact of this action; {have}"
    )))
}

#[cfg(test)]
#[path = "validate_params_tests.rs"]
mod tests;

#[cfg(test)]
#[path = "validate_params_mode_tests.rs"]
mod mode_tests;
