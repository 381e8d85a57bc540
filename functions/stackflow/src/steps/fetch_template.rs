//! FetchTemplate: read the template (and its configuration file) out of the input artifact and
//! stage the template in the staging bucket, so the state machine carries a URL, not a body.
//! The parameter values (the configuration file's merged with the UserParameters overrides)
//! are staged beside it: the state machine carries their location and names, never a value
//! (`crate::staged_parameters`).

use std::collections::BTreeMap;
use std::fs::File;
use std::io::{BufReader, Read, Seek, Write};

use aws_sdk_s3::operation::get_object::GetObjectError;
use aws_sdk_s3::primitives::ByteStream;
use aws_smithy_runtime_api::client::orchestrator::HttpResponse;
use aws_smithy_runtime_api::client::result::SdkError;

use crate::artifact_zip::ArtifactZip;
use crate::aws::error::{classify_sdk_error, code_and_message};
use crate::contract::{ArtifactLocation, DeploymentParams, FetchInput, StagedTemplate};
use crate::error::Error;
use crate::staged_parameters::{self, no_echo_parameters, staging_prefix, StagedParameters};
use crate::steps::validate_params::parse_user_parameters;
use crate::template_config::{self, TemplateConfig};

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
    let artifact = &params.artifact;
    // The override values come from the raw UserParameters, with the parser Validate
    // parameters checked them with: no earlier state carries them.
    let overrides = parse_user_parameters(&input.user_parameters)?.parameters;
    let zip_file = download(s3, artifact, MAX_ARTIFACT_BYTES).await?;
    let mut zip = ArtifactZip::open(&artifact.name, BufReader::new(zip_file))?;

    let (template, config) = read_template(&mut zip, params)?;
    let merged = config.merged_with(&overrides, &params.tags)?;
    let parameter_names: Vec<String> = merged.parameters.keys().cloned().collect();
    let (no_echo, no_echo_defaults) = masked_parameters(&template, &params.file, &parameter_names);

    let key = staging_key(&input.job_id, &params.file);
    let size = template.len() as u64;
    put(
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
    put(
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
    params: &DeploymentParams,
) -> Result<(String, TemplateConfig), Error> {
    let template = zip.read_text(&params.file, MAX_TEMPLATE_BYTES)?;
    if template.trim().is_empty() {
        return Err(Error::TemplateInvalid(format!(
            "template `{}` in artifact `{}` is empty",
            params.file, params.artifact.name
        )));
    }
    let config = match &params.config {
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

/// PutObject of `body` (`what`, for messages) at `key` in the staging bucket.
async fn put(
    s3: &aws_sdk_s3::Client,
    staging_bucket: &str,
    key: &str,
    body: Vec<u8>,
    what: &str,
) -> Result<(), Error> {
    s3.put_object()
        .bucket(staging_bucket)
        .key(key)
        .body(ByteStream::from(body))
        .send()
        .await
        .map(drop)
        .map_err(|err| {
            let context = format!("PutObject of {what} to s3://{staging_bucket}/{key}");
            match code_and_message(&err).0.as_deref() {
                Some("NoSuchBucket") => Error::Misconfigured(format!(
                    "{context}: the staging bucket does not exist; {} must name an existing bucket",
                    crate::config::STAGING_BUCKET
                )),
                _ => classify_sdk_error(&context, &err),
            }
        })
}

/// The artifact zip, streamed from S3 into an unnamed temporary file and rewound,
/// refusing objects over `max_bytes`: only one chunk of the body is in memory at a time.
async fn download(
    s3: &aws_sdk_s3::Client,
    artifact: &ArtifactLocation,
    max_bytes: u64,
) -> Result<File, Error> {
    let location = format!("s3://{}/{}", artifact.bucket, artifact.key);
    let output = s3
        .get_object()
        .bucket(&artifact.bucket)
        .key(&artifact.key)
        .send()
        .await
        .map_err(|err| get_error(artifact, &location, &err))?;
    let too_large = |size: u64| {
        Error::ArtifactInvalid(format!(
            "artifact `{}` ({location}) is {size} bytes or more; the limit is {max_bytes} bytes",
            artifact.name
        ))
    };
    let declared = output
        .content_length()
        .and_then(|length| u64::try_from(length).ok());
    if let Some(length) = declared.filter(|length| *length > max_bytes) {
        return Err(too_large(length));
    }
    let scratch_error = |e: std::io::Error| {
        Error::Misconfigured(format!(
            "artifact `{}` ({location}) could not be written to temporary storage in {}: {e}; \
             the function's ephemeral storage must hold {max_bytes} bytes",
            artifact.name,
            std::env::temp_dir().display()
        ))
    };
    // A file in std::env::temp_dir() (Lambda's /tmp) that has no name: the kernel frees it
    // when it is closed, on success, on error, and even when the function is killed
    // mid-download, so no invocation leaves an artifact behind to fill /tmp.
    let mut file = tempfile::tempfile().map_err(scratch_error)?;
    // A body longer than its declared length is still cut off at the cap.
    let mut written = 0u64;
    let mut body = output.body;
    while let Some(chunk) = body.try_next().await.map_err(|e| {
        Error::Transient(format!(
            "reading artifact `{}` ({location}) from S3 failed: {e}",
            artifact.name
        ))
    })? {
        written += chunk.len() as u64;
        if written > max_bytes {
            return Err(too_large(written));
        }
        // A blocking write, as the zip reading after it: /tmp is local, and the function
        // handles one event at a time.
        file.write_all(&chunk).map_err(scratch_error)?;
    }
    file.rewind().map_err(scratch_error)?;
    Ok(file)
}

fn get_error(
    artifact: &ArtifactLocation,
    location: &str,
    err: &SdkError<GetObjectError, HttpResponse>,
) -> Error {
    let code = code_and_message(err).0;
    let missing = err
        .as_service_error()
        .is_some_and(GetObjectError::is_no_such_key)
        || matches!(code.as_deref(), Some("NoSuchKey" | "NoSuchBucket"));
    if missing {
        return Error::ArtifactNotFound(format!(
            "artifact `{}` is not in S3: {location} ({})",
            artifact.name,
            code.as_deref().unwrap_or("NoSuchKey")
        ));
    }
    classify_sdk_error(
        &format!("GetObject of artifact `{}` ({location})", artifact.name),
        err,
    )
}

/// `stackflow/<jobId>/<file name>`: one key per job, so concurrent deployments never share
/// one, and a retried step overwrites its own.
pub fn staging_key(job_id: &str, file: &str) -> String {
    let name = file.rsplit('/').next().unwrap_or(file);
    format!("{}/{name}", staging_prefix(job_id))
}

/// The virtual-hosted-style URL of an object. CloudFormation accepts it; moto's CloudFormation
/// reads the bucket from the host's first label (so the bucket name must have no dots there).
pub fn template_url(bucket: &str, region: &str, key: &str) -> String {
    let domain = if region.starts_with("cn-") {
        "amazonaws.com.cn"
    } else {
        "amazonaws.com"
    };
    format!(
        "https://{bucket}.s3.{region}.{domain}/{}",
        percent_encode_path(key)
    )
}

/// Percent-encode everything in a key but unreserved characters and `/`.
fn percent_encode_path(key: &str) -> String {
    let mut out = String::with_capacity(key.len());
    for byte in key.bytes() {
        if byte.is_ascii_alphanumeric() || b"-_.~/".contains(&byte) {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

#[cfg(test)]
#[path = "fetch_template_tests.rs"]
mod tests;
