//! The templates in infra/ as data: YAML whose CloudFormation tags (`!Ref`, `!GetAtt`, `!Sub`,
//! `!If`) stay tagged values, and the few intrinsic forms and IAM statements the checks read.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde_yaml_ng::Value;

/// The project root (this crate lives in tests/).
pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("tests/ has a parent")
        .to_path_buf()
}

/// A project file's text.
pub fn read(relative: &str) -> String {
    let path = root().join(relative);
    std::fs::read_to_string(&path).unwrap_or_else(|err| panic!("reading {}: {err}", path.display()))
}

/// A template of infra/.
pub struct Template {
    pub path: String,
    pub doc: Value,
}

impl Template {
    pub fn load(relative: &str) -> Template {
        let doc = serde_yaml_ng::from_str(&read(relative))
            .unwrap_or_else(|err| panic!("{relative} is not YAML: {err}"));
        Template {
            path: relative.to_string(),
            doc,
        }
    }

    /// Every resource, by logical id.
    pub fn resources(&self) -> Vec<(String, &Value)> {
        self.doc
            .get("Resources")
            .and_then(Value::as_mapping)
            .unwrap_or_else(|| panic!("{} has no Resources", self.path))
            .iter()
            .map(|(name, resource)| (name.as_str().unwrap_or_default().to_string(), resource))
            .collect()
    }

    pub fn resource(&self, name: &str) -> &Value {
        self.doc
            .get("Resources")
            .and_then(|resources| resources.get(name))
            .unwrap_or_else(|| panic!("{} has no resource {name}", self.path))
    }

    /// The resources of one type, by logical id.
    pub fn of_type(&self, resource_type: &str) -> Vec<(String, &Value)> {
        self.resources()
            .into_iter()
            .filter(|(_, resource)| {
                resource.get("Type").and_then(Value::as_str) == Some(resource_type)
            })
            .collect()
    }

    /// A resource property (a path of keys under Properties).
    pub fn property<'a>(&'a self, resource: &str, path: &[&str]) -> Option<&'a Value> {
        path.iter()
            .try_fold(self.resource(resource).get("Properties")?, |value, key| {
                value.get(*key)
            })
    }

    /// A Globals value (a path of keys under Globals).
    pub fn global(&self, path: &[&str]) -> Option<&Value> {
        path.iter()
            .try_fold(self.doc.get("Globals")?, |value, key| value.get(*key))
    }

    pub fn parameter_default(&self, name: &str) -> Option<&Value> {
        self.doc.get("Parameters")?.get(name)?.get("Default")
    }
}

/// A value as the checks tell intrinsics apart.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum Expr {
    Literal(String),
    Ref(String),
    /// `!GetAtt Resource.Attribute`
    GetAtt(String, String),
    /// `!Sub` with its template string.
    Sub(String),
    /// `!Split [delimiter, value]`: a list, e.g. of the ARNs a comma-separated parameter holds.
    Split(String, Box<Expr>),
    Other(String),
}

pub fn expr(value: &Value) -> Expr {
    match value {
        Value::String(text) => Expr::Literal(text.clone()),
        Value::Number(number) => Expr::Literal(number.to_string()),
        Value::Bool(b) => Expr::Literal(b.to_string()),
        Value::Tagged(tagged) if tagged.tag == "Ref" => {
            Expr::Ref(tagged.value.as_str().unwrap_or_default().to_string())
        }
        Value::Tagged(tagged) if tagged.tag == "GetAtt" => {
            let text = tagged.value.as_str().unwrap_or_default();
            let (resource, attribute) = text.split_once('.').unwrap_or((text, ""));
            Expr::GetAtt(resource.to_string(), attribute.to_string())
        }
        Value::Tagged(tagged) if tagged.tag == "Sub" => {
            Expr::Sub(tagged.value.as_str().unwrap_or_default().to_string())
        }
        Value::Tagged(tagged) if tagged.tag == "Split" => match tagged.value.as_sequence() {
            Some(items) if items.len() == 2 => Expr::Split(
                items[0].as_str().unwrap_or_default().to_string(),
                Box::new(expr(&items[1])),
            ),
            _ => Expr::Other(format!("{value:?}")),
        },
        Value::Mapping(map) if map.len() == 1 && map.contains_key("Ref") => {
            Expr::Ref(map["Ref"].as_str().unwrap_or_default().to_string())
        }
        other => Expr::Other(format!("{other:?}")),
    }
}

/// The `${Name}` references of a text (a statemachine file or a `!Sub` string), in order.
pub fn dollar_names(text: &str) -> Vec<String> {
    let mut names = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find("${") {
        let after = &rest[start + 2..];
        let Some(end) = after.find('}') else { break };
        names.push(after[..end].to_string());
        rest = &after[end + 1..];
    }
    names
}

/// One Allow or Deny statement of an IAM policy, with `!If` branches flattened.
#[derive(Debug, Clone)]
pub struct Statement {
    pub sid: String,
    pub effect: String,
    pub actions: Vec<String>,
    pub resources: Vec<Expr>,
    pub condition: Option<Value>,
    /// The template condition the statement exists under (`!If [Condition, statement, NoValue]`).
    pub only_if: Option<String>,
    /// The keys that grant by exclusion (`NotAction`, `NotResource`, `NotPrincipal`) it has.
    pub negated: Vec<String>,
}

/// The statements of a policy document.
pub fn statements(document: &Value) -> Vec<Statement> {
    let mut out = Vec::new();
    let list = document
        .get("Statement")
        .and_then(Value::as_sequence)
        .cloned()
        .unwrap_or_default();
    for item in &list {
        match item {
            Value::Tagged(tagged) if tagged.tag == "If" => {
                let branches = tagged.value.as_sequence().cloned().unwrap_or_default();
                let condition = branches.first().and_then(Value::as_str).map(str::to_string);
                for branch in branches.iter().skip(1) {
                    if expr(branch) == Expr::Ref("AWS::NoValue".into()) {
                        continue;
                    }
                    let mut statement = statement(branch);
                    statement.only_if.clone_from(&condition);
                    out.push(statement);
                }
            }
            other => out.push(statement(other)),
        }
    }
    out
}

fn statement(value: &Value) -> Statement {
    let strings = |key: &str| match value.get(key) {
        Some(Value::Sequence(items)) => items
            .iter()
            .map(|item| item.as_str().unwrap_or_default().to_string())
            .collect(),
        Some(item) => vec![item.as_str().unwrap_or_default().to_string()],
        None => Vec::new(),
    };
    let resources = match value.get("Resource") {
        Some(Value::Sequence(items)) => items.iter().map(expr).collect(),
        Some(item) => vec![expr(item)],
        None => Vec::new(),
    };
    Statement {
        sid: strings("Sid").join(""),
        effect: strings("Effect").join(""),
        actions: strings("Action"),
        resources,
        condition: value.get("Condition").cloned(),
        only_if: None,
        negated: ["NotAction", "NotResource", "NotPrincipal"]
            .into_iter()
            .filter(|key| value.get(*key).is_some())
            .map(str::to_string)
            .collect(),
    }
}

/// Every statement of a role's inline policies.
pub fn role_statements(template: &Template, role: &str) -> Vec<Statement> {
    template
        .property(role, &["Policies"])
        .and_then(Value::as_sequence)
        .map(|policies| {
            policies
                .iter()
                .filter_map(|policy| policy.get("PolicyDocument"))
                .flat_map(statements)
                .collect()
        })
        .unwrap_or_default()
}

/// The service a role may be assumed by.
pub fn trusted_service(template: &Template, role: &str) -> String {
    let document = template
        .property(role, &["AssumeRolePolicyDocument"])
        .unwrap_or_else(|| panic!("{role} has no AssumeRolePolicyDocument"));
    let trust = statements(document);
    assert_eq!(trust.len(), 1, "{role} trusts one principal");
    document["Statement"][0]["Principal"]["Service"]
        .as_str()
        .unwrap_or_default()
        .to_string()
}

/// The template's functions by the crate they are built from (`CodeUri: ../functions/<crate>`).
pub fn template_functions(template: &Template) -> BTreeMap<String, String> {
    template
        .of_type("AWS::Serverless::Function")
        .into_iter()
        .map(|(logical_id, _)| {
            let code_uri = template
                .property(&logical_id, &["CodeUri"])
                .and_then(Value::as_str)
                .unwrap_or_else(|| panic!("{logical_id} has no CodeUri"));
            let binary = code_uri.strip_prefix("../functions/").unwrap_or_else(|| {
                panic!("{logical_id}: CodeUri {code_uri} is not ../functions/<crate>")
            });
            (binary.to_string(), logical_id)
        })
        .collect()
}

/// The role a resource's `Role: !GetAtt <role>.Arn` names.
pub fn role_of(template: &Template, logical_id: &str) -> Option<String> {
    match template.property(logical_id, &["Role"]).map(expr) {
        Some(Expr::GetAtt(role, attribute)) if attribute == "Arn" => Some(role),
        _ => None,
    }
}
