//! A stack is always deployed with a CloudFormation service role: the default one of the
//! deployment when the UserParameters name none, and never one outside the allowed list.

use serde_json::json;
use stackflow_environment::aws::{moto_sdk_config, SERVICE_ROLE_ARN};

use crate::support::{
    assert_failed, environment, example, example_parameters, run, runtime, unique_stack,
};

/// The RoleARN CloudFormation holds for `stack`.
fn role_of(stack: &str) -> Option<String> {
    let env = environment();
    runtime().block_on(async {
        let cfn = aws_sdk_cloudformation::Client::new(&moto_sdk_config(&env.moto_url()).await);
        let described = cfn
            .describe_stacks()
            .stack_name(stack)
            .send()
            .await
            .expect("describe the stack");
        described
            .stacks()
            .first()
            .and_then(|s| s.role_arn())
            .map(str::to_string)
    })
}

#[test]
fn without_a_role_arn_the_stack_is_deployed_with_the_default_service_role() {
    let stack = unique_stack("e2e-role");
    let example = example();
    let created = run(
        &[("SourceArtifact", example.as_path())],
        &example_parameters(&stack, json!({})),
    );
    assert_eq!(created.job_status(), "Succeeded", "{}", created.report);
    assert_eq!(role_of(&stack).as_deref(), Some(SERVICE_ROLE_ARN));
}

#[test]
fn a_role_arn_outside_the_allowed_list_is_refused_before_anything_is_deployed() {
    let stack = unique_stack("e2e-role-refused");
    let example = example();
    let other = "arn:aws:iam::123456789012:role/admin";
    let refused = run(
        &[("SourceArtifact", example.as_path())],
        &example_parameters(&stack, json!({ "roleArn": other })),
    );
    assert_failed(
        &refused,
        "ConfigurationError",
        &[other, SERVICE_ROLE_ARN, "CloudFormationRoleArn"],
    );
    assert!(
        !refused.states().iter().any(|s| s == "Deploy stack"),
        "{:?}",
        refused.states()
    );
}
