//! What the fault tooling fails with. The environment's error takes it as it is, so the CLI
//! prints the same message.

#[derive(Debug, thiserror::Error)]
pub enum FaultToolError {
    /// The service refused the fault: a usage error.
    #[error("{0}")]
    Refused(String),
    /// A service could not be reached, started or understood.
    #[error("{0}")]
    Unavailable(String),
    #[error("{context}: {source}")]
    Io {
        context: String,
        #[source]
        source: std::io::Error,
    },
}

pub type Result<T, E = FaultToolError> = std::result::Result<T, E>;
