//! What CloudFormation checks before it starts any work, which the local environment's
//! CloudFormation layer checks in moto's place: each refusal fails the job with a message that
//! names the problem.

use serde_json::json;

use crate::support::{assert_failed, example, example_parameters, fixture, run, unique_stack};

#[test]
fn an_iam_resource_without_its_capability() {
    let stack = unique_stack("e2e-iam");
    let params = json!({"stack": stack, "artifact": "SourceArtifact", "file": "template.yaml", "pollSeconds": 1}).to_string();
    let result = run(
        &[("SourceArtifact", fixture("iam-role").as_path())],
        &params,
    );
    assert_failed(
        &result,
        "ConfigurationError",
        &[
            "Requires capabilities : [CAPABILITY_IAM]",
            "\"CAPABILITY_IAM\"",
        ],
    );
    assert_eq!(result.stack_status(), None, "{}", result.report);
}

#[test]
fn a_parameter_the_template_does_not_declare() {
    let params = example_parameters(
        &unique_stack("e2e-undeclared"),
        json!({"parameters": {"QueueRetention": "60"}}),
    );
    let result = run(&[("SourceArtifact", example().as_path())], &params);
    assert_failed(
        &result,
        "ConfigurationError",
        &["Parameters: [QueueRetention] do not exist in the template"],
    );
}

#[test]
fn a_value_outside_allowed_values() {
    let params = example_parameters(
        &unique_stack("e2e-allowed"),
        json!({"parameters": {"Environment": "qa"}}),
    );
    let result = run(&[("SourceArtifact", example().as_path())], &params);
    assert_failed(
        &result,
        "ConfigurationError",
        &["Parameter 'Environment' must be one of AllowedValues"],
    );
}
