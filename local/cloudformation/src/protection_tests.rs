#![allow(clippy::unwrap_used, clippy::panic)]

use super::*;

const ID: &str = "arn:aws:cloudformation:us-east-1:123456789012:stack/s1/b70b542d";

/// moto's DescribeStacks answer: a stack created unprotected, and another stack.
const MOTO_DESCRIBE: &str = "<DescribeStacksResponse><DescribeStacksResult><Stacks><member>\
<StackId>arn:aws:cloudformation:us-east-1:123456789012:stack/s1/b70b542d</StackId>\
<StackName>s1</StackName><Parameters><member><ParameterKey>Env</ParameterKey></member>\
</Parameters><StackStatus>CREATE_COMPLETE</StackStatus>\
<EnableTerminationProtection>false</EnableTerminationProtection></member><member>\
<StackId>other</StackId><StackName>other</StackName>\
<EnableTerminationProtection>false</EnableTerminationProtection></member></Stacks>\
</DescribeStacksResult></DescribeStacksResponse>";

fn request(form: &str) -> StackRequest {
    StackRequest::from_form(form.as_bytes()).unwrap()
}

fn set_protection(stack: &str, on: bool) -> StackRequest {
    request(&format!(
        "Action=UpdateTerminationProtection&StackName={}&EnableTerminationProtection={on}",
        stack.replace(':', "%3A").replace('/', "%2F")
    ))
}

fn describe() -> StackRequest {
    request("Action=DescribeStacks&StackName=s1")
}

#[test]
fn update_termination_protection_is_answered_and_shown_on_its_stack_only() {
    let protection = Protection::default();
    assert_eq!(protection.shown(&describe(), MOTO_DESCRIBE), None);

    let Some(Reply::Body(answer)) = protection.before(&set_protection(ID, true)) else {
        panic!("not answered");
    };
    assert!(
        answer.contains("<UpdateTerminationProtectionResult>"),
        "{answer}"
    );
    assert!(
        answer.contains(&format!("<StackId>{ID}</StackId>")),
        "{answer}"
    );

    let shown = protection.shown(&describe(), MOTO_DESCRIBE).unwrap();
    assert!(shown.contains(
        "<StackName>s1</StackName><Parameters><member><ParameterKey>Env</ParameterKey></member>\
         </Parameters><StackStatus>CREATE_COMPLETE</StackStatus>\
         <EnableTerminationProtection>true</EnableTerminationProtection>"
    ));
    assert!(shown.contains(
        "<StackName>other</StackName><EnableTerminationProtection>false</EnableTerminationProtection>"
    ));

    // Switched off again: shown off.
    protection.before(&set_protection(ID, false)).unwrap();
    let shown = protection.shown(&describe(), MOTO_DESCRIBE);
    assert!(shown.is_none_or(|body| !body.contains(">true<")));
}

#[test]
fn a_protected_stack_is_not_deleted_and_an_unprotected_one_forgets_its_setting() {
    let protection = Protection::default();
    protection.before(&set_protection("s1", true)).unwrap();
    let refused = protection.before(&request("Action=DeleteStack&StackName=s1"));
    assert_eq!(
        refused.unwrap().validation_message(),
        "Stack [s1] cannot be deleted while TerminationProtection is enabled"
    );

    protection.before(&set_protection("s1", false)).unwrap();
    assert_eq!(
        protection.before(&request("Action=DeleteStack&StackName=s1")),
        None
    );
    assert_eq!(protection.shown(&describe(), MOTO_DESCRIBE), None);
}

#[test]
fn other_requests_pass_to_moto() {
    let protection = Protection::default();
    assert_eq!(protection.before(&describe()), None);
    assert_eq!(
        protection.before(&request("Action=UpdateStack&StackName=s1")),
        None
    );
}
