//! FetchTemplate: read the template (and its configuration file) out of the input artifact and
//! stage the template in the staging bucket, so the state machine carries a URL, not a body.
//! The parameter values (the configuration file's merged with the UserParameters overrides)
//! are staged beside it: the state machine carries their location and names, never a value
//! (`crate::staged_parameters`).

use std::collections::BTreeMap;
use std::io::{BufReader, Read, Seek};

use crate::artifact_zip::ArtifactZip;
use crate::aws::s3::{download_artifact, put_staged, template_url};
use crate::contract::{FetchInput, StagedTemplate, TemplateSource};
use crate::error::Error;
use crate::staged_parameters::{self, no_echo_parameters, staging_prefix, StagedParameters};
use crate::steps::validate_params::parse_user_parameters;
use crate::template_config::{self, TemplateConfig};

mod param_files;

/// The largest artifact zip read, in bytes (256 MiB). The zip is streamed to a temporary file,
/// not held in memory, so the function's ephemeral storage (`/tmp`, 512 MB by default) must
/// exceed this; larger artifacts are refused before their body is read.
pub const MAX_ARTIFACT_BYTES: u64 = 256 * 1024 * 1024;

/// CloudFormation's limit for a template read from S3 (1 MB); it bounds the configuration
/// file too.
pub const MAX_TEMPLATE_BYTES: u64 = 1_048_576;

/// Read the artifact with the function's own role, extract the template and the configuration
/// file, merge the overrides, and stage the template and the parameter values in
/// `staging_bucket`.
pub async fn fetch_template(
    s3: &aws_sdk_s3::Client,
    staging_bucket: &str,
    region: &str,
    input: &FetchInput,
) -> Result<StagedTemplate, Error> {
    let params = &input.params;
    let Some(source) = &params.source else {
        // The state machine fetches only for the modes that deploy a template.
        return Err(Error::Misconfigured(format!(
            "Fetch template ran for mode `{}`, which deploys no template: the state machine \
             definition and the functions are from different versions",
            params.mode.as_str()
        )));
    };
    let artifact = &source.artifact;
    // The override values come from the raw UserParameters, with the parser Validate
    // parameters checked them with: no earlier state carries them.
    let overrides = parse_user_parameters(&input.user_parameters)?.parameters;
    let zip_file = download_artifact(s3, artifact, MAX_ARTIFACT_BYTES).await?;
    let mut zip = ArtifactZip::open(&artifact.name, BufReader::new(zip_file))?;

    let (template, config) = read_template(&mut zip, source)?;
    let overrides = param_files::resolve_overrides(s3, source, &mut zip, overrides).await?;
    let merged = config.merged_with(&overrides, &params.tags)?;
    let parameter_names: Vec<String> = merged.parameters.keys().cloned().collect();
    let (no_echo, no_echo_defaults) = masked_parameters(&template, &source.file, &parameter_names);

    let key = staging_key(&input.job_id, &source.file);
    let size = template.len() as u64;
    put_staged(
        s3,
        staging_bucket,
        &key,
        template.into_bytes(),
        "the template",
    )
    .await?;
    tracing::info!(bucket = staging_bucket, key = %key, size, "staged the template");

    let staged = StagedParameters {
        parameters: merged.parameters,
        no_echo_defaults,
    };
    let parameters_key = staged_parameters::parameters_key(&input.job_id);
    put_staged(
        s3,
        staging_bucket,
        &parameters_key,
        staged.to_json().into_bytes(),
        "the parameter values",
    )
    .await?;
    tracing::info!(
        bucket = staging_bucket,
        key = %parameters_key,
        parameters = ?parameter_names,
        no_echo = ?no_echo,
        "staged the parameter values"
    );

    Ok(StagedTemplate {
        template_url: template_url(staging_bucket, region, &key),
        bucket: staging_bucket.to_string(),
        key,
        size,
        parameters_key,
        parameter_names,
        no_echo,
        tags: merged.tags,
        stack_policy_body: merged.stack_policy,
    })
}

/// The template (never empty) and the template-configuration file (empty when none is named)
/// from the artifact.
fn read_template<R: Read + Seek>(
    zip: &mut ArtifactZip<'_, R>,
    source: &TemplateSource,
) -> Result<(String, TemplateConfig), Error> {
    let template = zip.read_text(&source.file, MAX_TEMPLATE_BYTES)?;
    if template.trim().is_empty() {
        return Err(Error::TemplateInvalid(format!(
            "template `{}` in artifact `{}` is empty",
            source.file, source.artifact.name
        )));
    }
    let config = match &source.config {
        Some(path) => template_config::parse(path, &zip.read_text(path, MAX_TEMPLATE_BYTES)?)?,
        None => TemplateConfig::default(),
    };
    Ok((template, config))
}

/// The parameters to mask and the NoEcho defaults: those the template declares `NoEcho`, or,
/// when its Parameters cannot be read here, every parameter passed (`parameter_names`).
fn masked_parameters(
    template: &str,
    file: &str,
    parameter_names: &[String],
) -> (Vec<String>, BTreeMap<String, String>) {
    match no_echo_parameters(template) {
        Some(declared) => (declared.names.into_iter().collect(), declared.defaults),
        None => {
            tracing::warn!(
                file = %file,
                "the template's Parameters section could not be read here; every parameter is \
                 masked as if NoEcho"
            );
            (parameter_names.to_vec(), BTreeMap::new())
        }
    }
}

/// `stackflow/<jobId>/<file name>`: one key per job, so concurrent deployments never share
/// one, and a retried step overwrites its own.
pub fn staging_key(job_id: &str, file: &str) -> String {
    let name = file.rsplit('/').next().unwrap_or(file);
    format!("{}/{name}", staging_prefix(job_id))
}

#[cfg(test)]
#[path = "fetch_template_tests.rs"]
mod tests;
