//! When to look at the stack again, and when to hand the job over. DeployStack and CheckStack
//! ask [`next_wait`] whenever the stack needs waiting for; the cost model (`crate::cost`) runs
//! the same function, so the documented costs are the ones this code produces.
//!
//! The wait starts at `pollSeconds` and grows to a tenth of the time the operation has run (a
//! deployment is never noticed more than about 10% late), up to [`MAX_POLL_SECONDS`]. It never
//! runs past the current job's hand-over time: once that has come, the step answers
//! [`Next::HandOver`] instead, and the state machine replies "in progress" to the job before the
//! next wait.

use crate::contract::{CurrentJob, Next};

/// The longest wait between two checks (unless `pollSeconds` is longer).
pub const MAX_POLL_SECONDS: u32 = 60;
/// The wait is the operation's age divided by this (at least `pollSeconds`).
pub const GROWTH_DIVISOR: i64 = 10;

/// Seconds between checks `elapsed` seconds into an operation.
pub fn poll_interval(poll_seconds: u32, elapsed: i64) -> u32 {
    let poll_seconds = poll_seconds.max(1);
    let cap = poll_seconds.max(MAX_POLL_SECONDS);
    let grown = u32::try_from(elapsed.max(0) / GROWTH_DIVISOR).unwrap_or(u32::MAX);
    grown.clamp(poll_seconds, cap)
}

/// What a step answers while the stack still needs waiting for: `Wait` for `waitSeconds`, or
/// `HandOver` once the current job's hand-over time has come (then the wait that follows the
/// hand-over is the plain interval: the next job's hand-over time is minutes away).
pub fn next_wait(
    poll_seconds: u32,
    started_at: i64,
    current_job: Option<&CurrentJob>,
    now: i64,
) -> (Next, u32) {
    let interval = poll_interval(poll_seconds, now - started_at);
    match current_job {
        Some(current_job) if now >= current_job.hand_over_at => (Next::HandOver, interval),
        Some(current_job) => {
            let until_hand_over = u32::try_from(current_job.hand_over_at - now).unwrap_or(u32::MAX);
            (Next::Wait, interval.min(until_hand_over).max(1))
        }
        None => (Next::Wait, interval),
    }
}

#[cfg(test)]
#[path = "polling_tests.rs"]
mod tests;
