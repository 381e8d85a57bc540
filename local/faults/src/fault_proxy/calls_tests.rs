#![allow(clippy::unwrap_used)]

use axum::http::HeaderValue;

use super::*;

fn signed_by(key: &str) -> HeaderMap {
    let mut headers = HeaderMap::new();
    let value = format!(
        "AWS4-HMAC-SHA256 Credential={key}/20261202/us-east-1/s3/aws4_request, \
         SignedHeaders=host;x-amz-date, Signature=abc"
    );
    headers.insert("authorization", HeaderValue::from_str(&value).unwrap());
    headers
}

#[test]
fn a_function_is_known_by_its_access_key() {
    let key = function_access_key("fetch-template");
    assert_eq!(function_of(&key), Some("fetch-template"));
    assert_eq!(function_of("stackflow-local"), None);
    assert_eq!(access_key(&signed_by(&key)), Some(key));
    assert_eq!(access_key(&HeaderMap::new()), None);
}

#[test]
fn actions_follow_the_operation_and_what_cloudformation_checks_of_the_caller() {
    let create = b"Action=CreateStack&RoleARN=arn%3Aaws%3Aiam%3A%3A1%3Arole%2Fd&TemplateURL=https%3A%2F%2Fb.s3.amazonaws.com%2Ft";
    assert_eq!(
        iam_actions(Service::CloudFormation, Some("CreateStack"), create),
        ["cloudformation:CreateStack", "iam:PassRole", "s3:GetObject"]
    );
    assert_eq!(
        iam_actions(Service::CloudFormation, Some("DescribeStacks"), b""),
        ["cloudformation:DescribeStacks"]
    );
    assert_eq!(
        iam_actions(Service::S3, Some("HeadObject"), b""),
        ["s3:GetObject"]
    );
    assert_eq!(
        iam_actions(Service::S3, Some("ListObjectsV2"), b""),
        ["s3:ListBucket"]
    );
    assert_eq!(
        iam_actions(Service::StepFunctions, Some("StartExecution"), b""),
        ["states:StartExecution"]
    );
    // What the proxy cannot name is recorded so that the check fails on it.
    assert_eq!(iam_actions(Service::S3, None, b""), ["s3:?"]);
    assert_eq!(
        iam_actions(Service::S3, Some("SelectObjectContent"), b""),
        ["s3:?"]
    );
}

#[test]
fn the_record_is_written_when_it_grows_and_reads_back() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("aws-calls.json");
    let calls = Calls::new(Some(file.clone()));
    let key = function_access_key("check-stack");
    calls.record(
        &signed_by(&key),
        vec!["cloudformation:DescribeStacks".into()],
    );
    calls.record(
        &signed_by(&key),
        vec!["cloudformation:DescribeStacks".into()],
    );
    calls.record(&HeaderMap::new(), vec!["s3:GetObject".into()]);
    let record = read(&file).unwrap();
    assert_eq!(record.len(), 1);
    assert_eq!(
        record[&key].iter().collect::<Vec<_>>(),
        ["cloudformation:DescribeStacks"]
    );
}
