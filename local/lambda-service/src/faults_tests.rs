#![allow(clippy::unwrap_used, clippy::expect_used)]

use super::*;

fn spec(json: serde_json::Value) -> FaultSpec {
    serde_json::from_value(json).unwrap()
}

#[test]
fn a_fault_hits_only_its_function_and_matching_payloads_then_disarms() {
    let faults = Faults::default();
    faults.arm(spec(
        serde_json::json!({"function": "f", "fault": "crash", "times": 2, "matching": "stack-a"}),
    ));
    assert_eq!(faults.take("g", br#"{"stack":"stack-a"}"#), None);
    assert_eq!(faults.take("f", br#"{"stack":"stack-b"}"#), None);
    assert_eq!(
        faults.take("f", br#"{"stack":"stack-a"}"#),
        Some(Fault::Crash)
    );
    assert_eq!(
        faults.take("f", br#"{"stack":"stack-a"}"#),
        Some(Fault::Crash)
    );
    assert_eq!(faults.take("f", br#"{"stack":"stack-a"}"#), None);
    assert!(faults.armed().is_empty());
}

#[test]
fn a_timeout_fault_carries_its_timeout_and_defaults_to_once() {
    let faults = Faults::default();
    faults.arm(spec(
        serde_json::json!({"function": "f", "fault": "timeout", "timeoutSeconds": 2}),
    ));
    faults.arm(spec(
        serde_json::json!({"function": "f", "fault": "timeout"}),
    ));
    assert_eq!(
        faults.take("f", b"{}"),
        Some(Fault::Timeout(Some(Duration::from_secs(2))))
    );
    assert_eq!(faults.take("f", b"{}"), Some(Fault::Timeout(None)));
    assert_eq!(faults.take("f", b"{}"), None);
}

#[test]
fn specs_that_cannot_work_are_refused() {
    let known = |name: &str| name == "f";
    let problem = |json| spec(json).problem(known);
    assert!(problem(serde_json::json!({"function": "g", "fault": "crash"})).is_some());
    assert!(problem(serde_json::json!({"function": "f", "fault": "crash", "times": 0})).is_some());
    assert!(
        problem(serde_json::json!({"function": "f", "fault": "crash", "timeoutSeconds": 1}))
            .is_some()
    );
    assert!(
        problem(serde_json::json!({"function": "f", "fault": "timeout", "timeoutSeconds": 0}))
            .is_some()
    );
    assert!(problem(serde_json::json!({"function": "f", "fault": "timeout"})).is_none());
    assert!(serde_json::from_value::<FaultSpec>(
        serde_json::json!({"function": "f", "fault": "melt"})
    )
    .is_err());
}

#[test]
fn clear_disarms_everything() {
    let faults = Faults::default();
    faults.arm(spec(serde_json::json!({"function": "f", "fault": "crash"})));
    faults.clear();
    assert_eq!(faults.take("f", b"{}"), None);
}
