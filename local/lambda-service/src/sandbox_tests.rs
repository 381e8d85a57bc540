use super::*;

#[test]
fn exit_messages_use_lambdas_wording() {
    assert_eq!(
        exit_message(Ok(ExitStatus::from_raw(3 << 8))),
        "Runtime exited with error: exit status 3"
    );
    assert_eq!(
        exit_message(Ok(ExitStatus::from_raw(9))),
        "Runtime exited with error: signal: killed"
    );
    assert_eq!(
        exit_message(Ok(ExitStatus::from_raw(10))),
        "Runtime exited with error: signal: signal 10"
    );
}
