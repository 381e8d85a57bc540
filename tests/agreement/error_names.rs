//! The statemachine file routes the names stackflow's code writes: every error name its Retry
//! and Catch blocks match is one of `stackflow::error::ErrorName` (or Step Functions' or
//! Lambda's own), and every `$.stack.next` its Choice states compare is a `stackflow::contract::Next`.
//! Both lists come from the enums, so a renamed or new variant is checked without being typed
//! here.

use serde_json::Value;
use stackflow::contract::Next;
use stackflow::error::ErrorName;

use crate::asl::{next_name, Definition};

/// Prefixes of the error names Step Functions and Lambda raise themselves.
const SERVICE_PREFIXES: [&str; 4] = ["States.", "Lambda.", "Runtime.", "Sandbox."];

/// Every `ErrorEquals` name of every Retry and Catch block, with the state it is in.
fn matched_error_names(definition: &Definition) -> Vec<(String, String)> {
    let mut names = Vec::new();
    for (state, body) in definition.states() {
        for block in ["Retry", "Catch"] {
            for handler in body[block].as_array().into_iter().flatten() {
                for error in handler["ErrorEquals"].as_array().into_iter().flatten() {
                    let error = error.as_str().unwrap_or_default().to_string();
                    names.push((state.to_string(), error));
                }
            }
        }
    }
    names
}

#[test]
fn every_error_name_the_statemachine_matches_is_one_stackflow_writes_or_a_service_one() {
    let definition = Definition::load();
    let names = matched_error_names(&definition);
    assert!(!names.is_empty());
    for (state, name) in &names {
        let from_a_service = SERVICE_PREFIXES.iter().any(|p| name.starts_with(p));
        assert!(
            from_a_service || ErrorName::parse(name).is_some(),
            "{state}: matches {name:?}, which no stackflow error is named"
        );
    }
    // The names the file routes on purpose are stackflow's.
    for routed in [ErrorName::Transient, ErrorName::JobAbandoned] {
        assert!(
            names.iter().any(|(_, name)| name == routed.as_str()),
            "the statemachine file never matches {routed:?}"
        );
    }
}

#[test]
fn every_next_the_choice_states_compare_is_one_the_steps_answer() {
    let definition = Definition::load();
    let mut compared = Vec::new();
    for (state, body) in definition.states() {
        if body["Type"] != "Choice" {
            continue;
        }
        for rule in body["Choices"].as_array().into_iter().flatten() {
            if rule["Variable"] == "$.stack.next" {
                let value = rule["StringEquals"].clone();
                let next = serde_json::from_value::<Next>(value.clone());
                assert!(next.is_ok(), "{state}: compares $.stack.next with {value}");
                compared.push(value);
            }
        }
    }
    for next in [Next::Wait, Next::HandOver, Next::Deploy, Next::Succeed] {
        assert!(
            compared.contains(&Value::String(next_name(next))),
            "no Choice state follows {next:?}"
        );
    }
}
