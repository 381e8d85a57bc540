//! Least privilege: one role per function with only what that function calls, and
//! `Resource: "*"` only where the action takes no resource ARN.

use std::collections::BTreeSet;

use serde_yaml_ng::Value;

use crate::cfn::{
    expr, role_of, role_statements, template_functions, trusted_service, Expr, Statement, Template,
};
use crate::iam_table::allowed_grants;
use crate::sources::services_used;
use crate::wiring::TEMPLATE;

const PIPELINE: &str = "infra/example-pipeline.yaml";

/// Actions that take no resource ARN, so `Resource: "*"` is the only way to grant them.
pub const NO_RESOURCE_ARN: &[&str] = &[
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
    let role = role_of(template, logical_id).unwrap_or_else(|| {
        panic!(
            "{logical_id}'s Role is {:?}, not a role of the template",
            template.property(logical_id, &["Role"]).map(expr)
        )
    });
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

/// Every way the template grants more than the table allows, one message per problem, each
/// naming the role and the statement (its Sid, or its position).
fn wider_than_allowed(template: &Template) -> Vec<String> {
    let allowed = allowed_grants(template);
    let mut problems = Vec::new();
    for kind in [
        "AWS::IAM::Policy",
        "AWS::IAM::ManagedPolicy",
        "AWS::IAM::RolePolicy",
        "AWS::IAM::User",
        "AWS::IAM::Group",
    ] {
        for (id, _) in template.of_type(kind) {
            problems.push(format!(
                "{id}: an {kind} grants outside the roles' own policies"
            ));
        }
    }
    for kind in ["AWS::Serverless::Function", "AWS::Serverless::StateMachine"] {
        for (id, _) in template.of_type(kind) {
            if template.property(&id, &["Policies"]).is_some() {
                problems.push(format!(
                    "{id}: SAM Policies create a role outside the table"
                ));
            }
        }
    }
    for (role, _) in template.of_type("AWS::IAM::Role") {
        let Some(grants) = allowed.get(&role) else {
            problems.push(format!("{role}: a role the table does not list"));
            continue;
        };
        if template.property(&role, &["ManagedPolicyArns"]).is_some() {
            problems.push(format!(
                "{role}: ManagedPolicyArns grant what the table does not list"
            ));
        }
        for (index, statement) in role_statements(template, &role).iter().enumerate() {
            let name = match statement.sid.as_str() {
                "" => format!("#{}", index + 1),
                sid => sid.to_string(),
            };
            let at = format!("{role} statement {name}");
            for key in &statement.negated {
                problems.push(format!("{at}: {key} grants by exclusion"));
            }
            if statement.effect != "Allow" {
                continue;
            }
            if statement.resources.is_empty() {
                problems.push(format!("{at}: no Resource"));
            }
            for action in &statement.actions {
                // One action may sit in several rows (CreateChangeSet: transforms, and change
                // sets): a statement is within the table if each resource is in one of them.
                let rows: Vec<&crate::iam_table::Grant> = grants
                    .iter()
                    .filter(|g| g.actions.contains(action))
                    .collect();
                if rows.is_empty() {
                    let what = if action.contains('*') {
                        "wildcard action"
                    } else {
                        "action"
                    };
                    problems.push(format!(
                        "{at}: {what} {action} is not in the table for this role"
                    ));
                    continue;
                }
                for resource in &statement.resources {
                    if !rows.iter().any(|g| g.resources.contains(resource)) {
                        problems.push(format!(
                            "{at}: {action} on {resource:?}, wider than {:?}",
                            rows.iter()
                                .flat_map(|g| g.resources.clone())
                                .collect::<Vec<_>>()
                        ));
                    }
                }
                if !rows
                    .iter()
                    .any(|g| statement.only_if.as_deref() == g.only_if)
                {
                    problems.push(format!(
                        "{at}: {action} must be granted only if {:?}",
                        rows.first().and_then(|g| g.only_if)
                    ));
                }
                let to_cloudformation = statement
                    .condition
                    .as_ref()
                    .and_then(|c| c["StringEquals"]["iam:PassedToService"].as_str())
                    == Some("cloudformation.amazonaws.com");
                if action == "iam:PassRole" && !to_cloudformation {
                    problems.push(format!(
                        "{at}: iam:PassRole without iam:PassedToService = cloudformation.amazonaws.com"
                    ));
                }
            }
        }
    }
    problems
}

#[test]
fn the_roles_grant_exactly_what_the_table_lists() {
    let template = Template::load(TEMPLATE);
    let allowed = allowed_grants(&template);
    // The six function roles and the state machine's.
    assert_eq!(allowed.len(), template_functions(&template).len() + 1);
    for (role, grants) in &allowed {
        let want: BTreeSet<String> = grants.iter().flat_map(|g| g.actions.clone()).collect();
        assert_eq!(actions(&role_statements(&template, role)), want, "{role}");
    }
}

#[test]
fn no_statement_is_wider_than_the_table() {
    let problems = wider_than_allowed(&Template::load(TEMPLATE));
    assert!(problems.is_empty(), "{problems:#?}");
}

/// The statement with this Sid in a role's inline policies (not under an `!If`).
fn statement_mut<'a>(template: &'a mut Template, role: &str, sid: &str) -> &'a mut Value {
    template.doc["Resources"][role]["Properties"]["Policies"]
        .as_sequence_mut()
        .into_iter()
        .flatten()
        .filter_map(|policy| policy["PolicyDocument"]["Statement"].as_sequence_mut())
        .flatten()
        .find(|statement| statement.get("Sid").and_then(Value::as_str) == Some(sid))
        .unwrap_or_else(|| panic!("{role} has no statement {sid}"))
}

fn yaml(text: &str) -> Value {
    serde_yaml_ng::from_str(text).unwrap()
}

#[test]
fn a_widened_template_is_refused_naming_the_widened_statement() {
    type Widen = fn(&mut Template);
    let mutations: &[(&str, Widen, &str)] = &[
        (
            "a wildcard action",
            |t| statement_mut(t, "FetchTemplateRole", "ReadPipelineArtifacts")["Action"] = yaml("s3:*"),
            "FetchTemplateRole statement ReadPipelineArtifacts: wildcard action s3:*",
        ),
        (
            "every action",
            |t| statement_mut(t, "CheckStackRole", "ReadStacks")["Action"] = yaml("'*'"),
            "CheckStackRole statement ReadStacks: wildcard action *",
        ),
        (
            "a star resource on an action that takes an ARN",
            |t| statement_mut(t, "FetchTemplateRole", "StageTemplates")["Resource"] = yaml("'*'"),
            "FetchTemplateRole statement StageTemplates: s3:PutObject on Literal(\"*\")",
        ),
        (
            "every bucket",
            |t| {
                statement_mut(t, "FetchTemplateRole", "ReadPipelineArtifacts")["Resource"] =
                    yaml("!Sub 'arn:${AWS::Partition}:s3:::*'")
            },
            "FetchTemplateRole statement ReadPipelineArtifacts: s3:GetObject on Sub",
        ),
        (
            "an action of another role",
            |t| {
                statement_mut(t, "CheckStackRole", "ReadStacks")["Action"] =
                    yaml("[cloudformation:DescribeStacks, cloudformation:DeleteStack]")
            },
            "CheckStackRole statement ReadStacks: action cloudformation:DeleteStack is not in the table",
        ),
        (
            "PassRole on any role",
            |t| {
                statement_mut(t, "DeployStackRole", "PassOnlyTheCloudFormationServiceRole")
                    ["Resource"] = yaml("'*'")
            },
            "DeployStackRole statement PassOnlyTheCloudFormationServiceRole: iam:PassRole on Literal(\"*\")",
        ),
        (
            "PassRole to any service",
            |t| {
                let statement =
                    statement_mut(t, "DeployStackRole", "PassOnlyTheCloudFormationServiceRole");
                statement.as_mapping_mut().unwrap().remove("Condition");
            },
            "DeployStackRole statement PassOnlyTheCloudFormationServiceRole: iam:PassRole without",
        ),
        (
            "log delivery on a function role",
            |t| {
                statement_mut(t, "ReportResultRole", "ReportJobResult")["Action"] = yaml(
                    "[codepipeline:PutJobSuccessResult, codepipeline:PutJobFailureResult, logs:CreateLogDelivery]",
                )
            },
            "ReportResultRole statement ReportJobResult: action logs:CreateLogDelivery",
        ),
        (
            "another function to invoke",
            |t| {
                statement_mut(t, "StateMachineRole", "InvokeTheStepFunctions")["Resource"] =
                    yaml("'*'")
            },
            "StateMachineRole statement InvokeTheStepFunctions: lambda:InvokeFunction on Literal(\"*\")",
        ),
        (
            "everything but one action",
            |t| {
                let statement = statement_mut(t, "CheckStackRole", "ReadStacks");
                let map = statement.as_mapping_mut().unwrap();
                let actions = map.remove("Action").unwrap();
                map.insert("NotAction".into(), actions);
            },
            "CheckStackRole statement ReadStacks: NotAction grants by exclusion",
        ),
        (
            "a managed policy",
            |t| {
                t.doc["Resources"]["DeployStackRole"]["Properties"]["ManagedPolicyArns"] =
                    yaml("[arn:aws:iam::aws:policy/AdministratorAccess]")
            },
            "DeployStackRole: ManagedPolicyArns",
        ),
    ];
    for (what, widen, expected) in mutations {
        let mut template = Template::load(TEMPLATE);
        widen(&mut template);
        let problems = wider_than_allowed(&template);
        assert!(
            problems.iter().any(|problem| problem.contains(expected)),
            "{what}: expected a problem containing {expected:?}, got {problems:#?}"
        );
    }
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
