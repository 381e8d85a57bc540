//! Where one job's time goes, from the job service's timestamps (created, closed), the Lambda
//! service's invocation records and the execution history's Wait states: the functions' own time
//! (their invocations, init included), the Wait states, and the rest, the emulator's: moto's
//! Step Functions engine moving between states, the job service, and the Lambda service handing
//! events over. The functions' time includes what they spend waiting for moto's answers to their
//! AWS calls; their CPU time, measured apart, says how much of it is their own work.

use serde::Serialize;
use stackflow_lambda_service::InvocationRecord;

use crate::intervals::{covered, Span};

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Split {
    /// Job created to job closed (its result reported), in ms.
    pub job_ms: f64,
    pub functions_ms: f64,
    /// The part of `functions_ms` spent in cold starts.
    pub functions_init_ms: f64,
    pub waits_ms: f64,
    pub emulator_ms: f64,
    pub invocations: usize,
    pub cold_starts: usize,
    pub waits: usize,
}

/// The span an invocation record covers, in µs since the epoch.
pub fn invocation_span(record: &InvocationRecord) -> Span {
    let start = i64::try_from(record.started_at_ms)
        .unwrap_or(i64::MAX / 2)
        .saturating_mul(1000);
    let length = i64::try_from(record.duration_us).unwrap_or(0);
    Span::new(start, start.saturating_add(length))
}

/// Split the job's window (`created_ms`..`closed_ms`) between `invocations` and `waits`.
pub fn split(
    created_ms: u64,
    closed_ms: u64,
    invocations: &[InvocationRecord],
    waits: &[Span],
) -> Split {
    let window = Span::new(ms_to_us(created_ms), ms_to_us(closed_ms));
    let function_spans: Vec<Span> = invocations.iter().map(invocation_span).collect();
    let functions = covered(&function_spans, window);
    let mut all = function_spans;
    all.extend_from_slice(waits);
    let busy = covered(&all, window);
    let init: u64 = invocations
        .iter()
        .filter(|r| invocation_span(r).clip(window).is_some())
        .filter_map(|r| r.init_duration_us)
        .sum();
    Split {
        job_ms: us_to_ms(window.len()),
        functions_ms: us_to_ms(functions),
        functions_init_ms: init as f64 / 1000.0,
        waits_ms: us_to_ms(busy - functions),
        emulator_ms: us_to_ms(window.len() - busy),
        invocations: invocations.len(),
        cold_starts: invocations
            .iter()
            .filter(|r| r.init_duration_us.is_some())
            .count(),
        waits: waits.iter().filter(|w| w.clip(window).is_some()).count(),
    }
}

fn ms_to_us(ms: u64) -> i64 {
    i64::try_from(ms)
        .unwrap_or(i64::MAX / 2)
        .saturating_mul(1000)
}

fn us_to_ms(us: i64) -> f64 {
    us as f64 / 1000.0
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(started_at_ms: u64, duration_us: u64, init_us: Option<u64>) -> InvocationRecord {
        InvocationRecord {
            function: "f".into(),
            request_id: "r".into(),
            invocation_type: "RequestResponse".into(),
            attempt: 1,
            started_at_ms,
            duration_ms: duration_us / 1000,
            init_duration_ms: init_us.map(|us| us / 1000),
            duration_us,
            init_duration_us: init_us,
            pid: None,
            ok: true,
            error_type: None,
        }
    }

    #[test]
    fn the_three_parts_add_up_to_the_job() {
        // Job 1000..2000 ms; functions 1100..1150 (cold, 20 ms init) and 1600..1610; a Wait
        // 1200..1500.
        let records = [
            record(1100, 50_000, Some(20_000)),
            record(1600, 10_000, None),
        ];
        let waits = [Span::new(1_200_000, 1_500_000)];
        let s = split(1000, 2000, &records, &waits);
        assert_eq!(s.job_ms, 1000.0);
        assert_eq!(s.functions_ms, 60.0);
        assert_eq!(s.functions_init_ms, 20.0);
        assert_eq!(s.waits_ms, 300.0);
        assert_eq!(s.emulator_ms, 640.0);
        assert_eq!((s.invocations, s.cold_starts, s.waits), (2, 1, 1));
    }

    #[test]
    fn overlapping_invocations_count_once_and_nothing_outside_the_job_counts() {
        // The entry function's tail overlaps the first step; report-result ends after the job
        // closed (it closes the job, then returns).
        let records = [
            record(1000, 30_000, None),
            record(1020, 30_000, None),
            record(1990, 40_000, None),
        ];
        let s = split(1000, 2000, &records, &[]);
        assert_eq!(s.functions_ms, 60.0);
        assert_eq!(s.emulator_ms, 940.0);
    }
}
