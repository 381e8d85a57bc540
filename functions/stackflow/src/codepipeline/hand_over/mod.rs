//! The hand-over: a deployment that outlives CodePipeline's reply timeout for its job replies
//! "in progress" with a hand-over token (`reply`); CodePipeline invokes start-deployment with a
//! new job carrying the token back, and that job is handed to the waiting execution (`resume`).
//! The token (`token`) is CodePipeline's `continuationToken` on the wire.

pub mod reply;
pub mod resume;
pub mod token;
