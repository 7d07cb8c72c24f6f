#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::print_stdout,
    clippy::print_stderr,
    reason = "test code"
)]
//! The client against a real scripted upstream on 127.0.0.1:0: headers and auth per protocol,
//! SigV4 checked by re-signing on the server, timeouts, error classification, stream cuts.

use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use axum::body::Body;
use axum::extract::{Request, State};
use axum::response::Response;
use bytes::Bytes;
use cloudfit_providers::protocol::bedrock;
use cloudfit_providers::{
    AwsCredentials, ChatRequest, ClientOptions, Credentials, Dialect, EmbeddingRequest, ErrorClass,
    Protocol, ProviderClient, ProviderEndpoint, Secret, StreamAccumulator, StreamEvent,
};
use futures::StreamExt;

/// What the upstream saw.
#[derive(Debug, Clone)]
struct Seen {
    method: String,
    uri: String,
    headers: http::HeaderMap,
    body: Bytes,
}

#[derive(Clone, Default)]
struct Upstream {
    seen: Arc<Mutex<Vec<Seen>>>,
}

fn fixture(path: &str) -> Vec<u8> {
    std::fs::read(format!(
        "{}/tests/fixtures/{path}",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap()
}

fn chunks_with_delays(parts: Vec<(u64, Vec<u8>)>, then_fail: bool) -> Body {
    let s = futures::stream::iter(parts)
        .then(|(delay_ms, bytes)| async move {
            tokio::time::sleep(Duration::from_millis(delay_ms)).await;
            Ok::<_, std::io::Error>(Bytes::from(bytes))
        })
        .chain(
            futures::stream::iter(then_fail.then_some(())).then(|()| async {
                // let the data reach the client before the connection is torn down
                tokio::time::sleep(Duration::from_millis(50)).await;
                Err(std::io::Error::other("upstream died"))
            }),
        );
    Body::from_stream(s)
}

fn respond(status: u16, content_type: &str, body: Body) -> Response {
    Response::builder()
        .status(status)
        .header("content-type", content_type)
        .header("x-request-id", "req-123")
        .body(body)
        .unwrap()
}

/// The scripted upstream: the scenario comes in the `x-scenario` header.
async fn handle(State(up): State<Upstream>, req: Request) -> Response {
    let (parts, body) = req.into_parts();
    let body = axum::body::to_bytes(body, usize::MAX).await.unwrap();
    let scenario = parts
        .headers
        .get("x-scenario")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    up.seen.lock().unwrap().push(Seen {
        method: parts.method.to_string(),
        uri: parts.uri.to_string(),
        headers: parts.headers.clone(),
        body,
    });
    let sse = "text/event-stream";
    let json = "application/json";
    match scenario.as_str() {
        "openai-ok" => respond(200, json, Body::from(fixture("openai/chat_response.json"))),
        "openai-stream" => respond(200, sse, Body::from(fixture("openai/chat_stream.sse"))),
        "anthropic-stream" => {
            // the fixture in three chunks with small gaps
            let all = fixture("anthropic/stream.sse");
            let (a, rest) = all.split_at(100);
            let (b, c) = rest.split_at(rest.len() / 2);
            respond(
                200,
                sse,
                chunks_with_delays(
                    vec![(0, a.to_vec()), (5, b.to_vec()), (5, c.to_vec())],
                    false,
                ),
            )
        }
        "gemini-stream" => respond(200, sse, Body::from(fixture("gemini/stream.sse"))),
        "bedrock-stream" => {
            let mut enc = Protocol::Bedrock.stream_encoder(Default::default());
            let events = [
                StreamEvent::Start {
                    id: None,
                    model: None,
                },
                StreamEvent::TextDelta("hello ".into()),
                StreamEvent::TextDelta("bedrock".into()),
                StreamEvent::Finish(cloudfit_providers::FinishReason::Stop),
                StreamEvent::Usage(cloudfit_providers::Usage {
                    input_tokens: Some(5),
                    output_tokens: Some(2),
                    ..Default::default()
                }),
                StreamEvent::Done,
            ];
            let bytes: Vec<u8> = events.iter().flat_map(|e| enc.encode(e)).collect();
            respond(200, "application/vnd.amazon.eventstream", Body::from(bytes))
        }
        "rate-limited" => Response::builder()
            .status(429)
            .header("retry-after", "7")
            .body(Body::from(fixture("openai/error_rate_limit.json")))
            .unwrap(),
        "rate-limited-date" => {
            let at = httpdate_in(120);
            Response::builder()
                .status(429)
                .header("retry-after", at)
                .body(Body::from("{}"))
                .unwrap()
        }
        "overloaded" => respond(
            529,
            json,
            Body::from(fixture("anthropic/error_overloaded.json")),
        ),
        "unauthorized" => respond(
            401,
            json,
            Body::from(
                r#"{"error":{"message":"Incorrect API key provided","type":"invalid_request_error","param":null,"code":"invalid_api_key"}}"#,
            ),
        ),
        "bedrock-throttled" => {
            let e = Protocol::Bedrock
                .encode_error(&ErrorClass::RateLimited { retry_after: None }, "slow down");
            let mut b = Response::builder().status(e.status);
            for (k, v) in e.headers {
                b = b.header(k, v);
            }
            b.body(Body::from(e.body)).unwrap()
        }
        "slow-headers" => {
            tokio::time::sleep(Duration::from_secs(3)).await;
            respond(200, json, Body::from(fixture("openai/chat_response.json")))
        }
        "no-first-token" => {
            // headers and a keep-alive comment at once, then nothing
            respond(
                200,
                sse,
                chunks_with_delays(
                    vec![(0, b": keep-alive\n\n".to_vec()), (5_000, Vec::new())],
                    false,
                ),
            )
        }
        "stall-after-token" => {
            let first = b"data: {\"id\":\"x\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"m\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"hi\"},\"finish_reason\":null}]}\n\n".to_vec();
            respond(
                200,
                sse,
                chunks_with_delays(vec![(0, first), (5_000, Vec::new())], false),
            )
        }
        "cut-clean" => {
            let all = fixture("openai/chat_stream.sse");
            respond(200, sse, Body::from(all[..all.len() / 2].to_vec()))
        }
        "cut-abort" => {
            let all = fixture("openai/chat_stream.sse");
            respond(
                200,
                sse,
                chunks_with_delays(vec![(0, all[..700].to_vec())], true),
            )
        }
        "embeddings" => respond(
            200,
            json,
            Body::from(fixture("openai/embeddings_response.json")),
        ),
        "models" => respond(200, json, Body::from(fixture("openai/models.json"))),
        other => respond(
            404,
            json,
            Body::from(format!(
                "{{\"error\":{{\"message\":\"no scenario {other}\"}}}}"
            )),
        ),
    }
}

fn httpdate_in(secs: u64) -> String {
    // RFC 1123 date without a date crate: only the seconds matter to the test
    let t = SystemTime::now() + Duration::from_secs(secs);
    let unix = t.duration_since(SystemTime::UNIX_EPOCH).unwrap().as_secs();
    let days = unix / 86_400;
    let rem = unix % 86_400;
    let weekday = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"][(days % 7) as usize];
    let (y, m, d) = civil(days as i64);
    let month = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ][(m - 1) as usize];
    format!(
        "{weekday}, {d:02} {month} {y} {:02}:{:02}:{:02} GMT",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

fn civil(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (yoe + era * 400 + i64::from(m <= 2), m, d)
}

async fn start() -> (String, Upstream) {
    let up = Upstream::default();
    let app = axum::Router::new().fallback(handle).with_state(up.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (format!("http://{addr}"), up)
}

fn client(
    protocol: Protocol,
    base: &str,
    creds: Credentials,
    scenario: &str,
    opts: ClientOptions,
) -> ProviderClient {
    let mut ep = ProviderEndpoint::new(protocol, base, creds);
    ep.extra_headers
        .push(("x-scenario".into(), scenario.into()));
    ep.region = Some("us-east-1".into());
    ProviderClient::new(ep, opts).unwrap()
}

/// An OpenAI-protocol client (API key `k`) for the upstream `scenario`.
fn openai(base: &str, scenario: &str, opts: ClientOptions) -> ProviderClient {
    client(
        Protocol::OpenAi(Dialect::OpenAi),
        base,
        key("k"),
        scenario,
        opts,
    )
}

fn key(k: &str) -> Credentials {
    Credentials::ApiKey(Secret::new(k))
}

fn last(up: &Upstream) -> Seen {
    up.seen.lock().unwrap().last().cloned().unwrap()
}

fn header<'a>(s: &'a Seen, name: &str) -> Option<&'a str> {
    s.headers.get(name).and_then(|v| v.to_str().ok())
}

async fn collect(
    stream: cloudfit_providers::ChatStream,
) -> (
    Vec<StreamEvent>,
    Option<ErrorClass>,
    cloudfit_providers::StreamTiming,
) {
    let mut stream = stream;
    let mut events = Vec::new();
    let mut err = None;
    while let Some(item) = stream.next().await {
        match item {
            Ok(e) => events.push(e),
            Err(e) => {
                err = Some(e.class);
                break;
            }
        }
    }
    (events, err, stream.timing())
}

#[tokio::test]
async fn openai_bearer_auth_and_response() {
    let (base, up) = start().await;
    let c = client(
        Protocol::OpenAi(Dialect::OpenAi),
        &format!("{base}/v1"),
        key("sk-test-123"),
        "openai-ok",
        ClientOptions::default(),
    );
    let r = c
        .chat(ChatRequest::user_text("gpt-4o-mini", "hi"))
        .await
        .unwrap();
    assert_eq!(r.choices[0].tool_calls[0].name, "get_weather");
    assert_eq!(r.usage.cached_input_tokens, Some(64));
    let s = last(&up);
    assert_eq!(s.method, "POST");
    assert_eq!(s.uri, "/v1/chat/completions");
    assert_eq!(header(&s, "authorization"), Some("Bearer sk-test-123"));
    assert_eq!(header(&s, "content-type"), Some("application/json"));
    let body: serde_json::Value = serde_json::from_slice(&s.body).unwrap();
    assert_eq!(body["model"], "gpt-4o-mini");
    assert!(body.get("stream").is_none());
    // the key never shows in Debug output
    assert!(!format!("{c:?}").contains("sk-test-123"));
}

#[tokio::test]
async fn azure_uses_the_api_key_header() {
    let (base, up) = start().await;
    let c = client(
        Protocol::OpenAi(Dialect::Azure),
        &format!("{base}/openai/v1"),
        key("az-key"),
        "openai-ok",
        ClientOptions::default(),
    );
    c.chat(ChatRequest::user_text("gpt-4o-mini", "hi"))
        .await
        .unwrap();
    let s = last(&up);
    assert_eq!(s.uri, "/openai/v1/chat/completions");
    assert_eq!(header(&s, "api-key"), Some("az-key"));
    assert_eq!(header(&s, "authorization"), None);
}

#[tokio::test]
async fn openai_stream_requests_usage_and_times_the_stream() {
    let (base, up) = start().await;
    let c = client(
        Protocol::OpenAi(Dialect::DeepSeek),
        &base,
        key("sk-ds"),
        "openai-stream",
        ClientOptions::default(),
    );
    let stream = c
        .chat_stream(ChatRequest::user_text("deepseek-chat", "hi"))
        .await
        .unwrap();
    assert_eq!(stream.request_id(), Some("req-123"));
    let (events, err, timing) = collect(stream).await;
    assert_eq!(err, None);
    assert_eq!(events.last(), Some(&StreamEvent::Done));
    let first_byte = timing.first_byte.unwrap();
    let first_token = timing.first_token.unwrap();
    assert!(timing.headers <= first_byte && first_byte <= first_token);
    assert!(first_token <= timing.completed.unwrap());
    let body: serde_json::Value = serde_json::from_slice(&last(&up).body).unwrap();
    assert_eq!(body["stream"], true);
    assert_eq!(body["stream_options"]["include_usage"], true);
    assert_eq!(header(&last(&up), "accept"), Some("text/event-stream"));
}

#[tokio::test]
async fn anthropic_headers_and_chunked_stream() {
    let (base, up) = start().await;
    let c = client(
        Protocol::Anthropic,
        &base,
        key("sk-ant-xyz"),
        "anthropic-stream",
        ClientOptions::default(),
    );
    let (events, err, _) = collect(
        c.chat_stream(ChatRequest::user_text("claude-sonnet-4-5", "hi"))
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(err, None);
    let mut acc = StreamAccumulator::new();
    events.iter().for_each(|e| acc.push(e));
    let r = acc.finish();
    assert_eq!(r.text(), "Okay, checking Lyon — ünïcode.");
    assert_eq!(r.usage.output_tokens, Some(89));
    let s = last(&up);
    assert_eq!(s.uri, "/v1/messages");
    assert_eq!(header(&s, "x-api-key"), Some("sk-ant-xyz"));
    assert_eq!(header(&s, "anthropic-version"), Some("2023-06-01"));
    assert_eq!(header(&s, "authorization"), None);
    let body: serde_json::Value = serde_json::from_slice(&s.body).unwrap();
    assert_eq!(body["max_tokens"], 4096);
}

#[tokio::test]
async fn gemini_key_header_and_sse_path() {
    let (base, up) = start().await;
    let c = client(
        Protocol::Gemini,
        &format!("{base}/v1beta"),
        key("g-key"),
        "gemini-stream",
        ClientOptions::default(),
    );
    let (events, err, _) = collect(
        c.chat_stream(ChatRequest::user_text("gemini-2.5-flash", "hi"))
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(err, None);
    assert_eq!(events.last(), Some(&StreamEvent::Done));
    let s = last(&up);
    assert_eq!(
        s.uri,
        "/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse"
    );
    assert_eq!(header(&s, "x-goog-api-key"), Some("g-key"));
}

/// Parses `x-amz-date` (`20150830T123600Z`).
fn amz_date(s: &str) -> SystemTime {
    let n = |r: std::ops::Range<usize>| s[r].parse::<i64>().unwrap();
    let (y, mo, d) = (n(0..4), n(4..6), n(6..8));
    let (h, mi, se) = (n(9..11), n(11..13), n(13..15));
    let yy = if mo <= 2 { y - 1 } else { y };
    let era = yy.div_euclid(400);
    let yoe = yy.rem_euclid(400);
    let doy = (153 * (if mo > 2 { mo - 3 } else { mo + 9 }) + 2) / 5 + d - 1;
    let days = era * 146_097 + yoe * 365 + yoe / 4 - yoe / 100 + doy - 719_468;
    SystemTime::UNIX_EPOCH + Duration::from_secs((days * 86_400 + h * 3600 + mi * 60 + se) as u64)
}

#[tokio::test]
async fn bedrock_requests_are_sigv4_signed_and_event_streams_decode() {
    let (base, up) = start().await;
    let creds = AwsCredentials {
        access_key_id: "AKIDTEST".into(),
        secret_access_key: Secret::new("secret/key/value"),
        session_token: Some(Secret::new("session-token")),
    };
    let c = client(
        Protocol::Bedrock,
        &base,
        Credentials::Aws(creds.clone()),
        "bedrock-stream",
        ClientOptions::default(),
    );
    let model = "anthropic.claude-3-5-haiku-20241022-v1:0";
    let (events, err, _) = collect(
        c.chat_stream(ChatRequest::user_text(model, "hi"))
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(err, None);
    let mut acc = StreamAccumulator::new();
    events.iter().for_each(|e| acc.push(e));
    let r = acc.finish();
    assert_eq!(r.text(), "hello bedrock");
    assert_eq!(r.usage.input_tokens, Some(5));

    let s = last(&up);
    assert_eq!(
        s.uri,
        "/model/anthropic.claude-3-5-haiku-20241022-v1%3A0/converse-stream"
    );
    assert_eq!(
        header(&s, "accept"),
        Some("application/vnd.amazon.eventstream")
    );
    assert_eq!(header(&s, "x-amz-security-token"), Some("session-token"));
    let auth = header(&s, "authorization").unwrap();
    let date = header(&s, "x-amz-date").unwrap();
    assert!(
        auth.starts_with(&format!(
            "AWS4-HMAC-SHA256 Credential=AKIDTEST/{}/us-east-1/bedrock/aws4_request",
            &date[..8]
        )),
        "{auth}"
    );
    // the server recomputes the signature from what it received
    let host = header(&s, "host").unwrap().to_owned();
    let url = format!("{base}{}", s.uri);
    let expected = bedrock::sign_request(
        &bedrock::SignableHttp {
            method: "POST",
            url: &url,
            headers: &[("host", &host), ("content-type", "application/json")],
            body: &s.body,
        },
        &creds,
        "us-east-1",
        "bedrock",
        amz_date(date),
    )
    .unwrap();
    let expected_auth = expected.iter().find(|(k, _)| k == "authorization").unwrap();
    assert_eq!(auth, expected_auth.1);
}

#[tokio::test]
async fn error_statuses_are_classified() {
    let (base, _up) = start().await;
    let openai = Protocol::OpenAi(Dialect::OpenAi);
    let req = || ChatRequest::user_text("m", "hi");

    let e = client(
        openai,
        &base,
        key("k"),
        "rate-limited",
        ClientOptions::default(),
    )
    .chat(req())
    .await
    .unwrap_err();
    assert_eq!(
        e.class,
        ErrorClass::RateLimited {
            retry_after: Some(Duration::from_secs(7))
        }
    );
    assert_eq!(e.status, Some(429));
    assert_eq!(e.provider_code.as_deref(), Some("rate_limit_exceeded"));
    assert!(e.is_retryable());

    let e = client(
        openai,
        &base,
        key("k"),
        "rate-limited-date",
        ClientOptions::default(),
    )
    .chat(req())
    .await
    .unwrap_err();
    let ErrorClass::RateLimited {
        retry_after: Some(d),
    } = e.class
    else {
        panic!("{e:?}")
    };
    assert!(
        d > Duration::from_secs(60) && d <= Duration::from_secs(120),
        "{d:?}"
    );

    let e = client(
        Protocol::Anthropic,
        &base,
        key("k"),
        "overloaded",
        ClientOptions::default(),
    )
    .chat_stream(req())
    .await
    .unwrap_err();
    assert_eq!(e.class, ErrorClass::Overloaded);
    assert!(e.should_fail_over());

    let e = client(
        openai,
        &base,
        key("bad"),
        "unauthorized",
        ClientOptions::default(),
    )
    .chat(req())
    .await
    .unwrap_err();
    assert_eq!(e.class, ErrorClass::Auth);
    assert!(!e.is_retryable() && e.should_fail_over());

    let e = client(
        Protocol::Bedrock,
        &base,
        key("bedrock-api-key"),
        "bedrock-throttled",
        ClientOptions::default(),
    )
    .chat(req())
    .await
    .unwrap_err();
    assert_eq!(e.class, ErrorClass::RateLimited { retry_after: None });
    assert_eq!(e.provider_code.as_deref(), Some("ThrottlingException"));
}

#[tokio::test]
async fn first_byte_timeout() {
    let (base, _up) = start().await;
    let opts = ClientOptions {
        first_byte_timeout: Duration::from_millis(200),
        ..ClientOptions::default()
    };
    let e = openai(&base, "slow-headers", opts)
        .chat(ChatRequest::user_text("m", "hi"))
        .await
        .unwrap_err();
    assert_eq!(e.class, ErrorClass::Timeout);
    assert!(e.message.contains("first byte"), "{}", e.message);
}

#[tokio::test]
async fn first_token_timeout() {
    let (base, _up) = start().await;
    let opts = ClientOptions {
        first_token_timeout: Duration::from_millis(300),
        ..ClientOptions::default()
    };
    let s = openai(&base, "no-first-token", opts)
        .chat_stream(ChatRequest::user_text("m", "hi"))
        .await
        .unwrap();
    let (events, err, timing) = collect(s).await;
    assert!(events.is_empty());
    assert_eq!(err, Some(ErrorClass::Timeout));
    assert!(timing.first_byte.is_some() && timing.first_token.is_none());
}

#[tokio::test]
async fn stream_idle_timeout() {
    let (base, _up) = start().await;
    let opts = ClientOptions {
        stream_idle_timeout: Duration::from_millis(300),
        ..ClientOptions::default()
    };
    let mut s = openai(&base, "stall-after-token", opts)
        .chat_stream(ChatRequest::user_text("m", "hi"))
        .await
        .unwrap();
    let mut got = Vec::new();
    let err = loop {
        match s.next().await {
            Some(Ok(e)) => got.push(e),
            Some(Err(e)) => break e,
            None => panic!("stream ended without error: {got:?}"),
        }
    };
    assert_eq!(got.last(), Some(&StreamEvent::TextDelta("hi".into())));
    assert_eq!(err.class, ErrorClass::Timeout);
    assert!(err.message.contains("idle"), "{}", err.message);
    assert!(s.next().await.is_none(), "a failed stream ends");
}

#[tokio::test]
async fn streams_cut_mid_way_are_stream_cut() {
    let (base, _up) = start().await;
    for scenario in ["cut-clean", "cut-abort"] {
        let s = openai(&base, scenario, ClientOptions::default())
            .chat_stream(ChatRequest::user_text("m", "hi"))
            .await
            .unwrap();
        let (events, err, _) = collect(s).await;
        assert!(
            events.iter().any(StreamEvent::is_token),
            "{scenario}: some tokens arrived first"
        );
        assert_eq!(err, Some(ErrorClass::StreamCut), "{scenario}");
        assert!(ErrorClass::StreamCut.is_retryable());
    }
}

#[tokio::test]
async fn refused_connection_is_connection_reset() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    drop(listener);
    let e = openai(&format!("http://{addr}"), "x", ClientOptions::default())
        .chat(ChatRequest::user_text("m", "hi"))
        .await
        .unwrap_err();
    assert_eq!(e.class, ErrorClass::ConnectionReset);
    assert!(e.is_retryable() && e.should_fail_over());
}

#[tokio::test]
async fn embeddings_and_models() {
    let (base, up) = start().await;
    let c = openai(&base, "embeddings", ClientOptions::default());
    let r = c
        .embed(EmbeddingRequest {
            model: "text-embedding-3-small".into(),
            input: vec!["a".into(), "b".into()],
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(r.embeddings.len(), 2);
    let s = last(&up);
    assert_eq!(s.uri, "/embeddings");
    let body: serde_json::Value = serde_json::from_slice(&s.body).unwrap();
    assert_eq!(body["input"], serde_json::json!(["a", "b"]));
    assert_eq!(body["encoding_format"], "float");

    let c = openai(&base, "models", ClientOptions::default());
    let models = c.list_models().await.unwrap();
    assert_eq!(models[0].id, "gpt-4o-mini");
    let s = last(&up);
    assert_eq!((s.method.as_str(), s.uri.as_str()), ("GET", "/models"));
}
