//! Running providers: per-provider state, the accept loop (hand-written so a fault can drop a
//! TCP connection with a reset), start-up and graceful shutdown.

use std::collections::BTreeMap;
use std::convert::Infallible;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError, RwLock};
use std::task::{Context, Poll};
use std::time::Duration;

use axum::body::Body;
use axum::Router;
use hyper::body::Incoming;
use hyper_util::rt::TokioIo;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

use crate::cache::{PromptCache, Rule};
use crate::config::{Dialect, EmulatorConfig, Faults, OutageMode, Protocol, ProviderConfig};
use crate::corpus::Corpus;
use crate::error::{ConfigIssue, EmulatorError};
use crate::plan::{draw, mix, StreamFault};

/// How long shutdown waits for open streams and connections.
const DRAIN_DEADLINE: Duration = Duration::from_secs(5);

/// One emulated provider while it runs: configuration, live faults, counters.
#[derive(Debug)]
pub(crate) struct Provider {
    pub cfg: ProviderConfig,
    pub corpus: Arc<Corpus>,
    faults: RwLock<Arc<Faults>>,
    pub started: Instant,
    serial: AtomicU64,
    pub hits: Hits,
    pub cancel: CancellationToken,
    /// `None` when the provider's prompt cache is switched off.
    pub prompt_cache: Option<PromptCache>,
    /// Requests being served now, from arrival to the last byte of their body.
    in_flight: AtomicU64,
    /// The most in flight at once since start or the last reset.
    max_in_flight: AtomicU64,
}

/// What happens to a request before the protocol looks at it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Admission {
    Outage(OutageMode),
    Reset,
    Inject(Injected),
    Pass {
        slow_headers: Option<Duration>,
        stream_fault: Option<StreamFault>,
    },
}

/// An error answered instead of a response (after auth and request checks pass).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Injected {
    RateLimited { retry_after_s: u64 },
    ServerError,
    Unavailable,
}

impl Provider {
    pub(crate) fn new(cfg: ProviderConfig, cancel: CancellationToken) -> Self {
        let corpus = Arc::new(Corpus::generate(cfg.seed));
        let prompt_cache =
            Rule::for_provider(&cfg).map(|rule| PromptCache::new(rule, cfg.prompt_cache.entries));
        Self {
            prompt_cache,
            faults: RwLock::new(Arc::new(cfg.faults.clone())),
            corpus,
            cfg,
            started: Instant::now(),
            serial: AtomicU64::new(0),
            hits: Hits::default(),
            cancel,
            in_flight: AtomicU64::new(0),
            max_in_flight: AtomicU64::new(0),
        }
    }

    /// Count a request in flight until the guard drops.
    pub(crate) fn enter(self: &Arc<Self>) -> InFlightGuard {
        let now = self.in_flight.fetch_add(1, Ordering::AcqRel) + 1;
        self.max_in_flight.fetch_max(now, Ordering::AcqRel);
        InFlightGuard(Arc::clone(self))
    }

    /// Requests in flight now and the most at once since start or the last reset.
    pub(crate) fn load(&self) -> InFlight {
        InFlight {
            now: self.in_flight.load(Ordering::Acquire),
            max: self.max_in_flight.load(Ordering::Acquire),
        }
    }

    /// The next request's serial number and its random generator.
    pub(crate) fn next_request(&self) -> (u64, ChaCha8Rng) {
        let serial = self.serial.fetch_add(1, Ordering::Relaxed) + 1;
        (
            serial,
            ChaCha8Rng::seed_from_u64(mix(self.cfg.seed ^ mix(serial))),
        )
    }

    pub(crate) fn faults(&self) -> Arc<Faults> {
        Arc::clone(&self.faults.read().unwrap_or_else(PoisonError::into_inner))
    }

    pub(crate) fn set_faults(&self, faults: Faults) {
        *self.faults.write().unwrap_or_else(PoisonError::into_inner) = Arc::new(faults);
    }

    /// Put back the configured faults, zero the counters and empty the prompt cache.
    pub(crate) fn reset(&self) {
        self.set_faults(self.cfg.faults.clone());
        self.hits.clear();
        // the maximum starts again from what is in flight at the reset
        self.max_in_flight
            .store(self.in_flight.load(Ordering::Acquire), Ordering::Release);
        if let Some(c) = &self.prompt_cache {
            c.clear();
        }
    }

    pub(crate) fn admit(&self, rng: &mut ChaCha8Rng) -> Admission {
        let f = self.faults();
        let elapsed = self.started.elapsed().as_secs_f64();
        if f.down {
            return Admission::Outage(OutageMode::Error);
        }
        if let Some(o) = f.outage {
            if elapsed >= o.start_s && o.end_s.is_none_or(|end| elapsed < end) {
                return Admission::Outage(o.mode);
            }
        }
        let u = draw(rng);
        let mut edge = f.rate_limit_share;
        if u < edge {
            return Admission::Inject(Injected::RateLimited {
                retry_after_s: f.retry_after_s,
            });
        }
        edge += f.server_error_share;
        if u < edge {
            return Admission::Inject(Injected::ServerError);
        }
        edge += f.unavailable_share;
        if u < edge {
            return Admission::Inject(Injected::Unavailable);
        }
        edge += f.reset_share;
        if u < edge {
            return Admission::Reset;
        }
        let slow_headers = (draw(rng) < f.slow_headers_share && f.slow_headers_ms > 0)
            .then(|| Duration::from_millis(f.slow_headers_ms));
        let v = draw(rng);
        let stream_fault = if v < f.stall_share {
            Some(StreamFault::Stall {
                after: f.stall_after_tokens,
                pause: f.stall_ms.map(Duration::from_millis),
            })
        } else if v < f.stall_share + f.cut_share {
            Some(StreamFault::Cut {
                after: f.cut_after_tokens,
            })
        } else if v < f.stall_share + f.cut_share + f.stream_error_share {
            Some(StreamFault::Error {
                after: f.stream_error_after_tokens,
                kind: f.stream_error_kind,
            })
        } else {
            None
        };
        Admission::Pass {
            slow_headers,
            stream_fault,
        }
    }
}

/// Holds one request in its provider's in-flight count.
#[derive(Debug)]
pub(crate) struct InFlightGuard(Arc<Provider>);

impl Drop for InFlightGuard {
    fn drop(&mut self) {
        self.0.in_flight.fetch_sub(1, Ordering::AcqRel);
    }
}

/// Requests a provider is serving, as `GET /_emulator/info` reports them under `in_flight`: a
/// request counts from its arrival until its response body has been sent (a stream's last
/// event) or its connection is gone. Admin requests are not counted.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct InFlight {
    pub now: u64,
    /// The most in flight at once since start or the last reset.
    pub max: u64,
}

/// A response body that keeps its request in flight until it ends or is dropped; sizes and
/// trailers pass through, so a JSON body keeps its `content-length`.
struct Tracked {
    inner: Body,
    guard: Option<InFlightGuard>,
}

impl http_body::Body for Tracked {
    type Data = bytes::Bytes;
    type Error = axum::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<http_body::Frame<Self::Data>, Self::Error>>> {
        let polled = Pin::new(&mut self.inner).poll_frame(cx);
        if matches!(polled, Poll::Ready(None | Some(Err(_)))) {
            self.guard = None;
        }
        polled
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> http_body::SizeHint {
        self.inner.size_hint()
    }
}

/// Counters of one provider: requests per route and status, and faults that fired.
#[derive(Debug, Default)]
pub(crate) struct Hits {
    /// (route, status) → count; status 0 stands for a dropped connection.
    routes: Mutex<BTreeMap<(&'static str, u16), u64>>,
    reset: AtomicU64,
    stall: AtomicU64,
    cut: AtomicU64,
    stream_error: AtomicU64,
    slow_headers: AtomicU64,
    outage: AtomicU64,
}

impl Hits {
    pub(crate) fn record(&self, route: &'static str, status: u16) {
        *self
            .routes
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .entry((route, status))
            .or_insert(0) += 1;
    }

    pub(crate) fn fault_reset(&self) {
        self.reset.fetch_add(1, Ordering::Relaxed);
    }
    pub(crate) fn fault_stall(&self) {
        self.stall.fetch_add(1, Ordering::Relaxed);
    }
    pub(crate) fn fault_cut(&self) {
        self.cut.fetch_add(1, Ordering::Relaxed);
    }
    pub(crate) fn fault_stream_error(&self) {
        self.stream_error.fetch_add(1, Ordering::Relaxed);
    }
    pub(crate) fn fault_slow_headers(&self) {
        self.slow_headers.fetch_add(1, Ordering::Relaxed);
    }
    pub(crate) fn fault_outage(&self) {
        self.outage.fetch_add(1, Ordering::Relaxed);
    }

    fn clear(&self) {
        self.routes
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clear();
        for c in [
            &self.reset,
            &self.stall,
            &self.cut,
            &self.stream_error,
            &self.slow_headers,
            &self.outage,
        ] {
            c.store(0, Ordering::Relaxed);
        }
    }

    pub(crate) fn snapshot(&self) -> HitCounts {
        let mut out = HitCounts::default();
        for ((route, status), n) in self
            .routes
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .iter()
        {
            let entry = out.routes.entry((*route).to_owned()).or_default();
            entry.total += n;
            let key = if *status == 0 {
                "reset".to_owned()
            } else {
                status.to_string()
            };
            *entry.statuses.entry(key).or_insert(0) += n;
            out.total += n;
        }
        out.faults = FaultHits {
            reset: self.reset.load(Ordering::Relaxed),
            stall: self.stall.load(Ordering::Relaxed),
            cut: self.cut.load(Ordering::Relaxed),
            stream_error: self.stream_error.load(Ordering::Relaxed),
            slow_headers: self.slow_headers.load(Ordering::Relaxed),
            outage: self.outage.load(Ordering::Relaxed),
        };
        out
    }
}

/// Requests a provider has seen, as served by `GET /_emulator/hits`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct HitCounts {
    pub total: u64,
    /// Operation name (`chat.completions`, `messages`, `converse_stream`, ...) → counts.
    pub routes: BTreeMap<String, RouteHits>,
    pub faults: FaultHits,
}

impl HitCounts {
    /// Requests to `route` answered with `status` (`"200"`, `"429"`, `"reset"`).
    pub fn count(&self, route: &str, status: &str) -> u64 {
        self.routes
            .get(route)
            .and_then(|r| r.statuses.get(status))
            .copied()
            .unwrap_or(0)
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RouteHits {
    pub total: u64,
    /// HTTP status (or `reset`) → count.
    pub statuses: BTreeMap<String, u64>,
}

/// How often each fault fired.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FaultHits {
    pub reset: u64,
    pub stall: u64,
    pub cut: u64,
    /// Streams that ended with an in-stream error event.
    #[serde(default)]
    pub stream_error: u64,
    pub slow_headers: u64,
    pub outage: u64,
}

/// Handle a handler uses to drop its TCP connection.
#[derive(Clone, Debug)]
pub(crate) struct ConnKill(pub CancellationToken);

/// A TCP stream that is reset (SO_LINGER 0) rather than closed when its connection is killed.
struct KillableIo {
    inner: TcpStream,
    kill: CancellationToken,
}

impl Drop for KillableIo {
    fn drop(&mut self) {
        if self.kill.is_cancelled() {
            let _ = self.inner.set_zero_linger();
        }
    }
}

impl AsyncRead for KillableIo {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.inner).poll_read(cx, buf)
    }
}

impl AsyncWrite for KillableIo {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        Pin::new(&mut self.inner).poll_write(cx, buf)
    }
    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[std::io::IoSlice<'_>],
    ) -> Poll<std::io::Result<usize>> {
        Pin::new(&mut self.inner).poll_write_vectored(cx, bufs)
    }
    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }
    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }
    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}

async fn serve(
    listener: TcpListener,
    router: Router,
    provider: Arc<Provider>,
    cancel: CancellationToken,
    tracker: TaskTracker,
) {
    loop {
        let accepted = tokio::select! {
            r = listener.accept() => r,
            () = cancel.cancelled() => break,
        };
        let stream = match accepted {
            Ok((stream, _peer)) => stream,
            Err(error) => {
                // out of descriptors or a connection aborted before accept: back off briefly
                tracing::warn!(%error, "accept failed");
                tokio::time::sleep(Duration::from_millis(5)).await;
                continue;
            }
        };
        let _ = stream.set_nodelay(true);
        let kill = CancellationToken::new();
        let io = KillableIo {
            inner: stream,
            kill: kill.clone(),
        };
        let router = router.clone();
        let cancel = cancel.clone();
        let provider = Arc::clone(&provider);
        tracker.spawn(async move {
            let handle = ConnKill(kill.clone());
            let service = hyper::service::service_fn(move |mut req: http::Request<Incoming>| {
                req.extensions_mut().insert(handle.clone());
                let mut router = router.clone();
                // dropped with the handler's future if the connection goes first
                let guard =
                    (!req.uri().path().starts_with("/_emulator/")).then(|| provider.enter());
                async move {
                    let response =
                        tower_service::Service::call(&mut router, req.map(Body::new)).await;
                    let response = response.unwrap_or_else(|never| match never {});
                    Ok::<_, Infallible>(match guard {
                        Some(guard) => response.map(|inner| {
                            Body::new(Tracked {
                                inner,
                                guard: Some(guard),
                            })
                        }),
                        None => response,
                    })
                }
            });
            let conn = hyper::server::conn::http1::Builder::new()
                .keep_alive(true)
                .serve_connection(TokioIo::new(io), service);
            tokio::pin!(conn);
            let mut draining = false;
            loop {
                tokio::select! {
                    _ = conn.as_mut() => break,
                    () = kill.cancelled() => break,
                    () = cancel.cancelled(), if !draining => {
                        conn.as_mut().graceful_shutdown();
                        draining = true;
                    }
                }
            }
        });
    }
}

/// Starts emulated providers.
pub struct Emulator;

impl Emulator {
    /// Validate `config`, bind every provider's address and start serving. Port 0 binds a free
    /// port; [`RunningEmulator::providers`] tells which.
    pub async fn start(config: EmulatorConfig) -> Result<RunningEmulator, EmulatorError> {
        config.validate()?;
        let cancel = CancellationToken::new();
        let tracker = TaskTracker::new();
        let mut listeners = Vec::new();
        for p in &config.providers {
            let listener =
                TcpListener::bind(p.listen)
                    .await
                    .map_err(|source| EmulatorError::Bind {
                        provider: p.name.clone(),
                        addr: p.listen,
                        source,
                    })?;
            let addr = listener
                .local_addr()
                .map_err(|source| EmulatorError::Bind {
                    provider: p.name.clone(),
                    addr: p.listen,
                    source,
                })?;
            listeners.push((listener, addr));
        }
        let mut providers = Vec::new();
        let mut states = Vec::new();
        for (p, (listener, addr)) in config.providers.into_iter().zip(listeners) {
            let bound = BoundProvider {
                name: p.name.clone(),
                protocol: p.protocol,
                dialect: p.dialect,
                addr,
                base_url: format!("http://{addr}{}", p.base_path()),
            };
            let state = Arc::new(Provider::new(p, cancel.child_token()));
            let router = crate::app(Arc::clone(&state));
            tracker.spawn(serve(
                listener,
                router,
                Arc::clone(&state),
                cancel.clone(),
                tracker.clone(),
            ));
            tracing::info!(provider = %bound.name, addr = %addr, "emulated provider listening");
            providers.push(bound);
            states.push(state);
        }
        Ok(RunningEmulator {
            providers,
            states,
            cancel,
            tracker,
        })
    }
}

/// Where a provider listens.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BoundProvider {
    pub name: String,
    pub protocol: Protocol,
    #[serde(serialize_with = "ser_dialect")]
    pub dialect: Dialect,
    pub addr: SocketAddr,
    /// What an SDK takes as its base URL (`http://127.0.0.1:PORT/v1` for OpenAI).
    pub base_url: String,
}

fn ser_dialect<S: serde::Serializer>(d: &Dialect, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(d.as_str())
}

/// Emulated providers that are serving; dropping it does not stop them, call
/// [`RunningEmulator::shutdown`].
#[derive(Debug)]
pub struct RunningEmulator {
    providers: Vec<BoundProvider>,
    states: Vec<Arc<Provider>>,
    cancel: CancellationToken,
    tracker: TaskTracker,
}

impl RunningEmulator {
    pub fn providers(&self) -> &[BoundProvider] {
        &self.providers
    }

    pub fn provider(&self, name: &str) -> Option<&BoundProvider> {
        self.providers.iter().find(|p| p.name == name)
    }

    fn state(&self, name: &str) -> Result<&Arc<Provider>, EmulatorError> {
        self.states
            .iter()
            .find(|s| s.cfg.name == name)
            .ok_or_else(|| EmulatorError::UnknownProvider(name.to_owned()))
    }

    /// Faults in force now.
    pub fn faults(&self, name: &str) -> Result<Faults, EmulatorError> {
        Ok((*self.state(name)?.faults()).clone())
    }

    /// Replace a provider's faults (what `PUT /_emulator/faults` does).
    pub fn set_faults(&self, name: &str, faults: Faults) -> Result<(), EmulatorError> {
        let state = self.state(name)?;
        let problems = faults.problems();
        if !problems.is_empty() {
            return Err(EmulatorError::InvalidFaults(
                problems
                    .into_iter()
                    .map(|(key, message)| ConfigIssue {
                        key: format!("faults.{key}"),
                        message,
                    })
                    .collect(),
            ));
        }
        state.set_faults(faults);
        Ok(())
    }

    /// Counters of one provider.
    pub fn hits(&self, name: &str) -> Result<HitCounts, EmulatorError> {
        Ok(self.state(name)?.hits.snapshot())
    }

    /// Requests a provider is serving now and the most at once since start or the last reset.
    pub fn in_flight(&self, name: &str) -> Result<InFlight, EmulatorError> {
        Ok(self.state(name)?.load())
    }

    /// Zero the counters, restore the configured faults and empty the prompt cache.
    pub fn reset(&self, name: &str) -> Result<(), EmulatorError> {
        self.state(name)?.reset();
        Ok(())
    }

    /// Cancelling this token starts shutdown (for signal handlers).
    pub fn shutdown_token(&self) -> CancellationToken {
        self.cancel.clone()
    }

    /// Resolves once shutdown has been requested through [`Self::shutdown_token`].
    pub async fn cancelled(&self) {
        self.cancel.cancelled().await;
    }

    /// Stop accepting, end open streams, and wait (up to 5 s) for connections to close.
    pub async fn shutdown(self) {
        self.cancel.cancel();
        self.tracker.close();
        if tokio::time::timeout(DRAIN_DEADLINE, self.tracker.wait())
            .await
            .is_err()
        {
            tracing::warn!("emulator connections still open after the drain deadline");
        }
    }
}
