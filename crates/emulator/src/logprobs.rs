//! Token log-probabilities for `logprobs: true`: made up, but deterministic (a function of the
//! answer's text and the token's position) and coherent: each sampled token is the most likely
//! at its position, the alternatives are other words, and the probabilities at a position add
//! up to less than one.

use serde_json::{json, Value};

use crate::corpus::WORDS;
use crate::plan::{mix, Fnv};
use crate::tokenize::token_ends;

/// Log-probabilities of one text's tokens, with `top` alternatives at each position.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Logprobs {
    seed: u64,
    top: usize,
}

/// Which fields an entry carries: Chat Completions and the Responses API's finished text have
/// `bytes`; the Responses stream events' entries do not (the SDK's `ResponseTextDeltaEvent`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Shape {
    WithBytes,
    NoBytes,
}

impl Logprobs {
    /// For the answer `full` (the whole text, so a stream and a plain body agree).
    pub(crate) fn new(full: &str, top: usize) -> Self {
        let mut h = Fnv::new();
        let _ = std::io::Write::write(&mut h, full.as_bytes());
        Self {
            seed: h.value(),
            top,
        }
    }

    /// Entries for the tokens of `text`, the first of which is token number `first` of the
    /// answer; returns them and how many tokens `text` held.
    pub(crate) fn entries(&self, text: &str, first: usize, shape: Shape) -> (Vec<Value>, usize) {
        let mut out = Vec::new();
        let mut prev = 0;
        for (k, end) in token_ends(text).into_iter().enumerate() {
            out.push(self.entry(&text[prev..end], first + k, shape));
            prev = end;
        }
        let n = out.len();
        (out, n)
    }

    fn entry(&self, token: &str, position: usize, shape: Shape) -> Value {
        let x = mix(self.seed ^ mix(position as u64));
        let u = (x >> 11) as f64 / (1u64 << 53) as f64;
        // mostly confident, sometimes not: p in (0.4, 1]
        let p = 1.0 - 0.6 * u * u * u;
        let logprob = p.ln();
        let lead = if token.starts_with(' ') { " " } else { "" };
        let mut top = Vec::with_capacity(self.top);
        if self.top > 0 {
            top.push(alternative(token, logprob, shape));
        }
        let mut pick = x;
        let mut share = 1.0 - p;
        while top.len() < self.top {
            pick = mix(pick);
            let word = format!("{lead}{}", WORDS[(pick % WORDS.len() as u64) as usize]);
            if word == token || top.iter().any(|t| t["token"] == word.as_str()) {
                continue;
            }
            // each alternative half as likely as the rest of the mass: the sum stays below 1
            share /= 2.0;
            top.push(alternative(&word, share.max(f64::MIN_POSITIVE).ln(), shape));
        }
        let mut e = alternative(token, logprob, shape);
        e["top_logprobs"] = Value::Array(top);
        e
    }
}

fn alternative(token: &str, logprob: f64, shape: Shape) -> Value {
    match shape {
        Shape::WithBytes => json!({"token": token, "logprob": logprob, "bytes": token.as_bytes()}),
        Shape::NoBytes => json!({"token": token, "logprob": logprob}),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entries_are_deterministic_coherent_and_split_like_the_text() {
        let text = "Hello, cloud world.";
        let lp = Logprobs::new(text, 5);
        let (all, n) = lp.entries(text, 0, Shape::WithBytes);
        assert_eq!(n, 5);
        let joined: String = all
            .iter()
            .map(|e| e["token"].as_str().unwrap_or_default().to_owned())
            .collect();
        assert_eq!(joined, text);
        assert_eq!(all[2]["token"], " cloud");
        assert_eq!(all[2]["bytes"], json!(b" cloud".to_vec()));
        for e in &all {
            let top = e["top_logprobs"].as_array().unwrap();
            assert_eq!(top.len(), 5);
            assert_eq!(top[0]["token"], e["token"]);
            let sum: f64 = top
                .iter()
                .map(|t| t["logprob"].as_f64().unwrap().exp())
                .sum();
            assert!(sum < 1.0 + 1e-9, "{sum}");
            let lp0 = e["logprob"].as_f64().unwrap();
            assert!(lp0 <= 0.0);
            assert!(top[1..]
                .iter()
                .all(|t| t["logprob"].as_f64().unwrap() < lp0));
        }
        // token by token from the right position: the same entries
        let (first, _) = lp.entries("Hello,", 0, Shape::WithBytes);
        let (rest, _) = lp.entries(" cloud world.", 2, Shape::WithBytes);
        assert_eq!([first, rest].concat(), all);
        let (no_bytes, _) = Logprobs::new(text, 0).entries(text, 0, Shape::NoBytes);
        assert!(no_bytes[0].get("bytes").is_none());
        assert_eq!(no_bytes[0]["top_logprobs"], json!([]));
    }
}
