//! Every way a job can be wrong ends as a failed job whose message names the problem.

use serde_json::json;

use crate::support::{assert_failed, example, example_parameters, fixture, run, unique_stack};

#[test]
fn user_parameters_that_are_not_json() {
    let result = run(&[("SourceArtifact", example().as_path())], "{stack: nope");
    assert_failed(&result, "ConfigurationError", &["JSON", "line 1"]);
}

#[test]
fn an_unknown_key_is_named_with_the_accepted_ones() {
    let params = example_parameters(&unique_stack("e2e-typo"), json!({"pollSecond": 5}));
    let result = run(&[("SourceArtifact", example().as_path())], &params);
    assert_failed(
        &result,
        "ConfigurationError",
        &["pollSecond", "pollSeconds", "timeoutMinutes"],
    );
}

#[test]
fn a_stack_name_cloudformation_would_reject() {
    let params = example_parameters("1st_stack", json!({}));
    let result = run(&[("SourceArtifact", example().as_path())], &params);
    assert_failed(&result, "ConfigurationError", &["1st_stack"]);
}

#[test]
fn an_artifact_the_job_does_not_have() {
    let params = example_parameters(
        &unique_stack("e2e-artifact"),
        json!({"artifact": "BuildOutput"}),
    );
    let result = run(&[("SourceArtifact", example().as_path())], &params);
    assert_failed(
        &result,
        "ConfigurationError",
        &["BuildOutput", "SourceArtifact"],
    );
}

#[test]
fn a_file_missing_from_the_artifact_lists_what_is_there() {
    let params = example_parameters(&unique_stack("e2e-file"), json!({"file": "missing.yaml"}));
    let result = run(&[("SourceArtifact", example().as_path())], &params);
    assert_failed(
        &result,
        "ConfigurationError",
        &["missing.yaml", "template.yaml", "config.json"],
    );
}

#[test]
fn a_corrupt_zip() {
    let params = example_parameters(&unique_stack("e2e-zip"), json!({}));
    let result = run(
        &[(
            "SourceArtifact",
            fixture("not-a-zip").join("artifact.zip").as_path(),
        )],
        &params,
    );
    // The zip library's own words follow ("invalid Zip archive: …"); ours name the artifact.
    assert_failed(
        &result,
        "ConfigurationError",
        &["artifact `SourceArtifact` is not a zip archive: "],
    );
}

#[test]
fn a_template_cloudformation_rejects() {
    let stack = unique_stack("e2e-rejected");
    let params = json!({"stack": stack, "artifact": "SourceArtifact", "file": "template.yaml", "pollSeconds": 1}).to_string();
    let result = run(
        &[("SourceArtifact", fixture("rejected-template").as_path())],
        &params,
    );
    assert_failed(
        &result,
        "ConfigurationError",
        &["At least one Resources member must be defined"],
    );
}
