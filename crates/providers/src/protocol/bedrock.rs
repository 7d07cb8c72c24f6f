//! AWS Bedrock Converse (`POST /model/{modelId}/converse`) and ConverseStream
//! (`/converse-stream`, AWS binary event-stream framing), embeddings through InvokeModel
//! (`/model/{modelId}/invoke`, Titan Text Embeddings and Cohere Embed bodies), the control
//! plane's ListFoundationModels (`GET /foundation-models`), plus SigV4 request signing.
//!
//! Wire reference: Amazon Bedrock API Reference, "Converse", "ConverseStream",
//! `ContentBlock`, `ContentBlockDeltaEvent`, `ConverseStreamMetadataEvent`, `TokenUsage`
//! (facts §1: `TokenUsage{inputTokens, outputTokens, totalTokens, cacheReadInputTokens,
//! cacheWriteInputTokens}`; the stream's `metadata` event carries `usage`).
//!
//! Prompt caching: a `CachePointBlock` (`{"cachePoint": {"type": "default"}}`, optional
//! `"ttl": "5m" | "1h"`) in `toolConfig.tools`, in `system` or in a message's `content` caches
//! everything before it. It maps to a [`CacheHint`] on the item it follows
//! ([`ToolDefinition::cache`], [`Message::cache`]); Converse has no request-level marker, so
//! [`ChatRequest::cache`] becomes a cache point after the last message.

use std::time::{Instant, SystemTime};

use aws_smithy_eventstream::frame::{write_message_to, DecodedFrame, MessageFrameDecoder};
use aws_smithy_types::event_stream::{Header, HeaderValue, Message as EsMessage};
use aws_smithy_types::str_bytes::StrBytes;
use bytes::{Buf, BytesMut};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::{
    mark_previous, push_split, stream_cut, ErrorDetail, ErrorResponse, StreamDecoder,
    StreamEncoder, WireCacheTtl,
};
use crate::error::{from_json, to_json, CodecError, ErrorClass, ProviderError};
use crate::secret::AwsCredentials;
use crate::types::{
    CacheHint, CacheTtl, ChatRequest, ChatResponse, Choice, ContentPart, EmbeddingRequest,
    EmbeddingResponse, FinishReason, ImageSource, Message, ModelInfo, Role, StreamEvent, ToolCall,
    ToolChoice, ToolDefinition, Usage,
};

/// SigV4 service name of the Bedrock runtime.
pub const SIGNING_SERVICE: &str = "bedrock";

/// `https://bedrock-runtime.{region}.amazonaws.com` (facts §1).
pub fn default_base_url(region: &str) -> String {
    format!("https://bedrock-runtime.{region}.amazonaws.com")
}

/// Percent-encodes a model id for the path (`:` in `...-v1:0` becomes `%3A`).
fn encode_path_segment(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

pub(crate) fn chat_path(model: &str, stream: bool) -> String {
    let op = if stream {
        "converse-stream"
    } else {
        "converse"
    };
    format!("/model/{}/{op}", encode_path_segment(model))
}

// ---- wire types ------------------------------------------------------------------------------

#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct WireRequest {
    #[serde(default)]
    messages: Vec<WireMessage>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    system: Vec<WireSystemBlock>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    inference_config: Option<WireInferenceConfig>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    tool_config: Option<WireToolConfig>,
}

/// `SystemContentBlock` is a union: `text`, `cachePoint` (or members this module ignores).
#[derive(Debug, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct WireSystemBlock {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    text: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    cache_point: Option<WireCachePoint>,
}

/// `CachePointBlock`: `type` is `default`, the only value; `ttl` is `5m` or `1h`.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct WireCachePoint {
    #[serde(rename = "type")]
    kind: WireCachePointType,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    ttl: Option<WireCacheTtl>,
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
enum WireCachePointType {
    Default,
}

#[derive(Debug, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct WireInferenceConfig {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    max_tokens: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    temperature: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    top_p: Option<f64>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    stop_sequences: Vec<String>,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct WireToolConfig {
    tools: Vec<WireTool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    tool_choice: Option<Value>,
}

/// `Tool` is a union: `toolSpec` or `cachePoint`.
#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct WireTool {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    tool_spec: Option<WireToolSpec>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    cache_point: Option<WireCachePoint>,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct WireToolSpec {
    name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    description: Option<String>,
    input_schema: WireSchema,
}

#[derive(Debug, Serialize, Deserialize)]
struct WireSchema {
    json: Value,
}

#[derive(Debug, Serialize, Deserialize)]
struct WireMessage {
    role: String,
    content: Vec<WireBlock>,
}

/// `ContentBlock` is a union: exactly one member is set.
#[derive(Debug, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct WireBlock {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    text: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    image: Option<WireImage>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    tool_use: Option<WireToolUse>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    tool_result: Option<WireToolResult>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    reasoning_content: Option<WireReasoning>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    cache_point: Option<WireCachePoint>,
}

#[derive(Debug, Serialize, Deserialize)]
struct WireImage {
    format: String,
    source: WireImageSource,
}

#[derive(Debug, Serialize, Deserialize)]
struct WireImageSource {
    bytes: String,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct WireToolUse {
    tool_use_id: String,
    name: String,
    input: Value,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct WireToolResult {
    tool_use_id: String,
    #[serde(default)]
    content: Vec<Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    status: Option<String>,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct WireReasoning {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    reasoning_text: Option<WireReasoningText>,
}

#[derive(Debug, Serialize, Deserialize)]
struct WireReasoningText {
    text: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    signature: Option<String>,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct WireResponse {
    output: WireOutput,
    #[serde(default)]
    stop_reason: Option<String>,
    #[serde(default)]
    usage: Option<WireUsage>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    metrics: Option<WireMetrics>,
}

#[derive(Debug, Serialize, Deserialize)]
struct WireOutput {
    message: WireMessage,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct WireMetrics {
    latency_ms: u64,
}

#[derive(Debug, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct WireUsage {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    input_tokens: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    output_tokens: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    total_tokens: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    cache_read_input_tokens: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    cache_write_input_tokens: Option<u64>,
}

// ---- mappings --------------------------------------------------------------------------------

fn finish_from_wire(s: &str) -> FinishReason {
    match s {
        "end_turn" => FinishReason::Stop,
        "stop_sequence" => FinishReason::StopSequence,
        "max_tokens" => FinishReason::Length,
        "tool_use" => FinishReason::ToolCalls,
        "guardrail_intervened" | "content_filtered" => FinishReason::ContentFilter,
        other => FinishReason::Other(other.to_owned()),
    }
}

fn finish_to_wire(r: &FinishReason) -> String {
    match r {
        FinishReason::Stop => "end_turn".to_owned(),
        FinishReason::StopSequence => "stop_sequence".to_owned(),
        FinishReason::Length => "max_tokens".to_owned(),
        FinishReason::ToolCalls => "tool_use".to_owned(),
        FinishReason::ContentFilter => "content_filtered".to_owned(),
        FinishReason::Other(s) => s.clone(),
    }
}

/// Bedrock's `inputTokens` excludes cache reads/writes (`totalTokens` is input + output + cache
/// read + cache write); the internal input count includes them.
fn usage_from_wire(u: &WireUsage) -> Usage {
    Usage {
        input_tokens: u.input_tokens.map(|i| {
            i + u.cache_read_input_tokens.unwrap_or(0) + u.cache_write_input_tokens.unwrap_or(0)
        }),
        output_tokens: u.output_tokens,
        cached_input_tokens: u.cache_read_input_tokens,
        reasoning_tokens: None,
        cache_write_input_tokens: u.cache_write_input_tokens,
    }
}

fn usage_to_wire(u: &Usage) -> WireUsage {
    let input = u.uncached_input().unwrap_or(0);
    let output = u.output_tokens.unwrap_or(0);
    WireUsage {
        input_tokens: Some(input),
        output_tokens: Some(output),
        total_tokens: Some(u.input_tokens.unwrap_or(0) + output),
        cache_read_input_tokens: u.cached_input_tokens,
        cache_write_input_tokens: u.cache_write_input_tokens,
    }
}

fn cache_to_wire(hint: &CacheHint) -> WireCachePoint {
    WireCachePoint {
        kind: WireCachePointType::Default,
        ttl: hint.ttl.map(WireCacheTtl::from),
    }
}

fn cache_from_wire(c: &WireCachePoint) -> CacheHint {
    CacheHint {
        ttl: c.ttl.map(CacheTtl::from),
    }
}

fn cache_block(hint: &CacheHint) -> WireBlock {
    WireBlock {
        cache_point: Some(cache_to_wire(hint)),
        ..WireBlock::default()
    }
}

fn image_format(media_type: &str) -> Option<&'static str> {
    match media_type {
        "image/png" => Some("png"),
        "image/jpeg" | "image/jpg" => Some("jpeg"),
        "image/gif" => Some("gif"),
        "image/webp" => Some("webp"),
        _ => None,
    }
}

fn parts_to_blocks(parts: &[ContentPart]) -> Result<Vec<WireBlock>, CodecError> {
    let mut out = Vec::new();
    for p in parts {
        match p {
            ContentPart::Text(t) if t.is_empty() => {}
            ContentPart::Text(t) => out.push(WireBlock {
                text: Some(t.clone()),
                ..WireBlock::default()
            }),
            ContentPart::Image(ImageSource::Base64 { media_type, data }) => {
                let format = image_format(media_type).ok_or_else(|| {
                    CodecError::invalid(
                        "bedrock image",
                        format!("media type `{media_type}`, expected png, jpeg, gif or webp"),
                    )
                })?;
                out.push(WireBlock {
                    image: Some(WireImage {
                        format: format.to_owned(),
                        source: WireImageSource {
                            bytes: data.clone(),
                        },
                    }),
                    ..WireBlock::default()
                });
            }
            ContentPart::Image(ImageSource::Url(_)) => {
                return Err(CodecError::invalid(
                    "bedrock image",
                    "Converse takes image bytes, not URLs; send a data: URL",
                ))
            }
        }
    }
    Ok(out)
}

fn parse_arguments(args: &str) -> Value {
    if args.trim().is_empty() {
        return Value::Object(serde_json::Map::new());
    }
    serde_json::from_str(args).unwrap_or_else(|_| Value::String(args.to_owned()))
}

// ---- client side -----------------------------------------------------------------------------

/// Internal request → Converse body (the model and streaming choice are in the path).
///
/// A [`Message::cache`] becomes a `cachePoint` block right after the message's blocks (merged
/// turns keep it between the pieces); system prompts with a hint are sent as one block per system
/// message, others as one block as before.
pub fn encode_request(req: &ChatRequest) -> Result<Vec<u8>, CodecError> {
    let system_marked = req
        .messages
        .iter()
        .any(|m| m.role == Role::System && m.cache.is_some());
    let mut system: Vec<WireSystemBlock> = Vec::new();
    let mut messages: Vec<WireMessage> = Vec::new();
    for m in &req.messages {
        let (role, blocks) = match m.role {
            Role::System => {
                if system_marked {
                    let text = m.joined_text();
                    if !text.is_empty() {
                        system.push(WireSystemBlock {
                            text: Some(text),
                            cache_point: None,
                        });
                    }
                    if let Some(hint) = &m.cache {
                        system.push(WireSystemBlock {
                            text: None,
                            cache_point: Some(cache_to_wire(hint)),
                        });
                    }
                }
                continue;
            }
            Role::User => ("user", parts_to_blocks(&m.content)?),
            Role::Tool => (
                "user",
                vec![WireBlock {
                    tool_result: Some(WireToolResult {
                        tool_use_id: m.tool_call_id.clone().unwrap_or_default(),
                        content: vec![serde_json::json!({"text": m.joined_text()})],
                        status: Some(if m.is_error { "error" } else { "success" }.to_owned()),
                    }),
                    ..WireBlock::default()
                }],
            ),
            Role::Assistant => {
                let mut blocks = parts_to_blocks(&m.content)?;
                blocks.extend(m.tool_calls.iter().map(|c| WireBlock {
                    tool_use: Some(WireToolUse {
                        tool_use_id: c.id.clone(),
                        name: c.name.clone(),
                        input: parse_arguments(&c.arguments),
                    }),
                    ..WireBlock::default()
                }));
                ("assistant", blocks)
            }
        };
        match messages.last_mut() {
            Some(last) if last.role == role => last.content.extend(blocks),
            _ => messages.push(WireMessage {
                role: role.to_owned(),
                content: blocks,
            }),
        }
        if let (Some(hint), Some(last)) = (&m.cache, messages.last_mut()) {
            last.content.push(cache_block(hint));
        }
    }
    if let (Some(hint), Some(last)) = (&req.cache, messages.last_mut()) {
        // the last message's own hint already marks the end
        if last.content.last().is_none_or(|b| b.cache_point.is_none()) {
            last.content.push(cache_block(hint));
        }
    }
    if !system_marked {
        system = req
            .system_text()
            .map(|t| {
                vec![WireSystemBlock {
                    text: Some(t),
                    cache_point: None,
                }]
            })
            .unwrap_or_default();
    }
    let inference = WireInferenceConfig {
        max_tokens: req.max_tokens,
        temperature: req.temperature,
        top_p: req.top_p,
        stop_sequences: req.stop.clone(),
    };
    let has_inference = inference.max_tokens.is_some()
        || inference.temperature.is_some()
        || inference.top_p.is_some()
        || !inference.stop_sequences.is_empty();
    let wire = WireRequest {
        messages,
        system,
        inference_config: has_inference.then_some(inference),
        tool_config: (!req.tools.is_empty()).then(|| WireToolConfig {
            tools: req
                .tools
                .iter()
                .flat_map(|t| {
                    let spec = WireTool {
                        tool_spec: Some(WireToolSpec {
                            name: t.name.clone(),
                            description: t.description.clone(),
                            input_schema: WireSchema {
                                json: t.parameters.clone(),
                            },
                        }),
                        cache_point: None,
                    };
                    let point = t.cache.as_ref().map(|h| WireTool {
                        tool_spec: None,
                        cache_point: Some(cache_to_wire(h)),
                    });
                    std::iter::once(spec).chain(point)
                })
                .collect(),
            // Converse has no "none": leaving the choice out means auto
            tool_choice: req.tool_choice.as_ref().and_then(|c| match c {
                ToolChoice::Auto => Some(serde_json::json!({"auto": {}})),
                ToolChoice::Required => Some(serde_json::json!({"any": {}})),
                ToolChoice::Tool(n) => Some(serde_json::json!({"tool": {"name": n}})),
                ToolChoice::None => None,
            }),
        }),
    };
    to_json("bedrock converse request", &wire)
}

fn choice_from_blocks(blocks: Vec<WireBlock>) -> Choice {
    let mut choice = Choice::default();
    for b in blocks {
        if let Some(t) = b.text {
            choice.text.push_str(&t);
        }
        if let Some(r) = b.reasoning_content.and_then(|r| r.reasoning_text) {
            choice
                .reasoning
                .get_or_insert_with(String::new)
                .push_str(&r.text);
        }
        if let Some(t) = b.tool_use {
            choice.tool_calls.push(ToolCall {
                id: t.tool_use_id,
                name: t.name,
                arguments: t.input.to_string(),
            });
        }
    }
    choice
}

/// Converse response → internal response. Converse bodies carry neither id nor model: the
/// client fills them from `x-amzn-requestid` and the request.
pub fn decode_response(body: &[u8]) -> Result<ChatResponse, CodecError> {
    let w: WireResponse = from_json("bedrock converse response", body)?;
    let mut choice = choice_from_blocks(w.output.message.content);
    choice.finish_reason = w.stop_reason.as_deref().map(finish_from_wire);
    Ok(ChatResponse {
        id: String::new(),
        model: String::new(),
        created: None,
        choices: vec![choice],
        usage: w.usage.as_ref().map(usage_from_wire).unwrap_or_default(),
    })
}

fn class_from_exception(name: &str) -> Option<ErrorClass> {
    // names are PascalCase in HTTP errors and camelCase as stream members
    let lower = name.to_ascii_lowercase();
    Some(match lower.as_str() {
        "throttlingexception" | "servicequotaexceededexception" => {
            ErrorClass::RateLimited { retry_after: None }
        }
        "serviceunavailableexception" | "modelnotreadyexception" => ErrorClass::Overloaded,
        "validationexception" => ErrorClass::BadRequest,
        "accessdeniedexception" | "unrecognizedclientexception" | "expiredtokenexception" => {
            ErrorClass::Auth
        }
        "resourcenotfoundexception" => ErrorClass::NotFound,
        "modeltimeoutexception" => ErrorClass::Timeout,
        "modelstreamerrorexception" => ErrorClass::StreamCut,
        "internalserverexception" | "modelerrorexception" => ErrorClass::ServerError,
        _ => return None,
    })
}

/// Reads the `x-amzn-ErrorType` header (`ThrottlingException:http://...`) or the body's
/// `__type`, and the body's `message`/`Message`.
pub(crate) fn error_detail(headers: &http::HeaderMap, body: &[u8]) -> ErrorDetail {
    let v: Value = serde_json::from_slice(body).unwrap_or(Value::Null);
    let name = headers
        .get("x-amzn-errortype")
        .and_then(|h| h.to_str().ok())
        .map(str::to_owned)
        .or_else(|| v.get("__type").and_then(Value::as_str).map(str::to_owned))
        .map(|n| {
            let n = n.split(':').next().unwrap_or_default();
            n.rsplit('#').next().unwrap_or(n).to_owned()
        });
    let message = v
        .get("message")
        .or_else(|| v.get("Message"))
        .and_then(Value::as_str)
        .map(str::to_owned)
        .or_else(|| super::openai::non_empty_text(body));
    ErrorDetail {
        class: name.as_deref().and_then(class_from_exception),
        code: name,
        message,
    }
}

fn header_str<'a>(msg: &'a EsMessage, name: &str) -> Option<&'a str> {
    msg.headers()
        .iter()
        .find(|h| h.name().as_str() == name)
        .and_then(|h| h.value().as_string().ok())
        .map(StrBytes::as_str)
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct EvBlockStart {
    content_block_index: u32,
    start: EvStart,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct EvStart {
    #[serde(default)]
    tool_use: Option<EvToolStart>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct EvToolStart {
    tool_use_id: String,
    name: String,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct EvBlockDelta {
    content_block_index: u32,
    delta: EvDelta,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct EvDelta {
    #[serde(default)]
    text: Option<String>,
    #[serde(default)]
    tool_use: Option<EvToolDelta>,
    #[serde(default)]
    reasoning_content: Option<EvReasoningDelta>,
}

#[derive(Debug, Deserialize)]
struct EvToolDelta {
    #[serde(default)]
    input: String,
}

#[derive(Debug, Deserialize)]
struct EvReasoningDelta {
    #[serde(default)]
    text: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct EvMessageStop {
    stop_reason: String,
}

#[derive(Debug, Deserialize)]
struct EvMetadata {
    #[serde(default)]
    usage: Option<WireUsage>,
}

/// Incremental decoder for ConverseStream's binary event stream.
#[derive(Debug, Default)]
pub struct BedrockStreamDecoder {
    frames: MessageFrameDecoder,
    buf: BytesMut,
    /// Content block index → tool call index.
    tool_blocks: Vec<(u32, u32)>,
    stopped: bool,
    done: bool,
}

impl BedrockStreamDecoder {
    pub fn new() -> Self {
        Self::default()
    }

    fn message(
        &mut self,
        msg: &EsMessage,
        out: &mut Vec<StreamEvent>,
    ) -> Result<(), ProviderError> {
        let payload = msg.payload().as_ref();
        match header_str(msg, ":message-type").unwrap_or("event") {
            "event" => {}
            "exception" => {
                let name = header_str(msg, ":exception-type").unwrap_or("exception");
                let detail = ErrorDetail {
                    class: class_from_exception(name),
                    code: Some(name.to_owned()),
                    message: serde_json::from_slice::<Value>(payload)
                        .ok()
                        .and_then(|v| v.get("message").and_then(Value::as_str).map(str::to_owned)),
                };
                let status = detail.class.as_ref().map_or(500, ErrorClass::http_status);
                return Err(detail.into_error(status, None));
            }
            _ => {
                let code = header_str(msg, ":error-code").unwrap_or("error").to_owned();
                let text = header_str(msg, ":error-message")
                    .unwrap_or_default()
                    .to_owned();
                return Err(ProviderError {
                    class: class_from_exception(&code).unwrap_or(ErrorClass::ServerError),
                    status: None,
                    provider_code: Some(code),
                    message: text,
                });
            }
        }
        match header_str(msg, ":event-type").unwrap_or_default() {
            "messageStart" => out.push(StreamEvent::Start {
                id: None,
                model: None,
            }),
            "contentBlockStart" => {
                let e: EvBlockStart = from_json("bedrock contentBlockStart", payload)?;
                if let Some(t) = e.start.tool_use {
                    let index = u32::try_from(self.tool_blocks.len()).unwrap_or(u32::MAX);
                    self.tool_blocks.push((e.content_block_index, index));
                    out.push(StreamEvent::ToolCallDelta {
                        index,
                        id: Some(t.tool_use_id),
                        name: Some(t.name),
                        arguments: String::new(),
                    });
                }
            }
            "contentBlockDelta" => {
                let e: EvBlockDelta = from_json("bedrock contentBlockDelta", payload)?;
                if let Some(t) = e.delta.text {
                    out.push(StreamEvent::TextDelta(t));
                }
                if let Some(r) = e.delta.reasoning_content.and_then(|r| r.text) {
                    out.push(StreamEvent::ReasoningDelta(r));
                }
                if let Some(t) = e.delta.tool_use {
                    let index = self
                        .tool_blocks
                        .iter()
                        .find(|(b, _)| *b == e.content_block_index)
                        .map(|(_, i)| *i)
                        .ok_or_else(|| {
                            ProviderError::invalid(format!(
                                "bedrock toolUse delta for block {} that never started",
                                e.content_block_index
                            ))
                        })?;
                    out.push(StreamEvent::ToolCallDelta {
                        index,
                        id: None,
                        name: None,
                        arguments: t.input,
                    });
                }
            }
            "messageStop" => {
                let e: EvMessageStop = from_json("bedrock messageStop", payload)?;
                self.stopped = true;
                out.push(StreamEvent::Finish(finish_from_wire(&e.stop_reason)));
            }
            "metadata" => {
                let e: EvMetadata = from_json("bedrock metadata", payload)?;
                if let Some(u) = e.usage {
                    out.push(StreamEvent::Usage(usage_from_wire(&u)));
                }
                self.done = true;
                out.push(StreamEvent::Done);
            }
            // contentBlockStop and future event types carry nothing we map
            _ => {}
        }
        Ok(())
    }
}

impl StreamDecoder for BedrockStreamDecoder {
    fn feed(&mut self, chunk: &[u8]) -> Result<Vec<StreamEvent>, ProviderError> {
        self.buf.extend_from_slice(chunk);
        let mut out = Vec::new();
        while !self.done {
            match self.frames.decode_frame(&mut self.buf) {
                Ok(DecodedFrame::Complete(msg)) => self.message(&msg, &mut out)?,
                Ok(DecodedFrame::Incomplete) => break,
                Err(e) => return Err(ProviderError::invalid(format!("bedrock event stream: {e}"))),
            }
        }
        if self.done {
            self.buf.advance(self.buf.remaining());
        }
        Ok(out)
    }

    fn finish(&mut self) -> Result<Vec<StreamEvent>, ProviderError> {
        if self.done {
            return Ok(Vec::new());
        }
        if self.stopped && self.buf.is_empty() {
            // messageStop arrived but no metadata: complete, usage not reported
            self.done = true;
            return Ok(vec![StreamEvent::Done]);
        }
        Err(stream_cut("`messageStop`"))
    }
}

// ---- embeddings (InvokeModel) and model listing (control plane) -----------------------------

/// `POST /model/{modelId}/invoke`: InvokeModel, whose body is the model's own format.
pub(crate) fn invoke_path(model: &str) -> String {
    format!("/model/{}/invoke", encode_path_segment(model))
}

/// Path of ListFoundationModels, on the control-plane host (see [`control_plane_base_url`]).
pub(crate) const MODELS_PATH: &str = "/foundation-models";

/// The control-plane base URL for a runtime base URL: ListFoundationModels is served by
/// `bedrock.{region}.amazonaws.com`, not `bedrock-runtime.{region}...` (Amazon Bedrock API
/// Reference, "ListFoundationModels", as_of 2026-12-01). Any other base URL (an emulator, a
/// proxy) serves both, so it is kept.
pub fn control_plane_base_url(base_url: &str) -> String {
    let Some((scheme, rest)) = base_url.split_once("://") else {
        return base_url.to_owned();
    };
    match rest.strip_prefix("bedrock-runtime.") {
        Some(host_and_path) => format!("{scheme}://bedrock.{host_and_path}"),
        None => base_url.to_owned(),
    }
}

/// The body formats of the embedding models InvokeModel serves that this client speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EmbeddingFamily {
    /// Amazon Titan Text Embeddings (`amazon.titan-embed-text-*`): one `inputText` per call,
    /// optional `dimensions` (V2: 256, 512 or 1024) and `normalize`; the response carries
    /// `embedding` and `inputTextTokenCount` (Bedrock user guide, "Amazon Titan Embeddings
    /// Text", as_of 2026-12-01).
    Titan,
    /// Cohere Embed v3 (`cohere.embed-english-v3`, `cohere.embed-multilingual-v3`): up to 96
    /// `texts` per call with an `input_type`; the response carries `embeddings`, `id`,
    /// `response_type` and `texts`, and no token count (Bedrock user guide, "Cohere Embed
    /// models", as_of 2026-12-01).
    Cohere,
}

/// Texts per Cohere call ("Texts per call: Maximum 96", Bedrock user guide, "Cohere Embed
/// models", as_of 2026-12-01).
pub const COHERE_MAX_TEXTS: usize = 96;

impl EmbeddingFamily {
    /// The family of a model id, also behind a cross-region prefix (`us.cohere.embed-...`) or
    /// an ARN.
    pub fn of(model: &str) -> Option<Self> {
        let id = model.rsplit('/').next().unwrap_or(model);
        if id.contains("amazon.titan-embed-text") {
            Some(Self::Titan)
        } else if id.contains("cohere.embed-") {
            Some(Self::Cohere)
        } else {
            None
        }
    }
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct WireTitanRequest {
    input_text: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    dimensions: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    normalize: Option<bool>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct WireTitanResponse {
    embedding: Vec<f32>,
    #[serde(default)]
    input_text_token_count: Option<u64>,
}

#[derive(Debug, Serialize)]
struct WireCohereRequest<'a> {
    texts: &'a [String],
    input_type: &'static str,
}

#[derive(Debug, Deserialize)]
struct WireCohereResponse {
    embeddings: Vec<Vec<f32>>,
}

/// The InvokeModel bodies for an embeddings request, in input order: one per input for Titan
/// (normalised, as the internal shape promises unit vectors where the provider can give them),
/// one per 96 inputs for Cohere (`input_type` `search_document`: the internal request does
/// not say whether it embeds documents or queries, and documents are the common case). Cohere
/// v3 vectors have a fixed length, so `dimensions` is refused for it rather than ignored.
pub fn encode_embedding_requests(req: &EmbeddingRequest) -> Result<Vec<Vec<u8>>, CodecError> {
    const WHAT: &str = "bedrock embeddings request";
    let family = EmbeddingFamily::of(&req.model).ok_or_else(|| {
        CodecError::invalid(
            WHAT,
            format!(
                "model `{}`: expected an amazon.titan-embed-text-* or cohere.embed-* model",
                req.model
            ),
        )
    })?;
    if req.input.is_empty() {
        return Err(CodecError::invalid(WHAT, "expected at least one input"));
    }
    match family {
        EmbeddingFamily::Titan => req
            .input
            .iter()
            .map(|text| {
                to_json(
                    WHAT,
                    &WireTitanRequest {
                        input_text: text.clone(),
                        dimensions: req.dimensions,
                        normalize: Some(true),
                    },
                )
            })
            .collect(),
        EmbeddingFamily::Cohere => {
            if let Some(d) = req.dimensions {
                return Err(CodecError::invalid(
                    WHAT,
                    format!("dimensions {d}: Cohere Embed v3 on Bedrock has a fixed length and no dimensions parameter"),
                ));
            }
            req.input
                .chunks(COHERE_MAX_TEXTS)
                .map(|texts| {
                    to_json(
                        WHAT,
                        &WireCohereRequest {
                            texts,
                            input_type: "search_document",
                        },
                    )
                })
                .collect()
        }
    }
}

/// The InvokeModel response bodies of [`encode_embedding_requests`], in the same order, →
/// one response. Titan's `inputTextTokenCount`s are summed (usage is absent when any call
/// lacks it); Cohere reports no tokens, so usage stays absent.
pub fn decode_embedding_responses(
    model: &str,
    bodies: &[impl AsRef<[u8]>],
) -> Result<EmbeddingResponse, CodecError> {
    let family = EmbeddingFamily::of(model).ok_or_else(|| {
        CodecError::invalid(
            "bedrock embeddings response",
            format!("model `{model}` is neither Titan nor Cohere"),
        )
    })?;
    let mut embeddings = Vec::new();
    let mut usage = Usage::default();
    match family {
        EmbeddingFamily::Titan => {
            let mut tokens = Some(0u64);
            for body in bodies {
                let w: WireTitanResponse =
                    from_json("bedrock titan embeddings response", body.as_ref())?;
                embeddings.push(w.embedding);
                tokens = tokens.zip(w.input_text_token_count).map(|(a, b)| a + b);
            }
            usage.input_tokens = tokens;
        }
        EmbeddingFamily::Cohere => {
            for body in bodies {
                let w: WireCohereResponse =
                    from_json("bedrock cohere embeddings response", body.as_ref())?;
                embeddings.extend(w.embeddings);
            }
        }
    }
    Ok(EmbeddingResponse {
        model: model.to_owned(),
        embeddings,
        usage,
    })
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct WireModelList {
    #[serde(default)]
    model_summaries: Vec<WireModelSummary>,
}

/// `FoundationModelSummary`: `modelArn` and `modelId` are required, the rest optional (Amazon
/// Bedrock API Reference, as_of 2026-12-01).
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct WireModelSummary {
    model_id: String,
    #[serde(default)]
    provider_name: Option<String>,
}

/// ListFoundationModels response → models (`owned_by` is the `providerName`, e.g. `Amazon`).
pub fn decode_models(body: &[u8]) -> Result<Vec<ModelInfo>, CodecError> {
    let w: WireModelList = from_json("bedrock foundation model list", body)?;
    Ok(w.model_summaries
        .into_iter()
        .map(|m| ModelInfo {
            id: m.model_id,
            owned_by: m.provider_name,
            created: None,
        })
        .collect())
}

// ---- server side -----------------------------------------------------------------------------

/// Converse body → internal request; `model` and `stream` come from the path.
///
/// A `cachePoint` marks the item before it: the tool definition, the system block (each a system
/// message) or the message piece; a turn is split after each cache point inside it, and encoding
/// merges the pieces back into one turn.
pub fn decode_request(body: &[u8], model: &str, stream: bool) -> Result<ChatRequest, CodecError> {
    let w: WireRequest = from_json("bedrock converse request", body)?;
    let (mut tools, tool_choice) = match w.tool_config {
        None => (Vec::new(), None),
        Some(tc) => {
            let mut tools: Vec<ToolDefinition> = Vec::new();
            for (i, t) in tc.tools.into_iter().enumerate() {
                match (t.tool_spec, t.cache_point) {
                    (Some(spec), cp) => tools.push(ToolDefinition {
                        name: spec.name,
                        description: spec.description,
                        parameters: spec.input_schema.json,
                        cache: cp.as_ref().map(cache_from_wire),
                    }),
                    (None, Some(cp)) => {
                        // a cache point before any tool has nothing to cache
                        if let Some(tool) = tools.last_mut() {
                            tool.cache = Some(cache_from_wire(&cp));
                        }
                    }
                    (None, None) => {
                        return Err(CodecError::invalid(
                            "bedrock toolConfig.tools",
                            format!("entry {i} has neither `toolSpec` nor `cachePoint`"),
                        ))
                    }
                }
            }
            let choice = tc.tool_choice.and_then(|c| {
                if c.get("auto").is_some() {
                    Some(ToolChoice::Auto)
                } else if c.get("any").is_some() {
                    Some(ToolChoice::Required)
                } else {
                    c.get("tool")
                        .and_then(|t| t.get("name"))
                        .and_then(Value::as_str)
                        .map(|n| ToolChoice::Tool(n.to_owned()))
                }
            });
            (tools, choice)
        }
    };
    let mut messages: Vec<Message> = Vec::new();
    for b in w.system {
        if let Some(t) = b.text {
            messages.push(Message::text(Role::System, t));
        }
        if let Some(cp) = b.cache_point {
            mark_previous(&mut messages, &mut tools, cache_from_wire(&cp));
        }
    }
    for m in w.messages {
        let role = match m.role.as_str() {
            "user" => Role::User,
            "assistant" => Role::Assistant,
            other => {
                return Err(CodecError::invalid(
                    "bedrock message role",
                    format!("`{other}`, expected user or assistant"),
                ))
            }
        };
        let empty = || Message {
            content: Vec::new(),
            ..Message::text(role, "")
        };
        let mut msg = empty();
        // whether the block before a cache point was a tool result (already its own message)
        let mut after_tool_result = false;
        for b in m.content {
            if let Some(t) = b.text {
                msg.content.push(ContentPart::Text(t));
                after_tool_result = false;
            }
            if let Some(img) = b.image {
                msg.content.push(ContentPart::Image(ImageSource::Base64 {
                    media_type: format!("image/{}", img.format),
                    data: img.source.bytes,
                }));
                after_tool_result = false;
            }
            if let Some(t) = b.tool_use {
                msg.tool_calls.push(ToolCall {
                    id: t.tool_use_id,
                    name: t.name,
                    arguments: t.input.to_string(),
                });
                after_tool_result = false;
            }
            if let Some(r) = b.reasoning_content.and_then(|r| r.reasoning_text) {
                msg.reasoning
                    .get_or_insert_with(String::new)
                    .push_str(&r.text);
                after_tool_result = false;
            }
            if let Some(r) = b.tool_result {
                let text: String = r
                    .content
                    .iter()
                    .map(|c| match c.get("text").and_then(Value::as_str) {
                        Some(t) => t.to_owned(),
                        None => c.get("json").map(Value::to_string).unwrap_or_default(),
                    })
                    .collect();
                messages.push(Message {
                    is_error: r.status.as_deref() == Some("error"),
                    ..Message::tool_result(r.tool_use_id, text)
                });
                after_tool_result = true;
            }
            if let Some(cp) = b.cache_point {
                let hint = cache_from_wire(&cp);
                match messages.last_mut() {
                    Some(result) if after_tool_result => result.cache = Some(hint),
                    _ => {
                        msg.cache = Some(hint);
                        push_split(
                            &mut messages,
                            &mut tools,
                            std::mem::replace(&mut msg, empty()),
                        );
                    }
                }
            }
        }
        push_split(&mut messages, &mut tools, msg);
    }
    let inf = w.inference_config.unwrap_or_default();
    Ok(ChatRequest {
        model: model.to_owned(),
        messages,
        tools,
        tool_choice,
        max_tokens: inf.max_tokens,
        temperature: inf.temperature,
        top_p: inf.top_p,
        stop: inf.stop_sequences,
        stream,
        include_usage: true,
        response_format: None,
        user: None,
        cache: None,
    })
}

/// Internal response → Converse body (first choice).
pub fn encode_response(resp: &ChatResponse) -> Result<Vec<u8>, CodecError> {
    let choice = resp.choices.first().cloned().unwrap_or_default();
    let mut content = Vec::new();
    if let Some(r) = &choice.reasoning {
        content.push(WireBlock {
            reasoning_content: Some(WireReasoning {
                reasoning_text: Some(WireReasoningText {
                    text: r.clone(),
                    signature: None,
                }),
            }),
            ..WireBlock::default()
        });
    }
    if !choice.text.is_empty() || choice.tool_calls.is_empty() {
        content.push(WireBlock {
            text: Some(choice.text.clone()),
            ..WireBlock::default()
        });
    }
    content.extend(choice.tool_calls.iter().map(|c| WireBlock {
        tool_use: Some(WireToolUse {
            tool_use_id: c.id.clone(),
            name: c.name.clone(),
            input: parse_arguments(&c.arguments),
        }),
        ..WireBlock::default()
    }));
    let w = WireResponse {
        output: WireOutput {
            message: WireMessage {
                role: "assistant".to_owned(),
                content,
            },
        },
        stop_reason: Some(
            choice
                .finish_reason
                .as_ref()
                .map_or_else(|| "end_turn".to_owned(), finish_to_wire),
        ),
        usage: Some(usage_to_wire(&resp.usage)),
        metrics: Some(WireMetrics { latency_ms: 0 }),
    };
    to_json("bedrock converse response", &w)
}

fn string_header(name: &'static str, value: &str) -> Header {
    Header::new(name, HeaderValue::String(StrBytes::from(value.to_owned())))
}

/// One event-stream frame with the given headers and JSON payload.
pub fn encode_frame(headers: &[(&'static str, &str)], payload: &[u8]) -> Vec<u8> {
    let msg = EsMessage::new_from_parts(
        headers.iter().map(|(n, v)| string_header(n, v)).collect(),
        payload.to_vec(),
    );
    let mut out = Vec::new();
    // writing to a Vec only fails for frames over the 16 MiB event-stream limit
    if let Err(e) = write_message_to(&msg, &mut out) {
        tracing::warn!(error = %e, "event-stream frame not written");
        out.clear();
    }
    out
}

fn event_frame(event_type: &str, payload: &Value) -> Vec<u8> {
    encode_frame(
        &[
            (":event-type", event_type),
            (":content-type", "application/json"),
            (":message-type", "event"),
        ],
        payload.to_string().as_bytes(),
    )
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum OpenBlock {
    Text,
    Reasoning,
    Tool,
}

/// Server-side encoder producing ConverseStream frames; `metadata` (with usage and the measured
/// latency) is written at `Done`.
#[derive(Debug)]
pub struct BedrockStreamEncoder {
    started_at: Instant,
    open: Option<(u32, OpenBlock)>,
    next_block: u32,
    tool_blocks: Vec<(u32, u32)>,
    usage: Usage,
    stopped: bool,
}

impl Default for BedrockStreamEncoder {
    fn default() -> Self {
        Self::new()
    }
}

impl BedrockStreamEncoder {
    pub fn new() -> Self {
        Self {
            started_at: Instant::now(),
            open: None,
            next_block: 0,
            tool_blocks: Vec::new(),
            usage: Usage::default(),
            stopped: false,
        }
    }

    fn close(&mut self, out: &mut Vec<u8>) {
        if let Some((i, _)) = self.open.take() {
            out.extend(event_frame(
                "contentBlockStop",
                &serde_json::json!({"contentBlockIndex": i}),
            ));
        }
    }

    fn block(&mut self, out: &mut Vec<u8>, kind: OpenBlock) -> u32 {
        if let Some((i, k)) = self.open {
            if k == kind {
                return i;
            }
        }
        self.close(out);
        let i = self.next_block;
        self.next_block += 1;
        self.open = Some((i, kind));
        i
    }
}

impl StreamEncoder for BedrockStreamEncoder {
    fn encode(&mut self, event: &StreamEvent) -> Vec<u8> {
        let mut out = Vec::new();
        match event {
            StreamEvent::Start { .. } => {
                out = event_frame("messageStart", &serde_json::json!({"role": "assistant"}));
            }
            StreamEvent::TextDelta(t) => {
                let i = self.block(&mut out, OpenBlock::Text);
                out.extend(event_frame(
                    "contentBlockDelta",
                    &serde_json::json!({"contentBlockIndex": i, "delta": {"text": t}}),
                ));
            }
            StreamEvent::ReasoningDelta(t) => {
                let i = self.block(&mut out, OpenBlock::Reasoning);
                out.extend(event_frame(
                    "contentBlockDelta",
                    &serde_json::json!({"contentBlockIndex": i,
                        "delta": {"reasoningContent": {"text": t}}}),
                ));
            }
            StreamEvent::ToolCallDelta {
                index,
                id,
                name,
                arguments,
            } => {
                let block = if let Some(id) = id {
                    self.close(&mut out);
                    let b = self.block(&mut out, OpenBlock::Tool);
                    self.tool_blocks.push((*index, b));
                    out.extend(event_frame(
                        "contentBlockStart",
                        &serde_json::json!({"contentBlockIndex": b, "start": {"toolUse":
                            {"toolUseId": id, "name": name.clone().unwrap_or_default()}}}),
                    ));
                    Some(b)
                } else {
                    self.tool_blocks
                        .iter()
                        .find(|(t, _)| t == index)
                        .map(|(_, b)| *b)
                };
                if let (Some(b), false) = (block, arguments.is_empty()) {
                    out.extend(event_frame(
                        "contentBlockDelta",
                        &serde_json::json!({"contentBlockIndex": b,
                            "delta": {"toolUse": {"input": arguments}}}),
                    ));
                }
            }
            StreamEvent::Finish(r) => {
                self.close(&mut out);
                self.stopped = true;
                out.extend(event_frame(
                    "messageStop",
                    &serde_json::json!({"stopReason": finish_to_wire(r)}),
                ));
            }
            StreamEvent::Usage(u) => self.usage.merge(u),
            StreamEvent::Done => {
                self.close(&mut out);
                if !self.stopped {
                    self.stopped = true;
                    out.extend(event_frame(
                        "messageStop",
                        &serde_json::json!({"stopReason": "end_turn"}),
                    ));
                }
                let latency =
                    u64::try_from(self.started_at.elapsed().as_millis()).unwrap_or(u64::MAX);
                out.extend(event_frame(
                    "metadata",
                    &serde_json::json!({
                        "usage": serde_json::to_value(usage_to_wire(&self.usage)).unwrap_or(Value::Null),
                        "metrics": {"latencyMs": latency}}),
                ));
            }
        }
        out
    }

    fn encode_error(&mut self, class: &ErrorClass, message: &str) -> Vec<u8> {
        let (name, _) = exception_for(class);
        // stream exceptions are union members, named in camelCase
        let mut member = name.to_owned();
        if let Some(first) = member.get_mut(0..1) {
            first.make_ascii_lowercase();
        }
        encode_frame(
            &[
                (":exception-type", &member),
                (":content-type", "application/json"),
                (":message-type", "exception"),
            ],
            serde_json::json!({"message": message})
                .to_string()
                .as_bytes(),
        )
    }
}

fn exception_for(class: &ErrorClass) -> (&'static str, u16) {
    match class {
        ErrorClass::RateLimited { .. } => ("ThrottlingException", 429),
        ErrorClass::QuotaExceeded => ("ServiceQuotaExceededException", 400),
        ErrorClass::Overloaded => ("ServiceUnavailableException", 503),
        ErrorClass::BadRequest | ErrorClass::ContextTooLong => ("ValidationException", 400),
        ErrorClass::Auth => ("AccessDeniedException", 403),
        ErrorClass::NotFound => ("ResourceNotFoundException", 404),
        ErrorClass::Timeout => ("ModelTimeoutException", 408),
        ErrorClass::StreamCut => ("ModelStreamErrorException", 424),
        ErrorClass::ServerError | ErrorClass::ConnectionReset | ErrorClass::InvalidResponse => {
            ("InternalServerException", 500)
        }
    }
}

pub(crate) fn encode_error(class: &ErrorClass, message: &str) -> ErrorResponse {
    let (name, status) = exception_for(class);
    ErrorResponse {
        status,
        headers: vec![("x-amzn-errortype".to_owned(), name.to_owned())],
        body: serde_json::json!({"message": message})
            .to_string()
            .into_bytes(),
    }
}

// ---- SigV4 -----------------------------------------------------------------------------------

/// Errors from SigV4 signing.
#[derive(Debug, thiserror::Error)]
#[error("sigv4 signing failed: {0}")]
pub struct SigningError(String);

/// The parts of an HTTP request SigV4 signs.
#[derive(Debug, Clone, Copy)]
pub struct SignableHttp<'a> {
    pub method: &'a str,
    /// Full URL, already percent-encoded.
    pub url: &'a str,
    /// Headers that will be sent (at least `host`); all of them are signed.
    pub headers: &'a [(&'a str, &'a str)],
    pub body: &'a [u8],
}

/// Signs a request with SigV4 and returns the headers to add (`authorization`, `x-amz-date`,
/// and `x-amz-security-token` for temporary credentials).
pub fn sign_request(
    req: &SignableHttp<'_>,
    credentials: &AwsCredentials,
    region: &str,
    service: &str,
    time: SystemTime,
) -> Result<Vec<(String, String)>, SigningError> {
    use aws_sigv4::http_request::{sign, SignableBody, SignableRequest, SigningSettings};
    use aws_sigv4::sign::v4;

    let identity = aws_credential_types::Credentials::new(
        credentials.access_key_id.clone(),
        credentials.secret_access_key.expose().to_owned(),
        credentials
            .session_token
            .as_ref()
            .map(|t| t.expose().to_owned()),
        None,
        "cloudfit",
    )
    .into();
    let params = v4::SigningParams::builder()
        .identity(&identity)
        .region(region)
        .name(service)
        .time(time)
        .settings(SigningSettings::default())
        .build()
        .map_err(|e| SigningError(e.to_string()))?
        .into();
    let signable = SignableRequest::new(
        req.method,
        req.url,
        req.headers.iter().copied(),
        SignableBody::Bytes(req.body),
    )
    .map_err(|e| SigningError(e.to_string()))?;
    let (instructions, _signature) = sign(signable, &params)
        .map_err(|e| SigningError(e.to_string()))?
        .into_parts();
    let (new_headers, _params) = instructions.into_parts();
    Ok(new_headers
        .into_iter()
        .map(|h| (h.name().to_owned(), h.value().to_owned()))
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn model_ids_are_percent_encoded_in_the_path() {
        assert_eq!(
            chat_path("anthropic.claude-3-haiku-20240307-v1:0", true),
            "/model/anthropic.claude-3-haiku-20240307-v1%3A0/converse-stream"
        );
    }

    #[test]
    fn exceptions_classify_from_header_or_body() {
        let mut h = http::HeaderMap::new();
        h.insert(
            "x-amzn-errortype",
            http::HeaderValue::from_static(
                "ThrottlingException:http://internal.amazon.com/coral/com.amazon.bedrock/",
            ),
        );
        let d = error_detail(
            &h,
            br#"{"message":"Too many requests, please wait before trying again."}"#,
        );
        assert_eq!(d.class, Some(ErrorClass::RateLimited { retry_after: None }));
        let d = error_detail(
            &http::HeaderMap::new(),
            br#"{"__type":"com.amazon.coral.validate#ValidationException","message":"Input is too long for requested model."}"#,
        );
        let e = d.into_error(400, None);
        assert_eq!(e.class, ErrorClass::ContextTooLong);
    }

    fn embedding_request(model: &str, input: &[&str], dimensions: Option<u32>) -> EmbeddingRequest {
        EmbeddingRequest {
            model: model.to_owned(),
            input: input.iter().map(|s| (*s).to_owned()).collect(),
            dimensions,
            user: None,
        }
    }

    #[test]
    fn titan_embeddings_are_one_invoke_body_per_input() {
        let req = embedding_request(
            "amazon.titan-embed-text-v2:0",
            &["hello world", "second"],
            Some(256),
        );
        let bodies = encode_embedding_requests(&req).unwrap();
        let bodies: Vec<&str> = bodies
            .iter()
            .map(|b| std::str::from_utf8(b).unwrap())
            .collect();
        assert_eq!(
            bodies,
            [
                r#"{"inputText":"hello world","dimensions":256,"normalize":true}"#,
                r#"{"inputText":"second","dimensions":256,"normalize":true}"#,
            ]
        );
        assert_eq!(
            invoke_path(&req.model),
            "/model/amazon.titan-embed-text-v2%3A0/invoke"
        );
        let no_dims = encode_embedding_requests(&embedding_request(
            "amazon.titan-embed-text-v2:0",
            &["x"],
            None,
        ))
        .unwrap();
        assert_eq!(no_dims[0], br#"{"inputText":"x","normalize":true}"#);
    }

    #[test]
    fn titan_responses_sum_their_token_counts() {
        let r = decode_embedding_responses(
            "amazon.titan-embed-text-v2:0",
            &[
                &br#"{"embedding":[0.6,-0.8],"inputTextTokenCount":3,"embeddingsByType":{"float":[0.6,-0.8]}}"#[..],
                &br#"{"embedding":[1.0,0.0],"inputTextTokenCount":2}"#[..],
            ],
        )
        .unwrap();
        assert_eq!(r.model, "amazon.titan-embed-text-v2:0");
        assert_eq!(r.embeddings, vec![vec![0.6, -0.8], vec![1.0, 0.0]]);
        assert_eq!(r.usage.input_tokens, Some(5));
        // one call without a count: the total is unknown, not a partial sum
        let r = decode_embedding_responses(
            "amazon.titan-embed-text-v2:0",
            &[
                &br#"{"embedding":[1.0],"inputTextTokenCount":3}"#[..],
                &br#"{"embedding":[1.0]}"#[..],
            ],
        )
        .unwrap();
        assert!(r.usage.is_empty(), "{:?}", r.usage);
    }

    #[test]
    fn cohere_embeddings_batch_96_texts_and_report_no_usage() {
        let req = embedding_request("cohere.embed-english-v3", &["a", "b"], None);
        let bodies = encode_embedding_requests(&req).unwrap();
        assert_eq!(bodies.len(), 1);
        assert_eq!(
            bodies[0],
            br#"{"texts":["a","b"],"input_type":"search_document"}"#
        );
        let many: Vec<String> = (0..200).map(|i| format!("t{i}")).collect();
        let req = EmbeddingRequest {
            input: many,
            ..embedding_request("cohere.embed-multilingual-v3", &[], None)
        };
        assert_eq!(encode_embedding_requests(&req).unwrap().len(), 3);
        let r = decode_embedding_responses(
            "cohere.embed-english-v3",
            &[br#"{"embeddings":[[0.1,0.2],[0.3,0.4]],"id":"5a1e3f1c-0000-4000-a000-000000000000","response_type":"embeddings_floats","texts":["a","b"]}"#],
        )
        .unwrap();
        assert_eq!(r.embeddings, vec![vec![0.1, 0.2], vec![0.3, 0.4]]);
        assert!(r.usage.is_empty(), "usage is absent, not guessed");
    }

    #[test]
    fn embedding_requests_bedrock_cannot_serve_are_refused() {
        let unknown =
            encode_embedding_requests(&embedding_request("amazon.nova-lite-v1:0", &["x"], None))
                .unwrap_err()
                .to_string();
        assert!(unknown.contains("amazon.nova-lite-v1:0"), "{unknown}");
        let dims = encode_embedding_requests(&embedding_request(
            "cohere.embed-english-v3",
            &["x"],
            Some(256),
        ))
        .unwrap_err()
        .to_string();
        assert!(dims.contains("dimensions 256"), "{dims}");
        assert!(encode_embedding_requests(&embedding_request(
            "amazon.titan-embed-text-v2:0",
            &[],
            None
        ))
        .is_err());
        assert_eq!(
            EmbeddingFamily::of("us.cohere.embed-english-v3"),
            Some(EmbeddingFamily::Cohere)
        );
        assert_eq!(
            EmbeddingFamily::of(
                "arn:aws:bedrock:us-east-1::foundation-model/amazon.titan-embed-text-v2:0"
            ),
            Some(EmbeddingFamily::Titan)
        );
    }

    #[test]
    fn foundation_models_are_listed_on_the_control_plane_host() {
        assert_eq!(
            control_plane_base_url("https://bedrock-runtime.eu-central-1.amazonaws.com"),
            "https://bedrock.eu-central-1.amazonaws.com"
        );
        assert_eq!(
            control_plane_base_url("http://127.0.0.1:4000/"),
            "http://127.0.0.1:4000/"
        );
        let body = br#"{"modelSummaries":[{"modelArn":"arn:aws:bedrock:us-east-1::foundation-model/amazon.titan-embed-text-v2:0","modelId":"amazon.titan-embed-text-v2:0","modelName":"Titan Text Embeddings V2","providerName":"Amazon","inputModalities":["TEXT"],"outputModalities":["EMBEDDING"],"responseStreamingSupported":false,"customizationsSupported":[],"inferenceTypesSupported":["ON_DEMAND"],"modelLifecycle":{"status":"ACTIVE"}},{"modelArn":"arn:aws:bedrock:us-east-1::foundation-model/anthropic.claude-3-5-haiku-20241022-v1:0","modelId":"anthropic.claude-3-5-haiku-20241022-v1:0"}]}"#;
        let models = decode_models(body).unwrap();
        assert_eq!(
            models,
            vec![
                ModelInfo {
                    id: "amazon.titan-embed-text-v2:0".to_owned(),
                    owned_by: Some("Amazon".to_owned()),
                    created: None,
                },
                ModelInfo {
                    id: "anthropic.claude-3-5-haiku-20241022-v1:0".to_owned(),
                    owned_by: None,
                    created: None,
                },
            ]
        );
    }
}
