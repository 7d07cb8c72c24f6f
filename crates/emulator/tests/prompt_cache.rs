//! Prompt caching over real HTTP: every protocol reports the cached part of a repeated prefix in
//! its own usage fields, plain and streamed, by its family's rule; reset empties the cache; info
//! describes it; the config switch turns it off.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::print_stdout,
    clippy::print_stderr,
    reason = "test code"
)]

mod common;

use cloudfit_emulator::{count_tokens, Dialect, Protocol, RunningEmulator};
use common::*;
use serde_json::{json, Value};

/// `n` distinct one-token words, different for each `salt`.
fn words(salt: &str, n: usize) -> String {
    (0..n)
        .map(|i| format!("{salt}{i}"))
        .collect::<Vec<_>>()
        .join(" ")
}

async fn json_of(resp: reqwest::Response) -> Value {
    assert_eq!(resp.status(), 200);
    resp.json().await.unwrap()
}

async fn reset(em: &RunningEmulator, name: &str) {
    let r = client()
        .post(url(em, name, "/_emulator/reset"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
}

/// The usage of the last SSE chunk that has one.
fn last_sse_usage(body: &[u8], key: &str) -> Value {
    let text = String::from_utf8_lossy(body);
    parse_sse(&text)
        .into_iter()
        .rev()
        .filter(|(_, d)| d != "[DONE]")
        .filter_map(|(_, d)| serde_json::from_str::<Value>(&d).ok())
        .find_map(|v| v.get(key).filter(|u| u.is_object()).cloned())
        .unwrap_or_else(|| panic!("no {key} in {text}"))
}

#[tokio::test]
async fn openai_reports_repeated_prefixes_in_128_token_steps_from_1024() {
    let em = start(vec![provider("oa", Protocol::OpenAi)]).await;
    let system = words("sys", 1100);
    let body = |question: &str| {
        json!({"model": "gpt-4o-mini", "messages": [
            {"role": "system", "content": system},
            {"role": "user", "content": question}
        ]})
    };
    let prompt_tokens = 1100 + 3;
    let first =
        json_of(openai_post(&em, "oa", "/v1/chat/completions", body("what is x")).await).await;
    assert_eq!(first["usage"]["prompt_tokens"], prompt_tokens);
    assert_eq!(first["usage"]["prompt_tokens_details"]["cached_tokens"], 0);

    // the same prompt: all of it was seen, reported rounded down to 128s (1103 → 1024)
    let again =
        json_of(openai_post(&em, "oa", "/v1/chat/completions", body("what is x")).await).await;
    assert_eq!(again["usage"]["prompt_tokens"], prompt_tokens);
    assert_eq!(
        again["usage"]["prompt_tokens_details"]["cached_tokens"],
        1024
    );

    // another question after the same system prompt: only the 1100-token system message is a
    // stored prefix, still 1024 reported
    let other = json_of(openai_post(&em, "oa", "/v1/chat/completions", body("and y")).await).await;
    assert_eq!(
        other["usage"]["prompt_tokens_details"]["cached_tokens"],
        1024
    );

    // streamed, with usage: the same field in the usage chunk
    let mut req = body("what is x");
    req["stream"] = json!(true);
    req["stream_options"] = json!({"include_usage": true});
    let (sse, failed) = read_all(openai_post(&em, "oa", "/v1/chat/completions", req).await).await;
    assert!(!failed);
    let usage = last_sse_usage(&sse, "usage");
    assert_eq!(usage["prompt_tokens_details"]["cached_tokens"], 1024);
    assert_eq!(usage["prompt_tokens"], prompt_tokens);

    // a short prompt is never cached
    for _ in 0..2 {
        let short = json_of(
            openai_post(&em, "oa", "/v1/chat/completions", chat("gpt-4o-mini", "hi")).await,
        )
        .await;
        assert_eq!(short["usage"]["prompt_tokens_details"]["cached_tokens"], 0);
    }

    let i = info(&em, "oa").await;
    let cache = &i["prompt_cache"];
    assert_eq!(cache["min_tokens"], 1024);
    assert_eq!(cache["granularity"], 128);
    assert_eq!(cache["ttl_s"], 300);
    // system prefix, two full prompts
    assert_eq!(cache["entries"], 3);
    assert_eq!(cache["counts"]["hits"], 3);
    assert_eq!(cache["counts"]["read_tokens"], 3 * 1024);

    // reset empties it: the repeat misses again
    reset(&em, "oa").await;
    assert_eq!(info(&em, "oa").await["prompt_cache"]["entries"], 0);
    let after =
        json_of(openai_post(&em, "oa", "/v1/chat/completions", body("what is x")).await).await;
    assert_eq!(after["usage"]["prompt_tokens_details"]["cached_tokens"], 0);
    em.shutdown().await;
}

#[tokio::test]
async fn each_dialect_reports_cached_tokens_where_its_clients_read_them() {
    let mut providers = Vec::new();
    for d in Dialect::ALL {
        let mut p = provider(d.as_str(), Protocol::OpenAi);
        p.dialect = d;
        providers.push(p);
    }
    let em = start(providers).await;
    let long = words("doc", 2100);
    for d in Dialect::ALL {
        let name = d.as_str();
        let body = chat("gpt-4o-mini", &long);
        json_of(openai_post(&em, name, "/v1/chat/completions", body.clone()).await).await;
        let v = json_of(openai_post(&em, name, "/v1/chat/completions", body).await).await;
        let u = &v["usage"];
        assert_eq!(u["prompt_tokens"], 2100, "{name}: {u}");
        // 2100 in 128s (OpenAI rule) and in 64s (DeepSeek) is 2048; Gemini's OpenAI path reports
        // Gemini's exact count
        let expected = if d == Dialect::GeminiOpenAi {
            2100
        } else {
            2048
        };
        let reported = match d {
            Dialect::Moonshot | Dialect::Qianfan => &u["cached_tokens"],
            _ => &u["prompt_tokens_details"]["cached_tokens"],
        };
        assert_eq!(reported, expected, "{name}: {u}");
        if d == Dialect::DeepSeek {
            assert_eq!(u["prompt_cache_hit_tokens"], expected, "{u}");
            assert_eq!(u["prompt_cache_miss_tokens"], 2100 - expected, "{u}");
        }
    }
    em.shutdown().await;
}

#[tokio::test]
async fn deepseek_hits_the_previous_turn_and_shared_prefixes_once_seen_twice() {
    let mut p = provider("ds", Protocol::OpenAi);
    p.dialect = Dialect::DeepSeek;
    p.models = vec!["deepseek-chat".to_owned()];
    let em = start(vec![p]).await;
    let system = json!({"role": "system", "content": words("analyst", 300)});
    let ask = |q: &str| json!({"role": "user", "content": words(q, 100)});
    let post = |messages: Vec<Value>| {
        let em = &em;
        async move {
            let v = json_of(
                openai_post(
                    em,
                    "ds",
                    "/chat/completions",
                    json!({"model": "deepseek-chat", "messages": messages}),
                )
                .await,
            )
            .await;
            let u = v["usage"].clone();
            assert_eq!(
                u["prompt_cache_hit_tokens"].as_u64().unwrap()
                    + u["prompt_cache_miss_tokens"].as_u64().unwrap(),
                u["prompt_tokens"].as_u64().unwrap(),
                "{u}"
            );
            u["prompt_cache_hit_tokens"].as_u64().unwrap()
        }
    };
    // A+B, then A+C: C's request shares only A, which was never a request's end: a miss
    assert_eq!(post(vec![system.clone(), ask("b")]).await, 0);
    assert_eq!(post(vec![system.clone(), ask("c")]).await, 0);
    // ... that made A a unit of its own: A+D hits A (300 tokens → 256)
    assert_eq!(post(vec![system.clone(), ask("d")]).await, 256);
    // multi-turn: A+B+answer+E hits A+B (400 → 384)
    let answer = json!({"role": "assistant", "content": "sure"});
    assert_eq!(
        post(vec![system.clone(), ask("b"), answer, ask("e")]).await,
        384
    );
    em.shutdown().await;
}

fn anthropic_body(system: &Value, question: &str) -> Value {
    json!({"model": "claude-sonnet-4-6", "max_tokens": 50, "system": system,
        "messages": [{"role": "user", "content": question}]})
}

#[tokio::test]
async fn anthropic_caches_up_to_cache_control_and_reports_reads_and_writes() {
    let em = start(vec![provider("an", Protocol::Anthropic)]).await;
    let doc = words("pride", 1500);
    let marked = json!([
        {"type": "text", "text": "You analyse novels."},
        {"type": "text", "text": doc, "cache_control": {"type": "ephemeral"}}
    ]);
    // "You analyse novels." is 4 tokens
    let cached_part = 4 + 1500;
    let usage = |v: &Value| {
        let u = &v["usage"];
        (
            u["input_tokens"].as_u64().unwrap(),
            u["cache_creation_input_tokens"].as_u64().unwrap(),
            u["cache_read_input_tokens"].as_u64().unwrap(),
        )
    };
    let first =
        json_of(anthropic_post(&em, "an", anthropic_body(&marked, "Themes please")).await).await;
    assert_eq!(usage(&first), (2, cached_part, 0));
    let second =
        json_of(anthropic_post(&em, "an", anthropic_body(&marked, "Characters now")).await).await;
    assert_eq!(usage(&second), (2, 0, cached_part));

    // streamed: message_start and the final message_delta carry the same split
    let mut req = anthropic_body(&marked, "Style please");
    req["stream"] = json!(true);
    let (sse, _) = read_all(anthropic_post(&em, "an", req).await).await;
    let events = parse_sse(&String::from_utf8_lossy(&sse));
    let data = |name: &str| -> Value {
        let (_, d) = events
            .iter()
            .find(|(e, _)| e.as_deref() == Some(name))
            .unwrap();
        serde_json::from_str(d).unwrap()
    };
    assert_eq!(
        usage(&data("message_start")["message"]),
        (2, 0, cached_part)
    );
    assert_eq!(usage(&data("message_delta")), (2, 0, cached_part));

    // the same blocks without a marker: nothing is cached or read
    let unmarked = json!([
        {"type": "text", "text": "You analyse novels."},
        {"type": "text", "text": doc}
    ]);
    for _ in 0..2 {
        let v =
            json_of(anthropic_post(&em, "an", anthropic_body(&unmarked, "Themes please")).await)
                .await;
        assert_eq!(usage(&v), (cached_part + 2, 0, 0));
    }

    // below the 1024-token minimum a marker caches nothing
    let small = json!([{"type": "text", "text": words("tiny", 100), "cache_control": {"type": "ephemeral"}}]);
    for _ in 0..2 {
        let v = json_of(anthropic_post(&em, "an", anthropic_body(&small, "q")).await).await;
        assert_eq!(usage(&v), (101, 0, 0));
    }
    em.shutdown().await;
}

#[tokio::test]
async fn anthropic_automatic_caching_and_the_four_breakpoint_limit() {
    let em = start(vec![provider("an", Protocol::Anthropic)]).await;
    let history = words("turn", 1200);
    // top-level cache_control: the breakpoint is the last block, and moves forward
    let turn1 = json!({"model": "claude-sonnet-4-6", "max_tokens": 20, "cache_control": {"type": "ephemeral"},
        "messages": [{"role": "user", "content": history}]});
    let v = json_of(anthropic_post(&em, "an", turn1).await).await;
    assert_eq!(v["usage"]["cache_creation_input_tokens"], 1200);
    assert_eq!(v["usage"]["input_tokens"], 0);
    let turn2 = json!({"model": "claude-sonnet-4-6", "max_tokens": 20, "cache_control": {"type": "ephemeral"},
    "messages": [
        {"role": "user", "content": history},
        {"role": "assistant", "content": "noted"},
        {"role": "user", "content": "and then"}
    ]});
    let v = json_of(anthropic_post(&em, "an", turn2).await).await;
    assert_eq!(v["usage"]["cache_read_input_tokens"], 1200);
    assert_eq!(v["usage"]["cache_creation_input_tokens"], 3);
    assert_eq!(v["usage"]["input_tokens"], 0);

    let five: Vec<Value> = (0..5)
        .map(|i| json!({"type": "text", "text": format!("part {i}"), "cache_control": {"type": "ephemeral"}}))
        .collect();
    let r = anthropic_post(&em, "an", anthropic_body(&json!(five), "q")).await;
    assert_eq!(r.status(), 400);
    let v: Value = r.json().await.unwrap();
    assert_eq!(v["error"]["type"], "invalid_request_error");
    assert_eq!(
        v["error"]["message"],
        "A maximum of 4 blocks with cache_control may be provided. Found 5."
    );
    em.shutdown().await;
}

#[tokio::test]
async fn bedrock_caches_up_to_cache_points_plain_and_streamed() {
    let em = start(vec![provider("br", Protocol::Bedrock)]).await;
    let model = "anthropic.claude-3-5-haiku-20241022-v1:0";
    let doc = words("manual", 1300);
    let body = |question: &str, point: bool| {
        let mut system = vec![json!({"text": doc})];
        if point {
            system.push(json!({"cachePoint": {"type": "default"}}));
        }
        json!({"system": system, "messages": [{"role": "user", "content": [{"text": question}]}],
            "inferenceConfig": {"maxTokens": 50}})
    };
    let first =
        json_of(bedrock_post(&em, "br", model, false, body("first question", true)).await).await;
    let u = &first["usage"];
    assert_eq!(u["cacheWriteInputTokens"], 1300, "{u}");
    assert_eq!(u["cacheReadInputTokens"], 0, "{u}");
    assert_eq!(u["inputTokens"], 2, "{u}");
    assert_eq!(
        u["totalTokens"].as_u64().unwrap(),
        2 + 1300 + u["outputTokens"].as_u64().unwrap()
    );
    let resp = bedrock_post(&em, "br", model, true, body("second one", true)).await;
    let (raw, failed) = read_all(resp).await;
    assert!(!failed);
    let frames = decode_frames(&raw);
    let (_, _, meta) = frames.iter().find(|(_, e, _)| e == "metadata").unwrap();
    let u = &meta["usage"];
    assert_eq!(u["cacheReadInputTokens"], 1300, "{u}");
    assert_eq!(u["cacheWriteInputTokens"], 0, "{u}");
    assert_eq!(u["inputTokens"], 2, "{u}");

    // no cachePoint: no cache fields at all, the whole prompt is input
    let plain =
        json_of(bedrock_post(&em, "br", model, false, body("first question", false)).await).await;
    let u = &plain["usage"];
    assert_eq!(u["inputTokens"], 1302, "{u}");
    assert!(u.get("cacheReadInputTokens").is_none(), "{u}");
    em.shutdown().await;
}

#[tokio::test]
async fn gemini_implicit_caching_from_2048_tokens() {
    let em = start(vec![provider("gm", Protocol::Gemini)]).await;
    let context = words("context", 2500);
    let body = |q: &str| {
        json!({"systemInstruction": {"parts": [{"text": context}]},
            "contents": [{"role": "user", "parts": [{"text": q}]}]})
    };
    let first = json_of(
        gemini_post(
            &em,
            "gm",
            "gemini-2.0-flash",
            "generateContent",
            body("one"),
        )
        .await,
    )
    .await;
    let u = &first["usageMetadata"];
    assert_eq!(u["promptTokenCount"], 2501);
    assert!(u.get("cachedContentTokenCount").is_none(), "{u}");
    let second = json_of(
        gemini_post(
            &em,
            "gm",
            "gemini-2.0-flash",
            "generateContent",
            body("two"),
        )
        .await,
    )
    .await;
    let u = &second["usageMetadata"];
    assert_eq!(u["promptTokenCount"], 2501);
    assert_eq!(u["cachedContentTokenCount"], 2500, "{u}");
    assert_eq!(u["cacheTokensDetails"][0]["tokenCount"], 2500, "{u}");

    let resp = gemini_post(
        &em,
        "gm",
        "gemini-2.0-flash",
        "streamGenerateContent?alt=sse",
        body("one"),
    )
    .await;
    let (sse, _) = read_all(resp).await;
    let u = last_sse_usage(&sse, "usageMetadata");
    assert_eq!(u["cachedContentTokenCount"], 2501, "{u}");
    // countTokens neither reads nor fills the cache
    let n = json_of(gemini_post(&em, "gm", "gemini-2.0-flash", "countTokens", body("three")).await)
        .await;
    assert_eq!(n["totalTokens"], 2501);
    let third = json_of(
        gemini_post(
            &em,
            "gm",
            "gemini-2.0-flash",
            "generateContent",
            body("three"),
        )
        .await,
    )
    .await;
    assert_eq!(third["usageMetadata"]["cachedContentTokenCount"], 2500);
    em.shutdown().await;
}

#[tokio::test]
async fn switched_off_or_lowered_minimum_by_config() {
    let mut off = provider("off", Protocol::OpenAi);
    off.prompt_cache.enabled = false;
    let mut low = provider("low", Protocol::OpenAi);
    low.prompt_cache.min_tokens = Some(16);
    let em = start(vec![off, low]).await;
    let text = words("short", 300);
    assert_eq!(count_tokens(&text), 300);
    for _ in 0..2 {
        let v =
            json_of(openai_post(&em, "off", "/v1/chat/completions", chat("gpt-4o", &text)).await)
                .await;
        assert_eq!(v["usage"]["prompt_tokens_details"]["cached_tokens"], 0);
    }
    assert!(info(&em, "off").await["prompt_cache"].is_null());
    json_of(openai_post(&em, "low", "/v1/chat/completions", chat("gpt-4o", &text)).await).await;
    let v =
        json_of(openai_post(&em, "low", "/v1/chat/completions", chat("gpt-4o", &text)).await).await;
    // still OpenAI's 128-token steps
    assert_eq!(v["usage"]["prompt_tokens_details"]["cached_tokens"], 256);
    assert_eq!(info(&em, "low").await["prompt_cache"]["min_tokens"], 16);
    em.shutdown().await;
}

#[tokio::test]
async fn rejected_requests_do_not_fill_the_cache() {
    let mut p = provider("oa", Protocol::OpenAi);
    p.faults.rate_limit_share = 1.0;
    let em = start(vec![p]).await;
    let body = chat("gpt-4o", &words("big", 1500));
    let r = openai_post(&em, "oa", "/v1/chat/completions", body.clone()).await;
    assert_eq!(r.status(), 429);
    assert_eq!(info(&em, "oa").await["prompt_cache"]["entries"], 0);
    let mut f = em.faults("oa").unwrap();
    f.rate_limit_share = 0.0;
    em.set_faults("oa", f).unwrap();
    let v = json_of(openai_post(&em, "oa", "/v1/chat/completions", body).await).await;
    assert_eq!(v["usage"]["prompt_tokens_details"]["cached_tokens"], 0);
    em.shutdown().await;
}

/// With a prefill pace, the uncached part of the prompt adds to the time to first token: a long
/// prompt waits, the same prompt again (mostly cached) does not. Only the lower bound of the
/// first wait is asserted tightly (a sleep never ends early); the second is compared with it.
#[tokio::test]
async fn uncached_prompt_tokens_delay_the_first_token_and_cached_ones_do_not() {
    const PREFILL: f64 = 5000.0;
    let mut p = provider("oa", Protocol::OpenAi);
    p.prefill_tokens_per_s = PREFILL;
    let em = start(vec![p]).await;
    let body = json!({"model": "gpt-4o-mini", "messages": [
        {"role": "system", "content": words("pre", 2000)},
        {"role": "user", "content": "how long"}
    ]});
    let timed = |body: Value| {
        let em = &em;
        async move {
            let started = std::time::Instant::now();
            let v = json_of(openai_post(em, "oa", "/v1/chat/completions", body).await).await;
            (started.elapsed(), v)
        }
    };
    let (cold, first) = timed(body.clone()).await;
    let input = first["usage"]["prompt_tokens"].as_u64().unwrap();
    assert_eq!(first["usage"]["prompt_tokens_details"]["cached_tokens"], 0);
    let cold_floor = std::time::Duration::from_secs_f64(input as f64 / PREFILL);
    assert!(cold >= cold_floor, "{cold:?} < {cold_floor:?}");
    let (warm, second) = timed(body).await;
    let cached = second["usage"]["prompt_tokens_details"]["cached_tokens"]
        .as_u64()
        .unwrap();
    assert!(cached >= 1920, "{second}");
    // (input - cached) / PREFILL is a few milliseconds; the cold request waited 400
    assert!(warm < cold / 2, "warm {warm:?} vs cold {cold:?}");
    em.shutdown().await;
}
