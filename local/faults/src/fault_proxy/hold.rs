//! `--hold-in-progress SECONDS`: make stack operations take time. moto completes a create or an
//! update at once; real stacks take minutes, which is what the polling, the growing waits and
//! the hand-over to continuation jobs are for. For `hold` after a CreateStack or UpdateStack
//! passed through the proxy, DescribeStacks reports that stack as `CREATE_IN_PROGRESS` or
//! `UPDATE_IN_PROGRESS`, whatever moto says.
//!
//! CloudFormation speaks awsQuery: XML answers in which each stack is a `<member>` starting with
//! its `<StackId>`.

use std::collections::HashMap;
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

use stackflow_local_cloudformation::wire::element;

/// A held operation: which kind, and when it passed through.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Held {
    Create(Instant),
    Update(Instant),
}

impl Held {
    fn since(self) -> Instant {
        match self {
            Held::Create(at) | Held::Update(at) => at,
        }
    }
    fn status(self) -> &'static str {
        match self {
            Held::Create(_) => "CREATE_IN_PROGRESS",
            Held::Update(_) => "UPDATE_IN_PROGRESS",
        }
    }
}

/// The stacks held in progress (zero `hold`: none ever is).
#[derive(Debug)]
pub struct Holds {
    hold: Duration,
    /// By stack id.
    held: Mutex<HashMap<String, Held>>,
}

impl Holds {
    pub fn new(hold: Duration) -> Self {
        Holds {
            hold,
            held: Mutex::new(HashMap::new()),
        }
    }

    fn active(&self) -> bool {
        !self.hold.is_zero()
    }

    /// A CloudFormation answer moto gave to `action`, as the functions get it; `None`: as it is.
    pub fn answer(&self, action: Option<&str>, text: &str) -> Option<String> {
        if !self.active() {
            return None;
        }
        match action {
            Some("CreateStack") => self.record(text, Held::Create(Instant::now())),
            Some("UpdateStack") => self.record(text, Held::Update(Instant::now())),
            Some("DescribeStacks") => return self.rewrite(text),
            _ => {}
        }
        None
    }

    /// A create or update moto accepted: hold the stack of its `<StackId>` from now on.
    fn record(&self, answer: &str, held: Held) {
        if let Some(id) = element(answer, "StackId") {
            tracing::info!(
                stack_id = id,
                status = held.status(),
                hold_seconds = self.hold.as_secs(),
                "holding the stack operation in progress"
            );
            self.lock().insert(id.to_string(), held);
        }
    }

    /// The DescribeStacks answer with every held stack's status replaced; `None` while no stack
    /// is held.
    fn rewrite(&self, answer: &str) -> Option<String> {
        let mut held = self.lock();
        held.retain(|_, operation| operation.since().elapsed() < self.hold);
        if held.is_empty() {
            return None;
        }
        let text = held
            .iter()
            .fold(answer.to_string(), |text, (id, operation)| {
                replace_status(&text, id, operation.status())
            });
        Some(text)
    }

    fn lock(&self) -> MutexGuard<'_, HashMap<String, Held>> {
        self.held.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// In the stack member whose `<StackId>` is `stack_id`, set `<StackStatus>` to `status`. The
/// status belongs to that stack only if it comes before the next stack's `<StackId>`.
fn replace_status(xml: &str, stack_id: &str, status: &str) -> String {
    let marker = format!("<StackId>{stack_id}</StackId>");
    let Some(at) = xml.find(&marker) else {
        return xml.to_string();
    };
    let after = at + marker.len();
    let rest = &xml[after..];
    let next_stack = rest.find("<StackId>").unwrap_or(rest.len());
    let (Some(open), Some(close)) = (rest.find("<StackStatus>"), rest.find("</StackStatus>"))
    else {
        return xml.to_string();
    };
    if open > next_stack || close < open {
        return xml.to_string();
    }
    let value_start = after + open + "<StackStatus>".len();
    let value_end = after + close;
    format!("{}{status}{}", &xml[..value_start], &xml[value_end..])
}

#[cfg(test)]
#[path = "hold_tests.rs"]
mod tests;
