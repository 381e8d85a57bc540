//! The local Lambda service with real processes over the real protocols: Python fixture functions
//! (tests/fixtures/lambda) poll the Runtime API; the tests call the Invoke API over HTTP.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::{BTreeMap, BTreeSet};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use serde_json::{json, Value};
use stackflow_lambda_service::{
    self as lambda_service, FunctionSpec, InvocationRecord, LambdaService, LambdaServiceConfig,
    LambdaServiceError,
};

const REGION: &str = "us-east-1";
const ACCOUNT: &str = "123456789012";
const RETRY_DELAYS: [Duration; 2] = [Duration::from_millis(50), Duration::from_millis(50)];
/// Generous bound for background work to show up; never a timing assertion.
const WAIT_LIMIT: Duration = Duration::from_secs(20);

fn fixtures_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/lambda")
}

fn fresh_log_dir() -> PathBuf {
    Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join("lambda_service")
        .join(uuid::Uuid::new_v4().to_string())
}

fn arn(name: &str) -> String {
    format!("arn:aws:lambda:{REGION}:{ACCOUNT}:function:{name}")
}

/// A function running one of the fixture scripts.
fn spec(name: &str, script: &str, timeout: Duration, log_dir: &Path) -> FunctionSpec {
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
fn ensure_executable(path: &Path) {
    use std::os::unix::fs::PermissionsExt;
    let mut permissions = std::fs::metadata(path).unwrap().permissions();
    if permissions.mode() & 0o111 != 0o111 {
        permissions.set_mode(0o755);
        std::fs::set_permissions(path, permissions).unwrap();
    }
}

/// FunctionName as boto3 puts it in the path: percent-encoded.
fn encode(function_name: &str) -> String {
    function_name
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' => (b as char).to_string(),
            other => format!("%{other:02X}"),
        })
        .collect()
}

struct Harness {
    service: LambdaService,
    http: reqwest::Client,
    base: String,
    log_dir: PathBuf,
}

impl Harness {
    async fn start(functions: impl FnOnce(&Path) -> Vec<FunctionSpec>) -> Self {
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

    async fn invoke_as(
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
    async fn invoke(&self, function_name: &str, payload: Value) -> (Option<String>, Value) {
        let response = self
            .invoke_as(function_name, None, &payload.to_string())
            .await;
        assert_eq!(response.status(), 200);
        let function_error = header(&response, "x-amz-function-error");
        (function_error, response.json().await.unwrap())
    }

    async fn records(&self) -> Vec<InvocationRecord> {
        let url = format!("{}/stackflow/invocations", self.base);
        let response = self.http.get(url).send().await.unwrap();
        assert_eq!(response.status(), 200);
        response.json().await.unwrap()
    }

    /// The records of `function` once there are at least `count` of them.
    async fn wait_for_records(&self, function: &str, count: usize) -> Vec<InvocationRecord> {
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

    /// Stop the service and remove the logs (kept when a test fails, for a look).
    async fn finish(self) {
        self.service.shutdown().await;
        let _ = std::fs::remove_dir_all(&self.log_dir);
    }

    fn log(&self, function: &str) -> String {
        std::fs::read_to_string(self.log_dir.join(format!("{function}.log"))).unwrap()
    }
}

fn header(response: &reqwest::Response, name: &str) -> Option<String> {
    response
        .headers()
        .get(name)
        .map(|v| v.to_str().unwrap().to_string())
}

fn now_ms() -> u64 {
    u64::try_from(
        SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap()
            .as_millis(),
    )
    .unwrap()
}

#[tokio::test]
async fn sync_invoke_returns_the_function_response_from_a_warm_process() {
    let h = Harness::start(|dir| vec![spec("echo", "echo.py", Duration::from_secs(10), dir)]).await;
    let payload = json!({"job": {"id": "j-1"}, "n": 1});

    let response = h.invoke_as("echo", None, &payload.to_string()).await;
    assert_eq!(response.status(), 200);
    assert_eq!(header(&response, "x-amz-function-error"), None);
    assert_eq!(
        header(&response, "x-amz-executed-version").as_deref(),
        Some("$LATEST")
    );
    assert_eq!(
        header(&response, "content-type").as_deref(),
        Some("application/json")
    );
    let request_id = header(&response, "x-amzn-requestid").unwrap();
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["event"], payload);
    assert_eq!(body["request_id"], request_id.as_str());
    assert_eq!(body["invoked_function_arn"], arn("echo").as_str());
    assert!(body["deadline_ms"].as_u64().unwrap() > now_ms());
    assert!(body["trace_id"].as_str().unwrap().starts_with("Root=1-"));

    let (error, second) = h.invoke("echo", json!({"n": 2})).await;
    assert_eq!(error, None);
    assert_eq!(second["event"], json!({"n": 2}));
    assert_eq!(
        second["pid"], body["pid"],
        "the second invocation reuses the warm process"
    );

    let records = h.wait_for_records("echo", 2).await;
    assert_eq!(records[0].request_id, request_id);
    assert_eq!(records[0].invocation_type, "RequestResponse");
    assert_eq!(records[0].attempt, 1);
    assert!(records[0].ok);
    assert!(
        records[0].init_duration_ms.is_some(),
        "first invocation is a cold start"
    );
    assert_eq!(
        records[1].init_duration_ms, None,
        "second invocation is warm"
    );

    let log = h.log("echo");
    assert!(
        log.contains("echo fixture handling a request"),
        "stdout goes to the log: {log}"
    );
    assert!(
        log.contains("echo fixture stderr line"),
        "stderr goes to the log: {log}"
    );
    assert!(
        log.contains(&format!("START RequestId: {request_id}")),
        "{log}"
    );
    assert!(!log.contains("j-1"), "payloads are not logged: {log}");
    h.finish().await;
}

#[tokio::test]
async fn empty_payload_is_delivered_as_an_empty_object() {
    let h = Harness::start(|dir| vec![spec("echo", "echo.py", Duration::from_secs(10), dir)]).await;
    let response = h.invoke_as("echo", None, "").await;
    assert_eq!(response.status(), 200);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["event"], json!({}));
    h.finish().await;
}

#[tokio::test]
async fn function_error_is_http_200_with_the_function_error_header() {
    let h = Harness::start(|dir| vec![spec("fail", "fail.py", Duration::from_secs(10), dir)]).await;
    let response = h.invoke_as(&arn("fail"), None, "{}").await;
    assert_eq!(response.status(), 200);
    assert_eq!(
        header(&response, "x-amz-function-error").as_deref(),
        Some("Unhandled")
    );
    assert_eq!(
        header(&response, "x-amz-executed-version").as_deref(),
        Some("$LATEST")
    );
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["errorType"], "ValidationFailed");
    assert_eq!(body["errorMessage"], "UserParameters is not valid JSON");

    let records = h.wait_for_records("fail", 1).await;
    assert!(!records[0].ok);
    assert_eq!(records[0].error_type.as_deref(), Some("ValidationFailed"));
    h.finish().await;
}

#[tokio::test]
async fn names_arns_and_qualified_arns_resolve() {
    let h = Harness::start(|dir| vec![spec("echo", "echo.py", Duration::from_secs(10), dir)]).await;
    for (function_name, invoked_arn) in [
        ("echo".to_string(), arn("echo")),
        (arn("echo"), arn("echo")),
        (
            format!("{}:$LATEST", arn("echo")),
            format!("{}:$LATEST", arn("echo")),
        ),
        (
            format!("{}:live", arn("echo")),
            format!("{}:live", arn("echo")),
        ),
        (format!("{ACCOUNT}:function:echo"), arn("echo")),
    ] {
        let (error, body) = h.invoke(&function_name, json!({})).await;
        assert_eq!(error, None, "{function_name}");
        assert_eq!(
            body["invoked_function_arn"],
            invoked_arn.as_str(),
            "{function_name}"
        );
    }

    // The Qualifier query parameter qualifies an unqualified name.
    let url = format!(
        "{}/2015-03-31/functions/echo/invocations?Qualifier=live",
        h.base
    );
    let response = h.http.post(url).body("{}").send().await.unwrap();
    assert_eq!(response.status(), 200);
    let body: Value = response.json().await.unwrap();
    assert_eq!(
        body["invoked_function_arn"],
        format!("{}:live", arn("echo")).as_str()
    );

    // Another account's or region's function is not ours.
    let other_account = "arn:aws:lambda:us-east-1:999999999999:function:echo";
    assert_eq!(h.invoke_as(other_account, None, "{}").await.status(), 404);
    let other_region = format!("arn:aws:lambda:eu-west-1:{ACCOUNT}:function:echo");
    assert_eq!(h.invoke_as(&other_region, None, "{}").await.status(), 404);
    h.finish().await;
}

#[tokio::test]
async fn unknown_function_is_404_resource_not_found() {
    let h = Harness::start(|dir| vec![spec("echo", "echo.py", Duration::from_secs(10), dir)]).await;
    let response = h.invoke_as(&arn("nope"), None, "{}").await;
    assert_eq!(response.status(), 404);
    assert_eq!(
        header(&response, "x-amzn-errortype").as_deref(),
        Some("ResourceNotFoundException")
    );
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["Type"], "User");
    assert_eq!(
        body["message"],
        format!("Function not found: {}", arn("nope")).as_str()
    );
    assert!(h.records().await.is_empty());
    h.finish().await;
}

#[tokio::test]
async fn dry_run_is_204_and_runs_nothing() {
    let h = Harness::start(|dir| vec![spec("echo", "echo.py", Duration::from_secs(10), dir)]).await;
    let response = h.invoke_as("echo", Some("DryRun"), "{}").await;
    assert_eq!(response.status(), 204);
    assert!(h.records().await.is_empty());
    h.finish().await;
}

#[tokio::test]
async fn bad_payload_or_invocation_type_is_400() {
    let h = Harness::start(|dir| vec![spec("echo", "echo.py", Duration::from_secs(10), dir)]).await;
    let response = h.invoke_as("echo", None, "{not json").await;
    assert_eq!(response.status(), 400);
    assert_eq!(
        header(&response, "x-amzn-errortype").as_deref(),
        Some("InvalidRequestContentException")
    );
    let response = h.invoke_as("echo", Some("Later"), "{}").await;
    assert_eq!(response.status(), 400);
    assert_eq!(
        header(&response, "x-amzn-errortype").as_deref(),
        Some("InvalidParameterValueException")
    );
    assert!(h.records().await.is_empty());
    h.finish().await;
}

#[tokio::test]
async fn event_invocation_is_accepted_and_runs_once_in_the_background() {
    let h = Harness::start(|dir| vec![spec("echo", "echo.py", Duration::from_secs(10), dir)]).await;
    let response = h
        .invoke_as(&arn("echo"), Some("Event"), r#"{"async": true}"#)
        .await;
    assert_eq!(response.status(), 202);
    let request_id = header(&response, "x-amzn-requestid").unwrap();

    let records = h.wait_for_records("echo", 1).await;
    assert_eq!(records[0].request_id, request_id);
    assert_eq!(records[0].invocation_type, "Event");
    assert!(records[0].ok);
    // A success is not retried: still one invocation after the retry delays have passed.
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(h.wait_for_records("echo", 1).await.len(), 1);
    h.finish().await;
}

#[tokio::test]
async fn failing_event_invocation_is_attempted_three_times() {
    let h = Harness::start(|dir| vec![spec("fail", "fail.py", Duration::from_secs(10), dir)]).await;
    let response = h.invoke_as(&arn("fail"), Some("Event"), "{}").await;
    assert_eq!(response.status(), 202);
    let request_id = header(&response, "x-amzn-requestid").unwrap();

    let records = h.wait_for_records("fail", 3).await;
    assert_eq!(
        records.iter().map(|r| r.attempt).collect::<Vec<_>>(),
        vec![1, 2, 3]
    );
    for record in &records {
        assert_eq!(record.request_id, request_id, "retries keep the request id");
        assert_eq!(record.invocation_type, "Event");
        assert_eq!(record.error_type.as_deref(), Some("ValidationFailed"));
    }
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(
        h.wait_for_records("fail", 3).await.len(),
        3,
        "no fourth attempt"
    );
    h.finish().await;
}

#[tokio::test]
async fn crash_is_exit_error_and_the_next_invoke_gets_a_fresh_process() {
    let h =
        Harness::start(|dir| vec![spec("crash", "crash.py", Duration::from_secs(10), dir)]).await;
    let (_, first) = h.invoke("crash", json!({})).await;

    let (error, crashed) = h.invoke("crash", json!({"crash": true})).await;
    assert_eq!(error.as_deref(), Some("Unhandled"));
    assert_eq!(crashed["errorType"], "Runtime.ExitError");
    let message = crashed["errorMessage"].as_str().unwrap();
    assert!(message.contains("exit status 3"), "{message}");

    let (error, after) = h.invoke("crash", json!({})).await;
    assert_eq!(error, None);
    assert_ne!(
        after["pid"], first["pid"],
        "a fresh process after the crash"
    );

    let records = h.wait_for_records("crash", 3).await;
    assert_eq!(records[1].error_type.as_deref(), Some("Runtime.ExitError"));
    assert!(records[2].ok);
    assert!(
        records[2].init_duration_ms.is_some(),
        "the invocation after a crash is cold"
    );
    h.finish().await;
}

#[tokio::test]
async fn timeout_is_sandbox_timedout_and_the_next_invoke_works() {
    let h =
        Harness::start(|dir| vec![spec("sleepy", "sleepy.py", Duration::from_secs(1), dir)]).await;
    let (error, timed_out) = h.invoke("sleepy", json!({"sleep": 30})).await;
    assert_eq!(error.as_deref(), Some("Unhandled"));
    assert_eq!(timed_out["errorType"], "Sandbox.Timedout");
    assert_eq!(
        timed_out["errorMessage"],
        "Task timed out after 1.00 seconds"
    );

    let (error, after) = h.invoke("sleepy", json!({"sleep": 0})).await;
    assert_eq!(error, None);
    assert_eq!(after["slept"], 0);

    let records = h.wait_for_records("sleepy", 2).await;
    assert_eq!(records[0].error_type.as_deref(), Some("Sandbox.Timedout"));
    assert!(
        records[1].init_duration_ms.is_some(),
        "the timed-out process was replaced"
    );
    h.finish().await;
}

#[tokio::test]
async fn concurrent_invokes_of_one_function_are_queued_and_both_succeed() {
    let h =
        Harness::start(|dir| vec![spec("sleepy", "sleepy.py", Duration::from_secs(10), dir)]).await;
    let (a, b) = tokio::join!(
        h.invoke("sleepy", json!({"sleep": 0.3})),
        h.invoke("sleepy", json!({"sleep": 0.3}))
    );
    assert_eq!(a.0, None);
    assert_eq!(b.0, None);
    assert_eq!(
        a.1["pid"], b.1["pid"],
        "one process served both, one after the other"
    );

    let records = h.wait_for_records("sleepy", 2).await;
    assert!(records.iter().all(|r| r.ok));
    // In order, not overlapping (a few ms of slack for the two clocks' rounding).
    assert!(records[0].started_at_ms + records[0].duration_ms <= records[1].started_at_ms + 5);
    h.finish().await;
}

#[tokio::test]
async fn the_process_gets_only_the_spec_and_lambda_environment() {
    let h = Harness::start(|dir| {
        let mut s = spec("env-report", "env_report.py", Duration::from_secs(10), dir);
        s.memory_mb = 256;
        s.env.insert("STACKFLOW_SETTING".into(), "value".into());
        s.env.insert("AWS_LAMBDA_LOG_LEVEL".into(), "debug".into());
        s.env.insert("AWS_LAMBDA_LOG_FORMAT".into(), "JSON".into());
        // Lambda's own variables win over the spec's.
        s.env.insert("AWS_REGION".into(), "eu-west-3".into());
        vec![s]
    })
    .await;
    let (error, body) = h.invoke("env-report", json!({})).await;
    assert_eq!(error, None);
    let env: BTreeMap<String, String> = serde_json::from_value(body["env"].clone()).unwrap();

    let names: BTreeSet<&str> = env.keys().map(String::as_str).collect();
    let expected: BTreeSet<&str> = [
        "PYTHONDONTWRITEBYTECODE",
        "STACKFLOW_SETTING",
        "AWS_LAMBDA_LOG_LEVEL",
        "AWS_LAMBDA_LOG_FORMAT",
        "AWS_LAMBDA_RUNTIME_API",
        "AWS_LAMBDA_FUNCTION_NAME",
        "AWS_LAMBDA_FUNCTION_VERSION",
        "AWS_LAMBDA_FUNCTION_MEMORY_SIZE",
        "AWS_LAMBDA_LOG_GROUP_NAME",
        "AWS_LAMBDA_INITIALIZATION_TYPE",
        "AWS_REGION",
        "AWS_DEFAULT_REGION",
        "_HANDLER",
        "LAMBDA_TASK_ROOT",
        "PATH",
    ]
    .into_iter()
    .collect();
    assert_eq!(
        names, expected,
        "nothing of the test process's environment leaks in"
    );

    let fixtures = fixtures_dir();
    assert!(env["AWS_LAMBDA_RUNTIME_API"].starts_with("127.0.0.1:"));
    assert_eq!(env["AWS_LAMBDA_FUNCTION_NAME"], "env-report");
    assert_eq!(env["AWS_LAMBDA_FUNCTION_VERSION"], "$LATEST");
    assert_eq!(env["AWS_LAMBDA_FUNCTION_MEMORY_SIZE"], "256");
    assert_eq!(env["AWS_REGION"], REGION);
    assert_eq!(env["AWS_DEFAULT_REGION"], REGION);
    assert_eq!(env["AWS_LAMBDA_LOG_LEVEL"], "debug");
    assert_eq!(env["STACKFLOW_SETTING"], "value");
    assert_eq!(env["_HANDLER"], "env_report.py");
    assert_eq!(Path::new(&env["LAMBDA_TASK_ROOT"]), fixtures);
    assert_eq!(Path::new(body["cwd"].as_str().unwrap()), fixtures);
    assert_eq!(env["PATH"], "/usr/local/bin:/usr/bin:/bin");
    h.finish().await;
}

#[tokio::test]
async fn init_failure_is_runtime_init_error() {
    let h = Harness::start(|dir| {
        let mut reports = spec("init-report", "init_fail.py", Duration::from_secs(10), dir);
        reports
            .env
            .insert("FIXTURE_INIT_MODE".into(), "report".into());
        let exits = spec("init-exit", "init_fail.py", Duration::from_secs(10), dir);
        vec![reports, exits]
    })
    .await;

    let (error, reported) = h.invoke("init-report", json!({})).await;
    assert_eq!(error.as_deref(), Some("Unhandled"));
    assert_eq!(reported["errorType"], "Runtime.InitError");
    let message = reported["errorMessage"].as_str().unwrap();
    assert!(
        message.contains("missing required variable STATE_MACHINE_ARN"),
        "{message}"
    );

    let (error, exited) = h.invoke("init-exit", json!({})).await;
    assert_eq!(error.as_deref(), Some("Unhandled"));
    assert_eq!(exited["errorType"], "Runtime.InitError");
    let message = exited["errorMessage"].as_str().unwrap();
    assert!(message.contains("exit status 2"), "{message}");
    h.finish().await;
}

#[tokio::test]
async fn shutdown_kills_the_function_processes() {
    let h = Harness::start(|dir| vec![spec("echo", "echo.py", Duration::from_secs(10), dir)]).await;
    let (_, body) = h.invoke("echo", json!({})).await;
    let pid = body["pid"].as_u64().unwrap();
    let proc_entry = PathBuf::from(format!("/proc/{pid}"));
    assert!(proc_entry.exists());

    h.finish().await;
    let started = Instant::now();
    while proc_entry.exists() {
        assert!(
            started.elapsed() < WAIT_LIMIT,
            "process {pid} still alive after shutdown"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test]
async fn start_refuses_bad_configurations() {
    let dir = fresh_log_dir();
    let config = |listen: SocketAddr, functions: Vec<FunctionSpec>| LambdaServiceConfig {
        listen,
        region: REGION.into(),
        account_id: ACCOUNT.into(),
        functions,
        async_retry_delays: vec![],
    };
    let loopback = SocketAddr::from(([127, 0, 0, 1], 0));
    let echo = spec("echo", "echo.py", Duration::from_secs(1), &dir);

    let open = lambda_service::start(config(SocketAddr::from(([0, 0, 0, 0], 0)), vec![])).await;
    assert!(matches!(open, Err(LambdaServiceError::NotLoopback(_))));

    let mut missing = echo.clone();
    missing.executable = fixtures_dir().join("no-such-function");
    let result = lambda_service::start(config(loopback, vec![missing])).await;
    assert!(matches!(
        result,
        Err(LambdaServiceError::ExecutableNotFound { .. })
    ));

    let result = lambda_service::start(config(loopback, vec![echo.clone(), echo])).await;
    assert!(matches!(
        result,
        Err(LambdaServiceError::DuplicateFunction(_))
    ));
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test]
async fn records_name_the_process_and_give_microseconds_for_the_benchmark() {
    let h = Harness::start(|dir| vec![spec("echo", "echo.py", Duration::from_secs(10), dir)]).await;
    let (_, first) = h.invoke("echo", json!({"n": 1})).await;
    let (_, second) = h.invoke("echo", json!({"n": 2})).await;

    let records = h.wait_for_records("echo", 2).await;
    for (record, body) in records.iter().zip([&first, &second]) {
        assert_eq!(
            record.pid.map(u64::from),
            body["pid"].as_u64(),
            "the record names the process that served it"
        );
        assert_eq!(record.duration_us / 1000, record.duration_ms);
    }
    let cold = &records[0];
    let init_us = cold
        .init_duration_us
        .expect("a cold start has an init duration");
    assert_eq!(Some(init_us / 1000), cold.init_duration_ms);
    assert!(
        init_us <= cold.duration_us,
        "the cold invocation's duration includes its init"
    );
    assert_eq!(records[1].init_duration_us, None, "the warm one has none");
    h.finish().await;
}

/// Test tooling: armed faults turn a matching invocation's answer into a crash or a timeout, as
/// Lambda reports them; other invocations run as usual and a used-up fault is gone.
#[tokio::test]
async fn armed_faults_crash_or_time_out_only_matching_invocations() {
    let h = Harness::start(|dir| vec![spec("echo", "echo.py", Duration::from_secs(10), dir)]).await;
    let faults = format!("{}/stackflow/faults", h.base);
    let arm = |body: Value| {
        let request = h.http.post(&faults).json(&body);
        async move { request.send().await.unwrap() }
    };
    assert_eq!(
        arm(json!({"function": "nope", "fault": "crash"}))
            .await
            .status(),
        400
    );
    assert_eq!(
        arm(json!({"function": "echo", "fault": "crash", "matching": "job-a"}))
            .await
            .status(),
        200
    );
    let (_, warm) = h.invoke("echo", json!({"job": "job-b"})).await;

    let (error, crashed) = h.invoke("echo", json!({"job": "job-a"})).await;
    assert_eq!(error.as_deref(), Some("Unhandled"));
    assert_eq!(crashed["errorType"], "Runtime.ExitError");
    assert_eq!(
        crashed["errorMessage"],
        "Runtime exited with error: signal: killed"
    );
    let (error, after) = h.invoke("echo", json!({"job": "job-a"})).await;
    assert_eq!(error, None, "the fault was used up");
    assert_ne!(after["pid"], warm["pid"], "a fresh process after the crash");

    arm(json!({"function": "echo", "fault": "timeout", "timeoutSeconds": 1})).await;
    let listed: Vec<Value> = h
        .http
        .get(&faults)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(listed.len(), 1);
    let (error, timed_out) = h.invoke("echo", json!({})).await;
    assert_eq!(error.as_deref(), Some("Unhandled"));
    assert_eq!(timed_out["errorType"], "Sandbox.Timedout");
    assert_eq!(
        timed_out["errorMessage"],
        "Task timed out after 1.00 seconds"
    );

    arm(json!({"function": "echo", "fault": "crash"})).await;
    let cleared = h.http.delete(&faults).send().await.unwrap();
    assert_eq!(cleared.status(), 200);
    let (error, _) = h.invoke("echo", json!({})).await;
    assert_eq!(error, None, "cleared faults strike no more");
    h.finish().await;
}
