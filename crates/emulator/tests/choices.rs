//! OpenAI's `n`: several choices per request, in one body or interleaved in one stream, with the
//! prompt counted once and the completion tokens of every choice added up.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "test code"
)]

mod common;

use std::collections::BTreeMap;

use cloudfit_emulator::{count_tokens, Dist, OutputLength, Protocol, ProviderConfig};
use common::*;
use serde_json::{json, Value};

fn emulated(dialect: cloudfit_emulator::Dialect) -> ProviderConfig {
    let mut p = provider("oa", Protocol::OpenAi);
    p.dialect = dialect;
    p.prompt_cache.enabled = false;
    // a fixed length, so two requests' choices compare token for token
    p.output = OutputLength::Dist(Dist::Fixed(24.0));
    // paced, so the choices' chunks interleave as they fall due
    p.tokens_per_s = 2000.0;
    p
}

fn request(n: u32, stream: bool) -> Value {
    json!({"model": "gpt-4o-mini", "n": n, "stream": stream, "stream_options": if stream { json!({"include_usage": true}) } else { Value::Null },
           "messages": [{"role": "user", "content": "Name three clouds"}]})
}

/// Text and finish reason of each choice index.
type Choices = BTreeMap<u64, (String, Option<String>)>;

/// The choices, the final usage and whether `[DONE]` came, from an SSE body.
fn collect_stream(body: &str) -> (Choices, Option<Value>, bool) {
    let mut choices = Choices::new();
    let mut usage = None;
    let mut done = false;
    for (_, data) in parse_sse(body) {
        if data == "[DONE]" {
            done = true;
            continue;
        }
        let chunk: Value = serde_json::from_str(&data).unwrap();
        assert!(!done, "nothing follows [DONE]: {data}");
        for c in chunk["choices"].as_array().unwrap() {
            let entry = choices.entry(c["index"].as_u64().unwrap()).or_default();
            if let Some(t) = c["delta"]["content"].as_str() {
                entry.0.push_str(t);
            }
            if let Some(f) = c["finish_reason"].as_str() {
                assert!(entry.1.is_none(), "one finish per choice");
                entry.1 = Some(f.to_owned());
            }
        }
        if chunk["usage"].is_object() {
            assert!(chunk["choices"].as_array().unwrap().is_empty());
            usage = Some(chunk["usage"].clone());
        }
    }
    (choices, usage, done)
}

#[tokio::test]
async fn n_choices_in_one_body_and_interleaved_in_one_stream() {
    let em = start(vec![emulated(cloudfit_emulator::Dialect::Standard)]).await;
    let one: Value = openai_post(&em, "oa", "/v1/chat/completions", request(1, false))
        .await
        .json()
        .await
        .unwrap();
    let v: Value = openai_post(&em, "oa", "/v1/chat/completions", request(3, false))
        .await
        .json()
        .await
        .unwrap();
    let choices = v["choices"].as_array().unwrap();
    assert_eq!(choices.len(), 3);
    let texts: Vec<&str> = choices
        .iter()
        .map(|c| c["message"]["content"].as_str().unwrap())
        .collect();
    for (i, c) in choices.iter().enumerate() {
        assert_eq!(c["index"], i);
        assert_eq!(c["finish_reason"], "stop");
    }
    // choice 0 is what n = 1 gets; the others are their own text
    assert_eq!(texts[0], one["choices"][0]["message"]["content"]);
    assert_ne!(texts[0], texts[1]);
    assert_ne!(texts[1], texts[2]);
    // the prompt once, every choice's completion added up
    assert_eq!(v["usage"]["prompt_tokens"], one["usage"]["prompt_tokens"]);
    let generated: u32 = texts.iter().map(|t| count_tokens(t)).sum();
    assert_eq!(v["usage"]["completion_tokens"], generated);
    assert_eq!(
        v["usage"]["total_tokens"].as_u64().unwrap(),
        v["usage"]["prompt_tokens"].as_u64().unwrap() + u64::from(generated)
    );

    let r = openai_post(&em, "oa", "/v1/chat/completions", request(3, true)).await;
    assert_eq!(r.status(), 200);
    let body = r.text().await.unwrap();
    let (streamed, usage, done) = collect_stream(&body);
    assert!(done, "{body}");
    assert_eq!(streamed.len(), 3);
    for (i, (text, finish)) in &streamed {
        assert_eq!(text, texts[*i as usize], "choice {i}");
        assert_eq!(finish.as_deref(), Some("stop"));
    }
    assert_eq!(usage.unwrap(), v["usage"]);
    // the choices share the stream: their chunks interleave rather than run one after another
    let order: Vec<u64> = parse_sse(&body)
        .into_iter()
        .filter_map(|(_, d)| serde_json::from_str::<Value>(&d).ok())
        .filter_map(|c| c["choices"][0]["index"].as_u64())
        .collect();
    let switches = order.windows(2).filter(|w| w[0] != w[1]).count();
    assert!(switches > 2, "{order:?}");
    em.shutdown().await;
}

#[tokio::test]
async fn azure_annotates_the_prompt_once_for_all_choices() {
    let em = start(vec![emulated(cloudfit_emulator::Dialect::Azure)]).await;
    let r = openai_post(&em, "oa", "/openai/v1/chat/completions", request(2, true)).await;
    assert_eq!(r.status(), 200);
    let body = r.text().await.unwrap();
    let annotations = parse_sse(&body)
        .iter()
        .filter(|(_, d)| d.contains("prompt_filter_results"))
        .count();
    assert_eq!(annotations, 1, "{body}");
    let (streamed, _, done) = collect_stream(&body);
    assert!(done);
    assert_eq!(streamed.len(), 2);
    em.shutdown().await;
}

#[tokio::test]
async fn an_in_stream_error_ends_a_stream_of_several_choices() {
    let mut p = emulated(cloudfit_emulator::Dialect::Standard);
    p.faults.stream_error_share = 1.0;
    p.faults.stream_error_after_tokens = 2;
    let em = start(vec![p]).await;
    let r = openai_post(&em, "oa", "/v1/chat/completions", request(3, true)).await;
    assert_eq!(r.status(), 200);
    let body = r.text().await.unwrap();
    let events = parse_sse(&body);
    let (_, last) = events.last().unwrap();
    let last: Value = serde_json::from_str(last).unwrap();
    assert_eq!(last["error"]["type"], "server_error", "{body}");
    assert!(!body.contains("[DONE]"), "{body}");
    em.shutdown().await;
}
