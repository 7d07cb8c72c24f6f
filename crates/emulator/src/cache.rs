//! Prompt caching as the clouds report it: a bounded in-memory store of prompt-prefix hashes per
//! provider, so the cached-token fields of usage are real and deterministic.
//!
//! A protocol module turns a request into a [`Prompt`]: a chain of hashes over its units (tools,
//! system prompt, messages or content blocks, in the order the cloud renders them) with the
//! cumulative token count at each unit boundary, the same counts that make up `input_tokens`.
//! Serving a prompt ([`PromptCache::serve`]) finds the longest prefix already stored and then
//! stores this request's prefixes, under one short lock and no await. Which prefixes are stored
//! and how a hit is reported follow the provider's family ([`Rule::for_provider`]):
//!
//! | family | stored prefixes | smallest | reported in steps of | entry lives |
//! |---|---|---|---|---|
//! | OpenAI and compatible | every message boundary | 1024 | 128 | 5 min after last use |
//! | DeepSeek | end of the prompt, and prefixes two requests shared | 64 | 64 | until evicted |
//! | Gemini (and its OpenAI path) | every content boundary | 2048 | 1 | until evicted |
//! | Anthropic, Bedrock | only at cache markers (`cache_control`, `cachePoint`) | 1024 | 1 | 5 min after last use |
//!
//! Sources (as of the stored copies read 2026-10; numbers are the documented defaults, models
//! differ and config can override the minimum and lifetime):
//! * OpenAI: "Caching is enabled automatically for prompts that are 1024 tokens or longer"
//!   (developers.openai.com/docs/guides/prompt-caching); "cache hits occurring in increments of
//!   128 tokens" (openai-cookbook `Prompt_Caching_201.ipynb`); prefixes "remain active for 5 to
//!   10 minutes of inactivity" (the guide, as quoted by gist monperrus/9784f52d, 2026-10-03).
//!   Compatible members without their own documented rule (Azure, DashScope, Ark, Qianfan,
//!   Hunyuan, ModelArts, Kingsoft, Zhipu, Moonshot, Bedrock's OpenAI path) use OpenAI's: an
//!   assumption of ours.
//! * DeepSeek: "The cache system uses 64 tokens as a storage unit; content less than 64 tokens
//!   will not be cached" (api-docs.deepseek.com/news/news0802, 2024-08-02); cache prefix units are
//!   persisted "at the end position of the user input", and "when the system detects a common
//!   prefix across multiple requests, it will persist that common prefix"; unused entries are
//!   cleared "within a few hours to a few days" (api-docs.deepseek.com/guides/kv_cache). The
//!   fixed-interval units of long inputs and the unit at the end of the model output are not
//!   emulated.
//! * Anthropic: the prefix is "tools, system, and messages (in that order) up to and including
//!   the block designated with cache_control"; a top-level `cache_control` puts the breakpoint
//!   on the last cacheable block (automatic caching); a breakpoint checks earlier block
//!   boundaries for hits "up to approximately 20 blocks" back; at most 4 breakpoints; minimum
//!   1024 tokens for most models (more for some); lifetime 5 minutes refreshed on use, or
//!   `"ttl": "1h"`; `input_tokens` is the part after the last breakpoint
//!   (platform.claude.com/docs/en/build-with-claude/prompt-caching; the 4-breakpoint error text
//!   is quoted in many client repositories).
//! * Bedrock Converse: `cachePoint` blocks in `system`, `messages` and `toolConfig.tools`;
//!   `cacheReadInputTokens` / `cacheWriteInputTokens`; Claude models check about 20 preceding
//!   blocks; 1,024 tokens minimum for Claude Sonnet; 5 minutes of inactivity
//!   (docs.aws.amazon.com/bedrock/latest/userguide/prompt-caching.html as summarised by
//!   strandsagents.com and aws/agent-toolkit-for-aws `prompt-caching.md`).
//! * Gemini: implicit caching, minimum 2,048 tokens for Gemini 2.5 Flash and Pro (4,096 for
//!   newer models), hits reported in `usageMetadata.cachedContentTokenCount`
//!   (ai.google.dev/gemini-api/docs/caching, last updated 2026-10-13); no lifetime documented.
//!
//! Eviction: two generations of at most `entries / 2` each; an entry used or stored goes into
//! the young generation, and when that fills up the old one is dropped. That is an LRU
//! approximation with O(1) work per entry and nothing random in it.

use std::collections::HashMap;
use std::hash::{Hash, Hasher};
use std::sync::{Mutex, PoisonError};
use std::time::Duration;

use serde::Serialize;
use serde_json::Value;
use tokio::time::Instant;

use crate::config::{Dialect, Protocol, ProviderConfig};
use crate::plan::{count_fields_tokens, count_value_tokens};

/// Which prefixes of a served prompt a family stores.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Writes {
    /// Every unit boundary (OpenAI, Gemini).
    EveryBoundary,
    /// The whole prompt, plus a shorter prefix once a later request is seen to share it
    /// (DeepSeek's "common prefix detection").
    PromptEndAndShared,
    /// Only the prefixes ending at the request's cache markers (Anthropic, Bedrock).
    Markers,
}

impl Writes {
    fn as_str(self) -> &'static str {
        match self {
            Self::EveryBoundary => "every_boundary",
            Self::PromptEndAndShared => "prompt_end_and_shared",
            Self::Markers => "markers",
        }
    }
}

/// A family's caching rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Rule {
    pub writes: Writes,
    /// Shortest prefix that is cached, in tokens.
    pub min_tokens: u32,
    /// Cached counts are rounded down to a multiple of this.
    pub granularity: u32,
    /// How long an entry lives after its last use; `None` until evicted.
    pub ttl: Option<Duration>,
    /// Block boundaries before a marker that are checked for a hit.
    pub lookback: usize,
}

const FIVE_MINUTES: Duration = Duration::from_secs(300);

impl Rule {
    /// The documented rule of `protocol`/`dialect` (sources in the module docs).
    pub fn family(protocol: Protocol, dialect: Dialect) -> Self {
        let openai = Self {
            writes: Writes::EveryBoundary,
            min_tokens: 1024,
            granularity: 128,
            ttl: Some(FIVE_MINUTES),
            lookback: 0,
        };
        let gemini = Self {
            writes: Writes::EveryBoundary,
            min_tokens: 2048,
            granularity: 1,
            ttl: None,
            lookback: 0,
        };
        let markers = Self {
            writes: Writes::Markers,
            min_tokens: 1024,
            granularity: 1,
            ttl: Some(FIVE_MINUTES),
            lookback: 20,
        };
        match (protocol, dialect) {
            (Protocol::OpenAi, Dialect::DeepSeek) => Self {
                writes: Writes::PromptEndAndShared,
                min_tokens: 64,
                granularity: 64,
                ttl: None,
                lookback: 0,
            },
            (Protocol::OpenAi, Dialect::GeminiOpenAi) | (Protocol::Gemini, _) => gemini,
            (Protocol::OpenAi, _) => openai,
            (Protocol::Anthropic | Protocol::Bedrock, _) => markers,
        }
    }

    /// The family's rule with the provider's overrides; `None` when caching is off.
    pub fn for_provider(cfg: &ProviderConfig) -> Option<Self> {
        let c = &cfg.prompt_cache;
        if !c.enabled {
            return None;
        }
        let mut rule = Self::family(cfg.protocol, cfg.dialect);
        if let Some(n) = c.min_tokens {
            rule.min_tokens = n.max(1);
        }
        if let Some(s) = c.ttl_s {
            rule.ttl = (s > 0).then(|| Duration::from_secs(s));
        }
        Some(rule)
    }

    /// What a matched prefix of `tokens` reports as cached.
    fn reported(&self, tokens: u32) -> u32 {
        if tokens < self.min_tokens {
            0
        } else {
            tokens - tokens % self.granularity.max(1)
        }
    }
}

/// One unit boundary: the hash of everything up to it and the tokens so far.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Bound {
    key: u64,
    tokens: u32,
}

/// A cache marker after the unit at `at` (an index into the bounds).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Marker {
    at: usize,
    ttl: Option<Duration>,
}

/// A request's prompt as the cache sees it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Prompt {
    bounds: Vec<Bound>,
    markers: Vec<Marker>,
    tokens: u32,
}

impl Prompt {
    /// Tokens of the whole prompt: the request's `input_tokens`.
    pub fn tokens(&self) -> u32 {
        self.tokens
    }

    /// Cache markers the request carried.
    pub fn markers(&self) -> usize {
        self.markers.len()
    }
}

/// Builds a [`Prompt`] unit by unit, in the order the cloud renders the prompt, and counts the
/// prompt's tokens on the way: the protocols take `input_tokens` from [`Prompt::tokens`], so the
/// units always add up to the reported prompt and the text is tokenized once.
pub(crate) struct PromptBuilder {
    last: u64,
    hashing: bool,
    prompt: Prompt,
}

impl PromptBuilder {
    /// A prompt for `model`; `context` are request parts that change every cached prefix without
    /// being units themselves (a structured-output schema). With `hashing` false (caching is
    /// off) only tokens and markers are counted.
    pub fn new(model: &str, context: &[Option<&Value>], hashing: bool) -> Self {
        let mut h = PrefixHasher::default();
        if hashing {
            model.hash(&mut h);
            for part in context {
                match part {
                    Some(v) => feed(&mut h, v),
                    None => h.write_u8(0xA0),
                }
            }
        }
        Self {
            last: h.finish(),
            hashing,
            prompt: Prompt::default(),
        }
    }

    /// A unit made of `parts`, worth `tokens`.
    pub fn unit_of(&mut self, parts: &[&Value], tokens: u32) {
        self.prompt.tokens = self.prompt.tokens.saturating_add(tokens);
        if !self.hashing {
            return;
        }
        let mut h = PrefixHasher::default();
        h.write_u64(self.last);
        for p in parts {
            feed(&mut h, p);
        }
        self.last = h.finish();
        self.prompt.bounds.push(Bound {
            key: self.last,
            tokens: self.prompt.tokens,
        });
    }

    /// A unit worth its own tokens.
    pub fn unit(&mut self, v: &Value) {
        self.unit_of(&[v], count_value_tokens(v));
    }

    /// One message whose content blocks are units (or markers, per `classify`). The first unit
    /// carries the role; the last one also takes the tokens of the message's other fields, so
    /// the units add up to the message's count. Content that is not a list is one unit.
    pub fn message<'a>(&mut self, m: &'a Value, classify: impl Fn(&'a Value) -> Block<'a>) {
        let Some(Value::Array(blocks)) = m.get("content") else {
            return self.unit(m);
        };
        let role = m.get("role").unwrap_or(&Value::Null);
        let others = count_fields_tokens(m, "content");
        let last_unit = blocks
            .iter()
            .rposition(|b| matches!(classify(b), Block::Unit { .. }));
        let mut first = true;
        for (j, b) in blocks.iter().enumerate() {
            match classify(b) {
                Block::Marker(x) => self.marker(marker_ttl(x)),
                Block::Unit { marker } => {
                    let mut tokens = count_value_tokens(b);
                    if Some(j) == last_unit {
                        tokens = tokens.saturating_add(others);
                    }
                    if first {
                        self.unit_of(&[role, b], tokens);
                        first = false;
                    } else {
                        self.unit_of(&[b], tokens);
                    }
                    if let Some(x) = marker {
                        self.marker(marker_ttl(x));
                    }
                }
            }
        }
        if last_unit.is_none() {
            // no content blocks, only markers or nothing: the role still starts a turn
            self.unit_of(&[role], others);
        }
    }

    /// A cache marker after the last unit. One before any unit marks nothing but still counts
    /// toward the protocol's marker limit.
    pub fn marker(&mut self, ttl: Option<Duration>) {
        let at = self
            .prompt
            .bounds
            .len()
            .checked_sub(1)
            .unwrap_or(usize::MAX);
        self.prompt.markers.push(Marker { at, ttl });
    }

    pub fn finish(self) -> Prompt {
        self.prompt
    }
}

/// What a content block is to the cache.
pub(crate) enum Block<'a> {
    /// Content, with the marker it carries (Anthropic `cache_control`).
    Unit { marker: Option<&'a Value> },
    /// A marker block of its own (Bedrock `cachePoint`), holding its settings.
    Marker(&'a Value),
}

/// The lifetime a marker asks for: `"ttl": "5m"` or `"1h"` (Anthropic `cache_control`, Bedrock
/// `cachePoint`); anything else keeps the rule's.
pub(crate) fn marker_ttl(marker: &Value) -> Option<Duration> {
    match marker.get("ttl").and_then(Value::as_str) {
        Some("5m") => Some(FIVE_MINUTES),
        Some("1h") => Some(Duration::from_secs(3600)),
        _ => None,
    }
}

/// The prefix keys: FxHash (`rustc-hash`) is fast on long prompt text and deterministic; keys
/// never leave the process, and strings are hashed with their terminator, so split points differ.
type PrefixHasher = rustc_hash::FxHasher;

/// Hash a JSON value, leaving out `cache_control` (a marker is not content: moving a breakpoint
/// forward must not change the prefix before it).
fn feed(h: &mut PrefixHasher, v: &Value) {
    match v {
        Value::Null => h.write_u8(0),
        Value::Bool(b) => {
            h.write_u8(1);
            h.write_u8(u8::from(*b));
        }
        Value::Number(n) => {
            h.write_u8(2);
            if let Some(i) = n.as_i64() {
                h.write_i64(i);
            } else if let Some(u) = n.as_u64() {
                h.write_u64(u);
            } else {
                h.write_u64(n.as_f64().unwrap_or(0.0).to_bits());
            }
        }
        Value::String(s) => {
            h.write_u8(3);
            s.hash(h);
        }
        Value::Array(xs) => {
            h.write_u8(4);
            h.write_usize(xs.len());
            for x in xs {
                feed(h, x);
            }
        }
        Value::Object(m) => {
            h.write_u8(5);
            for (k, x) in m {
                if k != "cache_control" {
                    k.hash(h);
                    feed(h, x);
                }
            }
            h.write_u8(6);
        }
    }
}

/// What the cache did for one request.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct CacheUse {
    /// Prompt tokens read from the cache (as reported: rounded, above the minimum).
    pub read: u32,
    /// Prompt tokens written to the cache (reported by marker protocols only).
    pub write: u32,
    /// The request carried cache markers (Bedrock reports cache fields only then).
    pub marked: bool,
}

#[derive(Debug, Clone, Copy)]
struct Entry {
    /// Can be read (DeepSeek stores shared prefixes only once they are seen twice).
    readable: bool,
    ttl: Option<Duration>,
    expires: Option<Instant>,
}

impl Entry {
    fn new(readable: bool, ttl: Option<Duration>, now: Instant) -> Self {
        Self {
            readable,
            ttl,
            expires: ttl.map(|t| now + t),
        }
    }
}

/// Counters for `/_emulator/info`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub(crate) struct CacheCounts {
    pub requests: u64,
    pub hits: u64,
    pub read_tokens: u64,
    pub write_tokens: u64,
}

#[derive(Debug, Default)]
struct Store {
    young: HashMap<u64, Entry>,
    old: HashMap<u64, Entry>,
    /// Entries per generation.
    half: usize,
    counts: CacheCounts,
}

impl Store {
    fn new(entries: usize) -> Self {
        Self {
            half: (entries / 2).max(1),
            ..Self::default()
        }
    }

    fn peek(&self, key: u64, now: Instant) -> Option<Entry> {
        let e = self.young.get(&key).or_else(|| self.old.get(&key))?;
        match e.expires {
            Some(t) if t <= now => None,
            _ => Some(*e),
        }
    }

    fn put(&mut self, key: u64, entry: Entry) {
        if self.old.remove(&key).is_none()
            && !self.young.contains_key(&key)
            && self.young.len() >= self.half
        {
            // the young generation is full: the old one (unused for a whole generation) goes
            std::mem::swap(&mut self.young, &mut self.old);
            self.young.clear();
        }
        self.young.insert(key, entry);
    }

    fn len(&self) -> usize {
        self.young.len() + self.old.len()
    }

    /// Serve `prompt` under `rule` at `now`: find the cached part, then store its prefixes.
    fn serve(&mut self, rule: &Rule, prompt: &Prompt, now: Instant) -> CacheUse {
        let used = match rule.writes {
            Writes::Markers => self.serve_marked(rule, prompt, now),
            Writes::EveryBoundary | Writes::PromptEndAndShared => {
                self.serve_implicit(rule, prompt, now)
            }
        };
        self.counts.requests += 1;
        self.counts.hits += u64::from(used.read > 0);
        self.counts.read_tokens += u64::from(used.read);
        self.counts.write_tokens += u64::from(used.write);
        used
    }

    fn serve_implicit(&mut self, rule: &Rule, prompt: &Prompt, now: Instant) -> CacheUse {
        let bounds = &prompt.bounds;
        // Tokens grow along the chain: scan from the end, stop below the minimum.
        let mut hit = 0;
        let mut shared = None;
        for (i, b) in bounds.iter().enumerate().rev() {
            if b.tokens < rule.min_tokens {
                break;
            }
            match self.peek(b.key, now) {
                Some(e) if e.readable => {
                    hit = b.tokens;
                    break;
                }
                Some(_) if shared.is_none() => shared = Some(i),
                _ => {}
            }
        }
        let last = bounds.len().checked_sub(1);
        for (i, b) in bounds.iter().enumerate() {
            if b.tokens < rule.min_tokens {
                continue;
            }
            let readable = match rule.writes {
                Writes::EveryBoundary => true,
                _ => {
                    Some(i) == last
                        || Some(i) == shared
                        || self.peek(b.key, now).is_some_and(|e| e.readable)
                }
            };
            self.put(b.key, Entry::new(readable, rule.ttl, now));
        }
        CacheUse {
            read: rule.reported(hit),
            write: 0,
            marked: !prompt.markers.is_empty(),
        }
    }

    fn serve_marked(&mut self, rule: &Rule, prompt: &Prompt, now: Instant) -> CacheUse {
        let bounds = &prompt.bounds;
        let mut markers: Vec<Marker> = prompt
            .markers
            .iter()
            .copied()
            .filter(|m| m.at < bounds.len())
            .collect();
        if markers.is_empty() {
            return CacheUse {
                marked: !prompt.markers.is_empty(),
                ..CacheUse::default()
            };
        }
        markers.sort_by_key(|m| m.at);
        markers.dedup_by_key(|m| m.at);
        // The longest stored prefix within the lookback window of some marker. Windows of later
        // markers cover later boundaries, so the first hit scanning backwards is the longest.
        let mut hit: Option<(usize, Entry)> = None;
        'scan: for m in markers.iter().rev() {
            for i in (m.at.saturating_sub(rule.lookback)..=m.at).rev() {
                if bounds[i].tokens < rule.min_tokens {
                    break;
                }
                if let Some(e) = self.peek(bounds[i].key, now).filter(|e| e.readable) {
                    hit = Some((i, e));
                    break 'scan;
                }
            }
        }
        let read = hit.map_or(0, |(i, _)| bounds[i].tokens);
        let written_to = markers
            .iter()
            .rev()
            .map(|m| bounds[m.at].tokens)
            .find(|t| *t >= rule.min_tokens)
            .unwrap_or(0);
        if let Some((i, e)) = hit {
            self.put(bounds[i].key, Entry::new(true, e.ttl, now));
        }
        for m in &markers {
            let b = bounds[m.at];
            if b.tokens >= rule.min_tokens {
                self.put(b.key, Entry::new(true, m.ttl.or(rule.ttl), now));
            }
        }
        CacheUse {
            read: rule.reported(read),
            write: written_to.saturating_sub(read),
            marked: true,
        }
    }
}

/// One provider's prompt cache.
#[derive(Debug)]
pub(crate) struct PromptCache {
    rule: Rule,
    entries: usize,
    store: Mutex<Store>,
}

impl PromptCache {
    pub fn new(rule: Rule, entries: usize) -> Self {
        Self {
            rule,
            entries,
            store: Mutex::new(Store::new(entries)),
        }
    }

    /// Report the cached part of `prompt` and store its prefixes (one lock, no await).
    pub fn serve(&self, prompt: &Prompt, now: Instant) -> CacheUse {
        self.store
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .serve(&self.rule, prompt, now)
    }

    pub fn clear(&self) {
        let mut s = self.store.lock().unwrap_or_else(PoisonError::into_inner);
        s.young.clear();
        s.old.clear();
        s.counts = CacheCounts::default();
    }

    /// The rule, entry count and counters, for `/_emulator/info`.
    pub fn info(&self) -> Value {
        let (stored, counts) = {
            let s = self.store.lock().unwrap_or_else(PoisonError::into_inner);
            (s.len(), s.counts)
        };
        serde_json::json!({
            "writes": self.rule.writes.as_str(),
            "min_tokens": self.rule.min_tokens,
            "granularity": self.rule.granularity,
            "ttl_s": self.rule.ttl.map(|t| t.as_secs()),
            "lookback_blocks": self.rule.lookback,
            "capacity": self.entries,
            "entries": stored,
            "counts": counts,
        })
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    /// A prompt of one unit per text, each worth `tokens[i]`.
    fn prompt(texts: &[&str], tokens: &[u32]) -> Prompt {
        let mut b = PromptBuilder::new("m", &[], true);
        for (t, n) in texts.iter().zip(tokens) {
            b.unit_of(&[&json!(t)], *n);
        }
        b.finish()
    }

    fn rule(writes: Writes, min: u32, gran: u32) -> Rule {
        Rule {
            writes,
            min_tokens: min,
            granularity: gran,
            ttl: None,
            lookback: 20,
        }
    }

    #[test]
    fn family_defaults_follow_the_documented_rules() {
        let oa = Rule::family(Protocol::OpenAi, Dialect::Standard);
        assert_eq!((oa.min_tokens, oa.granularity), (1024, 128));
        assert_eq!(oa.ttl, Some(FIVE_MINUTES));
        let ds = Rule::family(Protocol::OpenAi, Dialect::DeepSeek);
        assert_eq!((ds.min_tokens, ds.granularity), (64, 64));
        assert_eq!(ds.writes, Writes::PromptEndAndShared);
        assert_eq!(
            Rule::family(Protocol::Gemini, Dialect::Standard).min_tokens,
            2048
        );
        assert_eq!(
            Rule::family(Protocol::OpenAi, Dialect::GeminiOpenAi),
            Rule::family(Protocol::Gemini, Dialect::Standard)
        );
        let an = Rule::family(Protocol::Anthropic, Dialect::Standard);
        assert_eq!(
            (an.writes, an.min_tokens, an.lookback),
            (Writes::Markers, 1024, 20)
        );
        assert_eq!(Rule::family(Protocol::Bedrock, Dialect::Standard), an);
    }

    #[test]
    fn overrides_and_switching_off() {
        let mut cfg = ProviderConfig::new("p", Protocol::OpenAi);
        cfg.prompt_cache.min_tokens = Some(16);
        cfg.prompt_cache.ttl_s = Some(0);
        let r = Rule::for_provider(&cfg).unwrap();
        assert_eq!((r.min_tokens, r.granularity, r.ttl), (16, 128, None));
        cfg.prompt_cache.enabled = false;
        assert_eq!(Rule::for_provider(&cfg), None);
    }

    #[test]
    fn first_request_misses_repeat_hits_rounded_down_to_the_granularity() {
        let r = rule(Writes::EveryBoundary, 1024, 128);
        let mut s = Store::new(64);
        let now = Instant::now();
        let p = prompt(&["system", "user"], &[1000, 300]);
        assert_eq!(p.tokens(), 1300);
        assert_eq!(s.serve(&r, &p, now).read, 0);
        // 1300 tokens seen before: reported as 10 × 128
        assert_eq!(s.serve(&r, &p, now).read, 1280);
        // a new last message: the 1300-token prefix hits
        let longer = prompt(&["system", "user", "next"], &[1000, 300, 50]);
        assert_eq!(s.serve(&r, &longer, now).read, 1280);
        // a different second message: only the 1000-token system prompt is shared, below 1024
        let other = prompt(&["system", "other"], &[1000, 300]);
        assert_eq!(s.serve(&r, &other, now).read, 0);
    }

    #[test]
    fn prefixes_below_the_minimum_are_neither_read_nor_stored() {
        let r = rule(Writes::EveryBoundary, 1024, 128);
        let mut s = Store::new(64);
        let now = Instant::now();
        let short = prompt(&["a", "b"], &[500, 500]);
        s.serve(&r, &short, now);
        assert_eq!(s.len(), 0);
        assert_eq!(s.serve(&r, &short, now).read, 0);
        // exactly the minimum counts
        let edge = prompt(&["a", "b", "c"], &[500, 500, 24]);
        s.serve(&r, &edge, now);
        assert_eq!(s.serve(&r, &edge, now).read, 1024);
    }

    #[test]
    fn reported_rounding() {
        let r = rule(Writes::EveryBoundary, 1024, 128);
        assert_eq!(r.reported(1023), 0);
        assert_eq!(r.reported(1024), 1024);
        assert_eq!(r.reported(1151), 1024);
        assert_eq!(r.reported(1152), 1152);
        let ds = rule(Writes::PromptEndAndShared, 64, 64);
        assert_eq!(ds.reported(63), 0);
        assert_eq!(ds.reported(127), 64);
        // an overridden minimum that is not a multiple still rounds down
        assert_eq!(rule(Writes::EveryBoundary, 100, 128).reported(120), 0);
        assert_eq!(rule(Writes::EveryBoundary, 1, 1).reported(7), 7);
    }

    #[test]
    fn deepseek_stores_the_prompt_end_and_shared_prefixes_only() {
        // api-docs.deepseek.com/guides/kv_cache example 2: A+B, then A+C misses but makes A a
        // unit, then A+D hits A.
        let r = rule(Writes::PromptEndAndShared, 64, 64);
        let mut s = Store::new(64);
        let now = Instant::now();
        let ab = prompt(&["A", "B"], &[200, 100]);
        let ac = prompt(&["A", "C"], &[200, 100]);
        let ad = prompt(&["A", "D"], &[200, 100]);
        assert_eq!(s.serve(&r, &ab, now).read, 0);
        assert_eq!(s.serve(&r, &ac, now).read, 0);
        assert_eq!(s.serve(&r, &ad, now).read, 192);
        // example 1: A+B then A+B+C hits A+B (300 → 256)
        let abc = prompt(&["A", "B", "C"], &[200, 100, 40]);
        assert_eq!(s.serve(&r, &abc, now).read, 256);
        assert_eq!(s.serve(&r, &abc, now).read, 320);
    }

    #[test]
    fn markers_cache_only_up_to_the_marker_and_report_writes() {
        let r = rule(Writes::Markers, 1024, 1);
        let mut s = Store::new(64);
        let now = Instant::now();
        let marked = |question: &str| {
            let mut b = PromptBuilder::new("m", &[], true);
            b.unit_of(&[&json!("long system prompt")], 2000);
            b.marker(None);
            b.unit_of(&[&json!(question)], 30);
            b.finish()
        };
        let first = s.serve(&r, &marked("q1"), now);
        assert_eq!((first.read, first.write, first.marked), (0, 2000, true));
        let second = s.serve(&r, &marked("q2"), now);
        assert_eq!((second.read, second.write), (2000, 0));
        // no marker: nothing cached, nothing read, even for a stored prefix
        let unmarked = prompt(&["long system prompt", "q1"], &[2000, 30]);
        assert_eq!(s.serve(&r, &unmarked, now), CacheUse::default());
    }

    #[test]
    fn moving_a_marker_forward_reads_the_earlier_prefix_and_writes_the_rest() {
        let r = rule(Writes::Markers, 1024, 1);
        let mut s = Store::new(64);
        let now = Instant::now();
        // turn 1 marks its last message; turn 2 appends two messages and marks the new last one
        // (the client moved the block's `cache_control`, which is not part of the prefix)
        let turn = |n: usize| {
            let mut b = PromptBuilder::new("m", &[], true);
            for i in 0..n {
                let marked = i + 1 == n;
                let mut block = json!({"type": "text", "text": format!("message {i}")});
                if marked {
                    block["cache_control"] = json!({"type": "ephemeral"});
                }
                b.unit_of(&[&block], 600);
                if marked {
                    b.marker(None);
                }
            }
            b.finish()
        };
        assert_eq!(s.serve(&r, &turn(2), now).write, 1200);
        let u = s.serve(&r, &turn(4), now);
        assert_eq!((u.read, u.write), (1200, 1200));
    }

    #[test]
    fn lookback_is_limited_to_twenty_blocks() {
        let r = rule(Writes::Markers, 10, 1);
        let mut s = Store::new(256);
        let now = Instant::now();
        let blocks = |n: usize| {
            let mut b = PromptBuilder::new("m", &[], true);
            for i in 0..n {
                b.unit_of(&[&json!(i)], 10);
            }
            b.marker(None);
            b.finish()
        };
        s.serve(&r, &blocks(5), now);
        // 5 + 20 blocks: the 5-block prefix is exactly 20 back, still found
        assert_eq!(s.serve(&r, &blocks(25), now).read, 50);
        s.clear_for_test();
        s.serve(&r, &blocks(5), now);
        // 26 blocks: the stored prefix is 21 blocks back, out of reach
        assert_eq!(s.serve(&r, &blocks(26), now).read, 0);
    }

    #[test]
    fn entries_expire_after_their_ttl_from_the_last_use() {
        let mut r = rule(Writes::EveryBoundary, 1, 1);
        r.ttl = Some(Duration::from_secs(300));
        let mut s = Store::new(64);
        let t0 = Instant::now();
        let p = prompt(&["a"], &[10]);
        s.serve(&r, &p, t0);
        // used at 4 minutes: refreshed until 9 minutes
        assert_eq!(s.serve(&r, &p, t0 + Duration::from_secs(240)).read, 10);
        assert_eq!(s.serve(&r, &p, t0 + Duration::from_secs(539)).read, 10);
        assert_eq!(s.serve(&r, &p, t0 + Duration::from_secs(838)).read, 10);
        assert_eq!(s.serve(&r, &p, t0 + Duration::from_secs(1200)).read, 0);
        // unused for exactly the lifetime: gone
        let q = prompt(&["b"], &[10]);
        s.serve(&r, &q, t0);
        assert_eq!(s.serve(&r, &q, t0 + Duration::from_secs(300)).read, 0);
    }

    #[test]
    fn marker_ttl_overrides_the_rule() {
        assert_eq!(
            marker_ttl(&json!({"type": "ephemeral", "ttl": "1h"})),
            Some(Duration::from_secs(3600))
        );
        assert_eq!(marker_ttl(&json!({"type": "ephemeral"})), None);
        let mut r = rule(Writes::Markers, 1, 1);
        r.ttl = Some(FIVE_MINUTES);
        let mut s = Store::new(64);
        let t0 = Instant::now();
        let mut b = PromptBuilder::new("m", &[], true);
        b.unit_of(&[&json!("doc")], 50);
        b.marker(Some(Duration::from_secs(3600)));
        let p = b.finish();
        s.serve(&r, &p, t0);
        assert_eq!(s.serve(&r, &p, t0 + Duration::from_secs(1800)).read, 50);
    }

    #[test]
    fn least_recently_used_entries_are_evicted_first() {
        let r = rule(Writes::EveryBoundary, 1, 1);
        // two generations of two
        let mut s = Store::new(4);
        let now = Instant::now();
        let one = |t: &str| prompt(&[t], &[5]);
        for t in ["a", "b", "c"] {
            s.serve(&r, &one(t), now);
        }
        // "a" is used again and survives; "b" was not and goes when "d" fills the generation
        assert_eq!(s.serve(&r, &one("a"), now).read, 5);
        s.serve(&r, &one("d"), now);
        assert!(s.len() <= 4);
        assert_eq!(s.serve(&r, &one("b"), now).read, 0);
        assert_eq!(s.serve(&r, &one("a"), now).read, 5);
    }

    #[test]
    fn hashes_ignore_cache_control_but_not_content_model_or_order() {
        let key = |model: &str, units: &[Value]| {
            let mut b = PromptBuilder::new(model, &[], true);
            for u in units {
                b.unit(u);
            }
            b.finish().bounds.last().map(|b| b.key)
        };
        let plain = key("m", &[json!({"type": "text", "text": "hello"})]);
        let marked = key(
            "m",
            &[json!({"type": "text", "text": "hello", "cache_control": {"type": "ephemeral"}})],
        );
        assert_eq!(plain, marked);
        assert_ne!(
            plain,
            key("m2", &[json!({"type": "text", "text": "hello"})])
        );
        assert_ne!(plain, key("m", &[json!({"type": "text", "text": "hullo"})]));
        assert_ne!(
            key("m", &[json!("a"), json!("b")]),
            key("m", &[json!("b"), json!("a")])
        );
        // the split into units matters too: "ab" as one unit is not "a" then "b"
        assert_ne!(
            key("m", &[json!(["a", "b"])]),
            key("m", &[json!("a"), json!("b")])
        );
    }

    #[test]
    fn units_add_up_to_the_independent_token_count_with_or_without_hashing() {
        let m = json!({"role": "user", "name": "Ann Lee", "content": [
            {"type": "text", "text": "Hello, world!"},
            {"cachePoint": {"type": "default"}},
            {"type": "image", "source": {"data": "AAAA"}},
            {"type": "text", "text": "twice: 2 words", "cache_control": {"type": "ephemeral"}}
        ]});
        fn classify(b: &Value) -> Block<'_> {
            match b.get("cachePoint") {
                Some(cp) => Block::Marker(cp),
                None => Block::Unit {
                    marker: b.get("cache_control"),
                },
            }
        }
        for hashing in [true, false] {
            let mut b = PromptBuilder::new("m", &[], hashing);
            b.message(&m, classify);
            b.unit(&json!({"role": "assistant", "content": "ok then"}));
            let p = b.finish();
            assert_eq!(p.tokens(), count_value_tokens(&m) + 2, "hashing {hashing}");
            assert_eq!(p.markers(), 2, "hashing {hashing}");
            if hashing {
                // text, image, text, then the assistant message; the last block carries "Ann Lee"
                let tokens: Vec<u32> = p.bounds.iter().map(|b| b.tokens).collect();
                assert_eq!(tokens, [4, 4, 10, 12]);
                assert_eq!(p.markers[0].at, 0);
                assert_eq!(p.markers[1].at, 2);
            } else {
                assert!(p.bounds.is_empty());
            }
        }
    }

    #[test]
    fn prefix_keys_separate_split_points_and_are_stable() {
        let key = |parts: &[Value]| {
            let mut h = PrefixHasher::default();
            for p in parts {
                feed(&mut h, p);
            }
            h.finish()
        };
        let s = |t: &str| Value::String(t.to_owned());
        assert_ne!(key(&[s("ab"), s("")]), key(&[s("a"), s("b")]));
        assert_ne!(key(&[s("abcdefgh")]), key(&[s("abcdefgh"), s("")]));
        assert_ne!(key(&[s("")]), key(&[]));
        assert_eq!(key(&[s("same text")]), key(&[s("same text")]));
        assert_ne!(
            key(&[serde_json::json!({"a": "b"})]),
            key(&[serde_json::json!({"ab": ""})])
        );
        let many: std::collections::HashSet<u64> = (0..10_000u32)
            .map(|i| key(&[Value::from(i), s("x")]))
            .collect();
        assert_eq!(many.len(), 10_000);
    }

    #[test]
    fn counters_and_clear() {
        let r = rule(Writes::EveryBoundary, 1, 1);
        let c = PromptCache::new(r, 16);
        let p = prompt(&["x"], &[9]);
        let now = Instant::now();
        c.serve(&p, now);
        c.serve(&p, now);
        let info = c.info();
        assert_eq!(info["entries"], 1);
        assert_eq!(info["counts"]["requests"], 2);
        assert_eq!(info["counts"]["hits"], 1);
        assert_eq!(info["counts"]["read_tokens"], 9);
        c.clear();
        assert_eq!(c.info()["entries"], 0);
        assert_eq!(c.serve(&p, now).read, 0);
    }

    impl Store {
        fn clear_for_test(&mut self) {
            self.young.clear();
            self.old.clear();
        }
    }
}
