//! What moto does not emulate is said, not hidden behind a local success.

use std::process::Command;

use serde_json::json;

use crate::support::{environment, fixture, home, project_root, run, unique_stack};

#[test]
fn a_template_moto_only_partly_emulates_succeeds_and_lists_the_rest() {
    let stack = unique_stack("e2e-not-emulated");
    let params = json!({"stack": stack, "artifact": "SourceArtifact", "file": "template.yaml", "pollSeconds": 1}).to_string();
    let result = run(
        &[("SourceArtifact", fixture("not-emulated").as_path())],
        &params,
    );
    // The job's result is what it would be anyway.
    assert_eq!(result.code, 0, "{}\n{}", result.report, result.live);
    assert_eq!(result.stack_status(), Some("CREATE_COMPLETE"));
    let listed = result
        .report
        .stack
        .as_ref()
        .map(|stack| stack.not_emulated.clone())
        .unwrap_or_default();
    assert_eq!(
        listed.into_iter().collect::<Vec<_>>(),
        [
            ("AWS::CloudFront::Distribution".to_string(), 2),
            ("AWS::Cognito::UserPool".to_string(), 1)
        ]
    );
}

#[test]
fn the_emulated_types_list_is_the_installed_motos() {
    environment();
    let script = project_root().join("local/cloudformation/moto/resource-types");
    let out = Command::new(&script)
        .arg(home().venv())
        .output()
        .expect("run local/cloudformation/moto/resource-types");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let pinned = std::fs::read_to_string(
        project_root().join("local/cloudformation/src/moto_resource_types.txt"),
    )
    .expect("read the pinned list");
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        pinned,
        "moto's resource types changed: regenerate moto_resource_types.txt with the script"
    );
}
