use super::*;

const ARN: &str = "arn:aws:states:us-east-1:111111111111:execution:stackflow:job-1";

#[test]
fn a_token_round_trips_with_its_execution() {
    let token = HandOverToken {
        task_token: "AQCEAAAAKgAAAAMAAAAA+/=".into(),
        execution_arn: Some(ARN.into()),
    };
    let encoded = token.encode();
    assert!(encoded.contains(ARN), "{encoded}");
    assert_eq!(HandOverToken::decode(&encoded), token);
}

#[test]
fn a_bare_task_token_is_read_as_one() {
    assert_eq!(
        HandOverToken::decode("plain-task-token"),
        HandOverToken {
            task_token: "plain-task-token".into(),
            execution_arn: None,
        }
    );
}

#[test]
fn a_task_token_too_long_to_wrap_is_sent_bare() {
    let task_token = "t".repeat(MAX_CHARS - 10);
    let token = HandOverToken {
        task_token: task_token.clone(),
        execution_arn: Some(ARN.into()),
    };
    assert_eq!(token.encode(), task_token);
    assert_eq!(
        HandOverToken::decode(&token.encode()).task_token,
        task_token
    );
}
