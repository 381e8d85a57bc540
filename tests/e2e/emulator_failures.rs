//! Templates moto cannot run (it answers HTTP 500 and leaves the stack in progress) end as on
//! AWS, through the local CloudFormation layer: the create or update fails, the stack rolls
//! back, the job fails naming the resource, and `replaceOnFailure` replaces the stack. Each
//! run's `timeoutMinutes` outlasts the run's own timeout, so a job that ends failed (not timed
//! out) did not hang.

use std::path::Path;

use serde_json::json;

use crate::support::{assert_failed, fixture, run, unique_stack, Run, RUN_TIMEOUT};

/// Longer than [`RUN_TIMEOUT`]: a stack left in progress would time the run out first.
const PATIENT_MINUTES: u64 = RUN_TIMEOUT.as_secs() / 60 + 10;

fn deploy(stack: &str, template_dir: &Path, extra: serde_json::Value) -> Run {
    let mut params = json!({
        "stack": stack,
        "artifact": "SourceArtifact",
        "file": "template.yaml",
        "pollSeconds": 1,
        "timeoutMinutes": PATIENT_MINUTES,
    });
    if let (Some(map), Some(extra)) = (params.as_object_mut(), extra.as_object()) {
        map.extend(extra.clone());
    }
    run(&[("SourceArtifact", template_dir)], &params.to_string())
}

fn assert_succeeded(run: &Run, status: &str) {
    assert_eq!(
        run.code, 0,
        "expected success: {}\n{}",
        run.report, run.live
    );
    assert_eq!(run.job_status(), "Succeeded");
    assert_eq!(run.stack_status(), Some(status), "{}", run.report);
}

#[test]
fn a_create_moto_crashes_on_rolls_back_and_is_replaced() {
    let stack = unique_stack("e2e-moto-crash");
    let failed = deploy(&stack, &fixture("moto-crash"), json!({}));
    assert_failed(
        &failed,
        "JobFailed",
        &[
            "ROLLBACK_COMPLETE",
            "UnnamedParameter (AWS::SSM::Parameter) CREATE_FAILED",
            "[local emulator]",
        ],
    );
    assert_eq!(failed.stack_status(), Some("ROLLBACK_COMPLETE"));

    // Without replaceOnFailure the rolled-back stack is refused, as on AWS.
    let good = fixture("update-crash").join("good");
    let refused = deploy(&stack, &good, json!({}));
    assert_failed(
        &refused,
        "ConfigurationError",
        &["ROLLBACK_COMPLETE", "replaceOnFailure"],
    );

    let replaced = deploy(&stack, &good, json!({"replaceOnFailure": true}));
    assert_succeeded(&replaced, "CREATE_COMPLETE");
    assert_eq!(replaced.output("Version"), Some("1"), "{}", replaced.report);
}

#[test]
fn a_resource_moto_refuses_with_a_cloudformation_shaped_error_fails_the_create() {
    let stack = unique_stack("e2e-resource-error");
    let failed = deploy(&stack, &fixture("resource-error"), json!({}));
    assert_failed(
        &failed,
        "JobFailed",
        &[
            "ROLLBACK_COMPLETE",
            "OrderedQueue (AWS::SQS::Queue) CREATE_FAILED",
            "[local emulator]",
            "must end in .fifo",
        ],
    );
    assert_eq!(failed.stack_status(), Some("ROLLBACK_COMPLETE"));
}

#[test]
fn an_update_moto_crashes_on_rolls_back_to_the_old_outputs() {
    let stack = unique_stack("e2e-update-crash");
    let created = deploy(&stack, &fixture("update-crash").join("good"), json!({}));
    assert_succeeded(&created, "CREATE_COMPLETE");
    let outputs = created.stack_outputs();
    assert_eq!(outputs.get("Version").map(String::as_str), Some("1"));

    let failed = deploy(&stack, &fixture("update-crash").join("bad"), json!({}));
    assert_failed(
        &failed,
        "JobFailed",
        &[
            "UPDATE_ROLLBACK_COMPLETE",
            "UnnamedParameter (AWS::SSM::Parameter) CREATE_FAILED",
            "[local emulator]",
        ],
    );
    assert_eq!(failed.stack_status(), Some("UPDATE_ROLLBACK_COMPLETE"));
    assert_eq!(failed.stack_outputs(), outputs);

    // The rolled-back stack takes the next good update.
    let again = deploy(&stack, &fixture("update-crash").join("good"), json!({}));
    assert_eq!(again.code, 0, "{}\n{}", again.report, again.live);
    assert_eq!(again.job_status(), "Succeeded");
}
