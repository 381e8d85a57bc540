//! The local Lambda service with real processes over the real protocols: Python fixture functions
//! (tests/fixtures/lambda) poll the Runtime API; the tests call the Invoke API over HTTP.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod invoke_api;
mod processes;
mod service;
mod support;
