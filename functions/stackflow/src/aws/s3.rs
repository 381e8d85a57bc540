//! S3: the input artifact, streamed to a temporary file under a cap, and the staging bucket's
//! objects (the staged template, the staged parameter values read back under a cap) and their
//! URL. What the objects hold is the callers' (`crate::steps::fetch_template`,
//! `crate::staged_parameters`).

use std::fs::File;
use std::io::{Seek, Write};

use aws_sdk_s3::operation::get_object::{GetObjectError, GetObjectOutput};
use aws_sdk_s3::primitives::ByteStream;
use aws_smithy_runtime_api::client::orchestrator::HttpResponse;
use aws_smithy_runtime_api::client::result::SdkError;

use crate::aws::error::{classify_sdk_error, code_and_message};
use crate::contract::{ArtifactLocation, StagedTemplate};
use crate::error::Error;
use crate::staged_parameters::{Secrets, StagedParameters, MAX_STAGED_BYTES};

/// PutObject of `body` (`what`, for messages) at `key` in the staging bucket.
pub async fn put_staged(
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
pub async fn download_artifact(
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
    let what = format!("artifact `{}` ({location})", artifact.name);
    let too_large = |size: u64| {
        Error::ArtifactInvalid(format!(
            "{what} is {size} bytes or more; the limit is {max_bytes} bytes"
        ))
    };
    let scratch_error = |e: std::io::Error| {
        Error::Misconfigured(format!(
            "{what} could not be written to temporary storage in {}: {e}; the function's \
             ephemeral storage must hold {max_bytes} bytes",
            std::env::temp_dir().display()
        ))
    };
    // A file in std::env::temp_dir() (Lambda's /tmp) that has no name: the kernel frees it
    // when it is closed, on success, on error, and even when the function is killed
    // mid-download, so no invocation leaves an artifact behind to fill /tmp.
    let mut file = tempfile::tempfile().map_err(scratch_error)?;
    // A blocking write, as the zip reading after it: /tmp is local, and the function handles
    // one event at a time.
    read_capped(output, max_bytes, &what, too_large, |chunk| {
        file.write_all(chunk).map_err(scratch_error)
    })
    .await?;
    file.rewind().map_err(scratch_error)?;
    Ok(file)
}

/// Streams a GetObject answer's body into `sink`, refusing a body over `max_bytes` by its
/// declared length first and by what arrives after (a body longer than declared is still cut
/// off): only one chunk is in memory at a time. `what` names the object in messages.
async fn read_capped(
    output: GetObjectOutput,
    max_bytes: u64,
    what: &str,
    too_large: impl Fn(u64) -> Error,
    mut sink: impl FnMut(&[u8]) -> Result<(), Error>,
) -> Result<(), Error> {
    let declared = output
        .content_length()
        .and_then(|length| u64::try_from(length).ok());
    if let Some(length) = declared.filter(|length| *length > max_bytes) {
        return Err(too_large(length));
    }
    let mut received = 0u64;
    let mut body = output.body;
    while let Some(chunk) = body
        .try_next()
        .await
        .map_err(|e| Error::Transient(format!("reading {what} from S3 failed: {e}")))?
    {
        received += chunk.len() as u64;
        if received > max_bytes {
            return Err(too_large(received));
        }
        sink(&chunk)?;
    }
    Ok(())
}

/// The staged parameter values of `template`: read from S3 when there are any (parameters
/// passed, or NoEcho parameters declared), and none otherwise.
pub async fn read_staged_parameters(
    s3: &aws_sdk_s3::Client,
    template: &StagedTemplate,
) -> Result<StagedParameters, Error> {
    if template.parameter_names.is_empty() && template.no_echo.is_empty() {
        return Ok(StagedParameters::default());
    }
    read_staged_object(s3, &template.bucket, &template.parameters_key).await
}

/// The values to mask for `template`: none without NoEcho parameters (and then S3 is not read).
pub async fn staged_secrets(
    s3: &aws_sdk_s3::Client,
    template: &StagedTemplate,
) -> Result<Secrets, Error> {
    if template.no_echo.is_empty() {
        return Ok(Secrets::none());
    }
    let staged = read_staged_object(s3, &template.bucket, &template.parameters_key).await?;
    Ok(Secrets::of(&staged, &template.no_echo))
}

async fn read_staged_object(
    s3: &aws_sdk_s3::Client,
    bucket: &str,
    key: &str,
) -> Result<StagedParameters, Error> {
    let location = format!("s3://{bucket}/{key}");
    let what = format!("the staged parameter values {location}");
    let output = s3
        .get_object()
        .bucket(bucket)
        .key(key)
        .send()
        .await
        .map_err(|err| {
            let missing = err
                .as_service_error()
                .is_some_and(GetObjectError::is_no_such_key)
                || code_and_message(&err).0.as_deref() == Some("NoSuchKey");
            if missing {
                Error::AwsError(format!(
                    "{what} are gone: fetch-template staged them for this deployment and the \
                     staging bucket expires them after a day; run the pipeline again"
                ))
            } else {
                classify_sdk_error(&format!("GetObject of {what}"), &err)
            }
        })?;
    let too_large = |size: u64| {
        Error::Misconfigured(format!(
            "{what} are {size} bytes or more; fetch-template stages at most {MAX_STAGED_BYTES}"
        ))
    };
    let mut body = Vec::new();
    read_capped(output, MAX_STAGED_BYTES, &what, too_large, |chunk| {
        body.extend_from_slice(chunk);
        Ok(())
    })
    .await?;
    StagedParameters::from_staged_json(&body, &location)
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
#[path = "s3_tests.rs"]
mod tests;
