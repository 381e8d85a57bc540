//! End-to-end tests: every job runs the real statemachine file in moto's Step Functions engine,
//! the real function executables under the local Lambda service, and reports to the local
//! CodePipeline job service. They share one environment (see `support`).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod aftermath;
mod concurrency;
mod continuation;
mod deploy;
mod duplicates;
mod emulation;
mod emulator_failures;
mod failures;
mod faults;
mod get_param;
mod held_claims;
mod modes;
mod process_faults;
mod readme_claims;
mod review_again;
mod roles;
mod secrets;
mod stack_options;
mod summaries;
mod support;
mod validation;
