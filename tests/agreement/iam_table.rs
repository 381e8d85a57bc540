//! The README's table of what each role may do ("What each function's role may do"), as the
//! grants the template's statements are held against (iam.rs).

use std::collections::BTreeMap;

use serde_yaml_ng::Value;

use crate::cfn::{expr, role_of, template_functions, Expr, Template};
use crate::iam::NO_RESOURCE_ARN;

fn sub(text: &str) -> Vec<Expr> {
    vec![Expr::Sub(text.to_string())]
}

/// Actions a role may be granted, on exactly these resources, under this template condition.
pub struct Grant {
    pub actions: Vec<String>,
    pub resources: Vec<Expr>,
    pub only_if: Option<&'static str>,
}

fn grant(actions: &[&str], resources: Vec<Expr>) -> Grant {
    Grant {
        actions: actions.iter().map(|a| a.to_string()).collect(),
        resources,
        only_if: None,
    }
}

/// The README's table of what each role may do ("What each function's role may do"), as grants
/// by role logical id: everything a statement of the template may allow.
pub fn allowed_grants(template: &Template) -> BTreeMap<String, Vec<Grant>> {
    let star = || vec![Expr::Literal("*".into())];
    let staged = sub(&format!(
        "${{StagingBucket.Arn}}/{}/*",
        stackflow::staged_parameters::STAGING_PREFIX
    ));
    let stacks =
        || sub("arn:${AWS::Partition}:cloudformation:${AWS::Region}:${AWS::AccountId}:stack/*");
    let by_function: Vec<(&str, Vec<Grant>)> = vec![
        (
            "start-deployment",
            vec![
                grant(&["states:StartExecution"], vec![Expr::Ref("StateMachine".into())]),
                grant(
                    &["states:DescribeExecution"],
                    sub("arn:${AWS::Partition}:states:${AWS::Region}:${AWS::AccountId}:execution:${StateMachine.Name}:*"),
                ),
                grant(
                    &["states:SendTaskSuccess", "codepipeline:PutJobFailureResult"],
                    star(),
                ),
            ],
        ),
        ("validate-params", vec![]),
        (
            "fetch-template",
            vec![
                grant(
                    &["s3:GetObject"],
                    sub("arn:${AWS::Partition}:s3:::${ArtifactBucketName}/*"),
                ),
                grant(
                    &["s3:ListBucket"],
                    sub("arn:${AWS::Partition}:s3:::${ArtifactBucketName}"),
                ),
                Grant {
                    only_if: Some("HasArtifactKey"),
                    ..grant(&["kms:Decrypt"], vec![Expr::Ref("ArtifactKeyArn".into())])
                },
                grant(&["s3:PutObject"], staged.clone()),
            ],
        ),
        (
            "deploy-stack",
            vec![
                grant(
                    &[
                        "cloudformation:CreateStack",
                        "cloudformation:UpdateStack",
                        "cloudformation:DeleteStack",
                        "cloudformation:ContinueUpdateRollback",
                        "cloudformation:DescribeStacks",
                        "cloudformation:DescribeStackEvents",
                    ],
                    stacks(),
                ),
                grant(
                    &["cloudformation:CreateChangeSet"],
                    sub("arn:${AWS::Partition}:cloudformation:${AWS::Region}:aws:transform/*"),
                ),
                grant(&["s3:GetObject"], staged.clone()),
                grant(
                    &["iam:PassRole"],
                    vec![Expr::Split(
                        ",".into(),
                        Box::new(Expr::Ref("CloudFormationRoleArn".into())),
                    )],
                ),
            ],
        ),
        (
            "check-stack",
            vec![
                grant(
                    &[
                        "cloudformation:DescribeStacks",
                        "cloudformation:DescribeStackEvents",
                    ],
                    stacks(),
                ),
                grant(&["s3:GetObject"], staged),
            ],
        ),
        (
            "report-result",
            vec![grant(
                &[
                    "codepipeline:PutJobSuccessResult",
                    "codepipeline:PutJobFailureResult",
                ],
                star(),
            )],
        ),
    ];
    let functions = template_functions(template);
    let mut allowed = BTreeMap::new();
    for (binary, mut grants) in by_function {
        let Some(logical_id) = functions.get(binary) else {
            continue;
        };
        let Some(role) = role_of(template, logical_id) else {
            continue;
        };
        if let Some(Expr::Ref(group)) = template
            .property(logical_id, &["LoggingConfig", "LogGroup"])
            .map(expr)
        {
            grants.push(grant(
                &["logs:CreateLogStream", "logs:PutLogEvents"],
                vec![Expr::GetAtt(group, "Arn".into())],
            ));
        }
        allowed.insert(role, grants);
    }
    if let Some(role) = role_of(template, "StateMachine") {
        let invoked = template
            .property("StateMachine", &["DefinitionSubstitutions"])
            .and_then(Value::as_mapping)
            .map(|substitutions| substitutions.values().map(expr).collect())
            .unwrap_or_default();
        let no_arn = |prefix: &str| -> Vec<&str> {
            NO_RESOURCE_ARN
                .iter()
                .copied()
                .filter(|action| action.starts_with(prefix))
                .collect()
        };
        let grants = vec![
            grant(&["lambda:InvokeFunction"], invoked),
            grant(&no_arn("logs:"), star()),
            Grant {
                only_if: Some("TracingEnabled"),
                ..grant(&no_arn("xray:"), star())
            },
        ];
        allowed.insert(role, grants);
    }
    allowed
}
