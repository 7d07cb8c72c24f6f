//! OpenAI's Responses API over real HTTP: the response object, its typed stream events in
//! order with their sequence numbers, function tools, `text.format`, reasoning inside
//! `max_output_tokens`, errors, faults, and the dialects that serve it.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "test code"
)]

mod common;

use cloudfit_emulator::{count_tokens, Dialect, Dist, OutputLength, Protocol, StreamErrorKind};
use common::*;
use serde_json::{json, Value};

fn emulated(name: &str) -> cloudfit_emulator::ProviderConfig {
    let mut p = provider(name, Protocol::OpenAi);
    p.output = OutputLength::Dist(Dist::Fixed(12.0));
    p.reasoning_tokens = 6;
    p
}

fn weather() -> Value {
    json!([{"type": "function", "name": "get_weather", "description": "weather for a city",
        "parameters": {"type": "object", "properties": {"city": {"type": "string"}, "unit": {"type": "string", "enum": ["c", "f"]}}, "required": ["city", "unit"]}}])
}

/// The events of a stream as (event name, data), checking each names its own type and that
/// sequence numbers count up from 0.
fn events(body: &[u8]) -> Vec<(String, Value)> {
    let out: Vec<(String, Value)> = parse_sse(std::str::from_utf8(body).unwrap())
        .into_iter()
        .map(|(name, data)| {
            (
                name.expect("named event"),
                serde_json::from_str(&data).unwrap(),
            )
        })
        .collect();
    for (i, (name, data)) in out.iter().enumerate() {
        assert_eq!(data["type"], name.as_str(), "{data}");
        assert_eq!(data["sequence_number"], i, "{data}");
    }
    out
}

fn names(events: &[(String, Value)]) -> Vec<&str> {
    events.iter().map(|(n, _)| n.as_str()).collect()
}

#[tokio::test]
async fn a_plain_response_carries_a_message_and_usage() {
    let em = start(vec![emulated("oa")]).await;
    let resp = openai_post(
        &em,
        "oa",
        "/v1/responses",
        json!({"model": "gpt-4o", "input": "Hello there", "instructions": "Be brief."}),
    )
    .await;
    assert_eq!(resp.status(), 200);
    assert!(resp.headers()["x-request-id"]
        .to_str()
        .unwrap()
        .starts_with("req_"));
    let v: Value = resp.json().await.unwrap();
    assert!(v["id"].as_str().unwrap().starts_with("resp_"));
    assert_eq!(v["object"], "response");
    assert_eq!(v["status"], "completed");
    assert_eq!(v["model"], "gpt-4o");
    assert_eq!(v["instructions"], "Be brief.");
    assert_eq!(v["tool_choice"], "auto");
    assert_eq!(v["text"]["format"]["type"], "text");
    assert!(v["created_at"].is_u64());
    let output = v["output"].as_array().unwrap();
    assert_eq!(output.len(), 1);
    let msg = &output[0];
    assert_eq!(msg["type"], "message");
    assert_eq!(msg["role"], "assistant");
    assert_eq!(msg["status"], "completed");
    assert!(msg["id"].as_str().unwrap().starts_with("msg_"));
    assert_eq!(msg["content"][0]["type"], "output_text");
    assert_eq!(msg["content"][0]["annotations"], json!([]));
    let text = msg["content"][0]["text"].as_str().unwrap();
    assert_eq!(count_tokens(text), 12);
    // instructions and input are the prompt
    assert_eq!(v["usage"]["input_tokens"], 3 + 2);
    assert_eq!(v["usage"]["output_tokens"], 12);
    assert_eq!(v["usage"]["total_tokens"], 17);
    assert_eq!(v["usage"]["input_tokens_details"]["cached_tokens"], 0);
    assert_eq!(v["usage"]["output_tokens_details"]["reasoning_tokens"], 0);
    // the same request, the same text; items given as a list read the same
    let again: Value = openai_post(
        &em,
        "oa",
        "/v1/responses",
        json!({"model": "gpt-4o", "input": "Hello there", "instructions": "Be brief."}),
    )
    .await
    .json()
    .await
    .unwrap();
    assert_eq!(again["output"][0]["content"][0]["text"], text);
    assert_ne!(again["id"], v["id"]);
    let listed: Value = openai_post(
        &em,
        "oa",
        "/v1/responses",
        json!({"model": "gpt-4o", "input": [{"role": "user", "content": [{"type": "input_text", "text": "Hello there"}]}]}),
    )
    .await
    .json()
    .await
    .unwrap();
    assert_eq!(listed["usage"]["input_tokens"], 2);
    em.shutdown().await;
}

#[tokio::test]
async fn a_streamed_response_sends_the_typed_events_in_order() {
    let em = start(vec![emulated("oa")]).await;
    let resp = openai_post(
        &em,
        "oa",
        "/v1/responses",
        json!({"model": "gpt-4o", "input": "Stream it", "stream": true}),
    )
    .await;
    assert_eq!(resp.status(), 200);
    assert!(resp.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/event-stream"));
    let (body, cut) = read_all(resp).await;
    assert!(!cut);
    let evs = events(&body);
    let n = names(&evs);
    assert_eq!(
        n[..4],
        [
            "response.created",
            "response.in_progress",
            "response.output_item.added",
            "response.content_part.added"
        ]
    );
    assert_eq!(
        n[n.len() - 4..],
        [
            "response.output_text.done",
            "response.content_part.done",
            "response.output_item.done",
            "response.completed"
        ]
    );
    assert!(n[4..n.len() - 4]
        .iter()
        .all(|e| *e == "response.output_text.delta"));
    let created = &evs[0].1["response"];
    assert_eq!(created["status"], "in_progress");
    assert_eq!(created["output"], json!([]));
    assert!(created["usage"].is_null());
    let item = &evs[2].1;
    assert_eq!(item["output_index"], 0);
    assert_eq!(item["item"]["type"], "message");
    assert_eq!(item["item"]["status"], "in_progress");
    assert_eq!(item["item"]["content"], json!([]));
    let item_id = item["item"]["id"].as_str().unwrap();
    assert_eq!(
        evs[3].1["part"],
        json!({"type": "output_text", "annotations": [], "logprobs": [], "text": ""})
    );
    let mut text = String::new();
    for (name, data) in &evs {
        if name == "response.output_text.delta" {
            assert_eq!(data["item_id"], item_id);
            assert_eq!(data["output_index"], 0);
            assert_eq!(data["content_index"], 0);
            assert_eq!(data["logprobs"], json!([]));
            text.push_str(data["delta"].as_str().unwrap());
        }
    }
    assert_eq!(count_tokens(&text), 12);
    let done = &evs[n.len() - 4].1;
    assert_eq!(done["text"], text.as_str());
    let item_done = &evs[n.len() - 2].1["item"];
    assert_eq!(item_done["status"], "completed");
    assert_eq!(item_done["content"][0]["text"], text.as_str());
    let completed = &evs[n.len() - 1].1["response"];
    assert_eq!(completed["status"], "completed");
    assert_eq!(completed["id"], created["id"]);
    assert_eq!(completed["output"][0]["content"][0]["text"], text.as_str());
    assert_eq!(completed["usage"]["output_tokens"], 12);
    assert_eq!(completed["usage"]["input_tokens"], 2);
    // the same answer as the plain request
    let plain: Value = openai_post(
        &em,
        "oa",
        "/v1/responses",
        json!({"model": "gpt-4o", "input": "Stream it"}),
    )
    .await
    .json()
    .await
    .unwrap();
    assert_eq!(plain["output"][0]["content"][0]["text"], text.as_str());
    em.shutdown().await;
}

#[tokio::test]
async fn function_tools_are_called_plain_and_streamed() {
    let em = start(vec![emulated("oa")]).await;
    let body = |stream: bool| json!({"model": "gpt-4o", "input": "weather in Paris", "tools": weather(), "tool_choice": "required", "stream": stream});
    let v: Value = openai_post(&em, "oa", "/v1/responses", body(false))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(v["status"], "completed");
    let call = &v["output"][0];
    assert_eq!(call["type"], "function_call");
    assert_eq!(call["name"], "get_weather");
    assert_eq!(call["status"], "completed");
    assert!(call["call_id"].as_str().unwrap().starts_with("call_"));
    assert!(call["id"].as_str().unwrap().starts_with("fc_"));
    let args: Value = serde_json::from_str(call["arguments"].as_str().unwrap()).unwrap();
    assert!(args["city"].is_string());
    assert!(["c", "f"].contains(&args["unit"].as_str().unwrap()));
    assert_eq!(v["tools"][0]["strict"], true);
    assert_eq!(v["tool_choice"], "required");

    let (body, _) = read_all(openai_post(&em, "oa", "/v1/responses", body(true)).await).await;
    let evs = events(&body);
    let n = names(&evs);
    assert_eq!(n[2], "response.output_item.added");
    assert_eq!(evs[2].1["item"]["type"], "function_call");
    assert_eq!(evs[2].1["item"]["arguments"], "");
    assert_eq!(
        n[n.len() - 3..],
        [
            "response.function_call_arguments.done",
            "response.output_item.done",
            "response.completed"
        ]
    );
    let streamed: String = evs
        .iter()
        .filter(|(n, _)| n == "response.function_call_arguments.delta")
        .map(|(_, d)| d["delta"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(streamed, call["arguments"].as_str().unwrap());
    assert_eq!(evs[n.len() - 3].1["arguments"], call["arguments"]);
    // ids are per response: the stream's own call id from start to end
    assert_eq!(
        evs[n.len() - 1].1["response"]["output"][0]["call_id"],
        evs[2].1["item"]["call_id"]
    );
    assert_ne!(evs[2].1["item"]["call_id"], call["call_id"]);

    // after the tool's output, an answer; a named tool choice picks that tool
    let v: Value = openai_post(
        &em,
        "oa",
        "/v1/responses",
        json!({"model": "gpt-4o", "tools": weather(), "input": [
            {"role": "user", "content": "weather in Paris"},
            {"type": "function_call", "call_id": "call_1", "name": "get_weather", "arguments": "{\"city\":\"Paris\",\"unit\":\"c\"}"},
            {"type": "function_call_output", "call_id": "call_1", "output": "18 degrees"}]}),
    )
    .await
    .json()
    .await
    .unwrap();
    assert_eq!(v["output"][0]["type"], "message");
    let resp = openai_post(
        &em,
        "oa",
        "/v1/responses",
        json!({"model": "gpt-4o", "input": "x", "tools": weather(), "tool_choice": {"type": "function", "name": "nope"}}),
    )
    .await;
    assert_eq!(resp.status(), 400);
    em.shutdown().await;
}

#[tokio::test]
async fn text_format_json_schema_and_json_object() {
    let em = start(vec![emulated("oa")]).await;
    let schema = json!({"type": "object", "properties": {"city": {"type": "string"}, "days": {"type": "integer", "minimum": 1, "maximum": 7}}, "required": ["city", "days"], "additionalProperties": false});
    let v: Value = openai_post(
        &em,
        "oa",
        "/v1/responses",
        json!({"model": "gpt-4o", "input": "a trip", "text": {"format": {"type": "json_schema", "name": "trip", "schema": schema, "strict": true}}}),
    )
    .await
    .json()
    .await
    .unwrap();
    let content: Value =
        serde_json::from_str(v["output"][0]["content"][0]["text"].as_str().unwrap()).unwrap();
    assert!(content["city"].is_string());
    assert!((1..=7).contains(&content["days"].as_i64().unwrap()));
    assert_eq!(v["text"]["format"]["name"], "trip");

    // json_object needs "json" in the input messages; instructions do not count
    let resp = openai_post(
        &em,
        "oa",
        "/v1/responses",
        json!({"model": "gpt-4o", "instructions": "Reply in JSON.", "input": "a city", "text": {"format": {"type": "json_object"}}}),
    )
    .await;
    assert_eq!(resp.status(), 400);
    let e: Value = resp.json().await.unwrap();
    assert_eq!(
        e["error"]["message"],
        "Response input messages must contain the word 'json' in some form to use 'text.format' of type 'json_object'."
    );
    assert_eq!(e["error"]["param"], "text.format");
    let v: Value = openai_post(
        &em,
        "oa",
        "/v1/responses",
        json!({"model": "gpt-4o", "input": "a city as JSON", "text": {"format": {"type": "json_object"}}}),
    )
    .await
    .json()
    .await
    .unwrap();
    let content: Value =
        serde_json::from_str(v["output"][0]["content"][0]["text"].as_str().unwrap()).unwrap();
    assert!(content.is_object());
    em.shutdown().await;
}

#[tokio::test]
async fn reasoning_is_an_item_and_counts_inside_max_output_tokens() {
    let em = start(vec![emulated("oa")]).await;
    let v: Value = openai_post(
        &em,
        "oa",
        "/v1/responses",
        json!({"model": "o3-mini", "input": "think", "reasoning": {"effort": "low"}}),
    )
    .await
    .json()
    .await
    .unwrap();
    let kinds: Vec<&str> = v["output"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["type"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["reasoning", "message"]);
    assert!(v["output"][0]["id"].as_str().unwrap().starts_with("rs_"));
    assert_eq!(v["output"][0]["summary"], json!([]));
    assert_eq!(v["usage"]["output_tokens"], 18);
    assert_eq!(v["usage"]["output_tokens_details"]["reasoning_tokens"], 6);
    assert_eq!(v["reasoning"]["effort"], "low");

    // a cap the answer does not fit: incomplete, the message cut to what the reasoning left
    let v: Value = openai_post(
        &em,
        "oa",
        "/v1/responses",
        json!({"model": "o3-mini", "input": "think", "max_output_tokens": 16}),
    )
    .await
    .json()
    .await
    .unwrap();
    assert_eq!(v["status"], "incomplete");
    assert_eq!(v["incomplete_details"]["reason"], "max_output_tokens");
    assert_eq!(v["usage"]["output_tokens"], 16);
    assert_eq!(v["output"][1]["status"], "incomplete");
    assert_eq!(
        count_tokens(v["output"][1]["content"][0]["text"].as_str().unwrap()),
        10
    );

    // streamed: the reasoning item comes and goes before the message, which is item 1
    let (body, _) = read_all(
        openai_post(
            &em,
            "oa",
            "/v1/responses",
            json!({"model": "o3-mini", "input": "think", "stream": true, "max_output_tokens": 16}),
        )
        .await,
    )
    .await;
    let evs = events(&body);
    let n = names(&evs);
    assert_eq!(
        n[2..6],
        [
            "response.output_item.added",
            "response.output_item.done",
            "response.output_item.added",
            "response.content_part.added"
        ]
    );
    assert_eq!(evs[2].1["item"]["type"], "reasoning");
    assert_eq!(evs[4].1["output_index"], 1);
    assert_eq!(*n.last().unwrap(), "response.incomplete");
    let last = &evs.last().unwrap().1["response"];
    assert_eq!(last["status"], "incomplete");
    assert_eq!(last["usage"]["output_tokens"], 16);
    em.shutdown().await;
}

#[tokio::test]
async fn bad_requests_are_refused_in_openais_words() {
    let em = start(vec![emulated("oa")]).await;
    let cases = [
        (json!({"input": "x"}), "model", "missing_required_parameter", "Missing required parameter: 'model'."),
        (json!({"model": "gpt-4o", "input": "x", "max_output_tokens": 10}), "max_output_tokens", "integer_below_min_value",
            "Invalid 'max_output_tokens': integer below minimum value. Expected a value >= 16, but got 10 instead."),
        (json!({"model": "gpt-4o", "input": "x", "temperature": 3}), "temperature", "decimal_above_max_value",
            "Invalid 'temperature': decimal above maximum value. Expected a value <= 2, but got 3 instead."),
        (json!({"model": "gpt-4o", "input": "x", "top_logprobs": 21}), "top_logprobs", "integer_above_max_value",
            "Invalid 'top_logprobs': integer above maximum value. Expected a value <= 20, but got 21 instead."),
        (json!({"model": "gpt-4o", "input": 5}), "input", "invalid_type",
            "Invalid type for 'input': expected one of a string or array of input items, but got an integer instead."),
        (json!({"model": "no-such-model", "input": "x"}), "model", "model_not_found", "The requested model 'no-such-model' does not exist."),
        (json!({"model": "gpt-4o", "input": "x", "previous_response_id": "resp_1"}), "previous_response_id", "previous_response_not_found",
            "Previous response with id 'resp_1' not found."),
    ];
    for (body, param, code, message) in cases {
        let resp = openai_post(&em, "oa", "/v1/responses", body.clone()).await;
        assert_eq!(resp.status(), 400, "{body}");
        let e: Value = resp.json().await.unwrap();
        assert_eq!(
            e,
            json!({"error": {"message": message, "type": "invalid_request_error", "param": param, "code": code}}),
            "{body}"
        );
    }
    let resp = client()
        .post(url(&em, "oa", "/v1/responses"))
        .json(&json!({"model": "gpt-4o", "input": "x"}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 401);
    em.shutdown().await;
}

#[tokio::test]
async fn a_prompt_over_the_window_is_a_400_or_a_failed_stream() {
    let mut p = emulated("small");
    p.limits.context_window = Some(20);
    let em = start(vec![p]).await;
    let long = "word ".repeat(30);
    let resp = openai_post(
        &em,
        "small",
        "/v1/responses",
        json!({"model": "gpt-4o", "input": long}),
    )
    .await;
    assert_eq!(resp.status(), 400);
    let e: Value = resp.json().await.unwrap();
    assert_eq!(e["error"]["code"], "context_length_exceeded");
    assert_eq!(
        e["error"]["message"],
        "Your input exceeds the context window of this model. Please adjust your input and try again."
    );
    let resp = openai_post(
        &em,
        "small",
        "/v1/responses",
        json!({"model": "gpt-4o", "input": long, "stream": true}),
    )
    .await;
    assert_eq!(resp.status(), 200);
    let (body, _) = read_all(resp).await;
    let evs = events(&body);
    assert_eq!(names(&evs), ["response.created", "response.failed"]);
    let failed = &evs[1].1["response"];
    assert_eq!(failed["status"], "failed");
    assert_eq!(failed["error"]["code"], "context_length_exceeded");
    em.shutdown().await;
}

#[tokio::test]
async fn stream_faults_and_injected_errors_reach_the_responses_api() {
    let mut p = emulated("flaky");
    p.faults.stream_error_share = 1.0;
    p.faults.stream_error_after_tokens = 3;
    p.faults.stream_error_kind = Some(StreamErrorKind::RateLimited);
    let mut limited = emulated("limited");
    limited.faults.rate_limit_share = 1.0;
    limited.faults.retry_after_s = 2;
    let em = start(vec![p, limited]).await;
    let (body, cut) = read_all(
        openai_post(
            &em,
            "flaky",
            "/v1/responses",
            json!({"model": "gpt-4o", "input": "x", "stream": true}),
        )
        .await,
    )
    .await;
    assert!(!cut);
    let evs = events(&body);
    let last = evs.last().unwrap();
    assert_eq!(last.0, "response.failed");
    assert_eq!(last.1["response"]["error"]["code"], "rate_limit_exceeded");
    let deltas: String = evs
        .iter()
        .filter(|(n, _)| n == "response.output_text.delta")
        .map(|(_, d)| d["delta"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(count_tokens(&deltas), 3);
    let resp = openai_post(
        &em,
        "limited",
        "/v1/responses",
        json!({"model": "gpt-4o", "input": "x"}),
    )
    .await;
    assert_eq!(resp.status(), 429);
    assert_eq!(resp.headers()["retry-after"], "2");
    let hits = em.hits("limited").unwrap();
    assert_eq!(hits.count("responses", "429"), 1);
    em.shutdown().await;
}

#[tokio::test]
async fn dialects_that_offer_it_serve_it_at_their_paths() {
    let mut cfgs = Vec::new();
    for d in Dialect::ALL {
        let mut p = emulated(d.as_str());
        p.dialect = d;
        cfgs.push(p);
    }
    let em = start(cfgs).await;
    let served = [
        (Dialect::Standard, "/v1/responses"),
        (Dialect::Azure, "/openai/v1/responses"),
        (Dialect::DashScope, "/compatible-mode/v1/responses"),
        (Dialect::Ark, "/api/v3/responses"),
        (Dialect::Zhipu, "/api/v1/responses"),
        (Dialect::BedrockOpenAi, "/openai/v1/responses"),
    ];
    for d in Dialect::ALL {
        let path = served.iter().find(|(s, _)| *s == d).map(|(_, p)| *p);
        let status = openai_post(
            &em,
            d.as_str(),
            path.unwrap_or("/v1/responses"),
            json!({"model": "gpt-4o", "input": "x"}),
        )
        .await
        .status();
        let expected = if path.is_some() { 200 } else { 404 };
        assert_eq!(status, expected, "{}", d.as_str());
    }
    em.shutdown().await;
}

#[tokio::test]
async fn logprobs_when_included_plain_and_streamed() {
    let em = start(vec![emulated("oa")]).await;
    let ask = |stream: bool| {
        json!({"model": "gpt-4o", "input": "Hello", "stream": stream,
        "include": ["message.output_text.logprobs"], "top_logprobs": 2})
    };
    let v: Value = openai_post(&em, "oa", "/v1/responses", ask(false))
        .await
        .json()
        .await
        .unwrap();
    let part = &v["output"][0]["content"][0];
    let entries = part["logprobs"].as_array().unwrap();
    assert_eq!(entries.len(), 12);
    let joined: String = entries
        .iter()
        .map(|e| e["token"].as_str().unwrap())
        .collect();
    assert_eq!(joined, part["text"].as_str().unwrap());
    assert!(entries
        .iter()
        .all(|e| e["bytes"].is_array() && e["top_logprobs"].as_array().unwrap().len() == 2));
    let (body, _) = read_all(openai_post(&em, "oa", "/v1/responses", ask(true)).await).await;
    let evs = events(&body);
    let streamed: Vec<Value> = evs
        .iter()
        .filter(|(n, _)| n == "response.output_text.delta")
        .flat_map(|(_, d)| d["logprobs"].as_array().unwrap().clone())
        .collect();
    assert_eq!(streamed.len(), 12);
    // the delta events' entries have no bytes (the SDK's ResponseTextDeltaEvent)
    assert!(streamed[0].get("bytes").is_none());
    assert_eq!(streamed[0]["token"], entries[0]["token"]);
    assert_eq!(streamed[0]["logprob"], entries[0]["logprob"]);
    let completed = &evs.last().unwrap().1["response"];
    assert_eq!(
        completed["output"][0]["content"][0]["logprobs"],
        part["logprobs"]
    );
    // not asked: empty lists
    let v: Value = openai_post(
        &em,
        "oa",
        "/v1/responses",
        json!({"model": "gpt-4o", "input": "Hello"}),
    )
    .await
    .json()
    .await
    .unwrap();
    assert_eq!(v["output"][0]["content"][0]["logprobs"], json!([]));
    em.shutdown().await;
}
