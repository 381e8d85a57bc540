//! Test tooling of the local environment, off until armed:
//! - `fault_proxy`: the proxy between the functions and the AWS APIs they call, which fails or
//!   stalls chosen requests, and its client;
//! - `function_faults`: the client that arms the local Lambda service's function faults (crash,
//!   timeout; the Lambda service keeps and strikes them).

mod error;
pub mod fault_proxy;
pub mod function_faults;

pub use error::{FaultToolError, Result};
