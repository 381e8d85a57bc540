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
