//! fetch-template: the FetchTemplate state. It reads the template out of the input artifact and
//! stages it in the staging bucket. Wiring only; the logic is `stackflow::steps::fetch_template`.

use lambda_runtime::{service_fn, LambdaEvent};
use stackflow::contract::{FetchInput, StagedTemplate};
use stackflow::{config, telemetry, Error};

#[tokio::main]
async fn main() -> Result<(), lambda_runtime::Error> {
    telemetry::init();
    let staging_bucket = config::required_env(config::STAGING_BUCKET)?;
    let aws = config::aws_config().await;
    // The staged template's URL names the region, so a function without one is deployed wrong.
    let region = aws
        .region()
        .map(|region| region.to_string())
        .ok_or_else(|| {
            Error::Misconfigured("no AWS region is configured (set AWS_REGION)".to_string())
        })?;
    let s3 = aws_sdk_s3::Client::new(&aws);

    let (s3, staging_bucket, region) = (&s3, staging_bucket.as_str(), region.as_str());
    lambda_runtime::run(service_fn(
        move |event: LambdaEvent<FetchInput>| async move {
            let output: Result<StagedTemplate, Error> =
                stackflow::steps::fetch_template::fetch_template(
                    s3,
                    staging_bucket,
                    region,
                    &event.payload,
                )
                .await;
            output
        },
    ))
    .await
}
