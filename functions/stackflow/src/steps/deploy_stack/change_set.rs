//! The change-set modes in DeployStack: `createChangeSet` creates (or replaces) a change set
//! for review, `executeChangeSet` runs one. Both leave the waiting to the state machine.

use aws_sdk_cloudformation::operation::create_change_set::CreateChangeSetError;
use aws_sdk_cloudformation::operation::execute_change_set::ExecuteChangeSetError;
use aws_sdk_cloudformation::types::{
    ChangeSetStatus, ChangeSetType, ExecutionStatus, Stack, StackStatus,
};
use aws_sdk_cloudformation::Client;
use tracing::info;

use super::options::{for_change_set, retain_except_on_create};
use super::{
    capabilities, insufficient_capabilities, parameters, rejected_or_classified, staged_template,
    started, tags,
};
use crate::aws::change_set::{delete_change_set, describe_change_set};
use crate::aws::client_token::token_for;
use crate::aws::error::classify_sdk_error;
use crate::aws::stack_describe::status_text;
use crate::contract::{ChangeSetReport, DeployInput, StackAction, StackProgress, Tally};
use crate::error::Error;
use crate::staged_parameters::StagedParameters;

/// CloudFormation's limit on a change set's Description.
const MAX_DESCRIPTION_CHARS: usize = 1024;

/// The Description of the change sets stackflow creates: a retried step recognises its own
/// change set by it (DescribeChangeSet does not return the ClientToken).
fn description(job_id: &str) -> String {
    format!("Created by stackflow for CodePipeline job {job_id}")
        .chars()
        .take(MAX_DESCRIPTION_CHARS)
        .collect()
}

fn change_set_name(input: &DeployInput) -> Result<&str, Error> {
    input.params.change_set_name.as_deref().ok_or_else(|| {
        Error::Misconfigured(format!(
            "mode `{}` reached Deploy stack without a change set name",
            input.params.mode.as_str()
        ))
    })
}

/// `CREATE` for a stack that does not exist or that only a change set made (REVIEW_IN_PROGRESS,
/// no resources yet), `UPDATE` otherwise; as `aws cloudformation deploy` decides.
fn change_set_type(existing: Option<&Stack>) -> ChangeSetType {
    match existing.and_then(Stack::stack_status) {
        None | Some(StackStatus::ReviewInProgress) => ChangeSetType::Create,
        Some(_) => ChangeSetType::Update,
    }
}

/// Create change set `changeSetName` for review, replacing an older one of that name.
pub(super) async fn create(
    cfn: &Client,
    input: &DeployInput,
    staged: &StagedParameters,
    existing: Option<&Stack>,
) -> Result<StackProgress, Error> {
    let stack = input.params.stack.as_str();
    let name = change_set_name(input)?;
    let template = staged_template(input)?;
    if template.stack_policy_body.is_some() {
        return Err(Error::InvalidParameters(format!(
            "the template configuration file has a StackPolicy, which CloudFormation cannot \
             apply through a change set (CreateChangeSet and ExecuteChangeSet take none). Set \
             the policy on stack {stack} yourself, or deploy with mode `deploy`."
        )));
    }
    let kind = change_set_type(existing);
    let stack_id = existing.and_then(Stack::stack_id);
    if let Some(ours) = ours_or_cleared(cfn, input, &kind, stack_id).await? {
        return Ok(ours);
    }
    let result = for_change_set(cfn.create_change_set(), &input.params.options)
        .stack_name(stack)
        .change_set_name(name)
        .change_set_type(kind.clone())
        .template_url(&template.template_url)
        .set_parameters(parameters(staged))
        .set_capabilities(capabilities(input))
        .set_role_arn(input.params.role_arn.clone())
        .set_tags(tags(input))
        .description(description(&input.job_id))
        .set_client_token(token_for(StackAction::CreateChangeSet, &input.job_id))
        .send()
        .await;
    match result {
        Ok(output) => {
            info!(
                stack,
                change_set = name,
                kind = kind.as_str(),
                "change set creation started"
            );
            let id = output.id().unwrap_or(name);
            Ok(creating(
                input,
                id,
                name,
                &kind,
                output.stack_id().or(stack_id),
            ))
        }
        Err(err) => match err.as_service_error() {
            Some(CreateChangeSetError::InsufficientCapabilitiesException(e)) => {
                Err(insufficient_capabilities(stack, e.message()))
            }
            // Made by someone else between our look and our create: look again.
            Some(CreateChangeSetError::AlreadyExistsException(_)) => Err(Error::Transient(
                format!("change set {name} of stack {stack} appeared while it was being created"),
            )),
            _ => Err(rejected_or_classified("CreateChangeSet", stack, &err)),
        },
    }
}

/// An older change set of this name: this deployment's own (a retried step) is watched, any
/// other is deleted, to be replaced.
async fn ours_or_cleared(
    cfn: &Client,
    input: &DeployInput,
    kind: &ChangeSetType,
    stack_id: Option<&str>,
) -> Result<Option<StackProgress>, Error> {
    let stack = input.params.stack.as_str();
    let name = change_set_name(input)?;
    let Some(older) = describe_change_set(cfn, stack, name, None).await? else {
        return Ok(None);
    };
    let older_id = older.change_set_id().unwrap_or(name).to_string();
    if older.description() == Some(description(&input.job_id).as_str()) {
        info!(
            stack,
            change_set = name,
            "this deployment's change set already exists"
        );
        let stack_id = older.stack_id().or(stack_id);
        return Ok(Some(creating(input, &older_id, name, kind, stack_id)));
    }
    info!(
        stack,
        change_set = name,
        "replacing the older change set of this name"
    );
    delete_change_set(cfn, stack, &older_id).await?;
    Ok(None)
}

/// The progress of a change set being created: CheckStack watches the change set's status.
fn creating(
    input: &DeployInput,
    id: &str,
    name: &str,
    kind: &ChangeSetType,
    stack_id: Option<&str>,
) -> StackProgress {
    StackProgress {
        change_set: Some(ChangeSetReport::new(id, name, kind.as_str())),
        client_request_token: None,
        ..started(input, StackAction::CreateChangeSet, stack_id, None)
    }
}

/// ExecuteChangeSet's refusal, in the words the job reports.
fn execute_refused(
    input: &DeployInput,
    name: &str,
    err: &aws_smithy_runtime_api::client::result::SdkError<
        ExecuteChangeSetError,
        aws_smithy_runtime_api::http::Response,
    >,
) -> Error {
    let stack = input.params.stack.as_str();
    match err.as_service_error() {
        Some(ExecuteChangeSetError::InsufficientCapabilitiesException(e)) => {
            insufficient_capabilities(stack, e.message())
        }
        Some(ExecuteChangeSetError::InvalidChangeSetStatusException(e)) => {
            Error::StackNotUpdatable(format!(
                "change set {name} of stack {stack} cannot be executed: {}",
                e.message().unwrap_or("its status does not allow it")
            ))
        }
        Some(ExecuteChangeSetError::ChangeSetNotFoundException(_)) => missing(input),
        _ => classify_sdk_error(&format!("ExecuteChangeSet of {name} on stack {stack}"), err),
    }
}

/// The error for a change set that is not there to execute.
pub(super) fn missing(input: &DeployInput) -> Error {
    let stack = input.params.stack.as_str();
    let name = input.params.change_set_name.as_deref().unwrap_or("");
    Error::StackNotUpdatable(format!(
        "stack {stack} has no change set named {name} to execute. Create it first with a \
         `createChangeSet` action for the same stack and changeSetName; a change set that \
         changed nothing was deleted when it was created, so there is nothing to execute."
    ))
}

/// Execute change set `changeSetName` of `stack`, if it can be executed.
pub(super) async fn execute(
    cfn: &Client,
    input: &DeployInput,
    stack: &Stack,
) -> Result<StackProgress, Error> {
    let stack_name = input.params.stack.as_str();
    let name = change_set_name(input)?;
    let Some(described) = describe_change_set(cfn, stack_name, name, None).await? else {
        return Err(missing(input));
    };
    let executable = described.execution_status() == Some(&ExecutionStatus::Available)
        && described.status() == Some(&ChangeSetStatus::CreateComplete);
    if !executable {
        return Err(Error::StackNotUpdatable(format!(
            "change set {name} of stack {stack_name} cannot be executed: its status is {} and \
             its execution status {}{}",
            described.status().map_or("UNKNOWN", |s| s.as_str()),
            described
                .execution_status()
                .map_or("UNKNOWN", |s| s.as_str()),
            described
                .status_reason()
                .map(|reason| format!(" ({reason})"))
                .unwrap_or_default()
        )));
    }
    let status = status_text(stack);
    let stack_id = described.stack_id().or(stack.stack_id());
    let result = cfn
        .execute_change_set()
        .stack_name(stack_name)
        .change_set_name(name)
        .set_retain_except_on_create(retain_except_on_create(&input.params.options))
        .set_client_request_token(token_for(StackAction::ExecuteChangeSet, &input.job_id))
        .send()
        .await;
    // Its change count, when one page holds it all: the measure of percentComplete.
    let planned = described
        .next_token()
        .is_none()
        .then(|| u32::try_from(described.changes().len()).unwrap_or(u32::MAX));
    let running = || {
        let progress = started(
            input,
            StackAction::ExecuteChangeSet,
            stack_id,
            Some(&status),
        );
        Ok(StackProgress {
            tally: Tally {
                planned,
                ..Tally::default()
            },
            ..progress
        })
    };
    match result {
        Ok(_) => {
            info!(
                stack = stack_name,
                change_set = name,
                "change set execution started"
            );
            running()
        }
        Err(err)
            if matches!(
                err.as_service_error(),
                Some(ExecuteChangeSetError::TokenAlreadyExistsException(_))
            ) =>
        {
            running()
        }
        Err(err) => Err(execute_refused(input, name, &err)),
    }
}
