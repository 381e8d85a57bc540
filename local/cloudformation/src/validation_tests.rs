#![allow(clippy::unwrap_used)]

use super::*;

fn request(form: &str) -> StackRequest {
    StackRequest::from_form(form.as_bytes()).unwrap()
}

fn reader() -> TemplateReader {
    // Nothing listens on port 9: a TemplateURL cannot be read.
    TemplateReader {
        http: reqwest::Client::new(),
        s3_url: "http://127.0.0.1:9".into(),
    }
}

const ROLE: &str = "Resources%3A%0A  Role%3A%0A    Type%3A AWS%3A%3AIAM%3A%3ARole%0A";

#[test]
fn the_template_is_judged_first() {
    let create = request("Action=CreateStack&StackName=a&TemplateBody=Outputs%3A%20%7B%7D&Parameters.member.1.ParameterKey=X&Parameters.member.1.ParameterValue=y");
    assert_eq!(
        check_text(&create, "Outputs: {}"),
        Some(Reply::refused("ValidationError", template::NO_RESOURCES))
    );
}

#[test]
fn parameters_are_judged_before_capabilities() {
    let body = "Resources:\n  Role:\n    Type: AWS::IAM::Role\n";
    let create = request("Action=CreateStack&StackName=a&Parameters.member.1.ParameterKey=X&Parameters.member.1.ParameterValue=y");
    assert_eq!(
        check_text(&create, body),
        Some(Reply::refused("ValidationError", parameters::NOT_REQUIRED))
    );
    let create = request("Action=CreateStack&StackName=a");
    assert_eq!(
        check_text(&create, body),
        Some(capabilities::requires(capabilities::IAM))
    );
    let create = request("Action=CreateStack&StackName=a&Capabilities.member.1=CAPABILITY_IAM");
    assert_eq!(check_text(&create, body), None);
}

#[tokio::test]
async fn a_template_body_is_checked() {
    let create = request(&format!(
        "Action=CreateStack&StackName=a&TemplateBody={ROLE}"
    ));
    assert_eq!(
        check(&reader(), &create).await,
        Some(capabilities::requires(capabilities::IAM))
    );
}

#[tokio::test]
async fn requests_without_a_template_pass() {
    let describe = request("Action=DescribeStacks&StackName=a");
    assert_eq!(check(&reader(), &describe).await, None);
    let previous = request("Action=UpdateStack&StackName=a&UsePreviousTemplate=true");
    assert_eq!(check(&reader(), &previous).await, None);
}

#[tokio::test]
async fn an_unreadable_template_url_is_refused_as_cloudformation_does() {
    let create = request(
        "Action=CreateStack&StackName=a&TemplateURL=https%3A%2F%2Fb.s3.amazonaws.com%2Fmissing.yaml",
    );
    assert_eq!(
        check(&reader(), &create).await,
        Some(Reply::refused("ValidationError", UNREADABLE_TEMPLATE_URL))
    );
}
