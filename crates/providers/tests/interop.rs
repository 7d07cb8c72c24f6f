#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::print_stdout,
    clippy::print_stderr,
    reason = "test code"
)]
//! Interop: `cloudfit-providers`' client against `cloudfit-emulator`, two independent
//! implementations of the same wire protocols, over real HTTP on 127.0.0.1:0.
//!
//! Every protocol (OpenAI in each of its 13 dialects, Anthropic, Bedrock, Gemini) is checked for
//! non-streaming and streaming chat (same deterministic text both ways, usage equal to the
//! emulator's own token count), tool calls and their round trip, embeddings and model lists
//! where both sides have them, and every fault mode as the [`ErrorClass`] a caller sees. Each
//! test ends by comparing the emulator's hit counters with the requests it made.

use std::time::Duration;

use cloudfit_emulator::{
    count_tokens, Dist, Emulator, EmulatorConfig, Faults, HitCounts, Limits, Outage, OutageMode,
    OutputLength, Protocol as EmuProtocol, ProviderConfig, RunningEmulator, StreamErrorKind,
};
use cloudfit_providers::{
    AwsCredentials, CacheHint, CacheTtl, ChatRequest, ChatResponse, ClientOptions, Credentials,
    Dialect, EmbeddingRequest, ErrorClass, FinishReason, Message, Protocol, ProviderClient,
    ProviderEndpoint, ProviderError, Role, Secret, StreamAccumulator, StreamEvent, StreamTiming,
    ToolCall, ToolChoice, ToolDefinition,
};
use futures::StreamExt;

// ---- harness ---------------------------------------------------------------------------------

/// Tokens every emulated response carries (fixed, so usage is predictable).
const OUTPUT_TOKENS: u32 = 24;
const SYSTEM: &str = "You are a terse assistant used by an interoperability test.";
const PROMPT: &str = "Describe the weather in Lisbon in one short paragraph, please.";

/// One emulated cloud and the client-side protocol that should speak to it.
#[derive(Debug, Clone)]
struct Target {
    name: String,
    protocol: Protocol,
    chat_model: String,
}

/// Every protocol and OpenAI dialect the emulator serves, each mapped to the client's protocol by
/// its stable name (the two crates share no code, only names).
fn all_targets() -> Vec<(ProviderConfig, Target)> {
    let mut out = Vec::new();
    for d in cloudfit_emulator::Dialect::ALL {
        let mut cfg = emu_provider(&format!("oa-{}", d.as_str()), EmuProtocol::OpenAi);
        cfg.dialect = d;
        let dialect = Dialect::from_name(d.as_str())
            .unwrap_or_else(|| panic!("client has no dialect named {}", d.as_str()));
        out.push((cfg, Protocol::OpenAi(dialect)));
    }
    for p in [
        EmuProtocol::Anthropic,
        EmuProtocol::Bedrock,
        EmuProtocol::Gemini,
    ] {
        let protocol = Protocol::from_name(p.as_str()).expect("protocol names agree");
        out.push((emu_provider(p.as_str(), p), protocol));
    }
    out.into_iter()
        .map(|(cfg, protocol)| {
            let target = Target {
                name: cfg.name.clone(),
                protocol,
                chat_model: cfg.models[0].clone(),
            };
            (cfg, target)
        })
        .collect()
}

fn emu_provider(name: &str, protocol: EmuProtocol) -> ProviderConfig {
    let mut cfg = ProviderConfig::new(name, protocol);
    cfg.seed = 42;
    cfg.output = OutputLength::Dist(Dist::Fixed(f64::from(OUTPUT_TOKENS)));
    // OpenAI-compatible embeddings are served by every dialect; Gemini keeps its default
    if protocol == EmuProtocol::OpenAi {
        cfg.embedding_models = vec!["text-embedding-3-small".to_owned()];
    }
    cfg
}

async fn start(providers: Vec<ProviderConfig>) -> RunningEmulator {
    Emulator::start(EmulatorConfig { providers })
        .await
        .expect("emulator starts")
}

fn credentials(protocol: Protocol) -> Credentials {
    match protocol {
        Protocol::Bedrock => Credentials::Aws(AwsCredentials {
            access_key_id: "AKIDINTEROPTEST".to_owned(),
            secret_access_key: Secret::new("interop-secret"),
            session_token: None,
        }),
        _ => Credentials::ApiKey(Secret::new("sk-interop-test")),
    }
}

fn client_for(em: &RunningEmulator, t: &Target, options: ClientOptions) -> ProviderClient {
    let bound = em.provider(&t.name).expect("provider is running");
    let mut endpoint =
        ProviderEndpoint::new(t.protocol, bound.base_url.clone(), credentials(t.protocol));
    if t.protocol == Protocol::Bedrock {
        endpoint.region = Some("us-east-1".to_owned());
    }
    ProviderClient::new(endpoint, options).expect("client builds")
}

fn chat_request(t: &Target) -> ChatRequest {
    ChatRequest {
        messages: vec![
            Message::text(Role::System, SYSTEM),
            Message::text(Role::User, PROMPT),
        ],
        max_tokens: Some(256),
        ..ChatRequest::user_text(&t.chat_model, "")
    }
}

fn weather_tool() -> ToolDefinition {
    ToolDefinition {
        name: "get_weather".to_owned(),
        description: Some("Current weather for a city".to_owned()),
        parameters: serde_json::json!({
            "type": "object",
            "properties": {"city": {"type": "string"}, "days": {"type": "integer"}},
            "required": ["city", "days"]
        }),
        cache: None,
    }
}

fn tool_request(t: &Target) -> ChatRequest {
    ChatRequest {
        tools: vec![weather_tool()],
        tool_choice: Some(ToolChoice::Tool("get_weather".to_owned())),
        ..chat_request(t)
    }
}

/// The events of a whole stream and its timing, or the error that ended it (with the events
/// that came before).
async fn run_stream(
    client: &ProviderClient,
    req: ChatRequest,
) -> (Vec<StreamEvent>, StreamTiming, Option<ProviderError>) {
    let mut stream = client.chat_stream(req).await.expect("stream opens");
    let mut events = Vec::new();
    let mut error = None;
    while let Some(item) = stream.next().await {
        match item {
            Ok(ev) => events.push(ev),
            Err(e) => {
                error = Some(e);
                break;
            }
        }
    }
    (events, stream.timing(), error)
}

fn accumulate(events: &[StreamEvent]) -> ChatResponse {
    let mut acc = StreamAccumulator::new();
    for ev in events {
        acc.push(ev);
    }
    assert!(
        acc.is_done(),
        "stream without its terminal event: {events:?}"
    );
    acc.finish()
}

fn hits(em: &RunningEmulator, t: &Target) -> HitCounts {
    em.hits(&t.name).expect("provider has counters")
}

/// The emulator's route name for a chat call of `protocol`.
fn chat_route(protocol: Protocol, stream: bool) -> &'static str {
    match (protocol, stream) {
        (Protocol::OpenAi(_), _) => "chat.completions",
        (Protocol::Anthropic, _) => "messages",
        (Protocol::Bedrock, false) => "converse",
        (Protocol::Bedrock, true) => "converse_stream",
        (Protocol::Gemini, false) => "generateContent",
        (Protocol::Gemini, true) => "streamGenerateContent",
    }
}

fn expected_input_tokens() -> u64 {
    u64::from(count_tokens(SYSTEM) + count_tokens(PROMPT))
}

// ---- chat ------------------------------------------------------------------------------------

#[tokio::test]
async fn chat_and_stream_agree_in_every_protocol_and_dialect() {
    let (cfgs, targets): (Vec<_>, Vec<_>) = all_targets().into_iter().unzip();
    let em = start(cfgs).await;
    for t in &targets {
        let client = client_for(&em, t, ClientOptions::default());
        let who = t.name.as_str();

        let resp = client
            .chat(chat_request(t))
            .await
            .unwrap_or_else(|e| panic!("{who}: chat failed: {e}"));
        let text = resp.text().to_owned();
        assert!(!text.is_empty(), "{who}: empty text");
        assert_eq!(resp.model, t.chat_model, "{who}: model");
        let choice = &resp.choices[0];
        assert_eq!(choice.finish_reason, Some(FinishReason::Stop), "{who}");
        assert!(choice.tool_calls.is_empty(), "{who}");
        let u = resp.usage;
        assert_eq!(
            u.input_tokens,
            Some(expected_input_tokens()),
            "{who}: {u:?}"
        );
        assert_eq!(
            u.output_tokens,
            Some(u64::from(OUTPUT_TOKENS)),
            "{who}: {u:?}"
        );
        assert_eq!(
            u64::from(count_tokens(&text)),
            u64::from(OUTPUT_TOKENS),
            "{who}: output tokens in the text"
        );

        let (events, timing, error) = run_stream(&client, chat_request(t)).await;
        assert!(error.is_none(), "{who}: stream failed: {error:?}");
        assert!(
            matches!(events.first(), Some(StreamEvent::Start { .. })),
            "{who}: first event {:?}",
            events.first()
        );
        assert_eq!(events.last(), Some(&StreamEvent::Done), "{who}");
        let deltas = events
            .iter()
            .filter(|e| matches!(e, StreamEvent::TextDelta(_)))
            .count();
        assert!(deltas > 1, "{who}: text came in {deltas} deltas");
        let first_token = timing.first_token.expect("first token timed");
        assert!(first_token >= timing.headers, "{who}: {timing:?}");
        assert!(timing.completed.is_some(), "{who}: {timing:?}");
        // usage comes after the last content
        let last_token = events.iter().rposition(StreamEvent::is_token).unwrap();
        let last_usage = events
            .iter()
            .rposition(|e| matches!(e, StreamEvent::Usage(_)))
            .unwrap_or_else(|| panic!("{who}: no usage in {events:?}"));
        assert!(last_usage > last_token, "{who}: usage before the end");
        let streamed = accumulate(&events);
        assert_eq!(streamed.model, t.chat_model, "{who}: streamed model");
        assert!(!streamed.id.is_empty(), "{who}: streamed id");
        assert_eq!(streamed.text(), text, "{who}: streamed text differs");
        assert_eq!(streamed.usage, resp.usage, "{who}: streamed usage differs");
        assert_eq!(
            streamed.choices[0].finish_reason,
            Some(FinishReason::Stop),
            "{who}"
        );

        let h = hits(&em, t);
        assert_eq!(h.total, 2, "{who}: {h:?}");
        let (plain, streamed) = (chat_route(t.protocol, false), chat_route(t.protocol, true));
        if plain == streamed {
            assert_eq!(h.count(plain, "200"), 2, "{who}: {h:?}");
        } else {
            assert_eq!(h.count(plain, "200"), 1, "{who}: {h:?}");
            assert_eq!(h.count(streamed, "200"), 1, "{who}: {h:?}");
        }
    }
    em.shutdown().await;
}

#[tokio::test]
async fn max_tokens_truncates_with_length_in_every_protocol() {
    let (cfgs, targets): (Vec<_>, Vec<_>) = all_targets().into_iter().unzip();
    let em = start(cfgs).await;
    for t in &targets {
        let client = client_for(&em, t, ClientOptions::default());
        let who = t.name.as_str();
        let req = ChatRequest {
            max_tokens: Some(5),
            ..chat_request(t)
        };
        let resp = client.chat(req.clone()).await.unwrap();
        assert_eq!(resp.usage.output_tokens, Some(5), "{who}");
        assert_eq!(
            resp.choices[0].finish_reason,
            Some(FinishReason::Length),
            "{who}"
        );
        let (events, _, error) = run_stream(&client, req).await;
        assert!(error.is_none(), "{who}: {error:?}");
        let streamed = accumulate(&events);
        assert_eq!(streamed.text(), resp.text(), "{who}");
        assert_eq!(
            streamed.choices[0].finish_reason,
            Some(FinishReason::Length),
            "{who}"
        );
    }
    em.shutdown().await;
}

#[tokio::test]
async fn reasoning_models_count_reasoning_in_every_protocol() {
    let all = all_targets();
    let em = start(all.iter().map(|(c, _)| c.clone()).collect()).await;
    for (cfg, t) in &all {
        let Some(model) = cfg.reasoning_models.first() else {
            continue;
        };
        let who = t.name.as_str();
        let client = client_for(&em, t, ClientOptions::default());
        let req = ChatRequest {
            model: model.clone(),
            ..chat_request(t)
        };
        let resp = client
            .chat(req.clone())
            .await
            .unwrap_or_else(|e| panic!("{who}: {e}"));
        let u = resp.usage;
        // output counts reasoning (OpenAI semantics), whatever the wire calls it
        assert_eq!(
            u.output_tokens,
            Some(u64::from(OUTPUT_TOKENS + cfg.reasoning_tokens)),
            "{who}: {u:?}"
        );
        // reported where the wire has a field for it, absent (not guessed) where it has none
        let reports = !matches!(
            t.protocol,
            Protocol::Bedrock | Protocol::OpenAi(Dialect::Moonshot)
        );
        let expected = reports.then_some(u64::from(cfg.reasoning_tokens));
        assert_eq!(u.reasoning_tokens, expected, "{who}: {u:?}");
        // visible reasoning text: the compatible family's `reasoning_content` and Bedrock's
        // reasoningContent; OpenAI, Azure and Gemini keep it hidden by default
        let visible = match t.protocol {
            Protocol::OpenAi(d) => !matches!(
                d,
                Dialect::OpenAi | Dialect::Azure | Dialect::GeminiOpenAi | Dialect::BedrockOpenAi
            ),
            Protocol::Bedrock => true,
            Protocol::Anthropic | Protocol::Gemini => false,
        };
        let reasoning = resp.choices[0].reasoning.clone();
        assert_eq!(reasoning.is_some(), visible, "{who}: {reasoning:?}");
        if let Some(r) = &reasoning {
            assert_eq!(count_tokens(r), cfg.reasoning_tokens, "{who}");
        }
        assert_eq!(count_tokens(resp.text()), OUTPUT_TOKENS, "{who}");

        let (events, timing, error) = run_stream(&client, req).await;
        assert!(error.is_none(), "{who}: {error:?}");
        let streamed = accumulate(&events);
        assert_eq!(streamed.text(), resp.text(), "{who}");
        assert_eq!(streamed.choices[0].reasoning, reasoning, "{who}");
        assert_eq!(streamed.usage, resp.usage, "{who}");
        if visible {
            // the first token is a reasoning token
            let first = events.iter().find(|e| e.is_token()).unwrap();
            assert!(
                matches!(first, StreamEvent::ReasoningDelta(_)),
                "{who}: {first:?}"
            );
        }
        assert!(timing.first_token.is_some(), "{who}");
    }
    em.shutdown().await;
}

/// The path of each dialect's documented base URL (the client's `Dialect::base_urls`, e.g.
/// DeepSeek's bare `https://api.deepseek.com`, DashScope's `/compatible-mode/v1`) is served by the
/// emulator, so a client configured with the real URL's path works against it unchanged.
#[tokio::test]
async fn documented_base_paths_are_served_for_every_dialect() {
    let all: Vec<_> = all_targets()
        .into_iter()
        .filter(|(_, t)| matches!(t.protocol, Protocol::OpenAi(_)))
        .collect();
    let em = start(all.iter().map(|(c, _)| c.clone()).collect()).await;
    for (_, t) in &all {
        let Protocol::OpenAi(dialect) = t.protocol else {
            continue;
        };
        let who = t.name.as_str();
        for (region, url) in dialect.base_urls() {
            let after_scheme = url.split_once("://").map_or(*url, |(_, rest)| rest);
            let path = after_scheme.find('/').map_or("", |i| &after_scheme[i..]);
            let addr = em.provider(&t.name).unwrap().addr;
            let endpoint = ProviderEndpoint::new(
                t.protocol,
                format!("http://{addr}{path}"),
                credentials(t.protocol),
            );
            let client = ProviderClient::new(endpoint, ClientOptions::default()).unwrap();
            let resp = client
                .chat(chat_request(t))
                .await
                .unwrap_or_else(|e| panic!("{who} {region} ({path:?}): {e}"));
            assert_eq!(count_tokens(resp.text()), OUTPUT_TOKENS, "{who} {region}");
        }
    }
    em.shutdown().await;
}

// ---- tools -----------------------------------------------------------------------------------

#[tokio::test]
async fn tool_calls_round_trip_in_every_protocol_and_dialect() {
    let (cfgs, targets): (Vec<_>, Vec<_>) = all_targets().into_iter().unzip();
    let em = start(cfgs).await;
    for t in &targets {
        let client = client_for(&em, t, ClientOptions::default());
        let who = t.name.as_str();

        let resp = client
            .chat(tool_request(t))
            .await
            .unwrap_or_else(|e| panic!("{who}: {e}"));
        let choice = &resp.choices[0];
        assert_eq!(
            choice.finish_reason,
            Some(FinishReason::ToolCalls),
            "{who}: {choice:?}"
        );
        assert_eq!(choice.tool_calls.len(), 1, "{who}: {choice:?}");
        let call = &choice.tool_calls[0];
        assert_eq!(call.name, "get_weather", "{who}");
        assert!(!call.id.is_empty(), "{who}: tool call without id");
        let args: serde_json::Value = serde_json::from_str(&call.arguments)
            .unwrap_or_else(|e| panic!("{who}: arguments {:?}: {e}", call.arguments));
        assert!(args["city"].is_string(), "{who}: {args}");
        assert!(args["days"].is_i64(), "{who}: {args}");
        let out = resp.usage.output_tokens.unwrap();
        assert!(out > 0, "{who}");

        // the same call streamed: same name and arguments
        let (events, timing, error) = run_stream(&client, tool_request(t)).await;
        assert!(error.is_none(), "{who}: {error:?}");
        assert!(timing.first_token.is_some(), "{who}: tool call not timed");
        let streamed = accumulate(&events);
        let s = &streamed.choices[0];
        assert_eq!(s.finish_reason, Some(FinishReason::ToolCalls), "{who}");
        assert_eq!(s.tool_calls.len(), 1, "{who}: {s:?}");
        assert_eq!(s.tool_calls[0].name, call.name, "{who}");
        assert!(!s.tool_calls[0].id.is_empty(), "{who}");
        let streamed_args: serde_json::Value =
            serde_json::from_str(&s.tool_calls[0].arguments).unwrap();
        assert_eq!(streamed_args, args, "{who}");
        assert_eq!(streamed.usage.output_tokens, Some(out), "{who}");

        // answer the call: the model replies in text
        let mut follow = tool_request(t);
        follow.messages.push(Message {
            tool_calls: vec![ToolCall {
                id: call.id.clone(),
                name: call.name.clone(),
                arguments: call.arguments.clone(),
            }],
            ..Message::text(Role::Assistant, "")
        });
        follow.messages.push(Message {
            name: Some(call.name.clone()),
            ..Message::tool_result(&call.id, r#"{"temperature_c": 21, "sky": "clear"}"#)
        });
        follow.tool_choice = None;
        let answer = client
            .chat(follow)
            .await
            .unwrap_or_else(|e| panic!("{who}: tool result turn: {e}"));
        assert_eq!(
            answer.choices[0].finish_reason,
            Some(FinishReason::Stop),
            "{who}"
        );
        assert!(answer.choices[0].tool_calls.is_empty(), "{who}");
        assert!(!answer.text().is_empty(), "{who}");
        assert!(
            answer.usage.input_tokens > resp.usage.input_tokens,
            "{who}: the tool turn adds input tokens"
        );

        let h = hits(&em, t);
        assert_eq!(h.total, 3, "{who}: {h:?}");
    }
    em.shutdown().await;
}

// ---- embeddings and models ---------------------------------------------------------------------

#[tokio::test]
async fn embeddings_in_every_protocol_that_has_them() {
    let all = all_targets();
    let em = start(all.iter().map(|(c, _)| c.clone()).collect()).await;
    let inputs = vec![
        "the quick brown fox".to_owned(),
        "jumps over the lazy dog".to_owned(),
    ];
    let mut served = 0;
    for (cfg, t) in &all {
        let client = client_for(&em, t, ClientOptions::default());
        let who = t.name.as_str();
        let Some(model) = cfg.embedding_models.first().cloned() else {
            // Anthropic: the client has no embeddings API for it either
            let e = client
                .embed(EmbeddingRequest {
                    model: "any".to_owned(),
                    input: inputs.clone(),
                    ..EmbeddingRequest::default()
                })
                .await
                .unwrap_err();
            assert_eq!(e.class, ErrorClass::BadRequest, "{who}: {e}");
            assert_eq!(hits(&em, t).total, 0, "{who}");
            continue;
        };
        served += 1;
        let req = EmbeddingRequest {
            model: model.clone(),
            input: inputs.clone(),
            ..EmbeddingRequest::default()
        };
        let resp = client
            .embed(req.clone())
            .await
            .unwrap_or_else(|e| panic!("{who}: {e}"));
        assert_eq!(resp.model, model, "{who}");
        assert_eq!(resp.embeddings.len(), 2, "{who}");
        for v in &resp.embeddings {
            assert_eq!(v.len(), cfg.embedding_dimensions as usize, "{who}");
            let norm: f32 = v.iter().map(|x| x * x).sum::<f32>().sqrt();
            assert!((norm - 1.0).abs() < 1e-3, "{who}: norm {norm}");
        }
        assert_ne!(resp.embeddings[0], resp.embeddings[1], "{who}");
        if t.protocol == Protocol::Gemini {
            // batchEmbedContents reports no usage: absent, not guessed (Bedrock's default model
            // is Titan, which counts tokens per call; the client sums them)
            assert!(resp.usage.is_empty(), "{who}: {:?}", resp.usage);
        } else {
            let tokens: u32 = inputs.iter().map(|s| count_tokens(s)).sum();
            assert_eq!(resp.usage.input_tokens, Some(u64::from(tokens)), "{who}");
        }
        // deterministic, and `dimensions` is honoured
        let again = client.embed(req.clone()).await.unwrap();
        assert_eq!(again.embeddings, resp.embeddings, "{who}");
        let short = client
            .embed(EmbeddingRequest {
                dimensions: Some(256),
                ..req
            })
            .await
            .unwrap();
        assert!(short.embeddings.iter().all(|v| v.len() == 256), "{who}");
        // Titan on Bedrock embeds one input per InvokeModel call
        let (route, calls) = match t.protocol {
            Protocol::Gemini => ("batchEmbedContents", 3),
            Protocol::Bedrock => ("invoke", 3 * inputs.len() as u64),
            _ => ("embeddings", 3),
        };
        let h = hits(&em, t);
        assert_eq!(h.count(route, "200"), calls, "{who}: {h:?}");
        assert_eq!(h.total, calls, "{who}: {h:?}");
    }
    assert_eq!(
        served, 15,
        "13 OpenAI dialects, Gemini and Bedrock serve embeddings"
    );
    em.shutdown().await;
}

#[tokio::test]
async fn model_lists_name_the_configured_models() {
    let all = all_targets();
    let em = start(all.iter().map(|(c, _)| c.clone()).collect()).await;
    for (cfg, t) in &all {
        let client = client_for(&em, t, ClientOptions::default());
        let who = t.name.as_str();
        let models = client
            .list_models()
            .await
            .unwrap_or_else(|e| panic!("{who}: {e}"));
        let ids: Vec<&str> = models.iter().map(|m| m.id.as_str()).collect();
        for m in cfg.models.iter().chain(&cfg.reasoning_models) {
            assert!(ids.contains(&m.as_str()), "{who}: {m} missing from {ids:?}");
        }
        // Bedrock: ListFoundationModels, on the emulator's address as the client keeps a
        // non-AWS base URL
        let route = if t.protocol == Protocol::Bedrock {
            for m in &cfg.embedding_models {
                assert!(ids.contains(&m.as_str()), "{who}: {m} missing from {ids:?}");
            }
            let titan = models
                .iter()
                .find(|m| m.id == "amazon.titan-embed-text-v2:0")
                .unwrap();
            assert_eq!(titan.owned_by.as_deref(), Some("Amazon"), "{who}");
            "foundation_models"
        } else {
            "models.list"
        };
        assert_eq!(hits(&em, t).count(route, "200"), 1, "{who}");
    }
    em.shutdown().await;
}

fn bedrock_target() -> (ProviderConfig, Target) {
    all_targets()
        .into_iter()
        .find(|(_, t)| t.protocol == Protocol::Bedrock)
        .unwrap()
}

#[tokio::test]
async fn bedrock_embeds_with_titan_dimensions_and_cohere_batches() {
    let (cfg, t) = bedrock_target();
    let em = start(vec![cfg]).await;
    let client = client_for(&em, &t, ClientOptions::default());
    let inputs: Vec<String> = ["alpha beta", "gamma", "delta epsilon zeta"]
        .map(str::to_owned)
        .to_vec();

    // Titan V2: one InvokeModel call per input, dimensions honoured, token counts summed
    let titan = client
        .embed(EmbeddingRequest {
            model: "amazon.titan-embed-text-v2:0".to_owned(),
            input: inputs.clone(),
            dimensions: Some(512),
            ..EmbeddingRequest::default()
        })
        .await
        .unwrap();
    assert_eq!(titan.embeddings.len(), 3);
    assert!(titan.embeddings.iter().all(|v| v.len() == 512));
    let tokens: u32 = inputs.iter().map(|s| count_tokens(s)).sum();
    assert_eq!(titan.usage.input_tokens, Some(u64::from(tokens)));
    // an input's vector does not depend on the others or on the call order
    let single = client
        .embed(EmbeddingRequest {
            model: "amazon.titan-embed-text-v2:0".to_owned(),
            input: vec![inputs[1].clone()],
            dimensions: Some(512),
            ..EmbeddingRequest::default()
        })
        .await
        .unwrap();
    assert_eq!(single.embeddings[0], titan.embeddings[1]);
    // a length Titan does not offer: Bedrock's ValidationException, not retried
    let e = client
        .embed(EmbeddingRequest {
            model: "amazon.titan-embed-text-v2:0".to_owned(),
            input: vec!["x".to_owned()],
            dimensions: Some(300),
            ..EmbeddingRequest::default()
        })
        .await
        .unwrap_err();
    assert_eq!(e.class, ErrorClass::BadRequest, "{e}");
    assert_eq!(e.provider_code.as_deref(), Some("ValidationException"));
    assert!(
        e.message
            .contains("#/dimensions: 300 is not a valid enum value"),
        "{e}"
    );

    // Cohere: several inputs in one call, no usage reported
    let cohere = client
        .embed(EmbeddingRequest {
            model: "cohere.embed-english-v3".to_owned(),
            input: inputs.clone(),
            ..EmbeddingRequest::default()
        })
        .await
        .unwrap();
    assert_eq!(cohere.model, "cohere.embed-english-v3");
    assert_eq!(cohere.embeddings.len(), 3);
    assert!(cohere.embeddings.iter().all(|v| v.len() == 1024));
    assert_ne!(cohere.embeddings[0], cohere.embeddings[2]);
    assert!(
        cohere.usage.is_empty(),
        "absent, not guessed: {:?}",
        cohere.usage
    );

    // an unknown model: Bedrock's 400 for an invalid model identifier
    let e = client
        .embed(EmbeddingRequest {
            model: "amazon.titan-embed-text-v9:0".to_owned(),
            input: vec!["x".to_owned()],
            ..EmbeddingRequest::default()
        })
        .await
        .unwrap_err();
    assert_eq!(e.class, ErrorClass::BadRequest, "{e}");
    assert_eq!(e.message, "The provided model identifier is invalid.");

    let h = hits(&em, &t);
    assert_eq!(h.count("invoke", "200"), 3 + 1 + 1, "{h:?}");
    assert_eq!(h.count("invoke", "400"), 2, "{h:?}");
    em.shutdown().await;
}

#[tokio::test]
async fn bedrock_embeddings_and_model_list_meet_injected_faults() {
    let (mut cfg, t) = bedrock_target();
    cfg.faults = with_faults(|f| {
        f.rate_limit_share = 1.0;
        f.retry_after_s = 7;
    });
    let em = start(vec![cfg]).await;
    let client = client_for(&em, &t, ClientOptions::default());
    let e = client
        .embed(EmbeddingRequest {
            model: "cohere.embed-english-v3".to_owned(),
            input: vec!["x".to_owned()],
            ..EmbeddingRequest::default()
        })
        .await
        .unwrap_err();
    assert_eq!(
        e.class,
        ErrorClass::RateLimited {
            retry_after: Some(Duration::from_secs(7))
        },
        "{e}"
    );
    let e = client.list_models().await.unwrap_err();
    assert!(matches!(e.class, ErrorClass::RateLimited { .. }), "{e}");
    let h = hits(&em, &t);
    assert_eq!(h.count("invoke", "429"), 1, "{h:?}");
    assert_eq!(h.count("foundation_models", "429"), 1, "{h:?}");
    em.shutdown().await;
}

/// Every cloud's refusal of a request over its model's token limits reaches the caller as
/// `ContextTooLong` (the prompt, or prompt plus output cap, does not fit: a bigger window may
/// serve it) or `BadRequest` (an output cap over the model's largest), never as retryable.
#[tokio::test]
async fn token_limit_refusals_classify_in_every_protocol() {
    const MAX_OUT: u32 = 20;
    let prompt = vec!["token"; 120].join(" ");
    let prompt_tokens = count_tokens(&prompt) as u32;
    // the prompt fits the window alone, but not with the largest output beside it
    let window = prompt_tokens + MAX_OUT / 2;
    let all: Vec<_> = all_targets()
        .into_iter()
        .map(|(mut cfg, t)| {
            cfg.limits = Limits {
                context_window: Some(window),
                max_output_tokens: Some(MAX_OUT),
                ..Limits::default()
            };
            (cfg, t)
        })
        .collect();
    let em = start(all.iter().map(|(c, _)| c.clone()).collect()).await;
    let long = vec!["token"; 200].join(" ");
    for (cfg, t) in &all {
        let client = client_for(&em, t, ClientOptions::default());
        let who = t.name.as_str();
        let request = |text: &str, max: u32| ChatRequest {
            max_tokens: Some(max),
            ..ChatRequest::user_text(&t.chat_model, text)
        };
        let e = client.chat(request("hi", MAX_OUT + 1)).await.unwrap_err();
        assert_eq!(e.class, ErrorClass::BadRequest, "{who}: {e}");
        assert_eq!(e.status, Some(400), "{who}");
        let e = client.chat(request(&long, 5)).await.unwrap_err();
        assert_eq!(e.class, ErrorClass::ContextTooLong, "{who}: {e}");
        assert!(!e.is_retryable(), "{who}");
        let se = client.chat_stream(request(&long, 5)).await.unwrap_err();
        assert_eq!(se.class, ErrorClass::ContextTooLong, "{who} (stream): {se}");
        let combined = client.chat(request(&prompt, MAX_OUT)).await;
        if cfg.protocol.output_shares_context() {
            let e = combined.unwrap_err();
            assert_eq!(e.class, ErrorClass::ContextTooLong, "{who}: {e}");
        } else {
            let resp = combined.unwrap_or_else(|e| panic!("{who}: {e}"));
            assert_eq!(
                resp.usage.input_tokens,
                Some(u64::from(prompt_tokens)),
                "{who}"
            );
        }
    }
    em.shutdown().await;
}

// ---- faults ----------------------------------------------------------------------------------

/// One target per protocol family plus the dialects whose error bodies differ (Azure).
fn fault_targets() -> Vec<(ProviderConfig, Target)> {
    all_targets()
        .into_iter()
        .filter(|(_, t)| {
            !matches!(t.protocol, Protocol::OpenAi(d) if d != Dialect::OpenAi && d != Dialect::Azure && d != Dialect::DeepSeek)
        })
        .collect()
}

fn with_faults(f: impl FnOnce(&mut Faults)) -> Faults {
    let mut faults = Faults::default();
    f(&mut faults);
    faults
}

fn quick_options() -> ClientOptions {
    ClientOptions {
        first_byte_timeout: Duration::from_millis(400),
        first_token_timeout: Duration::from_secs(5),
        stream_idle_timeout: Duration::from_millis(300),
        ..ClientOptions::default()
    }
}

#[tokio::test]
async fn http_error_faults_classify_in_every_protocol() {
    let all = fault_targets();
    let em = start(all.iter().map(|(c, _)| c.clone()).collect()).await;
    for (_, t) in &all {
        let client = client_for(&em, t, ClientOptions::default());
        let who = t.name.as_str();
        let route = chat_route(t.protocol, false);
        let cases: [(Faults, ErrorClass, &str); 3] = [
            (
                with_faults(|f| {
                    f.rate_limit_share = 1.0;
                    f.retry_after_s = 7;
                }),
                ErrorClass::RateLimited {
                    retry_after: Some(Duration::from_secs(7)),
                },
                "429",
            ),
            (
                with_faults(|f| f.server_error_share = 1.0),
                ErrorClass::ServerError,
                "500",
            ),
            (
                with_faults(|f| f.unavailable_share = 1.0),
                ErrorClass::Overloaded,
                if t.protocol == Protocol::Anthropic {
                    "529"
                } else {
                    "503"
                },
            ),
        ];
        for (faults, expect, status) in cases {
            em.set_faults(&t.name, faults).unwrap();
            let e = client.chat(chat_request(t)).await.unwrap_err();
            assert_eq!(e.class, expect, "{who} {status}: got {e:?}");
            assert!(e.is_retryable(), "{who} {status}");
            assert_eq!(
                e.status.map(|s| s.to_string()).as_deref(),
                Some(status),
                "{who}"
            );
            // streams fail the same way, before any event
            let se = client.chat_stream(chat_request(t)).await.unwrap_err();
            assert_eq!(se.class, e.class, "{who} {status} (stream)");
            let h = hits(&em, t);
            let stream_route = chat_route(t.protocol, true);
            let n = if stream_route == route {
                h.count(route, status)
            } else {
                h.count(route, status) + h.count(stream_route, status)
            };
            assert_eq!(n, 2, "{who} {status}: {h:?}");
        }
        em.set_faults(&t.name, Faults::default()).unwrap();
        client.chat(chat_request(t)).await.unwrap();
        assert_eq!(hits(&em, t).total, 7, "{who}");
    }
    em.shutdown().await;
}

#[tokio::test]
async fn connection_faults_classify_in_every_protocol() {
    let all = fault_targets();
    let em = start(all.iter().map(|(c, _)| c.clone()).collect()).await;
    for (_, t) in &all {
        let who = t.name.as_str();
        let client = client_for(&em, t, quick_options());

        // reset before any response
        em.set_faults(&t.name, with_faults(|f| f.reset_share = 1.0))
            .unwrap();
        let e = client.chat(chat_request(t)).await.unwrap_err();
        assert_eq!(e.class, ErrorClass::ConnectionReset, "{who}: {e:?}");
        let e = client.chat_stream(chat_request(t)).await.unwrap_err();
        assert_eq!(e.class, ErrorClass::ConnectionReset, "{who}: {e:?}");
        let h = hits(&em, t);
        assert_eq!(h.faults.reset, 2, "{who}: {h:?}");

        // outage: an unavailable answer, or dropped connections
        em.set_faults(&t.name, with_faults(|f| f.down = true))
            .unwrap();
        let e = client.chat(chat_request(t)).await.unwrap_err();
        assert_eq!(e.class, ErrorClass::Overloaded, "{who}: {e:?}");
        em.set_faults(
            &t.name,
            with_faults(|f| {
                f.outage = Some(Outage {
                    start_s: 0.0,
                    end_s: None,
                    mode: OutageMode::Reset,
                });
            }),
        )
        .unwrap();
        let e = client.chat(chat_request(t)).await.unwrap_err();
        assert_eq!(e.class, ErrorClass::ConnectionReset, "{who}: {e:?}");
        assert_eq!(hits(&em, t).faults.outage, 2, "{who}");

        // slow headers: the first-byte timeout fires
        em.set_faults(
            &t.name,
            with_faults(|f| {
                f.slow_headers_share = 1.0;
                f.slow_headers_ms = 30_000;
            }),
        )
        .unwrap();
        let e = client.chat_stream(chat_request(t)).await.unwrap_err();
        assert_eq!(e.class, ErrorClass::Timeout, "{who}: {e:?}");
        assert!(e.message.contains("first byte"), "{who}: {e}");
        assert_eq!(hits(&em, t).faults.slow_headers, 1, "{who}");

        em.set_faults(&t.name, Faults::default()).unwrap();
        client.chat(chat_request(t)).await.unwrap();
        let h = hits(&em, t);
        assert_eq!(
            h.count(chat_route(t.protocol, false), "200"),
            1,
            "{who}: {h:?}"
        );
    }
    em.shutdown().await;
}

#[tokio::test]
async fn stream_faults_classify_in_every_protocol() {
    let all = fault_targets();
    let em = start(all.iter().map(|(c, _)| c.clone()).collect()).await;
    for (_, t) in &all {
        let who = t.name.as_str();
        let client = client_for(&em, t, quick_options());

        // cut after N tokens: N tokens arrive, then StreamCut
        em.set_faults(
            &t.name,
            with_faults(|f| {
                f.cut_share = 1.0;
                f.cut_after_tokens = 6;
            }),
        )
        .unwrap();
        let (events, timing, error) = run_stream(&client, chat_request(t)).await;
        let e = error.unwrap_or_else(|| panic!("{who}: cut stream ended cleanly: {events:?}"));
        assert_eq!(e.class, ErrorClass::StreamCut, "{who}: {e:?}");
        assert!(timing.first_token.is_some(), "{who}");
        let text: String = events
            .iter()
            .filter_map(|e| match e {
                StreamEvent::TextDelta(t) => Some(t.as_str()),
                _ => None,
            })
            .collect();
        assert_eq!(count_tokens(&text), 6, "{who}: {text:?}");
        assert!(!events.contains(&StreamEvent::Done), "{who}");

        // stall for good after 3 tokens: the idle timeout fires
        em.set_faults(
            &t.name,
            with_faults(|f| {
                f.stall_share = 1.0;
                f.stall_after_tokens = 3;
                f.stall_ms = None;
            }),
        )
        .unwrap();
        let (events, _, error) = run_stream(&client, chat_request(t)).await;
        let e = error.unwrap_or_else(|| panic!("{who}: stalled stream ended: {events:?}"));
        assert_eq!(e.class, ErrorClass::Timeout, "{who}: {e:?}");
        assert!(e.message.contains("idle"), "{who}: {e}");
        assert!(
            events.iter().any(StreamEvent::is_token),
            "{who}: tokens before the stall"
        );

        // a short stall shorter than the idle timeout is survived
        em.set_faults(
            &t.name,
            with_faults(|f| {
                f.stall_share = 1.0;
                f.stall_after_tokens = 3;
                f.stall_ms = Some(50);
            }),
        )
        .unwrap();
        let (events, _, error) = run_stream(&client, chat_request(t)).await;
        assert!(error.is_none(), "{who}: {error:?}");
        assert_eq!(
            count_tokens(accumulate(&events).text()),
            OUTPUT_TOKENS,
            "{who}"
        );

        let h = hits(&em, t);
        assert_eq!(h.faults.cut, 1, "{who}: {h:?}");
        assert_eq!(h.faults.stall, 2, "{who}: {h:?}");
        assert_eq!(
            h.count(chat_route(t.protocol, true), "200"),
            3,
            "{who}: {h:?}"
        );
    }
    em.shutdown().await;
}

/// The class a caller sees for the emulator's in-stream error of `kind` (`None`: the protocol's
/// usual one) in `protocol`.
fn in_stream_error_class(protocol: Protocol, kind: Option<StreamErrorKind>) -> ErrorClass {
    match (kind, protocol) {
        (Some(StreamErrorKind::ServerError), _) | (None, Protocol::OpenAi(_)) => {
            ErrorClass::ServerError
        }
        (Some(StreamErrorKind::Overloaded), _) | (None, Protocol::Anthropic | Protocol::Gemini) => {
            ErrorClass::Overloaded
        }
        (Some(StreamErrorKind::RateLimited), _) => ErrorClass::RateLimited { retry_after: None },
        // modelStreamErrorException, "A streaming error occurred. Retry your request."
        (None, Protocol::Bedrock) => ErrorClass::StreamCut,
    }
}

#[tokio::test]
async fn in_stream_errors_classify_in_every_protocol() {
    let all = fault_targets();
    let em = start(all.iter().map(|(c, _)| c.clone()).collect()).await;
    for (_, t) in &all {
        let who = t.name.as_str();
        let client = client_for(&em, t, quick_options());
        let kinds = [
            None,
            Some(StreamErrorKind::ServerError),
            Some(StreamErrorKind::Overloaded),
            Some(StreamErrorKind::RateLimited),
        ];
        for kind in kinds {
            em.set_faults(
                &t.name,
                with_faults(|f| {
                    f.stream_error_share = 1.0;
                    f.stream_error_after_tokens = 4;
                    f.stream_error_kind = kind;
                }),
            )
            .unwrap();
            let (events, timing, error) = run_stream(&client, chat_request(t)).await;
            let e = error.unwrap_or_else(|| panic!("{who} {kind:?}: stream ended: {events:?}"));
            assert_eq!(
                e.class,
                in_stream_error_class(t.protocol, kind),
                "{who} {kind:?}: {e:?}"
            );
            assert!(e.is_retryable(), "{who} {kind:?}");
            assert!(e.should_fail_over(), "{who} {kind:?}");
            // the provider's own name for the error is kept
            let code = e.provider_code.clone().unwrap_or_default();
            match (t.protocol, kind) {
                (Protocol::Anthropic, None) => assert_eq!(code, "overloaded_error", "{who}"),
                (Protocol::Bedrock, None) => {
                    assert_eq!(code, "modelStreamErrorException", "{who}");
                }
                (Protocol::Bedrock, Some(StreamErrorKind::RateLimited)) => {
                    assert_eq!(code, "throttlingException", "{who}");
                }
                (Protocol::Gemini, None) => assert_eq!(code, "UNAVAILABLE", "{who}"),
                _ => {}
            }
            // the tokens before the error arrived and were timed; the stream never completed
            let text: String = events
                .iter()
                .filter_map(|e| match e {
                    StreamEvent::TextDelta(t) => Some(t.as_str()),
                    _ => None,
                })
                .collect();
            assert_eq!(count_tokens(&text), 4, "{who} {kind:?}: {text:?}");
            assert!(timing.first_token.is_some(), "{who} {kind:?}");
            assert!(timing.completed.is_none(), "{who} {kind:?}");
            assert!(!events.contains(&StreamEvent::Done), "{who} {kind:?}");
        }
        let h = hits(&em, t);
        assert_eq!(h.faults.stream_error, 4, "{who}: {h:?}");
        assert_eq!(h.faults.cut, 0, "{who}: {h:?}");
        // the error came inside a 200 stream, not as an HTTP error
        assert_eq!(
            h.count(chat_route(t.protocol, true), "200"),
            4,
            "{who}: {h:?}"
        );
    }
    em.shutdown().await;
}

#[tokio::test]
async fn slow_first_token_trips_the_first_token_timeout_in_every_protocol() {
    let mut all = fault_targets();
    for (cfg, _) in &mut all {
        cfg.ttft_ms = Dist::Fixed(5_000.0);
    }
    let em = start(all.iter().map(|(c, _)| c.clone()).collect()).await;
    for (_, t) in &all {
        let who = t.name.as_str();
        let options = ClientOptions {
            first_token_timeout: Duration::from_millis(300),
            stream_idle_timeout: Duration::from_secs(30),
            ..ClientOptions::default()
        };
        let client = client_for(&em, t, options);
        // headers come at once, the first token does not
        let (events, timing, error) = run_stream(&client, chat_request(t)).await;
        let e = error.unwrap_or_else(|| panic!("{who}: stream ended: {events:?}"));
        assert_eq!(e.class, ErrorClass::Timeout, "{who}: {e:?}");
        assert!(e.message.contains("first token"), "{who}: {e}");
        assert!(timing.first_token.is_none(), "{who}");
        assert!(!events.iter().any(StreamEvent::is_token), "{who}");
        // Anthropic's message_start (with the input usage) arrives with the response, long
        // before the first token, and does not count as one; the other protocols send nothing
        // until the first token
        if t.protocol == Protocol::Anthropic {
            assert!(
                matches!(events[..], [StreamEvent::Start { .. }, StreamEvent::Usage(u)] if u.input_tokens == Some(expected_input_tokens())),
                "{who}: {events:?}"
            );
            assert!(timing.first_byte.is_some(), "{who}: {timing:?}");
        } else {
            assert!(events.is_empty(), "{who}: {events:?}");
            assert!(timing.first_byte.is_none(), "{who}: {timing:?}");
        }
    }
    em.shutdown().await;
}

#[tokio::test]
async fn auth_failures_classify_in_every_protocol() {
    let all = all_targets();
    let mut cfgs: Vec<ProviderConfig> = all.iter().map(|(c, _)| c.clone()).collect();
    for c in &mut cfgs {
        c.api_keys = vec!["the-right-key".to_owned(), "AKIDRIGHT".to_owned()];
    }
    let em = start(cfgs).await;
    for (_, t) in &all {
        let who = t.name.as_str();
        let client = client_for(&em, t, ClientOptions::default());
        let e = client.chat(chat_request(t)).await.unwrap_err();
        assert_eq!(e.class, ErrorClass::Auth, "{who}: {e:?}");
        assert!(!e.is_retryable(), "{who}");
        assert!(
            !e.message.contains("sk-interop-test"),
            "{who}: the key leaked into the message: {e}"
        );
    }
    em.shutdown().await;
}

// ---- SigV4 ---------------------------------------------------------------------------------------

#[tokio::test]
async fn bedrock_sigv4_signatures_are_verified_when_the_emulator_knows_the_secret() {
    let (mut cfg, t) = bedrock_target();
    cfg.api_keys = vec!["AKIDINTEROPTEST".to_owned()];
    cfg.embedding_models
        .push("cohere.embed-multilingual-v3".to_owned());
    cfg.aws_secret_access_key = Some("interop-secret".to_owned());
    let em = start(vec![cfg]).await;
    let who = t.name.as_str();
    let bound = em.provider(&t.name).unwrap();
    let client_with = |secret: &str, token: Option<&str>| {
        let creds = Credentials::Aws(AwsCredentials {
            access_key_id: "AKIDINTEROPTEST".to_owned(),
            secret_access_key: Secret::new(secret),
            session_token: token.map(Secret::new),
        });
        let mut endpoint = ProviderEndpoint::new(t.protocol, bound.base_url.clone(), creds);
        endpoint.region = Some("eu-central-1".to_owned());
        ProviderClient::new(endpoint, ClientOptions::default()).unwrap()
    };

    // the client's signature (over a model id with a percent-encoded ':') is accepted
    let good = client_with("interop-secret", None);
    let resp = good
        .chat(chat_request(&t))
        .await
        .unwrap_or_else(|e| panic!("{who}: {e}"));
    assert_eq!(count_tokens(resp.text()), OUTPUT_TOKENS);
    let (events, _, error) = run_stream(&good, tool_request(&t)).await;
    assert!(error.is_none(), "{who}: {error:?}");
    assert_eq!(accumulate(&events).choices[0].tool_calls.len(), 1);
    // temporary credentials sign x-amz-security-token too
    let with_token = client_with("interop-secret", Some("FwoGZXIvYXdzEXAMPLETOKEN"));
    with_token.chat(chat_request(&t)).await.unwrap();

    // InvokeModel and ListFoundationModels (a GET without a body) are signed the same way
    let embedded = good
        .embed(EmbeddingRequest {
            model: "amazon.titan-embed-text-v2:0".to_owned(),
            input: vec!["signed".to_owned(), "twice".to_owned()],
            dimensions: Some(256),
            ..EmbeddingRequest::default()
        })
        .await
        .unwrap_or_else(|e| panic!("{who}: {e}"));
    assert_eq!(embedded.embeddings.len(), 2);
    good.embed(EmbeddingRequest {
        model: "cohere.embed-multilingual-v3".to_owned(),
        input: vec!["uno".to_owned(), "dos".to_owned()],
        ..EmbeddingRequest::default()
    })
    .await
    .unwrap_or_else(|e| panic!("{who}: {e}"));
    let models = good
        .list_models()
        .await
        .unwrap_or_else(|e| panic!("{who}: {e}"));
    assert!(models
        .iter()
        .any(|m| m.id == "cohere.embed-multilingual-v3"));

    // a wrong secret gives a different signature: 403 InvalidSignatureException, not retried
    let bad = client_with("not-the-secret", None);
    let refused = [
        bad.embed(EmbeddingRequest {
            model: "amazon.titan-embed-text-v2:0".to_owned(),
            input: vec!["x".to_owned()],
            ..EmbeddingRequest::default()
        })
        .await
        .unwrap_err(),
        bad.list_models().await.unwrap_err(),
    ];
    for e in refused {
        assert_eq!(e.class, ErrorClass::Auth, "{who}: {e:?}");
        assert_eq!(
            e.provider_code.as_deref(),
            Some("InvalidSignatureException"),
            "{who}"
        );
    }
    for stream in [false, true] {
        let e = if stream {
            bad.chat_stream(chat_request(&t)).await.unwrap_err()
        } else {
            bad.chat(chat_request(&t)).await.unwrap_err()
        };
        assert_eq!(e.class, ErrorClass::Auth, "{who}: {e:?}");
        assert_eq!(e.status, Some(403), "{who}");
        assert_eq!(
            e.provider_code.as_deref(),
            Some("InvalidSignatureException"),
            "{who}"
        );
        assert!(
            e.message
                .starts_with("The request signature we calculated does not match"),
            "{who}: {e}"
        );
        assert!(!e.is_retryable(), "{who}");
        assert!(!e.message.contains("not-the-secret"), "{who}: {e}");
    }

    let h = hits(&em, &t);
    assert_eq!(h.count("converse", "200"), 2, "{h:?}");
    assert_eq!(h.count("converse_stream", "200"), 1, "{h:?}");
    assert_eq!(h.count("converse", "403"), 1, "{h:?}");
    assert_eq!(h.count("converse_stream", "403"), 1, "{h:?}");
    assert_eq!(h.count("invoke", "200"), 3, "{h:?}");
    assert_eq!(h.count("invoke", "403"), 1, "{h:?}");
    assert_eq!(h.count("foundation_models", "200"), 1, "{h:?}");
    assert_eq!(h.count("foundation_models", "403"), 1, "{h:?}");
    em.shutdown().await;
}

// ---- prompt caching ----------------------------------------------------------------------------

/// Words in the long system prompt: above every family's minimum cacheable prefix (Gemini's
/// 2048 is the largest).
const LONG_SYSTEM_WORDS: u32 = 2200;

/// Where a request asks the marker protocols (Anthropic, Bedrock) to cache.
#[derive(Debug, Clone, Copy)]
enum Breakpoint {
    /// A hint on the system message: `cache_control` on the system block, or a `cachePoint`
    /// after it.
    System,
    /// A request-level hint: Anthropic's automatic caching (top-level `cache_control`), a
    /// `cachePoint` after the last message on Bedrock.
    Request,
}

/// A long system prompt, different per breakpoint so the two cases share no cached prefix.
fn long_system(at: Breakpoint) -> String {
    let word = match at {
        Breakpoint::System => "rule",
        Breakpoint::Request => "clause",
    };
    let words: Vec<String> = (0..LONG_SYSTEM_WORDS)
        .map(|i| format!("{word}{i}"))
        .collect();
    words.join(" ")
}

/// The same hinted request goes to every protocol: the implicit-caching ones ignore the hint.
fn long_system_request(t: &Target, at: Breakpoint) -> ChatRequest {
    let system = Message::text(Role::System, long_system(at));
    let (system, cache) = match at {
        Breakpoint::System => (system.with_cache(CacheHint::new()), None),
        Breakpoint::Request => (system, Some(CacheHint::with_ttl(CacheTtl::OneHour))),
    };
    ChatRequest {
        messages: vec![system, Message::text(Role::User, PROMPT)],
        max_tokens: Some(256),
        cache,
        ..ChatRequest::user_text(&t.chat_model, "")
    }
}

/// A repeated prompt reports cached input tokens through the client in every protocol and
/// dialect, none the first time, by each family's rule: OpenAI and most compatible members in
/// 128-token steps, DeepSeek in 64-token units, Gemini exactly, Anthropic and Bedrock up to the
/// breakpoint the request's [`CacheHint`] placed, the first call writing exactly that much.
#[tokio::test]
async fn repeated_prompts_report_cached_input_tokens_in_every_protocol() {
    let (cfgs, targets): (Vec<_>, Vec<_>) = all_targets().into_iter().unzip();
    let em = start(cfgs).await;
    for at in [Breakpoint::System, Breakpoint::Request] {
        let system = u64::from(count_tokens(&long_system(at)));
        let total = system + u64::from(count_tokens(PROMPT));
        for t in &targets {
            let who = format!("{} ({at:?} breakpoint)", t.name);
            let client = client_for(&em, t, ClientOptions::default());
            let (cached, written) = match (t.protocol, at) {
                (Protocol::OpenAi(Dialect::DeepSeek), _) => (total - total % 64, None),
                (Protocol::OpenAi(Dialect::GeminiOpenAi) | Protocol::Gemini, _) => (total, None),
                (Protocol::OpenAi(_), _) => (total - total % 128, None),
                (Protocol::Anthropic | Protocol::Bedrock, Breakpoint::System) => {
                    (system, Some(system))
                }
                (Protocol::Anthropic | Protocol::Bedrock, Breakpoint::Request) => {
                    (total, Some(total))
                }
            };

            let first = client
                .chat(long_system_request(t, at))
                .await
                .unwrap_or_else(|e| panic!("{who}: {e}"));
            let u = &first.usage;
            assert_eq!(u.input_tokens, Some(total), "{who}: {u:?}");
            assert_eq!(u.cached_input_tokens.unwrap_or(0), 0, "{who}: {u:?}");
            assert_eq!(u.cache_write_input_tokens, written, "{who}: {u:?}");

            let second = client
                .chat(long_system_request(t, at))
                .await
                .unwrap_or_else(|e| panic!("{who}: {e}"));
            let u = &second.usage;
            assert!(cached > 0, "{who}");
            assert_eq!(u.input_tokens, Some(total), "{who}: {u:?}");
            assert_eq!(u.cached_input_tokens, Some(cached), "{who}: {u:?}");
            assert_eq!(
                u.cache_write_input_tokens,
                written.map(|_| 0),
                "{who}: {u:?}"
            );
            assert_eq!(
                second.text(),
                first.text(),
                "{who}: caching changes no text"
            );

            let (events, _, error) = run_stream(&client, long_system_request(t, at)).await;
            assert!(error.is_none(), "{who}: {error:?}");
            let streamed = accumulate(&events);
            assert_eq!(streamed.usage, second.usage, "{who}: streamed usage");
        }
    }
    for t in &targets {
        // per breakpoint case two calls and a stream, all answered
        let h = hits(&em, t);
        assert_eq!(h.total, 6, "{}: {h:?}", t.name);
        let (plain, streamed) = (chat_route(t.protocol, false), chat_route(t.protocol, true));
        if plain == streamed {
            assert_eq!(h.count(plain, "200"), 6, "{}: {h:?}", t.name);
        } else {
            assert_eq!(h.count(plain, "200"), 4, "{}: {h:?}", t.name);
            assert_eq!(h.count(streamed, "200"), 2, "{}: {h:?}", t.name);
        }
    }
    em.shutdown().await;
}
