//! What a change set will change, in the words the pipeline shows: counts for the output
//! variables, and a summary a reviewer reads beside the action before approving
//! (`3 to add, 1 to modify (1 replacement), 0 to remove`, then the changes themselves). The
//! native CloudFormation action shows none of this.

use std::collections::BTreeMap;

use crate::codepipeline::job_result::SUMMARY_MAX_CHARS;
use crate::contract::ChangeSetReport;
use crate::truncate::truncate_chars;

/// The file a `createChangeSet` job's output artifact holds the changes in, at the zip's root.
pub const CHANGE_SET_FILE: &str = "change-set.json";

/// One resource change of a change set, as DescribeChangeSet gives it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChangeFacts {
    /// `Add`, `Modify`, `Remove`, `Import` or `Dynamic`.
    pub action: String,
    pub logical_id: String,
    pub resource_type: String,
    /// `True`, `False` or `Conditional`, for a `Modify`.
    pub replacement: Option<String>,
}

impl ChangeFacts {
    /// e.g. `Modify Bucket (AWS::S3::Bucket), replacement True`.
    pub fn line(&self) -> String {
        let mut line = format!(
            "{} {} ({})",
            self.action, self.logical_id, self.resource_type
        );
        if let Some(replacement) = self.replacement.as_deref().filter(|r| replaces(r)) {
            line.push_str(", replacement ");
            line.push_str(replacement);
        }
        line
    }
}

/// The bytes `line` takes as an element of a JSON array: the string and a comma.
fn json_len(line: &str) -> usize {
    serde_json::to_string(line).map_or(usize::MAX / 4, |json| json.len()) + 1
}

/// Whether a change's Replacement means the resource may be replaced.
fn replaces(replacement: &str) -> bool {
    matches!(replacement, "True" | "Conditional")
}

/// The bytes of JSON the listed changes may take together in the execution's state
/// (`$.stack.changeSet.changes`); it also keeps the summary, counts included, inside
/// CodePipeline's 2,048 characters.
pub const LISTED_CHANGES_MAX_JSON_BYTES: usize = 1_536;

/// The most bytes of JSON a [`ChangeSetReport`] takes in the state: the listed changes, its ARN
/// and name (CloudFormation: ≤ 128 characters; an ARN well under 2,048), the counts and keys.
pub const CHANGE_SET_MAX_JSON_BYTES: usize = LISTED_CHANGES_MAX_JSON_BYTES + 2_048 + 512;

impl ChangeSetReport {
    /// A report of change set `name` (`id`) with no changes counted yet.
    pub fn new(id: &str, name: &str, change_set_type: &str) -> Self {
        ChangeSetReport {
            id: id.to_string(),
            name: name.to_string(),
            change_set_type: change_set_type.to_string(),
            ..ChangeSetReport::default()
        }
    }

    /// Count `change`, and list it while the summary has room; the state stays bounded
    /// however many changes there are.
    pub fn count(&mut self, change: &ChangeFacts) {
        match change.action.as_str() {
            "Add" | "Import" => self.adds += 1,
            "Remove" => self.removes += 1,
            // Modify, and Dynamic (decided only when the change set runs).
            _ => self.modifies += 1,
        }
        if change.replacement.as_deref().is_some_and(replaces) {
            self.replacements += 1;
        }
        let line = change.line();
        let listed: usize = self.changes.iter().map(|l| json_len(l)).sum();
        if listed + json_len(&line) <= LISTED_CHANGES_MAX_JSON_BYTES {
            self.changes.push(line);
        } else {
            self.more_changes += 1;
        }
    }

    /// e.g. `3 to add, 1 to modify (1 replacement), 0 to remove`.
    pub fn counts_text(&self) -> String {
        let replacements = match self.replacements {
            0 => String::new(),
            1 => " (1 replacement)".to_string(),
            n => format!(" ({n} replacements)"),
        };
        format!(
            "{} to add, {} to modify{replacements}, {} to remove",
            self.adds, self.modifies, self.removes
        )
    }

    /// Whether the change set changes nothing (CloudFormation refused it as empty).
    pub fn is_empty(&self) -> bool {
        self.adds + self.modifies + self.removes == 0
    }

    /// The pipeline's summary of the change set, within CodePipeline's 2,048 characters.
    pub fn summary(&self, stack: &str) -> String {
        let head = format!("Change set {} for stack {stack}", self.name);
        if self.is_empty() {
            return truncate_chars(
                &format!("{head}: no changes; the empty change set was deleted"),
                SUMMARY_MAX_CHARS,
            );
        }
        let mut text = format!("{head}: {}", self.counts_text());
        if !self.changes.is_empty() {
            text.push_str(". ");
            text.push_str(&self.changes.join("; "));
        }
        if self.more_changes > 0 {
            text.push_str(&format!("; and {} more", self.more_changes));
        }
        truncate_chars(&text, SUMMARY_MAX_CHARS)
    }

    /// The output variables of a `createChangeSet` job.
    pub fn output_variables(&self) -> BTreeMap<String, String> {
        let mut variables = BTreeMap::from([
            ("ChangeSetName".to_string(), self.name.clone()),
            ("Adds".to_string(), self.adds.to_string()),
            ("Modifies".to_string(), self.modifies.to_string()),
            ("Removes".to_string(), self.removes.to_string()),
            ("Replacements".to_string(), self.replacements.to_string()),
        ]);
        // An empty change set is deleted: there is no id left to name.
        if !self.id.is_empty() {
            variables.insert("ChangeSetId".to_string(), self.id.clone());
        }
        variables
    }
}

#[cfg(test)]
#[path = "change_summary_tests.rs"]
mod tests;
