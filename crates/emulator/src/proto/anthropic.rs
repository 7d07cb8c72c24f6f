//! Anthropic Messages: `POST /v1/messages`, non-streaming and typed SSE events.

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::response::Response;
use axum::routing::{get, post};
use axum::{Extension, Router};
use bytes::{Bytes, BytesMut};
use http::{HeaderMap, StatusCode};
use serde::Serialize;
use serde_json::{json, Value};

use super::limits::{self, Overrun};
use super::{
    bad, bearer, bound_text, chat_model, header, json_response, key_ok, make_id, millis,
    prompt_builder, stream_response, Ctx, ErrKind, Fault, Kind, Rule,
};
use crate::cache::{marker_ttl, Block, Prompt};
use crate::config::StreamErrorKind;
use crate::plan::{request_hash, BlockKind, ChatSpec, Finish, Plan, Reasoning, ToolCall};
use crate::server::{ConnKill, Provider};
use crate::stream::{paced, sse_event, Encoder};
use tokio::time::Instant;

pub(crate) fn router() -> Router<Arc<Provider>> {
    Router::new()
        .route("/v1/messages", post(messages))
        .route("/v1/models", get(list_models))
        .route("/v1/models/{model}", get(get_model))
}

/// `{"type":"error","error":{"type","message"},"request_id"}` with Anthropic's statuses
/// (529 for overloaded). Verified against docs.claude.com/en/api/errors: "Errors are always
/// returned as JSON, with a top-level `error` object that always includes a `type` and
/// `message` value. The response also includes a `request_id` field"; 400
/// invalid_request_error, 401 authentication_error, 404 not_found_error, 429 rate_limit_error,
/// 500 api_error, 529 overloaded_error; every response carries a `request-id` header.
/// Serial of error responses (they have no request context to number them).
static ERROR_SERIAL: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);

fn error(kind: &ErrKind) -> Response {
    let (status, ty, message, extra): (u16, &str, String, Vec<(&'static str, String)>) = match kind
    {
        ErrKind::Unauthorized(m) => (401, "authentication_error", m.clone(), vec![]),
        ErrKind::BadRequest { message, .. } => {
            (400, "invalid_request_error", message.clone(), vec![])
        }
        ErrKind::ModelNotFound(m) => (404, "not_found_error", format!("model: {m}"), vec![]),
        ErrKind::RateLimited { retry_after_s } => (
            429,
            "rate_limit_error",
            "Number of requests has exceeded your per-minute rate limit. Please try again later."
                .to_owned(),
            vec![
                ("retry-after", retry_after_s.to_string()),
                ("anthropic-ratelimit-requests-remaining", "0".to_owned()),
            ],
        ),
        ErrKind::Server => (500, "api_error", "Internal server error".to_owned(), vec![]),
        ErrKind::Unavailable => (529, "overloaded_error", "Overloaded".to_owned(), vec![]),
    };
    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    // Each error gets its own id, in the body and the header, as every real response does.
    let serial = ERROR_SERIAL.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let request_id = format!("req_01{}", make_id(serial, 3, 22));
    let mut extra = extra;
    extra.push(("request-id", request_id.clone()));
    let body = json!({"type": "error", "error": {"type": ty, "message": message}, "request_id": request_id});
    json_response(status, &body, &extra)
}

async fn messages(
    State(p): State<Arc<Provider>>,
    conn: Option<Extension<ConnKill>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let ctx = Ctx::new(&p, "messages", conn.map(|Extension(c)| c));
    if let Some(r) = ctx.gate(error).await {
        return r;
    }
    match checked(&ctx, &headers, &body).await {
        Ok(r) => ctx.finish(r),
        Err(kind) => ctx.finish(error(&kind)),
    }
}

struct Req {
    spec: ChatSpec,
    prompt: Prompt,
    stream: bool,
}

/// Breakpoints a request may carry: "A maximum of 4 blocks with cache_control may be provided"
/// (the API's 400 text, quoted in many client repositories; the prompt-caching docs say "up to
/// 4 cache breakpoints", automatic caching using one of them).
const MAX_BREAKPOINTS: usize = 4;

/// The prompt in Anthropic's render order, tools, system, messages, one unit per block; a
/// block's `cache_control` is a breakpoint after it, a top-level `cache_control` one after the
/// last block (automatic caching). The units' tokens are the request's input tokens.
fn prompt(p: &Provider, model: &str, v: &Value, messages: &[Value]) -> Prompt {
    let mut b = prompt_builder(p, model, &[]);
    if let Some(Value::Array(tools)) = v.get("tools") {
        for t in tools {
            b.unit(t);
            if let Some(cc) = t.get("cache_control") {
                b.marker(marker_ttl(cc));
            }
        }
    }
    match v.get("system") {
        Some(Value::Array(blocks)) => {
            for block in blocks {
                b.unit(block);
                if let Some(cc) = block.get("cache_control") {
                    b.marker(marker_ttl(cc));
                }
            }
        }
        Some(system) => b.unit(system),
        None => {}
    }
    for m in messages {
        b.message(m, |block| Block::Unit {
            marker: block.get("cache_control"),
        });
    }
    if let Some(cc) = v.get("cache_control") {
        b.marker(marker_ttl(cc));
    }
    b.finish()
}

/// The JSON schema a structured-output request asks for. `output_config: {format: {type:
/// "json_schema", schema}}` is the generally available form; `output_format` (the same
/// format, top level) is the beta's, taken only with the `structured-outputs-...` beta named
/// in `anthropic-beta` and refused otherwise as any unknown key is: `output_format: Extra
/// inputs are not permitted` (the body as Vertex AI's Claude answers it, quoted in a gateway's
/// transformer notes). The answer is then one text block of JSON that satisfies the schema
/// (platform.claude.com "Structured outputs").
fn structured_output(v: &Value, betas: &[&str]) -> Result<Option<Value>, ErrKind> {
    let beta = betas
        .iter()
        .any(|b| b.trim().starts_with("structured-outputs-"));
    let (field, format) = match (v.get("output_format"), v.pointer("/output_config/format")) {
        (Some(f), _) if !f.is_null() => {
            if !beta {
                return Err(bad("output_format: Extra inputs are not permitted", None));
            }
            ("output_format", f)
        }
        (_, Some(f)) if !f.is_null() => ("output_config.format", f),
        _ => return Ok(None),
    };
    match format.get("type").and_then(Value::as_str) {
        Some("json_schema") => {}
        _ => {
            return Err(bad(
                format!("{field}.type: Input should be 'json_schema'"),
                None,
            ))
        }
    }
    match format.get("schema") {
        Some(schema @ Value::Object(_)) => Ok(Some(schema.clone())),
        Some(_) => Err(bad(
            format!("{field}.schema: Input should be a valid dictionary"),
            None,
        )),
        None => Err(bad(format!("{field}.schema: Field required"), None)),
    }
}

/// The betas a request names in `anthropic-beta` (comma-separated, possibly repeated).
fn betas(headers: &HeaderMap) -> Vec<&str> {
    headers
        .get_all("anthropic-beta")
        .iter()
        .filter_map(|h| h.to_str().ok())
        .flat_map(|h| h.split(','))
        .map(str::trim)
        .collect()
}

fn parse(p: &Provider, v: &Value, betas: &[&str]) -> Result<Req, ErrKind> {
    let Some(model) = v
        .get("model")
        .and_then(Value::as_str)
        .filter(|m| !m.is_empty())
    else {
        return Err(bad("model: Field required", Some("model")));
    };
    let max_tokens = match v.get("max_tokens") {
        None => return Err(bad("max_tokens: Field required", Some("max_tokens"))),
        Some(n) => match (n.as_u64(), MAX_TOKENS.check(Some(n))) {
            (Some(n), Ok(())) => n,
            (_, Err(fault)) => return Err(field_error("max_tokens", fault)),
            // `null` where an integer is required
            (None, Ok(())) => return Err(field_error("max_tokens", Fault::Type(Kind::Integer))),
        },
    };
    let messages = match v.get("messages") {
        Some(Value::Array(m)) if !m.is_empty() => m,
        Some(Value::Array(_)) => {
            return Err(bad(
                "messages: at least one message is required",
                Some("messages"),
            ))
        }
        _ => return Err(bad("messages: Field required", Some("messages"))),
    };
    for (i, m) in messages.iter().enumerate() {
        match m.get("role").and_then(Value::as_str) {
            Some("user" | "assistant") => {}
            other => {
                return Err(bad(
                    format!(
                        "messages.{i}.role: Input should be 'user' or 'assistant' (got {})",
                        other.unwrap_or("nothing")
                    ),
                    None,
                ))
            }
        }
    }
    check_sampling(v)?;
    let schema = structured_output(v, betas)?;
    chat_model(p, model).ok_or_else(|| ErrKind::ModelNotFound(model.to_owned()))?;
    let thinking = match v.get("thinking") {
        Some(t) if matches!(t.get("type").and_then(Value::as_str), Some("enabled")) => {
            let budget = t.get("budget_tokens").and_then(Value::as_u64).unwrap_or(0);
            if budget < 1024 {
                return Err(bad(
                    "thinking.enabled.budget_tokens: Input should be greater than or equal to 1024",
                    None,
                ));
            }
            if budget >= max_tokens {
                return Err(bad(
                    "`max_tokens` must be greater than `thinking.budget_tokens`",
                    None,
                ));
            }
            true
        }
        Some(t) if matches!(t.get("type").and_then(Value::as_str), Some("adaptive")) => true,
        _ => false,
    };
    let tools = v.get("tools").and_then(Value::as_array);
    let last_is_tool_result = messages.last().is_some_and(|m| {
        m.get("content")
            .and_then(Value::as_array)
            .is_some_and(|blocks| {
                blocks
                    .iter()
                    .any(|b| b.get("type").and_then(Value::as_str) == Some("tool_result"))
            })
    });
    let tool = match tools {
        Some(tools) if !tools.is_empty() && !last_is_tool_result => {
            pick_tool(tools, v.get("tool_choice"))?
        }
        _ => None,
    };
    // input tokens: messages, system prompt and tool definitions, counted unit by unit
    let prompt = prompt(p, model, v, messages);
    let input_tokens = prompt.tokens();
    if prompt.markers() > MAX_BREAKPOINTS {
        return Err(bad(
            format!(
                "A maximum of {MAX_BREAKPOINTS} blocks with cache_control may be provided. Found {}.",
                prompt.markers()
            ),
            None,
        ));
    }
    let spec = ChatSpec {
        hash: request_hash(
            p.cfg.seed,
            model,
            &[Some(&v["messages"]), v.get("system"), v.get("tools")],
        ),
        model: model.to_owned(),
        input_tokens,
        max_tokens: Some(max_tokens.min(u64::from(u32::MAX)) as u32),
        reasoning: if thinking {
            Reasoning::Visible
        } else {
            Reasoning::None
        },
        json_mode: schema.is_some(),
        json_schema: schema,
        tool,
    };
    limits::check(p, &spec).map_err(|o| overrun(o, model))?;
    Ok(Req {
        spec,
        prompt,
        stream: v.get("stream").and_then(Value::as_bool).unwrap_or(false),
    })
}

/// A request over its model's limits, in Anthropic's `invalid_request_error` words (quoted
/// from API responses in clients' issue trackers): `max_tokens: 100000 > 64000, which is the
/// maximum allowed number of output tokens for claude-sonnet-4-20250514` (the shape epam's
/// ai-dial-adapter-anthropic README quotes), `prompt is too long:
/// 200049 tokens > 200000 maximum` (daisuke-awaji/moca#254) and, when the prompt fits but not
/// with `max_tokens`, `input length and `max_tokens` exceed context limit: 178959 + 64000 >
/// 200000, decrease input length or `max_tokens` and try again` (docker/docker-agent#569).
fn overrun(o: Overrun, model: &str) -> ErrKind {
    match o {
        Overrun::Output { requested, limit } => bad(
            format!("max_tokens: {requested} > {limit}, which is the maximum allowed number of output tokens for {model}"),
            Some("max_tokens"),
        ),
        o @ Overrun::Context { input, window, .. } if o.prompt_alone() => bad(
            format!("prompt is too long: {input} tokens > {window} maximum"),
            None,
        ),
        Overrun::Context { input, requested, window } => bad(
            format!(
                "input length and `max_tokens` exceed context limit: {input} + {} > {window}, decrease input length or `max_tokens` and try again",
                requested.unwrap_or(0)
            ),
            None,
        ),
    }
}

/// `max_tokens`: "Required range: `x >= 1`" (platform.claude.com/docs/en/api/messages).
const MAX_TOKENS: Rule = Rule::integer_at_least(1);

/// The optional sampling fields and their documented ranges (Messages API reference:
/// temperature "Required range: `0 <= x <= 1`", top_p `0 <= x <= 1`, top_k `x >= 0`).
const SAMPLING: [(&str, Rule); 4] = [
    ("temperature", Rule::number_in(0.0, 1.0)),
    ("top_p", Rule::number_in(0.0, 1.0)),
    ("top_k", Rule::integer_at_least(0)),
    ("stream", Rule::BOOLEAN),
];

/// Refuse what Anthropic's request validation refuses. Its messages are Pydantic's, prefixed
/// with the field's location: `max_tokens: Field required`, `max_tokens: Input should be a
/// valid integer` (probed against the API and quoted in a gateway's conformance tests,
/// 2026-09), `max_tokens: Input should be greater than or equal to 1` and `temperature: Input
/// should be less than or equal to 1` (quoted by several Anthropic-compatible gateways). The
/// API answered out-of-range temperatures as `temperature: range: -1 or 0..1` until 2025
/// (anthropics/anthropic-sdk-python#893, where the maintainers say the range was since
/// tightened); the Pydantic wording is the current one. The type words for numbers, booleans
/// and lists, and the `stop_sequences.N` location, are Pydantic's and were not seen in a real
/// response.
fn check_sampling(v: &Value) -> Result<(), ErrKind> {
    for (name, rule) in SAMPLING {
        rule.check(v.get(name))
            .map_err(|fault| field_error(name, fault))?;
    }
    match v.get("stop_sequences") {
        None | Some(Value::Null) => Ok(()),
        Some(Value::Array(stops)) => match stops.iter().position(|s| !s.is_string()) {
            Some(i) => Err(bad(
                format!("stop_sequences.{i}: Input should be a valid string"),
                Some("stop_sequences"),
            )),
            None => Ok(()),
        },
        Some(_) => Err(bad(
            "stop_sequences: Input should be a valid list",
            Some("stop_sequences"),
        )),
    }
}

fn field_error(name: &str, fault: Fault) -> ErrKind {
    let reason = match fault {
        Fault::Type(Kind::Integer) => "Input should be a valid integer".to_owned(),
        Fault::Type(Kind::Number) => "Input should be a valid number".to_owned(),
        Fault::Type(Kind::Boolean) => "Input should be a valid boolean".to_owned(),
        Fault::Below(min) => format!(
            "Input should be greater than or equal to {}",
            bound_text(min)
        ),
        Fault::Above(max) => format!("Input should be less than or equal to {}", bound_text(max)),
    };
    bad(format!("{name}: {reason}"), Some(name))
}

fn pick_tool(tools: &[Value], choice: Option<&Value>) -> Result<Option<ToolCall>, ErrKind> {
    let as_call = |t: &Value| -> Option<ToolCall> {
        Some(ToolCall {
            name: t.get("name")?.as_str()?.to_owned(),
            schema: t
                .get("input_schema")
                .cloned()
                .unwrap_or_else(|| json!({"type": "object"})),
        })
    };
    match choice.and_then(|c| c.get("type")).and_then(Value::as_str) {
        Some("none") => Ok(None),
        Some("tool") => {
            let name = choice
                .and_then(|c| c.get("name"))
                .and_then(Value::as_str)
                .unwrap_or("");
            tools
                .iter()
                .filter_map(as_call)
                .find(|t| t.name == name)
                .map(Some)
                .ok_or_else(|| {
                    bad(
                        format!("tool_choice: tool '{name}' not found in tools"),
                        None,
                    )
                })
        }
        // auto (default) and any: the emulator calls the first tool
        _ => Ok(tools.iter().find_map(as_call)),
    }
}

/// The key and the `anthropic-version` header every request needs.
fn check_headers(p: &Provider, headers: &HeaderMap) -> Result<(), ErrKind> {
    let key = header(headers, "x-api-key").or_else(|| bearer(headers));
    if !key_ok(p, key) {
        return Err(ErrKind::Unauthorized(
            if key.is_none() {
                "x-api-key header is required"
            } else {
                "invalid x-api-key"
            }
            .to_owned(),
        ));
    }
    if header(headers, "anthropic-version").is_none() {
        return Err(bad("anthropic-version: header is required", None));
    }
    Ok(())
}

/// A `ModelInfo` object as "Models → List Models" documents it: `{id, created_at (RFC 3339),
/// display_name, type: "model"}` (platform.claude.com/docs/en/api/models-list).
fn model_object(id: &str) -> Value {
    json!({"type": "model", "id": id, "display_name": id, "created_at": "2025-01-01T00:00:00Z"})
}

/// `GET /v1/models`: `{data, has_more, first_id, last_id}`, one page with every model.
async fn list_models(
    State(p): State<Arc<Provider>>,
    conn: Option<Extension<ConnKill>>,
    headers: HeaderMap,
) -> Response {
    let ctx = Ctx::new(&p, "models.list", conn.map(|Extension(c)| c));
    if let Some(r) = ctx.gate(error).await {
        return r;
    }
    if let Err(kind) = check_headers(&p, &headers) {
        return ctx.finish(error(&kind));
    }
    if let Some(kind) = ctx.injected() {
        return ctx.finish(error(&kind));
    }
    let ids: Vec<&String> = p.cfg.models.iter().chain(&p.cfg.reasoning_models).collect();
    let data: Vec<Value> = ids.iter().map(|m| model_object(m)).collect();
    ctx.finish(json_response(
        StatusCode::OK,
        &json!({"data": data, "has_more": false, "first_id": ids.first(), "last_id": ids.last()}),
        &[],
    ))
}

async fn get_model(
    State(p): State<Arc<Provider>>,
    Path(model): Path<String>,
    conn: Option<Extension<ConnKill>>,
    headers: HeaderMap,
) -> Response {
    let ctx = Ctx::new(&p, "models.retrieve", conn.map(|Extension(c)| c));
    if let Some(r) = ctx.gate(error).await {
        return r;
    }
    if let Err(kind) = check_headers(&p, &headers) {
        return ctx.finish(error(&kind));
    }
    if chat_model(&p, &model).is_none() {
        return ctx.finish(error(&ErrKind::ModelNotFound(model)));
    }
    ctx.finish(json_response(StatusCode::OK, &model_object(&model), &[]))
}

async fn checked(ctx: &Ctx, headers: &HeaderMap, body: &[u8]) -> Result<Response, ErrKind> {
    let p = &ctx.p;
    check_headers(p, headers)?;
    let v = match serde_json::from_slice::<Value>(body) {
        Ok(v @ Value::Object(_)) => v,
        _ => {
            return Err(bad(
                "There was an issue with your request body: invalid JSON",
                None,
            ))
        }
    };
    let req = parse(p, &v, &betas(headers))?;
    if let Some(kind) = ctx.injected() {
        return Err(kind);
    }
    let mut rng = ctx.rng.clone();
    let fault = if req.stream { ctx.stream_fault() } else { None };
    let plan = ctx.plan(&req.spec, &req.prompt, &mut rng, fault);
    ctx.slow_headers().await;
    let id = format!("msg_01{}", make_id(ctx.serial, p.cfg.seed, 22));
    let extra = [(
        "request-id",
        format!("req_01{}", make_id(ctx.serial, 11, 22)),
    )];
    if req.stream {
        let enc = AnthropicEncoder::new(id, Sink::Sse);
        return Ok(stream_response(
            "text/event-stream; charset=utf-8",
            paced(plan, enc, Arc::clone(p), ctx.arrival),
            &extra,
        ));
    }
    if !ctx.wait_for(&plan).await {
        return Err(ErrKind::Unavailable);
    }
    Ok(json_response(
        StatusCode::OK,
        &message_body(&id, &plan),
        &extra,
    ))
}

fn stop_reason(f: Finish) -> &'static str {
    match f {
        Finish::Stop => "end_turn",
        Finish::Length => "max_tokens",
        Finish::ToolUse => "tool_use",
    }
}

fn signature(plan: &Plan) -> String {
    format!("EqQBCgIYAhIM{}", make_id(plan.serial, 0x516E, 40))
}

/// `input_tokens` is the part of the prompt neither read from nor written to the cache; the three
/// add up to the whole prompt. The prompt-caching guide's example: a first call reports
/// `{"cache_creation_input_tokens":188086,"cache_read_input_tokens":0,"input_tokens":21}`, the
/// repeat `{"cache_creation_input_tokens":0,"cache_read_input_tokens":188086,"input_tokens":21}`
/// (platform.claude.com/docs/en/build-with-claude/prompt-caching, stored copy 2026).
fn usage(plan: &Plan, output: u32) -> Value {
    let (read, write) = (plan.cache.read, plan.cache.write);
    let rest = plan.input_tokens.saturating_sub(read.saturating_add(write));
    json!({"input_tokens": rest, "cache_creation_input_tokens": write, "cache_read_input_tokens": read, "output_tokens": output})
}

/// A Messages body as Claude on Bedrock's InvokeModel takes it (the model is in the path; the
/// caller has checked Bedrock's own keys): the same validation, limits and plan input as the
/// Anthropic API's.
pub(crate) fn parse_invoke_body(
    p: &Provider,
    model: &str,
    body: &serde_json::Map<String, Value>,
) -> Result<(ChatSpec, Prompt), ErrKind> {
    let mut v = Value::Object(body.clone());
    v["model"] = Value::String(model.to_owned());
    let betas: Vec<&str> = body
        .get("anthropic_beta")
        .and_then(Value::as_array)
        .map(|b| b.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    let req = parse(p, &v, &betas)?;
    Ok((req.spec, req.prompt))
}

/// The Messages response of Claude on Bedrock: Anthropic's body with Bedrock's message ids
/// and Anthropic's own model name (`anthropic.claude-3-5-haiku-20241022-v1:0` answers as
/// `claude-3-5-haiku-20241022`).
pub(crate) fn invoke_body(serial: u64, seed: u64, plan: &Plan) -> (String, Value) {
    let id = format!("msg_bdrk_01{}", make_id(serial, seed, 22));
    let mut body = message_body(&id, plan);
    body["model"] = Value::String(claude_name(&plan.model).to_owned());
    (id, body)
}

/// `anthropic.claude-x-v1:0` (and a cross-region `us.anthropic.…`) without the Bedrock
/// prefix and version suffix.
fn claude_name(model: &str) -> &str {
    let bare = model
        .split_once("anthropic.")
        .map_or(model, |(_, rest)| rest);
    match bare.rfind("-v") {
        Some(i)
            if bare[i + 2..]
                .chars()
                .all(|c| c.is_ascii_digit() || c == ':') =>
        {
            &bare[..i]
        }
        _ => bare,
    }
}

fn message_body(id: &str, plan: &Plan) -> Value {
    let mut content = Vec::new();
    for b in plan.blocks.iter().filter(|b| b.visible) {
        content.push(match &b.kind {
            BlockKind::Reasoning => json!({"type": "thinking", "thinking": b.pieces.full(), "signature": signature(plan)}),
            BlockKind::Text => json!({"type": "text", "text": b.pieces.full()}),
            BlockKind::Tool { id, name } => {
                let input: Value = serde_json::from_str(&b.pieces.full()).unwrap_or_else(|_| json!({}));
                json!({"type": "tool_use", "id": format!("toolu_01{id}"), "name": name, "input": input})
            }
        });
    }
    json!({
        "id": id,
        "type": "message",
        "role": "assistant",
        "model": plan.model,
        "content": content,
        "stop_reason": stop_reason(plan.finish),
        "stop_sequence": null,
        "usage": usage(plan, plan.output_tokens()),
    })
}

/// Where the Messages stream events go: SSE (the Anthropic API) or, base64-wrapped, Bedrock's
/// `InvokeModelWithResponseStream` event stream (Claude on Bedrock).
pub(crate) enum Sink {
    Sse,
    Bedrock { arrival: Instant },
}

pub(crate) struct AnthropicEncoder {
    id: String,
    sink: Sink,
}

impl AnthropicEncoder {
    pub(crate) fn new(id: String, sink: Sink) -> Self {
        Self { id, sink }
    }

    fn emit<T: Serialize + ?Sized>(&self, out: &mut BytesMut, event: &str, value: &T) {
        match self.sink {
            Sink::Sse => sse_event(out, event, value),
            Sink::Bedrock { .. } => super::bedrock::chunk_frame(out, value),
        }
    }
}

#[derive(Serialize)]
struct DeltaEvent<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    index: usize,
    delta: DeltaBody<'a>,
}

#[derive(Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
#[expect(
    clippy::enum_variant_names,
    reason = "the variant names are Anthropic's delta types"
)]
enum DeltaBody<'a> {
    TextDelta { text: &'a str },
    ThinkingDelta { thinking: &'a str },
    InputJsonDelta { partial_json: &'a str },
    SignatureDelta { signature: &'a str },
}

impl Encoder for AnthropicEncoder {
    /// `message_start` (the `Message` with empty content and the input usage) and a `ping` go
    /// out as soon as the response starts, before the first token is due: the documented event
    /// flow begins with `message_start`, "Event streams may also include any number of `ping`
    /// events" (platform.claude.com "Streaming Messages"), and the model's first token arrives
    /// later in its own `content_block_start`/`content_block_delta`, so time to first token is
    /// the time to the first delta, not to the first byte.
    fn open(&mut self, plan: &Plan, out: &mut BytesMut) {
        self.emit(
            out,
            "message_start",
            &json!({"type": "message_start", "message": {
                "id": self.id, "type": "message", "role": "assistant", "model": plan.model,
                "content": [], "stop_reason": null, "stop_sequence": null, "usage": usage(plan, 1)
            }}),
        );
        if matches!(self.sink, Sink::Sse) {
            self.emit(out, "ping", &json!({"type": "ping"}));
        }
    }

    /// Everything was sent by [`Encoder::open`].
    fn begin(&mut self, _plan: &Plan, _out: &mut BytesMut) {}

    fn block_start(&mut self, plan: &Plan, block: usize, out: &mut BytesMut) {
        let Some(b) = plan.blocks.get(block) else {
            return;
        };
        let content_block = match &b.kind {
            BlockKind::Reasoning => json!({"type": "thinking", "thinking": "", "signature": ""}),
            BlockKind::Text => json!({"type": "text", "text": ""}),
            BlockKind::Tool { id, name } => {
                json!({"type": "tool_use", "id": format!("toolu_01{id}"), "name": name, "input": {}})
            }
        };
        self.emit(
            out,
            "content_block_start",
            &json!({"type": "content_block_start", "index": b.index, "content_block": content_block}),
        );
    }

    fn delta(&mut self, plan: &Plan, block: usize, text: &str, out: &mut BytesMut) {
        let Some(b) = plan.blocks.get(block) else {
            return;
        };
        let delta = match b.kind {
            BlockKind::Reasoning => DeltaBody::ThinkingDelta { thinking: text },
            BlockKind::Text => DeltaBody::TextDelta { text },
            BlockKind::Tool { .. } => DeltaBody::InputJsonDelta { partial_json: text },
        };
        self.emit(
            out,
            "content_block_delta",
            &DeltaEvent {
                kind: "content_block_delta",
                index: b.index,
                delta,
            },
        );
    }

    fn block_stop(&mut self, plan: &Plan, block: usize, out: &mut BytesMut) {
        let Some(b) = plan.blocks.get(block) else {
            return;
        };
        if b.kind == BlockKind::Reasoning {
            let sig = signature(plan);
            self.emit(
                out,
                "content_block_delta",
                &DeltaEvent {
                    kind: "content_block_delta",
                    index: b.index,
                    delta: DeltaBody::SignatureDelta { signature: &sig },
                },
            );
        }
        self.emit(
            out,
            "content_block_stop",
            &json!({"type": "content_block_stop", "index": b.index}),
        );
    }

    /// `message_delta` carries the stop reason and the *cumulative* usage (the SDKs overwrite,
    /// not add: anthropic-sdk-python `lib/streaming/_messages.py` takes `input_tokens` from it
    /// when present), then `message_stop` ends the stream (docs "Streaming Messages", event
    /// types `message_start`, `content_block_start|delta|stop`, `message_delta`,
    /// `message_stop`, `ping`, `error`).
    fn finish(&mut self, plan: &Plan, out: &mut BytesMut) {
        self.emit(
            out,
            "message_delta",
            &json!({"type": "message_delta", "delta": {"stop_reason": stop_reason(plan.finish), "stop_sequence": null}, "usage": usage(plan, plan.output_tokens())}),
        );
        match self.sink {
            Sink::Sse => self.emit(out, "message_stop", &json!({"type": "message_stop"})),
            // Bedrock adds its own metering to the last event (Bedrock user guide, Anthropic
            // Claude Messages API, streaming example: `amazon-bedrock-invocationMetrics` with
            // inputTokenCount, outputTokenCount, invocationLatency, firstByteLatency)
            Sink::Bedrock { arrival } => self.emit(
                out,
                "message_stop",
                &json!({"type": "message_stop", "amazon-bedrock-invocationMetrics": {
                    "inputTokenCount": plan.input_tokens,
                    "outputTokenCount": plan.output_tokens(),
                    "invocationLatency": millis(arrival.elapsed()),
                    "firstByteLatency": millis(plan.timing.ttft),
                }}),
            ),
        }
    }

    /// "The API may occasionally send errors in the event stream. For example, during periods of
    /// high usage, you may receive an `overloaded_error`, which would normally correspond to an
    /// HTTP 529 in a non-streaming context" (platform.claude.com "Streaming Messages", § Error
    /// events):
    /// `event: error` with `{"type":"error","error":{"type":"overloaded_error","message":
    /// "Overloaded"}}`. Nothing follows it; the SDK raises on the event.
    fn error(&mut self, _plan: &Plan, kind: Option<StreamErrorKind>, out: &mut BytesMut) {
        if matches!(self.sink, Sink::Bedrock { .. }) {
            // Bedrock ends its event stream with one of its own exception frames
            super::bedrock::stream_exception(out, kind);
            return;
        }
        let (ty, message) = match kind.unwrap_or(StreamErrorKind::Overloaded) {
            StreamErrorKind::Overloaded => ("overloaded_error", "Overloaded"),
            StreamErrorKind::ServerError => ("api_error", "Internal server error"),
            StreamErrorKind::RateLimited => (
                "rate_limit_error",
                "Number of requests has exceeded your per-minute rate limit. Please try again later.",
            ),
        };
        self.emit(
            out,
            "error",
            &json!({"type": "error", "error": {"type": ty, "message": message}}),
        );
    }
}
