//! Logging set-up shared by every function.

use tracing_subscriber::EnvFilter;

/// JSON logs to stdout at `AWS_LAMBDA_LOG_LEVEL` (or `RUST_LOG`), info by default.
///
/// The runtime crate logs a raw event at TRACE when it cannot parse it, and a CodePipeline event
/// carries artifact credentials, so its targets are held at INFO whatever level is asked for.
pub fn init() {
    let level = std::env::var("AWS_LAMBDA_LOG_LEVEL")
        .or_else(|_| std::env::var("RUST_LOG"))
        .unwrap_or_else(|_| "info".to_string())
        .to_lowercase();
    let mut filter = EnvFilter::try_new(&level).unwrap_or_else(|_| EnvFilter::new("info"));
    for target in ["lambda_runtime=info", "lambda_runtime_api_client=info"] {
        if let Ok(directive) = target.parse() {
            filter = filter.add_directive(directive);
        }
    }
    let _ = tracing_subscriber::fmt()
        .json()
        .with_env_filter(filter)
        .with_target(false)
        .with_current_span(false)
        .try_init();
}
