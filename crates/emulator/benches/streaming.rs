//! Streamed requests per second the emulator serves: 64 concurrent keep-alive connections, each
//! streaming 50-token chat responses with no added latency (ttft 0, unlimited pace), client and
//! server in the same process. Criterion's throughput line (elem/s) is requests per second.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::print_stdout,
    clippy::print_stderr,
    reason = "bench code"
)]

use std::time::{Duration, Instant};

use cloudfit_emulator::{Dist, Emulator, EmulatorConfig, OutputLength, Protocol, ProviderConfig};
use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use futures::StreamExt;

const CONCURRENCY: usize = 64;
const PER_TASK: usize = 20;

fn bench(c: &mut Criterion) {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    let mut providers = Vec::new();
    for (name, protocol) in [
        ("openai", Protocol::OpenAi),
        ("anthropic", Protocol::Anthropic),
    ] {
        let mut p = ProviderConfig::new(name, protocol);
        p.output = OutputLength::Dist(Dist::Fixed(50.0));
        providers.push(p);
    }
    let running = rt
        .block_on(Emulator::start(EmulatorConfig { providers }))
        .unwrap();
    let client = reqwest::Client::builder()
        .no_proxy()
        .pool_max_idle_per_host(CONCURRENCY)
        .tcp_nodelay(true)
        .build()
        .unwrap();
    let openai_url = format!(
        "{}/chat/completions",
        running.provider("openai").unwrap().base_url
    );
    let anthropic_url = format!(
        "http://{}/v1/messages",
        running.provider("anthropic").unwrap().addr
    );

    let mut group = c.benchmark_group("emulator_streamed_requests");
    group
        .sample_size(10)
        .measurement_time(Duration::from_secs(10));
    group.throughput(Throughput::Elements((CONCURRENCY * PER_TASK) as u64));
    for (label, url, body, anthropic) in [
        (
            "openai_sse_50_tokens_x64",
            openai_url,
            r#"{"model":"gpt-4o-mini","stream":true,"stream_options":{"include_usage":true},"messages":[{"role":"user","content":"bench"}]}"#,
            false,
        ),
        (
            "anthropic_sse_50_tokens_x64",
            anthropic_url,
            r#"{"model":"claude-haiku-4-5","max_tokens":100,"stream":true,"messages":[{"role":"user","content":"bench"}]}"#,
            true,
        ),
    ] {
        group.bench_function(label, |b| {
            b.iter_custom(|iters| {
                rt.block_on(async {
                    let start = Instant::now();
                    for _ in 0..iters {
                        let mut tasks = Vec::with_capacity(CONCURRENCY);
                        for _ in 0..CONCURRENCY {
                            let client = client.clone();
                            let url = url.clone();
                            tasks.push(tokio::spawn(async move {
                                for _ in 0..PER_TASK {
                                    let mut req = client
                                        .post(&url)
                                        .header("content-type", "application/json")
                                        .body(body);
                                    req = if anthropic {
                                        req.header("x-api-key", "k")
                                            .header("anthropic-version", "2023-06-01")
                                    } else {
                                        req.bearer_auth("k")
                                    };
                                    let resp = req.send().await.unwrap();
                                    assert_eq!(resp.status(), 200);
                                    let mut s = resp.bytes_stream();
                                    let mut n = 0usize;
                                    while let Some(chunk) = s.next().await {
                                        n += chunk.unwrap().len();
                                    }
                                    assert!(n > 0);
                                }
                            }));
                        }
                        for t in tasks {
                            t.await.unwrap();
                        }
                    }
                    start.elapsed()
                })
            });
        });
    }
    group.finish();
    rt.block_on(running.shutdown());
}

criterion_group!(benches, bench);
criterion_main!(benches);
