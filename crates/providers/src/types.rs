//! The one internal shape every protocol maps to and from.
//!
//! Wire formats never leak in here: no serde derives on these types. Each protocol file owns its
//! own wire structs and converts explicitly.

use std::fmt;

/// A chat request in the internal shape.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ChatRequest {
    pub model: String,
    pub messages: Vec<Message>,
    pub tools: Vec<ToolDefinition>,
    pub tool_choice: Option<ToolChoice>,
    pub max_tokens: Option<u32>,
    pub temperature: Option<f64>,
    pub top_p: Option<f64>,
    pub stop: Vec<String>,
    pub stream: bool,
    /// OpenAI `stream_options.include_usage`; other protocols always report stream usage.
    pub include_usage: bool,
    pub response_format: Option<ResponseFormat>,
    /// End-user id (OpenAI `user`, Anthropic `metadata.user_id`).
    pub user: Option<String>,
    /// Cache the whole prompt, wherever it ends (Anthropic's top-level `cache_control`,
    /// "automatic caching"). Bedrock has no request-level marker: it gets a `cachePoint` after
    /// the last message. For breakpoints at fixed places use [`Message::cache`] and
    /// [`ToolDefinition::cache`]. See [`CacheHint`] for which protocols read hints.
    pub cache: Option<CacheHint>,
}

impl ChatRequest {
    /// A one-turn user request, handy for tests and the load generator.
    pub fn user_text(model: impl Into<String>, text: impl Into<String>) -> Self {
        Self {
            model: model.into(),
            messages: vec![Message::text(Role::User, text)],
            ..Self::default()
        }
    }

    /// All system messages' text joined by blank lines (Anthropic, Bedrock and Gemini carry the
    /// system prompt outside the message list).
    pub fn system_text(&self) -> Option<String> {
        let parts: Vec<String> = self
            .messages
            .iter()
            .filter(|m| m.role == Role::System)
            .map(Message::joined_text)
            .collect();
        if parts.is_empty() {
            None
        } else {
            Some(parts.join("\n\n"))
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Role {
    System,
    User,
    Assistant,
    Tool,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::System => "system",
            Self::User => "user",
            Self::Assistant => "assistant",
            Self::Tool => "tool",
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A prompt-cache breakpoint: the prompt up to and including the item that carries it (in the
/// order tools, system, messages) may be written to and read from the provider's cache.
///
/// Only protocols that cache up to caller-placed markers read hints: Anthropic (a
/// `cache_control: {"type": "ephemeral"}` on the marked block, the tool definition or the
/// request) and Bedrock Converse (a `cachePoint: {"type": "default"}` block right after the
/// marked item). OpenAI and its compatible dialects, DeepSeek and Gemini cache repeated prefixes
/// implicitly and have no marker: their encoders ignore hints, and their decoders produce none.
/// Anthropic allows at most 4 breakpoints a request; that limit is the provider's to enforce
/// (it answers 400), not the encoder's.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct CacheHint {
    /// How long the entry lives after its last use; `None` is the provider's default (5
    /// minutes for both Anthropic and Bedrock).
    pub ttl: Option<CacheTtl>,
}

impl CacheHint {
    /// A breakpoint with the provider's default lifetime.
    pub fn new() -> Self {
        Self::default()
    }

    pub fn with_ttl(ttl: CacheTtl) -> Self {
        Self { ttl: Some(ttl) }
    }
}

/// Cache lifetimes both marker protocols accept: Anthropic `cache_control.ttl` and Bedrock
/// `CachePointBlock.ttl` take `"5m"` or `"1h"` (Anthropic prompt-caching docs; Amazon Bedrock
/// API Reference `CachePointBlock`; as_of 2026-12-01).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CacheTtl {
    FiveMinutes,
    OneHour,
}

/// One message of a conversation.
#[derive(Debug, Clone, PartialEq)]
pub struct Message {
    pub role: Role,
    pub content: Vec<ContentPart>,
    /// Calls the assistant made (role `Assistant`).
    pub tool_calls: Vec<ToolCall>,
    /// The call this message answers (role `Tool`).
    pub tool_call_id: Option<String>,
    /// Name of the tool whose result this is (Gemini needs it; OpenAI's `name`).
    pub name: Option<String>,
    /// Reasoning text an assistant produced earlier (DeepSeek/Qwen `reasoning_content`,
    /// Anthropic `thinking`).
    pub reasoning: Option<String>,
    /// A tool result that reports a failure (Anthropic `is_error`, Bedrock `status: error`).
    pub is_error: bool,
    /// A cache breakpoint after this message's last block (its content, then its tool calls):
    /// Anthropic `cache_control` on that block, Bedrock a `cachePoint` after it. A system
    /// message's hint marks its system block. To mark a block in the middle of a provider's
    /// message, split it into consecutive messages of one role: both encoders merge them into one
    /// turn, and both decoders split a turn after each marked block.
    pub cache: Option<CacheHint>,
}

impl Message {
    pub fn text(role: Role, text: impl Into<String>) -> Self {
        Self {
            role,
            content: vec![ContentPart::Text(text.into())],
            tool_calls: Vec::new(),
            tool_call_id: None,
            name: None,
            reasoning: None,
            is_error: false,
            cache: None,
        }
    }

    pub fn tool_result(call_id: impl Into<String>, text: impl Into<String>) -> Self {
        Self {
            tool_call_id: Some(call_id.into()),
            ..Self::text(Role::Tool, text)
        }
    }

    /// This message with a cache breakpoint after it.
    #[must_use]
    pub fn with_cache(self, hint: CacheHint) -> Self {
        Self {
            cache: Some(hint),
            ..self
        }
    }

    /// The text parts concatenated (images skipped).
    pub fn joined_text(&self) -> String {
        let mut out = String::new();
        for part in &self.content {
            if let ContentPart::Text(t) = part {
                out.push_str(t);
            }
        }
        out
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum ContentPart {
    Text(String),
    Image(ImageSource),
}

#[derive(Debug, Clone, PartialEq)]
pub enum ImageSource {
    Url(String),
    Base64 { media_type: String, data: String },
}

impl ImageSource {
    /// Parses a `data:<media>;base64,<data>` URL into its parts; other URLs stay URLs.
    pub fn from_url(url: &str) -> Self {
        if let Some(rest) = url.strip_prefix("data:") {
            if let Some((media, data)) = rest.split_once(";base64,") {
                return Self::Base64 {
                    media_type: media.to_owned(),
                    data: data.to_owned(),
                };
            }
        }
        Self::Url(url.to_owned())
    }

    pub fn to_url(&self) -> String {
        match self {
            Self::Url(u) => u.clone(),
            Self::Base64 { media_type, data } => format!("data:{media_type};base64,{data}"),
        }
    }
}

/// A function the model may call.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ToolDefinition {
    pub name: String,
    pub description: Option<String>,
    /// JSON Schema of the arguments.
    pub parameters: serde_json::Value,
    /// A cache breakpoint after this definition (tools come first in the prompt, so this caches
    /// the tool list up to here): Anthropic `cache_control` on the tool, Bedrock a `cachePoint`
    /// after it in `toolConfig.tools`.
    pub cache: Option<CacheHint>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum ToolChoice {
    Auto,
    None,
    Required,
    Tool(String),
}

/// A complete tool call: `arguments` is JSON text exactly as the model produced it.
#[derive(Debug, Clone, PartialEq)]
pub struct ToolCall {
    pub id: String,
    pub name: String,
    pub arguments: String,
}

#[derive(Debug, Clone, PartialEq)]
pub enum ResponseFormat {
    Text,
    JsonObject,
    JsonSchema {
        name: String,
        schema: serde_json::Value,
        strict: Option<bool>,
    },
}

/// A non-streaming chat response.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ChatResponse {
    pub id: String,
    pub model: String,
    /// Unix seconds when the provider reports it.
    pub created: Option<u64>,
    pub choices: Vec<Choice>,
    pub usage: Usage,
}

impl ChatResponse {
    /// Text of the first choice (empty when there is none).
    pub fn text(&self) -> &str {
        self.choices.first().map_or("", |c| c.text.as_str())
    }
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct Choice {
    pub index: u32,
    pub text: String,
    pub reasoning: Option<String>,
    pub tool_calls: Vec<ToolCall>,
    pub finish_reason: Option<FinishReason>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FinishReason {
    /// Natural end of turn.
    Stop,
    /// A caller-given stop sequence matched (OpenAI reports this as `stop`).
    StopSequence,
    /// `max_tokens` reached.
    Length,
    ToolCalls,
    ContentFilter,
    /// Anything else, verbatim from the provider.
    Other(String),
}

/// Token usage normalised across providers.
///
/// `input_tokens` counts every prompt token, cached or not (OpenAI semantics); the cached share is
/// `cached_input_tokens`, and tokens written to a cache are `cache_write_input_tokens`.
/// `output_tokens` includes `reasoning_tokens`. A field is `None` when the provider reported
/// nothing for it: it is never guessed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Usage {
    pub input_tokens: Option<u64>,
    pub output_tokens: Option<u64>,
    pub cached_input_tokens: Option<u64>,
    pub reasoning_tokens: Option<u64>,
    /// Anthropic `cache_creation_input_tokens`, Bedrock `cacheWriteInputTokens`.
    pub cache_write_input_tokens: Option<u64>,
}

impl Usage {
    pub fn is_empty(&self) -> bool {
        *self == Self::default()
    }

    /// Overlays the fields `later` reports (streams report usage in several events).
    pub fn merge(&mut self, later: &Usage) {
        fn pick(a: &mut Option<u64>, b: Option<u64>) {
            if b.is_some() {
                *a = b;
            }
        }
        pick(&mut self.input_tokens, later.input_tokens);
        pick(&mut self.output_tokens, later.output_tokens);
        pick(&mut self.cached_input_tokens, later.cached_input_tokens);
        pick(&mut self.reasoning_tokens, later.reasoning_tokens);
        pick(
            &mut self.cache_write_input_tokens,
            later.cache_write_input_tokens,
        );
    }

    pub fn total_tokens(&self) -> Option<u64> {
        match (self.input_tokens, self.output_tokens) {
            (Some(i), Some(o)) => Some(i + o),
            _ => None,
        }
    }

    /// Prompt tokens that were neither read from nor written to a cache.
    pub(crate) fn uncached_input(&self) -> Option<u64> {
        self.input_tokens.map(|i| {
            i.saturating_sub(self.cached_input_tokens.unwrap_or(0))
                .saturating_sub(self.cache_write_input_tokens.unwrap_or(0))
        })
    }
}

/// One event of a streamed chat response (first choice only).
///
/// Order: `Start`, then deltas, then `Finish`, `Usage` (possibly several, merge them with
/// [`Usage::merge`]) and finally `Done`.
#[derive(Debug, Clone, PartialEq)]
pub enum StreamEvent {
    Start {
        id: Option<String>,
        model: Option<String>,
    },
    TextDelta(String),
    ReasoningDelta(String),
    /// A piece of tool call number `index`; `id` and `name` come with the first piece.
    ToolCallDelta {
        index: u32,
        id: Option<String>,
        name: Option<String>,
        arguments: String,
    },
    Finish(FinishReason),
    Usage(Usage),
    Done,
}

impl StreamEvent {
    /// Whether this event carries generated content (text, reasoning or a tool call piece):
    /// the first one marks time to first token.
    pub fn is_token(&self) -> bool {
        match self {
            Self::TextDelta(t) | Self::ReasoningDelta(t) => !t.is_empty(),
            Self::ToolCallDelta { .. } => true,
            _ => false,
        }
    }
}

/// Folds stream events into a complete response (used by tests, the gateway's non-streaming
/// fallback and the load generator).
#[derive(Debug, Default)]
pub struct StreamAccumulator {
    response: ChatResponse,
    choice: Choice,
    done: bool,
}

impl StreamAccumulator {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn push(&mut self, event: &StreamEvent) {
        match event {
            StreamEvent::Start { id, model } => {
                if let Some(id) = id {
                    self.response.id.clone_from(id);
                }
                if let Some(m) = model {
                    self.response.model.clone_from(m);
                }
            }
            StreamEvent::TextDelta(t) => self.choice.text.push_str(t),
            StreamEvent::ReasoningDelta(t) => self
                .choice
                .reasoning
                .get_or_insert_with(String::new)
                .push_str(t),
            StreamEvent::ToolCallDelta {
                index,
                id,
                name,
                arguments,
            } => {
                let i = *index as usize;
                while self.choice.tool_calls.len() <= i {
                    self.choice.tool_calls.push(ToolCall {
                        id: String::new(),
                        name: String::new(),
                        arguments: String::new(),
                    });
                }
                if let Some(call) = self.choice.tool_calls.get_mut(i) {
                    if let Some(id) = id {
                        call.id.clone_from(id);
                    }
                    if let Some(n) = name {
                        call.name.clone_from(n);
                    }
                    call.arguments.push_str(arguments);
                }
            }
            StreamEvent::Finish(r) => self.choice.finish_reason = Some(r.clone()),
            StreamEvent::Usage(u) => self.response.usage.merge(u),
            StreamEvent::Done => self.done = true,
        }
    }

    pub fn is_done(&self) -> bool {
        self.done
    }

    pub fn finish(self) -> ChatResponse {
        let mut resp = self.response;
        resp.choices = vec![self.choice];
        resp
    }
}

/// An embeddings request.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct EmbeddingRequest {
    pub model: String,
    pub input: Vec<String>,
    pub dimensions: Option<u32>,
    pub user: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct EmbeddingResponse {
    pub model: String,
    /// One vector per input, in input order.
    pub embeddings: Vec<Vec<f32>>,
    pub usage: Usage,
}

/// A model a provider lists.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ModelInfo {
    pub id: String,
    pub owned_by: Option<String>,
    pub created: Option<u64>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn usage_merge_overlays_only_reported_fields() {
        let mut u = Usage {
            input_tokens: Some(10),
            output_tokens: Some(1),
            ..Usage::default()
        };
        u.merge(&Usage {
            output_tokens: Some(7),
            ..Usage::default()
        });
        assert_eq!(u.input_tokens, Some(10));
        assert_eq!(u.output_tokens, Some(7));
        assert_eq!(u.cached_input_tokens, None);
        assert_eq!(u.total_tokens(), Some(17));
    }

    #[test]
    fn data_urls_split_into_media_type_and_data() {
        let img = ImageSource::from_url("data:image/png;base64,AAAA");
        assert_eq!(
            img,
            ImageSource::Base64 {
                media_type: "image/png".into(),
                data: "AAAA".into()
            }
        );
        assert_eq!(img.to_url(), "data:image/png;base64,AAAA");
        assert_eq!(
            ImageSource::from_url("https://x/y.png"),
            ImageSource::Url("https://x/y.png".into())
        );
    }

    #[test]
    fn accumulator_assembles_tool_calls_from_pieces() {
        let mut acc = StreamAccumulator::new();
        for ev in [
            StreamEvent::Start {
                id: Some("r1".into()),
                model: Some("m".into()),
            },
            StreamEvent::ToolCallDelta {
                index: 0,
                id: Some("c1".into()),
                name: Some("f".into()),
                arguments: "{\"a\"".into(),
            },
            StreamEvent::ToolCallDelta {
                index: 0,
                id: None,
                name: None,
                arguments: ":1}".into(),
            },
            StreamEvent::Finish(FinishReason::ToolCalls),
            StreamEvent::Done,
        ] {
            acc.push(&ev);
        }
        assert!(acc.is_done());
        let r = acc.finish();
        assert_eq!(r.id, "r1");
        let choice = &r.choices[0];
        assert_eq!(choice.tool_calls[0].arguments, "{\"a\":1}");
        assert_eq!(choice.finish_reason, Some(FinishReason::ToolCalls));
    }
}
