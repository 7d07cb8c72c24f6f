//! Gemini reads a request's protobuf field names in both forms the proto3 JSON mapping
//! accepts: lowerCamelCase and the original snake_case; the caller's own keys (schema property
//! names, function arguments) stay as written.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "test code"
)]

mod common;

use cloudfit_emulator::{count_tokens, Dist, OutputLength, Protocol};
use common::*;
use serde_json::{json, Value};

async fn generate(em: &cloudfit_emulator::RunningEmulator, model: &str, body: Value) -> Value {
    let resp = gemini_post(em, "gm", model, "generateContent", body).await;
    assert_eq!(resp.status(), 200);
    resp.json().await.unwrap()
}

#[tokio::test]
async fn snake_case_field_names_mean_what_their_camel_case_names_mean() {
    let mut p = provider("gm", Protocol::Gemini);
    p.output = OutputLength::Dist(Dist::Fixed(40.0));
    p.reasoning_tokens = 8;
    let em = start(vec![p]).await;
    let contents = json!([{"role": "user", "parts": [{"text": "Hello Gemini"}]}]);

    // output cap and system instruction
    let snake = generate(
        &em,
        "gemini-2.0-flash",
        json!({"contents": contents,
        "system_instruction": {"parts": [{"text": "Be brief."}]},
        "generation_config": {"max_output_tokens": 5, "temperature": 0.5}}),
    )
    .await;
    let camel = generate(
        &em,
        "gemini-2.0-flash",
        json!({"contents": contents,
        "systemInstruction": {"parts": [{"text": "Be brief."}]},
        "generationConfig": {"maxOutputTokens": 5, "temperature": 0.5}}),
    )
    .await;
    assert_eq!(snake["usageMetadata"]["candidatesTokenCount"], 5, "{snake}");
    assert_eq!(snake["candidates"][0]["finishReason"], "MAX_TOKENS");
    assert_eq!(snake["usageMetadata"]["promptTokenCount"], 2 + 3);
    assert_eq!(snake["candidates"], camel["candidates"]);
    assert_eq!(snake["usageMetadata"], camel["usageMetadata"]);

    // a bad value is still refused, named by its proto path
    let resp = gemini_post(
        &em,
        "gm",
        "gemini-2.0-flash",
        "generateContent",
        json!({"contents": contents, "generation_config": {"temperature": "hot"}}),
    )
    .await;
    assert_eq!(resp.status(), 400);

    // structured output: response_mime_type with response_json_schema (or response_schema)
    for (schema_key, schema) in [
        (
            "response_json_schema",
            json!({"type": "object", "properties": {"city_name": {"type": "string"}, "days": {"type": "integer"}}, "required": ["city_name", "days"]}),
        ),
        (
            "response_schema",
            json!({"type": "OBJECT", "properties": {"city_name": {"type": "STRING"}, "nested_list": {"type": "ARRAY", "items": {"type": "STRING"}, "min_items": 1}}, "required": ["city_name", "nested_list"], "property_ordering": ["city_name", "nested_list"]}),
        ),
    ] {
        let mut gen = json!({"response_mime_type": "application/json"});
        gen[schema_key] = schema;
        let v = generate(
            &em,
            "gemini-2.0-flash",
            json!({"contents": contents, "generation_config": gen}),
        )
        .await;
        let text = v["candidates"][0]["content"]["parts"][0]["text"]
            .as_str()
            .unwrap();
        let parsed: Value = serde_json::from_str(text).unwrap();
        assert!(parsed["city_name"].is_string(), "{schema_key}: {text}");
        if schema_key == "response_schema" {
            assert!(parsed["nested_list"][0].is_string(), "{text}");
        }
    }

    // tools and tool config: a forced call of the allowed function, its argument names kept
    let tools = json!([{"function_declarations": [
        {"name": "other", "parameters": {"type": "OBJECT", "properties": {"x": {"type": "STRING"}}}},
        {"name": "get_weather", "parameters": {"type": "OBJECT", "properties": {"city_name": {"type": "STRING"}}, "required": ["city_name"]}}]}]);
    let v = generate(&em, "gemini-2.0-flash", json!({"contents": contents, "tools": tools,
        "tool_config": {"function_calling_config": {"mode": "ANY", "allowed_function_names": ["get_weather"]}}})).await;
    let call = &v["candidates"][0]["content"]["parts"][0]["function_call"];
    assert!(call.is_null(), "answers use the JSON names: {v}");
    let call = &v["candidates"][0]["content"]["parts"][0]["functionCall"];
    assert_eq!(call["name"], "get_weather", "{v}");
    assert!(call["args"]["city_name"].is_string(), "{v}");
    // the declarations count as prompt, whichever spelling
    let camel = generate(&em, "gemini-2.0-flash", json!({"contents": contents,
        "tools": [{"functionDeclarations": tools[0]["function_declarations"]}],
        "toolConfig": {"functionCallingConfig": {"mode": "ANY", "allowedFunctionNames": ["get_weather"]}}})).await;
    assert_eq!(camel["usageMetadata"], v["usageMetadata"]);
    assert_eq!(camel["candidates"], v["candidates"]);

    // a function response's own data keeps its keys, inline data its snake spelling
    let turn = json!([
        {"role": "user", "parts": [{"text": "weather?"}, {"inline_data": {"mime_type": "image/png", "data": "iVBORw0KGgo="}}]},
        {"role": "model", "parts": [{"function_call": {"name": "get_weather", "args": {"city_name": "Paris"}}}]},
        {"role": "user", "parts": [{"function_response": {"name": "get_weather", "response": {"temp_c": 18}}}]}]);
    let v = generate(
        &em,
        "gemini-2.0-flash",
        json!({"contents": turn, "tools": tools}),
    )
    .await;
    // after the function's response, an answer rather than another call
    assert!(
        v["candidates"][0]["content"]["parts"][0]["text"].is_string(),
        "{v}"
    );

    // thinking: thinking_config's budget and include_thoughts
    let v = generate(&em, "gemini-2.5-flash", json!({"contents": contents,
        "generation_config": {"thinking_config": {"include_thoughts": true, "thinking_budget": 512}}})).await;
    let parts = v["candidates"][0]["content"]["parts"].as_array().unwrap();
    assert_eq!(parts[0]["thought"], true, "{v}");
    assert_eq!(count_tokens(parts[0]["text"].as_str().unwrap()), 8);
    let v = generate(
        &em,
        "gemini-2.5-flash",
        json!({"contents": contents,
        "generation_config": {"thinking_config": {"thinking_budget": 0}}}),
    )
    .await;
    assert!(
        v["usageMetadata"].get("thoughtsTokenCount").is_none(),
        "{v}"
    );

    // countTokens and embeddings read them too
    let resp = gemini_post(
        &em,
        "gm",
        "gemini-2.0-flash",
        "countTokens",
        json!({"contents": contents, "system_instruction": {"parts": [{"text": "Be brief."}]}}),
    )
    .await;
    let v: Value = resp.json().await.unwrap();
    assert_eq!(v["totalTokens"], 5);
    let resp = gemini_post(
        &em,
        "gm",
        "gemini-embedding-001",
        "embedContent",
        json!({"content": {"parts": [{"text": "hello"}]}, "output_dimensionality": 16}),
    )
    .await;
    let v: Value = resp.json().await.unwrap();
    assert_eq!(v["embedding"]["values"].as_array().unwrap().len(), 16);
    em.shutdown().await;
}
