#![allow(clippy::unwrap_used)]

use super::*;

fn rule(json: serde_json::Value) -> FaultRule {
    serde_json::from_value(json).unwrap()
}

fn request<'a>(service: Service, operation: &'a str, text: &'a str) -> Request<'a> {
    Request {
        service,
        operation: Some(operation),
        text,
    }
}

#[test]
fn a_rule_strikes_its_first_times_matches_then_only_counts() {
    let faults = Faults::default();
    let set = faults
        .add(rule(serde_json::json!({
            "service": "cloudformation", "operation": "DescribeStacks",
            "matching": "my-stack", "status": 400, "code": "Throttling",
            "message": "Rate exceeded", "times": 2
        })))
        .unwrap();
    let hit = request(
        Service::CloudFormation,
        "DescribeStacks",
        "StackName=my-stack",
    );
    for _ in 0..2 {
        let strike = faults.strike(&hit).unwrap();
        let error = strike.error.unwrap();
        assert_eq!(error.status, StatusCode::BAD_REQUEST);
        assert_eq!(error.code, "Throttling");
        assert_eq!(error.message, "Rate exceeded");
    }
    assert_eq!(faults.strike(&hit), None);
    // Other stacks, operations and services are never struck nor counted.
    assert_eq!(
        faults.strike(&request(
            Service::CloudFormation,
            "DescribeStacks",
            "StackName=other"
        )),
        None
    );
    assert_eq!(
        faults.strike(&request(Service::CloudFormation, "CreateStack", "my-stack")),
        None
    );
    assert_eq!(
        faults.strike(&request(Service::S3, "DescribeStacks", "my-stack")),
        None
    );
    let record = faults.get(&set.id).unwrap();
    assert_eq!(
        (record.matched, record.struck, record.active),
        (3, 2, false)
    );
}

#[test]
fn a_rule_without_limits_strikes_until_removed() {
    let faults = Faults::default();
    let set = faults
        .add(rule(serde_json::json!({"service": "s3", "status": 503})))
        .unwrap();
    let get = request(Service::S3, "GetObject", "/bucket/key");
    for _ in 0..10 {
        let error = faults.strike(&get).unwrap().error.unwrap();
        assert_eq!(error.code, "ServiceUnavailable");
        assert_eq!(error.message, INJECTED_MESSAGE);
    }
    assert_eq!(faults.remove(&set.id).map(|r| r.struck), Some(10));
    assert_eq!(faults.strike(&get), None);
    assert!(faults.list().is_empty());
}

#[test]
fn a_window_starts_at_the_first_match() {
    let faults = Faults::default();
    let set = faults
        .add(rule(
            serde_json::json!({"service": "s3", "status": 500, "forSeconds": 60}),
        ))
        .unwrap();
    assert!(faults.get(&set.id).unwrap().active);
    let get = request(Service::S3, "GetObject", "/b/k");
    assert!(faults.strike(&get).is_some());
    // Move the first match out of the window.
    for entry in faults.lock().iter_mut() {
        entry.first_match = Instant::now().checked_sub(Duration::from_secs(61));
    }
    assert_eq!(faults.strike(&get), None);
    let record = faults.get(&set.id).unwrap();
    assert_eq!(
        (record.matched, record.struck, record.active),
        (2, 1, false)
    );
}

#[test]
fn a_delay_alone_forwards_after_waiting() {
    let faults = Faults::default();
    faults
        .add(rule(
            serde_json::json!({"service": "codepipeline", "delaySeconds": 3, "times": 1}),
        ))
        .unwrap();
    let strike = faults
        .strike(&request(Service::CodePipeline, "PutJobSuccessResult", "{}"))
        .unwrap();
    assert_eq!(strike.delay, Duration::from_secs(3));
    assert_eq!(strike.error, None);
}

#[test]
fn rules_that_would_do_nothing_or_guess_are_refused() {
    let faults = Faults::default();
    for bad in [
        serde_json::json!({"service": "s3"}),
        serde_json::json!({"service": "s3", "status": 200}),
        serde_json::json!({"service": "s3", "status": 404}),
        serde_json::json!({"service": "s3", "status": 503, "times": 0}),
        serde_json::json!({"service": "s3", "status": 503, "forSeconds": 0}),
        serde_json::json!({"service": "s3", "status": 503, "matching": ""}),
    ] {
        assert!(faults.add(rule(bad.clone())).is_err(), "{bad}");
    }
    assert!(
        serde_json::from_value::<FaultRule>(serde_json::json!({"service": "s3", "statuz": 1}))
            .is_err()
    );
    assert!(serde_json::from_value::<FaultRule>(
        serde_json::json!({"service": "lambda", "status": 500})
    )
    .is_err());
    assert!(faults.list().is_empty());
}
