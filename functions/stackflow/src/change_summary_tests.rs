#![allow(clippy::unwrap_used)]

use super::*;

fn change(action: &str, logical_id: &str, replacement: Option<&str>) -> ChangeFacts {
    ChangeFacts {
        action: action.to_string(),
        logical_id: logical_id.to_string(),
        resource_type: "AWS::SQS::Queue".to_string(),
        replacement: replacement.map(str::to_string),
    }
}

fn report(changes: &[ChangeFacts]) -> ChangeSetReport {
    let mut report = ChangeSetReport::new("arn:cs", "review", "UPDATE");
    for change in changes {
        report.count(change);
    }
    report
}

#[test]
fn the_counts_read_as_the_issue_shows_them() {
    let report = report(&[
        change("Add", "A", None),
        change("Add", "B", None),
        change("Add", "C", None),
        change("Modify", "D", Some("True")),
    ]);
    assert_eq!(
        report.counts_text(),
        "3 to add, 1 to modify (1 replacement), 0 to remove"
    );
}

#[test]
fn conditional_replacements_count_and_false_ones_do_not() {
    let report = report(&[
        change("Modify", "A", Some("Conditional")),
        change("Modify", "B", Some("False")),
        change("Modify", "C", Some("True")),
        change("Remove", "D", None),
    ]);
    assert_eq!(report.replacements, 2);
    assert_eq!(
        report.counts_text(),
        "0 to add, 3 to modify (2 replacements), 1 to remove"
    );
    assert_eq!(
        report.changes,
        vec![
            "Modify A (AWS::SQS::Queue), replacement Conditional",
            "Modify B (AWS::SQS::Queue)",
            "Modify C (AWS::SQS::Queue), replacement True",
            "Remove D (AWS::SQS::Queue)",
        ]
    );
}

#[test]
fn imports_count_as_adds_and_dynamic_changes_as_modifies() {
    let report = report(&[change("Import", "A", None), change("Dynamic", "B", None)]);
    assert_eq!((report.adds, report.modifies), (1, 1));
}

#[test]
fn the_summary_names_the_change_set_the_stack_and_each_change() {
    let summary = report(&[change("Add", "Queue", None)]).summary("my-app");
    assert_eq!(
        summary,
        "Change set review for stack my-app: 1 to add, 0 to modify, 0 to remove. \
         Add Queue (AWS::SQS::Queue)"
    );
}

#[test]
fn an_empty_change_set_says_no_changes() {
    let summary = report(&[]).summary("my-app");
    assert!(summary.contains("no changes"), "{summary}");
}

#[test]
fn a_thousand_changes_stay_within_the_summary_limit_and_say_how_many_more() {
    let changes: Vec<ChangeFacts> = (0..1000)
        .map(|i| {
            change(
                "Modify",
                &format!("Resource{i:04}WithALongLogicalId"),
                Some("True"),
            )
        })
        .collect();
    let report = report(&changes);
    let summary = report.summary(&"s".repeat(128));
    assert!(
        summary.chars().count() <= SUMMARY_MAX_CHARS,
        "{}",
        summary.len()
    );
    assert_eq!(report.modifies, 1000);
    assert_eq!(report.changes.len() as u32 + report.more_changes, 1000);
    assert!(
        summary.ends_with(&format!("; and {} more", report.more_changes)),
        "{summary}"
    );
}

#[test]
fn a_long_name_is_cut_at_the_limit_not_past_it() {
    let mut report = report(&[change("Add", &"L".repeat(255), None)]);
    report.name = "n".repeat(5000);
    assert_eq!(report.summary("s").chars().count(), SUMMARY_MAX_CHARS);
}

#[test]
fn output_variables_hold_the_counts_and_the_id_while_there_is_one() {
    let mut report = report(&[change("Remove", "A", None)]);
    let variables = report.output_variables();
    assert_eq!(variables["ChangeSetId"], "arn:cs");
    assert_eq!(variables["ChangeSetName"], "review");
    assert_eq!(variables["Removes"], "1");
    assert_eq!(variables["Replacements"], "0");
    report.id.clear();
    assert!(!report.output_variables().contains_key("ChangeSetId"));
}

#[test]
fn a_full_report_stays_within_its_share_of_the_state() {
    let changes: Vec<ChangeFacts> = (0..500)
        .map(|i| change("Modify", &format!("R{i}\u{1}\"x"), Some("Conditional")))
        .collect();
    let mut report = report(&changes);
    report.id = "arn:aws:cloudformation:eu-west-1:123456789012:changeSet/".to_string()
        + &"n".repeat(128)
        + "/01234567-89ab-cdef-0123-456789abcdef";
    report.name = "n".repeat(128);
    let json = serde_json::to_string(&report).unwrap();
    assert!(json.len() <= CHANGE_SET_MAX_JSON_BYTES, "{}", json.len());
    assert!(report.more_changes > 0);
}
