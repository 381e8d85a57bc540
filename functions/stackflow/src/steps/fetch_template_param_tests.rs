//! Fn::GetParam values, read in the same pass as the template.

use super::*;

const IMAGES_KEY: &str = "pipe/Images/def";

fn images() -> ArtifactLocation {
    ArtifactLocation {
        name: "Images".into(),
        bucket: "artifacts".into(),
        key: IMAGES_KEY.into(),
        revision: None,
    }
}

/// The fetch input of UserParameters whose `Tag` reads `file` of Images at `key`.
fn get_param_input(file: &str, key: &str) -> FetchInput {
    let mut input = fetch_input(None);
    input.user_parameters = serde_json::json!({
        "stack": "my-stack", "artifact": "BuildOutput", "file": "infra/t.yaml",
        "parameters": {"Env": "prod", "Tag": {"Fn::GetParam": ["Images", file, key]}}
    })
    .to_string();
    if let Some(source) = input.params.source.as_mut() {
        source.param_artifacts = vec![images()];
    }
    input
}

fn images_rule(zip: Vec<u8>) -> Rule {
    mock!(Client::get_object)
        .match_requests(|req| req.key() == Some(IMAGES_KEY))
        .then_output(move || {
            GetObjectOutput::builder()
                .content_length(zip.len() as i64)
                .body(ByteStream::from(zip.clone()))
                .build()
        })
}

#[tokio::test]
async fn a_value_from_another_artifact_is_staged_with_the_others() {
    let get = artifact_rule(zip_of(&[("infra/t.yaml", TEMPLATE)]));
    let other = images_rule(zip_of(&[("build.json", r#"{"tag": "1.4.2"}"#)]));
    let (parameters, staged) = parameters_rule();
    let s3 = client(&[&get, &other, &staging_rule(), &parameters]);
    let template = fetch_template(
        &s3,
        "staging",
        "eu-west-1",
        &get_param_input("build.json", "tag"),
    )
    .await
    .unwrap();
    assert_eq!(template.parameter_names, ["Env", "Tag"]);
    let staged = staged.lock().unwrap().clone().unwrap();
    assert_eq!(staged.parameters["Tag"], "1.4.2");
    assert_eq!(other.num_calls(), 1);
}

#[tokio::test]
async fn a_missing_file_names_the_file_and_the_artifact() {
    let get = artifact_rule(zip_of(&[("infra/t.yaml", TEMPLATE)]));
    let other = images_rule(zip_of(&[("other.json", "{}")]));
    let err = fetch(&[&get, &other], &get_param_input("build.json", "tag"))
        .await
        .unwrap_err();
    assert_eq!(err.name(), "ArtifactNotFound");
    assert!(
        err.message()
            .contains("artifact `Images` has no file `build.json`"),
        "{err}"
    );
}

#[tokio::test]
async fn a_missing_key_names_the_key() {
    let get = artifact_rule(zip_of(&[("infra/t.yaml", TEMPLATE)]));
    let other = images_rule(zip_of(&[("build.json", r#"{"version": "2"}"#)]));
    let err = fetch(&[&get, &other], &get_param_input("build.json", "tag"))
        .await
        .unwrap_err();
    assert_eq!(err.name(), "InvalidParameters");
    assert!(err.message().contains("has no key `tag`"), "{err}");
}

#[tokio::test]
async fn a_value_from_the_templates_own_artifact_needs_no_second_download() {
    let get = artifact_rule(zip_of(&[
        ("infra/t.yaml", TEMPLATE),
        ("v.json", r#"{"v": 7}"#),
    ]));
    let (parameters, staged) = parameters_rule();
    let mut input = fetch_input(None);
    input.user_parameters = serde_json::json!({
        "stack": "my-stack", "artifact": "BuildOutput", "file": "infra/t.yaml",
        "parameters": {"V": {"Fn::GetParam": ["BuildOutput", "v.json", "v"]}}
    })
    .to_string();
    let s3 = client(&[&get, &staging_rule(), &parameters]);
    fetch_template(&s3, "staging", "eu-west-1", &input)
        .await
        .unwrap();
    assert_eq!(get.num_calls(), 1);
    assert_eq!(staged.lock().unwrap().clone().unwrap().parameters["V"], "7");
}
