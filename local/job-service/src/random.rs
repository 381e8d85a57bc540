//! Random values that look like CodePipeline's: artifact credentials, object key suffixes and
//! revisions. The credentials are fake (moto accepts anything) but must look real and be unique
//! per job, because tests search logs and histories for them to prove they never leak.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Serialize};

const UPPER_ALNUM: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
const ALNUM: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
const BASE64: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
const HEX: &[u8] = b"0123456789abcdef";

/// How long the artifact credentials claim to be valid, like STS session credentials.
const CREDENTIALS_LIFETIME: Duration = Duration::from_secs(60 * 60);

/// Real STS session tokens start with this (base64 of the token's binary header).
const SESSION_TOKEN_PREFIX: &str = "IQoJb3JpZ2luX2VjE";
const SESSION_TOKEN_LEN: usize = 420;

/// The event's `artifactCredentials`: temporary credentials scoped to the artifact bucket.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ArtifactCredentials {
    pub access_key_id: String,
    pub secret_access_key: String,
    pub session_token: String,
    /// Epoch milliseconds.
    pub expiration_time: u64,
}

/// Never print the secret parts, even in debug output.
impl std::fmt::Debug for ArtifactCredentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ArtifactCredentials")
            .field("access_key_id", &"<redacted>")
            .field("expiration_time", &self.expiration_time)
            .finish_non_exhaustive()
    }
}

impl ArtifactCredentials {
    /// Fresh credentials: `ASIA` + 16 uppercase alphanumerics, a 40-char secret, a long token.
    pub fn generate(now_ms: u64) -> Self {
        ArtifactCredentials {
            access_key_id: format!("ASIA{}", random_string(16, UPPER_ALNUM)),
            secret_access_key: random_string(40, BASE64),
            session_token: format!(
                "{SESSION_TOKEN_PREFIX}{}",
                random_string(SESSION_TOKEN_LEN - SESSION_TOKEN_PREFIX.len(), BASE64)
            ),
            expiration_time: now_ms + CREDENTIALS_LIFETIME.as_millis() as u64,
        }
    }
}

/// The random last segment of an artifact's object key, like CodePipeline's `TdOSFRV`.
pub fn object_key_suffix() -> String {
    random_string(7, ALNUM)
}

/// A commit-like revision for an input artifact that names none.
pub fn revision() -> String {
    random_string(40, HEX)
}

/// Epoch milliseconds now.
pub fn now_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|elapsed| elapsed.as_millis() as u64)
        .unwrap_or(0)
}

/// `len` characters from `alphabet`, drawn from the OS random source behind uuid v4.
fn random_string(len: usize, alphabet: &[u8]) -> String {
    let mut out = String::with_capacity(len);
    while out.len() < len {
        for byte in random_bytes() {
            if out.len() == len {
                break;
            }
            out.push(char::from(alphabet[usize::from(byte) % alphabet.len()]));
        }
    }
    out
}

/// The fully random bytes of a v4 uuid (bytes 6 and 8 carry its version and variant bits).
fn random_bytes() -> impl Iterator<Item = u8> {
    let bytes = *uuid::Uuid::new_v4().as_bytes();
    bytes
        .into_iter()
        .enumerate()
        .filter(|(index, _)| *index != 6 && *index != 8)
        .map(|(_, byte)| byte)
}

#[cfg(test)]
#[path = "random_tests.rs"]
mod tests;
