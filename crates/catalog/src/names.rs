//! The names the file format uses for enumerations, both ways. Parsing returns `None` for an
//! unknown name so the loader can report it with its place and the accepted names.

use std::fmt;

use crate::model::{AuthScheme, Capability, Currency, Jurisdiction, ProtocolFamily, Reliability};

impl Currency {
    pub const ALL: [Currency; 3] = [Currency::Usd, Currency::Cny, Currency::Eur];

    /// `USD`, `CNY`, `EUR` (upper case, as ISO 4217 writes them).
    pub fn parse(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|c| c.code() == code)
    }

    pub fn code(self) -> &'static str {
        match self {
            Currency::Usd => "USD",
            Currency::Cny => "CNY",
            Currency::Eur => "EUR",
        }
    }
}

impl Reliability {
    pub const ALL: [Reliability; 3] = [
        Reliability::Primary,
        Reliability::Secondary,
        Reliability::ThirdParty,
    ];

    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|r| r.name() == name)
    }

    pub fn name(self) -> &'static str {
        match self {
            Reliability::Primary => "primary",
            Reliability::Secondary => "secondary",
            Reliability::ThirdParty => "third-party",
        }
    }
}

impl fmt::Display for Reliability {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl Jurisdiction {
    /// `cn`, `hk`, `sg`, `us`, `eu`, `uk`, `jp`, or another two-letter lowercase code.
    pub fn parse(code: &str) -> Option<Self> {
        Some(match code {
            "cn" => Jurisdiction::MainlandChina,
            "hk" => Jurisdiction::HongKong,
            "sg" => Jurisdiction::Singapore,
            "us" => Jurisdiction::UnitedStates,
            "eu" => Jurisdiction::EuropeanUnion,
            "uk" => Jurisdiction::UnitedKingdom,
            "jp" => Jurisdiction::Japan,
            other if other.len() == 2 && other.bytes().all(|b| b.is_ascii_lowercase()) => {
                Jurisdiction::Other(other.to_owned())
            }
            _ => return None,
        })
    }

    /// The code used in files and JSON (`cn`, `us`, ...).
    pub fn code(&self) -> &str {
        match self {
            Jurisdiction::MainlandChina => "cn",
            Jurisdiction::HongKong => "hk",
            Jurisdiction::Singapore => "sg",
            Jurisdiction::UnitedStates => "us",
            Jurisdiction::EuropeanUnion => "eu",
            Jurisdiction::UnitedKingdom => "uk",
            Jurisdiction::Japan => "jp",
            Jurisdiction::Other(code) => code,
        }
    }

    /// English name for people (`mainland China`, `Hong Kong`, ...).
    pub fn name_en(&self) -> &str {
        match self {
            Jurisdiction::MainlandChina => "mainland China",
            Jurisdiction::HongKong => "Hong Kong",
            Jurisdiction::Singapore => "Singapore",
            Jurisdiction::UnitedStates => "United States",
            Jurisdiction::EuropeanUnion => "European Union",
            Jurisdiction::UnitedKingdom => "United Kingdom",
            Jurisdiction::Japan => "Japan",
            Jurisdiction::Other(code) => code,
        }
    }
}

impl fmt::Display for Jurisdiction {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

impl ProtocolFamily {
    pub const ALL: [ProtocolFamily; 5] = [
        ProtocolFamily::OpenAi,
        ProtocolFamily::Anthropic,
        ProtocolFamily::BedrockConverse,
        ProtocolFamily::Gemini,
        ProtocolFamily::Native,
    ];

    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|p| p.name() == name)
    }

    pub fn name(self) -> &'static str {
        match self {
            ProtocolFamily::OpenAi => "openai",
            ProtocolFamily::Anthropic => "anthropic",
            ProtocolFamily::BedrockConverse => "bedrock-converse",
            ProtocolFamily::Gemini => "gemini",
            ProtocolFamily::Native => "native",
        }
    }
}

impl fmt::Display for ProtocolFamily {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl AuthScheme {
    pub const ALL: [AuthScheme; 6] = [
        AuthScheme::Bearer,
        AuthScheme::ApiKeyHeader,
        AuthScheme::XApiKey,
        AuthScheme::GoogApiKey,
        AuthScheme::SigV4,
        AuthScheme::AkSkSignature,
    ];

    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|a| a.name() == name)
    }

    pub fn name(self) -> &'static str {
        match self {
            AuthScheme::Bearer => "bearer",
            AuthScheme::ApiKeyHeader => "api-key-header",
            AuthScheme::XApiKey => "x-api-key",
            AuthScheme::GoogApiKey => "goog-api-key",
            AuthScheme::SigV4 => "sigv4",
            AuthScheme::AkSkSignature => "ak-sk",
        }
    }
}

impl fmt::Display for AuthScheme {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl Capability {
    pub const ALL: [Capability; 8] = [
        Capability::Chat,
        Capability::Tools,
        Capability::Vision,
        Capability::Reasoning,
        Capability::Embeddings,
        Capability::JsonMode,
        Capability::Audio,
        Capability::ImageGeneration,
    ];

    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|c| c.name() == name)
    }

    pub fn name(self) -> &'static str {
        match self {
            Capability::Chat => "chat",
            Capability::Tools => "tools",
            Capability::Vision => "vision",
            Capability::Reasoning => "reasoning",
            Capability::Embeddings => "embeddings",
            Capability::JsonMode => "json-mode",
            Capability::Audio => "audio",
            Capability::ImageGeneration => "image-generation",
        }
    }
}

impl fmt::Display for Capability {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// `a, b or c` for error messages.
pub(crate) fn one_of(names: &[&str]) -> String {
    match names {
        [] => String::new(),
        [one] => format!("`{one}`"),
        [init @ .., last] => {
            let init: Vec<String> = init.iter().map(|n| format!("`{n}`")).collect();
            format!("{} or `{last}`", init.join(", "))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for c in Capability::ALL {
            assert_eq!(Capability::parse(c.name()), Some(c));
        }
        for p in ProtocolFamily::ALL {
            assert_eq!(ProtocolFamily::parse(p.name()), Some(p));
        }
        for a in AuthScheme::ALL {
            assert_eq!(AuthScheme::parse(a.name()), Some(a));
        }
        for c in Currency::ALL {
            assert_eq!(Currency::parse(c.code()), Some(c));
        }
        for code in ["cn", "hk", "sg", "us", "eu", "uk", "jp", "au"] {
            assert_eq!(
                Jurisdiction::parse(code).map(|j| j.code().to_owned()),
                Some(code.to_owned())
            );
        }
    }

    #[test]
    fn unknown_names_are_rejected() {
        assert_eq!(Capability::parse("Chat"), None);
        assert_eq!(Currency::parse("usd"), None);
        assert_eq!(Jurisdiction::parse("china"), None);
        assert_eq!(Jurisdiction::parse("CN"), None);
        assert_eq!(AuthScheme::parse("apikey"), None);
    }
}

/// The closest of `known` to `name` ("did you mean"), compared case-insensitively by edit
/// distance; `None` when nothing is close enough to be a likely typo (more than a third of the
/// longer name differs).
pub fn suggest<'a>(name: &str, known: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let want: Vec<char> = name.to_lowercase().chars().collect();
    known
        .into_iter()
        .map(|k| {
            let have: Vec<char> = k.to_lowercase().chars().collect();
            (edit_distance(&want, &have), have.len().max(want.len()), k)
        })
        .filter(|(d, len, _)| *d > 0 && *d * 3 <= *len)
        .min_by_key(|(d, _, k)| (*d, *k))
        .map(|(_, _, k)| k)
}

/// Levenshtein distance over chars (names are short, so the O(n·m) table is fine).
fn edit_distance(a: &[char], b: &[char]) -> usize {
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.iter().enumerate() {
        let mut cur = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            let sub = prev[j] + usize::from(ca != cb);
            cur[j + 1] = sub.min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        prev = cur;
    }
    prev[b.len()]
}

#[cfg(test)]
mod suggest_tests {
    use super::suggest;

    #[test]
    fn a_typo_finds_the_name_and_a_stranger_finds_nothing() {
        let known = ["GENAI-FILING", "ISO27001", "SOC2"];
        assert_eq!(suggest("GENAI-FILLING", known), Some("GENAI-FILING"));
        assert_eq!(
            suggest("iso27001", known),
            None,
            "same name is no suggestion"
        );
        assert_eq!(suggest("soc-2", known), Some("SOC2"));
        assert_eq!(suggest("kubernetes", known), None);
    }
}
