//! The documented rules the parsers of hostile input must keep, checked on one input: the
//! CodePipeline job event, the UserParameters, the template-configuration file and the artifact
//! zip. The fuzz targets (fuzz/fuzz_targets) call these on every input the fuzzer makes, and a
//! test (tests/fuzz_corpus.rs) replays every committed seed of fuzz/corpus through them, so the
//! test command runs the same checks without the fuzzer. Each answers `Err` with the rule an
//! input broke (the callers turn it into a failure); none panics.

use std::collections::BTreeMap;
use std::io::Cursor;

use aws_lambda_events::event::codepipeline_job::CodePipelineJobEvent;

use crate::artifact_zip::ArtifactZip;
use crate::codepipeline::hand_over::token::HandOverToken;
use crate::codepipeline::job_event::JobRequest;
use crate::contract::{ArtifactLocation, DeploymentParams, ExecutionInput};
use crate::error::Error;
use crate::input_rules::{is_parameter_name, tag_problem};
use crate::settings::{ArtifactStore, ServiceRoles, ValidateSettings};
use crate::steps::fetch_template::MAX_TEMPLATE_BYTES;
use crate::steps::validate_params::{self, POLL_SECONDS, TIMEOUT_MINUTES};
use crate::template_config;

/// A broken rule, described.
pub type Broken = String;

fn rule(kept: bool, broken: impl FnOnce() -> String) -> Result<(), Broken> {
    if kept {
        Ok(())
    } else {
        Err(broken())
    }
}

/// An error must be of one of these kinds.
fn error_of(err: &Error, names: &[&str], what: &str) -> Result<(), Broken> {
    rule(names.contains(&err.name()), || {
        format!(
            "{what} failed with {}, not one of {names:?}: {err}",
            err.name()
        )
    })
}

/// The time validate-params is told it is.
const NOW: i64 = 1_700_000_000;
const ROLE: &str = "arn:aws:iam::111111111111:role/deployer";
const BUCKET: &str = "codepipeline-us-east-1-111111111111";

/// The UserParameters `data`, checked as validate-params checks them against a two-artifact job.
/// A refusal is `InvalidParameters` starting "UserParameters: "; what is accepted names a valid
/// stack, one of the job's artifacts, paths inside it, an allowed role, tags within
/// CloudFormation's limits, `pollSeconds` and `timeoutMinutes` in range and the deadline they give.
pub fn user_parameters(data: &[u8]) -> Result<(), Broken> {
    // UserParameters reach the function as a JSON string of the event, so always UTF-8.
    let Ok(text) = std::str::from_utf8(data) else {
        return Ok(());
    };
    let artifact = |name: &str| ArtifactLocation {
        name: name.to_string(),
        bucket: BUCKET.to_string(),
        key: format!("pipeline/{name}/AbCdEfG"),
        revision: None,
    };
    let input = ExecutionInput {
        job_id: "11111111-abcd-1111-abcd-111111abcdef".to_string(),
        user_parameters: text.to_string(),
        input_artifacts: vec![artifact("SourceArtifact"), artifact("BuildOutput")],
        output_artifacts: vec![artifact("DeployOutput")],
        encryption_key: None,
        current_job: None,
    };
    let settings = ValidateSettings {
        roles: ServiceRoles::parse(ROLE).map_err(|err| err.to_string())?,
        artifact_store: ArtifactStore {
            bucket: BUCKET.to_string(),
            key_arn: None,
        },
    };
    let params = match validate_params::validate(&input, &settings, NOW) {
        Ok(params) => params,
        Err(err) => {
            error_of(&err, &["InvalidParameters"], "validation")?;
            return rule(err.message().starts_with("UserParameters: "), || {
                format!("the refusal does not say it is about UserParameters: {err}")
            });
        }
    };
    accepted(&params, &input)
}

/// What accepted UserParameters must meet.
fn accepted(params: &DeploymentParams, input: &ExecutionInput) -> Result<(), Broken> {
    let stack = &params.stack;
    rule(validate_params::stack_name_problem(stack).is_none(), || {
        format!("stack name {stack:?} accepted")
    })?;
    rule(
        params.source.is_some() == params.mode.uses_template(),
        || {
            format!(
                "mode {:?} with template source {:?}",
                params.mode, params.source
            )
        },
    )?;
    if let Some(source) = &params.source {
        rule(input.input_artifacts.contains(&source.artifact), || {
            format!("artifact {:?} is not one of the job's", source.artifact)
        })?;
        rule(inside_the_artifact(&source.file), || {
            format!("file {:?} accepted", source.file)
        })?;
        rule(
            source.config.as_deref().is_none_or(inside_the_artifact),
            || format!("config {:?} accepted", source.config),
        )?;
    }
    rule(
        params
            .output
            .as_ref()
            .is_none_or(|output| inside_the_artifact(&output.file)),
        || format!("outputFile {:?} accepted", params.output),
    )?;
    rule(params.role_arn.as_deref() == Some(ROLE), || {
        format!("role {:?} accepted", params.role_arn)
    })?;
    rule(
        params.parameter_names.iter().all(|n| is_parameter_name(n)),
        || format!("parameter names {:?} accepted", params.parameter_names),
    )?;
    rule(tag_problem(&params.tags).is_none(), || {
        format!("tags {:?} accepted", params.tags)
    })?;
    rule(POLL_SECONDS.contains(&params.poll_seconds), || {
        format!("pollSeconds {} accepted", params.poll_seconds)
    })?;
    rule(TIMEOUT_MINUTES.contains(&params.timeout_minutes), || {
        format!("timeoutMinutes {} accepted", params.timeout_minutes)
    })?;
    rule(
        params.deadline == NOW + i64::from(params.timeout_minutes) * 60,
        || format!("deadline {} for {params:?}", params.deadline),
    )?;
    // What the next states get must serialise.
    rule(serde_json::to_string(&params).is_ok(), || {
        "the parameters do not serialise".to_string()
    })
}

/// A relative path of named parts: nothing that could leave the artifact.
fn inside_the_artifact(path: &str) -> bool {
    !path.is_empty()
        && path
            .split('/')
            .all(|part| !part.is_empty() && part != "." && part != "..")
}

/// The template-configuration file `data`, parsed and merged with UserParameters overrides as
/// fetch-template does. A refusal is `TemplateInvalid`; what is accepted has CloudFormation
/// parameter names, tags within the limits and the file's own stack policy, and after the merge
/// the overrides win and every other entry of the file stays.
pub fn template_config(data: &[u8]) -> Result<(), Broken> {
    // fetch-template refuses a file that is not UTF-8 before parsing it.
    let Ok(text) = std::str::from_utf8(data) else {
        return Ok(());
    };
    let config = match template_config::parse("config.json", text) {
        Ok(config) => config,
        Err(err) => return error_of(&err, &["TemplateInvalid"], "parsing"),
    };
    rule(
        config.parameters.keys().all(|n| is_parameter_name(n)),
        || format!("parameter names {:?} accepted", config.parameters.keys()),
    )?;
    rule(tag_problem(&config.tags).is_none(), || {
        format!("tags {:?} accepted", config.tags)
    })?;
    if let Some(policy) = &config.stack_policy {
        let kept: serde_json::Value = serde_json::from_str(policy).map_err(|e| e.to_string())?;
        let file: serde_json::Value =
            serde_json::from_str(text.strip_prefix('\u{feff}').unwrap_or(text))
                .map_err(|e| e.to_string())?;
        rule(file.get("StackPolicy") == Some(&kept), || {
            format!("the stack policy {policy} is not the file's")
        })?;
    }
    let parameters = BTreeMap::from([("Environment".to_string(), "prod".to_string())]);
    let tags = BTreeMap::from([("team".to_string(), "payments".to_string())]);
    let merged = match config.clone().merged_with(&parameters, &tags) {
        Ok(merged) => merged,
        Err(err) => return error_of(&err, &["TemplateInvalid"], "merging"),
    };
    for (mine, theirs, overrides, what) in [
        (
            &merged.parameters,
            &config.parameters,
            &parameters,
            "parameter",
        ),
        (&merged.tags, &config.tags, &tags, "tag"),
    ] {
        let mut expected_keys = theirs.keys().chain(overrides.keys());
        rule(expected_keys.all(|k| mine.contains_key(k)), || {
            format!("a {what} got lost in the merge: {mine:?}")
        })?;
        for (name, value) in mine {
            let expected = overrides.get(name).or_else(|| theirs.get(name));
            rule(expected == Some(value), || {
                format!("{what} {name} is {value:?} after the merge, not {expected:?}")
            })?;
        }
    }
    rule(merged.stack_policy == config.stack_policy, || {
        "the merge changed the stack policy".to_string()
    })
}

/// The CodePipeline job event `data`, decoded as lambda_runtime decodes it, redacted into a
/// `JobRequest` and turned into the execution input. A refusal is `InvalidEvent`; an accepted
/// job has an id and every input and output artifact with a name and an S3 location; and no artifact
/// credential reaches the request, the execution input or the error.
pub fn job_event(data: &[u8]) -> Result<(), Broken> {
    let Ok(event) = serde_json::from_slice::<CodePipelineJobEvent>(data) else {
        return Ok(());
    };
    let credentials = event.code_pipeline_job.data.artifact_credentials.clone();
    let artifacts = event.code_pipeline_job.data.input_artifacts.len();
    let outputs = event.code_pipeline_job.data.out_put_artifacts.len();
    let mut without_credentials = event.clone();
    without_credentials
        .code_pipeline_job
        .data
        .artifact_credentials = Default::default();
    let rest = serde_json::to_string(&without_credentials).unwrap_or_default();

    let seen = match JobRequest::from_event(event) {
        Ok(job) => {
            rule(!job.job_id.trim().is_empty(), || "an empty job id".into())?;
            rule(job.input_artifacts.len() == artifacts, || {
                format!("{artifacts} artifacts became {:?}", job.input_artifacts)
            })?;
            rule(job.output_artifacts.len() == outputs, || {
                format!("{outputs} outputs became {:?}", job.output_artifacts)
            })?;
            rule(
                job.input_artifacts
                    .iter()
                    .chain(&job.output_artifacts)
                    .all(|a| {
                        !a.name.trim().is_empty()
                            && !a.bucket.trim().is_empty()
                            && !a.key.trim().is_empty()
                    }),
                || format!("an artifact without a location: {job:?}"),
            )?;
            if let Some(token) = &job.continuation_token {
                let _ = HandOverToken::decode(token);
            }
            let input = serde_json::to_string(&job.execution_input(NOW)).unwrap_or_default();
            format!("{job:?}\n{input}")
        }
        Err(err) => {
            error_of(&err, &["InvalidEvent"], "reading the event")?;
            format!("{err:?}\n{err}")
        }
    };
    let secrets = [
        credentials.access_key_id,
        credentials.secret_access_key,
        credentials.session_token,
    ];
    for secret in secrets.into_iter().flatten() {
        // Only values that look like credentials (so no escaping can make them up) and that the
        // rest of the event does not also hold (a job id may equal a secret by chance).
        let credential_like = secret.len() >= 8
            && secret
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"+/=".contains(&b));
        if credential_like && !rest.contains(&secret) {
            rule(!seen.contains(&secret), || {
                format!("a credential leaked: {secret}")
            })?;
        }
    }
    Ok(())
}

/// The limit [`artifact_zip`] also reads with, to see it kept whatever the headers say.
const SMALL_LIMIT: u64 = 64;

/// The artifact zip `data`, read as fetch-template reads it: the template, the configuration
/// file, and a name that may not be there. A refusal is `ArtifactInvalid`, `ArtifactNotFound` or
/// `TemplateInvalid`; no entry comes back larger than the limit it was read with (a zip bomb
/// costs at most the limit), the same entry reads the same under any limit it fits, and the text
/// of an entry is its bytes.
pub fn artifact_zip(data: &[u8]) -> Result<(), Broken> {
    const KINDS: &[&str] = &["ArtifactInvalid", "ArtifactNotFound", "TemplateInvalid"];
    let mut zip = match ArtifactZip::open("SourceArtifact", Cursor::new(data)) {
        Ok(zip) => zip,
        Err(err) => return error_of(&err, &["ArtifactInvalid"], "opening"),
    };
    for path in ["template.yaml", "config.json", "missing.yaml"] {
        let full = match zip.read(path, MAX_TEMPLATE_BYTES) {
            Ok(bytes) => Some(bytes),
            Err(err) => {
                error_of(&err, KINDS, "reading")?;
                None
            }
        };
        if let Some(bytes) = &full {
            rule(bytes.len() as u64 <= MAX_TEMPLATE_BYTES, || {
                format!("{path}: {} bytes past the limit", bytes.len())
            })?;
        }
        match zip.read(path, SMALL_LIMIT) {
            Ok(small) => rule(full.as_ref() == Some(&small), || {
                format!("{path} reads differently under the small limit")
            })?,
            Err(err) => error_of(&err, KINDS, "reading")?,
        }
        if let Some(bytes) = full.as_ref().filter(|b| b.len() as u64 > SMALL_LIMIT) {
            rule(zip.read(path, SMALL_LIMIT).is_err(), || {
                format!(
                    "{path}: {} bytes read under a limit of {SMALL_LIMIT}",
                    bytes.len()
                )
            })?;
        }
        match zip.read_text(path, MAX_TEMPLATE_BYTES) {
            Ok(text) => rule(full.as_deref() == Some(text.as_bytes()), || {
                format!("{path}: its text is not its bytes")
            })?,
            Err(err) => error_of(&err, KINDS, "reading text")?,
        }
    }
    Ok(())
}

#[cfg(test)]
#[path = "fuzz_checks_tests.rs"]
mod tests;
