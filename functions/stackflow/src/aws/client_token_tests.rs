use super::*;

const JOB: &str = "11111111-2222-3333-4444-555555555555";

#[test]
fn tokens_name_the_operation_and_the_job() {
    assert_eq!(
        token_for(StackAction::Create, JOB).as_deref(),
        Some("stackflow-create-11111111-2222-3333-4444-555555555555")
    );
    assert_eq!(
        token_for(StackAction::Update, JOB).as_deref(),
        Some("stackflow-update-11111111-2222-3333-4444-555555555555")
    );
    assert_eq!(
        token_for(StackAction::Replace, JOB).as_deref(),
        Some("stackflow-delete-11111111-2222-3333-4444-555555555555")
    );
    assert_eq!(token_for(StackAction::WaitForOther, JOB), None);
    assert_eq!(token_for(StackAction::NoChanges, JOB), None);
}

#[test]
fn tokens_follow_cloudformation_rules() {
    let job = format!("job_id/with spaces.{}", "x".repeat(200));
    let token = token_for(StackAction::Update, &job).unwrap_or_default();
    assert_eq!(token.len(), MAX_TOKEN_LEN);
    assert!(token.starts_with("stackflow-update-job-id-with-spaces-x"));
    assert!(token.chars().all(|c| c.is_ascii_alphanumeric() || c == '-'));
}

#[test]
fn a_token_is_traced_back_to_its_action_for_this_job_only() {
    let token = token_for(StackAction::Replace, JOB).unwrap_or_default();
    assert_eq!(action_of_token(&token, JOB), Some(StackAction::Replace));
    assert_eq!(action_of_token(&token, "another-job"), None);
    assert_eq!(action_of_token("Console-CreateStack-abc", JOB), None);
}
