//! The summary the pipeline shows beside the action (issue 15): a create says it created the
//! stack and how long it took, a deploy that changes nothing says so, and a failure names the
//! first failed resource.

use std::path::Path;

use serde_json::json;

use crate::support::{assert_failed, example, fixture, run, unique_stack, Run};

fn deploy(stack: &str, template_dir: &Path) -> Run {
    let params = json!({
        "stack": stack, "artifact": "SourceArtifact", "file": "template.yaml",
        "config": "config.json", "pollSeconds": 1, "timeoutMinutes": 5
    });
    run(&[("SourceArtifact", template_dir)], &params.to_string())
}

#[test]
fn a_create_and_a_deploy_without_changes_say_what_happened() {
    let stack = unique_stack("summary");
    let created = deploy(&stack, &example());
    assert_eq!(created.job_status(), "Succeeded", "{}", created.report);
    let summary = created.message();
    let head = format!("Stack {stack}: created (CREATE_COMPLETE) in ");
    assert!(summary.starts_with(&head), "{summary}");
    assert!(summary.ends_with(" s"), "how long it took: {summary}");

    let same = deploy(&stack, &example());
    assert_eq!(same.message(), format!("Stack {stack}: no changes"));
}

#[test]
fn a_failure_names_the_first_failed_resource() {
    let stack = unique_stack("summary-failed");
    let params = json!({
        "stack": stack, "artifact": "SourceArtifact", "file": "template.yaml",
        "pollSeconds": 1, "timeoutMinutes": 5
    });
    let failed = run(
        &[("SourceArtifact", &fixture("resource-error"))],
        &params.to_string(),
    );
    assert_failed(
        &failed,
        "JobFailed",
        &["OrderedQueue (AWS::SQS::Queue) CREATE_FAILED"],
    );
    assert!(
        failed.message().starts_with("ROLLBACK_COMPLETE: "),
        "{}",
        failed.message()
    );
}
