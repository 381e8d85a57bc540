//! The AWS side of the contract test: mocked clients and the answers of S3 and CloudFormation.

use std::collections::BTreeMap;
use std::io::{Cursor, Write};
use std::sync::{Arc, Mutex};

use aws_sdk_cloudformation::operation::describe_stack_events::DescribeStackEventsOutput;
use aws_sdk_cloudformation::operation::describe_stacks::{
    DescribeStacksError, DescribeStacksOutput,
};
use aws_sdk_cloudformation::types::{Output, ResourceStatus, Stack, StackEvent, StackStatus};
use aws_sdk_s3::operation::get_object::{GetObjectError, GetObjectOutput};
use aws_sdk_s3::operation::put_object::PutObjectOutput;
use aws_sdk_s3::primitives::ByteStream;
use aws_sdk_s3::types::error::NoSuchKey;
use aws_smithy_mocks::{mock, MockResponse, Rule};
use aws_smithy_types::error::ErrorMetadata;
use zip::write::SimpleFileOptions;
use zip::ZipWriter;

/// A client of `$sdk` answering from `$rules` in any order, without the SDK's own retries, so
/// an error reaches the step at once.
macro_rules! client {
    ($sdk:ident, $rules:expr) => {
        aws_smithy_mocks::mock_client!(
            $sdk,
            aws_smithy_mocks::RuleMode::MatchAny,
            $rules,
            |config| config.retry_config(aws_smithy_types::retry::RetryConfig::disabled())
        )
    };
}
pub(crate) use client;

pub const STATE_MACHINE: &str = "arn:aws:states:us-east-1:111111111111:stateMachine:stackflow";
pub const REGION: &str = "us-east-1";
pub const STAGING_BUCKET: &str = "stackflow-staging";
pub const STACK_ID: &str =
    "arn:aws:cloudformation:us-east-1:111111111111:stack/my-stack/5b1d0a70-1111-2222-3333-444455556666";
pub const TEMPLATE: &str = "Resources:\n  Queue:\n    Type: AWS::SQS::Queue\n";

/// A zip of `(path, content)` entries, as CodePipeline stores an artifact.
pub fn zip_of(entries: &[(&str, &str)]) -> Vec<u8> {
    let mut writer = ZipWriter::new(Cursor::new(Vec::new()));
    for (path, content) in entries {
        writer
            .start_file(*path, SimpleFileOptions::default())
            .unwrap();
        writer.write_all(content.as_bytes()).unwrap();
    }
    writer.finish().unwrap().into_inner()
}

/// GetObject of the artifact at `bucket`/`key` answering with `zip`.
pub fn artifact(bucket: &'static str, key: &'static str, zip: Vec<u8>) -> Rule {
    mock!(aws_sdk_s3::Client::get_object)
        .match_requests(move |req| req.bucket() == Some(bucket) && req.key() == Some(key))
        .then_output(move || {
            GetObjectOutput::builder()
                .content_length(zip.len() as i64)
                .body(ByteStream::from(zip.clone()))
                .build()
        })
}

/// The objects of a staging bucket, by key.
pub type Bucket = Arc<Mutex<BTreeMap<String, Vec<u8>>>>;

/// PutObject into the staging bucket (the template, the parameter values), kept in `bucket`.
pub fn staged(bucket: &Bucket) -> Rule {
    let bucket = Arc::clone(bucket);
    mock!(aws_sdk_s3::Client::put_object)
        .match_requests(move |req| {
            let ours = req.bucket() == Some(STAGING_BUCKET);
            if let (true, Some(key), Some(body)) = (ours, req.key(), req.body().bytes()) {
                bucket
                    .lock()
                    .unwrap()
                    .insert(key.to_string(), body.to_vec());
            }
            ours
        })
        .then_output(|| PutObjectOutput::builder().build())
}

/// GetObject from the staging bucket, answering with what was staged in `bucket`.
pub fn staging(bucket: &Bucket) -> Rule {
    let bucket = Arc::clone(bucket);
    mock!(aws_sdk_s3::Client::get_object)
        .match_requests(|req| req.bucket() == Some(STAGING_BUCKET))
        .then_compute_response(move |req| {
            let body = req
                .key()
                .and_then(|key| bucket.lock().unwrap().get(key).cloned());
            match body {
                Some(body) => MockResponse::Output(
                    GetObjectOutput::builder()
                        .content_length(body.len() as i64)
                        .body(ByteStream::from(body))
                        .build(),
                ),
                None => {
                    MockResponse::Error(GetObjectError::NoSuchKey(NoSuchKey::builder().build()))
                }
            }
        })
}

/// The stack `my-stack` in `status`, with two Outputs.
pub fn stack(status: &str) -> Stack {
    Stack::builder()
        .stack_id(STACK_ID)
        .stack_name("my-stack")
        .stack_status(StackStatus::from(status))
        .outputs(
            Output::builder()
                .output_key("QueueUrl")
                .output_value("https://sqs.us-east-1.amazonaws.com/111111111111/orders")
                .build(),
        )
        .outputs(
            Output::builder()
                .output_key("QueueArn")
                .output_value("arn:aws:sqs:us-east-1:111111111111:orders")
                .build(),
        )
        .build()
}

/// DescribeStacks answering with the stack in each of `statuses` in turn.
pub fn described(statuses: &'static [&'static str]) -> Rule {
    let mut answers = mock!(aws_sdk_cloudformation::Client::describe_stacks).sequence();
    for status in statuses {
        answers = answers.output(move || {
            DescribeStacksOutput::builder()
                .stacks(stack(status))
                .build()
        });
    }
    answers.build()
}

/// DescribeStacks saying there is no such stack.
pub fn no_stack() -> Rule {
    mock!(aws_sdk_cloudformation::Client::describe_stacks).then_error(|| {
        DescribeStacksError::generic(
            ErrorMetadata::builder()
                .code("ValidationError")
                .message("Stack with id my-stack does not exist")
                .build(),
        )
    })
}

pub fn event(
    token: &str,
    logical: &str,
    kind: &str,
    status: ResourceStatus,
    reason: &str,
) -> StackEvent {
    StackEvent::builder()
        .stack_id(STACK_ID)
        .stack_name("my-stack")
        .client_request_token(token)
        .logical_resource_id(logical)
        .resource_type(kind)
        .resource_status(status)
        .resource_status_reason(reason)
        .build()
}

/// DescribeStackEvents answering with `events`, newest first.
pub fn events(events: Vec<StackEvent>) -> Rule {
    mock!(aws_sdk_cloudformation::Client::describe_stack_events).then_output(move || {
        DescribeStackEventsOutput::builder()
            .set_stack_events(Some(events.clone()))
            .build()
    })
}

/// A CloudFormation error answer.
pub fn cfn_error(code: &str, message: &str) -> ErrorMetadata {
    ErrorMetadata::builder().code(code).message(message).build()
}
