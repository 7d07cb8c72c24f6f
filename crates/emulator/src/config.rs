//! Emulator configuration: a TOML file read in two phases. Phase one deserialises raw structs
//! that reject unknown keys (through `serde_path_to_error`, so a type error names its key path);
//! phase two validates every provider and collects all problems before failing.
//!
//! ```toml
//! [[provider]]
//! name = "deepseek"            # unique, [a-z0-9_-]
//! protocol = "openai"          # openai | anthropic | bedrock | gemini
//! dialect = "deepseek"         # OpenAI-compatible family member (openai protocol only)
//! listen = "127.0.0.1:0"       # port 0 picks a free port
//! models = ["deepseek-chat"]
//! reasoning_models = ["deepseek-reasoner"]
//! embedding_models = []
//! api_keys = ["sk-test"]       # accepted keys (absent: any non-empty key)
//! seed = 7
//! # bedrock only: verify SigV4 signatures of the access key ids in api_keys with this secret
//! # aws_secret_access_key = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
//! prompt_cache = true          # emulate prompt caching (default true)
//! prompt_cache_min_tokens = 64 # smallest cached prefix (absent: the family's, DeepSeek 64)
//! prompt_cache_ttl_s = 300     # entry lifetime after last use (0 = never; absent: family's)
//! prompt_cache_entries = 65536 # prefixes kept, least recently used evicted first
//! [provider.limits]            # token limits refused as the cloud refuses them (absent: none)
//! context_window = 65536       # prompt (+ requested output, except Gemini) per request
//! max_output_tokens = 8192     # largest output cap a request may ask for
//! models = { "deepseek-reasoner" = { max_output_tokens = 65536 } }  # per-model overrides
//! [provider.latency]
//! ttft = { type = "lognormal", median_ms = 300, p99_ms = 1500 }
//! tokens_per_s = 60            # 0 = as fast as possible
//! prefill_tokens_per_s = 20000 # uncached prompt tokens add to ttft (0 = they add nothing)
//! [provider.output]
//! length = { type = "max_tokens", default_tokens = 128 }
//! [provider.faults]
//! rate_limit_share = 0.02
//! stream_error_share = 0.01    # the protocol's in-stream error event after N tokens
//! stream_error_after_tokens = 20
//! stream_error_kind = "overloaded"  # server_error | overloaded | rate_limited (absent: usual one)
//! ```

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::net::{Ipv4Addr, SocketAddr};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::dist::Dist;
use crate::error::{ConfigError, ConfigIssue};

/// The wire protocol a provider speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Protocol {
    OpenAi,
    Anthropic,
    Bedrock,
    Gemini,
}

impl Protocol {
    pub const ALL: [Protocol; 4] = [Self::OpenAi, Self::Anthropic, Self::Bedrock, Self::Gemini];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::OpenAi => "openai",
            Self::Anthropic => "anthropic",
            Self::Bedrock => "bedrock",
            Self::Gemini => "gemini",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|p| p.as_str() == text)
    }

    /// Whether the context window bounds prompt and requested output together (OpenAI's
    /// "you requested N tokens (P in the messages, C in the completion)", Anthropic's "input
    /// length and `max_tokens` exceed context limit"). Gemini's window is on input alone;
    /// Bedrock's combined check depends on the model family behind it, so the emulator checks
    /// the prompt alone there.
    pub fn output_shares_context(self) -> bool {
        matches!(self, Self::OpenAi | Self::Anthropic)
    }

    /// Models a provider knows when none are configured.
    pub fn default_models(self) -> (Vec<String>, Vec<String>, Vec<String>) {
        let v = |xs: &[&str]| xs.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>();
        match self {
            Self::OpenAi => (
                v(&["gpt-4o-mini", "gpt-4o"]),
                v(&["o3-mini"]),
                v(&["text-embedding-3-small", "text-embedding-3-large"]),
            ),
            Self::Anthropic => (
                v(&["claude-sonnet-4-6", "claude-haiku-4-5"]),
                Vec::new(),
                Vec::new(),
            ),
            Self::Bedrock => (
                v(&[
                    "anthropic.claude-3-5-haiku-20241022-v1:0",
                    "amazon.nova-lite-v1:0",
                ]),
                v(&["deepseek.r1-v1:0"]),
                v(&["amazon.titan-embed-text-v2:0", "cohere.embed-english-v3"]),
            ),
            Self::Gemini => (
                v(&["gemini-2.0-flash"]),
                v(&["gemini-2.5-flash", "gemini-2.5-pro"]),
                v(&["gemini-embedding-001"]),
            ),
        }
    }

    /// Whether the protocol has an embeddings API the emulator serves (OpenAI `/embeddings`,
    /// Gemini `:embedContent` / `:batchEmbedContents`, Bedrock InvokeModel with Titan Text
    /// Embeddings and Cohere Embed bodies).
    pub fn serves_embeddings(self) -> bool {
        matches!(self, Self::OpenAi | Self::Gemini | Self::Bedrock)
    }

    /// Length of an embedding when the request names none: 1536 for OpenAI's
    /// text-embedding-3-small, 3072 for gemini-embedding-001 (ai.google.dev embeddings guide:
    /// "3072 dimensions by default", truncatable with `outputDimensionality`), 1024 for Bedrock
    /// (Titan Text Embeddings V2: "1024 (default), 512, 256"; Cohere Embed v3: 1024; Bedrock
    /// user guide, as_of 2026-12-01).
    pub fn default_embedding_dimensions(self) -> u32 {
        match self {
            Self::Gemini => 3072,
            Self::Bedrock => 1024,
            _ => 1536,
        }
    }
}

impl fmt::Display for Protocol {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A member of the OpenAI-compatible family, with its quirks. `Standard` is the protocol's own
/// behaviour (and the only value for non-OpenAI protocols).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Dialect {
    Standard,
    Azure,
    DashScope,
    Ark,
    Qianfan,
    Hunyuan,
    ModelArts,
    Kingsoft,
    Zhipu,
    Moonshot,
    DeepSeek,
    GeminiOpenAi,
    BedrockOpenAi,
}

impl Dialect {
    pub const ALL: [Dialect; 13] = [
        Self::Standard,
        Self::Azure,
        Self::DashScope,
        Self::Ark,
        Self::Qianfan,
        Self::Hunyuan,
        Self::ModelArts,
        Self::Kingsoft,
        Self::Zhipu,
        Self::Moonshot,
        Self::DeepSeek,
        Self::GeminiOpenAi,
        Self::BedrockOpenAi,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Standard => "openai",
            Self::Azure => "azure",
            Self::DashScope => "dashscope",
            Self::Ark => "ark",
            Self::Qianfan => "qianfan",
            Self::Hunyuan => "hunyuan",
            Self::ModelArts => "modelarts",
            Self::Kingsoft => "kingsoft",
            Self::Zhipu => "zhipu",
            Self::Moonshot => "moonshot",
            Self::DeepSeek => "deepseek",
            Self::GeminiOpenAi => "gemini-openai",
            Self::BedrockOpenAi => "bedrock-openai",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|d| d.as_str() == text)
    }

    /// Path of the OpenAI-compatible base URL this member documents (routes are also served
    /// under `/v1`).
    pub fn base_path(self) -> &'static str {
        match self {
            Self::Azure | Self::BedrockOpenAi => "/openai/v1",
            Self::DashScope => "/compatible-mode/v1",
            Self::Ark => "/api/v3",
            Self::Qianfan => "/v2",
            Self::Zhipu => "/api/paas/v4",
            Self::GeminiOpenAi => "/v1beta/openai",
            Self::Standard
            | Self::Hunyuan
            | Self::ModelArts
            | Self::Kingsoft
            | Self::Moonshot
            | Self::DeepSeek => "/v1",
        }
    }
}

/// How many tokens a response carries.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum OutputLength {
    /// Drawn from a distribution, then capped by the request's max tokens.
    Dist(Dist),
    /// Exactly the request's max tokens (finish reason "length"), or `default` when absent.
    FromRequest { default: u32 },
}

/// A validated provider.
#[derive(Debug, Clone, PartialEq)]
pub struct ProviderConfig {
    pub name: String,
    pub protocol: Protocol,
    pub dialect: Dialect,
    pub listen: SocketAddr,
    pub models: Vec<String>,
    /// Models that produce reasoning tokens (also known chat models).
    pub reasoning_models: Vec<String>,
    /// Embedding models (OpenAI, Gemini and Bedrock protocols; on Bedrock an id containing
    /// `cohere.embed-` speaks Cohere's body, any other Titan's).
    pub embedding_models: Vec<String>,
    pub embedding_dimensions: u32,
    /// Accepted keys; empty accepts any non-empty key. For Bedrock these are API keys (Bearer)
    /// or SigV4 access key ids.
    pub api_keys: Vec<String>,
    /// Bedrock only: when set, SigV4 signatures are verified with this secret (for the access
    /// key ids in `api_keys`) and a wrong one is answered 403 `InvalidSignatureException`;
    /// when absent, a well-formed `Authorization: AWS4-HMAC-SHA256` header is enough.
    pub aws_secret_access_key: Option<String>,
    pub seed: u64,
    /// Time to first token, in milliseconds.
    pub ttft_ms: Dist,
    /// Output pace; 0 sends every token as fast as possible.
    pub tokens_per_s: f64,
    /// Prompt processing pace: each prompt token not served from the prompt cache adds
    /// 1/`prefill_tokens_per_s` seconds to the time to first token, so long prompts answer later
    /// and cached prefixes sooner. 0 (the default): the prompt adds nothing.
    pub prefill_tokens_per_s: f64,
    pub output: OutputLength,
    /// Reasoning tokens a reasoning model produces before its answer.
    pub reasoning_tokens: u32,
    pub faults: Faults,
    /// The prompt cache this provider emulates (see [`PromptCacheConfig`]).
    pub prompt_cache: PromptCacheConfig,
    /// Token limits of the chat models (see [`Limits`]).
    pub limits: Limits,
}

/// Token limits of one chat model; `None` is no limit.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ModelLimits {
    /// Tokens a request may fill: the prompt, plus the requested output cap on every protocol
    /// but Gemini (whose limit is on input alone).
    pub context_window: Option<u32>,
    /// The largest output cap (`max_tokens` and its kin) a request may ask for; also caps the
    /// output of a request that asks for none.
    pub max_output_tokens: Option<u32>,
}

/// Token limits of a provider's chat models: defaults for every model and overrides by model
/// id. A request over a limit is refused with the cloud's own error (see the emulator's
/// `proto::limits`), so a client's context-length handling can be tested offline.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Limits {
    pub context_window: Option<u32>,
    pub max_output_tokens: Option<u32>,
    /// Per-model overrides; a field absent there keeps the provider-wide value.
    pub models: BTreeMap<String, ModelLimits>,
}

impl Limits {
    /// The limits that apply to `model`.
    pub fn for_model(&self, model: &str) -> ModelLimits {
        let own = self.models.get(model).copied().unwrap_or_default();
        ModelLimits {
            context_window: own.context_window.or(self.context_window),
            max_output_tokens: own.max_output_tokens.or(self.max_output_tokens),
        }
    }

    /// Every problem, each as (key under the provider table, expectation); `chat_models` are
    /// the ids the overrides may name.
    pub fn problems(&self, chat_models: &[&str]) -> Vec<(String, String)> {
        let mut out = Vec::new();
        let mut positive = |key: String, v: Option<u32>| {
            if v == Some(0) {
                out.push((key, "expected a number of tokens >= 1, got 0".to_owned()));
            }
        };
        positive("limits.context_window".to_owned(), self.context_window);
        positive(
            "limits.max_output_tokens".to_owned(),
            self.max_output_tokens,
        );
        for (model, l) in &self.models {
            positive(
                format!("limits.models.{model:?}.context_window"),
                l.context_window,
            );
            positive(
                format!("limits.models.{model:?}.max_output_tokens"),
                l.max_output_tokens,
            );
        }
        for model in self.models.keys() {
            if !chat_models.contains(&model.as_str()) {
                out.push((
                    format!("limits.models.{model:?}"),
                    format!(
                        "expected one of the provider's chat models ({}), got {model:?}",
                        chat_models.join(", ")
                    ),
                ));
            }
        }
        out
    }
}

/// The emulated prompt cache of one provider. Which prefixes are cached, the smallest cacheable
/// prefix, the rounding of cached counts and how long entries live follow the provider's
/// family (OpenAI, DeepSeek, Anthropic, Bedrock, Gemini; documented in the emulator's `cache`
/// module with sources); the fields here switch it off or override the family's numbers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PromptCacheConfig {
    /// Cache prompt prefixes and report cached tokens in usage (default true).
    pub enabled: bool,
    /// Smallest prefix that is cached, in tokens; `None` keeps the family's minimum (1024 for
    /// OpenAI, Anthropic and Bedrock, 2048 for Gemini, 64 for DeepSeek).
    pub min_tokens: Option<u32>,
    /// Seconds an entry lives after its last use; `Some(0)` never expires; `None` keeps the
    /// family's (5 minutes for OpenAI, Anthropic and Bedrock; no expiry for DeepSeek and Gemini).
    pub ttl_s: Option<u64>,
    /// Prefix entries kept; the least recently used go first.
    pub entries: usize,
}

impl Default for PromptCacheConfig {
    fn default() -> Self {
        Self {
            enabled: true,
            min_tokens: None,
            ttl_s: None,
            entries: 65_536,
        }
    }
}

/// Bounds of the prompt-cache keys, checked for files and in-code configs alike.
const MAX_CACHE_MIN_TOKENS: u32 = 10_000_000;
const MAX_CACHE_ENTRIES: usize = 10_000_000;
const MAX_CACHE_TTL_S: u64 = 31_536_000;

impl PromptCacheConfig {
    /// Every problem, each as (key under the provider table, expectation).
    pub fn problems(&self) -> Vec<(String, String)> {
        let mut out = Vec::new();
        if let Some(n) = self.min_tokens {
            if !(1..=MAX_CACHE_MIN_TOKENS).contains(&n) {
                out.push((
                    "prompt_cache_min_tokens".to_owned(),
                    format!("expected 1..={MAX_CACHE_MIN_TOKENS} tokens, got {n}"),
                ));
            }
        }
        if let Some(t) = self.ttl_s {
            if t > MAX_CACHE_TTL_S {
                out.push((
                    "prompt_cache_ttl_s".to_owned(),
                    format!("expected 0..={MAX_CACHE_TTL_S} seconds (0 = never expires), got {t}"),
                ));
            }
        }
        if !(2..=MAX_CACHE_ENTRIES).contains(&self.entries) {
            out.push((
                "prompt_cache_entries".to_owned(),
                format!(
                    "expected 2..={MAX_CACHE_ENTRIES} entries, got {}",
                    self.entries
                ),
            ));
        }
        out
    }
}

impl ProviderConfig {
    /// A provider with the protocol's default models, no added latency and no faults.
    pub fn new(name: impl Into<String>, protocol: Protocol) -> Self {
        let (models, reasoning_models, embedding_models) = protocol.default_models();
        Self {
            name: name.into(),
            protocol,
            dialect: Dialect::Standard,
            listen: SocketAddr::from((Ipv4Addr::LOCALHOST, 0)),
            models,
            reasoning_models,
            embedding_models,
            embedding_dimensions: protocol.default_embedding_dimensions(),
            api_keys: Vec::new(),
            aws_secret_access_key: None,
            seed: 0,
            ttft_ms: Dist::Fixed(0.0),
            tokens_per_s: 0.0,
            prefill_tokens_per_s: 0.0,
            output: OutputLength::Dist(Dist::Fixed(32.0)),
            reasoning_tokens: 32,
            faults: Faults::default(),
            prompt_cache: PromptCacheConfig::default(),
            limits: Limits::default(),
        }
    }

    /// Path of the base URL printed for this provider.
    pub fn base_path(&self) -> &'static str {
        match self.protocol {
            Protocol::OpenAi => self.dialect.base_path(),
            Protocol::Anthropic => "",
            Protocol::Bedrock => "",
            Protocol::Gemini => "/v1beta",
        }
    }
}

/// Faults injected into requests. Shares are probabilities per request; the first four are
/// exclusive (one draw decides); `stall_share`, `cut_share` and `stream_error_share` apply to
/// streams only and are exclusive among themselves (a second draw decides).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Faults {
    /// 429 with a Retry-After header.
    pub rate_limit_share: f64,
    pub retry_after_s: u64,
    /// 500 internal error.
    pub server_error_share: f64,
    /// 503 unavailable (529 `overloaded_error` for Anthropic).
    pub unavailable_share: f64,
    /// The TCP connection is dropped (RST) without a response.
    pub reset_share: f64,
    /// Response headers are held back for `slow_headers_ms`.
    pub slow_headers_share: f64,
    pub slow_headers_ms: u64,
    /// The stream stops after `stall_after_tokens` for `stall_ms` (absent: until the client gives up).
    pub stall_share: f64,
    pub stall_after_tokens: u32,
    pub stall_ms: Option<u64>,
    /// The connection is closed mid-stream after `cut_after_tokens`.
    pub cut_share: f64,
    pub cut_after_tokens: u32,
    /// After `stream_error_after_tokens`, the stream carries the protocol's own in-stream error
    /// event and then ends cleanly (status 200, complete body): OpenAI `data: {"error":{...}}`,
    /// Anthropic `event: error`, a Bedrock event-stream `exception` frame, a Gemini
    /// `{"error":{...}}` chunk.
    pub stream_error_share: f64,
    pub stream_error_after_tokens: u32,
    /// Which error the stream reports; absent: the protocol's usual one (see [`StreamErrorKind`]).
    pub stream_error_kind: Option<StreamErrorKind>,
    /// A full outage window, in seconds since start-up.
    pub outage: Option<Outage>,
    /// Full outage now (toggled through the admin API).
    pub down: bool,
}

impl Default for Faults {
    fn default() -> Self {
        Self {
            rate_limit_share: 0.0,
            retry_after_s: 1,
            server_error_share: 0.0,
            unavailable_share: 0.0,
            reset_share: 0.0,
            slow_headers_share: 0.0,
            slow_headers_ms: 0,
            stall_share: 0.0,
            stall_after_tokens: 1,
            stall_ms: None,
            cut_share: 0.0,
            cut_after_tokens: 1,
            stream_error_share: 0.0,
            stream_error_after_tokens: 1,
            stream_error_kind: None,
            outage: None,
            down: false,
        }
    }
}

/// The error an in-stream error fault reports, in each protocol's own words.
///
/// | kind | OpenAI-compatible | Anthropic | Bedrock ConverseStream | Gemini |
/// |---|---|---|---|---|
/// | `server_error` | `type: server_error` | `api_error` | `internalServerException` | 500 `INTERNAL` |
/// | `overloaded` | `code: server_is_overloaded` | `overloaded_error` | `serviceUnavailableException` | 503 `UNAVAILABLE` |
/// | `rate_limited` | `code: rate_limit_exceeded` | `rate_limit_error` | `throttlingException` | 429 `RESOURCE_EXHAUSTED` |
///
/// Without a kind each protocol sends its usual one: OpenAI `server_error`, Anthropic
/// `overloaded_error`, Bedrock `modelStreamErrorException` ("A streaming error occurred",
/// HTTP 424), Gemini 503 `UNAVAILABLE`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StreamErrorKind {
    ServerError,
    Overloaded,
    RateLimited,
}

/// Outage window; `end_s` absent means it never ends.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Outage {
    pub start_s: f64,
    pub end_s: Option<f64>,
    /// What clients see: an unavailable error (default) or a dropped connection.
    #[serde(default)]
    pub mode: OutageMode,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum OutageMode {
    #[default]
    Error,
    Reset,
}

impl Faults {
    /// Every problem, each as (key path under the faults table, expectation).
    pub fn problems(&self) -> Vec<(String, String)> {
        let mut out = Vec::new();
        let shares = [
            ("rate_limit_share", self.rate_limit_share),
            ("server_error_share", self.server_error_share),
            ("unavailable_share", self.unavailable_share),
            ("reset_share", self.reset_share),
            ("slow_headers_share", self.slow_headers_share),
            ("stall_share", self.stall_share),
            ("cut_share", self.cut_share),
            ("stream_error_share", self.stream_error_share),
        ];
        for (key, v) in shares {
            if !(0.0..=1.0).contains(&v) {
                out.push((
                    key.to_owned(),
                    format!("expected a share in 0..=1, got {v}"),
                ));
            }
        }
        let exclusive = self.rate_limit_share
            + self.server_error_share
            + self.unavailable_share
            + self.reset_share;
        if exclusive > 1.0 + 1e-9 {
            out.push((
                "rate_limit_share".to_owned(),
                format!(
                    "rate_limit_share + server_error_share + unavailable_share + reset_share must be at most 1, got {exclusive}"
                ),
            ));
        }
        let in_stream = self.stall_share + self.cut_share + self.stream_error_share;
        if in_stream > 1.0 + 1e-9 {
            out.push((
                "stall_share".to_owned(),
                format!(
                    "stall_share + cut_share + stream_error_share must be at most 1, got {in_stream}"
                ),
            ));
        }
        if let Some(outage) = &self.outage {
            if !(outage.start_s.is_finite() && outage.start_s >= 0.0) {
                out.push((
                    "outage.start_s".to_owned(),
                    format!("expected seconds >= 0, got {}", outage.start_s),
                ));
            }
            if let Some(end) = outage.end_s {
                if !(end.is_finite() && end > outage.start_s) {
                    out.push((
                        "outage.end_s".to_owned(),
                        format!(
                            "expected seconds after start_s ({}), got {end}",
                            outage.start_s
                        ),
                    ));
                }
            }
        }
        out
    }
}

/// Every provider of one configuration.
#[derive(Debug, Clone, PartialEq)]
pub struct EmulatorConfig {
    pub providers: Vec<ProviderConfig>,
}

impl EmulatorConfig {
    pub fn single(provider: ProviderConfig) -> Self {
        Self {
            providers: vec![provider],
        }
    }

    /// Read and validate a TOML file.
    pub fn load(path: &Path) -> Result<Self, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
            file: path.to_path_buf(),
            source,
        })?;
        Self::from_toml(&text, path)
    }

    /// Parse and validate TOML text; `file` names it in errors.
    pub fn from_toml(text: &str, file: &Path) -> Result<Self, ConfigError> {
        let deserializer = toml::Deserializer::new(text);
        let raw: RawFile = serde_path_to_error::deserialize(deserializer).map_err(|e| {
            let key = e.path().to_string();
            let inner = e.into_inner();
            let line = inner.span().map(|span| {
                text.as_bytes()[..span.start.min(text.len())]
                    .iter()
                    .filter(|b| **b == b'\n')
                    .count()
                    + 1
            });
            ConfigError::Parse {
                file: file.to_path_buf(),
                line,
                key,
                message: inner.message().to_owned(),
            }
        })?;
        validate(raw, file)
    }

    /// Check a configuration built in code (names, listen addresses, faults).
    pub fn validate(&self) -> Result<(), ConfigError> {
        let mut issues = Vec::new();
        let mut names = BTreeSet::new();
        let mut addrs = BTreeSet::new();
        for (i, p) in self.providers.iter().enumerate() {
            let at = format!("provider[{i}]");
            if !names.insert(p.name.clone()) {
                issues.push(issue(
                    &at,
                    "name",
                    format!("duplicate provider name {:?}", p.name),
                ));
            }
            if p.listen.port() != 0 && !addrs.insert(p.listen) {
                issues.push(issue(
                    &at,
                    "listen",
                    format!("address {} used twice", p.listen),
                ));
            }
            for (key, msg) in p.faults.problems() {
                issues.push(issue(&at, &format!("faults.{key}"), msg));
            }
            for (key, msg) in p.prompt_cache.problems() {
                issues.push(issue(&at, &key, msg));
            }
            let chat_models: Vec<&str> = p
                .models
                .iter()
                .chain(&p.reasoning_models)
                .map(String::as_str)
                .collect();
            for (key, msg) in p.limits.problems(&chat_models) {
                issues.push(issue(&at, &key, msg));
            }
            if let Some(secret) = &p.aws_secret_access_key {
                if p.protocol != Protocol::Bedrock {
                    issues.push(issue(
                        &at,
                        "aws_secret_access_key",
                        format!(
                            "SigV4 secrets belong to the bedrock protocol; remove it for {}",
                            p.protocol
                        ),
                    ));
                } else if secret.is_empty() {
                    issues.push(issue(
                        &at,
                        "aws_secret_access_key",
                        "expected a non-empty secret access key".to_owned(),
                    ));
                } else if p.api_keys.is_empty() {
                    issues.push(issue(
                        &at,
                        "api_keys",
                        "expected the access key id(s) that sign with aws_secret_access_key"
                            .to_owned(),
                    ));
                }
            }
        }
        if issues.is_empty() {
            Ok(())
        } else {
            Err(ConfigError::Invalid {
                file: PathBuf::from("<in-memory config>"),
                issues,
            })
        }
    }
}

fn issue(at: &str, key: &str, message: String) -> ConfigIssue {
    ConfigIssue {
        key: format!("{at}.{key}"),
        message,
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    #[serde(default)]
    provider: Vec<RawProvider>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawProvider {
    name: String,
    protocol: String,
    dialect: Option<String>,
    listen: Option<String>,
    models: Option<Vec<String>>,
    reasoning_models: Option<Vec<String>>,
    embedding_models: Option<Vec<String>>,
    embedding_dimensions: Option<i64>,
    #[serde(default)]
    api_keys: Vec<String>,
    aws_secret_access_key: Option<String>,
    #[serde(default)]
    seed: u64,
    #[serde(default)]
    latency: RawLatency,
    #[serde(default)]
    output: RawOutput,
    #[serde(default)]
    faults: Faults,
    prompt_cache: Option<bool>,
    prompt_cache_min_tokens: Option<i64>,
    prompt_cache_ttl_s: Option<i64>,
    prompt_cache_entries: Option<i64>,
    #[serde(default)]
    limits: Limits,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawLatency {
    ttft: Option<RawMsDist>,
    tokens_per_s: Option<f64>,
    prefill_tokens_per_s: Option<f64>,
}

#[derive(Deserialize)]
#[serde(tag = "type", rename_all = "lowercase", deny_unknown_fields)]
enum RawMsDist {
    Fixed { ms: f64 },
    Uniform { min_ms: f64, max_ms: f64 },
    Normal { mean_ms: f64, stddev_ms: f64 },
    Lognormal { median_ms: f64, p99_ms: f64 },
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawOutput {
    length: Option<RawLength>,
    reasoning_tokens: Option<i64>,
}

#[derive(Deserialize)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
enum RawLength {
    Fixed {
        tokens: f64,
    },
    MaxTokens {
        default_tokens: f64,
    },
    Uniform {
        min_tokens: f64,
        max_tokens: f64,
    },
    Normal {
        mean_tokens: f64,
        stddev_tokens: f64,
    },
    Lognormal {
        median_tokens: f64,
        p99_tokens: f64,
    },
}

/// Check one distribution's parameters; `unit` is the key suffix (`ms` or `tokens`).
fn check_dist(d: Dist, at: &str, unit: &str, issues: &mut Vec<ConfigIssue>) {
    let bad = |key: &str, msg: String, issues: &mut Vec<ConfigIssue>| {
        issues.push(ConfigIssue {
            key: format!("{at}.{key}_{unit}"),
            message: msg,
        });
    };
    let nonneg = |v: f64| v.is_finite() && v >= 0.0;
    match d {
        Dist::Fixed(v) if !nonneg(v) => {
            issues.push(ConfigIssue {
                key: format!("{at}.{unit}"),
                message: format!("expected a number >= 0, got {v}"),
            });
        }
        Dist::Uniform { min, max } => {
            if !nonneg(min) {
                bad("min", format!("expected a number >= 0, got {min}"), issues);
            }
            if !(max.is_finite() && max >= min) {
                bad(
                    "max",
                    format!("expected a number >= min_{unit} ({min}), got {max}"),
                    issues,
                );
            }
        }
        Dist::Normal { mean, stddev } => {
            if !nonneg(mean) {
                bad(
                    "mean",
                    format!("expected a number >= 0, got {mean}"),
                    issues,
                );
            }
            if !nonneg(stddev) {
                bad(
                    "stddev",
                    format!("expected a number >= 0, got {stddev}"),
                    issues,
                );
            }
        }
        Dist::LogNormal { median, p99 } => {
            if !(median.is_finite() && median > 0.0) {
                bad(
                    "median",
                    format!("expected a number > 0, got {median}"),
                    issues,
                );
            }
            if !(p99.is_finite() && p99 >= median) {
                bad(
                    "p99",
                    format!("expected a number >= median_{unit} ({median}), got {p99}"),
                    issues,
                );
            }
        }
        Dist::Fixed(_) => {}
    }
}

fn validate(raw: RawFile, file: &Path) -> Result<EmulatorConfig, ConfigError> {
    let mut issues = Vec::new();
    if raw.provider.is_empty() {
        issues.push(ConfigIssue {
            key: "provider".to_owned(),
            message: "expected at least one [[provider]] table".to_owned(),
        });
    }
    let mut providers = Vec::new();
    for (i, rp) in raw.provider.into_iter().enumerate() {
        let at = format!("provider[{i}]");
        let mut push = |key: &str, message: String| {
            issues.push(ConfigIssue {
                key: format!("{at}.{key}"),
                message,
            });
        };
        if rp.name.is_empty()
            || !rp
                .name
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_')
        {
            push(
                "name",
                format!(
                    "expected a non-empty name of a-z, 0-9, '-' or '_', got {:?}",
                    rp.name
                ),
            );
        }
        let protocol = Protocol::parse(&rp.protocol);
        if protocol.is_none() {
            push(
                "protocol",
                format!(
                    "expected one of openai, anthropic, bedrock, gemini, got {:?}",
                    rp.protocol
                ),
            );
        }
        let protocol = protocol.unwrap_or(Protocol::OpenAi);
        let dialect = match (&rp.dialect, protocol) {
            (None, _) => Dialect::Standard,
            (Some(d), Protocol::OpenAi) => match Dialect::parse(d) {
                Some(d) => d,
                None => {
                    let names: Vec<&str> = Dialect::ALL.iter().map(|d| d.as_str()).collect();
                    push(
                        "dialect",
                        format!("expected one of {}, got {d:?}", names.join(", ")),
                    );
                    Dialect::Standard
                }
            },
            (Some(d), p) => {
                push(
                    "dialect",
                    format!(
                        "dialects belong to the openai protocol; remove it for {p} (got {d:?})"
                    ),
                );
                Dialect::Standard
            }
        };
        let listen_text = rp.listen.as_deref().unwrap_or("127.0.0.1:0");
        let listen = match listen_text.parse::<SocketAddr>() {
            Ok(a) => a,
            Err(_) => {
                push(
                    "listen",
                    format!("expected an address like 127.0.0.1:8080 (port 0 picks one), got {listen_text:?}"),
                );
                SocketAddr::from((Ipv4Addr::LOCALHOST, 0))
            }
        };
        let (dm, dr, de) = protocol.default_models();
        let given_models = rp.models.is_some() || rp.reasoning_models.is_some();
        let models = rp
            .models
            .unwrap_or(if given_models { Vec::new() } else { dm });
        let reasoning_models =
            rp.reasoning_models
                .unwrap_or(if given_models { Vec::new() } else { dr });
        let embedding_models =
            rp.embedding_models
                .unwrap_or(if given_models { Vec::new() } else { de });
        if models.is_empty() && reasoning_models.is_empty() && embedding_models.is_empty() {
            push("models", "expected at least one model".to_owned());
        }
        if !embedding_models.is_empty() && !protocol.serves_embeddings() {
            push(
                "embedding_models",
                format!(
                    "embeddings are served by the openai, gemini and bedrock protocols only, not {protocol}"
                ),
            );
        }
        let mut seen = BTreeSet::new();
        for (key, list) in [
            ("models", &models),
            ("reasoning_models", &reasoning_models),
            ("embedding_models", &embedding_models),
        ] {
            for (j, m) in list.iter().enumerate() {
                if m.trim().is_empty() {
                    push(
                        &format!("{key}[{j}]"),
                        "expected a non-empty model id".to_owned(),
                    );
                } else if !seen.insert(m.clone()) {
                    push(&format!("{key}[{j}]"), format!("model {m:?} listed twice"));
                }
            }
        }
        let embedding_dimensions = match rp.embedding_dimensions {
            None => protocol.default_embedding_dimensions(),
            Some(d) if (1..=65_536).contains(&d) => d as u32,
            Some(d) => {
                push(
                    "embedding_dimensions",
                    format!("expected 1..=65536, got {d}"),
                );
                protocol.default_embedding_dimensions()
            }
        };
        for (j, k) in rp.api_keys.iter().enumerate() {
            if k.is_empty() {
                push(
                    &format!("api_keys[{j}]"),
                    "expected a non-empty key".to_owned(),
                );
            }
        }
        let ttft_ms = match rp.latency.ttft {
            None => Dist::Fixed(0.0),
            Some(RawMsDist::Fixed { ms }) => Dist::Fixed(ms),
            Some(RawMsDist::Uniform { min_ms, max_ms }) => Dist::Uniform {
                min: min_ms,
                max: max_ms,
            },
            Some(RawMsDist::Normal { mean_ms, stddev_ms }) => Dist::Normal {
                mean: mean_ms,
                stddev: stddev_ms,
            },
            Some(RawMsDist::Lognormal { median_ms, p99_ms }) => Dist::LogNormal {
                median: median_ms,
                p99: p99_ms,
            },
        };
        let tokens_per_s = rp.latency.tokens_per_s.unwrap_or(0.0);
        if !(tokens_per_s.is_finite() && tokens_per_s >= 0.0) {
            push(
                "latency.tokens_per_s",
                format!("expected a number >= 0 (0 = unlimited), got {tokens_per_s}"),
            );
        }
        let prefill_tokens_per_s = rp.latency.prefill_tokens_per_s.unwrap_or(0.0);
        if !(prefill_tokens_per_s.is_finite() && prefill_tokens_per_s >= 0.0) {
            push(
                "latency.prefill_tokens_per_s",
                format!(
                    "expected a number >= 0 (0 = the prompt adds no time), got {prefill_tokens_per_s}"
                ),
            );
        }
        let output = match rp.output.length {
            None => OutputLength::Dist(Dist::Fixed(32.0)),
            Some(RawLength::Fixed { tokens }) => OutputLength::Dist(Dist::Fixed(tokens)),
            Some(RawLength::MaxTokens { default_tokens }) => {
                if !(default_tokens.is_finite() && default_tokens >= 0.0) {
                    push(
                        "output.length.default_tokens",
                        format!("expected a number >= 0, got {default_tokens}"),
                    );
                }
                OutputLength::FromRequest {
                    default: default_tokens.max(0.0) as u32,
                }
            }
            Some(RawLength::Uniform {
                min_tokens,
                max_tokens,
            }) => OutputLength::Dist(Dist::Uniform {
                min: min_tokens,
                max: max_tokens,
            }),
            Some(RawLength::Normal {
                mean_tokens,
                stddev_tokens,
            }) => OutputLength::Dist(Dist::Normal {
                mean: mean_tokens,
                stddev: stddev_tokens,
            }),
            Some(RawLength::Lognormal {
                median_tokens,
                p99_tokens,
            }) => OutputLength::Dist(Dist::LogNormal {
                median: median_tokens,
                p99: p99_tokens,
            }),
        };
        let reasoning_tokens = match rp.output.reasoning_tokens {
            None => 32,
            Some(n) if (0..=1_000_000).contains(&n) => n as u32,
            Some(n) => {
                push(
                    "output.reasoning_tokens",
                    format!("expected 0..=1000000, got {n}"),
                );
                32
            }
        };
        for (key, msg) in rp.faults.problems() {
            push(&format!("faults.{key}"), msg);
        }
        let defaults = PromptCacheConfig::default();
        let mut in_range = |key: &str, v: Option<i64>, lo: u64, hi: u64, what: &str| {
            let v = v?;
            match u64::try_from(v) {
                Ok(n) if (lo..=hi).contains(&n) => Some(n),
                _ => {
                    push(key, format!("expected {lo}..={hi} {what}, got {v}"));
                    None
                }
            }
        };
        let min_tokens = in_range(
            "prompt_cache_min_tokens",
            rp.prompt_cache_min_tokens,
            1,
            u64::from(MAX_CACHE_MIN_TOKENS),
            "tokens",
        );
        let ttl_s = in_range(
            "prompt_cache_ttl_s",
            rp.prompt_cache_ttl_s,
            0,
            MAX_CACHE_TTL_S,
            "seconds (0 = never expires)",
        );
        let entries = in_range(
            "prompt_cache_entries",
            rp.prompt_cache_entries,
            2,
            MAX_CACHE_ENTRIES as u64,
            "entries",
        );
        let prompt_cache = PromptCacheConfig {
            enabled: rp.prompt_cache.unwrap_or(defaults.enabled),
            min_tokens: min_tokens.map(|n| n as u32),
            ttl_s,
            entries: entries.map_or(defaults.entries, |n| n as usize),
        };
        check_dist(ttft_ms, &format!("{at}.latency.ttft"), "ms", &mut issues);
        if let OutputLength::Dist(d) = output {
            check_dist(d, &format!("{at}.output.length"), "tokens", &mut issues);
        }
        providers.push(ProviderConfig {
            name: rp.name,
            protocol,
            dialect,
            listen,
            models,
            reasoning_models,
            embedding_models,
            embedding_dimensions,
            api_keys: rp.api_keys,
            aws_secret_access_key: rp.aws_secret_access_key,
            seed: rp.seed,
            ttft_ms,
            tokens_per_s,
            prefill_tokens_per_s,
            output,
            reasoning_tokens,
            faults: rp.faults,
            prompt_cache,
            limits: rp.limits,
        });
    }
    let config = EmulatorConfig { providers };
    if let Err(ConfigError::Invalid { issues: more, .. }) = config.validate() {
        for m in more {
            // fault problems were already reported above with the same key
            if !issues.iter().any(|i| i.key == m.key) {
                issues.push(m);
            }
        }
    }
    if issues.is_empty() {
        Ok(config)
    } else {
        Err(ConfigError::Invalid {
            file: file.to_path_buf(),
            issues,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<EmulatorConfig, ConfigError> {
        EmulatorConfig::from_toml(text, Path::new("e.toml"))
    }

    /// The key of every problem an invalid config reports, in order.
    fn issue_keys(err: &ConfigError) -> Vec<&str> {
        let ConfigError::Invalid { issues, .. } = err else {
            panic!("{err}");
        };
        issues.iter().map(|i| i.key.as_str()).collect()
    }

    #[test]
    fn minimal_provider_gets_defaults() {
        let c = parse("[[provider]]\nname = \"a\"\nprotocol = \"anthropic\"\n").unwrap();
        let p = &c.providers[0];
        assert_eq!(p.protocol, Protocol::Anthropic);
        assert_eq!(p.listen.port(), 0);
        assert!(!p.models.is_empty());
        assert_eq!(p.faults, Faults::default());
    }

    #[test]
    fn full_provider_parses() {
        let c = parse(
            r#"
[[provider]]
name = "ds"
protocol = "openai"
dialect = "deepseek"
listen = "127.0.0.1:18080"
models = ["deepseek-chat"]
reasoning_models = ["deepseek-reasoner"]
seed = 9
[provider.latency]
ttft = { type = "lognormal", median_ms = 300, p99_ms = 1500 }
tokens_per_s = 60
[provider.output]
length = { type = "max_tokens", default_tokens = 100 }
[provider.faults]
rate_limit_share = 0.1
outage = { start_s = 5, end_s = 10 }
"#,
        )
        .unwrap();
        let p = &c.providers[0];
        assert_eq!(p.dialect, Dialect::DeepSeek);
        assert_eq!(p.listen.port(), 18080);
        assert_eq!(
            p.ttft_ms,
            Dist::LogNormal {
                median: 300.0,
                p99: 1500.0
            }
        );
        assert_eq!(p.output, OutputLength::FromRequest { default: 100 });
        assert!(p.embedding_models.is_empty());
        assert_eq!(p.faults.outage.map(|o| o.end_s), Some(Some(10.0)));
    }

    #[test]
    fn unknown_key_names_its_path_and_line() {
        let err = parse(
            "[[provider]]\nname = \"a\"\nprotocol = \"openai\"\n[provider.latency]\nttft_msx = 3\n",
        )
        .unwrap_err()
        .to_string();
        assert!(err.contains("e.toml"), "{err}");
        assert!(err.contains("provider[0].latency"), "{err}");
        assert!(err.contains("ttft_msx"), "{err}");
        assert!(err.contains("line 5"), "{err}");
    }

    #[test]
    fn validation_collects_every_error() {
        let err = parse(
            r#"
[[provider]]
name = "A"
protocol = "grpc"
listen = "localhost"
[provider.latency]
ttft = { type = "lognormal", median_ms = 300, p99_ms = 100 }
[provider.faults]
rate_limit_share = 1.5
[[provider]]
name = "b"
protocol = "anthropic"
dialect = "deepseek"
"#,
        )
        .unwrap_err();
        let keys = issue_keys(&err);
        for k in [
            "provider[0].name",
            "provider[0].protocol",
            "provider[0].listen",
            "provider[0].latency.ttft.p99_ms",
            "provider[0].faults.rate_limit_share",
            "provider[1].dialect",
        ] {
            assert!(keys.contains(&k), "missing {k} in {keys:?}");
        }
        assert!(err.to_string().contains("e.toml"));
    }

    #[test]
    fn stream_error_fault_parses_and_shares_the_in_stream_draw() {
        let c = parse(
            "[[provider]]\nname = \"a\"\nprotocol = \"openai\"\n[provider.faults]\nstream_error_share = 0.5\nstream_error_after_tokens = 7\nstream_error_kind = \"rate_limited\"\n",
        )
        .unwrap();
        let f = &c.providers[0].faults;
        assert_eq!(f.stream_error_share, 0.5);
        assert_eq!(f.stream_error_after_tokens, 7);
        assert_eq!(f.stream_error_kind, Some(StreamErrorKind::RateLimited));
        assert_eq!(Faults::default().stream_error_after_tokens, 1);
        assert_eq!(Faults::default().stream_error_kind, None);

        let err = parse(
            "[[provider]]\nname = \"a\"\nprotocol = \"openai\"\n[provider.faults]\nstream_error_kind = \"meltdown\"\n",
        )
        .unwrap_err()
        .to_string();
        assert!(
            err.contains("provider[0].faults.stream_error_kind"),
            "{err}"
        );
        assert!(
            err.contains("server_error") && err.contains("rate_limited"),
            "{err}"
        );

        let err = parse(
            "[[provider]]\nname = \"a\"\nprotocol = \"openai\"\n[provider.faults]\nstream_error_share = 0.7\nstall_share = 0.5\n",
        )
        .unwrap_err()
        .to_string();
        assert!(
            err.contains("stall_share + cut_share + stream_error_share must be at most 1"),
            "{err}"
        );
        let err = parse(
            "[[provider]]\nname = \"a\"\nprotocol = \"openai\"\n[provider.faults]\nstream_error_share = -0.1\n",
        )
        .unwrap_err()
        .to_string();
        assert!(
            err.contains("provider[0].faults.stream_error_share"),
            "{err}"
        );
    }

    #[test]
    fn sigv4_secret_is_bedrock_only_and_needs_access_key_ids() {
        let c = parse(
            "[[provider]]\nname = \"br\"\nprotocol = \"bedrock\"\napi_keys = [\"AKIDX\"]\naws_secret_access_key = \"s3cret\"\n",
        )
        .unwrap();
        assert_eq!(
            c.providers[0].aws_secret_access_key.as_deref(),
            Some("s3cret")
        );
        let err = parse(
            "[[provider]]\nname = \"br\"\nprotocol = \"bedrock\"\naws_secret_access_key = \"s3cret\"\n[[provider]]\nname = \"oa\"\nprotocol = \"openai\"\naws_secret_access_key = \"s3cret\"\n[[provider]]\nname = \"b2\"\nprotocol = \"bedrock\"\napi_keys = [\"AKIDX\"]\naws_secret_access_key = \"\"\n",
        )
        .unwrap_err();
        let keys = issue_keys(&err);
        assert_eq!(
            keys,
            [
                "provider[0].api_keys",
                "provider[1].aws_secret_access_key",
                "provider[2].aws_secret_access_key"
            ],
            "{err}"
        );
        let text = err.to_string();
        assert!(text.contains("access key id(s)"), "{text}");
        assert!(text.contains("belong to the bedrock protocol"), "{text}");
    }

    #[test]
    fn prefill_pace_parses_and_a_bad_one_names_its_key() {
        let c = parse(
            "[[provider]]\nname = \"a\"\nprotocol = \"openai\"\n[provider.latency]\nprefill_tokens_per_s = 20000\n",
        )
        .unwrap();
        assert_eq!(c.providers[0].prefill_tokens_per_s, 20000.0);
        let err = parse(
            "[[provider]]\nname = \"a\"\nprotocol = \"openai\"\n[provider.latency]\ntokens_per_s = -1\nprefill_tokens_per_s = -5\n",
        )
        .unwrap_err();
        let keys = issue_keys(&err);
        assert_eq!(
            keys,
            [
                "provider[0].latency.tokens_per_s",
                "provider[0].latency.prefill_tokens_per_s"
            ]
        );
        assert!(err.to_string().contains("got -5"), "{err}");
    }

    #[test]
    fn limits_parse_with_per_model_overrides_and_bad_values_name_their_key() {
        let c = parse(
            "[[provider]]\nname = \"a\"\nprotocol = \"openai\"\n[provider.limits]\ncontext_window = 8192\nmax_output_tokens = 1024\nmodels = { \"gpt-4o\" = { max_output_tokens = 4096 } }\n",
        )
        .unwrap();
        let limits = &c.providers[0].limits;
        assert_eq!(
            limits.for_model("gpt-4o"),
            ModelLimits {
                context_window: Some(8192),
                max_output_tokens: Some(4096)
            }
        );
        assert_eq!(
            limits.for_model("gpt-4o-mini"),
            ModelLimits {
                context_window: Some(8192),
                max_output_tokens: Some(1024)
            }
        );
        assert_eq!(
            parse("[[provider]]\nname = \"a\"\nprotocol = \"gemini\"\n")
                .unwrap()
                .providers[0]
                .limits
                .for_model("gemini-2.0-flash"),
            ModelLimits::default()
        );
        let err = parse(
            "[[provider]]\nname = \"a\"\nprotocol = \"openai\"\nmodels = [\"m\"]\n[provider.limits]\ncontext_window = 0\nmodels = { \"m\" = { max_output_tokens = 0 }, \"other\" = { context_window = 5 } }\n",
        )
        .unwrap_err();
        let keys = issue_keys(&err);
        assert_eq!(
            keys,
            [
                "provider[0].limits.context_window",
                "provider[0].limits.models.\"m\".max_output_tokens",
                "provider[0].limits.models.\"other\""
            ],
            "{err}"
        );
        let text = err.to_string();
        assert!(
            text.contains("expected a number of tokens >= 1, got 0"),
            "{text}"
        );
        assert!(
            text.contains("expected one of the provider's chat models (m), got \"other\""),
            "{text}"
        );
        // a negative or fractional count is a type error naming its line and key
        let err = parse(
            "[[provider]]\nname = \"a\"\nprotocol = \"openai\"\n[provider.limits]\nmax_output_tokens = -5\n",
        )
        .unwrap_err()
        .to_string();
        assert!(err.contains("line 5"), "{err}");
        assert!(err.contains("limits.max_output_tokens"), "{err}");
        let err = parse(
            "[[provider]]\nname = \"a\"\nprotocol = \"openai\"\n[provider.limits]\nwindow = 5\n",
        )
        .unwrap_err()
        .to_string();
        assert!(err.contains("unknown field `window`"), "{err}");
    }

    #[test]
    fn prompt_cache_keys_parse_and_bad_values_name_their_key() {
        let c = parse("[[provider]]\nname = \"a\"\nprotocol = \"openai\"\n").unwrap();
        assert_eq!(c.providers[0].prompt_cache, PromptCacheConfig::default());
        assert!(c.providers[0].prompt_cache.enabled);
        let c = parse(
            "[[provider]]\nname = \"a\"\nprotocol = \"openai\"\nprompt_cache = false\nprompt_cache_min_tokens = 16\nprompt_cache_ttl_s = 0\nprompt_cache_entries = 100\n",
        )
        .unwrap();
        assert_eq!(
            c.providers[0].prompt_cache,
            PromptCacheConfig {
                enabled: false,
                min_tokens: Some(16),
                ttl_s: Some(0),
                entries: 100
            }
        );
        let err = parse(
            "[[provider]]\nname = \"a\"\nprotocol = \"openai\"\nprompt_cache_min_tokens = 0\nprompt_cache_ttl_s = -5\nprompt_cache_entries = 1\n",
        )
        .unwrap_err();
        let keys = issue_keys(&err);
        assert_eq!(
            keys,
            [
                "provider[0].prompt_cache_min_tokens",
                "provider[0].prompt_cache_ttl_s",
                "provider[0].prompt_cache_entries"
            ],
            "{err}"
        );
        let text = err.to_string();
        assert!(text.contains("e.toml"), "{text}");
        assert!(
            text.contains("expected 1..=10000000 tokens, got 0"),
            "{text}"
        );
        assert!(text.contains("got -5"), "{text}");
        // a wrong type is a parse error with its line
        let err =
            parse("[[provider]]\nname = \"a\"\nprotocol = \"openai\"\nprompt_cache = \"yes\"\n")
                .unwrap_err()
                .to_string();
        assert!(
            err.contains("line 4") && err.contains("prompt_cache"),
            "{err}"
        );
        // configs built in code are checked too
        let mut p = ProviderConfig::new("a", Protocol::Gemini);
        p.prompt_cache.entries = 0;
        p.prompt_cache.min_tokens = Some(0);
        let err = EmulatorConfig::single(p)
            .validate()
            .unwrap_err()
            .to_string();
        assert!(err.contains("provider[0].prompt_cache_entries"), "{err}");
        assert!(err.contains("provider[0].prompt_cache_min_tokens"), "{err}");
    }

    #[test]
    fn duplicate_names_and_ports_are_rejected() {
        let err = parse(
            "[[provider]]\nname = \"a\"\nprotocol = \"openai\"\nlisten = \"127.0.0.1:9\"\n[[provider]]\nname = \"a\"\nprotocol = \"gemini\"\nlisten = \"127.0.0.1:9\"\n",
        )
        .unwrap_err()
        .to_string();
        assert!(err.contains("duplicate provider name"), "{err}");
        assert!(err.contains("used twice"), "{err}");
    }
}
