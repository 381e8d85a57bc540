use super::*;
use tracing::callsite::Identifier;
use tracing::field::FieldSet;
use tracing::metadata::Kind;

struct Callsite;
impl tracing::Callsite for Callsite {
    fn set_interest(&self, _: tracing::subscriber::Interest) {}
    fn metadata(&self) -> &Metadata<'_> {
        unreachable!()
    }
}
static CALLSITE: Callsite = Callsite;

fn metadata(target: &'static str, level: Level) -> Metadata<'static> {
    Metadata::new(
        "event",
        target,
        level,
        None,
        None,
        None,
        FieldSet::new(&[], Identifier(&CALLSITE)),
        Kind::EVENT,
    )
}

#[test]
fn the_runtime_crates_and_the_sdk_orchestrator_never_log_below_info() {
    for target in [
        "lambda_runtime",
        "lambda_runtime::layers::api_response",
        "lambda_runtime_api_client",
        "aws_smithy_runtime::client::orchestrator",
        "aws_smithy_runtime::client::orchestrator::http",
    ] {
        assert!(!loggable(&metadata(target, Level::TRACE)), "{target}");
        assert!(!loggable(&metadata(target, Level::DEBUG)), "{target}");
        assert!(loggable(&metadata(target, Level::INFO)), "{target}");
        assert!(loggable(&metadata(target, Level::ERROR)), "{target}");
    }
}

#[test]
fn lambda_log_levels_and_directives_are_understood() {
    let level = |asked: &str| requested_filter(asked).default_level();
    assert_eq!(level("DEBUG"), Some(LevelFilter::DEBUG));
    assert_eq!(level("FATAL"), Some(LevelFilter::ERROR));
    assert_eq!(level(""), Some(LevelFilter::INFO));
    assert_eq!(level("not a level!"), Some(LevelFilter::INFO));
    let targets = requested_filter("warn,stackflow=trace");
    assert!(targets.would_enable("stackflow::steps::deploy_stack", &Level::TRACE));
    assert!(!targets.would_enable("aws_smithy_runtime", &Level::INFO));
}

#[test]
fn every_other_target_logs_at_the_requested_level() {
    for target in [
        "stackflow::steps::start_deployment",
        "aws_config",
        "aws_smithy_runtime_api",
        "lambda_runtimes",
    ] {
        assert!(loggable(&metadata(target, Level::TRACE)), "{target}");
    }
}
