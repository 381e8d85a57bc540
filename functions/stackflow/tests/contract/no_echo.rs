//! Walks with a NoEcho parameter: its value is in no state, no output variable and no message.

use super::*;

/// A template declaring `DbPassword` NoEcho, with an Output that shows it (CloudFormation does
/// not mask Outputs).
const NO_ECHO_TEMPLATE: &str = "Parameters:\n  DbPassword:\n    Type: String\n    NoEcho: true\n  \
    Env:\n    Type: String\n  Size:\n    Type: String\nResources:\n  Queue:\n    Type: AWS::SQS::Queue\n\
    Outputs:\n  Dsn:\n    Value: !Sub 'postgres://admin:${DbPassword}@db'\n";

/// The NoEcho value the configuration file gives.
const DB_PASSWORD: &str = "pw-in-config-0c41e7";

/// FULL_JOB_EVENT's deployment, its configuration file giving the NoEcho `DbPassword`, up to
/// Deploy stack, whose CreateStack gets the value from the staging bucket.
async fn deploying_a_no_echo_value(create: &Rule) -> Flow {
    let now = clock::now_unix();
    let mut flow = started(FULL_JOB_EVENT).await;
    validate(&mut flow, now).await;
    let configuration =
        format!(r#"{{"Parameters":{{"DbPassword":"{DB_PASSWORD}","Env":"staging","Size":"2"}}}}"#);
    fetch(
        &mut flow,
        &[
            ("infra/template.yaml", NO_ECHO_TEMPLATE),
            ("infra/prod.json", &configuration),
        ],
    )
    .await;
    assert_eq!(
        flow.doc["template"]["noEcho"],
        serde_json::json!(["DbPassword"])
    );
    deploy(&mut flow, now, &[&aws::no_stack(), create]).await;
    flow
}

/// Whether CreateStack got every parameter value, the NoEcho one included.
fn create_with_every_value(
) -> impl Fn(&aws_sdk_cloudformation::operation::create_stack::CreateStackInput) -> bool {
    |req| {
        let parameters: Vec<_> = req
            .parameters()
            .iter()
            .map(|p| (p.parameter_key().unwrap(), p.parameter_value().unwrap()))
            .collect();
        parameters == [("DbPassword", DB_PASSWORD), ("Env", "prod"), ("Size", "2")]
    }
}

/// Asserts that `secret` is in no state's input or output, nor in the execution document.
fn assert_in_no_state(flow: &Flow, secret: &str) {
    for (n, entry) in flow.history.iter().enumerate() {
        assert!(
            !entry.to_string().contains(secret),
            "history entry {n} shows the NoEcho value: {entry:#}"
        );
    }
    assert!(!flow.doc.to_string().contains(secret), "{:#}", flow.doc);
}

#[tokio::test]
async fn a_no_echo_value_of_the_configuration_file_is_in_no_state_and_no_output_variable() {
    const FULL_JOB: &str = "22222222-abcd-2222-abcd-222222abcdef";
    let create = mock!(aws_sdk_cloudformation::Client::create_stack)
        .match_requests(create_with_every_value())
        .then_output(|| CreateStackOutput::builder().stack_id(STACK_ID).build());
    let mut flow = deploying_a_no_echo_value(&create).await;
    assert_eq!(create.num_calls(), 1);
    flow.choice();
    flow.wait();

    // CloudFormation shows the Output as it is.
    let finished = mock!(aws_sdk_cloudformation::Client::describe_stacks).then_output(|| {
        let mut stack = aws::stack("CREATE_COMPLETE");
        stack.outputs.get_or_insert_with(Vec::new).push(
            aws_sdk_cloudformation::types::Output::builder()
                .output_key("Dsn")
                .output_value(format!("postgres://admin:{DB_PASSWORD}@db"))
                .build(),
        );
        aws_sdk_cloudformation::operation::describe_stacks::DescribeStacksOutput::builder()
            .stacks(stack)
            .build()
    });
    check(&mut flow, clock::now_unix(), &[&finished]).await;
    flow.choice();
    let success = mock!(aws_sdk_codepipeline::Client::put_job_success_result)
        .match_requests(|req| {
            let variables = req.output_variables().unwrap();
            req.job_id() == Some(FULL_JOB)
                && variables["Dsn"] == "****"
                && variables["QueueArn"] == "arn:aws:sqs:us-east-1:111111111111:orders"
        })
        .then_output(|| PutJobSuccessResultOutput::builder().build());
    report(&mut flow, &success).await;

    assert_eq!(flow.end(), "Succeed");
    assert_in_no_state(&flow, DB_PASSWORD);
    // It is in the staging bucket, where Deploy stack read it.
    let staged = flow.staged.lock().unwrap();
    let values = &staged[&format!("stackflow/{FULL_JOB}/staged/parameters.json")];
    assert!(String::from_utf8_lossy(values).contains(DB_PASSWORD));
}

#[tokio::test]
async fn a_no_echo_value_cloudformation_quotes_is_masked_in_the_failure_report() {
    const FULL_JOB: &str = "22222222-abcd-2222-abcd-222222abcdef";
    let rejected = mock!(aws_sdk_cloudformation::Client::create_stack)
        .match_requests(create_with_every_value())
        .then_error(|| {
            CreateStackError::generic(aws::cfn_error(
                "ValidationError",
                &format!(
                    "Parameter DbPassword failed to satisfy constraint: {DB_PASSWORD} is too short"
                ),
            ))
        });
    let mut flow = deploying_a_no_echo_value(&rejected).await;
    assert_eq!(rejected.num_calls(), 1);

    let message = "CloudFormation rejected the template for stack my-stack: Parameter DbPassword \
                   failed to satisfy constraint: **** is too short";
    report(
        &mut flow,
        &failure_reported(FULL_JOB, FailureType::ConfigurationError, message.into()),
    )
    .await;

    assert_failed(&flow, FAILED_AT_DEPLOY);
    assert_in_no_state(&flow, DB_PASSWORD);
}
