//! What one chat response will contain and when: protocol-neutral. Each protocol module turns a
//! request into a [`ChatSpec`], the provider turns that into a [`Plan`], and the protocol's
//! encoder writes the plan in its own wire format.

use std::sync::Arc;
use std::time::Duration;

use rand::Rng;
use rand_chacha::ChaCha8Rng;
use serde_json::{Map, Value};

use crate::cache::CacheUse;
use crate::config::{OutputLength, ProviderConfig, StreamErrorKind};
use crate::corpus::{Corpus, Pieces};
use crate::tokenize::count_tokens;

/// Whether reasoning is produced, and whether the client sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Reasoning {
    None,
    /// Counted and paced, but not sent (OpenAI o-series style).
    Hidden,
    /// Sent as reasoning/thinking content.
    Visible,
}

/// A tool the response will call.
#[derive(Debug, Clone)]
pub(crate) struct ToolCall {
    pub name: String,
    pub schema: Value,
}

/// The protocol-neutral content of a chat request.
#[derive(Debug, Clone)]
pub(crate) struct ChatSpec {
    pub model: String,
    pub hash: u64,
    pub input_tokens: u32,
    pub max_tokens: Option<u32>,
    pub reasoning: Reasoning,
    pub json_mode: bool,
    /// A JSON schema the content must satisfy (structured outputs).
    pub json_schema: Option<Value>,
    pub tool: Option<ToolCall>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum BlockKind {
    Reasoning,
    Text,
    Tool { id: String, name: String },
}

#[derive(Debug, Clone)]
pub(crate) struct Block {
    pub kind: BlockKind,
    pub visible: bool,
    /// Index among visible blocks (the wire's content-block index).
    pub index: usize,
    pub pieces: Pieces,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Finish {
    Stop,
    Length,
    ToolUse,
}

/// A fault that happens inside a stream.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum StreamFault {
    /// Stop sending after this many tokens, for a while or for good.
    Stall { after: u32, pause: Option<Duration> },
    /// Close the connection after this many tokens.
    Cut { after: u32 },
    /// Send the protocol's in-stream error after this many tokens, then end the body cleanly.
    Error {
        after: u32,
        kind: Option<StreamErrorKind>,
    },
}

impl StreamFault {
    /// The token count at which the fault fires.
    pub fn after(self) -> u32 {
        match self {
            Self::Stall { after, .. } | Self::Cut { after } | Self::Error { after, .. } => after,
        }
    }
}

#[derive(Debug, Clone, Copy)]
pub(crate) struct Timing {
    pub ttft: Duration,
    /// Time between tokens; `None` sends as fast as possible.
    pub per_token: Option<Duration>,
    pub tokens_per_chunk: usize,
}

/// Everything one response will carry.
#[derive(Debug, Clone)]
pub(crate) struct Plan {
    /// The request's sequence number at this provider (ids).
    pub serial: u64,
    pub model: String,
    pub input_tokens: u32,
    pub blocks: Vec<Block>,
    pub finish: Finish,
    pub timing: Timing,
    pub fault: Option<StreamFault>,
    pub created: u64,
    /// Prompt tokens read from and written to the provider's prompt cache (part of
    /// `input_tokens`).
    pub cache: CacheUse,
}

impl Plan {
    /// All generated tokens, reasoning included.
    pub fn output_tokens(&self) -> u32 {
        self.blocks.iter().map(|b| b.pieces.len() as u32).sum()
    }

    pub fn reasoning_tokens(&self) -> u32 {
        self.blocks
            .iter()
            .filter(|b| b.kind == BlockKind::Reasoning)
            .map(|b| b.pieces.len() as u32)
            .sum()
    }

    /// Visible text of the first block of `kind` (for non-streaming bodies).
    pub fn text_of(&self, want: fn(&BlockKind) -> bool) -> Option<String> {
        self.blocks
            .iter()
            .find(|b| b.visible && want(&b.kind))
            .map(|b| b.pieces.full().into_owned())
    }

    pub fn tool(&self) -> Option<(&str, &str, String)> {
        self.blocks.iter().find_map(|b| match &b.kind {
            BlockKind::Tool { id, name } => {
                Some((id.as_str(), name.as_str(), b.pieces.full().into_owned()))
            }
            _ => None,
        })
    }

    /// When the last token is due, counted from the request's arrival.
    pub fn total_duration(&self) -> Duration {
        let n = self.output_tokens();
        match self.timing.per_token {
            Some(step) if n > 1 => self.timing.ttft + step * (n - 1),
            _ => self.timing.ttft,
        }
    }
}

/// The time the provider spends reading `uncached` prompt tokens before its first token (the
/// cached part of a prompt is not read again: prompt caching's latency gain).
pub(crate) fn prefill_time(cfg: &ProviderConfig, uncached: u32) -> Duration {
    let rate = cfg.prefill_tokens_per_s;
    if !(rate.is_finite() && rate > 0.0) {
        return Duration::ZERO;
    }
    Duration::try_from_secs_f64(f64::from(uncached) / rate).unwrap_or(Duration::ZERO)
}

/// Build the plan for `spec` under `cfg`.
pub(crate) fn build(
    cfg: &ProviderConfig,
    corpus: &Arc<Corpus>,
    spec: &ChatSpec,
    serial: u64,
    rng: &mut ChaCha8Rng,
    fault: Option<StreamFault>,
) -> Plan {
    let ttft = Duration::from_secs_f64(cfg.ttft_ms.sample(rng) / 1000.0);
    let per_token =
        (cfg.tokens_per_s > 0.0).then(|| Duration::from_secs_f64(1.0 / cfg.tokens_per_s));
    // At most ~250 chunks a second per stream: faster paces put several tokens in a chunk.
    let tokens_per_chunk = if cfg.tokens_per_s > 250.0 {
        (cfg.tokens_per_s / 250.0).ceil() as usize
    } else {
        1
    };
    let (target, from_request) = match cfg.output {
        OutputLength::Dist(d) => (d.sample(rng).round().max(1.0) as u32, false),
        OutputLength::FromRequest { default } => (
            spec.max_tokens.unwrap_or(default).max(1),
            spec.max_tokens.is_some(),
        ),
    };
    // the model's limits bound an uncapped request as the cloud does: by its largest output
    // and, where output shares the context window, by what the prompt left of it
    let limits = cfg.limits.for_model(&spec.model);
    let room = limits
        .context_window
        .filter(|_| cfg.protocol.output_shares_context())
        .map(|w| w.saturating_sub(spec.input_tokens));
    let cap = [spec.max_tokens, limits.max_output_tokens, room]
        .into_iter()
        .flatten()
        .min()
        .unwrap_or(u32::MAX)
        .max(1);
    // Reasoning counts inside the cap, as OpenAI's `max_completion_tokens` ("an upper bound for
    // the number of tokens that can be generated for a completion, including visible output
    // tokens and reasoning tokens"), Anthropic's `max_tokens` with thinking and Gemini's
    // `maxOutputTokens` count it: what the reasoning leaves is the answer's room, and an answer
    // cut short (possibly to nothing) ends with the length finish.
    let thinks = spec.reasoning != Reasoning::None && cfg.reasoning_tokens > 0;
    let reasoning = if thinks {
        cfg.reasoning_tokens.min(cap)
    } else {
        0
    };
    let answer_room = (cap - reasoning) as usize;
    let n = (target as usize).min(answer_room);
    let short = target as usize > answer_room || from_request;

    let mut blocks = Vec::new();
    let mut visible = 0usize;
    let mut push = |kind: BlockKind, shown: bool, pieces: Pieces, blocks: &mut Vec<Block>| {
        blocks.push(Block {
            kind,
            visible: shown,
            index: visible,
            pieces,
        });
        if shown {
            visible += 1;
        }
    };
    if thinks {
        let first = corpus.start_for(spec.hash.rotate_left(17) ^ 0x5EED);
        push(
            BlockKind::Reasoning,
            spec.reasoning == Reasoning::Visible,
            Pieces::corpus(corpus, first, reasoning as usize),
            &mut blocks,
        );
    }
    // Made-up text (tool arguments, JSON) is cut at the room left like any other output: the
    // clouds cut a tool call or a JSON answer at the cap too, and say so with the length finish.
    let fit = |text: String| -> (Pieces, bool) {
        let pieces = Pieces::owned(text);
        let over = pieces.len() > answer_room;
        (pieces.truncated(answer_room), over)
    };
    let finish;
    if let Some(tool) = &spec.tool {
        let mut words = WordSource::new(corpus, spec.hash);
        let args = value_for_schema(&tool.schema, &mut words, 0);
        let (pieces, over) = fit(serde_json::to_string(&args).unwrap_or_else(|_| "{}".to_owned()));
        push(
            BlockKind::Tool {
                id: format!("{:016x}{:08x}", mix(spec.hash ^ serial), serial as u32),
                name: tool.name.clone(),
            },
            true,
            pieces,
            &mut blocks,
        );
        finish = if over {
            Finish::Length
        } else {
            Finish::ToolUse
        };
    } else if let Some(schema) = &spec.json_schema {
        let mut words = WordSource::new(corpus, spec.hash);
        let value = value_for_schema(schema, &mut words, 0);
        let (pieces, over) = fit(serde_json::to_string(&value).unwrap_or_else(|_| "{}".to_owned()));
        push(BlockKind::Text, true, pieces, &mut blocks);
        finish = if over { Finish::Length } else { Finish::Stop };
    } else if spec.json_mode {
        // `{"answer":"..."}` spends 7 tokens around the words, so n tokens in all when it fits
        let words = Pieces::corpus(
            corpus,
            corpus.start_for(spec.hash),
            n.saturating_sub(7).max(1),
        );
        let (pieces, over) = fit(serde_json::to_string(
            &serde_json::json!({ "answer": words.full() }),
        )
        .unwrap_or_else(|_| "{}".to_owned()));
        push(BlockKind::Text, true, pieces, &mut blocks);
        finish = if short || over {
            Finish::Length
        } else {
            Finish::Stop
        };
    } else {
        push(
            BlockKind::Text,
            true,
            Pieces::corpus(corpus, corpus.start_for(spec.hash), n),
            &mut blocks,
        );
        finish = if short { Finish::Length } else { Finish::Stop };
    }
    Plan {
        serial,
        model: spec.model.clone(),
        input_tokens: spec.input_tokens,
        blocks,
        finish,
        timing: Timing {
            ttft,
            per_token,
            tokens_per_chunk,
        },
        fault,
        created: unix_now(),
        cache: CacheUse::default(),
    }
}

pub(crate) fn unix_now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

/// splitmix64 finaliser: a well-spread 64-bit mix.
pub(crate) fn mix(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// FNV-1a (the `fnv` crate) fed through `io::Write`, so a JSON value can be hashed without a
/// buffer; the text and embeddings of a seed depend on these exact values.
pub(crate) struct Fnv(fnv::FnvHasher);

impl Fnv {
    pub fn new() -> Self {
        Self(fnv::FnvHasher::default())
    }

    pub fn value(&self) -> u64 {
        std::hash::Hasher::finish(&self.0)
    }
}

impl std::io::Write for Fnv {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        std::hash::Hasher::write(&mut self.0, buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Hash of the parts of a request that decide its text: the model and the conversation.
pub(crate) fn request_hash(seed: u64, model: &str, parts: &[Option<&Value>]) -> u64 {
    let mut h = Fnv::new();
    let _ = std::io::Write::write(&mut h, model.as_bytes());
    for part in parts.iter().flatten() {
        let _ = serde_json::to_writer(&mut h, part);
    }
    mix(h.value() ^ mix(seed))
}

/// Keys whose string values are ids, roles or binary data rather than text.
const NOT_TEXT: &[&str] = &[
    "role",
    "type",
    "id",
    "tool_call_id",
    "call_id",
    "tool_use_id",
    "toolUseId",
    "signature",
    "mimeType",
    "mime_type",
    "data",
    "image_url",
    "url",
    "cache_control",
    "cachePoint",
];

/// Tokens in every string value of `v`, skipping the keys in `NOT_TEXT`.
pub(crate) fn count_value_tokens(v: &Value) -> u32 {
    match v {
        Value::String(s) => count_tokens(s),
        Value::Array(xs) => xs.iter().map(count_value_tokens).sum(),
        Value::Object(m) => m
            .iter()
            .filter(|(k, _)| !NOT_TEXT.contains(&k.as_str()))
            .map(|(_, v)| count_value_tokens(v))
            .sum(),
        Value::Number(_) | Value::Bool(_) | Value::Null => 0,
    }
}

/// Tokens of an object's fields other than `except` (as [`count_value_tokens`] counts them); a
/// value that is not an object counts whole.
pub(crate) fn count_fields_tokens(v: &Value, except: &str) -> u32 {
    match v {
        Value::Object(m) => m
            .iter()
            .filter(|(k, _)| k.as_str() != except && !NOT_TEXT.contains(&k.as_str()))
            .map(|(_, v)| count_value_tokens(v))
            .sum(),
        _ => count_value_tokens(v),
    }
}

/// Words for generated tool arguments, drawn from the corpus.
struct WordSource {
    pieces: Pieces,
    next: usize,
}

impl WordSource {
    fn new(corpus: &Arc<Corpus>, hash: u64) -> Self {
        Self {
            pieces: Pieces::corpus(corpus, corpus.start_for(hash ^ 0xA5A5), 256),
            next: 0,
        }
    }

    fn word(&mut self) -> String {
        for _ in 0..self.pieces.len() {
            let w = self
                .pieces
                .slice(self.next, self.next + 1)
                .trim()
                .to_ascii_lowercase();
            self.next = (self.next + 1) % self.pieces.len().max(1);
            if w.chars().all(|c| c.is_ascii_alphanumeric()) && !w.is_empty() {
                return w;
            }
        }
        "value".to_owned()
    }
}

/// A value satisfying `schema` at least minimally: required properties (or all when none are
/// marked), the first enum value, one array item.
fn value_for_schema(schema: &Value, words: &mut WordSource, depth: usize) -> Value {
    if depth > 6 {
        return Value::Null;
    }
    if let Some(first) = schema
        .get("enum")
        .and_then(Value::as_array)
        .and_then(|a| a.first())
    {
        return first.clone();
    }
    if let Some(c) = schema.get("const") {
        return c.clone();
    }
    for key in ["anyOf", "oneOf", "allOf"] {
        if let Some(first) = schema
            .get(key)
            .and_then(Value::as_array)
            .and_then(|a| a.first())
        {
            return value_for_schema(first, words, depth + 1);
        }
    }
    let ty = match schema.get("type") {
        Some(Value::String(t)) => t.as_str(),
        Some(Value::Array(ts)) => ts
            .iter()
            .filter_map(Value::as_str)
            .find(|t| *t != "null")
            .unwrap_or("null"),
        _ if schema.get("properties").is_some() => "object",
        _ => "string",
    };
    match ty.to_ascii_lowercase().as_str() {
        "object" => {
            let mut out = Map::new();
            let props = schema.get("properties").and_then(Value::as_object);
            let required: Option<Vec<&str>> = schema
                .get("required")
                .and_then(Value::as_array)
                .map(|r| r.iter().filter_map(Value::as_str).collect());
            if let Some(props) = props {
                for (name, sub) in props.iter().take(16) {
                    let wanted = required.as_ref().is_none_or(|r| r.contains(&name.as_str()));
                    if wanted {
                        out.insert(name.clone(), value_for_schema(sub, words, depth + 1));
                    }
                }
            }
            Value::Object(out)
        }
        "array" => {
            let item = schema.get("items").cloned().unwrap_or(Value::Null);
            Value::Array(vec![value_for_schema(&item, words, depth + 1)])
        }
        "integer" => {
            let min = schema.get("minimum").and_then(Value::as_i64).unwrap_or(1);
            let max = schema
                .get("maximum")
                .and_then(Value::as_i64)
                .unwrap_or(min.saturating_add(99));
            Value::from(min + (words.word().len() as i64 % (max - min + 1).max(1)))
        }
        "number" => {
            let min = schema.get("minimum").and_then(Value::as_f64).unwrap_or(0.0);
            Value::from(min + 0.5)
        }
        "boolean" => Value::Bool(true),
        "null" => Value::Null,
        _ => Value::String(words.word()),
    }
}

/// Draw from the request's generator: a share in `0..1`.
pub(crate) fn draw(rng: &mut ChaCha8Rng) -> f64 {
    rng.random::<f64>()
}

#[cfg(test)]
mod tests {
    use rand::SeedableRng;
    use serde_json::json;

    use super::*;
    use crate::config::Protocol;
    use crate::dist::Dist;

    fn spec(max_tokens: Option<u32>) -> ChatSpec {
        ChatSpec {
            model: "m".into(),
            hash: 42,
            input_tokens: 3,
            max_tokens,
            reasoning: Reasoning::None,
            json_mode: false,
            json_schema: None,
            tool: None,
        }
    }

    #[test]
    fn prefill_time_is_uncached_tokens_over_the_pace() {
        let mut cfg = ProviderConfig::new("x", crate::config::Protocol::OpenAi);
        assert_eq!(prefill_time(&cfg, 10_000), Duration::ZERO);
        cfg.prefill_tokens_per_s = 2000.0;
        assert_eq!(prefill_time(&cfg, 1000), Duration::from_millis(500));
        assert_eq!(prefill_time(&cfg, 0), Duration::ZERO);
        cfg.prefill_tokens_per_s = f64::NAN;
        assert_eq!(prefill_time(&cfg, 1000), Duration::ZERO);
    }

    #[test]
    fn same_request_gives_same_text_and_max_tokens_caps() {
        let mut cfg = ProviderConfig::new("p", Protocol::OpenAi);
        cfg.output = OutputLength::Dist(Dist::Fixed(20.0));
        let corpus = Arc::new(Corpus::generate(cfg.seed));
        let mut rng = ChaCha8Rng::seed_from_u64(1);
        let a = build(&cfg, &corpus, &spec(None), 1, &mut rng, None);
        let b = build(&cfg, &corpus, &spec(None), 2, &mut rng, None);
        assert_eq!(a.output_tokens(), 20);
        assert_eq!(a.finish, Finish::Stop);
        assert_eq!(a.blocks[0].pieces.full(), b.blocks[0].pieces.full());
        let c = build(&cfg, &corpus, &spec(Some(5)), 3, &mut rng, None);
        assert_eq!(c.output_tokens(), 5);
        assert_eq!(c.finish, Finish::Length);
    }

    #[test]
    fn reasoning_and_made_up_text_stay_inside_the_cap() {
        let mut cfg = ProviderConfig::new("p", Protocol::OpenAi);
        cfg.output = OutputLength::Dist(Dist::Fixed(20.0));
        cfg.reasoning_tokens = 10;
        let corpus = Arc::new(Corpus::generate(cfg.seed));
        let mut rng = ChaCha8Rng::seed_from_u64(1);
        let mut s = spec(Some(14));
        s.reasoning = Reasoning::Hidden;
        let plan = build(&cfg, &corpus, &s, 1, &mut rng, None);
        assert_eq!((plan.output_tokens(), plan.reasoning_tokens()), (14, 10));
        assert_eq!(plan.finish, Finish::Length);
        s.max_tokens = Some(6);
        let plan = build(&cfg, &corpus, &s, 1, &mut rng, None);
        assert_eq!((plan.output_tokens(), plan.reasoning_tokens()), (6, 6));
        assert_eq!(plan.text_of(|k| *k == BlockKind::Text).as_deref(), Some(""));
        // a tool call cut at the cap ends with the length finish, its arguments a prefix
        let mut t = spec(Some(3));
        t.tool = Some(ToolCall {
            name: "f".into(),
            schema: json!({"type": "object", "properties": {"city": {"type": "string"}}}),
        });
        let plan = build(&cfg, &corpus, &t, 1, &mut rng, None);
        assert_eq!(plan.output_tokens(), 3);
        assert_eq!(plan.finish, Finish::Length);
        assert_eq!(
            plan.tool().map(|(_, _, args)| args).as_deref(),
            Some("{\"city")
        );
        t.max_tokens = None;
        let plan = build(&cfg, &corpus, &t, 1, &mut rng, None);
        assert_eq!(plan.finish, Finish::ToolUse);
    }

    #[test]
    fn json_mode_is_valid_json_and_counted() {
        let cfg = ProviderConfig::new("p", Protocol::OpenAi);
        let corpus = Arc::new(Corpus::generate(0));
        let mut s = spec(None);
        s.json_mode = true;
        let plan = build(
            &cfg,
            &corpus,
            &s,
            1,
            &mut ChaCha8Rng::seed_from_u64(0),
            None,
        );
        let text = plan.text_of(|k| *k == BlockKind::Text).unwrap();
        let v: Value = serde_json::from_str(&text).unwrap();
        assert!(v["answer"].is_string());
        assert_eq!(plan.output_tokens(), count_tokens(&text));
    }

    #[test]
    fn tool_arguments_satisfy_schema() {
        let schema = json!({
            "type": "object",
            "properties": {
                "city": {"type": "string"},
                "unit": {"type": "string", "enum": ["celsius", "fahrenheit"]},
                "days": {"type": "integer", "minimum": 1, "maximum": 7},
                "tags": {"type": "array", "items": {"type": "string"}},
                "optional": {"type": "boolean"}
            },
            "required": ["city", "unit", "days", "tags"]
        });
        let corpus = Arc::new(Corpus::generate(0));
        let v = value_for_schema(&schema, &mut WordSource::new(&corpus, 9), 0);
        assert!(v["city"].as_str().is_some_and(|s| !s.is_empty()));
        assert_eq!(v["unit"], "celsius");
        let days = v["days"].as_i64().unwrap();
        assert!((1..=7).contains(&days));
        assert!(v["tags"][0].is_string());
        assert!(v.get("optional").is_none());
    }

    #[test]
    fn input_token_count_skips_roles_and_ids() {
        let v = json!([{"role": "user", "content": "Hello, world!"}, {"role": "tool", "tool_call_id": "call_1", "content": [{"type": "text", "text": "ok"}]}]);
        assert_eq!(count_value_tokens(&v), 5);
        // a Responses function call and its output: the call id is not text
        let v = json!([{"type": "function_call", "call_id": "call_1", "name": "f", "arguments": "{}"}, {"type": "function_call_output", "call_id": "call_1", "output": "ok"}]);
        assert_eq!(count_value_tokens(&v), 4);
    }
}
