//! The four wire protocols. Each module maps requests to a [`ChatSpec`](crate::plan::ChatSpec),
//! writes responses and stream events in its own format, and answers errors in its own shape.

pub(crate) mod anthropic;
pub(crate) mod bedrock;
pub(crate) mod gemini;
pub(crate) mod limits;
pub(crate) mod openai;
pub(crate) mod responses;

use std::sync::Arc;
use std::time::Duration;

use axum::response::{IntoResponse, Response};
use http::StatusCode;
use rand_chacha::ChaCha8Rng;
use tokio::time::Instant;

use crate::cache::{CacheUse, Prompt, PromptBuilder};
use crate::config::OutageMode;
use crate::plan::{Plan, StreamFault};
use crate::server::{Admission, ConnKill, Injected, Provider};

/// Errors every protocol can answer, each in its own shape.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum ErrKind {
    Unauthorized(String),
    BadRequest {
        message: String,
        param: Option<String>,
        /// A machine-readable reason where the protocol has one (OpenAI's `error.code`).
        code: Option<&'static str>,
    },
    ModelNotFound(String),
    RateLimited {
        retry_after_s: u64,
    },
    Server,
    Unavailable,
}

impl From<Injected> for ErrKind {
    fn from(i: Injected) -> Self {
        match i {
            Injected::RateLimited { retry_after_s } => Self::RateLimited { retry_after_s },
            Injected::ServerError => Self::Server,
            Injected::Unavailable => Self::Unavailable,
        }
    }
}

pub(crate) fn bad(message: impl Into<String>, param: Option<&str>) -> ErrKind {
    ErrKind::BadRequest {
        message: message.into(),
        param: param.map(str::to_owned),
        code: None,
    }
}

/// A 400 naming the refused field and the protocol's reason code for it.
pub(crate) fn bad_field(message: impl Into<String>, param: &str, code: &'static str) -> ErrKind {
    ErrKind::BadRequest {
        message: message.into(),
        param: Some(param.to_owned()),
        code: Some(code),
    }
}

/// The JSON type a request field must have.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    Integer,
    Number,
    Boolean,
}

/// Why a field's value was refused.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Fault {
    /// Another JSON type than the rule's kind.
    Type(Kind),
    /// Below the inclusive minimum.
    Below(f64),
    /// Above the inclusive maximum.
    Above(f64),
}

/// What one optional request field must be: a JSON type and inclusive bounds. Every protocol
/// checks its sampling fields with these before anything is planned, and words the [`Fault`]
/// in its own error shape.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Rule {
    pub kind: Kind,
    pub min: Option<f64>,
    pub max: Option<f64>,
}

impl Rule {
    pub(crate) const BOOLEAN: Self = Self {
        kind: Kind::Boolean,
        min: None,
        max: None,
    };
    pub(crate) const INTEGER: Self = Self {
        kind: Kind::Integer,
        min: None,
        max: None,
    };

    pub(crate) const fn integer_at_least(min: i32) -> Self {
        Self {
            kind: Kind::Integer,
            min: Some(min as f64),
            max: None,
        }
    }

    pub(crate) const fn integer_in(min: i32, max: i32) -> Self {
        Self {
            kind: Kind::Integer,
            min: Some(min as f64),
            max: Some(max as f64),
        }
    }

    pub(crate) const fn number_in(lo: f64, hi: f64) -> Self {
        Self {
            kind: Kind::Number,
            min: Some(lo),
            max: Some(hi),
        }
    }

    /// Check a value as JSON types it: an integer must be a JSON integer (`1.0` and `"1"` are
    /// refused, as OpenAI and Anthropic refuse them). Absent and `null` pass: the fields are
    /// optional and the APIs read `null` as "not given".
    pub(crate) fn check(self, value: Option<&serde_json::Value>) -> Result<(), Fault> {
        use serde_json::Value;
        let x = match value {
            None | Some(Value::Null) => return Ok(()),
            Some(Value::Bool(_)) if self.kind == Kind::Boolean => return Ok(()),
            Some(Value::Number(n)) if self.kind == Kind::Number => n.as_f64(),
            Some(Value::Number(n)) if self.kind == Kind::Integer => n
                .as_i64()
                .map(|i| i as f64)
                .or_else(|| n.as_u64().map(|u| u as f64)),
            Some(_) => None,
        };
        self.bounds(x.ok_or(Fault::Type(self.kind))?)
    }

    /// Check a number already read (protocols that coerce, like protobuf JSON, read it first).
    pub(crate) fn bounds(self, x: f64) -> Result<(), Fault> {
        match (self.min, self.max) {
            (Some(min), _) if x < min => Err(Fault::Below(min)),
            (_, Some(max)) if x > max => Err(Fault::Above(max)),
            _ => Ok(()),
        }
    }
}

/// A bound as the APIs print it: `1`, `2`, `-2`, `0.5`.
pub(crate) fn bound_text(b: f64) -> String {
    if b.fract() == 0.0 && b.abs() < 1e15 {
        format!("{}", b as i64)
    } else {
        b.to_string()
    }
}

/// Per-request context: arrival time, random draws, fault decision, connection handle.
pub(crate) struct Ctx {
    pub p: Arc<Provider>,
    pub route: &'static str,
    pub serial: u64,
    pub rng: ChaCha8Rng,
    pub arrival: Instant,
    pub admission: Admission,
    conn: Option<ConnKill>,
}

impl Ctx {
    pub(crate) fn new(p: &Arc<Provider>, route: &'static str, conn: Option<ConnKill>) -> Self {
        let arrival = Instant::now();
        let (serial, mut rng) = p.next_request();
        let admission = p.admit(&mut rng);
        Self {
            p: Arc::clone(p),
            route,
            serial,
            rng,
            arrival,
            admission,
            conn,
        }
    }

    /// Outages and resets happen before the request is read. `Some` ends the request.
    pub(crate) async fn gate(&self, error: fn(&ErrKind) -> Response) -> Option<Response> {
        match self.admission {
            Admission::Outage(OutageMode::Error) => {
                self.p.hits.fault_outage();
                Some(self.finish(error(&ErrKind::Unavailable)))
            }
            Admission::Outage(OutageMode::Reset) => {
                self.p.hits.fault_outage();
                Some(self.reset().await)
            }
            Admission::Reset => Some(self.reset().await),
            Admission::Inject(_) | Admission::Pass { .. } => None,
        }
    }

    /// Drop the TCP connection without a response.
    async fn reset(&self) -> Response {
        self.p.hits.record(self.route, 0);
        self.p.hits.fault_reset();
        match &self.conn {
            Some(kill) => {
                kill.0.cancel();
                std::future::pending::<Response>().await
            }
            // served without a socket (tests calling the router directly)
            None => StatusCode::INTERNAL_SERVER_ERROR.into_response(),
        }
    }

    /// The injected error for a request that passed auth and validation.
    pub(crate) fn injected(&self) -> Option<ErrKind> {
        match self.admission {
            Admission::Inject(i) => Some(i.into()),
            _ => None,
        }
    }

    pub(crate) fn stream_fault(&self) -> Option<StreamFault> {
        match self.admission {
            Admission::Pass { stream_fault, .. } => stream_fault,
            _ => None,
        }
    }

    /// Hold the response headers back when the slow-headers fault fired.
    pub(crate) async fn slow_headers(&self) {
        if let Admission::Pass {
            slow_headers: Some(d),
            ..
        } = self.admission
        {
            self.p.hits.fault_slow_headers();
            self.sleep_until(Instant::now() + d).await;
        }
    }

    /// Sleep until `due`; false when the server shuts down first.
    pub(crate) async fn sleep_until(&self, due: Instant) -> bool {
        tokio::select! {
            () = tokio::time::sleep_until(due) => true,
            () = self.p.cancel.cancelled() => false,
        }
    }

    /// Wait as long as generating the whole plan takes (non-streaming responses).
    pub(crate) async fn wait_for(&self, plan: &Plan) -> bool {
        self.sleep_until(self.arrival + plan.total_duration()).await
    }

    /// The prompt cache's part of this request: the cached prefix is looked up and this
    /// request's prefixes stored, as of its arrival. Nothing is cached when caching is off.
    pub(crate) fn cache(&self, prompt: &Prompt) -> CacheUse {
        match &self.p.prompt_cache {
            Some(c) => c.serve(prompt, self.arrival),
            None => CacheUse {
                marked: prompt.markers() > 0,
                ..CacheUse::default()
            },
        }
    }

    /// The plan for `spec`: built under the provider's config, with the prompt cache's share
    /// of `prompt` and the time reading the rest of it adds to the first token.
    pub(crate) fn plan(
        &self,
        spec: &crate::plan::ChatSpec,
        prompt: &Prompt,
        rng: &mut ChaCha8Rng,
        fault: Option<StreamFault>,
    ) -> Plan {
        let cfg = &self.p.cfg;
        let mut plan = crate::plan::build(cfg, &self.p.corpus, spec, self.serial, rng, fault);
        plan.cache = self.cache(prompt);
        let uncached = plan.input_tokens.saturating_sub(plan.cache.read);
        plan.timing.ttft += crate::plan::prefill_time(cfg, uncached);
        plan
    }

    /// Count the response and hand it on.
    pub(crate) fn finish(&self, response: Response) -> Response {
        self.p.hits.record(self.route, response.status().as_u16());
        response
    }
}

/// A prompt builder for `model` that hashes only when the provider caches prompts.
pub(crate) fn prompt_builder(
    p: &Provider,
    model: &str,
    context: &[Option<&serde_json::Value>],
) -> PromptBuilder {
    PromptBuilder::new(model, context, p.prompt_cache.is_some())
}

/// Whether any text in `v` (a conversation) says "json", in any case, as JSON mode requires.
pub(crate) fn mentions_json(v: &serde_json::Value) -> bool {
    use serde_json::Value;
    match v {
        Value::String(s) => s.to_ascii_lowercase().contains("json"),
        Value::Array(xs) => xs.iter().any(mentions_json),
        Value::Object(m) => m.values().any(mentions_json),
        Value::Number(_) | Value::Bool(_) | Value::Null => false,
    }
}

/// The key a client presented is acceptable.
pub(crate) fn key_ok(p: &Provider, presented: Option<&str>) -> bool {
    match presented.map(str::trim) {
        None | Some("") => false,
        Some(k) => p.cfg.api_keys.is_empty() || p.cfg.api_keys.iter().any(|a| a == k),
    }
}

pub(crate) fn bearer(headers: &http::HeaderMap) -> Option<&str> {
    headers
        .get(http::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| {
            v.strip_prefix("Bearer ")
                .or_else(|| v.strip_prefix("bearer "))
        })
}

pub(crate) fn header<'a>(headers: &'a http::HeaderMap, name: &str) -> Option<&'a str> {
    headers.get(name).and_then(|v| v.to_str().ok())
}

/// Is `model` one this provider serves for chat? Returns whether it reasons.
pub(crate) fn chat_model(p: &Provider, model: &str) -> Option<bool> {
    if p.cfg.reasoning_models.iter().any(|m| m == model) {
        Some(true)
    } else if p.cfg.models.iter().any(|m| m == model) {
        Some(false)
    } else {
        None
    }
}

/// A short random-looking id from a serial number.
pub(crate) fn make_id(serial: u64, salt: u64, len: usize) -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    let mut out = String::with_capacity(len);
    let mut x = crate::plan::mix(serial ^ salt.rotate_left(13));
    for i in 0..len {
        if i % 10 == 9 {
            x = crate::plan::mix(x);
        }
        out.push(ALPHABET[(x % 62) as usize] as char);
        x /= 62;
    }
    out
}

/// The response a streaming handler returns: headers now, body on the plan's schedule.
pub(crate) fn stream_response(
    content_type: &'static str,
    body: impl futures::Stream<Item = Result<bytes::Bytes, std::io::Error>> + Send + 'static,
    extra: &[(&'static str, String)],
) -> Response {
    let mut builder = http::Response::builder()
        .status(StatusCode::OK)
        .header(http::header::CONTENT_TYPE, content_type)
        .header(http::header::CACHE_CONTROL, "no-cache");
    for (k, v) in extra {
        builder = builder.header(*k, v.as_str());
    }
    builder
        .body(axum::body::Body::from_stream(body))
        .unwrap_or_else(|_| StatusCode::INTERNAL_SERVER_ERROR.into_response())
}

/// A JSON response with a status and extra headers.
pub(crate) fn json_response(
    status: StatusCode,
    body: &serde_json::Value,
    extra: &[(&'static str, String)],
) -> Response {
    let bytes = serde_json::to_vec(body).unwrap_or_default();
    let mut builder = http::Response::builder()
        .status(status)
        .header(http::header::CONTENT_TYPE, "application/json");
    for (k, v) in extra {
        builder = builder.header(*k, v.as_str());
    }
    builder
        .body(axum::body::Body::from(bytes))
        .unwrap_or_else(|_| StatusCode::INTERNAL_SERVER_ERROR.into_response())
}

/// `Duration` in whole milliseconds for metrics fields.
pub(crate) fn millis(d: Duration) -> u64 {
    u64::try_from(d.as_millis()).unwrap_or(u64::MAX)
}
