#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use super::*;
use proptest::prelude::*;
use serde_json::json;

use crate::test_support::any_json;

fn artifact(name: &str) -> ArtifactLocation {
    ArtifactLocation {
        name: name.to_string(),
        bucket: "pipeline-bucket".to_string(),
        key: format!("pipe/{name}/abc123"),
        revision: Some("e0c7".to_string()),
    }
}

fn input(user_parameters: &str) -> ExecutionInput {
    ExecutionInput {
        job_id: "job-1".to_string(),
        user_parameters: user_parameters.to_string(),
        input_artifacts: vec![artifact("SourceOutput"), artifact("BuildOutput")],
        output_artifacts: vec![artifact("DeployOutput")],
        encryption_key: None,
        current_job: None,
    }
}

const DEFAULT_ROLE: &str = "arn:aws:iam::123456789012:role/stackflow-deployer";
const OTHER_ROLE: &str = "arn:aws-us-gov:iam::123456789012:role/path/cfn-deploy";

/// What the stackflow deployment of these tests allows: two roles, the artifact bucket of
/// `artifact()`, no customer managed key.
fn settings() -> ValidateSettings {
    ValidateSettings {
        roles: crate::settings::ServiceRoles::parse(&format!("{DEFAULT_ROLE}, {OTHER_ROLE}"))
            .unwrap(),
        artifact_store: crate::settings::ArtifactStore {
            bucket: "pipeline-bucket".to_string(),
            key_arn: None,
        },
    }
}

fn validate(input: &ExecutionInput, now_unix: i64) -> Result<DeploymentParams, Error> {
    super::validate(input, &settings(), now_unix)
}

/// The smallest valid UserParameters, with `extra` keys merged in.
fn with(extra: Value) -> String {
    let mut base = json!({"stack": "my-stack", "artifact": "BuildOutput", "file": "template.yaml"});
    if let (Value::Object(base), Value::Object(extra)) = (&mut base, extra) {
        base.extend(extra);
    }
    base.to_string()
}

/// The InvalidParameters message of a failing validation.
fn refusal(user_parameters: &str) -> String {
    match validate(&input(user_parameters), 1_000) {
        Err(Error::InvalidParameters(message)) => message,
        other => panic!("expected InvalidParameters, got {other:?}"),
    }
}

fn valid(user_parameters: &str) -> DeploymentParams {
    validate(&input(user_parameters), 1_000).unwrap()
}

/// Where the template of valid `params` comes from.
fn source(params: &DeploymentParams) -> TemplateSource {
    params.source.clone().expect("a template source")
}

#[test]
fn minimal_parameters_get_the_documented_defaults() {
    let params = valid(&with(json!({})));
    assert_eq!(params.stack, "my-stack");
    assert_eq!(source(&params).file, "template.yaml");
    assert_eq!(source(&params).config, None);
    assert!(params.parameter_names.is_empty());
    assert!(params.capabilities.is_empty());
    assert_eq!(params.role_arn.as_deref(), Some(DEFAULT_ROLE));
    assert!(params.tags.is_empty());
    assert!(!params.replace_on_failure);
    assert_eq!(params.poll_seconds, 15);
    assert_eq!(params.timeout_minutes, 60);
    assert_eq!(params.deadline, 1_000 + 60 * 60);
}

#[test]
fn the_artifact_resolves_to_its_location() {
    let params = valid(&with(json!({})));
    assert_eq!(source(&params).artifact, artifact("BuildOutput"));
}

#[test]
fn every_key_is_read() {
    let params = valid(&with(json!({
        "config": "./cfg/prod.json",
        "parameters": {"Env": "prod", "Replicas": 3, "Debug": false},
        "capabilities": ["CAPABILITY_NAMED_IAM", "CAPABILITY_IAM", "CAPABILITY_IAM"],
        "roleArn": "arn:aws-us-gov:iam::123456789012:role/path/cfn-deploy",
        "tags": {"team": "payments", "cost": 42},
        "replaceOnFailure": true,
        "pollSeconds": 5,
        "timeoutMinutes": 10
    })));
    assert_eq!(source(&params).config.as_deref(), Some("cfg/prod.json"));
    assert_eq!(params.parameter_names, ["Debug", "Env", "Replicas"]);
    assert_eq!(
        params.capabilities,
        vec![Capability::CapabilityIam, Capability::CapabilityNamedIam]
    );
    assert_eq!(
        params.role_arn.as_deref(),
        Some("arn:aws-us-gov:iam::123456789012:role/path/cfn-deploy")
    );
    assert_eq!(params.tags.get("cost").map(String::as_str), Some("42"));
    assert!(params.replace_on_failure);
    assert_eq!(params.poll_seconds, 5);
    assert_eq!(params.timeout_minutes, 10);
    assert_eq!(params.deadline, 1_000 + 600);
}

#[test]
fn parameter_values_are_parsed_but_not_passed_on() {
    let text = with(
        json!({"parameters": {"Env": "prod", "Replicas": 3, "Debug": false, "Db": "pw-5d1c"}}),
    );
    let user = parse_user_parameters(&text).unwrap();
    let values: Vec<(&str, &str)> = user
        .parameters
        .iter()
        .map(|(name, value)| match value {
            crate::parameter_values::ParameterValue::Literal(text) => {
                (name.as_str(), text.as_str())
            }
            other => panic!("{other:?}"),
        })
        .collect();
    assert_eq!(
        values,
        [
            ("Db", "pw-5d1c"),
            ("Debug", "false"),
            ("Env", "prod"),
            ("Replicas", "3")
        ]
    );
    // The output rides in every later state: names, no values.
    let output = serde_json::to_string(&valid(&text)).unwrap();
    assert!(
        output.contains(r#""parameterNames":["Db","Debug","Env","Replicas"]"#),
        "{output}"
    );
    assert!(!output.contains("pw-5d1c"), "{output}");
}

#[test]
fn null_optional_values_mean_absent() {
    let params = valid(&with(
        json!({"config": null, "pollSeconds": null, "tags": null}),
    ));
    assert_eq!(source(&params).config, None);
    assert_eq!(params.poll_seconds, DEFAULT_POLL_SECONDS);
    assert!(params.tags.is_empty());
}

#[test]
fn accepted_keys_are_exactly_the_keys_read() {
    // A full document with every accepted key parses, so no accepted key is left unread...
    let full = with(json!({
        "mode": "createChangeSet", "changeSetName": "review", "outputFile": "out.json",
        "config": "c.json", "parameters": {}, "capabilities": [], "roleArn": null,
        "tags": {}, "replaceOnFailure": false, "pollSeconds": 1, "timeoutMinutes": 1,
        "rollbackAlarms": [], "monitoringMinutes": 0, "notificationArns": [],
        "terminationProtection": null, "onFailure": null
    }));
    let keys: Vec<String> = match serde_json::from_str::<Value>(&full).unwrap() {
        Value::Object(map) => map.keys().cloned().collect(),
        _ => unreachable!(),
    };
    let mut accepted: Vec<&str> = ACCEPTED_KEYS.to_vec();
    accepted.sort_unstable();
    let mut keys: Vec<&str> = keys.iter().map(String::as_str).collect();
    keys.sort_unstable();
    assert_eq!(keys, accepted);
    valid(&full);
}

#[test]
fn empty_text_is_not_json_with_a_position() {
    let message = refusal("");
    assert!(message.starts_with("UserParameters: "), "{message}");
    assert!(message.contains("not valid JSON"), "{message}");
    assert!(message.contains("line 1, column 0"), "{message}");
}

#[test]
fn broken_json_names_line_and_column() {
    let message = refusal("{\"stack\": \"a\",\n  \"file\" \"x\"}");
    assert!(
        message.contains("not valid JSON at line 2, column 10"),
        "{message}"
    );
}

#[test]
fn a_non_object_is_refused() {
    let message = refusal("[\"stack\"]");
    assert!(
        message.contains("must be a JSON object, got an array"),
        "{message}"
    );
    let message = refusal("\"my-stack\"");
    assert!(
        message.contains("must be a JSON object, got a string"),
        "{message}"
    );
}

#[test]
fn an_unknown_key_is_named_with_the_accepted_keys() {
    let message = refusal(&with(json!({"timeout": 5})));
    assert!(message.contains("unknown key `timeout`"), "{message}");
    for key in ACCEPTED_KEYS {
        assert!(message.contains(key), "{key} missing from {message}");
    }
}

#[test]
fn an_unknown_key_differing_in_case_gets_a_hint() {
    let message = refusal(&with(json!({"RoleArn": "x"})));
    assert!(
        message.contains("`RoleArn` (did you mean `roleArn`?)"),
        "{message}"
    );
}

#[test]
fn wrong_types_name_the_key() {
    let cases = [
        (
            json!({"stack": 5}),
            "`stack` must be a string, got a number",
        ),
        (json!({"file": null}), "`file` must be a string, got null"),
        (
            json!({"config": true}),
            "`config` must be a string, got a boolean",
        ),
        (
            json!({"parameters": []}),
            "`parameters` must be an object of strings, got an array",
        ),
        (
            json!({"parameters": {"A": [1]}}),
            "`parameters.A` must be a string",
        ),
        (json!({"tags": {"k": {}}}), "`tags.k` must be a string"),
        (
            json!({"capabilities": "CAPABILITY_IAM"}),
            "`capabilities` must be an array of strings, got a string",
        ),
        (
            json!({"capabilities": [1]}),
            "`capabilities` must hold strings only, got a number",
        ),
        (
            json!({"replaceOnFailure": "yes"}),
            "`replaceOnFailure` must be true or false, got a string",
        ),
        (
            json!({"pollSeconds": "15"}),
            "`pollSeconds` must be a whole number from 1 to 300, got a string",
        ),
        (
            json!({"roleArn": 1}),
            "`roleArn` must be a string, got a number",
        ),
    ];
    for (extra, expected) in cases {
        let message = refusal(&with(extra.clone()));
        assert!(message.contains(expected), "{extra}: {message}");
        assert!(message.starts_with("UserParameters: "), "{message}");
    }
}

#[test]
fn stack_names_follow_cloudformation_rules() {
    for good in ["a", "My-Stack-2", &"a".repeat(128)] {
        assert_eq!(valid(&with(json!({"stack": good}))).stack, good);
    }
    let cases = [
        ("", "`stack` is empty"),
        ("1stack", "does not start with a letter"),
        ("-stack", "does not start with a letter"),
        ("my_stack", "has a character CloudFormation does not allow"),
        ("my stack", "has a character CloudFormation does not allow"),
        ("stäck", "has a character CloudFormation does not allow"),
    ];
    for (bad, expected) in cases {
        let message = refusal(&with(json!({"stack": bad})));
        assert!(message.contains(expected), "{bad}: {message}");
    }
    let message = refusal(&with(json!({"stack": "a".repeat(129)})));
    assert!(message.contains("129 characters"), "{message}");
}

#[test]
fn an_unknown_artifact_lists_the_jobs_artifacts() {
    let message = refusal(&with(json!({"artifact": "Missing"})));
    assert!(
        message.contains("`artifact` `Missing` is not an input artifact"),
        "{message}"
    );
    assert!(message.contains("SourceOutput, BuildOutput"), "{message}");
}

#[test]
fn a_job_without_artifacts_says_so() {
    let mut job = input(&with(json!({})));
    job.input_artifacts.clear();
    let err = validate(&job, 0).unwrap_err();
    assert!(
        err.message().contains("the action has no input artifacts"),
        "{err}"
    );
}

#[test]
fn a_leading_dot_slash_is_dropped() {
    assert_eq!(
        source(&valid(&with(json!({"file": "./t.yaml"})))).file,
        "t.yaml"
    );
    assert_eq!(
        source(&valid(&with(json!({"file": "./a/./b.yaml"})))).file,
        "a/b.yaml"
    );
    assert_eq!(
        source(&valid(&with(json!({"config": "./c/prod.json"}))))
            .config
            .as_deref(),
        Some("c/prod.json")
    );
}

#[test]
fn bad_paths_are_refused_for_file_and_config() {
    let cases = [
        ("/etc/passwd", "is an absolute path"),
        ("", "is not a file path"),
        ("../secret.yaml", "has a `..` component"),
        ("a/../../b", "has a `..` component"),
        ("a//b", "is not a file path"),
        ("dir/", "is not a file path"),
        (".", "does not name a file"),
    ];
    for key in ["file", "config"] {
        for (path, expected) in cases {
            let message = refusal(&with(json!({ key: path })));
            assert!(
                message.contains(&format!("`{key}`")),
                "{key} {path}: {message}"
            );
            assert!(message.contains(expected), "{key} {path}: {message}");
        }
    }
}

#[test]
fn a_bad_capability_lists_the_accepted_ones() {
    let message = refusal(&with(json!({"capabilities": ["CAPABILITY_IAM", "IAM"]})));
    assert!(message.contains("`IAM`"), "{message}");
    assert!(
        message.contains("CAPABILITY_IAM, CAPABILITY_NAMED_IAM, CAPABILITY_AUTO_EXPAND"),
        "{message}"
    );
}

#[test]
fn role_arns_must_be_iam_roles() {
    for good in [
        "arn:aws:iam::123456789012:role/deploy",
        "arn:aws-cn:iam::123456789012:role/a/b/c+=,.@_-",
    ] {
        assert_eq!(
            parse_user_parameters(&with(json!({"roleArn": good})))
                .unwrap()
                .role_arn
                .as_deref(),
            Some(good)
        );
    }
    for bad in [
        "",
        "deploy",
        "arn:aws:iam::12345678901:role/short-account",
        "arn:aws:iam::1234567890123:role/long-account",
        "arn:aws:iam::12345678901a:role/x",
        "arn:aws:iam::123456789012:user/x",
        "arn:aws:iam::123456789012:role/",
        "arn:aws:iam::123456789012:role/dir/",
        "arn:aws:iam::123456789012:role/has space",
        "arn:aws:s3:::bucket",
        "arn:AWS:iam::123456789012:role/x",
        "arn:aws:iam:us-east-1:123456789012:role/x",
    ] {
        let message = refusal(&with(json!({"roleArn": bad})));
        assert!(
            message.contains("is not an IAM role ARN"),
            "{bad}: {message}"
        );
    }
}

#[test]
fn parameter_names_must_be_alphanumeric() {
    let message = refusal(&with(json!({"parameters": {"my-param": "x"}})));
    assert!(message.contains("`my-param`"), "{message}");
    assert!(message.contains("letters and digits only"), "{message}");
}

#[test]
fn tags_meet_cloudformation_limits() {
    let fifty: Map<String, Value> = (0..50).map(|i| (format!("k{i}"), json!("v"))).collect();
    assert_eq!(valid(&with(json!({"tags": fifty}))).tags.len(), 50);
    let fifty_one: Map<String, Value> = (0..51).map(|i| (format!("k{i}"), json!("v"))).collect();
    let message = refusal(&with(json!({"tags": fifty_one})));
    assert!(
        message.contains("51 tags; CloudFormation allows at most 50"),
        "{message}"
    );

    let edge = valid(&with(json!({"tags": {"k".repeat(128): "v".repeat(256)}})));
    assert_eq!(edge.tags.len(), 1);
    let cases = [
        (json!({"k".repeat(129): "v"}), "129 characters; at most 128"),
        (json!({"k": "v".repeat(257)}), "257 characters; at most 256"),
        (json!({"": "v"}), "a tag key is empty"),
        (json!({"aws:owner": "v"}), "which AWS reserves"),
        (json!({"AWS:owner": "v"}), "which AWS reserves"),
    ];
    for (tags, expected) in cases {
        let message = refusal(&with(json!({ "tags": tags })));
        assert!(message.contains("`tags`"), "{message}");
        assert!(message.contains(expected), "{message}");
    }
}

#[test]
fn tag_lengths_count_characters_not_bytes() {
    let params = valid(&with(json!({"tags": {"é".repeat(128): "é".repeat(256)}})));
    assert_eq!(params.tags.len(), 1);
}

#[test]
fn poll_seconds_must_be_in_range() {
    assert_eq!(valid(&with(json!({"pollSeconds": 1}))).poll_seconds, 1);
    assert_eq!(valid(&with(json!({"pollSeconds": 300}))).poll_seconds, 300);
    for bad in [json!(0), json!(301), json!(-1), json!(1.5), json!(1e20)] {
        let message = refusal(&with(json!({ "pollSeconds": bad })));
        assert!(
            message.contains("`pollSeconds` must be a whole number from 1 to 300, got"),
            "{bad}: {message}"
        );
    }
}

#[test]
fn timeout_minutes_must_be_in_range_and_set_the_deadline() {
    let params = valid(&with(json!({"timeoutMinutes": 1320})));
    assert_eq!(params.deadline, 1_000 + 1320 * 60);
    for bad in [json!(0), json!(1321), json!(4_294_967_296_u64)] {
        let message = refusal(&with(json!({ "timeoutMinutes": bad })));
        assert!(
            message.contains("`timeoutMinutes` must be a whole number from 1 to 1320"),
            "{bad}: {message}"
        );
    }
}

#[test]
fn the_deadline_does_not_overflow() {
    let params = validate(&input(&with(json!({}))), i64::MAX).unwrap();
    assert_eq!(params.deadline, i64::MAX);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn arbitrary_text_never_panics(text in ".{0,200}") {
        let _ = validate(&input(&text), 0);
    }

    #[test]
    fn arbitrary_json_never_panics_and_errors_are_invalid_parameters(value in any_json(ACCEPTED_KEYS, ".{0,8}")) {
        if let Err(err) = validate(&input(&value.to_string()), 0) {
            prop_assert_eq!(err.name(), "InvalidParameters");
            prop_assert!(err.message().starts_with("UserParameters: "));
        }
    }

    #[test]
    fn arbitrary_values_under_accepted_keys_never_panic(
        key in prop::sample::select(ACCEPTED_KEYS),
        value in any_json(ACCEPTED_KEYS, ".{0,8}"),
    ) {
        let text = with(json!({ key: value }));
        if let Ok(params) = validate(&input(&text), 0) {
            // Whatever passes meets the documented rules.
            prop_assert!(stack_name_problem(&params.stack).is_none());
            prop_assert!(POLL_SECONDS.contains(&params.poll_seconds));
            prop_assert!(TIMEOUT_MINUTES.contains(&params.timeout_minutes));
            prop_assert!(tag_problem(&params.tags).is_none());
            prop_assert!(!source(&params).file.starts_with('/') && !source(&params).file.split('/').any(|p| p == ".."));
        }
    }

    #[test]
    fn accepted_paths_stay_inside_the_artifact(path in "[./a-z]{0,16}") {
        if let Ok(params) = validate(&input(&with(json!({"file": path}))), 0) {
            prop_assert!(!source(&params).file.is_empty());
            prop_assert!(!source(&params).file.starts_with('/'));
            prop_assert!(source(&params).file.split('/').all(|p| !p.is_empty() && p != "." && p != ".."));
        }
    }
}

#[test]
fn a_role_outside_the_deployments_list_is_refused_naming_the_allowed_ones() {
    let other = "arn:aws:iam::123456789012:role/deploy";
    let message = refusal(&with(json!({ "roleArn": other })));
    assert!(message.contains(other), "{message}");
    assert!(message.contains(DEFAULT_ROLE), "{message}");
    assert!(message.contains(OTHER_ROLE), "{message}");
    assert!(message.contains("CloudFormationRoleArn"), "{message}");
    assert_eq!(
        valid(&with(json!({ "roleArn": OTHER_ROLE })))
            .role_arn
            .as_deref(),
        Some(OTHER_ROLE)
    );
}

#[test]
fn an_artifact_in_another_bucket_is_refused_naming_the_template_parameter() {
    let mut job = input(&with(json!({})));
    job.input_artifacts[1].bucket = "codepipeline-eu-west-1-999".to_string();
    let err = super::validate(&job, &settings(), 0).unwrap_err();
    assert_eq!(err.name(), "ArtifactInvalid");
    assert!(
        err.message().contains("codepipeline-eu-west-1-999"),
        "{err}"
    );
    assert!(err.message().contains("ArtifactBucketName"), "{err}");
}

#[test]
fn a_customer_managed_key_must_be_the_granted_one() {
    use crate::contract::EncryptionKey;
    let key = |id: &str| EncryptionKey {
        id: id.to_string(),
        key_type: "KMS".to_string(),
    };
    let granted = "arn:aws:kms:us-east-1:123456789012:key/1111-2222";
    let with_key = |id: &str, store_key: Option<&str>| {
        let mut job = input(&with(json!({})));
        job.encryption_key = Some(key(id));
        let mut settings = settings();
        settings.artifact_store.key_arn = store_key.map(str::to_string);
        super::validate(&job, &settings, 0)
    };
    // The AWS managed key needs no grant.
    assert!(with_key("arn:aws:kms:us-east-1:123456789012:alias/aws/s3", None).is_ok());
    // The granted key, by ARN or by key id.
    assert!(with_key(granted, Some(granted)).is_ok());
    assert!(with_key("1111-2222", Some(granted)).is_ok());
    // A customer key without a grant, or another key.
    let err = with_key(granted, None).unwrap_err();
    assert_eq!(err.name(), "ArtifactInvalid");
    assert!(err.message().contains("ArtifactKeyArn"), "{err}");
    let err = with_key("arn:aws:kms:us-east-1:123456789012:key/9999", Some(granted)).unwrap_err();
    assert!(err.message().contains("ArtifactKeyArn"), "{err}");
    assert!(err.message().contains(granted), "{err}");
}

#[test]
fn an_empty_tag_value_is_refused_as_cloudformation_would() {
    let message = refusal(&with(json!({"tags": {"team": ""}})));
    assert!(message.contains("`tags`"), "{message}");
    assert!(message.contains("team"), "{message}");
    assert!(message.contains("empty"), "{message}");
}
