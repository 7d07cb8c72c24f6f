//! Google Gemini API: `POST /v1beta/models/{model}:generateContent`,
//! `:streamGenerateContent` (`?alt=sse` for SSE, otherwise a streamed JSON array),
//! `:countTokens`, and the models list. Keys come in `x-goog-api-key` or `?key=`.

use std::collections::HashMap;
use std::sync::Arc;

use axum::extract::{Path, Query, State};
use axum::response::Response;
use axum::routing::get;
use axum::{Extension, Router};
use bytes::{BufMut, Bytes, BytesMut};
use http::{HeaderMap, StatusCode};
use serde_json::{json, Value};

use super::limits::{self, Overrun};
use super::{
    bad, bound_text, chat_model, header, json_response, key_ok, make_id, prompt_builder,
    stream_response, Ctx, ErrKind,
};
use crate::cache::Prompt;
use crate::config::StreamErrorKind;
use crate::plan::{self, request_hash, BlockKind, ChatSpec, Finish, Plan, Reasoning, ToolCall};
use crate::server::{ConnKill, Provider};
use crate::stream::{paced, Encoder};

type Conn = Option<Extension<ConnKill>>;
type Params = Query<HashMap<String, String>>;

pub(crate) fn router() -> Router<Arc<Provider>> {
    let mut r = Router::new();
    for version in ["/v1beta", "/v1"] {
        r = r
            .route(&format!("{version}/models"), get(list_models))
            .route(
                &format!("{version}/models/{{model}}"),
                get(get_model).post(action),
            );
    }
    r
}

/// `{"error":{"code","message","status"}}`, Google's RPC error shape.
fn error(kind: &ErrKind) -> Response {
    let (code, status, message): (u16, &str, String) = match kind {
        ErrKind::Unauthorized(m) if m.starts_with("Method") => (403, "PERMISSION_DENIED", m.clone()),
        ErrKind::Unauthorized(m) => (400, "INVALID_ARGUMENT", m.clone()),
        ErrKind::BadRequest { message, .. } => (400, "INVALID_ARGUMENT", message.clone()),
        ErrKind::ModelNotFound(m) => (
            404,
            "NOT_FOUND",
            format!("models/{m} is not found for API version v1beta, or is not supported for generateContent. Call ListModels to see the list of available models and their supported methods."),
        ),
        ErrKind::RateLimited { .. } => (429, "RESOURCE_EXHAUSTED", "Resource has been exhausted (e.g. check quota).".to_owned()),
        ErrKind::Server => (500, "INTERNAL", "An internal error has occurred. Please retry or report in https://developers.generativeai.google/guide/troubleshooting".to_owned()),
        ErrKind::Unavailable => (503, "UNAVAILABLE", "The model is overloaded. Please try again later.".to_owned()),
    };
    let mut body = json!({"error": {"code": code, "message": message, "status": status}});
    if matches!(kind, ErrKind::Unauthorized(m) if m.starts_with("API key")) {
        // What the API answers for a wrong key: 400 INVALID_ARGUMENT, told apart from other bad
        // requests only by the google.rpc.ErrorInfo reason (observed bodies quoted in
        // github.com/google-gemini/gemini-cli/issues/4690 and continuedev/continue#10290).
        body["error"]["details"] = json!([{
            "@type": "type.googleapis.com/google.rpc.ErrorInfo",
            "reason": "API_KEY_INVALID",
            "domain": "googleapis.com",
            "metadata": {"service": "generativelanguage.googleapis.com"}
        }]);
    }
    if let ErrKind::BadRequest {
        message,
        param: Some(field),
        ..
    } = kind
    {
        if let Some(description) = message.strip_prefix(INVALID_PAYLOAD) {
            body["error"]["details"] = json!([{
                "@type": "type.googleapis.com/google.rpc.BadRequest",
                "fieldViolations": [{"field": field, "description": description}]
            }]);
        }
    }
    let mut extra = Vec::new();
    if let ErrKind::RateLimited { retry_after_s } = kind {
        body["error"]["details"] = json!([{"@type": "type.googleapis.com/google.rpc.RetryInfo", "retryDelay": format!("{retry_after_s}s")}]);
        extra.push(("retry-after", retry_after_s.to_string()));
    }
    let status = StatusCode::from_u16(code).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    json_response(status, &body, &extra)
}

fn check_key(
    p: &Provider,
    headers: &HeaderMap,
    params: &HashMap<String, String>,
) -> Result<(), ErrKind> {
    let key = header(headers, "x-goog-api-key").or_else(|| params.get("key").map(String::as_str));
    match key {
        None | Some("") => Err(ErrKind::Unauthorized("Method doesn't allow unregistered callers (callers without established identity). Please use API Key or other form of API consumer identity to call this API.".to_owned())),
        k if key_ok(p, k) => Ok(()),
        _ => Err(ErrKind::Unauthorized("API key not valid. Please pass a valid API key.".to_owned())),
    }
}

async fn action(
    State(p): State<Arc<Provider>>,
    Path(model_action): Path<String>,
    Query(params): Params,
    conn: Conn,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let (model, method) = model_action
        .rsplit_once(':')
        .unwrap_or((model_action.as_str(), ""));
    let route = match method {
        "generateContent" => "generateContent",
        "streamGenerateContent" => "streamGenerateContent",
        "countTokens" => "countTokens",
        "embedContent" => "embedContent",
        "batchEmbedContents" => "batchEmbedContents",
        _ => "unknown",
    };
    let ctx = Ctx::new(&p, route, conn.map(|Extension(c)| c));
    if let Some(r) = ctx.gate(error).await {
        return r;
    }
    if matches!(route, "embedContent" | "batchEmbedContents") {
        let result = embeddings(&ctx, model, route, &headers, &params, &body).await;
        return ctx.finish(result.unwrap_or_else(|kind| error(&kind)));
    }
    let result = async {
        check_key(&p, &headers, &params)?;
        if route == "unknown" {
            return Err(bad(
                format!("Unknown method {method:?} on models/{model}"),
                None,
            ));
        }
        let v = match serde_json::from_slice::<Value>(&body) {
            Ok(v @ Value::Object(_)) => json_names(v),
            _ => return Err(bad("Invalid JSON payload received.", None)),
        };
        let spec = parse(&p, model, &v)?;
        if let Some(kind) = ctx.injected() {
            return Err(kind);
        }
        if route == "countTokens" {
            return Ok(json_response(
                StatusCode::OK,
                &json!({"totalTokens": spec.0.input_tokens}),
                &[],
            ));
        }
        let (spec, _include_thoughts, prompt) = spec;
        let stream = route == "streamGenerateContent";
        let mut rng = ctx.rng.clone();
        let fault = if stream { ctx.stream_fault() } else { None };
        let plan = ctx.plan(&spec, &prompt, &mut rng, fault);
        ctx.slow_headers().await;
        let response_id = make_id(ctx.serial, p.cfg.seed, 22);
        if stream {
            let sse = params.get("alt").is_some_and(|a| a == "sse");
            let enc = GeminiEncoder {
                response_id,
                sse,
                first: true,
                emitted: 0,
                tool_args: String::new(),
            };
            let ct = if sse {
                "text/event-stream"
            } else {
                "application/json; charset=UTF-8"
            };
            return Ok(stream_response(
                ct,
                paced(plan, enc, Arc::clone(&p), ctx.arrival),
                &[],
            ));
        }
        if !ctx.wait_for(&plan).await {
            return Err(ErrKind::Unavailable);
        }
        Ok(json_response(
            StatusCode::OK,
            &full_body(&plan, &response_id),
            &[],
        ))
    }
    .await;
    match result {
        Ok(r) => ctx.finish(r),
        Err(kind) => ctx.finish(error(&kind)),
    }
}

/// What a request member holds, for [`json_names`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Holds {
    /// A protobuf message (or a list of them): its field names are renamed.
    Message,
    /// Gemini's `Schema` message: renamed like a message, except that the keys of its
    /// `properties` map are the caller's property names.
    Schema,
    /// A `google.protobuf.Struct`/`Value` or a map (function call arguments and responses,
    /// JSON schemas, labels): the caller's data, never renamed.
    Data,
}

/// The request with every protobuf field name in its lowerCamelCase JSON form: the proto3 JSON
/// mapping has parsers accept "both the JSON name and the proto field name"
/// (protobuf.dev/programming-guides/json), and Google's API does, so `max_output_tokens`,
/// `function_declarations`, `system_instruction`, `response_json_schema`, `tool_config`...
/// mean what their camelCase names mean. The caller's own data keeps its keys. Returns `v`
/// untouched (no copy) when no key has an underscore.
fn json_names(v: Value) -> Value {
    fn any_snake(v: &Value) -> bool {
        match v {
            Value::Object(m) => m.iter().any(|(k, x)| k.contains('_') || any_snake(x)),
            Value::Array(xs) => xs.iter().any(any_snake),
            _ => false,
        }
    }
    fn camel(key: &str) -> String {
        let mut out = String::with_capacity(key.len());
        let mut up = false;
        for c in key.chars() {
            if c == '_' {
                up = true;
            } else if up {
                out.extend(c.to_uppercase());
                up = false;
            } else {
                out.push(c);
            }
        }
        out
    }
    fn child(key: &str, parent: Holds) -> Holds {
        match key {
            "args"
            | "response"
            | "responseJsonSchema"
            | "parametersJsonSchema"
            | "labels"
            | "example"
            | "default" => Holds::Data,
            "responseSchema" | "parameters" | "items" | "anyOf" => Holds::Schema,
            _ if parent == Holds::Schema => Holds::Schema,
            _ => Holds::Message,
        }
    }
    fn walk(v: Value, kind: Holds) -> Value {
        match (v, kind) {
            (v, Holds::Data) => v,
            (Value::Array(xs), _) => Value::Array(xs.into_iter().map(|x| walk(x, kind)).collect()),
            (Value::Object(m), _) => Value::Object(
                m.into_iter()
                    .map(|(k, x)| {
                        let k = if k.contains('_') { camel(&k) } else { k };
                        let x = if kind == Holds::Schema && k == "properties" {
                            // property name -> Schema: the names are the caller's
                            match x {
                                Value::Object(props) => Value::Object(
                                    props
                                        .into_iter()
                                        .map(|(name, s)| (name, walk(s, Holds::Schema)))
                                        .collect(),
                                ),
                                other => other,
                            }
                        } else {
                            walk(x, child(&k, kind))
                        };
                        (k, x)
                    })
                    .collect(),
            ),
            (v, _) => v,
        }
    }
    if any_snake(&v) {
        walk(v, Holds::Message)
    } else {
        v
    }
}

/// The spec, whether thoughts are shown, and the prompt for implicit caching: system
/// instruction, tools, then one unit per `contents` entry.
fn parse(p: &Provider, model: &str, v: &Value) -> Result<(ChatSpec, bool, Prompt), ErrKind> {
    let contents = match v.get("contents") {
        Some(Value::Array(c)) if !c.is_empty() => c,
        _ => {
            return Err(bad(
                "* GenerateContentRequest.contents: contents is not specified\n",
                None,
            ))
        }
    };
    for (i, c) in contents.iter().enumerate() {
        if !c.get("parts").is_some_and(Value::is_array) {
            return Err(bad(format!("* GenerateContentRequest.contents[{i}].parts: contents.parts must not be empty.\n"), None));
        }
        if let Some(role) = c.get("role").and_then(Value::as_str) {
            if role != "user" && role != "model" {
                return Err(bad(
                    format!("Please use a valid role: user, model. (got {role:?})"),
                    None,
                ));
            }
        }
    }
    let model = model.strip_prefix("models/").unwrap_or(model);
    check_generation(v.get("generationConfig"), model)?;
    let reasons = chat_model(p, model).ok_or_else(|| ErrKind::ModelNotFound(model.to_owned()))?;
    let gen = v.get("generationConfig");
    // validated above: an integer from 1 to i32::MAX, maybe written as a string
    let max_tokens = gen
        .and_then(|g| g.get("maxOutputTokens"))
        .and_then(proto_number)
        .map(|n| n as u32);
    let json_mode = gen
        .and_then(|g| g.get("responseMimeType"))
        .and_then(Value::as_str)
        == Some("application/json");
    let json_schema = gen
        .and_then(|g| {
            g.get("responseJsonSchema")
                .or_else(|| g.get("responseSchema"))
        })
        .cloned();
    let budget = gen
        .and_then(|g| g.pointer("/thinkingConfig/thinkingBudget"))
        .and_then(Value::as_i64);
    let include_thoughts = gen
        .and_then(|g| g.pointer("/thinkingConfig/includeThoughts"))
        .and_then(Value::as_bool)
        .unwrap_or(false);
    let reasoning = match (reasons, budget) {
        (false, _) | (true, Some(0)) => Reasoning::None,
        (true, _) if include_thoughts => Reasoning::Visible,
        (true, _) => Reasoning::Hidden,
    };
    let decls: Vec<&Value> = v
        .get("tools")
        .and_then(Value::as_array)
        .map(|ts| {
            ts.iter()
                .filter_map(|t| t.get("functionDeclarations").and_then(Value::as_array))
                .flatten()
                .collect()
        })
        .unwrap_or_default();
    let last_is_response = contents
        .last()
        .and_then(|c| c.get("parts"))
        .and_then(Value::as_array)
        .is_some_and(|ps| ps.iter().any(|p| p.get("functionResponse").is_some()));
    let fcc = v.pointer("/toolConfig/functionCallingConfig");
    let mode = fcc
        .and_then(|f| f.get("mode"))
        .and_then(Value::as_str)
        .unwrap_or("AUTO");
    let allowed: Option<Vec<&str>> = fcc
        .and_then(|f| f.get("allowedFunctionNames"))
        .and_then(Value::as_array)
        .map(|a| a.iter().filter_map(Value::as_str).collect());
    let tool = if decls.is_empty() || last_is_response || mode == "NONE" {
        None
    } else {
        decls
            .iter()
            .filter_map(|d| {
                let name = d.get("name")?.as_str()?;
                if allowed.as_ref().is_some_and(|a| !a.contains(&name)) {
                    return None;
                }
                Some(ToolCall {
                    name: name.to_owned(),
                    schema: d
                        .get("parametersJsonSchema")
                        .or_else(|| d.get("parameters"))
                        .cloned()
                        .unwrap_or_else(|| json!({"type": "object"})),
                })
            })
            .next()
    };
    // input tokens: contents, system instruction and tool declarations, one unit each entry
    let mut prompt = prompt_builder(p, model, &[]);
    for part in [v.get("systemInstruction"), v.get("tools")]
        .into_iter()
        .flatten()
    {
        prompt.unit(part);
    }
    for c in contents {
        prompt.unit(c);
    }
    let prompt = prompt.finish();
    let input_tokens = prompt.tokens();
    let spec = ChatSpec {
        hash: request_hash(
            p.cfg.seed,
            model,
            &[
                Some(&v["contents"]),
                v.get("systemInstruction"),
                v.get("tools"),
            ],
        ),
        model: model.to_owned(),
        input_tokens,
        max_tokens,
        reasoning,
        json_mode,
        json_schema: if json_mode { json_schema } else { None },
        tool,
    };
    limits::check(p, &spec).map_err(overrun)?;
    Ok((spec, include_thoughts, prompt))
}

/// A request over its model's limits, as Gemini's `INVALID_ARGUMENT` words it: the
/// maxOutputTokens range error quoted at [`check_generation`] with the model's limit as its
/// exclusive end, and `The input token count (1200293) exceeds the maximum number of tokens
/// allowed (1048576).` (quoted from API responses in google-gemini/gemini-cli#6678).
fn overrun(o: Overrun) -> ErrKind {
    match o {
        Overrun::Output { requested, limit } => bad(
            format!(
                "Unable to submit request because it has a maxOutputTokens value of {requested} but the supported range is from 1 (inclusive) to {} (exclusive). Update the value and try again.",
                u64::from(limit) + 1
            ),
            Some("maxOutputTokens"),
        ),
        Overrun::Context { input, window, .. } => bad(
            format!("The input token count ({input}) exceeds the maximum number of tokens allowed ({window})."),
            None,
        ),
    }
}

/// How the API starts the message of a body it cannot read into its protobuf request.
const INVALID_PAYLOAD: &str = "Invalid JSON payload received. ";

/// The protobuf scalar type of a `generationConfig` member, as its parse errors name it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Scalar {
    Int32,
    Float,
}

/// One `generationConfig` member: JSON name, protobuf field name, type, inclusive minimum and
/// exclusive maximum (as the API prints it).
struct Member {
    json: &'static str,
    proto: &'static str,
    scalar: Scalar,
    min: f64,
    max_exclusive: Option<(f64, &'static str)>,
}

/// Temperature "Values can range from [0.0, 2.0]", topP a probability (API reference
/// `GenerationConfig`); maxOutputTokens at least 1 (the range errors quoted below start at 1);
/// topK and candidateCount not negative (their lower bound is not documented).
const GENERATION: [Member; 5] = [
    Member {
        json: "maxOutputTokens",
        proto: "max_output_tokens",
        scalar: Scalar::Int32,
        min: 1.0,
        max_exclusive: None,
    },
    Member {
        json: "temperature",
        proto: "temperature",
        scalar: Scalar::Float,
        min: 0.0,
        max_exclusive: Some((2.0001, "2.0001")),
    },
    Member {
        json: "topP",
        proto: "top_p",
        scalar: Scalar::Float,
        min: 0.0,
        max_exclusive: Some((1.0001, "1.0001")),
    },
    Member {
        json: "topK",
        proto: "top_k",
        scalar: Scalar::Int32,
        min: 0.0,
        max_exclusive: None,
    },
    Member {
        json: "candidateCount",
        proto: "candidate_count",
        scalar: Scalar::Int32,
        min: 0.0,
        max_exclusive: None,
    },
];

/// Refuse a `generationConfig` the API refuses, before anything is planned.
///
/// * A value protobuf JSON cannot read (it reads numbers, and numbers written as strings) is
///   `Invalid JSON payload received. Invalid value at 'generation_config.temperature'
///   (TYPE_FLOAT), "hot"` with a `google.rpc.BadRequest` field violation (the `Invalid value
///   at 'generation_config.temperature' (TYPE_FLOAT)` text is in Gemini clients' error
///   fixtures; the `details` are shaped as in the `Unknown name "temperature"` 400 quoted in
///   nashsu/llm_wiki#49).
/// * An out-of-range value: `Unable to submit request because it has a maxOutputTokens value
///   of 16384 but the supported range is from 1 (inclusive) to 8193 (exclusive)` (quoted from
///   Gemini responses in several clients' tests), and for temperature "supported range is
///   from 0 (inclusive) to 2.0001 (exclusive)" (probed against generativelanguage, 2026). The
///   generation config alone names no model's output limit, so a maxOutputTokens, topK or
///   candidateCount below its minimum is worded with the minimum only: that wording is ours
///   (a maxOutputTokens above a configured limit is refused after planning, in `overrun`).
///   topP's 1.0001 mirrors temperature's and was not seen.
/// * `candidateCount` above 1: `Multiple candidates is not enabled for models/<model>`
///   (INVALID_ARGUMENT, quoted from the API in several clients), as current Gemini models
///   answer it; the emulator generates one candidate.
fn check_generation(config: Option<&Value>, model: &str) -> Result<(), ErrKind> {
    let config = match config {
        None | Some(Value::Null) => return Ok(()),
        Some(Value::Object(c)) => c,
        Some(other) => return Err(invalid_value("generation_config", "TYPE_MESSAGE", other)),
    };
    for m in &GENERATION {
        let value = match config.get(m.json) {
            None | Some(Value::Null) => continue,
            Some(v) => v,
        };
        let in_type = |x: &f64| {
            x.is_finite()
                && (m.scalar == Scalar::Float
                    || (x.fract() == 0.0 && x.abs() <= f64::from(i32::MAX)))
        };
        let Some(x) = proto_number(value).filter(in_type) else {
            let type_name = match m.scalar {
                Scalar::Int32 => "TYPE_INT32",
                Scalar::Float => "TYPE_FLOAT",
            };
            return Err(invalid_value(
                &format!("generation_config.{}", m.proto),
                type_name,
                value,
            ));
        };
        if x < m.min || m.max_exclusive.is_some_and(|(max, _)| x >= max) {
            let shown = if x.fract() == 0.0 {
                format!("{}", x as i64)
            } else {
                (x as f32).to_string()
            };
            let range = match m.max_exclusive {
                Some((_, max)) => format!(
                    "the supported range is from {} (inclusive) to {max} (exclusive)",
                    bound_text(m.min)
                ),
                None => format!("the supported minimum is {} (inclusive)", bound_text(m.min)),
            };
            return Err(bad(
                format!("Unable to submit request because it has a {} value of {shown} but {range}. Update the value and try again.", m.json),
                Some(m.json),
            ));
        }
        if m.json == "candidateCount" && x > 1.0 {
            return Err(bad(
                format!("Multiple candidates is not enabled for models/{model}"),
                Some(m.json),
            ));
        }
    }
    Ok(())
}

/// A number as protobuf JSON reads one: a JSON number or a number written as a string.
fn proto_number(value: &Value) -> Option<f64> {
    match value {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => s.trim().parse::<f64>().ok(),
        _ => None,
    }
}

/// `Invalid value at '<field>' (<TYPE>), <value as sent>`.
fn invalid_value(field: &str, type_name: &str, value: &Value) -> ErrKind {
    bad(
        format!("{INVALID_PAYLOAD}Invalid value at '{field}' ({type_name}), {value}"),
        Some(field),
    )
}

/// `:embedContent` (`{content, outputDimensionality?}` → `{embedding: {values}}`) and
/// `:batchEmbedContents` (`{requests: [{model, content, outputDimensionality?}]}` →
/// `{embeddings: [{values}]}`, in request order), as the Gemini API reference "Embeddings"
/// documents them. Each batch member must name the model of the URL.
async fn embeddings(
    ctx: &Ctx,
    model: &str,
    route: &str,
    headers: &HeaderMap,
    params: &HashMap<String, String>,
    body: &[u8],
) -> Result<Response, ErrKind> {
    let p = &ctx.p;
    check_key(p, headers, params)?;
    let v = match serde_json::from_slice::<Value>(body) {
        Ok(v @ Value::Object(_)) => json_names(v),
        _ => return Err(bad("Invalid JSON payload received.", None)),
    };
    let model = model.strip_prefix("models/").unwrap_or(model);
    if !p.cfg.embedding_models.iter().any(|m| m == model) {
        return Err(ErrKind::ModelNotFound(model.to_owned()));
    }
    let requests: Vec<&Value> = if route == "batchEmbedContents" {
        match v.get("requests").and_then(Value::as_array) {
            Some(rs) if !rs.is_empty() => rs.iter().collect(),
            _ => {
                return Err(bad(
                    "* BatchEmbedContentsRequest.requests: requests is not specified\n",
                    None,
                ))
            }
        }
    } else {
        vec![&v]
    };
    let mut vectors = Vec::with_capacity(requests.len());
    for (i, r) in requests.iter().enumerate() {
        if route == "batchEmbedContents" {
            let named = r.get("model").and_then(Value::as_str).unwrap_or("");
            if named.strip_prefix("models/").unwrap_or(named) != model {
                return Err(bad(format!("* BatchEmbedContentsRequest.requests[{i}].model: the model of every request must be models/{model}, got {named:?}\n"), None));
            }
        }
        let Some(content) = r
            .get("content")
            .filter(|c| c.get("parts").is_some_and(Value::is_array))
        else {
            return Err(bad(
                format!("* EmbedContentRequest.content: content is not specified (request {i})\n"),
                None,
            ));
        };
        let dims = match r.get("outputDimensionality") {
            None | Some(Value::Null) => p.cfg.embedding_dimensions,
            Some(d) => match d.as_u64() {
                Some(n) if n >= 1 && n <= u64::from(p.cfg.embedding_dimensions) => n as u32,
                _ => {
                    return Err(bad(
                        format!(
                            "* EmbedContentRequest.output_dimensionality: expected 1 to {}\n",
                            p.cfg.embedding_dimensions
                        ),
                        None,
                    ))
                }
            },
        };
        let mut h = plan::Fnv::new();
        let _ = serde_json::to_writer(&mut h, content);
        vectors.push(super::openai::embed(p.cfg.seed, model, h.value(), dims));
    }
    if let Some(kind) = ctx.injected() {
        return Err(kind);
    }
    ctx.slow_headers().await;
    let body = if route == "batchEmbedContents" {
        let list: Vec<Value> = vectors.iter().map(|v| json!({"values": v})).collect();
        json!({"embeddings": list})
    } else {
        json!({"embedding": {"values": vectors.first()}})
    };
    Ok(json_response(StatusCode::OK, &body, &[]))
}

fn finish_reason(f: Finish) -> &'static str {
    match f {
        Finish::Length => "MAX_TOKENS",
        Finish::Stop | Finish::ToolUse => "STOP",
    }
}

/// `UsageMetadata` (ai.google.dev/api/generate-content#UsageMetadata): `promptTokenCount`,
/// `candidatesTokenCount` (thoughts excluded), `thoughtsTokenCount` for thinking models,
/// `totalTokenCount` = prompt + candidates + thoughts, `promptTokensDetails` by modality;
/// `cachedContentTokenCount` ("Number of tokens in the cached part of the prompt", included in
/// `promptTokenCount`) and `cacheTokensDetails` only on a cache hit, as proto3 JSON leaves out
/// zeros.
fn usage(plan: &Plan, candidates_so_far: Option<u32>) -> Value {
    let thoughts = plan.reasoning_tokens();
    let candidates = candidates_so_far.unwrap_or_else(|| plan.output_tokens() - thoughts);
    let mut u = json!({
        "promptTokenCount": plan.input_tokens,
        "candidatesTokenCount": candidates,
        "totalTokenCount": plan.input_tokens + candidates + thoughts,
        "promptTokensDetails": [{"modality": "TEXT", "tokenCount": plan.input_tokens}],
    });
    if thoughts > 0 {
        u["thoughtsTokenCount"] = json!(thoughts);
    }
    let cached = plan.cache.read.min(plan.input_tokens);
    if cached > 0 {
        u["cachedContentTokenCount"] = json!(cached);
        u["cacheTokensDetails"] = json!([{"modality": "TEXT", "tokenCount": cached}]);
    }
    u
}

fn full_body(plan: &Plan, response_id: &str) -> Value {
    let mut parts = Vec::new();
    for b in plan.blocks.iter().filter(|b| b.visible) {
        parts.push(match &b.kind {
            BlockKind::Reasoning => json!({"text": b.pieces.full(), "thought": true}),
            BlockKind::Text => json!({"text": b.pieces.full()}),
            BlockKind::Tool { name, .. } => {
                let args: Value =
                    serde_json::from_str(&b.pieces.full()).unwrap_or_else(|_| json!({}));
                json!({"functionCall": {"name": name, "args": args}})
            }
        });
    }
    json!({
        "candidates": [{"content": {"parts": parts, "role": "model"}, "finishReason": finish_reason(plan.finish), "index": 0}],
        "usageMetadata": usage(plan, None),
        "modelVersion": plan.model,
        "responseId": response_id,
    })
}

struct GeminiEncoder {
    response_id: String,
    sse: bool,
    first: bool,
    /// Visible candidate tokens sent so far.
    emitted: u32,
    tool_args: String,
}

impl GeminiEncoder {
    fn write(&mut self, plan: &Plan, parts: Value, finish: Option<Finish>, out: &mut BytesMut) {
        let mut candidate = json!({"content": {"parts": parts, "role": "model"}, "index": 0});
        if let Some(f) = finish {
            candidate["finishReason"] = json!(finish_reason(f));
        }
        let so_far = if finish.is_some() {
            None
        } else {
            Some(self.emitted)
        };
        let chunk = json!({"candidates": [candidate], "usageMetadata": usage(plan, so_far), "modelVersion": plan.model, "responseId": self.response_id});
        if self.sse {
            out.put_slice(b"data: ");
            let _ = serde_json::to_writer(out.writer(), &chunk);
            out.put_slice(b"\r\n\r\n");
        } else {
            out.put_slice(if self.first { b"[" } else { b",\r\n" });
            let _ = serde_json::to_writer(out.writer(), &chunk);
        }
        self.first = false;
    }
}

impl Encoder for GeminiEncoder {
    fn begin(&mut self, _plan: &Plan, _out: &mut BytesMut) {}

    fn block_start(&mut self, _plan: &Plan, _block: usize, _out: &mut BytesMut) {}

    fn delta(&mut self, plan: &Plan, block: usize, text: &str, out: &mut BytesMut) {
        let Some(b) = plan.blocks.get(block) else {
            return;
        };
        match b.kind {
            BlockKind::Reasoning => {
                self.write(plan, json!([{"text": text, "thought": true}]), None, out)
            }
            BlockKind::Text => {
                self.emitted += crate::tokenize::count_tokens(text);
                self.write(plan, json!([{"text": text}]), None, out);
            }
            // function calls arrive whole in one chunk
            BlockKind::Tool { .. } => self.tool_args.push_str(text),
        }
    }

    fn block_stop(&mut self, plan: &Plan, block: usize, out: &mut BytesMut) {
        let Some(b) = plan.blocks.get(block) else {
            return;
        };
        if let BlockKind::Tool { name, .. } = &b.kind {
            let args: Value = serde_json::from_str(&self.tool_args).unwrap_or_else(|_| json!({}));
            self.emitted += b.pieces.len() as u32;
            self.write(
                plan,
                json!([{"functionCall": {"name": name, "args": args}}]),
                None,
                out,
            );
        }
    }

    fn finish(&mut self, plan: &Plan, out: &mut BytesMut) {
        self.write(plan, json!([{"text": ""}]), Some(plan.finish), out);
        if !self.sse {
            out.put_slice(b"]");
        }
    }

    /// A failure after the stream started is one more chunk holding Google's RPC error object
    /// instead of candidates, and the stream ends there (mid-stream `{"error":{"code":503,
    /// "message":..., "status":"UNAVAILABLE"}}` chunks after partial content are reported in
    /// diegosouzapw/OmniRoute#4177 and ankit373/hydra#869). In the JSON-array form it is the
    /// array's last element.
    fn error(&mut self, _plan: &Plan, kind: Option<StreamErrorKind>, out: &mut BytesMut) {
        let (code, status, message) = match kind.unwrap_or(StreamErrorKind::Overloaded) {
            StreamErrorKind::Overloaded => (
                503,
                "UNAVAILABLE",
                "The model is overloaded. Please try again later.",
            ),
            StreamErrorKind::ServerError => (
                500,
                "INTERNAL",
                "An internal error has occurred. Please retry or report in https://developers.generativeai.google/guide/troubleshooting",
            ),
            StreamErrorKind::RateLimited => (
                429,
                "RESOURCE_EXHAUSTED",
                "Resource has been exhausted (e.g. check quota).",
            ),
        };
        let body = json!({"error": {"code": code, "message": message, "status": status}});
        if self.sse {
            out.put_slice(b"data: ");
            let _ = serde_json::to_writer(out.writer(), &body);
            out.put_slice(b"\r\n\r\n");
        } else {
            out.put_slice(if self.first { b"[" } else { b",\r\n" });
            let _ = serde_json::to_writer(out.writer(), &body);
            out.put_slice(b"]");
        }
        self.first = false;
    }
}

fn model_object(p: &Provider, m: &str) -> Value {
    if p.cfg.embedding_models.iter().any(|e| e == m) {
        return json!({
            "name": format!("models/{m}"),
            "version": "001",
            "displayName": m,
            "inputTokenLimit": 2048,
            "outputTokenLimit": 1,
            "supportedGenerationMethods": ["embedContent"],
        });
    }
    let thinking = p.cfg.reasoning_models.iter().any(|r| r == m);
    json!({
        "name": format!("models/{m}"),
        "version": "001",
        "displayName": m,
        "inputTokenLimit": 1_048_576,
        "outputTokenLimit": 65_536,
        "supportedGenerationMethods": ["generateContent", "countTokens"],
        "thinking": thinking,
    })
}

async fn list_models(
    State(p): State<Arc<Provider>>,
    Query(params): Params,
    conn: Conn,
    headers: HeaderMap,
) -> Response {
    let ctx = Ctx::new(&p, "models.list", conn.map(|Extension(c)| c));
    if let Some(r) = ctx.gate(error).await {
        return r;
    }
    if let Err(kind) = check_key(&p, &headers, &params) {
        return ctx.finish(error(&kind));
    }
    let models: Vec<Value> = p
        .cfg
        .models
        .iter()
        .chain(&p.cfg.reasoning_models)
        .chain(&p.cfg.embedding_models)
        .map(|m| model_object(&p, m))
        .collect();
    ctx.finish(json_response(
        StatusCode::OK,
        &json!({"models": models}),
        &[],
    ))
}

async fn get_model(
    State(p): State<Arc<Provider>>,
    Path(model): Path<String>,
    Query(params): Params,
    conn: Conn,
    headers: HeaderMap,
) -> Response {
    let ctx = Ctx::new(&p, "models.get", conn.map(|Extension(c)| c));
    if let Some(r) = ctx.gate(error).await {
        return r;
    }
    if let Err(kind) = check_key(&p, &headers, &params) {
        return ctx.finish(error(&kind));
    }
    if chat_model(&p, &model).is_none() && !p.cfg.embedding_models.contains(&model) {
        return ctx.finish(error(&ErrKind::ModelNotFound(model)));
    }
    ctx.finish(json_response(
        StatusCode::OK,
        &model_object(&p, &model),
        &[],
    ))
}
