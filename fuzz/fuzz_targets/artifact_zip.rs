//! The artifact zip, read as fetch-template reads it: the rules
//! `stackflow::fuzz_checks::artifact_zip` checks, among them that no entry is returned larger than
//! the limit, so a zip bomb costs at most the limit; libFuzzer's -malloc_limit_mb and -rss_limit_mb
//! (set by fuzz/run) catch anything that inflates more (functions/stackflow/tests/fuzz_corpus.rs
//! replays this target's corpus through the same function).

#![no_main]
// A broken rule is a finding: libFuzzer keeps the input that panicked.
#![allow(clippy::panic)]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    if let Err(rule) = stackflow::fuzz_checks::artifact_zip(data) {
        panic!("{rule}");
    }
});
