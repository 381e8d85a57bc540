//! The `delete` mode in DeployStack: delete the stack with the service role, and succeed when
//! there is none.

use aws_sdk_cloudformation::types::Stack;
use aws_sdk_cloudformation::Client;
use tracing::info;

use super::started;
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
pub(super) fn protected_message(name: &str, why: &str) -> String {
    format!(
        "stack {name} has termination protection on, so CloudFormation will not delete it \
         ({why}). If the stack is really to go, turn the protection off (`aws cloudformation \
         update-termination-protection --no-enable-termination-protection --stack-name \
         {name}`), then run the stage again."
    )
}

/// Delete the stack found, unless it is protected: DescribeStacks tells, and CloudFormation
/// would refuse the call anyway; asking first gives the reason whatever the refusal's wording.
pub(super) async fn delete_stack(
    cfn: &Client,
    input: &DeployInput,
    stack: &Stack,
) -> Result<StackProgress, Error> {
    if stack.enable_termination_protection() == Some(true) {
        return Err(Error::StackNotUpdatable(protected_message(
            &input.params.stack,
            "EnableTerminationProtection is true",
        )));
    }
    super::delete(cfn, input, stack, StackAction::Delete).await
}
