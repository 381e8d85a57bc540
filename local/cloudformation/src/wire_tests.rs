use super::*;

#[test]
fn form_values_are_decoded() {
    let body = b"Action=DescribeStacks&Version=2010-05-15&StackName=arn%3Aaws%3Acloudformation%3Aus-east-1%3A1%3Astack%2Fapp%2Fx";
    assert_eq!(
        form_value(body, "Action").as_deref(),
        Some("DescribeStacks")
    );
    assert_eq!(
        form_value(body, "StackName").as_deref(),
        Some("arn:aws:cloudformation:us-east-1:1:stack/app/x")
    );
    assert_eq!(form_value(body, "Missing"), None);
    assert_eq!(percent_decode("a+b%2"), "a b%2");
}

#[test]
fn elements_and_escapes() {
    assert_eq!(element("<a><b>x</b></a>", "b"), Some("x"));
    assert_eq!(element("<a></a>", "b"), None);
    assert_eq!(xml_escape("a<b & \"c\">"), "a&lt;b &amp; &quot;c&quot;&gt;");
}
