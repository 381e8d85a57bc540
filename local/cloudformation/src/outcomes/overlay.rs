//! A failed operation, as CloudFormation would leave the stack, and the answers it rewrites:
//! DescribeStacks (the status, and after a failed update the parameters and outputs from
//! before it), DescribeStackEvents (the failure and the rollback, newest first, with the
//! request's ClientRequestToken), ListStacks; a whole stack when moto has none.
//!
//! awsQuery answers are XML in which each stack, event or summary is a `<member>` (and a
//! stack's parameters and outputs are `<member>`s inside it).

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use super::failure::Culprit;
use crate::wire::{element, xml_escape};

const NAMESPACE: &str = "http://cloudformation.amazonaws.com/doc/2010-05-15/";
const STACK_TYPE: &str = "AWS::CloudFormation::Stack";
/// Marks the reason the layer wrote, so no one takes it for AWS's words.
pub const EMULATOR_MARK: &str = "[local emulator] ";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Operation {
    Create,
    Update,
}

/// A CreateStack or UpdateStack moto failed, which reads as rolled back from then on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FailedOperation {
    pub operation: Operation,
    pub stack_id: String,
    pub stack_name: String,
    /// The resource blamed; `None`: the stack itself.
    pub culprit: Option<Culprit>,
    /// Update: the culprit was in the stack before (UPDATE_FAILED), not added (CREATE_FAILED).
    pub culprit_existed: bool,
    /// Why, as the emulator tells it (without [`EMULATOR_MARK`]).
    pub failure: String,
    pub token: Option<String>,
    pub at: SystemTime,
    /// moto keeps a (half-made) stack of this id.
    pub moto_has_stack: bool,
    /// Update: the stack's `<member>` as moto described it before the update.
    pub before: Option<String>,
}

impl FailedOperation {
    pub fn status(&self) -> &'static str {
        match self.operation {
            Operation::Create => "ROLLBACK_COMPLETE",
            Operation::Update => "UPDATE_ROLLBACK_COMPLETE",
        }
    }

    pub fn names(&self, name_or_id: &str) -> bool {
        name_or_id == self.stack_name || name_or_id == self.stack_id
    }

    fn failed_verb(&self) -> &'static str {
        match self.operation {
            Operation::Update if self.culprit_existed => "update",
            _ => "create",
        }
    }

    /// The rollback's reason. Wording as CloudFormation's ("The following resource(s) failed
    /// to create: [X]. Rollback requested by user.", quoted in
    /// https://fixdevs.com/blog/aws-cloudformation-rollback-complete/ ; "The following
    /// resource(s) failed to update: [X].", quoted in
    /// https://github.com/serverless/serverless/issues/1745).
    fn rollback_reason(&self) -> String {
        let failed = self
            .culprit
            .as_ref()
            .map_or(self.stack_name.as_str(), |c| c.logical_id.as_str());
        match self.operation {
            Operation::Create => format!(
                "The following resource(s) failed to create: [{failed}]. Rollback requested by user."
            ),
            Operation::Update => format!(
                "The following resource(s) failed to {}: [{failed}].",
                self.failed_verb()
            ),
        }
    }

    /// The stack's StackStatusReason: a rolled-back create keeps the rollback's reason.
    fn stack_reason(&self) -> Option<String> {
        (self.operation == Operation::Create).then(|| self.rollback_reason())
    }

    /// The events the operation left, newest first.
    pub fn events(&self) -> String {
        let stack = |status: &str, reason: Option<String>| EventLine {
            logical_id: self.stack_name.clone(),
            physical_id: self.stack_id.clone(),
            type_name: STACK_TYPE.to_string(),
            status: status.to_string(),
            reason,
        };
        let failed_reason = Some(format!("{EMULATOR_MARK}{}", self.failure));
        let verb = self.failed_verb().to_ascii_uppercase();
        let (start, rollback, done) = match self.operation {
            Operation::Create => (
                "CREATE_IN_PROGRESS",
                "ROLLBACK_IN_PROGRESS",
                "ROLLBACK_COMPLETE",
            ),
            Operation::Update => (
                "UPDATE_IN_PROGRESS",
                "UPDATE_ROLLBACK_IN_PROGRESS",
                "UPDATE_ROLLBACK_COMPLETE",
            ),
        };
        // Oldest first, then reversed.
        let mut lines = vec![stack(start, Some("User Initiated".to_string()))];
        match &self.culprit {
            Some(culprit) => {
                let resource = |status: String, reason: Option<String>| EventLine {
                    logical_id: culprit.logical_id.clone(),
                    physical_id: String::new(),
                    type_name: culprit.type_name.clone(),
                    status,
                    reason,
                };
                lines.push(resource(format!("{verb}_IN_PROGRESS"), None));
                lines.push(resource(format!("{verb}_FAILED"), failed_reason));
            }
            None => lines.push(stack(&format!("{verb}_FAILED"), failed_reason)),
        }
        lines.push(stack(rollback, Some(self.rollback_reason())));
        if self.operation == Operation::Update {
            lines.push(stack("UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS", None));
        }
        lines.push(stack(done, None));
        lines
            .iter()
            .enumerate()
            .rev()
            .map(|(n, line)| self.event_member(line, n))
            .collect()
    }

    fn event_member(&self, line: &EventLine, n: usize) -> String {
        let at = self.at + Duration::from_millis(n as u64);
        let mut xml = format!(
            "<member><StackId>{}</StackId><EventId>{}</EventId><StackName>{}</StackName>\
             <LogicalResourceId>{}</LogicalResourceId><PhysicalResourceId>{}</PhysicalResourceId>\
             <ResourceType>{}</ResourceType><Timestamp>{}</Timestamp>\
             <ResourceStatus>{}</ResourceStatus>",
            xml_escape(&self.stack_id),
            uuid::Uuid::new_v4(),
            xml_escape(&self.stack_name),
            xml_escape(&line.logical_id),
            xml_escape(&line.physical_id),
            xml_escape(&line.type_name),
            timestamp(at),
            line.status,
        );
        if let Some(reason) = &line.reason {
            xml.push_str(&format!(
                "<ResourceStatusReason>{}</ResourceStatusReason>",
                xml_escape(reason)
            ));
        }
        if let Some(token) = &self.token {
            xml.push_str(&format!(
                "<ClientRequestToken>{}</ClientRequestToken>",
                xml_escape(token)
            ));
        }
        xml.push_str("</member>");
        xml
    }

    /// moto's `<member>` of this stack, as CloudFormation would describe it.
    pub fn rewrite_member(&self, member: &str) -> String {
        let mut member = set_element(member, "StackStatus", Some(self.status()));
        let reason = self.stack_reason().map(|reason| xml_escape(&reason));
        member = set_element(&member, "StackStatusReason", reason.as_deref());
        if let Some(before) = &self.before {
            for name in ["Parameters", "Outputs"] {
                member = set_element(&member, name, element(before, name));
            }
        }
        member
    }

    /// The whole `<member>` of a stack moto does not have.
    pub fn member(&self) -> String {
        let reason = self
            .stack_reason()
            .map(|reason| {
                format!(
                    "<StackStatusReason>{}</StackStatusReason>",
                    xml_escape(&reason)
                )
            })
            .unwrap_or_default();
        format!(
            "<member><StackId>{}</StackId><StackName>{}</StackName>\
             <CreationTime>{}</CreationTime><StackStatus>{}</StackStatus>{reason}\
             <DisableRollback>false</DisableRollback><NotificationARNs/><Tags/>\
             <EnableTerminationProtection>false</EnableTerminationProtection></member>",
            xml_escape(&self.stack_id),
            xml_escape(&self.stack_name),
            timestamp(self.at),
            self.status(),
        )
    }

    /// The ListStacks `<member>` of a stack moto does not have.
    pub fn summary(&self) -> String {
        format!(
            "<member><StackId>{}</StackId><StackName>{}</StackName>\
             <CreationTime>{}</CreationTime><StackStatus>{}</StackStatus></member>",
            xml_escape(&self.stack_id),
            xml_escape(&self.stack_name),
            timestamp(self.at),
            self.status(),
        )
    }
}

struct EventLine {
    logical_id: String,
    physical_id: String,
    type_name: String,
    status: String,
    reason: Option<String>,
}

/// `<action>Response` with `result` (the `<…Result>` element's inner XML).
pub fn response(action: &str, result: &str) -> String {
    format!(
        "<{action}Response xmlns=\"{NAMESPACE}\"><{action}Result>{result}</{action}Result>\
         <ResponseMetadata><RequestId>{}</RequestId></ResponseMetadata></{action}Response>",
        uuid::Uuid::new_v4()
    )
}

/// An answer without a result element (DeleteStack's).
pub fn empty_response(action: &str) -> String {
    format!(
        "<{action}Response xmlns=\"{NAMESPACE}\"><ResponseMetadata><RequestId>{}</RequestId>\
         </ResponseMetadata></{action}Response>",
        uuid::Uuid::new_v4()
    )
}

/// The list element `list` of `xml` (`<list>…</list>` or `<list/>`) with each top-level
/// `<member>` passed through `rewrite` and `extra` members appended; `None` without the list.
pub fn edit_list(
    xml: &str,
    list: &str,
    rewrite: impl Fn(&str) -> String,
    extra: &str,
) -> Option<String> {
    let empty = format!("<{list}/>");
    let open = format!("<{list}>");
    let close = format!("</{list}>");
    let (start, inner, end) = match (xml.find(&open), xml.find(&empty)) {
        (Some(at), _) => {
            let inner_start = at + open.len();
            let inner_end = inner_start + xml[inner_start..].rfind(&close)?;
            (at, &xml[inner_start..inner_end], inner_end + close.len())
        }
        (None, Some(at)) => (at, "", at + empty.len()),
        (None, None) => return None,
    };
    let members: String = split_members(inner).into_iter().map(rewrite).collect();
    Some(format!(
        "{}{open}{members}{extra}{close}{}",
        &xml[..start],
        &xml[end..]
    ))
}

/// The top-level `<member>…</member>` elements of `inner`, in order.
fn split_members(inner: &str) -> Vec<&str> {
    let mut members = Vec::new();
    let (mut depth, mut start, mut at) = (0usize, 0usize, 0usize);
    while let Some(offset) = inner[at..].find('<') {
        let tag = at + offset;
        let rest = &inner[tag..];
        if rest.starts_with("<member/>") {
            at = tag + "<member/>".len();
            if depth == 0 {
                members.push(&inner[tag..at]);
            }
        } else if rest.starts_with("<member>") {
            if depth == 0 {
                start = tag;
            }
            depth += 1;
            at = tag + "<member>".len();
        } else if rest.starts_with("</member>") {
            at = tag + "</member>".len();
            if depth == 1 {
                members.push(&inner[start..at]);
            }
            depth = depth.saturating_sub(1);
        } else {
            at = tag + 1;
        }
    }
    members
}

/// `xml` (one stack `<member>`) with its first `<name>` element's text set to `value`, or
/// removed when `value` is `None`; added before the closing tag when missing.
pub fn set_element(xml: &str, name: &str, value: Option<&str>) -> String {
    let open = format!("<{name}>");
    let close = format!("</{name}>");
    let empty = format!("<{name}/>");
    let whole = |inner: &str| format!("{open}{inner}{close}");
    let span = match (xml.find(&open), xml.find(&empty)) {
        (Some(at), _) => xml[at..]
            .find(&close)
            .map(|end| (at, at + end + close.len())),
        (None, Some(at)) => Some((at, at + empty.len())),
        (None, None) => None,
    };
    match (span, value) {
        (Some((start, end)), value) => format!(
            "{}{}{}",
            &xml[..start],
            value.map(whole).unwrap_or_default(),
            &xml[end..]
        ),
        (None, Some(value)) => match xml.rfind("</member>") {
            Some(at) => format!("{}{}{}", &xml[..at], whole(value), &xml[at..]),
            None => xml.to_string(),
        },
        (None, None) => xml.to_string(),
    }
}

/// `at` as CloudFormation writes times: ISO 8601 in UTC, e.g. `2026-12-02T00:45:06.753Z`.
pub fn timestamp(at: SystemTime) -> String {
    let since = at.duration_since(UNIX_EPOCH).unwrap_or_default();
    let seconds = since.as_secs();
    let (days, of_day) = (seconds / 86_400, seconds % 86_400);
    let (year, month, day) = civil_from_days(days);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}.{:03}Z",
        of_day / 3_600,
        of_day % 3_600 / 60,
        of_day % 60,
        since.subsec_millis()
    )
}

/// Days since 1970-01-01 as (year, month, day): Howard Hinnant's `civil_from_days`.
fn civil_from_days(days: u64) -> (u64, u64, u64) {
    let z = days + 719_468;
    let era = z / 146_097;
    let doe = z % 146_097;
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + u64::from(month <= 2);
    (year, month, day)
}

#[cfg(test)]
#[path = "overlay_tests.rs"]
mod tests;
