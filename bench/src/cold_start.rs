//! Cold starts under the local Lambda service, in rounds: each round starts a fresh service (so
//! every function starts a fresh process), invokes each function once, one at a time, and reads
//! the init duration (spawn to the first Runtime API `next`) from the invocation record and the
//! process's peak RSS from /proc before the service stops it. The Python comparison runs in the
//! same rounds, behind the same Runtime API.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::Serialize;
use stackflow_environment::aws;
use stackflow_environment::daemon::{self, Endpoints, ServeOptions};
use stackflow_environment::functions::{FunctionDef, CA_BUNDLE_VAR};
use stackflow_job_service::DEFAULT_REPLY_TIMEOUT;
use stackflow_lambda_service::{
    self as lambda_service, FunctionSpec, InvocationRecord, LambdaServiceConfig,
};

use crate::procfs;
use crate::stats::{summarize, Summary};

/// The name the Python comparison is deployed under.
pub const PYTHON_FUNCTION: &str = "python-classic-sample";

/// A variant of one SDK function without `SSL_CERT_FILE` (which the functions get, as on AWS):
/// the SDK's HTTPS client then loads a CA bundle and every file of the system's certificate
/// folders, as the functions did before (see docs/performance.md). The function it varies.
pub const NO_CERT_FILE_VARIANT: &str = "check-stack";
pub const NO_CERT_FILE_VARIANT_NAME: &str = "check-stack-SSL_CERT_FILE";

/// One function's cold starts over the measured rounds.
#[derive(Debug, Clone, Serialize)]
pub struct ColdStarts {
    pub function: String,
    /// Spawn to the first `next`, in ms.
    pub init_ms: Option<Summary>,
    /// The cold invocation itself, init excluded, in ms (a `{}` event: Rust functions refuse it
    /// at deserialisation, the Python handler builds its S3 client).
    pub invoke_ms: Option<Summary>,
    /// VmHWM after init and that one invocation, in MiB.
    pub peak_rss_mib: Option<Summary>,
    /// CPU time the process used for init and that one invocation, in ms: unlike the wall
    /// time, it hardly moves when other work shares the machine.
    pub cpu_ms: Option<Summary>,
    pub failed_starts: usize,
}

pub struct Plan<'a> {
    pub functions: &'a [FunctionDef],
    pub functions_dir: &'a Path,
    /// `bench/python/bootstrap` and the virtualenv python it runs.
    pub python_bootstrap: &'a Path,
    pub python: &'a Path,
    pub rounds: usize,
    pub log_dir: &'a Path,
}

/// `rounds` measured rounds after one warm-up round (it fills the page cache; not counted).
pub async fn measure(plan: &Plan<'_>) -> Result<Vec<ColdStarts>, String> {
    let specs = specs(plan);
    let mut samples: BTreeMap<String, Vec<Sample>> = BTreeMap::new();
    for round in 0..=plan.rounds {
        let taken = round_of(&specs, round).await?;
        if round == 0 {
            continue;
        }
        for sample in taken {
            samples
                .entry(sample.function.clone())
                .or_default()
                .push(sample);
        }
    }
    Ok(specs
        .iter()
        .map(|spec| summarize_function(&spec.name, samples.get(&spec.name)))
        .collect())
}

#[derive(Debug, Clone)]
struct Sample {
    function: String,
    init_us: Option<u64>,
    duration_us: u64,
    peak_rss_kib: Option<u64>,
    cpu_ms: Option<f64>,
}

async fn round_of(specs: &[FunctionSpec], round: usize) -> Result<Vec<Sample>, String> {
    let service = lambda_service::start(LambdaServiceConfig {
        listen: SocketAddr::from(([127, 0, 0, 1], 0)),
        region: aws::REGION.to_string(),
        account_id: aws::ACCOUNT_ID.to_string(),
        functions: specs.to_vec(),
        async_retry_delays: Vec::new(),
    })
    .await
    .map_err(|err| format!("starting the local Lambda service: {err}"))?;
    let http = reqwest::Client::builder()
        .no_proxy()
        .timeout(Duration::from_secs(60))
        .build()
        .map_err(|err| format!("an HTTP client: {err}"))?;
    let base = format!("http://{}", service.local_addr());

    // Rotate the order so that no function is always the first process of a round.
    let mut samples = Vec::new();
    for i in 0..specs.len() {
        let spec = &specs[(i + round) % specs.len()];
        let url = format!("{base}/2015-03-31/functions/{}/invocations", spec.name);
        let response = http.post(url).body("{}").send().await;
        if let Err(err) = response {
            eprintln!("  {}: invoke failed: {err}", spec.name);
        }
        let record = service
            .invocations()
            .into_iter()
            .rfind(|r| r.function == spec.name);
        samples.push(sample_of(&spec.name, record.as_ref()));
    }
    service.shutdown().await;
    Ok(samples)
}

fn sample_of(function: &str, record: Option<&InvocationRecord>) -> Sample {
    Sample {
        function: function.to_string(),
        init_us: record.and_then(|r| r.init_duration_us),
        duration_us: record.map_or(0, |r| r.duration_us),
        peak_rss_kib: record.and_then(|r| r.pid).and_then(procfs::peak_rss_kib),
        cpu_ms: record.and_then(|r| r.pid).and_then(procfs::threads_cpu_ms),
    }
}

fn summarize_function(function: &str, samples: Option<&Vec<Sample>>) -> ColdStarts {
    let samples = samples.map(Vec::as_slice).unwrap_or_default();
    let started: Vec<&Sample> = samples.iter().filter(|s| s.init_us.is_some()).collect();
    let init: Vec<f64> = started
        .iter()
        .filter_map(|s| s.init_us.map(us_to_ms))
        .collect();
    let invoke: Vec<f64> = started
        .iter()
        .map(|s| us_to_ms(s.duration_us.saturating_sub(s.init_us.unwrap_or(0))))
        .collect();
    let rss: Vec<f64> = started
        .iter()
        .filter_map(|s| s.peak_rss_kib.map(kib_to_mib))
        .collect();
    let cpu: Vec<f64> = started.iter().filter_map(|s| s.cpu_ms).collect();
    ColdStarts {
        function: function.to_string(),
        init_ms: summarize(&init),
        invoke_ms: summarize(&invoke),
        peak_rss_mib: summarize(&rss),
        cpu_ms: summarize(&cpu),
        failed_starts: samples.len() - started.len(),
    }
}

/// The functions as the local environment deploys them, the variant without the CA bundle and
/// the Python comparison.
fn specs(plan: &Plan<'_>) -> Vec<FunctionSpec> {
    let mut specs: Vec<FunctionSpec> = plan
        .functions
        .iter()
        .map(|def| FunctionSpec {
            name: def.function_name.to_string(),
            executable: plan.functions_dir.join(def.binary),
            env: function_env(def.binary, def.env_vars),
            timeout: def.timeout,
            memory_mb: 128,
            log_path: log_path(plan.log_dir, def.function_name),
        })
        .collect();
    let variant = plan
        .functions
        .iter()
        .find(|def| def.binary == NO_CERT_FILE_VARIANT);
    if let Some(def) = variant {
        let mut env = function_env(def.binary, def.env_vars);
        if env.remove(CA_BUNDLE_VAR).is_some() {
            specs.push(FunctionSpec {
                name: NO_CERT_FILE_VARIANT_NAME.to_string(),
                executable: plan.functions_dir.join(def.binary),
                env,
                timeout: def.timeout,
                memory_mb: 128,
                log_path: log_path(plan.log_dir, NO_CERT_FILE_VARIANT_NAME),
            });
        }
    }
    let mut env = function_env(PYTHON_FUNCTION, &[]);
    env.insert(
        "STACKFLOW_BENCH_PYTHON".to_string(),
        plan.python.display().to_string(),
    );
    // Lambda's task root is read-only: the handler module is compiled at every cold start.
    env.insert("PYTHONDONTWRITEBYTECODE".to_string(), "1".to_string());
    specs.push(FunctionSpec {
        name: PYTHON_FUNCTION.to_string(),
        executable: plan.python_bootstrap.to_path_buf(),
        env,
        timeout: Duration::from_secs(30),
        memory_mb: 128,
        log_path: log_path(plan.log_dir, PYTHON_FUNCTION),
    });
    specs
}

/// What the local environment gives a function, with every endpoint at a port where nothing
/// listens: a `{}` event makes no AWS call.
fn function_env(binary: &str, vars: &[&str]) -> BTreeMap<String, String> {
    let options = ServeOptions {
        job_reply_timeout: DEFAULT_REPLY_TIMEOUT,
        hold_in_progress: Duration::ZERO,
        log_level: "info".to_string(),
    };
    daemon::function_env(
        binary,
        vars,
        &Endpoints::all_at(9),
        &aws::state_machine_arn(),
        &options,
    )
}

fn log_path(dir: &Path, function: &str) -> PathBuf {
    dir.join(format!("{function}.log"))
}

pub fn us_to_ms(us: u64) -> f64 {
    us as f64 / 1000.0
}

pub fn kib_to_mib(kib: u64) -> f64 {
    kib as f64 / 1024.0
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample(init_us: Option<u64>, duration_us: u64, rss: Option<u64>) -> Sample {
        Sample {
            function: "f".into(),
            init_us,
            duration_us,
            peak_rss_kib: rss,
            cpu_ms: rss.map(|_| 2.0),
        }
    }

    #[test]
    fn the_invocation_excludes_init_and_failed_starts_are_counted_apart() {
        let samples = vec![
            sample(Some(4_000), 5_500, Some(10_240)),
            sample(Some(6_000), 6_500, Some(12_288)),
            sample(None, 100, None),
        ];
        let cold = summarize_function("f", Some(&samples));
        assert_eq!(cold.init_ms.map(|s| s.median), Some(5.0));
        assert_eq!(cold.invoke_ms.map(|s| (s.min, s.max)), Some((0.5, 1.5)));
        assert_eq!(cold.peak_rss_mib.map(|s| s.max), Some(12.0));
        assert_eq!(cold.cpu_ms.map(|s| s.n), Some(2));
        assert_eq!(cold.failed_starts, 1);
    }

    #[test]
    fn functions_get_their_own_variables_beside_the_aws_ones() {
        let env = function_env(
            "check-stack",
            &[stackflow::config::STATE_MACHINE_ARN, "OTHER"],
        );
        assert!(env[stackflow::config::STATE_MACHINE_ARN].starts_with("arn:aws:states:"));
        assert_eq!(env["OTHER"], "");
        assert_eq!(env["AWS_ACCESS_KEY_ID"], "stackflow-local-fn-check-stack");
    }
}
