#![allow(clippy::unwrap_used)]

use super::*;

fn request(form: &str) -> StackRequest {
    StackRequest::from_form(form.as_bytes()).unwrap()
}

#[test]
fn a_retry_with_the_same_token_gets_the_first_answer() {
    let tokens = Tokens::default();
    let first = request("Action=CreateStack&StackName=s&ClientRequestToken=t1");
    assert_eq!(tokens.replay(&first), None);
    tokens.record(&first, "<first/>");
    tokens.record(&first, "<second/>");
    assert_eq!(tokens.replay(&first).as_deref(), Some("<first/>"));
}

#[test]
fn another_token_stack_or_action_is_another_request() {
    let tokens = Tokens::default();
    tokens.record(
        &request("Action=CreateStack&StackName=s&ClientRequestToken=t1"),
        "<a/>",
    );
    for other in [
        "Action=CreateStack&StackName=s&ClientRequestToken=t2",
        "Action=CreateStack&StackName=other&ClientRequestToken=t1",
        "Action=UpdateStack&StackName=s&ClientRequestToken=t1",
        "Action=CreateStack&StackName=s",
    ] {
        assert_eq!(tokens.replay(&request(other)), None, "{other}");
    }
}

#[test]
fn only_stack_operations_with_a_token_are_kept() {
    let tokens = Tokens::default();
    let describe = request("Action=DescribeStacks&StackName=s&ClientRequestToken=t1");
    tokens.record(&describe, "<a/>");
    assert_eq!(tokens.replay(&describe), None);
    let no_token = request("Action=DeleteStack&StackName=s");
    tokens.record(&no_token, "<a/>");
    assert_eq!(tokens.replay(&no_token), None);
}

#[test]
fn the_oldest_answers_go_first() {
    let tokens = Tokens::default();
    for n in 0..=MAX_KEPT {
        tokens.record(
            &request(&format!(
                "Action=DeleteStack&StackName=s&ClientRequestToken=t{n}"
            )),
            "<a/>",
        );
    }
    assert_eq!(
        tokens.replay(&request(
            "Action=DeleteStack&StackName=s&ClientRequestToken=t0"
        )),
        None
    );
    assert!(tokens
        .replay(&request(&format!(
            "Action=DeleteStack&StackName=s&ClientRequestToken=t{MAX_KEPT}"
        )))
        .is_some());
}
