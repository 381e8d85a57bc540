//! End-to-end tests: every job runs the real statemachine file in moto's Step Functions engine,
//! the real function executables under the local Lambda service, and reports to the local
//! CodePipeline job service. They share one environment (see `support`).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod aftermath;
mod continuation;
mod deploy;
mod duplicates;
mod emulation;
mod emulator_failures;
mod failures;
mod faults;
mod process_faults;
mod roles;
mod secrets;
mod support;
mod validation;
