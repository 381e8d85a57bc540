//! The IAM grants are enough, not only narrow enough. moto enforces no IAM, so a role that
//! lacks an action its function calls would first fail in a user's pipeline. The fault proxy
//! records which IAM actions each function's requests needed during the end-to-end tests
//! (`aws-calls.json` in the shared environment's home; `stackflow_fault_tools::fault_proxy`'s
//! `calls`); this holds every one against that function's role in infra/template.yaml.
//!
//! Run it after the end-to-end tests: `cargo test -p stackflow-e2e --test iam_calls` (tests/run
//! does).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[allow(dead_code)]
#[path = "../agreement/cfn.rs"]
mod cfn;

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use serde_yaml_ng::Value;
use stackflow_fault_tools::fault_proxy::{function_of, read_calls, CallRecord};

use cfn::{role_of, role_statements, template_functions, Template};

const TEMPLATE: &str = "infra/template.yaml";
/// What the fault proxy writes in an environment's home.
const CALLS_FILE: &str = "aws-calls.json";

/// Each function's recorded actions, by crate name; only the functions' own calls. The shared
/// environment's record, and those of the environments tests start of their own under target/
/// (the hand-over tests run there).
fn recorded() -> BTreeMap<String, BTreeSet<String>> {
    let shared = stackflow_e2e::e2e_home_dir().join(CALLS_FILE);
    let target = Path::new(env!("CARGO_MANIFEST_DIR")).join("../target");
    let own = std::fs::read_dir(&target)
        .map(|entries| {
            entries
                .filter_map(|entry| Some(entry.ok()?.path().join(CALLS_FILE)))
                .filter(|file| file.is_file())
                .collect::<Vec<_>>()
        })
        .unwrap_or_default();
    let record: CallRecord = read_calls(&shared).unwrap_or_else(|err| {
        panic!("{err}: run the end-to-end tests first (tests/run does, then this)")
    });
    let mut calls: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let others = own
        .iter()
        .filter(|file| **file != shared)
        .map(|file| read_calls(file).unwrap_or_else(|err| panic!("{err}")));
    for (key, actions) in std::iter::once(record).chain(others).flatten() {
        if let Some(function) = function_of(&key) {
            calls
                .entry(function.to_string())
                .or_default()
                .extend(actions);
        }
    }
    calls
}

/// Whether an IAM action pattern (`s3:Get*`, `*`) covers `action`.
fn covers(pattern: &str, action: &str) -> bool {
    match pattern.strip_suffix('*') {
        Some(prefix) => action
            .to_ascii_lowercase()
            .starts_with(&prefix.to_ascii_lowercase()),
        None => pattern.eq_ignore_ascii_case(action),
    }
}

/// "<function> calls <action>, which its role <role> does not allow", for each recorded action
/// no Allow statement of the function's role grants.
fn missing_grants(template: &Template, calls: &BTreeMap<String, BTreeSet<String>>) -> Vec<String> {
    let functions = template_functions(template);
    let mut missing = Vec::new();
    for (function, actions) in calls {
        let Some(role) = functions.get(function).and_then(|id| role_of(template, id)) else {
            missing.push(format!("{function} has no role in {TEMPLATE}"));
            continue;
        };
        let statements = role_statements(template, &role);
        for action in actions {
            let allowed = statements.iter().any(|statement| {
                statement.effect == "Allow"
                    && statement.negated.is_empty()
                    && statement
                        .actions
                        .iter()
                        .any(|pattern| covers(pattern, action))
            });
            if !allowed {
                missing.push(format!(
                    "{function} calls {action}, which its role {role} does not allow"
                ));
            }
        }
    }
    missing
}

#[test]
fn every_function_is_allowed_what_it_was_seen_to_call() {
    let calls = recorded();
    let template = Template::load(TEMPLATE);
    // No silent pass: every function that calls AWS was seen doing so. validate-params calls
    // nothing (its role allows nothing but its logs).
    for function in template_functions(&template).keys() {
        if function != "validate-params" {
            assert!(
                calls
                    .get(function)
                    .is_some_and(|actions| !actions.is_empty()),
                "no call of {function} was recorded: {calls:?}"
            );
        }
    }
    let missing = missing_grants(&template, &calls);
    assert!(missing.is_empty(), "{}", missing.join("\n"));
}

/// Remove `action` from every Allow statement of `role` in the template.
fn without_grant(template: &Template, role: &str, action: &str) -> Template {
    fn strip(value: &mut Value, action: &str) {
        match value {
            Value::Mapping(map) => {
                for (key, inner) in map.iter_mut() {
                    if key.as_str() == Some("Action") {
                        match inner {
                            Value::Sequence(items) => {
                                items.retain(|item| item.as_str() != Some(action))
                            }
                            Value::String(single) if single == action => {
                                *inner = Value::Sequence(Vec::new())
                            }
                            _ => {}
                        }
                    } else {
                        strip(inner, action);
                    }
                }
            }
            Value::Sequence(items) => items.iter_mut().for_each(|item| strip(item, action)),
            Value::Tagged(tagged) => strip(&mut tagged.value, action),
            _ => {}
        }
    }
    let mut doc = template.doc.clone();
    if let Some(resource) = doc.get_mut("Resources").and_then(|r| r.get_mut(role)) {
        strip(resource, action);
    }
    Template {
        path: format!("{} without {action} in {role}", template.path),
        doc,
    }
}

#[test]
fn removing_any_grant_a_function_needs_fails_the_check() {
    let calls = recorded();
    let template = Template::load(TEMPLATE);
    let functions = template_functions(&template);
    let mut mutants = 0;
    for (function, actions) in &calls {
        let role = role_of(&template, &functions[function]).unwrap();
        for action in actions {
            let mutant = without_grant(&template, &role, action);
            let missing = missing_grants(&mutant, &calls);
            let expected =
                format!("{function} calls {action}, which its role {role} does not allow");
            assert!(
                missing.contains(&expected),
                "{}: the check did not notice; it said {missing:?}",
                mutant.path
            );
            mutants += 1;
        }
    }
    assert!(mutants > 10, "only {mutants} grants were exercised");
}

#[test]
fn patterns_cover_as_iam_does() {
    assert!(covers("s3:GetObject", "s3:getobject"));
    assert!(covers("s3:Get*", "s3:GetObject"));
    assert!(covers("*", "states:StartExecution"));
    assert!(!covers("s3:GetObject", "s3:GetObjectTagging"));
    assert!(!covers("s3:Put*", "s3:GetObject"));
}
