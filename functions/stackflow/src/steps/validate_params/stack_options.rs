//! The UserParameters' stack options: rollback alarms and their monitoring time, termination
//! protection, what a failure keeps, and notification topics. Each is checked as CloudFormation
//! would check it, so a mistake fails the pipeline before the stack operation starts.

use std::ops::RangeInclusive;

use serde_json::Value;

use super::{invalid, wrong_type, Fields};
use crate::contract::{OnFailure, StackOptions};
use crate::error::Error;

/// CloudFormation takes at most 5 rollback triggers and 5 notification ARNs: AWS's service
/// model for CloudFormation (2010-05-15, as botocore 1.44.8 ships it) gives RollbackTriggers and
/// NotificationARNs `max: 5`; the API Reference pages' own wording was not found.
pub const MAX_ROLLBACK_ALARMS: usize = 5;
pub const MAX_NOTIFICATION_ARNS: usize = 5;
/// MonitoringTimeInMinutes: "Valid Range: Minimum value of 0. Maximum value of 180."
/// (https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_RollbackConfiguration.html)
pub const MONITORING_MINUTES: RangeInclusive<u32> = 0..=180;

const ON_FAILURE: [OnFailure; 2] = [OnFailure::Rollback, OnFailure::RetainExceptOnCreate];

/// The stack options of checked UserParameters (`check_keys` has refused those the mode does
/// not take).
pub(super) fn parse(fields: &Fields) -> Result<StackOptions, Error> {
    let monitoring_minutes = match fields.optional("monitoringMinutes") {
        None => None,
        Some(_) => Some(fields.integer_in("monitoringMinutes", MONITORING_MINUTES, 0)?),
    };
    Ok(StackOptions {
        rollback_alarms: arn_list(fields, "rollbackAlarms", MAX_ROLLBACK_ALARMS, Arn::Alarm)?,
        monitoring_minutes,
        termination_protection: match fields.optional("terminationProtection") {
            None => None,
            Some(_) => Some(fields.bool_or("terminationProtection", false)?),
        },
        on_failure: on_failure(fields.optional("onFailure"))?,
        notification_arns: arn_list(
            fields,
            "notificationArns",
            MAX_NOTIFICATION_ARNS,
            Arn::Topic,
        )?,
    })
}

fn on_failure(value: Option<&Value>) -> Result<OnFailure, Error> {
    let names = || {
        ON_FAILURE
            .iter()
            .map(|choice| format!("`{}`", choice.as_str()))
            .collect::<Vec<_>>()
            .join(" or ")
    };
    match value {
        None => Ok(OnFailure::default()),
        Some(Value::String(text)) => ON_FAILURE
            .into_iter()
            .find(|choice| choice.as_str() == text)
            .ok_or_else(|| {
                invalid(format_args!(
                    "`onFailure` `{text}` is not a failure behaviour; it is {}",
                    names()
                ))
            }),
        Some(other) => Err(wrong_type("onFailure", &names(), other)),
    }
}

/// The kinds of ARN the options take.
#[derive(Clone, Copy)]
enum Arn {
    /// `arn:<partition>:cloudwatch:<region>:<account>:alarm:<name>`
    Alarm,
    /// `arn:<partition>:sns:<region>:<account>:<name>`
    Topic,
}

impl Arn {
    fn shape(self) -> &'static str {
        match self {
            Arn::Alarm => "a CloudWatch alarm ARN (arn:aws:cloudwatch:<region>:<12-digit account>:alarm:<name>)",
            Arn::Topic => "an SNS topic ARN (arn:aws:sns:<region>:<12-digit account>:<name>)",
        }
    }

    fn fits(self, arn: &str) -> bool {
        let parts: Vec<&str> = arn.splitn(6, ':').collect();
        let [prefix, partition, service, region, account, rest] = parts.as_slice() else {
            return false;
        };
        let common = *prefix == "arn"
            && is_label(partition)
            && is_label(region)
            && account.len() == 12
            && account.bytes().all(|b| b.is_ascii_digit());
        common
            && match self {
                Arn::Alarm => {
                    *service == "cloudwatch"
                        && rest
                            .strip_prefix("alarm:")
                            .is_some_and(|name| !name.is_empty())
                }
                // A topic name: letters, digits, hyphens and underscores (a FIFO topic ends in
                // `.fifo`), 1–256 characters.
                Arn::Topic => {
                    *service == "sns"
                        && (1..=256).contains(&rest.len())
                        && rest
                            .strip_suffix(".fifo")
                            .unwrap_or(rest)
                            .bytes()
                            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
                }
            }
    }
}

/// A partition or region: lower-case letters, digits and hyphens, not empty.
fn is_label(text: &str) -> bool {
    !text.is_empty()
        && text
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

/// A list of ARNs of one kind, at most `max`, duplicates dropped; `None` when the key is left
/// out (an empty list is kept: it removes the stack's own).
fn arn_list(
    fields: &Fields,
    key: &str,
    max: usize,
    kind: Arn,
) -> Result<Option<Vec<String>>, Error> {
    if fields.optional(key).is_none() {
        return Ok(None);
    }
    let mut arns: Vec<String> = Vec::new();
    for arn in fields.string_list(key)? {
        if !kind.fits(arn) {
            return Err(invalid(format_args!(
                "`{key}` has `{arn}`, which is not {}",
                kind.shape()
            )));
        }
        if !arns.iter().any(|seen| seen == arn) {
            arns.push(arn.to_string());
        }
    }
    if arns.len() > max {
        return Err(invalid(format_args!(
            "`{key}` has {} ARNs; CloudFormation takes at most {max}",
            arns.len()
        )));
    }
    Ok(Some(arns))
}

#[cfg(test)]
#[path = "stack_options_tests.rs"]
mod tests;
