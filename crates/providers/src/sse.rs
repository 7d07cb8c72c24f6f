//! Server-sent events (WHATWG HTML §9.2): an incremental decoder fed arbitrary byte chunks, and
//! the matching encoder.

/// One dispatched server-sent event.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SseEvent {
    /// The `event:` field; `None` means the default type `message`.
    pub event: Option<String>,
    pub data: String,
    pub id: Option<String>,
}

/// Incremental SSE parser: push bytes as they arrive, take complete events out.
#[derive(Debug, Default)]
pub struct SseDecoder {
    buf: Vec<u8>,
    /// The previous chunk ended in `\r`; a leading `\n` in the next one belongs to it.
    pending_cr: bool,
    event: Option<String>,
    data: String,
    has_data: bool,
    id: Option<String>,
    /// Bytes seen since the last dispatched event (to detect a stream cut mid-event).
    partial: bool,
}

impl SseDecoder {
    pub fn new() -> Self {
        Self::default()
    }

    /// Feeds bytes; returns every event completed by them.
    pub fn feed(&mut self, chunk: &[u8]) -> Vec<SseEvent> {
        let mut out = Vec::new();
        let mut chunk = chunk;
        if self.pending_cr {
            self.pending_cr = false;
            if let Some(rest) = chunk.strip_prefix(b"\n") {
                chunk = rest;
            }
        }
        if chunk.is_empty() {
            return out;
        }
        self.partial = true;
        self.buf.extend_from_slice(chunk);
        let mut start = 0;
        let mut i = 0;
        while i < self.buf.len() {
            let b = self.buf[i];
            if b == b'\n' || b == b'\r' {
                let line_end = i;
                if b == b'\r' {
                    if i + 1 < self.buf.len() {
                        if self.buf[i + 1] == b'\n' {
                            i += 1;
                        }
                    } else {
                        self.pending_cr = true;
                    }
                }
                let line = String::from_utf8_lossy(&self.buf[start..line_end]).into_owned();
                if let Some(ev) = self.line(&line) {
                    out.push(ev);
                }
                start = i + 1;
            }
            i += 1;
        }
        self.buf.drain(..start);
        out
    }

    /// Whether bytes of an unfinished event are buffered (a cut stream if the body ends now).
    pub fn has_partial_event(&self) -> bool {
        self.partial && (!self.buf.is_empty() || self.has_data || self.event.is_some())
    }

    fn line(&mut self, line: &str) -> Option<SseEvent> {
        if line.is_empty() {
            return self.dispatch();
        }
        if line.starts_with(':') {
            return None;
        }
        let (field, value) = match line.split_once(':') {
            Some((f, v)) => (f, v.strip_prefix(' ').unwrap_or(v)),
            None => (line, ""),
        };
        match field {
            "event" => self.event = Some(value.to_owned()),
            "data" => {
                if self.has_data {
                    self.data.push('\n');
                }
                self.data.push_str(value);
                self.has_data = true;
            }
            "id" if !value.contains('\0') => self.id = Some(value.to_owned()),
            _ => {}
        }
        None
    }

    fn dispatch(&mut self) -> Option<SseEvent> {
        let event = self.event.take();
        let id = self.id.take();
        self.partial = false;
        if !self.has_data {
            return None;
        }
        self.has_data = false;
        Some(SseEvent {
            event,
            data: std::mem::take(&mut self.data),
            id,
        })
    }
}

/// Encodes one event; multi-line data becomes several `data:` lines.
pub fn encode_event(event: Option<&str>, data: &str) -> String {
    let mut out = String::with_capacity(data.len() + 32);
    if let Some(e) = event {
        out.push_str("event: ");
        out.push_str(e);
        out.push('\n');
    }
    for line in data.split('\n') {
        out.push_str("data: ");
        out.push_str(line);
        out.push('\n');
    }
    out.push('\n');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn all(chunks: &[&[u8]]) -> Vec<SseEvent> {
        let mut d = SseDecoder::new();
        chunks.iter().flat_map(|c| d.feed(c)).collect()
    }

    #[test]
    fn parses_fields_comments_and_multiline_data() {
        let evs = all(&[b": ping\nevent: a\ndata: x\ndata:y\nid: 7\n\ndata: z\n\n"]);
        assert_eq!(
            evs,
            vec![
                SseEvent {
                    event: Some("a".into()),
                    data: "x\ny".into(),
                    id: Some("7".into())
                },
                SseEvent {
                    event: None,
                    data: "z".into(),
                    id: None
                }
            ]
        );
    }

    #[test]
    fn every_line_ending_and_every_split_gives_the_same_events() {
        let base = "event: e\ndata: héllo\n\ndata: 2\n\n";
        for eol in ["\n", "\r\n", "\r"] {
            let text = base.replace('\n', eol);
            let bytes = text.as_bytes();
            let whole = all(&[bytes]);
            assert_eq!(whole.len(), 2, "eol {eol:?}");
            for split in 0..bytes.len() {
                let (a, b) = bytes.split_at(split);
                assert_eq!(all(&[a, b]), whole, "eol {eol:?} split {split}");
            }
            let singles: Vec<&[u8]> = bytes.chunks(1).collect();
            assert_eq!(all(&singles), whole);
        }
    }

    #[test]
    fn empty_data_events_are_not_dispatched_and_partials_are_seen() {
        let mut d = SseDecoder::new();
        assert!(d.feed(b"event: x\n\n").is_empty());
        assert!(!d.has_partial_event());
        assert!(d.feed(b"data: {\"a\"").is_empty());
        assert!(d.has_partial_event());
    }

    #[test]
    fn encoder_output_decodes_back() {
        let text = encode_event(Some("message_delta"), "line1\nline2");
        let evs = all(&[text.as_bytes()]);
        assert_eq!(evs[0].event.as_deref(), Some("message_delta"));
        assert_eq!(evs[0].data, "line1\nline2");
    }
}
