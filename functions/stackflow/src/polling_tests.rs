use super::*;

fn current_job(hand_over_at: i64) -> CurrentJob {
    CurrentJob {
        job_id: "job".into(),
        hand_over_at,
    }
}

#[test]
fn the_wait_starts_at_poll_seconds_and_grows_with_the_operations_age() {
    assert_eq!(poll_interval(15, 0), 15);
    assert_eq!(poll_interval(15, 149), 15);
    assert_eq!(poll_interval(15, 200), 20);
    assert_eq!(poll_interval(15, 599), 59);
    assert_eq!(poll_interval(15, 600), 60);
    assert_eq!(poll_interval(15, 7_200), 60);
}

#[test]
fn a_poll_longer_than_the_cap_is_kept_and_zero_is_one() {
    assert_eq!(poll_interval(120, 0), 120);
    assert_eq!(poll_interval(120, 86_400), 120);
    assert_eq!(poll_interval(0, 0), 1);
    // A clock that went backwards is no age at all.
    assert_eq!(poll_interval(5, -100), 5);
}

#[test]
fn without_a_job_to_answer_the_step_just_waits() {
    assert_eq!(next_wait(15, 1_000, None, 1_000), (Next::Wait, 15));
    assert_eq!(next_wait(15, 1_000, None, 2_000), (Next::Wait, 60));
}

#[test]
fn the_wait_never_passes_the_hand_over_time() {
    assert_eq!(
        next_wait(15, 1_000, Some(&current_job(1_010)), 1_000),
        (Next::Wait, 10)
    );
    assert_eq!(
        next_wait(15, 1_000, Some(&current_job(5_000)), 1_000),
        (Next::Wait, 15)
    );
}

#[test]
fn at_the_hand_over_time_the_job_is_handed_over_and_the_wait_is_the_interval() {
    assert_eq!(
        next_wait(15, 1_000, Some(&current_job(1_900)), 1_900),
        (Next::HandOver, 60)
    );
    assert_eq!(
        next_wait(1, 1_000, Some(&current_job(1_001)), 1_005),
        (Next::HandOver, 1)
    );
}
