#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

//! FetchTemplate on large, broken or incomplete artifacts, and without its staging bucket.

use super::*;
use crate::aws::s3::template_url;

/// A zip of the template and `padding` bytes that do not compress, stored as they are.
fn large_zip(padding: usize) -> Vec<u8> {
    let mut state = 0x9e37_79b9_7f4a_7c15_u64;
    let noise: Vec<u8> = (0..padding)
        .map(|_| {
            // xorshift64: cheap bytes deflate cannot shrink.
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state.to_le_bytes()[0]
        })
        .collect();
    let mut writer = ZipWriter::new(Cursor::new(Vec::new()));
    let stored = SimpleFileOptions::default().compression_method(CompressionMethod::Stored);
    writer.start_file("assets/blob.bin", stored).unwrap();
    writer.write_all(&noise).unwrap();
    writer.start_file("infra/t.yaml", stored).unwrap();
    writer.write_all(TEMPLATE.as_bytes()).unwrap();
    writer.finish().unwrap().into_inner()
}

/// GetObject answering with `bytes` as a body of `chunk`-byte chunks, as S3 streams one, with
/// its length declared or not.
async fn chunked_artifact_rule(bytes: &[u8], chunk: usize, declared: bool) -> Rule {
    let mut source = tempfile::NamedTempFile::new().unwrap();
    source.write_all(bytes).unwrap();
    let body = ByteStream::read_from()
        .path(source.path())
        .buffer_size(chunk)
        .build()
        .await
        .unwrap();
    let length = declared.then_some(bytes.len() as i64);
    // The stream opens the file by its path when read: the closure keeps it.
    let body = std::sync::Mutex::new((source, Some(body)));
    mock!(Client::get_object).then_output(move || {
        GetObjectOutput::builder()
            .set_content_length(length)
            .set_body(body.lock().unwrap().1.take())
            .build()
    })
}

#[tokio::test]
async fn a_large_artifact_is_streamed_to_an_unnamed_temporary_file() {
    let zip = large_zip(8 * 1024 * 1024);
    let get = chunked_artifact_rule(&zip, 64 * 1024, true).await;
    let s3 = client(&[&get]);

    let mut file = download_artifact(&s3, &artifact_of(&fetch_input(None)), MAX_ARTIFACT_BYTES)
        .await
        .unwrap();

    assert_eq!(file.metadata().unwrap().len(), zip.len() as u64);
    let mut copied = Vec::new();
    std::io::Read::read_to_end(&mut file, &mut copied).unwrap();
    assert!(copied == zip, "the file does not hold the artifact as sent");
    #[cfg(target_os = "linux")]
    {
        // The open file is in the temp directory, and no name leads to it: nothing to clean
        // up, whatever happens next.
        use std::os::fd::AsRawFd;
        let target = std::fs::read_link(format!("/proc/self/fd/{}", file.as_raw_fd())).unwrap();
        let temp_dir = std::env::temp_dir().canonicalize().unwrap();
        assert!(target.starts_with(&temp_dir), "{}", target.display());
        assert!(
            target.to_string_lossy().ends_with(" (deleted)"),
            "{}",
            target.display()
        );
    }
}

#[tokio::test]
async fn a_large_artifact_is_read_from_the_file_and_staged() {
    let get = chunked_artifact_rule(&large_zip(8 * 1024 * 1024), 64 * 1024, true).await;
    let put = staging_rule();
    let staged = fetch(&[&get, &put], &fetch_input(None)).await.unwrap();
    assert_eq!(put.num_calls(), 1);
    assert_eq!(staged.size, TEMPLATE.len() as u64);
}

#[tokio::test]
async fn the_cap_holds_across_chunks() {
    let get = chunked_artifact_rule(&[0u8; 100], 16, false).await;
    let s3 = client(&[&get]);
    let err = download_artifact(&s3, &artifact_of(&fetch_input(None)), 50)
        .await
        .unwrap_err();
    // Refused at the first chunk that passes it, not after the whole body.
    assert_eq!(
        err.message(),
        "artifact `BuildOutput` (s3://artifacts/pipe/BuildOutp/abc) is 64 bytes or more; \
         the limit is 50 bytes"
    );
}

#[tokio::test]
async fn an_artifact_that_is_not_a_zip_is_invalid() {
    let get = artifact_rule(TEMPLATE.as_bytes().to_vec());
    let err = fetch(&[&get], &fetch_input(None)).await.unwrap_err();
    assert_eq!(err.name(), "ArtifactInvalid");
    assert!(
        err.message()
            .starts_with("artifact `BuildOutput` is not a zip archive"),
        "{err}"
    );
}

#[tokio::test]
async fn a_missing_template_lists_the_zip() {
    let get = artifact_rule(zip_of(&[("other.yaml", TEMPLATE)]));
    let err = fetch(&[&get], &fetch_input(None)).await.unwrap_err();
    assert_eq!(
        err,
        Error::ArtifactNotFound(
            "artifact `BuildOutput` has no file `infra/t.yaml`; its 1 file is: other.yaml".into()
        )
    );
}

#[tokio::test]
async fn a_missing_configuration_file_lists_the_zip() {
    let get = artifact_rule(zip_of(&[("infra/t.yaml", TEMPLATE)]));
    let put = staging_rule();
    let err = fetch(&[&get, &put], &fetch_input(Some("infra/c.json")))
        .await
        .unwrap_err();
    assert_eq!(err.name(), "ArtifactNotFound");
    assert!(
        err.message()
            .contains("no file `infra/c.json`; its 1 file is: infra/t.yaml"),
        "{err}"
    );
    assert_eq!(put.num_calls(), 0);
}

#[tokio::test]
async fn a_broken_configuration_file_is_an_invalid_template() {
    let get = artifact_rule(zip_of(&[
        ("infra/t.yaml", TEMPLATE),
        ("infra/c.json", "{\"Parameter\":{}}"),
    ]));
    let err = fetch(&[&get], &fetch_input(Some("infra/c.json")))
        .await
        .unwrap_err();
    assert_eq!(err.name(), "TemplateInvalid");
    assert!(err.message().contains("unknown key `Parameter`"), "{err}");
}

#[tokio::test]
async fn an_empty_template_is_invalid() {
    let get = artifact_rule(zip_of(&[("infra/t.yaml", " \n")]));
    let err = fetch(&[&get], &fetch_input(None)).await.unwrap_err();
    assert_eq!(
        err,
        Error::TemplateInvalid("template `infra/t.yaml` in artifact `BuildOutput` is empty".into())
    );
}

#[tokio::test]
async fn a_missing_staging_bucket_is_a_deployment_mistake() {
    let get = artifact_rule(zip_of(&[("infra/t.yaml", TEMPLATE)]));
    let err = fetch(&[&get, &put_error("NoSuchBucket")], &fetch_input(None))
        .await
        .unwrap_err();
    assert_eq!(err.name(), "Misconfigured");
    assert!(err.message().contains("STAGING_BUCKET"), "{err}");
}

#[tokio::test]
async fn a_refused_staging_write_is_access_denied() {
    let get = artifact_rule(zip_of(&[("infra/t.yaml", TEMPLATE)]));
    let err = fetch(&[&get, &put_error("AccessDenied")], &fetch_input(None))
        .await
        .unwrap_err();
    assert_eq!(err.name(), "AccessDenied");
    assert!(
        err.message()
            .contains("s3://staging/stackflow/job-1/t.yaml"),
        "{err}"
    );
}

#[test]
fn staging_keys_are_per_job_and_safe() {
    assert_eq!(
        staging_key("c0d76431-b0e7", "a/b/t.yaml"),
        "stackflow/c0d76431-b0e7/t.yaml"
    );
    assert_eq!(
        staging_key("a/../b c", "t.yaml"),
        "stackflow/a_.._b_c/t.yaml"
    );
}

#[test]
fn template_urls_are_virtual_hosted_and_encoded() {
    assert_eq!(
        template_url("b", "us-east-1", "stackflow/j/my template+v1.yaml"),
        "https://b.s3.us-east-1.amazonaws.com/stackflow/j/my%20template%2Bv1.yaml"
    );
    assert_eq!(
        template_url("b", "cn-north-1", "k"),
        "https://b.s3.cn-north-1.amazonaws.com.cn/k"
    );
}

/// A template declaring `DbPassword` NoEcho (with short-form tags around it).
const NO_ECHO_TEMPLATE: &str = "Parameters:\n  DbPassword:\n    Type: String\n    NoEcho: true\n  \
     Env:\n    Type: String\n  Token:\n    Type: String\n    NoEcho: 'true'\n    Default: tok-default-8e1\n\
     Resources:\n  Topic:\n    Type: AWS::SNS::Topic\n    Properties:\n      TopicName: !Sub '${Env}-t'\n\
     Outputs:\n  Dsn:\n    Value: !Sub 'db://${DbPassword}'\n";

#[tokio::test]
async fn no_parameter_value_of_the_configuration_file_reaches_the_output() {
    let config = r#"{"Parameters":{"DbPassword":"pw-from-config-5e2a","Env":"qa-env-93"}}"#;
    let get = artifact_rule(zip_of(&[
        ("infra/t.yaml", NO_ECHO_TEMPLATE),
        ("infra/c.json", config),
    ]));
    let put = mock!(Client::put_object)
        .match_requests(|req| req.key() == Some("stackflow/job-1/t.yaml"))
        .then_output(|| PutObjectOutput::builder().build());
    let (parameters, values) = parameters_rule();
    let s3 = client(&[&get, &put, &parameters]);

    let staged = fetch_template(
        &s3,
        "staging",
        "eu-west-1",
        &fetch_input(Some("infra/c.json")),
    )
    .await
    .unwrap();

    let json = serde_json::to_string(&staged).unwrap();
    for value in [
        "pw-from-config-5e2a",
        "qa-env-93",
        "prod",
        "tok-default-8e1",
    ] {
        assert!(!json.contains(value), "{value} in {json}");
    }
    assert_eq!(staged.parameters_key, PARAMETERS_KEY);
    assert_eq!(staged.parameter_names, ["DbPassword", "Env"]);
    assert_eq!(staged.no_echo, ["DbPassword", "Token"]);
    assert_eq!(
        values.lock().unwrap().clone().unwrap(),
        StagedParameters {
            parameters: map(&[("DbPassword", "pw-from-config-5e2a"), ("Env", "prod")]),
            no_echo_defaults: map(&[("Token", "tok-default-8e1")]),
        }
    );
}

#[tokio::test]
async fn a_template_unreadable_here_masks_every_parameter() {
    let get = artifact_rule(zip_of(&[(
        "infra/t.yaml",
        "Parameters: [not, a, mapping]\nResources: {}\n",
    )]));
    let put = mock!(Client::put_object)
        .match_requests(|req| req.key() == Some("stackflow/job-1/t.yaml"))
        .then_output(|| PutObjectOutput::builder().build());
    let (parameters, _) = parameters_rule();
    let s3 = client(&[&get, &put, &parameters]);
    // CloudFormation judges the template: the fetch itself succeeds.
    let staged = fetch_template(&s3, "staging", "eu-west-1", &fetch_input(None))
        .await
        .unwrap();
    assert_eq!(staged.no_echo, ["Env"]);
}

#[tokio::test]
async fn a_failed_staging_of_the_values_fails_the_fetch() {
    let get = artifact_rule(zip_of(&[("infra/t.yaml", TEMPLATE)]));
    let put = staging_rule();
    let refused = mock!(Client::put_object)
        .match_requests(|req| req.key() == Some(PARAMETERS_KEY))
        .then_error(|| PutObjectError::generic(s3_error("AccessDenied")));
    let s3 = client(&[&get, &put, &refused]);
    let err = fetch_template(&s3, "staging", "eu-west-1", &fetch_input(None))
        .await
        .unwrap_err();
    assert_eq!(err.name(), "AccessDenied");
    assert!(
        err.message().contains(&format!(
            "PutObject of the parameter values to s3://staging/{PARAMETERS_KEY}"
        )),
        "{err}"
    );
}

#[tokio::test]
async fn a_configuration_error_does_not_quote_a_value() {
    for config in [
        r#"{"Parameters":{"DbPassword":["pw-from-config-5e2a"]}}"#,
        r#"{"Parameters":{"DbPassword":{"v":"pw-from-config-5e2a"}}}"#,
        r#"{"Parameters":{"DbPassword":"pw-from-config-5e2a",}}"#,
        "{\"Parameters\":{\"DbPassword\":\"pw-from-config-5e2a\u{1}\"}}",
    ] {
        let get = artifact_rule(zip_of(&[
            ("infra/t.yaml", TEMPLATE),
            ("infra/c.json", config),
        ]));
        let err = fetch(&[&get], &fetch_input(Some("infra/c.json")))
            .await
            .unwrap_err();
        assert_eq!(err.name(), "TemplateInvalid", "{config}");
        assert!(!err.message().contains("pw-from"), "{err}");
    }
}
