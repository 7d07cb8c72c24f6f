//! Wire protocols. One file per protocol; each maps its wire format to and from the internal
//! shape in both directions:
//!
//! * client side: internal request → wire request, wire response/stream → internal, error body →
//!   [`ErrorClass`];
//! * server side (emulator, gateway): wire request → internal, internal response/stream → wire,
//!   [`ErrorClass`] → wire error body.
//!
//! [`Protocol`] is the single entry point; it dispatches to the protocol files.

pub mod anthropic;
pub mod bedrock;
pub mod gemini;
pub mod openai;
pub mod openai_dialects;

use std::time::{Duration, SystemTime};

use http::HeaderMap;

pub use openai_dialects::{AuthStyle, CachedTokensField, Dialect};

use crate::error::{
    mentions_context_length, retry_after_from_headers, CodecError, ErrorClass, ProviderError,
};
use crate::types::{
    CacheHint, CacheTtl, ChatRequest, ChatResponse, EmbeddingRequest, EmbeddingResponse, Message,
    ModelInfo, StreamEvent, ToolDefinition,
};

/// The cache lifetimes Anthropic's `cache_control.ttl` and Bedrock's `cachePoint.ttl` accept
/// (Anthropic prompt-caching docs; Amazon Bedrock API Reference `CachePointBlock`: valid values
/// `5m | 1h`; as_of 2026-12-01). Any other value fails decoding, naming the field, as the
/// providers answer 400 to it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub(crate) enum WireCacheTtl {
    #[serde(rename = "5m")]
    FiveMinutes,
    #[serde(rename = "1h")]
    OneHour,
}

impl WireCacheTtl {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Self::FiveMinutes => "5m",
            Self::OneHour => "1h",
        }
    }

    pub(crate) fn parse(s: &str) -> Option<Self> {
        [Self::FiveMinutes, Self::OneHour]
            .into_iter()
            .find(|t| t.as_str() == s)
    }
}

impl From<CacheTtl> for WireCacheTtl {
    fn from(t: CacheTtl) -> Self {
        match t {
            CacheTtl::FiveMinutes => Self::FiveMinutes,
            CacheTtl::OneHour => Self::OneHour,
        }
    }
}

impl From<WireCacheTtl> for CacheTtl {
    fn from(t: WireCacheTtl) -> Self {
        match t {
            WireCacheTtl::FiveMinutes => Self::FiveMinutes,
            WireCacheTtl::OneHour => Self::OneHour,
        }
    }
}

/// Adds a decoded piece of an Anthropic or Bedrock turn (decoders split turns after each cache
/// breakpoint). A piece with no content or tool call (thinking only) is not kept; its hint moves
/// to the item before it.
pub(crate) fn push_split(messages: &mut Vec<Message>, tools: &mut [ToolDefinition], msg: Message) {
    if !msg.content.is_empty() || !msg.tool_calls.is_empty() {
        messages.push(msg);
    } else if let Some(hint) = msg.cache {
        mark_previous(messages, tools, hint);
    }
}

/// Puts a decoded breakpoint on the item before it in prompt order (tools, system, messages):
/// the last message so far, else the last tool. With neither there is nothing to cache.
pub(crate) fn mark_previous(
    messages: &mut [Message],
    tools: &mut [ToolDefinition],
    hint: CacheHint,
) {
    if let Some(prev) = messages.last_mut() {
        prev.cache = Some(hint);
    } else if let Some(tool) = tools.last_mut() {
        tool.cache = Some(hint);
    }
}

/// Turns a response body, chunk by chunk, into stream events.
pub trait StreamDecoder: Send {
    /// Feeds the next bytes (any split); returns the events they complete. An error event sent
    /// by the provider inside the stream comes back as `Err`.
    fn feed(&mut self, chunk: &[u8]) -> Result<Vec<StreamEvent>, ProviderError>;

    /// The body ended: returns trailing events, or a [`ErrorClass::StreamCut`] error when the
    /// stream stopped before its terminal event.
    fn finish(&mut self) -> Result<Vec<StreamEvent>, ProviderError>;
}

/// Turns internal stream events into wire bytes (server side).
pub trait StreamEncoder: Send {
    /// Bytes to send for `event` (possibly none: some events are buffered until `Done`).
    fn encode(&mut self, event: &StreamEvent) -> Vec<u8>;

    /// Bytes that report an error in the middle of a stream, in the protocol's own form.
    fn encode_error(&mut self, class: &ErrorClass, message: &str) -> Vec<u8>;
}

/// What a server-side stream encoder needs to know besides the events.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct StreamContext {
    pub id: String,
    pub model: String,
    /// Unix seconds.
    pub created: u64,
    /// OpenAI `stream_options.include_usage`.
    pub include_usage: bool,
}

/// The wire protocol of a provider endpoint.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Protocol {
    /// OpenAI Chat Completions, in one of its dialects.
    OpenAi(Dialect),
    /// Anthropic Messages.
    Anthropic,
    /// AWS Bedrock Converse / ConverseStream.
    Bedrock,
    /// Google Gemini generateContent / streamGenerateContent.
    Gemini,
}

impl Protocol {
    /// Every protocol and dialect, for help texts and exhaustive tests.
    pub fn all() -> Vec<Protocol> {
        let mut v: Vec<Protocol> = Dialect::ALL.iter().map(|d| Protocol::OpenAi(*d)).collect();
        v.extend([Protocol::Anthropic, Protocol::Bedrock, Protocol::Gemini]);
        v
    }

    /// Stable name: `anthropic`, `bedrock`, `gemini`, or the dialect name (`openai`,
    /// `deepseek`, `dashscope`, ...).
    pub fn name(&self) -> &'static str {
        match self {
            Self::OpenAi(d) => d.name(),
            Self::Anthropic => "anthropic",
            Self::Bedrock => "bedrock",
            Self::Gemini => "gemini",
        }
    }

    /// Inverse of [`Protocol::name`].
    pub fn from_name(name: &str) -> Option<Self> {
        match name {
            "anthropic" => Some(Self::Anthropic),
            "bedrock" => Some(Self::Bedrock),
            "gemini" => Some(Self::Gemini),
            other => Dialect::from_name(other).map(Self::OpenAi),
        }
    }

    /// Path of the chat endpoint relative to the endpoint's base URL.
    pub fn chat_path(&self, model: &str, stream: bool) -> String {
        match self {
            Self::OpenAi(_) => "/chat/completions".to_owned(),
            Self::Anthropic => "/v1/messages".to_owned(),
            Self::Bedrock => bedrock::chat_path(model, stream),
            Self::Gemini => gemini::chat_path(model, stream),
        }
    }

    /// Content type of a streamed response body.
    pub fn stream_content_type(&self) -> &'static str {
        match self {
            Self::Bedrock => "application/vnd.amazon.eventstream",
            _ => "text/event-stream",
        }
    }

    // ---- client side -------------------------------------------------------------------

    pub fn encode_request(&self, req: &ChatRequest) -> Result<Vec<u8>, CodecError> {
        match self {
            Self::OpenAi(d) => openai::encode_request(*d, req),
            Self::Anthropic => anthropic::encode_request(req),
            Self::Bedrock => bedrock::encode_request(req),
            Self::Gemini => gemini::encode_request(req),
        }
    }

    pub fn decode_response(&self, body: &[u8]) -> Result<ChatResponse, CodecError> {
        match self {
            Self::OpenAi(_) => openai::decode_response(body),
            Self::Anthropic => anthropic::decode_response(body),
            Self::Bedrock => bedrock::decode_response(body),
            Self::Gemini => gemini::decode_response(body),
        }
    }

    pub fn stream_decoder(&self) -> Box<dyn StreamDecoder> {
        match self {
            Self::OpenAi(_) => Box::new(openai::OpenAiStreamDecoder::new()),
            Self::Anthropic => Box::new(anthropic::AnthropicStreamDecoder::new()),
            Self::Bedrock => Box::new(bedrock::BedrockStreamDecoder::new()),
            Self::Gemini => Box::new(gemini::GeminiStreamDecoder::new()),
        }
    }

    /// Classifies an error response from its status, headers and body.
    pub fn classify_error(&self, status: u16, headers: &HeaderMap, body: &[u8]) -> ProviderError {
        let retry_after = retry_after_from_headers(headers, SystemTime::now());
        let detail = match self {
            Self::OpenAi(_) => openai::error_detail(body),
            Self::Anthropic => anthropic::error_detail(body),
            Self::Bedrock => bedrock::error_detail(headers, body),
            Self::Gemini => gemini::error_detail(body),
        };
        detail.into_error(status, retry_after)
    }

    /// Embeddings path relative to the base URL, when the protocol has one we implement
    /// (Bedrock: InvokeModel on the model, called once per body of
    /// [`Protocol::encode_embedding_requests`]).
    pub fn embeddings_path(&self, model: &str) -> Option<String> {
        match self {
            Self::OpenAi(_) => Some("/embeddings".to_owned()),
            Self::Gemini => Some(gemini::embeddings_path(model)),
            Self::Bedrock => Some(bedrock::invoke_path(model)),
            Self::Anthropic => None,
        }
    }

    /// The body of an embeddings request that fits one call. Bedrock's Titan takes one input
    /// per call: a request with several inputs fails here; use
    /// [`Protocol::encode_embedding_requests`].
    pub fn encode_embedding_request(&self, req: &EmbeddingRequest) -> Result<Vec<u8>, CodecError> {
        match self {
            Self::Gemini => gemini::encode_embedding_request(req),
            Self::Bedrock => {
                let mut bodies = bedrock::encode_embedding_requests(req)?;
                match (bodies.pop(), bodies.is_empty()) {
                    (Some(body), true) => Ok(body),
                    _ => Err(CodecError::invalid(
                        "bedrock embeddings request",
                        "these inputs need several InvokeModel calls: use encode_embedding_requests",
                    )),
                }
            }
            _ => openai::encode_embedding_request(req),
        }
    }

    /// The bodies of an embeddings request, one per call, all sent to
    /// [`Protocol::embeddings_path`]: one body except on Bedrock (one per input for Titan, one
    /// per 96 inputs for Cohere).
    pub fn encode_embedding_requests(
        &self,
        req: &EmbeddingRequest,
    ) -> Result<Vec<Vec<u8>>, CodecError> {
        match self {
            Self::Bedrock => bedrock::encode_embedding_requests(req),
            _ => Ok(vec![self.encode_embedding_request(req)?]),
        }
    }

    pub fn decode_embedding_response(
        &self,
        body: &[u8],
        model: &str,
    ) -> Result<EmbeddingResponse, CodecError> {
        match self {
            Self::Gemini => gemini::decode_embedding_response(body, model),
            Self::Bedrock => bedrock::decode_embedding_responses(model, &[body]),
            _ => openai::decode_embedding_response(body),
        }
    }

    /// The responses to [`Protocol::encode_embedding_requests`]' bodies, in order, as one
    /// response (Bedrock sums the calls' token counts; usage is absent when a call had none).
    pub fn decode_embedding_responses(
        &self,
        bodies: &[impl AsRef<[u8]>],
        model: &str,
    ) -> Result<EmbeddingResponse, CodecError> {
        match (self, bodies) {
            (Self::Bedrock, _) => bedrock::decode_embedding_responses(model, bodies),
            (_, [body]) => self.decode_embedding_response(body.as_ref(), model),
            _ => Err(CodecError::invalid(
                "embeddings response",
                format!("expected one response body, got {}", bodies.len()),
            )),
        }
    }

    /// Model-list path relative to [`Protocol::models_base_url`].
    pub fn models_path(&self) -> Option<&'static str> {
        match self {
            Self::OpenAi(_) => Some("/models"),
            Self::Anthropic => Some("/v1/models"),
            Self::Gemini => Some("/models"),
            Self::Bedrock => Some(bedrock::MODELS_PATH),
        }
    }

    /// The base URL models are listed under: the endpoint's own, except Bedrock's runtime host,
    /// whose models the control-plane host lists (`bedrock-runtime.` → `bedrock.`).
    pub fn models_base_url(&self, base_url: &str) -> String {
        match self {
            Self::Bedrock => bedrock::control_plane_base_url(base_url),
            _ => base_url.to_owned(),
        }
    }

    pub fn decode_models(&self, body: &[u8]) -> Result<Vec<ModelInfo>, CodecError> {
        match self {
            Self::Anthropic => anthropic::decode_models(body),
            Self::Gemini => gemini::decode_models(body),
            Self::Bedrock => bedrock::decode_models(body),
            _ => openai::decode_models(body),
        }
    }

    // ---- server side -------------------------------------------------------------------

    /// Parses a chat request as a server receives it. Bedrock and Gemini carry the model and
    /// the streaming choice in the URL path, hence `path_model` and `path_stream`.
    pub fn decode_request(
        &self,
        body: &[u8],
        path_model: Option<&str>,
        path_stream: bool,
    ) -> Result<ChatRequest, CodecError> {
        match self {
            Self::OpenAi(_) => openai::decode_request(body),
            Self::Anthropic => anthropic::decode_request(body),
            Self::Bedrock => bedrock::decode_request(body, path_model.unwrap_or(""), path_stream),
            Self::Gemini => gemini::decode_request(body, path_model.unwrap_or(""), path_stream),
        }
    }

    pub fn encode_response(&self, resp: &ChatResponse) -> Result<Vec<u8>, CodecError> {
        match self {
            Self::OpenAi(d) => openai::encode_response(*d, resp),
            Self::Anthropic => anthropic::encode_response(resp),
            Self::Bedrock => bedrock::encode_response(resp),
            Self::Gemini => gemini::encode_response(resp),
        }
    }

    pub fn stream_encoder(&self, ctx: StreamContext) -> Box<dyn StreamEncoder> {
        match self {
            Self::OpenAi(d) => Box::new(openai::OpenAiStreamEncoder::new(*d, ctx)),
            Self::Anthropic => Box::new(anthropic::AnthropicStreamEncoder::new(ctx)),
            Self::Bedrock => Box::new(bedrock::BedrockStreamEncoder::new()),
            Self::Gemini => Box::new(gemini::GeminiStreamEncoder::new(ctx)),
        }
    }

    /// Status, extra headers and body of an error response in this protocol's shape.
    pub fn encode_error(&self, class: &ErrorClass, message: &str) -> ErrorResponse {
        let mut resp = match self {
            Self::OpenAi(_) => openai::encode_error(class, message),
            Self::Anthropic => anthropic::encode_error(class, message),
            Self::Bedrock => bedrock::encode_error(class, message),
            Self::Gemini => gemini::encode_error(class, message),
        };
        if let ErrorClass::RateLimited {
            retry_after: Some(d),
        } = class
        {
            resp.headers
                .push(("retry-after".to_owned(), d.as_secs().max(1).to_string()));
        }
        resp
    }
}

/// A server-side error response.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ErrorResponse {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

/// What a protocol's error body said, before classification.
#[derive(Debug, Default)]
pub(crate) struct ErrorDetail {
    /// A class the body names unambiguously (e.g. Anthropic `overloaded_error`).
    pub class: Option<ErrorClass>,
    pub code: Option<String>,
    pub message: Option<String>,
}

impl ErrorDetail {
    pub(crate) fn into_error(self, status: u16, retry_after: Option<Duration>) -> ProviderError {
        let message = self
            .message
            .unwrap_or_else(|| format!("http status {status}"));
        let mut class = self
            .class
            .unwrap_or_else(|| ErrorClass::from_status(status, retry_after));
        if let ErrorClass::RateLimited { retry_after: ra } = &mut class {
            if ra.is_none() {
                *ra = retry_after;
            }
        }
        if matches!(class, ErrorClass::BadRequest) && mentions_context_length(&message) {
            class = ErrorClass::ContextTooLong;
        }
        ProviderError {
            class,
            status: Some(status),
            provider_code: self.code,
            message,
        }
    }
}

/// Classifies a provider's textual error code (OpenAI `code`/`type`, Ark and Qianfan codes):
/// only codes whose meaning is plain.
pub(crate) fn class_from_code(code: &str) -> Option<ErrorClass> {
    let c = code.to_ascii_lowercase().replace(['-', '.'], "_");
    if c.contains("context_length") || c.contains("context_window") || c.contains("too_long") {
        Some(ErrorClass::ContextTooLong)
    } else if c.contains("insufficient_quota")
        || c.contains("quota_exceeded")
        || c.contains("balance")
    {
        Some(ErrorClass::QuotaExceeded)
    } else if c.contains("rate_limit") || c.contains("ratelimit") || c.contains("throttl") {
        Some(ErrorClass::RateLimited { retry_after: None })
    } else if c.contains("overload") {
        Some(ErrorClass::Overloaded)
    } else if c.contains("invalid_api_key")
        || c.contains("authentication")
        || c.contains("unauthorized")
        || c.contains("permission")
    {
        Some(ErrorClass::Auth)
    } else if c.contains("model_not_found") || c.contains("not_found") {
        Some(ErrorClass::NotFound)
    } else {
        None
    }
}

/// A stream that stopped before its terminal event.
pub(crate) fn stream_cut(what: &str) -> ProviderError {
    ProviderError::new(ErrorClass::StreamCut, format!("stream ended before {what}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for p in Protocol::all() {
            assert_eq!(Protocol::from_name(p.name()), Some(p), "{}", p.name());
        }
        assert_eq!(Protocol::from_name("nope"), None);
    }

    #[test]
    fn codes_classify() {
        assert_eq!(
            class_from_code("ModelAccountRpmRateLimitExceeded"),
            Some(ErrorClass::RateLimited { retry_after: None })
        );
        assert_eq!(
            class_from_code("context_length_exceeded"),
            Some(ErrorClass::ContextTooLong)
        );
        assert_eq!(
            class_from_code("insufficient_quota"),
            Some(ErrorClass::QuotaExceeded)
        );
        assert_eq!(class_from_code("invalid_api_key"), Some(ErrorClass::Auth));
        assert_eq!(class_from_code("something_else"), None);
    }
}
