#![allow(clippy::unwrap_used)]

use super::*;

fn progress(action: StackAction, status: &str, tally: Tally) -> StackProgress {
    StackProgress {
        stack_name: "app".into(),
        stack_id: None,
        action,
        next: Next::Succeed,
        status: Some(status.into()),
        client_request_token: None,
        outputs: Default::default(),
        started_at: None,
        wait_seconds: 0,
        change_set: None,
        tally,
    }
}

fn counted(done: u32, seconds: i64) -> Tally {
    Tally {
        resources_done: Some(done),
        planned: None,
        seconds: Some(seconds),
    }
}

#[test]
fn a_create_says_created_how_many_resources_and_how_long() {
    let done = progress(StackAction::Create, "CREATE_COMPLETE", counted(2, 65));
    assert_eq!(
        success_summary(&done),
        "Stack app: created (CREATE_COMPLETE), 2 resources in 1 min 5 s"
    );
}

#[test]
fn an_update_and_an_executed_change_set_say_updated() {
    for action in [StackAction::Update, StackAction::ExecuteChangeSet] {
        let done = progress(action, "UPDATE_COMPLETE", counted(1, 42));
        assert_eq!(
            success_summary(&done),
            "Stack app: updated (UPDATE_COMPLETE), 1 resource in 42 s"
        );
    }
}

#[test]
fn no_changes_deleted_and_nothing_to_delete_read_plainly() {
    let same = progress(StackAction::NoChanges, "UPDATE_COMPLETE", Tally::default());
    assert_eq!(success_summary(&same), "Stack app: no changes");
    let gone = progress(StackAction::Delete, "DELETE_COMPLETE", counted(3, 7300));
    assert_eq!(
        success_summary(&gone),
        "Stack app: deleted, 3 resources in 2 h 1 min"
    );
    let none = progress(StackAction::NothingToDelete, "", Tally::default());
    assert_eq!(
        success_summary(&none),
        "Stack app: nothing to delete; the stack does not exist"
    );
}

#[test]
fn what_is_not_known_is_left_out() {
    let done = progress(StackAction::Create, "CREATE_COMPLETE", Tally::default());
    assert_eq!(
        success_summary(&done),
        "Stack app: created (CREATE_COMPLETE)"
    );
}

#[test]
fn a_hand_over_says_the_status_and_the_resources_done() {
    let mut busy = progress(StackAction::Update, "UPDATE_IN_PROGRESS", counted(3, 0));
    busy.next = Next::HandOver;
    assert_eq!(
        in_progress_summary(Some(&busy)),
        "Stack app: UPDATE_IN_PROGRESS, 3 resources done so far; still deploying (continues \
         as a new job)"
    );
}

#[test]
fn percent_complete_needs_a_known_change_count_and_stays_under_100() {
    assert_eq!(percent_complete(&counted(3, 0)), None);
    let planned = |done, planned| Tally {
        resources_done: Some(done),
        planned: Some(planned),
        seconds: None,
    };
    assert_eq!(percent_complete(&planned(1, 4)), Some(25));
    assert_eq!(percent_complete(&planned(9, 4)), Some(99));
    assert_eq!(percent_complete(&planned(1, 0)), None);
}

#[test]
fn no_resource_counted_is_left_out_rather_than_said() {
    let done = progress(StackAction::Create, "CREATE_COMPLETE", counted(0, 3));
    assert_eq!(
        success_summary(&done),
        "Stack app: created (CREATE_COMPLETE) in 3 s"
    );
}
