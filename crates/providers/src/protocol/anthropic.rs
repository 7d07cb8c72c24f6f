//! Anthropic Messages API (`POST /v1/messages`), its typed SSE stream and `GET /v1/models`.
//!
//! Wire reference: Anthropic API docs "Messages", "Streaming Messages" (events `message_start`,
//! `content_block_start`, `content_block_delta` with `text_delta` / `input_json_delta` /
//! `thinking_delta` / `signature_delta`, `content_block_stop`, `message_delta`, `message_stop`,
//! `ping`, `error`), "Errors". Headers: `x-api-key`, `anthropic-version: 2023-06-01`.
//!
//! Prompt caching ("Prompt caching" docs): a `cache_control` of `{"type": "ephemeral"}` with an
//! optional `"ttl": "5m" | "1h"` on a tool definition, a system block or a message content block
//! is a breakpoint after that block; one at the top level of the request caches up to the last
//! block ("automatic caching"). They map to [`CacheHint`]s on [`ToolDefinition::cache`],
//! [`Message::cache`] and [`ChatRequest::cache`]. Usage reports `cache_read_input_tokens` and
//! `cache_creation_input_tokens` apart from `input_tokens`.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::{
    push_split, stream_cut, ErrorDetail, ErrorResponse, StreamContext, StreamDecoder,
    StreamEncoder, WireCacheTtl,
};
use crate::error::{from_json, to_json, CodecError, ErrorClass, ProviderError};
use crate::sse::{encode_event, SseDecoder};
use crate::types::{
    CacheHint, CacheTtl, ChatRequest, ChatResponse, Choice, ContentPart, FinishReason, ImageSource,
    Message, ModelInfo, Role, StreamEvent, ToolCall, ToolChoice, ToolDefinition, Usage,
};

/// The API version this module speaks.
pub const ANTHROPIC_VERSION: &str = "2023-06-01";

/// `max_tokens` is required by Anthropic; used when the internal request has none.
pub const DEFAULT_MAX_TOKENS: u32 = 4096;

// ---- wire types ------------------------------------------------------------------------------

#[derive(Debug, Serialize, Deserialize)]
struct WireRequest {
    model: String,
    max_tokens: u32,
    messages: Vec<WireMessage>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    system: Option<WireSystem>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    temperature: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    top_p: Option<f64>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    stop_sequences: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    stream: Option<bool>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    tools: Vec<WireTool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    tool_choice: Option<WireToolChoice>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    metadata: Option<WireMetadata>,
    /// Automatic caching: a breakpoint after the last block.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    cache_control: Option<WireCacheControl>,
}

/// `cache_control`: `{"type": "ephemeral"}`, optionally with `"ttl": "5m" | "1h"`. Read as
/// text and checked by [`cache_from_wire`]: inside the tagged and untagged block enums a serde
/// error would lose the field's path.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct WireCacheControl {
    #[serde(rename = "type")]
    kind: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    ttl: Option<String>,
}

const EPHEMERAL: &str = "ephemeral";

#[derive(Debug, Serialize, Deserialize)]
#[serde(untagged)]
enum WireSystem {
    Text(String),
    Blocks(Vec<WireTextBlock>),
}

#[derive(Debug, Serialize, Deserialize)]
struct WireTextBlock {
    #[serde(rename = "type")]
    kind: String,
    text: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    cache_control: Option<WireCacheControl>,
}

#[derive(Debug, Serialize, Deserialize)]
struct WireMetadata {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    user_id: Option<String>,
}

#[derive(Debug, Serialize, Deserialize)]
struct WireTool {
    name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    description: Option<String>,
    input_schema: Value,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    cache_control: Option<WireCacheControl>,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
enum WireToolChoice {
    Auto,
    Any,
    None,
    Tool { name: String },
}

#[derive(Debug, Serialize, Deserialize)]
struct WireMessage {
    role: String,
    content: WireContent,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(untagged)]
enum WireContent {
    Text(String),
    Blocks(Vec<WireBlock>),
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
enum WireBlock {
    Text {
        text: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        cache_control: Option<WireCacheControl>,
    },
    Image {
        source: WireImageSource,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        cache_control: Option<WireCacheControl>,
    },
    ToolUse {
        id: String,
        name: String,
        input: Value,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        cache_control: Option<WireCacheControl>,
    },
    ToolResult {
        tool_use_id: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        content: Option<WireToolResultContent>,
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        is_error: bool,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        cache_control: Option<WireCacheControl>,
    },
    Thinking {
        thinking: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        signature: Option<String>,
    },
    RedactedThinking {
        data: String,
    },
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(untagged)]
enum WireToolResultContent {
    Text(String),
    Blocks(Vec<Value>),
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
enum WireImageSource {
    Base64 { media_type: String, data: String },
    Url { url: String },
}

#[derive(Debug, Serialize, Deserialize)]
struct WireResponse {
    id: String,
    #[serde(rename = "type")]
    kind: String,
    role: String,
    model: String,
    content: Vec<WireBlock>,
    #[serde(default)]
    stop_reason: Option<String>,
    #[serde(default)]
    stop_sequence: Option<String>,
    usage: WireUsage,
}

#[derive(Debug, Default, Serialize, Deserialize)]
struct WireUsage {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    input_tokens: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    output_tokens: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    cache_creation_input_tokens: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    cache_read_input_tokens: Option<u64>,
}

#[derive(Debug, Serialize, Deserialize)]
struct WireErrorBody {
    #[serde(rename = "type")]
    kind: String,
    error: WireError,
}

#[derive(Debug, Serialize, Deserialize)]
struct WireError {
    #[serde(rename = "type")]
    kind: String,
    #[serde(default)]
    message: String,
    /// `{"error_code": "enforced_spend_limit_reached"}` on the 429 of an exhausted monthly spend
    /// limit (learn.microsoft.com dev-proxy "Anthropic 529 overloaded_error" comparison table).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    details: Option<Value>,
}

// ---- mappings --------------------------------------------------------------------------------

fn finish_from_wire(s: &str) -> FinishReason {
    match s {
        "end_turn" => FinishReason::Stop,
        "stop_sequence" => FinishReason::StopSequence,
        "max_tokens" => FinishReason::Length,
        "tool_use" => FinishReason::ToolCalls,
        "refusal" => FinishReason::ContentFilter,
        other => FinishReason::Other(other.to_owned()),
    }
}

fn finish_to_wire(r: &FinishReason) -> String {
    match r {
        FinishReason::Stop => "end_turn".to_owned(),
        FinishReason::StopSequence => "stop_sequence".to_owned(),
        FinishReason::Length => "max_tokens".to_owned(),
        FinishReason::ToolCalls => "tool_use".to_owned(),
        FinishReason::ContentFilter => "refusal".to_owned(),
        FinishReason::Other(s) => s.clone(),
    }
}

/// Anthropic's `input_tokens` excludes cache reads and writes; the internal count includes them.
fn usage_from_wire(u: &WireUsage) -> Usage {
    let input = u.input_tokens.map(|i| {
        i + u.cache_read_input_tokens.unwrap_or(0) + u.cache_creation_input_tokens.unwrap_or(0)
    });
    Usage {
        input_tokens: input,
        output_tokens: u.output_tokens,
        cached_input_tokens: u.cache_read_input_tokens,
        reasoning_tokens: None,
        cache_write_input_tokens: u.cache_creation_input_tokens,
    }
}

fn usage_to_wire(u: &Usage) -> WireUsage {
    WireUsage {
        input_tokens: Some(u.uncached_input().unwrap_or(0)),
        output_tokens: Some(u.output_tokens.unwrap_or(0)),
        cache_creation_input_tokens: u.cache_write_input_tokens,
        cache_read_input_tokens: u.cached_input_tokens,
    }
}

fn cache_to_wire(hint: &CacheHint) -> WireCacheControl {
    WireCacheControl {
        kind: EPHEMERAL.to_owned(),
        ttl: hint.ttl.map(|t| WireCacheTtl::from(t).as_str().to_owned()),
    }
}

/// The hint of a `cache_control` found under `at` (a path prefix such as
/// `messages[1].content[0].`, built only for the error).
fn cache_from_wire(
    c: Option<&WireCacheControl>,
    at: impl Fn() -> String,
) -> Result<Option<CacheHint>, CodecError> {
    let Some(c) = c else { return Ok(None) };
    if c.kind != EPHEMERAL {
        return Err(CodecError::invalid(
            "anthropic cache_control",
            format!(
                "`{}` at {}cache_control.type, expected {EPHEMERAL}",
                c.kind,
                at()
            ),
        ));
    }
    let ttl = match c.ttl.as_deref() {
        None => None,
        Some(t) => Some(WireCacheTtl::parse(t).map(CacheTtl::from).ok_or_else(|| {
            CodecError::invalid(
                "anthropic cache_control",
                format!("`{t}` at {}cache_control.ttl, expected 5m or 1h", at()),
            )
        })?),
    };
    Ok(Some(CacheHint { ttl }))
}

/// The `cache_control` slot of a block; thinking blocks cannot be marked (the docs say to mark
/// another block instead).
fn block_cache_mut(b: &mut WireBlock) -> Option<&mut Option<WireCacheControl>> {
    match b {
        WireBlock::Text { cache_control, .. }
        | WireBlock::Image { cache_control, .. }
        | WireBlock::ToolUse { cache_control, .. }
        | WireBlock::ToolResult { cache_control, .. } => Some(cache_control),
        WireBlock::Thinking { .. } | WireBlock::RedactedThinking { .. } => None,
    }
}

fn block_cache(b: &WireBlock) -> Option<&WireCacheControl> {
    match b {
        WireBlock::Text { cache_control, .. }
        | WireBlock::Image { cache_control, .. }
        | WireBlock::ToolUse { cache_control, .. }
        | WireBlock::ToolResult { cache_control, .. } => cache_control.as_ref(),
        WireBlock::Thinking { .. } | WireBlock::RedactedThinking { .. } => None,
    }
}

fn text_block(text: String) -> WireBlock {
    WireBlock::Text {
        text,
        cache_control: None,
    }
}

fn parse_arguments(args: &str) -> Value {
    if args.trim().is_empty() {
        return Value::Object(serde_json::Map::new());
    }
    serde_json::from_str(args).unwrap_or_else(|_| Value::String(args.to_owned()))
}

fn image_to_wire(img: &ImageSource) -> WireImageSource {
    match img {
        ImageSource::Url(url) => WireImageSource::Url { url: url.clone() },
        ImageSource::Base64 { media_type, data } => WireImageSource::Base64 {
            media_type: media_type.clone(),
            data: data.clone(),
        },
    }
}

fn image_from_wire(src: WireImageSource) -> ImageSource {
    match src {
        WireImageSource::Url { url } => ImageSource::Url(url),
        WireImageSource::Base64 { media_type, data } => ImageSource::Base64 { media_type, data },
    }
}

fn parts_to_blocks(parts: &[ContentPart]) -> Vec<WireBlock> {
    parts
        .iter()
        .filter_map(|p| match p {
            ContentPart::Text(t) if t.is_empty() => None,
            ContentPart::Text(t) => Some(text_block(t.clone())),
            ContentPart::Image(i) => Some(WireBlock::Image {
                source: image_to_wire(i),
                cache_control: None,
            }),
        })
        .collect()
}

fn tool_result_text(c: Option<WireToolResultContent>) -> Vec<ContentPart> {
    match c {
        None => Vec::new(),
        Some(WireToolResultContent::Text(t)) => vec![ContentPart::Text(t)],
        Some(WireToolResultContent::Blocks(blocks)) => blocks
            .iter()
            .filter_map(|b| b.get("text").and_then(Value::as_str))
            .map(|t| ContentPart::Text(t.to_owned()))
            .collect(),
    }
}

// ---- client side -----------------------------------------------------------------------------

/// Internal request → Anthropic Messages body. System messages move to `system`; tool results
/// become `tool_result` blocks in a user turn; consecutive turns of one role are merged.
///
/// A [`Message::cache`] becomes `cache_control` on the last block the message produced (or, when
/// it produced none, on the block before it in prompt order); system prompts with a hint are sent
/// as one block per system message, others as one string as before.
pub fn encode_request(req: &ChatRequest) -> Result<Vec<u8>, CodecError> {
    let mut tools: Vec<WireTool> = req
        .tools
        .iter()
        .map(|t| WireTool {
            name: t.name.clone(),
            description: t.description.clone(),
            input_schema: t.parameters.clone(),
            cache_control: t.cache.as_ref().map(cache_to_wire),
        })
        .collect();
    let system_marked = req
        .messages
        .iter()
        .any(|m| m.role == Role::System && m.cache.is_some());
    let mut system: Vec<WireTextBlock> = Vec::new();
    let mut messages: Vec<WireMessage> = Vec::new();
    for m in &req.messages {
        let (role, blocks) = match m.role {
            Role::System => {
                if system_marked {
                    let text = m.joined_text();
                    // empty text blocks are refused by the API
                    if !text.is_empty() {
                        system.push(WireTextBlock {
                            kind: "text".to_owned(),
                            text,
                            cache_control: None,
                        });
                    }
                    if let Some(hint) = &m.cache {
                        mark_system(&mut tools, &mut system, hint);
                    }
                }
                continue;
            }
            Role::User => ("user", parts_to_blocks(&m.content)),
            Role::Tool => (
                "user",
                vec![WireBlock::ToolResult {
                    tool_use_id: m.tool_call_id.clone().unwrap_or_default(),
                    content: Some(WireToolResultContent::Text(m.joined_text())),
                    is_error: m.is_error,
                    cache_control: None,
                }],
            ),
            Role::Assistant => {
                let mut blocks = parts_to_blocks(&m.content);
                blocks.extend(m.tool_calls.iter().map(|c| WireBlock::ToolUse {
                    id: c.id.clone(),
                    name: c.name.clone(),
                    input: parse_arguments(&c.arguments),
                    cache_control: None,
                }));
                ("assistant", blocks)
            }
        };
        match messages.last_mut() {
            Some(WireMessage {
                role: last,
                content: WireContent::Blocks(prev),
            }) if last == role => prev.extend(blocks),
            _ => messages.push(WireMessage {
                role: role.to_owned(),
                content: WireContent::Blocks(blocks),
            }),
        }
        if let Some(hint) = &m.cache {
            let last_block = messages
                .iter_mut()
                .rev()
                .find_map(|w| match &mut w.content {
                    WireContent::Blocks(b) => b.iter_mut().rev().find_map(block_cache_mut),
                    WireContent::Text(_) => None,
                });
            match last_block {
                Some(slot) => *slot = Some(cache_to_wire(hint)),
                None => mark_system(&mut tools, &mut system, hint),
            }
        }
    }
    // a single plain text block is sent as a string, as the docs' examples do
    for m in &mut messages {
        if let WireContent::Blocks(b) = &m.content {
            if let [WireBlock::Text {
                text,
                cache_control: None,
            }] = b.as_slice()
            {
                m.content = WireContent::Text(text.clone());
            }
        }
    }
    let system = if system_marked {
        (!system.is_empty()).then_some(WireSystem::Blocks(system))
    } else {
        req.system_text().map(WireSystem::Text)
    };
    let wire = WireRequest {
        model: req.model.clone(),
        max_tokens: req.max_tokens.unwrap_or(DEFAULT_MAX_TOKENS),
        messages,
        system,
        temperature: req.temperature,
        top_p: req.top_p,
        stop_sequences: req.stop.clone(),
        stream: req.stream.then_some(true),
        tools,
        tool_choice: req.tool_choice.as_ref().map(|c| match c {
            ToolChoice::Auto => WireToolChoice::Auto,
            ToolChoice::Required => WireToolChoice::Any,
            ToolChoice::None => WireToolChoice::None,
            ToolChoice::Tool(n) => WireToolChoice::Tool { name: n.clone() },
        }),
        metadata: req.user.as_ref().map(|u| WireMetadata {
            user_id: Some(u.clone()),
        }),
        cache_control: req.cache.as_ref().map(cache_to_wire),
    };
    to_json("anthropic request", &wire)
}

/// Puts a breakpoint on the last system block, else on the last tool (the blocks before the
/// messages in prompt order). With neither there is nothing to cache and the hint is dropped.
fn mark_system(tools: &mut [WireTool], system: &mut [WireTextBlock], hint: &CacheHint) {
    let slot = match (system.last_mut(), tools.last_mut()) {
        (Some(block), _) => &mut block.cache_control,
        (None, Some(tool)) => &mut tool.cache_control,
        (None, None) => return,
    };
    *slot = Some(cache_to_wire(hint));
}

/// Anthropic response body → internal response.
pub fn decode_response(body: &[u8]) -> Result<ChatResponse, CodecError> {
    let w: WireResponse = from_json("anthropic message", body)?;
    let mut choice = Choice {
        finish_reason: w.stop_reason.as_deref().map(finish_from_wire),
        ..Choice::default()
    };
    for block in w.content {
        match block {
            WireBlock::Text { text, .. } => choice.text.push_str(&text),
            WireBlock::Thinking { thinking, .. } => choice
                .reasoning
                .get_or_insert_with(String::new)
                .push_str(&thinking),
            WireBlock::ToolUse {
                id, name, input, ..
            } => choice.tool_calls.push(ToolCall {
                id,
                name,
                arguments: input.to_string(),
            }),
            WireBlock::Image { .. }
            | WireBlock::ToolResult { .. }
            | WireBlock::RedactedThinking { .. } => {}
        }
    }
    Ok(ChatResponse {
        id: w.id,
        model: w.model,
        created: None,
        choices: vec![choice],
        usage: usage_from_wire(&w.usage),
    })
}

/// Reads `{"type":"error","error":{"type":"overloaded_error","message":...}}`.
pub(crate) fn error_detail(body: &[u8]) -> ErrorDetail {
    let Ok(w) = serde_json::from_slice::<WireErrorBody>(body) else {
        return ErrorDetail {
            message: super::openai::non_empty_text(body),
            ..ErrorDetail::default()
        };
    };
    let spend_limit = w
        .error
        .details
        .as_ref()
        .and_then(|d| d.get("error_code"))
        .and_then(Value::as_str)
        == Some("enforced_spend_limit_reached");
    // Types and statuses from docs.claude.com/en/api/errors: 400 invalid_request_error, 401
    // authentication_error, 403 permission_error, 404 not_found_error, 413 request_too_large
    // ("exceeds the maximum allowed number of bytes", sent by Cloudflare: a body-size limit, not
    // the context window), 429 rate_limit_error, 500 api_error, 529 overloaded_error.
    let class = match w.error.kind.as_str() {
        "overloaded_error" => Some(ErrorClass::Overloaded),
        // a spend limit lasts until the next month: not worth retrying
        "rate_limit_error" if spend_limit => Some(ErrorClass::QuotaExceeded),
        "rate_limit_error" => Some(ErrorClass::RateLimited { retry_after: None }),
        "authentication_error" | "permission_error" => Some(ErrorClass::Auth),
        "not_found_error" => Some(ErrorClass::NotFound),
        "billing_error" => Some(ErrorClass::QuotaExceeded),
        "request_too_large" => Some(ErrorClass::BadRequest),
        "invalid_request_error" => Some(ErrorClass::BadRequest),
        "api_error" => Some(ErrorClass::ServerError),
        "timeout_error" => Some(ErrorClass::Timeout),
        _ => None,
    };
    ErrorDetail {
        class,
        code: Some(w.error.kind),
        message: Some(w.error.message),
    }
}

#[derive(Debug, Deserialize)]
struct StreamStart {
    message: StreamStartMessage,
}

#[derive(Debug, Deserialize)]
struct StreamStartMessage {
    #[serde(default)]
    id: Option<String>,
    #[serde(default)]
    model: Option<String>,
    #[serde(default)]
    usage: Option<WireUsage>,
}

#[derive(Debug, Deserialize)]
struct StreamBlockStart {
    index: u32,
    content_block: WireBlock,
}

#[derive(Debug, Deserialize)]
struct StreamBlockDelta {
    index: u32,
    delta: WireDelta,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
#[expect(
    clippy::enum_variant_names,
    reason = "the variant names are the wire type tags"
)]
enum WireDelta {
    TextDelta { text: String },
    InputJsonDelta { partial_json: String },
    ThinkingDelta { thinking: String },
    SignatureDelta { signature: String },
    CitationsDelta { citation: Value },
}

#[derive(Debug, Deserialize)]
struct StreamMessageDelta {
    delta: StreamMessageDeltaInner,
    #[serde(default)]
    usage: Option<WireUsage>,
}

#[derive(Debug, Deserialize)]
struct StreamMessageDeltaInner {
    #[serde(default)]
    stop_reason: Option<String>,
}

/// Incremental decoder for Anthropic's typed SSE events.
#[derive(Debug, Default)]
pub struct AnthropicStreamDecoder {
    sse: SseDecoder,
    /// Content block index → tool call index.
    tool_blocks: HashMap<u32, u32>,
    /// Input-token numbers from `message_start` (message_delta may repeat or omit them).
    start_usage: WireUsage,
    done: bool,
}

impl AnthropicStreamDecoder {
    pub fn new() -> Self {
        Self::default()
    }

    fn event(
        &mut self,
        kind: &str,
        data: &str,
        out: &mut Vec<StreamEvent>,
    ) -> Result<(), ProviderError> {
        let bytes = data.as_bytes();
        match kind {
            "message_start" => {
                let s: StreamStart = from_json("anthropic message_start", bytes)?;
                out.push(StreamEvent::Start {
                    id: s.message.id,
                    model: s.message.model,
                });
                if let Some(u) = s.message.usage {
                    out.push(StreamEvent::Usage(usage_from_wire(&u)));
                    self.start_usage = u;
                }
            }
            "content_block_start" => {
                let s: StreamBlockStart = from_json("anthropic content_block_start", bytes)?;
                match s.content_block {
                    WireBlock::ToolUse { id, name, .. } => {
                        let tool_index = u32::try_from(self.tool_blocks.len()).unwrap_or(u32::MAX);
                        self.tool_blocks.insert(s.index, tool_index);
                        out.push(StreamEvent::ToolCallDelta {
                            index: tool_index,
                            id: Some(id),
                            name: Some(name),
                            arguments: String::new(),
                        });
                    }
                    WireBlock::Text { text, .. } if !text.is_empty() => {
                        out.push(StreamEvent::TextDelta(text));
                    }
                    WireBlock::Thinking { thinking, .. } if !thinking.is_empty() => {
                        out.push(StreamEvent::ReasoningDelta(thinking));
                    }
                    _ => {}
                }
            }
            "content_block_delta" => {
                let d: StreamBlockDelta = from_json("anthropic content_block_delta", bytes)?;
                match d.delta {
                    WireDelta::TextDelta { text } => out.push(StreamEvent::TextDelta(text)),
                    WireDelta::ThinkingDelta { thinking } => {
                        out.push(StreamEvent::ReasoningDelta(thinking));
                    }
                    WireDelta::InputJsonDelta { partial_json } => {
                        let index = self.tool_blocks.get(&d.index).copied().ok_or_else(|| {
                            ProviderError::invalid(format!(
                                "anthropic input_json_delta for block {} that is not a tool_use",
                                d.index
                            ))
                        })?;
                        out.push(StreamEvent::ToolCallDelta {
                            index,
                            id: None,
                            name: None,
                            arguments: partial_json,
                        });
                    }
                    WireDelta::SignatureDelta { .. } | WireDelta::CitationsDelta { .. } => {}
                }
            }
            "message_delta" => {
                let d: StreamMessageDelta = from_json("anthropic message_delta", bytes)?;
                if let Some(r) = d.delta.stop_reason {
                    out.push(StreamEvent::Finish(finish_from_wire(&r)));
                }
                if let Some(mut u) = d.usage {
                    // message_delta's usage is cumulative; input numbers may be left out
                    u.input_tokens = u.input_tokens.or(self.start_usage.input_tokens);
                    u.cache_read_input_tokens = u
                        .cache_read_input_tokens
                        .or(self.start_usage.cache_read_input_tokens);
                    u.cache_creation_input_tokens = u
                        .cache_creation_input_tokens
                        .or(self.start_usage.cache_creation_input_tokens);
                    out.push(StreamEvent::Usage(usage_from_wire(&u)));
                }
            }
            "message_stop" => {
                self.done = true;
                out.push(StreamEvent::Done);
            }
            "error" => {
                let detail = error_detail(bytes);
                let status = detail.class.as_ref().map_or(500, anthropic_status);
                return Err(detail.into_error(status, None));
            }
            // ping, content_block_stop and event types added later carry nothing we map
            _ => {}
        }
        Ok(())
    }
}

impl StreamDecoder for AnthropicStreamDecoder {
    fn feed(&mut self, chunk: &[u8]) -> Result<Vec<StreamEvent>, ProviderError> {
        let mut out = Vec::new();
        for ev in self.sse.feed(chunk) {
            if self.done {
                break;
            }
            // the `type` field in the data repeats the event name; prefer the SSE field
            let kind = match ev.event {
                Some(k) => k,
                None => serde_json::from_str::<Value>(&ev.data)
                    .ok()
                    .and_then(|v| v.get("type").and_then(Value::as_str).map(str::to_owned))
                    .unwrap_or_default(),
            };
            self.event(&kind, &ev.data, &mut out)?;
        }
        Ok(out)
    }

    fn finish(&mut self) -> Result<Vec<StreamEvent>, ProviderError> {
        if self.done {
            Ok(Vec::new())
        } else {
            Err(stream_cut("`message_stop`"))
        }
    }
}

#[derive(Debug, Serialize, Deserialize)]
struct WireModelList {
    data: Vec<WireModel>,
    #[serde(default)]
    has_more: bool,
    #[serde(default)]
    first_id: Option<String>,
    #[serde(default)]
    last_id: Option<String>,
}

#[derive(Debug, Serialize, Deserialize)]
struct WireModel {
    #[serde(rename = "type", default)]
    kind: String,
    id: String,
    #[serde(default)]
    display_name: String,
    #[serde(default)]
    created_at: Option<String>,
}

pub fn decode_models(body: &[u8]) -> Result<Vec<ModelInfo>, CodecError> {
    let w: WireModelList = from_json("anthropic model list", body)?;
    Ok(w.data
        .into_iter()
        .map(|m| ModelInfo {
            id: m.id,
            owned_by: Some("anthropic".to_owned()),
            created: m.created_at.as_deref().and_then(crate::time::parse_rfc3339),
        })
        .collect())
}

pub fn encode_models(models: &[ModelInfo]) -> Result<Vec<u8>, CodecError> {
    to_json(
        "anthropic model list",
        &WireModelList {
            first_id: models.first().map(|m| m.id.clone()),
            last_id: models.last().map(|m| m.id.clone()),
            has_more: false,
            data: models
                .iter()
                .map(|m| WireModel {
                    kind: "model".to_owned(),
                    id: m.id.clone(),
                    display_name: m.id.clone(),
                    created_at: Some(crate::time::format_rfc3339(m.created.unwrap_or(0))),
                })
                .collect(),
        },
    )
}

// ---- server side -----------------------------------------------------------------------------

/// Anthropic request body → internal request.
///
/// Each system block becomes a system message, so a marked one keeps its place. A user or
/// assistant turn is split after each block with `cache_control`, the hint going to the message
/// that ends there (a marked `tool_result` marks its tool message); encoding merges the pieces
/// back into one turn.
pub fn decode_request(body: &[u8]) -> Result<ChatRequest, CodecError> {
    let w: WireRequest = from_json("anthropic request", body)?;
    let mut messages = Vec::new();
    match w.system {
        None => {}
        Some(WireSystem::Text(t)) => messages.push(Message::text(Role::System, t)),
        Some(WireSystem::Blocks(blocks)) => {
            for (i, b) in blocks.into_iter().enumerate() {
                messages.push(Message {
                    cache: cache_from_wire(b.cache_control.as_ref(), || format!("system[{i}]."))?,
                    ..Message::text(Role::System, b.text)
                });
            }
        }
    }
    let mut tools = Vec::with_capacity(w.tools.len());
    for (i, t) in w.tools.into_iter().enumerate() {
        tools.push(ToolDefinition {
            cache: cache_from_wire(t.cache_control.as_ref(), || format!("tools[{i}]."))?,
            name: t.name,
            description: t.description,
            parameters: t.input_schema,
        });
    }
    for (i, m) in w.messages.into_iter().enumerate() {
        let role = match m.role.as_str() {
            "user" => Role::User,
            "assistant" => Role::Assistant,
            other => {
                return Err(CodecError::invalid(
                    "anthropic message role",
                    format!("`{other}`, expected user or assistant"),
                ))
            }
        };
        let blocks = match m.content {
            WireContent::Text(t) => vec![text_block(t)],
            WireContent::Blocks(b) => b,
        };
        let empty = || Message {
            content: Vec::new(),
            ..Message::text(role, "")
        };
        let mut msg = empty();
        for (j, block) in blocks.into_iter().enumerate() {
            let hint = cache_from_wire(block_cache(&block), || {
                format!("messages[{i}].content[{j}].")
            })?;
            match block {
                WireBlock::Text { text, .. } => msg.content.push(ContentPart::Text(text)),
                WireBlock::Image { source, .. } => {
                    msg.content
                        .push(ContentPart::Image(image_from_wire(source)));
                }
                WireBlock::ToolUse {
                    id, name, input, ..
                } => msg.tool_calls.push(ToolCall {
                    id,
                    name,
                    arguments: input.to_string(),
                }),
                WireBlock::ToolResult {
                    tool_use_id,
                    content,
                    is_error,
                    ..
                } => {
                    messages.push(Message {
                        role: Role::Tool,
                        content: tool_result_text(content),
                        tool_calls: Vec::new(),
                        tool_call_id: Some(tool_use_id),
                        name: None,
                        reasoning: None,
                        is_error,
                        cache: hint,
                    });
                    continue;
                }
                WireBlock::Thinking { thinking, .. } => {
                    msg.reasoning
                        .get_or_insert_with(String::new)
                        .push_str(&thinking);
                }
                WireBlock::RedactedThinking { .. } => {}
            }
            if hint.is_some() {
                msg.cache = hint;
                push_split(
                    &mut messages,
                    &mut tools,
                    std::mem::replace(&mut msg, empty()),
                );
            }
        }
        push_split(&mut messages, &mut tools, msg);
    }
    Ok(ChatRequest {
        model: w.model,
        messages,
        tools,
        tool_choice: w.tool_choice.map(|c| match c {
            WireToolChoice::Auto => ToolChoice::Auto,
            WireToolChoice::Any => ToolChoice::Required,
            WireToolChoice::None => ToolChoice::None,
            WireToolChoice::Tool { name } => ToolChoice::Tool(name),
        }),
        max_tokens: Some(w.max_tokens),
        temperature: w.temperature,
        top_p: w.top_p,
        stop: w.stop_sequences,
        stream: w.stream.unwrap_or(false),
        include_usage: true,
        response_format: None,
        user: w.metadata.and_then(|m| m.user_id),
        cache: cache_from_wire(w.cache_control.as_ref(), String::new)?,
    })
}

fn response_blocks(choice: &Choice) -> Vec<WireBlock> {
    let mut blocks = Vec::new();
    if let Some(r) = &choice.reasoning {
        blocks.push(WireBlock::Thinking {
            thinking: r.clone(),
            signature: None,
        });
    }
    if !choice.text.is_empty() || choice.tool_calls.is_empty() {
        blocks.push(text_block(choice.text.clone()));
    }
    blocks.extend(choice.tool_calls.iter().map(|c| WireBlock::ToolUse {
        id: c.id.clone(),
        name: c.name.clone(),
        input: parse_arguments(&c.arguments),
        cache_control: None,
    }));
    blocks
}

/// Internal response → Anthropic message body (first choice).
pub fn encode_response(resp: &ChatResponse) -> Result<Vec<u8>, CodecError> {
    let choice = resp.choices.first().cloned().unwrap_or_default();
    let w = WireResponse {
        id: resp.id.clone(),
        kind: "message".to_owned(),
        role: "assistant".to_owned(),
        model: resp.model.clone(),
        content: response_blocks(&choice),
        stop_reason: choice.finish_reason.as_ref().map(finish_to_wire),
        stop_sequence: None,
        usage: usage_to_wire(&resp.usage),
    };
    to_json("anthropic message", &w)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum BlockKind {
    Text,
    Thinking,
    Tool,
}

/// Server-side encoder producing Anthropic's typed SSE events. `message_start` waits for the
/// first content event so usage reported right after `Start` lands in it; `message_delta` and
/// `message_stop` are written at `Done`.
#[derive(Debug)]
pub struct AnthropicStreamEncoder {
    ctx: StreamContext,
    started: bool,
    pending_start: bool,
    open: Option<(u32, BlockKind)>,
    next_block: u32,
    tool_blocks: HashMap<u32, u32>,
    usage: Usage,
    finish: Option<FinishReason>,
}

impl AnthropicStreamEncoder {
    pub fn new(ctx: StreamContext) -> Self {
        Self {
            ctx,
            started: false,
            pending_start: false,
            open: None,
            next_block: 0,
            tool_blocks: HashMap::new(),
            usage: Usage::default(),
            finish: None,
        }
    }

    fn emit(out: &mut Vec<u8>, kind: &str, data: &Value) {
        out.extend_from_slice(encode_event(Some(kind), &data.to_string()).as_bytes());
    }

    fn ensure_started(&mut self, out: &mut Vec<u8>) {
        if self.started {
            return;
        }
        self.started = true;
        self.pending_start = false;
        let mut usage = usage_to_wire(&self.usage);
        usage.output_tokens = Some(self.usage.output_tokens.unwrap_or(0).min(1));
        let message = serde_json::json!({
            "id": self.ctx.id, "type": "message", "role": "assistant", "model": self.ctx.model,
            "content": [], "stop_reason": null, "stop_sequence": null,
            "usage": serde_json::to_value(&usage).unwrap_or(Value::Null),
        });
        Self::emit(
            out,
            "message_start",
            &serde_json::json!({"type": "message_start", "message": message}),
        );
        Self::emit(out, "ping", &serde_json::json!({"type": "ping"}));
    }

    fn close_block(&mut self, out: &mut Vec<u8>) {
        if let Some((index, _)) = self.open.take() {
            Self::emit(
                out,
                "content_block_stop",
                &serde_json::json!({"type": "content_block_stop", "index": index}),
            );
        }
    }

    fn open_block(&mut self, out: &mut Vec<u8>, kind: BlockKind, block: Value) -> u32 {
        self.close_block(out);
        let index = self.next_block;
        self.next_block += 1;
        self.open = Some((index, kind));
        Self::emit(
            out,
            "content_block_start",
            &serde_json::json!({"type": "content_block_start", "index": index, "content_block": block}),
        );
        index
    }

    fn delta(out: &mut Vec<u8>, index: u32, delta: &WireDelta) {
        Self::emit(
            out,
            "content_block_delta",
            &serde_json::json!({"type": "content_block_delta", "index": index,
                "delta": serde_json::to_value(delta).unwrap_or(Value::Null)}),
        );
    }

    fn text_like(&mut self, out: &mut Vec<u8>, kind: BlockKind, text: &str) {
        self.ensure_started(out);
        let index = match self.open {
            Some((i, k)) if k == kind => i,
            _ => {
                let block = if kind == BlockKind::Text {
                    serde_json::json!({"type": "text", "text": ""})
                } else {
                    serde_json::json!({"type": "thinking", "thinking": ""})
                };
                self.open_block(out, kind, block)
            }
        };
        let delta = if kind == BlockKind::Text {
            WireDelta::TextDelta {
                text: text.to_owned(),
            }
        } else {
            WireDelta::ThinkingDelta {
                thinking: text.to_owned(),
            }
        };
        Self::delta(out, index, &delta);
    }
}

impl StreamEncoder for AnthropicStreamEncoder {
    fn encode(&mut self, event: &StreamEvent) -> Vec<u8> {
        let mut out = Vec::new();
        match event {
            StreamEvent::Start { id, model } => {
                if let Some(id) = id {
                    self.ctx.id.clone_from(id);
                }
                if let Some(m) = model {
                    self.ctx.model.clone_from(m);
                }
                self.pending_start = true;
            }
            StreamEvent::Usage(u) => {
                self.usage.merge(u);
            }
            StreamEvent::TextDelta(t) => self.text_like(&mut out, BlockKind::Text, t),
            StreamEvent::ReasoningDelta(t) => self.text_like(&mut out, BlockKind::Thinking, t),
            StreamEvent::ToolCallDelta {
                index,
                id,
                name,
                arguments,
            } => {
                self.ensure_started(&mut out);
                let block = match (id, self.tool_blocks.get(index)) {
                    (Some(id), _) => {
                        let b = self.open_block(
                            &mut out,
                            BlockKind::Tool,
                            serde_json::json!({"type": "tool_use", "id": id,
                                "name": name.clone().unwrap_or_default(), "input": {}}),
                        );
                        self.tool_blocks.insert(*index, b);
                        b
                    }
                    (None, Some(b)) => *b,
                    (None, None) => return out,
                };
                if !arguments.is_empty() {
                    Self::delta(
                        &mut out,
                        block,
                        &WireDelta::InputJsonDelta {
                            partial_json: arguments.clone(),
                        },
                    );
                }
            }
            StreamEvent::Finish(r) => {
                self.ensure_started(&mut out);
                self.close_block(&mut out);
                self.finish = Some(r.clone());
            }
            StreamEvent::Done => {
                self.ensure_started(&mut out);
                self.close_block(&mut out);
                let usage = usage_to_wire(&self.usage);
                Self::emit(
                    &mut out,
                    "message_delta",
                    &serde_json::json!({"type": "message_delta",
                        "delta": {"stop_reason": self.finish.as_ref().map(finish_to_wire),
                                  "stop_sequence": null},
                        "usage": serde_json::to_value(&usage).unwrap_or(Value::Null)}),
                );
                Self::emit(
                    &mut out,
                    "message_stop",
                    &serde_json::json!({"type": "message_stop"}),
                );
            }
        }
        out
    }

    fn encode_error(&mut self, class: &ErrorClass, message: &str) -> Vec<u8> {
        let body = error_body(class, message);
        encode_event(
            Some("error"),
            &serde_json::to_string(&body).unwrap_or_default(),
        )
        .into_bytes()
    }
}

fn error_type(class: &ErrorClass) -> &'static str {
    match class {
        ErrorClass::RateLimited { .. } => "rate_limit_error",
        ErrorClass::Overloaded => "overloaded_error",
        ErrorClass::QuotaExceeded => "billing_error",
        ErrorClass::BadRequest | ErrorClass::ContextTooLong => "invalid_request_error",
        ErrorClass::Auth => "authentication_error",
        ErrorClass::NotFound => "not_found_error",
        ErrorClass::Timeout => "timeout_error",
        ErrorClass::ServerError
        | ErrorClass::ConnectionReset
        | ErrorClass::StreamCut
        | ErrorClass::InvalidResponse => "api_error",
    }
}

/// Anthropic's documented status for each error type (529 for `overloaded_error`).
fn anthropic_status(class: &ErrorClass) -> u16 {
    match class {
        ErrorClass::Overloaded => 529,
        ErrorClass::QuotaExceeded => 402,
        other => other.http_status(),
    }
}

fn error_body(class: &ErrorClass, message: &str) -> WireErrorBody {
    WireErrorBody {
        kind: "error".to_owned(),
        error: WireError {
            kind: error_type(class).to_owned(),
            message: message.to_owned(),
            details: None,
        },
    }
}

pub(crate) fn encode_error(class: &ErrorClass, message: &str) -> ErrorResponse {
    ErrorResponse {
        status: anthropic_status(class),
        headers: Vec::new(),
        body: serde_json::to_vec(&error_body(class, message)).unwrap_or_default(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn usage_counts_cache_reads_as_input() {
        let w = WireUsage {
            input_tokens: Some(10),
            output_tokens: Some(5),
            cache_read_input_tokens: Some(100),
            cache_creation_input_tokens: Some(20),
        };
        let u = usage_from_wire(&w);
        assert_eq!(u.input_tokens, Some(130));
        assert_eq!(u.cached_input_tokens, Some(100));
        assert_eq!(u.cache_write_input_tokens, Some(20));
        let back = usage_to_wire(&u);
        assert_eq!(back.input_tokens, Some(10));
    }

    #[test]
    fn tool_results_merge_into_one_user_turn() {
        let mut req = ChatRequest::user_text("claude", "weather?");
        req.messages.push(Message {
            tool_calls: vec![
                ToolCall {
                    id: "a".into(),
                    name: "w".into(),
                    arguments: "{\"c\":\"x\"}".into(),
                },
                ToolCall {
                    id: "b".into(),
                    name: "w".into(),
                    arguments: "{}".into(),
                },
            ],
            content: Vec::new(),
            ..Message::text(Role::Assistant, "")
        });
        req.messages.push(Message::tool_result("a", "sunny"));
        req.messages.push(Message::tool_result("b", "rain"));
        let v: Value = serde_json::from_slice(&encode_request(&req).unwrap()).unwrap();
        let msgs = v["messages"].as_array().unwrap();
        assert_eq!(msgs.len(), 3);
        assert_eq!(msgs[2]["role"], "user");
        assert_eq!(msgs[2]["content"].as_array().unwrap().len(), 2);
        assert_eq!(msgs[1]["content"][0]["input"]["c"], "x");
        let back = decode_request(&serde_json::to_vec(&v).unwrap()).unwrap();
        assert_eq!(back.messages[1].tool_calls, req.messages[1].tool_calls);
        assert_eq!(back.messages[2], req.messages[2]);
        assert_eq!(back.messages[3], req.messages[3]);
    }

    #[test]
    fn error_types_classify() {
        let e = error_detail(
            br#"{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}"#,
        )
        .into_error(529, None);
        assert_eq!(e.class, ErrorClass::Overloaded);
        let e = error_detail(
            br#"{"type":"error","error":{"type":"invalid_request_error","message":"prompt is too long: 210000 tokens > 200000 maximum"}}"#,
        )
        .into_error(400, None);
        assert_eq!(e.class, ErrorClass::ContextTooLong);
        // the prompt fits, but not with max_tokens beside it (docker/docker-agent#569)
        let e = error_detail(
            br#"{"type":"error","error":{"type":"invalid_request_error","message":"input length and `max_tokens` exceed context limit: 178959 + 64000 > 200000, decrease input length or `max_tokens` and try again"}}"#,
        )
        .into_error(400, None);
        assert_eq!(e.class, ErrorClass::ContextTooLong);
        // an output cap over the model's largest is the request's own fault
        let e = error_detail(
            br#"{"type":"error","error":{"type":"invalid_request_error","message":"max_tokens: 100000 > 64000, which is the maximum allowed number of output tokens for claude-sonnet-4-20250514"}}"#,
        )
        .into_error(400, None);
        assert_eq!(e.class, ErrorClass::BadRequest);
        // a body-size limit, not the context window
        let e = error_detail(
            br#"{"type":"error","error":{"type":"request_too_large","message":"Request exceeds the maximum allowed number of bytes."}}"#,
        )
        .into_error(413, None);
        assert_eq!(e.class, ErrorClass::BadRequest);
        let e = error_detail(
            br#"{"type":"error","error":{"type":"rate_limit_error","message":"spend limit","details":{"error_code":"enforced_spend_limit_reached"}},"request_id":"req_1"}"#,
        )
        .into_error(429, None);
        assert_eq!(e.class, ErrorClass::QuotaExceeded);
        assert!(!e.is_retryable());
    }
}
