#![allow(clippy::unwrap_used)]

use super::*;

const CREATE: &[u8] = b"Action=CreateStack&Version=2010-05-15&StackName=app\
&TemplateURL=https%3A%2F%2Fstaging.s3.us-east-1.amazonaws.com%2Fstackflow%2Fjob-1%2Ftemplate.yaml\
&Capabilities.member.2=CAPABILITY_AUTO_EXPAND&Capabilities.member.1=CAPABILITY_IAM\
&Parameters.member.10.ParameterKey=Tenth&Parameters.member.10.ParameterValue=x\
&Parameters.member.2.ParameterKey=Env&Parameters.member.2.UsePreviousValue=true\
&Parameters.member.1.ParameterKey=Name&Parameters.member.1.ParameterValue=a%2Bb+c\
&ClientRequestToken=tok-1";

#[test]
fn a_create_stack_form_is_read() {
    let request = StackRequest::from_form(CREATE).unwrap();
    assert_eq!(request.action, "CreateStack");
    assert!(request.carries_template());
    assert_eq!(request.stack_name(), Some("app"));
    assert_eq!(request.client_request_token(), Some("tok-1"));
    assert_eq!(
        request.capabilities(),
        ["CAPABILITY_IAM", "CAPABILITY_AUTO_EXPAND"]
    );
    let parameters = request.parameters();
    let keys: Vec<_> = parameters.iter().map(|p| p.key.as_str()).collect();
    assert_eq!(keys, ["Name", "Env", "Tenth"]);
    assert_eq!(parameters[0].value.as_deref(), Some("a+b c"));
    assert!(parameters[1].use_previous_value);
    assert_eq!(parameters[1].value, None);
    assert_eq!(
        request.template(),
        TemplateSource::Url(
            "https://staging.s3.us-east-1.amazonaws.com/stackflow/job-1/template.yaml"
        )
    );
}

#[test]
fn a_form_without_action_is_not_a_request() {
    assert_eq!(StackRequest::from_form(b"StackName=app"), None);
    let previous = StackRequest::from_form(b"Action=UpdateStack&UsePreviousTemplate=true").unwrap();
    assert_eq!(previous.template(), TemplateSource::Previous);
    let describe = StackRequest::from_form(b"Action=DescribeStacks").unwrap();
    assert!(!describe.carries_template());
    assert_eq!(describe.template(), TemplateSource::None);
}

#[test]
fn template_urls_in_every_s3_style() {
    let expect = |url: &str, bucket: &str, key: &str| {
        assert_eq!(
            bucket_and_key(url),
            Some((bucket.to_string(), key.to_string())),
            "{url}"
        );
    };
    expect(
        "https://b.s3.us-east-1.amazonaws.com/a/t%20x.yaml",
        "b",
        "a/t x.yaml",
    );
    expect("https://b.s3.amazonaws.com/t.yaml", "b", "t.yaml");
    expect("https://s3.eu-west-1.amazonaws.com/b/t.yaml", "b", "t.yaml");
    expect(
        "http://127.0.0.1:5000/b/dir/t.json?versionId=1",
        "b",
        "dir/t.json",
    );
    assert_eq!(bucket_and_key("https://example.com"), None);
    assert_eq!(bucket_and_key("https://s3.amazonaws.com/b/"), None);
}
