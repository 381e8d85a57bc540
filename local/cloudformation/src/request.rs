//! A CloudFormation request as the layer reads it: the awsQuery form the SDK sends
//! (`Action=CreateStack&StackName=…&Parameters.member.1.ParameterKey=…`), and the template it
//! carries, in its body or behind a TemplateURL into the (moto) S3 the functions staged it in.

use std::collections::BTreeMap;

use crate::wire::{form_pairs, percent_decode};

/// One `Parameters.member.N`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParameterValue {
    pub key: String,
    pub value: Option<String>,
    pub use_previous_value: bool,
}

/// Where the request's template is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TemplateSource<'a> {
    Body(&'a str),
    Url(&'a str),
    /// `UsePreviousTemplate=true`.
    Previous,
    None,
}

/// A CloudFormation request: its action and its form's pairs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StackRequest {
    pub action: String,
    pairs: Vec<(String, String)>,
}

impl StackRequest {
    /// The request in a form-encoded body (or query); `None` without an `Action`.
    pub fn from_form(body: &[u8]) -> Option<Self> {
        let pairs = form_pairs(body);
        let action = pairs
            .iter()
            .find_map(|(name, value)| (name == "Action").then(|| value.clone()))?;
        Some(StackRequest { action, pairs })
    }

    /// The first value of `name`.
    pub fn value(&self, name: &str) -> Option<&str> {
        self.pairs
            .iter()
            .find_map(|(key, value)| (key == name).then_some(value.as_str()))
    }

    pub fn stack_name(&self) -> Option<&str> {
        self.value("StackName")
    }

    pub fn client_request_token(&self) -> Option<&str> {
        self.value("ClientRequestToken")
    }

    /// Whether this request creates or changes a stack from a template: CreateStack,
    /// UpdateStack or CreateChangeSet.
    pub fn carries_template(&self) -> bool {
        matches!(
            self.action.as_str(),
            "CreateStack" | "UpdateStack" | "CreateChangeSet"
        )
    }

    /// `Capabilities.member.N`, in order.
    pub fn capabilities(&self) -> Vec<&str> {
        self.members("Capabilities")
            .into_values()
            .filter_map(|fields| fields.get("").copied())
            .collect()
    }

    /// `Parameters.member.N`, in order of N.
    pub fn parameters(&self) -> Vec<ParameterValue> {
        self.members("Parameters")
            .into_values()
            .filter_map(|fields| {
                Some(ParameterValue {
                    key: fields.get("ParameterKey")?.to_string(),
                    value: fields.get("ParameterValue").map(|value| value.to_string()),
                    use_previous_value: fields
                        .get("UsePreviousValue")
                        .is_some_and(|flag| flag.eq_ignore_ascii_case("true")),
                })
            })
            .collect()
    }

    pub fn template(&self) -> TemplateSource<'_> {
        if let Some(body) = self.value("TemplateBody") {
            TemplateSource::Body(body)
        } else if let Some(url) = self.value("TemplateURL") {
            TemplateSource::Url(url)
        } else if self
            .value("UsePreviousTemplate")
            .is_some_and(|flag| flag.eq_ignore_ascii_case("true"))
        {
            TemplateSource::Previous
        } else {
            TemplateSource::None
        }
    }

    /// `<list>.member.<N>[.<field>]` grouped by N (numerically): field → value, `""` for a
    /// member that is a plain value.
    fn members(&self, list: &str) -> BTreeMap<u32, BTreeMap<&str, &str>> {
        let prefix = format!("{list}.member.");
        let mut members: BTreeMap<u32, BTreeMap<&str, &str>> = BTreeMap::new();
        for (name, value) in &self.pairs {
            let Some(rest) = name.strip_prefix(&prefix) else {
                continue;
            };
            let (index, field) = rest.split_once('.').unwrap_or((rest, ""));
            if let Ok(index) = index.parse() {
                members
                    .entry(index)
                    .or_default()
                    .insert(field, value.as_str());
            }
        }
        members
    }
}

/// Bucket and key of a TemplateURL, in any of S3's URL styles: virtual-hosted
/// (`https://bucket.s3.region.amazonaws.com/key`, `https://bucket.s3.amazonaws.com/key`) or
/// path style (`https://s3.region.amazonaws.com/bucket/key`, `http://127.0.0.1:port/bucket/key`).
pub fn bucket_and_key(url: &str) -> Option<(String, String)> {
    let rest = url.split_once("://").map_or(url, |(_, rest)| rest);
    let rest = rest.split(['?', '#']).next().unwrap_or(rest);
    let (host, path) = rest.split_once('/')?;
    let host = host.split(':').next().unwrap_or(host);
    let (bucket, key) = match host.split_once(".s3") {
        Some((bucket, _)) if !bucket.is_empty() && !host.starts_with("s3.") => {
            (bucket.to_string(), path.to_string())
        }
        _ => {
            let (bucket, key) = path.split_once('/')?;
            (bucket.to_string(), key.to_string())
        }
    };
    let key = percent_decode(&key.replace('+', "%2B"));
    (!bucket.is_empty() && !key.is_empty()).then_some((bucket, key))
}

/// Reads the object behind a TemplateURL from the S3 the functions use locally (moto).
#[derive(Debug, Clone)]
pub struct TemplateReader {
    pub http: reqwest::Client,
    /// moto, e.g. `http://127.0.0.1:5000`.
    pub s3_url: String,
}

impl TemplateReader {
    /// The template text the request carries; `Ok(None)` when it names none here
    /// (`UsePreviousTemplate`, or nothing). An unreadable URL is `Err` with the reason.
    pub async fn text(&self, request: &StackRequest) -> Result<Option<String>, String> {
        match request.template() {
            TemplateSource::Body(body) => Ok(Some(body.to_string())),
            TemplateSource::Url(url) => self.fetch(url).await.map(Some),
            TemplateSource::Previous | TemplateSource::None => Ok(None),
        }
    }

    async fn fetch(&self, url: &str) -> Result<String, String> {
        let (bucket, key) =
            bucket_and_key(url).ok_or_else(|| format!("not an S3 object URL: {url}"))?;
        let object = format!(
            "{}/{bucket}/{}",
            self.s3_url.trim_end_matches('/'),
            encode_key(&key)
        );
        // moto refuses an unsigned GET on a bucket that is not public: an Authorization header
        // of SigV4's shape (moto checks no signature) reads it as the functions' own calls do.
        let answer = self
            .http
            .get(&object)
            .header(
                "authorization",
                "AWS4-HMAC-SHA256 Credential=local/20260101/us-east-1/s3/aws4_request, \
                 SignedHeaders=host, Signature=0",
            )
            .send()
            .await
            .map_err(|err| format!("reading {url}: {err}"))?;
        if !answer.status().is_success() {
            return Err(format!("reading {url}: S3 answered {}", answer.status()));
        }
        answer
            .text()
            .await
            .map_err(|err| format!("reading {url}: {err}"))
    }
}

/// A key percent-encoded for a path, `/` kept.
fn encode_key(key: &str) -> String {
    key.bytes()
        .map(|byte| {
            if byte.is_ascii_alphanumeric() || b"-_.~/".contains(&byte) {
                char::from(byte).to_string()
            } else {
                format!("%{byte:02X}")
            }
        })
        .collect()
}

#[cfg(test)]
#[path = "request_tests.rs"]
mod tests;
