//! Error classification shared by every protocol: status code + the protocol's error body →
//! [`ErrorClass`], so callers can decide to retry or fail over without knowing the provider.

use std::fmt;
use std::time::{Duration, SystemTime};

/// What went wrong, in terms a retry/failover policy understands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ErrorClass {
    /// 429 or a throttling error; `retry_after` from `Retry-After`/`retry-after-ms` when sent.
    RateLimited {
        retry_after: Option<Duration>,
    },
    /// The provider is at capacity (Anthropic 529 `overloaded_error`, 503, Bedrock
    /// `ServiceUnavailableException`, Gemini `UNAVAILABLE`).
    Overloaded,
    /// Account quota or balance exhausted (OpenAI `insufficient_quota`, DeepSeek 402): retrying
    /// will not help, another provider may.
    QuotaExceeded,
    BadRequest,
    Auth,
    ContextTooLong,
    NotFound,
    ServerError,
    Timeout,
    ConnectionReset,
    /// The stream ended or broke before its terminal event.
    StreamCut,
    /// The provider answered with something that does not parse as its protocol.
    InvalidResponse,
}

impl ErrorClass {
    /// Whether the same request may succeed if sent again to the same provider.
    pub fn is_retryable(&self) -> bool {
        matches!(
            self,
            Self::RateLimited { .. }
                | Self::Overloaded
                | Self::ServerError
                | Self::Timeout
                | Self::ConnectionReset
                | Self::StreamCut
        )
    }

    /// Whether another provider may serve the request: everything except errors in the request
    /// itself, which would fail the same way anywhere.
    pub fn should_fail_over(&self) -> bool {
        !matches!(self, Self::BadRequest | Self::ContextTooLong)
    }

    /// A stable snake_case name for metrics and logs.
    pub fn as_str(&self) -> &'static str {
        match self {
            Self::RateLimited { .. } => "rate_limited",
            Self::Overloaded => "overloaded",
            Self::QuotaExceeded => "quota_exceeded",
            Self::BadRequest => "bad_request",
            Self::Auth => "auth",
            Self::ContextTooLong => "context_too_long",
            Self::NotFound => "not_found",
            Self::ServerError => "server_error",
            Self::Timeout => "timeout",
            Self::ConnectionReset => "connection_reset",
            Self::StreamCut => "stream_cut",
            Self::InvalidResponse => "invalid_response",
        }
    }

    /// The HTTP status a server side should answer with for this class.
    pub fn http_status(&self) -> u16 {
        match self {
            Self::RateLimited { .. } => 429,
            Self::Overloaded => 503,
            Self::QuotaExceeded => 429,
            Self::BadRequest | Self::ContextTooLong => 400,
            Self::Auth => 401,
            Self::NotFound => 404,
            Self::ServerError | Self::StreamCut | Self::InvalidResponse => 500,
            Self::Timeout => 504,
            Self::ConnectionReset => 502,
        }
    }

    /// Fallback classification from the status code alone.
    pub fn from_status(status: u16, retry_after: Option<Duration>) -> Self {
        match status {
            429 => Self::RateLimited { retry_after },
            402 => Self::QuotaExceeded,
            401 | 403 => Self::Auth,
            404 => Self::NotFound,
            408 | 504 => Self::Timeout,
            503 | 529 => Self::Overloaded,
            400..=499 => Self::BadRequest,
            _ => Self::ServerError,
        }
    }
}

impl fmt::Display for ErrorClass {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::RateLimited {
                retry_after: Some(d),
            } => write!(f, "rate limited (retry after {} ms)", d.as_millis()),
            other => f.write_str(&other.as_str().replace('_', " ")),
        }
    }
}

/// An error from talking to a provider.
#[derive(Debug, Clone, thiserror::Error)]
#[error("{class}: {message}")]
pub struct ProviderError {
    pub class: ErrorClass,
    /// HTTP status when the provider answered.
    pub status: Option<u16>,
    /// The provider's own error code/type (`rate_limit_exceeded`, `overloaded_error`,
    /// `ThrottlingException`, `RESOURCE_EXHAUSTED`), when it sent one.
    pub provider_code: Option<String>,
    pub message: String,
}

impl ProviderError {
    pub fn new(class: ErrorClass, message: impl Into<String>) -> Self {
        Self {
            class,
            status: None,
            provider_code: None,
            message: message.into(),
        }
    }

    pub fn is_retryable(&self) -> bool {
        self.class.is_retryable()
    }

    pub fn should_fail_over(&self) -> bool {
        self.class.should_fail_over()
    }

    pub(crate) fn invalid(err: impl fmt::Display) -> Self {
        Self::new(ErrorClass::InvalidResponse, err.to_string())
    }
}

impl From<CodecError> for ProviderError {
    fn from(e: CodecError) -> Self {
        Self::invalid(e)
    }
}

/// A wire format could not be parsed or produced.
#[derive(Debug, thiserror::Error)]
pub enum CodecError {
    #[error("invalid {what}: {source}")]
    Json {
        what: &'static str,
        #[source]
        source: JsonPathError,
    },
    #[error("invalid {what}: {message}")]
    Invalid { what: &'static str, message: String },
}

/// A JSON error carrying the path of the offending field (`messages[2].content`).
#[derive(Debug)]
pub struct JsonPathError {
    pub path: String,
    pub inner: serde_json::Error,
}

impl fmt::Display for JsonPathError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.path.is_empty() || self.path == "." {
            write!(f, "{}", self.inner)
        } else {
            write!(f, "at `{}`: {}", self.path, self.inner)
        }
    }
}

impl std::error::Error for JsonPathError {}

impl CodecError {
    pub(crate) fn invalid(what: &'static str, message: impl Into<String>) -> Self {
        Self::Invalid {
            what,
            message: message.into(),
        }
    }
}

/// Parses JSON into `T`, reporting the path of the field that failed.
pub(crate) fn from_json<T: serde::de::DeserializeOwned>(
    what: &'static str,
    bytes: &[u8],
) -> Result<T, CodecError> {
    let de = &mut serde_json::Deserializer::from_slice(bytes);
    serde_path_to_error::deserialize(de).map_err(|e| CodecError::Json {
        what,
        source: JsonPathError {
            path: e.path().to_string(),
            inner: e.into_inner(),
        },
    })
}

/// Serialises a wire struct; our wire structs hold only strings, numbers and JSON values, so this
/// cannot fail in practice, but the error is still reported rather than hidden.
pub(crate) fn to_json<T: serde::Serialize>(
    what: &'static str,
    value: &T,
) -> Result<Vec<u8>, CodecError> {
    serde_json::to_vec(value).map_err(|e| CodecError::Json {
        what,
        source: JsonPathError {
            path: String::new(),
            inner: e,
        },
    })
}

/// Parses a `Retry-After` value: delay-seconds or an HTTP-date (RFC 9110 §10.2.3), relative to
/// `now`. A date in the past gives zero.
pub fn parse_retry_after(value: &str, now: SystemTime) -> Option<Duration> {
    let value = value.trim();
    if let Ok(secs) = value.parse::<u64>() {
        return Some(Duration::from_secs(secs));
    }
    if let Ok(secs) = value.parse::<f64>() {
        if secs.is_finite() && secs >= 0.0 {
            return Some(Duration::from_secs_f64(secs));
        }
    }
    let at = httpdate::parse_http_date(value).ok()?;
    Some(at.duration_since(now).unwrap_or(Duration::ZERO))
}

/// Retry delay from response headers: `retry-after-ms` (OpenAI, Azure) wins over `retry-after`.
pub fn retry_after_from_headers(headers: &http::HeaderMap, now: SystemTime) -> Option<Duration> {
    if let Some(ms) = headers
        .get("retry-after-ms")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<f64>().ok())
        .filter(|v| v.is_finite() && *v >= 0.0)
    {
        return Some(Duration::from_secs_f64(ms / 1000.0));
    }
    headers
        .get(http::header::RETRY_AFTER)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| parse_retry_after(v, now))
}

/// Whether a provider message says the prompt did not fit the context window.
pub(crate) fn mentions_context_length(message: &str) -> bool {
    let m = message.to_ascii_lowercase();
    [
        "context length",
        "context_length",
        "context window",
        // Anthropic, when prompt and max_tokens together overrun: "input length and
        // `max_tokens` exceed context limit: 178959 + 64000 > 200000, ..."
        "exceed context limit",
        "prompt is too long",
        "input is too long",
        "too many tokens",
        "maximum context",
        "exceeds the maximum number of tokens",
        "input token count",
    ]
    .iter()
    .any(|needle| m.contains(needle))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retry_after_accepts_seconds_and_http_dates() {
        let now = httpdate::parse_http_date("Sun, 06 Nov 1994 08:49:37 GMT").unwrap();
        assert_eq!(
            parse_retry_after("120", now),
            Some(Duration::from_secs(120))
        );
        assert_eq!(
            parse_retry_after(" 1.5 ", now),
            Some(Duration::from_millis(1500))
        );
        assert_eq!(
            parse_retry_after("Sun, 06 Nov 1994 08:50:07 GMT", now),
            Some(Duration::from_secs(30))
        );
        assert_eq!(
            parse_retry_after("Sun, 06 Nov 1994 08:00:00 GMT", now),
            Some(Duration::ZERO)
        );
        assert_eq!(parse_retry_after("soon", now), None);
        assert_eq!(parse_retry_after("-3", now), None);
    }

    #[test]
    fn retry_after_ms_header_wins() {
        let mut h = http::HeaderMap::new();
        h.insert("retry-after", http::HeaderValue::from_static("9"));
        assert_eq!(
            retry_after_from_headers(&h, SystemTime::now()),
            Some(Duration::from_secs(9))
        );
        h.insert("retry-after-ms", http::HeaderValue::from_static("250"));
        assert_eq!(
            retry_after_from_headers(&h, SystemTime::now()),
            Some(Duration::from_millis(250))
        );
    }

    #[test]
    fn status_fallback_and_policies() {
        let cases = [
            (429, "rate_limited", true, true),
            (529, "overloaded", true, true),
            (503, "overloaded", true, true),
            (500, "server_error", true, true),
            (400, "bad_request", false, false),
            // 413 is a body-size limit (Anthropic: 32 MB), not the context window.
            (413, "bad_request", false, false),
            (401, "auth", false, true),
            (404, "not_found", false, true),
            (402, "quota_exceeded", false, true),
            (504, "timeout", true, true),
        ];
        for (status, name, retry, failover) in cases {
            let c = ErrorClass::from_status(status, None);
            assert_eq!(c.as_str(), name, "status {status}");
            assert_eq!(c.is_retryable(), retry, "status {status}");
            assert_eq!(c.should_fail_over(), failover, "status {status}");
        }
    }

    #[test]
    fn json_errors_name_the_field_path() {
        #[derive(serde::Deserialize, Debug)]
        struct W {
            #[allow(dead_code, reason = "only parsed")]
            a: Vec<u32>,
        }
        let err = from_json::<W>("thing", br#"{"a":[1,"x"]}"#).unwrap_err();
        assert!(err.to_string().contains("a[1]"), "{err}");
    }
}
