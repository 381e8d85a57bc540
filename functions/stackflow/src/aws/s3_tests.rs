//! The staged parameter values read back from the staging bucket: only when there are any,
//! under a cap, with a clear message when they are gone or not what fetch-template staged.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use aws_sdk_s3::operation::get_object::GetObjectOutput;
use aws_sdk_s3::primitives::ByteStream;
use aws_sdk_s3::types::error::NoSuchKey;
use aws_smithy_mocks::mock;
use aws_smithy_types::error::ErrorMetadata;

use super::*;
use crate::aws::stack_fixtures::SECRET;
use crate::aws::stack_fixtures::{s3_client, staged_rule, staged_template, STAGED_KEY};
use crate::test_support::map;

#[tokio::test]
async fn the_values_are_read_back_from_the_staging_bucket() {
    let get = staged_rule(r#"{"parameters":{"Env":"prod"},"noEchoDefaults":{"A":"b"}}"#);
    let staged = read_staged_parameters(&s3_client(&[&get]), &staged_template())
        .await
        .unwrap();
    assert_eq!(staged.parameters, map(&[("Env", "prod")]));
    assert_eq!(staged.no_echo_defaults, map(&[("A", "b")]));
    assert_eq!(get.num_calls(), 1);
}

#[tokio::test]
async fn nothing_staged_to_read_means_no_request() {
    let get = staged_rule("{}");
    let s3 = s3_client(&[&get]);
    let mut template = staged_template();
    template.parameter_names.clear();
    assert_eq!(
        read_staged_parameters(&s3, &template).await.unwrap(),
        StagedParameters::default()
    );
    // Without NoEcho parameters there is nothing to mask.
    let template = staged_template();
    assert!(staged_secrets(&s3, &template).await.unwrap().is_empty());
    assert_eq!(get.num_calls(), 0);
}

#[tokio::test]
async fn the_secrets_of_a_template_with_no_echo_parameters_are_read() {
    let get = staged_rule(r#"{"parameters":{"Env":"prod","QueueName":"orders"}}"#);
    let mut template = staged_template();
    template.no_echo = vec!["QueueName".into()];
    let found = staged_secrets(&s3_client(&[&get]), &template)
        .await
        .unwrap();
    assert!(found.found_in("orders"));
    assert!(!found.found_in("prod"));
}

#[tokio::test]
async fn a_missing_staged_object_says_so() {
    let get = mock!(aws_sdk_s3::Client::get_object)
        .then_error(|| GetObjectError::NoSuchKey(NoSuchKey::builder().build()));
    let err = read_staged_parameters(&s3_client(&[&get]), &staged_template())
        .await
        .unwrap_err();
    assert_eq!(err.name(), "AwsError");
    assert!(
        err.message().contains(&format!(
            "the staged parameter values s3://staging/{STAGED_KEY} are gone"
        )),
        "{err}"
    );
}

#[tokio::test]
async fn a_refused_read_is_access_denied_and_throttling_transient() {
    for (code, name) in [("AccessDenied", "AccessDenied"), ("SlowDown", "Transient")] {
        let get = mock!(aws_sdk_s3::Client::get_object).then_error(move || {
            GetObjectError::generic(ErrorMetadata::builder().code(code).message("no").build())
        });
        let err = read_staged_parameters(&s3_client(&[&get]), &staged_template())
            .await
            .unwrap_err();
        assert_eq!(err.name(), name, "{err}");
        assert!(
            err.message()
                .contains("GetObject of the staged parameter values"),
            "{err}"
        );
    }
}

#[tokio::test]
async fn a_garbled_staged_object_is_refused_without_quoting_it() {
    for body in [
        r#"{"parameters":{"Db":7},"x":"pw-3f9c1d77"}"#,
        r#"{"parameters":"pw-3f9c1d77"}"#,
        r#"{"parameters":{"Db":"pw-3f9c1d77"}"#,
        "pw-3f9c1d77",
    ] {
        let get = staged_rule(body);
        let err = read_staged_parameters(&s3_client(&[&get]), &staged_template())
            .await
            .unwrap_err();
        assert_eq!(err.name(), "Misconfigured", "{body}");
        assert!(
            err.message().contains("are not what fetch-template stages"),
            "{err}"
        );
        assert!(!err.message().contains(SECRET), "{err}");
    }
}

#[tokio::test]
async fn an_oversized_staged_object_is_refused() {
    let get = mock!(aws_sdk_s3::Client::get_object).then_output(|| {
        GetObjectOutput::builder()
            .content_length(MAX_STAGED_BYTES as i64 + 1)
            .body(ByteStream::from_static(b"{}"))
            .build()
    });
    let err = read_staged_parameters(&s3_client(&[&get]), &staged_template())
        .await
        .unwrap_err();
    assert_eq!(err.name(), "Misconfigured");
}
