//! Credentials that never reach a log.

use std::fmt;

/// A secret string (API key, AWS secret key). `Debug` and `Display` print `[redacted]`; the value
/// is only reachable through [`Secret::expose`], so every use is greppable.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret([redacted])")
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[redacted]")
    }
}

impl From<&str> for Secret {
    fn from(s: &str) -> Self {
        Self::new(s)
    }
}

impl From<String> for Secret {
    fn from(s: String) -> Self {
        Self(s)
    }
}

/// AWS access key pair for SigV4 signing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AwsCredentials {
    pub access_key_id: String,
    pub secret_access_key: Secret,
    pub session_token: Option<Secret>,
}

/// How a client authenticates to an endpoint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Credentials {
    None,
    /// An API key sent the way the protocol/dialect expects (Bearer, `api-key`, `x-api-key`,
    /// `x-goog-api-key`; a Bedrock API key as Bearer).
    ApiKey(Secret),
    /// SigV4 (Bedrock).
    Aws(AwsCredentials),
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_and_display_never_show_the_value() {
        let c = Credentials::Aws(AwsCredentials {
            access_key_id: "AKID".into(),
            secret_access_key: Secret::new("super-secret-value"),
            session_token: Some(Secret::new("token-value")),
        });
        let shown = format!("{c:?} {}", Secret::new("super-secret-value"));
        assert!(!shown.contains("super-secret-value"), "{shown}");
        assert!(!shown.contains("token-value"), "{shown}");
        assert!(shown.contains("redacted"));
    }
}
