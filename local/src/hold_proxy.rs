//! Test tooling, off by default (`--hold-in-progress SECONDS`): a CloudFormation proxy that makes
//! stack operations take time. moto completes a create or an update at once; real stacks take
//! minutes, which is what the polling, the growing waits and the hand-over to continuation jobs
//! are for. The functions reach CloudFormation through this proxy (the standard
//! `AWS_ENDPOINT_URL_CLOUDFORMATION` variable; nothing in their code knows), and it forwards every
//! request to moto unchanged. Only one thing differs: for `hold` after a CreateStack or
//! UpdateStack passed through it, DescribeStacks reports that stack as `CREATE_IN_PROGRESS` or
//! `UPDATE_IN_PROGRESS`, whatever moto says.
//!
//! CloudFormation speaks awsQuery: form-encoded requests (`Action=DescribeStacks&…`), XML
//! answers in which each stack is a `<member>` starting with its `<StackId>`.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use axum::body::{Body, Bytes};
use axum::extract::State;
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::Response;
use axum::Router;
use tokio::sync::watch;
use tokio::task::JoinHandle;

use crate::error::{LocalError, Result};

/// A held operation: which kind, and when it passed through.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Held {
    Create(Instant),
    Update(Instant),
}

impl Held {
    fn since(self) -> Instant {
        match self {
            Held::Create(at) | Held::Update(at) => at,
        }
    }
    fn status(self) -> &'static str {
        match self {
            Held::Create(_) => "CREATE_IN_PROGRESS",
            Held::Update(_) => "UPDATE_IN_PROGRESS",
        }
    }
}

struct ProxyState {
    upstream: String,
    hold: Duration,
    http: reqwest::Client,
    /// By stack id.
    held: Mutex<HashMap<String, Held>>,
}

/// The running proxy.
pub struct HoldProxy {
    addr: SocketAddr,
    shutdown: watch::Sender<bool>,
    server: JoinHandle<()>,
}

impl HoldProxy {
    /// `http://<addr>`: the value of `AWS_ENDPOINT_URL_CLOUDFORMATION`.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    pub async fn shutdown(self) {
        let _ = self.shutdown.send(true);
        let _ = self.server.await;
    }
}

/// Listen on a free loopback port and forward to `upstream` (moto), holding stack operations
/// in progress for `hold`.
pub async fn start(upstream: String, hold: Duration) -> Result<HoldProxy> {
    let listener = tokio::net::TcpListener::bind(SocketAddr::from(([127, 0, 0, 1], 0)))
        .await
        .map_err(LocalError::io("starting the CloudFormation hold proxy"))?;
    let addr = listener
        .local_addr()
        .map_err(LocalError::io("starting the CloudFormation hold proxy"))?;
    let state = Arc::new(ProxyState {
        upstream: upstream.trim_end_matches('/').to_string(),
        hold,
        http: reqwest::Client::builder()
            .no_proxy()
            .build()
            .map_err(|err| LocalError::Environment(format!("building the proxy client: {err}")))?,
        held: Mutex::new(HashMap::new()),
    });
    let router = Router::new().fallback(forward).with_state(state);
    let (shutdown, mut stop) = watch::channel(false);
    let server = tokio::spawn(async move {
        let stopped = async move {
            let _ = stop.wait_for(|stop| *stop).await;
        };
        if let Err(error) = axum::serve(listener, router)
            .with_graceful_shutdown(stopped)
            .await
        {
            tracing::error!(%error, "the CloudFormation hold proxy stopped");
        }
    });
    tracing::info!(%addr, hold_seconds = hold.as_secs(), "CloudFormation hold proxy listening (test tooling)");
    Ok(HoldProxy {
        addr,
        shutdown,
        server,
    })
}

async fn forward(
    State(state): State<Arc<ProxyState>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    match relay(&state, method, &uri, &headers, body).await {
        Ok(response) => response,
        Err(message) => {
            tracing::warn!(%message, "the hold proxy could not reach moto");
            let mut response = Response::new(Body::from(message));
            *response.status_mut() = StatusCode::BAD_GATEWAY;
            response
        }
    }
}

async fn relay(
    state: &ProxyState,
    method: Method,
    uri: &Uri,
    headers: &HeaderMap,
    body: Bytes,
) -> std::result::Result<Response, String> {
    let action = form_value(&body, "Action");
    let path = uri.path_and_query().map_or("/", |p| p.as_str());
    let mut request = state
        .http
        .request(method, format!("{}{path}", state.upstream))
        .body(body.clone());
    for (name, value) in headers {
        if !matches!(name.as_str(), "host" | "content-length" | "connection") {
            request = request.header(name, value);
        }
    }
    let answer = request.send().await.map_err(|err| err.to_string())?;
    let status = answer.status();
    let answer_headers = answer.headers().clone();
    let mut text = answer.text().await.map_err(|err| err.to_string())?;

    if status.is_success() {
        match action.as_deref() {
            Some("CreateStack") => state.record(&text, Held::Create(Instant::now())),
            Some("UpdateStack") => state.record(&text, Held::Update(Instant::now())),
            Some("DescribeStacks") => text = state.rewrite(&text),
            _ => {}
        }
    }
    let mut response = Response::new(Body::from(text));
    *response.status_mut() = status;
    for (name, value) in &answer_headers {
        if !matches!(
            name.as_str(),
            "content-length" | "transfer-encoding" | "connection"
        ) {
            response.headers_mut().insert(name, value.clone());
        }
    }
    Ok(response)
}

impl ProxyState {
    /// A create or update moto accepted: hold the stack of its `<StackId>` from now on.
    fn record(&self, answer: &str, held: Held) {
        if let Some(id) = element(answer, "StackId") {
            tracing::info!(
                stack_id = id,
                status = held.status(),
                hold_seconds = self.hold.as_secs(),
                "holding the stack operation in progress"
            );
            self.lock().insert(id.to_string(), held);
        }
    }

    /// The DescribeStacks answer with every held stack's status replaced.
    fn rewrite(&self, answer: &str) -> String {
        let mut held = self.lock();
        held.retain(|_, operation| operation.since().elapsed() < self.hold);
        held.iter()
            .fold(answer.to_string(), |text, (id, operation)| {
                replace_status(&text, id, operation.status())
            })
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, Held>> {
        self.held.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// The text of the first `<name>…</name>` in `xml`.
fn element<'a>(xml: &'a str, name: &str) -> Option<&'a str> {
    let open = format!("<{name}>");
    let start = xml.find(&open)? + open.len();
    let end = xml[start..].find(&format!("</{name}>"))? + start;
    Some(&xml[start..end])
}

/// In the stack member whose `<StackId>` is `stack_id`, set `<StackStatus>` to `status`. The
/// status belongs to that stack only if it comes before the next stack's `<StackId>`.
fn replace_status(xml: &str, stack_id: &str, status: &str) -> String {
    let marker = format!("<StackId>{stack_id}</StackId>");
    let Some(at) = xml.find(&marker) else {
        return xml.to_string();
    };
    let after = at + marker.len();
    let rest = &xml[after..];
    let next_stack = rest.find("<StackId>").unwrap_or(rest.len());
    let (Some(open), Some(close)) = (rest.find("<StackStatus>"), rest.find("</StackStatus>"))
    else {
        return xml.to_string();
    };
    if open > next_stack || close < open {
        return xml.to_string();
    }
    let value_start = after + open + "<StackStatus>".len();
    let value_end = after + close;
    format!("{}{status}{}", &xml[..value_start], &xml[value_end..])
}

/// A value of a form-encoded body, percent-decoded.
fn form_value(body: &[u8], key: &str) -> Option<String> {
    let text = std::str::from_utf8(body).ok()?;
    text.split('&').find_map(|pair| {
        let (name, value) = pair.split_once('=')?;
        (percent_decode(name) == key).then(|| percent_decode(value))
    })
}

fn percent_decode(text: &str) -> String {
    let hex = |byte: u8| char::from(byte).to_digit(16);
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let escaped = match bytes.get(i..i + 3) {
            Some([b'%', high, low]) => hex(*high).zip(hex(*low)),
            _ => None,
        };
        match (bytes[i], escaped) {
            (_, Some((high, low))) => {
                out.extend(u8::try_from(high * 16 + low).ok());
                i += 3;
            }
            (b'+', None) => {
                out.push(b' ');
                i += 1;
            }
            (byte, None) => {
                out.push(byte);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    const ID: &str = "arn:aws:cloudformation:us-east-1:123456789012:stack/app/1588b3fd";
    const OTHER: &str = "arn:aws:cloudformation:us-east-1:123456789012:stack/db/99";

    fn described(stacks: &[(&str, &str)]) -> String {
        let members: String = stacks
            .iter()
            .map(|(id, status)| {
                format!(
                    "<member><StackId>{id}</StackId><StackName>x</StackName><Parameters/>\
                     <StackStatus>{status}</StackStatus><Outputs><member><OutputKey>U</OutputKey>\
                     <OutputValue>x</OutputValue></member></Outputs></member>"
                )
            })
            .collect();
        format!(
            "<DescribeStacksResponse><DescribeStacksResult><Stacks>{members}</Stacks>\
             </DescribeStacksResult></DescribeStacksResponse>"
        )
    }

    #[test]
    fn only_the_held_stacks_status_is_replaced() {
        let xml = described(&[(OTHER, "UPDATE_COMPLETE"), (ID, "CREATE_COMPLETE")]);
        let out = replace_status(&xml, ID, "CREATE_IN_PROGRESS");
        assert_eq!(
            out,
            described(&[(OTHER, "UPDATE_COMPLETE"), (ID, "CREATE_IN_PROGRESS")])
        );
        // A stack not in the answer leaves it as it is.
        assert_eq!(replace_status(&xml, "arn:nope", "X"), xml);
    }

    #[test]
    fn a_status_of_the_next_stack_is_never_taken_for_this_ones() {
        let xml = format!(
            "<member><StackId>{ID}</StackId></member><member><StackId>{OTHER}</StackId>\
             <StackStatus>CREATE_COMPLETE</StackStatus></member>"
        );
        assert_eq!(replace_status(&xml, ID, "CREATE_IN_PROGRESS"), xml);
    }

    #[test]
    fn held_stacks_are_released_after_the_hold() {
        let state = ProxyState {
            upstream: String::new(),
            hold: Duration::from_secs(60),
            http: reqwest::Client::new(),
            held: Mutex::new(HashMap::new()),
        };
        let created = format!("<CreateStackResult><StackId>{ID}</StackId></CreateStackResult>");
        state.record(&created, Held::Create(Instant::now()));
        let xml = described(&[(ID, "CREATE_COMPLETE")]);
        assert_eq!(
            state.rewrite(&xml),
            described(&[(ID, "CREATE_IN_PROGRESS")])
        );

        let long_ago = Instant::now()
            .checked_sub(Duration::from_secs(61))
            .unwrap_or_else(Instant::now);
        state.record(&created, Held::Update(long_ago));
        assert_eq!(state.rewrite(&xml), xml);
    }

    #[test]
    fn form_values_are_decoded() {
        let body = b"Action=DescribeStacks&Version=2010-05-15&StackName=arn%3Aaws%3Acloudformation%3Aus-east-1%3A1%3Astack%2Fapp%2Fx";
        assert_eq!(
            form_value(body, "Action").as_deref(),
            Some("DescribeStacks")
        );
        assert_eq!(
            form_value(body, "StackName").as_deref(),
            Some("arn:aws:cloudformation:us-east-1:1:stack/app/x")
        );
        assert_eq!(form_value(body, "Missing"), None);
        assert_eq!(percent_decode("a+b%2"), "a b%2");
    }
}
