//! End-to-end tests live in tests/e2e; the agreement tests in tests/agreement. This library holds
//! what they share with the docs: the cost model of one deployment (`cost`), which docs/costs.md
//! shows and the e2e tests check a local run against.

pub mod cost;
