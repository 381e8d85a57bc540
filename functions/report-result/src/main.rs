//! report-result: tells CodePipeline how the deployment ended (the state machine's last step),
//! or, at a hand-over, that it goes on as the next job; on success it first writes `outputFile`
//! into the job's output artifact. Wiring only; the logic is `stackflow::steps::report_result`.

use lambda_runtime::{service_fn, LambdaEvent};
use stackflow::contract::{ReportInput, ReportOutput};
use stackflow::steps::report_result::ReportClients;
use stackflow::{config, telemetry, Error};

#[tokio::main]
async fn main() -> Result<(), lambda_runtime::Error> {
    telemetry::init();
    let aws = config::aws_config().await;
    let clients = ReportClients {
        codepipeline: aws_sdk_codepipeline::Client::new(&aws),
        s3: aws_sdk_s3::Client::new(&aws),
        cloudformation: aws_sdk_cloudformation::Client::new(&aws),
    };

    let clients = &clients;
    lambda_runtime::run(service_fn(
        move |event: LambdaEvent<ReportInput>| async move {
            let output: Result<ReportOutput, Error> =
                stackflow::steps::report_result::report(clients, &event.payload).await;
            output
        },
    ))
    .await
}
