//! OpenAI's Responses API (`POST /v1/responses`), plain and streamed with its typed events, on
//! the OpenAI protocol and the compatible dialects that document it ([`offers_responses`]).
//!
//! Shapes follow the official SDK's types (openai-python `src/openai/types/responses/`:
//! `Response`, `ResponseOutputMessage`, `ResponseOutputText`, `ResponseFunctionToolCall`,
//! `ResponseReasoningItem`, `ResponseUsage` and the stream events, each with its
//! `sequence_number`). A stream opens with `response.created` and `response.in_progress` as
//! soon as the request is accepted (before the first token is due), then per output item
//! `response.output_item.added`, `response.content_part.added`, `response.output_text.delta`...
//! `response.output_text.done`, `response.content_part.done`, `response.output_item.done`
//! (function calls: `response.function_call_arguments.delta` / `.done`), and ends with
//! `response.completed`, or `response.incomplete` when the output cap cut the answer.
//!
//! The emulator keeps no responses: `store` is echoed, `previous_response_id` is refused as
//! not found, and the retrieve/delete routes are not served. Reasoning is hidden, as OpenAI
//! returns it without a `reasoning.summary`: an empty-summary `reasoning` item, counted in
//! `output_tokens_details.reasoning_tokens`.

use std::sync::Arc;

use axum::extract::State;
use axum::response::Response;
use axum::Extension;
use bytes::{Bytes, BytesMut};
use http::{HeaderMap, StatusCode};
use serde::Serialize;
use serde_json::{json, Value};

use super::limits::{self, Overrun};
use super::openai::{check_key, error_fn, field_error, overrun, parse_object, type_error};
use super::{
    bad, bad_field, chat_model, json_response, make_id, mentions_json, prompt_builder,
    stream_response, Ctx, ErrKind, Rule,
};
use crate::cache::Prompt;
use crate::config::{Dialect, StreamErrorKind};
use crate::logprobs::{Logprobs, Shape};
use crate::plan::{self, request_hash, BlockKind, ChatSpec, Finish, Plan, Reasoning, ToolCall};
use crate::server::{ConnKill, Provider};
use crate::stream::{paced, sse_event, Encoder};

/// Members of the family that document a Responses endpoint: OpenAI; Azure OpenAI's v1 API
/// (`/openai/v1/responses`, Microsoft Learn "Azure OpenAI Responses API"; not in the shared
/// research); Alibaba Model Studio (`/compatible-mode/v1/responses`), Volcengine Ark
/// (`/api/v3/responses`), Zhipu (`/api/v1/responses`, docs.bigmodel.cn) and Bedrock's OpenAI
/// endpoint (bedrock-mantle `/openai/v1`, "Responses + Chat"), all as listed in the shared
/// research (ai-cloud-facts.md). DeepSeek's is "listed as supported" there without a path, so
/// it is left out.
pub(crate) fn offers_responses(d: Dialect) -> bool {
    matches!(
        d,
        Dialect::Standard
            | Dialect::Azure
            | Dialect::DashScope
            | Dialect::Ark
            | Dialect::Zhipu
            | Dialect::BedrockOpenAi
    )
}

/// Paths of the endpoint for a dialect that offers it: under its base path and `/v1`, except
/// Zhipu, whose Responses API is not under its chat base (`/api/paas/v4`).
pub(crate) fn paths(d: Dialect) -> Vec<&'static str> {
    let mut out = match d {
        Dialect::Zhipu => vec!["/api/v1/responses"],
        Dialect::Azure => vec!["/openai/v1/responses", "/openai/responses"],
        Dialect::DashScope => vec!["/compatible-mode/v1/responses"],
        Dialect::Ark => vec!["/api/v3/responses"],
        Dialect::BedrockOpenAi => vec!["/openai/v1/responses"],
        _ => vec![],
    };
    out.push("/v1/responses");
    out
}

type Conn = Option<Extension<ConnKill>>;

pub(crate) async fn create(
    State(p): State<Arc<Provider>>,
    conn: Conn,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let ctx = Ctx::new(&p, "responses", conn.map(|Extension(c)| c));
    let error = error_fn(p.cfg.dialect);
    if let Some(r) = ctx.gate(error).await {
        return r;
    }
    match checked(&ctx, &headers, &body).await {
        Ok(r) => ctx.finish(r),
        Err(kind) => ctx.finish(error(&kind)),
    }
}

/// A parsed request: what to generate, and the request's settings the response echoes.
struct Request {
    spec: ChatSpec,
    prompt: Prompt,
    stream: bool,
    /// The response object without `id`, `status`, `output`, `usage` and the like.
    echo: Value,
    /// The prompt is over the context window: a stream reports it in `response.failed`.
    context_overrun: Option<Overrun>,
    /// `include: ["message.output_text.logprobs"]`: alternatives per token (`top_logprobs`).
    logprobs: Option<usize>,
}

/// Typed and bounded Responses fields. `max_output_tokens` is at least 16: "Invalid
/// 'max_output_tokens': integer below minimum value. Expected a value >= 16, but got 10
/// instead." (`integer_below_min_value`, body quoted in vectorize-io/hindsight#58);
/// `top_logprobs` "An integer between 0 and 20" (the SDK's `ResponseCreateParams`).
const FIELDS: [(&str, Rule); 7] = [
    ("max_output_tokens", Rule::integer_at_least(16)),
    ("temperature", Rule::number_in(0.0, 2.0)),
    ("top_p", Rule::number_in(0.0, 1.0)),
    ("top_logprobs", Rule::integer_in(0, 20)),
    ("stream", Rule::BOOLEAN),
    ("parallel_tool_calls", Rule::BOOLEAN),
    ("store", Rule::BOOLEAN),
];

/// JSON mode's rule on the Responses API looks at the input messages only, not at
/// `instructions`; body quoted from the API in two clients' tests and notes (a Go client's
/// fixture for issue #1595 and an extraction script's comment: "instructions alone (which does
/// say "JSON") isn't enough"), param `text.format`, code null.
const JSON_WORD_MISSING: &str = "Response input messages must contain the word 'json' in some form to use 'text.format' of type 'json_object'.";

/// Context overflow as the Responses API words it (`context_length_exceeded`; the message the
/// Codex CLI's tests replay from the API, and that its users report).
const CONTEXT_EXCEEDED: &str =
    "Your input exceeds the context window of this model. Please adjust your input and try again.";

fn parse(p: &Provider, v: &Value) -> Result<Request, ErrKind> {
    let model = match v.get("model") {
        Some(Value::String(m)) if !m.is_empty() => m.clone(),
        None | Some(Value::Null) => {
            return Err(bad_field(
                "Missing required parameter: 'model'.",
                "model",
                "missing_required_parameter",
            ))
        }
        Some(other) => return Err(type_error("model", "a string", other)),
    };
    for (name, rule) in FIELDS {
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
    // the item list as the model reads it: a string input is one user message
    let input = match v.get("input") {
        None | Some(Value::Null) => Value::Array(Vec::new()),
        Some(Value::String(s)) => json!([{"role": "user", "content": s}]),
        Some(Value::Array(items)) => Value::Array(items.clone()),
        Some(other) => {
            return Err(type_error(
                "input",
                "one of a string or array of input items",
                other,
            ))
        }
    };
    let items = input.as_array().map(Vec::as_slice).unwrap_or_default();
    for (i, item) in items.iter().enumerate() {
        let kind = item
            .get("type")
            .and_then(Value::as_str)
            .unwrap_or("message");
        if kind == "message" {
            let role = item.get("role").and_then(Value::as_str).unwrap_or("");
            if !matches!(role, "user" | "assistant" | "system" | "developer") {
                return Err(bad_field(
                    format!("Invalid value: '{role}'. Supported values are: 'assistant', 'system', 'developer', and 'user'."),
                    &format!("input[{i}].role"),
                    "invalid_value",
                ));
            }
        }
    }
    if let Some(id) = v.get("previous_response_id").and_then(Value::as_str) {
        return Err(bad_field(
            format!("Previous response with id '{id}' not found."),
            "previous_response_id",
            "previous_response_not_found",
        ));
    }
    let reasons = chat_model(p, &model).ok_or_else(|| {
        // the Responses API answers an unknown model with a 400, not chat's 404 (body quoted in
        // skorokithakis/sysaidmin#9)
        bad_field(
            format!("The requested model '{model}' does not exist."),
            "model",
            "model_not_found",
        )
    })?;
    let format = v.pointer("/text/format");
    let format_type = format.and_then(|f| f.get("type")).and_then(Value::as_str);
    if format_type == Some("json_object") && !mentions_json(&input) {
        return Err(bad(JSON_WORD_MISSING, Some("text.format")));
    }
    let json_schema = (format_type == Some("json_schema"))
        .then(|| format.and_then(|f| f.get("schema")).cloned())
        .flatten();
    let json_mode = matches!(format_type, Some("json_object" | "json_schema"));
    let tools = v.get("tools").and_then(Value::as_array);
    let last_is_tool_result = items
        .last()
        .and_then(|m| m.get("type"))
        .and_then(Value::as_str)
        .is_some_and(|t| t == "function_call_output");
    let tool = match tools {
        Some(tools) if !tools.is_empty() && !last_is_tool_result => {
            pick_tool(tools, v.get("tool_choice"))?
        }
        _ => None,
    };
    let instructions = v.get("instructions").filter(|i| !i.is_null());
    // the cacheable prefix: tools, then instructions, then each input item
    let mut prompt = prompt_builder(p, &model, &[format]);
    if let Some(tools) = v.get("tools") {
        prompt.unit(tools);
    }
    if let Some(i) = instructions {
        prompt.unit(i);
    }
    for item in items {
        prompt.unit(item);
    }
    let prompt = prompt.finish();
    let max_tokens = v
        .get("max_output_tokens")
        .and_then(Value::as_u64)
        .map(|n| n.min(u64::from(u32::MAX)) as u32);
    let spec = ChatSpec {
        hash: request_hash(
            p.cfg.seed,
            &model,
            &[Some(&input), v.get("tools"), format, instructions],
        ),
        input_tokens: prompt.tokens(),
        max_tokens,
        reasoning: if reasons {
            Reasoning::Hidden
        } else {
            Reasoning::None
        },
        json_mode,
        json_schema,
        tool,
        model,
    };
    let stream = v.get("stream").and_then(Value::as_bool).unwrap_or(false);
    let context_overrun = match limits::check(p, &spec) {
        Ok(()) => None,
        Err(o @ Overrun::Output { .. }) => return Err(overrun(o, "max_output_tokens")),
        Err(o) if stream => Some(o),
        Err(_) => {
            return Err(bad_field(
                CONTEXT_EXCEEDED,
                "input",
                "context_length_exceeded",
            ))
        }
    };
    // token log-probabilities are asked for by `include` ("message.output_text.logprobs",
    // the SDK's `ResponseIncludable`), `top_logprobs` sets the alternatives
    let logprobs = v
        .get("include")
        .and_then(Value::as_array)
        .is_some_and(|i| i.iter().any(|x| x == "message.output_text.logprobs"))
        .then(|| v.get("top_logprobs").and_then(Value::as_u64).unwrap_or(0) as usize);
    Ok(Request {
        logprobs,
        echo: echo(v, &spec.model, reasons),
        spec,
        prompt,
        stream,
        context_overrun,
    })
}

/// The request's settings as the response object repeats them, defaults filled in as the API
/// fills them (`temperature` and `top_p` 1, `tool_choice` "auto", `truncation` "disabled",
/// `text.format` text, function tools `strict` unless said otherwise).
fn echo(v: &Value, model: &str, reasons: bool) -> Value {
    let or = |key: &str, default: Value| {
        v.get(key)
            .filter(|x| !x.is_null())
            .cloned()
            .unwrap_or(default)
    };
    let tools: Vec<Value> = v
        .get("tools")
        .and_then(Value::as_array)
        .map(|tools| {
            tools
                .iter()
                .map(|t| {
                    let mut t = t.clone();
                    if t.get("type").and_then(Value::as_str) == Some("function") {
                        if let Some(o) = t.as_object_mut() {
                            o.entry("strict").or_insert(Value::Bool(true));
                            o.entry("description").or_insert(Value::Null);
                        }
                    }
                    t
                })
                .collect()
        })
        .unwrap_or_default();
    let effort = v
        .pointer("/reasoning/effort")
        .cloned()
        .filter(|e| !e.is_null())
        .unwrap_or_else(|| {
            if reasons {
                json!("medium")
            } else {
                Value::Null
            }
        });
    json!({
        "object": "response",
        "background": false,
        "error": null,
        "incomplete_details": null,
        "instructions": or("instructions", Value::Null),
        "max_output_tokens": or("max_output_tokens", Value::Null),
        "max_tool_calls": or("max_tool_calls", Value::Null),
        "model": model,
        "parallel_tool_calls": or("parallel_tool_calls", Value::Bool(true)),
        "previous_response_id": null,
        "prompt_cache_key": or("prompt_cache_key", Value::Null),
        "reasoning": {"effort": effort, "summary": v.pointer("/reasoning/summary").cloned().unwrap_or(Value::Null)},
        "safety_identifier": or("safety_identifier", Value::Null),
        "service_tier": "default",
        "store": or("store", Value::Bool(true)),
        "temperature": or("temperature", json!(1.0)),
        "text": {"format": v.pointer("/text/format").cloned().unwrap_or_else(|| json!({"type": "text"})), "verbosity": "medium"},
        "tool_choice": or("tool_choice", json!("auto")),
        "tools": tools,
        "top_logprobs": or("top_logprobs", json!(0)),
        "top_p": or("top_p", json!(1.0)),
        "truncation": or("truncation", json!("disabled")),
        "user": or("user", Value::Null),
        "metadata": or("metadata", json!({})),
    })
}

/// The function tool the response calls: Responses tools are flat (`{"type": "function",
/// "name", "parameters"}`); built-in tools (web search, file search, ...) are never called.
fn pick_tool(tools: &[Value], choice: Option<&Value>) -> Result<Option<ToolCall>, ErrKind> {
    let as_call = |t: &Value| -> Option<ToolCall> {
        if t.get("type").and_then(Value::as_str) != Some("function") {
            return None;
        }
        Some(ToolCall {
            name: t.get("name")?.as_str()?.to_owned(),
            schema: t
                .get("parameters")
                .filter(|s| !s.is_null())
                .cloned()
                .unwrap_or_else(|| json!({"type": "object", "properties": {}})),
        })
    };
    match choice {
        Some(Value::String(s)) if s == "none" => Ok(None),
        Some(Value::Object(o)) if o.get("type").and_then(Value::as_str) == Some("function") => {
            let name = o.get("name").and_then(Value::as_str).unwrap_or("");
            tools
                .iter()
                .filter_map(as_call)
                .find(|t| t.name == name)
                .map(Some)
                .ok_or_else(|| {
                    bad(
                        format!("Tool choice 'function' with name '{name}' not found in 'tools' parameter."),
                        Some("tool_choice"),
                    )
                })
        }
        // "auto" (the default with tools) and "required": the emulator calls the first function
        _ => Ok(tools.iter().find_map(as_call)),
    }
}

async fn checked(ctx: &Ctx, headers: &HeaderMap, body: &[u8]) -> Result<Response, ErrKind> {
    let p = &ctx.p;
    check_key(p, headers)?;
    let v = parse_object(body)?;
    let req = parse(p, &v)?;
    if let Some(kind) = ctx.injected() {
        return Err(kind);
    }
    let mut rng = ctx.rng.clone();
    let fault = if req.stream { ctx.stream_fault() } else { None };
    let plan = ctx.plan(&req.spec, &req.prompt, &mut rng, fault);
    ctx.slow_headers().await;
    let ids = Ids::new(ctx.serial, p.cfg.seed);
    let extra = [(
        "x-request-id",
        format!("req_{}", make_id(ctx.serial, 7, 24)),
    )];
    if req.stream {
        let mut enc = ResponsesEncoder {
            echo: req.echo,
            logprobs: req.logprobs,
            lp: None,
            ids,
            seq: 0,
            reasoning_sent: false,
        };
        if req.context_overrun.is_some() {
            // the API accepts the stream, then fails the response (as the Codex CLI's tests
            // replay it): created, then failed with `context_length_exceeded`
            let mut out = BytesMut::new();
            enc.lifecycle(&plan, "response.created", "in_progress", false, &mut out);
            enc.failed(&plan, "context_length_exceeded", CONTEXT_EXCEEDED, &mut out);
            let body = futures::stream::once(async move { Ok(out.freeze()) });
            return Ok(stream_response(
                "text/event-stream; charset=utf-8",
                body,
                &extra,
            ));
        }
        return Ok(stream_response(
            "text/event-stream; charset=utf-8",
            paced(plan, enc, Arc::clone(p), ctx.arrival),
            &extra,
        ));
    }
    if !ctx.wait_for(&plan).await {
        return Err(ErrKind::Unavailable);
    }
    let mut body = req.echo;
    fill(
        &mut body,
        &ids,
        &plan,
        status(plan.finish),
        true,
        req.logprobs,
    );
    Ok(json_response(StatusCode::OK, &body, &extra))
}

/// The ids of one response and its items: `resp_`, `msg_`, `rs_`, `fc_` and 48 hex digits.
struct Ids {
    response: String,
    message: String,
    reasoning: String,
    function: String,
}

impl Ids {
    fn new(serial: u64, seed: u64) -> Self {
        let hex = |prefix: &str, salt: u64| {
            let a = plan::mix(serial ^ seed.rotate_left(7) ^ salt);
            let b = plan::mix(a);
            let c = plan::mix(b);
            format!("{prefix}{a:016x}{b:016x}{c:016x}")
        };
        Self {
            response: hex("resp_", 1),
            message: hex("msg_", 2),
            reasoning: hex("rs_", 3),
            function: hex("fc_", 4),
        }
    }
}

/// `completed`, or `incomplete` when the output cap cut the answer.
fn status(f: Finish) -> &'static str {
    match f {
        Finish::Length => "incomplete",
        Finish::Stop | Finish::ToolUse => "completed",
    }
}

/// Fill the response object: id, time, status, and (when `done`) its output and usage.
fn fill(
    body: &mut Value,
    ids: &Ids,
    plan: &Plan,
    status: &str,
    done: bool,
    logprobs: Option<usize>,
) {
    body["id"] = json!(ids.response);
    body["created_at"] = json!(plan.created);
    body["status"] = json!(status);
    if status == "incomplete" {
        body["incomplete_details"] = json!({"reason": "max_output_tokens"});
    }
    if done {
        body["output"] = Value::Array(output_items(plan, ids, logprobs));
        body["usage"] = usage(plan);
        if status == "completed" {
            body["completed_at"] = json!(plan::unix_now());
        }
    } else {
        body["output"] = json!([]);
        body["usage"] = Value::Null;
    }
}

/// `ResponseUsage`: input and output tokens with their details; output counts reasoning.
fn usage(plan: &Plan) -> Value {
    let input = plan.input_tokens;
    let output = plan.output_tokens();
    json!({
        "input_tokens": input,
        "input_tokens_details": {"cached_tokens": plan.cache.read.min(input)},
        "output_tokens": output,
        "output_tokens_details": {"reasoning_tokens": plan.reasoning_tokens()},
        "total_tokens": input + output,
    })
}

/// The finished output items, in order: the reasoning item, then the message or the function
/// call; an item with no tokens is not there (an answer the reasoning left no room for).
fn output_items(plan: &Plan, ids: &Ids, logprobs: Option<usize>) -> Vec<Value> {
    let last = plan.blocks.iter().rposition(|b| !b.pieces.is_empty());
    plan.blocks
        .iter()
        .enumerate()
        .filter(|(_, b)| !b.pieces.is_empty())
        .map(|(i, _)| {
            let status = if Some(i) == last && plan.finish == Finish::Length {
                "incomplete"
            } else {
                "completed"
            };
            item(plan, ids, i, status, true, logprobs)
        })
        .collect()
}

/// One output item; `full` carries its content, else it is the empty item a stream announces.
fn item(
    plan: &Plan,
    ids: &Ids,
    block: usize,
    status: &str,
    full: bool,
    logprobs: Option<usize>,
) -> Value {
    let Some(b) = plan.blocks.get(block) else {
        return Value::Null;
    };
    match &b.kind {
        BlockKind::Reasoning => json!({"id": ids.reasoning, "type": "reasoning", "summary": []}),
        BlockKind::Text => {
            let content = if full {
                let text = b.pieces.full();
                json!([text_part(&text, part_logprobs(&text, logprobs))])
            } else {
                json!([])
            };
            json!({"id": ids.message, "type": "message", "status": status, "content": content, "role": "assistant"})
        }
        BlockKind::Tool { id, name } => {
            let arguments = if full { b.pieces.full() } else { "".into() };
            json!({"id": ids.function, "type": "function_call", "status": status, "arguments": arguments, "call_id": format!("call_{id}"), "name": name})
        }
    }
}

fn text_part(text: &str, logprobs: Value) -> Value {
    json!({"type": "output_text", "annotations": [], "logprobs": logprobs, "text": text})
}

/// The finished text's `logprobs` (`ResponseOutputText.Logprob`, with `bytes`); empty unless
/// asked for.
fn part_logprobs(text: &str, top: Option<usize>) -> Value {
    match top {
        Some(top) => Value::Array(
            Logprobs::new(text, top)
                .entries(text, 0, Shape::WithBytes)
                .0,
        ),
        None => Value::Array(Vec::new()),
    }
}

/// The index of a block among the output items (blocks without tokens are not items).
fn output_index(plan: &Plan, block: usize) -> usize {
    plan.blocks[..block.min(plan.blocks.len())]
        .iter()
        .filter(|b| !b.pieces.is_empty())
        .count()
}

#[derive(Serialize)]
struct TextDelta<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    sequence_number: u64,
    item_id: &'a str,
    output_index: usize,
    content_index: u32,
    delta: &'a str,
    logprobs: Value,
}

#[derive(Serialize)]
struct ArgumentsDelta<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    sequence_number: u64,
    item_id: &'a str,
    output_index: usize,
    delta: &'a str,
}

struct ResponsesEncoder {
    echo: Value,
    logprobs: Option<usize>,
    /// The text's log-probabilities and the next token's position, from the first delta.
    lp: Option<(Logprobs, usize)>,
    ids: Ids,
    seq: u64,
    /// The (hidden) reasoning item has been announced and closed.
    reasoning_sent: bool,
}

impl ResponsesEncoder {
    fn next(&mut self) -> u64 {
        let n = self.seq;
        self.seq += 1;
        n
    }

    fn event(&mut self, out: &mut BytesMut, name: &'static str, mut data: Value) {
        data["type"] = json!(name);
        data["sequence_number"] = json!(self.next());
        sse_event(out, name, &data);
    }

    /// `response.created`, `response.in_progress`, `.completed`, `.incomplete`: the response
    /// object as it stands.
    fn lifecycle(
        &mut self,
        plan: &Plan,
        name: &'static str,
        status: &str,
        done: bool,
        out: &mut BytesMut,
    ) {
        let mut response = self.echo.clone();
        fill(&mut response, &self.ids, plan, status, done, self.logprobs);
        self.event(out, name, json!({"response": response}));
    }

    /// `response.failed` carrying the error in the response object (`ResponseError`).
    fn failed(&mut self, plan: &Plan, code: &str, message: &str, out: &mut BytesMut) {
        let mut response = self.echo.clone();
        fill(&mut response, &self.ids, plan, "failed", false, None);
        response["error"] = json!({"code": code, "message": message});
        self.event(out, "response.failed", json!({"response": response}));
    }

    /// The hidden reasoning item, announced and closed at once when the reasoning is over.
    fn reasoning(&mut self, plan: &Plan, out: &mut BytesMut) {
        if self.reasoning_sent {
            return;
        }
        self.reasoning_sent = true;
        let Some(block) = plan
            .blocks
            .iter()
            .position(|b| b.kind == BlockKind::Reasoning && !b.pieces.is_empty())
        else {
            return;
        };
        let index = output_index(plan, block);
        let it = item(plan, &self.ids, block, "completed", true, None);
        self.event(
            out,
            "response.output_item.added",
            json!({"output_index": index, "item": it.clone()}),
        );
        self.event(
            out,
            "response.output_item.done",
            json!({"output_index": index, "item": it}),
        );
    }
}

impl ResponsesEncoder {
    /// A text delta's `logprobs` (the event's entries carry no `bytes`): one per token.
    fn delta_logprobs(&mut self, plan: &Plan, block: usize, text: &str) -> Value {
        let (Some(top), Some(b)) = (self.logprobs, plan.blocks.get(block)) else {
            return Value::Array(Vec::new());
        };
        let (lp, next) = self
            .lp
            .get_or_insert_with(|| (Logprobs::new(&b.pieces.full(), top), 0));
        let (entries, n) = lp.entries(text, *next, Shape::NoBytes);
        *next += n;
        Value::Array(entries)
    }
}

/// `response.output_text.done`'s `logprobs`: the whole text's, shaped as the delta events'.
fn done_logprobs(text: &str, top: Option<usize>) -> Value {
    match top {
        Some(top) => Value::Array(Logprobs::new(text, top).entries(text, 0, Shape::NoBytes).0),
        None => Value::Array(Vec::new()),
    }
}

impl Encoder for ResponsesEncoder {
    fn open(&mut self, plan: &Plan, out: &mut BytesMut) {
        self.lifecycle(plan, "response.created", "in_progress", false, out);
        self.lifecycle(plan, "response.in_progress", "in_progress", false, out);
    }

    fn begin(&mut self, _plan: &Plan, _out: &mut BytesMut) {}

    fn block_start(&mut self, plan: &Plan, block: usize, out: &mut BytesMut) {
        self.reasoning(plan, out);
        let index = output_index(plan, block);
        let Some(b) = plan.blocks.get(block) else {
            return;
        };
        let it = item(plan, &self.ids, block, "in_progress", false, None);
        self.event(
            out,
            "response.output_item.added",
            json!({"output_index": index, "item": it}),
        );
        if b.kind == BlockKind::Text {
            let item_id = self.ids.message.clone();
            self.event(
                out,
                "response.content_part.added",
                json!({"item_id": item_id, "output_index": index, "content_index": 0, "part": text_part("", json!([]))}),
            );
        }
    }

    fn delta(&mut self, plan: &Plan, block: usize, text: &str, out: &mut BytesMut) {
        let index = output_index(plan, block);
        match plan.blocks.get(block).map(|b| &b.kind) {
            Some(BlockKind::Text) => {
                let logprobs = self.delta_logprobs(plan, block, text);
                let ev = TextDelta {
                    kind: "response.output_text.delta",
                    sequence_number: self.next(),
                    item_id: &self.ids.message,
                    output_index: index,
                    content_index: 0,
                    delta: text,
                    logprobs,
                };
                sse_event(out, ev.kind, &ev);
            }
            Some(BlockKind::Tool { .. }) => {
                let ev = ArgumentsDelta {
                    kind: "response.function_call_arguments.delta",
                    sequence_number: self.next(),
                    item_id: &self.ids.function,
                    output_index: index,
                    delta: text,
                };
                sse_event(out, ev.kind, &ev);
            }
            // hidden: never streamed
            Some(BlockKind::Reasoning) | None => {}
        }
    }

    fn block_stop(&mut self, plan: &Plan, block: usize, out: &mut BytesMut) {
        let index = output_index(plan, block);
        let Some(b) = plan.blocks.get(block) else {
            return;
        };
        let full = b.pieces.full();
        let last = plan.blocks[block + 1..].iter().all(|b| b.pieces.is_empty());
        let status = if last && plan.finish == Finish::Length {
            "incomplete"
        } else {
            "completed"
        };
        match &b.kind {
            BlockKind::Text => {
                let item_id = self.ids.message.clone();
                self.event(
                    out,
                    "response.output_text.done",
                    json!({"item_id": item_id, "output_index": index, "content_index": 0, "text": full, "logprobs": done_logprobs(&full, self.logprobs)}),
                );
                self.event(
                    out,
                    "response.content_part.done",
                    json!({"item_id": item_id, "output_index": index, "content_index": 0, "part": text_part(&full, part_logprobs(&full, self.logprobs))}),
                );
            }
            BlockKind::Tool { .. } => {
                let item_id = self.ids.function.clone();
                self.event(
                    out,
                    "response.function_call_arguments.done",
                    json!({"item_id": item_id, "output_index": index, "arguments": full}),
                );
            }
            BlockKind::Reasoning => return,
        }
        let it = item(plan, &self.ids, block, status, true, self.logprobs);
        self.event(
            out,
            "response.output_item.done",
            json!({"output_index": index, "item": it}),
        );
    }

    fn finish(&mut self, plan: &Plan, out: &mut BytesMut) {
        self.reasoning(plan, out);
        let status = status(plan.finish);
        let name = if status == "completed" {
            "response.completed"
        } else {
            "response.incomplete"
        };
        self.lifecycle(plan, name, status, true, out);
    }

    /// A failure after the stream started ends it with `response.failed`, the error in the
    /// response object as the SDK's `ResponseError` types it: `server_error`,
    /// `rate_limit_exceeded`, and for overload `server_is_overloaded` as on Chat Completions.
    fn error(&mut self, plan: &Plan, kind: Option<StreamErrorKind>, out: &mut BytesMut) {
        let (code, message) = match kind.unwrap_or(StreamErrorKind::ServerError) {
            StreamErrorKind::ServerError => (
                "server_error",
                "The server had an error while processing your request. Sorry about that!",
            ),
            StreamErrorKind::Overloaded => (
                "server_is_overloaded",
                "The server is overloaded, please try again later.",
            ),
            StreamErrorKind::RateLimited => (
                "rate_limit_exceeded",
                "Rate limit reached for requests. Please try again later.",
            ),
        };
        self.failed(plan, code, message, out);
    }
}
