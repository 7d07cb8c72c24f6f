//! The paced stream: walks a [`Plan`] token by token on its schedule, hands each step to a
//! protocol encoder and yields the bytes. One `sleep_until` per chunk; fast paces put several
//! tokens in one chunk instead of sleeping for less than a millisecond.

use std::sync::Arc;

use bytes::{Bytes, BytesMut};
use futures::Stream;
use tokio::time::{sleep_until, Instant};

use crate::config::StreamErrorKind;
use crate::plan::{Plan, StreamFault};
use crate::server::Provider;

/// Writes one protocol's stream events. Indices are positions in `plan.blocks`.
pub(crate) trait Encoder: Send + Sync + 'static {
    /// Sent as soon as the response starts, before the first token is due (Anthropic's
    /// `message_start` and `ping`). Most protocols send nothing until the first token.
    fn open(&mut self, _plan: &Plan, _out: &mut BytesMut) {}
    /// Sent with the first token (OpenAI's role chunk, Bedrock's `messageStart`).
    fn begin(&mut self, plan: &Plan, out: &mut BytesMut);
    fn block_start(&mut self, plan: &Plan, block: usize, out: &mut BytesMut);
    fn delta(&mut self, plan: &Plan, block: usize, text: &str, out: &mut BytesMut);
    fn block_stop(&mut self, plan: &Plan, block: usize, out: &mut BytesMut);
    /// Finish reason, usage, terminator.
    fn finish(&mut self, plan: &Plan, out: &mut BytesMut);
    /// The protocol's in-stream error event; nothing follows it. `None`: the protocol's usual
    /// mid-stream error.
    fn error(&mut self, plan: &Plan, kind: Option<StreamErrorKind>, out: &mut BytesMut);
}

struct Driver<E> {
    plan: Plan,
    enc: E,
    provider: Arc<Provider>,
    /// When the first token is due (arrival + ttft, plus any stall so far).
    base: Instant,
    block: usize,
    tok: usize,
    /// Tokens generated so far, hidden reasoning included.
    emitted: u32,
    /// `Encoder::open` has run.
    opened: bool,
    started: bool,
    open: bool,
    stalled: bool,
    done: bool,
    buf: BytesMut,
}

/// The body stream for `plan`, with `arrival` the time the request came in.
pub(crate) fn paced<E: Encoder>(
    plan: Plan,
    enc: E,
    provider: Arc<Provider>,
    arrival: Instant,
) -> impl Stream<Item = Result<Bytes, std::io::Error>> + Send + 'static {
    let driver = Driver {
        base: arrival + plan.timing.ttft,
        plan,
        enc,
        provider,
        block: 0,
        tok: 0,
        emitted: 0,
        opened: false,
        started: false,
        open: false,
        stalled: false,
        done: false,
        buf: BytesMut::with_capacity(512),
    };
    futures::stream::unfold(driver, |mut d| async move {
        let item = d.step().await?;
        Some((item, d))
    })
}

fn cut_error() -> std::io::Error {
    std::io::Error::new(std::io::ErrorKind::ConnectionAborted, "emulated stream cut")
}

impl<E: Encoder> Driver<E> {
    /// The next chunk; `None` ends the body, `Err` aborts the connection.
    async fn step(&mut self) -> Option<Result<Bytes, std::io::Error>> {
        if self.done {
            return None;
        }
        if !self.opened {
            self.opened = true;
            self.enc.open(&self.plan, &mut self.buf);
            if !self.buf.is_empty() {
                return Some(Ok(self.buf.split().freeze()));
            }
        }
        loop {
            // faults that trigger at a token count
            match self.plan.fault {
                Some(StreamFault::Cut { after }) if self.emitted >= after => {
                    // Return Pending once so the server flushes what earlier chunks wrote:
                    // the client must receive the first N tokens before the connection dies.
                    self.provider.hits.fault_cut();
                    self.done = true;
                    tokio::time::sleep(std::time::Duration::from_millis(1)).await;
                    return Some(Err(cut_error()));
                }
                Some(StreamFault::Error { after, kind }) if self.emitted >= after => {
                    self.provider.hits.fault_stream_error();
                    self.enc.error(&self.plan, kind, &mut self.buf);
                    self.done = true;
                    return Some(Ok(self.buf.split().freeze()));
                }
                Some(StreamFault::Stall { after, pause })
                    if self.emitted >= after && !self.stalled =>
                {
                    self.stalled = true;
                    self.provider.hits.fault_stall();
                    match pause {
                        Some(p) => {
                            let until = Instant::now() + p;
                            tokio::select! {
                                () = sleep_until(until) => {}
                                () = self.provider.cancel.cancelled() => { self.done = true; return Some(Err(cut_error())); }
                            }
                            self.base += p;
                        }
                        None => {
                            self.provider.cancel.cancelled().await;
                            self.done = true;
                            return Some(Err(cut_error()));
                        }
                    }
                }
                _ => {}
            }
            let Some(block) = self.plan.blocks.get(self.block) else {
                if !self.started {
                    // nothing to send but the envelope
                    self.wait(0).await.ok()?;
                    self.enc.begin(&self.plan, &mut self.buf);
                    self.started = true;
                }
                self.enc.finish(&self.plan, &mut self.buf);
                self.done = true;
                return Some(Ok(self.buf.split().freeze()));
            };
            let len = block.pieces.len();
            if !block.visible || len == 0 {
                self.emitted += len as u32;
                self.block += 1;
                continue;
            }
            let mut take = self.plan.timing.tokens_per_chunk.min(len - self.tok).max(1);
            if let Some(after) = self.plan.fault.map(StreamFault::after) {
                if after > self.emitted {
                    take = take.min((after - self.emitted) as usize);
                }
            }
            // the last token of this chunk is due at base + (emitted + take - 1) * step
            if let Err(()) = self.wait(self.emitted + take as u32 - 1).await {
                self.done = true;
                return Some(Err(cut_error()));
            }
            if !self.started {
                self.enc.begin(&self.plan, &mut self.buf);
                self.started = true;
            }
            let index = self.block;
            if !self.open {
                self.enc.block_start(&self.plan, index, &mut self.buf);
                self.open = true;
            }
            let text = block.pieces.slice(self.tok, self.tok + take);
            self.enc.delta(&self.plan, index, &text, &mut self.buf);
            self.tok += take;
            self.emitted += take as u32;
            if self.tok >= len {
                self.enc.block_stop(&self.plan, index, &mut self.buf);
                self.open = false;
                self.block += 1;
                self.tok = 0;
            }
            return Some(Ok(self.buf.split().freeze()));
        }
    }

    /// Sleep until token number `token` is due; `Err` when the server shuts down.
    async fn wait(&self, token: u32) -> Result<(), ()> {
        let due = match self.plan.timing.per_token {
            Some(step) => self.base + step * token,
            None => self.base,
        };
        if due <= Instant::now() {
            return Ok(());
        }
        tokio::select! {
            () = sleep_until(due) => Ok(()),
            () = self.provider.cancel.cancelled() => Err(()),
        }
    }
}

/// Write `value` as one SSE `data:` line.
pub(crate) fn sse_data<T: serde::Serialize + ?Sized>(out: &mut BytesMut, value: &T) {
    use bytes::BufMut;
    out.put_slice(b"data: ");
    let _ = serde_json::to_writer(out.writer(), value);
    out.put_slice(b"\n\n");
}

/// Write `value` as one SSE event with a name.
pub(crate) fn sse_event<T: serde::Serialize + ?Sized>(out: &mut BytesMut, event: &str, value: &T) {
    use bytes::BufMut;
    out.put_slice(b"event: ");
    out.put_slice(event.as_bytes());
    out.put_slice(b"\ndata: ");
    let _ = serde_json::to_writer(out.writer(), value);
    out.put_slice(b"\n\n");
}
