//! Requests the real clouds refuse with 400 are refused here too, before anything is generated,
//! with each protocol's error shape, type/code and parameter name.

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

/// A provider whose every planned response is held back by the slow-headers fault, so
/// `faults.slow_headers` counts the requests that got as far as planning.
fn watched(name: &str, protocol: Protocol) -> cloudfit_emulator::ProviderConfig {
    let mut p = provider(name, protocol);
    p.faults.slow_headers_share = 1.0;
    p.faults.slow_headers_ms = 1;
    p
}

/// A valid chat request with `extra` merged over it.
fn with(base: Value, extra: Value) -> Value {
    let mut body = base;
    for (k, v) in extra.as_object().unwrap() {
        body[k] = v.clone();
    }
    body
}

/// (extra fields, param, code, message) for OpenAI Chat Completions.
fn openai_cases() -> Vec<(Value, &'static str, &'static str, &'static str)> {
    vec![
        (json!({"max_tokens": -1}), "max_tokens", "integer_below_min_value",
            "Invalid 'max_tokens': integer below minimum value. Expected a value >= 1, but got -1 instead."),
        (json!({"max_tokens": 0}), "max_tokens", "integer_below_min_value",
            "Invalid 'max_tokens': integer below minimum value. Expected a value >= 1, but got 0 instead."),
        (json!({"max_tokens": "10"}), "max_tokens", "invalid_type",
            "Invalid type for 'max_tokens': expected an integer, but got a string instead."),
        (json!({"max_tokens": 1.5}), "max_tokens", "invalid_type",
            "Invalid type for 'max_tokens': expected an integer, but got a decimal number instead."),
        (json!({"max_completion_tokens": 0}), "max_completion_tokens", "integer_below_min_value",
            "Invalid 'max_completion_tokens': integer below minimum value. Expected a value >= 1, but got 0 instead."),
        (json!({"max_completion_tokens": "abc"}), "max_completion_tokens", "invalid_type",
            "Invalid type for 'max_completion_tokens': expected an integer, but got a string instead."),
        (json!({"temperature": "hot"}), "temperature", "invalid_type",
            "Invalid type for 'temperature': expected a decimal, but got a string instead."),
        (json!({"temperature": 3}), "temperature", "decimal_above_max_value",
            "Invalid 'temperature': decimal above maximum value. Expected a value <= 2, but got 3 instead."),
        (json!({"temperature": 2.1}), "temperature", "decimal_above_max_value",
            "Invalid 'temperature': decimal above maximum value. Expected a value <= 2, but got 2.1 instead."),
        (json!({"temperature": -2.5}), "temperature", "decimal_below_min_value",
            "Invalid 'temperature': decimal below minimum value. Expected a value >= 0, but got -2.5 instead."),
        (json!({"top_p": 1.5}), "top_p", "decimal_above_max_value",
            "Invalid 'top_p': decimal above maximum value. Expected a value <= 1, but got 1.5 instead."),
        (json!({"top_p": -0.1}), "top_p", "decimal_below_min_value",
            "Invalid 'top_p': decimal below minimum value. Expected a value >= 0, but got -0.1 instead."),
        (json!({"top_p": true}), "top_p", "invalid_type",
            "Invalid type for 'top_p': expected a decimal, but got a boolean instead."),
        (json!({"n": 0}), "n", "integer_below_min_value",
            "Invalid 'n': integer below minimum value. Expected a value >= 1, but got 0 instead."),
        (json!({"n": 129}), "n", "integer_above_max_value",
            "Invalid 'n': integer above maximum value. Expected a value <= 128, but got 129 instead."),
        (json!({"n": "2"}), "n", "invalid_type",
            "Invalid type for 'n': expected an integer, but got a string instead."),
        (json!({"presence_penalty": 2.5}), "presence_penalty", "decimal_above_max_value",
            "Invalid 'presence_penalty': decimal above maximum value. Expected a value <= 2, but got 2.5 instead."),
        (json!({"presence_penalty": -3}), "presence_penalty", "decimal_below_min_value",
            "Invalid 'presence_penalty': decimal below minimum value. Expected a value >= -2, but got -3 instead."),
        (json!({"frequency_penalty": -2.01}), "frequency_penalty", "decimal_below_min_value",
            "Invalid 'frequency_penalty': decimal below minimum value. Expected a value >= -2, but got -2.01 instead."),
        (json!({"frequency_penalty": [1]}), "frequency_penalty", "invalid_type",
            "Invalid type for 'frequency_penalty': expected a decimal, but got an array instead."),
        (json!({"stream": "yes"}), "stream", "invalid_type",
            "Invalid type for 'stream': expected a boolean, but got a string instead."),
        (json!({"stream": 1}), "stream", "invalid_type",
            "Invalid type for 'stream': expected a boolean, but got an integer instead."),
        (json!({"seed": 1.5}), "seed", "invalid_type",
            "Invalid type for 'seed': expected an integer, but got a decimal number instead."),
        (json!({"seed": {"a": 1}}), "seed", "invalid_type",
            "Invalid type for 'seed': expected an integer, but got an object instead."),
        (json!({"stop": ["a", "b", "c", "d", "e"]}), "stop", "array_above_max_length",
            "Invalid 'stop': array too long. Expected an array with maximum length 4, but got an array with length 5 instead."),
        (json!({"stop": 7}), "stop", "invalid_type",
            "Invalid type for 'stop': expected one of a string or array of strings, but got an integer instead."),
        (json!({"stop": ["a", 7]}), "stop[1]", "invalid_type",
            "Invalid type for 'stop[1]': expected a string, but got an integer instead."),
        (json!({"messages": "hi"}), "messages", "invalid_type",
            "Invalid type for 'messages': expected an array of objects, but got a string instead."),
        (json!({"messages": []}), "messages", "empty_array",
            "Invalid 'messages': empty array. Expected an array with minimum length 1, but got an empty array instead."),
        (json!({"messages": null}), "messages", "missing_required_parameter",
            "Missing required parameter: 'messages'."),
    ]
}

#[tokio::test]
async fn openai_refuses_out_of_range_and_wrong_typed_parameters() {
    let em = start(vec![watched("oa", Protocol::OpenAi)]).await;
    let cases = openai_cases();
    for (extra, param, code, message) in &cases {
        let body = with(chat("gpt-4o-mini", "hi"), extra.clone());
        let r = openai_post(&em, "oa", "/v1/chat/completions", body).await;
        assert_eq!(r.status(), 400, "{extra}");
        let e: Value = r.json().await.unwrap();
        assert_eq!(e["error"]["type"], "invalid_request_error", "{extra}");
        assert_eq!(e["error"]["param"], *param, "{extra}");
        assert_eq!(e["error"]["code"], *code, "{extra}");
        assert_eq!(e["error"]["message"], *message, "{extra}");
    }
    // nothing was generated for any of them
    let hits = em.hits("oa").unwrap();
    assert_eq!(hits.count("chat.completions", "400"), cases.len() as u64);
    assert_eq!(hits.count("chat.completions", "200"), 0);
    assert_eq!(hits.faults.slow_headers, 0);
    em.shutdown().await;
}

#[tokio::test]
async fn openai_accepts_the_bounds_nulls_and_both_stop_forms() {
    let em = start(vec![provider("oa", Protocol::OpenAi)]).await;
    for extra in [
        json!({"max_tokens": 1, "temperature": 0, "top_p": 1, "presence_penalty": -2, "frequency_penalty": 2}),
        json!({"max_completion_tokens": 5, "temperature": 2.0, "top_p": 0.0, "n": 1, "seed": -7, "stream": false}),
        json!({"max_tokens": null, "temperature": null, "top_p": null, "stop": null, "seed": null, "n": null}),
        json!({"stop": "END"}),
        json!({"stop": ["a", "b", "c", "d"]}),
    ] {
        let body = with(chat("gpt-4o-mini", "hi"), extra.clone());
        let r = openai_post(&em, "oa", "/v1/chat/completions", body).await;
        assert_eq!(r.status(), 200, "{extra}: {}", r.text().await.unwrap());
    }
    // the largest n is served, one choice each
    let r = openai_post(
        &em,
        "oa",
        "/v1/chat/completions",
        with(chat("gpt-4o-mini", "hi"), json!({"n": 128})),
    )
    .await;
    assert_eq!(r.status(), 200);
    let v: Value = r.json().await.unwrap();
    assert_eq!(v["choices"].as_array().unwrap().len(), 128);
    em.shutdown().await;
}

fn anthropic_body(extra: Value) -> Value {
    with(
        json!({"model": "claude-haiku-4-5", "max_tokens": 16, "messages": [{"role": "user", "content": "hi"}]}),
        extra,
    )
}

#[tokio::test]
async fn anthropic_refuses_out_of_range_and_wrong_typed_parameters() {
    let em = start(vec![watched("an", Protocol::Anthropic)]).await;
    let cases = [
        (
            json!({"max_tokens": -1}),
            "max_tokens: Input should be greater than or equal to 1",
        ),
        (
            json!({"max_tokens": 0}),
            "max_tokens: Input should be greater than or equal to 1",
        ),
        (
            json!({"max_tokens": "abc"}),
            "max_tokens: Input should be a valid integer",
        ),
        (
            json!({"max_tokens": 1.5}),
            "max_tokens: Input should be a valid integer",
        ),
        (
            json!({"max_tokens": null}),
            "max_tokens: Input should be a valid integer",
        ),
        (
            json!({"temperature": 1.5}),
            "temperature: Input should be less than or equal to 1",
        ),
        (
            json!({"temperature": -1}),
            "temperature: Input should be greater than or equal to 0",
        ),
        (
            json!({"temperature": "hot"}),
            "temperature: Input should be a valid number",
        ),
        (
            json!({"top_p": 2}),
            "top_p: Input should be less than or equal to 1",
        ),
        (
            json!({"top_p": -0.5}),
            "top_p: Input should be greater than or equal to 0",
        ),
        (
            json!({"top_k": -1}),
            "top_k: Input should be greater than or equal to 0",
        ),
        (
            json!({"top_k": 0.5}),
            "top_k: Input should be a valid integer",
        ),
        (
            json!({"stream": "true"}),
            "stream: Input should be a valid boolean",
        ),
        (
            json!({"stop_sequences": "END"}),
            "stop_sequences: Input should be a valid list",
        ),
        (
            json!({"stop_sequences": ["END", 3]}),
            "stop_sequences.1: Input should be a valid string",
        ),
    ];
    for (extra, message) in &cases {
        let r = anthropic_post(&em, "an", anthropic_body(extra.clone())).await;
        assert_eq!(r.status(), 400, "{extra}");
        assert!(r.headers().contains_key("request-id"), "{extra}");
        let e: Value = r.json().await.unwrap();
        assert_eq!(e["type"], "error", "{extra}");
        assert_eq!(e["error"]["type"], "invalid_request_error", "{extra}");
        assert_eq!(e["error"]["message"], *message, "{extra}");
        assert!(
            e["request_id"].as_str().unwrap().starts_with("req_"),
            "{extra}"
        );
    }
    // a missing max_tokens is a missing field, not a range error
    let mut body = anthropic_body(json!({}));
    body.as_object_mut().unwrap().remove("max_tokens");
    let e: Value = anthropic_post(&em, "an", body).await.json().await.unwrap();
    assert_eq!(e["error"]["message"], "max_tokens: Field required");
    let hits = em.hits("an").unwrap();
    assert_eq!(hits.count("messages", "400"), cases.len() as u64 + 1);
    assert_eq!(hits.faults.slow_headers, 0);
    em.shutdown().await;
}

#[tokio::test]
async fn anthropic_accepts_the_bounds() {
    let em = start(vec![provider("an", Protocol::Anthropic)]).await;
    for extra in [
        json!({"max_tokens": 1, "temperature": 0, "top_p": 1, "top_k": 0}),
        json!({"temperature": 1.0, "top_p": 0.0, "top_k": 40, "stream": false, "stop_sequences": ["END"]}),
        json!({"temperature": null, "top_p": null, "top_k": null, "stop_sequences": null}),
    ] {
        let r = anthropic_post(&em, "an", anthropic_body(extra.clone())).await;
        assert_eq!(r.status(), 200, "{extra}: {}", r.text().await.unwrap());
    }
    em.shutdown().await;
}

const BEDROCK_MODEL: &str = "anthropic.claude-3-5-haiku-20241022-v1:0";

fn bedrock_body(inference: Value) -> Value {
    json!({"messages": [{"role": "user", "content": [{"text": "hi"}]}], "inferenceConfig": inference})
}

#[tokio::test]
async fn bedrock_refuses_out_of_range_inference_config() {
    let em = start(vec![watched("br", Protocol::Bedrock)]).await;
    let cases = [
        (json!({"maxTokens": 0}), "1 validation error detected: Value '0' at 'inferenceConfig.maxTokens' failed to satisfy constraint: Member must have value greater than or equal to 1"),
        (json!({"maxTokens": -5}), "1 validation error detected: Value '-5' at 'inferenceConfig.maxTokens' failed to satisfy constraint: Member must have value greater than or equal to 1"),
        (json!({"temperature": 99}), "1 validation error detected: Value '99.0' at 'inferenceConfig.temperature' failed to satisfy constraint: Member must have value less than or equal to 1"),
        (json!({"temperature": -0.5}), "1 validation error detected: Value '-0.5' at 'inferenceConfig.temperature' failed to satisfy constraint: Member must have value greater than or equal to 0"),
        (json!({"topP": 1.5}), "1 validation error detected: Value '1.5' at 'inferenceConfig.topP' failed to satisfy constraint: Member must have value less than or equal to 1"),
        (json!({"maxTokens": 0, "temperature": 2, "topP": 0.5}), "2 validation errors detected: Value '0' at 'inferenceConfig.maxTokens' failed to satisfy constraint: Member must have value greater than or equal to 1; Value '2.0' at 'inferenceConfig.temperature' failed to satisfy constraint: Member must have value less than or equal to 1"),
        (json!({"temperature": "hot"}), "Malformed input request, please reformat your input and try again."),
        (json!({"maxTokens": 1.5}), "Malformed input request, please reformat your input and try again."),
        (json!({"maxTokens": 3_000_000_000u64}), "Malformed input request, please reformat your input and try again."),
        (json!([1]), "Malformed input request, please reformat your input and try again."),
    ];
    for stream in [false, true] {
        for (inference, message) in &cases {
            let r = bedrock_post(
                &em,
                "br",
                BEDROCK_MODEL,
                stream,
                bedrock_body(inference.clone()),
            )
            .await;
            assert_eq!(r.status(), 400, "{inference}");
            assert!(
                r.headers()["x-amzn-errortype"]
                    .to_str()
                    .unwrap()
                    .starts_with("ValidationException:"),
                "{inference}"
            );
            let e: Value = r.json().await.unwrap();
            assert_eq!(e, json!({"message": message}), "{inference}");
        }
    }
    let hits = em.hits("br").unwrap();
    assert_eq!(hits.count("converse", "400"), cases.len() as u64);
    assert_eq!(hits.count("converse_stream", "400"), cases.len() as u64);
    assert_eq!(hits.faults.slow_headers, 0);
    em.shutdown().await;
}

#[tokio::test]
async fn bedrock_accepts_the_bounds() {
    let em = start(vec![provider("br", Protocol::Bedrock)]).await;
    for inference in [
        json!({"maxTokens": 1, "temperature": 0, "topP": 1}),
        json!({"maxTokens": 8.0, "temperature": 1.0, "topP": 0.0}),
        json!({"maxTokens": null, "temperature": null}),
        json!({}),
    ] {
        let r = bedrock_post(
            &em,
            "br",
            BEDROCK_MODEL,
            false,
            bedrock_body(inference.clone()),
        )
        .await;
        assert_eq!(r.status(), 200, "{inference}: {}", r.text().await.unwrap());
    }
    em.shutdown().await;
}

fn gemini_body(generation: Value) -> Value {
    json!({"contents": [{"role": "user", "parts": [{"text": "hi"}]}], "generationConfig": generation})
}

#[tokio::test]
async fn gemini_refuses_out_of_range_and_unreadable_generation_config() {
    let em = start(vec![watched("gm", Protocol::Gemini)]).await;
    let cases = [
        (json!({"temperature": 3}), "Unable to submit request because it has a temperature value of 3 but the supported range is from 0 (inclusive) to 2.0001 (exclusive). Update the value and try again."),
        (json!({"temperature": -1.0}), "Unable to submit request because it has a temperature value of -1 but the supported range is from 0 (inclusive) to 2.0001 (exclusive). Update the value and try again."),
        (json!({"temperature": 2.5}), "Unable to submit request because it has a temperature value of 2.5 but the supported range is from 0 (inclusive) to 2.0001 (exclusive). Update the value and try again."),
        (json!({"topP": 1.5}), "Unable to submit request because it has a topP value of 1.5 but the supported range is from 0 (inclusive) to 1.0001 (exclusive). Update the value and try again."),
        (json!({"maxOutputTokens": 0}), "Unable to submit request because it has a maxOutputTokens value of 0 but the supported minimum is 1 (inclusive). Update the value and try again."),
        (json!({"maxOutputTokens": -3}), "Unable to submit request because it has a maxOutputTokens value of -3 but the supported minimum is 1 (inclusive). Update the value and try again."),
        (json!({"topK": -1}), "Unable to submit request because it has a topK value of -1 but the supported minimum is 0 (inclusive). Update the value and try again."),
        (json!({"candidateCount": 2}), "Multiple candidates is not enabled for models/gemini-2.0-flash"),
    ];
    for (generation, message) in &cases {
        let r = gemini_post(
            &em,
            "gm",
            "gemini-2.0-flash",
            "generateContent",
            gemini_body(generation.clone()),
        )
        .await;
        assert_eq!(r.status(), 400, "{generation}");
        let e: Value = r.json().await.unwrap();
        assert_eq!(
            e,
            json!({"error": {"code": 400, "message": message, "status": "INVALID_ARGUMENT"}}),
            "{generation}"
        );
    }
    // values protobuf JSON cannot read name the field and its type, with a field violation
    let unreadable = [
        (
            json!({"temperature": "hot"}),
            "generation_config.temperature",
            "Invalid value at 'generation_config.temperature' (TYPE_FLOAT), \"hot\"",
        ),
        (
            json!({"maxOutputTokens": 1.5}),
            "generation_config.max_output_tokens",
            "Invalid value at 'generation_config.max_output_tokens' (TYPE_INT32), 1.5",
        ),
        (
            json!({"maxOutputTokens": 3_000_000_000u64}),
            "generation_config.max_output_tokens",
            "Invalid value at 'generation_config.max_output_tokens' (TYPE_INT32), 3000000000",
        ),
        (
            json!({"topK": true}),
            "generation_config.top_k",
            "Invalid value at 'generation_config.top_k' (TYPE_INT32), true",
        ),
    ];
    for (generation, field, description) in &unreadable {
        let r = gemini_post(
            &em,
            "gm",
            "gemini-2.0-flash",
            "streamGenerateContent?alt=sse",
            gemini_body(generation.clone()),
        )
        .await;
        assert_eq!(r.status(), 400, "{generation}");
        let e: Value = r.json().await.unwrap();
        assert_eq!(e["error"]["status"], "INVALID_ARGUMENT");
        assert_eq!(
            e["error"]["message"],
            format!("Invalid JSON payload received. {description}")
        );
        assert_eq!(
            e["error"]["details"],
            json!([{"@type": "type.googleapis.com/google.rpc.BadRequest", "fieldViolations": [{"field": field, "description": description}]}]),
            "{generation}"
        );
    }
    let hits = em.hits("gm").unwrap();
    assert_eq!(hits.count("generateContent", "400"), cases.len() as u64);
    assert_eq!(
        hits.count("streamGenerateContent", "400"),
        unreadable.len() as u64
    );
    assert_eq!(hits.faults.slow_headers, 0);
    em.shutdown().await;
}

#[tokio::test]
async fn gemini_accepts_the_bounds_and_numbers_written_as_strings() {
    let em = start(vec![provider("gm", Protocol::Gemini)]).await;
    for generation in [
        json!({"maxOutputTokens": 1, "temperature": 0, "topP": 1, "topK": 0, "candidateCount": 1}),
        json!({"maxOutputTokens": 8.0, "temperature": 2.0, "topP": 0.0, "topK": 40}),
        // protobuf JSON reads numbers written as strings
        json!({"maxOutputTokens": "8", "temperature": "0.5"}),
        json!({"temperature": null, "candidateCount": null}),
    ] {
        let r = gemini_post(
            &em,
            "gm",
            "gemini-2.0-flash",
            "generateContent",
            gemini_body(generation.clone()),
        )
        .await;
        assert_eq!(r.status(), 200, "{generation}: {}", r.text().await.unwrap());
    }
    // and the limit written as a string is the one applied
    let r: Value = gemini_post(
        &em,
        "gm",
        "gemini-2.0-flash",
        "generateContent",
        gemini_body(json!({"maxOutputTokens": "3"})),
    )
    .await
    .json()
    .await
    .unwrap();
    assert_eq!(r["usageMetadata"]["candidatesTokenCount"], 3, "{r}");
    assert_eq!(r["candidates"][0]["finishReason"], "MAX_TOKENS", "{r}");
    em.shutdown().await;
}
