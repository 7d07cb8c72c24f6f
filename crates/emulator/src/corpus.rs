//! Pre-generated text. Each provider builds one corpus from its seed at start-up; a response is a
//! run of tokens taken from it, starting at a sentence chosen by the request's hash. Streaming a
//! response then only slices this buffer: no text is generated per token.

use std::borrow::Cow;
use std::sync::Arc;

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use crate::tokenize::token_ends;

/// Tokens in a corpus; responses longer than this wrap around.
const CORPUS_TOKENS: usize = 1 << 16;

pub(crate) const WORDS: &[&str] = &[
    "cloud",
    "model",
    "token",
    "latency",
    "region",
    "price",
    "cost",
    "budget",
    "gateway",
    "request",
    "response",
    "stream",
    "provider",
    "service",
    "network",
    "cluster",
    "compute",
    "storage",
    "memory",
    "cache",
    "queue",
    "policy",
    "route",
    "failover",
    "replica",
    "quota",
    "limit",
    "rate",
    "window",
    "metric",
    "signal",
    "trace",
    "report",
    "ranking",
    "evidence",
    "measure",
    "weight",
    "criterion",
    "score",
    "choice",
    "business",
    "customer",
    "team",
    "platform",
    "engine",
    "system",
    "record",
    "source",
    "market",
    "share",
    "growth",
    "plan",
    "the",
    "a",
    "an",
    "of",
    "to",
    "in",
    "on",
    "for",
    "with",
    "and",
    "or",
    "but",
    "as",
    "by",
    "from",
    "at",
    "into",
    "over",
    "under",
    "between",
    "after",
    "before",
    "every",
    "each",
    "some",
    "many",
    "few",
    "more",
    "less",
    "most",
    "fast",
    "slow",
    "steady",
    "cheap",
    "secure",
    "local",
    "global",
    "stable",
    "simple",
    "clear",
    "open",
    "private",
    "shared",
    "careful",
    "quick",
    "bright",
    "quiet",
    "strong",
    "light",
    "small",
    "large",
    "early",
    "late",
    "new",
    "runs",
    "moves",
    "holds",
    "sends",
    "reads",
    "writes",
    "checks",
    "finds",
    "keeps",
    "turns",
    "builds",
    "serves",
    "answers",
    "counts",
    "ranks",
    "routes",
    "stores",
    "scales",
    "waits",
    "starts",
    "stops",
    "grows",
    "falls",
    "meets",
    "shows",
    "gives",
    "takes",
    "makes",
    "leads",
    "river",
    "mountain",
    "harbor",
    "garden",
    "bridge",
    "lantern",
    "morning",
    "evening",
    "season",
    "journey",
    "signal",
    "compass",
    "letter",
    "window",
    "table",
    "paper",
    "story",
    "number",
    "answer",
    "question",
    "reason",
    "pattern",
    "detail",
    "example",
    "moment",
    "seven",
    "twelve",
    "forty",
    "hundred",
    "thousand",
    "first",
    "second",
    "third",
    "last",
];

/// A long, fixed text with its token boundaries.
#[derive(Debug)]
pub(crate) struct Corpus {
    text: String,
    /// Byte offset where token `i` starts (no leading space).
    starts: Vec<u32>,
    /// Byte offset where token `i` ends.
    ends: Vec<u32>,
    /// Token indices that begin a sentence.
    sentence_starts: Vec<u32>,
}

impl Corpus {
    pub(crate) fn generate(seed: u64) -> Self {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let mut text = String::with_capacity(CORPUS_TOKENS * 7);
        let mut sentence_starts = Vec::new();
        let mut tokens = 0usize;
        while tokens < CORPUS_TOKENS {
            sentence_starts.push(tokens as u32);
            let words = rng.random_range(6..18);
            for w in 0..words {
                let word = WORDS[rng.random_range(0..WORDS.len())];
                if !text.is_empty() {
                    text.push(' ');
                }
                if w == 0 {
                    let mut chars = word.chars();
                    if let Some(first) = chars.next() {
                        text.push(first.to_ascii_uppercase());
                        text.push_str(chars.as_str());
                    }
                } else {
                    text.push_str(word);
                }
                tokens += 1;
                if w + 1 < words && w > 1 && rng.random_bool(0.12) {
                    text.push(',');
                    tokens += 1;
                }
            }
            text.push('.');
            tokens += 1;
        }
        let ends_usize = token_ends(&text);
        let mut starts = Vec::with_capacity(ends_usize.len());
        let mut ends = Vec::with_capacity(ends_usize.len());
        let mut prev = 0usize;
        for end in ends_usize {
            let piece = &text[prev..end];
            let lead = piece.len() - piece.trim_start().len();
            starts.push((prev + lead) as u32);
            ends.push(end as u32);
            prev = end;
        }
        Self {
            text,
            starts,
            ends,
            sentence_starts,
        }
    }

    fn len(&self) -> usize {
        self.ends.len()
    }

    /// A sentence start chosen by `hash`.
    pub(crate) fn start_for(&self, hash: u64) -> usize {
        let n = self.sentence_starts.len().max(1) as u64;
        self.sentence_starts
            .get((hash % n) as usize)
            .map_or(0, |s| *s as usize)
    }

    fn word(&self, i: usize) -> &str {
        let s = self.starts[i] as usize;
        let e = self.ends[i] as usize;
        &self.text[s..e]
    }
}

/// The tokens of one piece of output (text, reasoning, or tool-call arguments).
#[derive(Debug, Clone)]
pub(crate) enum Pieces {
    /// `count` tokens of the corpus from token `first` on, wrapping at its end.
    Corpus {
        corpus: Arc<Corpus>,
        first: usize,
        count: usize,
    },
    /// Text made for this response (JSON content, tool arguments) with its token ends.
    Owned { text: String, ends: Vec<usize> },
}

impl Pieces {
    pub(crate) fn corpus(corpus: &Arc<Corpus>, first: usize, count: usize) -> Self {
        Self::Corpus {
            corpus: Arc::clone(corpus),
            first: first % corpus.len().max(1),
            count,
        }
    }

    pub(crate) fn owned(text: String) -> Self {
        let ends = token_ends(&text);
        Self::Owned { text, ends }
    }

    /// The first `n` tokens (all of them when there are fewer).
    pub(crate) fn truncated(self, n: usize) -> Self {
        if n >= self.len() {
            return self;
        }
        match self {
            Self::Corpus { corpus, first, .. } => Self::Corpus {
                corpus,
                first,
                count: n,
            },
            Self::Owned { text, ends } => {
                let cut = if n == 0 { 0 } else { ends[n - 1] };
                Self::Owned {
                    text: text[..cut].to_owned(),
                    ends: ends[..n].to_vec(),
                }
            }
        }
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Number of tokens.
    pub(crate) fn len(&self) -> usize {
        match self {
            Self::Corpus { count, .. } => *count,
            Self::Owned { ends, .. } => ends.len(),
        }
    }

    /// The text of tokens `from..to`, as a client concatenating deltas sees it.
    pub(crate) fn slice(&self, from: usize, to: usize) -> Cow<'_, str> {
        let to = to.min(self.len());
        if from >= to {
            return Cow::Borrowed("");
        }
        match self {
            Self::Owned { text, ends } => {
                let start = if from == 0 { 0 } else { ends[from - 1] };
                Cow::Borrowed(&text[start..ends[to - 1]])
            }
            Self::Corpus {
                corpus,
                first,
                count: _,
            } => {
                let n = corpus.len();
                let a = (first + from) % n;
                let b = (first + to - 1) % n;
                if a <= b && (from == 0 || a > 0) {
                    // contiguous in the buffer
                    let start = if from == 0 {
                        corpus.starts[a]
                    } else {
                        corpus.ends[a - 1]
                    } as usize;
                    Cow::Borrowed(&corpus.text[start..corpus.ends[b] as usize])
                } else {
                    let mut out = String::new();
                    for k in from..to {
                        let i = (first + k) % n;
                        if k == from && from == 0 {
                            out.push_str(corpus.word(i));
                        } else if i == 0 {
                            out.push(' ');
                            out.push_str(corpus.word(0));
                        } else {
                            let s = corpus.ends[i - 1] as usize;
                            out.push_str(&corpus.text[s..corpus.ends[i] as usize]);
                        }
                    }
                    Cow::Owned(out)
                }
            }
        }
    }

    /// The whole text.
    pub(crate) fn full(&self) -> Cow<'_, str> {
        self.slice(0, self.len())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tokenize::count_tokens;

    #[test]
    fn corpus_is_deterministic_per_seed() {
        let a = Corpus::generate(7);
        let b = Corpus::generate(7);
        let c = Corpus::generate(8);
        assert_eq!(a.text, b.text);
        assert_ne!(a.text, c.text);
        assert!(a.len() >= CORPUS_TOKENS);
    }

    #[test]
    fn slices_concatenate_to_full_text_with_exact_token_counts() {
        let corpus = Arc::new(Corpus::generate(1));
        let n = corpus.len();
        for (first, count) in [(0, 10), (5, 37), (n - 3, 9), (n - 1, 1), (17, 1)] {
            let pieces = Pieces::corpus(&corpus, first, count);
            let full = pieces.full().into_owned();
            assert_eq!(count_tokens(&full) as usize, count, "first {first}");
            assert!(!full.starts_with(' '));
            let mut joined = String::new();
            for k in 0..count {
                let piece = pieces.slice(k, k + 1);
                assert_eq!(count_tokens(&piece), 1);
                joined.push_str(&piece);
            }
            assert_eq!(joined, full);
            let mut by_three = String::new();
            let mut k = 0;
            while k < count {
                by_three.push_str(&pieces.slice(k, k + 3));
                k += 3;
            }
            assert_eq!(by_three, full);
        }
    }

    #[test]
    fn sentence_starts_are_capitalised() {
        let corpus = Arc::new(Corpus::generate(3));
        for h in 0..20u64 {
            let first = corpus.start_for(h.wrapping_mul(0x9E37_79B9_7F4A_7C15));
            let text = Pieces::corpus(&corpus, first, 3).full().into_owned();
            assert!(
                text.chars().next().is_some_and(|c| c.is_ascii_uppercase()),
                "{text}"
            );
        }
    }
}
