//! ClientRequestToken, honoured. CloudFormation takes a retried CreateStack, UpdateStack or
//! DeleteStack with the same token as the same request ("Specify this token if you plan to
//! retry requests so that CloudFormation knows that you're not attempting to create a stack
//! with the same name", CreateStack API reference,
//! https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_CreateStack.html).
//! moto ignores tokens: the SDK's retry of a call moto answered with a 500 would meet
//! AlreadyExistsException. The layer answers a retry with the first call's answer.

use std::collections::HashMap;
use std::sync::{Mutex, PoisonError};

use crate::request::StackRequest;

/// Answers kept at most; the oldest go first. A local run makes a few hundred calls at most.
const MAX_KEPT: usize = 2_000;

/// The actions whose token makes a retry the same request.
fn is_idempotent(action: &str) -> bool {
    matches!(action, "CreateStack" | "UpdateStack" | "DeleteStack")
}

/// (action, stack name as sent, token).
type Key = (String, String, String);

/// The first successful answer of each (action, stack, token).
#[derive(Debug, Default)]
pub struct Tokens {
    answers: Mutex<(HashMap<Key, String>, Vec<Key>)>,
}

fn key(request: &StackRequest) -> Option<Key> {
    if !is_idempotent(&request.action) {
        return None;
    }
    Some((
        request.action.clone(),
        request.stack_name()?.to_string(),
        request.client_request_token()?.to_string(),
    ))
}

impl Tokens {
    /// The answer an earlier call with the same action, stack and token got.
    pub fn replay(&self, request: &StackRequest) -> Option<String> {
        let key = key(request)?;
        let answers = self.answers.lock().unwrap_or_else(PoisonError::into_inner);
        answers.0.get(&key).cloned()
    }

    /// `answer` (a success) is what `request` got: a retry gets it too. The first answer stays.
    pub fn record(&self, request: &StackRequest, answer: &str) {
        let Some(key) = key(request) else {
            return;
        };
        let mut answers = self.answers.lock().unwrap_or_else(PoisonError::into_inner);
        let (map, order) = &mut *answers;
        if map.contains_key(&key) {
            return;
        }
        if order.len() >= MAX_KEPT {
            let oldest = order.remove(0);
            map.remove(&oldest);
        }
        order.push(key.clone());
        map.insert(key, answer.to_string());
    }
}

#[cfg(test)]
#[path = "tokens_tests.rs"]
mod tests;
