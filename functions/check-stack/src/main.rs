//! check-stack: looks at the stack once and says whether to wait more, deploy, or succeed; a
//! failed or overdue stack is an error. Wiring only; the logic is `stackflow::steps::check_stack`.

use lambda_runtime::{service_fn, LambdaEvent};
use stackflow::contract::{CheckInput, StackProgress};
use stackflow::{clock, config, telemetry, Error};

#[tokio::main]
async fn main() -> Result<(), lambda_runtime::Error> {
    telemetry::init();
    let aws = config::aws_config().await;
    let cfn = aws_sdk_cloudformation::Client::new(&aws);
    // The staging bucket, where fetch-template staged the parameter values.
    let s3 = aws_sdk_s3::Client::new(&aws);

    let (cfn, s3) = (&cfn, &s3);
    lambda_runtime::run(service_fn(
        move |event: LambdaEvent<CheckInput>| async move {
            let output: Result<StackProgress, Error> =
                stackflow::steps::check_stack::check(cfn, s3, &event.payload, clock::now_unix())
                    .await;
            output
        },
    ))
    .await
}
