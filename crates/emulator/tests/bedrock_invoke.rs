//! Claude on Bedrock through InvokeModel and InvokeModelWithResponseStream: Bedrock's schema
//! check of the body, the Messages API's response inside Bedrock's envelope (token-count
//! headers; `chunk` events carrying base64 Messages events, the last with Bedrock's invocation
//! metrics), Bedrock's errors and exception frames.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "test code"
)]

mod common;

use base64::Engine;
use cloudfit_emulator::{Dist, OutputLength, Protocol, ProviderConfig, RunningEmulator};
use common::*;
use serde_json::{json, Value};

const CLAUDE: &str = "anthropic.claude-3-5-haiku-20241022-v1:0";
const NOVA: &str = "amazon.nova-lite-v1:0";
const OUTPUT: u64 = 12;

fn bedrock() -> ProviderConfig {
    let mut p = provider("br", Protocol::Bedrock);
    p.output = OutputLength::Dist(Dist::Fixed(OUTPUT as f64));
    p
}

async fn invoke(em: &RunningEmulator, model: &str, stream: bool, body: Value) -> reqwest::Response {
    let op = if stream {
        "invoke-with-response-stream"
    } else {
        "invoke"
    };
    client()
        .post(url(em, "br", &format!("/model/{model}/{op}")))
        .header("authorization", SIGV4)
        .header("x-amz-date", "20250101T000000Z")
        .json(&body)
        .send()
        .await
        .expect("request sent")
}

fn claude_body() -> Value {
    json!({"anthropic_version": "bedrock-2023-05-31", "max_tokens": 100,
           "messages": [{"role": "user", "content": "Which cloud fits?"}]})
}

/// The Messages events inside a response stream's `chunk` frames.
fn chunk_events(body: &[u8]) -> Vec<Value> {
    decode_frames(body)
        .into_iter()
        .map(|(kind, event, payload)| {
            assert_eq!(
                (kind.as_str(), event.as_str()),
                ("event", "chunk"),
                "{payload}"
            );
            let raw = base64::engine::general_purpose::STANDARD
                .decode(payload["bytes"].as_str().unwrap())
                .unwrap();
            serde_json::from_slice(&raw).unwrap()
        })
        .collect()
}

#[tokio::test]
async fn invoke_answers_claude_messages_in_bedrocks_envelope() {
    let em = start(vec![bedrock()]).await;
    let r = invoke(&em, CLAUDE, false, claude_body()).await;
    assert_eq!(r.status(), 200);
    let header = |name: &str| r.headers()[name].to_str().unwrap().to_owned();
    assert_eq!(
        header("x-amzn-bedrock-output-token-count"),
        OUTPUT.to_string()
    );
    let input: u64 = header("x-amzn-bedrock-input-token-count").parse().unwrap();
    assert!(header("x-amzn-bedrock-invocation-latency")
        .parse::<u64>()
        .is_ok());
    let m: Value = r.json().await.unwrap();
    assert_eq!(m["type"], "message");
    assert_eq!(m["role"], "assistant");
    assert_eq!(m["model"], "claude-3-5-haiku-20241022");
    assert!(m["id"].as_str().unwrap().starts_with("msg_bdrk_01"), "{m}");
    assert_eq!(m["stop_reason"], "end_turn");
    assert_eq!(m["usage"]["output_tokens"], OUTPUT);
    assert_eq!(m["usage"]["input_tokens"], input);
    let text = m["content"][0]["text"].as_str().unwrap().to_owned();

    // the same request streamed: the same text, event by event
    let r = invoke(&em, CLAUDE, true, claude_body()).await;
    assert_eq!(r.status(), 200);
    assert_eq!(
        r.headers()["content-type"],
        "application/vnd.amazon.eventstream"
    );
    let events = chunk_events(&r.bytes().await.unwrap());
    let kinds: Vec<&str> = events.iter().map(|e| e["type"].as_str().unwrap()).collect();
    assert_eq!(kinds.first(), Some(&"message_start"));
    assert_eq!(&kinds[kinds.len() - 2..], ["message_delta", "message_stop"]);
    assert!(!kinds.contains(&"ping"));
    let streamed: String = events
        .iter()
        .filter(|e| e["type"] == "content_block_delta")
        .map(|e| e["delta"]["text"].as_str().unwrap())
        .collect();
    assert_eq!(streamed, text);
    let metrics = &events.last().unwrap()["amazon-bedrock-invocationMetrics"];
    assert_eq!(metrics["inputTokenCount"], input);
    assert_eq!(metrics["outputTokenCount"], OUTPUT);
    assert!(metrics["invocationLatency"].is_u64() && metrics["firstByteLatency"].is_u64());
    let hits = em.hits("br").unwrap();
    assert_eq!(hits.count("invoke", "200"), 1);
    assert_eq!(hits.count("invoke_stream", "200"), 1);
    em.shutdown().await;
}

#[tokio::test]
async fn invoke_refuses_what_bedrock_and_the_messages_api_refuse() {
    let em = start(vec![bedrock()]).await;
    let refused = |r: reqwest::Response| async move {
        assert_eq!(r.status(), 400);
        assert!(r.headers()["x-amzn-errortype"]
            .to_str()
            .unwrap()
            .starts_with("ValidationException:"));
        let v: Value = r.json().await.unwrap();
        v["message"].as_str().unwrap().to_owned()
    };
    // Bedrock's schema: the version is required, the model and stream are not body keys
    let mut body = claude_body();
    body.as_object_mut().unwrap().remove("anthropic_version");
    body["model"] = json!(CLAUDE);
    assert_eq!(
        refused(invoke(&em, CLAUDE, false, body).await).await,
        "Malformed input request: #: required key [anthropic_version] not found#: extraneous key [model] is not permitted, please reformat your input and try again."
    );
    // then the Messages API's own validation, worded as it words it
    let mut body = claude_body();
    body["max_tokens"] = json!(0);
    assert_eq!(
        refused(invoke(&em, CLAUDE, true, body).await).await,
        "max_tokens: Input should be greater than or equal to 1"
    );
    // other vendors' native bodies are not emulated: said plainly
    let message = refused(invoke(&em, NOVA, false, claude_body()).await).await;
    assert!(message.contains("through Converse"), "{message}");
    let r = invoke(&em, "anthropic.claude-0", false, claude_body()).await;
    assert_eq!(r.status(), 400);
    let v: Value = r.json().await.unwrap();
    assert_eq!(v["message"], "The provided model identifier is invalid.");
    em.shutdown().await;
}

#[tokio::test]
async fn a_mid_stream_failure_ends_the_invoke_stream_with_an_exception_frame() {
    let mut p = bedrock();
    p.faults.stream_error_share = 1.0;
    p.faults.stream_error_after_tokens = 3;
    let em = start(vec![p]).await;
    let r = invoke(&em, CLAUDE, true, claude_body()).await;
    assert_eq!(r.status(), 200);
    let frames = decode_frames(&r.bytes().await.unwrap());
    let (kind, name, payload) = frames.last().unwrap();
    assert_eq!(kind, "exception");
    assert_eq!(name, "modelStreamErrorException");
    assert!(payload["message"].is_string());
    assert!(frames[..frames.len() - 1]
        .iter()
        .all(|(k, e, _)| k == "event" && e == "chunk"));
    em.shutdown().await;
}
