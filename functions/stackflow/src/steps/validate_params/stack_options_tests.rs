#![allow(clippy::unwrap_used, clippy::panic)]

use serde_json::{json, Value};

use super::super::parse_user_parameters;
use super::*;
use crate::contract::DeploymentParams;

const ALARM: &str = "arn:aws:cloudwatch:eu-west-1:123456789012:alarm:app-5xx";
const TOPIC: &str = "arn:aws:sns:eu-west-1:123456789012:deployments";

/// The smallest valid `deploy` UserParameters, with `extra` keys merged in.
fn with(extra: Value) -> String {
    let mut base = json!({"stack": "my-stack", "artifact": "BuildOutput", "file": "t.yaml"});
    if let (Value::Object(base), Value::Object(extra)) = (&mut base, extra) {
        base.extend(extra);
    }
    base.to_string()
}

fn options(extra: Value) -> StackOptions {
    parse_user_parameters(&with(extra)).unwrap().options
}

/// The InvalidParameters message of UserParameters that fail.
fn refusal(extra: Value) -> String {
    match parse_user_parameters(&with(extra)) {
        Err(Error::InvalidParameters(message)) => message,
        other => panic!("expected InvalidParameters, got {other:?}"),
    }
}

#[test]
fn left_out_or_null_the_options_leave_the_stack_as_it_is() {
    assert_eq!(options(json!({})), StackOptions::default());
    let nulls = json!({"rollbackAlarms": null, "monitoringMinutes": null,
        "terminationProtection": null, "onFailure": null, "notificationArns": null});
    assert_eq!(options(nulls), StackOptions::default());
}

#[test]
fn every_option_is_read() {
    let read = options(json!({
        "rollbackAlarms": [ALARM, "arn:aws-cn:cloudwatch:cn-north-1:123456789012:alarm:b"],
        "monitoringMinutes": 180,
        "terminationProtection": false,
        "onFailure": "retainExceptOnCreate",
        "notificationArns": [TOPIC, "arn:aws:sns:us-east-1:123456789012:events.fifo"],
    }));
    assert_eq!(
        read,
        StackOptions {
            rollback_alarms: Some(vec![
                ALARM.to_string(),
                "arn:aws-cn:cloudwatch:cn-north-1:123456789012:alarm:b".to_string()
            ]),
            monitoring_minutes: Some(180),
            termination_protection: Some(false),
            on_failure: OnFailure::RetainExceptOnCreate,
            notification_arns: Some(vec![
                TOPIC.to_string(),
                "arn:aws:sns:us-east-1:123456789012:events.fifo".to_string()
            ]),
        }
    );
    assert_eq!(
        options(json!({"onFailure": "rollback"})).on_failure,
        OnFailure::Rollback
    );
    assert_eq!(
        options(json!({"monitoringMinutes": 0})).monitoring_minutes,
        Some(0)
    );
}

#[test]
fn an_empty_list_is_kept_to_remove_the_stacks_alarms_or_topics() {
    let read = options(json!({"rollbackAlarms": [], "notificationArns": []}));
    assert_eq!(read.rollback_alarms, Some(Vec::new()));
    assert_eq!(read.notification_arns, Some(Vec::new()));
}

#[test]
fn a_wrong_type_is_refused_naming_the_key() {
    for (key, value) in [
        ("rollbackAlarms", json!(ALARM)),
        ("rollbackAlarms", json!([1])),
        ("monitoringMinutes", json!("10")),
        ("terminationProtection", json!("true")),
        ("onFailure", json!(true)),
        ("notificationArns", json!({"a": TOPIC})),
    ] {
        let message = refusal(json!({ key: value }));
        assert!(message.contains(&format!("`{key}`")), "{key}: {message}");
    }
}

#[test]
fn a_wrong_value_is_refused_naming_the_key_and_the_value() {
    for (key, value) in [
        (
            "rollbackAlarms",
            "arn:aws:sns:eu-west-1:123456789012:deployments",
        ),
        (
            "rollbackAlarms",
            "arn:aws:cloudwatch:eu-west-1:1234:alarm:short-account",
        ),
        (
            "rollbackAlarms",
            "arn:aws:cloudwatch:eu-west-1:123456789012:alarm:",
        ),
        ("rollbackAlarms", "app-5xx"),
        ("notificationArns", ALARM),
        (
            "notificationArns",
            "arn:aws:sns:eu-west-1:123456789012:has space",
        ),
        ("notificationArns", "arn:aws:sns::123456789012:no-region"),
    ] {
        let message = refusal(json!({ key: [value] }));
        assert!(
            message.contains(&format!("`{key}` has `{value}`")),
            "{message}"
        );
    }
    let message = refusal(json!({"onFailure": "delete"}));
    assert!(message.contains("`onFailure` `delete`"), "{message}");
    assert!(message.contains("`retainExceptOnCreate`"), "{message}");
    let message = refusal(json!({"monitoringMinutes": 181}));
    assert!(message.contains("`monitoringMinutes` must be a whole number from 0 to 180"));
    assert!(refusal(json!({"monitoringMinutes": -1})).contains("`monitoringMinutes`"));
}

#[test]
fn more_than_five_alarms_or_topics_are_refused() {
    let alarms: Vec<String> = (0..6).map(|n| format!("{ALARM}-{n}")).collect();
    let message = refusal(json!({ "rollbackAlarms": alarms }));
    assert!(message.contains("`rollbackAlarms` has 6 ARNs; CloudFormation takes at most 5"));
    let topics: Vec<String> = (0..6).map(|n| format!("{TOPIC}-{n}")).collect();
    let message = refusal(json!({ "notificationArns": topics }));
    assert!(
        message.contains("`notificationArns` has 6 ARNs"),
        "{message}"
    );
    // A duplicate is one trigger, not two.
    let five_and_a_repeat: Vec<String> = (0..6).map(|n| format!("{ALARM}-{}", n % 5)).collect();
    let read = options(json!({ "rollbackAlarms": five_and_a_repeat }));
    assert_eq!(read.rollback_alarms.unwrap().len(), 5);
}

#[test]
fn an_option_a_mode_does_not_take_is_refused_by_name() {
    let change_set = |extra: Value| {
        let mut text: Value = serde_json::from_str(&with(extra)).unwrap();
        text["mode"] = json!("createChangeSet");
        text["changeSetName"] = json!("review");
        parse_user_parameters(&text.to_string())
    };
    for key in ["terminationProtection", "onFailure"] {
        let value = if key == "onFailure" {
            json!("rollback")
        } else {
            json!(true)
        };
        match change_set(json!({ key: value })) {
            Err(Error::InvalidParameters(message)) => {
                assert!(
                    message.contains(&format!("`{key}` does not apply")),
                    "{message}"
                )
            }
            other => panic!("{other:?}"),
        }
    }
    let read = change_set(json!({"rollbackAlarms": [ALARM], "notificationArns": [TOPIC]}));
    assert_eq!(
        read.unwrap().options.rollback_alarms,
        Some(vec![ALARM.to_string()])
    );
    let execute = json!({"mode": "executeChangeSet", "stack": "s", "changeSetName": "review",
        "onFailure": "retainExceptOnCreate"});
    let read = parse_user_parameters(&execute.to_string()).unwrap();
    assert_eq!(read.options.on_failure, OnFailure::RetainExceptOnCreate);
}

#[test]
fn state_without_the_options_still_reads_and_unset_options_are_not_written() {
    let params = crate::aws::stack_fixtures::params();
    let mut json = serde_json::to_value(&params).unwrap();
    for key in [
        "rollbackAlarms",
        "monitoringMinutes",
        "terminationProtection",
        "onFailure",
    ] {
        assert!(json.get(key).is_none(), "{key} written while unset");
    }
    json.as_object_mut().unwrap().remove("notificationArns");
    let read: DeploymentParams = serde_json::from_value(json).unwrap();
    assert_eq!(read, params);

    let set = DeploymentParams {
        options: StackOptions {
            rollback_alarms: Some(vec![ALARM.to_string()]),
            on_failure: OnFailure::RetainExceptOnCreate,
            ..StackOptions::default()
        },
        ..params
    };
    let json = serde_json::to_value(&set).unwrap();
    assert_eq!(json["rollbackAlarms"], json!([ALARM]));
    assert_eq!(json["onFailure"], json!("retainExceptOnCreate"));
    assert_eq!(
        serde_json::from_value::<DeploymentParams>(json).unwrap(),
        set
    );
}
