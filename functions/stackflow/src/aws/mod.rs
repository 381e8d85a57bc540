//! The AWS adapters: what the steps ask of CloudFormation (the `stack_*` modules and
//! `client_token`) and of S3 (`s3`; `output_artifact` writes the job's output artifact), and how
//! any SDK error becomes the domain's `Error` (`error`), passing faults as `Transient` so the
//! state machine retries them.

pub mod change_set;
pub mod client_token;
pub mod error;
pub mod output_artifact;
pub mod s3;
pub mod stack_describe;
pub mod stack_events;
pub mod stack_status;
pub mod stack_timeout;

#[cfg(test)]
pub(crate) mod stack_fixtures;
