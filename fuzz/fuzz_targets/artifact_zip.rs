//! The artifact zip, read as fetch-template reads it: the template, the configuration file, and a
//! name that is not there (whose message lists the entries). An entry is never returned larger
//! than the limit, so a zip bomb costs at most the limit; libFuzzer's -malloc_limit_mb and
//! -rss_limit_mb (set by fuzz/run) catch anything that inflates more.

#![no_main]

use std::io::Cursor;

use libfuzzer_sys::fuzz_target;
use stackflow::artifact_zip::ArtifactZip;
use stackflow::steps::fetch_template::MAX_TEMPLATE_BYTES;

fuzz_target!(|data: &[u8]| {
    let Ok(mut zip) = ArtifactZip::open("SourceArtifact", Cursor::new(data)) else {
        return;
    };
    for path in ["template.yaml", "config.json", "missing.yaml"] {
        if let Ok(bytes) = zip.read(path, MAX_TEMPLATE_BYTES) {
            assert!(bytes.len() as u64 <= MAX_TEMPLATE_BYTES);
        }
    }
    let _ = zip.read_text("template.yaml", MAX_TEMPLATE_BYTES);
});
