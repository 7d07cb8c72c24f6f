//! The admin API of one emulated provider, under `/_emulator/`: read and replace faults at run
//! time, read hit counters, reset (faults, counters, the in-flight maximum and the prompt cache),
//! describe the provider.

use std::sync::Arc;

use axum::extract::State;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use bytes::Bytes;
use http::StatusCode;
use serde_json::json;

use crate::config::Faults;
use crate::server::Provider;

pub(crate) fn router() -> Router<Arc<Provider>> {
    Router::new()
        .route("/_emulator/faults", get(get_faults).put(put_faults))
        .route("/_emulator/hits", get(hits))
        .route("/_emulator/reset", post(reset))
        .route("/_emulator/info", get(info))
}

async fn get_faults(State(p): State<Arc<Provider>>) -> Response {
    Json(&*p.faults()).into_response()
}

/// Replace the faults; the body has the shape of the config file's `faults` table, as JSON.
async fn put_faults(State(p): State<Arc<Provider>>, body: Bytes) -> Response {
    let mut de = serde_json::Deserializer::from_slice(&body);
    let faults: Faults = match serde_path_to_error::deserialize(&mut de) {
        Ok(f) => f,
        Err(e) => {
            let message = format!("faults.{}: {}", e.path(), e.inner());
            return (StatusCode::BAD_REQUEST, Json(json!({"error": message}))).into_response();
        }
    };
    let problems = faults.problems();
    if !problems.is_empty() {
        let list: Vec<String> = problems
            .iter()
            .map(|(k, m)| format!("faults.{k}: {m}"))
            .collect();
        return (
            StatusCode::BAD_REQUEST,
            Json(json!({"error": list.join("; ")})),
        )
            .into_response();
    }
    p.set_faults(faults);
    Json(&*p.faults()).into_response()
}

async fn hits(State(p): State<Arc<Provider>>) -> Response {
    Json(p.hits.snapshot()).into_response()
}

async fn reset(State(p): State<Arc<Provider>>) -> Response {
    p.reset();
    Json(json!({"reset": true})).into_response()
}

async fn info(State(p): State<Arc<Provider>>) -> Response {
    Json(json!({
        "name": p.cfg.name,
        "protocol": p.cfg.protocol.as_str(),
        "dialect": p.cfg.dialect.as_str(),
        "models": p.cfg.models,
        "reasoning_models": p.cfg.reasoning_models,
        "embedding_models": p.cfg.embedding_models,
        "verifies_sigv4": p.cfg.aws_secret_access_key.is_some(),
        // token limits as configured (null fields: no limit)
        "limits": p.cfg.limits,
        // the rule in force, stored prefixes and counters; null when caching is off
        "prompt_cache": p.prompt_cache.as_ref().map(|c| c.info()),
        // requests being served now and the most at once since start or the last reset
        "in_flight": p.load(),
        "uptime_s": p.started.elapsed().as_secs_f64(),
    }))
    .into_response()
}
