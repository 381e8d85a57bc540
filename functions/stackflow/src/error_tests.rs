#![allow(clippy::unwrap_used)]

use super::*;

#[test]
fn an_error_answer_carries_its_name_and_at_most_the_message_limit() {
    let short = Diagnostic::from(Error::StackFailed("stack x failed".into()));
    assert_eq!(short.error_type, "StackFailed");
    assert_eq!(short.error_message, "stack x failed");

    let long = "é\"\u{1}".repeat(ERROR_MESSAGE_MAX_CHARS);
    let cut = Diagnostic::from(Error::AwsError(long));
    assert_eq!(cut.error_type, "AwsError");
    assert_eq!(cut.error_message.chars().count(), ERROR_MESSAGE_MAX_CHARS);
    assert!(cut.error_message.ends_with('…'));
}

#[test]
fn serde_writes_each_error_name_as_its_text_and_reads_it_back() {
    for name in ErrorName::ALL {
        let json = serde_json::to_string(name).unwrap();
        assert_eq!(json, format!("\"{}\"", name.as_str()));
        assert_eq!(serde_json::from_str::<ErrorName>(&json).unwrap(), *name);
        assert_eq!(ErrorName::parse(name.as_str()), Some(*name));
    }
    assert_eq!(ErrorName::parse("States.Timeout"), None);
}

/// The names on the wire: the state machine's Retry and Catch, and report-result, match these.
#[test]
fn each_error_answers_with_its_stable_name() {
    let m = String::new;
    let cases = [
        (Error::InvalidEvent(m()), "InvalidEvent"),
        (Error::InvalidParameters(m()), "InvalidParameters"),
        (Error::ArtifactNotFound(m()), "ArtifactNotFound"),
        (Error::ArtifactInvalid(m()), "ArtifactInvalid"),
        (Error::TemplateInvalid(m()), "TemplateInvalid"),
        (Error::AccessDenied(m()), "AccessDenied"),
        (Error::StackNotUpdatable(m()), "StackNotUpdatable"),
        (Error::StackFailed(m()), "StackFailed"),
        (Error::StackTimedOut(m()), "StackTimedOut"),
        (Error::Transient(m()), "Transient"),
        (Error::AwsError(m()), "AwsError"),
        (Error::Misconfigured(m()), "Misconfigured"),
        (Error::JobAbandoned(m()), "JobAbandoned"),
    ];
    for (error, name) in &cases {
        assert_eq!(error.name(), *name);
    }
    assert_eq!(cases.len(), ErrorName::ALL.len());
}
