//! moto's stack events carry no ClientRequestToken. CloudFormation's carry the token of the
//! operation that caused them, and stackflow reads it to tell its own operation from another's
//! (a busy stack, a timeout: "is the operation in progress this deployment's?"). The layer notes
//! when each create, update or delete that moto accepted began, and with which token, and
//! writes that token into the events moto logged from then on.

use std::collections::HashMap;
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::SystemTime;

use super::overlay::{edit_list, timestamp};
use crate::request::StackRequest;
use crate::wire::{element, xml_escape};

/// An operation moto accepted: when it began (as CloudFormation writes times) and its token.
type Started = (String, String);

#[derive(Debug, Default)]
pub struct EventTokens {
    /// By (stack name, token): operations on their way to moto.
    pending: Mutex<HashMap<(String, String), String>>,
    /// By stack name, oldest first.
    started: Mutex<HashMap<String, Vec<Started>>>,
}

fn locked<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

/// The stack name a request names, by name or by its id
/// (`arn:…:stack/<name>/<uuid>`).
fn stack_name(request: &StackRequest) -> Option<&str> {
    let named = request.stack_name()?;
    Some(match named.split_once(":stack/") {
        Some((_, rest)) => rest.split('/').next().unwrap_or(rest),
        None => named,
    })
}

/// A create, update or delete with a token: what events of that operation carry.
fn key(request: &StackRequest) -> Option<(String, String)> {
    if !matches!(
        request.action.as_str(),
        "CreateStack" | "UpdateStack" | "DeleteStack" | "ExecuteChangeSet"
    ) {
        return None;
    }
    let token = request.client_request_token()?;
    Some((stack_name(request)?.to_string(), token.to_string()))
}

impl EventTokens {
    /// Before moto sees `request`: the time its events can begin at.
    pub fn begin(&self, request: &StackRequest) {
        if let Some(key) = key(request) {
            locked(&self.pending).insert(key, timestamp(SystemTime::now()));
        }
    }

    /// moto accepted `request`: its events from then on are its token's.
    pub fn accepted(&self, request: &StackRequest) {
        let Some(key) = key(request) else {
            return;
        };
        if let Some(at) = locked(&self.pending).remove(&key) {
            let (stack, token) = key;
            locked(&self.started)
                .entry(stack)
                .or_default()
                .push((at, token));
        }
    }

    /// A DescribeStackEvents answer with each event that has no token given the token of the
    /// latest operation begun at or before it; `None`: nothing to add.
    pub fn stamp(&self, xml: &str) -> Option<String> {
        let started = locked(&self.started);
        if started.is_empty() || !xml.contains("<StackEvents>") {
            return None;
        }
        edit_list(
            xml,
            "StackEvents",
            |member| stamp_member(member, &started),
            "",
        )
    }
}

fn stamp_member(member: &str, started: &HashMap<String, Vec<Started>>) -> String {
    if member.contains("<ClientRequestToken>") {
        return member.to_string();
    }
    let (Some(stack), Some(at)) = (element(member, "StackName"), element(member, "Timestamp"))
    else {
        return member.to_string();
    };
    // Both times are ISO 8601 in UTC with milliseconds: as text they sort as times.
    let token = started.get(stack).and_then(|operations| {
        operations
            .iter()
            .rev()
            .find(|(began, _)| began.as_str() <= at)
            .map(|(_, token)| token)
    });
    match (token, member.rfind("</member>")) {
        (Some(token), Some(end)) => format!(
            "{}<ClientRequestToken>{}</ClientRequestToken>{}",
            &member[..end],
            xml_escape(token),
            &member[end..]
        ),
        _ => member.to_string(),
    }
}

#[cfg(test)]
#[path = "event_tokens_tests.rs"]
mod tests;
