//! Google Gemini API: `models/{model}:generateContent`, `:streamGenerateContent?alt=sse`,
//! `:batchEmbedContents` and `GET /models`. Base URL
//! `https://generativelanguage.googleapis.com/v1beta`, key in `x-goog-api-key`.
//!
//! Wire reference: Gemini API reference "Generating content" (`GenerateContentResponse`,
//! `Candidate`, `Part` with `text`/`thought`/`inlineData`/`functionCall`/`functionResponse`,
//! `FinishReason`), "UsageMetadata" (facts §1: `promptTokenCount` (incl. cached),
//! `candidatesTokenCount`, `cachedContentTokenCount`, `thoughtsTokenCount`, `totalTokenCount`).
//!
//! Gemini caches repeated prefixes implicitly (explicit `cachedContents` resources are a separate
//! API this module does not speak): [`crate::CacheHint`]s are not sent, and decoded requests carry
//! none.

use std::time::Duration;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::{stream_cut, ErrorDetail, ErrorResponse, StreamContext, StreamDecoder, StreamEncoder};
use crate::error::{from_json, to_json, CodecError, ErrorClass, ProviderError};
use crate::sse::{encode_event, SseDecoder};
use crate::types::{
    ChatRequest, ChatResponse, Choice, ContentPart, EmbeddingRequest, EmbeddingResponse,
    FinishReason, ImageSource, Message, ModelInfo, ResponseFormat, Role, StreamEvent, ToolCall,
    ToolChoice, ToolDefinition, Usage,
};

pub const DEFAULT_BASE_URL: &str = "https://generativelanguage.googleapis.com/v1beta";

fn model_path(model: &str) -> String {
    let m = model.strip_prefix("models/").unwrap_or(model);
    format!("/models/{m}")
}

pub(crate) fn chat_path(model: &str, stream: bool) -> String {
    if stream {
        format!("{}:streamGenerateContent?alt=sse", model_path(model))
    } else {
        format!("{}:generateContent", model_path(model))
    }
}

pub(crate) fn embeddings_path(model: &str) -> String {
    format!("{}:batchEmbedContents", model_path(model))
}

// ---- wire types ------------------------------------------------------------------------------

#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct WireRequest {
    contents: Vec<WireContent>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    system_instruction: Option<WireContent>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    tools: Vec<WireTool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    tool_config: Option<WireToolConfig>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    generation_config: Option<WireGenerationConfig>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
struct WireContent {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    role: Option<String>,
    #[serde(default)]
    parts: Vec<WirePart>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct WirePart {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    text: Option<String>,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    thought: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    inline_data: Option<WireBlob>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    file_data: Option<WireFileData>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    function_call: Option<WireFunctionCall>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    function_response: Option<WireFunctionResponse>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct WireBlob {
    mime_type: String,
    data: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct WireFileData {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    mime_type: Option<String>,
    file_uri: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct WireFunctionCall {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    id: Option<String>,
    name: String,
    #[serde(default)]
    args: Value,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct WireFunctionResponse {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    id: Option<String>,
    name: String,
    response: Value,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct WireTool {
    #[serde(default)]
    function_declarations: Vec<WireFunctionDeclaration>,
}

#[derive(Debug, Serialize, Deserialize)]
struct WireFunctionDeclaration {
    name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    description: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    parameters: Option<Value>,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct WireToolConfig {
    function_calling_config: WireFunctionCallingConfig,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct WireFunctionCallingConfig {
    mode: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    allowed_function_names: Vec<String>,
}

#[derive(Debug, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct WireGenerationConfig {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    max_output_tokens: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    temperature: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    top_p: Option<f64>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    stop_sequences: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    response_mime_type: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    response_json_schema: Option<Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    response_schema: Option<Value>,
}

#[derive(Debug, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct WireResponse {
    #[serde(default)]
    candidates: Vec<WireCandidate>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    usage_metadata: Option<WireUsage>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    model_version: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    response_id: Option<String>,
    /// A failure reported inside the stream.
    #[serde(default, skip_serializing)]
    error: Option<Value>,
}

#[derive(Debug, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct WireCandidate {
    #[serde(default)]
    content: WireContent,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    finish_reason: Option<String>,
    #[serde(default)]
    index: u32,
}

#[derive(Debug, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct WireUsage {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    prompt_token_count: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    candidates_token_count: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    total_token_count: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    cached_content_token_count: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    thoughts_token_count: Option<u64>,
    /// Prompt tokens of tool-use results (search grounding, code execution), billed as input
    /// but not part of `promptTokenCount` (Gemini API reference, `UsageMetadata`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    tool_use_prompt_token_count: Option<u64>,
}

// ---- mappings --------------------------------------------------------------------------------

fn finish_from_wire(s: &str, has_calls: bool) -> FinishReason {
    match s {
        // Gemini reports STOP after a function call too
        "STOP" if has_calls => FinishReason::ToolCalls,
        "STOP" => FinishReason::Stop,
        "MAX_TOKENS" => FinishReason::Length,
        "SAFETY" | "RECITATION" | "BLOCKLIST" | "PROHIBITED_CONTENT" | "SPII" | "IMAGE_SAFETY" => {
            FinishReason::ContentFilter
        }
        other => FinishReason::Other(other.to_owned()),
    }
}

fn finish_to_wire(r: &FinishReason) -> String {
    match r {
        FinishReason::Stop | FinishReason::StopSequence | FinishReason::ToolCalls => {
            "STOP".to_owned()
        }
        FinishReason::Length => "MAX_TOKENS".to_owned(),
        FinishReason::ContentFilter => "SAFETY".to_owned(),
        FinishReason::Other(s) => s.clone(),
    }
}

/// `candidatesTokenCount` excludes thoughts; the internal output count includes them.
/// `promptTokenCount` already includes cached content ("when cached_content is set, this is still
/// the total effective prompt size"); tool-use prompt tokens come on top of it. All field names
/// and meanings from the Gemini API reference `GenerateContentResponse.UsageMetadata`
/// (ai.google.dev/api/generate-content#UsageMetadata).
fn usage_from_wire(u: &WireUsage) -> Usage {
    let output = match (u.candidates_token_count, u.thoughts_token_count) {
        (None, None) => None,
        (c, t) => Some(c.unwrap_or(0) + t.unwrap_or(0)),
    };
    Usage {
        input_tokens: u
            .prompt_token_count
            .map(|p| p + u.tool_use_prompt_token_count.unwrap_or(0)),
        output_tokens: output,
        cached_input_tokens: u.cached_content_token_count,
        reasoning_tokens: u.thoughts_token_count,
        cache_write_input_tokens: None,
    }
}

fn usage_to_wire(u: &Usage) -> WireUsage {
    let output = u.output_tokens.unwrap_or(0);
    WireUsage {
        prompt_token_count: Some(u.input_tokens.unwrap_or(0)),
        candidates_token_count: Some(output.saturating_sub(u.reasoning_tokens.unwrap_or(0))),
        total_token_count: Some(u.input_tokens.unwrap_or(0) + output),
        cached_content_token_count: u.cached_input_tokens,
        thoughts_token_count: u.reasoning_tokens,
        tool_use_prompt_token_count: None,
    }
}

fn call_id(id: Option<String>, index: usize) -> String {
    id.unwrap_or_else(|| format!("call_{index}"))
}

fn parse_arguments(args: &str) -> Value {
    if args.trim().is_empty() {
        return Value::Object(serde_json::Map::new());
    }
    serde_json::from_str(args).unwrap_or_else(|_| Value::String(args.to_owned()))
}

fn text_part(t: &str) -> WirePart {
    WirePart {
        text: Some(t.to_owned()),
        ..WirePart::default()
    }
}

fn parts_from_content(parts: &[ContentPart]) -> Vec<WirePart> {
    parts
        .iter()
        .map(|p| match p {
            ContentPart::Text(t) => text_part(t),
            ContentPart::Image(ImageSource::Base64 { media_type, data }) => WirePart {
                inline_data: Some(WireBlob {
                    mime_type: media_type.clone(),
                    data: data.clone(),
                }),
                ..WirePart::default()
            },
            ContentPart::Image(ImageSource::Url(url)) => WirePart {
                file_data: Some(WireFileData {
                    mime_type: None,
                    file_uri: url.clone(),
                }),
                ..WirePart::default()
            },
        })
        .collect()
}

// ---- client side -----------------------------------------------------------------------------

/// Internal request → generateContent body (model and streaming are in the path).
pub fn encode_request(req: &ChatRequest) -> Result<Vec<u8>, CodecError> {
    let mut contents: Vec<WireContent> = Vec::new();
    for m in &req.messages {
        let (role, parts) = match m.role {
            Role::System => continue,
            Role::User => ("user", parts_from_content(&m.content)),
            Role::Assistant => {
                let mut parts = parts_from_content(&m.content);
                parts.retain(|p| p.text.as_deref() != Some(""));
                parts.extend(m.tool_calls.iter().map(|c| WirePart {
                    function_call: Some(WireFunctionCall {
                        id: None,
                        name: c.name.clone(),
                        args: parse_arguments(&c.arguments),
                    }),
                    ..WirePart::default()
                }));
                ("model", parts)
            }
            Role::Tool => {
                // Gemini matches results to calls by function name
                let name = m.name.clone().or_else(|| {
                    req.messages
                        .iter()
                        .flat_map(|x| &x.tool_calls)
                        .find(|c| Some(&c.id) == m.tool_call_id.as_ref())
                        .map(|c| c.name.clone())
                });
                let Some(name) = name else {
                    return Err(CodecError::invalid(
                        "gemini tool result",
                        format!(
                            "no function name for tool call id {:?}: set `name` on the tool message",
                            m.tool_call_id
                        ),
                    ));
                };
                let text = m.joined_text();
                let response = match serde_json::from_str::<Value>(&text) {
                    Ok(Value::Object(o)) => Value::Object(o),
                    _ => serde_json::json!({ "result": text }),
                };
                (
                    "user",
                    vec![WirePart {
                        function_response: Some(WireFunctionResponse {
                            id: None,
                            name,
                            response,
                        }),
                        ..WirePart::default()
                    }],
                )
            }
        };
        match contents.last_mut() {
            Some(last) if last.role.as_deref() == Some(role) => last.parts.extend(parts),
            _ => contents.push(WireContent {
                role: Some(role.to_owned()),
                parts,
            }),
        }
    }
    let (mime, schema) = match &req.response_format {
        Some(ResponseFormat::JsonObject) => (Some("application/json".to_owned()), None),
        Some(ResponseFormat::JsonSchema { schema, .. }) => {
            (Some("application/json".to_owned()), Some(schema.clone()))
        }
        Some(ResponseFormat::Text) | None => (None, None),
    };
    let gen = WireGenerationConfig {
        max_output_tokens: req.max_tokens,
        temperature: req.temperature,
        top_p: req.top_p,
        stop_sequences: req.stop.clone(),
        response_mime_type: mime,
        response_json_schema: schema,
        response_schema: None,
    };
    let has_gen = gen.max_output_tokens.is_some()
        || gen.temperature.is_some()
        || gen.top_p.is_some()
        || !gen.stop_sequences.is_empty()
        || gen.response_mime_type.is_some();
    let wire = WireRequest {
        contents,
        system_instruction: req.system_text().map(|t| WireContent {
            role: None,
            parts: vec![text_part(&t)],
        }),
        tools: if req.tools.is_empty() {
            Vec::new()
        } else {
            vec![WireTool {
                function_declarations: req
                    .tools
                    .iter()
                    .map(|t| WireFunctionDeclaration {
                        name: t.name.clone(),
                        description: t.description.clone(),
                        parameters: Some(t.parameters.clone()),
                    })
                    .collect(),
            }]
        },
        tool_config: req.tool_choice.as_ref().map(|c| {
            let (mode, names) = match c {
                ToolChoice::Auto => ("AUTO", Vec::new()),
                ToolChoice::None => ("NONE", Vec::new()),
                ToolChoice::Required => ("ANY", Vec::new()),
                ToolChoice::Tool(n) => ("ANY", vec![n.clone()]),
            };
            WireToolConfig {
                function_calling_config: WireFunctionCallingConfig {
                    mode: mode.to_owned(),
                    allowed_function_names: names,
                },
            }
        }),
        generation_config: has_gen.then_some(gen),
    };
    to_json("gemini request", &wire)
}

fn choice_from_candidate(c: WireCandidate, call_base: usize) -> Choice {
    let mut choice = Choice {
        index: c.index,
        ..Choice::default()
    };
    for p in c.content.parts {
        if let Some(t) = p.text {
            if p.thought {
                choice
                    .reasoning
                    .get_or_insert_with(String::new)
                    .push_str(&t);
            } else {
                choice.text.push_str(&t);
            }
        }
        if let Some(f) = p.function_call {
            let n = call_base + choice.tool_calls.len();
            choice.tool_calls.push(ToolCall {
                id: call_id(f.id, n),
                name: f.name,
                arguments: f.args.to_string(),
            });
        }
    }
    let has_calls = !choice.tool_calls.is_empty();
    choice.finish_reason = c
        .finish_reason
        .as_deref()
        .map(|f| finish_from_wire(f, has_calls));
    choice
}

/// generateContent response → internal response. Calls without an `id` get `call_<n>`.
pub fn decode_response(body: &[u8]) -> Result<ChatResponse, CodecError> {
    let w: WireResponse = from_json("gemini response", body)?;
    Ok(ChatResponse {
        id: w.response_id.unwrap_or_default(),
        model: w.model_version.unwrap_or_default(),
        created: None,
        choices: w
            .candidates
            .into_iter()
            .map(|c| choice_from_candidate(c, 0))
            .collect(),
        usage: w
            .usage_metadata
            .as_ref()
            .map(usage_from_wire)
            .unwrap_or_default(),
    })
}

/// `"30s"` / `"1.5s"` (protobuf Duration JSON) → Duration.
fn parse_proto_duration(s: &str) -> Option<Duration> {
    let secs: f64 = s.strip_suffix('s')?.parse().ok()?;
    (secs.is_finite() && secs >= 0.0).then(|| Duration::from_secs_f64(secs))
}

/// Reads `{"error":{"code","message","status","details":[{"@type":"...RetryInfo","retryDelay"}]}}`.
pub(crate) fn error_detail(body: &[u8]) -> ErrorDetail {
    let v: Value = serde_json::from_slice(body).unwrap_or(Value::Null);
    // streamed errors sometimes arrive wrapped in a one-element array
    let v = v.as_array().and_then(|a| a.first()).cloned().unwrap_or(v);
    let Some(err) = v.get("error") else {
        return ErrorDetail {
            message: super::openai::non_empty_text(body),
            ..ErrorDetail::default()
        };
    };
    let status = err.get("status").and_then(Value::as_str).map(str::to_owned);
    let retry_after = err
        .get("details")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .find_map(|d| {
            d.get("retryDelay")
                .and_then(Value::as_str)
                .and_then(parse_proto_duration)
        });
    // A wrong key is 400 INVALID_ARGUMENT; only the google.rpc.ErrorInfo `reason` tells it from a
    // malformed request (API_KEY_INVALID, observed in the bodies quoted by
    // github.com/google-gemini/gemini-cli/issues/4690; API_KEY_SERVICE_BLOCKED and friends are
    // listed in Google's AIP-193 ErrorInfo reasons).
    let reason = err
        .get("details")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .find_map(|d| d.get("reason").and_then(Value::as_str));
    let auth_reason =
        reason.is_some_and(|r| r.starts_with("API_KEY_") || r == "ACCESS_TOKEN_EXPIRED");
    let class = status.as_deref().and_then(|s| match s {
        _ if auth_reason => Some(ErrorClass::Auth),
        "RESOURCE_EXHAUSTED" => Some(ErrorClass::RateLimited { retry_after }),
        "UNAVAILABLE" => Some(ErrorClass::Overloaded),
        "INVALID_ARGUMENT" | "FAILED_PRECONDITION" | "OUT_OF_RANGE" => Some(ErrorClass::BadRequest),
        "UNAUTHENTICATED" | "PERMISSION_DENIED" => Some(ErrorClass::Auth),
        "NOT_FOUND" => Some(ErrorClass::NotFound),
        "INTERNAL" | "UNKNOWN" | "DATA_LOSS" => Some(ErrorClass::ServerError),
        "DEADLINE_EXCEEDED" => Some(ErrorClass::Timeout),
        _ => None,
    });
    ErrorDetail {
        class,
        code: reason.map(str::to_owned).or(status),
        message: err
            .get("message")
            .and_then(Value::as_str)
            .map(str::to_owned),
    }
}

/// Incremental decoder for `streamGenerateContent?alt=sse`: every event is a whole
/// `GenerateContentResponse`; the stream has no terminal marker, so it is complete when a
/// candidate reported a `finishReason` before the body ended.
#[derive(Debug, Default)]
pub struct GeminiStreamDecoder {
    sse: SseDecoder,
    started: bool,
    calls: usize,
    finished: bool,
    done: bool,
}

impl GeminiStreamDecoder {
    pub fn new() -> Self {
        Self::default()
    }
}

impl StreamDecoder for GeminiStreamDecoder {
    fn feed(&mut self, chunk: &[u8]) -> Result<Vec<StreamEvent>, ProviderError> {
        let mut out = Vec::new();
        for ev in self.sse.feed(chunk) {
            let data = ev.data.trim();
            if data.is_empty() {
                continue;
            }
            let w: WireResponse = from_json("gemini stream chunk", data.as_bytes())?;
            if w.error.is_some() {
                let detail = error_detail(data.as_bytes());
                let status = detail.class.as_ref().map_or(500, ErrorClass::http_status);
                return Err(detail.into_error(status, None));
            }
            if !self.started {
                self.started = true;
                out.push(StreamEvent::Start {
                    id: w.response_id.clone(),
                    model: w.model_version.clone(),
                });
            }
            for c in w.candidates.into_iter().filter(|c| c.index == 0) {
                for p in c.content.parts {
                    if let Some(t) = p.text.filter(|t| !t.is_empty()) {
                        out.push(if p.thought {
                            StreamEvent::ReasoningDelta(t)
                        } else {
                            StreamEvent::TextDelta(t)
                        });
                    }
                    if let Some(f) = p.function_call {
                        let index = self.calls;
                        self.calls += 1;
                        out.push(StreamEvent::ToolCallDelta {
                            index: u32::try_from(index).unwrap_or(u32::MAX),
                            id: Some(call_id(f.id, index)),
                            name: Some(f.name),
                            arguments: f.args.to_string(),
                        });
                    }
                }
                if let Some(f) = c.finish_reason {
                    self.finished = true;
                    out.push(StreamEvent::Finish(finish_from_wire(&f, self.calls > 0)));
                }
            }
            if let Some(u) = w.usage_metadata {
                out.push(StreamEvent::Usage(usage_from_wire(&u)));
            }
        }
        Ok(out)
    }

    fn finish(&mut self) -> Result<Vec<StreamEvent>, ProviderError> {
        if self.done {
            return Ok(Vec::new());
        }
        if self.finished && !self.sse.has_partial_event() {
            self.done = true;
            return Ok(vec![StreamEvent::Done]);
        }
        Err(stream_cut("a candidate's `finishReason`"))
    }
}

// ---- embeddings and models -------------------------------------------------------------------

pub fn encode_embedding_request(req: &EmbeddingRequest) -> Result<Vec<u8>, CodecError> {
    let model = format!(
        "models/{}",
        req.model.strip_prefix("models/").unwrap_or(&req.model)
    );
    let requests: Vec<Value> = req
        .input
        .iter()
        .map(|t| {
            let mut r = serde_json::json!({"model": model, "content": {"parts": [{"text": t}]}});
            if let (Some(d), Some(o)) = (req.dimensions, r.as_object_mut()) {
                o.insert("outputDimensionality".into(), Value::from(d));
            }
            r
        })
        .collect();
    to_json(
        "gemini embeddings request",
        &serde_json::json!({"requests": requests}),
    )
}

#[derive(Debug, Deserialize)]
struct WireEmbeddings {
    #[serde(default)]
    embeddings: Vec<WireEmbedding>,
}

#[derive(Debug, Deserialize)]
struct WireEmbedding {
    values: Vec<f32>,
}

pub fn decode_embedding_response(
    body: &[u8],
    model: &str,
) -> Result<EmbeddingResponse, CodecError> {
    let w: WireEmbeddings = from_json("gemini embeddings response", body)?;
    Ok(EmbeddingResponse {
        model: model.to_owned(),
        embeddings: w.embeddings.into_iter().map(|e| e.values).collect(),
        // batchEmbedContents reports no token usage
        usage: Usage::default(),
    })
}

#[derive(Debug, Deserialize)]
struct WireModelList {
    #[serde(default)]
    models: Vec<WireModel>,
}

#[derive(Debug, Deserialize)]
struct WireModel {
    name: String,
}

pub fn decode_models(body: &[u8]) -> Result<Vec<ModelInfo>, CodecError> {
    let w: WireModelList = from_json("gemini model list", body)?;
    Ok(w.models
        .into_iter()
        .map(|m| ModelInfo {
            id: m.name.strip_prefix("models/").unwrap_or(&m.name).to_owned(),
            owned_by: Some("google".to_owned()),
            created: None,
        })
        .collect())
}

pub fn encode_models(models: &[ModelInfo]) -> Result<Vec<u8>, CodecError> {
    let list: Vec<Value> = models
        .iter()
        .map(|m| {
            serde_json::json!({"name": format!("models/{}", m.id), "displayName": m.id,
                "supportedGenerationMethods": ["generateContent", "countTokens"]})
        })
        .collect();
    to_json("gemini model list", &serde_json::json!({"models": list}))
}

// ---- server side -----------------------------------------------------------------------------

/// generateContent body → internal request; `model` and `stream` come from the path.
pub fn decode_request(body: &[u8], model: &str, stream: bool) -> Result<ChatRequest, CodecError> {
    let w: WireRequest = from_json("gemini request", body)?;
    let mut messages = Vec::new();
    if let Some(si) = w.system_instruction {
        let text: Vec<String> = si.parts.into_iter().filter_map(|p| p.text).collect();
        messages.push(Message::text(Role::System, text.join("\n\n")));
    }
    let mut calls = 0usize;
    let mut pending: Vec<(String, String)> = Vec::new(); // (name, id) of calls awaiting results
    for c in w.contents {
        let role = match c.role.as_deref() {
            Some("model") => Role::Assistant,
            Some("user") | Some("function") | None => Role::User,
            Some(other) => {
                return Err(CodecError::invalid(
                    "gemini content role",
                    format!("`{other}`, expected user or model"),
                ))
            }
        };
        let mut msg = Message {
            content: Vec::new(),
            ..Message::text(role, "")
        };
        for p in c.parts {
            if let Some(t) = p.text {
                if p.thought {
                    msg.reasoning.get_or_insert_with(String::new).push_str(&t);
                } else {
                    msg.content.push(ContentPart::Text(t));
                }
            }
            if let Some(b) = p.inline_data {
                msg.content.push(ContentPart::Image(ImageSource::Base64 {
                    media_type: b.mime_type,
                    data: b.data,
                }));
            }
            if let Some(f) = p.file_data {
                msg.content
                    .push(ContentPart::Image(ImageSource::Url(f.file_uri)));
            }
            if let Some(f) = p.function_call {
                let id = call_id(f.id, calls);
                calls += 1;
                pending.push((f.name.clone(), id.clone()));
                msg.tool_calls.push(ToolCall {
                    id,
                    name: f.name,
                    arguments: f.args.to_string(),
                });
            }
            if let Some(r) = p.function_response {
                let id = r.id.or_else(|| {
                    let pos = pending.iter().position(|(n, _)| *n == r.name)?;
                    Some(pending.remove(pos).1)
                });
                let text = match r.response.get("result") {
                    Some(Value::String(s))
                        if r.response.as_object().is_some_and(|o| o.len() == 1) =>
                    {
                        s.clone()
                    }
                    _ => r.response.to_string(),
                };
                messages.push(Message {
                    name: Some(r.name),
                    tool_call_id: id,
                    ..Message::text(Role::Tool, text)
                });
            }
        }
        if !msg.content.is_empty() || !msg.tool_calls.is_empty() {
            messages.push(msg);
        }
    }
    let gen = w.generation_config.unwrap_or_default();
    let response_format = match (
        gen.response_mime_type.as_deref(),
        gen.response_json_schema.or(gen.response_schema),
    ) {
        (Some("application/json"), Some(schema)) => Some(ResponseFormat::JsonSchema {
            name: "response".to_owned(),
            schema,
            strict: None,
        }),
        (Some("application/json"), None) => Some(ResponseFormat::JsonObject),
        _ => None,
    };
    let tool_choice = w.tool_config.map(|t| {
        let cfg = t.function_calling_config;
        match (cfg.mode.as_str(), cfg.allowed_function_names.as_slice()) {
            ("NONE", _) => ToolChoice::None,
            ("ANY", [one]) => ToolChoice::Tool(one.clone()),
            ("ANY", _) => ToolChoice::Required,
            _ => ToolChoice::Auto,
        }
    });
    Ok(ChatRequest {
        model: model.to_owned(),
        messages,
        tools: w
            .tools
            .into_iter()
            .flat_map(|t| t.function_declarations)
            .map(|f| ToolDefinition {
                name: f.name,
                description: f.description,
                parameters: f
                    .parameters
                    .unwrap_or_else(|| serde_json::json!({"type": "object", "properties": {}})),
                cache: None,
            })
            .collect(),
        tool_choice,
        max_tokens: gen.max_output_tokens,
        temperature: gen.temperature,
        top_p: gen.top_p,
        stop: gen.stop_sequences,
        stream,
        include_usage: true,
        response_format,
        user: None,
        cache: None,
    })
}

fn response_parts(choice: &Choice) -> Vec<WirePart> {
    let mut parts = Vec::new();
    if let Some(r) = &choice.reasoning {
        parts.push(WirePart {
            thought: true,
            ..text_part(r)
        });
    }
    if !choice.text.is_empty() || choice.tool_calls.is_empty() {
        parts.push(text_part(&choice.text));
    }
    parts.extend(choice.tool_calls.iter().map(|c| WirePart {
        function_call: Some(WireFunctionCall {
            id: Some(c.id.clone()).filter(|s| !s.is_empty()),
            name: c.name.clone(),
            args: parse_arguments(&c.arguments),
        }),
        ..WirePart::default()
    }));
    parts
}

/// Internal response → generateContent body.
pub fn encode_response(resp: &ChatResponse) -> Result<Vec<u8>, CodecError> {
    let w = WireResponse {
        candidates: resp
            .choices
            .iter()
            .map(|c| WireCandidate {
                content: WireContent {
                    role: Some("model".to_owned()),
                    parts: response_parts(c),
                },
                finish_reason: c.finish_reason.as_ref().map(finish_to_wire),
                index: c.index,
            })
            .collect(),
        usage_metadata: (!resp.usage.is_empty()).then(|| usage_to_wire(&resp.usage)),
        model_version: Some(resp.model.clone()),
        response_id: Some(resp.id.clone()).filter(|s| !s.is_empty()),
        error: None,
    };
    to_json("gemini response", &w)
}

/// Server-side encoder: one SSE event per text/thought delta; function calls (which Gemini
/// sends whole) are assembled and written with the final chunk, which also carries
/// `finishReason` and `usageMetadata`.
#[derive(Debug)]
pub struct GeminiStreamEncoder {
    ctx: StreamContext,
    calls: Vec<ToolCall>,
    finish: Option<FinishReason>,
    usage: Usage,
}

impl GeminiStreamEncoder {
    pub fn new(ctx: StreamContext) -> Self {
        Self {
            ctx,
            calls: Vec::new(),
            finish: None,
            usage: Usage::default(),
        }
    }

    fn chunk(
        &self,
        parts: Vec<WirePart>,
        finish: Option<String>,
        usage: Option<WireUsage>,
    ) -> Vec<u8> {
        let w = WireResponse {
            candidates: vec![WireCandidate {
                content: WireContent {
                    role: Some("model".to_owned()),
                    parts,
                },
                finish_reason: finish,
                index: 0,
            }],
            usage_metadata: usage,
            model_version: Some(self.ctx.model.clone()),
            response_id: Some(self.ctx.id.clone()).filter(|s| !s.is_empty()),
            error: None,
        };
        encode_event(None, &serde_json::to_string(&w).unwrap_or_default()).into_bytes()
    }
}

impl StreamEncoder for GeminiStreamEncoder {
    fn encode(&mut self, event: &StreamEvent) -> Vec<u8> {
        match event {
            StreamEvent::Start { id, model } => {
                if let Some(id) = id {
                    self.ctx.id.clone_from(id);
                }
                if let Some(m) = model {
                    self.ctx.model.clone_from(m);
                }
                Vec::new()
            }
            StreamEvent::TextDelta(t) => self.chunk(vec![text_part(t)], None, None),
            StreamEvent::ReasoningDelta(t) => self.chunk(
                vec![WirePart {
                    thought: true,
                    ..text_part(t)
                }],
                None,
                None,
            ),
            StreamEvent::ToolCallDelta {
                index,
                id,
                name,
                arguments,
            } => {
                let i = *index as usize;
                while self.calls.len() <= i {
                    self.calls.push(ToolCall {
                        id: String::new(),
                        name: String::new(),
                        arguments: String::new(),
                    });
                }
                if let Some(c) = self.calls.get_mut(i) {
                    if let Some(id) = id {
                        c.id.clone_from(id);
                    }
                    if let Some(n) = name {
                        c.name.clone_from(n);
                    }
                    c.arguments.push_str(arguments);
                }
                Vec::new()
            }
            StreamEvent::Finish(r) => {
                self.finish = Some(r.clone());
                Vec::new()
            }
            StreamEvent::Usage(u) => {
                self.usage.merge(u);
                Vec::new()
            }
            StreamEvent::Done => {
                let mut parts: Vec<WirePart> = self
                    .calls
                    .iter()
                    .map(|c| WirePart {
                        function_call: Some(WireFunctionCall {
                            id: Some(c.id.clone()).filter(|s| !s.is_empty()),
                            name: c.name.clone(),
                            args: parse_arguments(&c.arguments),
                        }),
                        ..WirePart::default()
                    })
                    .collect();
                if parts.is_empty() {
                    parts.push(text_part(""));
                }
                let finish = self
                    .finish
                    .as_ref()
                    .map_or_else(|| "STOP".to_owned(), finish_to_wire);
                self.chunk(parts, Some(finish), Some(usage_to_wire(&self.usage)))
            }
        }
    }

    fn encode_error(&mut self, class: &ErrorClass, message: &str) -> Vec<u8> {
        let body = error_body(class, message);
        encode_event(None, &body.to_string()).into_bytes()
    }
}

fn status_for(class: &ErrorClass) -> (u16, &'static str) {
    match class {
        ErrorClass::RateLimited { .. } | ErrorClass::QuotaExceeded => (429, "RESOURCE_EXHAUSTED"),
        ErrorClass::Overloaded => (503, "UNAVAILABLE"),
        ErrorClass::BadRequest | ErrorClass::ContextTooLong => (400, "INVALID_ARGUMENT"),
        ErrorClass::Auth => (403, "PERMISSION_DENIED"),
        ErrorClass::NotFound => (404, "NOT_FOUND"),
        ErrorClass::Timeout => (504, "DEADLINE_EXCEEDED"),
        ErrorClass::ServerError
        | ErrorClass::ConnectionReset
        | ErrorClass::StreamCut
        | ErrorClass::InvalidResponse => (500, "INTERNAL"),
    }
}

fn error_body(class: &ErrorClass, message: &str) -> Value {
    let (code, status) = status_for(class);
    let mut err = serde_json::json!({"code": code, "message": message, "status": status});
    if let (
        ErrorClass::RateLimited {
            retry_after: Some(d),
        },
        Some(o),
    ) = (class, err.as_object_mut())
    {
        o.insert(
            "details".into(),
            serde_json::json!([{"@type": "type.googleapis.com/google.rpc.RetryInfo",
                "retryDelay": format!("{}s", d.as_secs())}]),
        );
    }
    serde_json::json!({ "error": err })
}

pub(crate) fn encode_error(class: &ErrorClass, message: &str) -> ErrorResponse {
    ErrorResponse {
        status: status_for(class).0,
        headers: Vec::new(),
        body: error_body(class, message).to_string().into_bytes(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thoughts_count_as_output_and_reasoning() {
        let u = usage_from_wire(&WireUsage {
            prompt_token_count: Some(100),
            candidates_token_count: Some(20),
            thoughts_token_count: Some(30),
            cached_content_token_count: Some(60),
            total_token_count: Some(150),
            tool_use_prompt_token_count: None,
        });
        assert_eq!(u.output_tokens, Some(50));
        assert_eq!(u.reasoning_tokens, Some(30));
        assert_eq!(u.cached_input_tokens, Some(60));
        assert_eq!(usage_to_wire(&u).candidates_token_count, Some(20));
    }

    #[test]
    fn tool_use_prompt_tokens_count_as_input() {
        let u = usage_from_wire(&WireUsage {
            prompt_token_count: Some(100),
            candidates_token_count: Some(20),
            tool_use_prompt_token_count: Some(40),
            total_token_count: Some(160),
            ..WireUsage::default()
        });
        assert_eq!(u.input_tokens, Some(140));
        assert_eq!(u.total_tokens(), Some(160));
    }

    #[test]
    fn invalid_key_is_auth_not_bad_request() {
        // the body the API sends for a wrong key (quoted in google-gemini/gemini-cli#4690)
        let body = br#"{"error":{"code":400,"message":"API key not valid. Please pass a valid API key.","status":"INVALID_ARGUMENT","details":[{"@type":"type.googleapis.com/google.rpc.ErrorInfo","reason":"API_KEY_INVALID","domain":"googleapis.com","metadata":{"service":"generativelanguage.googleapis.com"}}]}}"#;
        let e = error_detail(body).into_error(400, None);
        assert_eq!(e.class, ErrorClass::Auth);
        assert_eq!(e.provider_code.as_deref(), Some("API_KEY_INVALID"));
        let plain = br#"{"error":{"code":400,"message":"bad","status":"INVALID_ARGUMENT"}}"#;
        assert_eq!(
            error_detail(plain).into_error(400, None).class,
            ErrorClass::BadRequest
        );
    }

    #[test]
    fn resource_exhausted_reads_retry_info() {
        let body = br#"{"error":{"code":429,"message":"quota","status":"RESOURCE_EXHAUSTED","details":[{"@type":"type.googleapis.com/google.rpc.RetryInfo","retryDelay":"17s"}]}}"#;
        let e = error_detail(body).into_error(429, None);
        assert_eq!(
            e.class,
            ErrorClass::RateLimited {
                retry_after: Some(Duration::from_secs(17))
            }
        );
        assert_eq!(e.provider_code.as_deref(), Some("RESOURCE_EXHAUSTED"));
    }

    #[test]
    fn tool_results_find_their_function_name() {
        let mut req = ChatRequest::user_text("gemini-2.5-flash", "weather in Paris?");
        req.messages.push(Message {
            content: Vec::new(),
            tool_calls: vec![ToolCall {
                id: "call_0".into(),
                name: "get_weather".into(),
                arguments: r#"{"city":"Paris"}"#.into(),
            }],
            ..Message::text(Role::Assistant, "")
        });
        req.messages
            .push(Message::tool_result("call_0", r#"{"temp_c":21}"#));
        let v: Value = serde_json::from_slice(&encode_request(&req).unwrap()).unwrap();
        assert_eq!(
            v["contents"][2]["parts"][0]["functionResponse"]["name"],
            "get_weather"
        );
        let back =
            decode_request(&serde_json::to_vec(&v).unwrap(), "gemini-2.5-flash", false).unwrap();
        assert_eq!(back.messages[2].tool_call_id.as_deref(), Some("call_0"));
        assert_eq!(back.messages[1].tool_calls, req.messages[1].tool_calls);
    }
}
