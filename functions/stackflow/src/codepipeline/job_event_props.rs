//! Property tests of the event parser: any event, well-formed or not, is turned into a
//! `JobRequest` or an `InvalidEvent` without a panic, and no artifact credential ever reaches the
//! request, the execution input or an error.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use proptest::prelude::*;
use serde_json::{json, Value};

use super::*;
use crate::test_support::any_json;

/// Text that may be missing, null, blank or anything else. Lowercase only, so it can never hold
/// a credential (those are uppercase).
fn field() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(Value::Null),
        Just(json!("")),
        Just(json!("  ")),
        "[a-z0-9 ./{}\":_-]{1,24}".prop_map(Value::String),
    ]
}

fn artifact() -> impl Strategy<Value = Value> {
    (field(), field(), field(), field()).prop_map(|(name, bucket, key, revision)| {
        json!({
            "name": name,
            "revision": revision,
            "location": {"type": "S3", "s3Location": {"bucketName": bucket, "objectKey": key}}
        })
    })
}

/// A CodePipeline job event of the real shape with arbitrary contents, and its credentials.
fn event() -> impl Strategy<Value = (Value, [String; 3])> {
    (
        field(),
        field(),
        field(),
        (
            prop::collection::vec(artifact(), 0..4),
            prop::collection::vec(artifact(), 0..3),
        ),
        field(),
        ["[A-Z0-9]{16,24}", "[A-Z0-9+/]{30,40}", "[A-Z0-9+/=]{40,80}"],
    )
        .prop_map(
            |(id, account, user_parameters, (artifacts, outputs), token, secrets)| {
                let [access_key, secret_key, session_token] = secrets.clone();
                let event = json!({"CodePipeline.job": {
                    "id": id,
                    "accountId": account,
                    "data": {
                        "actionConfiguration": {"configuration": {
                            "FunctionName": "stackflow-start-deployment",
                            "UserParameters": user_parameters
                        }},
                        "inputArtifacts": artifacts,
                        "outputArtifacts": outputs,
                        "continuationToken": token,
                        "artifactCredentials": {
                            "accessKeyId": access_key,
                            "secretAccessKey": secret_key,
                            "sessionToken": session_token,
                            "expirationTime": 1_575_493_418_000_u64
                        }
                    }
                }});
                (event, secrets)
            },
        )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn any_event_becomes_a_request_or_an_invalid_event_and_never_shows_its_credentials(
        (value, secrets) in event()
    ) {
        let event: CodePipelineJobEvent = serde_json::from_value(value.clone()).unwrap();
        let shown = match JobRequest::from_event(event) {
            Ok(job) => {
                prop_assert!(!job.job_id.trim().is_empty());
                let artifacts = value["CodePipeline.job"]["data"]["inputArtifacts"]
                    .as_array()
                    .map_or(0, Vec::len);
                prop_assert_eq!(job.input_artifacts.len(), artifacts);
                let outputs = value["CodePipeline.job"]["data"]["outputArtifacts"]
                    .as_array()
                    .map_or(0, Vec::len);
                prop_assert_eq!(job.output_artifacts.len(), outputs);
                for artifact in job.input_artifacts.iter().chain(&job.output_artifacts) {
                    prop_assert!(!artifact.name.trim().is_empty());
                    prop_assert!(!artifact.bucket.trim().is_empty());
                    prop_assert!(!artifact.key.trim().is_empty());
                }
                let input = serde_json::to_string(&job.execution_input(1_700_000_000)).unwrap();
                format!("{job:?}\n{input}")
            }
            Err(err) => {
                prop_assert_eq!(err.name(), "InvalidEvent");
                format!("{err:?}\n{err}")
            }
        };
        for secret in &secrets {
            prop_assert!(!shown.contains(secret.as_str()), "{secret} shown in {shown}");
        }
    }

    #[test]
    fn arbitrary_json_in_the_event_never_panics(
        job in any_json(&["id", "accountId", "data", "inputArtifacts", "outputArtifacts", "continuationToken"], "[a-zA-Z]{0,8}")
    ) {
        if let Ok(event) = serde_json::from_value::<CodePipelineJobEvent>(json!({"CodePipeline.job": job})) {
            if let Err(err) = JobRequest::from_event(event) {
                prop_assert_eq!(err.name(), "InvalidEvent");
            }
        }
    }

    #[test]
    fn arbitrary_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..256)) {
        if let Ok(event) = serde_json::from_slice::<CodePipelineJobEvent>(&bytes) {
            let _ = JobRequest::from_event(event);
        }
    }
}
