#![allow(clippy::unwrap_used, clippy::panic)]

use serde_json::json;

use super::*;

fn parse(value: serde_json::Value) -> Result<ParameterValue, Error> {
    parse_value("ImageTag", &value, Error::InvalidParameters)
}

fn build_json() -> ArtifactParam {
    ArtifactParam {
        artifact: "BuildOutput".into(),
        file: "build.json".into(),
        key: "tag".into(),
    }
}

#[test]
fn literals_stay_as_they_are_numbers_and_booleans_as_their_text() {
    assert_eq!(
        parse(json!("1.4.2")).unwrap(),
        ParameterValue::Literal("1.4.2".into())
    );
    assert_eq!(
        parse(json!(3)).unwrap(),
        ParameterValue::Literal("3".into())
    );
    assert_eq!(
        parse(json!(true)).unwrap(),
        ParameterValue::Literal("true".into())
    );
}

#[test]
fn get_param_names_the_artifact_the_file_and_the_key() {
    let value = parse(json!({"Fn::GetParam": ["BuildOutput", "./build.json", "tag"]})).unwrap();
    assert_eq!(value, ParameterValue::FromArtifact(build_json()));
}

#[test]
fn a_malformed_get_param_is_refused_with_its_form() {
    for bad in [
        json!({"Fn::GetParam": ["BuildOutput", "build.json"]}),
        json!({"Fn::GetParam": ["BuildOutput", "build.json", 3]}),
        json!({"Fn::GetParam": ["BuildOutput", "", "tag"]}),
        json!({"Fn::GetParam": "BuildOutput"}),
        json!({"Fn::GetArtifactAtt": ["BuildOutput", "URL"]}),
        json!({"Fn::GetParam": ["a", "b", "c"], "extra": 1}),
    ] {
        let Err(Error::InvalidParameters(message)) = parse(bad.clone()) else {
            panic!("accepted {bad}");
        };
        assert!(message.contains("`parameters.ImageTag`"), "{message}");
        assert!(message.contains("Fn::GetParam"), "{message}");
    }
    let Err(Error::InvalidParameters(message)) = parse(json!([1])) else {
        panic!("accepted an array");
    };
    assert!(message.contains("got an array"), "{message}");
}

#[test]
fn a_string_or_a_number_is_read_from_the_file() {
    let bytes = br#"{"tag": "1.4.2", "build": 17}"#;
    assert_eq!(
        value_in_file("ImageTag", &build_json(), bytes).unwrap(),
        "1.4.2"
    );
    let build = ArtifactParam {
        key: "build".into(),
        ..build_json()
    };
    assert_eq!(value_in_file("Build", &build, bytes).unwrap(), "17");
}

#[test]
fn a_missing_key_names_the_key_the_file_the_artifact_and_the_keys_there_are() {
    let err = value_in_file("ImageTag", &build_json(), br#"{"version": "2"}"#).unwrap_err();
    assert_eq!(
        err.message(),
        "`parameters.ImageTag`: Fn::GetParam: `build.json` in artifact `BuildOutput` has no key \
         `tag`; its keys are: version"
    );
}

#[test]
fn a_value_that_is_not_a_string_or_number_is_refused() {
    for value in ["true", "null", "[1]", "{\"a\":1}"] {
        let bytes = format!("{{\"tag\": {value}}}");
        let err = value_in_file("ImageTag", &build_json(), bytes.as_bytes()).unwrap_err();
        assert_eq!(err.name(), "InvalidParameters");
        assert!(
            err.message().contains("must be a string or a number"),
            "{err}"
        );
    }
}

#[test]
fn a_file_that_is_not_a_json_object_is_refused() {
    for bytes in [&b"not json"[..], &b"[1, 2]"[..]] {
        let err = value_in_file("ImageTag", &build_json(), bytes).unwrap_err();
        assert!(
            err.message()
                .contains("`build.json` in artifact `BuildOutput`"),
            "{err}"
        );
    }
}
