//! `outputFile`: before the success report, the stack outputs go into the job's output
//! artifact as a JSON object, for later actions; for `createChangeSet`, the change set's changes
//! go beside them ([`CHANGE_SET_FILE`]), for a reviewer or a policy check.

use aws_sdk_cloudformation::types::{Change, ResourceChangeDetail};
use serde_json::{json, Value};

use crate::aws::change_set::all_changes;
use crate::aws::output_artifact::write_output_artifact;
use crate::contract::{ChangeSetReport, OutputTarget, StackProgress};
use crate::error::Error;

pub use crate::change_summary::CHANGE_SET_FILE;

/// Write the zip of `progress`'s outputs (and change set) to `target`.
pub(super) async fn write_outputs(
    s3: &aws_sdk_s3::Client,
    cfn: &aws_sdk_cloudformation::Client,
    target: &OutputTarget,
    progress: &StackProgress,
) -> Result<(), Error> {
    let outputs = to_json(&json!(progress.outputs))?;
    let mut entries = vec![(target.file.clone(), outputs)];
    if let Some(change_set) = &progress.change_set {
        let document = change_set_document(cfn, &progress.stack_name, change_set).await?;
        entries.push((CHANGE_SET_FILE.to_string(), to_json(&document)?));
    }
    write_output_artifact(
        s3,
        &target.artifact,
        target.encryption_key.as_ref(),
        &entries,
    )
    .await
}

fn to_json(value: &Value) -> Result<Vec<u8>, Error> {
    serde_json::to_vec_pretty(value).map_err(|e| {
        Error::AwsError(format!(
            "the output artifact's JSON could not be written: {e}"
        ))
    })
}

/// The change set as `aws cloudformation describe-change-set` names its fields; an empty one
/// (deleted) has no changes.
async fn change_set_document(
    cfn: &aws_sdk_cloudformation::Client,
    stack: &str,
    change_set: &ChangeSetReport,
) -> Result<Value, Error> {
    let changes = if change_set.id.is_empty() {
        Vec::new()
    } else {
        all_changes(cfn, stack, &change_set.id)
            .await?
            .ok_or_else(|| {
                Error::StackFailed(format!(
                    "change set {} of stack {stack} was deleted before its changes could be \
                     written to the output artifact",
                    change_set.name
                ))
            })?
    };
    Ok(json!({
        "StackName": stack,
        "ChangeSetName": change_set.name,
        "ChangeSetId": change_set.id,
        "ChangeSetType": change_set.change_set_type,
        "Summary": change_set.counts_text(),
        "Changes": changes.iter().filter_map(change_json).collect::<Vec<_>>(),
    }))
}

fn change_json(change: &Change) -> Option<Value> {
    let resource = change.resource_change()?;
    Some(json!({
        "Action": resource.action().map(|a| a.as_str()),
        "LogicalResourceId": resource.logical_resource_id(),
        "PhysicalResourceId": resource.physical_resource_id(),
        "ResourceType": resource.resource_type(),
        "Replacement": resource.replacement().map(|r| r.as_str()),
        "Scope": resource.scope().iter().map(|s| s.as_str()).collect::<Vec<_>>(),
        "Details": resource.details().iter().map(detail_json).collect::<Vec<_>>(),
    }))
}

fn detail_json(detail: &ResourceChangeDetail) -> Value {
    let target = detail.target();
    json!({
        "Attribute": target.and_then(|t| t.attribute()).map(|a| a.as_str()),
        "Name": target.and_then(|t| t.name()),
        "RequiresRecreation": target.and_then(|t| t.requires_recreation()).map(|r| r.as_str()),
        "Evaluation": detail.evaluation().map(|e| e.as_str()),
        "ChangeSource": detail.change_source().map(|c| c.as_str()),
        "CausingEntity": detail.causing_entity(),
    })
}
