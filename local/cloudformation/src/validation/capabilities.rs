//! The capabilities a template needs acknowledged: CAPABILITY_IAM (or CAPABILITY_NAMED_IAM) for
//! IAM resources, CAPABILITY_NAMED_IAM for IAM resources with custom names, and
//! CAPABILITY_AUTO_EXPAND for a template with macros (Transform).
//!
//! Only the template as written is judged: what a transform expands to (AWS::Serverless
//! resources become IAM roles) needs AWS to expand it, so it is not checked here.

use stackflow::template_document::TemplateDocument;

use crate::Reply;

/// The IAM resource types that need CAPABILITY_IAM or CAPABILITY_NAMED_IAM, with the property
/// that gives each a custom name (which needs CAPABILITY_NAMED_IAM), if it has one. The list is
/// CreateStack's, https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_CreateStack.html
/// (Capabilities); the name properties are the resource types' own (Template Reference).
const IAM_TYPES: &[(&str, Option<&str>)] = &[
    ("AWS::IAM::AccessKey", None),
    ("AWS::IAM::Group", Some("GroupName")),
    ("AWS::IAM::InstanceProfile", Some("InstanceProfileName")),
    ("AWS::IAM::ManagedPolicy", Some("ManagedPolicyName")),
    ("AWS::IAM::Policy", None),
    ("AWS::IAM::Role", Some("RoleName")),
    ("AWS::IAM::User", Some("UserName")),
    ("AWS::IAM::UserToGroupAddition", None),
];

pub const IAM: &str = "CAPABILITY_IAM";
pub const NAMED_IAM: &str = "CAPABILITY_NAMED_IAM";
pub const AUTO_EXPAND: &str = "CAPABILITY_AUTO_EXPAND";

/// CloudFormation's refusal when a capability the template needs was not acknowledged.
/// Code and wording from CloudFormation's answers quoted in
/// https://github.com/cloudtools/stacker/pull/731 ("Requires capabilities :
/// [CAPABILITY_AUTO_EXPAND]") and https://github.com/aws-solutions/aws-data-lake-solution/issues/29
/// ("Requires capabilities : [CAPABILITY_NAMED_IAM]").
pub fn requires(capability: &str) -> Reply {
    Reply::refused(
        "InsufficientCapabilitiesException",
        format!("Requires capabilities : [{capability}]"),
    )
}

/// The refusal for the first capability `document` needs that `granted` lacks; `action` is the
/// request's (CreateChangeSet needs no CAPABILITY_AUTO_EXPAND: a change set shows the expanded
/// template for review, as the CreateChangeSet API reference says of that capability).
pub fn check(document: &TemplateDocument, action: &str, granted: &[&str]) -> Option<Reply> {
    let has = |capability: &str| granted.contains(&capability);
    if action != "CreateChangeSet" && !document.transforms().is_empty() && !has(AUTO_EXPAND) {
        return Some(requires(AUTO_EXPAND));
    }
    let (iam, named) = iam_resources(document);
    if named && !has(NAMED_IAM) {
        Some(requires(NAMED_IAM))
    } else if iam && !has(IAM) && !has(NAMED_IAM) {
        Some(requires(IAM))
    } else {
        None
    }
}

/// Whether the template has IAM resources, and whether any of them has a custom name.
fn iam_resources(document: &TemplateDocument) -> (bool, bool) {
    let mut iam = false;
    let mut named = false;
    for resource in document.resources() {
        let Some(type_name) = resource.type_name else {
            continue;
        };
        let Some((_, name_property)) = IAM_TYPES.iter().find(|(known, _)| *known == type_name)
        else {
            continue;
        };
        iam = true;
        let properties = resource.declaration.get("Properties");
        named |= name_property
            .is_some_and(|name| properties.is_some_and(|props| props.get(name).is_some()));
    }
    (iam, named)
}

#[cfg(test)]
#[path = "capabilities_tests.rs"]
mod tests;
