#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::io::{Cursor, Write};

use aws_sdk_s3::config::retry::RetryConfig;
use aws_sdk_s3::operation::get_object::GetObjectOutput;
use aws_sdk_s3::operation::put_object::{PutObjectError, PutObjectOutput};
use aws_sdk_s3::types::error::NoSuchKey;
use aws_sdk_s3::Client;
use aws_smithy_mocks::{mock, mock_client, Rule, RuleMode};
use aws_smithy_types::error::ErrorMetadata;
use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, ZipWriter};

use std::sync::{Arc, Mutex};

use super::*;
use crate::contract::DeploymentParams;
use crate::staged_parameters::StagedParameters;
use crate::test_support::map;

const TEMPLATE: &str = "Resources:\n  Topic:\n    Type: AWS::SNS::Topic # marker-7f3a\n";
const CONFIG: &str = r#"{"Parameters":{"Env":"staging","Size":"1"},"Tags":{"team":"core","cost":"a"},"StackPolicy":{"Statement":[]}}"#;

fn zip_of(entries: &[(&str, &str)]) -> Vec<u8> {
    let mut writer = ZipWriter::new(Cursor::new(Vec::new()));
    for (name, content) in entries {
        writer
            .start_file(*name, SimpleFileOptions::default())
            .unwrap();
        writer.write_all(content.as_bytes()).unwrap();
    }
    writer.finish().unwrap().into_inner()
}

/// UserParameters overriding `Env`, as Validate parameters accepted them.
const USER_PARAMETERS: &str = r#"{"stack":"my-stack","artifact":"BuildOutput","file":"infra/t.yaml","parameters":{"Env":"prod"},"tags":{"team":"payments"}}"#;

fn fetch_input(config: Option<&str>) -> FetchInput {
    FetchInput {
        job_id: "job-1".into(),
        user_parameters: USER_PARAMETERS.into(),
        params: DeploymentParams {
            stack: "my-stack".into(),
            artifact: ArtifactLocation {
                name: "BuildOutput".into(),
                bucket: "artifacts".into(),
                key: "pipe/BuildOutp/abc".into(),
                revision: None,
            },
            file: "infra/t.yaml".into(),
            config: config.map(str::to_string),
            parameter_names: vec!["Env".into()],
            capabilities: vec![],
            role_arn: None,
            tags: map(&[("team", "payments")]),
            replace_on_failure: false,
            poll_seconds: 15,
            timeout_minutes: 60,
            deadline: 0,
        },
    }
}

/// GetObject of the test artifact answering with `zip`.
fn artifact_rule(zip: Vec<u8>) -> Rule {
    mock!(Client::get_object)
        .match_requests(|req| {
            req.bucket() == Some("artifacts") && req.key() == Some("pipe/BuildOutp/abc")
        })
        .then_output(move || {
            GetObjectOutput::builder()
                .content_length(zip.len() as i64)
                .body(ByteStream::from(zip.clone()))
                .build()
        })
}

/// PutObject of the staged template, matched on bucket, key and body.
fn staging_rule() -> Rule {
    mock!(Client::put_object)
        .match_requests(|req| {
            req.bucket() == Some("staging")
                && req.key() == Some("stackflow/job-1/t.yaml")
                && req.body().bytes() == Some(TEMPLATE.as_bytes())
        })
        .then_output(|| PutObjectOutput::builder().build())
}

/// The key of the staged parameter values of job-1.
const PARAMETERS_KEY: &str = "stackflow/job-1/staged/parameters.json";

/// PutObject of the staged parameter values; what was staged lands in the returned cell.
fn parameters_rule() -> (Rule, Arc<Mutex<Option<StagedParameters>>>) {
    let staged = Arc::new(Mutex::new(None));
    let cell = Arc::clone(&staged);
    let rule = mock!(Client::put_object)
        .match_requests(move |req| {
            let matches = req.bucket() == Some("staging") && req.key() == Some(PARAMETERS_KEY);
            if matches {
                let body = req.body().bytes().unwrap_or_default();
                *cell.lock().unwrap() = Some(serde_json::from_slice(body).unwrap());
            }
            matches
        })
        .then_output(|| PutObjectOutput::builder().build());
    (rule, staged)
}

fn client(rules: &[&Rule]) -> Client {
    mock_client!(aws_sdk_s3, RuleMode::MatchAny, rules, |c| c
        .retry_config(RetryConfig::disabled()))
}

/// FetchTemplate with S3 answering from `rules`, and taking the staged parameter values.
async fn fetch(rules: &[&Rule], input: &FetchInput) -> Result<StagedTemplate, Error> {
    let (parameters, _) = parameters_rule();
    let rules: Vec<&Rule> = rules.iter().copied().chain([&parameters]).collect();
    fetch_template(&client(&rules), "staging", "eu-west-1", input).await
}

/// An S3 error answer with `code`.
fn s3_error(code: &str) -> ErrorMetadata {
    ErrorMetadata::builder()
        .code(code)
        .message("from S3")
        .build()
}

fn get_error(code: &'static str) -> Rule {
    mock!(Client::get_object).then_error(move || GetObjectError::generic(s3_error(code)))
}

fn put_error(code: &'static str) -> Rule {
    mock!(Client::put_object).then_error(move || PutObjectError::generic(s3_error(code)))
}

#[tokio::test]
async fn stages_the_template_and_merges_the_configuration() {
    let zip = zip_of(&[("./infra/t.yaml", TEMPLATE), ("infra/c.json", CONFIG)]);
    let get = artifact_rule(zip);
    let put = staging_rule();
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
    assert_eq!((put.num_calls(), parameters.num_calls()), (1, 1));
    assert_eq!(
        staged,
        StagedTemplate {
            template_url: "https://staging.s3.eu-west-1.amazonaws.com/stackflow/job-1/t.yaml"
                .into(),
            bucket: "staging".into(),
            key: "stackflow/job-1/t.yaml".into(),
            size: TEMPLATE.len() as u64,
            parameters_key: PARAMETERS_KEY.into(),
            parameter_names: vec!["Env".into(), "Size".into()],
            no_echo: vec![],
            tags: map(&[("cost", "a"), ("team", "payments")]),
            stack_policy_body: Some(r#"{"Statement":[]}"#.into()),
        }
    );
    // The values: the overrides win over the configuration file's.
    assert_eq!(
        values.lock().unwrap().clone().unwrap(),
        StagedParameters {
            parameters: map(&[("Env", "prod"), ("Size", "1")]),
            no_echo_defaults: Default::default(),
        }
    );
}

#[tokio::test]
async fn without_a_configuration_the_overrides_are_all() {
    let get = artifact_rule(zip_of(&[("infra/t.yaml", TEMPLATE)]));
    let put = staging_rule();
    let (parameters, values) = parameters_rule();
    let s3 = client(&[&get, &put, &parameters]);
    let staged = fetch_template(&s3, "staging", "eu-west-1", &fetch_input(None))
        .await
        .unwrap();
    assert_eq!(staged.parameter_names, ["Env"]);
    assert_eq!(staged.tags, map(&[("team", "payments")]));
    assert_eq!(staged.stack_policy_body, None);
    assert_eq!(
        values.lock().unwrap().clone().unwrap().parameters,
        map(&[("Env", "prod")])
    );
}

#[tokio::test]
async fn the_output_carries_no_template_body() {
    let get = artifact_rule(zip_of(&[("infra/t.yaml", TEMPLATE)]));
    let put = staging_rule();
    let staged = fetch(&[&get, &put], &fetch_input(None)).await.unwrap();
    let json = serde_json::to_string(&staged).unwrap();
    assert!(!json.contains("marker-7f3a"), "{json}");
}

#[tokio::test]
async fn a_missing_artifact_object_is_artifact_not_found() {
    let get = mock!(Client::get_object)
        .then_error(|| GetObjectError::NoSuchKey(NoSuchKey::builder().build()));
    let put = staging_rule();
    let err = fetch(&[&get, &put], &fetch_input(None)).await.unwrap_err();
    assert_eq!(
        err,
        Error::ArtifactNotFound(
            "artifact `BuildOutput` is not in S3: s3://artifacts/pipe/BuildOutp/abc (NoSuchKey)"
                .into()
        )
    );
    assert_eq!(put.num_calls(), 0);
}

#[tokio::test]
async fn a_missing_artifact_bucket_is_artifact_not_found() {
    let err = fetch(&[&get_error("NoSuchBucket")], &fetch_input(None))
        .await
        .unwrap_err();
    assert_eq!(err.name(), "ArtifactNotFound");
    assert!(
        err.message()
            .contains("s3://artifacts/pipe/BuildOutp/abc (NoSuchBucket)"),
        "{err}"
    );
}

#[tokio::test]
async fn a_refused_read_is_access_denied() {
    let err = fetch(&[&get_error("AccessDenied")], &fetch_input(None))
        .await
        .unwrap_err();
    assert_eq!(err.name(), "AccessDenied");
    assert!(
        err.message()
            .contains("GetObject of artifact `BuildOutput`"),
        "{err}"
    );
}

#[tokio::test]
async fn throttling_is_transient() {
    let err = fetch(&[&get_error("SlowDown")], &fetch_input(None))
        .await
        .unwrap_err();
    assert_eq!(err.name(), "Transient", "{err}");
}

#[tokio::test]
async fn a_bare_server_error_is_transient() {
    let get = mock!(Client::get_object)
        .sequence()
        .http_status(503, None)
        .build();
    let err = fetch(&[&get], &fetch_input(None)).await.unwrap_err();
    assert_eq!(err.name(), "Transient", "{err}");
}

#[tokio::test]
async fn an_artifact_over_the_cap_is_refused_by_its_length() {
    let get = mock!(Client::get_object).then_output(|| {
        GetObjectOutput::builder()
            .content_length(MAX_ARTIFACT_BYTES as i64 + 1)
            .body(ByteStream::from_static(b""))
            .build()
    });
    let err = fetch(&[&get], &fetch_input(None)).await.unwrap_err();
    assert_eq!(err.name(), "ArtifactInvalid");
    assert!(
        err.message().contains("the limit is 268435456 bytes"),
        "{err}"
    );
}

#[tokio::test]
async fn a_body_longer_than_the_cap_is_cut_off() {
    // No length header: the cap holds while reading.
    let get = mock!(Client::get_object).then_output(|| {
        GetObjectOutput::builder()
            .body(ByteStream::from(vec![0u8; 100]))
            .build()
    });
    let s3 = client(&[&get]);
    let err = download(&s3, &fetch_input(None).params.artifact, 50)
        .await
        .unwrap_err();
    assert_eq!(err.name(), "ArtifactInvalid");
    assert!(err.message().contains("the limit is 50 bytes"), "{err}");
}

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

    let mut file = download(&s3, &fetch_input(None).params.artifact, MAX_ARTIFACT_BYTES)
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
    let err = download(&s3, &fetch_input(None).params.artifact, 50)
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
