//! What a function costs to ship: its deployment zip (what Lambda stores and loads at a cold
//! start) and its native release executable.

use std::io::Read;
use std::path::{Path, PathBuf};

use serde::Serialize;

#[derive(Debug, Clone, Serialize)]
pub struct Sizes {
    /// `<zips_dir>/<binary>/bootstrap.zip`, the `sam build` output zipped as `sam deploy` zips it
    /// (infra/checks/sam-build).
    pub zip_path: PathBuf,
    pub zip_bytes: Option<u64>,
    /// The architecture of the `bootstrap` inside the zip, from its ELF header.
    pub zip_architecture: Option<String>,
    /// The `bootstrap` executable's size once unzipped.
    pub zip_bootstrap_bytes: Option<u64>,
    /// The executable the local environment runs (target/release/<binary>).
    pub binary_path: PathBuf,
    pub binary_bytes: Option<u64>,
}

pub fn of(binary: &str, functions_dir: &Path, zips_dir: &Path) -> Sizes {
    let zip_path = zips_dir.join(binary).join("bootstrap.zip");
    let binary_path = functions_dir.join(binary);
    let (zip_architecture, zip_bootstrap_bytes) = match bootstrap_in(&zip_path) {
        Some((arch, size)) => (Some(arch), Some(size)),
        None => (None, None),
    };
    Sizes {
        zip_bytes: file_size(&zip_path),
        zip_architecture,
        zip_bootstrap_bytes,
        zip_path,
        binary_bytes: file_size(&binary_path),
        binary_path,
    }
}

fn file_size(path: &Path) -> Option<u64> {
    std::fs::metadata(path)
        .ok()
        .filter(|m| m.is_file())
        .map(|m| m.len())
}

/// The machine the zip's `bootstrap` is built for, and its unzipped size.
fn bootstrap_in(zip_path: &Path) -> Option<(String, u64)> {
    let file = std::fs::File::open(zip_path).ok()?;
    let mut archive = zip::ZipArchive::new(file).ok()?;
    let mut bootstrap = archive.by_name("bootstrap").ok()?;
    let size = bootstrap.size();
    let mut header = [0u8; 20];
    bootstrap.read_exact(&mut header).ok()?;
    Some((elf_machine(&header).to_string(), size))
}

/// e_machine of a little-endian ELF header.
fn elf_machine(header: &[u8; 20]) -> &'static str {
    if &header[..4] != b"\x7fELF" {
        return "not ELF";
    }
    match u16::from_le_bytes([header[18], header[19]]) {
        0xB7 => "arm64",
        0x3E => "x86_64",
        _ => "other",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn header(machine: u16) -> [u8; 20] {
        let mut h = [0u8; 20];
        h[..4].copy_from_slice(b"\x7fELF");
        h[18..20].copy_from_slice(&machine.to_le_bytes());
        h
    }

    #[test]
    fn tells_arm64_from_x86_64() {
        assert_eq!(elf_machine(&header(0xB7)), "arm64");
        assert_eq!(elf_machine(&header(0x3E)), "x86_64");
        assert_eq!(elf_machine(&[0u8; 20]), "not ELF");
    }

    #[test]
    fn a_missing_zip_has_no_size() {
        let sizes = of("nope", Path::new("/nonexistent"), Path::new("/nonexistent"));
        assert_eq!(sizes.zip_bytes, None);
        assert_eq!(sizes.zip_architecture, None);
        assert_eq!(sizes.binary_bytes, None);
    }
}
