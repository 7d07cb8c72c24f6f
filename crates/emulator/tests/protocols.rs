//! Every protocol answered over real HTTP on 127.0.0.1:0: shapes, streaming, usage accounting,
//! tools, JSON mode, reasoning, embeddings, models and error bodies.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::print_stdout,
    clippy::print_stderr,
    reason = "test code"
)]

mod common;

use base64::Engine;
use cloudfit_emulator::{count_tokens, Dialect, Dist, OutputLength, Protocol, RunningEmulator};
use common::*;
use futures::StreamExt;
use serde_json::{json, Value};

fn weather_tool_openai() -> Value {
    json!([{"type": "function", "function": {"name": "get_weather", "description": "weather for a city",
        "parameters": {"type": "object", "properties": {"city": {"type": "string"}, "unit": {"type": "string", "enum": ["c", "f"]}}, "required": ["city", "unit"]}}}])
}

#[tokio::test]
async fn openai_chat_counts_usage_and_is_deterministic() {
    let mut p = provider("oa", Protocol::OpenAi);
    p.output = OutputLength::Dist(Dist::Fixed(12.0));
    let em = start(vec![p]).await;
    let body = chat("gpt-4o-mini", "Hello, how are you today?");
    let a: Value = openai_post(&em, "oa", "/v1/chat/completions", body.clone())
        .await
        .json()
        .await
        .unwrap();
    let b: Value = openai_post(&em, "oa", "/v1/chat/completions", body)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(a["object"], "chat.completion");
    let content = a["choices"][0]["message"]["content"].as_str().unwrap();
    assert_eq!(
        content,
        b["choices"][0]["message"]["content"].as_str().unwrap()
    );
    assert_eq!(a["choices"][0]["finish_reason"], "stop");
    assert_eq!(a["usage"]["completion_tokens"], 12);
    assert_eq!(count_tokens(content), 12);
    assert_eq!(
        a["usage"]["prompt_tokens"],
        u64::from(count_tokens("Hello, how are you today?"))
    );
    assert_eq!(
        a["usage"]["total_tokens"],
        a["usage"]["prompt_tokens"].as_u64().unwrap() + 12
    );
    let other: Value = openai_post(
        &em,
        "oa",
        "/v1/chat/completions",
        chat("gpt-4o-mini", "Something else entirely"),
    )
    .await
    .json()
    .await
    .unwrap();
    assert_ne!(
        other["choices"][0]["message"]["content"],
        a["choices"][0]["message"]["content"]
    );
    let capped: Value = openai_post(&em, "oa", "/v1/chat/completions", json!({"model": "gpt-4o", "max_tokens": 3, "messages": [{"role": "user", "content": "hi"}]}))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(capped["usage"]["completion_tokens"], 3);
    assert_eq!(capped["choices"][0]["finish_reason"], "length");
    em.shutdown().await;
}

#[tokio::test]
async fn openai_stream_with_include_usage() {
    let mut p = provider("oa", Protocol::OpenAi);
    p.output = OutputLength::Dist(Dist::Fixed(20.0));
    p.tokens_per_s = 2000.0; // several tokens per chunk
    let em = start(vec![p]).await;
    let resp = openai_post(&em, "oa", "/v1/chat/completions", json!({"model": "gpt-4o-mini", "stream": true, "stream_options": {"include_usage": true}, "messages": [{"role": "user", "content": "stream please"}]})).await;
    assert_eq!(resp.status(), 200);
    assert!(resp.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/event-stream"));
    let (body, failed) = read_all(resp).await;
    assert!(!failed);
    let events = parse_sse(std::str::from_utf8(&body).unwrap());
    assert_eq!(events.last().unwrap().1, "[DONE]");
    let chunks: Vec<Value> = events[..events.len() - 1]
        .iter()
        .map(|(_, d)| serde_json::from_str(d).unwrap())
        .collect();
    assert!(chunks
        .iter()
        .all(|c| c["object"] == "chat.completion.chunk"));
    assert_eq!(chunks[0]["choices"][0]["delta"]["role"], "assistant");
    let text: String = chunks
        .iter()
        .filter_map(|c| c["choices"][0]["delta"]["content"].as_str())
        .collect();
    let usage_chunk = chunks.last().unwrap();
    assert_eq!(usage_chunk["choices"], json!([]));
    assert_eq!(
        usage_chunk["usage"]["completion_tokens"],
        u64::from(count_tokens(&text))
    );
    assert_eq!(usage_chunk["usage"]["completion_tokens"], 20);
    let finish = &chunks[chunks.len() - 2];
    assert_eq!(finish["choices"][0]["finish_reason"], "stop");
    assert!(chunks[..chunks.len() - 1]
        .iter()
        .all(|c| c["usage"].is_null()));
    // 2000 tokens/s → 8 tokens per chunk: fewer content chunks than tokens
    let content_chunks = chunks
        .iter()
        .filter(|c| {
            c["choices"][0]["delta"]["content"]
                .as_str()
                .is_some_and(|s| !s.is_empty())
        })
        .count();
    assert!(content_chunks < 20, "{content_chunks}");
    em.shutdown().await;
}

#[tokio::test]
async fn openai_tools_json_mode_and_schema() {
    let em = start(vec![provider("oa", Protocol::OpenAi)]).await;
    let v: Value = openai_post(&em, "oa", "/v1/chat/completions", json!({"model": "gpt-4o", "messages": [{"role": "user", "content": "weather in Paris?"}], "tools": weather_tool_openai(), "tool_choice": "required"}))
        .await
        .json()
        .await
        .unwrap();
    let msg = &v["choices"][0]["message"];
    assert!(msg["content"].is_null());
    assert_eq!(v["choices"][0]["finish_reason"], "tool_calls");
    let call = &msg["tool_calls"][0];
    assert!(call["id"].as_str().unwrap().starts_with("call_"));
    assert_eq!(call["function"]["name"], "get_weather");
    let args: Value =
        serde_json::from_str(call["function"]["arguments"].as_str().unwrap()).unwrap();
    assert!(args["city"].is_string());
    assert_eq!(args["unit"], "c");
    assert_eq!(
        v["usage"]["completion_tokens"],
        u64::from(count_tokens(
            call["function"]["arguments"].as_str().unwrap()
        ))
    );

    // streamed tool call: deltas concatenate to JSON arguments
    let resp = openai_post(&em, "oa", "/v1/chat/completions", json!({"model": "gpt-4o", "stream": true, "messages": [{"role": "user", "content": "weather?"}], "tools": weather_tool_openai()})).await;
    let (body, _) = read_all(resp).await;
    let events = parse_sse(std::str::from_utf8(&body).unwrap());
    let mut name = String::new();
    let mut args = String::new();
    for (_, d) in &events[..events.len() - 1] {
        let c: Value = serde_json::from_str(d).unwrap();
        if let Some(tc) = c["choices"][0]["delta"]["tool_calls"].get(0) {
            name.push_str(tc["function"]["name"].as_str().unwrap_or(""));
            args.push_str(tc["function"]["arguments"].as_str().unwrap_or(""));
        }
    }
    assert_eq!(name, "get_weather");
    let parsed: Value = serde_json::from_str(&args).unwrap();
    assert!(parsed["city"].is_string());

    // after a tool result the model answers in text
    let v: Value = openai_post(&em, "oa", "/v1/chat/completions", json!({"model": "gpt-4o", "tools": weather_tool_openai(), "messages": [
        {"role": "user", "content": "weather?"},
        {"role": "assistant", "content": null, "tool_calls": [{"id": "call_1", "type": "function", "function": {"name": "get_weather", "arguments": "{}"}}]},
        {"role": "tool", "tool_call_id": "call_1", "content": "sunny"}]}))
        .await
        .json()
        .await
        .unwrap();
    assert!(v["choices"][0]["message"]["content"].is_string());

    let v: Value = openai_post(&em, "oa", "/v1/chat/completions", json!({"model": "gpt-4o", "messages": [{"role": "user", "content": "json"}], "response_format": {"type": "json_object"}}))
        .await
        .json()
        .await
        .unwrap();
    let content: Value =
        serde_json::from_str(v["choices"][0]["message"]["content"].as_str().unwrap()).unwrap();
    assert!(content.is_object());
    let v: Value = openai_post(&em, "oa", "/v1/chat/completions", json!({"model": "gpt-4o", "messages": [{"role": "user", "content": "json"}], "response_format": {"type": "json_schema", "json_schema": {"name": "x", "schema": {"type": "object", "properties": {"n": {"type": "integer"}}, "required": ["n"]}}}}))
        .await
        .json()
        .await
        .unwrap();
    let content: Value =
        serde_json::from_str(v["choices"][0]["message"]["content"].as_str().unwrap()).unwrap();
    assert!(content["n"].is_i64());
    em.shutdown().await;
}

#[tokio::test]
async fn dialects_deepseek_reasoning_moonshot_and_azure() {
    let mut ds = provider("ds", Protocol::OpenAi);
    ds.dialect = Dialect::DeepSeek;
    ds.models = vec!["deepseek-chat".into()];
    ds.reasoning_models = vec!["deepseek-reasoner".into()];
    ds.embedding_models = vec![];
    ds.reasoning_tokens = 7;
    let mut ms = provider("ms", Protocol::OpenAi);
    ms.dialect = Dialect::Moonshot;
    let mut az = provider("az", Protocol::OpenAi);
    az.dialect = Dialect::Azure;
    let mut oa = provider("oa", Protocol::OpenAi);
    oa.reasoning_tokens = 5;
    let em = start(vec![ds, ms, az, oa]).await;
    assert!(em.provider("ds").unwrap().base_url.ends_with("/v1"));
    assert!(em.provider("az").unwrap().base_url.ends_with("/openai/v1"));

    let v: Value = openai_post(
        &em,
        "ds",
        "/chat/completions",
        chat("deepseek-reasoner", "think"),
    )
    .await
    .json()
    .await
    .unwrap();
    let reasoning = v["choices"][0]["message"]["reasoning_content"]
        .as_str()
        .unwrap();
    assert_eq!(count_tokens(reasoning), 7);
    assert_eq!(
        v["usage"]["completion_tokens_details"]["reasoning_tokens"],
        7
    );
    assert_eq!(
        v["usage"]["prompt_cache_miss_tokens"],
        v["usage"]["prompt_tokens"]
    );
    assert_eq!(v["usage"]["prompt_cache_hit_tokens"], 0);

    // streamed reasoning_content arrives before content
    let resp = openai_post(&em, "ds", "/v1/chat/completions", json!({"model": "deepseek-reasoner", "stream": true, "messages": [{"role": "user", "content": "think"}]})).await;
    let (body, _) = read_all(resp).await;
    let events = parse_sse(std::str::from_utf8(&body).unwrap());
    let kinds: Vec<&str> = events[..events.len() - 1]
        .iter()
        .filter_map(|(_, d)| {
            let c: Value = serde_json::from_str(d).unwrap();
            if c["choices"][0]["delta"]["reasoning_content"].is_string() {
                Some("r")
            } else if c["choices"][0]["delta"]["content"]
                .as_str()
                .is_some_and(|s| !s.is_empty())
            {
                Some("c")
            } else {
                None
            }
        })
        .collect();
    let first_c = kinds.iter().position(|k| *k == "c").unwrap();
    assert!(kinds[..first_c].iter().all(|k| *k == "r") && first_c == 7);

    // OpenAI proper hides reasoning but counts it
    let v: Value = openai_post(&em, "oa", "/v1/chat/completions", chat("o3-mini", "think"))
        .await
        .json()
        .await
        .unwrap();
    assert!(v["choices"][0]["message"]
        .get("reasoning_content")
        .is_none());
    assert_eq!(
        v["usage"]["completion_tokens_details"]["reasoning_tokens"],
        5
    );
    assert_eq!(v["usage"]["completion_tokens"], 32 + 5);

    // Moonshot puts usage in the finishing choice
    let resp = openai_post(
        &em,
        "ms",
        "/v1/chat/completions",
        json!({"model": "gpt-4o", "stream": true, "messages": [{"role": "user", "content": "hi"}]}),
    )
    .await;
    let (body, _) = read_all(resp).await;
    let events = parse_sse(std::str::from_utf8(&body).unwrap());
    let last: Value = serde_json::from_str(&events[events.len() - 2].1).unwrap();
    assert_eq!(last["choices"][0]["usage"]["completion_tokens"], 32);

    // Azure: api-key header, v1 and deployment routes, content filter results
    let v: Value = client()
        .post(url(&em, "az", "/openai/v1/chat/completions"))
        .header("api-key", "azure-key")
        .json(&chat("gpt-4o", "hi"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        v["prompt_filter_results"][0]["content_filter_results"]["hate"]["filtered"],
        false
    );
    let r = client()
        .post(url(
            &em,
            "az",
            "/openai/deployments/gpt-4o/chat/completions?api-version=2024-10-21",
        ))
        .header("api-key", "azure-key")
        .json(&json!({"messages": [{"role": "user", "content": "hi"}]}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let r = client()
        .post(url(&em, "az", "/openai/v1/chat/completions"))
        .json(&chat("gpt-4o", "hi"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
    em.shutdown().await;
}

#[tokio::test]
async fn openai_embeddings_models_and_errors() {
    let em = start(vec![provider("oa", Protocol::OpenAi)]).await;
    let f: Value = openai_post(&em, "oa", "/v1/embeddings", json!({"model": "text-embedding-3-small", "input": ["hello world", "second"], "dimensions": 8})).await.json().await.unwrap();
    assert_eq!(f["object"], "list");
    assert_eq!(f["data"].as_array().unwrap().len(), 2);
    let v1: Vec<f32> = serde_json::from_value(f["data"][0]["embedding"].clone()).unwrap();
    assert_eq!(v1.len(), 8);
    let norm: f32 = v1.iter().map(|x| x * x).sum::<f32>().sqrt();
    assert!((norm - 1.0).abs() < 1e-4);
    assert_eq!(f["usage"]["prompt_tokens"], 3);
    let b: Value = openai_post(&em, "oa", "/v1/embeddings", json!({"model": "text-embedding-3-small", "input": "hello world", "dimensions": 8, "encoding_format": "base64"})).await.json().await.unwrap();
    let raw = base64::engine::general_purpose::STANDARD
        .decode(b["data"][0]["embedding"].as_str().unwrap())
        .unwrap();
    let decoded: Vec<f32> = raw
        .chunks(4)
        .map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]]))
        .collect();
    assert_eq!(decoded, v1);
    let full: Value = openai_post(
        &em,
        "oa",
        "/v1/embeddings",
        json!({"model": "text-embedding-3-small", "input": "x"}),
    )
    .await
    .json()
    .await
    .unwrap();
    assert_eq!(full["data"][0]["embedding"].as_array().unwrap().len(), 1536);

    let models: Value = client()
        .get(url(&em, "oa", "/v1/models"))
        .bearer_auth("k")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let ids: Vec<&str> = models["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["id"].as_str().unwrap())
        .collect();
    assert!(ids.contains(&"gpt-4o-mini") && ids.contains(&"text-embedding-3-small"));

    let r = openai_post(
        &em,
        "oa",
        "/v1/chat/completions",
        chat("no-such-model", "hi"),
    )
    .await;
    assert_eq!(r.status(), 404);
    let e: Value = r.json().await.unwrap();
    assert_eq!(e["error"]["code"], "model_not_found");
    assert_eq!(e["error"]["type"], "invalid_request_error");
    assert!(e["error"].get("param").is_some());
    let r = client()
        .post(url(&em, "oa", "/v1/chat/completions"))
        .json(&chat("gpt-4o", "hi"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
    let e: Value = r.json().await.unwrap();
    assert_eq!(e["error"]["code"], "invalid_api_key");
    let r = openai_post(
        &em,
        "oa",
        "/v1/chat/completions",
        json!({"model": "gpt-4o"}),
    )
    .await;
    assert_eq!(r.status(), 400);
    let e: Value = r.json().await.unwrap();
    assert_eq!(e["error"]["param"], "messages");
    let r = client()
        .post(url(&em, "oa", "/v1/chat/completions"))
        .bearer_auth("k")
        .body("{not json")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    em.shutdown().await;
}

#[tokio::test]
async fn anthropic_messages_stream_tools_thinking_and_errors() {
    let mut p = provider("an", Protocol::Anthropic);
    p.output = OutputLength::Dist(Dist::Fixed(10.0));
    p.reasoning_tokens = 4;
    let em = start(vec![p]).await;
    let v: Value = anthropic_post(&em, "an", json!({"model": "claude-sonnet-4-6", "max_tokens": 100, "system": "be brief", "messages": [{"role": "user", "content": "Hello there"}]})).await.json().await.unwrap();
    assert_eq!(v["type"], "message");
    assert!(v["id"].as_str().unwrap().starts_with("msg_"));
    assert_eq!(v["stop_reason"], "end_turn");
    assert_eq!(v["usage"]["output_tokens"], 10);
    assert_eq!(
        v["usage"]["input_tokens"],
        u64::from(count_tokens("Hello there be brief"))
    );
    assert_eq!(count_tokens(v["content"][0]["text"].as_str().unwrap()), 10);

    let resp = anthropic_post(&em, "an", json!({"model": "claude-sonnet-4-6", "max_tokens": 2000, "stream": true, "thinking": {"type": "enabled", "budget_tokens": 1024}, "messages": [{"role": "user", "content": "Hi"}]})).await;
    let (body, failed) = read_all(resp).await;
    assert!(!failed);
    let events = parse_sse(std::str::from_utf8(&body).unwrap());
    let names: Vec<&str> = events.iter().map(|(e, _)| e.as_deref().unwrap()).collect();
    assert_eq!(names[..3], ["message_start", "ping", "content_block_start"]);
    assert_eq!(names[names.len() - 2], "message_delta");
    assert_eq!(names[names.len() - 1], "message_stop");
    let datas: Vec<Value> = events
        .iter()
        .map(|(_, d)| serde_json::from_str(d).unwrap())
        .collect();
    for (name, d) in names.iter().zip(&datas) {
        assert_eq!(d["type"], *name, "event name matches data type");
    }
    assert!(
        datas[0]["message"]["usage"]["input_tokens"]
            .as_u64()
            .unwrap()
            > 0
    );
    let thinking: String = datas
        .iter()
        .filter(|d| d["delta"]["type"] == "thinking_delta")
        .map(|d| d["delta"]["thinking"].as_str().unwrap())
        .collect();
    let text: String = datas
        .iter()
        .filter(|d| d["delta"]["type"] == "text_delta")
        .map(|d| d["delta"]["text"].as_str().unwrap())
        .collect();
    assert_eq!(count_tokens(&thinking), 4);
    assert!(datas
        .iter()
        .any(|d| d["delta"]["type"] == "signature_delta"));
    let starts: Vec<&Value> = datas
        .iter()
        .filter(|d| d["type"] == "content_block_start")
        .collect();
    assert_eq!(starts[0]["content_block"]["type"], "thinking");
    assert_eq!(starts[1]["content_block"]["type"], "text");
    assert_eq!(starts[1]["index"], 1);
    let delta = &datas[datas.len() - 2];
    assert_eq!(delta["delta"]["stop_reason"], "end_turn");
    assert_eq!(
        delta["usage"]["output_tokens"],
        u64::from(count_tokens(&text) + count_tokens(&thinking))
    );

    let resp = anthropic_post(&em, "an", json!({"model": "claude-haiku-4-5", "max_tokens": 100, "stream": true, "tools": [{"name": "lookup", "input_schema": {"type": "object", "properties": {"q": {"type": "string"}}, "required": ["q"]}}], "messages": [{"role": "user", "content": "find"}]})).await;
    let (body, _) = read_all(resp).await;
    let datas: Vec<Value> = parse_sse(std::str::from_utf8(&body).unwrap())
        .iter()
        .map(|(_, d)| serde_json::from_str(d).unwrap())
        .collect();
    let start = datas
        .iter()
        .find(|d| d["type"] == "content_block_start")
        .unwrap();
    assert_eq!(start["content_block"]["type"], "tool_use");
    assert!(start["content_block"]["id"]
        .as_str()
        .unwrap()
        .starts_with("toolu_"));
    let json_text: String = datas
        .iter()
        .filter(|d| d["delta"]["type"] == "input_json_delta")
        .map(|d| d["delta"]["partial_json"].as_str().unwrap())
        .collect();
    let input: Value = serde_json::from_str(&json_text).unwrap();
    assert!(input["q"].is_string());
    assert_eq!(datas[datas.len() - 2]["delta"]["stop_reason"], "tool_use");

    let mut ids = Vec::new();
    for _ in 0..2 {
        let r = anthropic_post(&em, "an", json!({"model": "claude-9", "max_tokens": 10, "messages": [{"role": "user", "content": "x"}]})).await;
        assert_eq!(r.status(), 404);
        let header = r.headers()["request-id"].to_str().unwrap().to_owned();
        let e: Value = r.json().await.unwrap();
        assert_eq!(e["type"], "error");
        assert_eq!(e["error"]["type"], "not_found_error");
        assert_eq!(
            e["request_id"],
            header.as_str(),
            "body and header carry one id"
        );
        ids.push(header);
    }
    assert_ne!(
        ids[0], ids[1],
        "every error response has its own request id"
    );
    let r = anthropic_post(
        &em,
        "an",
        json!({"model": "claude-haiku-4-5", "messages": [{"role": "user", "content": "x"}]}),
    )
    .await;
    assert_eq!(r.status(), 400);
    let r = client()
        .post(url(&em, "an", "/v1/messages"))
        .header("anthropic-version", "2023-06-01")
        .json(&json!({}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
    let e: Value = r.json().await.unwrap();
    assert_eq!(e["error"]["type"], "authentication_error");
    em.shutdown().await;
}

async fn bedrock_invoke(em: &RunningEmulator, model: &str, body: Value) -> (u16, String, Value) {
    let resp = client()
        .post(url(em, "br", &format!("/model/{model}/invoke")))
        .header("authorization", SIGV4)
        .header("x-amz-date", "20250101T000000Z")
        .json(&body)
        .send()
        .await
        .unwrap();
    let status = resp.status().as_u16();
    let error_type = resp
        .headers()
        .get("x-amzn-errortype")
        .map(|v| v.to_str().unwrap().split(':').next().unwrap().to_owned())
        .unwrap_or_default();
    (status, error_type, resp.json().await.unwrap())
}

fn norm(v: &Value) -> f32 {
    v.as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_f64().unwrap() as f32)
        .map(|x| x * x)
        .sum::<f32>()
        .sqrt()
}

#[tokio::test]
async fn bedrock_invoke_embeds_with_titan_and_cohere_bodies() {
    let em = start(vec![provider("br", Protocol::Bedrock)]).await;
    let titan = "amazon.titan-embed-text-v2:0";
    let (status, _, v) = bedrock_invoke(
        &em,
        titan,
        json!({"inputText": "hello world", "dimensions": 256, "normalize": true}),
    )
    .await;
    assert_eq!(status, 200, "{v}");
    assert_eq!(v["embedding"].as_array().unwrap().len(), 256);
    assert!((norm(&v["embedding"]) - 1.0).abs() < 1e-3);
    assert_eq!(v["inputTextTokenCount"], count_tokens("hello world"));
    assert_eq!(v["embeddingsByType"]["float"], v["embedding"]);
    // the default length is 1024; normalize false gives a vector of another length
    let (_, _, full) = bedrock_invoke(
        &em,
        titan,
        json!({"inputText": "hello world", "normalize": false}),
    )
    .await;
    assert_eq!(full["embedding"].as_array().unwrap().len(), 1024);
    assert!(
        (norm(&full["embedding"]) - 1.0).abs() > 1e-2,
        "{}",
        norm(&full["embedding"])
    );

    let cohere = "cohere.embed-english-v3";
    let (status, _, v) = bedrock_invoke(
        &em,
        cohere,
        json!({"texts": ["a", "b", "a"], "input_type": "search_document"}),
    )
    .await;
    assert_eq!(status, 200, "{v}");
    assert_eq!(v["response_type"], "embeddings_floats");
    assert_eq!(v["texts"], json!(["a", "b", "a"]));
    assert!(v["id"].as_str().is_some_and(|id| !id.is_empty()));
    assert!(
        v.get("inputTextTokenCount").is_none(),
        "cohere reports no tokens"
    );
    let e = v["embeddings"].as_array().unwrap();
    assert_eq!(e.len(), 3);
    assert_eq!(e[0].as_array().unwrap().len(), 1024);
    assert_eq!(e[0], e[2]);
    assert_ne!(e[0], e[1]);

    // invalid bodies: Bedrock's JSON-schema ValidationException wording
    let cases = [
        (titan, json!({"dimensions": 300}), "Malformed input request: #: required key [inputText] not found#/dimensions: 300 is not a valid enum value, please reformat your input and try again."),
        (titan, json!({"inputText": "x", "texts": ["x"]}), "Malformed input request: #: extraneous key [texts] is not permitted, please reformat your input and try again."),
        (titan, json!({"inputText": 7}), "Malformed input request: #/inputText: expected type: String, found: Integer, please reformat your input and try again."),
        (cohere, json!({"texts": ["x"]}), "Malformed input request: #: required key [input_type] not found, please reformat your input and try again."),
        (cohere, json!({"texts": ["x"], "input_type": "query"}), "Malformed input request: #/input_type: query is not a valid enum value, please reformat your input and try again."),
    ];
    for (model, body, message) in cases {
        let (status, kind, v) = bedrock_invoke(&em, model, body.clone()).await;
        assert_eq!(
            (status, kind.as_str()),
            (400, "ValidationException"),
            "{body}"
        );
        assert_eq!(v["message"], message, "{body}");
    }
    let too_many: Vec<String> = (0..97).map(|i| format!("t{i}")).collect();
    let (status, _, v) = bedrock_invoke(
        &em,
        cohere,
        json!({"texts": too_many, "input_type": "clustering"}),
    )
    .await;
    assert_eq!(status, 400);
    assert!(
        v["message"]
            .as_str()
            .unwrap()
            .contains("#/texts: expected maximum item count: 96, found: 97"),
        "{v}"
    );
    // an unknown model: what Bedrock answers InvokeModel for an invalid model id
    let (status, kind, v) = bedrock_invoke(
        &em,
        "amazon.titan-embed-text-v9:0",
        json!({"inputText": "x"}),
    )
    .await;
    assert_eq!((status, kind.as_str()), (400, "ValidationException"));
    assert_eq!(v["message"], "The provided model identifier is invalid.");
    // unsigned: refused like the other routes
    let resp = client()
        .post(url(&em, "br", &format!("/model/{titan}/invoke")))
        .json(&json!({"inputText": "x"}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status().as_u16(), 403);

    let h = em.hits("br").unwrap();
    assert_eq!(h.count("invoke", "200"), 3, "{h:?}");
    assert_eq!(h.count("invoke", "400"), 7, "{h:?}");
    assert_eq!(h.count("invoke", "403"), 1, "{h:?}");
    em.shutdown().await;
}

#[tokio::test]
async fn bedrock_lists_foundation_models_with_their_modalities() {
    let em = start(vec![provider("br", Protocol::Bedrock)]).await;
    let resp = client()
        .get(url(&em, "br", "/foundation-models"))
        .header("authorization", SIGV4)
        .header("x-amz-date", "20250101T000000Z")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status().as_u16(), 200);
    let v: Value = resp.json().await.unwrap();
    let summaries = v["modelSummaries"].as_array().unwrap();
    let find = |id: &str| {
        summaries
            .iter()
            .find(|m| m["modelId"] == id)
            .unwrap_or_else(|| panic!("{id} missing from {v}"))
    };
    let titan = find("amazon.titan-embed-text-v2:0");
    assert_eq!(titan["providerName"], "Amazon");
    assert_eq!(titan["outputModalities"], json!(["EMBEDDING"]));
    assert_eq!(titan["responseStreamingSupported"], false);
    assert_eq!(
        titan["modelArn"],
        "arn:aws:bedrock:us-east-1::foundation-model/amazon.titan-embed-text-v2:0"
    );
    let claude = find("anthropic.claude-3-5-haiku-20241022-v1:0");
    assert_eq!(claude["providerName"], "Anthropic");
    assert_eq!(claude["outputModalities"], json!(["TEXT"]));
    assert_eq!(claude["modelLifecycle"]["status"], "ACTIVE");
    assert!(claude["modelName"].as_str().unwrap().len() <= 20);
    find("deepseek.r1-v1:0");
    find("cohere.embed-english-v3");
    assert_eq!(em.hits("br").unwrap().count("foundation_models", "200"), 1);
    em.shutdown().await;
}

#[tokio::test]
async fn bedrock_converse_and_event_stream() {
    let mut p = provider("br", Protocol::Bedrock);
    p.output = OutputLength::Dist(Dist::Fixed(9.0));
    let em = start(vec![p]).await;
    let model = "anthropic.claude-3-5-haiku-20241022-v1:0";
    let req = json!({"messages": [{"role": "user", "content": [{"text": "Hello Bedrock"}]}], "inferenceConfig": {"maxTokens": 100}});
    let v: Value = bedrock_post(&em, "br", model, false, req.clone())
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(v["stopReason"], "end_turn");
    assert_eq!(v["output"]["message"]["role"], "assistant");
    assert_eq!(
        count_tokens(
            v["output"]["message"]["content"][0]["text"]
                .as_str()
                .unwrap()
        ),
        9
    );
    assert_eq!(v["usage"]["inputTokens"], 2);
    assert_eq!(v["usage"]["outputTokens"], 9);
    assert_eq!(v["usage"]["totalTokens"], 11);
    assert!(v["metrics"]["latencyMs"].is_u64());

    let resp = bedrock_post(&em, "br", model, true, req).await;
    assert_eq!(
        resp.headers()["content-type"],
        "application/vnd.amazon.eventstream"
    );
    let (body, failed) = read_all(resp).await;
    assert!(!failed);
    let frames = decode_frames(&body);
    let names: Vec<&str> = frames.iter().map(|(_, e, _)| e.as_str()).collect();
    assert_eq!(names.first(), Some(&"messageStart"));
    assert_eq!(
        &names[names.len() - 3..],
        &["contentBlockStop", "messageStop", "metadata"]
    );
    assert!(frames.iter().all(|(m, _, _)| m == "event"));
    let text: String = frames
        .iter()
        .filter(|(_, e, _)| e == "contentBlockDelta")
        .map(|(_, _, p)| p["delta"]["text"].as_str().unwrap())
        .collect();
    assert_eq!(count_tokens(&text), 9);
    let meta = &frames.last().unwrap().2;
    assert_eq!(meta["usage"]["outputTokens"], 9);
    assert!(meta["metrics"]["latencyMs"].is_u64());

    // tool use streamed as contentBlockStart + toolUse input deltas
    let tools = json!({"tools": [{"toolSpec": {"name": "calc", "inputSchema": {"json": {"type": "object", "properties": {"x": {"type": "number"}}, "required": ["x"]}}}}]});
    let resp = bedrock_post(
        &em,
        "br",
        model,
        true,
        json!({"messages": [{"role": "user", "content": [{"text": "add"}]}], "toolConfig": tools}),
    )
    .await;
    let frames = decode_frames(&read_all(resp).await.0);
    let start = frames
        .iter()
        .find(|(_, e, _)| e == "contentBlockStart")
        .unwrap();
    assert_eq!(start.2["start"]["toolUse"]["name"], "calc");
    let input: String = frames
        .iter()
        .filter(|(_, e, _)| e == "contentBlockDelta")
        .map(|(_, _, p)| p["delta"]["toolUse"]["input"].as_str().unwrap())
        .collect();
    assert!(serde_json::from_str::<Value>(&input).unwrap()["x"].is_number());
    assert!(frames
        .iter()
        .any(|(_, e, p)| e == "messageStop" && p["stopReason"] == "tool_use"));

    let r = bedrock_post(
        &em,
        "br",
        "no.such-model",
        false,
        json!({"messages": [{"role": "user", "content": [{"text": "x"}]}]}),
    )
    .await;
    assert_eq!(r.status(), 400);
    assert!(r.headers()["x-amzn-errortype"]
        .to_str()
        .unwrap()
        .starts_with("ValidationException"));
    let r = client()
        .post(url(&em, "br", &format!("/model/{model}/converse")))
        .json(&json!({}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    assert!(r.headers()["x-amzn-errortype"]
        .to_str()
        .unwrap()
        .starts_with("MissingAuthenticationTokenException"));
    let e: Value = r.json().await.unwrap();
    assert_eq!(e["message"], "Missing Authentication Token");
    em.shutdown().await;
}

#[tokio::test]
async fn gemini_generate_stream_thoughts_and_errors() {
    let mut p = provider("gm", Protocol::Gemini);
    p.output = OutputLength::Dist(Dist::Fixed(6.0));
    p.reasoning_tokens = 3;
    let em = start(vec![p]).await;
    let req = json!({"contents": [{"role": "user", "parts": [{"text": "Hello Gemini"}]}]});
    let v: Value = gemini_post(
        &em,
        "gm",
        "gemini-2.5-flash",
        "generateContent",
        req.clone(),
    )
    .await
    .json()
    .await
    .unwrap();
    let u = &v["usageMetadata"];
    assert_eq!(u["promptTokenCount"], 2);
    assert_eq!(u["candidatesTokenCount"], 6);
    assert_eq!(u["thoughtsTokenCount"], 3);
    assert_eq!(u["totalTokenCount"], 11);
    assert_eq!(v["candidates"][0]["finishReason"], "STOP");
    assert_eq!(v["candidates"][0]["content"]["role"], "model");
    assert_eq!(
        v["candidates"][0]["content"]["parts"]
            .as_array()
            .unwrap()
            .len(),
        1,
        "thoughts hidden unless includeThoughts"
    );

    let with_thoughts = json!({"contents": req["contents"], "generationConfig": {"thinkingConfig": {"includeThoughts": true}}});
    let v: Value = gemini_post(
        &em,
        "gm",
        "gemini-2.5-flash",
        "generateContent",
        with_thoughts,
    )
    .await
    .json()
    .await
    .unwrap();
    assert_eq!(v["candidates"][0]["content"]["parts"][0]["thought"], true);

    let resp = client()
        .post(url(
            &em,
            "gm",
            "/v1beta/models/gemini-2.0-flash:streamGenerateContent?alt=sse",
        ))
        .header("x-goog-api-key", "AIza-test")
        .json(&req)
        .send()
        .await
        .unwrap();
    let (body, failed) = read_all(resp).await;
    assert!(!failed);
    let chunks: Vec<Value> = parse_sse(std::str::from_utf8(&body).unwrap())
        .iter()
        .map(|(_, d)| serde_json::from_str(d).unwrap())
        .collect();
    let text: String = chunks
        .iter()
        .filter_map(|c| c["candidates"][0]["content"]["parts"][0]["text"].as_str())
        .collect();
    assert_eq!(count_tokens(&text), 6);
    let last = chunks.last().unwrap();
    assert_eq!(last["candidates"][0]["finishReason"], "STOP");
    assert_eq!(last["usageMetadata"]["candidatesTokenCount"], 6);
    assert!(last["usageMetadata"].get("thoughtsTokenCount").is_none());

    // without alt=sse: one JSON array
    let resp = gemini_post(
        &em,
        "gm",
        "gemini-2.0-flash",
        "streamGenerateContent",
        req.clone(),
    )
    .await;
    let arr: Value = serde_json::from_slice(&read_all(resp).await.0).unwrap();
    assert!(arr.as_array().unwrap().len() >= 2);

    let fc = json!({"contents": req["contents"], "tools": [{"functionDeclarations": [{"name": "find", "parameters": {"type": "OBJECT", "properties": {"q": {"type": "STRING"}}, "required": ["q"]}}]}]});
    let v: Value = gemini_post(&em, "gm", "gemini-2.0-flash", "generateContent", fc)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        v["candidates"][0]["content"]["parts"][0]["functionCall"]["name"],
        "find"
    );
    assert!(v["candidates"][0]["content"]["parts"][0]["functionCall"]["args"]["q"].is_string());

    let r = gemini_post(&em, "gm", "gemini-9", "generateContent", req.clone()).await;
    assert_eq!(r.status(), 404);
    let e: Value = r.json().await.unwrap();
    assert_eq!(e["error"]["status"], "NOT_FOUND");
    assert_eq!(e["error"]["code"], 404);
    let r = client()
        .post(url(
            &em,
            "gm",
            "/v1beta/models/gemini-2.0-flash:generateContent",
        ))
        .json(&req)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    let models: Value = client()
        .get(url(&em, "gm", "/v1beta/models?key=k"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(models["models"]
        .as_array()
        .unwrap()
        .iter()
        .any(|m| m["name"] == "models/gemini-2.5-flash"));
    em.shutdown().await;
}

#[tokio::test]
async fn anthropic_message_start_and_ping_come_before_the_first_token() {
    let mut p = provider("an", Protocol::Anthropic);
    // the first token is a minute away: whatever arrives now was sent at the response's start
    p.ttft_ms = Dist::Fixed(60_000.0);
    let em = start(vec![p]).await;
    let resp = anthropic_post(&em, "an", json!({"model": "claude-haiku-4-5", "max_tokens": 100, "stream": true, "messages": [{"role": "user", "content": "Hello there"}]})).await;
    assert_eq!(resp.status(), 200);
    let mut stream = resp.bytes_stream();
    let mut text = String::new();
    while !text.contains("event: ping") {
        let chunk = tokio::time::timeout(std::time::Duration::from_secs(20), stream.next())
            .await
            .expect("message_start and ping arrive without waiting for the first token")
            .expect("the body goes on")
            .unwrap();
        text.push_str(std::str::from_utf8(&chunk).unwrap());
    }
    let events = parse_sse(&text);
    let names: Vec<&str> = events.iter().map(|(e, _)| e.as_deref().unwrap()).collect();
    assert_eq!(names, ["message_start", "ping"]);
    let start: Value = serde_json::from_str(&events[0].1).unwrap();
    assert_eq!(start["message"]["content"], json!([]));
    assert_eq!(
        start["message"]["usage"]["input_tokens"],
        u64::from(count_tokens("Hello there"))
    );
    drop(stream);
    em.shutdown().await;
}

/// Headers of a request signed now with aws-sigv4, as an AWS SDK would send them.
fn signed_now(url: &str, body: &[u8], secret: &str) -> Vec<(String, String)> {
    use aws_sigv4::http_request::{sign, SignableBody, SignableRequest, SigningSettings};
    let identity =
        aws_credential_types::Credentials::new("AKIDEXAMPLE", secret, None, None, "test").into();
    let params = aws_sigv4::sign::v4::SigningParams::builder()
        .identity(&identity)
        .region("us-west-2")
        .name("bedrock")
        .time(std::time::SystemTime::now())
        .settings(SigningSettings::default())
        .build()
        .unwrap()
        .into();
    let host = url.split('/').nth(2).unwrap();
    let headers = [("host", host), ("content-type", "application/json")];
    let signable =
        SignableRequest::new("POST", url, headers.into_iter(), SignableBody::Bytes(body)).unwrap();
    let (instructions, _) = sign(signable, &params).unwrap().into_parts();
    let (signed, _) = instructions.into_parts();
    signed
        .iter()
        .map(|h| (h.name().to_owned(), h.value().to_owned()))
        .collect()
}

#[tokio::test]
async fn bedrock_with_a_secret_refuses_signatures_it_cannot_reproduce() {
    const SECRET: &str = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
    let mut p = provider("br", Protocol::Bedrock);
    p.api_keys = vec!["AKIDEXAMPLE".to_owned()];
    p.aws_secret_access_key = Some(SECRET.to_owned());
    let em = start(vec![p]).await;
    let body = json!({"messages": [{"role": "user", "content": [{"text": "x"}]}]});
    let bytes = serde_json::to_vec(&body).unwrap();
    let target = url(&em, "br", "/model/amazon.nova-lite-v1%3A0/converse");
    let send = |headers: Vec<(String, String)>| {
        let mut rb = client()
            .post(&target)
            .header("content-type", "application/json")
            .body(bytes.clone());
        for (k, v) in headers {
            rb = rb.header(k, v);
        }
        rb.send()
    };
    let error_type = |r: &reqwest::Response| {
        r.headers()["x-amzn-errortype"]
            .to_str()
            .unwrap()
            .split(':')
            .next()
            .unwrap()
            .to_owned()
    };

    // signed now with the secret: accepted
    let r = send(signed_now(&target, &bytes, SECRET)).await.unwrap();
    assert_eq!(r.status(), 200);
    // signed now with another secret: the signatures differ
    let r = send(signed_now(&target, &bytes, "another-secret"))
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    assert_eq!(error_type(&r), "InvalidSignatureException");
    let e: Value = r.json().await.unwrap();
    assert_eq!(
        e["message"],
        "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details."
    );
    // signed for another body: the same
    let r = send(signed_now(&target, b"{}", SECRET)).await.unwrap();
    assert_eq!(r.status(), 403);
    assert_eq!(error_type(&r), "InvalidSignatureException");
    // the harness's header is dated 2025-01-01: too old
    let r = send(vec![
        ("authorization".into(), SIGV4.into()),
        ("x-amz-date".into(), "20250101T000000Z".into()),
    ])
    .await
    .unwrap();
    assert_eq!(r.status(), 403);
    assert_eq!(error_type(&r), "InvalidSignatureException");
    let e: Value = r.json().await.unwrap();
    assert!(e["message"]
        .as_str()
        .unwrap()
        .starts_with("Signature expired: 20250101T000000Z is now earlier than"));
    // without x-amz-date the signature cannot be checked at all
    let r = send(vec![("authorization".into(), SIGV4.into())])
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    assert_eq!(error_type(&r), "IncompleteSignatureException");
    // an access key id it does not know is refused before any signature check
    let r = send(vec![
        (
            "authorization".into(),
            SIGV4.replace("AKIDEXAMPLE", "AKIDOTHER"),
        ),
        ("x-amz-date".into(), "20250101T000000Z".into()),
    ])
    .await
    .unwrap();
    assert_eq!(r.status(), 403);
    assert_eq!(error_type(&r), "UnrecognizedClientException");

    let info = info(&em, "br").await;
    assert_eq!(info["verifies_sigv4"], true);
    let hits = em.hits("br").unwrap();
    assert_eq!(hits.count("converse", "200"), 1, "{hits:?}");
    assert_eq!(hits.count("converse", "403"), 4, "{hits:?}");
    assert_eq!(hits.count("converse", "400"), 1, "{hits:?}");
    em.shutdown().await;
}
