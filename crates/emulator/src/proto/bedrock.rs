//! AWS Bedrock Converse and ConverseStream: `POST /model/{modelId}/converse` and
//! `/converse-stream`, the latter in the AWS binary event-stream framing; InvokeModel
//! (`POST /model/{modelId}/invoke`) for the embedding models, with Amazon Titan Text Embeddings
//! and Cohere Embed bodies; and the control plane's ListFoundationModels
//! (`GET /foundation-models`), served on the same address.
//!
//! Requests must carry `Authorization: AWS4-HMAC-SHA256 Credential=AKID/...` or a Bedrock API
//! key as `Bearer`. When `api_keys` is configured, the access key id or the bearer key must be
//! one of them. When `aws_secret_access_key` is configured too, the SigV4 signature is verified
//! ([`crate::sigv4`]): a wrong one is answered 403 `InvalidSignatureException`, a malformed
//! header 400 `IncompleteSignatureException` (Bedrock's "Troubleshooting API error codes").

use std::sync::Arc;
use std::time::SystemTime;

use aws_smithy_eventstream::frame::write_message_to;
use aws_smithy_types::event_stream::{Header, HeaderValue, Message};
use axum::extract::{Path, State};
use axum::response::Response;
use axum::routing::{get, post};
use axum::{Extension, Router};
use bytes::{Bytes, BytesMut};
use http::{HeaderMap, Method, StatusCode, Uri};
use serde::Serialize;
use serde_json::{json, Value};
use tokio::time::Instant;

use super::limits::{self, Overrun};
use super::{
    bad, bearer, bound_text, chat_model, header, json_response, key_ok, make_id, millis,
    prompt_builder, stream_response, Ctx, ErrKind, Fault, Kind, Rule,
};
use crate::cache::{marker_ttl, Block, Prompt};
use crate::config::StreamErrorKind;
use crate::plan::{
    self, count_fields_tokens, request_hash, BlockKind, ChatSpec, Finish, Plan, Reasoning, ToolCall,
};
use crate::server::{ConnKill, Provider};
use crate::sigv4::{self, Received, Rejection};
use crate::stream::{paced, Encoder};
use crate::tokenize::count_tokens;

type Conn = Option<Extension<ConnKill>>;

pub(crate) fn router() -> Router<Arc<Provider>> {
    Router::new()
        .route("/model/{model_id}/converse", post(converse))
        .route("/model/{model_id}/converse-stream", post(converse_stream))
        .route("/model/{model_id}/invoke", post(invoke))
        .route(
            "/model/{model_id}/invoke-with-response-stream",
            post(invoke_stream),
        )
        .route("/foundation-models", get(foundation_models))
}

const MISSING_AUTH: &str = "Missing Authentication Token";

/// The SigV4 signing name of Bedrock Runtime (`bedrock-runtime.{region}.amazonaws.com` signs as
/// `bedrock`).
const SIGNING_NAME: &str = "bedrock";

fn request_id(n: u64) -> String {
    let h = crate::plan::mix(n ^ 0xBED0);
    format!(
        "{:08x}-{:04x}-4{:03x}-a{:03x}-{:012x}",
        h >> 32,
        (h >> 16) & 0xffff,
        h & 0xfff,
        (h >> 20) & 0xfff,
        crate::plan::mix(h) & 0xffff_ffff_ffff
    )
}

/// Prefixes of the messages a SigV4 check answers with; they pick the exception name.
const INCOMPLETE_SIGNATURE: &str = "IncompleteSignature: ";
const INVALID_SIGNATURE: &str = "InvalidSignature: ";

/// `{"message"}` with the exception name in `x-amzn-ErrorType`.
fn error(kind: &ErrKind) -> Response {
    let (status, name, message): (u16, &str, String) = match kind {
        ErrKind::Unauthorized(m) if m == MISSING_AUTH => {
            (403, "MissingAuthenticationTokenException", m.clone())
        }
        ErrKind::Unauthorized(m) if m.starts_with(INVALID_SIGNATURE) => (
            403,
            "InvalidSignatureException",
            m[INVALID_SIGNATURE.len()..].to_owned(),
        ),
        ErrKind::Unauthorized(m) if m.starts_with(INCOMPLETE_SIGNATURE) => (
            400,
            "IncompleteSignatureException",
            m[INCOMPLETE_SIGNATURE.len()..].to_owned(),
        ),
        ErrKind::Unauthorized(m) => (403, "UnrecognizedClientException", m.clone()),
        ErrKind::BadRequest { message, .. } => (400, "ValidationException", message.clone()),
        ErrKind::ModelNotFound(_) => (
            400,
            "ValidationException",
            "The provided model identifier is invalid.".to_owned(),
        ),
        ErrKind::RateLimited { .. } => (
            429,
            "ThrottlingException",
            "Too many requests, please wait before trying again.".to_owned(),
        ),
        ErrKind::Server => (
            500,
            "InternalServerException",
            "The server encountered an internal error while processing the request.".to_owned(),
        ),
        ErrKind::Unavailable => (
            503,
            "ServiceUnavailableException",
            "Bedrock is unable to process your request.".to_owned(),
        ),
    };
    let mut extra = vec![
        (
            "x-amzn-ErrorType",
            format!("{name}:http://internal.amazon.com/coral/com.amazon.bedrock/"),
        ),
        ("x-amzn-RequestId", request_id(u64::from(status))),
    ];
    if let ErrKind::RateLimited { retry_after_s } = kind {
        extra.push(("retry-after", retry_after_s.to_string()));
    }
    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    json_response(status, &json!({"message": message}), &extra)
}

fn check_auth(p: &Provider, req: &Received<'_>) -> Result<(), ErrKind> {
    let headers = req.headers;
    let Some(auth) = header(headers, "authorization") else {
        return Err(ErrKind::Unauthorized(MISSING_AUTH.to_owned()));
    };
    let invalid = || {
        ErrKind::Unauthorized("The security token included in the request is invalid.".to_owned())
    };
    if let Some(rest) = auth.strip_prefix("AWS4-HMAC-SHA256 ") {
        let akid = rest
            .split(',')
            .map(str::trim)
            .find_map(|part| part.strip_prefix("Credential="))
            .and_then(|c| c.split('/').next());
        let signed = rest.contains("Signature=") && rest.contains("SignedHeaders=");
        match akid {
            Some(akid) if signed && key_ok(p, Some(akid)) => {}
            _ => return Err(invalid()),
        }
        let Some(secret) = &p.cfg.aws_secret_access_key else {
            return Ok(());
        };
        sigv4::verify(req, secret, SIGNING_NAME, Some(SystemTime::now())).map_err(|r| {
            ErrKind::Unauthorized(match r {
                Rejection::Incomplete(m) => format!("{INCOMPLETE_SIGNATURE}{m}"),
                Rejection::Invalid(m) => format!("{INVALID_SIGNATURE}{m}"),
            })
        })
    } else if bearer(headers).is_some() {
        if key_ok(p, bearer(headers)) {
            Ok(())
        } else {
            Err(invalid())
        }
    } else {
        Err(invalid())
    }
}

/// What a handler received, for authentication: extracted whole, as SigV4 signs the method,
/// path, query, headers and body together.
struct Request {
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
}

impl<S: Send + Sync> axum::extract::FromRequest<S> for Request {
    type Rejection = Response;

    async fn from_request(req: axum::extract::Request, state: &S) -> Result<Self, Response> {
        let method = req.method().clone();
        let uri = req.uri().clone();
        let headers = req.headers().clone();
        // the `Bytes` extractor, so the body limit is the router's as for every protocol
        let body = Bytes::from_request(req, state)
            .await
            .map_err(axum::response::IntoResponse::into_response)?;
        Ok(Self {
            method,
            uri,
            headers,
            body,
        })
    }
}

/// [`check_auth`] over the request exactly as it arrived.
fn authenticate(p: &Provider, req: &Request) -> Result<(), ErrKind> {
    let path_and_query = req
        .uri
        .path_and_query()
        .map_or_else(|| req.uri.path(), |pq| pq.as_str());
    check_auth(
        p,
        &Received {
            method: req.method.as_str(),
            path_and_query,
            headers: &req.headers,
            body: &req.body,
        },
    )
}

async fn converse(
    State(p): State<Arc<Provider>>,
    Path(model): Path<String>,
    conn: Conn,
    req: Request,
) -> Response {
    handle(p, model, conn, req, false).await
}

async fn converse_stream(
    State(p): State<Arc<Provider>>,
    Path(model): Path<String>,
    conn: Conn,
    req: Request,
) -> Response {
    handle(p, model, conn, req, true).await
}

async fn handle(
    p: Arc<Provider>,
    model: String,
    conn: Conn,
    req: Request,
    stream: bool,
) -> Response {
    let route = if stream {
        "converse_stream"
    } else {
        "converse"
    };
    let ctx = Ctx::new(&p, route, conn.map(|Extension(c)| c));
    if let Some(r) = ctx.gate(error).await {
        return r;
    }
    match checked(&ctx, model, &req, stream).await {
        Ok(r) => ctx.finish(r),
        Err(kind) => ctx.finish(error(&kind)),
    }
}

/// The prompt in the order Claude on Bedrock renders it, tools, system, messages, one unit per
/// block; a `cachePoint` block (in `toolConfig.tools`, `system` or a message's `content`) is a
/// cache checkpoint after the blocks before it. The rest of `toolConfig` (its `toolChoice`) is
/// a unit after the tools, as its tokens count as input. The units' tokens are the request's
/// input tokens.
fn prompt(p: &Provider, model: &str, v: &Value, messages: &[Value]) -> Prompt {
    let mut b = prompt_builder(p, model, &[]);
    if let Some(config) = v.get("toolConfig") {
        match config.get("tools") {
            Some(Value::Array(tools)) => {
                for t in tools {
                    match t.get("cachePoint") {
                        Some(cp) => b.marker(marker_ttl(cp)),
                        None => b.unit(t),
                    }
                }
            }
            Some(other) => b.unit(other),
            None => {}
        }
        b.unit_of(
            &[config.get("toolChoice").unwrap_or(&Value::Null)],
            count_fields_tokens(config, "tools"),
        );
    }
    match v.get("system") {
        Some(Value::Array(blocks)) => {
            for block in blocks {
                match block.get("cachePoint") {
                    Some(cp) => b.marker(marker_ttl(cp)),
                    None => b.unit(block),
                }
            }
        }
        Some(system) => b.unit(system),
        None => {}
    }
    for m in messages {
        b.message(m, |block| match block.get("cachePoint") {
            Some(cp) => Block::Marker(cp),
            None => Block::Unit { marker: None },
        });
    }
    b.finish()
}

fn parse(p: &Provider, model: String, v: &Value) -> Result<(ChatSpec, Prompt), ErrKind> {
    let messages = match v.get("messages") {
        Some(Value::Array(m)) if !m.is_empty() => m,
        _ => return Err(bad("1 validation error detected: Value at 'messages' failed to satisfy constraint: Member must not be null", None)),
    };
    for (i, m) in messages.iter().enumerate() {
        let role_ok = matches!(
            m.get("role").and_then(Value::as_str),
            Some("user" | "assistant")
        );
        let content_ok = m.get("content").is_some_and(Value::is_array);
        if !role_ok || !content_ok {
            return Err(bad(format!("1 validation error detected: Value at 'messages.{}' failed to satisfy constraint: Member must have a role of user or assistant and a content list", i + 1), None));
        }
    }
    check_inference(v)?;
    let reasons = chat_model(p, &model).ok_or_else(|| ErrKind::ModelNotFound(model.clone()))?;
    let max_tokens = v
        .pointer("/inferenceConfig/maxTokens")
        .and_then(Value::as_u64)
        .map(|n| n.min(u64::from(u32::MAX)) as u32);
    let tools = v.pointer("/toolConfig/tools").and_then(Value::as_array);
    let last_is_tool_result = messages
        .last()
        .and_then(|m| m.get("content"))
        .and_then(Value::as_array)
        .is_some_and(|c| c.iter().any(|b| b.get("toolResult").is_some()));
    let tool = match tools {
        Some(tools) if !tools.is_empty() && !last_is_tool_result => {
            pick_tool(tools, v.pointer("/toolConfig/toolChoice"))?
        }
        _ => None,
    };
    // input tokens: messages, system prompt and the whole tool configuration, unit by unit
    let prompt = prompt(p, &model, v, messages);
    let input_tokens = prompt.tokens();
    let spec = ChatSpec {
        hash: request_hash(
            p.cfg.seed,
            &model,
            &[Some(&v["messages"]), v.get("system"), v.get("toolConfig")],
        ),
        model,
        input_tokens,
        max_tokens,
        reasoning: if reasons {
            Reasoning::Visible
        } else {
            Reasoning::None
        },
        json_mode: false,
        json_schema: None,
        tool,
    };
    limits::check(p, &spec).map_err(overrun)?;
    Ok((spec, prompt))
}

/// A request over its model's limits, as Bedrock's `ValidationException` words it (quoted from
/// Converse responses in clients' issue trackers, vercel/ai#2772 and langgenius/dify#10390):
/// `The maximum tokens you requested exceeds the model limit of 4096. Try again with a maximum
/// tokens value that is lower than 4096.` and `Input is too long for requested model.`
fn overrun(o: Overrun) -> ErrKind {
    match o {
        Overrun::Output { limit, .. } => bad(
            format!("The maximum tokens you requested exceeds the model limit of {limit}. Try again with a maximum tokens value that is lower than {limit}."),
            None,
        ),
        Overrun::Context { .. } => bad("Input is too long for requested model.", None),
    }
}

/// The body of a request Bedrock cannot read (the same answer as for a body that is not JSON).
const MALFORMED: &str = "Malformed input request, please reformat your input and try again.";

/// `inferenceConfig` members and their constraints (Bedrock API reference,
/// `InferenceConfiguration`: maxTokens "Valid Range: Minimum value of 1", temperature and topP
/// "Valid Range: Minimum value of 0. Maximum value of 1.").
const INFERENCE: [(&str, Rule); 3] = [
    ("maxTokens", Rule::integer_at_least(1)),
    ("temperature", Rule::number_in(0.0, 1.0)),
    ("topP", Rule::number_in(0.0, 1.0)),
];

/// Refuse an out-of-range `inferenceConfig` as Bedrock does, every violation in one
/// ValidationException: `1 validation error detected: Value '0' at 'inferenceConfig.maxTokens'
/// failed to satisfy constraint: Member must have value greater than or equal to 1`
/// (an `Amazon.BedrockRuntime.Model.ValidationException` quoted in a Semantic Kernel Bedrock
/// connector report) and `Value '99.0' at
/// 'inferenceConfig.temperature' failed to satisfy constraint: Member must have value less
/// than or equal to 1` (quoted in client error-classification tests); several are counted and
/// joined with "; " as AWS's other validation messages are. A member of the wrong JSON type is
/// answered like an unreadable body: its real wording was not found, and the AWS SDKs check
/// types before sending.
fn check_inference(v: &Value) -> Result<(), ErrKind> {
    let config = match v.get("inferenceConfig") {
        None | Some(Value::Null) => return Ok(()),
        Some(Value::Object(c)) => c,
        Some(_) => return Err(bad(MALFORMED, Some("inferenceConfig"))),
    };
    let mut violations = Vec::new();
    for (name, rule) in INFERENCE {
        let x = match config.get(name) {
            None | Some(Value::Null) => continue,
            Some(Value::Number(n)) => n.as_f64(),
            Some(_) => None,
        };
        // maxTokens is a Java Integer: an integral number in its range reads, 1.5 does not
        let integer_ok = |x: &f64| {
            rule.kind != Kind::Integer || (x.fract() == 0.0 && x.abs() <= f64::from(i32::MAX))
        };
        let Some(x) = x.filter(integer_ok) else {
            return Err(bad(MALFORMED, Some(name)));
        };
        let (relation, bound) = match rule.bounds(x) {
            Ok(()) => continue,
            Err(Fault::Below(min)) => ("greater than or equal to", min),
            Err(Fault::Above(max)) => ("less than or equal to", max),
            Err(Fault::Type(_)) => return Err(bad(MALFORMED, Some(name))),
        };
        violations.push(format!(
            "Value '{}' at 'inferenceConfig.{name}' failed to satisfy constraint: Member must have value {relation} {}",
            java_text(x, rule.kind),
            bound_text(bound)
        ));
    }
    match violations.len() {
        0 => Ok(()),
        1 => Err(bad(
            format!("1 validation error detected: {}", violations.join("")),
            Some("inferenceConfig"),
        )),
        n => Err(bad(
            format!("{n} validation errors detected: {}", violations.join("; ")),
            Some("inferenceConfig"),
        )),
    }
}

/// A value as Java prints the Integer or Float Bedrock read it into: `0`, `99.0`, `1.5`.
fn java_text(x: f64, kind: Kind) -> String {
    match kind {
        Kind::Integer => format!("{}", x as i64),
        _ => {
            let f = x as f32;
            if f.fract() == 0.0 && f.abs() < 1e7 {
                format!("{f:.1}")
            } else {
                f.to_string()
            }
        }
    }
}

fn pick_tool(tools: &[Value], choice: Option<&Value>) -> Result<Option<ToolCall>, ErrKind> {
    let as_call = |t: &Value| -> Option<ToolCall> {
        let spec = t.get("toolSpec")?;
        Some(ToolCall {
            name: spec.get("name")?.as_str()?.to_owned(),
            schema: spec
                .pointer("/inputSchema/json")
                .cloned()
                .unwrap_or_else(|| json!({"type": "object"})),
        })
    };
    if let Some(name) = choice
        .and_then(|c| c.pointer("/tool/name"))
        .and_then(Value::as_str)
    {
        return tools
            .iter()
            .filter_map(as_call)
            .find(|t| t.name == name)
            .map(Some)
            .ok_or_else(|| {
                bad(
                    format!("The tool {name} in toolChoice is not defined in toolConfig.tools."),
                    None,
                )
            });
    }
    // auto (default) and any: the emulator calls the first tool
    Ok(tools.iter().find_map(as_call))
}

async fn checked(
    ctx: &Ctx,
    model: String,
    req: &Request,
    stream: bool,
) -> Result<Response, ErrKind> {
    let p = &ctx.p;
    authenticate(p, req)?;
    let v = match serde_json::from_slice::<Value>(&req.body) {
        Ok(v @ Value::Object(_)) => v,
        _ => return Err(bad(MALFORMED, None)),
    };
    let (spec, prompt) = parse(p, model, &v)?;
    if let Some(kind) = ctx.injected() {
        return Err(kind);
    }
    let mut rng = ctx.rng.clone();
    let fault = if stream { ctx.stream_fault() } else { None };
    let plan = ctx.plan(&spec, &prompt, &mut rng, fault);
    ctx.slow_headers().await;
    let extra = [("x-amzn-RequestId", request_id(ctx.serial))];
    if stream {
        let enc = BedrockEncoder {
            arrival: ctx.arrival,
        };
        return Ok(stream_response(
            "application/vnd.amazon.eventstream",
            paced(plan, enc, Arc::clone(p), ctx.arrival),
            &extra,
        ));
    }
    if !ctx.wait_for(&plan).await {
        return Err(ErrKind::Unavailable);
    }
    Ok(json_response(
        StatusCode::OK,
        &converse_body(&plan, millis(ctx.arrival.elapsed())),
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

/// `TokenUsage` (docs.aws.amazon.com/bedrock/latest/APIReference/API_runtime_TokenUsage.html):
/// `inputTokens`, `outputTokens`, `totalTokens` required; `cacheReadInputTokens`,
/// `cacheWriteInputTokens` optional, present here when the request set cache checkpoints.
/// "When prompt caching is enabled, the `inputTokens` field represents only the non-cached input
/// tokens ... total input tokens = inputTokens + cacheReadInputTokens + cacheWriteInputTokens"
/// (docs.aws.amazon.com/bedrock/latest/userguide/prompt-caching.html, as quoted in
/// crmne/ruby_llm#832, 2026-07); `totalTokens` includes the cached parts (maximhq/bifrost#1872).
fn usage(plan: &Plan) -> Value {
    let out = plan.output_tokens();
    let (read, write) = (plan.cache.read, plan.cache.write);
    let input = plan.input_tokens.saturating_sub(read.saturating_add(write));
    let mut u = json!({"inputTokens": input, "outputTokens": out, "totalTokens": input + out + read + write});
    if plan.cache.marked {
        u["cacheReadInputTokens"] = json!(read);
        u["cacheWriteInputTokens"] = json!(write);
    }
    u
}

fn signature(plan: &Plan) -> String {
    make_id(plan.serial, 0x5167, 48)
}

fn converse_body(plan: &Plan, latency_ms: u64) -> Value {
    let mut content = Vec::new();
    for b in plan.blocks.iter().filter(|b| b.visible) {
        content.push(match &b.kind {
            BlockKind::Reasoning => json!({"reasoningContent": {"reasoningText": {"text": b.pieces.full(), "signature": signature(plan)}}}),
            BlockKind::Text => json!({"text": b.pieces.full()}),
            BlockKind::Tool { id, name } => {
                let input: Value = serde_json::from_str(&b.pieces.full()).unwrap_or_else(|_| json!({}));
                json!({"toolUse": {"toolUseId": format!("tooluse_{id}"), "name": name, "input": input}})
            }
        });
    }
    json!({
        "output": {"message": {"role": "assistant", "content": content}},
        "stopReason": stop_reason(plan.finish),
        "usage": usage(plan),
        "metrics": {"latencyMs": latency_ms},
    })
}

/// One event-stream frame: `:event-type`, `:content-type`, `:message-type` headers and a JSON
/// payload.
fn frame<T: Serialize + ?Sized>(out: &mut BytesMut, event: &'static str, payload: &T) {
    if let Err(error) = write_frame(out, (":event-type", event), "event", payload) {
        tracing::warn!(%error, "writing an event-stream frame");
    }
}

/// A frame whose `:message-type` is `message_type`, typed by the `(name, value)` header, with
/// `:content-type` `application/json` and `payload` as its JSON body.
fn write_frame<T: Serialize + ?Sized>(
    out: &mut BytesMut,
    (type_header, type_name): (&'static str, &'static str),
    message_type: &'static str,
    payload: &T,
) -> Result<(), aws_smithy_eventstream::error::Error> {
    let body = serde_json::to_vec(payload).unwrap_or_default();
    let message = Message::new(body)
        .add_header(Header::new(
            type_header,
            HeaderValue::String(type_name.into()),
        ))
        .add_header(Header::new(
            ":content-type",
            HeaderValue::String("application/json".into()),
        ))
        .add_header(Header::new(
            ":message-type",
            HeaderValue::String(message_type.into()),
        ));
    write_message_to(&message, out)
}

struct BedrockEncoder {
    arrival: Instant,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct DeltaEvent<'a> {
    delta: DeltaBody<'a>,
    content_block_index: usize,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
enum DeltaBody<'a> {
    Text(&'a str),
    ToolUse { input: &'a str },
    ReasoningContent(ReasoningDelta<'a>),
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
enum ReasoningDelta<'a> {
    Text(&'a str),
    Signature(&'a str),
}

impl Encoder for BedrockEncoder {
    fn begin(&mut self, _plan: &Plan, out: &mut BytesMut) {
        frame(out, "messageStart", &json!({"role": "assistant"}));
    }

    fn block_start(&mut self, plan: &Plan, block: usize, out: &mut BytesMut) {
        if let Some(b) = plan.blocks.get(block) {
            if let BlockKind::Tool { id, name } = &b.kind {
                frame(
                    out,
                    "contentBlockStart",
                    &json!({"start": {"toolUse": {"toolUseId": format!("tooluse_{id}"), "name": name}}, "contentBlockIndex": b.index}),
                );
            }
        }
    }

    fn delta(&mut self, plan: &Plan, block: usize, text: &str, out: &mut BytesMut) {
        let Some(b) = plan.blocks.get(block) else {
            return;
        };
        let delta = match b.kind {
            BlockKind::Reasoning => DeltaBody::ReasoningContent(ReasoningDelta::Text(text)),
            BlockKind::Text => DeltaBody::Text(text),
            BlockKind::Tool { .. } => DeltaBody::ToolUse { input: text },
        };
        frame(
            out,
            "contentBlockDelta",
            &DeltaEvent {
                delta,
                content_block_index: b.index,
            },
        );
    }

    fn block_stop(&mut self, plan: &Plan, block: usize, out: &mut BytesMut) {
        let Some(b) = plan.blocks.get(block) else {
            return;
        };
        if b.kind == BlockKind::Reasoning {
            let sig = signature(plan);
            frame(
                out,
                "contentBlockDelta",
                &DeltaEvent {
                    delta: DeltaBody::ReasoningContent(ReasoningDelta::Signature(&sig)),
                    content_block_index: b.index,
                },
            );
        }
        frame(
            out,
            "contentBlockStop",
            &json!({"contentBlockIndex": b.index}),
        );
    }

    /// The members of `ConverseStreamOutput` (API_runtime_ConverseStreamOutput.html):
    /// `messageStart`, `contentBlockStart`, `contentBlockDelta`, `contentBlockStop`,
    /// `messageStop`, `metadata` (`ConverseStreamMetadataEvent`: `usage` and `metrics`, both
    /// required; `ConverseStreamMetrics.latencyMs` required), and the exceptions
    /// `internalServerException`, `modelStreamErrorException` (424), `serviceUnavailableException`,
    /// `throttlingException`, `validationException`.
    fn finish(&mut self, plan: &Plan, out: &mut BytesMut) {
        frame(
            out,
            "messageStop",
            &json!({"stopReason": stop_reason(plan.finish)}),
        );
        frame(
            out,
            "metadata",
            &json!({"usage": usage(plan), "metrics": {"latencyMs": millis(self.arrival.elapsed())}}),
        );
    }

    /// An exception member of `ConverseStreamOutput` as an event-stream frame: `:message-type`
    /// `exception`, `:exception-type` the camelCase member name, a JSON `{"message"}` payload
    /// (the smithy event-stream encoding of modeled errors; the SDKs raise e.g. "An error
    /// occurred (modelStreamErrorException) when calling the ConverseStream operation"). The
    /// members and their meaning are in API_runtime_ConverseStreamOutput.html; "Too many tokens,
    /// please wait before trying again." is the throttling message clients report.
    fn error(&mut self, _plan: &Plan, kind: Option<StreamErrorKind>, out: &mut BytesMut) {
        stream_exception(out, kind);
    }
}

/// The exception frame that ends a Bedrock event stream on a mid-stream failure (Converse and
/// InvokeModel streams alike; see [`BedrockEncoder::error`]'s members).
pub(crate) fn stream_exception(out: &mut BytesMut, kind: Option<StreamErrorKind>) {
    let (name, message) = match kind {
        None => (
            "modelStreamErrorException",
            "A streaming error occurred. Retry your request.",
        ),
        Some(StreamErrorKind::ServerError) => (
            "internalServerException",
            "The server encountered an internal error while processing the request.",
        ),
        Some(StreamErrorKind::Overloaded) => (
            "serviceUnavailableException",
            "Bedrock is unable to process your request.",
        ),
        Some(StreamErrorKind::RateLimited) => (
            "throttlingException",
            "Too many tokens, please wait before trying again.",
        ),
    };
    exception_frame(out, name, &json!({"message": message}));
}

/// One `chunk` event of `InvokeModelWithResponseStream`: the model's own event as JSON, base64
/// in `bytes` (`PayloadPart.bytes`, a blob, which the AWS JSON protocol carries base64; the
/// SDKs decode it, e.g. anthropic-sdk-python `lib/bedrock/_stream_decoder.py`).
pub(crate) fn chunk_frame<T: Serialize + ?Sized>(out: &mut BytesMut, event: &T) {
    let json = serde_json::to_vec(event).unwrap_or_default();
    let bytes = base64::Engine::encode(&base64::engine::general_purpose::STANDARD, json);
    frame(out, "chunk", &json!({ "bytes": bytes }));
}

/// One event-stream exception frame: `:exception-type`, `:content-type`, `:message-type`
/// (`exception`) headers and a JSON payload.
fn exception_frame<T: Serialize + ?Sized>(out: &mut BytesMut, name: &'static str, payload: &T) {
    if let Err(error) = write_frame(out, (":exception-type", name), "exception", payload) {
        tracing::warn!(%error, "writing an event-stream exception frame");
    }
}

// ---- InvokeModel: Claude's Messages body, embeddings ---------------------------------------

async fn invoke(
    State(p): State<Arc<Provider>>,
    Path(model): Path<String>,
    conn: Conn,
    req: Request,
) -> Response {
    invoke_any(p, model, conn, req, false).await
}

async fn invoke_stream(
    State(p): State<Arc<Provider>>,
    Path(model): Path<String>,
    conn: Conn,
    req: Request,
) -> Response {
    invoke_any(p, model, conn, req, true).await
}

async fn invoke_any(
    p: Arc<Provider>,
    model: String,
    conn: Conn,
    req: Request,
    stream: bool,
) -> Response {
    let route = if stream { "invoke_stream" } else { "invoke" };
    let ctx = Ctx::new(&p, route, conn.map(|Extension(c)| c));
    if let Some(r) = ctx.gate(error).await {
        return r;
    }
    match invoke_checked(&ctx, &model, &req, stream).await {
        Ok(r) => ctx.finish(r),
        Err(kind) => ctx.finish(error(&kind)),
    }
}

/// The JSON-schema wording of InvokeModel's body validation: `Malformed input request: #:
/// required key [inputText] not found, please reformat your input and try again.`, several
/// violations run together (`...not found#: extraneous key [messages] is not permitted, ...`),
/// `#/dimensions: 300 is not a valid enum value` (quoted in public Bedrock client code and
/// issue reports, 2024-2026).
fn malformed(violations: &[String]) -> ErrKind {
    bad(
        format!(
            "Malformed input request: {}, please reformat your input and try again.",
            violations.concat()
        ),
        None,
    )
}

/// A JSON value's type as the schema validator names it.
fn schema_type(v: &Value) -> &'static str {
    match v {
        Value::Null => "Null",
        Value::Bool(_) => "Boolean",
        Value::Number(n) if n.is_f64() => "BigDecimal",
        Value::Number(_) => "Integer",
        Value::String(_) => "String",
        Value::Array(_) => "JSONArray",
        Value::Object(_) => "JSONObject",
    }
}

/// Checks the body's keys: `required` present, none outside `allowed`.
fn check_keys(
    body: &serde_json::Map<String, Value>,
    required: &[&str],
    allowed: &[&str],
    violations: &mut Vec<String>,
) {
    for key in required {
        if !body.contains_key(*key) {
            violations.push(format!("#: required key [{key}] not found"));
        }
    }
    for key in body.keys() {
        if !allowed.contains(&key.as_str()) {
            violations.push(format!("#: extraneous key [{key}] is not permitted"));
        }
    }
}

/// `#/field` must be one of `values` (strings or numbers alike).
fn check_enum(
    body: &serde_json::Map<String, Value>,
    field: &str,
    values: &[Value],
    violations: &mut Vec<String>,
) {
    if let Some(v) = body.get(field) {
        if !values.contains(v) {
            let shown = v.as_str().map_or_else(|| v.to_string(), str::to_owned);
            violations.push(format!("#/{field}: {shown} is not a valid enum value"));
        }
    }
}

fn check_type(
    body: &serde_json::Map<String, Value>,
    field: &str,
    expected: &'static str,
    violations: &mut Vec<String>,
) {
    if let Some(v) = body.get(field) {
        let found = schema_type(v);
        if found != expected {
            violations.push(format!(
                "#/{field}: expected type: {expected}, found: {found}"
            ));
        }
    }
}

fn text_hash(text: &str) -> u64 {
    let mut h = plan::Fnv::new();
    let _ = std::io::Write::write(&mut h, text.as_bytes());
    h.value()
}

async fn invoke_checked(
    ctx: &Ctx,
    model: &str,
    req: &Request,
    stream: bool,
) -> Result<Response, ErrKind> {
    let p = &ctx.p;
    authenticate(p, req)?;
    let embeds = p.cfg.embedding_models.iter().any(|m| m == model);
    if !embeds && chat_model(p, model).is_none() {
        return Err(ErrKind::ModelNotFound(model.to_owned()));
    }
    if !embeds && !model.contains("anthropic.") {
        // real Bedrock answers InvokeModel in each vendor's own body; the emulator speaks
        // Claude's (the Messages API) and Converse for every model
        return Err(bad(
            format!("The emulator serves InvokeModel chat in Anthropic Claude's body only; call {model} through Converse."),
            None,
        ));
    }
    let Ok(Value::Object(body)) = serde_json::from_slice::<Value>(&req.body) else {
        return Err(bad(MALFORMED, None));
    };
    if !embeds {
        return claude_invoke(ctx, model, &body, stream).await;
    }
    if stream {
        return Err(bad(
            format!("The emulator streams InvokeModel for Claude models only; {model} embeds through InvokeModel."),
            None,
        ));
    }
    let response = if model.contains("cohere.embed-") {
        cohere_embed(ctx, model, &body)?
    } else {
        titan_embed(ctx, model, &body)?
    };
    if let Some(kind) = ctx.injected() {
        return Err(kind);
    }
    ctx.slow_headers().await;
    Ok(json_response(
        StatusCode::OK,
        &response,
        &[("x-amzn-RequestId", request_id(ctx.serial))],
    ))
}

/// Keys of Claude's InvokeModel body (Bedrock user guide, "Anthropic Claude Messages API":
/// `anthropic_version`, `anthropic_beta`, `max_tokens`,
/// `system`, `messages`, `temperature`, `top_p`, `top_k`, `tools`, `tool_choice`,
/// `stop_sequences`; `thinking` for the models that reason). `model` and `stream` are not
/// body keys here: the path names the model and the operation decides streaming.
const CLAUDE_KEYS: [&str; 12] = [
    "anthropic_version",
    "anthropic_beta",
    "max_tokens",
    "system",
    "messages",
    "temperature",
    "top_p",
    "top_k",
    "tools",
    "tool_choice",
    "stop_sequences",
    "thinking",
];

/// Claude through `InvokeModel` / `InvokeModelWithResponseStream`: Bedrock's schema check of
/// the body, then the Messages API's own validation, and the Messages response — as JSON with
/// Bedrock's token-count headers, or as `chunk` events each carrying one Messages stream event.
async fn claude_invoke(
    ctx: &Ctx,
    model: &str,
    body: &serde_json::Map<String, Value>,
    stream: bool,
) -> Result<Response, ErrKind> {
    let p = &ctx.p;
    let mut violations = Vec::new();
    check_keys(
        body,
        &["anthropic_version", "max_tokens", "messages"],
        &CLAUDE_KEYS,
        &mut violations,
    );
    // the user guide names `bedrock-2023-05-31`, but the anthropic SDK 2.x sends its dated
    // API version (`2026-10-21`), so any string is taken
    check_type(body, "anthropic_version", "String", &mut violations);
    if !violations.is_empty() {
        return Err(malformed(&violations));
    }
    let (spec, prompt) = super::anthropic::parse_invoke_body(p, model, body)?;
    if let Some(kind) = ctx.injected() {
        return Err(kind);
    }
    let mut rng = ctx.rng.clone();
    let fault = if stream { ctx.stream_fault() } else { None };
    let plan = ctx.plan(&spec, &prompt, &mut rng, fault);
    ctx.slow_headers().await;
    let (id, message) = super::anthropic::invoke_body(ctx.serial, p.cfg.seed, &plan);
    let mut extra = vec![("x-amzn-RequestId", request_id(ctx.serial))];
    if stream {
        let enc = super::anthropic::AnthropicEncoder::new(
            id,
            super::anthropic::Sink::Bedrock {
                arrival: ctx.arrival,
            },
        );
        extra.push(("x-amzn-bedrock-content-type", "application/json".to_owned()));
        return Ok(stream_response(
            "application/vnd.amazon.eventstream",
            paced(plan, enc, Arc::clone(p), ctx.arrival),
            &extra,
        ));
    }
    if !ctx.wait_for(&plan).await {
        return Err(ErrKind::Unavailable);
    }
    // InvokeModel's response headers (API_runtime_InvokeModel.html is silent on them; they are
    // the ones Bedrock returns and clients read for metering)
    extra.extend([
        (
            "x-amzn-bedrock-input-token-count",
            plan.input_tokens.to_string(),
        ),
        (
            "x-amzn-bedrock-output-token-count",
            plan.output_tokens().to_string(),
        ),
        (
            "x-amzn-bedrock-invocation-latency",
            millis(ctx.arrival.elapsed()).to_string(),
        ),
    ]);
    Ok(json_response(StatusCode::OK, &message, &extra))
}

/// Titan Text Embeddings (Bedrock user guide, "Amazon Titan Embeddings Text", as_of
/// 2026-12-01): V2 takes `inputText` (required), `dimensions` (1024 default, 512, 256),
/// `normalize` (default true) and `embeddingTypes` (`float`, `binary`), and answers
/// `embedding`, `inputTextTokenCount` and `embeddingsByType` ("always present"); V1 takes
/// `inputText` only and answers `embedding` and `inputTextTokenCount`. The emulator's default
/// length is the provider's `embedding_dimensions` (1024 unless configured).
fn titan_embed(
    ctx: &Ctx,
    model: &str,
    body: &serde_json::Map<String, Value>,
) -> Result<Value, ErrKind> {
    let p = &ctx.p;
    let v2 = !model.contains("titan-embed-text-v1");
    let allowed: &[&str] = if v2 {
        &["inputText", "dimensions", "normalize", "embeddingTypes"]
    } else {
        &["inputText"]
    };
    let mut violations = Vec::new();
    check_keys(body, &["inputText"], allowed, &mut violations);
    check_type(body, "inputText", "String", &mut violations);
    check_enum(
        body,
        "dimensions",
        &[json!(256), json!(512), json!(1024)],
        &mut violations,
    );
    check_type(body, "normalize", "Boolean", &mut violations);
    let mut binary = false;
    if let Some(types) = body.get("embeddingTypes") {
        match types.as_array() {
            Some(list) => {
                for (i, t) in list.iter().enumerate() {
                    match t.as_str() {
                        Some("float") => {}
                        Some("binary") => binary = true,
                        _ => violations.push(format!(
                            "#/embeddingTypes/{i}: {} is not a valid enum value",
                            t.as_str().map_or_else(|| t.to_string(), str::to_owned)
                        )),
                    }
                }
            }
            None => violations.push(format!(
                "#/embeddingTypes: expected type: JSONArray, found: {}",
                schema_type(types)
            )),
        }
    }
    if !violations.is_empty() {
        return Err(malformed(&violations));
    }
    let text = body.get("inputText").and_then(Value::as_str).unwrap_or("");
    let dims = body
        .get("dimensions")
        .and_then(Value::as_u64)
        .map_or(p.cfg.embedding_dimensions, |d| d as u32);
    let normalize = body
        .get("normalize")
        .and_then(Value::as_bool)
        .unwrap_or(true);
    let hash = text_hash(text);
    let mut vector = super::openai::embed(p.cfg.seed, model, hash, dims);
    if !normalize {
        // an unnormalised vector keeps its direction and has a length of its own (0.5 to 2.5,
        // from the input), so a client that assumes unit length notices
        let length = 0.5 + (plan::mix(hash) % 2000) as f32 / 1000.0;
        for x in &mut vector {
            *x *= length;
        }
    }
    let tokens = count_tokens(text);
    if !v2 {
        return Ok(json!({"embedding": vector, "inputTextTokenCount": tokens}));
    }
    let mut by_type = json!({"float": vector});
    if binary {
        by_type["binary"] = json!(vector
            .iter()
            .map(|x| u8::from(*x > 0.0))
            .collect::<Vec<_>>());
    }
    Ok(json!({"embedding": vector, "inputTextTokenCount": tokens, "embeddingsByType": by_type}))
}

/// Texts per call and characters per text Cohere Embed accepts on Bedrock (user guide, "Cohere
/// Embed models": texts per call maximum 96, characters maximum 2048; as_of 2026-12-01).
const COHERE_MAX_TEXTS: usize = 96;
const COHERE_MAX_CHARS: usize = 2048;

/// Cohere Embed v3 (Bedrock user guide, "Cohere Embed models", as_of 2026-12-01): `texts`,
/// `input_type` (`search_document | search_query | classification | clustering | image`),
/// optional `truncate` (`NONE | START | END`) and `embedding_types`; the answer is
/// `{embeddings, id, response_type: "embeddings_floats", texts}`, with no token count. Image
/// inputs and the integer embedding types are not emulated and are refused as such.
fn cohere_embed(
    ctx: &Ctx,
    model: &str,
    body: &serde_json::Map<String, Value>,
) -> Result<Value, ErrKind> {
    let p = &ctx.p;
    let mut violations = Vec::new();
    check_keys(
        body,
        &["input_type"],
        &[
            "texts",
            "input_type",
            "images",
            "truncate",
            "embedding_types",
        ],
        &mut violations,
    );
    let input_types = [
        "search_document",
        "search_query",
        "classification",
        "clustering",
        "image",
    ];
    check_enum(
        body,
        "input_type",
        &input_types.map(|t| json!(t)),
        &mut violations,
    );
    check_enum(
        body,
        "truncate",
        &[json!("NONE"), json!("START"), json!("END")],
        &mut violations,
    );
    let mut texts: Vec<&str> = Vec::new();
    match body.get("texts") {
        None if body.contains_key("images") => {}
        None => violations.push("#: required key [texts] not found".to_owned()),
        Some(Value::Array(list)) => {
            if list.len() > COHERE_MAX_TEXTS {
                violations.push(format!(
                    "#/texts: expected maximum item count: {COHERE_MAX_TEXTS}, found: {}",
                    list.len()
                ));
            }
            for (i, t) in list.iter().enumerate() {
                match t.as_str() {
                    Some(s) if s.chars().count() > COHERE_MAX_CHARS => violations.push(format!(
                        "#/texts/{i}: expected maxLength: {COHERE_MAX_CHARS}, actual: {}",
                        s.chars().count()
                    )),
                    Some(s) => texts.push(s),
                    None => violations.push(format!(
                        "#/texts/{i}: expected type: String, found: {}",
                        schema_type(t)
                    )),
                }
            }
        }
        Some(other) => violations.push(format!(
            "#/texts: expected type: JSONArray, found: {}",
            schema_type(other)
        )),
    }
    if !violations.is_empty() {
        return Err(malformed(&violations));
    }
    if body.contains_key("images") {
        return Err(bad(
            "The emulator embeds texts only; image inputs are not emulated.",
            None,
        ));
    }
    let by_type = match body.get("embedding_types") {
        None | Some(Value::Null) => false,
        Some(t) if *t == json!(["float"]) => true,
        Some(_) => {
            return Err(bad(
                "The emulator returns float embeddings only; embedding_types other than [\"float\"] are not emulated.",
                None,
            ))
        }
    };
    let dims = p.cfg.embedding_dimensions;
    let vectors: Vec<Vec<f32>> = texts
        .iter()
        .map(|t| super::openai::embed(p.cfg.seed, model, text_hash(t), dims))
        .collect();
    let id = request_id(ctx.serial ^ 0xC0E);
    Ok(if by_type {
        json!({"embeddings": {"float": vectors}, "id": id, "response_type": "embeddings_by_type", "texts": texts})
    } else {
        json!({"embeddings": vectors, "id": id, "response_type": "embeddings_floats", "texts": texts})
    })
}

// ---- ListFoundationModels ------------------------------------------------------------------

async fn foundation_models(State(p): State<Arc<Provider>>, conn: Conn, req: Request) -> Response {
    let ctx = Ctx::new(&p, "foundation_models", conn.map(|Extension(c)| c));
    if let Some(r) = ctx.gate(error).await {
        return r;
    }
    if let Err(kind) = authenticate(&p, &req) {
        return ctx.finish(error(&kind));
    }
    if let Some(kind) = ctx.injected() {
        return ctx.finish(error(&kind));
    }
    // the region of the signature's scope, as the ARNs name the caller's region
    let region = header(&req.headers, "authorization")
        .and_then(|a| sigv4::parse_authorization(a).ok())
        .map_or_else(|| "us-east-1".to_owned(), |a| a.region.to_owned());
    let chat = p.cfg.models.iter().chain(&p.cfg.reasoning_models);
    let mut summaries: Vec<Value> = chat.map(|m| model_summary(m, &region, false)).collect();
    summaries.extend(
        p.cfg
            .embedding_models
            .iter()
            .map(|m| model_summary(m, &region, true)),
    );
    ctx.slow_headers().await;
    ctx.finish(json_response(
        StatusCode::OK,
        &json!({"modelSummaries": summaries}),
        &[("x-amzn-RequestId", request_id(ctx.serial))],
    ))
}

/// The display name of a model id's vendor prefix (`anthropic.` → `Anthropic`), as
/// ListFoundationModels' `providerName` spells the vendors; an unknown prefix is kept as is.
fn provider_name(model: &str) -> String {
    let prefix = model.split('.').next().unwrap_or(model);
    match prefix {
        "amazon" => "Amazon",
        "anthropic" => "Anthropic",
        "cohere" => "Cohere",
        "deepseek" => "DeepSeek",
        "meta" => "Meta",
        "mistral" => "Mistral AI",
        "ai21" => "AI21 Labs",
        "stability" => "Stability AI",
        "openai" => "OpenAI",
        "qwen" => "Qwen",
        "writer" => "Writer",
        other => other,
    }
    .to_owned()
}

/// `FoundationModelSummary` (Amazon Bedrock API Reference, as_of 2026-12-01): `modelArn`,
/// `modelId`, `modelName` (at most 20 characters), `providerName`, modalities (`TEXT`,
/// `EMBEDDING`), `responseStreamingSupported`, `customizationsSupported`,
/// `inferenceTypesSupported`, `modelLifecycle.status`.
fn model_summary(model: &str, region: &str, embedding: bool) -> Value {
    let name: String = model
        .split_once('.')
        .map_or(model, |(_, rest)| rest)
        .split(':')
        .next()
        .unwrap_or(model)
        .chars()
        .take(20)
        .collect();
    json!({
        "modelArn": format!("arn:aws:bedrock:{region}::foundation-model/{model}"),
        "modelId": model,
        "modelName": name,
        "providerName": provider_name(model),
        "inputModalities": ["TEXT"],
        "outputModalities": [if embedding { "EMBEDDING" } else { "TEXT" }],
        "responseStreamingSupported": !embedding,
        "customizationsSupported": [],
        "inferenceTypesSupported": ["ON_DEMAND"],
        "modelLifecycle": {"status": "ACTIVE"},
    })
}
