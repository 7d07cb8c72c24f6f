//! `GET /_emulator/info` reports the requests a provider serves now and the most at once since
//! the last reset, so a benchmark can prove the concurrency it claims.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "test code"
)]

mod common;

use std::time::Duration;

use cloudfit_emulator::{Dist, InFlight, OutputLength, Protocol};
use common::*;
use serde_json::{json, Value};

async fn in_flight(em: &cloudfit_emulator::RunningEmulator, name: &str) -> InFlight {
    serde_json::from_value(info(em, name).await["in_flight"].clone()).unwrap()
}

#[tokio::test]
async fn in_flight_counts_open_streams_and_keeps_the_maximum_until_reset() {
    let mut slow = provider("slow", Protocol::OpenAi);
    slow.ttft_ms = Dist::Fixed(300.0);
    slow.tokens_per_s = 50.0;
    slow.output = OutputLength::Dist(Dist::Fixed(10.0));
    let mut other = provider("other", Protocol::Anthropic);
    other.ttft_ms = Dist::Fixed(300.0);
    let em = start(vec![slow, other]).await;
    assert_eq!(in_flight(&em, "slow").await, InFlight { now: 0, max: 0 });

    // five streams and two plain requests at once
    let mut tasks = Vec::new();
    for i in 0..7 {
        let url = url(&em, "slow", "/v1/chat/completions");
        tasks.push(tokio::spawn(async move {
            let resp = client()
                .post(url)
                .bearer_auth("sk-test")
                .json(&json!({"model": "gpt-4o", "stream": i < 5, "messages": [{"role": "user", "content": "hi"}]}))
                .send()
                .await
                .unwrap();
            read_all(resp).await
        }));
    }
    // every request has arrived, none has finished (300 ms to the first token, 180 ms of tokens)
    tokio::time::sleep(Duration::from_millis(150)).await;
    assert_eq!(in_flight(&em, "slow").await, InFlight { now: 7, max: 7 });
    assert_eq!(em.in_flight("slow").unwrap(), InFlight { now: 7, max: 7 });
    // each provider counts its own
    assert_eq!(in_flight(&em, "other").await.now, 0);
    for t in tasks {
        let (_, cut) = t.await.unwrap();
        assert!(!cut);
    }
    // a stream counts until its last byte: all are done now
    assert_eq!(in_flight(&em, "slow").await, InFlight { now: 0, max: 7 });

    // a reset starts the maximum again from what is in flight
    let open = tokio::spawn({
        let url = url(&em, "slow", "/v1/chat/completions");
        async move {
            let resp = client()
                .post(url)
                .bearer_auth("sk-test")
                .json(&json!({"model": "gpt-4o", "stream": true, "messages": [{"role": "user", "content": "hi"}]}))
                .send()
                .await
                .unwrap();
            read_all(resp).await
        }
    });
    tokio::time::sleep(Duration::from_millis(100)).await;
    let reset: Value = client()
        .post(url(&em, "slow", "/_emulator/reset"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(reset["reset"], true);
    assert_eq!(in_flight(&em, "slow").await, InFlight { now: 1, max: 1 });
    open.await.unwrap();
    em.reset("slow").unwrap();
    assert_eq!(in_flight(&em, "slow").await, InFlight { now: 0, max: 0 });
    em.shutdown().await;
}

#[tokio::test]
async fn a_client_that_hangs_up_is_no_longer_in_flight() {
    let mut slow = provider("slow", Protocol::OpenAi);
    slow.tokens_per_s = 20.0;
    slow.output = OutputLength::Dist(Dist::Fixed(200.0));
    let em = start(vec![slow]).await;
    let resp = openai_post(
        &em,
        "slow",
        "/v1/chat/completions",
        json!({"model": "gpt-4o", "stream": true, "messages": [{"role": "user", "content": "hi"}]}),
    )
    .await;
    assert_eq!(resp.status(), 200);
    assert_eq!(in_flight(&em, "slow").await.now, 1);
    drop(resp);
    // the server notices the closed connection at its next write (every 50 ms here)
    let mut now = 1;
    for _ in 0..40 {
        tokio::time::sleep(Duration::from_millis(25)).await;
        now = in_flight(&em, "slow").await.now;
        if now == 0 {
            break;
        }
    }
    assert_eq!(now, 0);
    assert_eq!(in_flight(&em, "slow").await.max, 1);
    em.shutdown().await;
}
