//! The AWS services the proxy fronts: which operation a request is, and how each service's
//! protocol spells an error, so an injected fault reaches the SDK exactly as AWS's own would.

use axum::body::Body;
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::response::Response;
use serde::{Deserialize, Serialize};

use stackflow_local_cloudformation::wire::{form_value, xml_escape};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Service {
    /// awsQuery: `POST /` with a form body, `Action=<Operation>`; XML errors.
    CloudFormation,
    /// restXml: the operation is the method and the path (path-style, as the SDK uses for an
    /// IP endpoint); XML errors.
    S3,
    /// awsJson1.1: `X-Amz-Target: CodePipeline_20150709.<Operation>`; JSON errors.
    CodePipeline,
    /// awsJson1.0: `X-Amz-Target: AWSStepFunctions.<Operation>`; JSON errors.
    #[serde(rename = "sfn")]
    StepFunctions,
}

impl Service {
    pub const ALL: [Service; 4] = [
        Service::CloudFormation,
        Service::S3,
        Service::CodePipeline,
        Service::StepFunctions,
    ];

    /// The name in rules and logs, and the `AWS_ENDPOINT_URL_<NAME>` suffix upper-cased.
    pub fn name(self) -> &'static str {
        match self {
            Service::CloudFormation => "cloudformation",
            Service::S3 => "s3",
            Service::CodePipeline => "codepipeline",
            Service::StepFunctions => "sfn",
        }
    }

    /// The operation a request calls, as the API reference names it, when it can be told.
    pub fn operation(
        self,
        method: &Method,
        path: &str,
        query: &str,
        headers: &HeaderMap,
        body: &[u8],
    ) -> Option<String> {
        match self {
            Service::CloudFormation => {
                form_value(body, "Action").or_else(|| form_value(query.as_bytes(), "Action"))
            }
            Service::CodePipeline | Service::StepFunctions => headers
                .get("x-amz-target")
                .and_then(|value| value.to_str().ok())
                .and_then(|target| target.rsplit_once('.'))
                .map(|(_, operation)| operation.to_string()),
            Service::S3 => s3_operation(method, path, query, headers).map(str::to_string),
        }
    }

    /// The answer AWS gives when this service fails a request with `code` and `message`.
    pub fn error_response(
        self,
        method: &Method,
        status: StatusCode,
        code: &str,
        message: &str,
    ) -> Response {
        let request_id = uuid::Uuid::new_v4().to_string();
        let (content_type, body) = match self {
            Service::CloudFormation => {
                let kind = if status.is_server_error() {
                    "Receiver"
                } else {
                    "Sender"
                };
                (
                    "text/xml",
                    format!(
                        "<ErrorResponse xmlns=\"http://cloudformation.amazonaws.com/doc/2010-05-15/\">\n  \
                         <Error>\n    <Type>{kind}</Type>\n    <Code>{}</Code>\n    <Message>{}</Message>\n  \
                         </Error>\n  <RequestId>{request_id}</RequestId>\n</ErrorResponse>\n",
                        xml_escape(code),
                        xml_escape(message)
                    ),
                )
            }
            Service::S3 => (
                "application/xml",
                // A HEAD answer has no body: the SDK reads the status alone.
                if *method == Method::HEAD {
                    String::new()
                } else {
                    format!(
                        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>{}</Code>\
                         <Message>{}</Message><RequestId>{request_id}</RequestId></Error>",
                        xml_escape(code),
                        xml_escape(message)
                    )
                },
            ),
            Service::CodePipeline => (
                "application/x-amz-json-1.1",
                serde_json::json!({ "__type": code, "message": message }).to_string(),
            ),
            Service::StepFunctions => (
                "application/x-amz-json-1.0",
                serde_json::json!({ "__type": code, "message": message }).to_string(),
            ),
        };
        let mut response = Response::new(Body::from(body));
        *response.status_mut() = status;
        let headers = response.headers_mut();
        headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
        let id_header = match self {
            Service::S3 => "x-amz-request-id",
            _ => "x-amzn-requestid",
        };
        if let Ok(value) = HeaderValue::from_str(&request_id) {
            headers.insert(id_header, value);
        }
        if matches!(self, Service::CodePipeline | Service::StepFunctions) {
            if let Ok(value) = HeaderValue::from_str(code) {
                headers.insert("x-amzn-errortype", value);
            }
        }
        response
    }
}

/// The S3 operations the functions call, told apart by method, bucket/key and query.
fn s3_operation(
    method: &Method,
    path: &str,
    query: &str,
    headers: &HeaderMap,
) -> Option<&'static str> {
    let path = path.trim_start_matches('/');
    let has_key = path.split_once('/').is_some_and(|(_, key)| !key.is_empty());
    let in_query = |name: &str| {
        query
            .split('&')
            .any(|pair| pair.split('=').next() == Some(name))
    };
    if path.is_empty() {
        return (*method == Method::GET).then_some("ListBuckets");
    }
    let operation = match (method.as_str(), has_key) {
        ("GET", true) => "GetObject",
        ("HEAD", true) => "HeadObject",
        ("PUT", true) if headers.contains_key("x-amz-copy-source") => "CopyObject",
        ("PUT", true) => "PutObject",
        ("DELETE", true) => "DeleteObject",
        ("GET", false) if in_query("list-type") => "ListObjectsV2",
        ("GET", false) => "ListObjects",
        ("HEAD", false) => "HeadBucket",
        ("PUT", false) => "CreateBucket",
        ("DELETE", false) => "DeleteBucket",
        _ => return None,
    };
    Some(operation)
}

#[cfg(test)]
#[path = "service_tests.rs"]
mod tests;
