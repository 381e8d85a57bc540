//! Parameter values from another input artifact (`Fn::GetParam`, issue 15): read from the
//! build's JSON file, deployed, and each way it can be wrong named in the failure.

use serde_json::json;

use crate::support::{assert_failed, fixture, run, unique_stack, Run};

fn deploy(stack: &str, get_param: [&str; 3]) -> Run {
    let params = json!({
        "stack": stack, "artifact": "SourceArtifact", "file": "template.yaml",
        "pollSeconds": 1, "timeoutMinutes": 5,
        "parameters": {"Environment": "dev", "ImageTag": {"Fn::GetParam": get_param}}
    });
    run(
        &[
            ("SourceArtifact", &fixture("get-param/template")),
            ("BuildOutput", &fixture("get-param/build")),
        ],
        &params.to_string(),
    )
}

#[test]
fn a_value_from_a_second_artifact_reaches_the_stack() {
    let stack = unique_stack("get-param");
    let done = deploy(&stack, ["BuildOutput", "build.json", "tag"]);
    assert_eq!(done.job_status(), "Succeeded", "{}", done.report);
    assert_eq!(done.output("ImageTag"), Some("1.4.2-7f3a"));
    assert_eq!(
        done.stack_outputs().get("ImageTag").map(String::as_str),
        Some("1.4.2-7f3a")
    );
    // A number is passed as its text.
    let number = deploy(
        &unique_stack("get-param-n"),
        ["BuildOutput", "build.json", "build"],
    );
    assert_eq!(number.output("ImageTag"), Some("17"), "{}", number.report);
}

#[test]
fn a_missing_artifact_is_named() {
    let done = deploy(&unique_stack("get-param"), ["Nope", "build.json", "tag"]);
    assert_failed(
        &done,
        "ConfigurationError",
        &["Fn::GetParam names artifact `Nope`", "BuildOutput"],
    );
}

#[test]
fn a_missing_file_is_named() {
    let done = deploy(
        &unique_stack("get-param"),
        ["BuildOutput", "missing.json", "tag"],
    );
    assert_failed(
        &done,
        "ConfigurationError",
        &["artifact `BuildOutput` has no file `missing.json`"],
    );
}

#[test]
fn a_missing_key_is_named_and_a_value_of_another_kind_refused() {
    let done = deploy(
        &unique_stack("get-param"),
        ["BuildOutput", "build.json", "nokey"],
    );
    assert_failed(
        &done,
        "ConfigurationError",
        &["has no key `nokey`", "build.json"],
    );
    let done = deploy(
        &unique_stack("get-param"),
        ["BuildOutput", "build.json", "ok"],
    );
    assert_failed(
        &done,
        "ConfigurationError",
        &["must be a string or a number"],
    );
}
