//! CloudFormation's validation of a CreateStack, UpdateStack or CreateChangeSet before any
//! work starts, which moto does not do: the template must parse and define resources, the
//! parameters must be declared, given and within their constraints, and the capabilities the
//! template needs must be acknowledged. A request that fails is answered as CloudFormation
//! answers it (its error code and message), so a local run fails where a deployment on AWS would.
//!
//! Not checked: anything that needs AWS itself (the AWS-specific parameter types, SSM parameter
//! values, what a macro or transform expands to), the template's intrinsic functions and
//! references, and resource properties.

mod capabilities;
mod parameters;
mod template;

use tracing::warn;

use crate::request::{StackRequest, TemplateReader};
use crate::Reply;

/// CloudFormation's answer when TemplateURL cannot be read; it says no more than this.
/// Wording from CloudFormation's answers quoted in
/// https://github.com/kubernetes-retired/kube-aws/issues/143.
pub const UNREADABLE_TEMPLATE_URL: &str =
    "TemplateURL must reference a valid S3 object to which you have access.";

/// `Some` refusal when CloudFormation would refuse `request`; `None` lets it through (to moto).
pub async fn check(templates: &TemplateReader, request: &StackRequest) -> Option<Reply> {
    if !request.carries_template() {
        return None;
    }
    match templates.text(request).await {
        Ok(Some(text)) => check_text(request, &text),
        // UsePreviousTemplate: stackflow always sends a TemplateURL, so the previous template
        // is not fetched from moto to be checked again; moto takes the request as it is.
        Ok(None) => None,
        Err(reason) => {
            warn!(%reason, "the template behind TemplateURL could not be read");
            Some(Reply::refused("ValidationError", UNREADABLE_TEMPLATE_URL))
        }
    }
}

/// The checks on a request whose template is `text`, in the order CloudFormation reports them:
/// the template's format, then the parameters, then the capabilities (the order of the last
/// two is inferred: CloudFormation documents none).
pub fn check_text(request: &StackRequest, text: &str) -> Option<Reply> {
    let document = match template::read(text) {
        Ok(document) => document,
        Err(refusal) => return Some(refusal),
    };
    parameters::check(&document, &request.parameters())
        .or_else(|| capabilities::check(&document, &request.action, &request.capabilities()))
}

#[cfg(test)]
#[path = "validation_tests.rs"]
mod tests;
