//! The local environment's error type: what went wrong while starting, stopping or running it.

/// Errors of the environment and the CLI; each says what to do about it.
#[derive(Debug, thiserror::Error)]
pub enum LocalError {
    #[error("{0}")]
    Usage(String),
    #[error("{context}: {source}")]
    Io {
        context: String,
        #[source]
        source: std::io::Error,
    },
    #[error("{0}")]
    Environment(String),
    #[error("{0}")]
    Aws(String),
    /// The fault tooling's errors, as they are.
    #[error(transparent)]
    Faults(#[from] stackflow_fault_tools::FaultToolError),
}

impl LocalError {
    pub fn io(context: impl Into<String>) -> impl FnOnce(std::io::Error) -> LocalError {
        let context = context.into();
        move |source| LocalError::Io { context, source }
    }
}

pub type Result<T, E = LocalError> = std::result::Result<T, E>;
