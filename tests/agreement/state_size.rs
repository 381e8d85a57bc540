//! The execution's state stays under Step Functions' 256 KiB: the arithmetic of
//! statemachine/README.md ("Under 256 KiB"), from the bounds the functions set where data enters
//! the state, so that raising one of them past the total fails here.

use stackflow::aws::stack_describe::OUTPUTS_MAX_JSON_BYTES;
use stackflow::change_summary::CHANGE_SET_MAX_JSON_BYTES;
use stackflow::codepipeline::job_result::{FAILURE_MESSAGE_MAX_CHARS, SUMMARY_MAX_CHARS};
use stackflow::error::ERROR_MESSAGE_MAX_CHARS;
use stackflow::steps::start_deployment::MAX_EXECUTION_INPUT_BYTES;
use stackflow::template_config::STATE_MAX_JSON_BYTES;

use crate::cfn::read;

/// Step Functions' quota on a state's input or output: 256 KiB of UTF-8.
const STATE_BYTES: usize = 262_144;
/// CodePipeline's limit on an action configuration value, the UserParameters among them.
const USER_PARAMETERS_MAX_CHARS: usize = 1_000;
/// IAM's limit on a role ARN.
const ROLE_ARN_MAX_CHARS: usize = 2_048;
/// The most bytes one character takes in a JSON string: `\u0001`.
const JSON_BYTES_PER_CHAR: usize = 6;
/// ...and in a JSON string inside a JSON string (a Lambda error's Cause): `\\u0001`.
const NESTED_JSON_BYTES_PER_CHAR: usize = 7;
/// Numbers, names, keys and braces around each part.
const FIXED: usize = 1_024;
const KEYS: usize = 512;
/// The stack's name, id, status and token.
const STACK_FIELDS: usize = 2_048;
/// The staging bucket, key (S3: 1,024 bytes at most) and URL.
const STAGING_LOCATION: usize = 10_240;

/// The parts both paths share, and each path's own: (shared, failure, success).
fn parts() -> (Vec<usize>, Vec<usize>, Vec<usize>) {
    let user_parameters = USER_PARAMETERS_MAX_CHARS * JSON_BYTES_PER_CHAR;
    let input = MAX_EXECUTION_INPUT_BYTES;
    let params = user_parameters + MAX_EXECUTION_INPUT_BYTES + ROLE_ARN_MAX_CHARS + FIXED;
    let template = STATE_MAX_JSON_BYTES + user_parameters + STAGING_LOCATION;
    let stack = OUTPUTS_MAX_JSON_BYTES + CHANGE_SET_MAX_JSON_BYTES + STACK_FIELDS;
    let error = ERROR_MESSAGE_MAX_CHARS * NESTED_JSON_BYTES_PER_CHAR + KEYS;
    let failure_report = FAILURE_MESSAGE_MAX_CHARS * JSON_BYTES_PER_CHAR + KEYS;
    let success_report = SUMMARY_MAX_CHARS * JSON_BYTES_PER_CHAR + OUTPUTS_MAX_JSON_BYTES + KEYS;
    (
        vec![input, params, template, stack],
        vec![error, failure_report],
        vec![success_report],
    )
}

/// `257224` as the README writes it: `257,224`.
fn with_commas(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[test]
fn the_largest_document_stays_under_256_kib_on_both_paths() {
    let (shared, failure, success) = parts();
    let shared: usize = shared.iter().sum();
    let failure = shared + failure.iter().sum::<usize>();
    let success = shared + success.iter().sum::<usize>();
    assert!(failure <= STATE_BYTES, "failure path: {failure}");
    assert!(success <= STATE_BYTES, "success path: {success}");

    let readme = read("statemachine/README.md");
    for (path, total) in [("failure path", failure), ("success path", success)] {
        let row = format!("| **{path}** | | **{}** |", with_commas(total));
        assert!(
            readme.contains(&row),
            "statemachine/README.md lacks `{row}`"
        );
    }
}

#[test]
fn the_readme_names_each_bound_with_its_figure() {
    let readme = read("statemachine/README.md");
    let (shared, failure, success) = parts();
    for part in shared.iter().chain(&failure).chain(&success) {
        let cell = format!("| {} |", with_commas(*part));
        assert!(
            readme.contains(&cell),
            "statemachine/README.md lacks {cell}"
        );
    }
    for (name, value) in [
        ("MAX_EXECUTION_INPUT_BYTES", MAX_EXECUTION_INPUT_BYTES),
        ("STATE_MAX_JSON_BYTES", STATE_MAX_JSON_BYTES),
        ("OUTPUTS_MAX_JSON_BYTES", OUTPUTS_MAX_JSON_BYTES),
        ("ERROR_MESSAGE_MAX_CHARS", ERROR_MESSAGE_MAX_CHARS),
    ] {
        assert!(readme.contains(name), "statemachine/README.md lacks {name}");
        assert!(
            readme.contains(&with_commas(value)),
            "statemachine/README.md lacks {name}'s {value}"
        );
    }
}
