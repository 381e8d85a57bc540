use super::*;

fn message(violations: Violations) -> String {
    match violations.into_result() {
        Err(JobServiceError::Validation(message)) => message,
        other => format!("unexpected: {other:?}"),
    }
}

#[test]
fn no_violations_is_ok() {
    let mut violations = Violations::new();
    violations.length("a", Some("abc"), 1, 3);
    violations.range("b", Some(100), 0, 100);
    violations.one_of("c", Some("JobFailed"), &FAILURE_TYPES);
    violations.job_id("d", Some("0123abcd-0123-4567-89ab-0123456789ab"));
    assert!(violations.into_result().is_ok());
}

#[test]
fn length_limits_are_in_characters_and_both_ends_are_checked() {
    let mut violations = Violations::new();
    violations.length("m", Some(&"é".repeat(5000)), 1, 5000);
    assert!(violations.into_result().is_ok());

    let mut violations = Violations::new();
    violations.length("failureDetails.message", Some(&"x".repeat(5001)), 1, 5000);
    let text = message(violations);
    assert!(text.starts_with("1 validation error detected"), "{text}");
    assert!(text.contains("'failureDetails.message'"), "{text}");
    assert!(text.contains("less than or equal to 5000"), "{text}");

    let mut violations = Violations::new();
    violations.length("summary", Some(""), 1, 2048);
    assert!(message(violations).contains("greater than or equal to 1"));
}

#[test]
fn several_violations_are_counted() {
    let mut violations = Violations::new();
    violations.required::<String>("jobId", None);
    violations.range("executionDetails.percentComplete", Some(101), 0, 100);
    let text = message(violations);
    assert!(text.starts_with("2 validation errors detected"), "{text}");
    assert!(text.contains("Member must not be null"), "{text}");
}

#[test]
fn failure_type_must_be_one_of_the_enum() {
    let mut violations = Violations::new();
    violations.one_of("failureDetails.type", Some("Oops"), &FAILURE_TYPES);
    assert!(message(violations).contains("enum value set"));
}

#[test]
fn job_ids_are_lowercase_uuids() {
    assert!(is_job_id("11111111-abcd-1111-abcd-111111abcdef"));
    assert!(!is_job_id("11111111-ABCD-1111-abcd-111111abcdef"));
    assert!(!is_job_id("not-a-job"));
    assert!(!is_job_id("11111111-abcd-1111-abcd-111111abcdef0"));
}

#[test]
fn output_variable_names_follow_the_key_pattern() {
    let mut good = BTreeMap::new();
    good.insert(
        "Stack_Name-1@x".to_string(),
        "any value: at all".to_string(),
    );
    let mut violations = Violations::new();
    violations.output_variable_keys("outputVariables", &good);
    assert!(violations.into_result().is_ok());

    let mut bad = BTreeMap::new();
    bad.insert("has space".to_string(), "v".to_string());
    let mut violations = Violations::new();
    violations.output_variable_keys("outputVariables", &bad);
    assert!(message(violations).contains("regular expression pattern"));
}

#[test]
fn names_follow_their_patterns() {
    let mut violations = Violations::new();
    violations.pipeline_name("pipelineName", Some("my.pipe@line_1-x"));
    violations.artifact_name("name", "SourceArtifact_1-x");
    assert!(violations.into_result().is_ok());

    let mut violations = Violations::new();
    violations.pipeline_name("pipelineName", Some("my/pipe"));
    violations.artifact_name("name", "Source.Artifact");
    assert!(message(violations).starts_with("2 validation errors"));
}

#[test]
fn output_variables_size_counts_key_and_value_bytes() {
    let mut variables = BTreeMap::new();
    variables.insert("ab".to_string(), "cde".to_string());
    variables.insert("f".to_string(), "é".to_string());
    assert_eq!(output_variables_size(&variables), 2 + 3 + 1 + 2);
}

#[test]
fn long_values_are_cut_in_messages() {
    let mut violations = Violations::new();
    violations.one_of("t", Some(&"x".repeat(10_000)), &FAILURE_TYPES);
    assert!(message(violations).len() < 400);
}
