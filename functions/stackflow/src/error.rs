//! The one error type of the domain. Every variant has a stable name: it becomes the Lambda
//! `errorType`, which the state machine's Retry and Catch match and report-result maps to a
//! CodePipeline failure type.

use lambda_runtime::Diagnostic;
use serde::{Deserialize, Serialize};

/// Everything a step can fail with. The message always names the problem for a person reading the
/// pipeline; it never carries credentials.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Error {
    /// The Lambda event is not a CodePipeline job event we can work with.
    #[error("{0}")]
    InvalidEvent(String),
    /// The action's UserParameters are not valid.
    #[error("{0}")]
    InvalidParameters(String),
    /// The artifact, its S3 object or a file inside it is not there.
    #[error("{0}")]
    ArtifactNotFound(String),
    /// The artifact is there but cannot be used (not a zip, too large, a zip bomb).
    #[error("{0}")]
    ArtifactInvalid(String),
    /// The template or template configuration is unusable, or CloudFormation rejected it.
    #[error("{0}")]
    TemplateInvalid(String),
    /// AWS refused an action for lack of permission.
    #[error("{0}")]
    AccessDenied(String),
    /// The stack is in a state that cannot be updated and no replacement was asked for.
    #[error("{0}")]
    StackNotUpdatable(String),
    /// The stack operation ended in failure; the message holds the first failed resource.
    #[error("{0}")]
    StackFailed(String),
    /// The stack did not settle before the deadline from `timeoutMinutes`.
    #[error("{0}")]
    StackTimedOut(String),
    /// A passing fault (throttling, a 5xx, a network error): the state machine retries it.
    #[error("{0}")]
    Transient(String),
    /// Any other AWS error that retrying will not fix.
    #[error("{0}")]
    AwsError(String),
    /// The function itself is deployed wrong (a missing environment variable, say).
    #[error("{0}")]
    Misconfigured(String),
    /// CodePipeline no longer takes replies for the job (the pipeline was stopped or the
    /// execution superseded): the deployment's execution ends without a report.
    #[error("{0}")]
    JobAbandoned(String),
}

impl Error {
    /// The stable name the state machine and report-result match on.
    pub fn kind(&self) -> ErrorName {
        match self {
            Error::InvalidEvent(_) => ErrorName::InvalidEvent,
            Error::InvalidParameters(_) => ErrorName::InvalidParameters,
            Error::ArtifactNotFound(_) => ErrorName::ArtifactNotFound,
            Error::ArtifactInvalid(_) => ErrorName::ArtifactInvalid,
            Error::TemplateInvalid(_) => ErrorName::TemplateInvalid,
            Error::AccessDenied(_) => ErrorName::AccessDenied,
            Error::StackNotUpdatable(_) => ErrorName::StackNotUpdatable,
            Error::StackFailed(_) => ErrorName::StackFailed,
            Error::StackTimedOut(_) => ErrorName::StackTimedOut,
            Error::Transient(_) => ErrorName::Transient,
            Error::AwsError(_) => ErrorName::AwsError,
            Error::Misconfigured(_) => ErrorName::Misconfigured,
            Error::JobAbandoned(_) => ErrorName::JobAbandoned,
        }
    }

    /// The name as text: the Lambda `errorType`.
    pub fn name(&self) -> &'static str {
        self.kind().as_str()
    }

    /// The message alone, without the name.
    pub fn message(&self) -> String {
        self.to_string()
    }

    /// The same error with its message rewritten by `rewrite` (to mask a secret value in it).
    pub fn map_message(self, rewrite: impl FnOnce(String) -> String) -> Error {
        match self {
            Error::InvalidEvent(m) => Error::InvalidEvent(rewrite(m)),
            Error::InvalidParameters(m) => Error::InvalidParameters(rewrite(m)),
            Error::ArtifactNotFound(m) => Error::ArtifactNotFound(rewrite(m)),
            Error::ArtifactInvalid(m) => Error::ArtifactInvalid(rewrite(m)),
            Error::TemplateInvalid(m) => Error::TemplateInvalid(rewrite(m)),
            Error::AccessDenied(m) => Error::AccessDenied(rewrite(m)),
            Error::StackNotUpdatable(m) => Error::StackNotUpdatable(rewrite(m)),
            Error::StackFailed(m) => Error::StackFailed(rewrite(m)),
            Error::StackTimedOut(m) => Error::StackTimedOut(rewrite(m)),
            Error::Transient(m) => Error::Transient(rewrite(m)),
            Error::AwsError(m) => Error::AwsError(rewrite(m)),
            Error::Misconfigured(m) => Error::Misconfigured(rewrite(m)),
            Error::JobAbandoned(m) => Error::JobAbandoned(rewrite(m)),
        }
    }
}

/// The most characters of a message a function's error answer carries. Step Functions puts the
/// answer into the execution's state (`$.error.Cause`), which must stay under 256 KiB
/// (statemachine/README.md adds it up). It is CodePipeline's limit on `failureDetails.message`,
/// where report-result puts it: CodePipeline shows no more of it than this either.
pub const ERROR_MESSAGE_MAX_CHARS: usize = 5_000;

impl From<Error> for Diagnostic {
    fn from(error: Error) -> Self {
        Diagnostic {
            error_type: error.name().to_string(),
            error_message: crate::truncate::truncate_chars(
                &error.message(),
                ERROR_MESSAGE_MAX_CHARS,
            ),
        }
    }
}

/// Declares [`ErrorName`] and its [`ErrorName::ALL`] from one list, so no name can be left out
/// of the list the tests check the state machine against.
macro_rules! error_names {
    ($($(#[$doc:meta])* $name:ident,)*) => {
        /// The names of [`Error`]'s variants, as the state machine's Retry and Catch match them.
        /// serde writes each as its variant name.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
        pub enum ErrorName {
            $($(#[$doc])* $name,)*
        }

        impl ErrorName {
            /// Every error name, for documentation and for tests that check the state machine
            /// routes them.
            pub const ALL: &'static [ErrorName] = &[$(ErrorName::$name,)*];

            /// The name as text, the same serde writes.
            pub const fn as_str(self) -> &'static str {
                match self {
                    $(ErrorName::$name => stringify!($name),)*
                }
            }
        }
    };
}

error_names! {
    InvalidEvent,
    InvalidParameters,
    ArtifactNotFound,
    ArtifactInvalid,
    TemplateInvalid,
    AccessDenied,
    StackNotUpdatable,
    StackFailed,
    StackTimedOut,
    Transient,
    AwsError,
    Misconfigured,
    JobAbandoned,
}

impl ErrorName {
    /// The error named `name`, if it is one of ours (not a Step Functions or Lambda error).
    pub fn parse(name: &str) -> Option<ErrorName> {
        ErrorName::ALL
            .iter()
            .copied()
            .find(|known| known.as_str() == name)
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

#[cfg(test)]
#[path = "error_tests.rs"]
mod tests;
