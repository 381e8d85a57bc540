//! The example pipeline (infra/example-pipeline.yaml) deploys what the local example deploys: its
//! Invoke action calls the entry function with the local example's UserParameters, plus the
//! CloudFormation service role a deployment on AWS needs.

use serde_yaml_ng::Value;
use stackflow_environment::functions::ENTRY_FUNCTION;

use crate::cfn::{expr, read, trusted_service, Expr, Template};

const PIPELINE: &str = "infra/example-pipeline.yaml";
const LOCAL_EXAMPLE: &str = "examples/queue-and-bucket.user-parameters.json";

/// The pipeline's actions, by category.
fn actions(template: &Template, category: &str) -> Vec<Value> {
    template
        .property("Pipeline", &["Stages"])
        .and_then(Value::as_sequence)
        .expect("the pipeline has stages")
        .iter()
        .flat_map(|stage| stage["Actions"].as_sequence().cloned().unwrap_or_default())
        .filter(|action| action["ActionTypeId"]["Category"].as_str() == Some(category))
        .collect()
}

#[test]
fn the_invoke_action_calls_the_entry_function_with_the_local_examples_user_parameters() {
    let template = Template::load(PIPELINE);
    let invokes = actions(&template, "Invoke");
    assert_eq!(invokes.len(), 1);
    let invoke = &invokes[0];
    assert_eq!(invoke["ActionTypeId"]["Provider"].as_str(), Some("Lambda"));

    let function = expr(&invoke["Configuration"]["FunctionName"]);
    assert_eq!(function, Expr::Ref("EntryFunctionName".into()));
    assert_eq!(
        template
            .parameter_default("EntryFunctionName")
            .and_then(Value::as_str),
        Some(ENTRY_FUNCTION)
    );

    let Expr::Sub(text) = expr(&invoke["Configuration"]["UserParameters"]) else {
        panic!("UserParameters is not a !Sub string");
    };
    let mut on_aws: serde_json::Map<String, serde_json::Value> =
        serde_json::from_str(text.trim()).expect("the UserParameters are JSON");
    let local: serde_json::Map<String, serde_json::Value> =
        serde_json::from_str(&read(LOCAL_EXAMPLE)).unwrap();
    let role = on_aws.remove("roleArn");
    let local_role = local.get("roleArn").cloned();
    let local_rest: serde_json::Map<_, _> = local
        .into_iter()
        .filter(|(key, _)| key != "roleArn")
        .collect();
    assert_eq!(
        on_aws, local_rest,
        "the pipeline's UserParameters and {LOCAL_EXAMPLE} differ"
    );

    // On AWS the stack is deployed with the pipeline's CloudFormation service role.
    assert_eq!(role, Some(serde_json::json!("${DeployRole.Arn}")));
    if let Some(local_role) = local_role {
        assert!(local_role.is_string(), "{LOCAL_EXAMPLE}'s roleArn");
    }
    assert_eq!(
        trusted_service(&template, "DeployRole"),
        "cloudformation.amazonaws.com"
    );

    let artifact = on_aws["artifact"].as_str().unwrap();
    assert_eq!(invoke["InputArtifacts"][0]["Name"].as_str(), Some(artifact));
    let sources = actions(&template, "Source");
    assert_eq!(
        sources[0]["OutputArtifacts"][0]["Name"].as_str(),
        Some(artifact)
    );
}

#[test]
fn the_pipeline_may_invoke_only_the_entry_function() {
    let template = Template::load(PIPELINE);
    let statements = crate::cfn::role_statements(&template, "PipelineRole");
    let invoke: Vec<_> = statements
        .iter()
        .filter(|s| s.actions.iter().any(|a| a.starts_with("lambda:")))
        .collect();
    assert_eq!(invoke.len(), 1);
    assert_eq!(invoke[0].actions, ["lambda:InvokeFunction"]);
    assert_eq!(
        invoke[0].resources,
        vec![Expr::Sub(
            "arn:${AWS::Partition}:lambda:${AWS::Region}:${AWS::AccountId}:function:${EntryFunctionName}"
                .into()
        )]
    );
}
