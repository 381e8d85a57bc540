//! The local CodePipeline job service, driven through the real aws-sdk-codepipeline client (which
//! proves the wire protocol and error mapping) and its control API. A tiny in-test Lambda
//! endpoint records the invocations (`support`). The artifact test runs against a real moto
//! server, and is skipped with a notice when moto is not installed.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod artifacts;
mod continuation;
mod control_api;
mod protocol;
mod refusals;
mod support;
