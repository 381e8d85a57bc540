//! The harness: the service with fixture functions, and invoking them over HTTP.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use serde_json::Value;
use stackflow_lambda_service::{
    self as lambda_service, AsyncOutcomeRecord, FunctionSpec, InvocationRecord, LambdaService,
    LambdaServiceConfig,
};

pub const REGION: &str = "us-east-1";
pub const ACCOUNT: &str = "123456789012";
pub const RETRY_DELAYS: [Duration; 2] = [Duration::from_millis(50), Duration::from_millis(50)];
/// Generous bound for background work to show up; never a timing assertion.
pub const WAIT_LIMIT: Duration = Duration::from_secs(20);

pub fn fixtures_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/lambda")
}

pub fn fresh_log_dir() -> PathBuf {
    Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join("lambda_service")
        .join(uuid::Uuid::new_v4().to_string())
}

pub fn arn(name: &str) -> String {
    format!("arn:aws:lambda:{REGION}:{ACCOUNT}:function:{name}")
}

/// A function running one of the fixture scripts.
pub fn spec(name: &str, script: &str, timeout: Duration, log_dir: &Path) -> FunctionSpec {
    let executable = fixtures_dir().join(script);
    ensure_executable(&executable);
    let mut env = BTreeMap::new();
    // Keep __pycache__ out of the source tree.
    env.insert("PYTHONDONTWRITEBYTECODE".to_string(), "1".to_string());
    FunctionSpec {
        name: name.to_string(),
        executable,
        env,
        timeout,
        memory_mb: 128,
        log_path: log_dir.join(format!("{name}.log")),
    }
}

/// The executable bit may be lost on checkout; the fixtures need it to run by shebang.
pub fn ensure_executable(path: &Path) {
    use std::os::unix::fs::PermissionsExt;
    let mut permissions = std::fs::metadata(path).unwrap().permissions();
    if permissions.mode() & 0o111 != 0o111 {
        permissions.set_mode(0o755);
        std::fs::set_permissions(path, permissions).unwrap();
    }
}

/// FunctionName as boto3 puts it in the path: percent-encoded.
pub fn encode(function_name: &str) -> String {
    function_name
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' => (b as char).to_string(),
            other => format!("%{other:02X}"),
        })
        .collect()
}

pub struct Harness {
    pub service: LambdaService,
    pub http: reqwest::Client,
    pub base: String,
    pub log_dir: PathBuf,
}

impl Harness {
    pub async fn start(functions: impl FnOnce(&Path) -> Vec<FunctionSpec>) -> Self {
        let log_dir = fresh_log_dir();
        let service = lambda_service::start(LambdaServiceConfig {
            listen: SocketAddr::from(([127, 0, 0, 1], 0)),
            region: REGION.to_string(),
            account_id: ACCOUNT.to_string(),
            functions: functions(&log_dir),
            async_retry_delays: RETRY_DELAYS.to_vec(),
        })
        .await
        .unwrap();
        let base = format!("http://{}", service.local_addr());
        Self {
            service,
            http: reqwest::Client::new(),
            base,
            log_dir,
        }
    }

    pub async fn invoke_as(
        &self,
        function_name: &str,
        invocation_type: Option<&str>,
        payload: &str,
    ) -> reqwest::Response {
        let url = format!(
            "{}/2015-03-31/functions/{}/invocations",
            self.base,
            encode(function_name)
        );
        let mut request = self
            .http
            .post(url)
            .header("authorization", "AWS4-HMAC-SHA256 Credential=ignored")
            .body(payload.to_string());
        if let Some(invocation_type) = invocation_type {
            request = request.header("x-amz-invocation-type", invocation_type);
        }
        request.send().await.unwrap()
    }

    /// A synchronous invoke: (function error header, JSON body).
    pub async fn invoke(&self, function_name: &str, payload: Value) -> (Option<String>, Value) {
        let response = self
            .invoke_as(function_name, None, &payload.to_string())
            .await;
        assert_eq!(response.status(), 200);
        let function_error = header(&response, "x-amz-function-error");
        (function_error, response.json().await.unwrap())
    }

    pub async fn records(&self) -> Vec<InvocationRecord> {
        let url = format!("{}/stackflow/invocations", self.base);
        let response = self.http.get(url).send().await.unwrap();
        assert_eq!(response.status(), 200);
        response.json().await.unwrap()
    }

    /// The records of `function` once there are at least `count` of them.
    pub async fn wait_for_records(&self, function: &str, count: usize) -> Vec<InvocationRecord> {
        let started = Instant::now();
        loop {
            let records: Vec<_> = self
                .records()
                .await
                .into_iter()
                .filter(|r| r.function == function)
                .collect();
            if records.len() >= count {
                return records;
            }
            assert!(
                started.elapsed() < WAIT_LIMIT,
                "only {} of {count} invocations of {function}",
                records.len()
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// How the Event invocation `request_id` ended, once it has (its last attempt is recorded
    /// by then).
    pub async fn wait_for_async_outcome(&self, request_id: &str) -> AsyncOutcomeRecord {
        let url = format!("{}/stackflow/async-outcomes", self.base);
        let started = Instant::now();
        loop {
            let response = self.http.get(&url).send().await.unwrap();
            assert_eq!(response.status(), 200);
            let outcomes: Vec<AsyncOutcomeRecord> = response.json().await.unwrap();
            if let Some(outcome) = outcomes.into_iter().find(|o| o.request_id == request_id) {
                return outcome;
            }
            assert!(
                started.elapsed() < WAIT_LIMIT,
                "the Event invocation {request_id} did not end"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Stop the service and remove the logs (kept when a test fails, for a look).
    pub async fn finish(self) {
        self.service.shutdown().await;
        let _ = std::fs::remove_dir_all(&self.log_dir);
    }

    pub fn log(&self, function: &str) -> String {
        std::fs::read_to_string(self.log_dir.join(format!("{function}.log"))).unwrap()
    }
}

pub fn header(response: &reqwest::Response, name: &str) -> Option<String> {
    response
        .headers()
        .get(name)
        .map(|v| v.to_str().unwrap().to_string())
}

pub fn now_ms() -> u64 {
    u64::try_from(
        SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap()
            .as_millis(),
    )
    .unwrap()
}
