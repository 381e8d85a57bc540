//! The template's resources are configured as the issue asks: the functions (arm64,
//! provided.al2023, 128 MB, JSON logs), the state machine (Standard, logged, tracing by
//! parameter), the staging bucket (encrypted, private, TLS only, a day) and the outputs.

use serde_yaml_ng::Value;

use crate::cfn::{expr, statements, Expr, Template};
use crate::wiring::TEMPLATE;

#[test]
fn the_functions_run_on_arm64_with_json_logs() {
    let template = Template::load(TEMPLATE);
    let global = |key: &str| template.global(&["Function", key]).cloned();
    assert_eq!(
        global("Runtime").and_then(|v| v.as_str().map(str::to_string)),
        Some("provided.al2023".into())
    );
    assert_eq!(
        global("Handler").and_then(|v| v.as_str().map(str::to_string)),
        Some("bootstrap".into())
    );
    assert_eq!(global("MemorySize").and_then(|v| v.as_u64()), Some(128));
    assert_eq!(
        template
            .global(&["Function", "Architectures"])
            .and_then(|architectures| architectures.get(0))
            .and_then(Value::as_str),
        Some("arm64")
    );
    assert_eq!(
        template
            .global(&["Function", "LoggingConfig", "LogFormat"])
            .and_then(Value::as_str),
        Some("JSON")
    );
    for (logical_id, _) in template.of_type("AWS::Serverless::Function") {
        for key in ["Runtime", "Architectures", "MemorySize", "Handler"] {
            assert!(
                template.property(&logical_id, &[key]).is_none(),
                "{logical_id} overrides the global {key}"
            );
        }
    }
}

#[test]
fn the_state_machine_is_standard_logged_and_traced_by_parameter() {
    let template = Template::load(TEMPLATE);
    let property = |path: &[&str]| template.property("StateMachine", path).cloned();
    assert_eq!(
        property(&["Type"]).and_then(|v| v.as_str().map(str::to_string)),
        Some("STANDARD".into())
    );
    assert_eq!(
        property(&["Role"]).map(|v| expr(&v)),
        Some(Expr::GetAtt("StateMachineRole".into(), "Arn".into()))
    );
    let destination = property(&["Logging", "Destinations"])
        .and_then(|d| d.get(0).cloned())
        .and_then(|d| d["CloudWatchLogsLogGroup"].get("LogGroupArn").cloned())
        .map(|arn| expr(&arn));
    assert_eq!(
        destination,
        Some(Expr::GetAtt("StateMachineLogGroup".into(), "Arn".into()))
    );
    assert_eq!(
        template.resource("StateMachineLogGroup")["Type"].as_str(),
        Some("AWS::Logs::LogGroup")
    );
    let tracing = property(&["Tracing", "Enabled"]).expect("Tracing.Enabled");
    match &tracing {
        Value::Tagged(tagged) if tagged.tag == "If" => {
            assert_eq!(tagged.value[0].as_str(), Some("TracingEnabled"));
        }
        other => panic!("Tracing.Enabled is {other:?}, not switched by a parameter"),
    }
    assert_eq!(
        template.doc["Conditions"]["TracingEnabled"],
        serde_yaml_ng::from_str::<Value>("!Equals [!Ref XRayTracing, \"true\"]").unwrap()
    );
}

#[test]
fn the_staging_bucket_is_encrypted_private_tls_only_and_short_lived() {
    let template = Template::load(TEMPLATE);
    let bucket = |path: &[&str]| template.property("StagingBucket", path).cloned();
    let encryption = bucket(&["BucketEncryption", "ServerSideEncryptionConfiguration"])
        .and_then(|rules| rules.get(0).cloned())
        .and_then(|rule| {
            rule["ServerSideEncryptionByDefault"]
                .get("SSEAlgorithm")
                .cloned()
        });
    assert!(encryption.is_some(), "the staging bucket is encrypted");
    for key in [
        "BlockPublicAcls",
        "BlockPublicPolicy",
        "IgnorePublicAcls",
        "RestrictPublicBuckets",
    ] {
        assert_eq!(
            bucket(&["PublicAccessBlockConfiguration", key]).and_then(|v| v.as_bool()),
            Some(true),
            "{key}"
        );
    }
    let rules = bucket(&["LifecycleConfiguration", "Rules"]).expect("lifecycle rules");
    let expiry = rules
        .as_sequence()
        .into_iter()
        .flatten()
        .find(|rule| rule["Status"].as_str() == Some("Enabled") && rule.get("Prefix").is_none())
        .and_then(|rule| rule["ExpirationInDays"].as_u64());
    assert_eq!(expiry, Some(1), "staged templates expire after a day");

    let (policy, _) = template
        .of_type("AWS::S3::BucketPolicy")
        .into_iter()
        .find(|(id, _)| {
            template.property(id, &["Bucket"]).map(expr) == Some(Expr::Ref("StagingBucket".into()))
        })
        .expect("the staging bucket has a policy");
    let document = template
        .property(&policy, &["PolicyDocument"])
        .expect("PolicyDocument");
    let deny = statements(document)
        .into_iter()
        .find(|s| s.effect == "Deny" && s.actions == ["s3:*"])
        .expect("a Deny of every S3 action");
    assert_eq!(
        deny.condition
            .as_ref()
            .and_then(|c| c["Bool"]["aws:SecureTransport"].as_str()),
        Some("false"),
        "requests without TLS are denied"
    );
    assert!(deny
        .resources
        .contains(&Expr::GetAtt("StagingBucket".into(), "Arn".into())));
    assert!(deny
        .resources
        .contains(&Expr::Sub("${StagingBucket.Arn}/*".into())));
}

#[test]
fn the_outputs_give_what_a_pipeline_needs() {
    let template = Template::load(TEMPLATE);
    let output = |name: &str| {
        template.doc["Outputs"]
            .get(name)
            .map(|o| expr(&o["Value"]))
            .unwrap_or_else(|| panic!("no output {name}"))
    };
    assert_eq!(
        output("EntryFunctionName"),
        Expr::Ref("StartDeploymentFunction".into())
    );
    assert_eq!(
        output("EntryFunctionArn"),
        Expr::GetAtt("StartDeploymentFunction".into(), "Arn".into())
    );
    assert_eq!(output("StateMachineArn"), Expr::Ref("StateMachine".into()));
    assert_eq!(
        output("StagingBucketName"),
        Expr::Ref("StagingBucket".into())
    );
    let entry = template
        .property("StartDeploymentFunction", &["CodeUri"])
        .and_then(Value::as_str);
    assert_eq!(entry, Some("../functions/start-deployment"));
}
