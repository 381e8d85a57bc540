//! report-result: tells CodePipeline how the deployment ended (the state machine's last step),
//! or, at a hand-over, that it goes on as the next job. Wiring only; the logic is
//! `stackflow::steps::report_result`.

use lambda_runtime::{service_fn, LambdaEvent};
use stackflow::contract::{ReportInput, ReportOutput};
use stackflow::{config, telemetry, Error};

#[tokio::main]
async fn main() -> Result<(), lambda_runtime::Error> {
    telemetry::init();
    let aws = config::aws_config().await;
    let codepipeline = aws_sdk_codepipeline::Client::new(&aws);

    let codepipeline = &codepipeline;
    lambda_runtime::run(service_fn(
        move |event: LambdaEvent<ReportInput>| async move {
            let output: Result<ReportOutput, Error> =
                stackflow::steps::report_result::report(codepipeline, &event.payload).await;
            output
        },
    ))
    .await
}
