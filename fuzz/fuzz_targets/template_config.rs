//! The template-configuration file fetch-template reads out of the artifact, parsed and merged
//! with UserParameters overrides as fetch-template does.

#![no_main]

use std::collections::BTreeMap;

use libfuzzer_sys::fuzz_target;
use stackflow::template_config;

fuzz_target!(|data: &[u8]| {
    // fetch-template refuses a file that is not UTF-8 before parsing it.
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(config) = template_config::parse("config.json", text) else {
        return;
    };
    let parameters = BTreeMap::from([("Environment".to_string(), "prod".to_string())]);
    let tags = BTreeMap::from([("team".to_string(), "payments".to_string())]);
    let _ = config.merged_with(&parameters, &tags);
});
