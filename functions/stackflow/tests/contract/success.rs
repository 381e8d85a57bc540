//! Walks that end in success: a new stack, and one that already matches.

use super::*;

#[tokio::test]
async fn a_new_stack_is_created_polled_and_reported_with_its_outputs() {
    const FULL_JOB: &str = "22222222-abcd-2222-abcd-222222abcdef";
    let now = clock::now_unix();
    let mut flow = started(FULL_JOB_EVENT).await;

    validate(&mut flow, now).await;
    assert_eq!(flow.doc["params"]["deadline"], now + 30 * 60);

    let configuration = r#"{"Parameters":{"Env":"staging","Size":"2"},"Tags":{"cost":"a"}}"#;
    fetch(
        &mut flow,
        &[
            ("infra/template.yaml", TEMPLATE),
            ("infra/prod.json", configuration),
        ],
    )
    .await;

    // What UserParameters and the configuration file say reaches CreateStack.
    let template_url = format!(
        "https://{STAGING_BUCKET}.s3.us-east-1.amazonaws.com/stackflow/{FULL_JOB}/template.yaml"
    );
    let create = mock!(aws_sdk_cloudformation::Client::create_stack)
        .match_requests(move |req| {
            let parameters: Vec<_> = req
                .parameters()
                .iter()
                .map(|p| (p.parameter_key().unwrap(), p.parameter_value().unwrap()))
                .collect();
            let tags: Vec<_> = req
                .tags()
                .iter()
                .map(|t| (t.key().unwrap(), t.value().unwrap()))
                .collect();
            req.stack_name() == Some("my-stack")
                && req.template_url() == Some(template_url.as_str())
                && parameters == [("Env", "prod"), ("Size", "2")]
                && req
                    .capabilities()
                    .iter()
                    .map(|c| c.as_str())
                    .eq(["CAPABILITY_IAM"])
                && tags == [("cost", "a"), ("team", "payments")]
                && req.client_request_token() == token_for(StackAction::Create, FULL_JOB).as_deref()
        })
        .then_output(|| CreateStackOutput::builder().stack_id(STACK_ID).build());
    deploy(&mut flow, now, &[&aws::no_stack(), &create]).await;
    assert_eq!(create.num_calls(), 1);

    flow.choice();
    assert_eq!(flow.wait(), 10);
    let describe = aws::described(&["CREATE_IN_PROGRESS", "CREATE_COMPLETE"]);
    check(&mut flow, now, &[&describe]).await;
    flow.choice();
    assert_eq!(flow.wait(), 10);
    check(&mut flow, now, &[&describe]).await;
    flow.choice();

    let success = mock!(aws_sdk_codepipeline::Client::put_job_success_result)
        .match_requests(|req| {
            let details = req.execution_details().unwrap();
            let variables = req.output_variables().unwrap();
            req.job_id() == Some(FULL_JOB)
                && details.summary() == Some("Stack my-stack: created (CREATE_COMPLETE) in 0 s")
                && details
                    .external_execution_id()
                    .is_some_and(|id| id.ends_with(FULL_JOB))
                && variables.len() == 2
                && variables["QueueUrl"]
                    == "https://sqs.us-east-1.amazonaws.com/111111111111/orders"
                && variables["QueueArn"] == "arn:aws:sqs:us-east-1:111111111111:orders"
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
            "Wait for stack",
            "Check stack",
            "Stack settled?",
            "Report success",
            "Deployed",
        ]
    );
    assert_eq!(flow.end(), "Succeed");
    assert_eq!(flow.doc["report"]["reported"], "Succeeded");
    let history = flow.doc.to_string();
    for secret in SECRETS {
        assert!(
            !history.contains(secret),
            "the execution document shows {secret}"
        );
    }
    assert!(
        !history.contains("AWS::SQS::Queue"),
        "a template body rode along"
    );
}

#[tokio::test]
async fn a_stack_that_already_matches_is_reported_as_no_changes() {
    let now = clock::now_unix();
    let mut flow = started(JOB_EVENT).await;
    validate(&mut flow, now).await;
    fetch(&mut flow, &[("template.yaml", TEMPLATE)]).await;

    let update = mock!(aws_sdk_cloudformation::Client::update_stack).then_error(|| {
        UpdateStackError::generic(aws::cfn_error(
            "ValidationError",
            "No updates are to be performed.",
        ))
    });
    let someone_elses = aws::events(vec![aws::event(
        "Console-UpdateStack-1",
        "my-stack",
        "AWS::CloudFormation::Stack",
        ResourceStatus::UpdateComplete,
        "",
    )]);
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

    let success = mock!(aws_sdk_codepipeline::Client::put_job_success_result)
        .match_requests(|req| {
            let details = req.execution_details().unwrap();
            req.job_id() == Some(JOB)
                && details.summary() == Some("Stack my-stack: no changes")
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
            "Report success",
            "Deployed",
        ]
    );
    assert_eq!(flow.end(), "Succeed");
}
