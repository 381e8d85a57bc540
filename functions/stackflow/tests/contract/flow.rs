//! The data flow of statemachine/stackflow.asl.json, for the contract test only. It is NOT an
//! interpreter: nothing runs by itself, there are no retries, no timers and no error routing
//! beyond a Catch. The test calls each step itself; this moves the data between steps the way
//! the state machine does:
//!
//! - a Task's input is built from the execution document by the state's `Parameters`, of which
//!   only the forms the file uses are understood: `"key.$": "$.a.b"`, `"$$.Execution.Id"`
//!   and `"$$.Task.Token"`;
//! - a Task's output is placed in the document at its `ResultPath`;
//! - a failed Task's Lambda error goes, as Step Functions puts it, `{"Error": errorType,
//!   "Cause": "{\"errorType\":…,\"errorMessage\":…}"}`, at the matching Catch's `ResultPath`;
//! - a Choice follows its `StringEquals` rules (the only kind the file has), else `Default`;
//! - a Wait only has its `SecondsPath` read;
//! - a Task that waits for a task token ends with what SendTaskSuccess sends, at its `ResultPath`.
//!
//! Each step's input is deserialized into the step's own input type from what `Parameters`
//! built, and serialized back to check nothing was dropped: the contract between the steps.

use std::collections::BTreeMap;
use std::future::Future;
use std::sync::{Arc, Mutex};

use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::{json, Map, Value};

/// The definition, as deployed (its `${…}` ARNs are in Resource only, which nothing here reads).
const DEFINITION: &str = include_str!("../../../../statemachine/stackflow.asl.json");

/// `$$.Task.Token` of a state that waits for a callback.
pub const TASK_TOKEN: &str = "task-token-of-the-waiting-state";

/// One walk through the definition: the execution document and the state the walk is at.
pub struct Flow {
    states: Map<String, Value>,
    execution_arn: String,
    /// The execution document (`$`).
    pub doc: Value,
    /// The state to run next.
    pub at: String,
    /// Every state entered so far, in order.
    pub visited: Vec<String>,
    /// What the execution history shows of the Tasks: each one's input, and its output or the
    /// error it failed with.
    pub history: Vec<Value>,
    /// The staging bucket of this walk: the objects the steps staged, by key.
    pub staged: Arc<Mutex<BTreeMap<String, Vec<u8>>>>,
}

impl Flow {
    /// An execution started with `input` (the text start-deployment sent to StartExecution).
    pub fn start(execution_arn: &str, input: &str) -> Self {
        let definition: Value = serde_json::from_str(DEFINITION).unwrap();
        let start_at = definition["StartAt"].as_str().unwrap().to_string();
        Flow {
            states: definition["States"].as_object().unwrap().clone(),
            execution_arn: execution_arn.to_string(),
            doc: serde_json::from_str(input).unwrap(),
            visited: vec![start_at.clone()],
            at: start_at,
            history: Vec::new(),
            staged: Arc::default(),
        }
    }

    fn state(&self, kind: &str) -> &Value {
        let state = &self.states[&self.at];
        assert_eq!(state["Type"], kind, "state `{}`", self.at);
        state
    }

    fn go(&mut self, next: &Value) {
        let next = next
            .as_str()
            .unwrap_or_else(|| panic!("`{}` has no Next", self.at));
        assert!(self.states.contains_key(next), "no state `{next}`");
        self.at = next.to_string();
        self.visited.push(self.at.clone());
    }

    /// Run the Task state `name` (which must be the current one) with `step`: its input built
    /// by `Parameters` (their `Payload` for a Lambda invoked by the `lambda:invoke` integration),
    /// its output or its error placed where the state puts them. A state that waits for a task
    /// token stays current until [`Flow::send_task_success`].
    pub async fn task<I, O, F, Fut>(&mut self, name: &str, step: F)
    where
        I: DeserializeOwned + Serialize,
        O: Serialize,
        F: FnOnce(I) -> Fut,
        Fut: Future<Output = Result<O, stackflow::Error>>,
    {
        assert_eq!(self.at, name, "the walk is elsewhere");
        let state = self.state("Task").clone();
        let resource = state["Resource"].as_str().unwrap();
        let parameters = if resource.starts_with("arn:aws:states:::lambda:invoke") {
            &state["Parameters"]["Payload"]
        } else {
            &state["Parameters"]
        };
        let input = self.parameters(parameters);
        let typed: I = serde_json::from_value(input.clone()).unwrap_or_else(|e| {
            panic!("`{name}`: its Parameters do not make its input: {e}\n{input:#}")
        });
        assert_eq!(
            serde_json::to_value(&typed).unwrap(),
            input,
            "`{name}`: the step's input type drops or changes what Parameters pass"
        );
        self.history.push(input);
        let result = step(typed).await;
        self.history.push(match &result {
            Ok(output) => serde_json::to_value(output).unwrap(),
            Err(error) => json!({ "error": error.name(), "message": error.message() }),
        });
        match result {
            // The Lambda's own answer is not the result of a state that waits for its token.
            Ok(_) if resource.ends_with(".waitForTaskToken") => {}
            Ok(output) => {
                let output = serde_json::to_value(output).unwrap();
                write(&mut self.doc, result_path(&state), output);
                self.go(&state["Next"]);
            }
            Err(error) => {
                // What the Lambda runtime answers with, and Step Functions reads.
                let diagnostic = lambda_runtime::Diagnostic::from(error);
                let retried = state["Retry"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .any(|retry| names(retry, &diagnostic.error_type));
                // A retried error would run the step again first; the walks here use errors
                // that go straight to the Catch.
                assert!(!retried, "`{name}` retries {}", diagnostic.error_type);
                let catch = state["Catch"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .find(|catch| names(catch, &diagnostic.error_type))
                    .unwrap_or_else(|| {
                        panic!(
                            "`{name}` catches no {}: {diagnostic:?}",
                            diagnostic.error_type
                        )
                    })
                    .clone();
                let caught = json!({
                    "Error": diagnostic.error_type,
                    "Cause": serde_json::to_string(&diagnostic).unwrap(),
                });
                write(&mut self.doc, result_path(&catch), caught);
                self.go(&catch["Next"]);
            }
        }
    }

    /// SendTaskSuccess with `task_token` and `output` (JSON text): the current state, which
    /// waits for that token, ends with `output` at its ResultPath.
    pub fn send_task_success(&mut self, task_token: &str, output: &str) {
        let state = self.state("Task").clone();
        assert!(
            state["Resource"]
                .as_str()
                .is_some_and(|resource| resource.ends_with(".waitForTaskToken")),
            "`{}` waits for no task token",
            self.at
        );
        assert_eq!(task_token, TASK_TOKEN, "not the token of `{}`", self.at);
        let output: Value = serde_json::from_str(output).unwrap();
        write(&mut self.doc, result_path(&state), output);
        self.go(&state["Next"]);
    }

    /// Take the current Choice state's branch.
    pub fn choice(&mut self) {
        let state = self.state("Choice").clone();
        let chosen = state["Choices"]
            .as_array()
            .unwrap()
            .iter()
            .find(|rule| {
                let expected = rule["StringEquals"]
                    .as_str()
                    .unwrap_or_else(|| panic!("`{}`: only StringEquals is read", self.at));
                read(&self.doc, rule["Variable"].as_str().unwrap()).as_str() == Some(expected)
            })
            .map_or(&state["Default"], |rule| &rule["Next"]);
        self.go(chosen);
    }

    /// Pass the current Wait state; returns the seconds it would wait.
    pub fn wait(&mut self) -> u64 {
        let state = self.state("Wait").clone();
        let seconds = read(&self.doc, state["SecondsPath"].as_str().unwrap())
            .as_u64()
            .unwrap_or_else(|| panic!("`{}`: SecondsPath is not a whole number", self.at));
        self.go(&state["Next"]);
        seconds
    }

    /// The type of the state the walk ended at: `Succeed` or `Fail`.
    pub fn end(&self) -> &str {
        self.states[&self.at]["Type"].as_str().unwrap()
    }

    /// A Task's input from its `Parameters` (nested objects alike).
    fn parameters(&self, parameters: &Value) -> Value {
        let Some(fields) = parameters.as_object() else {
            return parameters.clone();
        };
        let mut input = Map::new();
        for (key, value) in fields {
            let (key, value) = match (key.strip_suffix(".$"), value.as_str()) {
                (Some(key), Some("$$.Execution.Id")) => (key, json!(self.execution_arn)),
                (Some(key), Some("$$.Task.Token")) => (key, json!(TASK_TOKEN)),
                (Some(key), Some(path)) => (key, read(&self.doc, path).clone()),
                (Some(key), None) => panic!("`{}`: `{key}.$` is not a path", self.at),
                (None, _) => (key.as_str(), self.parameters(value)),
            };
            input.insert(key.to_string(), value);
        }
        Value::Object(input)
    }
}

fn result_path(state: &Value) -> &str {
    state["ResultPath"].as_str().unwrap()
}

/// Whether a Retry or Catch's `ErrorEquals` takes `error`.
fn names(handler: &Value, error: &str) -> bool {
    handler["ErrorEquals"]
        .as_array()
        .unwrap()
        .iter()
        .any(|name| name == error || name == "States.ALL")
}

/// The keys of a `$.a.b` path.
fn keys(path: &str) -> impl Iterator<Item = &str> {
    let rest = path
        .strip_prefix('$')
        .unwrap_or_else(|| panic!("`{path}` is not a path"));
    rest.split('.').filter(|key| !key.is_empty())
}

/// The value at `$.a.b`; a missing one is a broken contract.
fn read<'a>(doc: &'a Value, path: &str) -> &'a Value {
    keys(path).fold(doc, |value, key| {
        value
            .get(key)
            .unwrap_or_else(|| panic!("`{path}` is not in the document:\n{doc:#}"))
    })
}

/// Put `value` at `$.a.b`, making the objects on the way.
fn write(doc: &mut Value, path: &str, value: Value) {
    let mut place = doc;
    for key in keys(path) {
        place = place
            .as_object_mut()
            .unwrap_or_else(|| panic!("`{path}` passes through a non-object"))
            .entry(key.to_string())
            .or_insert(Value::Null);
    }
    *place = value;
}
