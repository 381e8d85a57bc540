use super::*;

#[test]
fn seconds_are_parsed_within_their_range() {
    assert_eq!(parse_seconds("X", " 900 ", 1..=1200), Ok(900));
    for bad in ["0", "1201", "-5", "15m", ""] {
        let err = parse_seconds("X", bad, 1..=1200);
        assert!(
            matches!(&err, Err(Error::Misconfigured(m)) if m.contains("X") && m.contains("1 to 1200")),
            "{bad}: {err:?}"
        );
    }
}

#[test]
fn a_ca_bundle_that_is_no_file_is_not_used() {
    assert!(!names_a_file(std::ffi::OsStr::new(
        "/surely/not/a/ca-bundle.pem"
    )));
    assert!(!names_a_file(std::ffi::OsStr::new("/")));
    let file = tempfile::NamedTempFile::new().unwrap_or_else(|_| unreachable!());
    assert!(names_a_file(file.path().as_os_str()));
}

#[test]
fn an_unset_variable_takes_the_default() {
    assert_eq!(
        seconds_env("STACKFLOW_TEST_SURELY_UNSET_VARIABLE", 42, 1..=100),
        Ok(42)
    );
}
