//! The AWS the environment plays in moto: its region and account, the names of what it creates
//! there (see `provision`), and the SDK configuration that reaches it.

pub const REGION: &str = "us-east-1";
/// moto's default account; resources it creates carry it in their ARNs.
pub const ACCOUNT_ID: &str = "123456789012";
pub const STATE_MACHINE_NAME: &str = "stackflow";
pub const ARTIFACT_BUCKET: &str = "stackflow-local-artifacts";
/// The CloudFormation service role stacks are deployed with locally (the SAM template's
/// `CloudFormationRoleArn`). moto checks no IAM, so the role need not exist.
pub const SERVICE_ROLE_ARN: &str = "arn:aws:iam::123456789012:role/stackflow-local-deployer";
pub const STAGING_BUCKET: &str = "stackflow-local-staging";

/// The ARN moto gives the state machine the environment creates.
pub fn state_machine_arn() -> String {
    format!("arn:aws:states:{REGION}:{ACCOUNT_ID}:stateMachine:{STATE_MACHINE_NAME}")
}

/// The AWS SDK configuration the CLI and the environment use to reach moto.
pub async fn moto_sdk_config(moto_url: &str) -> aws_config::SdkConfig {
    aws_config::defaults(aws_config::BehaviorVersion::latest())
        .http_client(stackflow::config::https_client())
        .region(aws_config::Region::new(REGION))
        .endpoint_url(moto_url)
        .credentials_provider(aws_sdk_s3::config::Credentials::new(
            "stackflow-local",
            "stackflow-local",
            None,
            None,
            "stackflow-local",
        ))
        .load()
        .await
}

/// An S3 client of moto: path-style addressing, since moto's endpoint is a bare host and port.
pub fn moto_s3(sdk: &aws_config::SdkConfig) -> aws_sdk_s3::Client {
    aws_sdk_s3::Client::from_conf(
        aws_sdk_s3::config::Builder::from(sdk)
            .force_path_style(true)
            .build(),
    )
}
