//! stackflow-local: the local environment that runs the whole CodePipeline action on this
//! machine: moto (S3, CloudFormation, Step Functions), our local Lambda service that runs the
//! real function binaries, and our local CodePipeline job service.

pub mod artifact;
pub mod control;
pub mod daemon;
pub mod error;
pub mod fault_proxy;
pub mod function_faults;
pub mod functions;
pub mod home;
pub mod job_service;
pub mod lambda_service;
pub mod moto;
pub mod provision;
pub mod run;
pub mod state;
pub mod status;
pub mod watch;
