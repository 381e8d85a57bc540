//! Which UserParameters keys each mode takes, and which it needs. A key that does not apply to
//! the mode is refused by name, as an unknown key is: `file` on a `delete` would otherwise be
//! silently ignored, and a person reading the pipeline would think it mattered.

use crate::contract::Mode;

/// Every key UserParameters accepts, in any mode, in the order the documentation gives them.
pub const ACCEPTED_KEYS: &[&str] = &[
    "mode",
    "stack",
    "artifact",
    "file",
    "config",
    "parameters",
    "capabilities",
    "roleArn",
    "tags",
    "replaceOnFailure",
    "changeSetName",
    "outputFile",
    "pollSeconds",
    "timeoutMinutes",
    "rollbackAlarms",
    "monitoringMinutes",
    "terminationProtection",
    "onFailure",
    "notificationArns",
];

/// The keys of every mode.
const COMMON: &[&str] = &["mode", "stack", "pollSeconds", "timeoutMinutes"];
/// The keys of a mode that deploys a template from the input artifact.
const TEMPLATE: &[&str] = &[
    "artifact",
    "file",
    "config",
    "parameters",
    "capabilities",
    "roleArn",
    "tags",
    "replaceOnFailure",
    "outputFile",
];
/// What CloudFormation watches and notifies during a create or update, which CreateStack,
/// UpdateStack and CreateChangeSet all take (an executed change set keeps its own).
const WATCH: &[&str] = &["rollbackAlarms", "monitoringMinutes", "notificationArns"];

/// Whether `mode` takes `key`.
pub fn applies(mode: Mode, key: &str) -> bool {
    let own: &[&str] = match mode {
        // Termination protection is set on the stack itself (UpdateTerminationProtection), which
        // a change set made for review must not touch before it is reviewed; `onFailure` is a
        // parameter of the operation (RetainExceptOnCreate), which a change set cannot carry.
        Mode::Deploy => {
            return COMMON.contains(&key)
                || TEMPLATE.contains(&key)
                || WATCH.contains(&key)
                || key == "terminationProtection"
                || key == "onFailure"
        }
        Mode::CreateChangeSet => {
            return COMMON.contains(&key)
                || TEMPLATE.contains(&key)
                || WATCH.contains(&key)
                || key == "changeSetName"
        }
        // The change set carries its template, parameters, role, alarms and topics; the stack's
        // outputs are there to write once it ran; ExecuteChangeSet takes RetainExceptOnCreate.
        Mode::ExecuteChangeSet => &["changeSetName", "outputFile", "onFailure"],
        // A deleted stack has no outputs; its role deletes the resources.
        Mode::Delete => &["roleArn"],
    };
    COMMON.contains(&key) || own.contains(&key)
}

/// The keys `mode` takes, in documentation order.
pub fn keys_of(mode: Mode) -> Vec<&'static str> {
    ACCEPTED_KEYS
        .iter()
        .copied()
        .filter(|key| applies(mode, key))
        .collect()
}

/// The keys `mode` cannot do without.
pub fn required_keys(mode: Mode) -> &'static [&'static str] {
    match mode {
        Mode::Deploy => &["stack", "artifact", "file"],
        Mode::CreateChangeSet => &["stack", "artifact", "file", "changeSetName"],
        Mode::ExecuteChangeSet => &["stack", "changeSetName"],
        Mode::Delete => &["stack"],
    }
}

/// Every mode, in documentation order.
pub const MODES: [Mode; 4] = [
    Mode::Deploy,
    Mode::CreateChangeSet,
    Mode::ExecuteChangeSet,
    Mode::Delete,
];

#[cfg(test)]
#[path = "mode_keys_tests.rs"]
mod tests;
