//! The README's claims that the shared environment can show (issue 16, item 1), each read back
//! from CloudFormation and S3 rather than from stackflow's own report: `roleArn`, `tags`, the
//! configuration file's Tags and StackPolicy; a template over 51,200 bytes; S3 refusing the
//! artifact (`PermissionError`).

use std::collections::BTreeMap;

use serde_json::{json, Value};
use stackflow_environment::aws::{moto_sdk_config, SERVICE_ROLE_ARN};
use stackflow_environment::state::EnvironmentState;

use crate::aftermath::Aftermath;
use crate::support::{
    assert_failed, cli, environment, example, example_parameters, fixture, run, run_with, runtime,
    unique_stack, RUN_TIMEOUT,
};

async fn cloudformation(env: &EnvironmentState) -> aws_sdk_cloudformation::Client {
    aws_sdk_cloudformation::Client::new(&moto_sdk_config(&env.moto_url()).await)
}

/// The stack as CloudFormation describes it.
fn described(stack: &str) -> aws_sdk_cloudformation::types::Stack {
    let env = environment();
    runtime().block_on(async {
        let described = cloudformation(env)
            .await
            .describe_stacks()
            .stack_name(stack)
            .send()
            .await
            .expect("describe the stack");
        described.stacks()[0].clone()
    })
}

#[test]
fn role_arn_tags_and_the_configuration_files_tags_and_stack_policy_reach_the_stack() {
    let stack = unique_stack("e2e-tagged");
    let params = json!({
        "stack": stack,
        "artifact": "SourceArtifact",
        "file": "template.yaml",
        "config": "config.json",
        "roleArn": SERVICE_ROLE_ARN,
        // One key of the configuration file's, overridden; one of the UserParameters' own.
        "tags": {"owner": "from-user-parameters", "team": "deployers"},
        "pollSeconds": 1,
        "timeoutMinutes": 5
    });
    let artifact = fixture("tags-and-policy");
    let done = run(&[("SourceArtifact", &artifact)], &params.to_string());
    assert_eq!(done.code, 0, "{}\n{}", done.report, done.live);

    let described = described(&stack);
    assert_eq!(described.role_arn(), Some(SERVICE_ROLE_ARN));
    let tags: BTreeMap<&str, &str> = described
        .tags()
        .iter()
        .map(|tag| (tag.key().unwrap_or(""), tag.value().unwrap_or("")))
        .collect();
    let expected = BTreeMap::from([
        ("owner", "from-user-parameters"),
        ("project", "stackflow-e2e"),
        ("team", "deployers"),
    ]);
    assert_eq!(tags, expected);

    let env = environment();
    let policy = runtime().block_on(async {
        cloudformation(env)
            .await
            .get_stack_policy()
            .stack_name(&stack)
            .send()
            .await
            .expect("GetStackPolicy")
            .stack_policy_body()
            .map(str::to_string)
    });
    let policy: Value = serde_json::from_str(&policy.expect("a stack policy")).unwrap();
    let config: Value =
        serde_json::from_str(&std::fs::read_to_string(artifact.join("config.json")).unwrap())
            .unwrap();
    assert_eq!(policy, config["StackPolicy"]);
}

#[test]
fn a_template_over_51200_bytes_is_deployed_through_the_staging_bucket() {
    let env = environment();
    let artifact = fixture("large-template");
    let body = std::fs::read_to_string(artifact.join("template.yaml")).unwrap();
    // CloudFormation takes at most 51,200 bytes in a TemplateBody, 1 MB from S3 (TemplateURL):
    // https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/cloudformation-limits.html
    assert!((55_000..1_000_000).contains(&body.len()), "{}", body.len());
    let stack = unique_stack("e2e-large");
    let params = json!({
        "stack": stack, "artifact": "SourceArtifact", "file": "template.yaml",
        "pollSeconds": 1, "timeoutMinutes": 5
    });
    let done = run(&[("SourceArtifact", &artifact)], &params.to_string());
    assert_eq!(done.code, 0, "{}\n{}", done.report, done.live);
    assert_eq!(done.stack_status(), Some("CREATE_COMPLETE"));
    assert!(done.output("LastQueueUrl").is_some(), "{}", done.report);

    runtime().block_on(async {
        // CloudFormation holds the whole template...
        let template = cloudformation(env)
            .await
            .get_template()
            .stack_name(&stack)
            .send()
            .await
            .expect("GetTemplate");
        assert_eq!(template.template_body(), Some(body.as_str()));
        // ...which it read from the staging bucket, where Fetch template put it.
        let listing = reqwest::get(format!(
            "{}/{}?list-type=2&prefix=stackflow/",
            env.moto_url(),
            env.staging_bucket
        ))
        .await
        .expect("list the staging bucket")
        .text()
        .await
        .unwrap();
        assert!(
            listing.contains(&format!("<Size>{}</Size>", body.len())),
            "no staged object of the template's {} bytes in {}",
            body.len(),
            env.staging_bucket
        );
    });
}

#[test]
fn s3_refusing_the_artifact_fails_the_job_as_a_permission_error() {
    environment();
    // An artifact name no other test uses: the local CodePipeline puts its first 10
    // characters in the artifact's key, which the fault matches.
    let artifact = unique_stack("Denied").replace('-', "");
    // S3's answer to a GetObject it refuses: 403, AccessDenied, "Access Denied"
    // (https://docs.aws.amazon.com/AmazonS3/latest/API/ErrorResponses.html).
    let rule = json!({
        "service": "s3", "operation": "GetObject", "matching": format!("/{}/", &artifact[..10]),
        "status": 403, "code": "AccessDenied", "message": "Access Denied"
    });
    let out = cli()
        .args(["aws-fault", "set", &rule.to_string()])
        .output()
        .expect("stackflow-local aws-fault set");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let fault: Value = serde_json::from_slice(&out.stdout).expect("the fault as JSON");
    let id = fault["id"].as_str().expect("the fault's id").to_string();

    let stack = unique_stack("e2e-denied");
    let refused = run_with(
        cli(),
        RUN_TIMEOUT,
        &[],
        &[(artifact.as_str(), &example())],
        &example_parameters(&stack, json!({ "artifact": artifact })),
    );
    let removed = cli()
        .args(["aws-fault", "remove", &id])
        .output()
        .expect("stackflow-local aws-fault remove");
    let counts: Value = serde_json::from_slice(&removed.stdout).expect("the fault's counts");

    assert_failed(
        &refused,
        "PermissionError",
        &["GetObject", &artifact, "AccessDenied", "Access Denied"],
    );
    assert!(
        !refused.states().iter().any(|s| s == "Deploy stack"),
        "{:?}",
        refused.states()
    );
    // Refused once, not retried: no retry turns a refusal into an answer.
    assert_eq!(counts["struck"], 1, "{counts}");
    Aftermath::of(environment(), refused.job_id()).assert_one_execution_one_report();
}
