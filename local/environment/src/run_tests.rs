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
    "outputs": {}
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
    };
    assert!(report.succeeded());
    assert_eq!(
        report.to_string(),
        r#"{"job":{"id":"job-1","status":"Succeeded","failureType":null,"message":null,"outputVariables":{}},"execution":null,"stack":null}"#
    );
}
