use super::*;

#[test]
fn the_hand_over_comes_at_half_the_reply_timeout() {
    assert_eq!(hand_over_seconds(Duration::from_secs(3)), 1);
    assert_eq!(hand_over_seconds(Duration::from_secs(1)), 1);
    assert_eq!(hand_over_seconds(Duration::from_secs(60)), 30);
    assert_eq!(hand_over_seconds(Duration::from_secs(400)), 200);
    assert_eq!(hand_over_seconds(Duration::from_secs(1200)), 300);
    assert_eq!(hand_over_seconds(Duration::from_secs(86_400)), 300);
}

#[test]
fn the_functions_get_the_fault_proxy_and_the_entry_its_hand_over_time() {
    let options = ServeOptions {
        job_reply_timeout: Duration::from_secs(3),
        hold_in_progress: Duration::from_secs(12),
        log_level: "info".into(),
    };
    let endpoints = Endpoints {
        moto_port: 1,
        proxy: ProxyUrls {
            s3: "http://127.0.0.1:4".into(),
            cloudformation: "http://127.0.0.1:3".into(),
            codepipeline: "http://127.0.0.1:5".into(),
            sfn: "http://127.0.0.1:6".into(),
        },
    };
    let entry = FUNCTIONS
        .iter()
        .find(|def| def.function_name == functions::ENTRY_FUNCTION);
    let env =
        entry.map(|def| function_env(def.binary, def.env_vars, &endpoints, "arn:sm", &options));
    let env = env.unwrap_or_default();
    assert_eq!(
        env.get("JOB_HANDOVER_SECONDS").map(String::as_str),
        Some("1")
    );
    assert_eq!(
        env.get("AWS_ENDPOINT_URL_CLOUDFORMATION")
            .map(String::as_str),
        Some("http://127.0.0.1:3")
    );
    assert_eq!(
        env.get("AWS_ENDPOINT_URL_S3").map(String::as_str),
        Some("http://127.0.0.1:4")
    );
    assert_eq!(
        env.get("AWS_ENDPOINT_URL_SFN").map(String::as_str),
        Some("http://127.0.0.1:6")
    );
    // Its own access key, by which the proxy tells the functions' calls apart.
    assert_eq!(
        env.get("AWS_ACCESS_KEY_ID").map(String::as_str),
        Some("stackflow-local-fn-start-deployment")
    );
    assert_eq!(
        env.get("AWS_ENDPOINT_URL_CODEPIPELINE").map(String::as_str),
        Some("http://127.0.0.1:5")
    );
    // Everything else (Step Functions) is moto itself.
    assert_eq!(
        env.get("AWS_ENDPOINT_URL").map(String::as_str),
        Some("http://127.0.0.1:1")
    );
    assert_eq!(
        env.get("STATE_MACHINE_ARN").map(String::as_str),
        Some("arn:sm")
    );
}
