#![allow(clippy::unwrap_used, clippy::panic)]

use super::*;

const YAML: &str = "\
Transform: [AWS::Serverless-2016-10-31, {Name: 'AWS::Include', Parameters: {Location: s3://b/k}}]
Resources:
  Queue:
    Type: AWS::SQS::Queue
    Properties:
      QueueName: !Sub '${AWS::StackName}-q'
  Odd:
    Type: !Ref NotAString
  Fn:
    Type: AWS::Lambda::Function
    Properties:
      Code: {'Fn::Transform': {Name: MyMacro}}
      Role: !Transform {Name: Other}
";

#[test]
fn yaml_with_short_form_tags_is_read() {
    let document = TemplateDocument::parse(YAML).unwrap();
    let resources = document.resources();
    let ids: Vec<_> = resources.iter().map(|r| r.logical_id.as_str()).collect();
    assert_eq!(ids, ["Queue", "Odd", "Fn"]);
    assert_eq!(resources[0].type_name, Some("AWS::SQS::Queue"));
    assert_eq!(resources[1].type_name, None);
}

#[test]
fn transforms_at_the_top_and_inside_are_named() {
    let document = TemplateDocument::parse(YAML).unwrap();
    assert_eq!(
        document.transforms(),
        [
            "AWS::Serverless-2016-10-31",
            "AWS::Include",
            "MyMacro",
            "Other"
        ]
    );
}

#[test]
fn json_is_read_and_a_byte_order_mark_allowed() {
    let text = "\u{feff}{\"Resources\": {\"B\": {\"Type\": \"AWS::S3::Bucket\"}}}";
    let document = TemplateDocument::parse(text).unwrap();
    assert_eq!(document.resources()[0].type_name, Some("AWS::S3::Bucket"));
    assert!(document.transforms().is_empty());
}

#[test]
fn what_cannot_be_read_says_why() {
    assert_eq!(
        TemplateDocument::parse("- a\n- b\n"),
        Err(ReadError::NotAMapping)
    );
    assert_eq!(
        TemplateDocument::parse(&"[".repeat(MAX_NESTING + 1)),
        Err(ReadError::TooDeep)
    );
    let Err(ReadError::Syntax(reason)) = TemplateDocument::parse("A: {b: 1\n") else {
        panic!("a syntax error");
    };
    assert!(reason.contains("line"), "{reason}");
}

#[test]
fn a_template_without_resources_has_none() {
    let document = TemplateDocument::parse("Outputs: {}\n").unwrap();
    assert!(document.resources().is_empty());
    assert!(document.section("Resources").is_none());
}
