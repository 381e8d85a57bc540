//! The steps: one module per state of the state machine, each named after the function crate
//! that runs it. A step takes the state's input (`crate::contract`) and the clients it needs,
//! and returns the state's output or an `Error` whose name the state machine routes.

pub mod check_stack;
pub mod deploy_stack;
pub mod fetch_template;
pub mod report_result;
pub mod start_deployment;
pub mod validate_params;
