#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::print_stdout,
    clippy::print_stderr,
    reason = "test code"
)]
//! Prompt-cache breakpoints and cache usage through every codec: Anthropic `cache_control` and
//! Bedrock `cachePoint` round trip exactly and translate into each other through
//! [`CacheHint`]s; the implicit-caching protocols ignore hints; usage with cache writes survives
//! internal → wire → internal, plain and streamed.

use cloudfit_providers::{
    CacheHint, CacheTtl, ChatRequest, ChatResponse, Choice, Dialect, FinishReason, Message,
    Protocol, Role, StreamAccumulator, StreamContext, StreamEvent, ToolDefinition, Usage,
};
use serde_json::{json, Value};

fn fixture(path: &str) -> Vec<u8> {
    let full = format!("{}/tests/fixtures/{path}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read(&full).unwrap_or_else(|e| panic!("{full}: {e}"))
}

fn to_value(bytes: &[u8]) -> Value {
    serde_json::from_slice(bytes).unwrap()
}

const OPENAI: Protocol = Protocol::OpenAi(Dialect::OpenAi);
const DEEPSEEK: Protocol = Protocol::OpenAi(Dialect::DeepSeek);
const MODEL: &str = "claude-sonnet-4-5";

const HOUR: Option<CacheHint> = Some(CacheHint {
    ttl: Some(CacheTtl::OneHour),
});
const DEFAULT: Option<CacheHint> = Some(CacheHint { ttl: None });

/// wire → internal → wire gives back the same JSON, markers included.
fn exact_round_trip(p: Protocol, path: &str) -> ChatRequest {
    let wire = fixture(path);
    let req = p.decode_request(&wire, Some(MODEL), false).unwrap();
    let again = p.encode_request(&req).unwrap();
    assert_eq!(to_value(&again), to_value(&wire), "{path}");
    assert_eq!(
        p.decode_request(&again, Some(MODEL), false).unwrap(),
        req,
        "{path}: internal → wire → internal"
    );
    req
}

/// Each message's role, hint and text, in order.
fn marks(req: &ChatRequest) -> Vec<(Role, Option<CacheHint>, String)> {
    req.messages
        .iter()
        .map(|m| (m.role, m.cache, m.joined_text()))
        .collect()
}

// ---- requests --------------------------------------------------------------------------------

#[test]
fn anthropic_cache_control_round_trips_exactly() {
    let req = exact_round_trip(Protocol::Anthropic, "anthropic/request_cache.json");
    assert_eq!(req.tools[0].cache, HOUR);
    assert_eq!(req.cache, None);
    let m = marks(&req);
    let roles_and_hints: Vec<_> = m.iter().map(|(r, h, _)| (*r, *h)).collect();
    assert_eq!(
        roles_and_hints,
        vec![
            (Role::System, None),
            (Role::System, HOUR),
            // the first user turn is split after its marked block
            (Role::User, DEFAULT),
            (Role::User, None),
            (Role::Assistant, None),
            (Role::Tool, DEFAULT),
        ]
    );
    assert!(m[2].2.starts_with("Appendix A"), "{m:?}");
    assert_eq!(m[3].2, "What notice must the tenant give?");
    assert!(req.system_text().unwrap().contains("\n\nLEASE. Clause 1"));
}

#[test]
fn bedrock_cache_points_round_trip_exactly() {
    let req = exact_round_trip(Protocol::Bedrock, "bedrock/request_cache.json");
    assert_eq!(req.tools[0].cache, HOUR);
    let m = marks(&req);
    let roles_and_hints: Vec<_> = m.iter().map(|(r, h, _)| (*r, *h)).collect();
    assert_eq!(
        roles_and_hints,
        vec![
            (Role::System, None),
            (Role::System, HOUR),
            (Role::User, DEFAULT),
            (Role::User, None),
            // the cache point after the toolUse block marks the whole assistant turn
            (Role::Assistant, DEFAULT),
            (Role::Tool, None),
        ]
    );
    assert_eq!(req.messages[4].tool_calls[0].id, "tooluse_N1");
}

/// A gateway taking one protocol in and speaking the other keeps every breakpoint at the same
/// block, and translating back gives the original body.
#[test]
fn cache_markers_translate_between_anthropic_and_bedrock() {
    let point = |ttl: Option<&str>| match ttl {
        Some(t) => json!({"cachePoint": {"type": "default", "ttl": t}}),
        None => json!({"cachePoint": {"type": "default"}}),
    };
    let anthropic_fixture = fixture("anthropic/request_cache.json");
    let req = Protocol::Anthropic
        .decode_request(&anthropic_fixture, None, false)
        .unwrap();
    let bedrock = to_value(&Protocol::Bedrock.encode_request(&req).unwrap());
    assert_eq!(bedrock["toolConfig"]["tools"][1], point(Some("1h")));
    assert_eq!(bedrock["system"].as_array().unwrap().len(), 3);
    assert_eq!(bedrock["system"][2], point(Some("1h")));
    assert_eq!(bedrock["messages"][0]["content"][1], point(None));
    assert_eq!(
        bedrock["messages"][1]["content"].as_array().unwrap().len(),
        2
    );
    assert_eq!(bedrock["messages"][2]["content"][1], point(None));
    let back = Protocol::Bedrock
        .decode_request(&serde_json::to_vec(&bedrock).unwrap(), Some(MODEL), false)
        .unwrap();
    assert_eq!(
        to_value(&Protocol::Anthropic.encode_request(&back).unwrap()),
        to_value(&anthropic_fixture)
    );

    let control = |ttl: Option<&str>| match ttl {
        Some(t) => json!({"type": "ephemeral", "ttl": t}),
        None => json!({"type": "ephemeral"}),
    };
    let bedrock_fixture = fixture("bedrock/request_cache.json");
    let req = Protocol::Bedrock
        .decode_request(&bedrock_fixture, Some(MODEL), false)
        .unwrap();
    let anthropic = to_value(&Protocol::Anthropic.encode_request(&req).unwrap());
    assert_eq!(anthropic["tools"][0]["cache_control"], control(Some("1h")));
    assert_eq!(anthropic["system"][0].get("cache_control"), None);
    assert_eq!(anthropic["system"][1]["cache_control"], control(Some("1h")));
    assert_eq!(
        anthropic["messages"][0]["content"][0]["cache_control"],
        control(None)
    );
    assert_eq!(
        anthropic["messages"][0]["content"][1].get("cache_control"),
        None
    );
    assert_eq!(anthropic["messages"][1]["content"][1]["type"], "tool_use");
    assert_eq!(
        anthropic["messages"][1]["content"][1]["cache_control"],
        control(None)
    );
    let back = Protocol::Anthropic
        .decode_request(&serde_json::to_vec(&anthropic).unwrap(), None, false)
        .unwrap();
    assert_eq!(
        to_value(&Protocol::Bedrock.encode_request(&back).unwrap()),
        to_value(&bedrock_fixture)
    );
}

fn conversation() -> ChatRequest {
    ChatRequest {
        messages: vec![
            Message::text(Role::System, "Be brief."),
            Message::text(Role::User, "Hi"),
        ],
        ..ChatRequest::user_text(MODEL, "")
    }
}

#[test]
fn request_hint_is_automatic_caching_or_a_final_cache_point() {
    let req = ChatRequest {
        cache: Some(CacheHint::with_ttl(CacheTtl::FiveMinutes)),
        ..conversation()
    };
    let a = to_value(&Protocol::Anthropic.encode_request(&req).unwrap());
    assert_eq!(
        a["cache_control"],
        json!({"type": "ephemeral", "ttl": "5m"})
    );
    // nothing else is marked, so the body keeps its plain form
    assert_eq!(a["system"], "Be brief.");
    assert_eq!(a["messages"][0]["content"], "Hi");
    let back = Protocol::Anthropic
        .decode_request(&serde_json::to_vec(&a).unwrap(), None, false)
        .unwrap();
    assert_eq!(back.cache, req.cache);

    let b = to_value(&Protocol::Bedrock.encode_request(&req).unwrap());
    assert_eq!(
        b["messages"][0]["content"],
        json!([{"text": "Hi"}, {"cachePoint": {"type": "default", "ttl": "5m"}}])
    );
    // a last message marked as well still ends in one cache point
    let mut both = req.clone();
    both.messages[1].cache = Some(CacheHint::new());
    let b = to_value(&Protocol::Bedrock.encode_request(&both).unwrap());
    assert_eq!(b["messages"][0]["content"].as_array().unwrap().len(), 2);
}

#[test]
fn hints_are_placed_on_the_block_they_follow() {
    let tool = ToolDefinition {
        name: "f".into(),
        parameters: json!({"type": "object"}),
        ..ToolDefinition::default()
    };
    // a turn that adds no block marks the block before it: here the end of the system prompt
    let req = ChatRequest {
        tools: vec![tool],
        messages: vec![
            Message::text(Role::System, "Be brief."),
            Message {
                content: Vec::new(),
                ..Message::text(Role::User, "")
            }
            .with_cache(CacheHint::new()),
            Message::text(Role::User, "Hi"),
        ],
        ..ChatRequest::user_text(MODEL, "")
    };
    let a = to_value(&Protocol::Anthropic.encode_request(&req).unwrap());
    assert_eq!(a["system"], "Be brief.");
    assert_eq!(a["messages"][0]["content"], "Hi");
    // the system prompt is a string and cannot carry it, so the tool before it does
    assert_eq!(a["tools"][0]["cache_control"], json!({"type": "ephemeral"}));

    // with nothing at all before it, there is nothing to cache
    let req = ChatRequest {
        messages: vec![
            Message {
                content: Vec::new(),
                ..Message::text(Role::User, "")
            }
            .with_cache(CacheHint::new()),
            Message::text(Role::User, "Hi"),
        ],
        ..ChatRequest::user_text(MODEL, "")
    };
    let a = Protocol::Anthropic.encode_request(&req).unwrap();
    assert!(!String::from_utf8(a).unwrap().contains("cache_control"));
}

#[test]
fn more_breakpoints_than_anthropic_allows_are_sent_for_the_provider_to_refuse() {
    let turns: Vec<Message> = (0..6)
        .map(|i| {
            let role = if i % 2 == 0 {
                Role::User
            } else {
                Role::Assistant
            };
            Message::text(role, format!("turn {i}")).with_cache(CacheHint::new())
        })
        .collect();
    let req = ChatRequest {
        messages: turns,
        cache: Some(CacheHint::new()),
        ..ChatRequest::user_text(MODEL, "")
    };
    let a = String::from_utf8(Protocol::Anthropic.encode_request(&req).unwrap()).unwrap();
    assert_eq!(a.matches("cache_control").count(), 7);
    let b = String::from_utf8(Protocol::Bedrock.encode_request(&req).unwrap()).unwrap();
    assert_eq!(b.matches("cachePoint").count(), 6);
}

#[test]
fn implicit_caching_protocols_ignore_hints() {
    let hinted = Protocol::Anthropic
        .decode_request(&fixture("anthropic/request_cache.json"), None, false)
        .unwrap();
    let mut plain = ChatRequest {
        cache: None,
        ..hinted.clone()
    };
    for t in &mut plain.tools {
        t.cache = None;
    }
    for m in &mut plain.messages {
        m.cache = None;
    }
    assert_ne!(hinted, plain);
    for p in [OPENAI, DEEPSEEK, Protocol::Gemini] {
        let wire = p.encode_request(&hinted).unwrap();
        assert_eq!(wire, p.encode_request(&plain).unwrap(), "{}", p.name());
        let back = p.decode_request(&wire, Some(MODEL), false).unwrap();
        assert!(
            back.messages.iter().all(|m| m.cache.is_none()),
            "{}",
            p.name()
        );
        assert!(back.tools.iter().all(|t| t.cache.is_none()), "{}", p.name());
    }
}

#[test]
fn unknown_cache_settings_are_refused_naming_the_field() {
    let refused = |p: Protocol, body: &str| {
        p.decode_request(body.as_bytes(), Some(MODEL), false)
            .unwrap_err()
            .to_string()
    };
    assert_eq!(
        refused(
            Protocol::Anthropic,
            r#"{"model":"c","max_tokens":5,"messages":[{"role":"user","content":"hi"}],
            "system":[{"type":"text","text":"s","cache_control":{"type":"ephemeral","ttl":"2h"}}]}"#
        ),
        "invalid anthropic cache_control: `2h` at system[0].cache_control.ttl, expected 5m or 1h"
    );
    assert_eq!(
        refused(
            Protocol::Anthropic,
            r#"{"model":"c","max_tokens":5,"messages":[{"role":"user","content":[
            {"type":"text","text":"hi"},{"type":"text","text":"x","cache_control":{"type":"persistent"}}]}]}"#
        ),
        "invalid anthropic cache_control: `persistent` at messages[0].content[1].cache_control.type, \
         expected ephemeral"
    );
    assert_eq!(
        refused(
            Protocol::Bedrock,
            r#"{"messages":[{"role":"user","content":[{"text":"hi"},{"cachePoint":{"type":"default","ttl":"1d"}}]}]}"#
        ),
        "invalid bedrock converse request: at `messages[0].content[1].cachePoint.ttl`: unknown \
         variant `1d`, expected `5m` or `1h` at line 1 column 95"
    );
    assert_eq!(
        refused(
            Protocol::Bedrock,
            r#"{"messages":[{"role":"user","content":[{"text":"hi"}]}],"toolConfig":{"tools":[{}]}}"#
        ),
        "invalid bedrock toolConfig.tools: entry 0 has neither `toolSpec` nor `cachePoint`"
    );
}

// ---- usage -----------------------------------------------------------------------------------

/// 1300 prompt tokens: 1000 read from the cache, 200 written to it, 100 neither.
const CACHED_USAGE: Usage = Usage {
    input_tokens: Some(1300),
    output_tokens: Some(50),
    cached_input_tokens: Some(1000),
    reasoning_tokens: None,
    cache_write_input_tokens: Some(200),
};

fn response(usage: Usage) -> ChatResponse {
    ChatResponse {
        id: "msg_1".into(),
        model: MODEL.into(),
        created: Some(1),
        choices: vec![Choice {
            text: "Thirty days.".into(),
            finish_reason: Some(FinishReason::Stop),
            ..Choice::default()
        }],
        usage,
    }
}

/// Usage after the server-side stream encoder of `p` and its client-side decoder; `early`
/// reports usage before the text (as a provider knows the prompt's numbers up front), else at
/// the end.
fn streamed_usage(p: Protocol, usage: Usage, early: bool) -> Usage {
    let mut events = vec![StreamEvent::Start {
        id: Some("msg_1".into()),
        model: Some(MODEL.into()),
    }];
    if early {
        events.push(StreamEvent::Usage(usage));
    }
    events.push(StreamEvent::TextDelta("Thirty days.".into()));
    events.push(StreamEvent::Finish(FinishReason::Stop));
    if !early {
        events.push(StreamEvent::Usage(usage));
    }
    events.push(StreamEvent::Done);
    let mut enc = p.stream_encoder(StreamContext {
        id: "msg_1".into(),
        model: MODEL.into(),
        created: 1,
        include_usage: true,
    });
    let bytes: Vec<u8> = events.iter().flat_map(|e| enc.encode(e)).collect();
    let mut dec = p.stream_decoder();
    let mut acc = StreamAccumulator::new();
    for e in dec
        .feed(&bytes)
        .unwrap()
        .iter()
        .chain(&dec.finish().unwrap())
    {
        acc.push(e);
    }
    assert!(acc.is_done(), "{}", p.name());
    acc.finish().usage
}

#[test]
fn usage_with_cache_writes_round_trips_in_the_marker_protocols() {
    for p in [Protocol::Anthropic, Protocol::Bedrock] {
        let wire = p.encode_response(&response(CACHED_USAGE)).unwrap();
        assert_eq!(
            p.decode_response(&wire).unwrap().usage,
            CACHED_USAGE,
            "{}",
            p.name()
        );
        for early in [true, false] {
            assert_eq!(
                streamed_usage(p, CACHED_USAGE, early),
                CACHED_USAGE,
                "{} streamed, usage early: {early}",
                p.name()
            );
        }
    }
    // both report the uncached rest as input, reads and writes apart
    let a = to_value(
        &Protocol::Anthropic
            .encode_response(&response(CACHED_USAGE))
            .unwrap(),
    );
    assert_eq!(
        a["usage"],
        json!({"input_tokens": 100, "output_tokens": 50,
               "cache_creation_input_tokens": 200, "cache_read_input_tokens": 1000})
    );
    let b = to_value(
        &Protocol::Bedrock
            .encode_response(&response(CACHED_USAGE))
            .unwrap(),
    );
    assert_eq!(
        b["usage"],
        json!({"inputTokens": 100, "outputTokens": 50, "totalTokens": 1350,
               "cacheReadInputTokens": 1000, "cacheWriteInputTokens": 200})
    );
}

#[test]
fn implicit_caching_protocols_report_reads_but_no_writes() {
    let expected = Usage {
        cache_write_input_tokens: None,
        ..CACHED_USAGE
    };
    for p in [OPENAI, DEEPSEEK, Protocol::Gemini] {
        let wire = p.encode_response(&response(CACHED_USAGE)).unwrap();
        assert_eq!(
            p.decode_response(&wire).unwrap().usage,
            expected,
            "{}",
            p.name()
        );
        assert_eq!(
            streamed_usage(p, CACHED_USAGE, false),
            expected,
            "{}",
            p.name()
        );
    }
}

/// The documented event flow: `message_start` carries the prompt's numbers (reads and writes
/// apart from `input_tokens`), `message_delta` only the final output count.
#[test]
fn anthropic_stream_takes_cache_writes_from_message_start() {
    let sse = [
        r#"{"type":"message_start","message":{"id":"msg_1","type":"message","role":"assistant","model":"claude-sonnet-4-5","content":[],"stop_reason":null,"stop_sequence":null,"usage":{"input_tokens":12,"cache_creation_input_tokens":2048,"cache_read_input_tokens":0,"output_tokens":1}}}"#,
        r#"{"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}"#,
        r#"{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Thirty days."}}"#,
        r#"{"type":"content_block_stop","index":0}"#,
        r#"{"type":"message_delta","delta":{"stop_reason":"end_turn","stop_sequence":null},"usage":{"output_tokens":5}}"#,
        r#"{"type":"message_stop"}"#,
    ]
    .iter()
    .map(|d| {
        let kind = to_value(d.as_bytes())["type"].as_str().unwrap().to_owned();
        format!("event: {kind}\ndata: {d}\n\n")
    })
    .collect::<String>();
    let mut dec = Protocol::Anthropic.stream_decoder();
    let mut acc = StreamAccumulator::new();
    for e in dec.feed(sse.as_bytes()).unwrap() {
        acc.push(&e);
    }
    let r = acc.finish();
    assert_eq!(r.text(), "Thirty days.");
    assert_eq!(
        r.usage,
        Usage {
            input_tokens: Some(12 + 2048),
            output_tokens: Some(5),
            cached_input_tokens: Some(0),
            reasoning_tokens: None,
            cache_write_input_tokens: Some(2048),
        }
    );
}
