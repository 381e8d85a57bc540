//! validate-params: the ValidateParams state. It checks the action's UserParameters against the
//! job and resolves them. Wiring only; the logic is `stackflow::params`.

use lambda_runtime::{service_fn, LambdaEvent};
use stackflow::contract::{DeploymentParams, ExecutionInput};
use stackflow::{clock, telemetry, Error};

#[tokio::main]
async fn main() -> Result<(), lambda_runtime::Error> {
    telemetry::init();
    lambda_runtime::run(service_fn(
        |event: LambdaEvent<ExecutionInput>| async move {
            let output: Result<DeploymentParams, Error> =
                stackflow::params::validate(&event.payload, clock::now_unix());
            output
        },
    ))
    .await
}
