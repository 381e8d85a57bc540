//! The statemachine file as data: its states, the function each Task invokes, its Retry blocks
//! and the longest time a Task can take through them.

use serde_json::Value;
use serde_yaml_ng::Value as Yaml;
use stackflow::contract::Next;

use crate::cfn::{expr, read, template_functions, Expr, Template};

pub const DEFINITION: &str = "statemachine/stackflow.asl.json";

/// The parsed statemachine file.
pub struct Definition {
    pub doc: Value,
}

impl Definition {
    pub fn load() -> Definition {
        let doc = serde_json::from_str(&read(DEFINITION))
            .unwrap_or_else(|err| panic!("{DEFINITION} is not JSON: {err}"));
        Definition { doc }
    }

    /// Every state, by name.
    pub fn states(&self) -> Vec<(&str, &Value)> {
        self.doc["States"]
            .as_object()
            .unwrap_or_else(|| panic!("{DEFINITION} has no States"))
            .iter()
            .map(|(name, state)| (name.as_str(), state))
            .collect()
    }

    pub fn state(&self, name: &str) -> &Value {
        self.doc["States"]
            .get(name)
            .unwrap_or_else(|| panic!("{DEFINITION} has no state {name:?}"))
    }

    /// The Task states, by name.
    pub fn tasks(&self) -> Vec<(&str, &Value)> {
        self.states()
            .into_iter()
            .filter(|(_, state)| state["Type"] == "Task")
            .collect()
    }

    /// The Tasks whose `Next` is a Choice with a rule for `$.stack.next` == `next`, and the state
    /// that rule goes to: which steps can answer `next`, and where the execution goes then.
    pub fn answering(&self, next: &str) -> Vec<(&str, &str)> {
        let mut found = Vec::new();
        for (name, task) in self.tasks() {
            let Some(choice) = task["Next"].as_str() else {
                continue;
            };
            let choice_state = self.state(choice);
            if choice_state["Type"] != "Choice" {
                continue;
            }
            for rule in choice_state["Choices"].as_array().into_iter().flatten() {
                if rule["Variable"] == "$.stack.next" && rule["StringEquals"] == next {
                    let target = rule["Next"].as_str().expect("a Choice rule has a Next");
                    found.push((name, target));
                }
            }
        }
        found
    }
}

/// One retrier of a Retry block, with the defaults Step Functions gives a missing field.
#[derive(Debug, Clone, PartialEq)]
pub struct Retrier {
    pub errors: Vec<String>,
    pub interval_seconds: f64,
    /// Retries of this retrier (each retrier counts its own).
    pub max_attempts: u64,
    pub backoff_rate: f64,
    pub max_delay_seconds: Option<f64>,
}

impl Retrier {
    fn parse(value: &Value) -> Retrier {
        Retrier {
            errors: value["ErrorEquals"]
                .as_array()
                .expect("a retrier has ErrorEquals")
                .iter()
                .map(|error| error.as_str().unwrap_or_default().to_string())
                .collect(),
            interval_seconds: value["IntervalSeconds"].as_f64().unwrap_or(1.0),
            max_attempts: value["MaxAttempts"].as_u64().unwrap_or(3),
            backoff_rate: value["BackoffRate"].as_f64().unwrap_or(2.0),
            max_delay_seconds: value["MaxDelaySeconds"].as_f64(),
        }
    }

    /// The waits before each of its retries, in seconds (a JitterStrategy only shortens them).
    pub fn waits(&self) -> Vec<f64> {
        let mut wait = self.interval_seconds;
        let mut waits = Vec::new();
        for _ in 0..self.max_attempts {
            waits.push(match self.max_delay_seconds {
                Some(cap) => wait.min(cap),
                None => wait,
            });
            wait *= self.backoff_rate;
        }
        waits
    }
}

/// The name serde writes for `next`: what the Choice states compare `$.stack.next` with.
pub fn next_name(next: Next) -> String {
    serde_json::to_value(next)
        .ok()
        .and_then(|value| value.as_str().map(str::to_string))
        .unwrap_or_else(|| panic!("{next:?} is not written as a string"))
}

/// A Task state's retriers.
pub fn retriers(task: &Value) -> Vec<Retrier> {
    task["Retry"]
        .as_array()
        .map(|retry| retry.iter().map(Retrier::parse).collect())
        .unwrap_or_default()
}

/// The `${…}` substitution naming the function a Task invokes, directly or through
/// `arn:aws:states:::lambda:invoke[.waitForTaskToken]`.
pub fn invoked_function(task: &Value) -> String {
    let reference = match task["Resource"].as_str() {
        Some(resource) if resource.starts_with("arn:aws:states:::lambda:invoke") => {
            task["Parameters"]["FunctionName"].as_str()
        }
        other => other,
    }
    .unwrap_or_else(|| panic!("a Task invokes no function: {task}"));
    reference
        .strip_prefix("${")
        .and_then(|rest| rest.strip_suffix('}'))
        .unwrap_or_else(|| panic!("{reference} is not a ${{…}} substitution"))
        .to_string()
}

/// The Lambda `Timeout` (seconds) of a function of the SAM template, by its logical id.
fn timeout_of(template: &Template, logical_id: &str) -> u64 {
    template
        .property(logical_id, &["Timeout"])
        .or_else(|| template.global(&["Function", "Timeout"]))
        .and_then(Yaml::as_u64)
        .unwrap_or_else(|| panic!("{logical_id} has no Timeout"))
}

/// The Lambda `Timeout` (seconds) of a function of the SAM template, by its crate name.
pub fn function_timeout(template: &Template, binary: &str) -> u64 {
    let logical_id = template_functions(template)
        .remove(binary)
        .unwrap_or_else(|| panic!("the template has no function built from functions/{binary}"));
    timeout_of(template, &logical_id)
}

/// The Lambda `Timeout` (seconds) of the function a Task invokes.
pub fn task_function_timeout(template: &Template, task: &Value) -> u64 {
    let substitution = invoked_function(task);
    let (state_machine, _) = template
        .of_type("AWS::Serverless::StateMachine")
        .pop()
        .expect("the template has a state machine");
    let value = template
        .property(&state_machine, &["DefinitionSubstitutions", &substitution])
        .unwrap_or_else(|| panic!("DefinitionSubstitutions has no {substitution}"));
    let Expr::GetAtt(logical_id, _) = expr(value) else {
        panic!("${{{substitution}}} is not a !GetAtt of a function");
    };
    timeout_of(template, &logical_id)
}

/// The longest a Task takes to end its last attempt: every retrier spends all its retries (each
/// retrier counts its own, so errors that alternate between retriers get them all), and each
/// attempt runs up to its function's timeout. For a `.waitForTaskToken` Task this is until the
/// function of its last attempt returns, not until the token comes back.
pub fn worst_case_seconds(template: &Template, task: &Value) -> f64 {
    let retriers = retriers(task);
    let attempts = 1 + retriers.iter().map(|r| r.max_attempts).sum::<u64>();
    let waits: f64 = retriers.iter().flat_map(Retrier::waits).sum();
    attempts as f64 * task_function_timeout(template, task) as f64 + waits
}

/// The longest a `.waitForTaskToken` Task takes until it ends: every retry as in
/// [`worst_case_seconds`] before its last attempt, which then waits up to its `TimeoutSeconds`
/// (from the attempt's start) for the token.
pub fn worst_case_with_token_seconds(template: &Template, task: &Value) -> f64 {
    let timeout = task["TimeoutSeconds"]
        .as_u64()
        .expect("a .waitForTaskToken Task has TimeoutSeconds") as f64;
    worst_case_seconds(template, task) - task_function_timeout(template, task) as f64 + timeout
}

#[test]
fn the_live_output_names_the_states_that_write_the_stack_and_the_hand_over() {
    let definition = Definition::load();
    let writing = |path: &str| -> Vec<&str> {
        definition
            .states()
            .into_iter()
            .filter(|(_, state)| state["ResultPath"] == path)
            .map(|(name, _)| name)
            .collect()
    };
    let mut stack_steps = writing("$.stack");
    stack_steps.sort_unstable();
    let mut expected = stackflow_environment::watch::STACK_STEPS.to_vec();
    expected.sort_unstable();
    assert_eq!(stack_steps, expected);
    assert_eq!(
        writing("$.replyTo"),
        [stackflow_environment::watch::HAND_OVER_STATE]
    );
}
