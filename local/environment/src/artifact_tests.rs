use super::*;

#[test]
fn spec_needs_a_name_and_a_path() {
    assert!(parse_spec("SourceArtifact=examples/queue-and-bucket").is_ok());
    assert!(matches!(
        parse_spec("SourceArtifact"),
        Err(LocalError::Usage(_))
    ));
    assert!(matches!(parse_spec("=path"), Err(LocalError::Usage(_))));
}

#[test]
fn a_folder_is_zipped_with_relative_paths() -> Result<()> {
    let dir =
        std::env::temp_dir().join(format!("stackflow-artifact-test-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(dir.join("sub")).map_err(LocalError::io("test dir"))?;
    std::fs::write(dir.join("template.yaml"), "a").map_err(LocalError::io("test file"))?;
    std::fs::write(dir.join("sub/config.json"), "{}").map_err(LocalError::io("test file"))?;
    let out = dir.join("out");
    let zip_path = prepare("Source", &dir.join("."), &out)?;
    let file = std::fs::File::open(&zip_path).map_err(LocalError::io("open zip"))?;
    let archive = zip::ZipArchive::new(file).map_err(|e| LocalError::Environment(e.to_string()))?;
    let mut names: Vec<String> = archive
        .file_names()
        .map(|name| name.map(|n| n.into_owned()).unwrap_or_default())
        .collect();
    names.sort();
    assert_eq!(names, vec!["sub/config.json", "template.yaml"]);
    let _ = std::fs::remove_dir_all(&dir);
    Ok(())
}
