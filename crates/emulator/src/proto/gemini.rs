use std::sync::Arc;
use axum::Router;
use crate::server::Provider;
pub(crate) fn router() -> Router<Arc<Provider>> { Router::new() }
