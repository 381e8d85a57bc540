#![allow(clippy::unwrap_used)]

use super::*;

fn document(text: &str) -> TemplateDocument {
    TemplateDocument::parse(text).unwrap()
}

const ROLE: &str = "Resources:\n  Role:\n    Type: AWS::IAM::Role\n    Properties:\n      AssumeRolePolicyDocument: {}\n";
const NAMED_ROLE: &str = "Resources:\n  Role:\n    Type: AWS::IAM::Role\n    Properties:\n      RoleName: !Sub '${AWS::StackName}-role'\n";
const QUEUE: &str = "Resources:\n  Queue:\n    Type: AWS::SQS::Queue\n";
const TRANSFORMED: &str =
    "Transform: AWS::Serverless-2016-10-31\nResources:\n  Queue:\n    Type: AWS::SQS::Queue\n";

#[test]
fn the_refusal_is_cloudformations() {
    assert_eq!(
        requires(IAM),
        Reply::Error {
            status: 400,
            code: "InsufficientCapabilitiesException".into(),
            message: "Requires capabilities : [CAPABILITY_IAM]".into(),
        }
    );
}

#[test]
fn an_iam_resource_needs_capability_iam_or_named_iam() {
    let role = document(ROLE);
    assert_eq!(check(&role, "CreateStack", &[]), Some(requires(IAM)));
    assert_eq!(
        check(&role, "UpdateStack", &[AUTO_EXPAND]),
        Some(requires(IAM))
    );
    assert_eq!(check(&role, "CreateStack", &[IAM]), None);
    assert_eq!(check(&role, "CreateStack", &[NAMED_IAM]), None);
    // A change set is refused too: it would create the resource when executed.
    assert_eq!(check(&role, "CreateChangeSet", &[]), Some(requires(IAM)));
}

#[test]
fn every_listed_iam_type_needs_it() {
    for (type_name, _) in IAM_TYPES {
        let text = format!("Resources:\n  R:\n    Type: {type_name}\n");
        assert_eq!(
            check(&document(&text), "CreateStack", &[]),
            Some(requires(IAM)),
            "{type_name}"
        );
    }
    // Not an IAM resource that needs an acknowledgement.
    let text = "Resources:\n  R:\n    Type: AWS::IAM::ServiceLinkedRole\n";
    assert_eq!(check(&document(text), "CreateStack", &[]), None);
}

#[test]
fn a_custom_name_needs_capability_named_iam() {
    let role = document(NAMED_ROLE);
    assert_eq!(check(&role, "CreateStack", &[]), Some(requires(NAMED_IAM)));
    assert_eq!(
        check(&role, "CreateStack", &[IAM]),
        Some(requires(NAMED_IAM))
    );
    assert_eq!(check(&role, "CreateStack", &[NAMED_IAM]), None);
    for (type_name, name) in IAM_TYPES.iter().filter_map(|(t, n)| Some((t, (*n)?))) {
        let text =
            format!("Resources:\n  R:\n    Type: {type_name}\n    Properties:\n      {name}: x\n");
        assert_eq!(
            check(&document(&text), "CreateStack", &[IAM]),
            Some(requires(NAMED_IAM)),
            "{type_name}"
        );
    }
}

#[test]
fn a_transform_needs_auto_expand_except_for_a_change_set() {
    let transformed = document(TRANSFORMED);
    assert_eq!(
        check(&transformed, "CreateStack", &[IAM]),
        Some(requires(AUTO_EXPAND))
    );
    assert_eq!(
        check(&transformed, "UpdateStack", &[]),
        Some(requires(AUTO_EXPAND))
    );
    assert_eq!(check(&transformed, "CreateStack", &[AUTO_EXPAND]), None);
    assert_eq!(check(&transformed, "CreateChangeSet", &[]), None);
    let included = "Resources:\n  Queue:\n    Type: AWS::SQS::Queue\n    Properties:\n      Fn::Transform:\n        Name: AWS::Include\n";
    assert_eq!(
        check(&document(included), "CreateStack", &[]),
        Some(requires(AUTO_EXPAND))
    );
}

#[test]
fn a_template_without_iam_or_macros_needs_nothing() {
    assert_eq!(check(&document(QUEUE), "CreateStack", &[]), None);
}
