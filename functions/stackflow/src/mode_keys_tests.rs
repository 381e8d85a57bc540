#![allow(clippy::unwrap_used)]

use super::*;

#[test]
fn every_mode_takes_its_required_keys_and_only_accepted_ones() {
    for mode in MODES {
        for key in required_keys(mode) {
            assert!(applies(mode, key), "{mode:?} requires {key} but refuses it");
        }
        for key in keys_of(mode) {
            assert!(ACCEPTED_KEYS.contains(&key), "{key}");
        }
    }
}

#[test]
fn the_template_keys_belong_to_the_modes_that_deploy_a_template() {
    for key in [
        "artifact",
        "file",
        "config",
        "parameters",
        "capabilities",
        "tags",
    ] {
        assert!(applies(Mode::Deploy, key));
        assert!(applies(Mode::CreateChangeSet, key));
        assert!(!applies(Mode::ExecuteChangeSet, key), "{key}");
        assert!(!applies(Mode::Delete, key), "{key}");
    }
}

#[test]
fn change_set_names_and_output_files_apply_where_they_mean_something() {
    assert!(!applies(Mode::Deploy, "changeSetName"));
    assert!(applies(Mode::ExecuteChangeSet, "changeSetName"));
    assert!(applies(Mode::ExecuteChangeSet, "outputFile"));
    assert!(!applies(Mode::Delete, "outputFile"));
    assert!(!applies(Mode::ExecuteChangeSet, "roleArn"));
    assert!(applies(Mode::Delete, "roleArn"));
}

#[test]
fn every_accepted_key_applies_to_some_mode() {
    for key in ACCEPTED_KEYS {
        assert!(MODES.iter().any(|mode| applies(*mode, key)), "{key}");
    }
}

#[test]
fn the_stack_options_apply_to_the_modes_whose_operation_takes_them() {
    for key in ["rollbackAlarms", "monitoringMinutes", "notificationArns"] {
        assert!(applies(Mode::Deploy, key), "{key}");
        assert!(applies(Mode::CreateChangeSet, key), "{key}");
        assert!(!applies(Mode::ExecuteChangeSet, key), "{key}");
        assert!(!applies(Mode::Delete, key), "{key}");
    }
    assert!(applies(Mode::Deploy, "terminationProtection"));
    for mode in [Mode::CreateChangeSet, Mode::ExecuteChangeSet, Mode::Delete] {
        assert!(!applies(mode, "terminationProtection"), "{mode:?}");
    }
    assert!(applies(Mode::Deploy, "onFailure"));
    assert!(applies(Mode::ExecuteChangeSet, "onFailure"));
    assert!(!applies(Mode::CreateChangeSet, "onFailure"));
    assert!(!applies(Mode::Delete, "onFailure"));
}
