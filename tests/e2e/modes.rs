//! The modes besides `deploy` (issue 14): a change set created for review and executed later,
//! one that changes nothing, one that is not there; a stack deleted, and one already gone;
//! `outputFile` in the output artifact; a key the mode does not take. What CloudFormation holds
//! afterwards is read back from it, not from stackflow's report.
//!
//! moto finds a change set by its name alone, whatever the stack, so every test names its
//! change sets after its own unique stack.

use std::collections::{BTreeMap, BTreeSet};

use aws_sdk_cloudformation::operation::describe_change_set::DescribeChangeSetOutput;
use serde_json::{json, Value};
use stackflow_environment::aws::moto_sdk_config;

use crate::support::{
    assert_failed, cli, environment, example, example_parameters, fixture, project_root, run,
    run_with, runtime, unique_stack, Run, RUN_TIMEOUT,
};

pub(crate) async fn cloudformation() -> aws_sdk_cloudformation::Client {
    aws_sdk_cloudformation::Client::new(&moto_sdk_config(&environment().moto_url()).await)
}

/// The stack (a name or an id) as DescribeStacks gives it: its id and status; `None` when
/// CloudFormation says it does not exist.
pub(crate) fn described_stack(stack: &str) -> Option<(String, String)> {
    runtime().block_on(async {
        match cloudformation()
            .await
            .describe_stacks()
            .stack_name(stack)
            .send()
            .await
        {
            Ok(out) => {
                let found = &out.stacks()[0];
                Some((
                    found.stack_id().unwrap_or_default().to_string(),
                    found
                        .stack_status()
                        .map(|s| s.as_str().to_string())
                        .unwrap_or_default(),
                ))
            }
            Err(err) => {
                let text = format!("{:?}", err.into_service_error());
                assert!(text.contains("does not exist"), "DescribeStacks: {text}");
                None
            }
        }
    })
}

/// Change set `name` of `stack` as DescribeChangeSet gives it, or the error's text.
fn described_change_set(stack: &str, name: &str) -> Result<DescribeChangeSetOutput, String> {
    runtime().block_on(async {
        cloudformation()
            .await
            .describe_change_set()
            .stack_name(stack)
            .change_set_name(name)
            .send()
            .await
            .map_err(|err| format!("{:?}", err.into_service_error()))
    })
}

/// The logical ids of the stack's resources, as ListStackResources gives them.
fn stack_resources(stack: &str) -> BTreeSet<String> {
    runtime().block_on(async {
        cloudformation()
            .await
            .list_stack_resources()
            .stack_name(stack)
            .send()
            .await
            .expect("ListStackResources")
            .stack_resource_summaries()
            .iter()
            .filter_map(|r| r.logical_resource_id().map(str::to_string))
            .collect()
    })
}

/// The stack's outputs, as DescribeStacks gives them.
fn described_outputs(stack: &str) -> BTreeMap<String, String> {
    runtime().block_on(async {
        let out = cloudformation()
            .await
            .describe_stacks()
            .stack_name(stack)
            .send()
            .await
            .expect("DescribeStacks");
        out.stacks()[0]
            .outputs()
            .iter()
            .map(|o| {
                (
                    o.output_key().unwrap_or_default().to_string(),
                    o.output_value().unwrap_or_default().to_string(),
                )
            })
            .collect()
    })
}

pub(crate) fn assert_succeeded(done: &Run) {
    assert_eq!(
        done.code, 0,
        "the job failed: {}\n{}",
        done.report, done.live
    );
    assert_eq!(done.job_status(), "Succeeded");
}

/// UserParameters of `mode` for `stack` with no template: pollSeconds 1, timeoutMinutes 5, and
/// `extra`.
fn templateless(mode: &str, stack: &str, extra: Value) -> String {
    let mut params = json!({"mode": mode, "stack": stack, "pollSeconds": 1, "timeoutMinutes": 5});
    if let (Some(map), Some(extra)) = (params.as_object_mut(), extra.as_object()) {
        map.extend(extra.clone());
    }
    params.to_string()
}

/// `mode` createChangeSet of the template in `artifact` (the example's keys), for `stack`.
pub(crate) fn create_change_set(stack: &str, change_set: &str, artifact: &std::path::Path) -> Run {
    let params = example_parameters(
        stack,
        json!({"mode": "createChangeSet", "changeSetName": change_set}),
    );
    run(&[("SourceArtifact", artifact)], &params)
}

pub(crate) fn execute_change_set(stack: &str, change_set: &str) -> Run {
    let params = templateless(
        "executeChangeSet",
        stack,
        json!({"changeSetName": change_set}),
    );
    run(&[], &params)
}

fn deploy_example(stack: &str) -> Run {
    let done = run(
        &[("SourceArtifact", example().as_path())],
        &example_parameters(stack, json!({})),
    );
    assert_succeeded(&done);
    assert_eq!(done.stack_status(), Some("CREATE_COMPLETE"));
    done
}

/// The resources of a template (its `Resources` keys).
fn resources_of(template: &std::path::Path) -> BTreeSet<String> {
    let text = std::fs::read_to_string(template).unwrap();
    let document: serde_yaml_ng::Value = serde_yaml_ng::from_str(&text).unwrap();
    document["Resources"]
        .as_mapping()
        .expect("the template has Resources")
        .keys()
        .map(|key| key.as_str().unwrap().to_string())
        .collect()
}

#[test]
fn a_change_set_for_a_new_stack_waits_for_review_then_its_execution_creates_the_stack() {
    let stack = unique_stack("e2e-review-new");
    let change_set = format!("{stack}-cs");
    let created = create_change_set(&stack, &change_set, &example());
    assert_succeeded(&created);

    let resources = resources_of(&example().join("template.yaml"));
    let adds = resources.len().to_string();
    assert_eq!(created.output("ChangeSetName"), Some(change_set.as_str()));
    assert_eq!(
        created.output("Adds"),
        Some(adds.as_str()),
        "{}",
        created.report
    );
    for counted in ["Modifies", "Removes", "Replacements"] {
        assert_eq!(created.output(counted), Some("0"), "{counted}");
    }
    let id = created
        .output("ChangeSetId")
        .expect("a ChangeSetId")
        .to_string();
    assert!(
        id.starts_with("arn:aws:cloudformation:")
            && id.contains(&format!(":changeSet/{change_set}/")),
        "ChangeSetId {id}"
    );
    let summary = created.message();
    let head = format!(
        "Change set {change_set} for stack {stack}: {adds} to add, 0 to modify, 0 to remove"
    );
    assert!(summary.starts_with(&head), "summary {summary:?}");
    assert!(
        summary.contains("Add UploadBucket (AWS::S3::Bucket)"),
        "{summary}"
    );
    assert!(
        summary.contains("Add UploadQueue (AWS::SQS::Queue)"),
        "{summary}"
    );
    // No stack outputs to give: the change set's counts are the variables.
    assert_eq!(created.output("QueueUrl"), None);

    // Created, not executed: the stack waits for review, with nothing in it yet.
    let (stack_id, status) = described_stack(&stack).expect("the change set made the stack");
    assert_eq!(status, "REVIEW_IN_PROGRESS");
    assert_eq!(created.stack_status(), Some("REVIEW_IN_PROGRESS"));
    let ready = described_change_set(&stack, &change_set).expect("the change set");
    assert_eq!(ready.change_set_id(), Some(id.as_str()));
    assert_eq!(ready.status().map(|s| s.as_str()), Some("CREATE_COMPLETE"));
    assert_eq!(
        ready.execution_status().map(|s| s.as_str()),
        Some("AVAILABLE")
    );

    let executed = execute_change_set(&stack, &change_set);
    assert_succeeded(&executed);
    assert!(
        executed.states().iter().any(|s| s == "Wait for stack"),
        "the execution was not waited for: {:?}",
        executed.states()
    );
    let (executed_id, status) = described_stack(&stack).expect("the stack");
    assert_eq!(status, "CREATE_COMPLETE");
    assert_eq!(
        executed_id, stack_id,
        "the change set's own stack was created"
    );
    assert!(
        executed.message().contains(&stack) && executed.message().contains("CREATE_COMPLETE"),
        "summary {:?}",
        executed.message()
    );
    assert_eq!(stack_resources(&stack), resources);
    // The job's output variables are the stack's outputs as CloudFormation describes them.
    // (moto 5.2.5 describes none here: its ExecuteChangeSet applies the resources but keeps
    // the outputs the stack had before, none for a stack a change set made. On AWS these are
    // the template's four outputs.)
    assert_eq!(
        executed.report.job.output_variables,
        described_outputs(&stack),
        "{}",
        executed.report
    );
}

#[test]
fn a_change_set_for_an_update_counts_the_added_and_modified_resources() {
    let stack = unique_stack("e2e-review-update");
    let change_set = format!("{stack}-cs");
    deploy_example(&stack);
    let grown = fixture("queue-and-bucket-grown");

    let created = create_change_set(&stack, &change_set, &grown);
    assert_succeeded(&created);
    let vars = &created.report.job.output_variables;
    let counts: BTreeMap<&str, &str> = ["Adds", "Modifies", "Removes", "Replacements"]
        .into_iter()
        .map(|name| (name, vars.get(name).map_or("missing", String::as_str)))
        .collect();
    let expected = BTreeMap::from([
        ("Adds", "1"),
        ("Modifies", "1"),
        ("Removes", "0"),
        ("Replacements", "0"),
    ]);
    assert_eq!(counts, expected, "{}", created.report);
    assert_eq!(created.output("ChangeSetName"), Some(change_set.as_str()));
    assert!(
        created.output("ChangeSetId").is_some(),
        "{}",
        created.report
    );
    let summary = created.message();
    assert!(
        summary.starts_with(&format!(
            "Change set {change_set} for stack {stack}: 1 to add, 1 to modify, 0 to remove. "
        )),
        "summary {summary:?}"
    );
    assert!(
        summary.contains("Add DeadLetterQueue (AWS::SQS::Queue)"),
        "{summary}"
    );
    assert!(
        summary.contains("Modify UploadQueue (AWS::SQS::Queue)"),
        "{summary}"
    );
    assert!(!summary.contains("UploadBucket"), "{summary}");

    // Reviewed, not applied: the stack is as the first deploy left it.
    let (_, status) = described_stack(&stack).expect("the stack");
    assert_eq!(status, "CREATE_COMPLETE");
    assert!(!created.stack_outputs().contains_key("DeadLetterQueueArn"));

    let executed = execute_change_set(&stack, &change_set);
    assert_succeeded(&executed);
    let (_, status) = described_stack(&stack).expect("the stack");
    assert_eq!(status, "UPDATE_COMPLETE");
    assert_eq!(
        stack_resources(&stack),
        resources_of(&grown.join("template.yaml"))
    );
    // As after a create (above): the outputs CloudFormation describes, which on AWS add
    // DeadLetterQueueArn and in moto 5.2.5 are the ones from before the change set.
    assert_eq!(
        executed.report.job.output_variables,
        described_outputs(&stack),
        "{}",
        executed.report
    );
}

#[test]
fn a_change_set_that_changes_nothing_succeeds_and_is_deleted() {
    let stack = unique_stack("e2e-review-same");
    let change_set = format!("{stack}-cs");
    deploy_example(&stack);

    let same = create_change_set(&stack, &change_set, &example());
    assert_succeeded(&same);
    assert_eq!(
        same.message(),
        format!(
            "Change set {change_set} for stack {stack}: no changes; the empty change set was \
             deleted"
        )
    );
    assert_eq!(same.output("ChangeSetId"), None, "{}", same.report);
    assert_eq!(same.output("ChangeSetName"), Some(change_set.as_str()));
    assert_eq!(same.output("Adds"), Some("0"));
    assert_eq!(same.output("Modifies"), Some("0"));
    assert!(
        !same.states().iter().any(|s| s == "Report failure"),
        "{:?}",
        same.states()
    );

    let gone = described_change_set(&stack, &change_set)
        .expect_err("the empty change set should have been deleted");
    assert!(
        gone.contains("does not exist") || gone.contains("ChangeSetNotFound"),
        "DescribeChangeSet: {gone}"
    );
    let (_, status) = described_stack(&stack).expect("the stack");
    assert_eq!(status, "CREATE_COMPLETE");
}

#[test]
fn executing_a_change_set_that_does_not_exist_names_it_and_the_stack() {
    // On a stack that exists...
    let stack = unique_stack("e2e-review-missing");
    let change_set = format!("{stack}-never-made");
    deploy_example(&stack);
    let missing = execute_change_set(&stack, &change_set);
    assert_failed(&missing, "ConfigurationError", &[&change_set, &stack]);
    let (_, status) = described_stack(&stack).expect("the stack");
    assert_eq!(status, "CREATE_COMPLETE", "the stack was touched");

    // ...and on one that does not.
    let nowhere = unique_stack("e2e-review-nostack");
    let change_set = format!("{nowhere}-cs");
    let missing = execute_change_set(&nowhere, &change_set);
    assert_failed(&missing, "ConfigurationError", &[&change_set, &nowhere]);
    assert_eq!(described_stack(&nowhere), None);
}

#[test]
fn delete_removes_the_stack_and_then_finds_nothing_to_delete() {
    let stack = unique_stack("e2e-delete");
    deploy_example(&stack);
    let (stack_id, _) = described_stack(&stack).expect("the stack");

    let deleted = run(&[], &templateless("delete", &stack, json!({})));
    assert_succeeded(&deleted);
    let summary = deleted.message();
    assert!(
        summary.starts_with(&format!("Stack {stack}: deleted in ")),
        "{summary}"
    );
    assert!(
        deleted.states().iter().any(|s| s == "Wait for stack"),
        "the delete was not waited for: {:?}",
        deleted.states()
    );
    // By name the stack is gone; by its id CloudFormation still describes it, deleted.
    assert_eq!(described_stack(&stack), None);
    let (_, status) = described_stack(&stack_id).expect("the deleted stack, by id");
    assert_eq!(status, "DELETE_COMPLETE");
    assert_eq!(deleted.stack_status(), None);

    let again = run(&[], &templateless("delete", &stack, json!({})));
    assert_succeeded(&again);
    assert_eq!(
        again.message(),
        format!("Stack {stack}: nothing to delete; the stack does not exist")
    );
    assert!(
        !again.states().iter().any(|s| s == "Wait for stack"),
        "{:?}",
        again.states()
    );
}

/// `run` with an output artifact named `Outputs`.
fn run_with_output_artifact(artifact: &std::path::Path, params: &str) -> Run {
    environment();
    run_with(
        cli(),
        RUN_TIMEOUT,
        &["--output-artifact", "Outputs"],
        &[("SourceArtifact", artifact)],
        params,
    )
}

/// The output artifact's entries, by path, parsed as JSON.
fn output_files(done: &Run) -> BTreeMap<String, Value> {
    let artifact = done
        .report
        .output_artifact
        .as_ref()
        .expect("the report lists the output artifact");
    assert_eq!(artifact.name, "Outputs");
    assert!(artifact.written, "nothing was written: {}", done.report);
    artifact
        .entries
        .iter()
        .map(|entry| {
            let text = entry.text.as_deref().expect("a text entry");
            let value = serde_json::from_str(text)
                .unwrap_or_else(|err| panic!("{} is not JSON ({err}): {text}", entry.path));
            (entry.path.clone(), value)
        })
        .collect()
}

#[test]
fn output_file_holds_the_stack_outputs_in_the_output_artifact() {
    let stack = unique_stack("e2e-outfile");
    let params = example_parameters(&stack, json!({"outputFile": "out/outputs.json"}));
    let done = run_with_output_artifact(&example(), &params);
    assert_succeeded(&done);
    let files = output_files(&done);
    assert_eq!(
        files.keys().collect::<Vec<_>>(),
        ["out/outputs.json"],
        "{}",
        done.report
    );
    // The outputs as CloudFormation describes them, read back here (not from the report).
    let described = described_outputs(&stack);
    assert_eq!(described.len(), 4, "{described:?}");
    assert_eq!(files["out/outputs.json"], json!(described));
}

#[test]
fn a_change_sets_output_file_holds_its_changes() {
    let stack = unique_stack("e2e-outfile-cs");
    let change_set = format!("{stack}-cs");
    let params = example_parameters(
        &stack,
        json!({"mode": "createChangeSet", "changeSetName": change_set, "outputFile": "outputs.json"}),
    );
    let done = run_with_output_artifact(&example(), &params);
    assert_succeeded(&done);
    let files = output_files(&done);
    assert_eq!(
        files.keys().collect::<Vec<_>>(),
        ["change-set.json", "outputs.json"],
        "{}",
        done.report
    );
    // A stack waiting for review has no outputs yet.
    assert_eq!(files["outputs.json"], json!({}));
    let document = &files["change-set.json"];
    assert_eq!(document["StackName"], json!(stack));
    assert_eq!(document["ChangeSetName"], json!(change_set));
    assert_eq!(document["ChangeSetType"], json!("CREATE"));
    assert_eq!(
        document["ChangeSetId"].as_str(),
        done.output("ChangeSetId"),
        "{document}"
    );
    assert_eq!(
        document["Summary"],
        json!("2 to add, 0 to modify, 0 to remove")
    );
    let changes = document["Changes"].as_array().expect("Changes");
    let added: BTreeSet<String> = changes
        .iter()
        .map(|change| {
            assert_eq!(change["Action"], json!("Add"), "{change}");
            change["LogicalResourceId"].as_str().unwrap().to_string()
        })
        .collect();
    assert_eq!(added, resources_of(&example().join("template.yaml")));
}

#[test]
fn a_key_the_mode_does_not_take_is_refused_by_name() {
    let stack = unique_stack("e2e-misplaced");
    let params = templateless("delete", &stack, json!({"file": "template.yaml"}));
    let refused = run(&[("SourceArtifact", example().as_path())], &params);
    assert_failed(
        &refused,
        "ConfigurationError",
        &["`file`", "does not apply", "`delete`"],
    );

    let params = templateless(
        "executeChangeSet",
        &stack,
        json!({"changeSetName": "x", "artifact": "SourceArtifact"}),
    );
    let refused = run(&[("SourceArtifact", example().as_path())], &params);
    assert_failed(
        &refused,
        "ConfigurationError",
        &["`artifact`", "does not apply", "`executeChangeSet`"],
    );
}

/// examples/review-flow's UserParameters, for another stack and change set.
fn review_flow_parameters(file: &str, stack: &str, change_set: &str) -> (Value, String) {
    let path = project_root().join("examples/review-flow").join(file);
    let original: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    let mut params = original.clone();
    params["stack"] = json!(stack);
    params["changeSetName"] = json!(change_set);
    (original, params.to_string())
}

#[test]
fn the_review_flow_example_creates_a_change_set_then_executes_it() {
    let stack = unique_stack("e2e-review-example");
    let change_set = format!("{stack}-cs");
    let (create, create_params) = review_flow_parameters(
        "create-change-set.user-parameters.json",
        &stack,
        &change_set,
    );
    let (execute, execute_params) = review_flow_parameters(
        "execute-change-set.user-parameters.json",
        &stack,
        &change_set,
    );
    // The two files name the same stack and change set: the second runs what the first made.
    assert_eq!(create["stack"], execute["stack"]);
    assert_eq!(create["changeSetName"], execute["changeSetName"]);
    assert_eq!(create["artifact"], json!("SourceArtifact"));

    let created = run(&[("SourceArtifact", example().as_path())], &create_params);
    assert_succeeded(&created);
    assert!(
        created.message().starts_with(&format!(
            "Change set {change_set} for stack {stack}: 2 to add"
        )),
        "{}",
        created.message()
    );
    assert_eq!(
        described_stack(&stack).map(|s| s.1).as_deref(),
        Some("REVIEW_IN_PROGRESS")
    );

    let executed = run(&[], &execute_params);
    assert_succeeded(&executed);
    assert_eq!(
        described_stack(&stack).map(|s| s.1).as_deref(),
        Some("CREATE_COMPLETE")
    );
    assert_eq!(
        stack_resources(&stack),
        resources_of(&example().join("template.yaml"))
    );
}
