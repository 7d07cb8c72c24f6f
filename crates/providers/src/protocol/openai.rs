//! OpenAI Chat Completions (and the compatible family through [`Dialect`]), Embeddings and
//! `GET /models`.
//!
//! Wire reference: OpenAI API reference, "Create chat completion", "The chat completion object",
//! "The chat completion chunk object", "Create embeddings", "List models".
//!
//! Prompt caching is implicit in this family (OpenAI, DeepSeek and the compatible clouds cache
//! repeated prefixes on their own and report the cached share in usage): [`crate::CacheHint`]s
//! are not sent, and decoded requests carry none.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::openai_dialects::{CachedTokensField, Dialect};
use super::{
    class_from_code, stream_cut, ErrorDetail, ErrorResponse, StreamContext, StreamDecoder,
    StreamEncoder,
};
use crate::error::{from_json, to_json, CodecError, ErrorClass, ProviderError};
use crate::sse::{encode_event, SseDecoder};
use crate::types::{
    ChatRequest, ChatResponse, Choice, ContentPart, EmbeddingRequest, EmbeddingResponse,
    FinishReason, ImageSource, Message, ModelInfo, ResponseFormat, Role, StreamEvent, ToolCall,
    ToolChoice, ToolDefinition, Usage,
};

// ---- wire types ------------------------------------------------------------------------------

#[derive(Debug, Serialize, Deserialize)]
struct WireRequest {
    model: String,
    messages: Vec<WireMessage>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    tools: Vec<WireTool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    tool_choice: Option<Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    max_tokens: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    max_completion_tokens: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    temperature: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    top_p: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    stop: Option<WireStop>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    stream: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    stream_options: Option<WireStreamOptions>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    response_format: Option<Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    user: Option<String>,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(untagged)]
enum WireStop {
    One(String),
    Many(Vec<String>),
}

#[derive(Debug, Serialize, Deserialize)]
struct WireStreamOptions {
    #[serde(default)]
    include_usage: bool,
}

#[derive(Debug, Serialize, Deserialize)]
struct WireMessage {
    role: String,
    #[serde(default)]
    content: Option<WireContent>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    tool_calls: Option<Vec<WireToolCall>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    tool_call_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    reasoning_content: Option<String>,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(untagged)]
enum WireContent {
    Text(String),
    Parts(Vec<WirePart>),
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
enum WirePart {
    Text { text: String },
    ImageUrl { image_url: WireImageUrl },
}

#[derive(Debug, Serialize, Deserialize)]
struct WireImageUrl {
    url: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    detail: Option<String>,
}

#[derive(Debug, Serialize, Deserialize)]
struct WireTool {
    #[serde(rename = "type")]
    kind: String,
    function: WireFunction,
}

#[derive(Debug, Serialize, Deserialize)]
struct WireFunction {
    name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    description: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    parameters: Option<Value>,
}

#[derive(Debug, Serialize, Deserialize)]
struct WireToolCall {
    id: String,
    #[serde(rename = "type", default = "function_type")]
    kind: String,
    function: WireCallFunction,
}

fn function_type() -> String {
    "function".to_owned()
}

#[derive(Debug, Serialize, Deserialize)]
struct WireCallFunction {
    name: String,
    #[serde(default)]
    arguments: String,
}

#[derive(Debug, Serialize, Deserialize)]
struct WireResponse {
    id: String,
    object: String,
    #[serde(default)]
    created: u64,
    model: String,
    choices: Vec<WireChoice>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    usage: Option<WireUsage>,
}

#[derive(Debug, Serialize, Deserialize)]
struct WireChoice {
    #[serde(default)]
    index: u32,
    message: WireResponseMessage,
    #[serde(default)]
    finish_reason: Option<String>,
}

#[derive(Debug, Serialize, Deserialize)]
struct WireResponseMessage {
    #[serde(default = "assistant_role")]
    role: String,
    #[serde(default)]
    content: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    reasoning_content: Option<String>,
    /// Some gateways name the field `reasoning`; accepted on input only.
    #[serde(default, skip_serializing)]
    reasoning: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    tool_calls: Option<Vec<WireToolCall>>,
}

fn assistant_role() -> String {
    "assistant".to_owned()
}

/// Usage with every known location of cached tokens.
#[derive(Debug, Default, Serialize, Deserialize)]
struct WireUsage {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    prompt_tokens: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    completion_tokens: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    total_tokens: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    prompt_tokens_details: Option<WirePromptDetails>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    completion_tokens_details: Option<WireCompletionDetails>,
    /// DeepSeek.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    prompt_cache_hit_tokens: Option<u64>,
    /// DeepSeek.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    prompt_cache_miss_tokens: Option<u64>,
    /// Qianfan, Moonshot.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    cached_tokens: Option<u64>,
}

#[derive(Debug, Default, Serialize, Deserialize)]
struct WirePromptDetails {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    cached_tokens: Option<u64>,
}

#[derive(Debug, Default, Serialize, Deserialize)]
struct WireCompletionDetails {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    reasoning_tokens: Option<u64>,
}

#[derive(Debug, Serialize, Deserialize)]
struct WireChunk {
    #[serde(default)]
    id: String,
    #[serde(default = "chunk_object")]
    object: String,
    #[serde(default)]
    created: u64,
    #[serde(default)]
    model: String,
    /// Empty in the final usage chunk; some compatible servers (vLLM) send `null` there.
    #[serde(default, deserialize_with = "null_as_empty")]
    choices: Vec<WireChunkChoice>,
    /// `null` on every chunk but the last when `include_usage` is set; absent otherwise
    /// (`ChatCompletionStreamOptions.include_usage` in OpenAI's OpenAPI spec: "an additional
    /// chunk will be streamed before the `data: [DONE]` message ... the `choices` field will
    /// always be an empty array. All other chunks will also include a `usage` field, but with a
    /// null value").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    usage: Option<Value>,
    /// Some providers report a failure inside the stream as `data: {"error": {...}}`.
    #[serde(default, skip_serializing)]
    error: Option<Value>,
}

fn chunk_object() -> String {
    "chat.completion.chunk".to_owned()
}

fn null_as_empty<'de, D, T>(de: D) -> Result<Vec<T>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: Deserialize<'de>,
{
    Ok(Option::<Vec<T>>::deserialize(de)?.unwrap_or_default())
}

#[derive(Debug, Serialize, Deserialize)]
struct WireChunkChoice {
    #[serde(default)]
    index: u32,
    #[serde(default)]
    delta: WireDelta,
    #[serde(default)]
    finish_reason: Option<String>,
    /// Moonshot (Kimi) reports stream usage inside the finishing choice rather than at the top
    /// level (captured chunks in github.com/higress-group/higress/pull/1568 and
    /// earendil-works/pi#2017); read on input only, a top-level `usage` later wins.
    #[serde(default, skip_serializing)]
    usage: Option<Value>,
}

#[derive(Debug, Default, Serialize, Deserialize)]
struct WireDelta {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    role: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    content: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    reasoning_content: Option<String>,
    #[serde(default, skip_serializing)]
    reasoning: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    tool_calls: Option<Vec<WireToolCallDelta>>,
}

#[derive(Debug, Serialize, Deserialize)]
struct WireToolCallDelta {
    #[serde(default)]
    index: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    id: Option<String>,
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    kind: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    function: Option<WireFunctionDelta>,
}

#[derive(Debug, Serialize, Deserialize)]
struct WireFunctionDelta {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    arguments: Option<String>,
}

#[derive(Debug, Serialize, Deserialize)]
struct WireErrorBody {
    error: WireError,
}

#[derive(Debug, Serialize, Deserialize)]
struct WireError {
    #[serde(default)]
    message: String,
    #[serde(rename = "type", default)]
    kind: Option<String>,
    #[serde(default)]
    param: Option<String>,
    #[serde(default)]
    code: Option<Value>,
}

// ---- mappings --------------------------------------------------------------------------------

fn role_from_wire(role: &str) -> Result<Role, CodecError> {
    match role {
        "system" | "developer" => Ok(Role::System),
        "user" => Ok(Role::User),
        "assistant" => Ok(Role::Assistant),
        "tool" | "function" => Ok(Role::Tool),
        other => Err(CodecError::invalid(
            "openai message role",
            format!("`{other}`, expected system, developer, user, assistant or tool"),
        )),
    }
}

pub(crate) fn finish_from_wire(s: &str) -> FinishReason {
    match s {
        "stop" => FinishReason::Stop,
        "length" => FinishReason::Length,
        "tool_calls" | "function_call" => FinishReason::ToolCalls,
        "content_filter" => FinishReason::ContentFilter,
        other => FinishReason::Other(other.to_owned()),
    }
}

pub(crate) fn finish_to_wire(r: &FinishReason) -> String {
    match r {
        FinishReason::Stop | FinishReason::StopSequence => "stop".to_owned(),
        FinishReason::Length => "length".to_owned(),
        FinishReason::ToolCalls => "tool_calls".to_owned(),
        FinishReason::ContentFilter => "content_filter".to_owned(),
        FinishReason::Other(s) => s.clone(),
    }
}

fn usage_from_wire(u: &WireUsage) -> Usage {
    let cached = u
        .prompt_tokens_details
        .as_ref()
        .and_then(|d| d.cached_tokens)
        .or(u.prompt_cache_hit_tokens)
        .or(u.cached_tokens);
    let input = u.prompt_tokens.or(
        match (u.prompt_cache_hit_tokens, u.prompt_cache_miss_tokens) {
            (Some(h), Some(m)) => Some(h + m),
            _ => None,
        },
    );
    Usage {
        input_tokens: input,
        output_tokens: u.completion_tokens,
        cached_input_tokens: cached,
        reasoning_tokens: u
            .completion_tokens_details
            .as_ref()
            .and_then(|d| d.reasoning_tokens),
        cache_write_input_tokens: None,
    }
}

fn usage_to_wire(dialect: Dialect, u: &Usage) -> WireUsage {
    let mut w = WireUsage {
        prompt_tokens: Some(u.input_tokens.unwrap_or(0)),
        completion_tokens: Some(u.output_tokens.unwrap_or(0)),
        total_tokens: Some(u.input_tokens.unwrap_or(0) + u.output_tokens.unwrap_or(0)),
        completion_tokens_details: u.reasoning_tokens.map(|r| WireCompletionDetails {
            reasoning_tokens: Some(r),
        }),
        ..WireUsage::default()
    };
    if let Some(c) = u.cached_input_tokens {
        match dialect.cached_tokens_field() {
            CachedTokensField::PromptTokensDetails => {
                w.prompt_tokens_details = Some(WirePromptDetails {
                    cached_tokens: Some(c),
                });
            }
            CachedTokensField::PromptCacheHitTokens => {
                w.prompt_cache_hit_tokens = Some(c);
                w.prompt_cache_miss_tokens = Some(u.input_tokens.unwrap_or(0).saturating_sub(c));
            }
            CachedTokensField::TopLevelCachedTokens => w.cached_tokens = Some(c),
        }
    }
    w
}

fn content_to_wire(parts: &[ContentPart]) -> Option<WireContent> {
    match parts {
        [] => None,
        [ContentPart::Text(t)] => Some(WireContent::Text(t.clone())),
        parts => Some(WireContent::Parts(
            parts
                .iter()
                .map(|p| match p {
                    ContentPart::Text(t) => WirePart::Text { text: t.clone() },
                    ContentPart::Image(img) => WirePart::ImageUrl {
                        image_url: WireImageUrl {
                            url: img.to_url(),
                            detail: None,
                        },
                    },
                })
                .collect(),
        )),
    }
}

fn content_from_wire(c: Option<WireContent>) -> Vec<ContentPart> {
    match c {
        None => Vec::new(),
        Some(WireContent::Text(t)) => vec![ContentPart::Text(t)],
        Some(WireContent::Parts(parts)) => parts
            .into_iter()
            .map(|p| match p {
                WirePart::Text { text } => ContentPart::Text(text),
                WirePart::ImageUrl { image_url } => {
                    ContentPart::Image(ImageSource::from_url(&image_url.url))
                }
            })
            .collect(),
    }
}

fn tool_calls_to_wire(calls: &[ToolCall]) -> Option<Vec<WireToolCall>> {
    if calls.is_empty() {
        return None;
    }
    Some(
        calls
            .iter()
            .map(|c| WireToolCall {
                id: c.id.clone(),
                kind: function_type(),
                function: WireCallFunction {
                    name: c.name.clone(),
                    arguments: c.arguments.clone(),
                },
            })
            .collect(),
    )
}

fn tool_calls_from_wire(calls: Option<Vec<WireToolCall>>) -> Vec<ToolCall> {
    calls
        .unwrap_or_default()
        .into_iter()
        .map(|c| ToolCall {
            id: c.id,
            name: c.function.name,
            arguments: c.function.arguments,
        })
        .collect()
}

fn tool_choice_to_wire(c: &ToolChoice) -> Value {
    match c {
        ToolChoice::Auto => Value::from("auto"),
        ToolChoice::None => Value::from("none"),
        ToolChoice::Required => Value::from("required"),
        ToolChoice::Tool(name) => {
            serde_json::json!({"type": "function", "function": {"name": name}})
        }
    }
}

fn tool_choice_from_wire(v: &Value) -> Result<ToolChoice, CodecError> {
    match v {
        Value::String(s) => match s.as_str() {
            "auto" => Ok(ToolChoice::Auto),
            "none" => Ok(ToolChoice::None),
            "required" => Ok(ToolChoice::Required),
            other => Err(CodecError::invalid(
                "openai tool_choice",
                format!("`{other}`, expected auto, none, required or a function object"),
            )),
        },
        Value::Object(o) => o
            .get("function")
            .and_then(|f| f.get("name"))
            .and_then(Value::as_str)
            .map(|n| ToolChoice::Tool(n.to_owned()))
            .ok_or_else(|| CodecError::invalid("openai tool_choice", "missing `function.name`")),
        _ => Err(CodecError::invalid(
            "openai tool_choice",
            "expected a string or an object",
        )),
    }
}

fn response_format_to_wire(f: &ResponseFormat) -> Value {
    match f {
        ResponseFormat::Text => serde_json::json!({"type": "text"}),
        ResponseFormat::JsonObject => serde_json::json!({"type": "json_object"}),
        ResponseFormat::JsonSchema {
            name,
            schema,
            strict,
        } => {
            let mut js = serde_json::json!({"name": name, "schema": schema});
            if let (Some(s), Some(obj)) = (strict, js.as_object_mut()) {
                obj.insert("strict".into(), Value::Bool(*s));
            }
            serde_json::json!({"type": "json_schema", "json_schema": js})
        }
    }
}

fn response_format_from_wire(v: &Value) -> Result<ResponseFormat, CodecError> {
    match v.get("type").and_then(Value::as_str) {
        Some("text") => Ok(ResponseFormat::Text),
        Some("json_object") => Ok(ResponseFormat::JsonObject),
        Some("json_schema") => {
            let js = v.get("json_schema").cloned().unwrap_or(Value::Null);
            Ok(ResponseFormat::JsonSchema {
                name: js
                    .get("name")
                    .and_then(Value::as_str)
                    .unwrap_or_default()
                    .to_owned(),
                schema: js.get("schema").cloned().unwrap_or(Value::Null),
                strict: js.get("strict").and_then(Value::as_bool),
            })
        }
        other => Err(CodecError::invalid(
            "openai response_format.type",
            format!("{other:?}, expected text, json_object or json_schema"),
        )),
    }
}

// ---- client side -----------------------------------------------------------------------------

/// Internal request → OpenAI request body.
pub fn encode_request(dialect: Dialect, req: &ChatRequest) -> Result<Vec<u8>, CodecError> {
    let messages = req
        .messages
        .iter()
        .map(|m| WireMessage {
            role: m.role.as_str().to_owned(),
            content: match (m.role, content_to_wire(&m.content)) {
                // an assistant turn that only calls tools carries `content: null`
                (_, Some(c)) => Some(c),
                (Role::Assistant, None) => None,
                (_, None) => Some(WireContent::Text(String::new())),
            },
            name: if m.role == Role::Tool {
                None
            } else {
                m.name.clone()
            },
            tool_calls: tool_calls_to_wire(&m.tool_calls),
            tool_call_id: m.tool_call_id.clone(),
            // reasoning is never sent back: DeepSeek rejects `reasoning_content` in input
            reasoning_content: None,
        })
        .collect();
    let (max_tokens, max_completion_tokens) = if dialect.uses_max_completion_tokens() {
        (None, req.max_tokens)
    } else {
        (req.max_tokens, None)
    };
    let wire = WireRequest {
        model: req.model.clone(),
        messages,
        tools: req
            .tools
            .iter()
            .map(|t| WireTool {
                kind: function_type(),
                function: WireFunction {
                    name: t.name.clone(),
                    description: t.description.clone(),
                    parameters: Some(t.parameters.clone()),
                },
            })
            .collect(),
        tool_choice: req.tool_choice.as_ref().map(tool_choice_to_wire),
        max_tokens,
        max_completion_tokens,
        temperature: req.temperature,
        top_p: req.top_p,
        stop: if req.stop.is_empty() {
            None
        } else {
            Some(WireStop::Many(req.stop.clone()))
        },
        stream: req.stream.then_some(true),
        stream_options: (req.stream && req.include_usage).then_some(WireStreamOptions {
            include_usage: true,
        }),
        response_format: req.response_format.as_ref().map(response_format_to_wire),
        user: req.user.clone(),
    };
    to_json("openai request", &wire)
}

/// OpenAI response body → internal response.
pub fn decode_response(body: &[u8]) -> Result<ChatResponse, CodecError> {
    let w: WireResponse = from_json("openai chat completion", body)?;
    Ok(ChatResponse {
        id: w.id,
        model: w.model,
        created: Some(w.created),
        choices: w
            .choices
            .into_iter()
            .map(|c| Choice {
                index: c.index,
                text: c.message.content.unwrap_or_default(),
                reasoning: c.message.reasoning_content.or(c.message.reasoning),
                tool_calls: tool_calls_from_wire(c.message.tool_calls),
                finish_reason: c.finish_reason.as_deref().map(finish_from_wire),
            })
            .collect(),
        usage: w.usage.as_ref().map(usage_from_wire).unwrap_or_default(),
    })
}

/// Reads an OpenAI-style error body (`{"error":{"message","type","code"}}`).
pub(crate) fn error_detail(body: &[u8]) -> ErrorDetail {
    let Ok(w) = serde_json::from_slice::<WireErrorBody>(body) else {
        return ErrorDetail {
            message: non_empty_text(body),
            ..ErrorDetail::default()
        };
    };
    let code = match &w.error.code {
        Some(Value::String(s)) => Some(s.clone()),
        Some(Value::Number(n)) => Some(n.to_string()),
        _ => None,
    };
    let class = code
        .as_deref()
        .and_then(class_from_code)
        .or_else(|| w.error.kind.as_deref().and_then(class_from_code));
    ErrorDetail {
        class,
        code: code.or(w.error.kind),
        message: Some(w.error.message),
    }
}

pub(crate) fn non_empty_text(body: &[u8]) -> Option<String> {
    let t = String::from_utf8_lossy(body).trim().to_owned();
    if t.is_empty() {
        None
    } else {
        Some(t.chars().take(500).collect())
    }
}

/// Incremental decoder for `chat.completion.chunk` SSE streams ending in `data: [DONE]`.
#[derive(Debug, Default)]
pub struct OpenAiStreamDecoder {
    sse: SseDecoder,
    started: bool,
    done: bool,
}

impl OpenAiStreamDecoder {
    pub fn new() -> Self {
        Self::default()
    }

    fn chunk(&mut self, data: &str, out: &mut Vec<StreamEvent>) -> Result<(), ProviderError> {
        let chunk: WireChunk = from_json("openai stream chunk", data.as_bytes())?;
        if chunk.error.is_some() {
            let detail = error_detail(data.as_bytes());
            let status = detail.class.as_ref().map_or(500, ErrorClass::http_status);
            return Err(detail.into_error(status, None));
        }
        // Azure sends content-filter annotation chunks with `"id":""`, `"model":""` (the prompt
        // annotation before the first token, learn.microsoft.com content-filter "annotations";
        // shape quoted in microsoft/autogen#6465): they must not fix the stream's id and model.
        let annotation = chunk.id.is_empty() && chunk.model.is_empty();
        if !self.started && !annotation {
            self.started = true;
            out.push(StreamEvent::Start {
                id: Some(chunk.id.clone()),
                model: Some(chunk.model.clone()).filter(|s| !s.is_empty()),
            });
        }
        for choice in chunk.choices.into_iter().filter(|c| c.index == 0) {
            if !self.started {
                self.started = true;
                out.push(StreamEvent::Start {
                    id: None,
                    model: None,
                });
            }
            let d = choice.delta;
            if let Some(r) = d
                .reasoning_content
                .or(d.reasoning)
                .filter(|s| !s.is_empty())
            {
                out.push(StreamEvent::ReasoningDelta(r));
            }
            if let Some(t) = d.content.filter(|s| !s.is_empty()) {
                out.push(StreamEvent::TextDelta(t));
            }
            for tc in d.tool_calls.unwrap_or_default() {
                let (name, arguments) = match tc.function {
                    Some(f) => (f.name, f.arguments.unwrap_or_default()),
                    None => (None, String::new()),
                };
                out.push(StreamEvent::ToolCallDelta {
                    index: tc.index,
                    id: tc.id,
                    name,
                    arguments,
                });
            }
            if let Some(f) = choice.finish_reason {
                out.push(StreamEvent::Finish(finish_from_wire(&f)));
            }
            if let Some(u) = choice.usage.filter(|u| !u.is_null()) {
                let u: WireUsage = serde_json::from_value(u).map_err(ProviderError::invalid)?;
                out.push(StreamEvent::Usage(usage_from_wire(&u)));
            }
        }
        if let Some(u) = chunk.usage.filter(|u| !u.is_null()) {
            let u: WireUsage = serde_json::from_value(u).map_err(ProviderError::invalid)?;
            out.push(StreamEvent::Usage(usage_from_wire(&u)));
        }
        Ok(())
    }
}

impl StreamDecoder for OpenAiStreamDecoder {
    fn feed(&mut self, chunk: &[u8]) -> Result<Vec<StreamEvent>, ProviderError> {
        let mut out = Vec::new();
        for ev in self.sse.feed(chunk) {
            if self.done {
                break;
            }
            let data = ev.data.trim();
            if data == "[DONE]" {
                self.done = true;
                out.push(StreamEvent::Done);
            } else if !data.is_empty() {
                self.chunk(data, &mut out)?;
            }
        }
        Ok(out)
    }

    fn finish(&mut self) -> Result<Vec<StreamEvent>, ProviderError> {
        if self.done {
            Ok(Vec::new())
        } else {
            Err(stream_cut("`data: [DONE]`"))
        }
    }
}

// ---- embeddings and models -------------------------------------------------------------------

#[derive(Debug, Serialize, Deserialize)]
struct WireEmbeddingRequest {
    model: String,
    input: WireEmbeddingInput,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    dimensions: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    encoding_format: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    user: Option<String>,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(untagged)]
enum WireEmbeddingInput {
    One(String),
    Many(Vec<String>),
    Tokens(Vec<u32>),
    TokenLists(Vec<Vec<u32>>),
}

#[derive(Debug, Serialize, Deserialize)]
struct WireEmbeddingResponse {
    object: String,
    data: Vec<WireEmbedding>,
    model: String,
    #[serde(default)]
    usage: Option<WireUsage>,
}

#[derive(Debug, Serialize, Deserialize)]
struct WireEmbedding {
    object: String,
    index: u32,
    embedding: WireVector,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(untagged)]
enum WireVector {
    Floats(Vec<f32>),
    /// `encoding_format: "base64"`: little-endian f32s, base64-encoded.
    Base64(String),
}

pub fn encode_embedding_request(req: &EmbeddingRequest) -> Result<Vec<u8>, CodecError> {
    to_json(
        "openai embeddings request",
        &WireEmbeddingRequest {
            model: req.model.clone(),
            input: WireEmbeddingInput::Many(req.input.clone()),
            dimensions: req.dimensions,
            encoding_format: Some("float".to_owned()),
            user: req.user.clone(),
        },
    )
}

pub fn decode_embedding_response(body: &[u8]) -> Result<EmbeddingResponse, CodecError> {
    let mut w: WireEmbeddingResponse = from_json("openai embeddings response", body)?;
    w.data.sort_by_key(|e| e.index);
    let embeddings = w
        .data
        .into_iter()
        .map(|e| match e.embedding {
            WireVector::Floats(v) => Ok(v),
            WireVector::Base64(s) => decode_base64_floats(&s),
        })
        .collect::<Result<_, _>>()?;
    Ok(EmbeddingResponse {
        model: w.model,
        embeddings,
        usage: w.usage.as_ref().map(usage_from_wire).unwrap_or_default(),
    })
}

fn decode_base64_floats(s: &str) -> Result<Vec<f32>, CodecError> {
    use base64::Engine as _;
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(s)
        .map_err(|e| CodecError::invalid("base64 embedding", e.to_string()))?;
    if bytes.len() % 4 != 0 {
        return Err(CodecError::invalid(
            "base64 embedding",
            format!("{} bytes is not a whole number of f32s", bytes.len()),
        ));
    }
    Ok(bytes
        .chunks_exact(4)
        .map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]]))
        .collect())
}

/// Server side: an embeddings request, and whether the caller asked for base64 vectors (the
/// official Python SDK does by default).
pub fn decode_embedding_request(body: &[u8]) -> Result<(EmbeddingRequest, bool), CodecError> {
    let w: WireEmbeddingRequest = from_json("openai embeddings request", body)?;
    let input = match w.input {
        WireEmbeddingInput::One(s) => vec![s],
        WireEmbeddingInput::Many(v) => v,
        WireEmbeddingInput::Tokens(t) => vec![tokens_as_text(&t)],
        WireEmbeddingInput::TokenLists(l) => l.iter().map(|t| tokens_as_text(t)).collect(),
    };
    let base64 = w.encoding_format.as_deref() == Some("base64");
    Ok((
        EmbeddingRequest {
            model: w.model,
            input,
            dimensions: w.dimensions,
            user: w.user,
        },
        base64,
    ))
}

/// Token-id inputs have no text; they are kept as their decimal ids so lengths stay meaningful.
fn tokens_as_text(tokens: &[u32]) -> String {
    tokens
        .iter()
        .map(u32::to_string)
        .collect::<Vec<_>>()
        .join(" ")
}

/// Server side: internal embeddings → OpenAI body, as floats or base64.
pub fn encode_embedding_response(
    resp: &EmbeddingResponse,
    base64: bool,
) -> Result<Vec<u8>, CodecError> {
    use base64::Engine as _;
    let data = resp
        .embeddings
        .iter()
        .enumerate()
        .map(|(i, v)| WireEmbedding {
            object: "embedding".to_owned(),
            index: u32::try_from(i).unwrap_or(u32::MAX),
            embedding: if base64 {
                let bytes: Vec<u8> = v.iter().flat_map(|f| f.to_le_bytes()).collect();
                WireVector::Base64(base64::engine::general_purpose::STANDARD.encode(bytes))
            } else {
                WireVector::Floats(v.clone())
            },
        })
        .collect();
    let input = resp.usage.input_tokens.unwrap_or(0);
    to_json(
        "openai embeddings response",
        &WireEmbeddingResponse {
            object: "list".to_owned(),
            data,
            model: resp.model.clone(),
            usage: Some(WireUsage {
                prompt_tokens: Some(input),
                total_tokens: Some(input),
                ..WireUsage::default()
            }),
        },
    )
}

#[derive(Debug, Serialize, Deserialize)]
struct WireModelList {
    object: String,
    data: Vec<WireModel>,
}

#[derive(Debug, Serialize, Deserialize)]
struct WireModel {
    id: String,
    #[serde(default = "model_object")]
    object: String,
    #[serde(default)]
    created: Option<u64>,
    #[serde(default)]
    owned_by: Option<String>,
}

fn model_object() -> String {
    "model".to_owned()
}

pub fn decode_models(body: &[u8]) -> Result<Vec<ModelInfo>, CodecError> {
    let w: WireModelList = from_json("openai model list", body)?;
    Ok(w.data
        .into_iter()
        .map(|m| ModelInfo {
            id: m.id,
            owned_by: m.owned_by,
            created: m.created,
        })
        .collect())
}

pub fn encode_models(models: &[ModelInfo]) -> Result<Vec<u8>, CodecError> {
    to_json(
        "openai model list",
        &WireModelList {
            object: "list".to_owned(),
            data: models
                .iter()
                .map(|m| WireModel {
                    id: m.id.clone(),
                    object: model_object(),
                    created: Some(m.created.unwrap_or(0)),
                    owned_by: Some(m.owned_by.clone().unwrap_or_else(|| "system".to_owned())),
                })
                .collect(),
        },
    )
}

// ---- server side -----------------------------------------------------------------------------

/// OpenAI request body → internal request.
pub fn decode_request(body: &[u8]) -> Result<ChatRequest, CodecError> {
    let w: WireRequest = from_json("openai chat request", body)?;
    let mut messages = Vec::with_capacity(w.messages.len());
    for m in w.messages {
        let role = role_from_wire(&m.role)?;
        messages.push(Message {
            role,
            content: content_from_wire(m.content),
            tool_calls: tool_calls_from_wire(m.tool_calls),
            tool_call_id: m.tool_call_id,
            name: m.name,
            reasoning: m.reasoning_content,
            is_error: false,
            cache: None,
        });
    }
    let tools = w
        .tools
        .into_iter()
        .map(|t| ToolDefinition {
            name: t.function.name,
            description: t.function.description,
            parameters: t
                .function
                .parameters
                .unwrap_or_else(|| serde_json::json!({"type": "object", "properties": {}})),
            cache: None,
        })
        .collect();
    Ok(ChatRequest {
        model: w.model,
        messages,
        tools,
        tool_choice: w
            .tool_choice
            .as_ref()
            .map(tool_choice_from_wire)
            .transpose()?,
        max_tokens: w.max_completion_tokens.or(w.max_tokens),
        temperature: w.temperature,
        top_p: w.top_p,
        stop: match w.stop {
            None => Vec::new(),
            Some(WireStop::One(s)) => vec![s],
            Some(WireStop::Many(v)) => v,
        },
        stream: w.stream.unwrap_or(false),
        include_usage: w.stream_options.is_some_and(|o| o.include_usage),
        response_format: w
            .response_format
            .as_ref()
            .map(response_format_from_wire)
            .transpose()?,
        user: w.user,
        cache: None,
    })
}

/// Internal response → OpenAI `chat.completion` body, usage in the dialect's shape.
pub fn encode_response(dialect: Dialect, resp: &ChatResponse) -> Result<Vec<u8>, CodecError> {
    let w = WireResponse {
        id: resp.id.clone(),
        object: "chat.completion".to_owned(),
        created: resp.created.unwrap_or(0),
        model: resp.model.clone(),
        choices: resp
            .choices
            .iter()
            .map(|c| WireChoice {
                index: c.index,
                message: WireResponseMessage {
                    role: assistant_role(),
                    content: if c.text.is_empty() && !c.tool_calls.is_empty() {
                        None
                    } else {
                        Some(c.text.clone())
                    },
                    reasoning_content: c.reasoning.clone(),
                    reasoning: None,
                    tool_calls: tool_calls_to_wire(&c.tool_calls),
                },
                finish_reason: c.finish_reason.as_ref().map(finish_to_wire),
            })
            .collect(),
        usage: (!resp.usage.is_empty()).then(|| usage_to_wire(dialect, &resp.usage)),
    };
    to_json("openai chat completion", &w)
}

/// Server-side encoder producing `chat.completion.chunk` SSE events and `data: [DONE]`.
#[derive(Debug)]
pub struct OpenAiStreamEncoder {
    dialect: Dialect,
    ctx: StreamContext,
    usage: Usage,
}

impl OpenAiStreamEncoder {
    pub fn new(dialect: Dialect, ctx: StreamContext) -> Self {
        Self {
            dialect,
            ctx,
            usage: Usage::default(),
        }
    }

    fn chunk(&self, choices: Vec<WireChunkChoice>, usage: Option<Value>) -> Vec<u8> {
        let c = WireChunk {
            id: self.ctx.id.clone(),
            object: chunk_object(),
            created: self.ctx.created,
            model: self.ctx.model.clone(),
            choices,
            usage: usage.or_else(|| self.ctx.include_usage.then_some(Value::Null)),
            error: None,
        };
        let data = serde_json::to_string(&c).unwrap_or_default();
        encode_event(None, &data).into_bytes()
    }

    fn delta(&self, delta: WireDelta, finish: Option<String>) -> Vec<u8> {
        self.chunk(
            vec![WireChunkChoice {
                index: 0,
                delta,
                finish_reason: finish,
                usage: None,
            }],
            None,
        )
    }
}

impl StreamEncoder for OpenAiStreamEncoder {
    fn encode(&mut self, event: &StreamEvent) -> Vec<u8> {
        match event {
            StreamEvent::Start { id, model } => {
                if let Some(id) = id {
                    self.ctx.id.clone_from(id);
                }
                if let Some(m) = model {
                    self.ctx.model.clone_from(m);
                }
                self.delta(
                    WireDelta {
                        role: Some(assistant_role()),
                        content: Some(String::new()),
                        ..WireDelta::default()
                    },
                    None,
                )
            }
            StreamEvent::TextDelta(t) => self.delta(
                WireDelta {
                    content: Some(t.clone()),
                    ..WireDelta::default()
                },
                None,
            ),
            StreamEvent::ReasoningDelta(t) => self.delta(
                WireDelta {
                    reasoning_content: Some(t.clone()),
                    ..WireDelta::default()
                },
                None,
            ),
            StreamEvent::ToolCallDelta {
                index,
                id,
                name,
                arguments,
            } => self.delta(
                WireDelta {
                    tool_calls: Some(vec![WireToolCallDelta {
                        index: *index,
                        id: id.clone(),
                        kind: id.as_ref().map(|_| function_type()),
                        function: Some(WireFunctionDelta {
                            name: name.clone(),
                            arguments: Some(arguments.clone()),
                        }),
                    }]),
                    ..WireDelta::default()
                },
                None,
            ),
            StreamEvent::Finish(r) => self.delta(WireDelta::default(), Some(finish_to_wire(r))),
            StreamEvent::Usage(u) => {
                self.usage.merge(u);
                Vec::new()
            }
            StreamEvent::Done => {
                let mut out = Vec::new();
                if self.ctx.include_usage {
                    let u = serde_json::to_value(usage_to_wire(self.dialect, &self.usage))
                        .unwrap_or(Value::Null);
                    out = self.chunk(Vec::new(), Some(u));
                }
                out.extend_from_slice(b"data: [DONE]\n\n");
                out
            }
        }
    }

    fn encode_error(&mut self, class: &ErrorClass, message: &str) -> Vec<u8> {
        let body = error_body(class, message);
        encode_event(None, &serde_json::to_string(&body).unwrap_or_default()).into_bytes()
    }
}

fn error_body(class: &ErrorClass, message: &str) -> WireErrorBody {
    let (kind, code) = match class {
        ErrorClass::RateLimited { .. } => ("requests", "rate_limit_exceeded"),
        ErrorClass::QuotaExceeded => ("insufficient_quota", "insufficient_quota"),
        ErrorClass::Overloaded => ("server_error", "overloaded"),
        ErrorClass::BadRequest => ("invalid_request_error", "invalid_request"),
        ErrorClass::ContextTooLong => ("invalid_request_error", "context_length_exceeded"),
        ErrorClass::Auth => ("invalid_request_error", "invalid_api_key"),
        ErrorClass::NotFound => ("invalid_request_error", "model_not_found"),
        ErrorClass::Timeout => ("server_error", "timeout"),
        ErrorClass::ServerError
        | ErrorClass::ConnectionReset
        | ErrorClass::StreamCut
        | ErrorClass::InvalidResponse => ("server_error", "server_error"),
    };
    WireErrorBody {
        error: WireError {
            message: message.to_owned(),
            kind: Some(kind.to_owned()),
            param: None,
            code: Some(Value::from(code)),
        },
    }
}

pub(crate) fn encode_error(class: &ErrorClass, message: &str) -> ErrorResponse {
    ErrorResponse {
        status: class.http_status(),
        headers: Vec::new(),
        body: serde_json::to_vec(&error_body(class, message)).unwrap_or_default(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decode_all(body: &str) -> Vec<StreamEvent> {
        let mut d = OpenAiStreamDecoder::new();
        let mut events = d.feed(body.as_bytes()).unwrap();
        events.extend(d.finish().unwrap());
        events
    }

    #[test]
    fn moonshot_usage_inside_the_finishing_choice_is_read() {
        // the shape of Moonshot's last chunk (higress-group/higress#1568)
        let body = concat!(
            r#"data: {"id":"c1","object":"chat.completion.chunk","created":1,"model":"moonshot-v1-8k","choices":[{"index":0,"delta":{"content":"hi"},"finish_reason":null}]}"#,
            "\n\n",
            r#"data: {"id":"c1","object":"chat.completion.chunk","created":1,"model":"moonshot-v1-8k","choices":[{"index":0,"delta":{},"finish_reason":"stop","usage":{"prompt_tokens":10,"completion_tokens":79,"total_tokens":89}}]}"#,
            "\n\ndata: [DONE]\n\n"
        );
        let events = decode_all(body);
        let usage = events.iter().find_map(|e| match e {
            StreamEvent::Usage(u) => Some(*u),
            _ => None,
        });
        let u = usage.unwrap();
        assert_eq!((u.input_tokens, u.output_tokens), (Some(10), Some(79)));
    }

    #[test]
    fn azure_annotation_chunks_do_not_blank_the_id_and_model() {
        let body = concat!(
            r#"data: {"choices":[],"created":0,"id":"","model":"","object":"","prompt_filter_results":[{"prompt_index":0,"content_filter_results":{}}]}"#,
            "\n\n",
            r#"data: {"id":"chatcmpl-1","object":"chat.completion.chunk","created":5,"model":"gpt-4o-mini","choices":[{"index":0,"delta":{"role":"assistant","content":"hi"},"finish_reason":"stop","content_filter_results":{}}]}"#,
            "\n\ndata: [DONE]\n\n"
        );
        let events = decode_all(body);
        assert_eq!(
            events.first(),
            Some(&StreamEvent::Start {
                id: Some("chatcmpl-1".into()),
                model: Some("gpt-4o-mini".into())
            })
        );
    }

    #[test]
    fn a_null_choices_list_in_the_usage_chunk_is_accepted() {
        let body = concat!(
            r#"data: {"id":"c1","object":"chat.completion.chunk","created":1,"model":"m","choices":[{"index":0,"delta":{"content":"x"},"finish_reason":"stop"}]}"#,
            "\n\n",
            r#"data: {"id":"c1","object":"chat.completion.chunk","created":1,"model":"m","choices":null,"usage":{"prompt_tokens":3,"completion_tokens":1,"total_tokens":4}}"#,
            "\n\ndata: [DONE]\n\n"
        );
        let events = decode_all(body);
        assert!(events.contains(&StreamEvent::Usage(Usage {
            input_tokens: Some(3),
            output_tokens: Some(1),
            ..Usage::default()
        })));
        assert_eq!(events.last(), Some(&StreamEvent::Done));
    }

    #[test]
    fn deepseek_usage_reads_hit_and_miss() {
        let u: WireUsage = serde_json::from_str(
            r#"{"prompt_tokens":30,"completion_tokens":5,"prompt_cache_hit_tokens":20,"prompt_cache_miss_tokens":10}"#,
        )
        .unwrap();
        let u = usage_from_wire(&u);
        assert_eq!(u.input_tokens, Some(30));
        assert_eq!(u.cached_input_tokens, Some(20));
        let back = serde_json::to_value(usage_to_wire(Dialect::DeepSeek, &u)).unwrap();
        assert_eq!(back["prompt_cache_hit_tokens"], 20);
        assert_eq!(back["prompt_cache_miss_tokens"], 10);
        assert!(back.get("prompt_tokens_details").is_none());
    }

    #[test]
    fn absent_usage_fields_stay_absent() {
        let u: WireUsage = serde_json::from_str(r#"{"prompt_tokens":3}"#).unwrap();
        let u = usage_from_wire(&u);
        assert_eq!(u.input_tokens, Some(3));
        assert_eq!(u.output_tokens, None);
        assert_eq!(u.cached_input_tokens, None);
        assert_eq!(u.reasoning_tokens, None);
    }

    #[test]
    fn qianfan_cached_tokens_are_top_level() {
        let u = Usage {
            input_tokens: Some(10),
            output_tokens: Some(2),
            cached_input_tokens: Some(4),
            ..Usage::default()
        };
        let w = serde_json::to_value(usage_to_wire(Dialect::Qianfan, &u)).unwrap();
        assert_eq!(w["cached_tokens"], 4);
        let back: WireUsage = serde_json::from_value(w).unwrap();
        assert_eq!(usage_from_wire(&back), u);
    }

    #[test]
    fn openai_sends_max_completion_tokens_others_max_tokens() {
        let mut req = ChatRequest::user_text("m", "hi");
        req.max_tokens = Some(7);
        let o: Value =
            serde_json::from_slice(&encode_request(Dialect::OpenAi, &req).unwrap()).unwrap();
        assert_eq!(o["max_completion_tokens"], 7);
        assert!(o.get("max_tokens").is_none());
        let d: Value =
            serde_json::from_slice(&encode_request(Dialect::DeepSeek, &req).unwrap()).unwrap();
        assert_eq!(d["max_tokens"], 7);
    }

    #[test]
    fn error_bodies_classify() {
        let e = error_detail(
            br#"{"error":{"message":"This model's maximum context length is 8192 tokens","type":"invalid_request_error","param":"messages","code":"context_length_exceeded"}}"#,
        )
        .into_error(400, None);
        assert_eq!(e.class, ErrorClass::ContextTooLong);
        assert_eq!(e.provider_code.as_deref(), Some("context_length_exceeded"));
        let e = error_detail(
            br#"{"error":{"message":"slow down","type":"requests","code":"rate_limit_exceeded"}}"#,
        )
        .into_error(429, Some(std::time::Duration::from_secs(2)));
        assert_eq!(
            e.class,
            ErrorClass::RateLimited {
                retry_after: Some(std::time::Duration::from_secs(2))
            }
        );
        let e = error_detail(b"upstream connect error").into_error(502, None);
        assert_eq!(e.class, ErrorClass::ServerError);
        assert_eq!(e.message, "upstream connect error");
    }

    #[test]
    fn base64_embeddings_round_trip() {
        let resp = EmbeddingResponse {
            model: "e".into(),
            embeddings: vec![vec![0.5, -1.25], vec![3.0, 0.0]],
            usage: Usage {
                input_tokens: Some(4),
                ..Usage::default()
            },
        };
        for b64 in [false, true] {
            let body = encode_embedding_response(&resp, b64).unwrap();
            let back = decode_embedding_response(&body).unwrap();
            assert_eq!(back.embeddings, resp.embeddings);
            assert_eq!(back.usage.input_tokens, Some(4));
        }
    }
}
