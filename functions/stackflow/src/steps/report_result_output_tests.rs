#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::Cursor;
use std::sync::{Arc, Mutex};

use aws_sdk_cloudformation::operation::describe_change_set::DescribeChangeSetOutput;
use aws_sdk_cloudformation::types::ChangeAction;
use aws_sdk_codepipeline::operation::put_job_success_result::PutJobSuccessResultOutput;
use aws_sdk_s3::operation::put_object::PutObjectOutput;
use aws_smithy_mocks::mock;

use super::output_file::CHANGE_SET_FILE;
use super::*;
use crate::artifact_zip::ArtifactZip;
use crate::aws::stack_fixtures::{client as cfn_client, params, queue_change, s3_client, STACK};
use crate::codepipeline::job_result::tests::mock_codepipeline;
use crate::contract::{
    ArtifactLocation, ChangeSetReport, DeploymentParams, Next, OutputTarget, Reported, StackAction,
};

const JOB_ID: &str = "11111111-abcd-1111-abcd-111111abcdef";

fn with_output_file() -> DeploymentParams {
    DeploymentParams {
        output: Some(OutputTarget {
            artifact: ArtifactLocation {
                name: "DeployOutput".into(),
                bucket: "artifacts".into(),
                key: "pipe/DeployOutp/xyz".into(),
                revision: None,
            },
            file: "out/outputs.json".into(),
            encryption_key: None,
        }),
        ..params()
    }
}

fn succeeded(change_set: Option<ChangeSetReport>) -> ReportInput {
    ReportInput {
        job_id: JOB_ID.into(),
        execution_arn: None,
        params: Some(with_output_file()),
        outcome: Outcome::Stack(StackProgress {
            stack_name: STACK.into(),
            stack_id: None,
            action: StackAction::Update,
            next: Next::Succeed,
            status: Some("UPDATE_COMPLETE".into()),
            client_request_token: None,
            outputs: [("QueueUrl".to_string(), "https://q".to_string())].into(),
            started_at: None,
            wait_seconds: 0,
            change_set,
            tally: Default::default(),
        }),
    }
}

/// A PutObject that keeps the zip it was given, and a success report.
fn recorded() -> (aws_smithy_mocks::Rule, Arc<Mutex<Vec<u8>>>) {
    let body = Arc::new(Mutex::new(Vec::new()));
    let keep = Arc::clone(&body);
    let put = mock!(aws_sdk_s3::Client::put_object)
        .match_requests(move |req| {
            *keep.lock().unwrap() = req.body().bytes().unwrap_or_default().to_vec();
            req.bucket() == Some("artifacts") && req.key() == Some("pipe/DeployOutp/xyz")
        })
        .then_output(|| PutObjectOutput::builder().build());
    (put, body)
}

fn entry(zip: &[u8], path: &str) -> serde_json::Value {
    let bytes = ArtifactZip::open("DeployOutput", Cursor::new(zip))
        .unwrap()
        .read(path, 1 << 20)
        .unwrap();
    serde_json::from_slice(&bytes).unwrap()
}

#[tokio::test]
async fn the_outputs_are_written_to_the_output_artifact_before_the_success_report() {
    let (put, body) = recorded();
    let success = mock!(aws_sdk_codepipeline::Client::put_job_success_result)
        .then_output(|| PutJobSuccessResultOutput::builder().build());
    let clients = ReportClients {
        codepipeline: mock_codepipeline(&[&success]),
        s3: s3_client(&[&put]),
        cloudformation: cfn_client(&[]),
    };
    let output = report(&clients, &succeeded(None)).await.unwrap();
    assert_eq!(output.reported, Reported::Succeeded);
    assert_eq!((put.num_calls(), success.num_calls()), (1, 1));
    let zip = body.lock().unwrap().clone();
    assert_eq!(
        entry(&zip, "out/outputs.json"),
        serde_json::json!({"QueueUrl": "https://q"})
    );
}

#[tokio::test]
async fn a_failed_write_fails_the_step_and_reports_no_success() {
    let refused = mock!(aws_sdk_s3::Client::put_object).then_error(|| {
        aws_sdk_s3::operation::put_object::PutObjectError::generic(
            aws_smithy_types::error::ErrorMetadata::builder()
                .code("AccessDenied")
                .message("Access Denied")
                .build(),
        )
    });
    let success = mock!(aws_sdk_codepipeline::Client::put_job_success_result)
        .then_output(|| PutJobSuccessResultOutput::builder().build());
    let clients = ReportClients {
        codepipeline: mock_codepipeline(&[&success]),
        s3: s3_client(&[&refused]),
        cloudformation: cfn_client(&[]),
    };
    let err = report(&clients, &succeeded(None)).await.unwrap_err();
    assert_eq!(err.name(), "AccessDenied");
    assert_eq!(success.num_calls(), 0);
}

#[tokio::test]
async fn a_change_set_writes_its_changes_beside_the_outputs_and_reports_its_counts() {
    let (put, body) = recorded();
    let described = mock!(aws_sdk_cloudformation::Client::describe_change_set).then_output(|| {
        DescribeChangeSetOutput::builder()
            .changes(queue_change(ChangeAction::Add, "Queue", None))
            .build()
    });
    let success = mock!(aws_sdk_codepipeline::Client::put_job_success_result)
        .match_requests(|req| {
            let variables = req.output_variables().unwrap();
            req.execution_details().unwrap().summary()
                == Some("Change set review for stack app: 1 to add, 0 to modify, 0 to remove")
                && variables.get("Adds").map(String::as_str) == Some("1")
                && variables.get("ChangeSetId").map(String::as_str) == Some("arn:cs")
                && !variables.contains_key("QueueUrl")
        })
        .then_output(|| PutJobSuccessResultOutput::builder().build());
    let clients = ReportClients {
        codepipeline: mock_codepipeline(&[&success]),
        s3: s3_client(&[&put]),
        cloudformation: cfn_client(&[&described]),
    };
    let mut counted = ChangeSetReport::new("arn:cs", "review", "UPDATE");
    counted.adds = 1;
    report(&clients, &succeeded(Some(counted))).await.unwrap();
    assert_eq!(success.num_calls(), 1);
    let document = entry(&body.lock().unwrap(), CHANGE_SET_FILE);
    assert_eq!(document["ChangeSetName"], "review");
    assert_eq!(document["Changes"][0]["LogicalResourceId"], "Queue");
    assert_eq!(document["Changes"][0]["Action"], "Add");
}
