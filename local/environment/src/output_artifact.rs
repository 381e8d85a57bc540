//! `run --output-artifact NAME`: what the job wrote at its output artifact's location in moto's
//! S3, listed for the run's report (`outputArtifact` in `--json`).

use std::io::{Cursor, Read, Write};

use aws_sdk_s3::operation::get_object::GetObjectError;
use serde::{Deserialize, Serialize};
use stackflow_job_service::ArtifactRecord;

use crate::error::{LocalError, Result};
use crate::provision::aws_text;

/// An entry's contents are read up to this many bytes; a longer one is listed without text.
pub const MAX_ENTRY_BYTES: u64 = 4 * 1024 * 1024;

/// The output artifact as the report shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OutputArtifactReport {
    pub name: String,
    pub bucket: String,
    pub key: String,
    /// Whether an object was at the location when the job ended.
    pub written: bool,
    pub entries: Vec<OutputEntry>,
}

/// One file of the output artifact's zip.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OutputEntry {
    pub path: String,
    /// Its uncompressed size in bytes.
    pub size: u64,
    /// Its contents when they are UTF-8 (and at most [`MAX_ENTRY_BYTES`]), so that a test can
    /// read `outputs.json` from the report.
    pub text: Option<String>,
}

impl OutputArtifactReport {
    /// The report of `artifact` holding `zip`, or of nothing written (`None`).
    pub fn from_zip(artifact: &ArtifactRecord, zip: Option<&[u8]>) -> Result<Self> {
        let entries = match zip {
            Some(bytes) => list_zip(&artifact.name, bytes)?,
            None => Vec::new(),
        };
        Ok(OutputArtifactReport {
            name: artifact.name.clone(),
            bucket: artifact.bucket.clone(),
            key: artifact.key.clone(),
            written: zip.is_some(),
            entries,
        })
    }

    /// The human-readable lines of `run`'s text output.
    pub fn print(&self, out: &mut dyn Write) {
        if !self.written {
            let _ = writeln!(out, "  output artifact {}: nothing was written", self.name);
            return;
        }
        let _ = writeln!(
            out,
            "  output artifact {}: s3://{}/{}",
            self.name, self.bucket, self.key
        );
        for entry in &self.entries {
            let _ = writeln!(out, "    {} ({} bytes)", entry.path, entry.size);
        }
    }
}

/// The files of a zip, in its order, with their text when they are UTF-8.
pub fn list_zip(name: &str, zip: &[u8]) -> Result<Vec<OutputEntry>> {
    let invalid = |e: &dyn std::fmt::Display| {
        LocalError::Environment(format!("output artifact {name} is not a readable zip: {e}"))
    };
    let mut archive = zip::ZipArchive::new(Cursor::new(zip)).map_err(|e| invalid(&e))?;
    let mut entries = Vec::with_capacity(archive.len());
    for index in 0..archive.len() {
        let mut file = archive.by_index(index).map_err(|e| invalid(&e))?;
        if file.is_dir() {
            continue;
        }
        let path = file.name().map_err(|e| invalid(&e))?.to_string();
        let size = file.size();
        let mut bytes = Vec::new();
        // One byte over the cap tells an entry that is too long to show from one that fits.
        (&mut file)
            .take(MAX_ENTRY_BYTES + 1)
            .read_to_end(&mut bytes)
            .map_err(|e| invalid(&e))?;
        let fits = bytes.len() as u64 <= MAX_ENTRY_BYTES;
        entries.push(OutputEntry {
            path,
            size,
            text: String::from_utf8(bytes).ok().filter(|_| fits),
        });
    }
    Ok(entries)
}

/// Read the output artifact's object from moto's S3: `None` when the job wrote nothing.
pub async fn read(s3: &aws_sdk_s3::Client, artifact: &ArtifactRecord) -> Result<Option<Vec<u8>>> {
    let location = format!("s3://{}/{}", artifact.bucket, artifact.key);
    let output = match s3
        .get_object()
        .bucket(&artifact.bucket)
        .key(&artifact.key)
        .send()
        .await
    {
        Ok(output) => output,
        Err(err) => {
            return match err.into_service_error() {
                GetObjectError::NoSuchKey(_) => Ok(None),
                other => Err(LocalError::Aws(format!(
                    "reading output artifact {} at {location}: {}",
                    artifact.name,
                    aws_text(&other)
                ))),
            }
        }
    };
    let body = output.body.collect().await.map_err(|e| {
        LocalError::Aws(format!(
            "reading output artifact {} at {location}: {e}",
            artifact.name
        ))
    })?;
    Ok(Some(body.into_bytes().to_vec()))
}

#[cfg(test)]
#[path = "output_artifact_tests.rs"]
mod tests;
