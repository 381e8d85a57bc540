//! CodePipeline's clocks against the statemachine file's Retry blocks and the functions'
//! timeouts. CodePipeline's quotas page ("Length of time before an action times out") gives a
//! Lambda invoke action 20 minutes to reply, restarts that timer on each "in progress" reply, and
//! fails the action after 24 hours. Each bound below sums the worst case of the retries from the
//! file, so an edit of a Retry block, a TimeoutSeconds or a function's Timeout that breaks it
//! fails here.

use stackflow::config::{DEFAULT_JOB_HANDOVER_SECONDS, JOB_HANDOVER_SECONDS_RANGE};
use stackflow::contract::Next;
use stackflow::polling::MAX_POLL_SECONDS;
use stackflow::steps::validate_params::{DEFAULT_TIMEOUT_MINUTES, POLL_SECONDS, TIMEOUT_MINUTES};

use crate::asl::{
    function_timeout, next_name, task_function_timeout, worst_case_seconds,
    worst_case_with_token_seconds, Definition,
};
use crate::cfn::{read, Template};
use crate::wiring::TEMPLATE;

/// CodePipeline fails a Lambda invoke action whose function has not replied within 20 minutes.
const REPLY_TIMEOUT_SECONDS: f64 = 1_200.0;
/// CodePipeline fails a Lambda invoke action that has not succeeded after 24 hours, continuation
/// jobs included.
const ACTION_TIMEOUT_SECONDS: f64 = 86_400.0;
/// The steps read the clock in whole seconds: a time compared with `handOverAt` or the deadline
/// may be up to a second late.
const CLOCK_SECONDS: f64 = 1.0;
/// CodePipeline restarts a job's 20 minutes at the "in progress" reply, but start-deployment
/// counts `handOverAt` from when the continuation job reaches it. CodePipeline documents no bound
/// on that delay; this allows a minute for it (docs/costs.md assumes 30 s for the classic sample).
const CONTINUATION_DELAY_SECONDS: f64 = 60.0;

fn max_of(values: impl IntoIterator<Item = f64>) -> f64 {
    values.into_iter().fold(0.0, f64::max)
}

/// Seconds from `handOverAt` until the job is answered, at worst: the step that read the clock
/// just before `handOverAt` set the last wait, which ends by `handOverAt` but only after that
/// attempt ended; then one step notices (Deploy stack or Check stack, each through all its
/// retries) and answers `handOver`, or `succeed`; then Hand over to the next job or Report
/// success replies, through all its retries.
fn worst_after_hand_over(definition: &Definition, template: &Template) -> f64 {
    let hand_over = definition.answering(&next_name(Next::HandOver));
    let succeed = definition.answering(&next_name(Next::Succeed));
    assert!(!hand_over.is_empty(), "no step answers handOver");
    let noticing: Vec<_> = hand_over.iter().map(|(step, _)| *step).collect();
    let replies: Vec<_> = hand_over
        .iter()
        .chain(&succeed)
        .filter(|(step, _)| noticing.contains(step))
        .map(|(_, reply)| *reply)
        .collect();
    let residual = max_of(
        noticing
            .iter()
            .map(|step| task_function_timeout(template, definition.state(step)) as f64),
    );
    let notice = max_of(
        noticing
            .iter()
            .map(|step| worst_case_seconds(template, definition.state(step))),
    );
    let reply = max_of(
        replies
            .iter()
            .map(|state| worst_case_seconds(template, definition.state(state))),
    );
    residual + CLOCK_SECONDS + notice + reply
}

#[test]
fn the_latest_hand_over_and_the_retries_on_the_way_fit_in_codepipelines_20_minutes() {
    let definition = Definition::load();
    let template = Template::load(TEMPLATE);
    let worst = worst_after_hand_over(&definition, &template);
    let max = f64::from(*JOB_HANDOVER_SECONDS_RANGE.end());
    let largest = (REPLY_TIMEOUT_SECONDS - CONTINUATION_DELAY_SECONDS - worst).floor();
    assert!(
        CONTINUATION_DELAY_SECONDS + max + worst <= REPLY_TIMEOUT_SECONDS,
        "JobHandoverSeconds may be {max}, but the job is answered up to {worst} s after its \
         hand-over time: at most {largest} fits CodePipeline's {REPLY_TIMEOUT_SECONDS} s"
    );
    assert!(DEFAULT_JOB_HANDOVER_SECONDS <= *JOB_HANDOVER_SECONDS_RANGE.end());
    let text = format!("{worst:.0} s");
    assert!(
        read("statemachine/README.md").contains(&text),
        "statemachine/README.md's time budgets do not give the worst case, {text}"
    );
}

#[test]
fn the_readme_gives_the_hand_over_range() {
    let (start, end) = (
        JOB_HANDOVER_SECONDS_RANGE.start(),
        JOB_HANDOVER_SECONDS_RANGE.end(),
    );
    let readme = read("README.md");
    let row = readme
        .lines()
        .find(|line| line.starts_with("| `JobHandoverSeconds` |"))
        .expect("README.md describes JobHandoverSeconds");
    assert!(
        row.contains(&format!("`{DEFAULT_JOB_HANDOVER_SECONDS}`"))
            && row.contains(&format!("{start}–{end}")),
        "{row}"
    );
}

/// Seconds of the chain of jobs outside `timeoutMinutes`, at worst. Before the deadline starts:
/// start-deployment, and Validate parameters through all its retries (the deadline counts from
/// its last attempt). After it, the longest way to a report: the check that read the clock just
/// before the deadline answers `handOver`; the hand-over replies and waits up to its
/// TimeoutSeconds for the continuation job; a wait; Check stack answers `deploy` (another
/// operation ended: it does not look at the deadline); Deploy stack starts the operation and
/// hands over again; a wait; Check stack fails with StackTimedOut; Report failure reports it.
/// Every Task goes through all its retries.
fn worst_outside_the_deadline(definition: &Definition, template: &Template) -> f64 {
    let state = |name: &str| definition.state(name);
    let worst = |name: &str| worst_case_seconds(template, state(name));
    let start_at = definition.doc["StartAt"]
        .as_str()
        .expect("the definition has StartAt");
    let before = function_timeout(template, "start-deployment") as f64 + worst(start_at);

    let hand_over = worst_case_with_token_seconds(template, state("Hand over to the next job"));
    let wait = f64::from((*POLL_SECONDS.end()).max(MAX_POLL_SECONDS));
    let after = task_function_timeout(template, state("Check stack")) as f64
        + CLOCK_SECONDS
        + hand_over
        + wait
        + worst("Check stack")
        + worst("Deploy stack")
        + hand_over
        + wait
        + worst("Check stack")
        + worst("Report failure");
    before + after
}

#[test]
fn the_longest_timeout_minutes_and_the_steps_around_it_fit_in_codepipelines_24_hours() {
    let definition = Definition::load();
    let template = Template::load(TEMPLATE);
    let outside = worst_outside_the_deadline(&definition, &template);
    let max = f64::from(*TIMEOUT_MINUTES.end()) * 60.0;
    let largest = ((ACTION_TIMEOUT_SECONDS - outside) / 60.0).floor();
    assert!(
        max + outside <= ACTION_TIMEOUT_SECONDS,
        "timeoutMinutes may be {}, but the chain of jobs spends up to {outside} s outside it: at \
         most {largest} minutes fit CodePipeline's 24 hours",
        TIMEOUT_MINUTES.end()
    );
    assert!(TIMEOUT_MINUTES.contains(&DEFAULT_TIMEOUT_MINUTES));
    let text = format!("{},{:03} s", outside as u64 / 1000, outside as u64 % 1000);
    assert!(
        read("statemachine/README.md").contains(&text),
        "statemachine/README.md's time budgets do not give the time outside the deadline, {text}"
    );
}

#[test]
fn the_readme_gives_the_timeout_minutes_range() {
    let readme = read("README.md");
    let row = readme
        .lines()
        .find(|line| line.starts_with("| `timeoutMinutes` |"))
        .expect("README.md describes timeoutMinutes");
    assert!(
        row.contains(&format!(
            "{}–{}",
            TIMEOUT_MINUTES.start(),
            TIMEOUT_MINUTES.end()
        )) && row.contains(&format!("Default {DEFAULT_TIMEOUT_MINUTES}.")),
        "{row}"
    );
}
