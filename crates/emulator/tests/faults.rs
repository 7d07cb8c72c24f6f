//! Every fault mode observed from the client side, the admin API, hit counters and graceful
//! shutdown. Timing checks are lower bounds only (a sleep guarantees at least its length).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::print_stdout,
    clippy::print_stderr,
    reason = "test code"
)]

mod common;

use std::time::{Duration, Instant};

use cloudfit_emulator::{
    count_tokens, Dist, Faults, HitCounts, Outage, OutageMode, OutputLength, Protocol,
    StreamErrorKind,
};
use common::*;
use futures::StreamExt;
use serde_json::{json, Value};

fn faults(f: impl FnOnce(&mut Faults)) -> Faults {
    let mut x = Faults::default();
    f(&mut x);
    x
}

fn stream_req() -> Value {
    json!({"model": "gpt-4o-mini", "stream": true, "messages": [{"role": "user", "content": "go"}]})
}

#[tokio::test]
async fn rate_limits_carry_retry_after_in_every_protocol() {
    let rl = faults(|f| {
        f.rate_limit_share = 1.0;
        f.retry_after_s = 7;
    });
    let mut ps = Vec::new();
    for (name, proto) in [
        ("oa", Protocol::OpenAi),
        ("an", Protocol::Anthropic),
        ("br", Protocol::Bedrock),
        ("gm", Protocol::Gemini),
    ] {
        let mut p = provider(name, proto);
        p.faults = rl.clone();
        ps.push(p);
    }
    let em = start(ps).await;
    let r = openai_post(&em, "oa", "/v1/chat/completions", chat("gpt-4o", "hi")).await;
    assert_eq!(r.status(), 429);
    assert_eq!(r.headers()["retry-after"], "7");
    let e: Value = r.json().await.unwrap();
    assert_eq!(e["error"]["code"], "rate_limit_exceeded");

    let r = anthropic_post(&em, "an", json!({"model": "claude-haiku-4-5", "max_tokens": 5, "messages": [{"role": "user", "content": "x"}]})).await;
    assert_eq!(r.status(), 429);
    assert_eq!(r.headers()["retry-after"], "7");
    let e: Value = r.json().await.unwrap();
    assert_eq!(e["error"]["type"], "rate_limit_error");

    let r = bedrock_post(
        &em,
        "br",
        "amazon.nova-lite-v1:0",
        true,
        json!({"messages": [{"role": "user", "content": [{"text": "x"}]}]}),
    )
    .await;
    assert_eq!(r.status(), 429);
    assert!(r.headers()["x-amzn-errortype"]
        .to_str()
        .unwrap()
        .starts_with("ThrottlingException"));

    let r = gemini_post(
        &em,
        "gm",
        "gemini-2.0-flash",
        "generateContent",
        json!({"contents": [{"parts": [{"text": "x"}]}]}),
    )
    .await;
    assert_eq!(r.status(), 429);
    let e: Value = r.json().await.unwrap();
    assert_eq!(e["error"]["status"], "RESOURCE_EXHAUSTED");
    assert_eq!(e["error"]["code"], 429);

    let hits = em.hits("oa").unwrap();
    assert_eq!(hits.count("chat.completions", "429"), 1);
    em.shutdown().await;
}

#[tokio::test]
async fn server_errors_and_overload_shapes() {
    let mut a = provider("a", Protocol::OpenAi);
    a.faults = faults(|f| f.server_error_share = 1.0);
    let mut b = provider("b", Protocol::OpenAi);
    b.faults = faults(|f| f.unavailable_share = 1.0);
    let mut c = provider("c", Protocol::Anthropic);
    c.faults = faults(|f| f.unavailable_share = 1.0);
    let em = start(vec![a, b, c]).await;
    let r = openai_post(&em, "a", "/v1/chat/completions", chat("gpt-4o", "hi")).await;
    assert_eq!(r.status(), 500);
    assert_eq!(
        r.json::<Value>().await.unwrap()["error"]["type"],
        "server_error"
    );
    let r = openai_post(&em, "b", "/v1/chat/completions", chat("gpt-4o", "hi")).await;
    assert_eq!(r.status(), 503);
    let r = anthropic_post(&em, "c", json!({"model": "claude-haiku-4-5", "max_tokens": 5, "messages": [{"role": "user", "content": "x"}]})).await;
    assert_eq!(r.status(), 529);
    assert_eq!(
        r.json::<Value>().await.unwrap()["error"]["type"],
        "overloaded_error"
    );
    // auth is checked before an injected error
    let r = client()
        .post(url(&em, "a", "/v1/chat/completions"))
        .json(&chat("gpt-4o", "hi"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
    em.shutdown().await;
}

#[tokio::test]
async fn shares_between_zero_and_one_mix_outcomes() {
    let mut p = provider("oa", Protocol::OpenAi);
    p.faults = faults(|f| f.rate_limit_share = 0.5);
    let em = start(vec![p]).await;
    let mut limited = 0;
    for _ in 0..100 {
        if openai_post(&em, "oa", "/v1/chat/completions", chat("gpt-4o", "hi"))
            .await
            .status()
            == 429
        {
            limited += 1;
        }
    }
    // seeded draws: deterministic, and near half
    assert!((25..=75).contains(&limited), "{limited}");
    let hits = em.hits("oa").unwrap();
    assert_eq!(hits.count("chat.completions", "429"), limited);
    assert_eq!(hits.count("chat.completions", "200"), 100 - limited);
    em.shutdown().await;
}

#[tokio::test]
async fn reset_drops_the_connection_without_a_response() {
    let mut p = provider("oa", Protocol::OpenAi);
    p.faults = faults(|f| f.reset_share = 1.0);
    let em = start(vec![p]).await;
    let err = client()
        .post(url(&em, "oa", "/v1/chat/completions"))
        .bearer_auth("k")
        .json(&chat("gpt-4o", "hi"))
        .send()
        .await
        .unwrap_err();
    assert!(err.status().is_none(), "no HTTP status: {err}");
    assert!(
        err.is_request() || err.is_connect() || err.to_string().contains("error"),
        "{err:?}"
    );
    // also at the raw TCP level: no bytes, then the socket closes
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut s = tokio::net::TcpStream::connect(em.provider("oa").unwrap().addr)
        .await
        .unwrap();
    s.write_all(b"POST /v1/chat/completions HTTP/1.1\r\nhost: x\r\ncontent-length: 2\r\n\r\n{}")
        .await
        .unwrap();
    let mut buf = Vec::new();
    let read = s.read_to_end(&mut buf).await;
    assert!(buf.is_empty(), "got {:?}", String::from_utf8_lossy(&buf));
    if let Err(e) = read {
        assert_eq!(e.kind(), std::io::ErrorKind::ConnectionReset);
    }
    let hits = em.hits("oa").unwrap();
    assert_eq!(hits.faults.reset, 2);
    assert_eq!(hits.count("chat.completions", "reset"), 2);
    em.shutdown().await;
}

#[tokio::test]
async fn cut_stream_closes_after_n_tokens() {
    let mut p = provider("oa", Protocol::OpenAi);
    p.output = OutputLength::Dist(Dist::Fixed(30.0));
    p.faults = faults(|f| {
        f.cut_share = 1.0;
        f.cut_after_tokens = 5;
    });
    let mut b = provider("br", Protocol::Bedrock);
    b.output = OutputLength::Dist(Dist::Fixed(30.0));
    b.faults = p.faults.clone();
    let em = start(vec![p, b]).await;
    let resp = openai_post(&em, "oa", "/v1/chat/completions", stream_req()).await;
    assert_eq!(resp.status(), 200);
    let (body, failed) = read_all(resp).await;
    assert!(failed, "the body ends with an error");
    let text = String::from_utf8(body).unwrap();
    assert!(!text.contains("[DONE]"));
    let content: String = parse_sse(&text)
        .iter()
        .filter_map(|(_, d)| serde_json::from_str::<Value>(d).ok())
        .filter_map(|c| {
            c["choices"][0]["delta"]["content"]
                .as_str()
                .map(str::to_owned)
        })
        .collect();
    assert_eq!(count_tokens(&content), 5);
    // non-streaming requests are not cut
    let r = openai_post(&em, "oa", "/v1/chat/completions", chat("gpt-4o", "hi")).await;
    assert_eq!(r.status(), 200);
    let resp = bedrock_post(
        &em,
        "br",
        "amazon.nova-lite-v1:0",
        true,
        json!({"messages": [{"role": "user", "content": [{"text": "x"}]}]}),
    )
    .await;
    let (_, failed) = read_all(resp).await;
    assert!(failed);
    assert_eq!(em.hits("oa").unwrap().faults.cut, 1);
    em.shutdown().await;
}

/// Text of the OpenAI / Gemini / Anthropic SSE deltas in `events`.
fn sse_text(events: &[(Option<String>, String)]) -> String {
    events
        .iter()
        .filter_map(|(_, d)| serde_json::from_str::<Value>(d).ok())
        .filter_map(|c| {
            c["choices"][0]["delta"]["content"]
                .as_str()
                .or_else(|| c["delta"]["text"].as_str())
                .or_else(|| c["candidates"][0]["content"]["parts"][0]["text"].as_str())
                .map(str::to_owned)
        })
        .collect()
}

#[tokio::test]
async fn stream_error_sends_the_protocols_own_error_event_then_ends_cleanly() {
    let err = faults(|f| {
        f.stream_error_share = 1.0;
        f.stream_error_after_tokens = 5;
    });
    let mut ps = Vec::new();
    for (name, proto) in [
        ("oa", Protocol::OpenAi),
        ("an", Protocol::Anthropic),
        ("br", Protocol::Bedrock),
        ("gm", Protocol::Gemini),
    ] {
        let mut p = provider(name, proto);
        p.output = OutputLength::Dist(Dist::Fixed(30.0));
        p.faults = err.clone();
        ps.push(p);
    }
    let em = start(ps).await;

    // OpenAI: five tokens, then one `data: {"error":...}` event and no [DONE]
    let resp = openai_post(&em, "oa", "/v1/chat/completions", stream_req()).await;
    assert_eq!(resp.status(), 200);
    let (body, failed) = read_all(resp).await;
    assert!(!failed, "the body ends cleanly");
    let text = String::from_utf8(body).unwrap();
    assert!(!text.contains("[DONE]"), "{text}");
    let events = parse_sse(&text);
    assert_eq!(count_tokens(&sse_text(&events)), 5);
    let (name, last) = events.last().unwrap();
    assert!(name.is_none());
    let last: Value = serde_json::from_str(last).unwrap();
    assert_eq!(last["error"]["type"], "server_error", "{last}");
    assert!(last["error"]["message"].as_str().unwrap().len() > 10);
    assert!(last.get("choices").is_none());
    // non-streaming requests are untouched
    let r = openai_post(&em, "oa", "/v1/chat/completions", chat("gpt-4o", "hi")).await;
    assert_eq!(r.status(), 200);

    // Anthropic: `event: error` with overloaded_error, no message_stop
    let resp = anthropic_post(&em, "an", json!({"model": "claude-haiku-4-5", "max_tokens": 100, "stream": true, "messages": [{"role": "user", "content": "x"}]})).await;
    assert_eq!(resp.status(), 200);
    let (body, failed) = read_all(resp).await;
    assert!(!failed);
    let events = parse_sse(std::str::from_utf8(&body).unwrap());
    assert_eq!(count_tokens(&sse_text(&events)), 5);
    let (name, data) = events.last().unwrap();
    assert_eq!(name.as_deref(), Some("error"));
    let data: Value = serde_json::from_str(data).unwrap();
    assert_eq!(
        data,
        json!({"type": "error", "error": {"type": "overloaded_error", "message": "Overloaded"}})
    );
    assert!(!events
        .iter()
        .any(|(n, _)| n.as_deref() == Some("message_stop")));

    // Bedrock: an `exception` frame named modelStreamErrorException
    let resp = bedrock_post(
        &em,
        "br",
        "amazon.nova-lite-v1:0",
        true,
        json!({"messages": [{"role": "user", "content": [{"text": "x"}]}]}),
    )
    .await;
    assert_eq!(resp.status(), 200);
    let (body, failed) = read_all(resp).await;
    assert!(!failed);
    let frames = decode_frames(&body);
    let deltas: String = frames
        .iter()
        .filter_map(|(_, _, p)| p["delta"]["text"].as_str())
        .collect();
    assert_eq!(count_tokens(&deltas), 5);
    let (kind, name, payload) = frames.last().unwrap();
    assert_eq!(kind, "exception");
    assert_eq!(name, "modelStreamErrorException");
    assert!(payload["message"].is_string());
    assert!(!frames.iter().any(|(_, n, _)| n == "messageStop"));

    // Gemini SSE: a chunk holding `{"error":{"code":503,"status":"UNAVAILABLE"}}`
    let resp = gemini_post(
        &em,
        "gm",
        "gemini-2.0-flash",
        "streamGenerateContent?alt=sse",
        json!({"contents": [{"role": "user", "parts": [{"text": "x"}]}]}),
    )
    .await;
    assert_eq!(resp.status(), 200);
    let (body, failed) = read_all(resp).await;
    assert!(!failed);
    let events = parse_sse(std::str::from_utf8(&body).unwrap());
    assert_eq!(count_tokens(&sse_text(&events)), 5);
    let last: Value = serde_json::from_str(&events.last().unwrap().1).unwrap();
    assert_eq!(last["error"]["code"], 503);
    assert_eq!(last["error"]["status"], "UNAVAILABLE");
    assert!(events[..events.len() - 1]
        .iter()
        .all(|(_, d)| !d.contains("finishReason")));
    // the JSON-array form closes the array after the error element
    let resp = gemini_post(
        &em,
        "gm",
        "gemini-2.0-flash",
        "streamGenerateContent",
        json!({"contents": [{"role": "user", "parts": [{"text": "x"}]}]}),
    )
    .await;
    let (body, failed) = read_all(resp).await;
    assert!(!failed);
    let array: Vec<Value> = serde_json::from_slice(&body).unwrap();
    assert_eq!(array.len(), 6);
    assert_eq!(array[5]["error"]["status"], "UNAVAILABLE");

    for (name, route) in [
        ("oa", "chat.completions"),
        ("an", "messages"),
        ("br", "converse_stream"),
        ("gm", "streamGenerateContent"),
    ] {
        let hits = em.hits(name).unwrap();
        let streams = if name == "gm" { 2 } else { 1 };
        assert_eq!(hits.faults.stream_error, streams, "{name}: {hits:?}");
        assert_eq!(hits.faults.cut, 0, "{name}");
        assert!(hits.count(route, "200") >= streams, "{name}: {hits:?}");
    }
    em.shutdown().await;
}

#[tokio::test]
async fn stream_error_kinds_name_each_protocols_error() {
    let cases = [
        (
            StreamErrorKind::ServerError,
            (
                "server_error",
                "api_error",
                "internalServerException",
                "INTERNAL",
            ),
        ),
        (
            StreamErrorKind::Overloaded,
            (
                "server_is_overloaded",
                "overloaded_error",
                "serviceUnavailableException",
                "UNAVAILABLE",
            ),
        ),
        (
            StreamErrorKind::RateLimited,
            (
                "rate_limit_exceeded",
                "rate_limit_error",
                "throttlingException",
                "RESOURCE_EXHAUSTED",
            ),
        ),
    ];
    let ps = vec![
        provider("oa", Protocol::OpenAi),
        provider("an", Protocol::Anthropic),
        provider("br", Protocol::Bedrock),
        provider("gm", Protocol::Gemini),
    ];
    let em = start(ps).await;
    for (kind, (oa, an, br, gm)) in cases {
        // set through the admin API, as a test taking a cloud down mid-load would
        let body = json!({"stream_error_share": 1.0, "stream_error_after_tokens": 2, "stream_error_kind": kind});
        for name in ["oa", "an", "br", "gm"] {
            let r = client()
                .put(url(&em, name, "/_emulator/faults"))
                .json(&body)
                .send()
                .await
                .unwrap();
            assert_eq!(r.status(), 200);
            let now: Faults = r.json().await.unwrap();
            assert_eq!(now.stream_error_kind, Some(kind));
        }
        let (body, _) =
            read_all(openai_post(&em, "oa", "/v1/chat/completions", stream_req()).await).await;
        let text = String::from_utf8(body).unwrap();
        let last: Value = serde_json::from_str(&parse_sse(&text).last().unwrap().1).unwrap();
        let named = last["error"]["code"]
            .as_str()
            .or(last["error"]["type"].as_str());
        assert_eq!(named, Some(oa), "{last}");

        let (body, _) = read_all(anthropic_post(&em, "an", json!({"model": "claude-haiku-4-5", "max_tokens": 100, "stream": true, "messages": [{"role": "user", "content": "x"}]})).await).await;
        let events = parse_sse(std::str::from_utf8(&body).unwrap());
        let last: Value = serde_json::from_str(&events.last().unwrap().1).unwrap();
        assert_eq!(last["error"]["type"], an);

        let (body, _) = read_all(
            bedrock_post(
                &em,
                "br",
                "amazon.nova-lite-v1:0",
                true,
                json!({"messages": [{"role": "user", "content": [{"text": "x"}]}]}),
            )
            .await,
        )
        .await;
        let frames = decode_frames(&body);
        assert_eq!(frames.last().unwrap().1, br);

        let (body, _) = read_all(
            gemini_post(
                &em,
                "gm",
                "gemini-2.0-flash",
                "streamGenerateContent?alt=sse",
                json!({"contents": [{"role": "user", "parts": [{"text": "x"}]}]}),
            )
            .await,
        )
        .await;
        let events = parse_sse(std::str::from_utf8(&body).unwrap());
        let last: Value = serde_json::from_str(&events.last().unwrap().1).unwrap();
        assert_eq!(last["error"]["status"], gm);
    }
    // an unknown kind is refused with the accepted names
    let r = client()
        .put(url(&em, "oa", "/_emulator/faults"))
        .json(&json!({"stream_error_share": 1.0, "stream_error_kind": "meltdown"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    let e: Value = r.json().await.unwrap();
    let e = e["error"].as_str().unwrap();
    assert!(
        e.contains("stream_error_kind") && e.contains("rate_limited"),
        "{e}"
    );
    // the in-stream shares share one draw
    let r = client()
        .put(url(&em, "oa", "/_emulator/faults"))
        .json(&json!({"stream_error_share": 0.6, "cut_share": 0.6}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    assert_eq!(em.hits("an").unwrap().faults.stream_error, 3);
    em.shutdown().await;
}

#[tokio::test]
async fn stall_pauses_then_resumes_or_hangs() {
    let mut p = provider("oa", Protocol::OpenAi);
    p.output = OutputLength::Dist(Dist::Fixed(10.0));
    p.faults = faults(|f| {
        f.stall_share = 1.0;
        f.stall_after_tokens = 3;
        f.stall_ms = Some(300);
    });
    let em = start(vec![p]).await;
    let started = Instant::now();
    let resp = openai_post(&em, "oa", "/v1/chat/completions", stream_req()).await;
    let (body, failed) = read_all(resp).await;
    assert!(!failed);
    assert!(started.elapsed() >= Duration::from_millis(300));
    assert!(String::from_utf8(body).unwrap().contains("[DONE]"));
    assert_eq!(em.hits("oa").unwrap().faults.stall, 1);

    // forever: three tokens arrive, then nothing until the client gives up
    em.set_faults(
        "oa",
        faults(|f| {
            f.stall_share = 1.0;
            f.stall_after_tokens = 3;
            f.stall_ms = None;
        }),
    )
    .unwrap();
    let resp = openai_post(&em, "oa", "/v1/chat/completions", stream_req()).await;
    let mut stream = resp.bytes_stream();
    let mut text = String::new();
    loop {
        match tokio::time::timeout(Duration::from_millis(500), stream.next()).await {
            Ok(Some(chunk)) => text.push_str(std::str::from_utf8(&chunk.unwrap()).unwrap()),
            Ok(None) => panic!("stream ended; it should stall"),
            Err(_) => break,
        }
    }
    let content: String = parse_sse(&text)
        .iter()
        .filter_map(|(_, d)| serde_json::from_str::<Value>(d).ok())
        .filter_map(|c| {
            c["choices"][0]["delta"]["content"]
                .as_str()
                .map(str::to_owned)
        })
        .collect();
    assert_eq!(count_tokens(&content), 3);
    drop(stream);
    // shutdown ends the stalled stream instead of waiting on it
    em.shutdown().await;
}

#[tokio::test]
async fn slow_headers_delay_the_response() {
    let mut p = provider("gm", Protocol::Gemini);
    p.faults = faults(|f| {
        f.slow_headers_share = 1.0;
        f.slow_headers_ms = 250;
    });
    let em = start(vec![p]).await;
    let started = Instant::now();
    let r = gemini_post(
        &em,
        "gm",
        "gemini-2.0-flash",
        "streamGenerateContent?alt=sse",
        json!({"contents": [{"parts": [{"text": "x"}]}]}),
    )
    .await;
    assert!(started.elapsed() >= Duration::from_millis(250));
    assert_eq!(r.status(), 200);
    assert_eq!(em.hits("gm").unwrap().faults.slow_headers, 1);
    em.shutdown().await;
}

#[tokio::test]
async fn outage_window_then_recovery() {
    let mut p = provider("an", Protocol::Anthropic);
    p.faults = faults(|f| {
        f.outage = Some(Outage {
            start_s: 0.0,
            end_s: Some(1.0),
            mode: OutageMode::Error,
        });
    });
    let mut q = provider("oa", Protocol::OpenAi);
    q.faults = faults(|f| {
        f.outage = Some(Outage {
            start_s: 0.0,
            end_s: None,
            mode: OutageMode::Reset,
        });
    });
    let em = start(vec![p, q]).await;
    let req = json!({"model": "claude-haiku-4-5", "max_tokens": 5, "messages": [{"role": "user", "content": "x"}]});
    let r = anthropic_post(&em, "an", req.clone()).await;
    assert_eq!(r.status(), 529);
    let r = client()
        .post(url(&em, "oa", "/v1/chat/completions"))
        .bearer_auth("k")
        .json(&chat("gpt-4o", "hi"))
        .send()
        .await;
    assert!(r.is_err(), "outage in reset mode drops connections");
    tokio::time::sleep(Duration::from_millis(1050)).await;
    let r = anthropic_post(&em, "an", req).await;
    assert_eq!(r.status(), 200);
    let hits = em.hits("an").unwrap();
    assert_eq!(hits.faults.outage, 1);
    assert_eq!(hits.count("messages", "529"), 1);
    assert_eq!(hits.count("messages", "200"), 1);
    em.shutdown().await;
}

#[tokio::test]
async fn admin_api_takes_a_cloud_down_and_counts_hits() {
    let em = start(vec![provider("oa", Protocol::OpenAi)]).await;
    let admin = |path: &str| url(&em, "oa", &format!("/_emulator/{path}"));
    assert_eq!(
        openai_post(&em, "oa", "/v1/chat/completions", chat("gpt-4o", "hi"))
            .await
            .status(),
        200
    );

    let r = client()
        .put(admin("faults"))
        .json(&json!({"down": true}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let now: Faults = r.json().await.unwrap();
    assert!(now.down);
    assert_eq!(
        openai_post(&em, "oa", "/v1/chat/completions", chat("gpt-4o", "hi"))
            .await
            .status(),
        503
    );
    let got: Faults = client()
        .get(admin("faults"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(got.down);

    let r = client()
        .put(admin("faults"))
        .json(&json!({"rate_limit_share": 2.0, "bogus": 1}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    let e: Value = r.json().await.unwrap();
    assert!(e["error"].as_str().unwrap().contains("bogus"), "{e}");
    let r = client()
        .put(admin("faults"))
        .json(&json!({"rate_limit_share": 2.0}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);

    let r = client()
        .put(admin("faults"))
        .json(&json!({"rate_limit_share": 1.0, "retry_after_s": 3}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(
        openai_post(&em, "oa", "/v1/chat/completions", chat("gpt-4o", "hi"))
            .await
            .status(),
        429
    );
    assert_eq!(
        client()
            .get(url(&em, "oa", "/v1/models"))
            .bearer_auth("k")
            .send()
            .await
            .unwrap()
            .status(),
        429
    );

    let hits: HitCounts = client()
        .get(admin("hits"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(hits.count("chat.completions", "200"), 1);
    assert_eq!(hits.count("chat.completions", "503"), 1);
    assert_eq!(hits.count("chat.completions", "429"), 1);
    assert_eq!(hits.count("models.list", "429"), 1);
    assert_eq!(hits.total, 4);
    assert_eq!(hits.faults.outage, 1);

    let r = client().post(admin("reset")).send().await.unwrap();
    assert_eq!(r.status(), 200);
    let hits: HitCounts = client()
        .get(admin("hits"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(hits.total, 0);
    assert_eq!(em.faults("oa").unwrap(), Faults::default());
    assert_eq!(
        openai_post(&em, "oa", "/v1/chat/completions", chat("gpt-4o", "hi"))
            .await
            .status(),
        200
    );
    em.shutdown().await;
}

#[tokio::test]
async fn paced_streams_take_ttft_plus_tokens_over_rate() {
    let mut p = provider("oa", Protocol::OpenAi);
    p.ttft_ms = Dist::Fixed(200.0);
    p.tokens_per_s = 50.0;
    p.output = OutputLength::Dist(Dist::Fixed(11.0));
    let em = start(vec![p]).await;
    let started = Instant::now();
    let resp = openai_post(&em, "oa", "/v1/chat/completions", stream_req()).await;
    let mut stream = resp.bytes_stream();
    let mut first_token_at = None;
    let mut text = String::new();
    while let Some(chunk) = stream.next().await {
        text.push_str(std::str::from_utf8(&chunk.unwrap()).unwrap());
        if first_token_at.is_none()
            && text.contains("\"content\":\"")
            && !text.ends_with("\"content\":\"\"")
        {
            first_token_at = Some(started.elapsed());
        }
    }
    // 200 ms to the first token, then 10 more at 20 ms each
    assert!(first_token_at.unwrap() >= Duration::from_millis(200));
    assert!(started.elapsed() >= Duration::from_millis(400));
    em.shutdown().await;
}
