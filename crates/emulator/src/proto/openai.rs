//! OpenAI Chat Completions, Embeddings and Models, with the quirks of each OpenAI-compatible
//! family member ([`Dialect`]).

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::response::Response;
use axum::routing::{get, post};
use axum::{Extension, Router};
use base64::Engine;
use bytes::{Bytes, BytesMut};
use futures::future::Either;
use http::{HeaderMap, StatusCode};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde::Serialize;
use serde_json::{json, Value};

use super::limits::{self, Overrun};
use super::{
    bad, bad_field, bearer, bound_text, chat_model, header, json_response, key_ok, make_id,
    mentions_json, prompt_builder, stream_response, Ctx, ErrKind, Fault, Kind, Rule,
};
use crate::cache::Prompt;
use crate::config::{Dialect, StreamErrorKind};
use crate::logprobs::{Logprobs, Shape};
use crate::plan::{
    self, request_hash, BlockKind, ChatSpec, Finish, Plan, Reasoning, StreamFault, ToolCall,
};
use crate::server::{ConnKill, Provider};
use crate::stream::{paced, sse_data, Encoder};
use crate::tokenize::count_tokens;

type St = State<Arc<Provider>>;
type Conn = Option<Extension<ConnKill>>;

pub(crate) fn router(p: &Provider) -> Router<Arc<Provider>> {
    let mut prefixes = vec![p.cfg.dialect.base_path(), "/v1"];
    if p.cfg.dialect == Dialect::DeepSeek {
        prefixes.push("");
    }
    prefixes.dedup();
    let mut r = Router::new();
    for prefix in prefixes {
        r = r
            .route(&format!("{prefix}/chat/completions"), post(chat))
            .route(&format!("{prefix}/embeddings"), post(embeddings))
            .route(&format!("{prefix}/models"), get(list_models))
            .route(&format!("{prefix}/models/{{model}}"), get(get_model));
    }
    if super::responses::offers_responses(p.cfg.dialect) {
        for path in super::responses::paths(p.cfg.dialect) {
            r = r.route(path, post(super::responses::create));
        }
    }
    if p.cfg.dialect == Dialect::Azure {
        r = r
            .route(
                "/openai/deployments/{deployment}/chat/completions",
                post(chat_deployment),
            )
            .route(
                "/openai/deployments/{deployment}/embeddings",
                post(embeddings_deployment),
            );
    }
    r
}

fn dialect_shows_reasoning(d: Dialect) -> bool {
    !matches!(
        d,
        Dialect::Standard | Dialect::Azure | Dialect::GeminiOpenAi | Dialect::BedrockOpenAi
    )
}

/// Status, message, type, param, code and extra headers of one error.
type ErrorParts = (
    StatusCode,
    String,
    &'static str,
    Option<String>,
    Option<&'static str>,
    Vec<(&'static str, String)>,
);

/// The error body OpenAI documents: `{"error":{"message","type","param","code"}}`. A request
/// rate limit is `type: "requests"`, `code: "rate_limit_exceeded"` (bodies quoted in
/// mmz-001/knowledge_gpt#5 and chatboxai/chatbox#1361; help.openai.com article 6891829).
fn error_body(dialect: Dialect, kind: &ErrKind) -> Response {
    let (status, message, ty, param, code, extra): ErrorParts = match kind {
        ErrKind::Unauthorized(m) => (
            StatusCode::UNAUTHORIZED,
            m.clone(),
            "invalid_request_error",
            None,
            Some("invalid_api_key"),
            vec![],
        ),
        ErrKind::BadRequest {
            message,
            param,
            code,
        } => (
            StatusCode::BAD_REQUEST,
            message.clone(),
            "invalid_request_error",
            param.clone(),
            *code,
            vec![],
        ),
        ErrKind::ModelNotFound(m) => (
            StatusCode::NOT_FOUND,
            format!("The model `{m}` does not exist or you do not have access to it."),
            "invalid_request_error",
            None,
            Some("model_not_found"),
            vec![],
        ),
        ErrKind::RateLimited { retry_after_s } => (
            StatusCode::TOO_MANY_REQUESTS,
            format!("Rate limit reached for requests. Please try again in {retry_after_s}s."),
            "requests",
            None,
            Some("rate_limit_exceeded"),
            vec![
                ("retry-after", retry_after_s.to_string()),
                ("x-ratelimit-remaining-requests", "0".to_owned()),
            ],
        ),
        ErrKind::Server => (
            StatusCode::INTERNAL_SERVER_ERROR,
            "The server had an error while processing your request. Sorry about that!".to_owned(),
            "server_error",
            None,
            None,
            vec![],
        ),
        ErrKind::Unavailable => (
            StatusCode::SERVICE_UNAVAILABLE,
            "The engine is currently overloaded, please try again later.".to_owned(),
            "server_error",
            None,
            None,
            vec![],
        ),
    };
    let body = if dialect == Dialect::Azure && status == StatusCode::UNAUTHORIZED {
        json!({"error": {"code": "401", "message": "Access denied due to invalid subscription key or wrong API endpoint. Make sure to provide a valid key for an active subscription and use a correct regional API endpoint for your resource."}})
    } else {
        json!({"error": {"message": message, "type": ty, "param": param, "code": code}})
    };
    json_response(status, &body, &extra)
}

fn std_error(kind: &ErrKind) -> Response {
    error_body(Dialect::Standard, kind)
}

fn azure_error(kind: &ErrKind) -> Response {
    error_body(Dialect::Azure, kind)
}

pub(crate) fn error_fn(d: Dialect) -> fn(&ErrKind) -> Response {
    if d == Dialect::Azure {
        azure_error
    } else {
        std_error
    }
}

pub(crate) fn check_key(p: &Provider, headers: &HeaderMap) -> Result<(), ErrKind> {
    let key = bearer(headers).or_else(|| {
        (p.cfg.dialect == Dialect::Azure)
            .then(|| header(headers, "api-key"))
            .flatten()
    });
    if key_ok(p, key) {
        return Ok(());
    }
    Err(ErrKind::Unauthorized(match key {
        None | Some("") => "You didn't provide an API key. You need to provide your API key in an Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY).".to_owned(),
        Some(k) => {
            let tail: String = k.chars().rev().take(4).collect::<Vec<_>>().into_iter().rev().collect();
            format!("Incorrect API key provided: sk-...{tail}.")
        }
    }))
}

pub(crate) fn parse_object(body: &[u8]) -> Result<Value, ErrKind> {
    match serde_json::from_slice::<Value>(body) {
        Ok(v @ Value::Object(_)) => Ok(v),
        _ => Err(bad(
            "We could not parse the JSON body of your request. (HINT: This likely means you aren't using your HTTP library correctly. The OpenAI API expects a JSON payload, but what was sent was not valid JSON.)",
            None,
        )),
    }
}

async fn chat(State(p): St, conn: Conn, headers: HeaderMap, body: Bytes) -> Response {
    chat_inner(p, conn, headers, body, None).await
}

async fn chat_deployment(
    State(p): St,
    Path(deployment): Path<String>,
    conn: Conn,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    chat_inner(p, conn, headers, body, Some(deployment)).await
}

async fn chat_inner(
    p: Arc<Provider>,
    conn: Conn,
    headers: HeaderMap,
    body: Bytes,
    deployment: Option<String>,
) -> Response {
    let ctx = Ctx::new(&p, "chat.completions", conn.map(|Extension(c)| c));
    let error = error_fn(p.cfg.dialect);
    if let Some(r) = ctx.gate(error).await {
        return r;
    }
    match chat_checked(&ctx, &headers, &body, deployment).await {
        Ok(r) => ctx.finish(r),
        Err(kind) => ctx.finish(error(&kind)),
    }
}

struct ChatReq {
    spec: ChatSpec,
    /// `logprobs: true`: how many alternatives each token lists (`top_logprobs`).
    logprobs: Option<usize>,
    prompt: Prompt,
    /// `n`: how many choices to generate.
    choices: u32,
    stream: bool,
    include_usage: bool,
}

fn parse_chat(p: &Provider, v: &Value, deployment: Option<String>) -> Result<ChatReq, ErrKind> {
    let model = match (deployment, v.get("model").and_then(Value::as_str)) {
        (Some(d), _) => d,
        (None, Some(m)) if !m.is_empty() => m.to_owned(),
        _ => return Err(bad("you must provide a model parameter", None)),
    };
    // codes `empty_array`, `missing_required_parameter`, `invalid_type` and (roles)
    // `invalid_value` as a probe of the real API recorded them (a gateway's conformance tests,
    // 2026-09)
    let messages = match v.get("messages") {
        Some(Value::Array(m)) if !m.is_empty() => m,
        Some(Value::Array(_)) => return Err(bad_field("Invalid 'messages': empty array. Expected an array with minimum length 1, but got an empty array instead.", "messages", "empty_array")),
        None | Some(Value::Null) => return Err(bad_field("Missing required parameter: 'messages'.", "messages", "missing_required_parameter")),
        Some(other) => return Err(type_error("messages", "an array of objects", other)),
    };
    for (i, m) in messages.iter().enumerate() {
        let role = m.get("role").and_then(Value::as_str).unwrap_or("");
        if !matches!(
            role,
            "system" | "developer" | "user" | "assistant" | "tool" | "function"
        ) {
            return Err(bad_field(
                format!("Invalid value: '{role}'. Supported values are: 'system', 'assistant', 'user', 'function', 'tool', and 'developer'."),
                &format!("messages[{i}].role"),
                "invalid_value",
            ));
        }
    }
    check_sampling(v)?;
    // validated above: 1..=MAX_CHOICES
    let choices = v.get("n").and_then(Value::as_u64).unwrap_or(1) as u32;
    let reasons = chat_model(p, &model).ok_or_else(|| ErrKind::ModelNotFound(model.clone()))?;
    if reasons
        && refuses_max_tokens(p.cfg.dialect)
        && v.get("max_tokens").is_some_and(|m| !m.is_null())
    {
        return Err(bad_field(
            UNSUPPORTED_MAX_TOKENS,
            "max_tokens",
            "unsupported_parameter",
        ));
    }
    let logprobs = asked_logprobs(v, reasons && refuses_max_tokens(p.cfg.dialect))?;
    let max_tokens = v
        .get("max_completion_tokens")
        .or_else(|| v.get("max_tokens"))
        .and_then(Value::as_u64)
        .map(|n| n.min(u64::from(u32::MAX)) as u32);
    let tools = v.get("tools").and_then(Value::as_array);
    let last_is_tool_result = messages
        .last()
        .and_then(|m| m.get("role"))
        .and_then(Value::as_str)
        .is_some_and(|r| r == "tool" || r == "function");
    let tool = match tools {
        Some(tools) if !tools.is_empty() && !last_is_tool_result => {
            pick_tool(tools, v.get("tool_choice"))?
        }
        _ => None,
    };
    let format = v.get("response_format");
    let format_type = format.and_then(|f| f.get("type")).and_then(Value::as_str);
    let json_schema = (format_type == Some("json_schema"))
        .then(|| {
            format
                .and_then(|f| f.pointer("/json_schema/schema"))
                .cloned()
        })
        .flatten();
    let json_mode = matches!(format_type, Some("json_object" | "json_schema"));
    if format_type == Some("json_object") && !mentions_json(&v["messages"]) {
        return Err(bad(JSON_WORD_MISSING, Some("messages")));
    }
    // Input tokens: the messages and tool definitions. The whole request prefix is cacheable,
    // tools and structured-output schema included (OpenAI prompt-caching guide); one unit per
    // message.
    let mut prompt = prompt_builder(p, &model, &[format]);
    if let Some(tools) = v.get("tools") {
        prompt.unit(tools);
    }
    for m in messages {
        prompt.unit(m);
    }
    let prompt = prompt.finish();
    let reasoning = if reasons {
        if dialect_shows_reasoning(p.cfg.dialect) {
            Reasoning::Visible
        } else {
            Reasoning::Hidden
        }
    } else {
        Reasoning::None
    };
    let stream = v.get("stream").and_then(Value::as_bool).unwrap_or(false);
    let include_usage = v
        .pointer("/stream_options/include_usage")
        .and_then(Value::as_bool)
        .unwrap_or(false);
    let spec = ChatSpec {
        hash: request_hash(
            p.cfg.seed,
            &model,
            &[Some(&v["messages"]), v.get("tools"), format],
        ),
        model,
        input_tokens: prompt.tokens(),
        max_tokens,
        reasoning,
        json_mode,
        json_schema,
        tool,
    };
    let cap_field = if v.get("max_completion_tokens").is_some() {
        "max_completion_tokens"
    } else {
        "max_tokens"
    };
    limits::check(p, &spec).map_err(|o| overrun(o, cap_field))?;
    Ok(ChatReq {
        spec,
        logprobs,
        prompt,
        choices,
        stream,
        include_usage,
    })
}

/// A request over its model's limits, worded as OpenAI words it (and as the compatible family
/// copies it, DeepSeek included): `max_tokens is too large: 20480. This model supports at most
/// 16384 completion tokens, whereas you provided 20480.` (`invalid_value`), and
/// `This model's maximum context length is 8192 tokens. However, you requested 8256 tokens (64
/// in the messages, 8192 in the completion). Please reduce the length of the messages or
/// completion.` or, with no output cap, `However, your messages resulted in 8202 tokens. Please
/// reduce the length of the messages.` (`context_length_exceeded`, param `messages`); all three
/// quoted from API responses in clients' issue trackers (tailcallhq/forgecode#1185,
/// ChatGPTNextWeb/NextChat#3195, dimagi/open-chat-studio#463).
pub(crate) fn overrun(o: Overrun, cap_field: &str) -> ErrKind {
    match o {
        Overrun::Output { requested, limit } => bad_field(
            format!("{cap_field} is too large: {requested}. This model supports at most {limit} completion tokens, whereas you provided {requested}."),
            cap_field,
            "invalid_value",
        ),
        Overrun::Context { input, requested: Some(out), window } => bad_field(
            format!(
                "This model's maximum context length is {window} tokens. However, you requested {} tokens ({input} in the messages, {out} in the completion). Please reduce the length of the messages or completion.",
                u64::from(input) + u64::from(out)
            ),
            "messages",
            "context_length_exceeded",
        ),
        Overrun::Context { input, requested: None, window } => bad_field(
            format!("This model's maximum context length is {window} tokens. However, your messages resulted in {input} tokens. Please reduce the length of the messages."),
            "messages",
            "context_length_exceeded",
        ),
    }
}

/// OpenAI's reasoning models (o-series, gpt-5) take only `max_completion_tokens`; the body of
/// the 400 is quoted in griptape-ai/ComfyUI-Griptape#312 and microsoft/vscode-copilot-release#8065
/// (`type: invalid_request_error`, `param: max_tokens`, `code: unsupported_parameter`), and
/// Azure answers the same (anomalyco/opencode#37964).
const UNSUPPORTED_MAX_TOKENS: &str = "Unsupported parameter: 'max_tokens' is not supported with this model. Use 'max_completion_tokens' instead.";

/// Dialects whose reasoning models refuse `max_tokens` (the compatible family keeps it: DeepSeek's
/// reasoner documents `max_tokens`).
fn refuses_max_tokens(d: Dialect) -> bool {
    matches!(d, Dialect::Standard | Dialect::Azure)
}

/// JSON mode needs the word in the conversation (OpenAI's JSON-mode guide: "the string "JSON"
/// must appear somewhere in the context"); the 400 as quoted from the API in mem0ai/mem0#3559
/// (DashScope words it the same, agno-agi/agno#5317). Its `code` is not in any quoted body.
const JSON_WORD_MISSING: &str = "'messages' must contain the word 'json' in some form, to use 'response_format' of type 'json_object'.";

/// `logprobs` and `top_logprobs` as asked: `top_logprobs` only with `logprobs: true` ("The
/// 'top_logprobs' parameter is only allowed when 'logprobs' is enabled.", param `top_logprobs`,
/// code null; quoted in IBM/unitxt#1193), and OpenAI's reasoning models take neither
/// ("Unsupported parameter: 'logprobs' is not supported with this model.",
/// `unsupported_parameter`; probed in several clients' notes, 2026).
fn asked_logprobs(v: &Value, reasoning_refuses: bool) -> Result<Option<usize>, ErrKind> {
    let on = v.get("logprobs").and_then(Value::as_bool).unwrap_or(false);
    let top = v.get("top_logprobs").and_then(Value::as_u64);
    if top.is_some() && !on {
        return Err(bad(
            "The 'top_logprobs' parameter is only allowed when 'logprobs' is enabled.",
            Some("top_logprobs"),
        ));
    }
    if on && reasoning_refuses {
        return Err(bad_field(
            "Unsupported parameter: 'logprobs' is not supported with this model.",
            "logprobs",
            "unsupported_parameter",
        ));
    }
    // validated above: 0..=20
    Ok(on.then(|| top.unwrap_or(0) as usize))
}

/// The most choices one request may ask for (`n`: "Minimum: 1. Maximum: 128." in the Azure
/// OpenAI chat completions spec, which mirrors OpenAI's).
const MAX_CHOICES: i32 = 128;

/// Typed and bounded Chat Completions fields, in the order they are checked. The ranges are the
/// API reference's (platform.openai.com/docs/api-reference/chat/create: temperature 0 to 2,
/// top_p 0 to 1, presence/frequency_penalty -2.0 to 2.0, n 1 to 128, the token limits at
/// least 1).
const CHAT_FIELDS: [(&str, Rule); 11] = [
    ("max_tokens", Rule::integer_at_least(1)),
    ("max_completion_tokens", Rule::integer_at_least(1)),
    ("n", Rule::integer_in(1, MAX_CHOICES)),
    ("temperature", Rule::number_in(0.0, 2.0)),
    ("top_p", Rule::number_in(0.0, 1.0)),
    ("presence_penalty", Rule::number_in(-2.0, 2.0)),
    ("frequency_penalty", Rule::number_in(-2.0, 2.0)),
    ("stream", Rule::BOOLEAN),
    ("seed", Rule::INTEGER),
    ("logprobs", Rule::BOOLEAN),
    ("top_logprobs", Rule::integer_in(0, 20)),
];

/// At most this many stop sequences ("Up to 4 sequences where the API will stop generating
/// further tokens", API reference `stop`).
const MAX_STOP: usize = 4;

/// Refuse what OpenAI's request validation refuses, worded as it words it. Verified bodies
/// (quoted from real 400s in client repositories and issue threads, 2023-2026):
/// * `Invalid 'max_tokens': integer below minimum value. Expected a value >= 1, but got -1
///   instead.`, code `integer_below_min_value` (YSocialTwin/YClient#6,
///   Skytliang/Multi-Agents-Debate#8; `n: 0` words it the same way);
/// * `Invalid 'temperature': decimal above maximum value. Expected a value <= 2, but got 2.1
///   instead.`, code `decimal_above_max_value`; `decimal below minimum value. Expected a value
///   >= 0` below;
/// * `Invalid type for 'temperature': expected a decimal, but got a string instead.`, `Invalid
///   type for 'max_tokens': expected an integer, but got a string instead.`, `Invalid type for
///   'seed': expected an integer, but got a decimal number instead.`, `Invalid type for
///   'stream': expected a boolean, but got a string instead.`, `Invalid type for 'messages':
///   expected an array of objects, but got a string instead.`, all code `invalid_type`;
/// * `Invalid 'stop': array too long. Expected an array with maximum length 4, but got an array
///   with length 5 instead.`, code `array_above_max_length`.
///
/// The wording of a wrong-typed `stop` (and of a non-string stop sequence) was not found in a
/// real response; it follows the `messages[1].content` type error ("expected one of a string
/// or array of objects").
fn check_sampling(v: &Value) -> Result<(), ErrKind> {
    for (name, rule) in CHAT_FIELDS {
        let value = v.get(name);
        if let Err(fault) = rule.check(value) {
            return Err(field_error(
                name,
                rule.kind,
                fault,
                value.unwrap_or(&Value::Null),
            ));
        }
    }
    match v.get("stop") {
        None | Some(Value::Null | Value::String(_)) => Ok(()),
        Some(Value::Array(stops)) => {
            if stops.len() > MAX_STOP {
                return Err(bad_field(
                    format!("Invalid 'stop': array too long. Expected an array with maximum length {MAX_STOP}, but got an array with length {} instead.", stops.len()),
                    "stop",
                    "array_above_max_length",
                ));
            }
            match stops.iter().position(|s| !s.is_string()) {
                Some(i) => Err(type_error(&format!("stop[{i}]"), "a string", &stops[i])),
                None => Ok(()),
            }
        }
        Some(other) => Err(type_error(
            "stop",
            "one of a string or array of strings",
            other,
        )),
    }
}

/// The 400 for one refused field; "integer" or "decimal" is the field's type, not the value's
/// (`temperature: 3` is "decimal above maximum value ... but got 3 instead").
pub(crate) fn field_error(name: &str, kind: Kind, fault: Fault, value: &Value) -> ErrKind {
    let (side, relation, bound) = match fault {
        Fault::Type(Kind::Integer) => return type_error(name, "an integer", value),
        Fault::Type(Kind::Number) => return type_error(name, "a decimal", value),
        Fault::Type(Kind::Boolean) => return type_error(name, "a boolean", value),
        Fault::Below(min) => ("below minimum", ">=", min),
        Fault::Above(max) => ("above maximum", "<=", max),
    };
    let (what, code) = match (kind, fault) {
        (Kind::Integer, Fault::Below(_)) => ("integer", "integer_below_min_value"),
        (Kind::Integer, _) => ("integer", "integer_above_max_value"),
        (_, Fault::Below(_)) => ("decimal", "decimal_below_min_value"),
        _ => ("decimal", "decimal_above_max_value"),
    };
    bad_field(
        format!(
            "Invalid '{name}': {what} {side} value. Expected a value {relation} {}, but got {value} instead.",
            bound_text(bound)
        ),
        name,
        code,
    )
}

pub(crate) fn type_error(name: &str, expected: &str, got: &Value) -> ErrKind {
    let got = match got {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(n) if n.is_f64() => "a decimal number",
        Value::Number(_) => "an integer",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    };
    bad_field(
        format!("Invalid type for '{name}': expected {expected}, but got {got} instead."),
        name,
        "invalid_type",
    )
}

fn pick_tool(tools: &[Value], choice: Option<&Value>) -> Result<Option<ToolCall>, ErrKind> {
    let as_call = |t: &Value| -> Option<ToolCall> {
        let f = t.get("function")?;
        Some(ToolCall {
            name: f.get("name")?.as_str()?.to_owned(),
            schema: f
                .get("parameters")
                .cloned()
                .unwrap_or_else(|| json!({"type": "object", "properties": {}})),
        })
    };
    match choice {
        Some(Value::String(s)) if s == "none" => Ok(None),
        Some(Value::Object(o)) => {
            let name = o
                .get("function")
                .and_then(|f| f.get("name"))
                .and_then(Value::as_str);
            match name {
                Some(name) => tools
                    .iter()
                    .filter_map(as_call)
                    .find(|t| t.name == name)
                    .map(Some)
                    .ok_or_else(|| {
                        bad(
                            format!(
                                "Invalid value for 'tool_choice': tool '{name}' is not in 'tools'."
                            ),
                            Some("tool_choice"),
                        )
                    }),
                None => Ok(tools.iter().find_map(as_call)),
            }
        }
        // "auto" (the default with tools) and "required": the emulator always calls the first tool
        _ => Ok(tools.iter().find_map(as_call)),
    }
}

async fn chat_checked(
    ctx: &Ctx,
    headers: &HeaderMap,
    body: &[u8],
    deployment: Option<String>,
) -> Result<Response, ErrKind> {
    let p = &ctx.p;
    check_key(p, headers)?;
    let v = parse_object(body)?;
    let req = parse_chat(p, &v, deployment)?;
    if let Some(kind) = ctx.injected() {
        return Err(kind);
    }
    let mut rng = ctx.rng.clone();
    let fault = if req.stream { ctx.stream_fault() } else { None };
    let plans = choice_plans(ctx, &req, fault, &mut rng);
    ctx.slow_headers().await;
    let id = format!("chatcmpl-{}", make_id(ctx.serial, p.cfg.seed, 29));
    let extra = [(
        "x-request-id",
        format!("req_{}", make_id(ctx.serial, 7, 24)),
    )];
    if req.stream {
        let single = plans.len() == 1;
        let encoder = |choice: u32| OpenAiEncoder {
            logprobs: req.logprobs,
            lp: None,
            dialect: p.cfg.dialect,
            id: id.clone(),
            include_usage: req.include_usage,
            choice,
            ends_body: single,
        };
        let body = if single {
            let plan = plans.into_iter().next().ok_or(ErrKind::Server)?;
            // one choice, the common case: its own stream, nothing merged
            Either::Left(paced(plan, encoder(0), Arc::clone(p), ctx.arrival))
        } else {
            let tail = stream_tail(p.cfg.dialect, &id, &plans, req.include_usage);
            let ends_in_error = matches!(fault, Some(StreamFault::Error { .. }));
            let choices = plans.into_iter().enumerate().map(|(i, plan)| {
                let enc = encoder(i as u32);
                (i, paced(plan, enc, Arc::clone(p), ctx.arrival))
            });
            Either::Right(merge_choices(choices, tail, ends_in_error))
        };
        return Ok(stream_response(
            "text/event-stream; charset=utf-8",
            body,
            &extra,
        ));
    }
    let longest = plans.iter().max_by_key(|plan| plan.total_duration());
    if let Some(plan) = longest {
        if !ctx.wait_for(plan).await {
            return Err(ErrKind::Unavailable);
        }
    }
    Ok(json_response(
        StatusCode::OK,
        &completion_body(p.cfg.dialect, &id, &plans, req.logprobs),
        &extra,
    ))
}

/// One plan per requested choice. Choice 0 is the request's own (its text, its stream fault,
/// the prompt cache's share); the others get their own text from the request hash and share
/// its time to first token, as the choices of one request share one prefill.
fn choice_plans(
    ctx: &Ctx,
    req: &ChatReq,
    fault: Option<StreamFault>,
    rng: &mut ChaCha8Rng,
) -> Vec<Plan> {
    let p = &ctx.p;
    let mut plans = vec![ctx.plan(&req.spec, &req.prompt, rng, fault)];
    for i in 1..req.choices {
        let spec = ChatSpec {
            hash: plan::mix(req.spec.hash ^ u64::from(i)),
            ..req.spec.clone()
        };
        let mut plan = plan::build(&p.cfg, &p.corpus, &spec, ctx.serial, rng, None);
        plan.timing.ttft = plans[0].timing.ttft;
        plan.cache = plans[0].cache;
        plans.push(plan);
    }
    plans
}

/// What ends a stream of several choices once every choice has finished: the usage chunk of
/// all of them (with `include_usage`) and `data: [DONE]`.
fn stream_tail(d: Dialect, id: &str, plans: &[Plan], include_usage: bool) -> Bytes {
    let mut out = BytesMut::new();
    if let Some(first) = plans.first() {
        if include_usage {
            usage_chunk(d, id, first, &usage_json(d, plans), &mut out);
        }
    }
    out.extend_from_slice(b"data: [DONE]\n\n");
    out.freeze()
}

/// The choices' streams interleaved as their tokens fall due, then `tail`. A choice that ends
/// in the protocol's error event (only choice 0 carries a stream fault) ends the whole body
/// there; a cut connection ends it with the error.
fn merge_choices<S>(
    choices: impl Iterator<Item = (usize, S)>,
    tail: Bytes,
    ends_in_error: bool,
) -> impl futures::Stream<Item = Result<Bytes, std::io::Error>> + Send + 'static
where
    S: futures::Stream<Item = Result<Bytes, std::io::Error>> + Send + 'static,
{
    use futures::StreamExt;
    // each choice's stream, tagged with its index and followed by an end marker
    let tagged: Vec<_> = choices
        .map(|(i, s)| {
            s.map(move |item| (i, Some(item)))
                .chain(futures::stream::once(async move { (i, None) }))
                .boxed()
        })
        .collect();
    let left = tagged.len();
    let merged = futures::stream::select_all(tagged);
    futures::stream::unfold(
        (merged, left, Some(tail)),
        move |(mut merged, mut left, mut tail)| async move {
            loop {
                match merged.next().await? {
                    (_, Some(item)) => return Some((item, (merged, left, tail))),
                    (0, None) if ends_in_error => return None,
                    (_, None) => {
                        left -= 1;
                        if left == 0 {
                            return tail.take().map(|t| (Ok(t), (merged, 0, None)));
                        }
                    }
                }
            }
        },
    )
}

fn finish_reason(f: Finish) -> &'static str {
    match f {
        Finish::Stop => "stop",
        Finish::Length => "length",
        Finish::ToolUse => "tool_calls",
    }
}

/// Usage in the dialect's shape. `prompt_tokens` counts every prompt token, cached or not; the
/// cached part is where the dialect reports it (cloudfit-providers' `cached_tokens_field`):
/// `prompt_tokens_details.cached_tokens` (OpenAI semantics), DeepSeek's
/// `prompt_cache_hit_tokens` + `prompt_cache_miss_tokens` = `prompt_tokens` (mirrored in
/// `prompt_tokens_details.cached_tokens` for clients that read only OpenAI's field), a top-level
/// `cached_tokens` for Moonshot and Qianfan.
///
/// With several choices the prompt is counted once and the completion tokens of every choice
/// add up ("you'll be charged based on the number of generated tokens across all of the
/// choices", API reference `n`).
fn usage_json(d: Dialect, plans: &[Plan]) -> Value {
    let (input, cached) = plans.first().map_or((0, 0), |plan| {
        (plan.input_tokens, plan.cache.read.min(plan.input_tokens))
    });
    let output: u32 = plans.iter().map(Plan::output_tokens).sum();
    let reasoning: u32 = plans.iter().map(Plan::reasoning_tokens).sum();
    let total = input + output;
    match d {
        Dialect::Standard | Dialect::Azure => json!({
            "prompt_tokens": input,
            "completion_tokens": output,
            "total_tokens": total,
            "prompt_tokens_details": {"cached_tokens": cached, "audio_tokens": 0},
            "completion_tokens_details": {"reasoning_tokens": reasoning, "audio_tokens": 0, "accepted_prediction_tokens": 0, "rejected_prediction_tokens": 0}
        }),
        Dialect::DeepSeek => json!({
            "prompt_tokens": input,
            "completion_tokens": output,
            "total_tokens": total,
            "prompt_tokens_details": {"cached_tokens": cached},
            "prompt_cache_hit_tokens": cached,
            "prompt_cache_miss_tokens": input - cached,
            "completion_tokens_details": {"reasoning_tokens": reasoning}
        }),
        Dialect::Moonshot => json!({
            "prompt_tokens": input,
            "completion_tokens": output,
            "total_tokens": total,
            "cached_tokens": cached
        }),
        Dialect::Qianfan => json!({
            "prompt_tokens": input,
            "completion_tokens": output,
            "total_tokens": total,
            "cached_tokens": cached,
            "completion_tokens_details": {"reasoning_tokens": reasoning}
        }),
        _ => json!({
            "prompt_tokens": input,
            "completion_tokens": output,
            "total_tokens": total,
            "prompt_tokens_details": {"cached_tokens": cached},
            "completion_tokens_details": {"reasoning_tokens": reasoning}
        }),
    }
}

fn content_filter_results() -> Value {
    let safe = json!({"filtered": false, "severity": "safe"});
    json!({"hate": safe, "self_harm": safe, "sexual": safe, "violence": safe})
}

const FINGERPRINT: &str = "fp_5e1d0c3a7b";

fn completion_body(d: Dialect, id: &str, plans: &[Plan], logprobs: Option<usize>) -> Value {
    let choices: Vec<Value> = plans
        .iter()
        .enumerate()
        .map(|(index, plan)| completion_choice(d, index, plan, logprobs))
        .collect();
    let (created, model) = plans
        .first()
        .map_or((0, ""), |plan| (plan.created, plan.model.as_str()));
    let mut body = json!({
        "id": id,
        "object": "chat.completion",
        "created": created,
        "model": model,
        "choices": choices,
        "usage": usage_json(d, plans),
    });
    match d {
        Dialect::Standard => {
            body["system_fingerprint"] = json!(FINGERPRINT);
            body["service_tier"] = json!("default");
        }
        Dialect::Azure => {
            body["system_fingerprint"] = json!(FINGERPRINT);
            body["prompt_filter_results"] =
                json!([{"prompt_index": 0, "content_filter_results": content_filter_results()}]);
        }
        Dialect::Ark => body["service_tier"] = json!("default"),
        _ => {}
    }
    body
}

/// A choice's `logprobs` (`ChatCompletionTokenLogprob`s of its content, as in OpenAI's API
/// reference and the bodies quoted in vllm-project/vllm#4795): `content` is null when the
/// message has no content (a tool call).
fn choice_logprobs(plan: &Plan, top: usize) -> Value {
    let content = plan.text_of(|k| *k == BlockKind::Text).map(|text| {
        let (entries, _) = Logprobs::new(&text, top).entries(&text, 0, Shape::WithBytes);
        Value::Array(entries)
    });
    json!({"content": content, "refusal": null})
}

fn completion_choice(d: Dialect, index: usize, plan: &Plan, logprobs: Option<usize>) -> Value {
    let mut message =
        json!({"role": "assistant", "content": plan.text_of(|k| *k == BlockKind::Text)});
    if let Some(r) = plan.text_of(|k| *k == BlockKind::Reasoning) {
        message["reasoning_content"] = Value::String(r);
    }
    if let Some((tool_id, name, args)) = plan.tool() {
        message["tool_calls"] = json!([{"id": format!("call_{tool_id}"), "type": "function", "function": {"name": name, "arguments": args}}]);
    }
    if d == Dialect::Standard {
        message["refusal"] = Value::Null;
        message["annotations"] = json!([]);
    }
    let logprobs = logprobs.map_or(Value::Null, |top| choice_logprobs(plan, top));
    let mut choice = json!({"index": index, "message": message, "logprobs": logprobs, "finish_reason": finish_reason(plan.finish)});
    if d == Dialect::Azure {
        choice["content_filter_results"] = content_filter_results();
    }
    choice
}

#[derive(Serialize)]
struct Chunk<'a> {
    id: &'a str,
    object: &'static str,
    created: u64,
    model: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    system_fingerprint: Option<&'static str>,
    choices: &'a [ChunkChoice<'a>],
    #[serde(skip_serializing_if = "Option::is_none")]
    usage: Option<Option<&'a Value>>,
}

#[derive(Serialize)]
struct ChunkChoice<'a> {
    index: u32,
    delta: Delta<'a>,
    logprobs: Option<Value>,
    finish_reason: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    content_filter_results: Option<&'a Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    usage: Option<&'a Value>,
}

#[derive(Serialize, Default)]
struct Delta<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    role: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    content: Option<Option<&'a str>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    reasoning_content: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    tool_calls: Option<[ToolDelta<'a>; 1]>,
}

#[derive(Serialize)]
struct ToolDelta<'a> {
    index: u32,
    #[serde(skip_serializing_if = "Option::is_none")]
    id: Option<String>,
    #[serde(rename = "type", skip_serializing_if = "Option::is_none")]
    kind: Option<&'static str>,
    function: FnDelta<'a>,
}

#[derive(Serialize)]
struct FnDelta<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    name: Option<&'a str>,
    arguments: &'a str,
}

/// The `include_usage` chunk: no choices, the request's usage.
fn usage_chunk(d: Dialect, id: &str, plan: &Plan, usage: &Value, out: &mut BytesMut) {
    let chunk = Chunk {
        id,
        object: "chat.completion.chunk",
        created: plan.created,
        model: &plan.model,
        system_fingerprint: matches!(d, Dialect::Standard | Dialect::Azure).then_some(FINGERPRINT),
        choices: &[],
        usage: Some(Some(usage)),
    };
    sse_data(out, &chunk);
}

struct OpenAiEncoder {
    /// `logprobs: true` with this many alternatives per token.
    logprobs: Option<usize>,
    /// The content's log-probabilities and the next token's position, from the first delta.
    lp: Option<(Logprobs, usize)>,
    dialect: Dialect,
    id: String,
    include_usage: bool,
    /// The choice this encoder writes (`choices[].index`).
    choice: u32,
    /// Whether this choice's end is the body's end (one choice): then it writes the usage
    /// chunk and `[DONE]`; with several, [`stream_tail`] does once all have finished.
    ends_body: bool,
}

impl OpenAiEncoder {
    fn chunk(
        &self,
        plan: &Plan,
        delta: Delta<'_>,
        finish: Option<&'static str>,
        choice_usage: Option<&Value>,
        logprobs: Option<Value>,
        out: &mut BytesMut,
    ) {
        let filters = (self.dialect == Dialect::Azure).then(content_filter_results);
        let choices = [ChunkChoice {
            index: self.choice,
            delta,
            logprobs,
            finish_reason: finish,
            content_filter_results: filters.as_ref(),
            usage: choice_usage,
        }];
        let chunk = Chunk {
            id: &self.id,
            object: "chat.completion.chunk",
            created: plan.created,
            model: &plan.model,
            system_fingerprint: matches!(self.dialect, Dialect::Standard | Dialect::Azure)
                .then_some(FINGERPRINT),
            choices: &choices,
            usage: self.include_usage.then_some(None),
        };
        sse_data(out, &chunk);
    }
}

impl OpenAiEncoder {
    /// The `logprobs` of a content delta, when asked for: one entry per token of `text`.
    fn logprobs_of(&mut self, block: &crate::plan::Block, text: &str) -> Option<Value> {
        let top = self.logprobs?;
        let (lp, next) = self
            .lp
            .get_or_insert_with(|| (Logprobs::new(&block.pieces.full(), top), 0));
        let (entries, n) = lp.entries(text, *next, Shape::WithBytes);
        *next += n;
        Some(json!({"content": entries, "refusal": null}))
    }
}

impl Encoder for OpenAiEncoder {
    fn begin(&mut self, plan: &Plan, out: &mut BytesMut) {
        if self.dialect == Dialect::Azure && self.choice == 0 {
            sse_data(
                out,
                &json!({"choices": [], "created": 0, "id": "", "model": "", "object": "", "prompt_filter_results": [{"prompt_index": 0, "content_filter_results": content_filter_results()}]}),
            );
        }
        let delta = Delta {
            role: Some("assistant"),
            content: Some(Some("")),
            ..Delta::default()
        };
        let logprobs = self
            .logprobs
            .map(|_| json!({"content": [], "refusal": null}));
        self.chunk(plan, delta, None, None, logprobs, out);
    }

    fn block_start(&mut self, plan: &Plan, block: usize, out: &mut BytesMut) {
        if let Some(BlockKind::Tool { id, name }) = plan.blocks.get(block).map(|b| &b.kind) {
            let delta = Delta {
                tool_calls: Some([ToolDelta {
                    index: 0,
                    id: Some(format!("call_{id}")),
                    kind: Some("function"),
                    function: FnDelta {
                        name: Some(name),
                        arguments: "",
                    },
                }]),
                ..Delta::default()
            };
            self.chunk(plan, delta, None, None, None, out);
        }
    }

    fn delta(&mut self, plan: &Plan, block: usize, text: &str, out: &mut BytesMut) {
        let delta = match plan.blocks.get(block).map(|b| &b.kind) {
            Some(BlockKind::Reasoning) => Delta {
                content: Some(None),
                reasoning_content: Some(text),
                ..Delta::default()
            },
            Some(BlockKind::Tool { .. }) => Delta {
                tool_calls: Some([ToolDelta {
                    index: 0,
                    id: None,
                    kind: None,
                    function: FnDelta {
                        name: None,
                        arguments: text,
                    },
                }]),
                ..Delta::default()
            },
            _ => Delta {
                content: Some(Some(text)),
                ..Delta::default()
            },
        };
        let logprobs = match plan.blocks.get(block) {
            Some(b) if b.kind == BlockKind::Text => self.logprobs_of(b, text),
            _ => None,
        };
        self.chunk(plan, delta, None, None, logprobs, out);
    }

    fn block_stop(&mut self, _plan: &Plan, _block: usize, _out: &mut BytesMut) {}

    /// Verified against the docs:
    /// * `stream_options.include_usage`: "an additional chunk will be streamed before the
    ///   `data: [DONE]` message ... the `choices` field will always be an empty array. All other
    ///   chunks will also include a `usage` field, but with a null value" (OpenAI OpenAPI spec,
    ///   `ChatCompletionStreamOptions`);
    /// * Moonshot puts usage inside the finishing choice (`choices[0].usage`; captured chunks in
    ///   github.com/higress-group/higress/pull/1568, earendil-works/pi#2017);
    /// * Azure's first chunk is a prompt-filter annotation with `"id":""`, `"model":""`,
    ///   `"choices":[]` (quoted in microsoft/autogen#6465, AbanteAI/mentat#429).
    fn finish(&mut self, plan: &Plan, out: &mut BytesMut) {
        let usage = usage_json(self.dialect, std::slice::from_ref(plan));
        let in_choice = (self.dialect == Dialect::Moonshot).then_some(&usage);
        self.chunk(
            plan,
            Delta::default(),
            Some(finish_reason(plan.finish)),
            in_choice,
            None,
            out,
        );
        if self.ends_body {
            if self.include_usage {
                usage_chunk(self.dialect, &self.id, plan, &usage, out);
            }
            out.extend_from_slice(b"data: [DONE]\n\n");
        }
    }

    /// A failure after the stream started is one `data:` event carrying the usual error body
    /// and no `choices`; the stream then closes without `[DONE]`. The official SDK raises
    /// `APIError` for such an event (openai-python `_streaming.py`: `if is_mapping(data) and
    /// data.get("error")`); compatible servers send the same shape (vercel/ai#1835 parses it as
    /// `{"error":{"message","type","param","code"}}`). `server_is_overloaded` is the code
    /// OpenAI's own stream errors use for overload (editor-code-assistant/eca#559).
    fn error(&mut self, _plan: &Plan, kind: Option<StreamErrorKind>, out: &mut BytesMut) {
        let (message, ty, code) = match kind.unwrap_or(StreamErrorKind::ServerError) {
            StreamErrorKind::ServerError => (
                "The server had an error while processing your request. Sorry about that!",
                "server_error",
                None,
            ),
            StreamErrorKind::Overloaded => (
                "The server is overloaded, please try again later.",
                "server_error",
                Some("server_is_overloaded"),
            ),
            StreamErrorKind::RateLimited => (
                "Rate limit reached for requests. Please try again later.",
                "requests",
                Some("rate_limit_exceeded"),
            ),
        };
        sse_data(
            out,
            &json!({"error": {"message": message, "type": ty, "param": null, "code": code}}),
        );
    }
}

async fn embeddings(State(p): St, conn: Conn, headers: HeaderMap, body: Bytes) -> Response {
    embeddings_inner(p, conn, headers, body, None).await
}

async fn embeddings_deployment(
    State(p): St,
    Path(deployment): Path<String>,
    conn: Conn,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    embeddings_inner(p, conn, headers, body, Some(deployment)).await
}

async fn embeddings_inner(
    p: Arc<Provider>,
    conn: Conn,
    headers: HeaderMap,
    body: Bytes,
    deployment: Option<String>,
) -> Response {
    let ctx = Ctx::new(&p, "embeddings", conn.map(|Extension(c)| c));
    let error = error_fn(p.cfg.dialect);
    if let Some(r) = ctx.gate(error).await {
        return r;
    }
    let result = async {
        check_key(&p, &headers)?;
        let v = parse_object(&body)?;
        let model = match (deployment, v.get("model").and_then(Value::as_str)) {
            (Some(d), _) => d,
            (None, Some(m)) if !m.is_empty() => m.to_owned(),
            _ => return Err(bad("you must provide a model parameter", None)),
        };
        let inputs = embedding_inputs(v.get("input"))?;
        if !p.cfg.embedding_models.contains(&model) {
            return Err(ErrKind::ModelNotFound(model));
        }
        let dims = match v.get("dimensions") {
            None | Some(Value::Null) => p.cfg.embedding_dimensions,
            Some(d) => match d.as_u64() {
                Some(n) if n >= 1 && n <= u64::from(p.cfg.embedding_dimensions) => n as u32,
                _ => return Err(bad(format!("Invalid value for 'dimensions': expected 1 to {}.", p.cfg.embedding_dimensions), Some("dimensions"))),
            },
        };
        let base64 = match v.get("encoding_format").and_then(Value::as_str) {
            None | Some("float") => false,
            Some("base64") => true,
            Some(other) => return Err(bad(format!("Invalid value: '{other}'. Supported values are: 'float' and 'base64'."), Some("encoding_format"))),
        };
        if let Some(kind) = ctx.injected() {
            return Err(kind);
        }
        ctx.slow_headers().await;
        let mut tokens = 0u32;
        let mut data = Vec::with_capacity(inputs.len());
        for (i, input) in inputs.iter().enumerate() {
            tokens += input.tokens;
            let vector = embed(p.cfg.seed, &model, input.hash, dims);
            let embedding = if base64 {
                let mut raw = Vec::with_capacity(vector.len() * 4);
                for x in &vector {
                    raw.extend_from_slice(&x.to_le_bytes());
                }
                Value::String(base64::engine::general_purpose::STANDARD.encode(raw))
            } else {
                json!(vector)
            };
            data.push(json!({"object": "embedding", "index": i, "embedding": embedding}));
        }
        let body = json!({"object": "list", "data": data, "model": model, "usage": {"prompt_tokens": tokens, "total_tokens": tokens}});
        Ok(json_response(StatusCode::OK, &body, &[]))
    }
    .await;
    match result {
        Ok(r) => ctx.finish(r),
        Err(kind) => ctx.finish(error(&kind)),
    }
}

struct EmbedInput {
    hash: u64,
    tokens: u32,
}

fn embedding_inputs(input: Option<&Value>) -> Result<Vec<EmbedInput>, ErrKind> {
    let invalid = || {
        bad("'$.input' is invalid. Please check the API reference: https://platform.openai.com/docs/api-reference.", Some("input"))
    };
    let one = |v: &Value| -> Result<EmbedInput, ErrKind> {
        let mut h = plan::Fnv::new();
        let _ = serde_json::to_writer(&mut h, v);
        match v {
            Value::String(s) if !s.is_empty() => Ok(EmbedInput {
                hash: h.value(),
                tokens: count_tokens(s),
            }),
            Value::Array(ids) if !ids.is_empty() && ids.iter().all(Value::is_u64) => {
                Ok(EmbedInput {
                    hash: h.value(),
                    tokens: ids.len() as u32,
                })
            }
            _ => Err(invalid()),
        }
    };
    match input {
        Some(s @ Value::String(_)) => Ok(vec![one(s)?]),
        Some(Value::Array(xs)) if !xs.is_empty() && xs.iter().all(Value::is_u64) => {
            Ok(vec![one(input.unwrap_or(&Value::Null))?])
        }
        Some(Value::Array(xs)) if !xs.is_empty() && xs.len() <= 2048 => {
            xs.iter().map(one).collect()
        }
        None => Err(bad("Missing required parameter: 'input'.", Some("input"))),
        _ => Err(invalid()),
    }
}

/// A unit vector determined by the seed, model and input.
pub(crate) fn embed(seed: u64, model: &str, input_hash: u64, dims: u32) -> Vec<f32> {
    let mut h = plan::Fnv::new();
    let _ = std::io::Write::write(&mut h, model.as_bytes());
    let mut rng = ChaCha8Rng::seed_from_u64(plan::mix(seed ^ input_hash ^ h.value()));
    let mut v: Vec<f32> = (0..dims).map(|_| rng.random_range(-1.0f32..1.0)).collect();
    let norm = v
        .iter()
        .map(|x| x * x)
        .sum::<f32>()
        .sqrt()
        .max(f32::MIN_POSITIVE);
    for x in &mut v {
        *x /= norm;
    }
    v
}

fn model_object(p: &Provider, id: &str) -> Value {
    let owner = match p.cfg.dialect {
        Dialect::Standard | Dialect::Azure => "openai".to_owned(),
        _ => p.cfg.name.clone(),
    };
    json!({"id": id, "object": "model", "created": 1_700_000_000u64, "owned_by": owner})
}

fn all_models(p: &Provider) -> impl Iterator<Item = &String> {
    p.cfg
        .models
        .iter()
        .chain(&p.cfg.reasoning_models)
        .chain(&p.cfg.embedding_models)
}

async fn list_models(State(p): St, conn: Conn, headers: HeaderMap) -> Response {
    let ctx = Ctx::new(&p, "models.list", conn.map(|Extension(c)| c));
    let error = error_fn(p.cfg.dialect);
    if let Some(r) = ctx.gate(error).await {
        return r;
    }
    if let Err(kind) = check_key(&p, &headers) {
        return ctx.finish(error(&kind));
    }
    if let Some(kind) = ctx.injected() {
        return ctx.finish(error(&kind));
    }
    let data: Vec<Value> = all_models(&p).map(|m| model_object(&p, m)).collect();
    ctx.finish(json_response(
        StatusCode::OK,
        &json!({"object": "list", "data": data}),
        &[],
    ))
}

async fn get_model(
    State(p): St,
    Path(model): Path<String>,
    conn: Conn,
    headers: HeaderMap,
) -> Response {
    let ctx = Ctx::new(&p, "models.retrieve", conn.map(|Extension(c)| c));
    let error = error_fn(p.cfg.dialect);
    if let Some(r) = ctx.gate(error).await {
        return r;
    }
    if let Err(kind) = check_key(&p, &headers) {
        return ctx.finish(error(&kind));
    }
    if !all_models(&p).any(|m| *m == model) {
        return ctx.finish(error(&ErrKind::ModelNotFound(model)));
    }
    ctx.finish(json_response(
        StatusCode::OK,
        &model_object(&p, &model),
        &[],
    ))
}
