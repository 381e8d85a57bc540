#![allow(clippy::unwrap_used, clippy::expect_used)]

use super::*;
use crate::job::JobSpec;

fn job() -> JobEntry {
    JobEntry::new(
        JobSpec {
            account_id: "123456789012".into(),
            pipeline_name: "pipe".into(),
            function_name: "entry".into(),
            user_parameters: None,
            input_artifacts: vec![],
            output_artifacts: vec![],
            pipeline_execution_id: "exec".into(),
            action_execution_id: "action".into(),
        },
        1,
    )
}

fn store_with_job() -> (Store, String) {
    let store = Store::open(None).unwrap();
    let entry = job();
    let id = entry.record.id.clone();
    store.insert(entry);
    (store, id)
}

fn failure() -> FailureDetails {
    FailureDetails {
        failure_type: "JobFailed".into(),
        message: "boom".into(),
        external_execution_id: None,
    }
}

#[test]
fn success_closes_the_job_with_its_output_variables() {
    let (store, id) = store_with_job();
    let mut report = SuccessReport::default();
    report
        .output_variables
        .insert("StackId".into(), "arn".into());
    assert!(store.succeed(&id, report, 9).unwrap().is_none());
    let record = store.get(&id).unwrap().record;
    assert_eq!(record.status, JobStatus::Succeeded);
    assert_eq!(record.closed_by, Some(ClosedBy::Success));
    assert_eq!(record.closed_at, Some(9));
    assert_eq!(record.output_variables.unwrap()["StackId"], "arn");
}

#[test]
fn a_second_report_is_refused_and_counted() {
    let (store, id) = store_with_job();
    store.succeed(&id, SuccessReport::default(), 2).unwrap();
    let second = store.fail(&id, failure(), 3);
    assert!(matches!(second, Err(JobServiceError::InvalidJobState(_))));
    let third = store.succeed(&id, SuccessReport::default(), 4);
    assert!(matches!(third, Err(JobServiceError::InvalidJobState(_))));
    let record = store.get(&id).unwrap().record;
    assert_eq!(record.reports_after_close, 2);
    assert_eq!(record.closed_by, Some(ClosedBy::Success));
}

#[test]
fn unknown_jobs_are_not_found() {
    let store = Store::open(None).unwrap();
    let missing = "00000000-0000-4000-8000-000000000000";
    assert!(matches!(
        store.fail(missing, failure(), 1),
        Err(JobServiceError::JobNotFound(_))
    ));
    assert!(matches!(
        store.acknowledge(missing),
        Err(JobServiceError::JobNotFound(_))
    ));
}

#[test]
fn a_continuation_links_the_old_and_new_jobs() {
    let (store, id) = store_with_job();
    let report = SuccessReport {
        continuation_token: Some("tok".into()),
        ..SuccessReport::default()
    };
    let next = store.succeed(&id, report, 2).unwrap().unwrap();
    let old = store.get(&id).unwrap().record;
    assert_eq!(old.closed_by, Some(ClosedBy::ContinuationToken));
    assert_eq!(old.continuation_token.as_deref(), Some("tok"));
    assert_eq!(old.next_job_id.as_deref(), Some(next.record.id.as_str()));
    let stored_next = store.get(&next.record.id).unwrap().record;
    assert_eq!(stored_next.status, JobStatus::InProgress);
    assert_eq!(stored_next.input_continuation_token.as_deref(), Some("tok"));
}

#[test]
fn a_timeout_fails_only_an_open_job() {
    let (store, id) = store_with_job();
    assert!(store.fail_unanswered(&id, ClosedBy::Timeout, "late".into(), 5));
    assert!(!store.fail_unanswered(&id, ClosedBy::Timeout, "again".into(), 6));
    let record = store.get(&id).unwrap().record;
    assert_eq!(record.status, JobStatus::Failed);
    assert_eq!(record.closed_by, Some(ClosedBy::Timeout));
    assert_eq!(record.failure_details.unwrap().message, "late");
    assert_eq!(store.acknowledge(&id).unwrap(), "TimedOut");
}

#[test]
fn a_finished_job_is_not_timed_out() {
    let (store, id) = store_with_job();
    store.fail(&id, failure(), 2).unwrap();
    assert!(!store.fail_unanswered(&id, ClosedBy::Timeout, "late".into(), 5));
    assert_eq!(
        store.get(&id).unwrap().record.closed_by,
        Some(ClosedBy::Failure)
    );
}

#[test]
fn a_stopped_job_refuses_every_later_result() {
    let (store, id) = store_with_job();
    let record = store.stop(&id, 3).unwrap();
    assert_eq!(record.status, JobStatus::Failed);
    assert_eq!(record.closed_by, Some(ClosedBy::Stopped));
    assert!(record.is_final());
    let report = SuccessReport {
        continuation_token: Some("tok".into()),
        ..SuccessReport::default()
    };
    assert!(matches!(
        store.succeed(&id, report, 4),
        Err(JobServiceError::InvalidJobState(_))
    ));
    assert!(matches!(
        store.stop(&id, 5),
        Err(JobServiceError::InvalidJobState(_))
    ));
    assert_eq!(store.get(&id).unwrap().record.reports_after_close, 2);
}

#[test]
fn acknowledge_reports_the_status() {
    let (store, id) = store_with_job();
    assert_eq!(store.acknowledge(&id).unwrap(), "InProgress");
    assert!(store.get(&id).unwrap().record.acknowledged);
}

#[test]
fn the_state_file_survives_a_restart() {
    let dir = std::env::temp_dir().join(format!("job-store-{}", uuid::Uuid::new_v4()));
    let path = dir.join("jobs.json");
    let store = Store::open(Some(path.clone())).unwrap();
    let entry = job();
    let id = entry.record.id.clone();
    store.insert(entry.clone());
    store.fail(&id, failure(), 7).unwrap();

    let reopened = Store::open(Some(path)).unwrap();
    let restored = reopened.get(&id).unwrap();
    assert_eq!(restored.record.closed_by, Some(ClosedBy::Failure));
    assert_eq!(restored.event, entry.event);
    assert!(reopened.open_jobs().is_empty());
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn a_corrupt_state_file_is_an_error() {
    let path = std::env::temp_dir().join(format!("job-store-{}.json", uuid::Uuid::new_v4()));
    std::fs::write(&path, "{not json").unwrap();
    let result = Store::open(Some(path.clone()));
    assert!(matches!(result, Err(JobServiceError::StateFile { .. })));
    std::fs::remove_file(path).unwrap();
}
