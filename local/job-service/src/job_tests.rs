use super::*;

fn spec() -> JobSpec {
    JobSpec {
        account_id: "123456789012".into(),
        pipeline_name: "pipe".into(),
        function_name: "entry".into(),
        user_parameters: Some("{}".into()),
        input_artifacts: vec![ArtifactRecord {
            name: "Src".into(),
            bucket: "b".into(),
            key: "pipe/Src/abc".into(),
            revision: Some("r".into()),
        }],
        output_artifacts: vec![],
        pipeline_execution_id: "exec".into(),
        action_execution_id: "action".into(),
    }
}

#[test]
fn a_new_job_is_in_progress_and_its_event_names_it() {
    let job = JobEntry::new(spec(), 5);
    assert_eq!(job.record.status, JobStatus::InProgress);
    assert_eq!(job.record.created_at, 5);
    assert_eq!(job.event["CodePipeline.job"]["id"], job.record.id.as_str());
    assert!(crate::validation::is_job_id(&job.record.id));
    assert!(job.data.continuation_token.is_none());
}

#[test]
fn a_continuation_is_a_new_job_of_the_same_action() {
    let first = JobEntry::new(spec(), 1);
    let next = first.continuation("token-1", 2);
    assert_ne!(next.record.id, first.record.id);
    assert_eq!(
        next.record.previous_job_id.as_deref(),
        Some(first.record.id.as_str())
    );
    assert_eq!(
        next.record.pipeline_execution_id,
        first.record.pipeline_execution_id
    );
    assert_eq!(next.record.input_artifacts, first.record.input_artifacts);
    assert_eq!(next.record.user_parameters, first.record.user_parameters);
    assert_eq!(
        next.event["CodePipeline.job"]["data"]["continuationToken"],
        "token-1"
    );
    assert_ne!(
        next.data.artifact_credentials.access_key_id,
        first.data.artifact_credentials.access_key_id
    );
}
