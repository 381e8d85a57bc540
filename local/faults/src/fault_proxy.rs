//! The fault proxy: test tooling between the functions and the AWS APIs they call. The
//! functions reach S3, CloudFormation, CodePipeline and Step Functions through it, by the
//! standard `AWS_ENDPOINT_URL_S3`, `…_CLOUDFORMATION`, `…_CODEPIPELINE` and `…_SFN`
//! variables (nothing in their code knows), one loopback listener per service. It forwards
//! every request (to moto, or to the local CodePipeline job service). CloudFormation requests
//! pass through the CloudFormation layer (`stackflow_local_cloudformation`, on unless
//! `ProxyConfig::cloudformation_layer` is false), which makes moto answer as CloudFormation
//! would. Two switches, both off by default, make the proxy misbehave on purpose:
//! - faults set at runtime through the control API (`rules`, `rules_api`): fail chosen requests
//!   with the service's own error answer, or delay them;
//! - `--hold-in-progress SECONDS` (`hold`): report stack operations in progress for a while.
//!
//! It records which IAM actions each function's requests needed (`calls`), for the check that
//! the template's roles allow them.
//!
//! It never logs a request's headers or body: they carry credentials and templates.

mod calls;
mod client;
mod hold;
mod rules;
mod rules_api;
mod service;

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::extract::{DefaultBodyLimit, State};
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::Response;
use axum::Router;
use tokio::sync::watch;
use tokio::task::JoinHandle;

pub use calls::{function_access_key, function_of, read as read_calls, CallRecord};
pub use client::FaultClient;
pub use rules::{FaultRecord, FaultRule, Faults};
pub use rules_api::routes as control_routes;
pub use service::Service;

use crate::{FaultToolError, Result};
use calls::Calls;
use hold::Holds;
use stackflow_local_cloudformation::request::StackRequest;
use stackflow_local_cloudformation::wire::percent_decode;
use stackflow_local_cloudformation::{Layer, Reply};

/// Where the proxy forwards, and the hold switch.
#[derive(Debug, Clone)]
pub struct ProxyConfig {
    /// moto, for S3 and CloudFormation.
    pub moto_url: String,
    /// The local CodePipeline job service.
    pub jobs_url: String,
    /// Stack operations reported in progress this long (zero: off).
    pub hold: Duration,
    /// CloudFormation's checks and outcomes on top of moto's (`stackflow_local_cloudformation`).
    pub cloudformation_layer: bool,
    /// Where the record of each function's IAM actions is kept (`calls`); none: memory only.
    pub calls_file: Option<PathBuf>,
    /// Ports chosen for the environment's other services, which may not be listening yet: the
    /// proxy's listeners must not take them (a listener on moto's port would forward to itself).
    pub reserved_ports: Vec<u16>,
}

/// A loopback listener on a free port that is none of `reserved`. The ports refused stay bound
/// until one is found, so the system does not offer them again.
async fn bind_avoiding(reserved: &[u16]) -> std::io::Result<tokio::net::TcpListener> {
    let mut refused = Vec::new();
    loop {
        let listener = tokio::net::TcpListener::bind(SocketAddr::from(([127, 0, 0, 1], 0))).await?;
        if !reserved.contains(&listener.local_addr()?.port()) {
            return Ok(listener);
        }
        refused.push(listener);
    }
}

/// What every listener shares.
struct Shared {
    faults: Arc<Faults>,
    holds: Holds,
    cloudformation: Option<Layer>,
    calls: Calls,
    http: reqwest::Client,
}

/// One listener: the service it fronts and where that service is.
struct Front {
    service: Service,
    upstream: String,
    shared: Arc<Shared>,
}

/// The running proxy.
pub struct FaultProxy {
    urls: BTreeMap<&'static str, String>,
    faults: Arc<Faults>,
    shutdown: watch::Sender<bool>,
    servers: Vec<JoinHandle<()>>,
}

impl FaultProxy {
    /// `http://<addr>` of the listener fronting `service`: its `AWS_ENDPOINT_URL_*` value.
    pub fn url(&self, service: Service) -> String {
        self.urls.get(service.name()).cloned().unwrap_or_default()
    }

    /// The rules, shared with the control API.
    pub fn faults(&self) -> Arc<Faults> {
        Arc::clone(&self.faults)
    }

    pub async fn shutdown(self) {
        let _ = self.shutdown.send(true);
        for server in self.servers {
            let _ = server.await;
        }
    }
}

/// Listen on a free loopback port per service and forward each to its upstream.
pub async fn start(config: ProxyConfig) -> Result<FaultProxy> {
    let faults = Arc::new(Faults::default());
    let http = reqwest::Client::builder()
        .no_proxy()
        // A proxy passes redirects on; it does not follow them.
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .map_err(|err| FaultToolError::Unavailable(format!("building the proxy client: {err}")))?;
    let shared = Arc::new(Shared {
        faults: Arc::clone(&faults),
        holds: Holds::new(config.hold),
        cloudformation: config
            .cloudformation_layer
            .then(|| Layer::new(&config.moto_url, http.clone())),
        calls: Calls::new(config.calls_file),
        http,
    });
    let (shutdown, stop) = watch::channel(false);
    let mut urls = BTreeMap::new();
    let mut servers = Vec::new();
    for service in Service::ALL {
        let upstream = match service {
            Service::CodePipeline => &config.jobs_url,
            Service::S3 | Service::CloudFormation | Service::StepFunctions => &config.moto_url,
        };
        let front = Arc::new(Front {
            service,
            upstream: upstream.trim_end_matches('/').to_string(),
            shared: Arc::clone(&shared),
        });
        let failed = |source| FaultToolError::Io {
            context: "starting the fault proxy".into(),
            source,
        };
        let listener = bind_avoiding(&config.reserved_ports)
            .await
            .map_err(failed)?;
        let addr = listener.local_addr().map_err(failed)?;
        let router = Router::new()
            .fallback(forward)
            .layer(DefaultBodyLimit::disable())
            .with_state(front);
        let mut stop = stop.clone();
        servers.push(tokio::spawn(async move {
            let stopped = async move {
                let _ = stop.wait_for(|stop| *stop).await;
            };
            if let Err(error) = axum::serve(listener, router)
                .with_graceful_shutdown(stopped)
                .await
            {
                tracing::error!(%error, service = service.name(), "the fault proxy stopped");
            }
        }));
        urls.insert(service.name(), format!("http://{addr}"));
    }
    tracing::info!(
        ?urls,
        hold_seconds = config.hold.as_secs(),
        "fault proxy listening (test tooling; forwards unchanged until a fault is set)"
    );
    Ok(FaultProxy {
        urls,
        faults,
        shutdown,
        servers,
    })
}

async fn forward(
    State(front): State<Arc<Front>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let (path, query) = (uri.path(), uri.query().unwrap_or(""));
    let operation = front
        .service
        .operation(&method, path, query, &headers, &body);
    let actions = calls::iam_actions(front.service, operation.as_deref(), &body);
    front.shared.calls.record(&headers, actions);
    if front.shared.faults.any_for(front.service) {
        let text = format!(
            "{} {} {}",
            percent_decode(path),
            percent_decode(query),
            percent_decode(&String::from_utf8_lossy(&body))
        );
        let request = rules::Request {
            service: front.service,
            operation: operation.as_deref(),
            text: &text,
        };
        if let Some(strike) = front.shared.faults.strike(&request) {
            tracing::info!(
                service = front.service.name(),
                operation = operation.as_deref().unwrap_or("?"),
                rule = strike.rule_id,
                delay_seconds = strike.delay.as_secs(),
                status = strike.error.as_ref().map(|error| error.status.as_u16()),
                "fault struck a request (test tooling)"
            );
            tokio::time::sleep(strike.delay).await;
            if let Some(error) = strike.error {
                return front.service.error_response(
                    &method,
                    error.status,
                    &error.code,
                    &error.message,
                );
            }
        }
    }
    let layer = front.shared.cloudformation.as_ref();
    let stack_request = match (front.service, layer) {
        (Service::CloudFormation, Some(_)) => {
            StackRequest::from_form(&body).or_else(|| StackRequest::from_form(query.as_bytes()))
        }
        _ => None,
    };
    if let (Some(layer), Some(request)) = (layer, &stack_request) {
        if let Some(reply) = layer.before(request).await {
            return cloudformation_reply(&method, reply);
        }
    }
    let stack = layer.zip(stack_request.as_ref());
    match relay(
        &front,
        method,
        &uri,
        &headers,
        body,
        operation.as_deref(),
        stack,
    )
    .await
    {
        Ok(response) => response,
        Err(message) => {
            tracing::warn!(service = front.service.name(), %message, "the fault proxy could not reach the service");
            let mut response = Response::new(Body::from(message));
            *response.status_mut() = StatusCode::BAD_GATEWAY;
            response
        }
    }
}

/// Hop-by-hop headers, and those the client recomputes for the forwarded request.
fn not_forwarded(name: &str) -> bool {
    matches!(
        name,
        "host"
            | "content-length"
            | "connection"
            | "keep-alive"
            | "transfer-encoding"
            | "te"
            | "trailer"
            | "upgrade"
            | "expect"
            | "proxy-connection"
    )
}

/// The CloudFormation layer's answer as the SDK reads it.
fn cloudformation_reply(method: &Method, reply: Reply) -> Response {
    match reply {
        Reply::Error {
            status,
            code,
            message,
        } => Service::CloudFormation.error_response(
            method,
            StatusCode::from_u16(status).unwrap_or(StatusCode::BAD_REQUEST),
            &code,
            &message,
        ),
        Reply::Body(xml) => {
            let mut response = Response::new(Body::from(xml));
            response.headers_mut().insert(
                axum::http::header::CONTENT_TYPE,
                axum::http::HeaderValue::from_static("text/xml"),
            );
            response
        }
    }
}

/// Forward the request; a CloudFormation answer then passes the layer (`stack`) and the holds.
async fn relay(
    front: &Front,
    method: Method,
    uri: &Uri,
    headers: &HeaderMap,
    body: Bytes,
    operation: Option<&str>,
    stack: Option<(&Layer, &StackRequest)>,
) -> std::result::Result<Response, String> {
    let path = uri.path_and_query().map_or("/", |p| p.as_str());
    let mut request = front
        .shared
        .http
        .request(method.clone(), format!("{}{path}", front.upstream))
        .body(body);
    for (name, value) in headers {
        if !not_forwarded(name.as_str()) {
            request = request.header(name, value);
        }
    }
    let answer = request.send().await.map_err(|err| err.to_string())?;
    let mut status = answer.status();
    let mut answer_headers = answer.headers().clone();
    let mut bytes = answer.bytes().await.map_err(|err| err.to_string())?;

    let mut rewritten = false;
    if let Some((layer, request)) = stack {
        let text = String::from_utf8_lossy(&bytes);
        match layer.after(request, status.as_u16(), &text).await {
            Some(Reply::Body(xml)) => {
                (status, bytes, rewritten) = (StatusCode::OK, Bytes::from(xml), true);
                answer_headers.insert(
                    axum::http::header::CONTENT_TYPE,
                    axum::http::HeaderValue::from_static("text/xml"),
                );
            }
            Some(error) => return Ok(cloudformation_reply(&method, error)),
            None => {}
        }
    }
    if front.service == Service::CloudFormation && status.is_success() {
        let answer = front
            .shared
            .holds
            .answer(operation, &String::from_utf8_lossy(&bytes));
        if let Some(answer) = answer {
            bytes = Bytes::from(answer);
            rewritten = true;
        }
    }
    let mut response = Response::new(Body::from(bytes));
    *response.status_mut() = status;
    for (name, value) in &answer_headers {
        let recomputed = rewritten && name.as_str() == "content-length";
        if !recomputed
            && !matches!(
                name.as_str(),
                "transfer-encoding" | "connection" | "keep-alive"
            )
        {
            response.headers_mut().append(name, value.clone());
        }
    }
    Ok(response)
}
