#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::print_stdout,
    clippy::print_stderr,
    reason = "bench code"
)]
//! Codec throughput: a 256-token streamed answer encoded (server side) and decoded (client side,
//! fed in 1 KiB chunks) for every protocol, plus request translation OpenAI → each protocol.

use criterion::{black_box, criterion_group, criterion_main, Criterion, Throughput};

use cloudfit_providers::{
    ChatRequest, Dialect, FinishReason, Protocol, StreamContext, StreamEvent, Usage,
};

const TOKENS: usize = 256;

fn events() -> Vec<StreamEvent> {
    let mut v = vec![StreamEvent::Start {
        id: Some("chatcmpl-bench".into()),
        model: Some("bench-model".into()),
    }];
    v.extend((0..TOKENS).map(|i| StreamEvent::TextDelta(format!(" word{i}"))));
    v.push(StreamEvent::Finish(FinishReason::Stop));
    v.push(StreamEvent::Usage(Usage {
        input_tokens: Some(42),
        output_tokens: Some(TOKENS as u64),
        ..Usage::default()
    }));
    v.push(StreamEvent::Done);
    v
}

fn protocols() -> [Protocol; 4] {
    [
        Protocol::OpenAi(Dialect::OpenAi),
        Protocol::Anthropic,
        Protocol::Bedrock,
        Protocol::Gemini,
    ]
}

fn encode(p: Protocol, evs: &[StreamEvent]) -> Vec<u8> {
    let mut enc = p.stream_encoder(StreamContext {
        id: "chatcmpl-bench".into(),
        model: "bench-model".into(),
        created: 1,
        include_usage: true,
    });
    evs.iter().flat_map(|e| enc.encode(e)).collect()
}

fn bench(c: &mut Criterion) {
    let evs = events();
    let mut g = c.benchmark_group("stream");
    g.throughput(Throughput::Elements(TOKENS as u64));
    for p in protocols() {
        let bytes = encode(p, &evs);
        g.bench_function(format!("decode/{}", p.name()), |b| {
            b.iter(|| {
                let mut d = p.stream_decoder();
                let mut n = 0;
                for chunk in bytes.chunks(1024) {
                    n += d.feed(black_box(chunk)).unwrap().len();
                }
                n += d.finish().unwrap().len();
                n
            });
        });
        g.bench_function(format!("encode/{}", p.name()), |b| {
            b.iter(|| encode(p, black_box(&evs)).len());
        });
    }
    g.finish();

    let mut req = ChatRequest::user_text(
        "bench-model",
        "Summarise the attached report in five bullet points.",
    );
    req.max_tokens = Some(512);
    req.stream = true;
    let body = Protocol::OpenAi(Dialect::OpenAi)
        .encode_request(&req)
        .unwrap();
    let mut g = c.benchmark_group("request");
    for p in protocols() {
        g.bench_function(format!("openai_to/{}", p.name()), |b| {
            b.iter(|| {
                let internal = Protocol::OpenAi(Dialect::OpenAi)
                    .decode_request(black_box(&body), None, true)
                    .unwrap();
                p.encode_request(&internal).unwrap().len()
            });
        });
    }
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
