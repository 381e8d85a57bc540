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
}

impl LocalError {
    pub fn io(context: impl Into<String>) -> impl FnOnce(std::io::Error) -> LocalError {
        let context = context.into();
        move |source| LocalError::Io { context, source }
    }
}

pub type Result<T, E = LocalError> = std::result::Result<T, E>;

/// The `message` of a local service's JSON error body, or the body itself when it has none.
pub(crate) fn body_message(text: String) -> String {
    serde_json::from_str::<serde_json::Value>(&text)
        .ok()
        .and_then(|body| {
            body.get("message")
                .and_then(serde_json::Value::as_str)
                .map(str::to_string)
        })
        .unwrap_or(text)
}

#[cfg(test)]
mod tests {
    use super::body_message;

    #[test]
    fn an_error_body_gives_its_message_or_itself() {
        let json = r#"{"__type":"JobNotFoundException","message":"job 42 is not known"}"#;
        assert_eq!(body_message(json.into()), "job 42 is not known");
        assert_eq!(body_message("Bad Gateway".into()), "Bad Gateway");
        assert_eq!(body_message(r#"{"message":7}"#.into()), r#"{"message":7}"#);
    }
}
