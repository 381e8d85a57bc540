//! What the local environment adds to moto's CloudFormation, so that a local run fails where,
//! and as, a deployment on AWS would. moto emulates the API but not its judgement: it checks
//! no capabilities or parameters, answers some templates with an HTTP 500 and leaves the stack
//! in progress, ignores ClientRequestToken, and skips resource types it does not emulate.
//!
//! The fault proxy, which sits between the functions and moto already, passes every
//! CloudFormation request through [`Layer`]: [`Layer::before`] may answer a request itself (as
//! CloudFormation would refuse it), and [`Layer::after`] may replace moto's answer. It is on by
//! default and apart from the proxy's fault switches. [`emulation`] names what moto skips, which
//! `stackflow-local run` lists after its result.

pub mod emulation;
pub mod outcomes;
pub mod protection;
pub mod request;
pub mod validation;
pub mod wire;

use request::{StackRequest, TemplateReader};

/// What the layer answers instead of moto, or in place of moto's answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reply {
    /// CloudFormation's error: the proxy renders it in awsQuery's error shape.
    Error {
        status: u16,
        code: String,
        message: String,
    },
    /// A whole answer (awsQuery XML), with HTTP 200.
    Body(String),
}

impl Reply {
    /// The message of a `400 ValidationError`, which a test expects this to be.
    #[cfg(test)]
    #[allow(clippy::panic)]
    pub(crate) fn validation_message(self) -> String {
        match self {
            Reply::Error {
                status: 400,
                code,
                message,
            } if code == "ValidationError" => message,
            other => panic!("not a ValidationError: {other:?}"),
        }
    }

    /// A `400 Sender` error, as CloudFormation refuses a request it validated.
    pub fn refused(code: &str, message: impl Into<String>) -> Self {
        Reply::Error {
            status: 400,
            code: code.to_string(),
            message: message.into(),
        }
    }
}

/// The layer: one per environment, shared by every CloudFormation request.
#[derive(Debug)]
pub struct Layer {
    templates: TemplateReader,
    /// Failed operations as rollbacks, and ClientRequestToken (`outcomes`).
    outcomes: outcomes::Outcomes,
    /// UpdateTerminationProtection, which moto lacks (`protection`).
    protection: protection::Protection,
}

impl Layer {
    /// `s3_url`: where TemplateURLs are read (moto); `http`: a client that does not follow
    /// redirects or use a proxy.
    pub fn new(s3_url: &str, http: reqwest::Client) -> Self {
        let templates = TemplateReader {
            http,
            s3_url: s3_url.trim_end_matches('/').to_string(),
        };
        Layer {
            outcomes: outcomes::Outcomes::new(templates.clone()),
            protection: protection::Protection::default(),
            templates,
        }
    }

    /// Before `request` reaches moto: `Some` answers it instead.
    pub async fn before(&self, request: &StackRequest) -> Option<Reply> {
        // CloudFormation refuses an invalid request before any operation starts.
        if let Some(refusal) = validation::check(&self.templates, request).await {
            return Some(refusal);
        }
        if let Some(answer) = self.protection.before(request) {
            return Some(answer);
        }
        self.outcomes.before(request).await
    }

    /// moto answered `request` with `status` and `body`: `Some` replaces the answer.
    pub async fn after(&self, request: &StackRequest, status: u16, body: &str) -> Option<Reply> {
        match self.outcomes.after(request, status, body).await {
            Some(Reply::Body(answer)) => Some(Reply::Body(
                self.protection.shown(request, &answer).unwrap_or(answer),
            )),
            Some(refused) => Some(refused),
            None => self.protection.shown(request, body).map(Reply::Body),
        }
    }
}
