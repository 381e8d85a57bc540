//! The pieces agree with each other: the SAM template (infra/template.yaml), the statemachine
//! file, the function crates under functions/, the local environment's catalogue
//! (`stackflow_environment::functions::FUNCTIONS`), the sample events and the example pipeline. No AWS
//! account runs the templates here, so these checks (with cfn-lint and statelint in tests/run)
//! are what keeps a deployment from failing on a name, a variable or a permission.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod asl;
mod budgets;
mod build;
mod cfn;
mod doc_paths;
mod error_names;
mod events;
mod examples;
mod iam;
mod iam_table;
mod layout;
mod pipeline;
mod resources;
mod retries;
mod sources;
mod state_size;
mod wiring;
