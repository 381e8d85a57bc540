//! Failed operations become CloudFormation outcomes. moto answers some CreateStack and
//! UpdateStack calls with an HTTP 500 or another service's error and leaves the stack in
//! progress for ever (or makes none); CloudFormation accepts them and rolls the stack back. The
//! layer answers such a call as CloudFormation does (the stack's id), and from then on the
//! stack reads rolled back (`overlay`): ROLLBACK_COMPLETE after a create, UPDATE_ROLLBACK_COMPLETE
//! with the old parameters and outputs after an update, with the events that say which
//! resource failed, marked as the emulator's words. A DeleteStack, or a later create or update
//! moto completes, ends the overlay. Retries with the same ClientRequestToken get the first
//! answer (`tokens`), and moto's events carry their operation's token (`event_tokens`).

pub mod event_tokens;
pub mod failure;
pub mod overlay;
pub mod tokens;

use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::SystemTime;

use stackflow::template_document::TemplateDocument;

use crate::request::{StackRequest, TemplateReader};
use crate::wire::{element, xml_escape};
use crate::Reply;
use event_tokens::EventTokens;
use failure::{culprit, emulator_failure, error_code, told, EmulatorFailure};
use overlay::{edit_list, empty_response, response, FailedOperation, Operation};
use tokens::Tokens;

/// The local environment's region and account (stackflow_environment::aws), for the ARN of a
/// stack moto did not make.
const REGION: &str = "us-east-1";
const ACCOUNT_ID: &str = "123456789012";

/// A stack as it was before an UpdateStack: its `<member>`, its template's logical IDs and
/// the EventId of its newest event.
#[derive(Debug, Clone)]
struct Snapshot {
    stack_name: String,
    member: String,
    logical_ids: Vec<String>,
    newest_event: Option<String>,
}

/// The failed operations, tokens and pending snapshots of one environment.
#[derive(Debug)]
pub struct Outcomes {
    moto: TemplateReader,
    tokens: Tokens,
    event_tokens: EventTokens,
    failed: Mutex<Vec<FailedOperation>>,
    snapshots: Mutex<Vec<Snapshot>>,
}

fn locked<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

impl Outcomes {
    /// `moto`: where moto is (it serves CloudFormation and S3 on one port).
    pub fn new(moto: TemplateReader) -> Self {
        Outcomes {
            moto,
            tokens: Tokens::default(),
            event_tokens: EventTokens::default(),
            failed: Mutex::new(Vec::new()),
            snapshots: Mutex::new(Vec::new()),
        }
    }

    fn overlay(&self, name_or_id: &str) -> Option<FailedOperation> {
        locked(&self.failed)
            .iter()
            .find(|failed| failed.names(name_or_id))
            .cloned()
    }

    fn clear(&self, name_or_id: &str) {
        locked(&self.failed).retain(|failed| !failed.names(name_or_id));
    }

    /// Before moto: a retry's first answer, CloudFormation's refusal of a rolled-back create's
    /// stack, the delete of a stack moto does not have; the snapshot before an update.
    pub async fn before(&self, request: &StackRequest) -> Option<Reply> {
        if let Some(answer) = self.tokens.replay(request) {
            return Some(Reply::Body(answer));
        }
        self.event_tokens.begin(request);
        let name = request.stack_name()?;
        let failed = self.overlay(name);
        match (request.action.as_str(), failed) {
            (action, Some(failed))
                if failed.operation == Operation::Create && action != "DeleteStack" =>
            {
                refuse_over_rollback(action, &failed)
            }
            ("DeleteStack", Some(failed)) if !failed.moto_has_stack => {
                self.clear(name);
                let answer = empty_response("DeleteStack");
                self.tokens.record(request, &answer);
                Some(Reply::Body(answer))
            }
            ("UpdateStack", _) => {
                self.snapshot(name).await;
                None
            }
            ("CreateChangeSet", _) if request.value("ChangeSetType") == Some("CREATE") => {
                self.clear_review_stack(name).await;
                None
            }
            _ => None,
        }
    }

    /// A CREATE change set for a stack only a change set made (REVIEW_IN_PROGRESS, never
    /// executed) joins that stack on AWS; moto would make a second stack of the name, and
    /// keep answering DescribeStacks by name with the first. So moto's unexecuted stack goes
    /// first (it has no resources); the stack comes back under a new id.
    async fn clear_review_stack(&self, name: &str) {
        let Some(member) = self.describe(name).await else {
            return;
        };
        if element(&member, "StackStatus") != Some("REVIEW_IN_PROGRESS") {
            return;
        }
        if let Some(id) = element(&member, "StackId") {
            tracing::info!(
                stack = name,
                "removing moto's unexecuted review stack before a new CREATE change set"
            );
            self.moto_call(&[("Action", "DeleteStack"), ("StackName", id)])
                .await;
        }
    }

    /// moto answered `request` with `status` and `body`: the layer's answer instead, if any.
    pub async fn after(&self, request: &StackRequest, status: u16, body: &str) -> Option<Reply> {
        let action = request.action.as_str();
        match action {
            "CreateStack" | "UpdateStack" | "DeleteStack" => {
                self.after_operation(request, status, body).await
            }
            "DescribeStackEvents" => {
                let stamped = self.event_tokens.stamp(body);
                let body = stamped.as_deref().unwrap_or(body);
                self.rewrite(request, status, body)
                    .or_else(|| stamped.map(Reply::Body))
            }
            "DescribeStacks" | "ListStacks" => self.rewrite(request, status, body),
            _ => None,
        }
    }

    async fn after_operation(
        &self,
        request: &StackRequest,
        status: u16,
        body: &str,
    ) -> Option<Reply> {
        let name = request.stack_name()?;
        let snapshot = (request.action == "UpdateStack")
            .then(|| self.take_snapshot(name))
            .flatten();
        if (200..300).contains(&status) {
            self.clear(name);
            self.tokens.record(request, body);
            self.event_tokens.accepted(request);
            return None;
        }
        if request.action == "DeleteStack" {
            return None;
        }
        let failure = match emulator_failure(status, body) {
            Some(failure) => failure,
            None if self
                .moto_started(request, name, body, snapshot.as_ref())
                .await =>
            {
                told(status, body)
            }
            None => return None,
        };
        let failed = self
            .failed_operation(request, name, failure, snapshot)
            .await?;
        let answer = response(
            &request.action,
            &format!("<StackId>{}</StackId>", xml_escape(&failed.stack_id)),
        );
        tracing::warn!(
            stack = name,
            action = request.action.as_str(),
            status,
            culprit = failed.culprit.as_ref().map(|c| c.logical_id.as_str()),
            "moto failed the stack operation; answering as CloudFormation would and showing the stack rolled back"
        );
        self.clear(name);
        locked(&self.failed).push(failed);
        self.tokens.record(request, &answer);
        Some(Reply::Body(answer))
    }

    /// Whether moto began the operation it answered with an error in CloudFormation's shape:
    /// CloudFormation refuses a request before it starts, moto also fails a resource with such
    /// an error (SQS's InvalidParameterValue) after it made the stack, which it leaves in
    /// CREATE_IN_PROGRESS (or CREATE_PENDING), or after it logged an update's start.
    async fn moto_started(
        &self,
        request: &StackRequest,
        name: &str,
        body: &str,
        snapshot: Option<&Snapshot>,
    ) -> bool {
        match (request.action.as_str(), snapshot) {
            ("CreateStack", _) if error_code(body).as_deref() != Some("AlreadyExistsException") => {
                let member = self.describe(name).await;
                let status = member.as_deref().and_then(|m| element(m, "StackStatus"));
                matches!(status, Some("CREATE_IN_PROGRESS" | "CREATE_PENDING"))
            }
            ("UpdateStack", Some(snapshot)) => {
                let newest = self.newest_event(name).await;
                newest.as_ref().is_some_and(|(id, status)| {
                    Some(id) != snapshot.newest_event.as_ref() && status == "UPDATE_IN_PROGRESS"
                })
            }
            _ => false,
        }
    }

    /// EventId and ResourceStatus of the stack's newest event in moto.
    async fn newest_event(&self, name: &str) -> Option<(String, String)> {
        let answer = self
            .moto_call(&[("Action", "DescribeStackEvents"), ("StackName", name)])
            .await?;
        let events = element(&answer, "StackEvents")?;
        let newest = &events[events.find("<member>")?..];
        Some((
            element(newest, "EventId")?.to_string(),
            element(newest, "ResourceStatus")?.to_string(),
        ))
    }

    /// The failed operation moto's `failure` makes of `request`; `None` for an update of a
    /// stack that was not there before (moto's answer stands).
    async fn failed_operation(
        &self,
        request: &StackRequest,
        name: &str,
        failure: EmulatorFailure,
        snapshot: Option<Snapshot>,
    ) -> Option<FailedOperation> {
        let template = self.moto.text(request).await.ok().flatten();
        let culprit = culprit(template.as_deref(), &failure);
        let (operation, stack_id, moto_has_stack, before) = match &snapshot {
            Some(snapshot) => (
                Operation::Update,
                element(&snapshot.member, "StackId")?.to_string(),
                true,
                Some(snapshot.member.clone()),
            ),
            None if request.action == "UpdateStack" => return None,
            None => match self.describe(name).await {
                Some(member) => (
                    Operation::Create,
                    element(&member, "StackId")?.to_string(),
                    true,
                    None,
                ),
                None => (Operation::Create, synthetic_stack_id(name), false, None),
            },
        };
        let culprit_existed = match (&snapshot, &culprit) {
            (Some(snapshot), Some(culprit)) => snapshot.logical_ids.contains(&culprit.logical_id),
            _ => false,
        };
        Some(FailedOperation {
            operation,
            stack_id,
            stack_name: name.to_string(),
            culprit,
            culprit_existed,
            failure: failure.text,
            token: request.client_request_token().map(str::to_string),
            at: SystemTime::now(),
            moto_has_stack,
            before,
        })
    }

    /// Describe answers with every overlaid stack as CloudFormation would show it.
    fn rewrite(&self, request: &StackRequest, status: u16, body: &str) -> Option<Reply> {
        let failed = locked(&self.failed).clone();
        if failed.is_empty() {
            return None;
        }
        let asked = request.stack_name();
        let concerned: Vec<&FailedOperation> = failed
            .iter()
            .filter(|failed| asked.is_none_or(|asked| failed.names(asked)))
            .collect();
        if concerned.is_empty() {
            return None;
        }
        let ok = (200..300).contains(&status);
        let moto_has_all = concerned.iter().all(|failed| failed.moto_has_stack);
        if !ok && (asked.is_none() || moto_has_all) {
            return None;
        }
        let rewrite_member = |member: &str| {
            let id = element(member, "StackId").unwrap_or_default();
            match concerned.iter().find(|failed| failed.stack_id == id) {
                Some(failed) if request.action == "DescribeStacks" => failed.rewrite_member(member),
                Some(failed) => overlay::set_element(member, "StackStatus", Some(failed.status())),
                None => member.to_string(),
            }
        };
        let missing = concerned.iter().filter(|failed| !failed.moto_has_stack);
        let xml = match request.action.as_str() {
            "DescribeStacks" => {
                let extra: String = missing.map(|failed| failed.member()).collect();
                let body = if ok {
                    body.to_string()
                } else {
                    response("DescribeStacks", "<Stacks/>")
                };
                edit_list(&body, "Stacks", rewrite_member, &extra)
            }
            "ListStacks" if ok => {
                let filter = status_filter(request);
                let extra: String = missing
                    .filter(|failed| filter.is_empty() || filter.contains(&failed.status()))
                    .map(|failed| failed.summary())
                    .collect();
                edit_list(body, "StackSummaries", rewrite_member, &extra)
            }
            // Only the first page (newest events) starts with the operation's events.
            "DescribeStackEvents" if request.value("NextToken").is_none() => {
                let failed = concerned.first()?;
                let body = match (ok, failed.moto_has_stack) {
                    (true, _) => body.to_string(),
                    (false, false) => response("DescribeStackEvents", "<StackEvents/>"),
                    (false, true) => return None,
                };
                edit_list(&body, "StackEvents", |member| member.to_string(), "")
                    .map(|xml| prepend_events(&xml, &failed.events()))
            }
            _ => None,
        }?;
        Some(Reply::Body(xml))
    }

    /// The stack's `<member>` in moto's DescribeStacks answer, if moto has it.
    async fn describe(&self, name_or_id: &str) -> Option<String> {
        let answer = self
            .moto_call(&[("Action", "DescribeStacks"), ("StackName", name_or_id)])
            .await?;
        let stacks = element(&answer, "Stacks")?;
        let start = stacks.find("<member>")?;
        let end = stacks.rfind("</member>")? + "</member>".len();
        Some(stacks.get(start..end)?.to_string())
    }

    /// Before an UpdateStack: the stack and its template's logical IDs as they are.
    async fn snapshot(&self, name: &str) {
        let Some(member) = self.describe(name).await else {
            return;
        };
        // After a failed update moto's stack is half updated: what CloudFormation kept is the
        // stack as the overlay shows it.
        let member = match self.overlay(name) {
            Some(failed) => failed.rewrite_member(&member),
            None => member,
        };
        let template = self
            .moto_call(&[("Action", "GetTemplate"), ("StackName", name)])
            .await;
        let logical_ids = template
            .as_deref()
            .and_then(|answer| element(answer, "TemplateBody"))
            .map(unescape)
            .and_then(|text| TemplateDocument::parse(&text).ok())
            .map(|document| {
                document
                    .resources()
                    .into_iter()
                    .map(|resource| resource.logical_id)
                    .collect()
            })
            .unwrap_or_default();
        let newest_event = self.newest_event(name).await.map(|(id, _)| id);
        let mut snapshots = locked(&self.snapshots);
        snapshots.retain(|snapshot| snapshot.stack_name != name);
        snapshots.push(Snapshot {
            stack_name: name.to_string(),
            member,
            logical_ids,
            newest_event,
        });
    }

    fn take_snapshot(&self, name: &str) -> Option<Snapshot> {
        let mut snapshots = locked(&self.snapshots);
        let at = snapshots.iter().position(|s| s.stack_name == name)?;
        Some(snapshots.remove(at))
    }

    /// A CloudFormation call to moto; its answer when it succeeded.
    async fn moto_call(&self, form: &[(&str, &str)]) -> Option<String> {
        let answer = self
            .moto
            .http
            .post(format!("{}/", self.moto.s3_url.trim_end_matches('/')))
            // moto reads the region from the credential scope; it checks no signature.
            .header(
                "authorization",
                format!(
                    "AWS4-HMAC-SHA256 Credential=local/20260101/{REGION}/cloudformation/aws4_request, \
                     SignedHeaders=host, Signature=0"
                ),
            )
            .header("content-type", "application/x-www-form-urlencoded")
            .body(form_body(form))
            .send()
            .await
            .ok()?;
        if !answer.status().is_success() {
            return None;
        }
        answer.text().await.ok()
    }
}

/// CloudFormation's answer to a create or update of a stack whose create rolled back.
/// "Stack [name] already exists" is CreateStack's AlreadyExistsException as botocore reports it
/// (https://github.com/andresionek91/airflow-autoscaling-ecs/issues/15);
/// "Stack:<arn> is in <STATUS> state and can not be updated." as quoted in
/// https://github.com/aws-amplify/amplify-cli/issues/1364.
fn refuse_over_rollback(action: &str, failed: &FailedOperation) -> Option<Reply> {
    match action {
        "CreateStack" => Some(Reply::refused(
            "AlreadyExistsException",
            format!("Stack [{}] already exists", failed.stack_name),
        )),
        "UpdateStack" => Some(Reply::refused(
            "ValidationError",
            format!(
                "Stack:{} is in {} state and can not be updated.",
                failed.stack_id,
                failed.status()
            ),
        )),
        _ => None,
    }
}

/// ListStacks' `StackStatusFilter.member.N`; empty: every status.
fn status_filter(request: &StackRequest) -> Vec<&str> {
    (1..)
        .map_while(|n| request.value(&format!("StackStatusFilter.member.{n}")))
        .collect()
}

/// `xml`'s `<StackEvents>` with `events` first.
fn prepend_events(xml: &str, events: &str) -> String {
    match xml.find("<StackEvents>") {
        Some(at) => {
            let after = at + "<StackEvents>".len();
            format!("{}{events}{}", &xml[..after], &xml[after..])
        }
        None => xml.to_string(),
    }
}

/// `name=value&…`, percent-encoded.
fn form_body(form: &[(&str, &str)]) -> String {
    let encode = |text: &str| -> String {
        text.bytes()
            .map(|byte| {
                if byte.is_ascii_alphanumeric() || b"-_.~".contains(&byte) {
                    char::from(byte).to_string()
                } else {
                    format!("%{byte:02X}")
                }
            })
            .collect()
    };
    form.iter()
        .map(|(name, value)| format!("{}={}", encode(name), encode(value)))
        .collect::<Vec<_>>()
        .join("&")
}

/// The ARN CloudFormation gives a stack, for one moto did not make.
fn synthetic_stack_id(name: &str) -> String {
    format!(
        "arn:aws:cloudformation:{REGION}:{ACCOUNT_ID}:stack/{name}/{}",
        uuid::Uuid::new_v4()
    )
}

/// XML character data back to text (the escapes moto writes).
fn unescape(text: &str) -> String {
    text.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#34;", "\"")
        .replace("&#39;", "'")
        .replace("&apos;", "'")
        .replace("&amp;", "&")
}

#[cfg(test)]
#[path = "outcomes_tests.rs"]
mod tests;
