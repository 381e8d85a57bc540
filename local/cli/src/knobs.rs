//! The environment's knobs, the same on `up`, `run` and `serve`.

use std::time::Duration;

use stackflow_environment::lifecycle::UpOptions;

/// The environment's knobs, the same on `up`, `run` and `serve`.
#[derive(clap::Args, Debug, Clone, Copy)]
pub struct Knobs {
    /// Seconds the local CodePipeline gives a job to reply before failing it (CodePipeline:
    /// 1200). start-deployment hands a job over after half of it (at most 300 s, the default on AWS).
    #[arg(long, value_name = "SECONDS", default_value_t = 1200, value_parser = clap::value_parser!(u64).range(1..))]
    pub job_reply_timeout: u64,
    /// Test tooling: report every stack create or update as *_IN_PROGRESS for this many seconds
    /// (moto completes them at once). 0, the default, is off.
    #[arg(long, value_name = "SECONDS", default_value_t = 0)]
    pub hold_in_progress: u64,
}

impl Knobs {
    pub fn up_options(self) -> UpOptions {
        UpOptions {
            job_reply_timeout: Duration::from_secs(self.job_reply_timeout),
            hold_in_progress: Duration::from_secs(self.hold_in_progress),
        }
    }
}
