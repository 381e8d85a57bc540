//! Reading one file out of an artifact zip. Sizes are checked before inflating (the declared
//! size) and while inflating (a bounded reader), so a zip bomb, even one whose header lies about
//! its size, costs at most `limit + 1` bytes of memory. The zip itself is read through any
//! seekable reader (FetchTemplate's is a temporary file), so only the entry read is in memory.

use std::io::{Read, Seek};

use zip::ZipArchive;

use crate::error::Error;

/// How many entry names a "file not found" message lists.
pub const LISTED_ENTRIES: usize = 20;

/// An opened artifact zip; `artifact` is its name, for messages.
pub struct ArtifactZip<'a, R> {
    artifact: &'a str,
    archive: ZipArchive<R>,
}

impl<'a, R: Read + Seek> ArtifactZip<'a, R> {
    /// Read the zip's central directory from `reader`.
    pub fn open(artifact: &'a str, reader: R) -> Result<Self, Error> {
        let archive = ZipArchive::new(reader).map_err(|e| {
            Error::ArtifactInvalid(format!("artifact `{artifact}` is not a zip archive: {e}"))
        })?;
        Ok(Self { artifact, archive })
    }

    /// The bytes of the entry at `path` (stored as `path` or `./path`), refused when larger
    /// than `limit` bytes.
    pub fn read(&mut self, path: &str, limit: u64) -> Result<Vec<u8>, Error> {
        let artifact = self.artifact;
        let Some(index) = self.index_of(path) else {
            return Err(Error::ArtifactNotFound(format!(
                "artifact `{artifact}` has no file `{path}`; {}",
                self.listing()
            )));
        };
        let mut entry = self.archive.by_index(index).map_err(|e| {
            Error::ArtifactInvalid(format!(
                "`{path}` in artifact `{artifact}` cannot be read: {e}"
            ))
        })?;
        let declared = entry.size();
        if declared > limit {
            return Err(too_large(
                artifact,
                path,
                limit,
                &format!("{declared} bytes"),
            ));
        }
        // The declared size is at most `limit` here, so it is a safe starting capacity.
        let capacity = usize::try_from(declared).unwrap_or(0);
        match read_bounded(&mut entry, limit, capacity) {
            Ok(Some(bytes)) => Ok(bytes),
            Ok(None) => Err(too_large(
                artifact,
                path,
                limit,
                &format!("more than {limit} bytes although its header says {declared}"),
            )),
            Err(e) => Err(Error::ArtifactInvalid(format!(
                "`{path}` in artifact `{artifact}` cannot be inflated: {e}"
            ))),
        }
    }

    /// The entry at `path` as UTF-8 text.
    pub fn read_text(&mut self, path: &str, limit: u64) -> Result<String, Error> {
        let bytes = self.read(path, limit)?;
        String::from_utf8(bytes).map_err(|e| {
            Error::TemplateInvalid(format!(
                "`{path}` in artifact `{}` is not UTF-8 text (invalid byte at offset {})",
                self.artifact,
                e.utf8_error().valid_up_to()
            ))
        })
    }

    fn index_of(&self, path: &str) -> Option<usize> {
        self.archive
            .file_names()
            .position(|name| name.is_ok_and(|name| without_dot_slash(&name) == path))
    }

    /// "its N files are: a, b, … and M more", directories left out.
    fn listing(&self) -> String {
        let files: Vec<String> = self
            .archive
            .file_names()
            .filter_map(Result::ok)
            .filter(|name| !name.ends_with('/'))
            .map(|name| name.into_owned())
            .collect();
        if files.is_empty() {
            return "the zip holds no files".to_string();
        }
        let shown: Vec<&str> = files
            .iter()
            .take(LISTED_ENTRIES)
            .map(String::as_str)
            .collect();
        let more = files.len() - shown.len();
        let noun = if files.len() == 1 {
            "file is"
        } else {
            "files are"
        };
        let mut text = format!("its {} {noun}: {}", files.len(), shown.join(", "));
        if more > 0 {
            text.push_str(&format!(" and {more} more"));
        }
        text
    }
}

fn without_dot_slash(mut name: &str) -> &str {
    while let Some(rest) = name.strip_prefix("./") {
        name = rest;
    }
    name
}

fn too_large(artifact: &str, path: &str, limit: u64, size: &str) -> Error {
    Error::TemplateInvalid(format!(
        "`{path}` in artifact `{artifact}` is {size} uncompressed; the limit is {limit} bytes"
    ))
}

/// Everything `reader` gives, or `None` once it gives more than `limit` bytes: at most
/// `limit + 1` bytes are ever held, whatever the reader claims.
fn read_bounded(
    reader: impl Read,
    limit: u64,
    capacity: usize,
) -> std::io::Result<Option<Vec<u8>>> {
    let mut bytes = Vec::with_capacity(capacity);
    reader
        .take(limit.saturating_add(1))
        .read_to_end(&mut bytes)?;
    if bytes.len() as u64 > limit {
        return Ok(None);
    }
    Ok(Some(bytes))
}

#[cfg(test)]
#[path = "artifact_zip_tests.rs"]
mod tests;
