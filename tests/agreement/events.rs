//! Every function has a sample event in tests/events/ (what `cargo lambda invoke --data-file`
//! sends it), and each parses as the input type its `main.rs` takes, so the samples keep up with
//! the step contracts.

use aws_lambda_events::event::codepipeline_job::CodePipelineJobEvent;
use serde::de::DeserializeOwned;
use stackflow::codepipeline::job_event::JobRequest;
use stackflow::contract::{CheckInput, DeployInput, ExecutionInput, FetchInput, ReportInput};
use stackflow_environment::functions::ENTRY_FUNCTION;

use crate::cfn::read;
use crate::sources::function_binaries;

/// The entry function's sample: the event `sam local generate-event codepipeline job` makes.
const ENTRY_EVENT: &str = "tests/events/codepipeline-job.json";

pub fn sample_event(binary: &str) -> String {
    match binary {
        "start-deployment" => ENTRY_EVENT.to_string(),
        other => format!("tests/events/{other}.json"),
    }
}

fn parse<T: DeserializeOwned>(path: &str) -> T {
    serde_json::from_str(&read(path))
        .unwrap_or_else(|err| panic!("{path} is not a {}: {err}", std::any::type_name::<T>()))
}

#[test]
fn every_function_has_a_sample_event_of_its_input_type() {
    for binary in function_binaries() {
        let path = sample_event(&binary);
        match binary.as_str() {
            "start-deployment" => {
                JobRequest::from_event(parse::<CodePipelineJobEvent>(&path)).unwrap();
            }
            "validate-params" => drop(parse::<ExecutionInput>(&path)),
            "fetch-template" => drop(parse::<FetchInput>(&path)),
            "deploy-stack" => drop(parse::<DeployInput>(&path)),
            "check-stack" => drop(parse::<CheckInput>(&path)),
            "report-result" => drop(parse::<ReportInput>(&path)),
            other => panic!("{other} is new: give it a sample event and name its input type here"),
        }
    }
}

#[test]
fn the_entry_sample_is_a_job_for_the_entry_function_that_validate_params_sample_continues() {
    let event: serde_json::Value = serde_json::from_str(&read(ENTRY_EVENT)).unwrap();
    let job = &event["CodePipeline.job"];
    assert_eq!(
        job["data"]["actionConfiguration"]["configuration"]["FunctionName"].as_str(),
        Some(ENTRY_FUNCTION)
    );
    let request = JobRequest::from_event(parse::<CodePipelineJobEvent>(ENTRY_EVENT)).unwrap();
    let execution_input: ExecutionInput = parse("tests/events/validate-params.json");
    assert_eq!(execution_input.job_id, request.job_id);
    assert_eq!(execution_input.user_parameters, request.user_parameters);
    assert_eq!(execution_input.input_artifacts, request.input_artifacts);
}
