//! The action's UserParameters, as validate-params checks them against a two-artifact job: the
//! rules `stackflow::fuzz_checks::user_parameters` checks (functions/stackflow/tests/fuzz_corpus.rs
//! replays this target's corpus through the same function).

#![no_main]
// A broken rule is a finding: libFuzzer keeps the input that panicked.
#![allow(clippy::panic)]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    if let Err(rule) = stackflow::fuzz_checks::user_parameters(data) {
        panic!("{rule}");
    }
});
