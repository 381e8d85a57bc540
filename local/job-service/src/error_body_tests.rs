use super::body_message;

#[test]
fn an_error_body_gives_its_message_or_itself() {
    let json = r#"{"__type":"JobNotFoundException","message":"job 42 is not known"}"#;
    assert_eq!(body_message(json.into()), "job 42 is not known");
    assert_eq!(body_message("Bad Gateway".into()), "Bad Gateway");
    assert_eq!(body_message(r#"{"message":7}"#.into()), r#"{"message":7}"#);
}
