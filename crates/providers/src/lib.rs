//! cloudfit-providers: the wire protocols of AI clouds, one internal request/response/stream
//! shape, streaming codecs (SSE, AWS event stream), SigV4 signing, error classification and an
//! HTTP client.
//!
//! * [`types`] — the internal shape ([`ChatRequest`], [`ChatResponse`], [`StreamEvent`],
//!   [`Usage`], embeddings, models). No serde: wire formats stay in [`protocol`].
//! * [`protocol`] — one file per protocol, both directions (client and server side), selected
//!   through [`Protocol`] (OpenAI in one of its [`Dialect`]s, Anthropic, Bedrock, Gemini).
//! * [`error`] — [`ErrorClass`] with `is_retryable` / `should_fail_over`, Retry-After parsing.
//! * [`client`] — [`ProviderClient`]: pooled reqwest client with connect / first-byte /
//!   first-token / idle timeouts and timing of every stream.

pub mod client;
pub mod error;
pub mod protocol;
pub mod secret;
pub mod sse;
mod time;
pub mod types;

pub use client::{
    build_http_client, ChatStream, ClientOptions, ProviderClient, ProviderEndpoint, StreamTiming,
};
pub use error::{parse_retry_after, CodecError, ErrorClass, ProviderError};
pub use protocol::{Dialect, ErrorResponse, Protocol, StreamContext, StreamDecoder, StreamEncoder};
pub use secret::{AwsCredentials, Credentials, Secret};
pub use types::{
    CacheHint, CacheTtl, ChatRequest, ChatResponse, Choice, ContentPart, EmbeddingRequest,
    EmbeddingResponse, FinishReason, ImageSource, Message, ModelInfo, ResponseFormat, Role,
    StreamAccumulator, StreamEvent, ToolCall, ToolChoice, ToolDefinition, Usage,
};
