//! The emulator's tokenizer: simple, documented and used the same way for input and output, so
//! usage numbers can be checked by hand.
//!
//! A token is a maximal run of ASCII letters and digits, or any other single character that is
//! not whitespace (punctuation, a CJK ideograph, an emoji). Whitespace separates tokens and is
//! never counted. `"Hello, world!"` is 4 tokens; `"你好"` is 2; `{"a": 1}` is 7.

/// Number of tokens in `text`.
pub fn count_tokens(text: &str) -> u32 {
    let mut count = 0u32;
    let mut in_word = false;
    for c in text.chars() {
        if c.is_ascii_alphanumeric() {
            if !in_word {
                count = count.saturating_add(1);
                in_word = true;
            }
        } else {
            in_word = false;
            if !c.is_whitespace() {
                count = count.saturating_add(1);
            }
        }
    }
    count
}

/// Byte offsets where each token of `text` ends. The last entry is stretched to `text.len()` so
/// that slicing piece by piece (`prev_end..end`) reproduces the whole text.
pub(crate) fn token_ends(text: &str) -> Vec<usize> {
    let mut ends = Vec::new();
    let mut in_word = false;
    for (i, c) in text.char_indices() {
        let next = i + c.len_utf8();
        if c.is_ascii_alphanumeric() {
            if in_word {
                if let Some(last) = ends.last_mut() {
                    *last = next;
                }
            } else {
                ends.push(next);
                in_word = true;
            }
        } else {
            in_word = false;
            if !c.is_whitespace() {
                ends.push(next);
            }
        }
    }
    if let Some(last) = ends.last_mut() {
        *last = text.len();
    }
    ends
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_documented_examples() {
        for (text, expected) in [
            ("", 0),
            ("   ", 0),
            ("Hello, world!", 4),
            ("你好", 2),
            ("{\"a\": 1}", 7),
            ("don't stop", 4),
            ("gpt-4o", 3),
        ] {
            assert_eq!(count_tokens(text), expected, "{text:?}");
        }
    }

    #[test]
    fn ends_agree_with_count_and_cover_text() {
        for text in [
            "Hello, world!",
            " lead and trail ",
            "a",
            "{\"k\":[1,2]}",
            "你好 x",
        ] {
            let ends = token_ends(text);
            assert_eq!(ends.len() as u32, count_tokens(text), "{text:?}");
            let mut rebuilt = String::new();
            let mut prev = 0;
            for end in &ends {
                rebuilt.push_str(&text[prev..*end]);
                prev = *end;
            }
            if !ends.is_empty() {
                assert_eq!(rebuilt, text);
            }
        }
    }

    proptest::proptest! {
        #[test]
        fn pieces_rebuild_any_text(text in "\\PC{0,40}") {
            let ends = token_ends(&text);
            proptest::prop_assert_eq!(ends.len() as u32, count_tokens(&text));
            let mut prev = 0;
            let mut total = 0;
            for end in &ends {
                // every piece holds exactly one token
                proptest::prop_assert_eq!(count_tokens(&text[prev..*end]), 1);
                total += 1;
                prev = *end;
            }
            proptest::prop_assert_eq!(total, ends.len());
        }
    }
}
