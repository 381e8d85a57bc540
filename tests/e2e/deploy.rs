//! The happy paths: create, no changes, update.

use serde_json::json;

use crate::support::{example, example_parameters, run, unique_stack};

#[test]
fn create_then_no_changes_then_update() {
    let stack = unique_stack("e2e-deploy");
    let example = example();
    let artifacts = [("SourceArtifact", example.as_path())];

    let created = run(&artifacts, &example_parameters(&stack, json!({})));
    assert_eq!(
        created.code, 0,
        "create failed: {}\n{}",
        created.report, created.live
    );
    assert_eq!(created.job_status(), "Succeeded");
    assert_eq!(created.stack_status(), Some("CREATE_COMPLETE"));
    assert_eq!(
        created.output("Environment"),
        Some("dev"),
        "{}",
        created.report
    );
    assert!(
        created.output("BucketName").is_some_and(|b| !b.is_empty()),
        "{}",
        created.report
    );
    assert!(
        created
            .output("QueueUrl")
            .is_some_and(|q| q.contains("sqs") || q.contains("queue")),
        "{}",
        created.report
    );
    let states = created.states();
    for expected in [
        "Validate parameters",
        "Fetch template",
        "Deploy stack",
        "Wait for stack",
        "Check stack",
        "Report success",
        "Deployed",
    ] {
        assert!(
            states.iter().any(|s| s == expected),
            "state {expected} missing from {states:?}"
        );
    }
    assert!(
        created.live.contains("Deploy stack"),
        "the states were not shown live: {}",
        created.live
    );

    // The same template and parameters again: nothing to do, and that is a success.
    let same = run(
        &artifacts,
        &example_parameters(&stack, json!({"parameters": {"Environment": "dev"}})),
    );
    assert_eq!(same.code, 0, "no-op failed: {}\n{}", same.report, same.live);
    assert_eq!(same.job_status(), "Succeeded");
    assert!(
        same.message().to_lowercase().contains("no changes"),
        "message: {}",
        same.message()
    );
    assert!(
        !same.states().iter().any(|s| s == "Wait for stack"),
        "a no-op waited: {:?}",
        same.states()
    );
    assert_eq!(same.output("Environment"), Some("dev"));

    // A changed parameter: an update, and the stack shows the new value.
    let updated = run(
        &artifacts,
        &example_parameters(&stack, json!({"parameters": {"Environment": "staging"}})),
    );
    assert_eq!(
        updated.code, 0,
        "update failed: {}\n{}",
        updated.report, updated.live
    );
    assert_eq!(updated.stack_status(), Some("UPDATE_COMPLETE"));
    assert_eq!(
        updated
            .stack_outputs()
            .get("Environment")
            .map(String::as_str),
        Some("staging")
    );
    assert_eq!(updated.output("Environment"), Some("staging"));
}
