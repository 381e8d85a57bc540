#![allow(clippy::unwrap_used)]

use super::*;

/// What `run --json` prints: the tests and the benchmark read this shape back.
const REPORT: &str = r#"{
  "job": {
    "id": "job-2",
    "status": "Failed",
    "failureType": "JobFailed",
    "message": "Stack demo is ROLLBACK_COMPLETE",
    "outputVariables": {
      "StackName": "demo"
    }
  },
  "execution": {
    "arn": "arn:aws:states:us-east-1:123456789012:execution:stackflow:job-1",
    "status": "SUCCEEDED",
    "states": [
      "Start deployment",
      "Report the result"
    ]
  },
  "stack": {
    "name": "demo",
    "status": null,
    "outputs": {},
    "notEmulated": {
      "AWS::CloudFront::Distribution": 2
    }
  }
}"#;

#[test]
fn the_report_reads_back_what_it_prints() {
    let report: RunReport = serde_json::from_str(REPORT).unwrap();
    assert_eq!(report.job.status, JobOutcome::Failed);
    assert!(!report.succeeded());
    assert_eq!(report.execution.as_ref().unwrap().states.len(), 2);
    assert_eq!(serde_json::to_string_pretty(&report).unwrap(), REPORT);
    assert_eq!(format!("{report:#}"), REPORT);
    let compact: RunReport = serde_json::from_str(&report.to_string()).unwrap();
    assert_eq!(compact, report);
}

#[test]
fn a_report_without_execution_or_stack_prints_nulls() {
    let report = RunReport {
        job: JobSummary {
            id: "job-1".into(),
            status: JobOutcome::Succeeded,
            failure_type: None,
            message: None,
            output_variables: BTreeMap::new(),
        },
        execution: None,
        stack: None,
        output_artifact: None,
    };
    assert!(report.succeeded());
    assert_eq!(
        report.to_string(),
        r#"{"job":{"id":"job-1","status":"Succeeded","failureType":null,"message":null,"outputVariables":{}},"execution":null,"stack":null}"#
    );
}

#[test]
fn what_moto_skipped_is_listed_after_the_result() {
    let mut report: RunReport = serde_json::from_str(REPORT).unwrap();
    let mut printed = Vec::new();
    print_result(&report, &mut printed);
    let text = String::from_utf8(printed).unwrap();
    let last = text.lines().last().unwrap();
    assert_eq!(
        last,
        "  not emulated locally: AWS::CloudFront::Distribution (2) (moto created nothing for these; AWS will)"
    );

    report.stack.as_mut().unwrap().not_emulated.clear();
    let mut printed = Vec::new();
    print_result(&report, &mut printed);
    assert!(!String::from_utf8(printed).unwrap().contains("not emulated"));
}

#[test]
fn the_output_artifact_shows_in_the_report_and_the_text_when_asked_for() {
    let mut report: RunReport = serde_json::from_str(REPORT).unwrap();
    assert_eq!(report.output_artifact, None);
    report.output_artifact = Some(OutputArtifactReport {
        name: "Out".into(),
        bucket: "b".into(),
        key: "k".into(),
        written: false,
        entries: vec![],
    });
    let value = serde_json::to_value(&report).unwrap();
    assert_eq!(
        value["outputArtifact"],
        serde_json::json!({"name": "Out", "bucket": "b", "key": "k", "written": false, "entries": []})
    );
    assert_eq!(serde_json::from_value::<RunReport>(value).unwrap(), report);
    let mut printed = Vec::new();
    print_result(&report, &mut printed);
    let text = String::from_utf8(printed).unwrap();
    assert!(
        text.contains("\n  output artifact Out: nothing was written\n"),
        "{text}"
    );
    // What moto skipped is still said last.
    assert!(
        text.lines()
            .last()
            .unwrap()
            .contains("not emulated locally"),
        "{text}"
    );
}
