#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::io::{Cursor, Write};

use aws_sdk_s3::config::retry::RetryConfig;
use aws_sdk_s3::operation::get_object::{GetObjectError, GetObjectOutput};
use aws_sdk_s3::operation::put_object::{PutObjectError, PutObjectOutput};
use aws_sdk_s3::primitives::ByteStream;
use aws_sdk_s3::types::error::NoSuchKey;
use aws_sdk_s3::Client;
use aws_smithy_mocks::{mock, mock_client, Rule, RuleMode};
use aws_smithy_types::error::ErrorMetadata;
use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, ZipWriter};

use std::sync::{Arc, Mutex};

use super::*;
use crate::aws::s3::download_artifact;
use crate::contract::{ArtifactLocation, DeploymentParams};
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
            mode: crate::contract::Mode::Deploy,
            stack: "my-stack".into(),
            source: Some(crate::contract::TemplateSource {
                artifact: ArtifactLocation {
                    name: "BuildOutput".into(),
                    bucket: "artifacts".into(),
                    key: "pipe/BuildOutp/abc".into(),
                    revision: None,
                },
                file: "infra/t.yaml".into(),
                config: config.map(str::to_string),
                param_artifacts: Vec::new(),
            }),
            change_set_name: None,
            parameter_names: vec!["Env".into()],
            capabilities: vec![],
            role_arn: None,
            tags: map(&[("team", "payments")]),
            replace_on_failure: false,
            poll_seconds: 15,
            timeout_minutes: 60,
            deadline: 0,
            output: None,
            options: Default::default(),
        },
    }
}

/// The input artifact of `input`.
pub(super) fn artifact_of(input: &FetchInput) -> ArtifactLocation {
    input
        .params
        .source
        .clone()
        .expect("a template source")
        .artifact
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
    let err = download_artifact(&s3, &artifact_of(&fetch_input(None)), 50)
        .await
        .unwrap_err();
    assert_eq!(err.name(), "ArtifactInvalid");
    assert!(err.message().contains("the limit is 50 bytes"), "{err}");
}

#[path = "fetch_template_artifact_tests.rs"]
mod artifact;

#[cfg(test)]
#[path = "fetch_template_param_tests.rs"]
mod params;
