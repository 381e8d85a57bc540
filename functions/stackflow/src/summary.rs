//! The summary CodePipeline shows beside the action (`executionDetails.summary`, at most 2,048
//! characters), on every final success and on every "in progress" hand-over: what happened, how
//! many resources it touched, how long it took. A failure's summary is its message, which names
//! the first failed resource (`crate::aws::stack_events::failure_reason`).

use crate::codepipeline::job_result::SUMMARY_MAX_CHARS;
use crate::contract::{Next, StackAction, StackProgress, Tally};
use crate::truncate::truncate_chars;

/// e.g. `Stack my-stack: created (CREATE_COMPLETE), 2 resources in 1 min 5 s`, or
/// `Stack my-stack: no changes`; for a change set, what it will change
/// (`crate::change_summary`).
pub fn success_summary(progress: &StackProgress) -> String {
    let name = &progress.stack_name;
    if let Some(change_set) = &progress.change_set {
        return change_set.summary(name);
    }
    let status = progress.status.as_deref().filter(|s| !s.is_empty());
    let what = match (progress.action, status) {
        (StackAction::NoChanges, _) => return summary(format!("Stack {name}: no changes")),
        (StackAction::NothingToDelete, _) => {
            return summary(format!(
                "Stack {name}: nothing to delete; the stack does not exist"
            ))
        }
        (StackAction::Delete, _) => "deleted".to_string(),
        (_, Some(status)) if status.starts_with("CREATE_") => format!("created ({status})"),
        (_, Some(status)) if status.starts_with("UPDATE_") => format!("updated ({status})"),
        (_, Some(status)) => status.to_string(),
        _ if progress.next == Next::Succeed => "deployed".to_string(),
        _ => "done".to_string(),
    };
    summary(format!(
        "Stack {name}: {what}{}",
        tally_text(&progress.tally)
    ))
}

/// e.g. `Stack my-stack: UPDATE_IN_PROGRESS, 3 resources done so far; still deploying
/// (continues as a new job)`.
pub fn in_progress_summary(stack: Option<&StackProgress>) -> String {
    let text = match stack {
        Some(stack) => {
            let done = match stack.tally.resources_done {
                Some(1) => ", 1 resource done so far".to_string(),
                Some(n) => format!(", {n} resources done so far"),
                None => String::new(),
            };
            format!(
                "Stack {}: {}{done}; still deploying (continues as a new job)",
                stack.stack_name,
                stack.status.as_deref().unwrap_or("in progress")
            )
        }
        None => "Still deploying (continues as a new job)".to_string(),
    };
    summary(text)
}

/// How far along the operation is, in percent, only where that can be said honestly: when the
/// number of changes was known before it ran (an executed change set). Never 100 before the
/// end.
pub fn percent_complete(tally: &Tally) -> Option<i32> {
    let planned = tally.planned.filter(|planned| *planned > 0)?;
    let done = tally.resources_done?;
    let percent = u64::from(done) * 100 / u64::from(planned);
    Some(i32::try_from(percent.min(99)).unwrap_or(99))
}

/// `, 2 resources in 1 min 5 s`, as far as the tally knows. No resource counted says nothing:
/// an operation that finished touched some (a create always does), so none counted means its
/// events did not tell (moto logs no resource events).
fn tally_text(tally: &Tally) -> String {
    let mut text = match tally.resources_done {
        Some(1) => ", 1 resource".to_string(),
        Some(n) if n > 1 => format!(", {n} resources"),
        _ => String::new(),
    };
    if let Some(seconds) = tally.seconds.filter(|s| *s >= 0) {
        text.push_str(" in ");
        text.push_str(&duration_text(seconds));
    }
    text
}

/// `42 s`, `1 min 5 s`, `2 h 3 min`.
pub fn duration_text(seconds: i64) -> String {
    match seconds {
        s if s < 60 => format!("{s} s"),
        s if s < 3600 => format!("{} min {} s", s / 60, s % 60),
        s => format!("{} h {} min", s / 3600, (s % 3600) / 60),
    }
}

fn summary(text: String) -> String {
    truncate_chars(&text, SUMMARY_MAX_CHARS)
}

#[cfg(test)]
#[path = "summary_tests.rs"]
mod tests;
