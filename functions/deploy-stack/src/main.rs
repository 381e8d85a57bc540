//! deploy-stack: starts this deployment's stack operation (create, update, or the delete of a
//! replace) and says what the state machine does next. Wiring only; the logic is
//! `stackflow::steps::deploy_stack`.

use lambda_runtime::{service_fn, LambdaEvent};
use stackflow::contract::{DeployInput, StackProgress};
use stackflow::settings::ServiceRoles;
use stackflow::{clock, config, telemetry, Error};

#[tokio::main]
async fn main() -> Result<(), lambda_runtime::Error> {
    telemetry::init();
    let roles = ServiceRoles::parse(&config::required_env(config::CLOUDFORMATION_ROLE_ARNS)?)?;
    let aws = config::aws_config().await;
    let cfn = aws_sdk_cloudformation::Client::new(&aws);
    // The staging bucket, where fetch-template staged the parameter values.
    let s3 = aws_sdk_s3::Client::new(&aws);

    let (cfn, s3, roles) = (&cfn, &s3, &roles);
    lambda_runtime::run(service_fn(
        move |event: LambdaEvent<DeployInput>| async move {
            let output: Result<StackProgress, Error> = stackflow::steps::deploy_stack::deploy(
                cfn,
                s3,
                roles,
                &event.payload,
                clock::now_unix(),
            )
            .await;
            output
        },
    ))
    .await
}
