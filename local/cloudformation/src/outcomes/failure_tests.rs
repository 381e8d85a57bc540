#![allow(clippy::unwrap_used)]

use super::*;

/// moto's answer to a template it crashes on (Flask's page; the traceback is in its log).
const MOTO_500: &str =
    "<!doctype html>\n<html lang=en>\n<title>500 Internal Server Error</title>\n\
    <h1>Internal Server Error</h1>\n<p>The server encountered an internal error and was unable \
    to complete your request. Either the server is overloaded or there is an error in the \
    application.</p>\n";

fn cloudformation_error(code: &str, message: &str) -> String {
    format!(
        "<ErrorResponse xmlns=\"http://cloudformation.amazonaws.com/doc/2010-05-15/\"><Error>\
         <Type>Sender</Type><Code>{code}</Code><Message>{message}</Message></Error>\
         <RequestId>r</RequestId></ErrorResponse>"
    )
}

#[test]
fn a_success_is_no_failure() {
    assert_eq!(
        emulator_failure(
            200,
            "<CreateStackResponse><StackId>x</StackId></CreateStackResponse>"
        ),
        None
    );
}

#[test]
fn cloudformation_api_errors_pass_unchanged() {
    for (code, message) in [
        ("ValidationError", "No updates are to be performed."),
        ("AlreadyExistsException", "Stack s1 already exists"),
        (
            "ValidationError",
            "Stack:arn:aws:cloudformation:us-east-1:123456789012:stack/s/x is in \
             UPDATE_IN_PROGRESS state and can not be updated.",
        ),
        (
            "InsufficientCapabilitiesException",
            "Requires capabilities : [CAPABILITY_IAM]",
        ),
    ] {
        assert_eq!(
            emulator_failure(400, &cloudformation_error(code, message)),
            None,
            "{code}"
        );
    }
}

#[test]
fn a_crash_is_a_failure_that_points_at_the_log() {
    let failure = emulator_failure(500, MOTO_500).unwrap();
    assert!(
        failure
            .text
            .starts_with("moto answered HTTP 500: no reason given"),
        "{failure:?}"
    );
    assert!(failure.text.contains("logs/moto.log"));
}

#[test]
fn a_server_error_in_cloudformation_shape_is_a_failure_too() {
    let failure = emulator_failure(500, &cloudformation_error("InternalFailure", "boom")).unwrap();
    assert_eq!(
        failure.text,
        "moto answered HTTP 500: InternalFailure: boom"
    );
}

#[test]
fn another_services_error_is_a_failure_with_its_text() {
    let s3 = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>InvalidBucketName</Code>\
              <Message>The specified bucket is not valid.</Message><BucketName>Bad_Name!\
              </BucketName></Error>";
    assert_eq!(
        emulator_failure(400, s3).unwrap().text,
        "moto answered HTTP 400: InvalidBucketName: The specified bucket is not valid."
    );
    let json = r#"{"__type": "com.amazonaws.kms#MalformedPolicyDocumentException", "message": "bad policy"}"#;
    assert_eq!(
        emulator_failure(400, json).unwrap().text,
        "moto answered HTTP 400: MalformedPolicyDocumentException: bad policy"
    );
    // A CloudFormation-shaped answer with a code that is not CloudFormation's.
    let foreign = cloudformation_error("ResourceNotFoundException", "no such key");
    assert!(emulator_failure(400, &foreign).is_some());
}

#[test]
fn the_text_is_one_short_line_without_credentials() {
    let text = clean(
        "denied\n for AKIAIOSFODNN7EXAMPLE with Credential=a/b/c Signature=abc \
         X-Amz-Security-Token=zzz",
    );
    assert_eq!(
        text,
        "denied for [redacted] with [redacted] [redacted] [redacted]"
    );
    let long = clean(&"x".repeat(MAX_TEXT_CHARS + 10));
    assert_eq!(long.chars().count(), MAX_TEXT_CHARS + 1);
    assert!(long.ends_with('…'));
}

const TEMPLATE: &str = "Resources:
  Queue:
    Type: AWS::SQS::Queue
  QueuePolicy:
    Type: AWS::SQS::QueuePolicy
    Properties: {}
  Param:
    Type: AWS::SSM::Parameter
    Properties:
      Type: String
      Value: v
  Key:
    Type: AWS::KMS::Key
";

fn failure(text: &str) -> EmulatorFailure {
    EmulatorFailure {
        text: text.to_string(),
        said: Some(text.to_string()),
    }
}

fn blamed(template: &str, text: &str) -> Option<(String, String)> {
    culprit(Some(template), &failure(text)).map(|c| (c.logical_id, c.type_name))
}

#[test]
fn the_culprit_is_the_logical_id_moto_names_as_a_whole_word() {
    assert_eq!(
        blamed(TEMPLATE, "moto answered HTTP 400: QueuePolicy: bad"),
        Some(("QueuePolicy".into(), "AWS::SQS::QueuePolicy".into()))
    );
    assert_eq!(
        blamed(TEMPLATE, "resource Queue is broken"),
        Some(("Queue".into(), "AWS::SQS::Queue".into()))
    );
}

#[test]
fn else_the_type_moto_names() {
    assert_eq!(
        blamed(TEMPLATE, "AWS::KMS::Key failed"),
        Some(("Key".into(), "AWS::KMS::Key".into()))
    );
}

#[test]
fn else_the_first_declaration_moto_crashes_on() {
    assert_eq!(
        blamed(TEMPLATE, "moto answered HTTP 500: no reason given"),
        Some(("Param".into(), "AWS::SSM::Parameter".into()))
    );
    let kms = "Resources:\n  Named:\n    Type: AWS::SSM::Parameter\n    Properties: {Name: n, \
               Type: String, Value: v}\n  K:\n    Type: AWS::KMS::Key\n    Properties:\n      \
               Description: d\n";
    assert_eq!(
        blamed(kms, "500"),
        Some(("K".into(), "AWS::KMS::Key".into()))
    );
    let base64 =
        "Resources:\n  Q:\n    Type: AWS::SQS::Queue\n  I:\n    Type: AWS::EC2::Instance\n    \
                  Properties:\n      UserData: !Base64 {'Fn::Sub': 'x'}\n";
    assert_eq!(
        blamed(base64, "500"),
        Some(("I".into(), "AWS::EC2::Instance".into()))
    );
    let json = r#"{"Resources": {"I": {"Type": "AWS::EC2::Instance", "Properties": {"UserData": {"Fn::Base64": {"Fn::Sub": "x"}}}}}}"#;
    assert_eq!(
        blamed(json, "500"),
        Some(("I".into(), "AWS::EC2::Instance".into()))
    );
    let for_each =
        "Transform: AWS::LanguageExtensions\nResources:\n  Fn::ForEach::Queues:\n    - N\n    \
                    - [a, b]\n    - Q${N}:\n        Type: AWS::SQS::Queue\n";
    assert_eq!(
        blamed(for_each, "500"),
        Some(("Fn::ForEach::Queues".into(), "unknown type".into()))
    );
}

#[test]
fn else_the_only_resource() {
    let one = "Resources:\n  Q:\n    Type: AWS::SQS::Queue\n    Properties: {FifoQueue: true}\n";
    assert_eq!(
        blamed(
            one,
            "InvalidParameterValue: Queue name must end in .fifo for FIFO queues"
        ),
        Some(("Q".into(), "AWS::SQS::Queue".into()))
    );
}

#[test]
fn a_resources_error_in_cloudformations_shape_is_told_when_asked() {
    // SQS's error, as moto answers a CreateStack whose queue it refused.
    let sqs = cloudformation_error(
        "InvalidParameterValue",
        "Queue name must end in .fifo for FIFO queues",
    );
    assert!(is_cloudformation_error(400, &sqs));
    assert_eq!(emulator_failure(400, &sqs), None);
    assert_eq!(
        told(400, &sqs).text,
        "moto answered HTTP 400: InvalidParameterValue: Queue name must end in .fifo for FIFO queues"
    );
}

#[test]
fn else_the_stack_itself() {
    let plain = "Resources:\n  Q:\n    Type: AWS::SQS::Queue\n  R:\n    Type: AWS::SQS::Queue\n";
    assert_eq!(
        blamed(plain, "moto answered HTTP 500: no reason given"),
        None
    );
    // Nothing moto said: the failure's own words name nothing.
    let crash = emulator_failure(500, MOTO_500).unwrap();
    assert_eq!(crash.said, None);
    let named_like_words =
        "Resources:\n  HTTP:\n    Type: AWS::SQS::Queue\n  I:\n    Type: AWS::SQS::Queue\n";
    assert_eq!(culprit(Some(named_like_words), &crash), None);
    assert_eq!(culprit(None, &failure("x")), None);
    assert_eq!(blamed("[not a template", "x"), None);
}
