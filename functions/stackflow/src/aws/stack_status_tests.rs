use super::*;
use StatusClass::*;

/// Every status the SDK knows, with its class. The test below fails when the SDK gains a
/// status, so each new one gets a deliberate decision.
const TABLE: &[(&str, StatusClass)] = &[
    ("CREATE_COMPLETE", Succeeded),
    ("CREATE_FAILED", NeverCreated),
    ("CREATE_IN_PROGRESS", InProgress),
    ("DELETE_COMPLETE", Deleted),
    ("DELETE_FAILED", DeleteFailed),
    ("DELETE_IN_PROGRESS", InProgress),
    ("IMPORT_COMPLETE", Succeeded),
    ("IMPORT_IN_PROGRESS", InProgress),
    ("IMPORT_ROLLBACK_COMPLETE", FailedUpdatable),
    ("IMPORT_ROLLBACK_FAILED", Stuck),
    ("IMPORT_ROLLBACK_IN_PROGRESS", InProgress),
    ("REVIEW_IN_PROGRESS", Review),
    ("ROLLBACK_COMPLETE", NeverCreated),
    ("ROLLBACK_FAILED", NeverCreated),
    ("ROLLBACK_IN_PROGRESS", InProgress),
    ("UPDATE_COMPLETE", Succeeded),
    ("UPDATE_COMPLETE_CLEANUP_IN_PROGRESS", InProgress),
    ("UPDATE_FAILED", FailedUpdatable),
    ("UPDATE_IN_PROGRESS", InProgress),
    ("UPDATE_ROLLBACK_COMPLETE", FailedUpdatable),
    ("UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS", InProgress),
    ("UPDATE_ROLLBACK_FAILED", RollbackFailed),
    ("UPDATE_ROLLBACK_IN_PROGRESS", InProgress),
];

#[test]
fn every_sdk_status_has_its_class() {
    let mut sdk: Vec<&str> = StackStatus::values().to_vec();
    sdk.sort_unstable();
    let mut table: Vec<&str> = TABLE.iter().map(|(status, _)| *status).collect();
    table.sort_unstable();
    assert_eq!(sdk, table, "the SDK's statuses and this table differ");
    for (status, class) in TABLE {
        assert_eq!(
            classify_status(&StackStatus::from(*status)),
            *class,
            "{status}"
        );
    }
}

#[test]
fn unknown_statuses_fall_back_to_their_suffix() {
    assert_eq!(
        classify_status(&StackStatus::from("MOVE_IN_PROGRESS")),
        InProgress
    );
    assert_eq!(classify_status(&StackStatus::from("MOVE_COMPLETE")), Stuck);
    assert_eq!(classify_status(&StackStatus::from("MOVE_FAILED")), Stuck);
}

#[test]
fn a_stack_without_a_status_is_treated_as_failed() {
    assert_eq!(
        classify_stack(&Stack::builder().stack_name("app").build()),
        Stuck
    );
    let stack = Stack::builder()
        .stack_status(StackStatus::UpdateComplete)
        .build();
    assert_eq!(classify_stack(&stack), Succeeded);
}

#[test]
fn deploy_moves_follow_the_brief() {
    let cases = [
        ("REVIEW_IN_PROGRESS", DeployMove::Create),
        ("DELETE_COMPLETE", DeployMove::Create),
        ("CREATE_COMPLETE", DeployMove::Update),
        ("UPDATE_COMPLETE", DeployMove::Update),
        ("UPDATE_ROLLBACK_COMPLETE", DeployMove::Update),
        ("IMPORT_COMPLETE", DeployMove::Update),
        ("IMPORT_ROLLBACK_COMPLETE", DeployMove::Update),
        ("ROLLBACK_COMPLETE", DeployMove::ReplaceOrRefuse),
        ("CREATE_FAILED", DeployMove::ReplaceOrRefuse),
        ("ROLLBACK_FAILED", DeployMove::ReplaceOrRefuse),
        // A live stack is never deleted: only one that never finished creating.
        ("DELETE_FAILED", DeployMove::ReplaceIfNeverLive),
        ("UPDATE_ROLLBACK_FAILED", DeployMove::ContinueRollback),
        ("IMPORT_ROLLBACK_FAILED", DeployMove::Refuse),
        ("CREATE_IN_PROGRESS", DeployMove::WaitForOther),
        (
            "UPDATE_COMPLETE_CLEANUP_IN_PROGRESS",
            DeployMove::WaitForOther,
        ),
        ("DELETE_IN_PROGRESS", DeployMove::WaitForOther),
    ];
    for (status, expected) in cases {
        assert_eq!(
            deploy_move(classify_status(&StackStatus::from(status))),
            expected,
            "{status}"
        );
    }
}

#[test]
fn in_progress_always_waits() {
    for action in [
        StackAction::Create,
        StackAction::Update,
        StackAction::Replace,
        StackAction::ContinueRollback,
        StackAction::WaitForOther,
        StackAction::NoChanges,
    ] {
        assert_eq!(
            check_verdict(action, Some(InProgress)),
            CheckVerdict::Wait,
            "{action:?}"
        );
    }
}

#[test]
fn waiting_for_another_operation_deploys_once_it_rests() {
    for class in [
        None,
        Some(Review),
        Some(Succeeded),
        Some(FailedUpdatable),
        Some(NeverCreated),
        Some(RollbackFailed),
        Some(Deleted),
    ] {
        assert_eq!(
            check_verdict(StackAction::WaitForOther, class),
            CheckVerdict::Deploy,
            "{class:?}"
        );
    }
}

#[test]
fn a_replace_deploys_once_the_stack_is_gone_and_fails_otherwise() {
    assert_eq!(
        check_verdict(StackAction::Replace, None),
        CheckVerdict::Deploy
    );
    assert_eq!(
        check_verdict(StackAction::Replace, Some(Deleted)),
        CheckVerdict::Deploy
    );
    assert_eq!(
        check_verdict(StackAction::Replace, Some(DeleteFailed)),
        CheckVerdict::Failed
    );
    assert_eq!(
        check_verdict(StackAction::Replace, Some(Succeeded)),
        CheckVerdict::Failed
    );
}

#[test]
fn our_create_or_update_succeeds_fails_or_vanishes() {
    for action in [StackAction::Create, StackAction::Update] {
        assert_eq!(
            check_verdict(action, Some(Succeeded)),
            CheckVerdict::Succeed
        );
        assert_eq!(
            check_verdict(action, Some(FailedUpdatable)),
            CheckVerdict::Failed
        );
        assert_eq!(
            check_verdict(action, Some(NeverCreated)),
            CheckVerdict::Failed
        );
        assert_eq!(check_verdict(action, Some(Review)), CheckVerdict::Failed);
        assert_eq!(check_verdict(action, Some(Deleted)), CheckVerdict::Vanished);
        assert_eq!(check_verdict(action, None), CheckVerdict::Vanished);
    }
}

#[test]
fn a_continued_rollback_deploys_once_the_stack_is_back_and_fails_otherwise() {
    let verdict = |class| check_verdict(StackAction::ContinueRollback, class);
    assert_eq!(verdict(Some(FailedUpdatable)), CheckVerdict::Deploy);
    assert_eq!(verdict(Some(RollbackFailed)), CheckVerdict::Failed);
    assert_eq!(verdict(None), CheckVerdict::Vanished);
}
