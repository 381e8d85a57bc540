//! Every committed seed of the fuzz targets (fuzz/corpus/<target>/*) through the checks the
//! targets run (`stackflow::fuzz_checks`): the test command runs the fuzz logic without the
//! fuzzer, and a seed that breaks a rule fails here too.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::{Path, PathBuf};

use stackflow::fuzz_checks::{self, Broken};

/// The seeds of one target, sorted; there must be some.
fn corpus(target: &str) -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../fuzz/corpus")
        .join(target);
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|err| panic!("reading {}: {err}", dir.display()))
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.is_file())
        .collect();
    files.sort();
    assert!(!files.is_empty(), "no seeds in {}", dir.display());
    files
}

/// Every seed of `target` through `check`; all the rules they break, at once.
fn replay(target: &str, check: fn(&[u8]) -> Result<(), Broken>) {
    let broken: Vec<String> = corpus(target)
        .iter()
        .filter_map(|path| {
            let data = std::fs::read(path).unwrap();
            check(&data)
                .err()
                .map(|rule| format!("{}: {rule}", path.display()))
        })
        .collect();
    assert!(broken.is_empty(), "{}", broken.join("\n"));
}

#[test]
fn the_user_parameters_seeds_keep_the_rules() {
    replay("user_parameters", fuzz_checks::user_parameters);
}

#[test]
fn the_template_config_seeds_keep_the_rules() {
    replay("template_config", fuzz_checks::template_config);
}

#[test]
fn the_job_event_seeds_keep_the_rules() {
    replay("job_event", fuzz_checks::job_event);
}

#[test]
fn the_artifact_zip_seeds_keep_the_rules() {
    replay("artifact_zip", fuzz_checks::artifact_zip);
}
