//! Termination protection, which moto (5.2.5) keeps from CreateStack but cannot change: it
//! has no UpdateTerminationProtection. The layer answers that call as CloudFormation does (the
//! stack's id), shows the setting in DescribeStacks from then on, and refuses the DeleteStack
//! of a stack it protected.

use std::sync::{Mutex, MutexGuard, PoisonError};

use crate::outcomes::overlay::{edit_list, response, set_element};
use crate::request::StackRequest;
use crate::wire::{element, xml_escape};
use crate::Reply;

/// The settings UpdateTerminationProtection made, by the stack name or id it was given.
#[derive(Debug, Default)]
pub struct Protection {
    set: Mutex<Vec<(String, bool)>>,
}

impl Protection {
    fn set(&self) -> MutexGuard<'_, Vec<(String, bool)>> {
        self.set.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn protected(&self, name_or_id: &str) -> Option<bool> {
        self.set()
            .iter()
            .find_map(|(key, on)| (key == name_or_id).then_some(*on))
    }

    /// Before moto: UpdateTerminationProtection answered; a protected stack's DeleteStack
    /// refused; a CreateStack or a DeleteStack forgets the name's setting.
    pub fn before(&self, request: &StackRequest) -> Option<Reply> {
        let name = request.stack_name()?;
        match request.action.as_str() {
            "UpdateTerminationProtection" => {
                let on = request.value("EnableTerminationProtection") == Some("true");
                let mut set = self.set();
                set.retain(|(key, _)| key != name);
                set.push((name.to_string(), on));
                let id = format!("<StackId>{}</StackId>", xml_escape(name));
                Some(Reply::Body(response("UpdateTerminationProtection", &id)))
            }
            // CloudFormation's words (`DeleteStack` on a protected stack), as
            // steps/deploy_stack/teardown.rs quotes them.
            "DeleteStack" if self.protected(name) == Some(true) => Some(Reply::refused(
                "ValidationError",
                format!("Stack [{name}] cannot be deleted while TerminationProtection is enabled"),
            )),
            "DeleteStack" | "CreateStack" => {
                self.set().retain(|(key, _)| key != name);
                None
            }
            _ => None,
        }
    }

    /// A DescribeStacks answer with the settings made here shown on their stacks; `None` when
    /// none applies.
    pub fn shown(&self, request: &StackRequest, body: &str) -> Option<String> {
        if request.action != "DescribeStacks" || self.set().is_empty() {
            return None;
        }
        let rewritten = edit_list(
            body,
            "Stacks",
            |member| {
                let setting = ["StackId", "StackName"]
                    .into_iter()
                    .filter_map(|name| element(member, name))
                    .find_map(|key| self.protected(key));
                match setting {
                    Some(on) => set_element(
                        member,
                        "EnableTerminationProtection",
                        Some(if on { "true" } else { "false" }),
                    ),
                    None => member.to_string(),
                }
            },
            "",
        )?;
        (rewritten != body).then_some(rewritten)
    }
}

#[cfg(test)]
#[path = "protection_tests.rs"]
mod tests;
