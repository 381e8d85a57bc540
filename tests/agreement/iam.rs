//! Least privilege: one role per function with only what that function calls, and
//! `Resource: "*"` only where the action takes no resource ARN.

use std::collections::BTreeSet;

use serde_yaml_ng::Value;

use crate::cfn::{expr, role_statements, trusted_service, Expr, Statement, Template};
use crate::sources::services_used;
use crate::wiring::{template_functions, TEMPLATE};

const PIPELINE: &str = "infra/example-pipeline.yaml";

/// Actions that take no resource ARN, so `Resource: "*"` is the only way to grant them.
const NO_RESOURCE_ARN: &[&str] = &[
    // CodePipeline's job-result actions.
    "codepipeline:PutJobSuccessResult",
    "codepipeline:PutJobFailureResult",
    // The task token of a waitForTaskToken state.
    "states:SendTaskSuccess",
    // Step Functions' log delivery to CloudWatch Logs, and X-Ray.
    "logs:CreateLogDelivery",
    "logs:GetLogDelivery",
    "logs:UpdateLogDelivery",
    "logs:DeleteLogDelivery",
    "logs:ListLogDeliveries",
    "logs:PutResourcePolicy",
    "logs:DescribeResourcePolicies",
    "logs:DescribeLogGroups",
    "xray:PutTraceSegments",
    "xray:PutTelemetryRecords",
    "xray:GetSamplingRules",
    "xray:GetSamplingTargets",
];

/// Who may hold a `Resource: "*"` statement of those actions.
const STATE_MACHINE_ONLY: &[&str] = &["logs:", "xray:"];

fn allow_statements(template: &Template) -> Vec<(String, Statement)> {
    template
        .of_type("AWS::IAM::Role")
        .into_iter()
        .flat_map(|(role, _)| {
            role_statements(template, &role)
                .into_iter()
                .map(move |statement| (role.clone(), statement))
        })
        .filter(|(_, statement)| statement.effect == "Allow")
        .collect()
}

fn actions(statements: &[Statement]) -> BTreeSet<String> {
    statements.iter().flat_map(|s| s.actions.clone()).collect()
}

fn set(items: &[&str]) -> BTreeSet<String> {
    items.iter().map(|item| item.to_string()).collect()
}

/// The role a function runs with, and its statements.
fn function_role(template: &Template, binary: &str) -> (String, Vec<Statement>) {
    let functions = template_functions(template);
    let logical_id = &functions[binary];
    let role = match template.property(logical_id, &["Role"]).map(expr) {
        Some(Expr::GetAtt(role, attribute)) if attribute == "Arn" => role,
        other => panic!("{logical_id}'s Role is {other:?}, not a role of the template"),
    };
    assert!(
        template.property(logical_id, &["Policies"]).is_none(),
        "{logical_id}: SAM policies would add a role with AWSLambdaBasicExecutionRole"
    );
    let statements = role_statements(template, &role);
    (role, statements)
}

fn statement_for<'a>(statements: &'a [Statement], action: &str) -> &'a Statement {
    let matching: Vec<&Statement> = statements
        .iter()
        .filter(|s| s.actions.iter().any(|a| a == action))
        .collect();
    assert_eq!(matching.len(), 1, "one statement grants {action}");
    matching[0]
}

#[test]
fn a_star_resource_is_granted_only_for_actions_that_take_no_resource_arn() {
    for path in [TEMPLATE, PIPELINE] {
        let template = Template::load(path);
        for (role, statement) in allow_statements(&template) {
            for action in &statement.actions {
                assert!(
                    !action.contains('*'),
                    "{path} {role}: wildcard action {action}"
                );
            }
            let star = statement.resources.contains(&Expr::Literal("*".into()));
            if !star {
                continue;
            }
            assert_eq!(
                statement.resources.len(),
                1,
                "{path} {role} {}",
                statement.sid
            );
            for action in &statement.actions {
                assert!(
                    NO_RESOURCE_ARN.contains(&action.as_str()),
                    "{path} {role}: {action} on \"*\"; it takes a resource ARN"
                );
                if STATE_MACHINE_ONLY.iter().any(|p| action.starts_with(p)) {
                    assert_eq!(role, "StateMachineRole", "{path}: {role} may not {action}");
                }
            }
        }
    }
}

#[test]
fn each_function_has_a_role_of_its_own_for_lambda_that_writes_only_its_own_logs() {
    let template = Template::load(TEMPLATE);
    let functions = template_functions(&template);
    let mut roles = BTreeSet::new();
    for (binary, logical_id) in &functions {
        let (role, statements) = function_role(&template, binary);
        assert!(roles.insert(role.clone()), "{role} is shared");
        assert_eq!(trusted_service(&template, &role), "lambda.amazonaws.com");
        let log_group = match template
            .property(logical_id, &["LoggingConfig", "LogGroup"])
            .map(expr)
        {
            Some(Expr::Ref(group)) => group,
            other => panic!("{logical_id} logs to {other:?}, not a log group of the template"),
        };
        let logs = statement_for(&statements, "logs:PutLogEvents");
        assert_eq!(
            set(&["logs:CreateLogStream", "logs:PutLogEvents"]),
            actions(std::slice::from_ref(logs))
        );
        assert_eq!(
            logs.resources,
            vec![Expr::GetAtt(log_group, "Arn".into())],
            "{binary}"
        );
    }
}

#[test]
fn each_role_grants_only_the_services_its_function_builds_a_client_for() {
    let template = Template::load(TEMPLATE);
    for binary in template_functions(&template).keys() {
        let (role, statements) = function_role(&template, binary);
        let used = services_used(binary);
        let granted: BTreeSet<String> = actions(&statements)
            .iter()
            .filter_map(|action| {
                action
                    .split_once(':')
                    .map(|(service, _)| service.to_string())
            })
            .filter(|service| service != "logs")
            .collect();
        // kms:Decrypt reads what s3 returns; CloudFormation reads a TemplateURL from s3 with
        // the caller's permissions; iam:PassRole hands CloudFormation its role.
        let companions = |service: &str| match service {
            "kms" => used.contains("s3"),
            "s3" => used.contains("s3") || used.contains("cloudformation"),
            "iam" => used.contains("cloudformation"),
            other => used.contains(other),
        };
        for service in &granted {
            assert!(
                companions(service),
                "{role} grants {service}, which {binary} does not use"
            );
        }
        for service in &used {
            assert!(
                granted.contains(service),
                "{binary} uses {service}; {role} grants none"
            );
        }
    }
}

#[test]
fn the_roles_grant_what_the_issue_lists_and_nothing_more() {
    let template = Template::load(TEMPLATE);
    let logs = ["logs:CreateLogStream", "logs:PutLogEvents"];
    let expected: &[(&str, &[&str])] = &[
        (
            "start-deployment",
            &[
                "states:StartExecution",
                "states:DescribeExecution",
                "states:SendTaskSuccess",
                "codepipeline:PutJobFailureResult",
            ],
        ),
        ("validate-params", &[]),
        (
            "fetch-template",
            &["s3:GetObject", "kms:Decrypt", "s3:PutObject"],
        ),
        (
            "deploy-stack",
            &[
                "cloudformation:CreateStack",
                "cloudformation:UpdateStack",
                "cloudformation:DeleteStack",
                "cloudformation:DescribeStacks",
                "cloudformation:DescribeStackEvents",
                "s3:GetObject",
                "iam:PassRole",
            ],
        ),
        (
            "check-stack",
            &[
                "cloudformation:DescribeStacks",
                "cloudformation:DescribeStackEvents",
            ],
        ),
        (
            "report-result",
            &[
                "codepipeline:PutJobSuccessResult",
                "codepipeline:PutJobFailureResult",
            ],
        ),
    ];
    assert_eq!(expected.len(), template_functions(&template).len());
    for (binary, granted) in expected {
        let (_, statements) = function_role(&template, binary);
        let mut want = set(granted);
        want.extend(set(&logs));
        assert_eq!(actions(&statements), want, "{binary}");
    }
}

fn sub(text: &str) -> Vec<Expr> {
    vec![Expr::Sub(text.to_string())]
}

#[test]
fn the_scoped_actions_name_exactly_their_resources() {
    let template = Template::load(TEMPLATE);
    let staged = format!(
        "${{StagingBucket.Arn}}/{}/*",
        stackflow::fetch::STAGING_PREFIX
    );
    let stacks = "arn:${AWS::Partition}:cloudformation:${AWS::Region}:${AWS::AccountId}:stack/*";

    let (_, entry) = function_role(&template, "start-deployment");
    assert_eq!(
        statement_for(&entry, "states:StartExecution").resources,
        vec![Expr::Ref("StateMachine".into())]
    );
    assert_eq!(
        statement_for(&entry, "states:DescribeExecution").resources,
        sub("arn:${AWS::Partition}:states:${AWS::Region}:${AWS::AccountId}:execution:${StateMachine.Name}:*")
    );

    let (_, fetch) = function_role(&template, "fetch-template");
    assert_eq!(
        statement_for(&fetch, "s3:GetObject").resources,
        sub("arn:${AWS::Partition}:s3:::${ArtifactBucketName}/*")
    );
    let decrypt = statement_for(&fetch, "kms:Decrypt");
    assert_eq!(decrypt.resources, vec![Expr::Ref("ArtifactKeyArn".into())]);
    assert_eq!(decrypt.only_if.as_deref(), Some("HasArtifactKey"));
    assert_eq!(
        statement_for(&fetch, "s3:PutObject").resources,
        sub(&staged)
    );

    let (_, deploy) = function_role(&template, "deploy-stack");
    assert_eq!(
        statement_for(&deploy, "cloudformation:CreateStack").resources,
        sub(stacks)
    );
    assert_eq!(
        statement_for(&deploy, "s3:GetObject").resources,
        sub(&staged)
    );
    let pass = statement_for(&deploy, "iam:PassRole");
    assert_eq!(
        pass.resources,
        vec![Expr::Ref("CloudFormationRoleArn".into())]
    );
    assert_eq!(
        pass.condition
            .as_ref()
            .and_then(|c| c["StringEquals"]["iam:PassedToService"].as_str()),
        Some("cloudformation.amazonaws.com")
    );

    let (_, check) = function_role(&template, "check-stack");
    assert_eq!(
        statement_for(&check, "cloudformation:DescribeStacks").resources,
        sub(stacks)
    );
}

#[test]
fn the_state_machine_may_invoke_exactly_the_functions_the_definition_invokes() {
    let template = Template::load(TEMPLATE);
    let statements = role_statements(&template, "StateMachineRole");
    assert_eq!(
        trusted_service(&template, "StateMachineRole"),
        "states.amazonaws.com"
    );
    let invoked: BTreeSet<Expr> = statement_for(&statements, "lambda:InvokeFunction")
        .resources
        .iter()
        .cloned()
        .collect();
    let substituted: BTreeSet<Expr> = template
        .property("StateMachine", &["DefinitionSubstitutions"])
        .and_then(Value::as_mapping)
        .expect("DefinitionSubstitutions")
        .values()
        .map(expr)
        .collect();
    assert_eq!(invoked, substituted);
    let tracing = statement_for(&statements, "xray:PutTraceSegments");
    assert_eq!(tracing.only_if.as_deref(), Some("TracingEnabled"));
}
