#![allow(clippy::unwrap_used)]

use super::*;

fn op(service: Service, method: Method, path: &str, query: &str, body: &str) -> Option<String> {
    let mut headers = HeaderMap::new();
    headers.insert(
        "x-amz-target",
        HeaderValue::from_static("CodePipeline_20150709.PutJobSuccessResult"),
    );
    service.operation(&method, path, query, &headers, body.as_bytes())
}

#[test]
fn operations_are_named_as_the_api_names_them() {
    let cfn = op(
        Service::CloudFormation,
        Method::POST,
        "/",
        "",
        "Action=DescribeStacks&Version=2010-05-15",
    );
    assert_eq!(cfn.as_deref(), Some("DescribeStacks"));
    let cp = op(Service::CodePipeline, Method::POST, "/", "", "{}");
    assert_eq!(cp.as_deref(), Some("PutJobSuccessResult"));
    let get = op(
        Service::S3,
        Method::GET,
        "/bucket/a/b.zip",
        "x-id=GetObject",
        "",
    );
    assert_eq!(get.as_deref(), Some("GetObject"));
    let put = op(
        Service::S3,
        Method::PUT,
        "/bucket/stackflow/j/t.yaml",
        "",
        "",
    );
    assert_eq!(put.as_deref(), Some("PutObject"));
    let list = op(Service::S3, Method::GET, "/bucket", "list-type=2", "");
    assert_eq!(list.as_deref(), Some("ListObjectsV2"));
    let head = op(Service::S3, Method::HEAD, "/bucket/", "", "");
    assert_eq!(head.as_deref(), Some("HeadBucket"));
}

async fn body_text(response: Response) -> String {
    let bytes = axum::body::to_bytes(response.into_body(), usize::MAX)
        .await
        .unwrap();
    String::from_utf8(bytes.to_vec()).unwrap()
}

#[tokio::test]
async fn errors_take_each_protocols_shape() {
    let throttled = Service::CloudFormation.error_response(
        &Method::POST,
        StatusCode::BAD_REQUEST,
        "Throttling",
        "Rate exceeded",
    );
    assert_eq!(throttled.status(), StatusCode::BAD_REQUEST);
    let text = body_text(throttled).await;
    assert!(text.contains("<Type>Sender</Type>"), "{text}");
    assert!(text.contains("<Code>Throttling</Code>"), "{text}");
    assert!(text.contains("<Message>Rate exceeded</Message>"), "{text}");

    let s3 = Service::S3.error_response(
        &Method::GET,
        StatusCode::SERVICE_UNAVAILABLE,
        "ServiceUnavailable",
        "a < b",
    );
    assert!(s3.headers().contains_key("x-amz-request-id"));
    let text = body_text(s3).await;
    assert!(text.contains("<Error><Code>ServiceUnavailable</Code><Message>a &lt; b</Message>"));

    let cp = Service::CodePipeline.error_response(
        &Method::POST,
        StatusCode::INTERNAL_SERVER_ERROR,
        "InternalFailure",
        "boom",
    );
    assert_eq!(cp.headers()["x-amzn-errortype"], "InternalFailure");
    let json: serde_json::Value = serde_json::from_str(&body_text(cp).await).unwrap();
    assert_eq!(json["__type"], "InternalFailure");
    assert_eq!(json["message"], "boom");

    let head = Service::S3.error_response(
        &Method::HEAD,
        StatusCode::SERVICE_UNAVAILABLE,
        "ServiceUnavailable",
        "x",
    );
    assert!(body_text(head).await.is_empty());
}

#[test]
fn step_functions_speaks_json_1_0() {
    let mut headers = HeaderMap::new();
    headers.insert(
        "x-amz-target",
        HeaderValue::from_static("AWSStepFunctions.StartExecution"),
    );
    let operation = Service::StepFunctions.operation(&Method::POST, "/", "", &headers, b"{}");
    assert_eq!(operation.as_deref(), Some("StartExecution"));
    let answer = Service::StepFunctions.error_response(
        &Method::POST,
        StatusCode::BAD_REQUEST,
        "ExecutionAlreadyExists",
        "Execution Already Exists: 'arn'",
    );
    assert_eq!(
        answer.headers()["content-type"],
        "application/x-amz-json-1.0"
    );
    assert_eq!(
        answer.headers()["x-amzn-errortype"],
        "ExecutionAlreadyExists"
    );
    assert_eq!(serde_json::to_value(Service::StepFunctions).unwrap(), "sfn");
}
