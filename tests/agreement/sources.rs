//! What the functions' own files say: which environment variables a function's `main.rs` reads,
//! which AWS SDK clients it builds, and the `cargo lambda` environment of its Cargo.toml.

use std::collections::{BTreeMap, BTreeSet};

use crate::cfn::{read, root};

/// The function crates: the folders of functions/ with a `src/main.rs`.
pub fn function_binaries() -> BTreeSet<String> {
    let dir = root().join("functions");
    std::fs::read_dir(&dir)
        .unwrap_or_else(|err| panic!("reading {}: {err}", dir.display()))
        .filter_map(Result::ok)
        .filter(|entry| entry.path().join("src").join("main.rs").is_file())
        .map(|entry| entry.file_name().to_string_lossy().into_owned())
        .collect()
}

fn main_rs(binary: &str) -> String {
    read(&format!("functions/{binary}/src/main.rs"))
}

/// `pub const NAME: &str = "VALUE";` of stackflow's config.rs: the environment variable names.
fn env_var_constants() -> BTreeMap<String, String> {
    read("functions/stackflow/src/config.rs")
        .lines()
        .filter_map(|line| {
            let rest = line.trim().strip_prefix("pub const ")?;
            let (name, rest) = rest.split_once(": &str = \"")?;
            let value = rest.strip_suffix("\";")?;
            Some((name.to_string(), value.to_string()))
        })
        .collect()
}

/// The identifiers that follow `prefix` in `text` (e.g. `config::` → `STAGING_BUCKET`).
fn identifiers_after<'a>(text: &'a str, prefix: &str) -> Vec<&'a str> {
    text.match_indices(prefix)
        .map(|(at, _)| {
            let rest = &text[at + prefix.len()..];
            let end = rest
                .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                .unwrap_or(rest.len());
            &rest[..end]
        })
        .collect()
}

/// The environment variables a function reads: the config.rs names its `main.rs` uses, and any
/// `env::var("…")` literal in it.
pub fn env_vars_read(binary: &str) -> BTreeSet<String> {
    let source = main_rs(binary);
    let constants = env_var_constants();
    let mut read: BTreeSet<String> = identifiers_after(&source, "config::")
        .into_iter()
        .filter_map(|name| constants.get(name).cloned())
        .collect();
    for (at, _) in source.match_indices("env::var(\"") {
        let rest = &source[at + "env::var(\"".len()..];
        if let Some(end) = rest.find('"') {
            read.insert(rest[..end].to_string());
        }
    }
    read
}

/// The IAM service prefixes of the AWS SDK clients a function's `main.rs` builds.
pub fn services_used(binary: &str) -> BTreeSet<String> {
    identifiers_after(&main_rs(binary), "aws_sdk_")
        .into_iter()
        .map(|krate| match krate {
            "sfn" => "states".to_string(),
            other => other.to_string(),
        })
        .collect()
}

/// `[package.metadata.lambda.env]` of a function's Cargo.toml: what `cargo lambda watch` gives it.
pub fn cargo_lambda_env(binary: &str) -> BTreeMap<String, String> {
    let manifest: toml::Table = read(&format!("functions/{binary}/Cargo.toml"))
        .parse()
        .unwrap_or_else(|err| panic!("functions/{binary}/Cargo.toml: {err}"));
    manifest
        .get("package")
        .and_then(|package| package.get("metadata"))
        .and_then(|metadata| metadata.get("lambda"))
        .and_then(|lambda| lambda.get("env"))
        .and_then(toml::Value::as_table)
        .map(|env| {
            env.iter()
                .map(|(name, value)| (name.clone(), value.as_str().unwrap_or_default().to_string()))
                .collect()
        })
        .unwrap_or_default()
}
