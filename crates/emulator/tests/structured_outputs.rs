//! Anthropic structured outputs: `output_config.format` and the beta's `output_format` answer
//! one text block of JSON that satisfies the schema, plain and streamed.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "test code"
)]

mod common;

use cloudfit_emulator::Protocol;
use common::*;
use serde_json::{json, Value};

fn schema() -> Value {
    json!({"type": "object", "properties": {
        "name": {"type": "string"},
        "plan": {"type": "string", "enum": ["free", "pro"]},
        "seats": {"type": "integer", "minimum": 1, "maximum": 50},
        "tags": {"type": "array", "items": {"type": "string"}}},
        "required": ["name", "plan", "seats", "tags"], "additionalProperties": false})
}

fn check(text: &str) {
    let v: Value = serde_json::from_str(text).unwrap_or_else(|e| panic!("{e}: {text}"));
    assert!(v["name"].as_str().is_some_and(|s| !s.is_empty()), "{v}");
    assert_eq!(v["plan"], "free");
    assert!((1..=50).contains(&v["seats"].as_i64().unwrap()));
    assert!(v["tags"][0].is_string());
}

async fn post(
    em: &cloudfit_emulator::RunningEmulator,
    beta: Option<&str>,
    body: Value,
) -> reqwest::Response {
    let mut req = client()
        .post(url(em, "an", "/v1/messages"))
        .header("x-api-key", "sk-ant-test")
        .header("anthropic-version", "2023-06-01");
    if let Some(b) = beta {
        req = req.header("anthropic-beta", b);
    }
    req.json(&body).send().await.unwrap()
}

fn request(extra: Value) -> Value {
    let mut b = json!({"model": "claude-sonnet-4-6", "max_tokens": 500,
        "messages": [{"role": "user", "content": "Extract the customer"}]});
    for (k, v) in extra.as_object().unwrap() {
        b[k] = v.clone();
    }
    b
}

#[tokio::test]
async fn output_config_and_the_beta_output_format_answer_json_of_the_schema() {
    let em = start(vec![provider("an", Protocol::Anthropic)]).await;
    let config = json!({"output_config": {"format": {"type": "json_schema", "schema": schema()}}});
    let v: Value = post(&em, None, request(config.clone()))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(v["stop_reason"], "end_turn", "{v}");
    let content = v["content"].as_array().unwrap();
    assert_eq!(content.len(), 1);
    assert_eq!(content[0]["type"], "text");
    let text = content[0]["text"].as_str().unwrap();
    check(text);
    assert_eq!(
        v["usage"]["output_tokens"],
        u64::from(cloudfit_emulator::count_tokens(text))
    );
    // the same request, the same JSON; the beta's field with its header answers alike
    let again: Value = post(&em, None, request(config)).await.json().await.unwrap();
    assert_eq!(again["content"], v["content"]);
    let beta = json!({"output_format": {"type": "json_schema", "schema": schema()}});
    let b: Value = post(
        &em,
        Some("interleaved-thinking-2025-05-14, structured-outputs-2025-11-13"),
        request(beta.clone()),
    )
    .await
    .json()
    .await
    .unwrap();
    check(b["content"][0]["text"].as_str().unwrap());

    // streamed: the JSON arrives as text deltas of one block
    let mut streamed = request(
        json!({"stream": true, "output_config": {"format": {"type": "json_schema", "schema": schema()}}}),
    );
    streamed["stream"] = json!(true);
    let (body, _) = read_all(post(&em, None, streamed).await).await;
    let mut text = String::new();
    let mut starts = 0;
    for (event, data) in parse_sse(std::str::from_utf8(&body).unwrap()) {
        let d: Value = serde_json::from_str(&data).unwrap();
        match event.as_deref() {
            Some("content_block_start") => {
                starts += 1;
                assert_eq!(d["content_block"]["type"], "text");
            }
            Some("content_block_delta") => text.push_str(d["delta"]["text"].as_str().unwrap()),
            _ => {}
        }
    }
    assert_eq!(starts, 1);
    check(&text);

    // without its beta the top-level field is an unknown key; a wrong format type is refused
    let resp = post(&em, None, request(beta)).await;
    assert_eq!(resp.status(), 400);
    let e: Value = resp.json().await.unwrap();
    assert_eq!(e["error"]["type"], "invalid_request_error");
    assert_eq!(
        e["error"]["message"],
        "output_format: Extra inputs are not permitted"
    );
    let resp = post(
        &em,
        None,
        request(json!({"output_config": {"format": {"type": "xml", "schema": schema()}}})),
    )
    .await;
    assert_eq!(resp.status(), 400);
    let e: Value = resp.json().await.unwrap();
    assert_eq!(
        e["error"]["message"],
        "output_config.format.type: Input should be 'json_schema'"
    );
    em.shutdown().await;
}
