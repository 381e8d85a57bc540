//! The job's output artifact: a zip of files written where CodePipeline expects it, encrypted
//! with the artifact store's KMS key. What the files hold is the caller's
//! (`crate::steps::report_result`).

use std::io::{Cursor, Write};

use aws_sdk_s3::primitives::ByteStream;
use aws_sdk_s3::types::ServerSideEncryption;
use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, ZipWriter};

use crate::aws::error::classify_sdk_error;
use crate::contract::{ArtifactLocation, EncryptionKey};
use crate::error::Error;
use crate::settings::is_aws_managed_s3_key;

/// A deflated zip holding `entries` (path inside the zip, contents), in that order.
pub fn zip_entries(entries: &[(String, Vec<u8>)]) -> Result<Vec<u8>, Error> {
    // Writing to memory fails only on entries a zip cannot hold (a name twice, say).
    let failed = |e: &dyn std::fmt::Display| {
        Error::ArtifactInvalid(format!("the output artifact zip cannot be built: {e}"))
    };
    let mut writer = ZipWriter::new(Cursor::new(Vec::new()));
    let options = SimpleFileOptions::default().compression_method(CompressionMethod::Deflated);
    for (path, contents) in entries {
        writer
            .start_file(path.as_str(), options)
            .map_err(|e| failed(&format!("entry `{path}`: {e}")))?;
        writer
            .write_all(contents)
            .map_err(|e| failed(&format!("entry `{path}`: {e}")))?;
    }
    let cursor = writer.finish().map_err(|e| failed(&e))?;
    Ok(cursor.into_inner())
}

/// PutObject of a zip of `entries` at the output artifact's `location`, always with SSE-KMS:
/// the artifact store's bucket policy CodePipeline recommends (and its wizard sets) denies any
/// PutObject without `aws:kms` encryption
/// (https://docs.aws.amazon.com/codepipeline/latest/userguide/security_iam_resource-based-policy-examples.html,
/// "DenyUnEncryptedObjectUploads"). The job's customer managed key encrypts it; with none, or
/// with S3's AWS managed key, S3 uses its AWS managed key.
pub async fn write_output_artifact(
    s3: &aws_sdk_s3::Client,
    location: &ArtifactLocation,
    encryption_key: Option<&EncryptionKey>,
    entries: &[(String, Vec<u8>)],
) -> Result<(), Error> {
    let body = zip_entries(entries)?;
    let key_id = encryption_key
        .map(|key| key.id.trim())
        .filter(|id| !id.is_empty() && !is_aws_managed_s3_key(id));
    let (bucket, key) = (&location.bucket, &location.key);
    tracing::info!(
        artifact = %location.name,
        bucket = %bucket,
        key = %key,
        entries = entries.len(),
        bytes = body.len(),
        customer_key = key_id.is_some(),
        "writing the output artifact"
    );
    s3.put_object()
        .bucket(bucket)
        .key(key)
        .content_type("application/zip")
        .server_side_encryption(ServerSideEncryption::AwsKms)
        .set_ssekms_key_id(key_id.map(str::to_string))
        .body(ByteStream::from(body))
        .send()
        .await
        .map(drop)
        .map_err(|err| {
            let context = format!(
                "PutObject of output artifact `{}` to s3://{bucket}/{key}",
                location.name
            );
            match classify_sdk_error(&context, &err) {
                Error::AccessDenied(text) => Error::AccessDenied(format!(
                    "{text}; report-result's role needs s3:PutObject on the artifact bucket \
                     `{bucket}`, and kms:GenerateDataKey on {}",
                    match key_id {
                        Some(id) => format!("the artifact store's key `{id}`"),
                        None => "the artifact store's key, when it has one".to_string(),
                    }
                )),
                other => other,
            }
        })
}

#[cfg(test)]
#[path = "output_artifact_tests.rs"]
mod tests;
