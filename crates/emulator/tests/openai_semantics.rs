//! OpenAI behaviours the emulator is held to beyond shapes: reasoning inside the output cap,
//! `max_tokens` refused on reasoning models, JSON mode's "json" rule, token log-probabilities.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "test code"
)]

mod common;

use cloudfit_emulator::{count_tokens, Dialect, Dist, OutputLength, Protocol};
use common::*;
use serde_json::{json, Value};

fn reasoning_openai(name: &str) -> cloudfit_emulator::ProviderConfig {
    let mut p = provider(name, Protocol::OpenAi);
    p.output = OutputLength::Dist(Dist::Fixed(32.0));
    p.reasoning_tokens = 32;
    p
}

/// Content, finish reason and usage of a streamed chat (with `include_usage`).
fn streamed(body: &[u8]) -> (String, String, Value) {
    let mut content = String::new();
    let mut finish = String::new();
    let mut usage = Value::Null;
    for (_, data) in parse_sse(std::str::from_utf8(body).unwrap()) {
        if data == "[DONE]" {
            continue;
        }
        let c: Value = serde_json::from_str(&data).unwrap();
        if let Some(text) = c["choices"][0]["delta"]["content"].as_str() {
            content.push_str(text);
        }
        if let Some(f) = c["choices"][0]["finish_reason"].as_str() {
            finish = f.to_owned();
        }
        if c["usage"].is_object() {
            usage = c["usage"].clone();
        }
    }
    (content, finish, usage)
}

#[tokio::test]
async fn reasoning_counts_inside_max_completion_tokens() {
    let em = start(vec![reasoning_openai("oa")]).await;
    let ask = |cap: u32, stream: bool| {
        json!({"model": "o3-mini", "max_completion_tokens": cap, "stream": stream,
            "stream_options": if stream { json!({"include_usage": true}) } else { Value::Null },
            "messages": [{"role": "user", "content": "think hard"}]})
    };
    // room for all the reasoning and part of the answer
    let v: Value = openai_post(&em, "oa", "/v1/chat/completions", ask(40, false))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(v["usage"]["completion_tokens"], 40, "{v}");
    assert_eq!(
        v["usage"]["completion_tokens_details"]["reasoning_tokens"],
        32
    );
    assert_eq!(v["choices"][0]["finish_reason"], "length");
    let content = v["choices"][0]["message"]["content"].as_str().unwrap();
    assert_eq!(count_tokens(content), 8);
    // the reasoning takes the whole cap: an empty answer cut at the cap
    let v: Value = openai_post(&em, "oa", "/v1/chat/completions", ask(20, false))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(v["usage"]["completion_tokens"], 20, "{v}");
    assert_eq!(
        v["usage"]["completion_tokens_details"]["reasoning_tokens"],
        20
    );
    assert_eq!(v["choices"][0]["message"]["content"], "");
    assert_eq!(v["choices"][0]["finish_reason"], "length");
    // streamed alike
    for (cap, answer) in [(40u32, 8u32), (20, 0)] {
        let resp = openai_post(&em, "oa", "/v1/chat/completions", ask(cap, true)).await;
        let (body, cut) = read_all(resp).await;
        assert!(!cut);
        let (content, finish, usage) = streamed(&body);
        assert_eq!(count_tokens(&content), answer);
        assert_eq!(finish, "length");
        assert_eq!(usage["completion_tokens"], cap);
    }
    // a roomy cap leaves the answer whole
    let v: Value = openai_post(&em, "oa", "/v1/chat/completions", ask(1000, false))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(v["usage"]["completion_tokens"], 64);
    assert_eq!(v["choices"][0]["finish_reason"], "stop");
    em.shutdown().await;
}

#[tokio::test]
async fn reasoning_counts_inside_the_cap_in_the_other_protocols() {
    let mut ds = reasoning_openai("ds");
    ds.dialect = Dialect::DeepSeek;
    ds.reasoning_models = vec!["deepseek-reasoner".into()];
    let mut gm = provider("gm", Protocol::Gemini);
    gm.reasoning_tokens = 32;
    let mut br = provider("br", Protocol::Bedrock);
    br.reasoning_tokens = 32;
    let em = start(vec![ds, gm, br]).await;

    let v: Value = openai_post(
        &em,
        "ds",
        "/chat/completions",
        json!({"model": "deepseek-reasoner", "max_tokens": 10, "messages": [{"role": "user", "content": "x"}]}),
    )
    .await
    .json()
    .await
    .unwrap();
    assert_eq!(v["usage"]["completion_tokens"], 10, "{v}");
    assert_eq!(
        count_tokens(
            v["choices"][0]["message"]["reasoning_content"]
                .as_str()
                .unwrap()
        ),
        10
    );
    assert_eq!(v["choices"][0]["message"]["content"], "");
    assert_eq!(v["choices"][0]["finish_reason"], "length");

    let v: Value = gemini_post(
        &em,
        "gm",
        "gemini-2.5-flash",
        "generateContent",
        json!({"contents": [{"role": "user", "parts": [{"text": "x"}]}], "generationConfig": {"maxOutputTokens": 40}}),
    )
    .await
    .json()
    .await
    .unwrap();
    let usage = &v["usageMetadata"];
    assert_eq!(usage["thoughtsTokenCount"], 32, "{v}");
    assert_eq!(usage["candidatesTokenCount"], 8);
    assert_eq!(v["candidates"][0]["finishReason"], "MAX_TOKENS");

    let v: Value = bedrock_post(
        &em,
        "br",
        "deepseek.r1-v1:0",
        false,
        json!({"messages": [{"role": "user", "content": [{"text": "x"}]}], "inferenceConfig": {"maxTokens": 12}}),
    )
    .await
    .json()
    .await
    .unwrap();
    assert_eq!(v["usage"]["outputTokens"], 12, "{v}");
    assert_eq!(v["stopReason"], "max_tokens");
    em.shutdown().await;
}

#[tokio::test]
async fn max_tokens_on_an_openai_reasoning_model_is_refused() {
    let mut az = reasoning_openai("az");
    az.dialect = Dialect::Azure;
    let mut ds = reasoning_openai("ds");
    ds.dialect = Dialect::DeepSeek;
    ds.reasoning_models = vec!["deepseek-reasoner".into()];
    let em = start(vec![reasoning_openai("oa"), az, ds]).await;
    let body = |model: &str| json!({"model": model, "max_tokens": 50, "messages": [{"role": "user", "content": "x"}]});
    for (name, path) in [
        ("oa", "/v1/chat/completions"),
        ("az", "/openai/v1/chat/completions"),
    ] {
        let resp = openai_post(&em, name, path, body("o3-mini")).await;
        assert_eq!(resp.status(), 400, "{name}");
        let v: Value = resp.json().await.unwrap();
        assert_eq!(
            v,
            json!({"error": {"message": "Unsupported parameter: 'max_tokens' is not supported with this model. Use 'max_completion_tokens' instead.",
                "type": "invalid_request_error", "param": "max_tokens", "code": "unsupported_parameter"}}),
            "{name}"
        );
    }
    // a chat model keeps max_tokens, and max_completion_tokens is the reasoning model's cap
    let ok = openai_post(&em, "oa", "/v1/chat/completions", body("gpt-4o")).await;
    assert_eq!(ok.status(), 200);
    let ok = openai_post(
        &em,
        "oa",
        "/v1/chat/completions",
        json!({"model": "o3-mini", "max_completion_tokens": 50, "max_tokens": null, "messages": [{"role": "user", "content": "x"}]}),
    )
    .await;
    assert_eq!(ok.status(), 200);
    // the compatible family documents max_tokens for its reasoners
    let ok = openai_post(&em, "ds", "/chat/completions", body("deepseek-reasoner")).await;
    assert_eq!(ok.status(), 200);
    em.shutdown().await;
}

#[tokio::test]
async fn json_mode_needs_the_word_json_and_answers_valid_json() {
    let em = start(vec![provider("oa", Protocol::OpenAi)]).await;
    let ask = |text: &str, extra: Value| {
        let mut b = json!({"model": "gpt-4o", "response_format": {"type": "json_object"},
            "messages": [{"role": "system", "content": "You are terse."}, {"role": "user", "content": text}]});
        for (k, v) in extra.as_object().unwrap() {
            b[k] = v.clone();
        }
        b
    };
    let resp = openai_post(
        &em,
        "oa",
        "/v1/chat/completions",
        ask("list three clouds", json!({})),
    )
    .await;
    assert_eq!(resp.status(), 400);
    let v: Value = resp.json().await.unwrap();
    assert_eq!(
        v["error"]["message"],
        "'messages' must contain the word 'json' in some form, to use 'response_format' of type 'json_object'."
    );
    assert_eq!(v["error"]["type"], "invalid_request_error");
    assert_eq!(v["error"]["param"], "messages");
    // any case, any message; the content is JSON and the same for the same request
    let mut seen = Vec::new();
    for stream in [false, true, false] {
        let resp = openai_post(
            &em,
            "oa",
            "/v1/chat/completions",
            ask("Answer as Json please", json!({"stream": stream})),
        )
        .await;
        assert_eq!(resp.status(), 200);
        let content = if stream {
            let (body, _) = read_all(resp).await;
            streamed(&body).0
        } else {
            let v: Value = resp.json().await.unwrap();
            v["choices"][0]["message"]["content"]
                .as_str()
                .unwrap()
                .to_owned()
        };
        let parsed: Value = serde_json::from_str(&content).unwrap();
        assert!(parsed.is_object());
        seen.push(content);
    }
    assert!(seen.windows(2).all(|w| w[0] == w[1]), "{seen:?}");
    // a json_schema format needs no such word
    let resp = openai_post(
        &em,
        "oa",
        "/v1/chat/completions",
        json!({"model": "gpt-4o", "messages": [{"role": "user", "content": "a city"}],
            "response_format": {"type": "json_schema", "json_schema": {"name": "c", "schema": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}}}}),
    )
    .await;
    assert_eq!(resp.status(), 200);
    em.shutdown().await;
}

/// Tokens of a `logprobs.content` list, checked entry by entry against OpenAI's shape.
fn logprob_tokens(content: &Value, top: usize) -> Vec<String> {
    content
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            let token = e["token"].as_str().unwrap();
            assert_eq!(e["bytes"], json!(token.as_bytes()), "{e}");
            assert!(e["logprob"].as_f64().unwrap() <= 0.0);
            let alts = e["top_logprobs"].as_array().unwrap();
            assert_eq!(alts.len(), top, "{e}");
            for a in alts {
                assert!(a["token"].is_string() && a["logprob"].is_f64() && a["bytes"].is_array());
            }
            token.to_owned()
        })
        .collect()
}

#[tokio::test]
async fn logprobs_come_per_token_plain_and_streamed() {
    let mut p = provider("oa", Protocol::OpenAi);
    p.output = OutputLength::Dist(Dist::Fixed(10.0));
    let em = start(vec![p]).await;
    let ask = |stream: bool, top: Value| {
        json!({"model": "gpt-4o", "logprobs": true, "top_logprobs": top, "stream": stream,
            "messages": [{"role": "user", "content": "Hello"}]})
    };
    let v: Value = openai_post(&em, "oa", "/v1/chat/completions", ask(false, json!(3)))
        .await
        .json()
        .await
        .unwrap();
    let lp = &v["choices"][0]["logprobs"];
    assert!(lp["refusal"].is_null());
    let tokens = logprob_tokens(&lp["content"], 3);
    assert_eq!(tokens.len(), 10);
    assert_eq!(
        tokens.concat(),
        v["choices"][0]["message"]["content"].as_str().unwrap()
    );
    // streamed: each content chunk carries its tokens' entries, the same as the plain body's
    let (body, _) =
        read_all(openai_post(&em, "oa", "/v1/chat/completions", ask(true, json!(3))).await).await;
    let mut streamed = Vec::new();
    for (_, data) in parse_sse(std::str::from_utf8(&body).unwrap()) {
        if data == "[DONE]" {
            continue;
        }
        let c: Value = serde_json::from_str(&data).unwrap();
        let choice = &c["choices"][0];
        if choice["finish_reason"].is_string() {
            assert!(choice["logprobs"].is_null());
            continue;
        }
        let entries = choice["logprobs"]["content"].as_array().unwrap().clone();
        let text = choice["delta"]["content"].as_str().unwrap_or("");
        let tokens: String = entries
            .iter()
            .map(|e| e["token"].as_str().unwrap())
            .collect();
        assert_eq!(tokens, text);
        streamed.extend(entries);
    }
    assert_eq!(Value::Array(streamed), lp["content"]);
    // without top_logprobs: no alternatives; without logprobs: null
    let v: Value = openai_post(&em, "oa", "/v1/chat/completions", ask(false, Value::Null))
        .await
        .json()
        .await
        .unwrap();
    logprob_tokens(&v["choices"][0]["logprobs"]["content"], 0);
    let v: Value = openai_post(&em, "oa", "/v1/chat/completions", chat("gpt-4o", "Hello"))
        .await
        .json()
        .await
        .unwrap();
    assert!(v["choices"][0]["logprobs"].is_null());
    let v: Value = openai_post(&em, "oa", "/v1/chat/completions", ask(false, json!(20)))
        .await
        .json()
        .await
        .unwrap();
    logprob_tokens(&v["choices"][0]["logprobs"]["content"], 20);
    em.shutdown().await;
}

#[tokio::test]
async fn logprobs_are_refused_where_openai_refuses_them() {
    let em = start(vec![reasoning_openai("oa")]).await;
    let cases = [
        (json!({"model": "gpt-4o", "top_logprobs": 2}), "top_logprobs", Value::Null,
            "The 'top_logprobs' parameter is only allowed when 'logprobs' is enabled."),
        (json!({"model": "gpt-4o", "logprobs": true, "top_logprobs": 21}), "top_logprobs", json!("integer_above_max_value"),
            "Invalid 'top_logprobs': integer above maximum value. Expected a value <= 20, but got 21 instead."),
        (json!({"model": "gpt-4o", "logprobs": "yes"}), "logprobs", json!("invalid_type"),
            "Invalid type for 'logprobs': expected a boolean, but got a string instead."),
        (json!({"model": "o3-mini", "logprobs": true}), "logprobs", json!("unsupported_parameter"),
            "Unsupported parameter: 'logprobs' is not supported with this model."),
    ];
    for (mut body, param, code, message) in cases {
        body["messages"] = json!([{"role": "user", "content": "x"}]);
        let resp = openai_post(&em, "oa", "/v1/chat/completions", body.clone()).await;
        assert_eq!(resp.status(), 400, "{body}");
        let e: Value = resp.json().await.unwrap();
        assert_eq!(
            e,
            json!({"error": {"message": message, "type": "invalid_request_error", "param": param, "code": code}}),
            "{body}"
        );
    }
    em.shutdown().await;
}
