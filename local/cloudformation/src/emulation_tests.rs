#![allow(clippy::unwrap_used)]

use super::*;

#[test]
fn the_pinned_list_is_sorted_types() {
    let lines: Vec<_> = MOTO_RESOURCE_TYPES.lines().collect();
    assert!(lines.len() > 50, "{} types", lines.len());
    assert!(lines.iter().all(|line| line.starts_with("AWS::")));
    assert!(lines.windows(2).all(|pair| pair[0] < pair[1]));
}

#[test]
fn moto_types_custom_resources_and_the_rest() {
    assert!(emulated("AWS::SQS::Queue"));
    assert!(emulated("AWS::S3::Bucket"));
    assert!(emulated("Custom::Seed"));
    assert!(!emulated("AWS::CloudFront::Distribution"));
    assert!(!emulated("AWS::CloudFormation::WaitCondition"));
    assert!(!emulated("AWS::SQS"));
}

#[test]
fn a_template_lists_what_moto_skips_with_counts() {
    let template = "\
Transform: AWS::Serverless-2016-10-31
Resources:
  Queue: {Type: AWS::SQS::Queue}
  CdnA: {Type: AWS::CloudFront::Distribution}
  CdnB: {Type: AWS::CloudFront::Distribution}
  Pool: {Type: AWS::Cognito::UserPool}
  Seed: {Type: Custom::Seed}
";
    let found = not_emulated(&TemplateDocument::parse(template).unwrap());
    assert_eq!(
        describe(&found),
        "AWS::CloudFront::Distribution (2), AWS::Cognito::UserPool (1), \
         Transform AWS::Serverless-2016-10-31 (1)"
    );
}

#[test]
fn a_template_moto_emulates_lists_nothing() {
    let template = "Resources:\n  Queue: {Type: AWS::SQS::Queue}\n";
    assert!(not_emulated(&TemplateDocument::parse(template).unwrap()).is_empty());
}
