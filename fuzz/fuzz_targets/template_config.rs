//! The template-configuration file fetch-template reads out of the artifact, parsed and merged with
//! UserParameters overrides: the rules `stackflow::fuzz_checks::template_config` checks
//! (functions/stackflow/tests/fuzz_corpus.rs replays this target's corpus through the same
//! function).

#![no_main]
// A broken rule is a finding: libFuzzer keeps the input that panicked.
#![allow(clippy::panic)]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    if let Err(rule) = stackflow::fuzz_checks::template_config(data) {
        panic!("{rule}");
    }
});
