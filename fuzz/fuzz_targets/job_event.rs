//! The CodePipeline job event start-deployment receives, decoded, redacted into a `JobRequest` and
//! turned into the execution input: the rules `stackflow::fuzz_checks::job_event` checks, among
//! them that no artifact credential gets through (functions/stackflow/tests/fuzz_corpus.rs replays
//! this target's corpus through the same function).

#![no_main]
// A broken rule is a finding: libFuzzer keeps the input that panicked.
#![allow(clippy::panic)]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    if let Err(rule) = stackflow::fuzz_checks::job_event(data) {
        panic!("{rule}");
    }
});
