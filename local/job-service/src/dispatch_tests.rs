use super::*;
use crate::model::ArtifactSource;

fn request() -> CreateJobRequest {
    CreateJobRequest {
        user_parameters: Some("{}".into()),
        artifacts: vec![ArtifactSource {
            name: "SourceArtifact".into(),
            zip_path: "/tmp/source.zip".into(),
            revision: None,
        }],
        output_artifacts: vec!["Out".into()],
        pipeline_name: Some("my-pipeline".into()),
        deliveries: None,
    }
}

#[test]
fn a_good_request_passes() {
    assert!(check_request(&request()).is_ok());
}

#[test]
fn relative_paths_duplicate_names_and_long_parameters_are_refused() {
    let mut bad = request();
    bad.artifacts[0].zip_path = "source.zip".into();
    assert!(matches!(
        check_request(&bad),
        Err(JobServiceError::Validation(_))
    ));

    let mut bad = request();
    bad.output_artifacts = vec!["SourceArtifact".into()];
    assert!(matches!(
        check_request(&bad),
        Err(JobServiceError::Validation(_))
    ));

    let mut bad = request();
    bad.output_artifacts = (0..=ARTIFACTS_MAX).map(|i| format!("Out{i}")).collect();
    assert!(matches!(
        check_request(&bad),
        Err(JobServiceError::Validation(_))
    ));

    let mut bad = request();
    bad.user_parameters = Some("x".repeat(CONFIGURATION_VALUE_MAX + 1));
    assert!(matches!(
        check_request(&bad),
        Err(JobServiceError::Validation(_))
    ));
}

#[test]
fn the_timeout_message_names_the_job_and_the_seconds() {
    let message = timeout_message("job-1", Duration::from_secs(1200));
    assert!(message.contains("job-1"));
    assert!(message.contains("within 1200 seconds"));
    assert!(timeout_message("j", Duration::from_millis(1500)).contains("1.500 seconds"));
}

#[test]
fn deliveries_are_one_to_the_most() {
    for deliveries in [1, MAX_DELIVERIES] {
        let request = CreateJobRequest {
            deliveries: Some(deliveries),
            ..request()
        };
        assert!(check_request(&request).is_ok(), "{deliveries}");
    }
    for deliveries in [0, MAX_DELIVERIES + 1] {
        let request = CreateJobRequest {
            deliveries: Some(deliveries),
            ..request()
        };
        let error = check_request(&request)
            .err()
            .map(|error| error.to_string())
            .unwrap_or_default();
        assert!(error.contains("deliveries must be 1 to"), "{error}");
    }
}
