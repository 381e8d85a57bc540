//! Reading back the `{"message"}` error body the local services answer with (the job service's
//! control API, the fault proxy's, the Lambda service's fault API), for their clients.

/// The `message` of a local service's JSON error body, or the body itself when it has none.
pub fn body_message(text: String) -> String {
    serde_json::from_str::<serde_json::Value>(&text)
        .ok()
        .and_then(|body| {
            body.get("message")
                .and_then(serde_json::Value::as_str)
                .map(str::to_string)
        })
        .unwrap_or(text)
}

#[cfg(test)]
#[path = "error_body_tests.rs"]
mod tests;
