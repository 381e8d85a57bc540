//! The README's table of what each role may do ("What each function's role may do"), read from
//! the README itself, as the grants the template's statements are held against (iam.rs).

use std::collections::BTreeMap;

use serde_yaml_ng::Value;

use crate::cfn::{expr, read, role_of, template_functions, Expr, Template};
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

/// The README's section whose table lists what each role may do.
const TABLE_HEADING: &str = "### What each function's role may do";

/// One row of the README's table: the role (a function's crate name, or "state machine"), the
/// actions it may take (`cloudformation:CreateStack`, `UpdateStack`, …: a bare name takes the
/// service of the one before it) and on what, in the README's words.
struct Row {
    role: String,
    actions: Vec<String>,
    on: String,
}

/// The table's rows; a row with an empty Role cell continues the role above it.
fn readme_rows() -> Vec<Row> {
    let readme = read("README.md");
    let section = readme
        .split(TABLE_HEADING)
        .nth(1)
        .unwrap_or_else(|| panic!("README.md has no {TABLE_HEADING:?}"));
    let mut rows = Vec::new();
    let mut role = String::new();
    let lines = section
        .lines()
        .skip_while(|line| !line.starts_with("| Role"))
        .skip(2)
        .take_while(|line| line.starts_with('|'));
    for line in lines {
        let cells: Vec<&str> = line
            .trim()
            .trim_matches('|')
            .split('|')
            .map(str::trim)
            .collect();
        let [who, may, on, ..] = cells[..] else {
            panic!("README role table: {line:?} has fewer than 3 cells");
        };
        if !who.is_empty() {
            role = who.to_string();
        }
        let mut service = String::new();
        let actions = may
            .split('`')
            .skip(1)
            .step_by(2)
            .map(|name| match name.split_once(':') {
                Some((prefix, _)) => {
                    service = prefix.to_string();
                    name.to_string()
                }
                None => format!("{service}:{name}"),
            })
            .collect();
        rows.push(Row {
            role: role.clone(),
            actions,
            on: on.to_string(),
        });
    }
    rows
}

/// What the README's words in the On column mean in the template, and the template condition
/// a grant exists under.
fn resources_on(on: &str) -> (Vec<Expr>, Option<&'static str>) {
    let star = vec![Expr::Literal("*".into())];
    let staged = || {
        sub(&format!(
            "${{StagingBucket.Arn}}/{}/*",
            stackflow::staged_parameters::STAGING_PREFIX
        ))
    };
    match on {
        "this state machine" => (vec![Expr::Ref("StateMachine".into())], None),
        "this state machine's executions" => (sub("arn:${AWS::Partition}:states:${AWS::Region}:${AWS::AccountId}:execution:${StateMachine.Name}:*"), None),
        _ if on.starts_with("`*`") => (star, None),
        "`ArtifactBucketName/*`" => (sub("arn:${AWS::Partition}:s3:::${ArtifactBucketName}/*"), None),
        "`ArtifactBucketName`" => (sub("arn:${AWS::Partition}:s3:::${ArtifactBucketName}"), None),
        "`ArtifactKeyArn`, when given" => (vec![Expr::Ref("ArtifactKeyArn".into())], Some("HasArtifactKey")),
        "the staging bucket, `stackflow/*`" => (staged(), None),
        "stacks of this account and region" => (sub("arn:${AWS::Partition}:cloudformation:${AWS::Region}:${AWS::AccountId}:stack/*"), None),
        "stacks and change sets of this account and region" => (
            [
                sub("arn:${AWS::Partition}:cloudformation:${AWS::Region}:${AWS::AccountId}:stack/*"),
                sub("arn:${AWS::Partition}:cloudformation:${AWS::Region}:${AWS::AccountId}:changeSet/*"),
            ]
            .concat(),
            None,
        ),
        "`arn:…:cloudformation:<region>:aws:transform/*`" => (sub("arn:${AWS::Partition}:cloudformation:${AWS::Region}:aws:transform/*"), None),
        "the roles of `CloudFormationRoleArn`, to CloudFormation only" => (
            vec![Expr::Split(",".into(), Box::new(Expr::Ref("CloudFormationRoleArn".into())))],
            None,
        ),
        other => panic!("README role table: what is {other:?} in the template? Name it in iam_table.rs"),
    }
}

/// The README's table of what each role may do ("What each function's role may do"), as grants
/// by role logical id: everything a statement of the template may allow. The function rows are
/// read from the README itself, the one source; the state machine's grants (its row abridges the
/// log-delivery actions) and each function's own log group follow from the template.
pub fn allowed_grants(template: &Template) -> BTreeMap<String, Vec<Grant>> {
    let star = || vec![Expr::Literal("*".into())];
    let mut by_function: BTreeMap<String, Vec<Grant>> = BTreeMap::new();
    for row in readme_rows() {
        if row.role == "state machine" {
            continue;
        }
        let grants = by_function.entry(row.role).or_default();
        // "nothing else": a role with no grant of its own.
        if !row.actions.is_empty() {
            let (resources, only_if) = resources_on(&row.on);
            grants.push(Grant {
                actions: row.actions,
                resources,
                only_if,
            });
        }
    }
    let functions = template_functions(template);
    let mut allowed = BTreeMap::new();
    for (binary, mut grants) in by_function {
        let Some(logical_id) = functions.get(&binary) else {
            panic!("README role table: {binary} is not a function of the template");
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
