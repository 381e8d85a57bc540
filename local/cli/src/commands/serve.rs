//! `serve` (hidden): the environment in the foreground, what `up` starts in the background.

use std::process::ExitCode;
use std::time::Duration;

use stackflow_environment::daemon::{self, ServeOptions};
use stackflow_environment::error::LocalError;
use stackflow_environment::home::Home;
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;

use crate::knobs::Knobs;

pub async fn serve(home: &Home, knobs: Knobs) -> Result<ExitCode, LocalError> {
    tracing_subscriber::registry()
        .with(tracing_subscriber::fmt::layer().with_ansi(false))
        .with(stackflow::telemetry::requested_filter(
            &std::env::var("RUST_LOG").unwrap_or_default(),
        ))
        .init();
    daemon::serve(
        home,
        ServeOptions {
            job_reply_timeout: Duration::from_secs(knobs.job_reply_timeout),
            hold_in_progress: Duration::from_secs(knobs.hold_in_progress),
            log_level: std::env::var("STACKFLOW_FUNCTION_LOG_LEVEL")
                .unwrap_or_else(|_| "info".into()),
        },
    )
    .await?;
    Ok(ExitCode::SUCCESS)
}
