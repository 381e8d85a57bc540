//! start-deployment: CodePipeline's "Invoke Lambda" action calls this; it starts the
//! deployment's Step Functions execution, or hands the next job to the execution waiting
//! for it. Wiring only; the logic is `stackflow::steps::start_deployment`.

use aws_lambda_events::event::codepipeline_job::CodePipelineJobEvent;
use lambda_runtime::{service_fn, LambdaEvent};
use stackflow::codepipeline::job_event::JobRequest;
use stackflow::contract::StartOutput;
use stackflow::{config, telemetry, Error};

#[tokio::main]
async fn main() -> Result<(), lambda_runtime::Error> {
    telemetry::init();
    let entry = stackflow::steps::start_deployment::EntryConfig {
        state_machine_arn: config::required_env(config::STATE_MACHINE_ARN)?,
        hand_over_seconds: config::seconds_env(
            config::JOB_HANDOVER_SECONDS,
            config::DEFAULT_JOB_HANDOVER_SECONDS,
            config::JOB_HANDOVER_SECONDS_RANGE,
        )?,
    };
    let aws = config::aws_config().await;
    let sfn = aws_sdk_sfn::Client::new(&aws);
    let codepipeline = aws_sdk_codepipeline::Client::new(&aws);

    let (sfn, codepipeline, entry) = (&sfn, &codepipeline, &entry);
    lambda_runtime::run(service_fn(
        move |event: LambdaEvent<CodePipelineJobEvent>| async move {
            // Redact first: the wire event carries artifact credentials and must not be logged.
            let job = JobRequest::from_event(event.payload)?;
            let output: Result<StartOutput, Error> =
                stackflow::steps::start_deployment::start(sfn, codepipeline, entry, &job).await;
            output
        },
    ))
    .await
}
