//! The results: one JSON document (target/bench/results.json) and the same figures as tables.

use std::fmt::Write;

use serde::Serialize;

use crate::cold_start::ColdStarts;
use crate::deployment::{Deployment, FunctionInDeployment};
use crate::machine::Machine;
use crate::sizes::Sizes;
use crate::stats::{ratio, Summary};

pub const ZIP_LIMIT_MB: f64 = 4.0;
pub const INIT_LIMIT_MS: f64 = 30.0;
pub const PEAK_RSS_LIMIT_MIB: f64 = 32.0;
pub const PYTHON_SPEEDUP_MIN: f64 = 10.0;

#[derive(Debug, Clone, Serialize)]
pub struct Results {
    pub machine: Machine,
    /// Measured cold-start rounds (after one warm-up round).
    pub rounds: usize,
    /// bench/run's steps (builds, installs, measuring), in seconds.
    pub phases: Vec<Phase>,
    /// bench/run from start to the end of the measurements, in seconds.
    pub total_seconds: Option<f64>,
    pub functions: Vec<FunctionResult>,
    pub python: ColdStarts,
    /// check-stack without `SSL_CERT_FILE` (the HTTPS client also reads the certificate folders).
    pub variants: Vec<ColdStarts>,
    pub deployment: Option<Deployment>,
    pub deployment_error: Option<String>,
    pub targets: Vec<Target>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Phase {
    pub name: String,
    pub seconds: f64,
}

#[derive(Debug, Clone, Serialize)]
pub struct FunctionResult {
    pub function: String,
    pub sizes: Sizes,
    pub cold: ColdStarts,
    pub deployment: Option<FunctionInDeployment>,
    /// The Python handler's median init ÷ this function's.
    pub init_speedup_vs_python: Option<f64>,
    /// The Python handler's peak RSS ÷ this function's, both after init and one `{}` event.
    pub memory_ratio_vs_python: Option<f64>,
}

impl FunctionResult {
    pub fn new(
        function: String,
        sizes: Sizes,
        cold: ColdStarts,
        deployment: Option<FunctionInDeployment>,
        python: &ColdStarts,
    ) -> FunctionResult {
        FunctionResult {
            init_speedup_vs_python: ratio(median(python.init_ms), median(cold.init_ms)),
            memory_ratio_vs_python: ratio(median(python.peak_rss_mib), median(cold.peak_rss_mib)),
            function,
            sizes,
            cold,
            deployment,
        }
    }

    /// The highest peak RSS seen: in the example deployment or in a cold-start round.
    pub fn peak_rss_mib(&self) -> Option<f64> {
        let deployed = self.deployment.as_ref().and_then(|d| d.peak_rss_mib);
        let cold = self.cold.peak_rss_mib.map(|s| s.max);
        match (deployed, cold) {
            (Some(a), Some(b)) => Some(a.max(b)),
            (a, b) => a.or(b),
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct Target {
    pub name: String,
    /// The worst function's figure.
    pub worst: Option<f64>,
    pub worst_function: Option<String>,
    /// None when it could not be measured.
    pub met: Option<bool>,
    pub note: Option<String>,
}

fn median(summary: Option<Summary>) -> Option<f64> {
    summary.map(|s| s.median)
}

/// The four targets, judged on the worst function.
pub fn targets(functions: &[FunctionResult]) -> Vec<Target> {
    let zips_missing: Vec<&str> = functions
        .iter()
        .filter(|f| f.sizes.zip_architecture.as_deref() != Some("arm64"))
        .map(|f| f.function.as_str())
        .collect();
    let mut zip = worst(
        "arm64 zip ≤ 4 MB",
        functions,
        |f| f.sizes.zip_bytes.map(|b| b as f64 / 1e6),
        Worst::Highest,
        |v| v <= ZIP_LIMIT_MB,
    );
    if !zips_missing.is_empty() {
        zip.met = None;
        zip.note = Some(format!("no arm64 zip for {}", zips_missing.join(", ")));
    }
    vec![
        zip,
        worst(
            "init ≤ 30 ms (median)",
            functions,
            |f| median(f.cold.init_ms),
            Worst::Highest,
            |v| v <= INIT_LIMIT_MS,
        ),
        worst(
            "peak RSS ≤ 32 MiB",
            functions,
            FunctionResult::peak_rss_mib,
            Worst::Highest,
            |v| v <= PEAK_RSS_LIMIT_MIB,
        ),
        worst(
            "init ≥ 10× faster than Python",
            functions,
            |f| f.init_speedup_vs_python,
            Worst::Lowest,
            |v| v >= PYTHON_SPEEDUP_MIN,
        ),
    ]
}

enum Worst {
    Highest,
    Lowest,
}

fn worst(
    name: &str,
    functions: &[FunctionResult],
    figure: impl Fn(&FunctionResult) -> Option<f64>,
    worst: Worst,
    ok: impl Fn(f64) -> bool,
) -> Target {
    let mut found: Option<(f64, &str)> = None;
    let mut missing = false;
    for f in functions {
        let Some(v) = figure(f) else {
            missing = true;
            continue;
        };
        let better = match (&worst, found) {
            (_, None) => true,
            (Worst::Highest, Some((w, _))) => v > w,
            (Worst::Lowest, Some((w, _))) => v < w,
        };
        if better {
            found = Some((v, f.function.as_str()));
        }
    }
    Target {
        name: name.to_string(),
        worst: found.map(|(v, _)| v),
        worst_function: found.map(|(_, f)| f.to_string()),
        met: if missing || found.is_none() {
            None
        } else {
            found.map(|(v, _)| ok(v))
        },
        note: missing.then(|| "not measured for every function".to_string()),
    }
}

/// The tables, as bench/run prints them.
pub fn render(results: &Results) -> String {
    let mut out = String::new();
    render_machine(&mut out, &results.machine);
    render_functions(&mut out, results);
    render_comparison(&mut out, results);
    match (&results.deployment, &results.deployment_error) {
        (Some(d), _) => render_deployment(&mut out, d),
        (None, Some(err)) => {
            let _ = writeln!(out, "\nExample deployment: not measured: {err}");
        }
        (None, None) => {}
    }
    render_targets(&mut out, &results.targets);
    render_time(&mut out, results);
    out
}

/// The machine the figures were taken on, and its load.
fn render_machine(out: &mut String, m: &Machine) {
    let _ = writeln!(
        out,
        "stackflow benchmark: {} ({} cores, {:.0} GiB), Linux {}, {}; load {} before, {} after",
        m.cpu,
        m.cores,
        m.memory_gib,
        m.kernel,
        m.rustc,
        num(m.load_before, 2),
        num(m.load_after, 2)
    );
}

/// Per function: sizes, cold starts and the example deployment's figures.
fn render_functions(out: &mut String, results: &Results) {
    let _ = writeln!(
        out,
        "\nPer function. init: spawn to first Runtime API `next`, median (min–max) of {} cold starts \
         under the local Lambda service.\nfirst/warm/peak RSS/CPU: the example deployment (create + \
         repeat); first excludes init; warm is the median of the later invocations.",
        results.rounds
    );
    let _ = writeln!(
        out,
        "{:<17} {:>9} {:>9} {:>20} {:>9} {:>9} {:>9} {:>8} {:>6}",
        "function",
        "zip MB",
        "binary MB",
        "init ms",
        "first ms",
        "warm ms",
        "peak MiB",
        "CPU ms",
        "calls"
    );
    for f in &results.functions {
        let d = f.deployment.as_ref();
        let zip = match (f.sizes.zip_bytes, f.sizes.zip_architecture.as_deref()) {
            (Some(bytes), Some("arm64")) => format!("{:.2}", bytes as f64 / 1e6),
            (Some(bytes), Some(arch)) => format!("{:.2} {arch}", bytes as f64 / 1e6),
            _ => "—".into(),
        };
        let _ = writeln!(
            out,
            "{:<17} {:>9} {:>9} {:>20} {:>9} {:>9} {:>9} {:>8} {:>6}",
            f.function,
            zip,
            num(f.sizes.binary_bytes.map(|b| b as f64 / 1e6), 2),
            spread(f.cold.init_ms),
            num(d.and_then(|d| d.first_ms), 1),
            num(d.and_then(|d| d.warm_ms).map(|s| s.median), 1),
            num(d.and_then(|d| d.peak_rss_mib), 1),
            num(d.and_then(|d| d.cpu_ms), 0),
            d.map_or("—".into(), |d| d.invocations.to_string()),
        );
    }
}

/// The functions' cold starts against the Python handler's.
fn render_comparison(out: &mut String, results: &Results) {
    let _ = writeln!(
        out,
        "\nAgainst the Python handler (boto3 + CloudFormation and CodePipeline clients at init, as \
         the classic sample; awslambdaric), same rounds, same Runtime API.\nCPU ms and peak RSS \
         here: init and one `{{}}` event, for both. ×: Python's figure ÷ the function's."
    );
    let _ = writeln!(
        out,
        "{:<26} {:>22} {:>7} {:>9} {:>10} {:>10} {:>10}",
        "", "init ms", "CPU ms", "peak MiB", "init ×", "CPU ×", "memory ×"
    );
    comparison_row(out, &results.python, None);
    for f in &results.functions {
        comparison_row(out, &f.cold, Some(&results.python));
    }
    for v in &results.variants {
        comparison_row(out, v, Some(&results.python));
    }
}

/// Each target, its worst function and whether it was met.
fn render_targets(out: &mut String, targets: &[Target]) {
    let _ = writeln!(out, "\nTargets (worst function)");
    for t in targets {
        let verdict = match t.met {
            Some(true) => "met",
            Some(false) => "MISSED",
            None => "not measured",
        };
        let _ = writeln!(
            out,
            "  {:<31} {:>9} {:<17} {}{}",
            t.name,
            num(t.worst, 2),
            t.worst_function.as_deref().unwrap_or(""),
            verdict,
            t.note
                .as_deref()
                .map(|n| format!(" ({n})"))
                .unwrap_or_default()
        );
    }
}

/// How long the benchmark's steps took.
fn render_time(out: &mut String, results: &Results) {
    let phases: Vec<String> = results
        .phases
        .iter()
        .map(|p| format!("{} {:.0} s", p.name, p.seconds))
        .collect();
    if let Some(total) = results.total_seconds {
        let _ = writeln!(
            out,
            "\nBenchmark time: {}; total {total:.0} s",
            phases.join(", ")
        );
    }
}

/// One line of the Python comparison; the ratios are Python's figure ÷ this one's.
fn comparison_row(out: &mut String, cold: &ColdStarts, python: Option<&ColdStarts>) {
    let versus = |figure: fn(&ColdStarts) -> Option<Summary>| {
        python.map_or(String::new(), |p| {
            times(ratio(median(figure(p)), median(figure(cold))))
        })
    };
    let _ = writeln!(
        out,
        "{:<26} {:>22} {:>7} {:>9} {:>10} {:>10} {:>10}",
        cold.function,
        spread(cold.init_ms),
        num(median(cold.cpu_ms), 1),
        num(cold.peak_rss_mib.map(|s| s.max), 1),
        versus(|c| c.init_ms),
        versus(|c| c.cpu_ms),
        versus(|c| c.peak_rss_mib),
    );
}

fn render_deployment(out: &mut String, d: &Deployment) {
    let _ = writeln!(
        out,
        "\nExample deployment (examples/queue-and-bucket, `stackflow-local run`; environment up in {:.1} s).\n\
         job: created → result reported. functions: their invocations (cold-start init in brackets), \
         including their calls to moto.\nWait: the Wait states. emulator: the rest (moto's Step \
         Functions engine, the job and Lambda services). CPU: /proc, 10 ms ticks.",
        d.environment_up_ms / 1000.0
    );
    let _ = writeln!(
        out,
        "{:<20} {:<10} {:>9} {:>18} {:>12} {:>11} {:>9} {:>9} {:>9}",
        "run",
        "result",
        "job ms",
        "functions ms",
        "Wait ms (n)",
        "emulator ms",
        "fn CPU",
        "moto CPU",
        "env CPU"
    );
    for run in &d.runs {
        let s = run.split.as_ref();
        let _ = writeln!(
            out,
            "{:<20} {:<10} {:>9} {:>18} {:>12} {:>11} {:>9.0} {:>9.0} {:>9.0}",
            run.label,
            run.job_status,
            num(s.map(|s| s.job_ms), 0),
            s.map_or("—".into(), |s| format!(
                "{:.0} ({:.0})",
                s.functions_ms, s.functions_init_ms
            )),
            s.map_or("—".into(), |s| format!("{:.0} ({})", s.waits_ms, s.waits)),
            num(s.map(|s| s.emulator_ms), 0),
            run.functions_cpu_ms,
            run.moto_cpu_ms,
            run.environment_cpu_ms,
        );
    }
}

fn num(value: Option<f64>, precision: usize) -> String {
    value.map_or("—".into(), |v| format!("{v:.precision$}"))
}

fn spread(summary: Option<Summary>) -> String {
    summary.map_or("—".into(), |s| {
        let p = if s.median >= 100.0 { 0 } else { 1 };
        format!("{:.p$} ({:.p$}–{:.p$})", s.median, s.min, s.max)
    })
}

fn times(value: Option<f64>) -> String {
    value.map_or("—".into(), |v| format!("{v:.1}×"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::PathBuf;

    fn summary(median: f64) -> Option<Summary> {
        Some(Summary {
            n: 1,
            median,
            min: median,
            max: median,
        })
    }

    fn function(name: &str, zip: Option<(u64, &str)>, init: f64, rss: f64) -> FunctionResult {
        let python = ColdStarts {
            function: "python".into(),
            init_ms: summary(300.0),
            invoke_ms: None,
            peak_rss_mib: summary(60.0),
            cpu_ms: None,
            failed_starts: 0,
        };
        FunctionResult::new(
            name.into(),
            Sizes {
                zip_path: PathBuf::new(),
                zip_bytes: zip.map(|(b, _)| b),
                zip_architecture: zip.map(|(_, a)| a.to_string()),
                zip_bootstrap_bytes: None,
                binary_path: PathBuf::new(),
                binary_bytes: Some(1),
            },
            ColdStarts {
                function: name.into(),
                init_ms: summary(init),
                invoke_ms: None,
                peak_rss_mib: summary(rss),
                cpu_ms: None,
                failed_starts: 0,
            },
            None,
            &python,
        )
    }

    #[test]
    fn ratios_are_python_over_the_function() {
        let f = function("a", None, 15.0, 12.0);
        assert_eq!(f.init_speedup_vs_python, Some(20.0));
        assert_eq!(f.memory_ratio_vs_python, Some(5.0));
    }

    #[test]
    fn targets_are_judged_on_the_worst_function() {
        let fs = [
            function("a", Some((2_000_000, "arm64")), 10.0, 12.0),
            function("b", Some((4_500_000, "arm64")), 40.0, 20.0),
        ];
        let t = targets(&fs);
        assert_eq!(t[0].met, Some(false));
        assert_eq!(t[0].worst_function.as_deref(), Some("b"));
        assert_eq!(t[1].met, Some(false));
        assert_eq!(t[1].worst, Some(40.0));
        assert_eq!(t[2].met, Some(true));
        // 300 / 40 = 7.5, below 10.
        assert_eq!(t[3].worst, Some(7.5));
        assert_eq!(t[3].met, Some(false));
    }

    #[test]
    fn a_zip_that_is_not_arm64_leaves_the_size_target_unjudged() {
        let fs = [function("a", Some((2_000_000, "x86_64")), 10.0, 12.0)];
        let t = targets(&fs);
        assert_eq!(t[0].met, None);
        assert!(t[0].note.as_deref().is_some_and(|n| n.contains('a')));
    }
}
