//! Why DeployStack does not deploy: the messages for a stack it will not touch, and for a
//! template that needs a capability the UserParameters do not grant.

use crate::error::Error;

/// How a person gets a stack out of UPDATE_ROLLBACK_FAILED when stackflow cannot.
pub(super) const ROLLBACK_FAILED_RECOVERY: &str =
    "Fix what keeps the resources from rolling back and \
     continue the rollback (`aws cloudformation continue-update-rollback`, with \
     `--resources-to-skip` for resources that cannot be restored), then run the stage again.";

/// InsufficientCapabilitiesException says which capabilities the template needs.
pub(super) fn insufficient_capabilities(name: &str, message: Option<&str>) -> Error {
    let message = message.unwrap_or("the template needs a capability that was not granted");
    let needed: Vec<&str> = message
        .split(|c: char| !(c.is_ascii_uppercase() || c == '_'))
        .filter(|word| word.starts_with("CAPABILITY_"))
        .collect();
    let add = if needed.is_empty() {
        "the capability it needs".to_string()
    } else {
        needed
            .iter()
            .map(|c| format!("\"{c}\""))
            .collect::<Vec<_>>()
            .join(", ")
    };
    Error::TemplateInvalid(format!(
        "CloudFormation rejected the template for stack {name}: {message}. Add {add} to \"capabilities\" \
         in the action's UserParameters."
    ))
}

pub(super) fn not_updatable_message(name: &str, status: &str) -> String {
    let why = match status {
        "ROLLBACK_COMPLETE" => "its creation failed and was rolled back",
        "CREATE_FAILED" => "its creation failed",
        "ROLLBACK_FAILED" => "its creation failed and so did the rollback",
        "DELETE_FAILED" => "it never finished creating, and a delete of it failed",
        "IMPORT_ROLLBACK_FAILED" => {
            return format!(
                "stack {name} is in {status}: an import into it failed and so did the rollback, \
                 and CloudFormation cannot update a stack in this state. stackflow does not \
                 delete a stack that was live; repair the resources the import left behind \
                 (see the stack events), then run the stage again."
            )
        }
        _ => {
            return format!(
                "stack {name} is in {status}, a status stackflow does not know how to deploy \
                 from; it changes nothing on a guess. Bring the stack to a stable status, then \
                 run the stage again."
            )
        }
    };
    format!(
        "stack {name} is in {status}: {why}, and CloudFormation cannot update a stack in this state. \
         It was never live, so it may be replaced: delete the stack, or set \
         \"replaceOnFailure\": true in the action's UserParameters to have it deleted and created \
         again."
    )
}

/// A DELETE_FAILED stack that had been live is not replaced: deleting it would lose resources
/// and data that were in service.
pub(super) fn live_delete_failed_message(name: &str) -> String {
    format!(
        "stack {name} is in DELETE_FAILED, and it had been live (it completed a create or an \
         update before). stackflow never deletes a stack that was in service, even with \
         \"replaceOnFailure\". See the stack events for the resources that could not be \
         deleted; delete the stack yourself once they are dealt with (or retain them), then run \
         the stage again to create it."
    )
}
