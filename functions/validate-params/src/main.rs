//! validate-params: the ValidateParams state. It checks the action's UserParameters against the
//! job and resolves them. Wiring only; the logic is `stackflow::params`.

use std::time::{SystemTime, UNIX_EPOCH};

use lambda_runtime::{service_fn, LambdaEvent};
use stackflow::contract::{DeploymentParams, ExecutionInput};
use stackflow::{telemetry, Error};

#[tokio::main]
async fn main() -> Result<(), lambda_runtime::Error> {
    telemetry::init();
    lambda_runtime::run(service_fn(
        |event: LambdaEvent<ExecutionInput>| async move {
            let now_unix = SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .map(|elapsed| i64::try_from(elapsed.as_secs()).unwrap_or(i64::MAX))
                .unwrap_or(0);
            let output: Result<DeploymentParams, Error> =
                stackflow::params::validate(&event.payload, now_unix);
            output
        },
    ))
    .await
}
