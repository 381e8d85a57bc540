//! The examples' UserParameters are what stackflow accepts: every `*.user-parameters.json` under
//! examples/ parses, and the review flow's two files create and execute one change set of one
//! stack (tests/e2e/modes.rs runs them).

use stackflow::contract::Mode;
use stackflow::steps::validate_params::{parse_user_parameters, UserParameters};

use crate::cfn::{read, root};

fn parsed(path: &str) -> UserParameters {
    parse_user_parameters(&read(path)).unwrap_or_else(|err| panic!("{path}: {err:?}"))
}

/// The UserParameters files under examples/ and its folders, relative to the project.
fn user_parameter_files() -> Vec<String> {
    let mut files = Vec::new();
    let mut folders = vec![root().join("examples")];
    while let Some(folder) = folders.pop() {
        for entry in std::fs::read_dir(&folder).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                folders.push(path);
            } else if path.to_string_lossy().ends_with(".user-parameters.json") {
                let relative = path.strip_prefix(root()).unwrap();
                files.push(relative.to_string_lossy().into_owned());
            }
        }
    }
    files.sort();
    files
}

#[test]
fn every_examples_user_parameters_are_accepted() {
    let files = user_parameter_files();
    assert!(files.len() >= 3, "{files:?}");
    for file in files {
        parsed(&file);
    }
}

#[test]
fn the_review_flow_executes_the_change_set_it_creates() {
    let create = parsed("examples/review-flow/create-change-set.user-parameters.json");
    let execute = parsed("examples/review-flow/execute-change-set.user-parameters.json");
    assert_eq!(create.mode, Mode::CreateChangeSet);
    assert_eq!(execute.mode, Mode::ExecuteChangeSet);
    assert_eq!(create.stack, execute.stack);
    assert!(create.change_set_name.is_some());
    assert_eq!(create.change_set_name, execute.change_set_name);
    // The template of examples/queue-and-bucket, which the README passes as SourceArtifact.
    assert_eq!(create.artifact.as_deref(), Some("SourceArtifact"));
    assert_eq!(create.file.as_deref(), Some("template.yaml"));
    assert_eq!(create.config.as_deref(), Some("config.json"));
    for file in ["template.yaml", "config.json"] {
        assert!(root()
            .join("examples/queue-and-bucket")
            .join(file)
            .is_file());
    }
}
