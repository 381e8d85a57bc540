//! The wall clock, in the Unix seconds that `DeploymentParams::deadline` is kept in. The steps
//! take the time as an argument (so tests fix it); the functions' `main` reads it here.

use std::time::{SystemTime, UNIX_EPOCH};

/// Seconds since the Unix epoch; 0 for a clock set before 1970.
pub fn now_unix() -> i64 {
    unix_seconds(SystemTime::now())
}

/// `time` in Unix seconds; 0 before 1970.
pub fn unix_seconds(time: SystemTime) -> i64 {
    time.duration_since(UNIX_EPOCH).map_or(0, |elapsed| {
        i64::try_from(elapsed.as_secs()).unwrap_or(i64::MAX)
    })
}

#[cfg(test)]
#[path = "clock_tests.rs"]
mod tests;
