//! A walk that outlives one job: the hand-over to the next job, and the report on it.

use super::*;

#[tokio::test]
async fn a_long_deployment_is_handed_over_to_a_continuation_job_and_reported_on_it() {
    const NEXT_JOB: &str = "44444444-abcd-4444-abcd-444444abcdef";
    let mut flow = creating().await;

    // The job's reply deadline comes while the stack is still being created.
    let hand_over_at = flow.doc["replyTo"]["handOverAt"].as_i64().unwrap();
    let describe = aws::described(&["CREATE_IN_PROGRESS", "CREATE_COMPLETE"]);
    check(&mut flow, hand_over_at, &[&describe]).await;
    flow.choice();

    // report-result replies "in progress"; CodePipeline's continuation job brings the token back.
    let continuation: serde_json::Value = serde_json::from_str(CONTINUATION_JOB_EVENT).unwrap();
    let token = continuation["CodePipeline.job"]["data"]["continuationToken"]
        .as_str()
        .unwrap()
        .to_string();
    let in_progress = mock!(aws_sdk_codepipeline::Client::put_job_success_result)
        .match_requests(move |req| {
            req.job_id() == Some(JOB)
                && req.continuation_token() == Some(token.as_str())
                && req.output_variables().is_none()
        })
        .then_output(|| PutJobSuccessResultOutput::builder().build());
    report(&mut flow, &in_progress).await;
    resumed(&mut flow, CONTINUATION_JOB_EVENT).await;
    assert_eq!(flow.doc["replyTo"]["jobId"], NEXT_JOB);

    flow.wait();
    check(&mut flow, hand_over_at, &[&describe]).await;
    flow.choice();
    let success = mock!(aws_sdk_codepipeline::Client::put_job_success_result)
        .match_requests(|req| {
            req.job_id() == Some(NEXT_JOB)
                && req.continuation_token().is_none()
                && req.output_variables().is_some_and(|v| v.len() == 2)
        })
        .then_output(|| PutJobSuccessResultOutput::builder().build());
    report(&mut flow, &success).await;

    assert_eq!(
        flow.visited,
        [
            "Validate parameters",
            "Template to fetch?",
            "Fetch template",
            "Deploy stack",
            "Stack operation started?",
            "Wait for stack",
            "Check stack",
            "Stack settled?",
            "Hand over to the next job",
            "Wait for stack",
            "Check stack",
            "Stack settled?",
            "Report success",
            "Deployed",
        ]
    );
    assert_eq!(flow.end(), "Succeed");
    // Everything the deployment does is still named after the job that started it.
    assert_eq!(flow.doc["jobId"], JOB);
}
