#[test]
fn the_clock_is_past_2023() {
    assert!(super::now_unix() > 1_700_000_000);
}
