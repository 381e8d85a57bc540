//! stackflow's domain: the typed steps of a CloudFormation deployment driven by a CodePipeline
//! "Invoke Lambda" job. Each function crate is a thin `main` around one step here.
//!
//! The layout, by role:
//!
//! - `steps/`: one module per state of the state machine, named after the function crate that
//!   runs it (start_deployment, validate_params, fetch_template, deploy_stack, check_stack,
//!   report_result). A step reads its input from `contract`, calls the adapters, and returns the
//!   output the state machine places at its ResultPath.
//! - `aws/`: the AWS adapters: how an SDK error becomes a domain `Error` (`aws::error`),
//!   CloudFormation (describing a stack, its events, its status, the deadline and the client
//!   request token), and S3 (the artifact download, the staging bucket's objects: `aws::s3`).
//! - `codepipeline/`: the CodePipeline I/O: the job event in, the job results out, and the
//!   hand-over of a long deployment from one job to the next (`codepipeline::hand_over`).
//! - At the top, the domain every part shares: the data between the states (`contract`), the one
//!   error type (`error`), the functions' configuration (`config`, `settings`), logging
//!   (`telemetry`), the rules UserParameters and the configuration file share (`input_rules`),
//!   the template and its parameters (`artifact_zip`, `template_document`, `template_config`,
//!   `staged_parameters`),
//!   text limits (`truncate`), time (`clock`) and the wait between checks (`polling`).
//! - `fuzz_checks`: the rules the parsers of hostile input keep, on one input, for the fuzz
//!   targets and the test that replays their corpus; it calls the steps like a function does.
//!
//! Dependencies point down: steps use the adapters and the domain, the adapters use the domain,
//! and the domain uses neither.

pub mod aws;
pub mod codepipeline;
pub mod steps;

pub mod artifact_zip;
pub mod change_summary;
pub mod clock;
pub mod config;
pub mod contract;
pub mod error;
pub mod fuzz_checks;
pub mod input_rules;
pub mod mode_keys;
pub mod parameter_values;
pub mod polling;
pub mod settings;
pub mod staged_parameters;
pub mod summary;
pub mod telemetry;
pub mod template_config;
pub mod template_document;
pub mod truncate;

#[cfg(test)]
mod test_support;

pub use error::{Error, Result};
