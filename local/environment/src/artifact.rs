//! Input artifacts as CodePipeline stores them: a folder becomes a zip of its files.

use std::io::Write;
use std::path::{Path, PathBuf};

use crate::error::{LocalError, Result};

/// `NAME=PATH` from the command line.
pub fn parse_spec(spec: &str) -> Result<(String, PathBuf)> {
    match spec.split_once('=') {
        Some((name, path)) if !name.trim().is_empty() && !path.trim().is_empty() => {
            Ok((name.trim().to_string(), PathBuf::from(path.trim())))
        }
        _ => Err(LocalError::Usage(format!(
            "--artifact takes NAME=PATH (a folder or a .zip file), not `{spec}`"
        ))),
    }
}

/// A zip for the artifact at `path`: the file itself if it is a `.zip`, else a zip of the folder
/// written into `out_dir`.
pub fn prepare(name: &str, path: &Path, out_dir: &Path) -> Result<PathBuf> {
    if path.is_file() {
        if path
            .extension()
            .is_some_and(|ext| ext.eq_ignore_ascii_case("zip"))
        {
            return Ok(path.to_path_buf());
        }
        return Err(LocalError::Usage(format!(
            "artifact {name}: {} is a file but not a .zip; give a folder or a .zip",
            path.display()
        )));
    }
    if !path.is_dir() {
        return Err(LocalError::Usage(format!(
            "artifact {name}: {} does not exist",
            path.display()
        )));
    }
    std::fs::create_dir_all(out_dir)
        .map_err(LocalError::io(format!("creating {}", out_dir.display())))?;
    let target = out_dir.join(format!("{}-{}.zip", sanitize(name), uuid::Uuid::new_v4()));
    zip_dir(path, &target)?;
    Ok(target)
}

fn sanitize(name: &str) -> String {
    name.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect()
}

/// Zip every file below `dir`, with paths relative to it, in a stable order.
pub fn zip_dir(dir: &Path, target: &Path) -> Result<()> {
    let mut files = Vec::new();
    collect(dir, dir, &mut files)?;
    files.sort();
    let file = std::fs::File::create(target)
        .map_err(LocalError::io(format!("creating {}", target.display())))?;
    let mut zip = zip::ZipWriter::new(file);
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    for relative in files {
        let name = relative.to_string_lossy().replace('\\', "/");
        let bytes = std::fs::read(dir.join(&relative))
            .map_err(LocalError::io(format!("reading {}", relative.display())))?;
        zip.start_file(name, options).map_err(|err| {
            LocalError::Environment(format!("zipping {}: {err}", relative.display()))
        })?;
        zip.write_all(&bytes)
            .map_err(LocalError::io("writing the zip"))?;
    }
    zip.finish()
        .map_err(|err| LocalError::Environment(format!("finishing {}: {err}", target.display())))?;
    Ok(())
}

fn collect(root: &Path, dir: &Path, out: &mut Vec<PathBuf>) -> Result<()> {
    let entries =
        std::fs::read_dir(dir).map_err(LocalError::io(format!("reading {}", dir.display())))?;
    for entry in entries {
        let entry = entry.map_err(LocalError::io(format!("reading {}", dir.display())))?;
        let path = entry.path();
        if path.is_dir() {
            collect(root, &path, out)?;
        } else if let Ok(relative) = path.strip_prefix(root) {
            out.push(relative.to_path_buf());
        }
    }
    Ok(())
}

#[cfg(test)]
#[path = "artifact_tests.rs"]
mod tests;
