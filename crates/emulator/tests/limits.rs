//! Token limits: a prompt over the context window or an output cap over the model's largest is
//! refused with each cloud's own 400, a per-model override wins over the provider's value, and
//! a request that sets no cap gets no more output than the model allows.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "test code"
)]

mod common;

use std::collections::BTreeMap;

use cloudfit_emulator::{
    Dist, Limits, ModelLimits, OutputLength, Protocol, ProviderConfig, RunningEmulator,
};
use common::*;
use serde_json::{json, Value};

const WINDOW: u32 = 300;
const MAX_OUT: u32 = 50;
/// Model B's own largest output, over the provider-wide `MAX_OUT`.
const B_MAX_OUT: u32 = 200;
/// Output a request without a cap would get if nothing bounded it.
const FREE_OUTPUT: f64 = 250.0;

/// Two chat models per protocol: A under the provider-wide limits, B with its own output limit.
fn models(protocol: Protocol) -> (&'static str, &'static str) {
    match protocol {
        Protocol::OpenAi => ("gpt-4o-mini", "gpt-4o"),
        Protocol::Anthropic => ("claude-haiku-4-5", "claude-sonnet-4-6"),
        Protocol::Bedrock => (
            "anthropic.claude-3-5-haiku-20241022-v1:0",
            "amazon.nova-lite-v1:0",
        ),
        Protocol::Gemini => ("gemini-2.0-flash", "gemini-2.5-flash"),
    }
}

fn emulated(name: &str, protocol: Protocol, limited: bool) -> ProviderConfig {
    let mut p = provider(name, protocol);
    // counts stay whole: no cached share is split off the input
    p.prompt_cache.enabled = false;
    p.output = OutputLength::Dist(Dist::Fixed(FREE_OUTPUT));
    if limited {
        let (_, b) = models(protocol);
        p.limits = Limits {
            context_window: Some(WINDOW),
            max_output_tokens: Some(MAX_OUT),
            models: BTreeMap::from([(
                b.to_owned(),
                ModelLimits {
                    context_window: None,
                    max_output_tokens: Some(B_MAX_OUT),
                },
            )]),
        };
    }
    p
}

/// Send one non-streaming chat request; `max` is the protocol's output cap field.
async fn send(
    em: &RunningEmulator,
    name: &str,
    protocol: Protocol,
    model: &str,
    text: &str,
    max: Option<u32>,
) -> (u16, Value) {
    let r = match protocol {
        Protocol::OpenAi => {
            let mut body = chat(model, text);
            if let Some(m) = max {
                body["max_tokens"] = json!(m);
            }
            openai_post(em, name, "/v1/chat/completions", body).await
        }
        Protocol::Anthropic => {
            // max_tokens is required here
            let body = json!({"model": model, "max_tokens": max.unwrap_or(MAX_OUT), "messages": [{"role": "user", "content": text}]});
            anthropic_post(em, name, body).await
        }
        Protocol::Bedrock => {
            let mut body = json!({"messages": [{"role": "user", "content": [{"text": text}]}]});
            if let Some(m) = max {
                body["inferenceConfig"] = json!({"maxTokens": m});
            }
            bedrock_post(em, name, model, false, body).await
        }
        Protocol::Gemini => {
            let mut body = json!({"contents": [{"role": "user", "parts": [{"text": text}]}]});
            if let Some(m) = max {
                body["generationConfig"] = json!({"maxOutputTokens": m});
            }
            gemini_post(em, name, model, "generateContent", body).await
        }
    };
    let status = r.status().as_u16();
    (status, r.json().await.unwrap())
}

fn error_message(protocol: Protocol, body: &Value) -> String {
    let m = match protocol {
        Protocol::Bedrock => &body["message"],
        _ => &body["error"]["message"],
    };
    m.as_str()
        .unwrap_or_else(|| panic!("no message in {body}"))
        .to_owned()
}

fn input_tokens(protocol: Protocol, body: &Value) -> u32 {
    let n = match protocol {
        Protocol::OpenAi => &body["usage"]["prompt_tokens"],
        Protocol::Anthropic => &body["usage"]["input_tokens"],
        Protocol::Bedrock => &body["usage"]["inputTokens"],
        Protocol::Gemini => &body["usageMetadata"]["promptTokenCount"],
    };
    n.as_u64()
        .unwrap_or_else(|| panic!("no input count in {body}")) as u32
}

/// (output tokens, stop reason) of a success; Gemini's thoughts count as output, inside the cap.
fn output(protocol: Protocol, body: &Value) -> (u64, String) {
    if protocol == Protocol::Gemini {
        let u = &body["usageMetadata"];
        let thoughts = u["thoughtsTokenCount"].as_u64().unwrap_or(0);
        let candidates = u["candidatesTokenCount"].as_u64().unwrap();
        let reason = body["candidates"][0]["finishReason"].as_str().unwrap();
        return (candidates + thoughts, reason.to_owned());
    }
    let (n, reason) = match protocol {
        Protocol::OpenAi => (
            &body["usage"]["completion_tokens"],
            &body["choices"][0]["finish_reason"],
        ),
        Protocol::Anthropic => (&body["usage"]["output_tokens"], &body["stop_reason"]),
        Protocol::Bedrock => (&body["usage"]["outputTokens"], &body["stopReason"]),
        Protocol::Gemini => (
            &body["usageMetadata"]["candidatesTokenCount"],
            &body["candidates"][0]["finishReason"],
        ),
    };
    (n.as_u64().unwrap(), reason.as_str().unwrap().to_owned())
}

fn length_reason(protocol: Protocol) -> &'static str {
    match protocol {
        Protocol::OpenAi => "length",
        Protocol::Anthropic | Protocol::Bedrock => "max_tokens",
        Protocol::Gemini => "MAX_TOKENS",
    }
}

/// The over-cap message each cloud sends for `requested` against `limit`.
fn output_refusal(protocol: Protocol, model: &str, requested: u32, limit: u32) -> String {
    match protocol {
        Protocol::OpenAi => format!("max_tokens is too large: {requested}. This model supports at most {limit} completion tokens, whereas you provided {requested}."),
        Protocol::Anthropic => format!("max_tokens: {requested} > {limit}, which is the maximum allowed number of output tokens for {model}"),
        Protocol::Bedrock => format!("The maximum tokens you requested exceeds the model limit of {limit}. Try again with a maximum tokens value that is lower than {limit}."),
        Protocol::Gemini => format!("Unable to submit request because it has a maxOutputTokens value of {requested} but the supported range is from 1 (inclusive) to {} (exclusive). Update the value and try again.", limit + 1),
    }
}

/// The message for a prompt of `input` tokens alone over the window, with `max` asked for.
fn prompt_refusal(protocol: Protocol, input: u32, max: Option<u32>) -> String {
    match (protocol, max) {
        (Protocol::OpenAi, None) => format!("This model's maximum context length is {WINDOW} tokens. However, your messages resulted in {input} tokens. Please reduce the length of the messages."),
        (Protocol::OpenAi, Some(m)) => format!("This model's maximum context length is {WINDOW} tokens. However, you requested {} tokens ({input} in the messages, {m} in the completion). Please reduce the length of the messages or completion.", input + m),
        (Protocol::Anthropic, _) => format!("prompt is too long: {input} tokens > {WINDOW} maximum"),
        (Protocol::Bedrock, _) => "Input is too long for requested model.".to_owned(),
        (Protocol::Gemini, _) => format!("The input token count ({input}) exceeds the maximum number of tokens allowed ({WINDOW})."),
    }
}

fn words(n: usize) -> String {
    vec!["token"; n].join(" ")
}

#[tokio::test]
async fn limits_refuse_and_cap_as_each_cloud_does() {
    for protocol in Protocol::ALL {
        let em = start(vec![
            emulated("free", protocol, false),
            emulated("lim", protocol, true),
        ])
        .await;
        let (a, b) = models(protocol);
        let long = words(WINDOW as usize + 40);
        // a prompt that fits alone but not with B's largest output beside it
        let medium = words(WINDOW as usize / 2 + 20);
        let (status, free_long) = send(&em, "free", protocol, a, &long, Some(10)).await;
        assert_eq!(status, 200, "{protocol}: {free_long}");
        let long_in = input_tokens(protocol, &free_long);
        let (status, free_medium) = send(&em, "free", protocol, b, &medium, Some(10)).await;
        assert_eq!(status, 200, "{protocol}: {free_medium}");
        let medium_in = input_tokens(protocol, &free_medium);
        assert!(long_in > WINDOW, "{protocol}: {long_in}");
        assert!(
            medium_in <= WINDOW && medium_in + B_MAX_OUT > WINDOW,
            "{protocol}: {medium_in}"
        );

        // an output cap over model A's limit
        let (status, e) = send(&em, "lim", protocol, a, "hi", Some(MAX_OUT + 1)).await;
        assert_eq!(status, 400, "{protocol}: {e}");
        assert_eq!(
            error_message(protocol, &e),
            output_refusal(protocol, a, MAX_OUT + 1, MAX_OUT),
            "{protocol}"
        );
        // ... is within model B's own
        let (status, ok) = send(&em, "lim", protocol, b, "hi", Some(MAX_OUT + 1)).await;
        assert_eq!(status, 200, "{protocol}: {ok}");
        assert_eq!(
            output(protocol, &ok),
            (u64::from(MAX_OUT + 1), length_reason(protocol).to_owned())
        );
        let (status, e) = send(&em, "lim", protocol, b, "hi", Some(B_MAX_OUT + 1)).await;
        assert_eq!(status, 400, "{protocol}: {e}");
        assert_eq!(
            error_message(protocol, &e),
            output_refusal(protocol, b, B_MAX_OUT + 1, B_MAX_OUT)
        );

        // a prompt over the window
        let (status, e) = send(&em, "lim", protocol, a, &long, Some(10)).await;
        assert_eq!(status, 400, "{protocol}: {e}");
        assert_eq!(
            error_message(protocol, &e),
            prompt_refusal(protocol, long_in, Some(10)),
            "{protocol}"
        );
        if protocol != Protocol::Anthropic {
            let (status, e) = send(&em, "lim", protocol, a, &long, None).await;
            assert_eq!(status, 400, "{protocol}: {e}");
            assert_eq!(
                error_message(protocol, &e),
                prompt_refusal(protocol, long_in, None)
            );
        }

        // a prompt that fits, with an output cap that does not fit beside it
        let (status, body) = send(&em, "lim", protocol, b, &medium, Some(B_MAX_OUT)).await;
        if protocol.output_shares_context() {
            assert_eq!(status, 400, "{protocol}: {body}");
            let expected = match protocol {
                Protocol::OpenAi => prompt_refusal(protocol, medium_in, Some(B_MAX_OUT)),
                _ => format!("input length and `max_tokens` exceed context limit: {medium_in} + {B_MAX_OUT} > {WINDOW}, decrease input length or `max_tokens` and try again"),
            };
            assert_eq!(error_message(protocol, &body), expected);
        } else {
            // Gemini's window is on input alone; Bedrock's combined check is the model's own
            assert_eq!(status, 200, "{protocol}: {body}");
        }

        // no cap asked for: the model's limit, then what the prompt left of the window, bound it
        if protocol != Protocol::Anthropic {
            let (status, body) = send(&em, "lim", protocol, a, "hi", None).await;
            assert_eq!(status, 200, "{protocol}: {body}");
            assert_eq!(
                output(protocol, &body),
                (u64::from(MAX_OUT), length_reason(protocol).to_owned()),
                "{protocol}"
            );
            let (status, body) = send(&em, "lim", protocol, b, &medium, None).await;
            assert_eq!(status, 200, "{protocol}: {body}");
            let room = if protocol.output_shares_context() {
                WINDOW - medium_in
            } else {
                B_MAX_OUT
            };
            assert_eq!(
                output(protocol, &body),
                (u64::from(room), length_reason(protocol).to_owned()),
                "{protocol}"
            );
        }
        em.shutdown().await;
    }
}

#[tokio::test]
async fn openai_names_max_completion_tokens_and_info_shows_the_limits() {
    let em = start(vec![emulated("lim", Protocol::OpenAi, true)]).await;
    let mut body = chat("gpt-4o-mini", "hi");
    body["max_completion_tokens"] = json!(MAX_OUT + 5);
    let r = openai_post(&em, "lim", "/v1/chat/completions", body).await;
    assert_eq!(r.status(), 400);
    let e: Value = r.json().await.unwrap();
    assert_eq!(
        e["error"],
        json!({
            "message": format!("max_completion_tokens is too large: {}. This model supports at most {MAX_OUT} completion tokens, whereas you provided {}.", MAX_OUT + 5, MAX_OUT + 5),
            "type": "invalid_request_error",
            "param": "max_completion_tokens",
            "code": "invalid_value"
        })
    );
    let mut body = chat("gpt-4o-mini", &words(WINDOW as usize + 40));
    body["stream"] = json!(true);
    let r = openai_post(&em, "lim", "/v1/chat/completions", body).await;
    assert_eq!(r.status(), 400);
    let e: Value = r.json().await.unwrap();
    assert_eq!(e["error"]["code"], "context_length_exceeded");
    assert_eq!(e["error"]["param"], "messages");
    // the admin API shows the limits in force
    let info = info(&em, "lim").await;
    assert_eq!(
        info["limits"],
        json!({"context_window": WINDOW, "max_output_tokens": MAX_OUT,
               "models": {"gpt-4o": {"context_window": null, "max_output_tokens": B_MAX_OUT}}})
    );
    em.shutdown().await;
}
