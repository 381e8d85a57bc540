//! Every Task retries the transient errors: its own (`Transient`) and the Lambda service errors
//! Step Functions reports when invoking the function fails.

use stackflow::error::ErrorName;

use crate::asl::{retriers, Definition};
use crate::cfn::read;

/// The Lambda service errors of Step Functions' best-practice page "Handle Lambda service
/// exceptions" (https://docs.aws.amazon.com/step-functions/latest/dg/bp-lambda-serviceexception.html):
/// the four of its Retry example, and `Lambda.TooManyRequestsException`, which it names for a
/// function at its concurrency limit.
pub const LAMBDA_SERVICE_ERRORS: [&str; 5] = [
    "Lambda.ClientExecutionTimeoutException",
    "Lambda.ServiceException",
    "Lambda.AWSLambdaException",
    "Lambda.SdkClientException",
    "Lambda.TooManyRequestsException",
];

/// The error name of stackflow's own transient failures (`stackflow::Error::Transient`).
const TRANSIENT: &str = ErrorName::Transient.as_str();

#[test]
fn every_tasks_transient_retry_has_every_documented_lambda_service_error() {
    let definition = Definition::load();
    let tasks = definition.tasks();
    assert!(tasks.len() >= 6, "{tasks:?}");
    for (name, task) in tasks {
        let transient: Vec<_> = retriers(task)
            .into_iter()
            .filter(|retrier| retrier.errors.iter().any(|error| error == TRANSIENT))
            .collect();
        assert_eq!(
            transient.len(),
            1,
            "{name}: one retrier retries {TRANSIENT}"
        );
        for error in LAMBDA_SERVICE_ERRORS {
            assert!(
                transient[0].errors.iter().any(|e| e == error),
                "{name}: its {TRANSIENT} retrier does not retry {error}"
            );
        }
    }
}

#[test]
fn the_statemachine_readme_names_the_retried_lambda_service_errors() {
    let readme = read("statemachine/README.md");
    let row = readme
        .lines()
        .find(|line| line.starts_with("| `Lambda.") && line.contains("as `Transient`"))
        .expect("statemachine/README.md has the row of the Lambda service errors");
    for error in LAMBDA_SERVICE_ERRORS {
        assert!(row.contains(&format!("`{error}`")), "{row} lacks {error}");
    }
}
