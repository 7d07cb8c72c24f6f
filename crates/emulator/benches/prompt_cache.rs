//! What prompt caching costs the emulator: requests per second for a 40-message conversation
//! (about 4,000 prompt tokens, the first 39 messages shared, the last one different each time)
//! from 64 concurrent keep-alive connections, non-streaming, no added latency, with the prompt
//! cache on and off. Every request hashes its prefix chain and takes the cache lock once.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::print_stdout,
    clippy::print_stderr,
    reason = "bench code"
)]

use std::sync::Arc;
use std::time::{Duration, Instant};

use cloudfit_emulator::{Dist, Emulator, EmulatorConfig, OutputLength, Protocol, ProviderConfig};
use criterion::{criterion_group, criterion_main, Criterion, Throughput};

const CONCURRENCY: usize = 64;
const PER_TASK: usize = 10;
const MESSAGES: usize = 40;
const WORDS_PER_MESSAGE: usize = 100;

fn conversation(last: u64) -> String {
    let mut messages = Vec::with_capacity(MESSAGES);
    for i in 0..MESSAGES - 1 {
        let role = if i % 2 == 0 { "user" } else { "assistant" };
        let text: Vec<String> = (0..WORDS_PER_MESSAGE)
            .map(|w| format!("m{i}w{w}"))
            .collect();
        messages.push(serde_json::json!({"role": role, "content": text.join(" ")}));
    }
    messages
        .push(serde_json::json!({"role": "user", "content": format!("question number {last}")}));
    serde_json::json!({"model": "gpt-4o-mini", "messages": messages}).to_string()
}

fn bench(c: &mut Criterion) {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    let mut providers = Vec::new();
    for (name, on) in [("cached", true), ("uncached", false)] {
        let mut p = ProviderConfig::new(name, Protocol::OpenAi);
        p.output = OutputLength::Dist(Dist::Fixed(20.0));
        p.prompt_cache.enabled = on;
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
    // one body per request of an iteration, built before timing starts
    let bodies: Arc<Vec<String>> = Arc::new(
        (0..(CONCURRENCY * PER_TASK) as u64)
            .map(conversation)
            .collect(),
    );

    let mut group = c.benchmark_group("emulator_prompt_cache");
    group
        .sample_size(10)
        .measurement_time(Duration::from_secs(10));
    group.throughput(Throughput::Elements((CONCURRENCY * PER_TASK) as u64));
    for name in ["cached", "uncached"] {
        let url = format!(
            "{}/chat/completions",
            running.provider(name).unwrap().base_url
        );
        group.bench_function(format!("openai_4k_prompt_x64_{name}"), |b| {
            b.iter_custom(|iters| {
                rt.block_on(async {
                    let start = Instant::now();
                    for _ in 0..iters {
                        let mut tasks = Vec::with_capacity(CONCURRENCY);
                        for task in 0..CONCURRENCY {
                            let client = client.clone();
                            let url = url.clone();
                            let bodies = Arc::clone(&bodies);
                            tasks.push(tokio::spawn(async move {
                                for i in 0..PER_TASK {
                                    let body = bodies[task * PER_TASK + i].clone();
                                    let resp = client
                                        .post(&url)
                                        .header("content-type", "application/json")
                                        .bearer_auth("k")
                                        .body(body)
                                        .send()
                                        .await
                                        .unwrap();
                                    assert_eq!(resp.status(), 200);
                                    let v: serde_json::Value = resp.json().await.unwrap();
                                    assert!(v["usage"]["prompt_tokens"].as_u64().unwrap() > 3900);
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
