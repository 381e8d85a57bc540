//! Artifacts in a real S3 (moto). moto must be installed (`stackflow-local up` installs it, and
//! the test command runs that first): without it the test fails rather than passing unseen.

use std::collections::HashMap;
use std::io::Write;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use serde_json::Value;
use stackflow_job_service::{self as job_service, ArtifactSource, CreateJobRequest};

use crate::support::*;

struct Moto {
    url: String,
    _child: tokio::process::Child,
}

/// The virtualenv moto is installed in, found as `stackflow-local` finds it
/// (`stackflow_environment::home::Home::venv`): `$STACKFLOW_VENV`, or .stackflow/venv in the
/// project. Copied, not called: the environment crate depends on this one.
fn venv() -> PathBuf {
    match std::env::var_os("STACKFLOW_VENV") {
        Some(dir) if !dir.is_empty() => PathBuf::from(dir),
        _ => PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../.stackflow/venv"),
    }
}

/// moto as `stackflow-local up` installs it.
async fn start_moto() -> Moto {
    let binary = venv().join("bin").join("moto_server");
    assert!(
        binary.exists(),
        "moto is not installed at {}: the artifact test needs a real S3. `stackflow-local up` \
         installs it (tests/run runs it before the tests)",
        binary.display()
    );
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let child = tokio::process::Command::new(&binary)
        .args(["-H", "127.0.0.1", "-p", &port.to_string()])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    let url = format!("http://127.0.0.1:{port}");
    let http = reqwest::Client::builder().no_proxy().build().unwrap();
    let deadline = Instant::now() + Duration::from_secs(60);
    while http.get(format!("{url}/moto-api/")).send().await.is_err() {
        assert!(Instant::now() < deadline, "moto did not start at {url}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    Moto { url, _child: child }
}

fn zip_with(file: &str, contents: &str) -> Vec<u8> {
    let mut writer = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    writer
        .start_file(file, zip::write::SimpleFileOptions::default())
        .unwrap();
    writer.write_all(contents.as_bytes()).unwrap();
    writer.finish().unwrap().into_inner()
}

const REVISION: &str = "0123456789abcdef0123456789abcdef01234567";

/// The input artifact's object key in the job's data, after checking both artifacts are where
/// CodePipeline puts them: `<pipeline>/<artifact, cut to 10>/<7 characters>` in the bucket.
fn input_key(data: &Value) -> String {
    let input = &data["inputArtifacts"][0];
    assert_eq!(input["name"], "SourceArtifact");
    assert_eq!(input["revision"], REVISION);
    assert_eq!(input["location"]["type"], "S3");
    let location = &input["location"]["s3Location"];
    assert_eq!(location["bucketName"], BUCKET);
    let key = location["objectKey"].as_str().unwrap();
    let suffix = key.strip_prefix("my-pipeline/SourceArti/").unwrap();
    assert_eq!(suffix.len(), 7, "{key}");
    let output = &data["outputArtifacts"][0];
    assert_eq!(output["name"], "DeployOutput");
    assert!(output["revision"].is_null());
    assert!(output["location"]["s3Location"]["objectKey"]
        .as_str()
        .unwrap()
        .starts_with("my-pipeline/DeployOutp/"));
    key.to_string()
}

/// Every object in the artifact bucket, with its size.
async fn object_sizes(s3: &aws_sdk_s3::Client) -> HashMap<String, i64> {
    let listed = s3.list_objects_v2().bucket(BUCKET).send().await.unwrap();
    listed
        .contents()
        .iter()
        .map(|object| {
            (
                object.key().unwrap_or_default().to_string(),
                object.size().unwrap_or_default(),
            )
        })
        .collect()
}

#[tokio::test]
async fn a_job_uploads_its_artifacts_to_the_artifact_bucket_as_codepipeline_does() {
    let moto = start_moto().await;
    let dir = temp_dir();
    let zip = zip_with("template.yaml", "Resources: {}\n");
    let zip_path = dir.join("source.zip");
    std::fs::write(&zip_path, &zip).unwrap();

    let lambda = FakeLambda::start().await;
    let env = start_with(
        config(&moto.url, &lambda.url, job_service::DEFAULT_REPLY_TIMEOUT),
        lambda,
    )
    .await;
    let request = CreateJobRequest {
        user_parameters: Some(PARAMS.to_string()),
        artifacts: vec![ArtifactSource {
            name: "SourceArtifact".into(),
            zip_path: zip_path.to_string_lossy().into_owned(),
            revision: Some(REVISION.into()),
        }],
        output_artifacts: vec!["DeployOutput".into()],
        pipeline_name: Some("my-pipeline".into()),
        deliveries: None,
    };
    let job_id = env.client.create(&request).await.unwrap();

    let invocations = env.lambda.wait_for(1).await;
    assert_eq!(invocations.len(), 1);
    assert_eq!(invocations[0].invocation_type.as_deref(), Some("Event"));
    let key = input_key(&invocations[0].event["CodePipeline.job"]["data"]);
    let key = key.as_str();

    // The object really is in S3 (the bucket did not exist before), byte for byte.
    let s3 = s3_client(&moto.url);
    let object = s3.get_object().bucket(BUCKET).key(key).send();
    let stored = object
        .await
        .unwrap()
        .body
        .collect()
        .await
        .unwrap()
        .into_bytes();
    assert_eq!(stored.as_ref(), zip.as_slice());

    // The record shows the same locations; a second job reuses the bucket.
    let record = env.client.get_job(&job_id).await.unwrap();
    assert_eq!(record.pipeline_name, "my-pipeline");
    assert_eq!(record.input_artifacts[0].key, key);
    let again = env.client.create(&request).await.unwrap();
    let second_key = env.client.get_job(&again).await.unwrap().input_artifacts[0]
        .key
        .clone();
    assert_ne!(second_key, key);
    let listed = object_sizes(&s3).await;
    assert_eq!(listed.len(), 2, "{listed:?}");
    assert_eq!(listed[&second_key], zip.len() as i64);

    env.service.shutdown().await;
    std::fs::remove_dir_all(dir).unwrap();
}
