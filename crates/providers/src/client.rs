//! HTTP client for any [`Protocol`]: pooled connections, TCP_NODELAY, separate timeouts for
//! connect, first byte (response headers), first token and stream idle, and timing of every
//! stream for the load generator. Secrets only travel in headers marked sensitive and are never
//! logged.

use std::collections::VecDeque;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::{Duration, Instant, SystemTime};

use bytes::Bytes;
use futures::{Stream, StreamExt};
use http::{HeaderMap, HeaderName, HeaderValue};
use tokio::time::Sleep;

use crate::error::{ErrorClass, ProviderError};
use crate::protocol::anthropic::ANTHROPIC_VERSION;
use crate::protocol::bedrock::{sign_request, SignableHttp, SIGNING_SERVICE};
use crate::protocol::{AuthStyle, Protocol, StreamDecoder};
use crate::secret::{Credentials, Secret};
use crate::types::{
    ChatRequest, ChatResponse, EmbeddingRequest, EmbeddingResponse, ModelInfo, StreamEvent,
};

/// Where and how to reach one provider endpoint.
#[derive(Debug, Clone)]
pub struct ProviderEndpoint {
    pub protocol: Protocol,
    /// Base URL without the operation path: `https://api.openai.com/v1`,
    /// `https://api.anthropic.com`, `https://bedrock-runtime.us-east-1.amazonaws.com`,
    /// `https://generativelanguage.googleapis.com/v1beta` (see `Dialect::base_urls`).
    pub base_url: String,
    pub credentials: Credentials,
    /// SigV4 signing region for Bedrock; taken from a `bedrock-runtime.<region>.` host if unset.
    pub region: Option<String>,
    /// Extra headers sent on every request (e.g. Qianfan's optional `appid`).
    pub extra_headers: Vec<(String, String)>,
}

impl ProviderEndpoint {
    pub fn new(protocol: Protocol, base_url: impl Into<String>, credentials: Credentials) -> Self {
        Self {
            protocol,
            base_url: base_url.into(),
            credentials,
            region: None,
            extra_headers: Vec::new(),
        }
    }

    fn signing_region(&self) -> Option<String> {
        if let Some(r) = &self.region {
            return Some(r.clone());
        }
        let host = self
            .base_url
            .split("://")
            .nth(1)?
            .split(['/', ':'])
            .next()?;
        let rest = host.strip_prefix("bedrock-runtime.")?;
        rest.split('.').next().map(str::to_owned)
    }
}

/// Client tuning. Option names carry their units.
#[derive(Debug, Clone)]
pub struct ClientOptions {
    /// TCP (+TLS) connect.
    pub connect_timeout: Duration,
    /// Request sent → response headers received.
    pub first_byte_timeout: Duration,
    /// Request sent → first generated token (streams only).
    pub first_token_timeout: Duration,
    /// Longest silence between two body chunks of a stream.
    pub stream_idle_timeout: Duration,
    /// Whole request for non-streaming calls (headers and body).
    pub request_timeout: Duration,
    pub pool_max_idle_per_host: usize,
    pub pool_idle_timeout: Duration,
    pub user_agent: String,
}

impl Default for ClientOptions {
    fn default() -> Self {
        Self {
            connect_timeout: Duration::from_secs(10),
            first_byte_timeout: Duration::from_secs(60),
            first_token_timeout: Duration::from_secs(60),
            stream_idle_timeout: Duration::from_secs(30),
            request_timeout: Duration::from_secs(600),
            pool_max_idle_per_host: 256,
            pool_idle_timeout: Duration::from_secs(90),
            user_agent: concat!("cloudfit/", env!("CARGO_PKG_VERSION")).to_owned(),
        }
    }
}

/// A client for one endpoint. Cheap to clone (the connection pool is shared).
#[derive(Debug, Clone)]
pub struct ProviderClient {
    http: reqwest::Client,
    endpoint: ProviderEndpoint,
    options: ClientOptions,
}

/// Builds the pooled HTTP client [`ProviderClient::with_http_client`] can share between
/// endpoints.
pub fn build_http_client(options: &ClientOptions) -> Result<reqwest::Client, ProviderError> {
    reqwest::Client::builder()
        .tcp_nodelay(true)
        .connect_timeout(options.connect_timeout)
        .pool_max_idle_per_host(options.pool_max_idle_per_host)
        .pool_idle_timeout(options.pool_idle_timeout)
        .user_agent(options.user_agent.clone())
        .build()
        .map_err(|e| ProviderError::new(ErrorClass::ServerError, format!("http client: {e}")))
}

impl ProviderClient {
    pub fn new(endpoint: ProviderEndpoint, options: ClientOptions) -> Result<Self, ProviderError> {
        let http = build_http_client(&options)?;
        Ok(Self::with_http_client(endpoint, options, http))
    }

    /// Shares an existing connection pool (one pool for many endpoints).
    pub fn with_http_client(
        endpoint: ProviderEndpoint,
        options: ClientOptions,
        http: reqwest::Client,
    ) -> Self {
        Self {
            http,
            endpoint,
            options,
        }
    }

    pub fn endpoint(&self) -> &ProviderEndpoint {
        &self.endpoint
    }

    /// A non-streaming chat call.
    pub async fn chat(&self, mut req: ChatRequest) -> Result<ChatResponse, ProviderError> {
        req.stream = false;
        let protocol = self.endpoint.protocol;
        let body = protocol.encode_request(&req)?;
        let path = protocol.chat_path(&req.model, false);
        let fut = async {
            let resp = self
                .send(http::Method::POST, &path, body, "application/json")
                .await?;
            let headers = resp.headers().clone();
            let bytes = read_body(resp).await?;
            let mut out = protocol.decode_response(&bytes)?;
            if out.id.is_empty() {
                out.id = request_id(&headers).unwrap_or_default();
            }
            if out.model.is_empty() {
                out.model.clone_from(&req.model);
            }
            Ok(out)
        };
        tokio::time::timeout(self.options.request_timeout, fut)
            .await
            .unwrap_or_else(|_| Err(timeout_error("request", self.options.request_timeout)))
    }

    /// A streaming chat call. Resolves once the response headers arrived with a success
    /// status; events then come from the returned [`ChatStream`]. Usage reporting is requested
    /// (`stream_options.include_usage` on OpenAI-style endpoints).
    pub async fn chat_stream(&self, mut req: ChatRequest) -> Result<ChatStream, ProviderError> {
        req.stream = true;
        req.include_usage = true;
        let protocol = self.endpoint.protocol;
        let body = protocol.encode_request(&req)?;
        let path = protocol.chat_path(&req.model, true);
        let started = Instant::now();
        let resp = self
            .send(
                http::Method::POST,
                &path,
                body,
                protocol.stream_content_type(),
            )
            .await?;
        let headers_after = started.elapsed();
        let request_id = request_id(resp.headers());
        Ok(ChatStream::new(
            Box::pin(resp.bytes_stream()),
            protocol.stream_decoder(),
            started,
            headers_after,
            &self.options,
            request_id,
            req.model,
        ))
    }

    /// Embeddings (OpenAI family and Gemini).
    pub async fn embed(&self, req: EmbeddingRequest) -> Result<EmbeddingResponse, ProviderError> {
        let protocol = self.endpoint.protocol;
        let Some(path) = protocol.embeddings_path(&req.model) else {
            return Err(ProviderError::new(
                ErrorClass::BadRequest,
                format!(
                    "embeddings are not implemented for protocol {}",
                    protocol.name()
                ),
            ));
        };
        // what cannot be encoded is the caller's request (an unknown Bedrock model family)
        let bodies = protocol
            .encode_embedding_requests(&req)
            .map_err(|e| ProviderError::new(ErrorClass::BadRequest, e.to_string()))?;
        let url = self.url(&path);
        // Bedrock's Titan takes one input per call: the calls run concurrently, and the first
        // failure fails the request
        let calls = bodies.into_iter().map(|body| async {
            let resp = self
                .send_to(http::Method::POST, &url, body, "application/json")
                .await?;
            read_body(resp).await
        });
        let fut = async {
            let responses = futures::future::try_join_all(calls).await?;
            Ok(protocol.decode_embedding_responses(&responses, &req.model)?)
        };
        tokio::time::timeout(self.options.request_timeout, fut)
            .await
            .unwrap_or_else(|_| Err(timeout_error("request", self.options.request_timeout)))
    }

    /// The models the endpoint lists (Bedrock: ListFoundationModels on the control-plane host
    /// that belongs to the runtime base URL).
    pub async fn list_models(&self) -> Result<Vec<ModelInfo>, ProviderError> {
        let protocol = self.endpoint.protocol;
        let Some(path) = protocol.models_path() else {
            return Err(ProviderError::new(
                ErrorClass::BadRequest,
                format!(
                    "listing models is not implemented for protocol {}",
                    protocol.name()
                ),
            ));
        };
        let base = protocol.models_base_url(&self.endpoint.base_url);
        let url = format!("{}{path}", base.trim_end_matches('/'));
        let fut = async {
            let resp = self
                .send_to(http::Method::GET, &url, Vec::new(), "application/json")
                .await?;
            let bytes = read_body(resp).await?;
            Ok(protocol.decode_models(&bytes)?)
        };
        tokio::time::timeout(self.options.request_timeout, fut)
            .await
            .unwrap_or_else(|_| Err(timeout_error("request", self.options.request_timeout)))
    }

    fn url(&self, path: &str) -> String {
        format!("{}{}", self.endpoint.base_url.trim_end_matches('/'), path)
    }

    /// Headers for a request, credentials included (marked sensitive).
    fn headers(
        &self,
        method: &http::Method,
        url: &str,
        body: &[u8],
        accept: &str,
    ) -> Result<HeaderMap, ProviderError> {
        let mut h = HeaderMap::new();
        h.insert(http::header::ACCEPT, header_value(accept)?);
        if !body.is_empty() {
            h.insert(
                http::header::CONTENT_TYPE,
                HeaderValue::from_static("application/json"),
            );
        }
        for (k, v) in &self.endpoint.extra_headers {
            let name = HeaderName::from_bytes(k.as_bytes()).map_err(|e| {
                ProviderError::new(ErrorClass::BadRequest, format!("extra header `{k}`: {e}"))
            })?;
            h.insert(name, header_value(v)?);
        }
        let protocol = self.endpoint.protocol;
        if protocol == Protocol::Anthropic {
            h.insert(
                "anthropic-version",
                HeaderValue::from_static(ANTHROPIC_VERSION),
            );
        }
        match &self.endpoint.credentials {
            Credentials::None => {}
            Credentials::ApiKey(key) => {
                let (name, value) = match protocol {
                    Protocol::OpenAi(d) if d.auth_style() == AuthStyle::ApiKeyHeader => {
                        ("api-key", key.expose().to_owned())
                    }
                    Protocol::Anthropic => ("x-api-key", key.expose().to_owned()),
                    Protocol::Gemini => ("x-goog-api-key", key.expose().to_owned()),
                    // OpenAI family and Bedrock API keys
                    _ => ("authorization", format!("Bearer {}", key.expose())),
                };
                h.insert(name, secret_value(&Secret::new(value))?);
            }
            Credentials::Aws(creds) => {
                let region = self.endpoint.signing_region().ok_or_else(|| {
                    ProviderError::new(
                        ErrorClass::BadRequest,
                        "sigv4 needs a region: set `region` on the endpoint",
                    )
                })?;
                let parsed = reqwest::Url::parse(url).map_err(|e| {
                    ProviderError::new(ErrorClass::BadRequest, format!("url `{url}`: {e}"))
                })?;
                let host = match (parsed.host_str(), parsed.port()) {
                    (Some(h), Some(p)) => format!("{h}:{p}"),
                    (Some(h), None) => h.to_owned(),
                    (None, _) => String::new(),
                };
                let mut to_sign: Vec<(&str, &str)> = vec![("host", host.as_str())];
                if !body.is_empty() {
                    to_sign.push(("content-type", "application/json"));
                }
                let signable = SignableHttp {
                    method: method.as_str(),
                    url,
                    headers: &to_sign,
                    body,
                };
                let signed = sign_request(
                    &signable,
                    creds,
                    &region,
                    SIGNING_SERVICE,
                    SystemTime::now(),
                )
                .map_err(|e| ProviderError::new(ErrorClass::Auth, e.to_string()))?;
                for (k, v) in signed {
                    let name = HeaderName::from_bytes(k.as_bytes()).map_err(|e| {
                        ProviderError::new(ErrorClass::Auth, format!("signed header `{k}`: {e}"))
                    })?;
                    h.insert(name, secret_value(&Secret::new(v))?);
                }
            }
        }
        Ok(h)
    }

    /// Sends a request; resolves at the response headers (bounded by the first-byte timeout)
    /// and turns error statuses into classified errors.
    async fn send(
        &self,
        method: http::Method,
        path: &str,
        body: Vec<u8>,
        accept: &str,
    ) -> Result<reqwest::Response, ProviderError> {
        self.send_to(method, &self.url(path), body, accept).await
    }

    /// [`ProviderClient::send`] to a full URL (Bedrock's control plane is on another host).
    async fn send_to(
        &self,
        method: http::Method,
        url: &str,
        body: Vec<u8>,
        accept: &str,
    ) -> Result<reqwest::Response, ProviderError> {
        let headers = self.headers(&method, url, &body, accept)?;
        let mut rb = self.http.request(method, url).headers(headers);
        if !body.is_empty() {
            rb = rb.body(body);
        }
        tracing::debug!(protocol = self.endpoint.protocol.name(), url = %url, "provider request");
        let resp = match tokio::time::timeout(self.options.first_byte_timeout, rb.send()).await {
            Err(_) => return Err(timeout_error("first byte", self.options.first_byte_timeout)),
            Ok(Err(e)) => return Err(transport_error(&e, false)),
            Ok(Ok(r)) => r,
        };
        let status = resp.status();
        if status.is_success() {
            return Ok(resp);
        }
        let headers = resp.headers().clone();
        let body = read_body(resp).await.unwrap_or_default();
        let err = self
            .endpoint
            .protocol
            .classify_error(status.as_u16(), &headers, &body);
        tracing::debug!(
            status = status.as_u16(),
            class = err.class.as_str(),
            "provider error"
        );
        Err(err)
    }
}

fn header_value(v: &str) -> Result<HeaderValue, ProviderError> {
    HeaderValue::from_str(v)
        .map_err(|e| ProviderError::new(ErrorClass::BadRequest, format!("header value: {e}")))
}

fn secret_value(v: &Secret) -> Result<HeaderValue, ProviderError> {
    let mut hv = HeaderValue::from_str(v.expose()).map_err(|_| {
        ProviderError::new(ErrorClass::Auth, "credential is not a valid header value")
    })?;
    hv.set_sensitive(true);
    Ok(hv)
}

fn request_id(headers: &HeaderMap) -> Option<String> {
    ["x-request-id", "x-amzn-requestid", "request-id"]
        .iter()
        .find_map(|n| {
            headers
                .get(*n)
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned)
        })
}

async fn read_body(resp: reqwest::Response) -> Result<Bytes, ProviderError> {
    resp.bytes().await.map_err(|e| transport_error(&e, false))
}

fn timeout_error(what: &str, after: Duration) -> ProviderError {
    ProviderError::new(
        ErrorClass::Timeout,
        format!("no {what} within {} ms", after.as_millis()),
    )
}

/// Classifies a transport failure; `mid_stream` distinguishes a cut stream from a failed call.
fn transport_error(e: &reqwest::Error, mid_stream: bool) -> ProviderError {
    // the source chain carries hyper's/io's reason ("connection reset", "incomplete message")
    let mut detail = e.to_string();
    let mut src = std::error::Error::source(e);
    while let Some(s) = src {
        detail.push_str(": ");
        detail.push_str(&s.to_string());
        src = s.source();
    }
    let class = if e.is_timeout() {
        ErrorClass::Timeout
    } else if mid_stream {
        ErrorClass::StreamCut
    } else {
        ErrorClass::ConnectionReset
    };
    ProviderError::new(class, detail)
}

/// When things happened in a stream, relative to sending the request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StreamTiming {
    pub sent_at: Instant,
    /// Response headers received.
    pub headers: Duration,
    /// First body bytes received.
    pub first_byte: Option<Duration>,
    /// First event carrying generated content ([`StreamEvent::is_token`]).
    pub first_token: Option<Duration>,
    /// The stream's terminal event was decoded.
    pub completed: Option<Duration>,
}

type ByteStream = Pin<Box<dyn Stream<Item = Result<Bytes, reqwest::Error>> + Send>>;

/// A streamed chat response: a `Stream` of events that enforces the first-token and idle
/// timeouts, reports a cut stream as [`ErrorClass::StreamCut`], and records [`StreamTiming`].
pub struct ChatStream {
    body: ByteStream,
    decoder: Box<dyn StreamDecoder>,
    pending: VecDeque<StreamEvent>,
    timing: StreamTiming,
    timer: Pin<Box<Sleep>>,
    first_token_deadline: tokio::time::Instant,
    first_token_timeout: Duration,
    idle_timeout: Duration,
    request_id: Option<String>,
    model: String,
    eof: bool,
    finished: bool,
}

impl std::fmt::Debug for ChatStream {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ChatStream")
            .field("timing", &self.timing)
            .field("request_id", &self.request_id)
            .finish_non_exhaustive()
    }
}

impl ChatStream {
    fn new(
        body: ByteStream,
        decoder: Box<dyn StreamDecoder>,
        sent_at: Instant,
        headers: Duration,
        options: &ClientOptions,
        request_id: Option<String>,
        model: String,
    ) -> Self {
        let now = tokio::time::Instant::now();
        let first_token_deadline = now
            + options
                .first_token_timeout
                .saturating_sub(sent_at.elapsed());
        let idle = now + options.stream_idle_timeout;
        Self {
            body,
            decoder,
            pending: VecDeque::new(),
            timing: StreamTiming {
                sent_at,
                headers,
                first_byte: None,
                first_token: None,
                completed: None,
            },
            timer: Box::pin(tokio::time::sleep_until(first_token_deadline.min(idle))),
            first_token_deadline,
            first_token_timeout: options.first_token_timeout,
            idle_timeout: options.stream_idle_timeout,
            request_id,
            model,
            eof: false,
            finished: false,
        }
    }

    pub fn timing(&self) -> StreamTiming {
        self.timing
    }

    /// The provider's request id header, when it sent one.
    pub fn request_id(&self) -> Option<&str> {
        self.request_id.as_deref()
    }

    /// The model asked for.
    pub fn model(&self) -> &str {
        &self.model
    }

    fn rearm(&mut self) {
        let idle = tokio::time::Instant::now() + self.idle_timeout;
        let deadline = if self.timing.first_token.is_some() {
            idle
        } else {
            idle.min(self.first_token_deadline)
        };
        self.timer.as_mut().reset(deadline);
    }

    fn fail(&mut self, e: ProviderError) -> Poll<Option<Result<StreamEvent, ProviderError>>> {
        self.finished = true;
        Poll::Ready(Some(Err(e)))
    }
}

impl Stream for ChatStream {
    type Item = Result<StreamEvent, ProviderError>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = &mut *self;
        loop {
            if let Some(mut ev) = this.pending.pop_front() {
                // as `chat` does: the request id header and the requested model stand in for
                // what the stream does not carry (Bedrock's events name neither)
                if let StreamEvent::Start { id, model } = &mut ev {
                    if id.is_none() {
                        id.clone_from(&this.request_id);
                    }
                    if model.is_none() {
                        *model = Some(this.model.clone());
                    }
                }
                let at = this.timing.sent_at.elapsed();
                if ev.is_token() && this.timing.first_token.is_none() {
                    this.timing.first_token = Some(at);
                }
                if ev == StreamEvent::Done {
                    this.timing.completed = Some(at);
                }
                return Poll::Ready(Some(Ok(ev)));
            }
            if this.finished || this.eof {
                this.finished = true;
                return Poll::Ready(None);
            }
            if this.timer.as_mut().poll(cx).is_ready() {
                let e = if this.timing.first_token.is_none()
                    && tokio::time::Instant::now() >= this.first_token_deadline
                {
                    timeout_error("first token", this.first_token_timeout)
                } else {
                    timeout_error("stream data (idle)", this.idle_timeout)
                };
                return this.fail(e);
            }
            match this.body.poll_next_unpin(cx) {
                Poll::Pending => return Poll::Pending,
                Poll::Ready(Some(Ok(chunk))) => {
                    if this.timing.first_byte.is_none() {
                        this.timing.first_byte = Some(this.timing.sent_at.elapsed());
                    }
                    this.rearm();
                    match this.decoder.feed(&chunk) {
                        Ok(events) => this.pending.extend(events),
                        Err(e) => return this.fail(e),
                    }
                }
                Poll::Ready(Some(Err(e))) => {
                    let err = transport_error(&e, true);
                    return this.fail(err);
                }
                Poll::Ready(None) => {
                    this.eof = true;
                    match this.decoder.finish() {
                        Ok(events) => this.pending.extend(events),
                        Err(e) => return this.fail(e),
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bedrock_region_comes_from_the_host() {
        let ep = ProviderEndpoint::new(
            Protocol::Bedrock,
            "https://bedrock-runtime.eu-central-1.amazonaws.com",
            Credentials::None,
        );
        assert_eq!(ep.signing_region().as_deref(), Some("eu-central-1"));
        let ep = ProviderEndpoint {
            region: Some("us-west-2".into()),
            ..ProviderEndpoint::new(Protocol::Bedrock, "http://127.0.0.1:9", Credentials::None)
        };
        assert_eq!(ep.signing_region().as_deref(), Some("us-west-2"));
    }
}
