//! Logging set-up shared by every function.

use tracing::level_filters::LevelFilter;
use tracing::{Level, Metadata};
use tracing_subscriber::filter::{filter_fn, FilterExt, Targets};
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;
use tracing_subscriber::Layer;

/// The crates that log payloads below INFO: the runtime crates (lambda_runtime logs every raw
/// event at TRACE), and the AWS SDK's orchestrator, which logs each answer it gets at TRACE
/// (DescribeStacks with the stack Outputs) and each error at DEBUG (CloudFormation's message):
/// either may show a NoEcho parameter's value.
const RUNTIME_TARGETS: [&str; 3] = [
    "lambda_runtime",
    "lambda_runtime_api_client",
    "aws_smithy_runtime",
];

/// JSON logs to stdout at `AWS_LAMBDA_LOG_LEVEL` (or `RUST_LOG`), info by default.
///
/// The runtime crate logs a raw event at TRACE, and a CodePipeline event carries artifact
/// credentials; the SDK's orchestrator logs what AWS answers. Their targets are held at INFO
/// whatever level is asked for, however specific the directive
/// (`lambda_runtime::layers::api_response=trace` included).
pub fn init() {
    let level = std::env::var("AWS_LAMBDA_LOG_LEVEL")
        .or_else(|_| std::env::var("RUST_LOG"))
        .unwrap_or_default();
    let requested = requested_filter(&level);
    let layer = tracing_subscriber::fmt::layer()
        .json()
        .with_target(false)
        .with_current_span(false)
        .with_filter(requested.and(filter_fn(loggable)));
    let _ = tracing_subscriber::registry().with(layer).try_init();
}

/// `level` as Lambda names it (`TRACE` … `FATAL`) or as `target=level` directives, INFO for
/// whatever it leaves unsaid. Parsed without regular expressions (env-filter's), which keeps the
/// executables small.
pub fn requested_filter(level: &str) -> Targets {
    let level = level.trim().to_lowercase();
    let level = if level == "fatal" { "error" } else { &level };
    // An empty string parses as "errors only"; unset means the default.
    let targets = match level {
        "" => Targets::new(),
        _ => level.parse::<Targets>().unwrap_or_default(),
    };
    match targets.default_level() {
        Some(_) => targets,
        None => targets.with_default(LevelFilter::INFO),
    }
}

/// False for a held crate's events above INFO, whatever the requested filter says.
fn loggable(metadata: &Metadata<'_>) -> bool {
    let target = metadata.target();
    let runtime = RUNTIME_TARGETS.iter().any(|crate_name| {
        target
            .strip_prefix(crate_name)
            .is_some_and(|rest| rest.is_empty() || rest.starts_with("::"))
    });
    !runtime || *metadata.level() <= Level::INFO
}

#[cfg(test)]
#[path = "telemetry_tests.rs"]
mod tests;
