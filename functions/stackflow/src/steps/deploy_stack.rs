//! DeployStack: start the stack operation this deployment needs (create, update, or the delete
//! of a replace; in the other modes a change set's creation or execution, or the stack's
//! delete), or find that there is nothing to do or that another operation holds the stack.
//! It never waits: it answers with what the state machine does next.

mod change_set;
mod options;
mod refusals;
mod teardown;

use aws_sdk_cloudformation::operation::create_stack::CreateStackError;
use aws_sdk_cloudformation::operation::delete_stack::DeleteStackError;
use aws_sdk_cloudformation::operation::update_stack::UpdateStackError;
use aws_sdk_cloudformation::types::{Capability, Parameter, Stack, StackStatus, Tag};
use aws_sdk_cloudformation::Client;
use aws_smithy_runtime_api::client::result::SdkError;
use aws_smithy_types::error::metadata::ProvideErrorMetadata;
use tracing::info;

use crate::aws::client_token::{action_of_token, token_for};
use crate::aws::error::{classify_sdk_error, code_and_message};
use crate::aws::s3::read_staged_parameters;
use crate::aws::stack_describe::{describe_stack, is_does_not_exist, outputs_of, status_text};
use crate::aws::stack_events::{latest_token, was_live};
use crate::aws::stack_status::{classify_stack, deploy_move, DeployMove, StatusClass};
use crate::aws::stack_timeout::timed_out;
use crate::contract::{DeployInput, DeploymentParams, Mode, Next, StackAction, StackProgress};
use crate::error::Error;
use crate::polling::next_wait;
use crate::settings::ServiceRoles;
use crate::staged_parameters::{Secrets, StagedParameters};
use refusals::{
    insufficient_capabilities, live_delete_failed_message, not_updatable_message,
    ROLLBACK_FAILED_RECOVERY,
};

/// Run DeployStack for `input` at time `now_unix` (seconds). The stack is always deployed with
/// a service role from `roles`: the one Validate parameters resolved, or the default. The
/// parameter values are read from the staging bucket (`s3`); NoEcho values are masked in the
/// outputs and messages it answers.
pub async fn deploy(
    cfn: &Client,
    s3: &aws_sdk_s3::Client,
    roles: &ServiceRoles,
    input: &DeployInput,
    now_unix: i64,
) -> Result<StackProgress, Error> {
    let role_arn = roles.resolve(input.params.role_arn.as_deref())?;
    let input = &DeployInput {
        params: DeploymentParams {
            role_arn: Some(role_arn),
            ..input.params.clone()
        },
        ..input.clone()
    };
    let Some(template) = &input.template else {
        // executeChangeSet and delete: no template, no parameter values to read or mask.
        return deploy_with(cfn, input, &StagedParameters::default(), now_unix).await;
    };
    let staged = read_staged_parameters(s3, template).await?;
    let secrets = Secrets::of(&staged, &template.no_echo);
    secrets.mask_step(deploy_with(cfn, input, &staged, now_unix).await)
}

async fn deploy_with(
    cfn: &Client,
    input: &DeployInput,
    staged: &StagedParameters,
    now_unix: i64,
) -> Result<StackProgress, Error> {
    let progress = start_operation(cfn, input, staged, now_unix).await?;
    if progress.next != Next::Wait {
        return Ok(progress);
    }
    // The operation starts now (or, for a retried step, a moment ago): the first wait, or the
    // hand-over when this job's time is up already.
    let (next, wait_seconds) = next_wait(
        input.params.poll_seconds,
        now_unix,
        input.current_job.as_ref(),
        now_unix,
    );
    Ok(StackProgress {
        next,
        wait_seconds,
        started_at: Some(now_unix),
        ..progress
    })
}

async fn start_operation(
    cfn: &Client,
    input: &DeployInput,
    staged: &StagedParameters,
    now_unix: i64,
) -> Result<StackProgress, Error> {
    let name = input.params.stack.as_str();
    let mode = input.params.mode;
    let found = describe_stack(cfn, name)
        .await?
        .filter(|stack| stack.stack_status() != Some(&StackStatus::DeleteComplete));
    let Some(stack) = found else {
        return match mode {
            Mode::Deploy => create(cfn, input, staged, None).await,
            Mode::CreateChangeSet => change_set::create(cfn, input, staged, None).await,
            Mode::ExecuteChangeSet => Err(change_set::missing(input)),
            Mode::Delete => Ok(teardown::nothing_to_delete(input)),
        };
    };
    let status = status_text(&stack);

    // A retried step whose first try reached CloudFormation (its answer lost): watch that
    // operation rather than start another or mistake it for someone else's. A continued
    // rollback that has ended is not watched again: it only prepared the deploy that follows.
    let stack_ref = stack.stack_id().unwrap_or(name);
    let rollback_ended = classify_stack(&stack) != StatusClass::InProgress;
    if let Some(action) = latest_token(cfn, stack_ref)
        .await?
        .and_then(|token| action_of_token(&token, &input.job_id))
        .filter(|action| !(*action == StackAction::ContinueRollback && rollback_ended))
    {
        info!(stack = name, status = %status, ?action, "this deployment's operation already started");
        return Ok(started(input, action, stack.stack_id(), Some(&status)));
    }

    if classify_stack(&stack) == StatusClass::InProgress {
        return wait_for_other(cfn, input, &stack, now_unix).await;
    }
    match mode {
        Mode::Delete => teardown::delete_stack(cfn, input, &stack).await,
        Mode::ExecuteChangeSet => change_set::execute(cfn, input, &stack).await,
        Mode::Deploy | Mode::CreateChangeSet => {
            deploy_to(cfn, input, staged, &stack, now_unix).await
        }
    }
}

/// Another operation holds the stack: wait for it, unless the deadline has passed.
async fn wait_for_other(
    cfn: &Client,
    input: &DeployInput,
    stack: &Stack,
    now_unix: i64,
) -> Result<StackProgress, Error> {
    let name = input.params.stack.as_str();
    let status = status_text(stack);
    let stack_ref = stack.stack_id().unwrap_or(name);
    if now_unix > input.params.deadline {
        return Err(timed_out(cfn, &input.params, stack_ref, &status, None).await);
    }
    info!(stack = name, status = %status, "another operation holds the stack; waiting for it");
    Ok(started(
        input,
        StackAction::WaitForOther,
        stack.stack_id(),
        Some(&status),
    ))
}

/// Deploy the template (as a stack operation, or as a change set for review) to a stack that
/// exists and is free.
async fn deploy_to(
    cfn: &Client,
    input: &DeployInput,
    staged: &StagedParameters,
    stack: &Stack,
    now_unix: i64,
) -> Result<StackProgress, Error> {
    let name = input.params.stack.as_str();
    let status = status_text(stack);
    let stack_ref = stack.stack_id().unwrap_or(name);
    let for_review = input.params.mode == Mode::CreateChangeSet;
    match deploy_move(classify_stack(stack)) {
        DeployMove::Create | DeployMove::Update if for_review => {
            change_set::create(cfn, input, staged, Some(stack)).await
        }
        DeployMove::Create => create(cfn, input, staged, Some(stack)).await,
        DeployMove::Update => {
            // Before the update, which may find nothing to change.
            options::sync_termination_protection(cfn, input, stack).await?;
            update(cfn, input, staged, stack).await
        }
        DeployMove::ReplaceOrRefuse if input.params.replace_on_failure => {
            delete(cfn, input, stack, StackAction::Replace).await
        }
        DeployMove::ReplaceIfNeverLive if was_live(cfn, stack_ref).await? => {
            Err(Error::StackNotUpdatable(live_delete_failed_message(name)))
        }
        DeployMove::ReplaceIfNeverLive if input.params.replace_on_failure => {
            delete(cfn, input, stack, StackAction::Replace).await
        }
        DeployMove::ReplaceOrRefuse | DeployMove::ReplaceIfNeverLive | DeployMove::Refuse => Err(
            Error::StackNotUpdatable(not_updatable_message(name, &status)),
        ),
        DeployMove::ContinueRollback => continue_rollback(cfn, input, stack).await,
        DeployMove::WaitForOther => wait_for_other(cfn, input, stack, now_unix).await,
    }
}

/// The progress of an operation that runs (or is awaited): next Wait, with this job's token.
fn started(
    input: &DeployInput,
    action: StackAction,
    stack_id: Option<&str>,
    status: Option<&str>,
) -> StackProgress {
    StackProgress {
        stack_name: input.params.stack.clone(),
        stack_id: stack_id.map(str::to_string),
        action,
        next: Next::Wait,
        status: status.map(str::to_string),
        client_request_token: token_for(action, &input.job_id),
        outputs: Default::default(),
        started_at: None,
        wait_seconds: 0,
        change_set: None,
        tally: Default::default(),
    }
}

/// CreateStack. `existing` is the stack found (REVIEW_IN_PROGRESS), if any.
async fn create(
    cfn: &Client,
    input: &DeployInput,
    staged: &StagedParameters,
    existing: Option<&Stack>,
) -> Result<StackProgress, Error> {
    let name = input.params.stack.as_str();
    let template = staged_template(input)?;
    let result = options::for_create(cfn.create_stack(), &input.params.options)
        .stack_name(name)
        .template_url(&template.template_url)
        .set_parameters(parameters(staged))
        .set_capabilities(capabilities(input))
        .set_role_arn(input.params.role_arn.clone())
        .set_tags(tags(input))
        .set_stack_policy_body(template.stack_policy_body.clone())
        .set_client_request_token(token_for(StackAction::Create, &input.job_id))
        .send()
        .await;
    let existing_id = existing.and_then(Stack::stack_id);
    let existing_status = existing.map(status_text);
    match result {
        Ok(output) => {
            info!(stack = name, "stack create started");
            let stack_id = output.stack_id().or(existing_id);
            Ok(started(input, StackAction::Create, stack_id, None))
        }
        Err(err) => match err.as_service_error() {
            // The same token was seen before: our earlier try started the create.
            Some(CreateStackError::TokenAlreadyExistsException(_)) => Ok(started(
                input,
                StackAction::Create,
                existing_id,
                existing_status.as_deref(),
            )),
            Some(CreateStackError::AlreadyExistsException(_)) => {
                already_exists(cfn, input, existing).await
            }
            Some(CreateStackError::InsufficientCapabilitiesException(e)) => {
                Err(insufficient_capabilities(name, e.message()))
            }
            _ => Err(rejected_or_classified("CreateStack", name, &err)),
        },
    }
}

/// CreateStack found the stack there. After a lost answer the stack is our own create (its
/// newest event carries our token): watch it. A stack another party created meanwhile is waited
/// for, then deployed to. A REVIEW_IN_PROGRESS stack (a change set's, never executed) is
/// something CreateStack cannot take over.
async fn already_exists(
    cfn: &Client,
    input: &DeployInput,
    existing: Option<&Stack>,
) -> Result<StackProgress, Error> {
    let name = input.params.stack.as_str();
    let ours = latest_token(cfn, name)
        .await?
        .is_some_and(|token| action_of_token(&token, &input.job_id) == Some(StackAction::Create));
    let existing_id = existing.and_then(Stack::stack_id);
    if ours {
        return Ok(started(input, StackAction::Create, existing_id, None));
    }
    match existing {
        Some(stack) if stack.stack_status() == Some(&StackStatus::ReviewInProgress) => {
            Err(Error::StackNotUpdatable(format!(
                "stack {name} is in REVIEW_IN_PROGRESS: a change set created it and was never executed, \
                 and CloudFormation will not create the stack over it. Delete the stack (it has no \
                 resources) or execute its change set, then retry the pipeline."
            )))
        }
        _ => {
            info!(stack = name, "the stack appeared while we created it; waiting for it");
            Ok(started(input, StackAction::WaitForOther, existing_id, None))
        }
    }
}

/// UpdateStack on the stack found in an updatable status.
async fn update(
    cfn: &Client,
    input: &DeployInput,
    staged: &StagedParameters,
    stack: &Stack,
) -> Result<StackProgress, Error> {
    let name = input.params.stack.as_str();
    let template = staged_template(input)?;
    let status = status_text(stack);
    let result = options::for_update(cfn.update_stack(), &input.params.options)
        .stack_name(name)
        .template_url(&template.template_url)
        .set_parameters(parameters(staged))
        .set_capabilities(capabilities(input))
        .set_role_arn(input.params.role_arn.clone())
        .set_tags(tags(input))
        .set_stack_policy_body(template.stack_policy_body.clone())
        .set_client_request_token(token_for(StackAction::Update, &input.job_id))
        .send()
        .await;
    let err = match result {
        Ok(output) => {
            info!(stack = name, "stack update started");
            let stack_id = output.stack_id().or(stack.stack_id());
            return Ok(started(input, StackAction::Update, stack_id, Some(&status)));
        }
        Err(err) => err,
    };
    match err.as_service_error() {
        Some(UpdateStackError::TokenAlreadyExistsException(_)) => {
            return Ok(started(
                input,
                StackAction::Update,
                stack.stack_id(),
                Some(&status),
            ));
        }
        Some(UpdateStackError::InsufficientCapabilitiesException(e)) => {
            return Err(insufficient_capabilities(name, e.message()));
        }
        _ => {}
    }
    let (code, message) = code_and_message(&err);
    if code.as_deref() == Some("ValidationError") {
        let text = message.as_deref().unwrap_or_default();
        if text.contains("No updates are to be performed") {
            info!(
                stack = name,
                "the stack already matches the template; nothing to do"
            );
            return Ok(StackProgress {
                next: Next::Succeed,
                client_request_token: None,
                outputs: outputs_of(stack),
                ..started(
                    input,
                    StackAction::NoChanges,
                    stack.stack_id(),
                    Some(&status),
                )
            });
        }
        // Another operation started between our look and our update.
        if text.contains("_IN_PROGRESS state") {
            return Ok(started(
                input,
                StackAction::WaitForOther,
                stack.stack_id(),
                Some(&status),
            ));
        }
        if is_does_not_exist(&(code.clone(), message.clone())) {
            return Err(Error::Transient(format!(
                "stack {name} was deleted while it was being updated; deploying again will create it"
            )));
        }
    }
    Err(rejected_or_classified("UpdateStack", name, &err))
}

/// DeleteStack, by the stack's id so only the stack we saw is deleted, with the service role:
/// the first half of a replace (`StackAction::Replace`), or the `delete` mode's
/// (`StackAction::Delete`). Each has a token of its own.
async fn delete(
    cfn: &Client,
    input: &DeployInput,
    stack: &Stack,
    action: StackAction,
) -> Result<StackProgress, Error> {
    let name = input.params.stack.as_str();
    let status = status_text(stack);
    let result = cfn
        .delete_stack()
        .stack_name(stack.stack_id().unwrap_or(name))
        .set_role_arn(input.params.role_arn.clone())
        .set_client_request_token(token_for(action, &input.job_id))
        .send()
        .await;
    let deleting = || Ok(started(input, action, stack.stack_id(), Some(&status)));
    match result {
        Ok(_) => {
            info!(stack = name, status = %status, ?action, "stack delete started");
            deleting()
        }
        Err(err)
            if matches!(
                err.as_service_error(),
                Some(DeleteStackError::TokenAlreadyExistsException(_))
            ) =>
        {
            deleting()
        }
        Err(err) => {
            let (code, message) = code_and_message(&err);
            let message = message.unwrap_or_else(|| "no message".to_string());
            match code.as_deref() {
                // "Stack [name] cannot be deleted while TerminationProtection is enabled"
                Some("ValidationError") if message.contains("TerminationProtection") => Err(
                    Error::StackNotUpdatable(teardown::protected_message(name, &message)),
                ),
                Some("ValidationError") => Err(Error::StackNotUpdatable(format!(
                    "stack {name} is in {status} and CloudFormation refused to delete it{}: \
                     {message}",
                    if action == StackAction::Replace {
                        " for the replace"
                    } else {
                        ""
                    }
                ))),
                _ => Err(classify_sdk_error(
                    &format!("DeleteStack on stack {name}"),
                    &err,
                )),
            }
        }
    }
}

/// ContinueUpdateRollback on a stack in UPDATE_ROLLBACK_FAILED: CloudFormation's own recovery,
/// which brings a live stack back to its last working state without deleting anything. Once it
/// is UPDATE_ROLLBACK_COMPLETE, the deployment goes on.
async fn continue_rollback(
    cfn: &Client,
    input: &DeployInput,
    stack: &Stack,
) -> Result<StackProgress, Error> {
    let name = input.params.stack.as_str();
    let status = status_text(stack);
    let result = cfn
        .continue_update_rollback()
        .stack_name(stack.stack_id().unwrap_or(name))
        .set_role_arn(input.params.role_arn.clone())
        .set_client_request_token(token_for(StackAction::ContinueRollback, &input.job_id))
        .send()
        .await;
    let already_sent = || {
        Ok(started(
            input,
            StackAction::ContinueRollback,
            stack.stack_id(),
            Some(&status),
        ))
    };
    match result {
        Ok(_) => {
            info!(
                stack = name,
                "continuing the failed rollback before deploying"
            );
            already_sent()
        }
        Err(err) if err.code() == Some("TokenAlreadyExistsException") => already_sent(),
        Err(err) => {
            let (code, message) = code_and_message(&err);
            if code.as_deref() == Some("ValidationError") {
                Err(Error::StackNotUpdatable(format!(
                    "stack {name} is in {status} and CloudFormation refused to continue its \
                     rollback: {}. {}",
                    message.as_deref().unwrap_or("no message"),
                    ROLLBACK_FAILED_RECOVERY
                )))
            } else {
                Err(classify_sdk_error(
                    &format!("ContinueUpdateRollback on stack {name}"),
                    &err,
                ))
            }
        }
    }
}

/// A ValidationError from CreateStack/UpdateStack is CloudFormation rejecting the template or
/// its parameters; anything else goes through the shared classification.
fn rejected_or_classified<E>(
    operation: &str,
    name: &str,
    err: &SdkError<E, aws_smithy_runtime_api::http::Response>,
) -> Error
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
{
    let (code, message) = code_and_message(err);
    if code.as_deref() == Some("ValidationError") {
        Error::TemplateInvalid(format!(
            "CloudFormation rejected the template for stack {name}: {}",
            message.as_deref().unwrap_or("no message")
        ))
    } else {
        classify_sdk_error(&format!("{operation} on stack {name}"), err)
    }
}

/// The template Fetch template staged; the modes that deploy one always have it.
fn staged_template(input: &DeployInput) -> Result<&crate::contract::StagedTemplate, Error> {
    input.template.as_ref().ok_or_else(|| {
        Error::Misconfigured(format!(
            "Deploy stack has no staged template for mode `{}`: the state machine definition and \
             the functions are from different versions",
            input.params.mode.as_str()
        ))
    })
}

/// The staged parameter values, when there are any.
fn parameters(staged: &StagedParameters) -> Option<Vec<Parameter>> {
    let parameters = &staged.parameters;
    (!parameters.is_empty()).then(|| {
        parameters
            .iter()
            .map(|(key, value)| {
                Parameter::builder()
                    .parameter_key(key)
                    .parameter_value(value)
                    .build()
            })
            .collect()
    })
}

fn capabilities(input: &DeployInput) -> Option<Vec<Capability>> {
    let capabilities = &input.params.capabilities;
    (!capabilities.is_empty()).then(|| {
        capabilities
            .iter()
            .map(|c| Capability::from(c.as_str()))
            .collect()
    })
}

/// Tags, when there are any: an empty list on UpdateStack would remove the stack's tags.
fn tags(input: &DeployInput) -> Option<Vec<Tag>> {
    let tags = &input.template.as_ref()?.tags;
    (!tags.is_empty()).then(|| {
        tags.iter()
            .map(|(key, value)| Tag::builder().key(key).value(value).build())
            .collect()
    })
}

#[cfg(test)]
#[path = "deploy_stack_tests.rs"]
mod tests;

#[cfg(test)]
#[path = "deploy_stack_mode_tests.rs"]
mod mode_tests;

#[cfg(test)]
#[path = "deploy_stack_options_tests.rs"]
mod options_tests;
