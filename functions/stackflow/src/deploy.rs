//! DeployStack: start the stack operation this deployment needs (create, update, or the delete
//! of a replace), or find that there is nothing to do or that another operation holds the stack.
//! It never waits: it answers with what the state machine does next.

use aws_sdk_cloudformation::operation::create_stack::CreateStackError;
use aws_sdk_cloudformation::operation::delete_stack::DeleteStackError;
use aws_sdk_cloudformation::operation::update_stack::UpdateStackError;
use aws_sdk_cloudformation::types::{Capability, Parameter, Stack, StackStatus, Tag};
use aws_sdk_cloudformation::Client;
use aws_smithy_runtime_api::client::result::SdkError;
use aws_smithy_types::error::metadata::ProvideErrorMetadata;
use tracing::info;

use crate::aws_error::{classify, code_and_message};
use crate::client_token::{action_of_token, token_for};
use crate::contract::{DeployInput, DeploymentParams, Next, StackAction, StackProgress};
use crate::error::Error;
use crate::polling::next_wait;
use crate::settings::ServiceRoles;
use crate::stack_describe::{describe_stack, is_does_not_exist, outputs_of, status_text};
use crate::stack_events::{latest_token, was_live};
use crate::stack_status::{classify_stack, deploy_move, DeployMove, StatusClass};
use crate::stack_timeout::timed_out;
use crate::staged_parameters::{self, Secrets, StagedParameters};

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
    let staged = staged_parameters::read(s3, &input.template).await?;
    let secrets = Secrets::of(&staged, &input.template.no_echo);
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
        input.reply_to.as_ref(),
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
    let found = describe_stack(cfn, name)
        .await?
        .filter(|stack| stack.stack_status() != Some(&StackStatus::DeleteComplete));
    let Some(stack) = found else {
        return create(cfn, input, staged, None).await;
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

    match deploy_move(classify_stack(&stack)) {
        DeployMove::Create => create(cfn, input, staged, Some(&stack)).await,
        DeployMove::Update => update(cfn, input, staged, &stack).await,
        DeployMove::ReplaceOrRefuse if input.params.replace_on_failure => {
            delete(cfn, input, &stack).await
        }
        DeployMove::ReplaceIfNeverLive if was_live(cfn, stack_ref).await? => {
            Err(Error::StackNotUpdatable(live_delete_failed_message(name)))
        }
        DeployMove::ReplaceIfNeverLive if input.params.replace_on_failure => {
            delete(cfn, input, &stack).await
        }
        DeployMove::ReplaceOrRefuse | DeployMove::ReplaceIfNeverLive | DeployMove::Refuse => Err(
            Error::StackNotUpdatable(not_updatable_message(name, &status)),
        ),
        DeployMove::ContinueRollback => continue_rollback(cfn, input, &stack).await,
        DeployMove::WaitForOther if now_unix > input.params.deadline => {
            Err(timed_out(cfn, &input.params, stack_ref, &status, None).await)
        }
        DeployMove::WaitForOther => {
            info!(stack = name, status = %status, "another operation holds the stack; waiting for it");
            Ok(started(
                input,
                StackAction::WaitForOther,
                stack.stack_id(),
                Some(&status),
            ))
        }
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
    let template = &input.template;
    let result = cfn
        .create_stack()
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
    let template = &input.template;
    let status = status_text(stack);
    let result = cfn
        .update_stack()
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
                stack_name: name.to_string(),
                stack_id: stack.stack_id().map(str::to_string),
                action: StackAction::NoChanges,
                next: Next::Succeed,
                status: Some(status),
                client_request_token: None,
                outputs: outputs_of(stack),
                started_at: None,
                wait_seconds: 0,
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

/// DeleteStack, the first half of a replace. It names the stack by id so only the failed stack
/// we saw is deleted.
async fn delete(cfn: &Client, input: &DeployInput, stack: &Stack) -> Result<StackProgress, Error> {
    let name = input.params.stack.as_str();
    let status = status_text(stack);
    let result = cfn
        .delete_stack()
        .stack_name(stack.stack_id().unwrap_or(name))
        .set_role_arn(input.params.role_arn.clone())
        .set_client_request_token(token_for(StackAction::Replace, &input.job_id))
        .send()
        .await;
    match result {
        Ok(_) => {
            info!(stack = name, status = %status, "deleting the failed stack to create it again");
            Ok(started(
                input,
                StackAction::Replace,
                stack.stack_id(),
                Some(&status),
            ))
        }
        Err(err)
            if matches!(
                err.as_service_error(),
                Some(DeleteStackError::TokenAlreadyExistsException(_))
            ) =>
        {
            Ok(started(
                input,
                StackAction::Replace,
                stack.stack_id(),
                Some(&status),
            ))
        }
        Err(err) => {
            let (code, message) = code_and_message(&err);
            if code.as_deref() == Some("ValidationError") {
                Err(Error::StackNotUpdatable(format!(
                    "stack {name} is in {status} and CloudFormation refused to delete it for the replace: {}",
                    message.as_deref().unwrap_or("no message")
                )))
            } else {
                Err(classify(&format!("DeleteStack on stack {name}"), &err))
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
                Err(classify(
                    &format!("ContinueUpdateRollback on stack {name}"),
                    &err,
                ))
            }
        }
    }
}

/// How a person gets a stack out of UPDATE_ROLLBACK_FAILED when stackflow cannot.
const ROLLBACK_FAILED_RECOVERY: &str = "Fix what keeps the resources from rolling back and \
     continue the rollback (`aws cloudformation continue-update-rollback`, with \
     `--resources-to-skip` for resources that cannot be restored), then run the stage again.";

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
        classify(&format!("{operation} on stack {name}"), err)
    }
}

/// InsufficientCapabilitiesException says which capabilities the template needs.
fn insufficient_capabilities(name: &str, message: Option<&str>) -> Error {
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

fn not_updatable_message(name: &str, status: &str) -> String {
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
fn live_delete_failed_message(name: &str) -> String {
    format!(
        "stack {name} is in DELETE_FAILED, and it had been live (it completed a create or an \
         update before). stackflow never deletes a stack that was in service, even with \
         \"replaceOnFailure\". See the stack events for the resources that could not be \
         deleted; delete the stack yourself once they are dealt with (or retain them), then run \
         the stage again to create it."
    )
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
    let tags = &input.template.tags;
    (!tags.is_empty()).then(|| {
        tags.iter()
            .map(|(key, value)| Tag::builder().key(key).value(value).build())
            .collect()
    })
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;
    use aws_sdk_cloudformation::operation::create_stack::CreateStackOutput;
    use aws_sdk_cloudformation::operation::delete_stack::DeleteStackOutput;
    use aws_sdk_cloudformation::operation::describe_stacks::DescribeStacksError;
    use aws_sdk_cloudformation::operation::update_stack::UpdateStackOutput;
    use aws_sdk_cloudformation::types::error::{
        AlreadyExistsException, InsufficientCapabilitiesException, TokenAlreadyExistsException,
    };
    use aws_sdk_cloudformation::types::ResourceStatus;
    use aws_smithy_mocks::{mock, Rule};

    use crate::stack_fixtures::*;

    /// DeployStack under a stackflow deployment that allows the fixtures' role (and another),
    /// with the staging bucket holding the values of `deploy_input()`.
    async fn deploy(cfn: &Client, input: &DeployInput, now: i64) -> Result<StackProgress, Error> {
        super::deploy(cfn, &staging(), &service_roles(), input, now).await
    }

    fn create_token() -> String {
        format!("stackflow-create-{JOB}")
    }

    fn update_token() -> String {
        format!("stackflow-update-{JOB}")
    }

    fn delete_token() -> String {
        format!("stackflow-delete-{JOB}")
    }

    /// Whether a CreateStack or UpdateStack request carries everything `deploy_input()` says,
    /// with the client request token `token`. A macro: the two request types have the same
    /// accessors but no trait in common.
    macro_rules! carries_the_deployment {
        ($req:expr, $token:expr) => {{
            let req = $req;
            let parameters: Vec<(Option<&str>, Option<&str>)> = req
                .parameters()
                .iter()
                .map(|p| (p.parameter_key(), p.parameter_value()))
                .collect();
            let capabilities: Vec<&str> = req.capabilities().iter().map(|c| c.as_str()).collect();
            let tags: Vec<(Option<&str>, Option<&str>)> =
                req.tags().iter().map(|t| (t.key(), t.value())).collect();
            req.stack_name() == Some(STACK)
                && req.template_url() == Some(TEMPLATE_URL)
                && req.template_body().is_none()
                && parameters
                    == [
                        (Some("Env"), Some("prod")),
                        (Some("QueueName"), Some("orders")),
                    ]
                && capabilities == ["CAPABILITY_IAM", "CAPABILITY_AUTO_EXPAND"]
                && req.role_arn() == Some(ROLE_ARN)
                && tags == [(Some("team"), Some("payments"))]
                && req.stack_policy_body() == Some(POLICY)
                && req.client_request_token() == Some($token.as_str())
        }};
    }

    fn ok_create() -> Rule {
        mock!(Client::create_stack)
            .then_output(|| CreateStackOutput::builder().stack_id(STACK_ID).build())
    }

    fn ok_update() -> Rule {
        mock!(Client::update_stack)
            .then_output(|| UpdateStackOutput::builder().stack_id(STACK_ID).build())
    }

    fn ok_delete() -> Rule {
        mock!(Client::delete_stack).then_output(|| DeleteStackOutput::builder().build())
    }

    fn update_error(code: &'static str, message: &'static str) -> Rule {
        mock!(Client::update_stack)
            .then_error(move || UpdateStackError::generic(service_error(code, message)))
    }

    fn create_error(code: &'static str, message: &'static str) -> Rule {
        mock!(Client::create_stack)
            .then_error(move || CreateStackError::generic(service_error(code, message)))
    }

    /// The calls that change a stack, to prove none was made.
    struct Mutations {
        create: Rule,
        update: Rule,
        delete: Rule,
    }

    impl Mutations {
        fn new() -> Self {
            Self {
                create: ok_create(),
                update: ok_update(),
                delete: ok_delete(),
            }
        }

        fn counts(&self) -> (usize, usize, usize) {
            (
                self.create.num_calls(),
                self.update.num_calls(),
                self.delete.num_calls(),
            )
        }
    }

    #[tokio::test]
    async fn an_absent_stack_is_created_with_everything_the_deployment_says() {
        let create = mock!(Client::create_stack)
            .match_requests(|req| carries_the_deployment!(req, create_token()))
            .then_output(|| CreateStackOutput::builder().stack_id(STACK_ID).build());
        let absent = absent_rule();
        let cfn = client(&[&absent, &create]);

        let progress = deploy(&cfn, &deploy_input(), NOW).await.unwrap();

        assert_eq!(create.num_calls(), 1);
        assert_eq!(progress.action, StackAction::Create);
        assert_eq!(progress.next, Next::Wait);
        assert_eq!(progress.stack_name, STACK);
        assert_eq!(progress.stack_id.as_deref(), Some(STACK_ID));
        assert_eq!(progress.client_request_token, Some(create_token()));
    }

    #[tokio::test]
    async fn review_in_progress_and_delete_complete_stacks_are_created() {
        for status in ["REVIEW_IN_PROGRESS", "DELETE_COMPLETE"] {
            let m = Mutations::new();
            let describe = describe_rule(status);
            let events = foreign_events_rule();
            let cfn = client(&[&describe, &events, &m.create, &m.update, &m.delete]);
            let progress = deploy(&cfn, &deploy_input(), NOW).await.unwrap();
            assert_eq!(
                (progress.action, progress.next),
                (StackAction::Create, Next::Wait),
                "{status}"
            );
            assert_eq!(m.counts(), (1, 0, 0), "{status}");
        }
    }

    #[tokio::test]
    async fn updatable_stacks_are_updated_with_everything_the_deployment_says() {
        for status in [
            "CREATE_COMPLETE",
            "UPDATE_COMPLETE",
            "UPDATE_ROLLBACK_COMPLETE",
            "IMPORT_COMPLETE",
            "IMPORT_ROLLBACK_COMPLETE",
        ] {
            let update = mock!(Client::update_stack)
                .match_requests(|req| {
                    carries_the_deployment!(req, update_token())
                        && req.use_previous_template().is_none()
                })
                .then_output(|| UpdateStackOutput::builder().stack_id(STACK_ID).build());
            let (describe, events, create, delete) = (
                describe_rule(status),
                foreign_events_rule(),
                ok_create(),
                ok_delete(),
            );
            let cfn = client(&[&describe, &events, &update, &create, &delete]);

            let progress = deploy(&cfn, &deploy_input(), NOW).await.unwrap();

            assert_eq!(
                (progress.action, progress.next),
                (StackAction::Update, Next::Wait),
                "{status}"
            );
            assert_eq!(progress.stack_id.as_deref(), Some(STACK_ID));
            assert_eq!(progress.client_request_token, Some(update_token()));
            assert_eq!(
                (update.num_calls(), create.num_calls(), delete.num_calls()),
                (1, 0, 0),
                "{status}"
            );
        }
    }

    #[tokio::test]
    async fn empty_parameters_tags_and_capabilities_are_left_out() {
        // An empty Tags list on UpdateStack would strip the stack's tags. Without a roleArn the
        // default service role is used: never none.
        let update = mock!(Client::update_stack)
            .match_requests(|req| {
                req.tags.is_none()
                    && req.parameters.is_none()
                    && req.capabilities.is_none()
                    && req.role_arn() == Some(ROLE_ARN)
            })
            .then_output(|| UpdateStackOutput::builder().stack_id(STACK_ID).build());
        let (describe, events) = (describe_rule("UPDATE_COMPLETE"), foreign_events_rule());
        let cfn = client(&[&describe, &events, &update]);
        let mut input = deploy_input();
        input.template.tags.clear();
        input.template.parameter_names.clear();
        input.params.capabilities.clear();
        input.params.role_arn = None;

        deploy(&cfn, &input, NOW).await.unwrap();
        assert_eq!(update.num_calls(), 1);
    }

    #[tokio::test]
    async fn no_updates_to_perform_succeeds_with_the_current_outputs() {
        let (describe, events) = (
            describe_rule("UPDATE_ROLLBACK_COMPLETE"),
            foreign_events_rule(),
        );
        let update = update_error("ValidationError", "No updates are to be performed.");
        let cfn = client(&[&describe, &events, &update]);

        let progress = deploy(&cfn, &deploy_input(), NOW).await.unwrap();

        assert_eq!(progress.action, StackAction::NoChanges);
        assert_eq!(progress.next, Next::Succeed);
        assert_eq!(progress.status.as_deref(), Some("UPDATE_ROLLBACK_COMPLETE"));
        assert_eq!(
            progress.outputs.get("QueueUrl").map(String::as_str),
            Some("https://sqs/orders")
        );
        assert_eq!(
            progress.outputs.get("QueueArn").map(String::as_str),
            Some("arn:aws:sqs:orders")
        );
    }

    /// The statuses of a stack that never finished creating: replaced when asked, refused
    /// otherwise.
    const NOT_UPDATABLE: &[&str] = &["ROLLBACK_COMPLETE", "CREATE_FAILED", "ROLLBACK_FAILED"];

    #[tokio::test]
    async fn failed_stacks_are_refused_without_replace_on_failure() {
        for status in NOT_UPDATABLE {
            let m = Mutations::new();
            let (describe, events) = (describe_rule(status), foreign_events_rule());
            let cfn = client(&[&describe, &events, &m.create, &m.update, &m.delete]);

            let err = deploy(&cfn, &deploy_input(), NOW).await.unwrap_err();

            assert_eq!(err.name(), "StackNotUpdatable", "{status}: {err:?}");
            let message = err.message();
            assert!(
                message.contains(&format!("stack app is in {status}")),
                "{message}"
            );
            assert!(message.contains("delete the stack"), "{message}");
            assert!(message.contains("\"replaceOnFailure\": true"), "{message}");
            assert_eq!(m.counts(), (0, 0, 0), "{status}");
        }
    }

    #[tokio::test]
    async fn rollback_complete_tells_why_it_cannot_be_updated() {
        let (describe, events) = (describe_rule("ROLLBACK_COMPLETE"), foreign_events_rule());
        let cfn = client(&[&describe, &events]);
        let err = deploy(&cfn, &deploy_input(), NOW).await.unwrap_err();
        assert!(
            err.message()
                .contains("its creation failed and was rolled back"),
            "{err}"
        );
    }

    #[tokio::test]
    async fn failed_stacks_are_deleted_by_id_with_replace_on_failure() {
        for status in NOT_UPDATABLE {
            let delete = mock!(Client::delete_stack)
                .match_requests(|req| {
                    req.stack_name() == Some(STACK_ID)
                        && req.role_arn() == Some(ROLE_ARN)
                        && req.client_request_token() == Some(delete_token().as_str())
                })
                .then_output(|| DeleteStackOutput::builder().build());
            let (describe, events, create, update) = (
                describe_rule(status),
                foreign_events_rule(),
                ok_create(),
                ok_update(),
            );
            let cfn = client(&[&describe, &events, &delete, &create, &update]);
            let mut input = deploy_input();
            input.params.replace_on_failure = true;

            let progress = deploy(&cfn, &input, NOW).await.unwrap();

            assert_eq!(
                (progress.action, progress.next),
                (StackAction::Replace, Next::Wait),
                "{status}"
            );
            assert_eq!(progress.status.as_deref(), Some(*status));
            assert_eq!(progress.stack_id.as_deref(), Some(STACK_ID));
            assert_eq!(progress.client_request_token, Some(delete_token()));
            assert_eq!(
                (delete.num_calls(), create.num_calls(), update.num_calls()),
                (1, 0, 0),
                "{status}"
            );
        }
    }

    #[tokio::test]
    async fn a_refused_delete_is_not_updatable() {
        let (describe, events) = (describe_rule("ROLLBACK_COMPLETE"), foreign_events_rule());
        let delete = mock!(Client::delete_stack).then_error(|| {
            DeleteStackError::generic(service_error(
                "ValidationError",
                "Stack [app] cannot be deleted while TerminationProtection is enabled",
            ))
        });
        let cfn = client(&[&describe, &events, &delete]);
        let mut input = deploy_input();
        input.params.replace_on_failure = true;

        let err = deploy(&cfn, &input, NOW).await.unwrap_err();
        assert_eq!(err.name(), "StackNotUpdatable");
        assert!(err.message().contains("TerminationProtection"), "{err}");
    }

    const BUSY: &[&str] = &[
        "CREATE_IN_PROGRESS",
        "UPDATE_IN_PROGRESS",
        "UPDATE_COMPLETE_CLEANUP_IN_PROGRESS",
        "UPDATE_ROLLBACK_IN_PROGRESS",
        "UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS",
        "ROLLBACK_IN_PROGRESS",
        "DELETE_IN_PROGRESS",
        "IMPORT_IN_PROGRESS",
        "IMPORT_ROLLBACK_IN_PROGRESS",
    ];

    #[tokio::test]
    async fn a_busy_stack_is_waited_for_without_a_call() {
        for status in BUSY {
            let m = Mutations::new();
            let (describe, events) = (describe_rule(status), foreign_events_rule());
            let cfn = client(&[&describe, &events, &m.create, &m.update, &m.delete]);

            let progress = deploy(&cfn, &deploy_input(), NOW).await.unwrap();

            assert_eq!(
                (progress.action, progress.next),
                (StackAction::WaitForOther, Next::Wait),
                "{status}"
            );
            assert_eq!(progress.status.as_deref(), Some(*status));
            assert_eq!(progress.client_request_token, None);
            assert_eq!(m.counts(), (0, 0, 0), "{status}");
        }
    }

    #[tokio::test]
    async fn a_busy_stack_past_the_deadline_times_out() {
        let (describe, events) = (describe_rule("UPDATE_IN_PROGRESS"), foreign_events_rule());
        let cfn = client(&[&describe, &events]);
        let err = deploy(&cfn, &deploy_input(), DEADLINE + 1)
            .await
            .unwrap_err();
        assert_eq!(err.name(), "StackTimedOut");
        let message = err.message();
        assert!(
            message.starts_with(
                "stack app did not settle within timeoutMinutes (60 minutes): it is still in \
                 UPDATE_IN_PROGRESS. The operation in progress is not this deployment's \
                 (ClientRequestToken Console-UpdateStack-1234)"
            ),
            "{message}"
        );
        // At the deadline itself it still waits.
        assert!(deploy(&cfn, &deploy_input(), DEADLINE).await.is_ok());
    }

    #[tokio::test]
    async fn a_retried_step_watches_its_own_create_instead_of_waiting_for_another() {
        let m = Mutations::new();
        let describe = describe_rule("CREATE_IN_PROGRESS");
        let events = events_rule(vec![event(
            Some(&create_token()),
            STACK,
            "AWS::CloudFormation::Stack",
            ResourceStatus::CreateInProgress,
            "User Initiated",
        )]);
        let cfn = client(&[&describe, &events, &m.create, &m.update, &m.delete]);

        let progress = deploy(&cfn, &deploy_input(), NOW).await.unwrap();

        assert_eq!(
            (progress.action, progress.next),
            (StackAction::Create, Next::Wait)
        );
        assert_eq!(progress.client_request_token, Some(create_token()));
        assert_eq!(m.counts(), (0, 0, 0));
    }

    #[tokio::test]
    async fn a_retried_step_whose_create_failed_reports_it_rather_than_replacing_it() {
        // Our own create already rolled back: CheckStack reports its failure; deleting it and
        // creating again would hide the cause.
        let m = Mutations::new();
        let describe = describe_rule("ROLLBACK_COMPLETE");
        let events = events_rule(vec![event(
            Some(&create_token()),
            STACK,
            "AWS::CloudFormation::Stack",
            ResourceStatus::RollbackComplete,
            "",
        )]);
        let cfn = client(&[&describe, &events, &m.create, &m.update, &m.delete]);
        let mut input = deploy_input();
        input.params.replace_on_failure = true;

        let progress = deploy(&cfn, &input, NOW).await.unwrap();

        assert_eq!(
            (progress.action, progress.next),
            (StackAction::Create, Next::Wait)
        );
        assert_eq!(m.counts(), (0, 0, 0));
    }

    #[tokio::test]
    async fn a_retried_step_watches_its_own_update_and_delete() {
        for (status, token, action) in [
            ("UPDATE_IN_PROGRESS", update_token(), StackAction::Update),
            ("DELETE_IN_PROGRESS", delete_token(), StackAction::Replace),
        ] {
            let m = Mutations::new();
            let describe = describe_rule(status);
            let events = events_rule(vec![event(
                Some(&token),
                STACK,
                "AWS::CloudFormation::Stack",
                ResourceStatus::UpdateInProgress,
                "",
            )]);
            let cfn = client(&[&describe, &events, &m.create, &m.update, &m.delete]);
            let progress = deploy(&cfn, &deploy_input(), NOW).await.unwrap();
            assert_eq!(
                (progress.action, progress.next),
                (action, Next::Wait),
                "{status}"
            );
            assert_eq!(progress.client_request_token, Some(token));
            assert_eq!(m.counts(), (0, 0, 0), "{status}");
        }
    }

    #[tokio::test]
    async fn another_jobs_token_is_not_ours() {
        let describe = describe_rule("UPDATE_IN_PROGRESS");
        let events = events_rule(vec![event(
            Some("stackflow-update-another-job"),
            STACK,
            "AWS::CloudFormation::Stack",
            ResourceStatus::UpdateInProgress,
            "",
        )]);
        let cfn = client(&[&describe, &events]);
        let progress = deploy(&cfn, &deploy_input(), NOW).await.unwrap();
        assert_eq!(progress.action, StackAction::WaitForOther);
    }

    #[tokio::test]
    async fn a_create_that_finds_its_own_stack_after_a_lost_answer_is_started() {
        // The stack was absent, the create's answer got lost, and the retried CreateStack finds
        // the stack: its newest event carries our token.
        let absent = absent_rule();
        let create = mock!(Client::create_stack).then_error(|| {
            CreateStackError::AlreadyExistsException(AlreadyExistsException::builder().build())
        });
        let events = events_rule(vec![event(
            Some(&create_token()),
            STACK,
            "AWS::CloudFormation::Stack",
            ResourceStatus::CreateInProgress,
            "User Initiated",
        )]);
        let cfn = client(&[&absent, &create, &events]);

        let progress = deploy(&cfn, &deploy_input(), NOW).await.unwrap();

        assert_eq!(
            (progress.action, progress.next),
            (StackAction::Create, Next::Wait)
        );
        assert_eq!(progress.client_request_token, Some(create_token()));
    }

    #[tokio::test]
    async fn a_stack_someone_else_created_meanwhile_is_waited_for() {
        let absent = absent_rule();
        let create = mock!(Client::create_stack).then_error(|| {
            CreateStackError::AlreadyExistsException(AlreadyExistsException::builder().build())
        });
        let events = foreign_events_rule();
        let cfn = client(&[&absent, &create, &events]);

        let progress = deploy(&cfn, &deploy_input(), NOW).await.unwrap();

        assert_eq!(
            (progress.action, progress.next),
            (StackAction::WaitForOther, Next::Wait)
        );
    }

    #[tokio::test]
    async fn a_review_in_progress_stack_create_cannot_take_over_is_not_updatable() {
        let describe = describe_rule("REVIEW_IN_PROGRESS");
        let create = mock!(Client::create_stack).then_error(|| {
            CreateStackError::AlreadyExistsException(AlreadyExistsException::builder().build())
        });
        let events = events_rule(vec![]);
        let cfn = client(&[&describe, &create, &events]);

        let err = deploy(&cfn, &deploy_input(), NOW).await.unwrap_err();
        assert_eq!(err.name(), "StackNotUpdatable");
        assert!(err.message().contains("REVIEW_IN_PROGRESS"), "{err}");
    }

    #[tokio::test]
    async fn a_token_cloudformation_already_saw_means_started() {
        let absent = absent_rule();
        let create = mock!(Client::create_stack).then_error(|| {
            CreateStackError::TokenAlreadyExistsException(
                TokenAlreadyExistsException::builder().build(),
            )
        });
        let cfn = client(&[&absent, &create]);
        let progress = deploy(&cfn, &deploy_input(), NOW).await.unwrap();
        assert_eq!(
            (progress.action, progress.next),
            (StackAction::Create, Next::Wait)
        );

        let (describe, events) = (describe_rule("UPDATE_COMPLETE"), foreign_events_rule());
        let update = mock!(Client::update_stack).then_error(|| {
            UpdateStackError::TokenAlreadyExistsException(
                TokenAlreadyExistsException::builder().build(),
            )
        });
        let cfn = client(&[&describe, &events, &update]);
        let progress = deploy(&cfn, &deploy_input(), NOW).await.unwrap();
        assert_eq!(
            (progress.action, progress.next),
            (StackAction::Update, Next::Wait)
        );
    }

    #[tokio::test]
    async fn a_rejected_template_is_template_invalid_with_cloudformations_message() {
        let absent = absent_rule();
        let create = create_error(
            "ValidationError",
            "Template format error: Unresolved resource dependencies [Bucket]",
        );
        let cfn = client(&[&absent, &create]);
        let err = deploy(&cfn, &deploy_input(), NOW).await.unwrap_err();
        assert_eq!(
            err,
            Error::TemplateInvalid(
                "CloudFormation rejected the template for stack app: Template format error: \
                 Unresolved resource dependencies [Bucket]"
                    .into()
            )
        );

        let (describe, events) = (describe_rule("UPDATE_COMPLETE"), foreign_events_rule());
        let update = update_error(
            "ValidationError",
            "Parameters: [QueueName] must have values",
        );
        let cfn = client(&[&describe, &events, &update]);
        let err = deploy(&cfn, &deploy_input(), NOW).await.unwrap_err();
        assert_eq!(err.name(), "TemplateInvalid");
        assert!(
            err.message()
                .contains("Parameters: [QueueName] must have values"),
            "{err}"
        );
    }

    #[tokio::test]
    async fn insufficient_capabilities_says_which_to_add() {
        let absent = absent_rule();
        let create = mock!(Client::create_stack).then_error(|| {
            CreateStackError::InsufficientCapabilitiesException(
                InsufficientCapabilitiesException::builder()
                    .message("Requires capabilities : [CAPABILITY_NAMED_IAM]")
                    .build(),
            )
        });
        let cfn = client(&[&absent, &create]);
        let err = deploy(&cfn, &deploy_input(), NOW).await.unwrap_err();
        assert_eq!(err.name(), "TemplateInvalid");
        assert!(
            err.message()
                .contains("Add \"CAPABILITY_NAMED_IAM\" to \"capabilities\""),
            "{err}"
        );

        let (describe, events) = (describe_rule("UPDATE_COMPLETE"), foreign_events_rule());
        let update = mock!(Client::update_stack).then_error(|| {
            UpdateStackError::InsufficientCapabilitiesException(
                InsufficientCapabilitiesException::builder()
                    .message("Requires capabilities : [CAPABILITY_IAM]")
                    .build(),
            )
        });
        let cfn = client(&[&describe, &events, &update]);
        let err = deploy(&cfn, &deploy_input(), NOW).await.unwrap_err();
        assert!(err.message().contains("Add \"CAPABILITY_IAM\" to"), "{err}");
    }

    #[tokio::test]
    async fn an_update_that_races_another_operation_waits_for_it() {
        let (describe, events) = (describe_rule("UPDATE_COMPLETE"), foreign_events_rule());
        let update = update_error(
            "ValidationError",
            "Stack:arn:aws:cloudformation:eu-west-1:123456789012:stack/app/x is in UPDATE_IN_PROGRESS state and can not be updated.",
        );
        let cfn = client(&[&describe, &events, &update]);
        let progress = deploy(&cfn, &deploy_input(), NOW).await.unwrap();
        assert_eq!(
            (progress.action, progress.next),
            (StackAction::WaitForOther, Next::Wait)
        );
    }

    #[tokio::test]
    async fn access_denied_and_throttling_are_classified() {
        let absent = absent_rule();
        let create = create_error(
            "AccessDenied",
            "User is not authorized to perform cloudformation:CreateStack",
        );
        let cfn = client(&[&absent, &create]);
        assert_eq!(
            deploy(&cfn, &deploy_input(), NOW).await.unwrap_err().name(),
            "AccessDenied"
        );

        let absent = absent_rule();
        let create = create_error("Throttling", "Rate exceeded");
        let cfn = client(&[&absent, &create]);
        assert_eq!(
            deploy(&cfn, &deploy_input(), NOW).await.unwrap_err().name(),
            "Transient"
        );

        let (describe, events) = (describe_rule("UPDATE_COMPLETE"), foreign_events_rule());
        let update = update_error("Throttling", "Rate exceeded");
        let cfn = client(&[&describe, &events, &update]);
        assert_eq!(
            deploy(&cfn, &deploy_input(), NOW).await.unwrap_err().name(),
            "Transient"
        );
    }

    #[tokio::test]
    async fn a_throttled_describe_is_transient() {
        let m = Mutations::new();
        let describe = mock!(Client::describe_stacks).then_error(|| {
            DescribeStacksError::generic(service_error("Throttling", "Rate exceeded"))
        });
        let cfn = client(&[&describe, &m.create, &m.update, &m.delete]);
        let err = deploy(&cfn, &deploy_input(), NOW).await.unwrap_err();
        assert_eq!(err.name(), "Transient");
        assert_eq!(m.counts(), (0, 0, 0));
    }

    fn answering(hand_over_at: i64) -> Option<crate::contract::ReplyTo> {
        Some(crate::contract::ReplyTo {
            job_id: JOB.to_string(),
            hand_over_at,
        })
    }

    #[tokio::test]
    async fn a_started_operation_records_its_start_and_waits_poll_seconds() {
        let (absent, create) = (absent_rule(), ok_create());
        let cfn = client(&[&absent, &create]);
        let mut input = deploy_input();
        input.reply_to = answering(NOW + 900);

        let progress = deploy(&cfn, &input, NOW).await.unwrap();

        assert_eq!(progress.next, Next::Wait);
        assert_eq!(progress.started_at, Some(NOW));
        assert_eq!(progress.wait_seconds, input.params.poll_seconds);
    }

    #[tokio::test]
    async fn the_first_wait_ends_at_the_hand_over_time() {
        let (absent, create) = (absent_rule(), ok_create());
        let cfn = client(&[&absent, &create]);
        let mut input = deploy_input();
        input.reply_to = answering(NOW + 4);

        let progress = deploy(&cfn, &input, NOW).await.unwrap();

        assert_eq!((progress.next, progress.wait_seconds), (Next::Wait, 4));
    }

    #[tokio::test]
    async fn past_the_hand_over_time_an_operation_is_started_then_handed_over() {
        for (status, action) in [
            ("UPDATE_COMPLETE", StackAction::Update),
            ("UPDATE_IN_PROGRESS", StackAction::WaitForOther),
        ] {
            let m = Mutations::new();
            let (describe, events) = (describe_rule(status), foreign_events_rule());
            let cfn = client(&[&describe, &events, &m.create, &m.update, &m.delete]);
            let mut input = deploy_input();
            input.reply_to = answering(NOW);

            let progress = deploy(&cfn, &input, NOW).await.unwrap();

            assert_eq!((progress.action, progress.next), (action, Next::HandOver));
            assert_eq!(progress.wait_seconds, input.params.poll_seconds);
            assert_eq!(progress.started_at, Some(NOW));
        }
    }

    #[tokio::test]
    async fn nothing_to_do_succeeds_even_past_the_hand_over_time() {
        let (describe, events) = (describe_rule("UPDATE_COMPLETE"), foreign_events_rule());
        let update = update_error("ValidationError", "No updates are to be performed.");
        let cfn = client(&[&describe, &events, &update]);
        let mut input = deploy_input();
        input.reply_to = answering(NOW - 60);

        let progress = deploy(&cfn, &input, NOW).await.unwrap();

        assert_eq!(progress.next, Next::Succeed);
        assert_eq!(progress.started_at, None);
    }

    /// A stack's history: a create that completed (it was live), or one that never did.
    fn history(live: bool) -> Rule {
        let stack_kind = "AWS::CloudFormation::Stack";
        let mut events = vec![
            event(
                None,
                STACK,
                stack_kind,
                ResourceStatus::DeleteFailed,
                "Bucket not empty",
            ),
            event(
                None,
                STACK,
                stack_kind,
                ResourceStatus::DeleteInProgress,
                "User Initiated",
            ),
        ];
        if live {
            events.push(event(
                None,
                STACK,
                stack_kind,
                ResourceStatus::CreateComplete,
                "",
            ));
        } else {
            events.push(event(
                None,
                STACK,
                stack_kind,
                ResourceStatus::RollbackComplete,
                "",
            ));
            events.push(event(
                None,
                "Queue",
                "AWS::SQS::Queue",
                ResourceStatus::CreateFailed,
                "bad",
            ));
        }
        events.push(event(
            None,
            STACK,
            stack_kind,
            ResourceStatus::CreateInProgress,
            "User Initiated",
        ));
        events_rule(events)
    }

    #[tokio::test]
    async fn a_delete_failed_stack_that_never_finished_creating_is_replaced_when_asked() {
        let (describe, events, m) = (
            describe_rule("DELETE_FAILED"),
            history(false),
            Mutations::new(),
        );
        let cfn = client(&[&describe, &events, &m.create, &m.update, &m.delete]);
        let mut input = deploy_input();
        input.params.replace_on_failure = true;
        let progress = deploy(&cfn, &input, NOW).await.unwrap();
        assert_eq!(progress.action, StackAction::Replace);
        assert_eq!(m.counts(), (0, 0, 1));

        // Without replaceOnFailure it is refused, and says it may be replaced.
        let err = deploy(&cfn, &deploy_input(), NOW).await.unwrap_err();
        assert_eq!(err.name(), "StackNotUpdatable");
        assert!(err.message().contains("never finished creating"), "{err}");
        assert_eq!(m.counts(), (0, 0, 1));
    }

    #[tokio::test]
    async fn a_delete_failed_stack_that_was_live_is_never_deleted() {
        let (describe, events, m) = (
            describe_rule("DELETE_FAILED"),
            history(true),
            Mutations::new(),
        );
        let cfn = client(&[&describe, &events, &m.create, &m.update, &m.delete]);
        let mut input = deploy_input();
        input.params.replace_on_failure = true;
        let err = deploy(&cfn, &input, NOW).await.unwrap_err();
        assert_eq!(err.name(), "StackNotUpdatable");
        assert!(err.message().contains("had been live"), "{err}");
        assert!(
            err.message()
                .contains("never deletes a stack that was in service"),
            "{err}"
        );
        assert_eq!(m.counts(), (0, 0, 0));
    }

    #[tokio::test]
    async fn an_update_rollback_failed_stack_has_its_rollback_continued_never_deleted() {
        for replace_on_failure in [false, true] {
            let continued = mock!(Client::continue_update_rollback)
                .match_requests(|req| {
                    req.stack_name() == Some(STACK_ID)
                        && req.role_arn() == Some(ROLE_ARN)
                        && req.client_request_token()
                            == Some(format!("stackflow-rollback-{JOB}").as_str())
                })
                .then_output(|| {
                    aws_sdk_cloudformation::operation::continue_update_rollback::ContinueUpdateRollbackOutput::builder().build()
                });
            let (describe, events, m) = (
                describe_rule("UPDATE_ROLLBACK_FAILED"),
                foreign_events_rule(),
                Mutations::new(),
            );
            let cfn = client(&[
                &describe, &events, &continued, &m.create, &m.update, &m.delete,
            ]);
            let mut input = deploy_input();
            input.params.replace_on_failure = replace_on_failure;

            let progress = deploy(&cfn, &input, NOW).await.unwrap();

            assert_eq!(
                (progress.action, progress.next),
                (StackAction::ContinueRollback, Next::Wait)
            );
            assert_eq!(
                progress.client_request_token.as_deref(),
                Some(format!("stackflow-rollback-{JOB}").as_str())
            );
            assert_eq!(continued.num_calls(), 1);
            assert_eq!(m.counts(), (0, 0, 0));
        }
    }

    #[tokio::test]
    async fn once_the_continued_rollback_has_ended_the_stack_is_updated() {
        let ours = format!("stackflow-rollback-{JOB}");
        let stack_kind = "AWS::CloudFormation::Stack";
        let (describe, update) = (describe_rule("UPDATE_ROLLBACK_COMPLETE"), ok_update());
        let events = events_rule(vec![event(
            Some(ours.as_str()),
            STACK,
            stack_kind,
            ResourceStatus::UpdateRollbackComplete,
            "",
        )]);
        let cfn = client(&[&describe, &events, &update]);

        let progress = deploy(&cfn, &deploy_input(), NOW).await.unwrap();

        assert_eq!(
            (progress.action, progress.next),
            (StackAction::Update, Next::Wait)
        );
        assert_eq!(update.num_calls(), 1);

        // While it still runs, a retried step watches it instead.
        let (describe, update) = (describe_rule("UPDATE_ROLLBACK_IN_PROGRESS"), ok_update());
        let cfn = client(&[&describe, &events, &update]);
        let progress = deploy(&cfn, &deploy_input(), NOW).await.unwrap();
        assert_eq!(progress.action, StackAction::ContinueRollback);
        assert_eq!(update.num_calls(), 0);
    }

    #[tokio::test]
    async fn a_refused_continue_rollback_says_how_to_recover() {
        let refused = mock!(Client::continue_update_rollback).then_error(|| {
            aws_sdk_cloudformation::operation::continue_update_rollback::ContinueUpdateRollbackError::generic(
                service_error("ValidationError", "Resource Db cannot be rolled back"),
            )
        });
        let (describe, events) = (
            describe_rule("UPDATE_ROLLBACK_FAILED"),
            foreign_events_rule(),
        );
        let cfn = client(&[&describe, &events, &refused]);
        let err = deploy(&cfn, &deploy_input(), NOW).await.unwrap_err();
        assert_eq!(err.name(), "StackNotUpdatable");
        assert!(
            err.message().contains("Resource Db cannot be rolled back"),
            "{err}"
        );
        assert!(err.message().contains("--resources-to-skip"), "{err}");
    }

    #[tokio::test]
    async fn a_role_outside_the_allowed_list_is_never_passed() {
        let m = Mutations::new();
        let absent = describe_rule("DELETE_COMPLETE");
        let cfn = client(&[&absent, &m.create, &m.update, &m.delete]);
        let mut input = deploy_input();
        input.params.role_arn = Some("arn:aws:iam::123456789012:role/admin".to_string());
        let err = deploy(&cfn, &input, NOW).await.unwrap_err();
        assert_eq!(err.name(), "InvalidParameters");
        assert!(err.message().contains("CloudFormationRoleArn"), "{err}");
        assert_eq!(m.counts(), (0, 0, 0));
    }
}
