//! start-deployment: CodePipeline's "Invoke Lambda" action calls this; it starts the
//! deployment's Step Functions execution. Wiring only; the logic is `stackflow::start`.

use aws_lambda_events::event::codepipeline_job::CodePipelineJobEvent;
use lambda_runtime::{service_fn, LambdaEvent};
use stackflow::contract::StartOutput;
use stackflow::job_event::JobRequest;
use stackflow::{config, telemetry, Error};

#[tokio::main]
async fn main() -> Result<(), lambda_runtime::Error> {
    telemetry::init();
    let state_machine_arn = config::required_env(config::STATE_MACHINE_ARN)?;
    let aws = config::aws_config().await;
    let sfn = aws_sdk_sfn::Client::new(&aws);
    let codepipeline = aws_sdk_codepipeline::Client::new(&aws);

    let (sfn, codepipeline, state_machine_arn) = (&sfn, &codepipeline, state_machine_arn.as_str());
    lambda_runtime::run(service_fn(
        move |event: LambdaEvent<CodePipelineJobEvent>| async move {
            // Redact first: the wire event carries artifact credentials and must not be logged.
            let job = JobRequest::from_event(event.payload)?;
            let output: Result<StartOutput, Error> =
                stackflow::start::start(sfn, codepipeline, state_machine_arn, &job).await;
            output
        },
    ))
    .await
}
