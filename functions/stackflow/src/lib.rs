//! stackflow's domain: the typed steps of a CloudFormation deployment driven by a CodePipeline
//! "Invoke Lambda" job. Each function crate is a thin `main` around one step here.

pub mod aws_error;
pub mod config;
pub mod contract;
pub mod error;
pub mod settings;
pub mod telemetry;

// start-deployment and report-result: the two ends that talk to CodePipeline.
pub mod continuation;
pub mod continuation_token;
pub mod hand_over;
pub mod job_event;
pub mod job_result;
pub mod report;
pub mod start;

// validate-params and fetch-template.
pub mod artifact_zip;
pub mod fetch;
pub mod params;
pub mod staged_parameters;
pub mod template_config;

// deploy-stack and check-stack.
pub mod check;
pub mod client_token;
pub mod clock;
pub mod cost;
pub mod deploy;
pub mod polling;
pub mod stack_describe;
pub mod stack_events;
#[cfg(test)]
mod stack_fixtures;
pub mod stack_status;
pub mod stack_timeout;

#[cfg(test)]
mod test_support;

pub use error::{Error, Result};
