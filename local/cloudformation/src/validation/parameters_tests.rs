#![allow(clippy::unwrap_used, clippy::panic)]

use super::*;

const TEMPLATE: &str = r#"
Parameters:
  Environment:
    Type: String
    AllowedValues: [dev, staging, prod]
  Retention:
    Type: String
    AllowedPattern: "[0-9]+"
    Default: "60"
  Name:
    Type: String
    MinLength: 3
    MaxLength: "5"
    Default: abc
  Count:
    Type: Number
    MinValue: 1
    MaxValue: 10
    Default: 1
  Ports:
    Type: List<Number>
    MaxValue: 65535
    Default: "80"
  Zones:
    Type: CommaDelimitedList
    AllowedValues: [a, b, c]
    Default: a
  Key:
    Type: AWS::EC2::KeyPair::KeyName
    Default: mine
  Described:
    Type: String
    AllowedPattern: "[a-z]+"
    ConstraintDescription: must be lower-case letters
    Default: ok
Resources:
  Queue:
    Type: AWS::SQS::Queue
"#;

fn document() -> TemplateDocument {
    TemplateDocument::parse(TEMPLATE).unwrap()
}

fn given(pairs: &[(&str, &str)]) -> Vec<ParameterValue> {
    pairs
        .iter()
        .map(|(key, value)| ParameterValue {
            key: key.to_string(),
            value: Some(value.to_string()),
            use_previous_value: false,
        })
        .collect()
}

/// The message of the refusal for `pairs` (Environment=dev added unless given).
fn refused(pairs: &[(&str, &str)]) -> Option<String> {
    let mut pairs = pairs.to_vec();
    if !pairs.iter().any(|(key, _)| *key == "Environment") {
        pairs.push(("Environment", "dev"));
    }
    check(&document(), &given(&pairs)).map(Reply::validation_message)
}

#[test]
fn good_values_pass() {
    assert_eq!(refused(&[]), None);
    assert_eq!(
        refused(&[
            ("Retention", "345600"),
            ("Name", "abcde"),
            ("Count", "10"),
            ("Ports", "80, 443"),
            ("Zones", "a,c"),
            ("Described", "abc"),
        ]),
        None
    );
}

#[test]
fn a_parameter_the_template_does_not_declare() {
    assert_eq!(
        refused(&[("Environmnt", "dev"), ("Other", "x"), ("Other", "y")]).unwrap(),
        "Parameters: [Environmnt, Other] do not exist in the template"
    );
}

#[test]
fn parameters_for_a_template_without_any() {
    let document =
        TemplateDocument::parse("Resources:\n  Q:\n    Type: AWS::SQS::Queue\n").unwrap();
    let reply = check(&document, &given(&[("A", "b")])).unwrap();
    assert_eq!(reply, Reply::refused("ValidationError", NOT_REQUIRED));
    assert_eq!(check(&document, &[]), None);
}

#[test]
fn a_parameter_without_default_or_value() {
    assert_eq!(
        check(&document(), &[]),
        Some(Reply::refused(
            "ValidationError",
            "Parameters: [Environment] must have values"
        ))
    );
    let no_value = vec![ParameterValue {
        key: "Environment".into(),
        value: None,
        use_previous_value: false,
    }];
    assert!(check(&document(), &no_value).is_some());
    let two = "Parameters:\n  A:\n    Type: String\n  B:\n    Type: String\nResources:\n  Q:\n    Type: AWS::SQS::Queue\n";
    let document = TemplateDocument::parse(two).unwrap();
    assert_eq!(
        check(&document, &[]),
        Some(Reply::refused(
            "ValidationError",
            "Parameters: [A, B] must have values"
        ))
    );
}

#[test]
fn use_previous_value_counts_as_a_value_and_is_not_checked() {
    let previous = vec![ParameterValue {
        key: "Environment".into(),
        value: None,
        use_previous_value: true,
    }];
    assert_eq!(check(&document(), &previous), None);
}

#[test]
fn a_value_outside_allowed_values() {
    assert_eq!(
        refused(&[("Environment", "qa")]).unwrap(),
        "Parameter 'Environment' must be one of AllowedValues"
    );
    assert_eq!(
        refused(&[("Zones", "a,d")]).unwrap(),
        "Parameter 'Zones' must be one of AllowedValues"
    );
}

#[test]
fn a_value_that_does_not_match_the_whole_pattern() {
    assert_eq!(
        refused(&[("Retention", "12a")]).unwrap(),
        "Parameter 'Retention' must match pattern [0-9]+"
    );
    assert_eq!(
        refused(&[("Retention", "")]).unwrap(),
        "Parameter 'Retention' must match pattern [0-9]+"
    );
}

#[test]
fn a_value_too_short_or_too_long() {
    assert_eq!(
        refused(&[("Name", "ab")]).unwrap(),
        "Parameter 'Name' must contain at least 3 characters"
    );
    assert_eq!(
        refused(&[("Name", "abcdef")]).unwrap(),
        "Parameter 'Name' must contain at most 5 characters"
    );
    // Characters, not bytes.
    assert_eq!(refused(&[("Name", "ééé")]), None);
}

#[test]
fn a_number_that_is_not_one_or_out_of_range() {
    assert_eq!(
        refused(&[("Count", "ten")]).unwrap(),
        "Parameter 'Count' must be a number"
    );
    assert_eq!(
        refused(&[("Count", "NaN")]).unwrap(),
        "Parameter 'Count' must be a number"
    );
    assert_eq!(
        refused(&[("Count", "0")]).unwrap(),
        "Parameter 'Count' must be a number not less than 1"
    );
    assert_eq!(
        refused(&[("Count", "10.5")]).unwrap(),
        "Parameter 'Count' must be a number not greater than 10"
    );
    assert_eq!(refused(&[("Count", "2.5e0")]), None);
}

#[test]
fn each_item_of_a_number_list_is_a_number() {
    assert_eq!(
        refused(&[("Ports", "80,http")]).unwrap(),
        "Parameter 'Ports' must be a number"
    );
    assert_eq!(
        refused(&[("Ports", "80,70000")]).unwrap(),
        "Parameter 'Ports' must be a number not greater than 65535"
    );
}

#[test]
fn a_constraint_description_replaces_the_message() {
    assert_eq!(
        refused(&[("Described", "ABC")]).unwrap(),
        "Parameter Described failed to satisfy constraint: must be lower-case letters"
    );
}

#[test]
fn aws_specific_types_are_not_checked() {
    assert_eq!(refused(&[("Key", "")]), None);
}

#[test]
fn a_pattern_this_engine_cannot_compile_is_not_checked() {
    let text = "Parameters:\n  A:\n    Type: String\n    AllowedPattern: '(?=x)x'\nResources:\n  Q:\n    Type: AWS::SQS::Queue\n";
    let document = TemplateDocument::parse(text).unwrap();
    assert_eq!(check(&document, &given(&[("A", "y")])), None);
}
