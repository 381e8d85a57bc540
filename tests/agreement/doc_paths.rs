//! The documents name files that exist: every project path a README or a document of docs/ puts
//! in backticks (a placeholder such as `<function>` aside) is there, so a move cannot leave a
//! reader looking for a file that is gone.

use crate::cfn::{read, root};

const DOCUMENTS: &[&str] = &[
    "README.md",
    "statemachine/README.md",
    "docs/costs.md",
    "docs/faults.md",
    "docs/performance.md",
    "examples/review-flow/README.md",
];
/// The project's own top-level folders (target/ and fuzz/artifacts/ are made by runs).
const TRACKED: &[&str] = &[
    "bench/",
    "docs/",
    "examples/",
    "functions/",
    "infra/",
    "local/",
    "statemachine/",
    "tests/",
    "fuzz/corpus",
    "fuzz/fuzz_targets",
    "fuzz/run",
];

/// The backticked spans of a Markdown text that name a project path.
fn project_paths(text: &str) -> Vec<String> {
    text.split('`')
        .skip(1)
        .step_by(2)
        .filter(|span| TRACKED.iter().any(|top| span.starts_with(top)))
        .filter(|span| !span.contains(['<', '*', '{', ' ']))
        .map(str::to_string)
        .collect()
}

#[test]
fn every_path_the_documents_name_exists() {
    let mut missing = Vec::new();
    for document in DOCUMENTS {
        for path in project_paths(&read(document)) {
            if !root().join(&path).exists() {
                missing.push(format!("{document}: `{path}`"));
            }
        }
    }
    assert!(
        missing.is_empty(),
        "named but missing:\n{}",
        missing.join("\n")
    );
}

#[test]
fn placeholders_and_made_paths_are_not_taken_for_files() {
    let spans = project_paths("`local/` `functions/<state>` `target/x` `tests/run` `a b/`");
    assert_eq!(spans, ["local/", "tests/run"]);
}
