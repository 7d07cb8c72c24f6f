//! cloudfit-emulator: protocol-faithful stand-ins for AI clouds on loopback.
//!
//! Each emulated provider speaks one wire protocol (OpenAI Chat Completions and Responses and
//! their OpenAI-compatible family, Anthropic Messages, AWS Bedrock Converse and InvokeModel (Claude,
//! embeddings), Google Gemini) on its own address, with configurable models, time to first
//! token, pace, output length, deterministic text and usage accounting, and token limits, and
//! faults on demand (429s, 5xx, connection resets, stalled or cut
//! streams, each protocol's own in-stream error event ([`StreamErrorKind`]), outage windows,
//! slow headers). Tests start one in-process:
//!
//! ```no_run
//! # async fn demo() -> Result<(), cloudfit_emulator::EmulatorError> {
//! use cloudfit_emulator::{Emulator, EmulatorConfig, Protocol, ProviderConfig};
//! let running = Emulator::start(EmulatorConfig::single(ProviderConfig::new("openai", Protocol::OpenAi))).await?;
//! let base_url = &running.providers()[0].base_url; // http://127.0.0.1:PORT/v1
//! # let _ = base_url;
//! running.shutdown().await;
//! # Ok(()) }
//! ```
//!
//! Token counting: see [`count_tokens`]. Input tokens are the tokens of every string in the
//! request's conversation, system prompt and tool definitions, except ids, roles, types and
//! binary data; output tokens are the tokens of everything generated (reasoning, text, tool-call
//! arguments).
//!
//! Prompt caching: each provider keeps a bounded store of prompt-prefix hashes and reports the
//! cached part of a repeated prefix in its protocol's usage fields, by its family's documented
//! rule (OpenAI 1024-token minimum in 128-token steps, DeepSeek 64-token units, Anthropic and
//! Bedrock only up to `cache_control` / `cachePoint` markers, Gemini implicit caching); see
//! [`PromptCacheConfig`]. With a prefill pace
//! ([`ProviderConfig::prefill_tokens_per_s`]) the uncached prompt tokens add to the time to
//! first token, so a cached prefix answers sooner.
//!
//! Token limits: a provider's [`Limits`] (context window and largest output cap, per model)
//! refuse an over-long prompt or an over-large `max_tokens` with the cloud's own 400, and cap
//! the output of a request that sets no cap.
//!
//! Admin API, on every provider's own address: `GET|PUT /_emulator/faults`,
//! `GET /_emulator/hits`, `POST /_emulator/reset` (also empties the prompt cache),
//! `GET /_emulator/info` (with the prompt cache's rule, entries and counters, and the requests
//! in flight now and at most since the last reset: [`InFlight`]).

mod admin;
mod cache;
mod config;
mod corpus;
mod dist;
mod error;
mod logprobs;
mod plan;
mod proto;
mod server;
mod sigv4;
mod stream;
mod tokenize;

use std::sync::Arc;

pub use config::{
    Dialect, EmulatorConfig, Faults, Limits, ModelLimits, Outage, OutageMode, OutputLength,
    PromptCacheConfig, Protocol, ProviderConfig, StreamErrorKind,
};
pub use dist::Dist;
pub use error::{ConfigError, ConfigIssue, EmulatorError};
pub use server::{
    BoundProvider, Emulator, FaultHits, HitCounts, InFlight, RouteHits, RunningEmulator,
};
pub use tokenize::count_tokens;

/// The router of one provider: its protocol's routes plus the admin API.
fn app(state: Arc<server::Provider>) -> axum::Router {
    let routes = match state.cfg.protocol {
        Protocol::OpenAi => proto::openai::router(&state),
        Protocol::Anthropic => proto::anthropic::router(),
        Protocol::Bedrock => proto::bedrock::router(),
        Protocol::Gemini => proto::gemini::router(),
    };
    routes.merge(admin::router()).with_state(state)
}
