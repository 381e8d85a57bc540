#![allow(clippy::unwrap_used, clippy::panic)]

use super::*;

fn refusal_message(text: &str) -> String {
    read(text).unwrap_err().validation_message()
}

#[test]
fn a_template_with_resources_is_read() {
    let yaml = "Resources:\n  Queue:\n    Type: AWS::SQS::Queue\n    Properties:\n      DelaySeconds: !Ref Delay\n";
    assert_eq!(read(yaml).unwrap().resources().len(), 1);
    let json = r#"{"Resources": {"Queue": {"Type": "AWS::SQS::Queue"}}}"#;
    assert!(read(json).is_ok());
}

#[test]
fn no_resources_or_empty_resources_is_refused() {
    for text in [
        "AWSTemplateFormatVersion: '2010-09-09'\nOutputs:\n  A:\n    Value: b\n",
        "Resources: {}\n",
        "Resources: nothing\n",
        "{\"Resources\": []}",
    ] {
        assert_eq!(refusal_message(text), NO_RESOURCES, "{text}");
    }
}

#[test]
fn broken_yaml_names_line_and_column() {
    let message = refusal_message("Resources:\n  Queue:\n    Type: [unclosed\n");
    assert!(
        message.starts_with("Template format error: YAML not well-formed. (line "),
        "{message}"
    );
    assert!(message.contains(", column "), "{message}");
}

#[test]
fn broken_json_says_json_with_line_and_column() {
    let message = refusal_message("{\n  \"Resources\": {\n    \"Queue\": }\n}");
    assert_eq!(
        message,
        "Template format error: JSON not well-formed. (line 3, column 14)"
    );
}

#[test]
fn a_template_that_is_not_a_mapping_is_an_unsupported_structure() {
    assert_eq!(refusal_message("just some words"), UNSUPPORTED_STRUCTURE);
    assert_eq!(refusal_message("- a\n- b\n"), UNSUPPORTED_STRUCTURE);
}

#[test]
fn brackets_nested_too_deep_are_not_well_formed() {
    let text = format!("{}{}", "[".repeat(200), "]".repeat(200));
    let message = refusal_message(&text);
    assert!(
        message.starts_with("Template format error: YAML not well-formed."),
        "{message}"
    );
}
