#![allow(clippy::unwrap_used)]

use super::*;

#[test]
fn a_path_inside_the_artifact_has_named_parts_only() {
    for inside in ["template.yaml", "infra/stack.yaml", "a/b/c.json"] {
        assert!(inside_the_artifact(inside), "{inside}");
    }
    for outside in ["", "/etc/passwd", "../x", "a/../b", "./a", "a//b", "a/"] {
        assert!(!inside_the_artifact(outside), "{outside}");
    }
}

#[test]
fn a_broken_rule_is_an_error_naming_it() {
    assert_eq!(rule(true, || "never".into()), Ok(()));
    assert_eq!(rule(false, || "why".into()), Err("why".to_string()));
    let err = Error::InvalidEvent("bad".into());
    assert!(error_of(&err, &["InvalidEvent"], "x").is_ok());
    let broken = error_of(&err, &["TemplateInvalid"], "parsing").unwrap_err();
    assert!(
        broken.starts_with("parsing failed with InvalidEvent"),
        "{broken}"
    );
}

#[test]
fn well_formed_inputs_and_refusals_keep_the_rules() {
    let params =
        br#"{"stack":"my-stack","artifact":"BuildOutput","file":"t.yaml","pollSeconds":5}"#;
    assert_eq!(user_parameters(params), Ok(()));
    assert_eq!(user_parameters(br#"{"stack":"-bad"}"#), Ok(()));
    assert_eq!(user_parameters(b"not json"), Ok(()));
    let config = br#"{"Parameters":{"A":"1"},"Tags":{"team":"x"},"StackPolicy":{"Statement":[]}}"#;
    assert_eq!(template_config(config), Ok(()));
    assert_eq!(template_config(br#"{"Parameters":{"a-b":"1"}}"#), Ok(()));
    assert_eq!(job_event(b"{}"), Ok(()));
    assert_eq!(artifact_zip(b"PK not a zip"), Ok(()));
}
