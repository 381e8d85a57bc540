//! What the administrator decided when deploying stackflow (the SAM template's parameters,
//! handed to the functions through the environment): which CloudFormation service roles a
//! deployment may use, and which artifact bucket and KMS key the functions were granted. A job
//! that asks for something else is refused in Validate parameters with a message that names the
//! template parameter to change, rather than failing later as an unexplained AccessDenied.

use crate::config;
use crate::contract::{ArtifactLocation, EncryptionKey};
use crate::error::Error;

/// The template parameter that lists the service roles.
pub const ROLE_PARAMETER: &str = "CloudFormationRoleArn";
/// The template parameter that names the artifact bucket.
pub const BUCKET_PARAMETER: &str = "ArtifactBucketName";
/// The template parameter that names the artifact KMS key.
pub const KEY_PARAMETER: &str = "ArtifactKeyArn";

/// The CloudFormation service roles stackflow may pass; the first is the default. A stack is
/// always deployed with one of them: without a role CloudFormation would act with
/// deploy-stack's own, deliberately narrow, permissions and could create nothing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServiceRoles {
    allowed: Vec<String>,
}

impl ServiceRoles {
    /// A comma-separated list of role ARNs (`CLOUDFORMATION_ROLE_ARNS`).
    pub fn parse(text: &str) -> Result<Self, Error> {
        let allowed: Vec<String> = text
            .split(',')
            .map(str::trim)
            .filter(|arn| !arn.is_empty())
            .map(str::to_string)
            .collect();
        let misconfigured = |why: String| {
            Error::Misconfigured(format!(
                "environment variable {} {why}; it comes from the stackflow template parameter \
                 {ROLE_PARAMETER} (comma-separated role ARNs, the first is the default)",
                config::CLOUDFORMATION_ROLE_ARNS
            ))
        };
        if allowed.is_empty() {
            return Err(misconfigured("names no role".to_string()));
        }
        if let Some(bad) = allowed.iter().find(|arn| !is_role_arn(arn)) {
            return Err(misconfigured(format!(
                "has `{bad}`, which is not an IAM role ARN"
            )));
        }
        Ok(ServiceRoles { allowed })
    }

    /// The role used when the UserParameters name none.
    pub fn default_role(&self) -> &str {
        self.allowed.first().map_or("", String::as_str)
    }

    /// The role a deployment uses: the one asked for, if allowed, or the default.
    pub fn resolve(&self, requested: Option<&str>) -> Result<String, Error> {
        let Some(arn) = requested else {
            return Ok(self.default_role().to_string());
        };
        if self.allowed.iter().any(|allowed| allowed == arn) {
            return Ok(arn.to_string());
        }
        Err(Error::InvalidParameters(format!(
            "UserParameters: `roleArn` `{arn}` is not a role this stackflow deployment may pass \
             to CloudFormation; the allowed roles are: {}. Leave `roleArn` out to use the first, \
             or have the stackflow stack's template parameter {ROLE_PARAMETER} (comma-separated, \
             the first is the default) list this role.",
            self.allowed.join(", ")
        )))
    }
}

/// What Validate parameters checks a job against.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidateSettings {
    pub roles: ServiceRoles,
    pub artifact_store: ArtifactStore,
}

impl ValidateSettings {
    /// From the values of `CLOUDFORMATION_ROLE_ARNS`, `ARTIFACT_BUCKET` and `ARTIFACT_KEY_ARN`
    /// (empty: no customer managed key).
    pub fn new(role_arns: &str, bucket: String, key_arn: Option<String>) -> Result<Self, Error> {
        Ok(ValidateSettings {
            roles: ServiceRoles::parse(role_arns)?,
            artifact_store: ArtifactStore {
                bucket,
                key_arn: key_arn.filter(|arn| !arn.trim().is_empty()),
            },
        })
    }
}

/// `arn:aws[-a-z]*:iam::<12 digits>:role/<path and name>`, at most 2,048 characters (the
/// RoleARN limit of CreateStack).
pub fn is_role_arn(arn: &str) -> bool {
    let Some(rest) = arn.strip_prefix("arn:aws") else {
        return false;
    };
    let Some((partition_suffix, rest)) = rest.split_once(':') else {
        return false;
    };
    let Some(rest) = rest.strip_prefix("iam::") else {
        return false;
    };
    let (Some(account), Some(rest)) = (rest.get(..12), rest.get(12..)) else {
        return false;
    };
    let Some(name) = rest.strip_prefix(":role/") else {
        return false;
    };
    arn.len() <= 2048
        && partition_suffix
            .chars()
            .all(|c| c.is_ascii_lowercase() || c == '-')
        && account.chars().all(|c| c.is_ascii_digit())
        && !name.is_empty()
        && !name.ends_with('/')
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "+=,.@_-/".contains(c))
}

/// The artifact store fetch-template's role was granted: one bucket, and the customer managed
/// KMS key, if the pipeline uses one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArtifactStore {
    pub bucket: String,
    pub key_arn: Option<String>,
}

impl ArtifactStore {
    /// Whether fetch-template's role can read `artifact`, encrypted with the job's `key`.
    pub fn check(
        &self,
        artifact: &ArtifactLocation,
        key: Option<&EncryptionKey>,
    ) -> Result<(), Error> {
        self.check_bucket(artifact)?;
        let Some(key) = key.filter(|key| !is_aws_managed_s3_key(&key.id)) else {
            return Ok(());
        };
        match &self.key_arn {
            None => Err(Error::ArtifactInvalid(format!(
                "input artifact `{}` is encrypted with the customer managed KMS key `{}`, and \
                 this stackflow deployment was granted no key. Set the stackflow stack's template \
                 parameter {KEY_PARAMETER} to that key's ARN.",
                artifact.name, key.id
            ))),
            Some(granted) if !same_key(granted, &key.id) => Err(Error::ArtifactInvalid(format!(
                "input artifact `{}` is encrypted with the KMS key `{}`, but this stackflow \
                 deployment may decrypt with `{granted}` only. Set the stackflow stack's template \
                 parameter {KEY_PARAMETER} to the pipeline's artifact key.",
                artifact.name, key.id
            ))),
            Some(_) => Ok(()),
        }
    }
}

impl ArtifactStore {
    /// Whether `artifact` (an input or an output artifact) is in the bucket the functions'
    /// roles were granted.
    pub fn check_bucket(&self, artifact: &ArtifactLocation) -> Result<(), Error> {
        if artifact.bucket == self.bucket {
            return Ok(());
        }
        Err(Error::ArtifactInvalid(format!(
            "artifact `{}` is in bucket `{}`, but this stackflow deployment may use artifacts \
             in bucket `{}` only. Set the stackflow stack's template parameter \
             {BUCKET_PARAMETER} to the pipeline's artifact store in this region (`{}`).",
            artifact.name, artifact.bucket, self.bucket, artifact.bucket
        )))
    }
}

/// The AWS managed key of S3 (`alias/aws/s3`): any role of the account may use it through S3,
/// so it needs no grant.
pub(crate) fn is_aws_managed_s3_key(id: &str) -> bool {
    id == "alias/aws/s3" || id.ends_with(":alias/aws/s3")
}

/// Whether the job's key (a key id, a key ARN or an alias ARN, as CodePipeline allows) is the
/// granted key ARN. An alias cannot be resolved without a KMS call this role does not have, so
/// an alias is taken on trust: KMS itself refuses a key that was not granted.
fn same_key(granted_arn: &str, job_key: &str) -> bool {
    if job_key.contains("alias/") {
        return true;
    }
    let key_id = |text: &str| text.rsplit('/').next().unwrap_or(text).to_string();
    granted_arn == job_key || key_id(granted_arn) == key_id(job_key)
}

#[cfg(test)]
#[path = "settings_tests.rs"]
mod tests;
