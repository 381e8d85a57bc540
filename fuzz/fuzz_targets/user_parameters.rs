//! The action's UserParameters, as validate-params checks them against the job: any text, with
//! the input artifacts of a two-artifact job.

#![no_main]

use libfuzzer_sys::fuzz_target;
use stackflow::contract::{ArtifactLocation, ExecutionInput};

fuzz_target!(|data: &[u8]| {
    // UserParameters reach us as a JSON string of the event, so always UTF-8.
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let artifact = |name: &str| ArtifactLocation {
        name: name.to_string(),
        bucket: "codepipeline-us-east-1-111111111111".to_string(),
        key: format!("pipeline/{name}/AbCdEfG"),
        revision: None,
    };
    let input = ExecutionInput {
        job_id: "11111111-abcd-1111-abcd-111111abcdef".to_string(),
        user_parameters: text.to_string(),
        input_artifacts: vec![artifact("SourceArtifact"), artifact("BuildOutput")],
        encryption_key: None,
        current_job: None,
    };
    let settings = stackflow::settings::ValidateSettings {
        roles: match stackflow::settings::ServiceRoles::parse(
            "arn:aws:iam::111111111111:role/deployer",
        ) {
            Ok(roles) => roles,
            Err(_) => return,
        },
        artifact_store: stackflow::settings::ArtifactStore {
            bucket: "codepipeline-us-east-1-111111111111".to_string(),
            key_arn: None,
        },
    };
    if let Ok(params) = stackflow::steps::validate_params::validate(&input, &settings, 1_700_000_000) {
        // What the next states get must serialise.
        assert!(serde_json::to_string(&params).is_ok());
    }
});
