#![allow(clippy::unwrap_used)]

use aws_sdk_cloudformation::operation::delete_change_set::{
    DeleteChangeSetError, DeleteChangeSetOutput,
};
use aws_sdk_cloudformation::operation::describe_change_set::DescribeChangeSetError;
use aws_sdk_cloudformation::types::{ChangeAction, Replacement};
use aws_smithy_mocks::mock;

use super::*;
use crate::aws::stack_fixtures::{client, queue_change as change, service_error};

#[test]
fn both_texts_of_an_empty_change_set_are_recognised_and_others_are_not() {
    assert!(is_empty_change_set(Some(
        "The submitted information didn't contain changes. Submit different information to \
         create a change set."
    )));
    assert!(is_empty_change_set(Some("No updates are to be performed.")));
    assert!(!is_empty_change_set(Some(
        "Template format error: Unresolved resource dependencies [Nope]"
    )));
    assert!(!is_empty_change_set(None));
}

#[tokio::test]
async fn a_missing_change_set_is_none_whichever_way_cloudformation_says_it() {
    for (code, message) in [
        ("ChangeSetNotFound", "ChangeSet [review] does not exist"),
        ("ValidationError", "Stack [app] does not exist"),
    ] {
        let rule = mock!(Client::describe_change_set)
            .then_error(move || DescribeChangeSetError::generic(service_error(code, message)));
        let cfn = client(&[&rule]);
        assert!(describe_change_set(&cfn, "app", "review", None)
            .await
            .unwrap()
            .is_none());
    }
}

#[tokio::test]
async fn another_describe_error_is_classified_not_swallowed() {
    let rule = mock!(Client::describe_change_set).then_error(|| {
        DescribeChangeSetError::generic(service_error("AccessDenied", "not allowed"))
    });
    let err = describe_change_set(&client(&[&rule]), "app", "review", None)
        .await
        .unwrap_err();
    assert_eq!(err.name(), "AccessDenied");
}

#[tokio::test]
async fn deleting_a_change_set_already_gone_is_fine() {
    let gone = mock!(Client::delete_change_set)
        .then_error(|| DeleteChangeSetError::generic(service_error("ChangeSetNotFound", "gone")));
    delete_change_set(&client(&[&gone]), "app", "review")
        .await
        .unwrap();
    let deleted = mock!(Client::delete_change_set)
        .match_requests(|req| {
            req.change_set_name() == Some("arn:cs") && req.stack_name() == Some("app")
        })
        .then_output(|| DeleteChangeSetOutput::builder().build());
    delete_change_set(&client(&[&deleted]), "app", "arn:cs")
        .await
        .unwrap();
    assert_eq!(deleted.num_calls(), 1);
}

#[tokio::test]
async fn every_page_of_changes_is_counted() {
    let second = mock!(Client::describe_change_set)
        .match_requests(|req| req.next_token() == Some("page-2"))
        .then_output(|| {
            DescribeChangeSetOutput::builder()
                .change_set_id("arn:cs")
                .changes(change(ChangeAction::Remove, "Old", None))
                .build()
        });
    let cfn = client(&[&second]);
    let first = DescribeChangeSetOutput::builder()
        .change_set_id("arn:cs")
        .changes(change(ChangeAction::Add, "New", None))
        .changes(change(
            ChangeAction::Modify,
            "Bucket",
            Some(Replacement::True),
        ))
        .next_token("page-2")
        .build();
    let report = count_changes(
        &cfn,
        "app",
        first,
        ChangeSetReport::new("arn:cs", "review", "UPDATE"),
    )
    .await
    .unwrap();
    assert_eq!(
        report.counts_text(),
        "1 to add, 1 to modify (1 replacement), 1 to remove"
    );
    assert_eq!(second.num_calls(), 1);
}
