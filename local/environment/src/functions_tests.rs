use super::*;

#[test]
fn crate_names_become_function_names() {
    assert_eq!(function_name("deploy-stack"), "stackflow-deploy-stack");
    assert_eq!(
        function_name("stackflow-check-stack"),
        "stackflow-check-stack"
    );
    assert_eq!(function_name("other"), "other");
}

#[test]
fn substitute_replaces_every_name() -> Result<()> {
    let values = substitutions("us-east-1", "123456789012");
    let out = substitute(
        r#"{"a":"${CheckStackFunctionArn}","b":"${ReportResultFunctionArn}"}"#,
        &values,
    )?;
    assert_eq!(
        out,
        r#"{"a":"arn:aws:lambda:us-east-1:123456789012:function:stackflow-check-stack","b":"arn:aws:lambda:us-east-1:123456789012:function:stackflow-report-result"}"#
    );
    Ok(())
}

#[test]
fn substitute_refuses_unknown_names() {
    let err = substitute("${Nope}", &BTreeMap::new());
    assert!(matches!(err, Err(LocalError::Environment(m)) if m.contains("${Nope}")));
}

#[test]
fn the_statemachine_file_uses_only_known_substitutions() -> Result<()> {
    let definition = include_str!("../../../statemachine/stackflow.asl.json");
    let out = substitute(definition, &substitutions("us-east-1", "123456789012"))?;
    assert!(!out.contains("${"));
    Ok(())
}

#[test]
fn the_ca_bundle_is_a_file_of_this_machine() {
    if let Some(bundle) = ca_bundle() {
        assert!(Path::new(&bundle).is_file(), "{bundle}");
    } else {
        assert!(CA_BUNDLES.iter().all(|path| !Path::new(path).exists()));
    }
}
