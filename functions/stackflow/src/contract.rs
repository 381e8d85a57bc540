//! The data that flows between the states. Each step's output type is what the state machine
//! places at a ResultPath, and each step's input type is what the state's `Parameters` build from
//! the execution document. The field names here are the JSON names in the statemachine file.
//!
//! The execution document grows as the states run:
//! `{ jobId, replyTo, userParameters, inputArtifacts, outputArtifacts, params, template, stack,
//! error }`.
//! `jobId` is the job that started the deployment and names everything it does; `replyTo` is the
//! job the deployment answers now (a newer one after each hand-over to the next job).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// One input artifact of the job: its name and where CodePipeline put it. No credentials.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ArtifactLocation {
    pub name: String,
    pub bucket: String,
    pub key: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub revision: Option<String>,
}

/// The execution input that start-deployment hands to Step Functions, and the input of
/// ValidateParams. It is shown in the console, so it holds no credentials; the raw UserParameters
/// are pipeline configuration, as visible as the pipeline itself, and carry what they are given
/// (README, "Secrets").
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ExecutionInput {
    pub job_id: String,
    pub user_parameters: String,
    pub input_artifacts: Vec<ArtifactLocation>,
    /// The job's output artifacts: where CodePipeline expects each one's zip. No credentials.
    #[serde(default)]
    pub output_artifacts: Vec<ArtifactLocation>,
    /// The KMS key CodePipeline encrypts the job's artifacts with; always present in the
    /// execution input (`null` when the job names none), since the Validate parameters state
    /// passes `$.encryptionKey` on.
    #[serde(default)]
    pub encryption_key: Option<EncryptionKey>,
    /// The job to report on, set by start-deployment; ValidateParams' `Parameters` leave it out.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[serde(rename = "replyTo")]
    pub current_job: Option<CurrentJob>,
}

/// The job's `encryptionKey`: the KMS key of the pipeline's artifact store. Not a secret.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EncryptionKey {
    pub id: String,
    #[serde(rename = "type", default)]
    pub key_type: String,
}

/// The CodePipeline job the deployment answers now (at `$.replyTo`), until it hands it over.
/// start-deployment sets it in the execution input, and again through SendTaskSuccess whenever
/// the next job of a hand-over takes over.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CurrentJob {
    pub job_id: String,
    /// Unix seconds after which DeployStack and CheckStack hand the job over rather than wait
    /// on: well inside CodePipeline's reply timeout for this job.
    pub hand_over_at: i64,
}

/// A CloudFormation capability the user acknowledges.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[allow(clippy::enum_variant_names)]
pub enum Capability {
    #[serde(rename = "CAPABILITY_IAM")]
    CapabilityIam,
    #[serde(rename = "CAPABILITY_NAMED_IAM")]
    CapabilityNamedIam,
    #[serde(rename = "CAPABILITY_AUTO_EXPAND")]
    CapabilityAutoExpand,
}

impl Capability {
    pub fn as_str(self) -> &'static str {
        match self {
            Capability::CapabilityIam => "CAPABILITY_IAM",
            Capability::CapabilityNamedIam => "CAPABILITY_NAMED_IAM",
            Capability::CapabilityAutoExpand => "CAPABILITY_AUTO_EXPAND",
        }
    }
}

/// What a deployment does with its stack: the UserParameters' `mode`. Every mode runs the same
/// states; DeployStack and CheckStack act on the mode.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum Mode {
    /// Create or update the stack from the template (CodePipeline's CREATE_UPDATE).
    #[default]
    Deploy,
    /// Create (or replace) a change set for review, without executing it (CHANGE_SET_REPLACE).
    CreateChangeSet,
    /// Execute a change set created before (CHANGE_SET_EXECUTE).
    ExecuteChangeSet,
    /// Delete the stack (DELETE_ONLY).
    Delete,
}

impl Mode {
    /// The UserParameters' spelling of the mode.
    pub fn as_str(self) -> &'static str {
        match self {
            Mode::Deploy => "deploy",
            Mode::CreateChangeSet => "createChangeSet",
            Mode::ExecuteChangeSet => "executeChangeSet",
            Mode::Delete => "delete",
        }
    }

    /// Whether the mode deploys a template from the input artifact (Fetch template runs).
    pub fn uses_template(self) -> bool {
        matches!(self, Mode::Deploy | Mode::CreateChangeSet)
    }
}

/// Where the template comes from: an input artifact, a path in it, and a configuration file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TemplateSource {
    /// The artifact that holds the template, resolved to its S3 location.
    pub artifact: ArtifactLocation,
    /// The template's path inside the artifact zip.
    pub file: String,
    /// A template-configuration file's path inside the same artifact.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub config: Option<String>,
    /// The other input artifacts parameter values are read from (`Fn::GetParam`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub param_artifacts: Vec<ArtifactLocation>,
}

/// Where the success report writes the stack outputs (`outputFile`): a file in a zip at the
/// job's output artifact, encrypted with the job's key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OutputTarget {
    pub artifact: ArtifactLocation,
    /// The file's path inside the zip.
    pub file: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub encryption_key: Option<EncryptionKey>,
}

/// ValidateParams' output (at `$.params`): the UserParameters, checked and resolved against the
/// job's artifacts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DeploymentParams {
    #[serde(default)]
    pub mode: Mode,
    pub stack: String,
    /// The template to deploy; none for the modes that deploy no template.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<TemplateSource>,
    /// The change set `createChangeSet` makes and `executeChangeSet` runs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub change_set_name: Option<String>,
    /// The names of the UserParameters' parameter overrides, never their values: those stay in
    /// the raw UserParameters (`$.userParameters`), where fetch-template reads them.
    #[serde(default)]
    pub parameter_names: Vec<String>,
    #[serde(default)]
    pub capabilities: Vec<Capability>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role_arn: Option<String>,
    /// Tags; they win over the configuration file's.
    #[serde(default)]
    pub tags: BTreeMap<String, String>,
    #[serde(default)]
    pub replace_on_failure: bool,
    /// Seconds the Wait state waits between status checks (its SecondsPath).
    pub poll_seconds: u32,
    pub timeout_minutes: u32,
    /// Unix seconds after which waiting for the stack ends in StackTimedOut.
    pub deadline: i64,
    /// Where the success report writes the outputs (`outputFile`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub output: Option<OutputTarget>,
    /// Rollback alarms, notifications, termination protection and what a failure keeps; at the
    /// same level of `$.params`, each left out when unset, so older state reads as none given.
    #[serde(flatten)]
    pub options: StackOptions,
}

/// The UserParameters' stack options: what CloudFormation watches, notifies and keeps during
/// the operation. `None` leaves the stack's own setting as it is; CloudFormation keeps a
/// stack's rollback triggers and notification topics from one operation to the next, and an
/// empty list removes them.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StackOptions {
    /// `rollbackAlarms` (`deploy`, `createChangeSet`): up to 5 CloudWatch alarm ARNs,
    /// `arn:<partition>:cloudwatch:<region>:<12-digit account>:alarm:<name>`, the operation's
    /// rollback triggers: one going into ALARM during the operation, or the monitoring time
    /// after it, rolls the operation back. `[]` removes the stack's triggers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rollback_alarms: Option<Vec<String>>,
    /// `monitoringMinutes` (`deploy`, `createChangeSet`): 0–180, how long CloudFormation
    /// watches the alarms after the operation's last resource.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub monitoring_minutes: Option<u32>,
    /// `terminationProtection` (`deploy`): `true` or `false`, the stack's termination
    /// protection, set on its create, else before its update (changes or not).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub termination_protection: Option<bool>,
    /// `onFailure` (`deploy`, `executeChangeSet`; default `rollback`): what a rollback keeps.
    #[serde(default, skip_serializing_if = "OnFailure::is_rollback")]
    pub on_failure: OnFailure,
    /// `notificationArns` (`deploy`, `createChangeSet`): up to 5 SNS topic ARNs,
    /// `arn:<partition>:sns:<region>:<12-digit account>:<name>`, that get the stack's events.
    /// `[]` removes the stack's topics.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notification_arns: Option<Vec<String>>,
}

/// `onFailure`: what CloudFormation does with the resources of a failed operation.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum OnFailure {
    /// Roll back, each resource by its DeletionPolicy (CloudFormation's default).
    #[default]
    Rollback,
    /// Roll back, deleting the resources this operation created even when their DeletionPolicy
    /// is Retain (`RetainExceptOnCreate: true`).
    RetainExceptOnCreate,
}

impl OnFailure {
    /// The UserParameters' spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            OnFailure::Rollback => "rollback",
            OnFailure::RetainExceptOnCreate => "retainExceptOnCreate",
        }
    }

    fn is_rollback(&self) -> bool {
        *self == OnFailure::Rollback
    }
}

/// FetchTemplate's input.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FetchInput {
    pub job_id: String,
    /// The raw UserParameters (`$.userParameters`): the parameter override values come from
    /// here, so that no step's output carries them.
    pub user_parameters: String,
    pub params: DeploymentParams,
}

/// FetchTemplate's output (at `$.template`): where the template and the parameter values were
/// staged, and what the template-configuration file and the overrides add up to. It holds no
/// parameter value (`crate::staged_parameters`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StagedTemplate {
    /// An S3 URL CloudFormation reads the template from (no body rides in the history).
    pub template_url: String,
    pub bucket: String,
    pub key: String,
    pub size: u64,
    /// The object in `bucket` that holds the parameter values: the configuration file's merged
    /// with the overrides (`crate::staged_parameters::StagedParameters`).
    pub parameters_key: String,
    /// The names of the parameters passed to CloudFormation; their values are staged.
    #[serde(default)]
    pub parameter_names: Vec<String>,
    /// The parameters whose values are masked wherever they would show: those the template
    /// declares `NoEcho`, or every parameter passed when the template could not be read.
    #[serde(default)]
    pub no_echo: Vec<String>,
    /// Configuration-file tags merged with the UserParameters tags.
    #[serde(default)]
    pub tags: BTreeMap<String, String>,
    /// The configuration file's StackPolicy, as JSON text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stack_policy_body: Option<String>,
}

/// The `No template to fetch` state puts `{}` at `$.template` (a Pass state cannot place
/// `null` there portably); that, or `null`, reads as no template.
fn staged_or_none<'de, D>(deserializer: D) -> Result<Option<StagedTemplate>, D::Error>
where
    D: serde::Deserializer<'de>,
{
    let value = serde_json::Value::deserialize(deserializer)?;
    let empty = value.is_null() || value.as_object().is_some_and(|map| map.is_empty());
    if empty {
        return Ok(None);
    }
    serde_json::from_value(value)
        .map(Some)
        .map_err(serde::de::Error::custom)
}

/// DeployStack's input.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DeployInput {
    pub job_id: String,
    pub params: DeploymentParams,
    /// The staged template; none for the modes that deploy no template.
    #[serde(default, deserialize_with = "staged_or_none")]
    pub template: Option<StagedTemplate>,
    /// The job answered now; without it the step never hands over.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[serde(rename = "replyTo")]
    pub current_job: Option<CurrentJob>,
}

/// What the stack operation of this deployment is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum StackAction {
    Create,
    Update,
    /// Deleting a failed stack before creating it again (`replaceOnFailure`).
    Replace,
    /// Continuing the failed rollback of an update (UPDATE_ROLLBACK_FAILED) before deploying.
    ContinueRollback,
    /// Another operation holds the stack; we wait for it, then deploy.
    WaitForOther,
    /// The template and parameters match the stack: nothing to do.
    NoChanges,
    /// A change set is being created for review (`createChangeSet`).
    CreateChangeSet,
    /// A reviewed change set is being executed (`executeChangeSet`).
    ExecuteChangeSet,
    /// The stack is being deleted (`delete`).
    Delete,
    /// `delete` found no stack: nothing to delete.
    NothingToDelete,
}

/// What the state machine does next; the Choice states switch on it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum Next {
    /// Wait `waitSeconds`, then CheckStack.
    Wait,
    /// Reply "in progress" to the current job (its reply deadline is near), take the
    /// next job CodePipeline hands back, then wait `waitSeconds` and CheckStack.
    HandOver,
    /// Run DeployStack (again): the stack is free, or gone after a replace's delete.
    Deploy,
    /// Report success.
    Succeed,
}

/// DeployStack's and CheckStack's output (at `$.stack`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StackProgress {
    pub stack_name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stack_id: Option<String>,
    pub action: StackAction,
    pub next: Next,
    /// The last status seen, e.g. `UPDATE_IN_PROGRESS`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
    /// The token on this deployment's CloudFormation call, to tell its stack events apart.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_request_token: Option<String>,
    /// The stack Outputs, once it succeeded; an output whose value holds a NoEcho parameter's
    /// value reads `****` (`crate::staged_parameters::Secrets`).
    #[serde(default)]
    pub outputs: BTreeMap<String, String>,
    /// Unix seconds when this deployment started the operation it waits for; the wait between
    /// checks grows with the time since.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub started_at: Option<i64>,
    /// Seconds the Wait state waits before the next check (its SecondsPath).
    #[serde(default)]
    pub wait_seconds: u32,
    /// The change set `createChangeSet` made, and what it changes once it is ready.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub change_set: Option<ChangeSetReport>,
    /// How far the operation got, for the summary the pipeline shows.
    #[serde(default, skip_serializing_if = "Tally::is_empty")]
    pub tally: Tally,
}

/// How far this deployment's stack operation got: counted from its stack events at a
/// hand-over and at the end.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Tally {
    /// Resources the operation has finished (created, updated or deleted).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resources_done: Option<u32>,
    /// The changes it makes, when known before it runs (an executed change set's).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub planned: Option<u32>,
    /// Seconds it took, once it ended.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seconds: Option<i64>,
}

impl Tally {
    pub fn is_empty(&self) -> bool {
        *self == Tally::default()
    }
}

/// A change set and what it will change, counted from DescribeChangeSet's `Changes`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ChangeSetReport {
    /// Its ARN; empty once an empty change set was deleted.
    #[serde(default)]
    pub id: String,
    pub name: String,
    /// `CREATE` (a new stack) or `UPDATE`.
    #[serde(default)]
    pub change_set_type: String,
    #[serde(default)]
    pub adds: u32,
    #[serde(default)]
    pub modifies: u32,
    #[serde(default)]
    pub removes: u32,
    /// Modifications that replace the resource (Replacement `True` or `Conditional`).
    #[serde(default)]
    pub replacements: u32,
    /// One line per change, e.g. `Modify Bucket (AWS::S3::Bucket), replacement True`, as many
    /// as the pipeline's summary can show (`crate::change_summary`).
    #[serde(default)]
    pub changes: Vec<String>,
    /// Changes beyond those listed.
    #[serde(default)]
    pub more_changes: u32,
}

/// CheckStack's input.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CheckInput {
    pub job_id: String,
    pub params: DeploymentParams,
    /// Which parameters are NoEcho and where their values are, to mask them in the outputs
    /// and messages; none for the modes that deploy no template.
    #[serde(default, deserialize_with = "staged_or_none")]
    pub template: Option<StagedTemplate>,
    pub stack: StackProgress,
    /// The job answered now; without it the step never hands over.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[serde(rename = "replyTo")]
    pub current_job: Option<CurrentJob>,
}

/// What a Catch places at `$.error`: Step Functions' own names.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StateError {
    #[serde(rename = "Error")]
    pub error: String,
    /// For a Lambda error, a JSON text with `errorMessage`; for others, plain text.
    #[serde(rename = "Cause", default)]
    pub cause: String,
}

/// report-result's input, from ReportSuccess (`stack`), ReportFailure (`error`) or the hand-over
/// to the next job (`handOver`). `jobId` is the job answered now (`$.replyTo.jobId`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ReportInput {
    pub job_id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub execution_arn: Option<String>,
    /// The deployment's parameters (`$.params`), for where a success writes the outputs;
    /// Report success only (a failure may come before there are any).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub params: Option<DeploymentParams>,
    #[serde(flatten)]
    pub outcome: Outcome,
}

/// How the deployment ended.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum Outcome {
    Stack(StackProgress),
    Error(StateError),
    /// Not an end: reply "in progress" and let the next job take over.
    HandOver(HandOver),
}

/// What the hand-over state sends report-result.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct HandOver {
    /// `$$.Task.Token` of the waiting state; the next job's start-deployment sends it
    /// back with SendTaskSuccess.
    pub task_token: String,
    /// The stack as last seen, for the summary CodePipeline shows.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stack: Option<StackProgress>,
}

/// report-result's output: what it told CodePipeline.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ReportOutput {
    pub job_id: String,
    pub reported: Reported,
    pub message: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub failure_type: Option<String>,
    #[serde(default)]
    pub output_variables: BTreeMap<String, String>,
}

/// What report-result told CodePipeline; serde writes the variant name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Reported {
    /// The job succeeded (PutJobSuccessResult).
    Succeeded,
    /// The job failed (PutJobFailureResult).
    Failed,
    /// The job was closed "in progress": the deployment is handed over to the next job.
    HandedOver,
    /// CodePipeline had already closed the job; nothing was reported.
    AlreadyClosed,
}

/// start-deployment's output.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StartOutput {
    pub job_id: String,
    /// The execution's ARN, when one was started or already existed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub execution_arn: Option<String>,
    pub outcome: StartOutcome,
}

impl StartOutput {
    pub fn new(job_id: &str, execution_arn: Option<String>, outcome: StartOutcome) -> StartOutput {
        StartOutput {
            job_id: job_id.to_string(),
            execution_arn,
            outcome,
        }
    }
}

/// What start-deployment did with the job; serde writes the variant name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum StartOutcome {
    /// A new execution was started for the job.
    Started,
    /// The job's execution already existed (a repeated delivery of the event).
    AlreadyStarted,
    /// The job was handed to the execution waiting for it (the hand-over's next job).
    Continued,
    /// The waiting execution had already taken this job (a repeated delivery of its event).
    AlreadyContinued,
    /// No execution could be started or resumed; the job was reported failed.
    ReportedFailure,
}
