//! Shared harness: start emulated providers on 127.0.0.1:0 and talk real HTTP to them.

#![allow(dead_code, reason = "each test binary uses part of the harness")]

use aws_smithy_eventstream::frame::read_message_from;
use cloudfit_emulator::{Emulator, EmulatorConfig, Protocol, ProviderConfig, RunningEmulator};
use futures::StreamExt;
use serde_json::Value;

pub fn provider(name: &str, protocol: Protocol) -> ProviderConfig {
    ProviderConfig::new(name, protocol)
}

pub async fn start(providers: Vec<ProviderConfig>) -> RunningEmulator {
    Emulator::start(EmulatorConfig { providers })
        .await
        .expect("emulator starts")
}

pub fn url(em: &RunningEmulator, name: &str, path: &str) -> String {
    format!(
        "http://{}{}",
        em.provider(name).expect("provider").addr,
        path
    )
}

pub fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .no_proxy()
        .build()
        .expect("client")
}

/// Split an SSE body into (event name, data) pairs.
pub fn parse_sse(body: &str) -> Vec<(Option<String>, String)> {
    let mut out = Vec::new();
    for block in body.replace("\r\n", "\n").split("\n\n") {
        let mut event = None;
        let mut data = String::new();
        for line in block.lines() {
            if let Some(e) = line.strip_prefix("event: ") {
                event = Some(e.to_owned());
            } else if let Some(d) = line.strip_prefix("data: ") {
                data.push_str(d);
            }
        }
        if !data.is_empty() {
            out.push((event, data));
        }
    }
    out
}

/// Read a body to the end, returning what arrived and whether it ended with an error.
pub async fn read_all(resp: reqwest::Response) -> (Vec<u8>, bool) {
    let mut stream = resp.bytes_stream();
    let mut body = Vec::new();
    while let Some(chunk) = stream.next().await {
        match chunk {
            Ok(b) => body.extend_from_slice(&b),
            Err(_) => return (body, true),
        }
    }
    (body, false)
}

/// POST JSON to an OpenAI-protocol provider.
pub async fn openai_post(
    em: &RunningEmulator,
    name: &str,
    path: &str,
    body: serde_json::Value,
) -> reqwest::Response {
    client()
        .post(url(em, name, path))
        .bearer_auth("sk-test")
        .json(&body)
        .send()
        .await
        .expect("request sent")
}

pub async fn anthropic_post(
    em: &RunningEmulator,
    name: &str,
    body: serde_json::Value,
) -> reqwest::Response {
    client()
        .post(url(em, name, "/v1/messages"))
        .header("x-api-key", "sk-ant-test")
        .header("anthropic-version", "2023-06-01")
        .json(&body)
        .send()
        .await
        .expect("request sent")
}

pub const SIGV4: &str = "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20250101/us-east-1/bedrock/aws4_request, SignedHeaders=host;x-amz-date, Signature=5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7";

pub async fn bedrock_post(
    em: &RunningEmulator,
    name: &str,
    model: &str,
    stream: bool,
    body: serde_json::Value,
) -> reqwest::Response {
    let op = if stream {
        "converse-stream"
    } else {
        "converse"
    };
    client()
        .post(url(em, name, &format!("/model/{model}/{op}")))
        .header("authorization", SIGV4)
        .header("x-amz-date", "20250101T000000Z")
        .json(&body)
        .send()
        .await
        .expect("request sent")
}

pub async fn gemini_post(
    em: &RunningEmulator,
    name: &str,
    model: &str,
    method: &str,
    body: serde_json::Value,
) -> reqwest::Response {
    let sep = if method.contains('?') { "&" } else { "?" };
    client()
        .post(url(
            em,
            name,
            &format!("/v1beta/models/{model}:{method}{sep}key=AIza-test"),
        ))
        .json(&body)
        .send()
        .await
        .expect("request sent")
}

/// `GET /_emulator/info` of one provider.
pub async fn info(em: &RunningEmulator, name: &str) -> Value {
    client()
        .get(url(em, name, "/_emulator/info"))
        .send()
        .await
        .expect("request sent")
        .json()
        .await
        .expect("info is JSON")
}

pub fn chat(model: &str, text: &str) -> serde_json::Value {
    serde_json::json!({"model": model, "messages": [{"role": "user", "content": text}]})
}

/// Split a Bedrock event-stream body into (`:message-type`, `:event-type` or, for exception
/// frames, `:exception-type`, JSON payload).
pub fn decode_frames(mut body: &[u8]) -> Vec<(String, String, Value)> {
    let mut out = Vec::new();
    while !body.is_empty() {
        let msg = read_message_from(&mut body).expect("valid event-stream frame");
        let header = |name: &str| {
            msg.headers()
                .iter()
                .find(|h| h.name().as_str() == name)
                .map(|h| h.value().as_string().unwrap().as_str().to_owned())
        };
        assert_eq!(header(":content-type").as_deref(), Some("application/json"));
        out.push((
            header(":message-type").unwrap(),
            header(":event-type")
                .or_else(|| header(":exception-type"))
                .unwrap(),
            serde_json::from_slice(msg.payload()).unwrap(),
        ));
    }
    out
}
