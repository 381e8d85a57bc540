#![allow(clippy::unwrap_used)]

use std::io::Write;

use zip::write::SimpleFileOptions;
use zip::ZipWriter;

use super::*;

fn artifact() -> ArtifactRecord {
    ArtifactRecord {
        name: "Out".into(),
        bucket: "stackflow-local-artifacts".into(),
        key: "stackflow-local/Out/AbCdEfG".into(),
        revision: None,
    }
}

fn zip_of(entries: &[(&str, &[u8])]) -> Vec<u8> {
    let mut writer = ZipWriter::new(Cursor::new(Vec::new()));
    for (path, contents) in entries {
        if path.ends_with('/') {
            writer
                .add_directory(*path, SimpleFileOptions::default())
                .unwrap();
        } else {
            writer
                .start_file(*path, SimpleFileOptions::default())
                .unwrap();
            writer.write_all(contents).unwrap();
        }
    }
    writer.finish().unwrap().into_inner()
}

const OUTPUTS: &[u8] = br#"{"QueueUrl":"https://sqs/q"}"#;

#[test]
fn a_written_zip_lists_its_files_with_their_text() {
    let zip = zip_of(&[
        ("outputs.json", OUTPUTS),
        ("dir/", b""),
        ("bin", &[0xff, 0xfe, 0]),
    ]);
    let report = OutputArtifactReport::from_zip(&artifact(), Some(&zip)).unwrap();
    assert!(report.written);
    assert_eq!(
        report.entries,
        vec![
            OutputEntry {
                path: "outputs.json".into(),
                size: OUTPUTS.len() as u64,
                text: Some(String::from_utf8(OUTPUTS.to_vec()).unwrap()),
            },
            OutputEntry {
                path: "bin".into(),
                size: 3,
                text: None,
            },
        ]
    );
}

#[test]
fn nothing_written_is_an_empty_report() {
    let report = OutputArtifactReport::from_zip(&artifact(), None).unwrap();
    assert!(!report.written);
    assert!(report.entries.is_empty());
    assert_eq!(report.key, "stackflow-local/Out/AbCdEfG");
}

#[test]
fn an_object_that_is_no_zip_is_an_error_naming_the_artifact() {
    let err = OutputArtifactReport::from_zip(&artifact(), Some(b"not a zip")).unwrap_err();
    assert!(
        err.to_string()
            .starts_with("output artifact Out is not a readable zip"),
        "{err}"
    );
}

#[test]
fn the_json_shape_is_what_tests_read() {
    let zip = zip_of(&[("outputs.json", OUTPUTS)]);
    let report = OutputArtifactReport::from_zip(&artifact(), Some(&zip)).unwrap();
    let value = serde_json::to_value(&report).unwrap();
    assert_eq!(
        value,
        serde_json::json!({
            "name": "Out",
            "bucket": "stackflow-local-artifacts",
            "key": "stackflow-local/Out/AbCdEfG",
            "written": true,
            "entries": [{"path": "outputs.json", "size": OUTPUTS.len(), "text": r#"{"QueueUrl":"https://sqs/q"}"#}]
        })
    );
    let outputs: serde_json::Value =
        serde_json::from_str(value["entries"][0]["text"].as_str().unwrap()).unwrap();
    assert_eq!(outputs["QueueUrl"], "https://sqs/q");
    let back: OutputArtifactReport = serde_json::from_value(value).unwrap();
    assert_eq!(back, report);
}

fn printed(report: &OutputArtifactReport) -> String {
    let mut out = Vec::new();
    report.print(&mut out);
    String::from_utf8(out).unwrap()
}

#[test]
fn printing_says_where_the_zip_is_and_what_it_holds() {
    let zip = zip_of(&[("outputs.json", OUTPUTS), ("b.txt", b"hi")]);
    let report = OutputArtifactReport::from_zip(&artifact(), Some(&zip)).unwrap();
    assert_eq!(
        printed(&report),
        "  output artifact Out: s3://stackflow-local-artifacts/stackflow-local/Out/AbCdEfG\n\
         \x20   outputs.json (28 bytes)\n\
         \x20   b.txt (2 bytes)\n"
    );
}

#[test]
fn printing_nothing_written_says_so() {
    let report = OutputArtifactReport::from_zip(&artifact(), None).unwrap();
    assert_eq!(
        printed(&report),
        "  output artifact Out: nothing was written\n"
    );
}
