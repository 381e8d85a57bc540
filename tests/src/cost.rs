//! What one deployment costs: Step Functions state transitions, Lambda invocations and Lambda
//! GB-seconds, for a stack operation of a given duration. The polling schedule is simulated
//! with the very function DeployStack and CheckStack use ([`stackflow::polling::next_wait`]), on a
//! clock where steps take no time; the counts follow from the shape of the state machine.
//! docs/costs.md shows [`markdown_table`] (a test keeps the two equal), and the end-to-end test
//! checks the counts against what a local run did.

use stackflow::config::DEFAULT_JOB_HANDOVER_SECONDS;
use stackflow::contract::{CurrentJob, Next};
use stackflow::polling::next_wait;
use stackflow::steps::validate_params::DEFAULT_POLL_SECONDS;

/// The settings that shape the polling.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Settings {
    /// `pollSeconds` of the UserParameters.
    pub poll_seconds: u32,
    /// `JOB_HANDOVER_SECONDS` of start-deployment.
    pub hand_over_seconds: u32,
}

/// The defaults: what a deployment without `pollSeconds` gets on AWS.
pub const DEFAULTS: Settings = Settings {
    poll_seconds: DEFAULT_POLL_SECONDS,
    hand_over_seconds: DEFAULT_JOB_HANDOVER_SECONDS,
};

/// Memory of each stackflow function (the SAM template's setting).
pub const MEMORY_MB: u32 = 128;
/// Assumed billed duration of one stackflow invocation: one or two AWS calls from a Rust binary.
pub const BILLED_MS: u32 = 100;

/// The classic sample: one Python function, re-invoked by CodePipeline for every continuation.
/// CodePipeline does not document how soon it invokes the function with a continuation job;
/// this assumes every 30 seconds (at 60 s the classic counts halve).
pub const CLASSIC_REINVOKE_SECONDS: u64 = 30;
/// Assumed memory and billed duration of one classic invocation (boto3 start-up, one call).
pub const CLASSIC_MEMORY_MB: u32 = 128;
pub const CLASSIC_BILLED_MS: u32 = 500;

/// How one deployment polled: Check stack runs and hand-overs to continuation jobs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Schedule {
    pub checks: u64,
    pub hand_overs: u64,
}

impl Schedule {
    /// States entered (what Step Functions bills as state transitions) by a deployment that
    /// starts one operation and succeeds: Validate parameters, "Template to fetch?", Fetch
    /// template, Deploy stack and "Stack operation started?" (5); Wait for stack, Check stack and "Stack settled?" per check
    /// (3); "Hand over to the next job" per hand-over (1); Report success and Deployed (2).
    pub fn state_transitions(&self) -> u64 {
        5 + 3 * self.checks + self.hand_overs + 2
    }

    /// Lambda invocations: start-deployment once per job (the first and one per continuation),
    /// validate-params, fetch-template, deploy-stack, check-stack per check, report-result per
    /// hand-over and once at the end.
    pub fn lambda_invocations(&self) -> u64 {
        (1 + self.hand_overs) + 3 + self.checks + (self.hand_overs + 1)
    }

    /// Lambda GB-seconds at [`MEMORY_MB`] and [`BILLED_MS`] per invocation.
    pub fn gb_seconds(&self) -> f64 {
        gb_seconds(self.lambda_invocations(), MEMORY_MB, BILLED_MS)
    }
}

fn gb_seconds(invocations: u64, memory_mb: u32, billed_ms: u32) -> f64 {
    invocations as f64 * f64::from(memory_mb) / 1024.0 * f64::from(billed_ms) / 1000.0
}

/// The polling of an operation that takes `duration_seconds`: the job starts at 0, the operation
/// too, and the first check at or after `duration_seconds` sees it finished.
pub fn schedule(duration_seconds: u64, settings: Settings) -> Schedule {
    simulate(duration_seconds, settings, |now, current_job| {
        next_wait(settings.poll_seconds, 0, Some(current_job), now)
    })
}

/// The same, with a fixed `pollSeconds` between checks (what stackflow did before the wait
/// grew with the operation's age).
pub fn fixed_schedule(duration_seconds: u64, settings: Settings) -> Schedule {
    // An operation always "just started": the wait never grows past pollSeconds.
    simulate(duration_seconds, settings, |now, current_job| {
        next_wait(settings.poll_seconds, now, Some(current_job), now)
    })
}

fn simulate(
    duration_seconds: u64,
    settings: Settings,
    decide: impl Fn(i64, &CurrentJob) -> (Next, u32),
) -> Schedule {
    let duration = i64::try_from(duration_seconds).unwrap_or(i64::MAX);
    let hand_over = i64::from(settings.hand_over_seconds);
    let mut current_job = CurrentJob {
        job_id: "job-1".to_string(),
        hand_over_at: hand_over,
    };
    let mut schedule = Schedule {
        checks: 0,
        hand_overs: 0,
    };
    let mut now = 0i64;
    // Deploy stack at 0, then every check until one sees the operation finished.
    let mut decision = decide(now, &current_job);
    loop {
        if decision.0 == Next::HandOver {
            schedule.hand_overs += 1;
            current_job.hand_over_at = now + hand_over;
        }
        now += i64::from(decision.1.max(1));
        schedule.checks += 1;
        if now >= duration {
            return schedule;
        }
        decision = decide(now, &current_job);
    }
}

/// The classic sample for an operation of `duration_seconds`: its first invocation starts the
/// operation, then one invocation per continuation until one sees the operation finished.
pub fn classic_invocations(duration_seconds: u64) -> u64 {
    1 + duration_seconds.div_ceil(CLASSIC_REINVOKE_SECONDS).max(1)
}

pub fn classic_gb_seconds(duration_seconds: u64) -> f64 {
    gb_seconds(
        classic_invocations(duration_seconds),
        CLASSIC_MEMORY_MB,
        CLASSIC_BILLED_MS,
    )
}

/// The deployment lengths the documentation shows, in minutes.
pub const DOCUMENTED_MINUTES: [u64; 4] = [1, 10, 30, 120];

/// The cost table of docs/costs.md.
pub fn markdown_table() -> String {
    let mut table = String::from(
        "| deployment | state transitions | Lambda invocations | Lambda GB-seconds | checks | hand-overs | fixed 15 s polling: transitions | classic sample: invocations | classic sample: GB-seconds |\n\
         |---:|---:|---:|---:|---:|---:|---:|---:|---:|\n",
    );
    for minutes in DOCUMENTED_MINUTES {
        let seconds = minutes * 60;
        let ours = schedule(seconds, DEFAULTS);
        let fixed = fixed_schedule(seconds, DEFAULTS);
        table.push_str(&format!(
            "| {minutes} min | {} | {} | {:.2} | {} | {} | {} | {} | {:.2} |\n",
            ours.state_transitions(),
            ours.lambda_invocations(),
            ours.gb_seconds(),
            ours.checks,
            ours.hand_overs,
            fixed.state_transitions(),
            classic_invocations(seconds),
            classic_gb_seconds(seconds),
        ));
    }
    table
}

#[cfg(test)]
#[path = "cost_tests.rs"]
mod tests;
