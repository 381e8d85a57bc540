//! Walks that end in a failure report: a configuration error, a rolled-back update, a stack
//! still busy at the deadline.

use super::*;

#[tokio::test]
async fn invalid_user_parameters_are_reported_as_a_configuration_error() {
    const INVALID_JOB: &str = "33333333-abcd-3333-abcd-333333abcdef";
    let now = clock::now_unix();
    let mut flow = started(INVALID_PARAMS_JOB_EVENT).await;
    validate(&mut flow, now).await;
    assert_eq!(flow.doc["error"]["Error"], "InvalidParameters");

    let message = "UserParameters: unknown key `template`; the accepted keys are: mode, stack, \
                   artifact, file, config, parameters, capabilities, roleArn, tags, \
                   replaceOnFailure, changeSetName, outputFile, pollSeconds, timeoutMinutes, \
                   rollbackAlarms, monitoringMinutes, terminationProtection, onFailure, \
                   notificationArns";
    report(
        &mut flow,
        &failure_reported(INVALID_JOB, FailureType::ConfigurationError, message.into()),
    )
    .await;

    assert_failed(
        &flow,
        &["Validate parameters", "Report failure", "Deployment failed"],
    );
}

#[tokio::test]
async fn a_missing_artifact_is_reported_as_a_configuration_error() {
    let now = clock::now_unix();
    let mut flow = started(JOB_EVENT).await;
    validate(&mut flow, now).await;
    let missing = mock!(aws_sdk_s3::Client::get_object)
        .then_error(|| GetObjectError::NoSuchKey(NoSuchKey::builder().build()));
    fetch_with(&mut flow, &missing).await;

    let message = format!(
        "artifact `SourceArtifact` is not in S3: s3://{ARTIFACT_BUCKET}/{ARTIFACT_KEY} (NoSuchKey)"
    );
    report(
        &mut flow,
        &failure_reported(JOB, FailureType::ConfigurationError, message),
    )
    .await;

    assert_failed(
        &flow,
        &[
            "Validate parameters",
            "Template to fetch?",
            "Fetch template",
            "Report failure",
            "Deployment failed",
        ],
    );
}

#[tokio::test]
async fn a_template_cloudformation_rejects_is_reported_as_a_configuration_error() {
    let now = clock::now_unix();
    let mut flow = started(JOB_EVENT).await;
    validate(&mut flow, now).await;
    fetch(&mut flow, &[("template.yaml", TEMPLATE)]).await;
    let rejected = mock!(aws_sdk_cloudformation::Client::create_stack).then_error(|| {
        CreateStackError::generic(aws::cfn_error(
            "ValidationError",
            "Template format error: Unresolved resource dependencies [Bucket] in the Resources block of the template",
        ))
    });
    deploy(&mut flow, now, &[&aws::no_stack(), &rejected]).await;

    let message = "CloudFormation rejected the template for stack my-stack: Template format \
                   error: Unresolved resource dependencies [Bucket] in the Resources block of \
                   the template";
    report(
        &mut flow,
        &failure_reported(JOB, FailureType::ConfigurationError, message.into()),
    )
    .await;

    assert_failed(&flow, FAILED_AT_DEPLOY);
}

#[tokio::test]
async fn a_rolled_back_update_is_reported_with_its_first_failed_resource() {
    let now = clock::now_unix();
    let mut flow = started(JOB_EVENT).await;
    validate(&mut flow, now).await;
    fetch(&mut flow, &[("template.yaml", TEMPLATE)]).await;

    let someone_elses = aws::events(vec![aws::event(
        "Console-UpdateStack-1",
        "my-stack",
        "AWS::CloudFormation::Stack",
        ResourceStatus::UpdateComplete,
        "",
    )]);
    let update = mock!(aws_sdk_cloudformation::Client::update_stack)
        .then_output(|| UpdateStackOutput::builder().stack_id(STACK_ID).build());
    deploy(
        &mut flow,
        now,
        &[
            &aws::described(&["UPDATE_COMPLETE"]),
            &someone_elses,
            &update,
        ],
    )
    .await;
    flow.choice();
    flow.wait();

    // Newest first: the rollback, then the cause, then what led to it.
    let ours = token_for(StackAction::Update, JOB).unwrap();
    let stack_kind = "AWS::CloudFormation::Stack";
    let our_events = aws::events(vec![
        aws::event(
            &ours,
            "my-stack",
            stack_kind,
            ResourceStatus::UpdateRollbackComplete,
            "",
        ),
        aws::event(
            &ours,
            "my-stack",
            stack_kind,
            ResourceStatus::UpdateRollbackInProgress,
            "The following resource(s) failed to update: [Queue].",
        ),
        aws::event(
            &ours,
            "Queue",
            "AWS::SQS::Queue",
            ResourceStatus::UpdateFailed,
            "Invalid value for MessageRetentionPeriod",
        ),
        aws::event(
            &ours,
            "my-stack",
            stack_kind,
            ResourceStatus::UpdateInProgress,
            "User Initiated",
        ),
    ]);
    check(
        &mut flow,
        now,
        &[&aws::described(&["UPDATE_ROLLBACK_COMPLETE"]), &our_events],
    )
    .await;

    let message = "UPDATE_ROLLBACK_COMPLETE: Queue (AWS::SQS::Queue) UPDATE_FAILED: Invalid \
                   value for MessageRetentionPeriod";
    report(
        &mut flow,
        &failure_reported(JOB, FailureType::JobFailed, message.into()),
    )
    .await;

    assert_failed(&flow, FAILED_AT_CHECK);
}

#[tokio::test]
async fn a_stack_still_busy_at_the_deadline_is_reported_as_timed_out() {
    let mut flow = creating().await;

    let past_the_deadline = flow.doc["params"]["deadline"].as_i64().unwrap() + 1;
    // Our create is still running one resource.
    let ours = format!("stackflow-create-{JOB}");
    let events = aws::events(vec![
        aws::event(
            &ours,
            "Db",
            "AWS::RDS::DBInstance",
            ResourceStatus::CreateInProgress,
            "",
        ),
        aws::event(
            &ours,
            "my-stack",
            "AWS::CloudFormation::Stack",
            ResourceStatus::CreateInProgress,
            "User Initiated",
        ),
    ]);
    check(
        &mut flow,
        past_the_deadline,
        &[&aws::described(&["CREATE_IN_PROGRESS"]), &events],
    )
    .await;

    let message = format!(
        "stack my-stack did not settle within timeoutMinutes (60 minutes): it is still in \
         CREATE_IN_PROGRESS. The operation in progress is this deployment's own \
         (ClientRequestToken {ours}). Still in progress: Db (AWS::RDS::DBInstance). \
         CloudFormation carries on with the operation; stackflow only stopped waiting for it. \
         Next: watch the stack in the CloudFormation console; once it has settled, run the \
         stage again (an unchanged template then succeeds with \"no changes\", a failed one \
         names its first failed resource). If this stack's operations take longer, raise \
         \"timeoutMinutes\" in the action's UserParameters."
    );
    report(
        &mut flow,
        &failure_reported(JOB, FailureType::JobFailed, message),
    )
    .await;

    assert_failed(&flow, FAILED_AT_CHECK);
}
