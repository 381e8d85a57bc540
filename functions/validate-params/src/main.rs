//! validate-params: the ValidateParams state. It checks the action's UserParameters against the
//! job and resolves them. Wiring only; the logic is `stackflow::steps::validate_params`.

use lambda_runtime::{service_fn, LambdaEvent};
use stackflow::contract::{DeploymentParams, ExecutionInput};
use stackflow::settings::ValidateSettings;
use stackflow::{clock, config, telemetry, Error};

#[tokio::main]
async fn main() -> Result<(), lambda_runtime::Error> {
    telemetry::init();
    let settings = ValidateSettings::new(
        &config::required_env(config::CLOUDFORMATION_ROLE_ARNS)?,
        config::required_env(config::ARTIFACT_BUCKET)?,
        config::optional_env(config::ARTIFACT_KEY_ARN),
    )?;

    let settings = &settings;
    lambda_runtime::run(service_fn(
        move |event: LambdaEvent<ExecutionInput>| async move {
            let output: Result<DeploymentParams, Error> =
                stackflow::steps::validate_params::validate(
                    &event.payload,
                    settings,
                    clock::now_unix(),
                );
            output
        },
    ))
    .await
}
