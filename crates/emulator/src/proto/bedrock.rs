//! AWS Bedrock Converse and ConverseStream: `POST /model/{modelId}/converse` and
//! `/converse-stream`, the latter in the AWS binary event-stream framing.
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
use axum::routing::post;
use axum::{Extension, Router};
use bytes::{Bytes, BytesMut};
use http::{HeaderMap, Method, StatusCode, Uri};
use serde::Serialize;
use serde_json::{json, Value};
use tokio::time::Instant;

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

type Conn = Option<Extension<ConnKill>>;

pub(crate) fn router() -> Router<Arc<Provider>> {
    Router::new()
        .route("/model/{model_id}/converse", post(converse))
        .route("/model/{model_id}/converse-stream", post(converse_stream))
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

/// What a handler received, for authentication.
struct Request {
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
}

async fn converse(
    State(p): State<Arc<Provider>>,
    Path(model): Path<String>,
    conn: Conn,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let req = Request {
        method,
        uri,
        headers,
        body,
    };
    handle(p, model, conn, req, false).await
}

async fn converse_stream(
    State(p): State<Arc<Provider>>,
    Path(model): Path<String>,
    conn: Conn,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let req = Request {
        method,
        uri,
        headers,
        body,
    };
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
    Ok((spec, prompt))
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
    )?;
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
    let mut plan = plan::build(&p.cfg, &p.corpus, &spec, ctx.serial, &mut rng, fault);
    plan.cache = ctx.cache(&prompt);
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
}

/// One event-stream exception frame: `:exception-type`, `:content-type`, `:message-type`
/// (`exception`) headers and a JSON payload.
fn exception_frame<T: Serialize + ?Sized>(out: &mut BytesMut, name: &'static str, payload: &T) {
    if let Err(error) = write_frame(out, (":exception-type", name), "exception", payload) {
        tracing::warn!(%error, "writing an event-stream exception frame");
    }
}
