#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::Cursor;
use std::sync::{Arc, Mutex};

use aws_sdk_s3::operation::put_object::{PutObjectError, PutObjectOutput};
use aws_smithy_mocks::{mock, Rule};
use aws_smithy_types::error::ErrorMetadata;

use super::*;
use crate::artifact_zip::ArtifactZip;
use crate::aws::stack_fixtures::s3_client;

const CUSTOMER_KEY: &str = "arn:aws:kms:us-east-1:111111111111:key/1234abcd";

fn location() -> ArtifactLocation {
    ArtifactLocation {
        name: "DeployOutput".into(),
        bucket: "codepipeline-us-east-1-1111".into(),
        key: "my-pipeline/DeployOutp/HiJkLmN".into(),
        revision: None,
    }
}

fn entries() -> Vec<(String, Vec<u8>)> {
    vec![
        (
            "outputs.json".into(),
            br#"{"QueueUrl":"https://q"}"#.to_vec(),
        ),
        ("dir/other.txt".into(), b"other".to_vec()),
    ]
}

fn key(id: &str) -> EncryptionKey {
    EncryptionKey {
        id: id.into(),
        key_type: "KMS".into(),
    }
}

/// What a PutObject asked: bucket, key, SSE, KMS key id, body.
#[derive(Debug, Clone, Default)]
struct Seen {
    bucket: Option<String>,
    key: Option<String>,
    sse: Option<ServerSideEncryption>,
    kms_key_id: Option<String>,
    body: Vec<u8>,
}

fn recording_put() -> (Rule, Arc<Mutex<Vec<Seen>>>) {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let record = Arc::clone(&seen);
    let rule = mock!(aws_sdk_s3::Client::put_object)
        .match_requests(move |req| {
            record.lock().unwrap().push(Seen {
                bucket: req.bucket().map(str::to_string),
                key: req.key().map(str::to_string),
                sse: req.server_side_encryption().cloned(),
                kms_key_id: req.ssekms_key_id().map(str::to_string),
                body: req.body().bytes().unwrap_or_default().to_vec(),
            });
            true
        })
        .then_output(|| PutObjectOutput::builder().build());
    (rule, seen)
}

async fn write_with(encryption_key: Option<&EncryptionKey>) -> Seen {
    let (put, seen) = recording_put();
    write_output_artifact(&s3_client(&[&put]), &location(), encryption_key, &entries())
        .await
        .unwrap();
    assert_eq!(put.num_calls(), 1);
    let seen = seen.lock().unwrap();
    assert_eq!(seen.len(), 1);
    seen[0].clone()
}

fn read_entry(zip: &[u8], path: &str) -> Vec<u8> {
    ArtifactZip::open("DeployOutput", Cursor::new(zip))
        .unwrap()
        .read(path, 1024)
        .unwrap()
}

#[test]
fn a_zip_of_entries_reads_back_with_the_artifact_reader() {
    let zip = zip_entries(&entries()).unwrap();
    for (path, contents) in entries() {
        assert_eq!(read_entry(&zip, &path), contents);
    }
    let archive = zip::ZipArchive::new(Cursor::new(&zip)).unwrap();
    let names: Vec<_> = archive.file_names().collect();
    assert_eq!(names.len(), 2);
}

#[test]
fn the_zip_is_deflated() {
    let zip = zip_entries(&[("a.json".into(), vec![b'a'; 4096])]).unwrap();
    let mut archive = zip::ZipArchive::new(Cursor::new(&zip)).unwrap();
    assert_eq!(
        archive.by_index(0).unwrap().compression(),
        CompressionMethod::Deflated
    );
    assert!(zip.len() < 1024, "{} bytes", zip.len());
}

#[test]
fn a_zip_of_nothing_is_an_empty_zip() {
    let zip = zip_entries(&[]).unwrap();
    assert_eq!(zip::ZipArchive::new(Cursor::new(&zip)).unwrap().len(), 0);
}

#[test]
fn an_entry_twice_is_refused() {
    let twice = vec![("a".to_string(), vec![]), ("a".to_string(), vec![])];
    assert_eq!(zip_entries(&twice).unwrap_err().name(), "ArtifactInvalid");
}

#[tokio::test]
async fn the_zip_is_put_at_the_artifacts_location_with_the_customer_key() {
    let seen = write_with(Some(&key(CUSTOMER_KEY))).await;
    assert_eq!(seen.bucket.as_deref(), Some("codepipeline-us-east-1-1111"));
    assert_eq!(seen.key.as_deref(), Some("my-pipeline/DeployOutp/HiJkLmN"));
    assert_eq!(seen.sse, Some(ServerSideEncryption::AwsKms));
    assert_eq!(seen.kms_key_id.as_deref(), Some(CUSTOMER_KEY));
    assert_eq!(
        read_entry(&seen.body, "outputs.json"),
        br#"{"QueueUrl":"https://q"}"#
    );
    assert_eq!(read_entry(&seen.body, "dir/other.txt"), b"other");
}

#[tokio::test]
async fn without_a_key_the_zip_is_still_kms_encrypted_with_s3s_managed_key() {
    let seen = write_with(None).await;
    assert_eq!(seen.sse, Some(ServerSideEncryption::AwsKms));
    assert_eq!(seen.kms_key_id, None);
}

#[tokio::test]
async fn s3s_aws_managed_key_is_not_named() {
    for id in [
        "alias/aws/s3",
        "arn:aws:kms:us-east-1:111111111111:alias/aws/s3",
        "  ",
    ] {
        let seen = write_with(Some(&key(id))).await;
        assert_eq!(seen.sse, Some(ServerSideEncryption::AwsKms), "{id}");
        assert_eq!(seen.kms_key_id, None, "{id}");
    }
}

fn refused(code: &'static str) -> Rule {
    mock!(aws_sdk_s3::Client::put_object).then_error(move || {
        PutObjectError::generic(ErrorMetadata::builder().code(code).message("no").build())
    })
}

#[tokio::test]
async fn a_refused_put_is_access_denied_naming_the_grants() {
    let put = refused("AccessDenied");
    let err = write_output_artifact(
        &s3_client(&[&put]),
        &location(),
        Some(&key(CUSTOMER_KEY)),
        &entries(),
    )
    .await
    .unwrap_err();
    assert_eq!(err.name(), "AccessDenied");
    let message = err.message();
    for part in [
        "PutObject of output artifact `DeployOutput` to \
         s3://codepipeline-us-east-1-1111/my-pipeline/DeployOutp/HiJkLmN: AccessDenied: no",
        "report-result's role needs s3:PutObject on the artifact bucket \
         `codepipeline-us-east-1-1111`",
        &format!("kms:GenerateDataKey on the artifact store's key `{CUSTOMER_KEY}`"),
    ] {
        assert!(message.contains(part), "{message}");
    }
}

#[tokio::test]
async fn a_refused_put_without_a_customer_key_names_the_key_generally() {
    let put = refused("AccessDenied");
    let err = write_output_artifact(&s3_client(&[&put]), &location(), None, &entries())
        .await
        .unwrap_err();
    assert_eq!(err.name(), "AccessDenied");
    assert!(
        err.message()
            .contains("kms:GenerateDataKey on the artifact store's key, when it has one"),
        "{err}"
    );
}

#[tokio::test]
async fn throttling_is_transient_and_other_errors_keep_their_code() {
    for (code, name) in [("SlowDown", "Transient"), ("NoSuchBucket", "AwsError")] {
        let put = refused(code);
        let err = write_output_artifact(&s3_client(&[&put]), &location(), None, &entries())
            .await
            .unwrap_err();
        assert_eq!(err.name(), name, "{code}: {err}");
        assert!(err.message().contains(code), "{err}");
        assert!(!err.message().contains("report-result's role"), "{err}");
    }
}
