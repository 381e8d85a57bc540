//! The CodePipeline job event start-deployment receives: decoded as lambda_runtime decodes it
//! (serde_json into `CodePipelineJobEvent`), then redacted into a `JobRequest` and turned into
//! the execution input. Besides not panicking: no artifact credential may reach the `JobRequest`
//! or the execution input.

#![no_main]

use aws_lambda_events::event::codepipeline_job::CodePipelineJobEvent;
use libfuzzer_sys::fuzz_target;
use stackflow::codepipeline::hand_over::token::HandOverToken;
use stackflow::codepipeline::job_event::JobRequest;

fuzz_target!(|data: &[u8]| {
    let Ok(event) = serde_json::from_slice::<CodePipelineJobEvent>(data) else {
        return;
    };
    let credentials = event.code_pipeline_job.data.artifact_credentials.clone();
    let mut without_credentials = event.clone();
    without_credentials
        .code_pipeline_job
        .data
        .artifact_credentials = Default::default();
    let rest = serde_json::to_string(&without_credentials).unwrap_or_default();

    let Ok(job) = JobRequest::from_event(event) else {
        return;
    };
    let input = serde_json::to_string(&job.execution_input(1_700_000_000)).unwrap_or_default();
    let seen = format!("{job:?}\n{input}");
    if let Some(token) = &job.continuation_token {
        let _ = HandOverToken::decode(token);
    }

    let secrets = [
        credentials.access_key_id,
        credentials.secret_access_key,
        credentials.session_token,
    ];
    for secret in secrets.into_iter().flatten() {
        // Only values that look like credentials (so no escaping can make them up) and that the
        // rest of the event does not also hold (a job id may equal a secret by chance).
        let credential_like = secret.len() >= 8
            && secret
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"+/=".contains(&b));
        if credential_like && !rest.contains(&secret) {
            assert!(!seen.contains(&secret), "a credential leaked: {secret}");
        }
    }
});
