use super::*;

#[test]
fn credentials_look_like_sts_session_credentials() {
    let credentials = ArtifactCredentials::generate(1_000);
    let key = &credentials.access_key_id;
    assert_eq!(key.len(), 20);
    assert!(key.starts_with("ASIA"));
    assert!(key[4..]
        .bytes()
        .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit()));
    assert_eq!(credentials.secret_access_key.len(), 40);
    assert!(credentials.session_token.starts_with(SESSION_TOKEN_PREFIX));
    assert_eq!(credentials.session_token.len(), SESSION_TOKEN_LEN);
    assert_eq!(credentials.expiration_time, 1_000 + 3_600_000);
}

#[test]
fn credentials_are_fresh_each_time() {
    let first = ArtifactCredentials::generate(0);
    let second = ArtifactCredentials::generate(0);
    assert_ne!(first.access_key_id, second.access_key_id);
    assert_ne!(first.secret_access_key, second.secret_access_key);
    assert_ne!(first.session_token, second.session_token);
}

#[test]
fn debug_output_hides_the_credentials() {
    let credentials = ArtifactCredentials::generate(0);
    let printed = format!("{credentials:?}");
    assert!(!printed.contains(&credentials.access_key_id));
    assert!(!printed.contains(&credentials.secret_access_key));
    assert!(!printed.contains(&credentials.session_token));
}

#[test]
fn key_suffix_and_revision_have_codepipeline_shapes() {
    let suffix = object_key_suffix();
    assert_eq!(suffix.len(), 7);
    assert!(suffix.bytes().all(|b| b.is_ascii_alphanumeric()));
    let revision = revision();
    assert_eq!(revision.len(), 40);
    assert!(revision.bytes().all(|b| b.is_ascii_hexdigit()));
}
