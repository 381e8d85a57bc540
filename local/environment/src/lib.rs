//! The local environment that runs the whole CodePipeline action on this machine: moto (S3,
//! CloudFormation, Step Functions) with what the SAM template would create in it, the local
//! Lambda service running the real function executables, the local CodePipeline job service,
//! and the fault proxy between them.
//!
//! - Starting and stopping: `lifecycle` (up, down, restart in the background), `daemon` (the
//!   environment itself, in the foreground), `moto`, `process`, `home` and `state` (the running
//!   environment as it is recorded).
//! - What it sets up: `aws` (region, account, names), `provision`, `functions` (the function table).
//! - Using it: `run` (one job, start to end), `watch` (an execution's states), `status`,
//!   `artifact` (input artifacts as CodePipeline stores them), `output_artifact` (what a job
//!   wrote to its output artifact).

pub mod artifact;
pub mod aws;
pub mod daemon;
pub mod error;
pub mod functions;
pub mod home;
pub mod lifecycle;
pub mod moto;
pub mod output_artifact;
pub mod process;
pub mod provision;
pub mod run;
pub mod state;
pub mod status;
pub mod watch;
