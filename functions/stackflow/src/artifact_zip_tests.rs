#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::io::{Cursor, Write};

use super::*;
use proptest::prelude::*;
use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, ZipWriter};

const LIMIT: u64 = 1_048_576;

/// A zip of `(name, content)` entries; names ending in `/` become directories.
fn zip_of(entries: &[(&str, &[u8])]) -> Vec<u8> {
    let mut writer = ZipWriter::new(Cursor::new(Vec::new()));
    let options = SimpleFileOptions::default().compression_method(CompressionMethod::Deflated);
    for (name, content) in entries {
        if name.ends_with('/') {
            writer.add_directory(*name, options).unwrap();
        } else {
            writer.start_file(*name, options).unwrap();
            writer.write_all(content).unwrap();
        }
    }
    writer.finish().unwrap().into_inner()
}

fn read(zip: &[u8], path: &str) -> Result<Vec<u8>, Error> {
    ArtifactZip::open("BuildOutput", Cursor::new(zip))?.read(path, LIMIT)
}

/// Offset of the first occurrence of a 4-byte signature.
fn find(bytes: &[u8], signature: [u8; 4]) -> usize {
    bytes.windows(4).position(|w| w == signature).unwrap()
}

const LOCAL_HEADER: [u8; 4] = *b"PK\x03\x04";
const CENTRAL_HEADER: [u8; 4] = *b"PK\x01\x02";

/// Overwrite the single entry's declared uncompressed size in both of its headers.
fn declare_size(zip: &mut [u8], size: u32) {
    let local = find(zip, LOCAL_HEADER);
    zip[local + 22..local + 26].copy_from_slice(&size.to_le_bytes());
    let central = find(zip, CENTRAL_HEADER);
    zip[central + 24..central + 28].copy_from_slice(&size.to_le_bytes());
}

#[test]
fn reads_an_entry_by_its_path() {
    let zip = zip_of(&[("a.yaml", b"A"), ("dir/t.yaml", b"Resources: {}")]);
    assert_eq!(read(&zip, "dir/t.yaml").unwrap(), b"Resources: {}");
}

#[test]
fn reads_an_entry_stored_with_a_dot_slash() {
    let zip = zip_of(&[("./t.yaml", b"T")]);
    assert_eq!(read(&zip, "t.yaml").unwrap(), b"T");
}

#[test]
fn reads_text() {
    let zip = zip_of(&[("t.yaml", "Description: café".as_bytes())]);
    let mut artifact = ArtifactZip::open("BuildOutput", Cursor::new(&zip)).unwrap();
    assert_eq!(
        artifact.read_text("t.yaml", LIMIT).unwrap(),
        "Description: café"
    );
}

#[test]
fn non_utf8_text_is_an_invalid_template() {
    let zip = zip_of(&[("t.yaml", b"ok\xff\xfe")]);
    let err = ArtifactZip::open("BuildOutput", Cursor::new(&zip))
        .unwrap()
        .read_text("t.yaml", LIMIT)
        .unwrap_err();
    assert_eq!(err.name(), "TemplateInvalid");
    assert!(
        err.message()
            .contains("is not UTF-8 text (invalid byte at offset 2)"),
        "{err}"
    );
}

#[test]
fn bytes_that_are_not_a_zip_are_an_invalid_artifact() {
    let err = read(b"Resources: {}", "t.yaml").unwrap_err();
    assert_eq!(err.name(), "ArtifactInvalid");
    assert!(
        err.message()
            .starts_with("artifact `BuildOutput` is not a zip archive: "),
        "{err}"
    );
}

#[test]
fn a_missing_file_lists_the_zips_files() {
    let zip = zip_of(&[("dir/", b""), ("dir/a.yaml", b"A"), ("b.json", b"B")]);
    let err = read(&zip, "template.yaml").unwrap_err();
    assert_eq!(
        err,
        Error::ArtifactNotFound(
            "artifact `BuildOutput` has no file `template.yaml`; its 2 files are: dir/a.yaml, b.json"
                .into()
        )
    );
}

#[test]
fn a_missing_file_lists_twenty_names_and_counts_the_rest() {
    let names: Vec<String> = (0..25).map(|i| format!("f{i:02}.txt")).collect();
    let entries: Vec<(&str, &[u8])> = names.iter().map(|n| (n.as_str(), &b"x"[..])).collect();
    let err = read(&zip_of(&entries), "t.yaml").unwrap_err();
    let message = err.message();
    assert!(
        message.contains("its 25 files are: f00.txt, f01.txt"),
        "{message}"
    );
    assert!(message.contains("f19.txt and 5 more"), "{message}");
    assert!(!message.contains("f20.txt"), "{message}");
}

#[test]
fn an_empty_zip_says_it_holds_no_files() {
    let err = read(&zip_of(&[]), "t.yaml").unwrap_err();
    assert_eq!(err.name(), "ArtifactNotFound");
    assert!(err.message().ends_with("the zip holds no files"), "{err}");
}

#[test]
fn an_entry_of_exactly_the_limit_is_accepted() {
    let content = vec![b'a'; LIMIT as usize];
    let zip = zip_of(&[("t.yaml", &content)]);
    assert_eq!(read(&zip, "t.yaml").unwrap().len(), LIMIT as usize);
}

#[test]
fn a_zip_bomb_is_refused_by_its_declared_size() {
    let content = vec![0u8; 8 * 1024 * 1024];
    let zip = zip_of(&[("t.yaml", &content)]);
    assert!(
        zip.len() < 64 * 1024,
        "a bomb is small: {} bytes",
        zip.len()
    );
    let err = read(&zip, "t.yaml").unwrap_err();
    assert_eq!(
        err,
        Error::TemplateInvalid(
            "`t.yaml` in artifact `BuildOutput` is 8388608 bytes uncompressed; the limit is \
             1048576 bytes"
                .into()
        )
    );
}

#[test]
fn a_declared_size_over_the_limit_is_refused_without_inflating() {
    let content = vec![0u8; LIMIT as usize + 1];
    let mut zip = zip_of(&[("t.yaml", &content)]);
    // Ruin the compressed data: inflating it would fail with ArtifactInvalid, so a
    // TemplateInvalid answer shows the header alone decided.
    let local = find(&zip, LOCAL_HEADER);
    let name_len = usize::from(u16::from_le_bytes([zip[local + 26], zip[local + 27]]));
    let extra_len = usize::from(u16::from_le_bytes([zip[local + 28], zip[local + 29]]));
    let data = local + 30 + name_len + extra_len;
    let central = find(&zip, CENTRAL_HEADER);
    zip[data..central].fill(0xff);
    let err = read(&zip, "t.yaml").unwrap_err();
    assert_eq!(err.name(), "TemplateInvalid");
    assert!(
        err.message().contains("is 1048577 bytes uncompressed"),
        "{err}"
    );
}

#[test]
fn a_bomb_whose_header_lies_about_its_size_is_refused() {
    let content = vec![0u8; 8 * 1024 * 1024];
    let mut zip = zip_of(&[("t.yaml", &content)]);
    declare_size(&mut zip, 100);
    let mut artifact = ArtifactZip::open("BuildOutput", Cursor::new(&zip)).unwrap();
    let err = artifact.read("t.yaml", LIMIT).unwrap_err();
    // The zip crate stops at the declared size itself; `read_bounded` is the backstop should
    // it ever not (tested below on an endless reader).
    assert_eq!(err.name(), "ArtifactInvalid", "{err}");
    assert!(
        err.message()
            .starts_with("`t.yaml` in artifact `BuildOutput` cannot be inflated"),
        "{err}"
    );
}

#[test]
fn a_header_declaring_less_than_the_limit_still_cannot_pass_it() {
    // Declared 1 MiB exactly (passes the header check), 8 MiB of data behind it.
    let content = vec![0u8; 8 * 1024 * 1024];
    let mut zip = zip_of(&[("t.yaml", &content)]);
    declare_size(&mut zip, LIMIT as u32);
    let err = read(&zip, "t.yaml").unwrap_err();
    assert!(
        matches!(err.name(), "ArtifactInvalid" | "TemplateInvalid"),
        "{err:?}"
    );
}

#[test]
fn the_bounded_reader_stops_an_endless_stream() {
    let endless = std::io::repeat(b'a');
    assert_eq!(read_bounded(endless, LIMIT, 0).unwrap(), None);
    let exact = Cursor::new(vec![b'a'; 10]);
    assert_eq!(read_bounded(exact, 10, 10).unwrap(), Some(vec![b'a'; 10]));
    let over = Cursor::new(vec![b'a'; 11]);
    assert_eq!(read_bounded(over, 10, 10).unwrap(), None);
}

#[test]
fn a_corrupt_entry_is_an_invalid_artifact() {
    let mut zip = zip_of(&[("t.yaml", b"Resources: {}")]);
    // Break the CRC in both headers.
    let local = find(&zip, LOCAL_HEADER);
    zip[local + 14] ^= 0xff;
    let central = find(&zip, CENTRAL_HEADER);
    zip[central + 16] ^= 0xff;
    let err = read(&zip, "t.yaml").unwrap_err();
    assert_eq!(err.name(), "ArtifactInvalid", "{err}");
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn arbitrary_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..2048)) {
        if let Ok(mut artifact) = ArtifactZip::open("a", Cursor::new(&bytes)) {
            if let Ok(content) = artifact.read("t.yaml", 64) {
                prop_assert!(content.len() <= 64);
            }
        }
    }

    #[test]
    fn a_damaged_zip_never_panics_and_stays_bounded(
        flips in prop::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..8),
    ) {
        let content = vec![b'x'; 4096];
        let mut zip = zip_of(&[("t.yaml", &content), ("c.json", b"{}")]);
        for (index, byte) in flips {
            let at = index.index(zip.len());
            zip[at] = byte;
        }
        if let Ok(mut artifact) = ArtifactZip::open("a", Cursor::new(&zip)) {
            for path in ["t.yaml", "c.json"] {
                if let Ok(content) = artifact.read(path, 4096) {
                    prop_assert!(content.len() <= 4096);
                }
            }
        }
    }
}
