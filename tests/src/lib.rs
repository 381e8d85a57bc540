//! End-to-end tests live in tests/e2e; the agreement tests in tests/agreement. This library holds
//! what they share with the docs: the cost model of one deployment (`cost`), which docs/costs.md
//! shows and the e2e tests check a local run against; and where the shared end-to-end
//! environment lives.

pub mod cost;

use std::path::PathBuf;

/// The shared end-to-end environment's home: `$STACKFLOW_HOME`, or target/e2e-home. The e2e
/// tests run in it, and the IAM check (tests/iam_calls) reads what the proxy recorded there.
pub fn e2e_home_dir() -> PathBuf {
    match std::env::var_os("STACKFLOW_HOME") {
        Some(dir) if !dir.is_empty() => PathBuf::from(dir),
        _ => std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("..")
            .join("target")
            .join("e2e-home"),
    }
}
