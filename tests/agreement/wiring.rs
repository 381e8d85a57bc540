//! The statemachine file, the SAM template, functions/ and the local catalogue name the same
//! functions, give them the same environment variables and build them the same way.

use std::collections::{BTreeMap, BTreeSet};

use serde_yaml_ng::Value;
use stackflow_environment::functions::{FunctionDef, FUNCTIONS};

use crate::cfn::{dollar_names, expr, read, template_functions, Expr, Template};
use crate::sources::{cargo_lambda_env, env_vars_read, function_binaries};

pub const TEMPLATE: &str = "infra/template.yaml";
use crate::asl::DEFINITION;

fn local_def(binary: &str) -> &'static FunctionDef {
    FUNCTIONS
        .iter()
        .find(|def| def.binary == binary)
        .unwrap_or_else(|| panic!("{binary} is not in stackflow_environment::functions::FUNCTIONS"))
}

fn definition_substitutions() -> BTreeSet<String> {
    dollar_names(&read(DEFINITION)).into_iter().collect()
}

#[test]
fn the_state_machine_is_the_statemachine_file_with_every_substitution_given() {
    let template = Template::load(TEMPLATE);
    let (state_machine, _) = template
        .of_type("AWS::Serverless::StateMachine")
        .pop()
        .expect("the template has a state machine");
    assert_eq!(
        template
            .property(&state_machine, &["DefinitionUri"])
            .and_then(Value::as_str),
        Some(format!("../{DEFINITION}").as_str())
    );
    let given: BTreeSet<String> = template
        .property(&state_machine, &["DefinitionSubstitutions"])
        .and_then(Value::as_mapping)
        .expect("DefinitionSubstitutions")
        .keys()
        .map(|key| key.as_str().unwrap_or_default().to_string())
        .collect();
    let used = definition_substitutions();
    assert!(!used.is_empty());
    assert_eq!(
        used, given,
        "the statemachine file's ${{…}} and the template's DefinitionSubstitutions differ"
    );
}

#[test]
fn every_function_the_definition_invokes_is_in_the_template_functions_and_the_local_catalogue() {
    let template = Template::load(TEMPLATE);
    let (state_machine, _) = template
        .of_type("AWS::Serverless::StateMachine")
        .pop()
        .expect("the template has a state machine");
    let by_logical_id: BTreeMap<String, String> = template_functions(&template)
        .into_iter()
        .map(|(binary, logical_id)| (logical_id, binary))
        .collect();
    let binaries = function_binaries();
    for name in definition_substitutions() {
        let value = template
            .property(&state_machine, &["DefinitionSubstitutions", &name])
            .expect("checked above");
        let Expr::GetAtt(logical_id, attribute) = expr(value) else {
            panic!("${{{name}}} is not a !GetAtt of a function: {value:?}");
        };
        assert_eq!(attribute, "Arn", "${{{name}}}");
        let binary = by_logical_id
            .get(&logical_id)
            .unwrap_or_else(|| panic!("${{{name}}} names {logical_id}, not a function"));
        assert!(
            binaries.contains(binary),
            "functions/{binary} has no src/main.rs"
        );
        assert_eq!(
            local_def(binary).substitution,
            Some(name.as_str()),
            "the local environment substitutes ${{{name}}} with another function"
        );
    }
    for def in FUNCTIONS {
        if let Some(name) = def.substitution {
            assert!(
                definition_substitutions().contains(name),
                "the local catalogue substitutes ${{{name}}}, which the definition does not use"
            );
        }
    }
}

#[test]
fn functions_template_and_local_catalogue_hold_the_same_functions() {
    let template = Template::load(TEMPLATE);
    let in_template: BTreeSet<String> = template_functions(&template).into_keys().collect();
    let local: BTreeSet<String> = FUNCTIONS.iter().map(|def| def.binary.to_string()).collect();
    assert_eq!(
        function_binaries(),
        in_template,
        "functions/ and the template"
    );
    assert_eq!(
        function_binaries(),
        local,
        "functions/ and the local catalogue"
    );
}

#[test]
fn each_function_is_named_timed_and_built_as_the_local_environment_runs_it() {
    let template = Template::load(TEMPLATE);
    let prefix = template
        .parameter_default("NamePrefix")
        .and_then(Value::as_str)
        .expect("NamePrefix has a default");
    for (binary, logical_id) in template_functions(&template) {
        let def = local_def(&binary);
        let name = template.property(&logical_id, &["FunctionName"]).map(expr);
        assert_eq!(
            name,
            Some(Expr::Sub(format!("${{NamePrefix}}-{binary}"))),
            "{logical_id}'s FunctionName"
        );
        assert_eq!(
            format!("{prefix}-{binary}"),
            def.function_name,
            "{binary}'s name"
        );
        assert_eq!(
            template
                .property(&logical_id, &["Timeout"])
                .and_then(Value::as_u64),
            Some(def.timeout.as_secs()),
            "{binary}'s timeout: the template and the local environment differ"
        );
        let resource = template.resource(&logical_id);
        assert_eq!(
            resource["Metadata"]["BuildMethod"].as_str(),
            Some("rust-cargolambda"),
            "{logical_id} is built with cargo lambda"
        );
        assert_eq!(
            resource["Metadata"]["BuildProperties"]["Binary"].as_str(),
            Some(binary.as_str())
        );
    }
}

#[test]
fn every_environment_variable_a_function_reads_is_set_in_the_template_and_locally() {
    let template = Template::load(TEMPLATE);
    for (binary, logical_id) in template_functions(&template) {
        let read = env_vars_read(&binary);
        let in_template: BTreeSet<String> = template
            .property(&logical_id, &["Environment", "Variables"])
            .and_then(Value::as_mapping)
            .map(|vars| {
                vars.keys()
                    .map(|key| key.as_str().unwrap_or_default().to_string())
                    .collect()
            })
            .unwrap_or_default();
        assert_eq!(
            read, in_template,
            "{binary}: what main.rs reads and what the template sets"
        );
        let local: BTreeSet<String> = local_def(&binary)
            .env_vars
            .iter()
            .map(|var| var.to_string())
            .collect();
        assert_eq!(
            read, local,
            "{binary}: what main.rs reads and what the local environment sets"
        );
    }
}

#[test]
fn cargo_lambda_watch_gives_each_function_what_the_local_environment_gives_it() {
    use stackflow_environment::aws;
    let local_values = BTreeMap::from([
        (
            stackflow::config::STATE_MACHINE_ARN,
            aws::state_machine_arn(),
        ),
        (
            stackflow::config::STAGING_BUCKET,
            aws::STAGING_BUCKET.to_string(),
        ),
        (
            stackflow::config::CLOUDFORMATION_ROLE_ARNS,
            aws::SERVICE_ROLE_ARN.to_string(),
        ),
        (
            stackflow::config::ARTIFACT_BUCKET,
            aws::ARTIFACT_BUCKET.to_string(),
        ),
        // No customer managed key locally: empty, as the template's default.
        (stackflow::config::ARTIFACT_KEY_ARN, String::new()),
    ]);
    for def in FUNCTIONS {
        let env = cargo_lambda_env(def.binary);
        assert_eq!(
            env.get("AWS_REGION").map(String::as_str),
            Some(aws::REGION),
            "{}",
            def.binary
        );
        assert_eq!(
            env.get("AWS_LAMBDA_LOG_FORMAT").map(String::as_str),
            Some("JSON"),
            "{}",
            def.binary
        );
        for var in def.env_vars {
            let value = env.get(*var).unwrap_or_else(|| {
                panic!(
                    "{}: [package.metadata.lambda.env] does not set {var}",
                    def.binary
                )
            });
            match local_values.get(var) {
                Some(local) => assert_eq!(value, local, "{}: {var}", def.binary),
                None => assert!(!value.is_empty(), "{}: {var} is empty", def.binary),
            }
        }
    }
}

#[test]
fn the_entry_hand_over_parameter_is_the_one_the_function_accepts() {
    let template = Template::load(TEMPLATE);
    let parameter = &template.doc["Parameters"]["JobHandoverSeconds"];
    let range = stackflow::config::JOB_HANDOVER_SECONDS_RANGE;
    assert_eq!(
        parameter["Default"].as_u64(),
        Some(u64::from(stackflow::config::DEFAULT_JOB_HANDOVER_SECONDS))
    );
    assert_eq!(
        parameter["MinValue"].as_u64(),
        Some(u64::from(*range.start()))
    );
    assert_eq!(
        parameter["MaxValue"].as_u64(),
        Some(u64::from(*range.end()))
    );
}

#[test]
fn every_function_loads_one_ca_bundle_on_aws_locally_and_under_cargo_lambda() {
    use std::path::Path;
    use std::time::Duration;

    use stackflow_environment::daemon::{function_env, Endpoints, ServeOptions};
    use stackflow_environment::functions::{ca_bundle, CA_BUNDLES, CA_BUNDLE_VAR};

    // On AWS: the template's Globals name a bundle where Linux systems keep one, and no function
    // sets the variable to anything else.
    let template = Template::load(TEMPLATE);
    let on_aws = template
        .global(&["Function", "Environment", "Variables", CA_BUNDLE_VAR])
        .and_then(Value::as_str)
        .unwrap_or_else(|| panic!("the template's Globals do not set {CA_BUNDLE_VAR}"));
    assert!(
        CA_BUNDLES.contains(&on_aws),
        "{CA_BUNDLE_VAR}={on_aws} is none of {CA_BUNDLES:?}"
    );
    for (binary, logical_id) in template_functions(&template) {
        assert_eq!(
            template.property(&logical_id, &["Environment", "Variables", CA_BUNDLE_VAR]),
            None,
            "{binary} sets {CA_BUNDLE_VAR} itself"
        );
    }

    // Locally: the bundle of this machine, a file that exists.
    let options = ServeOptions {
        job_reply_timeout: Duration::from_secs(1200),
        hold_in_progress: Duration::ZERO,
        log_level: "info".to_string(),
    };
    let local = function_env("any", &[], &Endpoints::all_at(9), "arn", &options);
    assert_eq!(local.get(CA_BUNDLE_VAR), ca_bundle().as_ref());
    if let Some(bundle) = local.get(CA_BUNDLE_VAR) {
        assert!(Path::new(bundle).is_file(), "{bundle}");
    }

    // Under `cargo lambda watch`: infra/checks/endpoints-env looks for the same files in the
    // same order, after the caller's own SSL_CERT_FILE.
    let script = read("infra/checks/endpoints-env");
    let mut from = script
        .find("os.environ.get(\"SSL_CERT_FILE\"")
        .expect("endpoints-env honours SSL_CERT_FILE");
    for bundle in CA_BUNDLES {
        let at = script[from..]
            .find(&format!("\"{bundle}\""))
            .unwrap_or_else(|| panic!("endpoints-env does not look for {bundle} (in order)"));
        from += at;
    }
    assert!(script.contains("SSL_CERT_FILE={bundle}"));
}
