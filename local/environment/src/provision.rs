//! What the environment creates in moto, as the SAM template creates it on AWS: the buckets and
//! the state machine from the real statemachine file.

use aws_sdk_sfn::error::ProvideErrorMetadata;

use crate::aws;
use crate::error::{LocalError, Result};
use crate::functions;

/// The statemachine file AWS runs, compiled in so the binary works from anywhere.
pub const DEFINITION: &str = include_str!("../../../statemachine/stackflow.asl.json");

pub async fn buckets(s3: &aws_sdk_s3::Client, names: &[&str]) -> Result<()> {
    for name in names {
        if let Err(err) = s3.create_bucket().bucket(*name).send().await {
            let code = err.code().unwrap_or_default();
            if code != "BucketAlreadyOwnedByYou" && code != "BucketAlreadyExists" {
                return Err(LocalError::Aws(format!(
                    "creating bucket {name}: {}",
                    aws_text(&err)
                )));
            }
        }
    }
    Ok(())
}

pub async fn state_machine(sfn: &aws_sdk_sfn::Client, arn: &str) -> Result<()> {
    let definition = functions::substitute(
        DEFINITION,
        &functions::substitutions(aws::REGION, aws::ACCOUNT_ID),
    )?;
    let role = format!("arn:aws:iam::{}:role/stackflow-local", aws::ACCOUNT_ID);
    let created = sfn
        .create_state_machine()
        .name(aws::STATE_MACHINE_NAME)
        .definition(&definition)
        .role_arn(&role)
        .send()
        .await;
    match created {
        Ok(_) => Ok(()),
        Err(err) if err.code() == Some("StateMachineAlreadyExists") => sfn
            .update_state_machine()
            .state_machine_arn(arn)
            .definition(&definition)
            .send()
            .await
            .map(|_| ())
            .map_err(|err| {
                LocalError::Aws(format!("updating the state machine: {}", aws_text(&err)))
            }),
        Err(err) => Err(LocalError::Aws(format!(
            "creating the state machine: {}",
            aws_text(&err)
        ))),
    }
}

/// An SDK error's code and message, or its chain when AWS did not answer.
pub fn aws_text<E: ProvideErrorMetadata + std::error::Error + 'static>(err: &E) -> String {
    match (err.code(), err.message()) {
        (Some(code), Some(message)) => format!("{code}: {message}"),
        (Some(code), None) => code.to_string(),
        _ => stackflow::aws::error::err_chain(err),
    }
}
