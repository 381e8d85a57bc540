#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::BTreeMap;

use proptest::prelude::*;

use super::*;
use crate::aws::stack_fixtures::SECRET;
use crate::contract::{Next, StackAction};
use crate::test_support::map;

fn names(found: &NoEchoParameters) -> Vec<&str> {
    found.names.iter().map(String::as_str).collect()
}

const YAML: &str = r#"AWSTemplateFormatVersion: "2010-09-09"
Parameters:
  DbPassword:
    Type: String
    NoEcho: true
  ApiToken:
    Type: String
    NoEcho: "true"
    Default: token-default-1
  Visible:
    Type: String
    NoEcho: false
  AlsoVisible:
    Type: String
    NoEcho: "False"
  Plain:
    Type: String
    Default: plain
Conditions:
  IsProd: !Equals [!Ref Visible, prod]
Resources:
  Secret:
    Type: AWS::SecretsManager::Secret
    Condition: IsProd
    Properties:
      Name: !Sub "${AWS::StackName}-db"
      SecretString: !Ref DbPassword
      Tags:
        - Key: arn
          Value: !GetAtt [Other, Arn]
        - Key: joined
          Value: !Join ["-", [!Ref Plain, !Select [0, !GetAZs ""]]]
Outputs:
  Leaky:
    Value: !Sub "postgres://admin:${DbPassword}@db"
"#;

#[test]
fn yaml_with_short_form_tags_is_read() {
    let found = no_echo_parameters(YAML).unwrap();
    assert_eq!(names(&found), ["ApiToken", "DbPassword"]);
    assert_eq!(found.defaults, map(&[("ApiToken", "token-default-1")]));
}

#[test]
fn json_is_read() {
    let json = r#"{
      "Parameters": {
        "DbPassword": {"Type": "String", "NoEcho": "true", "Default": "x-1"},
        "Count": {"Type": "Number", "NoEcho": true, "Default": 3},
        "Env": {"Type": "String"}
      },
      "Resources": {"Q": {"Type": "AWS::SQS::Queue", "Properties": {"QueueName": {"Ref": "Env"}}}}
    }"#;
    let found = no_echo_parameters(json).unwrap();
    assert_eq!(names(&found), ["Count", "DbPassword"]);
    assert_eq!(
        found.defaults,
        map(&[("Count", "3"), ("DbPassword", "x-1")])
    );
}

#[test]
fn a_template_without_parameters_declares_none() {
    for text in [
        "Resources:\n  Q:\n    Type: AWS::SQS::Queue\n",
        "Parameters:\nResources: {}\n",
        "\u{feff}{\"Resources\": {}}",
    ] {
        assert_eq!(
            no_echo_parameters(text),
            Some(NoEchoParameters::default()),
            "{text}"
        );
    }
}

#[test]
fn an_odd_no_echo_value_errs_on_the_side_of_masking() {
    let text =
        "Parameters:\n  A:\n    NoEcho: !Ref Flag\n  B:\n    NoEcho: yes\n  C:\n    NoEcho:\n";
    assert_eq!(names(&no_echo_parameters(text).unwrap()), ["A", "B", "C"]);
}

#[test]
fn a_template_that_cannot_be_read_here_is_none() {
    for text in [
        "Parameters: [A, B]\n",
        "Parameters:\n  A: just text\n",
        "- a list\n- at the top\n",
        "Parameters:\n  A: {Type: String\n",
        "Parameters:\n  A:\n    NoEcho: true\n  A:\n    Type: String\n",
        "{\"Parameters\": ",
        "a: 1\n---\nb: 2\n",
    ] {
        assert_eq!(no_echo_parameters(text), None, "{text}");
    }
}

proptest! {
    #[test]
    fn any_text_is_read_or_refused_without_panicking(text in ".{0,400}") {
        let _ = no_echo_parameters(&text);
    }
}

fn staged() -> StagedParameters {
    StagedParameters {
        parameters: map(&[("DbPassword", SECRET), ("Env", "prod"), ("Empty", "")]),
        no_echo_defaults: map(&[("ApiToken", "token-default-1")]),
    }
}

fn no_echo_secrets() -> Secrets {
    Secrets::of(
        &staged(),
        &[
            "DbPassword".to_string(),
            "Empty".to_string(),
            "ApiToken".to_string(),
        ],
    )
}

#[test]
fn the_secrets_are_the_no_echo_values_and_defaults() {
    let secrets = no_echo_secrets();
    assert!(secrets.found_in(&format!("x{SECRET}y")));
    assert!(secrets.found_in("token-default-1"));
    // Not NoEcho; and an empty value would match everything.
    assert!(!secrets.found_in("prod"));
    assert!(!secrets.found_in("text"));
    assert!(Secrets::of(&staged(), &[]).found_in("token-default-1"));
    assert!(Secrets::none().is_empty());
}

#[test]
fn messages_are_redacted_and_outputs_masked_whole() {
    let secrets = no_echo_secrets();
    assert_eq!(
        secrets.redact(&format!(
            "parameter value {SECRET} for DbPassword; {SECRET}!"
        )),
        "parameter value **** for DbPassword; ****!"
    );
    assert_eq!(secrets.redact("nothing here"), "nothing here");
    let outputs = secrets.mask_outputs(map(&[
        ("Url", format!("postgres://admin:{SECRET}@db").as_str()),
        ("Env", "prod"),
    ]));
    assert_eq!(outputs, map(&[("Env", "prod"), ("Url", "****")]));
}

#[test]
fn a_value_inside_another_is_masked_after_it() {
    let staged = StagedParameters {
        parameters: map(&[("A", "abc"), ("B", "abcdef")]),
        no_echo_defaults: BTreeMap::new(),
    };
    let secrets = Secrets::of(&staged, &["A".to_string(), "B".to_string()]);
    assert_eq!(secrets.redact("abcdefg abc"), "****g ****");
}

#[test]
fn a_step_answer_is_masked() {
    let secrets = no_echo_secrets();
    let progress = StackProgress {
        stack_name: "app".into(),
        stack_id: None,
        action: StackAction::Update,
        next: Next::Succeed,
        status: Some("UPDATE_COMPLETE".into()),
        client_request_token: None,
        outputs: map(&[("Dsn", format!("db:{SECRET}").as_str()), ("Env", "prod")]),
        started_at: None,
        wait_seconds: 0,
        change_set: None,
        tally: Default::default(),
    };
    let masked = secrets.mask_step(Ok(progress)).unwrap();
    assert_eq!(masked.outputs, map(&[("Dsn", "****"), ("Env", "prod")]));
    let err = secrets
        .mask_step(Err(Error::TemplateInvalid(format!(
            "value {SECRET} is bad"
        ))))
        .unwrap_err();
    assert_eq!(err, Error::TemplateInvalid("value **** is bad".into()));
}

#[test]
fn debug_shows_names_never_values() {
    let text = format!(
        "{:?} {:?} {:?}",
        staged(),
        no_echo_secrets(),
        no_echo_parameters(YAML).unwrap()
    );
    assert!(text.contains("DbPassword"), "{text}");
    assert!(!text.contains(SECRET), "{text}");
    assert!(!text.contains("token-default-1"), "{text}");
    assert!(!text.contains("prod"), "{text}");
}

#[test]
fn the_staged_object_round_trips_as_json() {
    let json = staged().to_json();
    assert_eq!(
        serde_json::from_str::<StagedParameters>(&json).unwrap(),
        staged()
    );
    assert_eq!(
        parameters_key("job/1"),
        "stackflow/job_1/staged/parameters.json"
    );
}

// DeployStack and CheckStack answer with CloudFormation's words (outputs, error messages, event
// reasons), which may quote a NoEcho value: their answers are masked before they enter state.

mod steps {
    use aws_sdk_cloudformation::operation::create_stack::CreateStackError;
    use aws_sdk_cloudformation::operation::update_stack::UpdateStackError;
    use aws_sdk_cloudformation::types::ResourceStatus;
    use aws_sdk_cloudformation::Client;
    use aws_sdk_s3::operation::get_object::GetObjectError;
    use aws_sdk_s3::types::error::NoSuchKey;
    use aws_smithy_mocks::{mock, Rule};
    use aws_smithy_types::error::ErrorMetadata;

    use super::*;
    use crate::aws::client_token::token_for;
    use crate::contract::StagedTemplate;
    use crate::steps::check_stack::check;

    /// DeployStack under the fixtures' service roles.
    async fn deploy(
        cfn: &Client,
        s3: &aws_sdk_s3::Client,
        input: &crate::contract::DeployInput,
        now: i64,
    ) -> Result<crate::contract::StackProgress, Error> {
        crate::steps::deploy_stack::deploy(
            cfn,
            s3,
            &crate::aws::stack_fixtures::service_roles(),
            input,
            now,
        )
        .await
    }
    use crate::aws::stack_fixtures::*;

    /// The fixture's `QueueName` ("orders", in both fixture Outputs) declared NoEcho.
    fn no_echo_queue_name(mut template: StagedTemplate) -> StagedTemplate {
        template.no_echo = vec!["QueueName".into()];
        template
    }

    fn masked_outputs() -> BTreeMap<String, String> {
        map(&[("QueueArn", MASK), ("QueueUrl", MASK)])
    }

    #[tokio::test]
    async fn deploy_passes_the_staged_values_and_masks_a_quoted_one() {
        let absent = absent_rule();
        let create = mock!(Client::create_stack)
            .match_requests(|req| {
                let values: Vec<_> = req
                    .parameters()
                    .iter()
                    .map(|p| (p.parameter_key(), p.parameter_value()))
                    .collect();
                values == [(Some("Env"), Some("prod")), (Some("QueueName"), Some("orders"))]
            })
            .then_error(|| {
                CreateStackError::generic(service_error(
                    "ValidationError",
                    "Parameter validation failed: parameter value orders for parameter name QueueName does not exist",
                ))
            });
        let cfn = client(&[&absent, &create]);
        let mut input = deploy_input();
        input.template = input.template.map(no_echo_queue_name);

        let err = deploy(&cfn, &staging(), &input, NOW).await.unwrap_err();

        assert_eq!(create.num_calls(), 1);
        assert_eq!(
            err,
            Error::TemplateInvalid(
                "CloudFormation rejected the template for stack app: Parameter validation \
                 failed: parameter value **** for parameter name QueueName does not exist"
                    .into()
            )
        );
    }

    #[tokio::test]
    async fn deploy_with_no_changes_masks_the_outputs() {
        let (describe, events) = (describe_rule("UPDATE_COMPLETE"), foreign_events_rule());
        let update = mock!(Client::update_stack).then_error(|| {
            UpdateStackError::generic(service_error(
                "ValidationError",
                "No updates are to be performed.",
            ))
        });
        let cfn = client(&[&describe, &events, &update]);
        let mut input = deploy_input();
        input.template = input.template.map(no_echo_queue_name);

        let progress = deploy(&cfn, &staging(), &input, NOW).await.unwrap();

        assert_eq!(progress.next, Next::Succeed);
        assert_eq!(progress.outputs, masked_outputs());
        // Without NoEcho parameters the outputs are CloudFormation's.
        let progress = deploy(&cfn, &staging(), &deploy_input(), NOW)
            .await
            .unwrap();
        assert_eq!(progress.outputs["QueueUrl"], "https://sqs/orders");
    }

    #[tokio::test]
    async fn deploy_without_its_staged_values_fails_before_cloudformation() {
        let (absent, create) = (
            absent_rule(),
            mock!(Client::create_stack).then_output(|| {
                aws_sdk_cloudformation::operation::create_stack::CreateStackOutput::builder()
                    .build()
            }),
        );
        let cfn = client(&[&absent, &create]);
        let gone = mock!(aws_sdk_s3::Client::get_object)
            .then_error(|| GetObjectError::NoSuchKey(NoSuchKey::builder().build()));

        let err = deploy(&cfn, &s3_client(&[&gone]), &deploy_input(), NOW)
            .await
            .unwrap_err();

        assert_eq!(err.name(), "AwsError");
        assert!(err.message().contains("are gone"), "{err}");
        assert_eq!(create.num_calls(), 0);
    }

    #[tokio::test]
    async fn check_masks_the_outputs_of_a_finished_stack() {
        let describe = describe_rule("CREATE_COMPLETE");
        let cfn = client(&[&describe]);
        let mut input = check_input(StackAction::Create, token_for(StackAction::Create, JOB));
        input.template = input.template.map(no_echo_queue_name);

        let progress = check(&cfn, &staging(), &input, NOW).await.unwrap();

        assert_eq!(progress.next, Next::Succeed);
        assert_eq!(progress.outputs, masked_outputs());
    }

    #[tokio::test]
    async fn check_redacts_a_failure_reason_that_quotes_a_value() {
        let ours = token_for(StackAction::Update, JOB);
        let events = events_rule(vec![
            event(
                ours.as_deref(),
                STACK,
                "AWS::CloudFormation::Stack",
                ResourceStatus::UpdateRollbackComplete,
                "",
            ),
            event(
                ours.as_deref(),
                "Queue",
                "AWS::SQS::Queue",
                ResourceStatus::UpdateFailed,
                "Queue orders already exists",
            ),
        ]);
        let describe = describe_rule("UPDATE_ROLLBACK_COMPLETE");
        let cfn = client(&[&describe, &events]);
        let mut input = check_input(StackAction::Update, ours.clone());
        input.template = input.template.map(no_echo_queue_name);

        let err = check(&cfn, &staging(), &input, NOW).await.unwrap_err();

        assert_eq!(err.name(), "StackFailed");
        assert!(err.message().contains("Queue **** already exists"), "{err}");
        assert!(!err.message().contains("orders"), "{err}");
    }

    /// A staging bucket that counts its reads.
    fn counted() -> (Rule, aws_sdk_s3::Client) {
        let get = staged_rule(STAGED_PARAMETERS);
        let s3 = s3_client(&[&get]);
        (get, s3)
    }

    #[tokio::test]
    async fn check_reads_the_values_only_when_it_has_something_to_mask() {
        // Still in progress: no outputs, no message.
        let (get, s3) = counted();
        let describe = describe_rule("CREATE_IN_PROGRESS");
        let cfn = client(&[&describe]);
        let mut input = check_input(StackAction::Create, token_for(StackAction::Create, JOB));
        input.template = input.template.map(no_echo_queue_name);
        let progress = check(&cfn, &s3, &input, NOW).await.unwrap();
        assert_eq!(progress.next, Next::Wait);
        assert_eq!(get.num_calls(), 0);

        // Finished, but the template has no NoEcho parameter.
        let describe = describe_rule("CREATE_COMPLETE");
        let cfn = client(&[&describe]);
        let input = check_input(StackAction::Create, token_for(StackAction::Create, JOB));
        let progress = check(&cfn, &s3, &input, NOW).await.unwrap();
        assert_eq!(progress.outputs["QueueUrl"], "https://sqs/orders");
        assert_eq!(get.num_calls(), 0);
    }

    #[tokio::test]
    async fn check_that_cannot_read_the_values_answers_nothing_unmasked() {
        let describe = describe_rule("CREATE_COMPLETE");
        let cfn = client(&[&describe]);
        let slow = mock!(aws_sdk_s3::Client::get_object).then_error(|| {
            GetObjectError::generic(ErrorMetadata::builder().code("SlowDown").build())
        });
        let mut input = check_input(StackAction::Create, token_for(StackAction::Create, JOB));
        input.template = input.template.map(no_echo_queue_name);

        let err = check(&cfn, &s3_client(&[&slow]), &input, NOW)
            .await
            .unwrap_err();

        // Retried by the state machine: the check runs again.
        assert_eq!(err.name(), "Transient");
        assert!(!err.message().contains("orders"), "{err}");
    }
}

#[test]
fn hostile_yaml_is_refused_by_its_limits() {
    // Aliases that would expand to billions of nodes, and nesting deeper than any template.
    let mut laughs = String::from("a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n");
    for (name, previous) in ["b", "c", "d", "e", "f", "g", "h", "i"]
        .iter()
        .zip(["a", "b", "c", "d", "e", "f", "g", "h"])
    {
        laughs.push_str(&format!(
            "{name}: &{name} [*{previous}, *{previous}, *{previous}, *{previous}, *{previous}, \
             *{previous}, *{previous}, *{previous}, *{previous}]\n"
        ));
    }
    laughs.push_str("Parameters:\n  A:\n    NoEcho: true\n    Default: *i\n");
    let deep = format!("Parameters: {}{}", "[".repeat(100_000), "]".repeat(100_000));
    // Refused by the limits, not by expanding or descending first (the YAML parser's repetition
    // limit, the nesting check before any parser): what would take long never starts.
    use crate::template_document::{ReadError, TemplateDocument};
    match TemplateDocument::parse(&laughs) {
        Err(ReadError::Syntax(message)) => {
            assert!(message.contains("repetition limit exceeded"), "{message}");
        }
        Err(other) => panic!("refused for another reason: {other:?}"),
        Ok(_) => panic!("the aliases were read"),
    }
    assert_eq!(
        TemplateDocument::parse(&deep).err(),
        Some(ReadError::TooDeep)
    );
    // Unreadable here: every parameter is masked.
    assert_eq!(no_echo_parameters(&laughs), None);
    assert_eq!(no_echo_parameters(&deep), None);
    // A real template's nesting is shallow.
    let nested = format!(
        "Parameters: {{}}\nX: {}{}\n",
        "[".repeat(100),
        "]".repeat(100)
    );
    assert!(no_echo_parameters(&nested).is_some());
}
