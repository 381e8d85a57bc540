#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use serde_json::json;

use super::*;
use crate::settings::{ArtifactStore, ServiceRoles};

const ROLE: &str = "arn:aws:iam::123456789012:role/stackflow-deployer";

fn artifact(name: &str, bucket: &str) -> ArtifactLocation {
    ArtifactLocation {
        name: name.to_string(),
        bucket: bucket.to_string(),
        key: format!("pipe/{name}/abc123"),
        revision: None,
    }
}

fn input(user_parameters: serde_json::Value, outputs: Vec<ArtifactLocation>) -> ExecutionInput {
    ExecutionInput {
        job_id: "job-1".to_string(),
        user_parameters: user_parameters.to_string(),
        input_artifacts: vec![artifact("BuildOutput", "pipeline-bucket")],
        output_artifacts: outputs,
        encryption_key: None,
        current_job: None,
    }
}

fn settings() -> ValidateSettings {
    ValidateSettings {
        roles: ServiceRoles::parse(ROLE).unwrap(),
        artifact_store: ArtifactStore {
            bucket: "pipeline-bucket".to_string(),
            key_arn: None,
        },
    }
}

fn check(user_parameters: serde_json::Value) -> Result<DeploymentParams, Error> {
    validate(
        &input(user_parameters, vec![artifact("Out", "pipeline-bucket")]),
        &settings(),
        0,
    )
}

fn refusal(user_parameters: serde_json::Value) -> String {
    match check(user_parameters) {
        Err(Error::InvalidParameters(message)) => message,
        other => panic!("expected InvalidParameters, got {other:?}"),
    }
}

#[test]
fn no_mode_is_deploy_with_the_template_source() {
    let params = check(json!({"stack": "s", "artifact": "BuildOutput", "file": "t.yaml"})).unwrap();
    assert_eq!(params.mode, Mode::Deploy);
    assert_eq!(params.source.unwrap().file, "t.yaml");
    assert_eq!(params.change_set_name, None);
    assert_eq!(params.output, None);
}

#[test]
fn delete_needs_only_the_stack_and_has_no_template() {
    let params = check(json!({"mode": "delete", "stack": "s"})).unwrap();
    assert_eq!(params.mode, Mode::Delete);
    assert_eq!(params.source, None);
    assert_eq!(params.role_arn.as_deref(), Some(ROLE));
}

#[test]
fn execute_needs_the_change_set_name_and_no_file() {
    let params =
        check(json!({"mode": "executeChangeSet", "stack": "s", "changeSetName": "cs-1"})).unwrap();
    assert_eq!(params.change_set_name.as_deref(), Some("cs-1"));
    assert_eq!(params.source, None);
    let message = refusal(json!({"mode": "executeChangeSet", "stack": "s"}));
    assert_eq!(
        message,
        "UserParameters: missing required key `changeSetName` for mode `executeChangeSet`"
    );
}

#[test]
fn create_change_set_needs_the_template_and_the_name() {
    let message = refusal(json!({"mode": "createChangeSet", "stack": "s"}));
    assert!(
        message.contains("`artifact`, `file`, `changeSetName` for mode `createChangeSet`"),
        "{message}"
    );
}

#[test]
fn a_key_that_does_not_apply_to_the_mode_is_refused_by_name() {
    let message = refusal(json!({"mode": "delete", "stack": "s", "file": "t.yaml"}));
    assert!(
        message.starts_with("UserParameters: key `file` does not apply to mode `delete`"),
        "{message}"
    );
    assert!(
        message.contains("it takes: mode, stack, roleArn"),
        "{message}"
    );
    let message = refusal(json!({
        "stack": "s", "artifact": "BuildOutput", "file": "t.yaml", "changeSetName": "x"
    }));
    assert!(
        message.contains("`changeSetName` does not apply to mode `deploy`"),
        "{message}"
    );
}

#[test]
fn an_unknown_mode_lists_the_modes() {
    let message = refusal(json!({"mode": "destroy", "stack": "s"}));
    assert_eq!(
        message,
        "UserParameters: `mode` `destroy` is not a mode; the modes are: deploy, \
         createChangeSet, executeChangeSet, delete"
    );
    let message = refusal(json!({"mode": 1, "stack": "s"}));
    assert!(message.contains("`mode` must be one of"), "{message}");
}

#[test]
fn a_change_set_name_must_be_a_name_cloudformation_takes() {
    let message = refusal(json!({
        "mode": "executeChangeSet", "stack": "s", "changeSetName": "1st"
    }));
    assert!(
        message.contains("`changeSetName` `1st` does not start with a letter"),
        "{message}"
    );
    assert!(message.contains("a change set name is"), "{message}");
}

#[test]
fn output_file_goes_to_the_first_output_artifact_with_the_job_key() {
    let mut job = input(
        json!({"stack": "s", "artifact": "BuildOutput", "file": "t.yaml", "outputFile": "./out/o.json"}),
        vec![
            artifact("Out", "pipeline-bucket"),
            artifact("Other", "pipeline-bucket"),
        ],
    );
    job.encryption_key = Some(crate::contract::EncryptionKey {
        id: "alias/aws/s3".to_string(),
        key_type: "KMS".to_string(),
    });
    let output = validate(&job, &settings(), 0).unwrap().output.unwrap();
    assert_eq!(output.artifact.name, "Out");
    assert_eq!(output.file, "out/o.json");
    assert_eq!(output.encryption_key.unwrap().id, "alias/aws/s3");
}

#[test]
fn output_file_without_an_output_artifact_is_refused() {
    let job = input(
        json!({"mode": "executeChangeSet", "stack": "s", "changeSetName": "c", "outputFile": "o.json"}),
        vec![],
    );
    let Err(Error::InvalidParameters(message)) = validate(&job, &settings(), 0) else {
        panic!("accepted");
    };
    assert!(
        message.contains("the action has no output artifact"),
        "{message}"
    );
}

#[test]
fn an_output_artifact_outside_the_granted_bucket_is_refused() {
    let job = input(
        json!({"mode": "executeChangeSet", "stack": "s", "changeSetName": "c", "outputFile": "o.json"}),
        vec![artifact("Out", "elsewhere")],
    );
    let err = validate(&job, &settings(), 0).unwrap_err();
    assert_eq!(err.name(), "ArtifactInvalid");
    assert!(err.message().contains("ArtifactBucketName"), "{err}");
}

#[test]
fn output_file_is_refused_on_delete() {
    let message = refusal(json!({"mode": "delete", "stack": "s", "outputFile": "o.json"}));
    assert!(
        message.contains("`outputFile` does not apply to mode `delete`"),
        "{message}"
    );
}

#[test]
fn a_missing_required_key_is_named_with_the_mode() {
    let message = refusal(json!({"stack": "s", "artifact": "BuildOutput"}));
    assert_eq!(
        message,
        "UserParameters: missing required key `file` for mode `deploy`"
    );
    let message = refusal(json!({"stack": "s"}));
    assert_eq!(
        message,
        "UserParameters: missing required keys `artifact`, `file` for mode `deploy`"
    );
}

#[test]
fn a_change_sets_output_file_cannot_take_the_changes_files_name() {
    let message = refusal(json!({
        "mode": "createChangeSet", "stack": "s", "artifact": "BuildOutput", "file": "t.yaml",
        "changeSetName": "c", "outputFile": "change-set.json"
    }));
    assert!(
        message.contains("`outputFile` `change-set.json`"),
        "{message}"
    );
}

#[test]
fn get_param_artifacts_are_resolved_and_a_missing_one_is_named() {
    let mut job = input(
        json!({"stack": "s", "artifact": "BuildOutput", "file": "t.yaml", "parameters": {
            "Tag": {"Fn::GetParam": ["Images", "build.json", "tag"]},
            "Same": {"Fn::GetParam": ["BuildOutput", "v.json", "v"]}
        }}),
        vec![],
    );
    job.input_artifacts
        .push(artifact("Images", "pipeline-bucket"));
    let source = validate(&job, &settings(), 0).unwrap().source.unwrap();
    let names: Vec<&str> = source
        .param_artifacts
        .iter()
        .map(|a| a.name.as_str())
        .collect();
    assert_eq!(names, ["Images"]);
    let message = refusal(
        json!({"stack": "s", "artifact": "BuildOutput", "file": "t.yaml",
        "parameters": {"Tag": {"Fn::GetParam": ["Nope", "build.json", "tag"]}}}),
    );
    assert_eq!(
        message,
        "UserParameters: `parameters`: Fn::GetParam names artifact `Nope`, which is not an \
         input artifact of this action; its input artifacts are: BuildOutput"
    );
}

#[test]
fn a_get_param_path_leaving_the_artifact_is_refused() {
    let message = refusal(
        json!({"stack": "s", "artifact": "BuildOutput", "file": "t.yaml",
        "parameters": {"Tag": {"Fn::GetParam": ["BuildOutput", "../x.json", "tag"]}}}),
    );
    assert!(
        message.contains("`parameters.Tag` `../x.json` has a `..` component"),
        "{message}"
    );
}
