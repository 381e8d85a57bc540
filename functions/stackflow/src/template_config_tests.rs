#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use super::*;
use proptest::prelude::*;
use serde_json::json;

use crate::test_support::{any_json, map};

fn refusal(text: &str) -> String {
    match parse("cfg/prod.json", text) {
        Err(Error::TemplateInvalid(message)) => message,
        other => panic!("expected TemplateInvalid, got {other:?}"),
    }
}

#[test]
fn reads_all_three_keys() {
    let config = parse(
        "c.json",
        r#"{
            "Parameters": {"Env": "prod", "Size": "3"},
            "Tags": {"team": "payments"},
            "StackPolicy": {"Statement": [{"Effect": "Allow", "Action": "Update:*", "Principal": "*", "Resource": "*"}]}
        }"#,
    )
    .unwrap();
    assert_eq!(config.parameters, map(&[("Env", "prod"), ("Size", "3")]));
    assert_eq!(config.tags, map(&[("team", "payments")]));
    // Compact text of the same JSON (key order follows serde_json's map, so compare values).
    let policy = config.stack_policy.unwrap();
    assert!(!policy.contains(char::is_whitespace), "{policy}");
    assert_eq!(
        serde_json::from_str::<Value>(&policy).unwrap(),
        json!({"Statement": [{"Effect": "Allow", "Action": "Update:*", "Principal": "*", "Resource": "*"}]})
    );
}

#[test]
fn every_key_is_optional() {
    assert_eq!(parse("c.json", "{}").unwrap(), TemplateConfig::default());
}

#[test]
fn a_byte_order_mark_is_tolerated() {
    let config = parse("c.json", "\u{feff}{\"Parameters\":{\"A\":\"1\"}}").unwrap();
    assert_eq!(config.parameters, map(&[("A", "1")]));
}

#[test]
fn a_configuration_too_large_for_the_deployments_state_is_refused() {
    let policy = |size: usize| {
        json!({"StackPolicy": {"Statement": [{"Effect": "Allow", "Resource": "x".repeat(size)}]}})
            .to_string()
    };
    let fits = parse("c.json", &policy(STATE_MAX_JSON_BYTES / 4)).unwrap();
    assert!(fits.stack_policy.is_some());
    let message = refusal(&policy(STATE_MAX_JSON_BYTES));
    assert!(
        message.contains(&format!("at most {STATE_MAX_JSON_BYTES} are accepted")),
        "{message}"
    );
    // Escaped text counts as the state holds it: a value of quotes takes twice its size.
    let quotes = json!({"Tags": {"a": "\"".repeat(200)}, "StackPolicy": {"S": "\"".repeat(STATE_MAX_JSON_BYTES / 2)}});
    assert!(refusal(&quotes.to_string()).contains("bytes of JSON"));
}

#[test]
fn parameter_values_do_not_count_against_the_state_as_they_are_staged() {
    let big = json!({"Parameters": {"Policy": "x".repeat(2 * STATE_MAX_JSON_BYTES)}});
    let config = parse("c.json", &big.to_string()).unwrap();
    assert_eq!(config.parameters["Policy"].len(), 2 * STATE_MAX_JSON_BYTES);
}

#[test]
fn unknown_keys_are_named_with_the_accepted_ones() {
    let message = refusal(r#"{"Parameters":{},"Tag":{},"Policy":{}}"#);
    assert!(
        message.starts_with("template configuration `cfg/prod.json`: "),
        "{message}"
    );
    assert!(message.contains("unknown keys `"), "{message}");
    assert!(
        message.contains("`Policy`") && message.contains("`Tag`"),
        "{message}"
    );
    assert!(
        message.contains("Parameters, Tags, StackPolicy"),
        "{message}"
    );
}

#[test]
fn non_string_parameter_values_name_the_key() {
    let message = refusal(r#"{"Parameters":{"Env":"prod","Size":3}}"#);
    assert!(
        message.contains("`Parameters.Size` must be a string, got a number"),
        "{message}"
    );
}

#[test]
fn non_string_tag_values_name_the_key() {
    let message = refusal(r#"{"Tags":{"on":true}}"#);
    assert!(
        message.contains("`Tags.on` must be a string, got a boolean"),
        "{message}"
    );
}

#[test]
fn wrong_shapes_are_refused() {
    let cases = [
        ("[]", "must be a JSON object, got an array"),
        (
            r#"{"Parameters":[]}"#,
            "`Parameters` must be an object of strings, got an array",
        ),
        (
            r#"{"Tags":"a=b"}"#,
            "`Tags` must be an object of strings, got a string",
        ),
        (
            r#"{"StackPolicy":"{}"}"#,
            "`StackPolicy` must be an object, got a string",
        ),
        (
            r#"{"Parameters":{"my-param":"x"}}"#,
            "letters and digits only",
        ),
        (
            r#"{"Tags":{"aws:x":"y"}}"#,
            "`Tags`: tag key `aws:x` starts with `aws:`",
        ),
    ];
    for (text, expected) in cases {
        let message = refusal(text);
        assert!(message.contains(expected), "{text}: {message}");
    }
}

#[test]
fn invalid_json_gives_the_position() {
    let message = refusal("{\n\"Parameters\": {,}}");
    assert!(
        message.contains("not valid JSON at line 2, column 16"),
        "{message}"
    );
}

#[test]
fn user_parameters_win_over_the_configuration() {
    let config = TemplateConfig {
        parameters: map(&[("Env", "staging"), ("Size", "1")]),
        tags: map(&[("team", "core"), ("cost", "a")]),
        stack_policy: Some("{}".into()),
    };
    let merged = config
        .merged_with(
            &map(&[("Env", "prod"), ("Debug", "true")]),
            &map(&[("team", "payments")]),
        )
        .unwrap();
    assert_eq!(
        merged.parameters,
        map(&[("Debug", "true"), ("Env", "prod"), ("Size", "1")])
    );
    assert_eq!(merged.tags, map(&[("cost", "a"), ("team", "payments")]));
    assert_eq!(merged.stack_policy.as_deref(), Some("{}"));
}

#[test]
fn merged_tags_must_stay_within_fifty() {
    let config = TemplateConfig {
        tags: (0..30)
            .map(|i| (format!("c{i}"), "v".to_string()))
            .collect(),
        ..TemplateConfig::default()
    };
    let user: BTreeMap<String, String> = (0..21)
        .map(|i| (format!("u{i}"), "v".to_string()))
        .collect();
    let err = config.merged_with(&BTreeMap::new(), &user).unwrap_err();
    assert_eq!(err.name(), "TemplateInvalid");
    assert!(
        err.message()
            .contains("51 tags; CloudFormation allows at most 50"),
        "{err}"
    );
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn arbitrary_text_never_panics(text in ".{0,200}") {
        if let Err(err) = parse("c.json", &text) {
            prop_assert_eq!(err.name(), "TemplateInvalid");
        }
    }

    #[test]
    fn arbitrary_json_never_panics(value in any_json(ACCEPTED_KEYS, "[A-Za-z:]{0,8}")) {
        match parse("c.json", &value.to_string()) {
            Ok(config) => {
                // A policy, when kept, is the same JSON as the file's.
                if let Some(policy) = config.stack_policy {
                    let reparsed: Value = serde_json::from_str(&policy).unwrap();
                    prop_assert_eq!(Some(&reparsed), value.get("StackPolicy"));
                }
            }
            Err(err) => prop_assert_eq!(err.name(), "TemplateInvalid"),
        }
    }

    #[test]
    fn overrides_always_win(
        config in prop::collection::btree_map("[A-C]", "[a-z]{0,3}", 0..4),
        overrides in prop::collection::btree_map("[A-C]", "[a-z]{0,3}", 0..4),
    ) {
        let merged = TemplateConfig { parameters: config.clone(), ..TemplateConfig::default() }
            .merged_with(&overrides, &BTreeMap::new())
            .unwrap();
        for (name, value) in &merged.parameters {
            let expected = overrides.get(name).or_else(|| config.get(name));
            prop_assert_eq!(Some(value), expected);
        }
        prop_assert!(overrides.keys().chain(config.keys()).all(|k| merged.parameters.contains_key(k)));
    }
}
