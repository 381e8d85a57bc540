//! The `delete` mode in DeployStack: delete the stack with the service role, and succeed when
//! there is none.

use aws_sdk_cloudformation::operation::delete_stack::DeleteStackError;
use aws_sdk_cloudformation::types::Stack;
use aws_sdk_cloudformation::Client;
use tracing::info;

use super::started;
use crate::aws::client_token::token_for;
use crate::aws::error::{classify_sdk_error, code_and_message};
use crate::aws::stack_describe::status_text;
use crate::contract::{DeployInput, Next, StackAction, StackProgress};
use crate::error::Error;

/// No stack of that name: the delete has nothing to do, and succeeds.
pub(super) fn nothing_to_delete(input: &DeployInput) -> StackProgress {
    info!(stack = %input.params.stack, "the stack does not exist; nothing to delete");
    StackProgress {
        next: Next::Succeed,
        client_request_token: None,
        ..started(input, StackAction::NothingToDelete, None, None)
    }
}

/// How a person lets a protected stack go.
fn protected_message(name: &str, why: &str) -> String {
    format!(
        "stack {name} has termination protection on, so CloudFormation will not delete it \
         ({why}). If the stack is really to go, turn the protection off (`aws cloudformation \
         update-termination-protection --no-enable-termination-protection --stack-name \
         {name}`), then run the stage again."
    )
}

/// DeleteStack on the stack found (by its id: only that stack is deleted), with the service
/// role, which deletes the resources.
pub(super) async fn delete_stack(
    cfn: &Client,
    input: &DeployInput,
    stack: &Stack,
) -> Result<StackProgress, Error> {
    let name = input.params.stack.as_str();
    let status = status_text(stack);
    // DescribeStacks tells, and CloudFormation would refuse the call anyway; asking first
    // gives the reason even where the refusal's wording differs.
    if stack.enable_termination_protection() == Some(true) {
        return Err(Error::StackNotUpdatable(protected_message(
            name,
            "EnableTerminationProtection is true",
        )));
    }
    let result = cfn
        .delete_stack()
        .stack_name(stack.stack_id().unwrap_or(name))
        .set_role_arn(input.params.role_arn.clone())
        .set_client_request_token(token_for(StackAction::Delete, &input.job_id))
        .send()
        .await;
    let deleting = || {
        Ok(started(
            input,
            StackAction::Delete,
            stack.stack_id(),
            Some(&status),
        ))
    };
    match result {
        Ok(_) => {
            info!(stack = name, status = %status, "stack delete started");
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
                Some("ValidationError") if message.contains("TerminationProtection") => {
                    Err(Error::StackNotUpdatable(protected_message(name, &message)))
                }
                Some("ValidationError") => Err(Error::StackNotUpdatable(format!(
                    "stack {name} is in {status} and CloudFormation refused to delete it: {message}"
                ))),
                _ => Err(classify_sdk_error(
                    &format!("DeleteStack on stack {name}"),
                    &err,
                )),
            }
        }
    }
}
