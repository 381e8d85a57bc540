//! The stack options on a real run: termination protection set on the create, then switched
//! off on a deploy that changes nothing else (the CloudFormation layer answers
//! UpdateTerminationProtection, which moto lacks).

use serde_json::json;
use stackflow_environment::aws::moto_sdk_config;

use crate::support::{environment, example, example_parameters, run, runtime, unique_stack};

/// The stack's EnableTerminationProtection as the functions see it (through the layer).
fn protected(stack: &str) -> Option<bool> {
    runtime().block_on(async {
        let config = moto_sdk_config(&environment().stacks_url()).await;
        let out = aws_sdk_cloudformation::Client::new(&config)
            .describe_stacks()
            .stack_name(stack)
            .send()
            .await
            .unwrap();
        out.stacks()[0].enable_termination_protection()
    })
}

#[test]
fn termination_protection_is_set_on_the_create_and_switched_off_when_asked() {
    let stack = unique_stack("e2e-protect");
    let example = example();
    let artifacts = [("SourceArtifact", example.as_path())];

    let created = run(
        &artifacts,
        &example_parameters(&stack, json!({"terminationProtection": true})),
    );
    assert_eq!(
        created.code, 0,
        "create failed: {}\n{}",
        created.report, created.live
    );
    assert_eq!(created.stack_status(), Some("CREATE_COMPLETE"));
    assert_eq!(protected(&stack), Some(true));

    // Nothing else changes: the update finds no changes, and the protection still goes off.
    let unprotected = run(
        &artifacts,
        &example_parameters(
            &stack,
            json!({"terminationProtection": false, "parameters": {"Environment": "dev"}}),
        ),
    );
    assert_eq!(
        unprotected.code, 0,
        "switching protection off failed: {}\n{}",
        unprotected.report, unprotected.live
    );
    assert_eq!(unprotected.job_status(), "Succeeded");
    assert_eq!(protected(&stack), Some(false));
}
