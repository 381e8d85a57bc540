#![allow(clippy::unwrap_used, clippy::expect_used)]

use super::*;

#[test]
fn a_one_minute_deployment_polls_every_poll_seconds_without_a_hand_over() {
    let one = schedule(60, DEFAULTS);
    assert_eq!(
        one,
        Schedule {
            checks: 4,
            hand_overs: 0
        }
    );
    assert_eq!(one.state_transitions(), 5 + 12 + 2);
    assert_eq!(one.lambda_invocations(), 1 + 3 + 4 + 1);
}

#[test]
fn a_two_hour_deployment_polls_at_the_cap_and_hands_over_every_five_minutes() {
    let long = schedule(7_200, DEFAULTS);
    let fixed = fixed_schedule(7_200, DEFAULTS);
    assert_eq!(fixed.checks, 480);
    assert!(long.checks < 150, "{long:?}");
    assert_eq!(long.hand_overs, 23);
    assert!(long.state_transitions() * 3 < fixed.state_transitions());
}

#[test]
fn each_hand_over_adds_one_transition_and_two_invocations() {
    let without = Schedule {
        checks: 10,
        hand_overs: 0,
    };
    let with = Schedule {
        checks: 10,
        hand_overs: 3,
    };
    assert_eq!(with.state_transitions() - without.state_transitions(), 3);
    assert_eq!(with.lambda_invocations() - without.lambda_invocations(), 6);
}

#[test]
fn a_short_hand_over_time_hands_over_at_every_check() {
    // The local end-to-end run: pollSeconds 1, JOB_HANDOVER_SECONDS 1.
    let local = schedule(
        12,
        Settings {
            poll_seconds: 1,
            hand_over_seconds: 1,
        },
    );
    assert_eq!(
        local,
        Schedule {
            checks: 12,
            hand_overs: 11
        }
    );
}

#[test]
fn the_classic_sample_invokes_once_per_continuation() {
    assert_eq!(classic_invocations(60), 3);
    assert_eq!(classic_invocations(61), 4);
    assert_eq!(classic_invocations(7_200), 241);
    assert!((classic_gb_seconds(60) - 3.0 * 0.125 * 0.5).abs() < 1e-9);
}

#[test]
fn docs_costs_md_shows_this_table() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/costs.md");
    let doc = std::fs::read_to_string(&path).unwrap();
    let table = markdown_table();
    assert!(
        doc.contains(&table),
        "docs/costs.md is out of date; its table must be:\n{table}"
    );
}
