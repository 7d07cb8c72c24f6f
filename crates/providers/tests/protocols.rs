#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::print_stdout,
    clippy::print_stderr,
    reason = "test code"
)]
//! Golden fixtures per protocol (written after the providers' documented examples): parse →
//! internal → serialise round trips, stream decoders fed whole, byte by byte and in odd splits,
//! cut streams, error bodies, and the SigV4 test vector.

use std::time::{Duration, SystemTime};

use cloudfit_providers::protocol::{bedrock, openai};
use cloudfit_providers::{
    AwsCredentials, ChatResponse, ContentPart, Dialect, ErrorClass, FinishReason, ImageSource,
    Protocol, Role, Secret, StreamAccumulator, StreamContext, StreamEvent, ToolChoice, Usage,
};

fn fixture(path: &str) -> Vec<u8> {
    let full = format!("{}/tests/fixtures/{path}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read(&full).unwrap_or_else(|e| panic!("{full}: {e}"))
}

const OPENAI: Protocol = Protocol::OpenAi(Dialect::OpenAi);
const DEEPSEEK: Protocol = Protocol::OpenAi(Dialect::DeepSeek);

// ---- requests --------------------------------------------------------------------------------

/// wire → internal → wire → internal must be a fixed point.
fn request_round_trip(
    p: Protocol,
    path: &str,
    model: &str,
    stream: bool,
) -> cloudfit_providers::ChatRequest {
    let a = p
        .decode_request(&fixture(path), Some(model), stream)
        .unwrap();
    let wire = p.encode_request(&a).unwrap();
    let b = p.decode_request(&wire, Some(model), stream).unwrap();
    assert_eq!(a, b, "{path}: round trip changed the request");
    a
}

#[test]
fn openai_request_round_trips() {
    let r = request_round_trip(OPENAI, "openai/chat_request.json", "", true);
    assert_eq!(r.model, "gpt-4o-mini");
    assert_eq!(r.messages[0].role, Role::System);
    assert_eq!(
        r.messages[1].content[1],
        ContentPart::Image(ImageSource::Base64 {
            media_type: "image/png".into(),
            data: "iVBORw0KGgo=".into()
        })
    );
    assert_eq!(r.messages[2].tool_calls[0].arguments, "{\"city\":\"Lyon\"}");
    assert_eq!(r.messages[3].tool_call_id.as_deref(), Some("call_w1"));
    assert_eq!(r.max_tokens, Some(256));
    assert_eq!(r.stop, vec!["\n\n".to_owned()]);
    assert!(r.stream && r.include_usage);
    assert_eq!(r.tool_choice, Some(ToolChoice::Auto));
    assert_eq!(
        r.response_format,
        Some(cloudfit_providers::ResponseFormat::JsonObject)
    );
    assert_eq!(r.user.as_deref(), Some("user-4821"));
}

#[test]
fn anthropic_request_round_trips() {
    let r = request_round_trip(Protocol::Anthropic, "anthropic/request.json", "", true);
    assert_eq!(
        r.system_text().as_deref(),
        Some("You are a terse travel assistant.")
    );
    assert_eq!(r.messages.len(), 4);
    assert_eq!(r.messages[2].tool_calls[0].name, "get_weather");
    assert_eq!(r.messages[3].role, Role::Tool);
    assert_eq!(r.messages[3].joined_text(), "18 C, clear");
    assert_eq!(r.user.as_deref(), Some("user-4821"));
    assert_eq!(r.max_tokens, Some(1024));
}

#[test]
fn bedrock_request_round_trips() {
    let r = request_round_trip(
        Protocol::Bedrock,
        "bedrock/request.json",
        "anthropic.claude-3-5-haiku-20241022-v1:0",
        false,
    );
    assert_eq!(r.model, "anthropic.claude-3-5-haiku-20241022-v1:0");
    assert_eq!(r.max_tokens, Some(512));
    assert_eq!(r.top_p, Some(0.9));
    assert_eq!(r.messages[3].role, Role::Tool);
    assert_eq!(r.tools[0].parameters["required"][0], "city");
}

#[test]
fn gemini_request_round_trips() {
    let r = request_round_trip(
        Protocol::Gemini,
        "gemini/request.json",
        "gemini-2.5-flash",
        true,
    );
    assert_eq!(r.system_text().as_deref(), Some("Answer briefly."));
    assert_eq!(r.messages[2].tool_calls[0].id, "call_0");
    assert_eq!(r.messages[3].tool_call_id.as_deref(), Some("call_0"));
    assert_eq!(r.messages[3].joined_text(), "{\"temp_c\":18}");
    assert_eq!(r.max_tokens, Some(300));
    assert_eq!(
        r.response_format,
        Some(cloudfit_providers::ResponseFormat::JsonObject)
    );
}

#[test]
fn requests_translate_across_protocols() {
    // OpenAI in, each other protocol out and back: the conversation survives
    let src = OPENAI
        .decode_request(&fixture("openai/chat_request.json"), None, true)
        .unwrap();
    for p in [
        Protocol::Anthropic,
        Protocol::Bedrock,
        Protocol::Gemini,
        DEEPSEEK,
    ] {
        let wire = p.encode_request(&src).unwrap();
        let back = p.decode_request(&wire, Some(&src.model), true).unwrap();
        assert_eq!(back.system_text(), src.system_text(), "{}", p.name());
        let calls = |r: &cloudfit_providers::ChatRequest| -> Vec<(String, serde_json::Value)> {
            r.messages
                .iter()
                .flat_map(|m| &m.tool_calls)
                .map(|c| (c.name.clone(), serde_json::from_str(&c.arguments).unwrap()))
                .collect()
        };
        assert_eq!(calls(&back), calls(&src), "{}", p.name());
        let tool_result = back.messages.iter().find(|m| m.role == Role::Tool).unwrap();
        assert_eq!(
            serde_json::from_str::<serde_json::Value>(&tool_result.joined_text()).unwrap(),
            serde_json::json!({"temp_c": 18}),
            "{}",
            p.name()
        );
        assert_eq!(back.max_tokens, Some(256), "{}", p.name());
        assert_eq!(back.tools.len(), 1, "{}", p.name());
    }
    // and the other direction: Anthropic in, OpenAI out
    let src = Protocol::Anthropic
        .decode_request(&fixture("anthropic/request.json"), None, true)
        .unwrap();
    let wire: serde_json::Value =
        serde_json::from_slice(&OPENAI.encode_request(&src).unwrap()).unwrap();
    assert_eq!(wire["messages"][0]["role"], "system");
    assert_eq!(
        wire["messages"][2]["tool_calls"][0]["function"]["name"],
        "get_weather"
    );
    assert_eq!(wire["messages"][3]["role"], "tool");
    assert_eq!(wire["messages"][3]["tool_call_id"], "toolu_01A");
}

// ---- responses -------------------------------------------------------------------------------

fn response_round_trip(p: Protocol, path: &str) -> ChatResponse {
    let a = p.decode_response(&fixture(path)).unwrap();
    let wire = p.encode_response(&a).unwrap();
    let b = p.decode_response(&wire).unwrap();
    assert_eq!(a, b, "{path}: round trip changed the response");
    a
}

#[test]
fn openai_response_round_trips() {
    let r = response_round_trip(OPENAI, "openai/chat_response.json");
    assert_eq!(r.id, "chatcmpl-7Xq2B");
    assert_eq!(r.created, Some(1_735_689_600));
    let c = &r.choices[0];
    assert_eq!(c.finish_reason, Some(FinishReason::ToolCalls));
    assert_eq!(c.tool_calls[0].id, "call_a9");
    assert_eq!(
        r.usage,
        Usage {
            input_tokens: Some(82),
            output_tokens: Some(17),
            cached_input_tokens: Some(64),
            reasoning_tokens: Some(0),
            cache_write_input_tokens: None,
        }
    );
}

#[test]
fn deepseek_response_round_trips_with_its_cache_fields() {
    let r = response_round_trip(DEEPSEEK, "openai/deepseek_response.json");
    assert_eq!(
        r.choices[0].reasoning.as_deref(),
        Some("Compare the tenths: 1 < 9.")
    );
    assert_eq!(r.usage.input_tokens, Some(40));
    assert_eq!(r.usage.cached_input_tokens, Some(32));
    assert_eq!(r.usage.reasoning_tokens, Some(22));
    let wire: serde_json::Value =
        serde_json::from_slice(&DEEPSEEK.encode_response(&r).unwrap()).unwrap();
    assert_eq!(wire["usage"]["prompt_cache_hit_tokens"], 32);
    assert_eq!(wire["usage"]["prompt_cache_miss_tokens"], 8);
    assert_eq!(
        wire["choices"][0]["message"]["reasoning_content"],
        "Compare the tenths: 1 < 9."
    );
}

#[test]
fn anthropic_response_round_trips() {
    let r = response_round_trip(Protocol::Anthropic, "anthropic/response.json");
    let c = &r.choices[0];
    assert_eq!(c.text, "I'll look that up.");
    assert_eq!(
        c.reasoning.as_deref(),
        Some("The user wants the weather; call the tool.")
    );
    assert_eq!(c.finish_reason, Some(FinishReason::ToolCalls));
    assert_eq!(
        serde_json::from_str::<serde_json::Value>(&c.tool_calls[0].arguments).unwrap(),
        serde_json::json!({"city": "Lyon", "unit": "celsius"})
    );
    // input_tokens excludes cache reads on the wire; the internal count includes them
    assert_eq!(r.usage.input_tokens, Some(472 + 1830));
    assert_eq!(r.usage.cached_input_tokens, Some(1830));
    assert_eq!(r.usage.cache_write_input_tokens, Some(0));
    assert_eq!(r.usage.reasoning_tokens, None);
}

#[test]
fn bedrock_response_round_trips() {
    let r = response_round_trip(Protocol::Bedrock, "bedrock/response.json");
    assert_eq!(r.text(), "It is 18 °C and clear in Lyon.");
    assert_eq!(
        r.choices[0].reasoning.as_deref(),
        Some("The tool said 18 C.")
    );
    assert_eq!(r.choices[0].finish_reason, Some(FinishReason::Stop));
    assert_eq!(r.usage.input_tokens, Some(1125));
    assert_eq!(r.usage.cached_input_tokens, Some(1000));
    assert_eq!(r.usage.output_tokens, Some(60));
}

#[test]
fn gemini_response_round_trips() {
    let r = response_round_trip(Protocol::Gemini, "gemini/response.json");
    assert_eq!(r.id, "mNnBaOeqKfHU-8YP7cfh8Q0");
    assert_eq!(r.model, "gemini-2.5-flash");
    assert_eq!(
        r.choices[0].reasoning.as_deref(),
        Some("Weighing the tool output.")
    );
    assert_eq!(
        r.usage,
        Usage {
            input_tokens: Some(1210),
            output_tokens: Some(14 + 44),
            cached_input_tokens: Some(1024),
            reasoning_tokens: Some(44),
            cache_write_input_tokens: None,
        }
    );
}

#[test]
fn responses_translate_across_protocols() {
    let src = Protocol::Anthropic
        .decode_response(&fixture("anthropic/response.json"))
        .unwrap();
    for p in [OPENAI, DEEPSEEK, Protocol::Bedrock, Protocol::Gemini] {
        let back = p
            .decode_response(&p.encode_response(&src).unwrap())
            .unwrap();
        let (a, b) = (&src.choices[0], &back.choices[0]);
        assert_eq!(a.text, b.text, "{}", p.name());
        assert_eq!(a.reasoning, b.reasoning, "{}", p.name());
        assert_eq!(a.finish_reason, b.finish_reason, "{}", p.name());
        assert_eq!(a.tool_calls.len(), b.tool_calls.len(), "{}", p.name());
        assert_eq!(
            back.usage.input_tokens,
            src.usage.input_tokens,
            "{}",
            p.name()
        );
        assert_eq!(
            back.usage.cached_input_tokens,
            src.usage.cached_input_tokens,
            "{}",
            p.name()
        );
        assert_eq!(
            back.usage.output_tokens,
            src.usage.output_tokens,
            "{}",
            p.name()
        );
    }
}

// ---- streams ---------------------------------------------------------------------------------

fn decode_in_chunks(
    p: Protocol,
    bytes: &[u8],
    sizes: &[usize],
) -> Result<Vec<StreamEvent>, ErrorClass> {
    let mut d = p.stream_decoder();
    let mut out = Vec::new();
    let mut rest = bytes;
    let mut i = 0;
    while !rest.is_empty() {
        let n = sizes[i % sizes.len()].min(rest.len());
        let (head, tail) = rest.split_at(n);
        out.extend(d.feed(head).map_err(|e| e.class)?);
        rest = tail;
        i += 1;
    }
    out.extend(d.finish().map_err(|e| e.class)?);
    Ok(out)
}

/// Decodes whole, byte by byte, in odd splits and at every two-way split: all must agree.
fn check_stream(p: Protocol, bytes: &[u8]) -> Vec<StreamEvent> {
    let whole = decode_in_chunks(p, bytes, &[bytes.len().max(1)]).unwrap();
    assert_eq!(
        decode_in_chunks(p, bytes, &[1]).unwrap(),
        whole,
        "byte by byte"
    );
    for sizes in [&[2usize, 3][..], &[7], &[13, 1, 5], &[64, 3], &[1000]] {
        assert_eq!(
            decode_in_chunks(p, bytes, sizes).unwrap(),
            whole,
            "sizes {sizes:?}"
        );
    }
    for split in (0..bytes.len()).step_by(3) {
        assert_eq!(
            decode_in_chunks(p, bytes, &[split.max(1), bytes.len()]).unwrap(),
            whole,
            "split at {split}"
        );
    }
    assert_eq!(whole.last(), Some(&StreamEvent::Done));
    whole
}

fn accumulate(events: &[StreamEvent]) -> ChatResponse {
    let mut acc = StreamAccumulator::new();
    for e in events {
        acc.push(e);
    }
    assert!(acc.is_done());
    acc.finish()
}

/// Internal events → this protocol's server-side encoder → its client-side decoder: same
/// content, tool calls, finish reason and usage.
fn check_stream_re_encode(p: Protocol, events: &[StreamEvent]) {
    let mut enc = p.stream_encoder(StreamContext {
        id: "id-1".into(),
        model: "m".into(),
        created: 1,
        include_usage: true,
    });
    let bytes: Vec<u8> = events.iter().flat_map(|e| enc.encode(e)).collect();
    let again = check_stream(p, &bytes);
    let (a, b) = (accumulate(events), accumulate(&again));
    assert_eq!(normalised(&a), normalised(&b), "{}", p.name());
    assert_eq!(a.usage.input_tokens, b.usage.input_tokens, "{}", p.name());
    assert_eq!(a.usage.output_tokens, b.usage.output_tokens, "{}", p.name());
    assert_eq!(
        a.usage.cached_input_tokens,
        b.usage.cached_input_tokens,
        "{}",
        p.name()
    );
}

type NormalChoice = (
    String,
    Option<String>,
    Vec<(String, String, serde_json::Value)>,
    Option<FinishReason>,
);

/// Choices with tool arguments as JSON values (protocols that carry arguments as objects
/// re-serialise them without the original whitespace).
fn normalised(r: &ChatResponse) -> Vec<NormalChoice> {
    r.choices
        .iter()
        .map(|c| {
            let calls = c
                .tool_calls
                .iter()
                .map(|t| {
                    (
                        t.id.clone(),
                        t.name.clone(),
                        serde_json::from_str(&t.arguments).unwrap(),
                    )
                })
                .collect();
            (
                c.text.clone(),
                c.reasoning.clone(),
                calls,
                c.finish_reason.clone(),
            )
        })
        .collect()
}

fn check_cut(p: Protocol, bytes: &[u8], keep: usize) {
    let got = decode_in_chunks(p, &bytes[..keep], &[5]);
    assert_eq!(
        got,
        Err(ErrorClass::StreamCut),
        "{} cut at {keep}",
        p.name()
    );
}

#[test]
fn openai_stream_with_tool_calls_and_usage() {
    let bytes = fixture("openai/chat_stream.sse");
    let events = check_stream(OPENAI, &bytes);
    assert_eq!(
        events[0],
        StreamEvent::Start {
            id: Some("chatcmpl-s1".into()),
            model: Some("gpt-4o-mini".into())
        }
    );
    let r = accumulate(&events);
    assert_eq!(r.text(), "Let me check — ünïcode.");
    assert_eq!(r.choices[0].tool_calls[0].arguments, "{\"city\":\"Lyon\"}");
    assert_eq!(r.choices[0].finish_reason, Some(FinishReason::ToolCalls));
    assert_eq!(r.usage.input_tokens, Some(51));
    assert_eq!(r.usage.output_tokens, Some(19));
    check_stream_re_encode(OPENAI, &events);
    for p in [Protocol::Anthropic, Protocol::Bedrock, Protocol::Gemini] {
        check_stream_re_encode(p, &events);
    }
    check_cut(OPENAI, &bytes, bytes.len() - 16);
    check_cut(OPENAI, &bytes, 300);
}

#[test]
fn deepseek_stream_with_reasoning() {
    let bytes = fixture("openai/deepseek_stream.sse");
    let events = check_stream(DEEPSEEK, &bytes);
    let r = accumulate(&events);
    assert_eq!(
        r.choices[0].reasoning.as_deref(),
        Some("Small numbers first.")
    );
    assert_eq!(r.text(), "Two.");
    assert_eq!(r.usage.reasoning_tokens, Some(6));
    assert_eq!(r.usage.cached_input_tokens, Some(0));
    check_stream_re_encode(DEEPSEEK, &events);
    check_stream_re_encode(Protocol::Anthropic, &events);
}

#[test]
fn anthropic_stream_typed_events() {
    let bytes = fixture("anthropic/stream.sse");
    let events = check_stream(Protocol::Anthropic, &bytes);
    let r = accumulate(&events);
    assert_eq!(r.id, "msg_014p7gG3wDgGV9EUtLvnow3U");
    assert_eq!(r.choices[0].reasoning.as_deref(), Some("Need the tool."));
    assert_eq!(r.text(), "Okay, checking Lyon — ünïcode.");
    assert_eq!(
        r.choices[0].tool_calls[0].id,
        "toolu_01T1x1fJ34qAmk2tNTrN7Up6"
    );
    assert_eq!(r.choices[0].tool_calls[0].arguments, "{\"city\": \"Lyon\"}");
    assert_eq!(r.choices[0].finish_reason, Some(FinishReason::ToolCalls));
    // input from message_start (472 + 1200 cached), output from message_delta
    assert_eq!(r.usage.input_tokens, Some(1672));
    assert_eq!(r.usage.cached_input_tokens, Some(1200));
    assert_eq!(r.usage.output_tokens, Some(89));
    for p in [
        Protocol::Anthropic,
        OPENAI,
        Protocol::Bedrock,
        Protocol::Gemini,
    ] {
        check_stream_re_encode(p, &events);
    }
    check_cut(Protocol::Anthropic, &bytes, bytes.len() - 40);
}

#[test]
fn anthropic_stream_error_event_is_classified() {
    let text = "event: message_start\ndata: {\"type\":\"message_start\",\"message\":{\"id\":\"m\",\"model\":\"c\",\"usage\":{\"input_tokens\":3,\"output_tokens\":1}}}\n\nevent: error\ndata: {\"type\": \"error\", \"error\": {\"type\": \"overloaded_error\", \"message\": \"Overloaded\"}}\n\n";
    let got = decode_in_chunks(Protocol::Anthropic, text.as_bytes(), &[9]);
    assert_eq!(got, Err(ErrorClass::Overloaded));
}

fn bedrock_stream_bytes() -> Vec<u8> {
    let events: Vec<serde_json::Value> =
        serde_json::from_slice(&fixture("bedrock/stream_events.json")).unwrap();
    events
        .iter()
        .flat_map(|e| {
            bedrock::encode_frame(
                &[
                    (":event-type", e["event"].as_str().unwrap()),
                    (":content-type", "application/json"),
                    (":message-type", "event"),
                ],
                e["payload"].to_string().as_bytes(),
            )
        })
        .collect()
}

#[test]
fn bedrock_event_stream_frames() {
    let bytes = bedrock_stream_bytes();
    let events = check_stream(Protocol::Bedrock, &bytes);
    let r = accumulate(&events);
    assert_eq!(r.text(), "Checking Lyon — ünïcode.");
    assert_eq!(r.choices[0].reasoning.as_deref(), Some("Tool first."));
    assert_eq!(r.choices[0].tool_calls[0].id, "tooluse_Q1");
    assert_eq!(r.choices[0].tool_calls[0].arguments, "{\"city\":\"Lyon\"}");
    assert_eq!(r.choices[0].finish_reason, Some(FinishReason::ToolCalls));
    assert_eq!(r.usage.input_tokens, Some(540));
    assert_eq!(r.usage.cached_input_tokens, Some(500));
    assert_eq!(r.usage.output_tokens, Some(25));
    for p in [
        Protocol::Bedrock,
        OPENAI,
        Protocol::Anthropic,
        Protocol::Gemini,
    ] {
        check_stream_re_encode(p, &events);
    }
    // cut inside a frame, and cut between frames before messageStop
    check_cut(Protocol::Bedrock, &bytes, bytes.len() / 2 + 3);
    let frames_before_stop: usize = bedrock_stream_bytes().len() / 3;
    check_cut(Protocol::Bedrock, &bytes, frames_before_stop);
}

#[test]
fn bedrock_stream_exception_is_classified() {
    let mut bytes = bedrock::encode_frame(
        &[
            (":event-type", "messageStart"),
            (":content-type", "application/json"),
            (":message-type", "event"),
        ],
        br#"{"role":"assistant"}"#,
    );
    bytes.extend(bedrock::encode_frame(
        &[
            (":exception-type", "throttlingException"),
            (":content-type", "application/json"),
            (":message-type", "exception"),
        ],
        br#"{"message":"Too many tokens, please wait before trying again."}"#,
    ));
    let got = decode_in_chunks(Protocol::Bedrock, &bytes, &[4]);
    assert_eq!(got, Err(ErrorClass::RateLimited { retry_after: None }));
    // the server-side encoder writes the same shape
    let mut enc = Protocol::Bedrock.stream_encoder(StreamContext::default());
    let mut bytes = enc.encode(&StreamEvent::Start {
        id: None,
        model: None,
    });
    bytes.extend(enc.encode_error(&ErrorClass::Overloaded, "busy"));
    assert_eq!(
        decode_in_chunks(Protocol::Bedrock, &bytes, &[3]),
        Err(ErrorClass::Overloaded)
    );
}

#[test]
fn bedrock_corrupt_frame_is_invalid_response() {
    let mut bytes = bedrock_stream_bytes();
    bytes[20] ^= 0xFF; // inside the first frame: its CRC no longer matches
    assert_eq!(
        decode_in_chunks(Protocol::Bedrock, &bytes, &[50]),
        Err(ErrorClass::InvalidResponse)
    );
}

#[test]
fn gemini_sse_stream_with_thoughts_and_function_call() {
    let bytes = fixture("gemini/stream.sse");
    let events = check_stream(Protocol::Gemini, &bytes);
    let r = accumulate(&events);
    assert_eq!(r.id, "r-1");
    assert_eq!(
        r.choices[0].reasoning.as_deref(),
        Some("Thinking about Lyon.")
    );
    assert_eq!(r.text(), "Lyon is 18 °C — ünïcode.");
    assert_eq!(r.choices[0].tool_calls[0].name, "get_weather");
    assert_eq!(r.choices[0].finish_reason, Some(FinishReason::ToolCalls));
    assert_eq!(r.usage.input_tokens, Some(9));
    assert_eq!(r.usage.output_tokens, Some(32));
    assert_eq!(r.usage.reasoning_tokens, Some(20));
    for p in [
        Protocol::Gemini,
        OPENAI,
        Protocol::Anthropic,
        Protocol::Bedrock,
    ] {
        check_stream_re_encode(p, &events);
    }
    // no finishReason yet → cut
    let last_event = bytes.windows(6).rposition(|w| w == b"data: ").unwrap();
    check_cut(Protocol::Gemini, &bytes, last_event);
    check_cut(Protocol::Gemini, &bytes, bytes.len() - 10);
}

// ---- errors, embeddings, models --------------------------------------------------------------

#[test]
fn error_fixtures_classify() {
    let mut h = http::HeaderMap::new();
    h.insert("retry-after", http::HeaderValue::from_static("3"));
    let e = OPENAI.classify_error(429, &h, &fixture("openai/error_rate_limit.json"));
    assert_eq!(
        e.class,
        ErrorClass::RateLimited {
            retry_after: Some(Duration::from_secs(3))
        }
    );
    assert!(e.is_retryable() && e.should_fail_over());

    let e = Protocol::Anthropic.classify_error(
        529,
        &http::HeaderMap::new(),
        &fixture("anthropic/error_overloaded.json"),
    );
    assert_eq!(e.class, ErrorClass::Overloaded);
    assert_eq!(e.provider_code.as_deref(), Some("overloaded_error"));

    let e = Protocol::Gemini.classify_error(
        429,
        &http::HeaderMap::new(),
        &fixture("gemini/error_exhausted.json"),
    );
    assert_eq!(
        e.class,
        ErrorClass::RateLimited {
            retry_after: Some(Duration::from_secs(28))
        }
    );

    let e = Protocol::Bedrock.classify_error(
        400,
        &http::HeaderMap::new(),
        br#"{"message":"The model returned the following errors: prompt is too long"}"#,
    );
    assert_eq!(e.class, ErrorClass::ContextTooLong);
    assert!(!e.should_fail_over());
}

#[test]
fn server_error_bodies_classify_back_to_their_class() {
    let classes = [
        ErrorClass::RateLimited {
            retry_after: Some(Duration::from_secs(2)),
        },
        ErrorClass::Overloaded,
        ErrorClass::BadRequest,
        ErrorClass::ContextTooLong,
        ErrorClass::Auth,
        ErrorClass::NotFound,
        ErrorClass::ServerError,
        ErrorClass::Timeout,
    ];
    for p in [
        OPENAI,
        Protocol::Anthropic,
        Protocol::Bedrock,
        Protocol::Gemini,
    ] {
        for class in &classes {
            let message = if *class == ErrorClass::ContextTooLong {
                "prompt is too long: 210000 tokens > 200000 maximum"
            } else {
                "something went wrong"
            };
            let resp = p.encode_error(class, message);
            let mut headers = http::HeaderMap::new();
            for (k, v) in &resp.headers {
                headers.insert(
                    http::HeaderName::from_bytes(k.as_bytes()).unwrap(),
                    http::HeaderValue::from_str(v).unwrap(),
                );
            }
            let back = p.classify_error(resp.status, &headers, &resp.body);
            assert_eq!(&back.class, class, "{} {class:?}", p.name());
        }
    }
}

#[test]
fn embeddings_and_model_lists_decode() {
    let e = OPENAI
        .decode_embedding_response(&fixture("openai/embeddings_response.json"), "x")
        .unwrap();
    assert_eq!(e.embeddings.len(), 2);
    assert_eq!(e.embeddings[1], vec![0.25, -0.5, 0.125]); // sorted by index
    assert_eq!(e.usage.input_tokens, Some(9));
    assert_eq!(e.usage.output_tokens, None);

    let m = OPENAI
        .decode_models(&fixture("openai/models.json"))
        .unwrap();
    assert_eq!(m[1].id, "text-embedding-3-small");
    let m = Protocol::Anthropic
        .decode_models(&fixture("anthropic/models.json"))
        .unwrap();
    assert_eq!(m[0].created, Some(1_759_104_000));
    let back = openai::encode_models(&m).unwrap();
    assert_eq!(OPENAI.decode_models(&back).unwrap(), m);
}

// ---- SigV4 -----------------------------------------------------------------------------------

/// AWS SigV4 test suite, case `get-vanilla`: `GET /` to `example.amazonaws.com`, region
/// us-east-1, service `service`, 2015-08-30T12:36:00Z, the suite's example credentials.
#[test]
fn sigv4_matches_the_get_vanilla_test_vector() {
    let creds = AwsCredentials {
        access_key_id: "AKIDEXAMPLE".into(),
        secret_access_key: Secret::new("wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"),
        session_token: None,
    };
    let time = SystemTime::UNIX_EPOCH + Duration::from_secs(1_440_938_160);
    let headers = bedrock::sign_request(
        &bedrock::SignableHttp {
            method: "GET",
            url: "https://example.amazonaws.com/",
            headers: &[("host", "example.amazonaws.com")],
            body: b"",
        },
        &creds,
        "us-east-1",
        "service",
        time,
    )
    .unwrap();
    let get = |n: &str| {
        headers
            .iter()
            .find(|(k, _)| k == n)
            .map(|(_, v)| v.as_str())
    };
    assert_eq!(get("x-amz-date"), Some("20150830T123600Z"));
    assert_eq!(
        get("authorization"),
        Some(
            "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, \
             SignedHeaders=host;x-amz-date, \
             Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31"
        )
    );
}

#[test]
fn errors_inside_sse_streams_are_classified() {
    let openai = "data: {\"id\":\"c\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"m\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"a\"},\"finish_reason\":null}]}\n\ndata: {\"error\":{\"message\":\"engine overloaded\",\"type\":\"server_error\",\"code\":\"overloaded\"}}\n\n";
    assert_eq!(
        decode_in_chunks(OPENAI, openai.as_bytes(), &[11]),
        Err(ErrorClass::Overloaded)
    );
    let gemini = "data: {\"error\":{\"code\":503,\"message\":\"The model is overloaded.\",\"status\":\"UNAVAILABLE\"}}\n\n";
    assert_eq!(
        decode_in_chunks(Protocol::Gemini, gemini.as_bytes(), &[4]),
        Err(ErrorClass::Overloaded)
    );
    // and what the server-side encoders write mid-stream reads back the same
    for p in [OPENAI, Protocol::Anthropic, Protocol::Gemini] {
        let mut enc = p.stream_encoder(StreamContext::default());
        let mut bytes = enc.encode(&StreamEvent::Start {
            id: None,
            model: None,
        });
        bytes.extend(enc.encode(&StreamEvent::TextDelta("x".into())));
        bytes.extend(enc.encode_error(&ErrorClass::RateLimited { retry_after: None }, "slow down"));
        assert_eq!(
            decode_in_chunks(p, &bytes, &[6]),
            Err(ErrorClass::RateLimited { retry_after: None }),
            "{}",
            p.name()
        );
    }
}
