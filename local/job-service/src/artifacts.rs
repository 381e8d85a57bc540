//! The artifact store: an S3 bucket (moto's, locally) that input artifact zips are uploaded to,
//! as CodePipeline's source stage would have left them.

use aws_sdk_s3::error::DisplayErrorContext;
use aws_sdk_s3::primitives::ByteStream;
use aws_sdk_s3::types::{BucketLocationConstraint, CreateBucketConfiguration};

use crate::error::JobServiceError;

/// Create the bucket unless it is already there.
pub async fn ensure_bucket(
    s3: &aws_sdk_s3::Client,
    bucket: &str,
    region: &str,
) -> Result<(), JobServiceError> {
    if s3.head_bucket().bucket(bucket).send().await.is_ok() {
        return Ok(());
    }
    let mut create = s3.create_bucket().bucket(bucket);
    // us-east-1 is the one region that takes no location constraint.
    if region != "us-east-1" {
        create = create.create_bucket_configuration(
            CreateBucketConfiguration::builder()
                .location_constraint(BucketLocationConstraint::from(region))
                .build(),
        );
    }
    match create.send().await {
        Ok(_) => {
            tracing::info!(bucket, "created the artifact bucket");
            Ok(())
        }
        Err(error) => {
            let service_error = error.as_service_error();
            let raced = service_error.is_some_and(|e| {
                e.is_bucket_already_owned_by_you() || e.is_bucket_already_exists()
            });
            if raced {
                Ok(())
            } else {
                Err(JobServiceError::S3 {
                    operation: "CreateBucket",
                    bucket: bucket.to_string(),
                    message: DisplayErrorContext(&error).to_string(),
                })
            }
        }
    }
}

/// Upload one artifact zip.
pub async fn upload(
    s3: &aws_sdk_s3::Client,
    bucket: &str,
    key: &str,
    zip: Vec<u8>,
) -> Result<(), JobServiceError> {
    s3.put_object()
        .bucket(bucket)
        .key(key)
        .content_type("application/zip")
        .body(ByteStream::from(zip))
        .send()
        .await
        .map_err(|error| JobServiceError::S3 {
            operation: "PutObject",
            bucket: bucket.to_string(),
            message: DisplayErrorContext(&error).to_string(),
        })?;
    Ok(())
}
