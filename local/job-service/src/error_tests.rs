use super::*;

#[test]
fn modeled_errors_keep_their_api_names() {
    let cases = [
        (
            JobServiceError::JobNotFound(String::new()),
            "JobNotFoundException",
        ),
        (
            JobServiceError::InvalidJobState(String::new()),
            "InvalidJobStateException",
        ),
        (
            JobServiceError::Validation(String::new()),
            "ValidationException",
        ),
        (
            JobServiceError::OutputVariablesSizeExceeded(String::new()),
            "OutputVariablesSizeExceededException",
        ),
        (
            JobServiceError::UnknownOperation(String::new()),
            "UnknownOperationException",
        ),
    ];
    for (error, name) in cases {
        assert_eq!(error.aws_error_type(), name);
        assert_eq!(error.into_aws_response().status(), StatusCode::BAD_REQUEST);
    }
}

#[test]
fn internal_errors_are_500_on_the_protocol() {
    let error = JobServiceError::NotFound("x".into());
    assert_eq!(error.aws_error_type(), "InternalFailure");
    assert_eq!(
        error.into_aws_response().status(),
        StatusCode::INTERNAL_SERVER_ERROR
    );
}

#[test]
fn control_api_maps_missing_jobs_to_404_and_upstream_failures_to_502() {
    assert_eq!(
        JobServiceError::NotFound("x".into())
            .into_response()
            .status(),
        StatusCode::NOT_FOUND
    );
    let s3 = JobServiceError::S3 {
        operation: "PutObject",
        bucket: "b".into(),
        message: "down".into(),
    };
    assert_eq!(s3.into_response().status(), StatusCode::BAD_GATEWAY);
}
