#![allow(clippy::unwrap_used, clippy::panic)]

//! The layer's outcomes with moto out of reach (nothing listens on port 9): every call it
//! would make to moto fails, so a failed create is of a stack moto does not have.

use super::*;

const CRASHING: &str = "Resources:\n  Queue:\n    Type: AWS::SQS::Queue\n  Param:\n    Type: AWS::SSM::Parameter\n    Properties:\n      Type: String\n      Value: v\n";

const MOTO_500: &str =
    "<!doctype html>\n<html lang=en>\n<title>500 Internal Server Error</title>\n";

fn outcomes() -> Outcomes {
    Outcomes::new(TemplateReader {
        http: reqwest::Client::new(),
        s3_url: "http://127.0.0.1:9".to_string(),
    })
}

fn request(pairs: &[(&str, &str)]) -> StackRequest {
    StackRequest::from_form(form_body(pairs).as_bytes()).unwrap()
}

fn create(token: &str) -> StackRequest {
    request(&[
        ("Action", "CreateStack"),
        ("StackName", "s1"),
        ("TemplateBody", CRASHING),
        ("ClientRequestToken", token),
    ])
}

fn body(reply: Option<Reply>) -> String {
    match reply {
        Some(Reply::Body(xml)) => xml,
        other => panic!("expected a body, got {other:?}"),
    }
}

const NOT_THERE: &str = "<ErrorResponse xmlns=\"http://cloudformation.amazonaws.com/doc/2010-05-15/\"><Error><Type>Sender</Type><Code>ValidationError</Code><Message>Stack with id s1 does not exist</Message></Error><RequestId>r</RequestId></ErrorResponse>";

#[tokio::test]
async fn a_crashed_create_of_a_stack_moto_lacks_reads_rolled_back() {
    let outcomes = outcomes();
    assert_eq!(outcomes.before(&create("t1")).await, None);
    let answer = body(outcomes.after(&create("t1"), 500, MOTO_500).await);
    let id = element(&answer, "StackId").unwrap().to_string();
    assert!(answer.starts_with("<CreateStackResponse"));
    assert!(id.starts_with("arn:aws:cloudformation:us-east-1:123456789012:stack/s1/"));

    // The SDK's retry, with the same token: the first answer, moto not asked.
    assert_eq!(body(outcomes.before(&create("t1")).await), answer);

    for name in ["s1", id.as_str()] {
        let describe = request(&[("Action", "DescribeStacks"), ("StackName", name)]);
        let stacks = body(outcomes.after(&describe, 400, NOT_THERE).await);
        assert!(stacks.contains(&format!("<StackId>{id}</StackId>")));
        assert!(stacks.contains("<StackStatus>ROLLBACK_COMPLETE</StackStatus>"));
        assert!(stacks.contains("failed to create: [Param]. Rollback requested by user."));
    }
    let events = request(&[("Action", "DescribeStackEvents"), ("StackName", "s1")]);
    let events = body(outcomes.after(&events, 400, NOT_THERE).await);
    assert!(events.contains(
        "<LogicalResourceId>Param</LogicalResourceId><PhysicalResourceId></PhysicalResourceId><ResourceType>AWS::SSM::Parameter</ResourceType>"
    ));
    assert!(events.contains("<ResourceStatusReason>[local emulator] moto answered HTTP 500"));
    assert!(events.contains("<ClientRequestToken>t1</ClientRequestToken>"));
    let list = request(&[("Action", "ListStacks")]);
    let moto_list = response("ListStacks", "<StackSummaries/>");
    let list = body(outcomes.after(&list, 200, &moto_list).await);
    assert!(list.contains("<StackName>s1</StackName>"));
    let filtered = request(&[
        ("Action", "ListStacks"),
        ("StackStatusFilter.member.1", "CREATE_COMPLETE"),
    ]);
    let filtered = body(outcomes.after(&filtered, 200, &moto_list).await);
    assert!(!filtered.contains("<StackName>s1</StackName>"));
    let wanted = request(&[
        ("Action", "ListStacks"),
        ("StackStatusFilter.member.1", "CREATE_COMPLETE"),
        ("StackStatusFilter.member.2", "ROLLBACK_COMPLETE"),
    ]);
    assert!(
        body(outcomes.after(&wanted, 200, &moto_list).await).contains("<StackName>s1</StackName>")
    );

    // CloudFormation refuses to create or update over a rolled-back create.
    let again = outcomes.before(&create("t2")).await;
    assert!(
        matches!(again, Some(Reply::Error { ref code, .. }) if code == "AlreadyExistsException")
    );
    let update = request(&[("Action", "UpdateStack"), ("StackName", "s1")]);
    let refused = outcomes.before(&update).await;
    assert!(matches!(refused, Some(Reply::Error { ref message, .. })
        if message.ends_with("is in ROLLBACK_COMPLETE state and can not be updated.")));

    // The replace's delete, by id: answered here; then the stack is gone.
    let delete = request(&[
        ("Action", "DeleteStack"),
        ("StackName", &id),
        ("ClientRequestToken", "d1"),
    ]);
    let deleted = body(outcomes.before(&delete).await);
    assert!(deleted.starts_with("<DeleteStackResponse"));
    let describe = request(&[("Action", "DescribeStacks"), ("StackName", "s1")]);
    assert_eq!(outcomes.after(&describe, 400, NOT_THERE).await, None);
    assert_eq!(body(outcomes.before(&delete).await), deleted);
    assert_eq!(outcomes.before(&create("t3")).await, None);
}

#[tokio::test]
async fn cloudformations_own_errors_and_successes_pass() {
    let outcomes = outcomes();
    let exists = "<ErrorResponse><Error><Type>Sender</Type><Code>AlreadyExistsException</Code><Message>Stack s1 already exists</Message></Error></ErrorResponse>";
    assert_eq!(outcomes.after(&create("t1"), 400, exists).await, None);
    // Not recorded: a retry reaches moto again.
    assert_eq!(outcomes.before(&create("t1")).await, None);

    let ok = response("CreateStack", "<StackId>arn:x</StackId>");
    assert_eq!(outcomes.after(&create("t2"), 200, &ok).await, None);
    assert_eq!(body(outcomes.before(&create("t2")).await), ok);
}

#[tokio::test]
async fn a_create_moto_completes_ends_the_overlay() {
    let outcomes = outcomes();
    body(outcomes.after(&create("t1"), 500, MOTO_500).await);
    let ok = response("CreateStack", "<StackId>arn:x</StackId>");
    assert_eq!(outcomes.after(&create("t2"), 200, &ok).await, None);
    let describe = request(&[("Action", "DescribeStacks"), ("StackName", "s1")]);
    assert_eq!(outcomes.after(&describe, 400, NOT_THERE).await, None);
}

#[tokio::test]
async fn an_update_without_a_snapshot_keeps_motos_answer() {
    let outcomes = outcomes();
    let update = request(&[
        ("Action", "UpdateStack"),
        ("StackName", "gone"),
        ("TemplateBody", CRASHING),
    ]);
    assert_eq!(outcomes.before(&update).await, None);
    assert_eq!(outcomes.after(&update, 500, MOTO_500).await, None);
}

#[tokio::test]
async fn other_stacks_answers_are_untouched() {
    let outcomes = outcomes();
    body(outcomes.after(&create("t1"), 500, MOTO_500).await);
    let describe = request(&[("Action", "DescribeStacks"), ("StackName", "other")]);
    assert_eq!(outcomes.after(&describe, 400, NOT_THERE).await, None);
    let paged = request(&[
        ("Action", "DescribeStackEvents"),
        ("StackName", "s1"),
        ("NextToken", "n"),
    ]);
    assert_eq!(outcomes.after(&paged, 400, NOT_THERE).await, None);
}

#[test]
fn a_form_body_is_percent_encoded() {
    assert_eq!(
        form_body(&[("StackName", "arn:a/b c"), ("X", "1&2")]),
        "StackName=arn%3Aa%2Fb%20c&X=1%262"
    );
    assert_eq!(unescape("&lt;a&gt; &amp;amp; &#34;"), "<a> &amp; \"");
}
