//! The names the file format uses for enumerations, both ways. Parsing returns `None` for an
//! unknown name so the loader can report it with its place and the accepted names.

use std::fmt;

use crate::model::{
    AuthScheme, Capability, CertCoverage, Currency, Jurisdiction, ModelPurpose, ProtocolFamily,
    Reliability,
};

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

impl ModelPurpose {
    pub const ALL: [ModelPurpose; 7] = [
        ModelPurpose::General,
        ModelPurpose::Document,
        ModelPurpose::Code,
        ModelPurpose::Translation,
        ModelPurpose::Roleplay,
        ModelPurpose::Image,
        ModelPurpose::Search,
    ];

    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|p| p.name() == name)
    }

    pub fn name(self) -> &'static str {
        match self {
            ModelPurpose::General => "general",
            ModelPurpose::Document => "document",
            ModelPurpose::Code => "code",
            ModelPurpose::Translation => "translation",
            ModelPurpose::Roleplay => "roleplay",
            ModelPurpose::Image => "image",
            ModelPurpose::Search => "search",
        }
    }
}

impl fmt::Display for ModelPurpose {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl CertCoverage {
    pub const ALL: [CertCoverage; 4] = [
        CertCoverage::ModelService,
        CertCoverage::Platform,
        CertCoverage::OtherProduct,
        CertCoverage::Unstated,
    ];

    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|c| c.name() == name)
    }

    pub fn name(self) -> &'static str {
        match self {
            CertCoverage::ModelService => "model-service",
            CertCoverage::Platform => "platform",
            CertCoverage::OtherProduct => "other-product",
            CertCoverage::Unstated => "unstated",
        }
    }
}

impl fmt::Display for CertCoverage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// One name of the closed certification vocabulary.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CertificationName {
    /// The normalised name used in files, profiles and JSON (`ISO27001`, `MLPS`).
    pub name: &'static str,
    /// What it is, in English.
    pub en: &'static str,
    /// What it is, in Chinese.
    pub zh: &'static str,
    /// Whether the scheme has levels (`level = 3`); only graded schemes take a level.
    pub graded: bool,
}

const fn cert(
    name: &'static str,
    en: &'static str,
    zh: &'static str,
    graded: bool,
) -> CertificationName {
    CertificationName {
        name,
        en,
        zh,
        graded,
    }
}

/// Levels a graded scheme can have (MLPS 等级保护 has five).
pub const CERTIFICATION_LEVELS: std::ops::RangeInclusive<u8> = 1..=5;

/// Every certification, filing or compliance programme the catalog may record. A name outside
/// this table is an error, so profiles and catalog files cannot drift apart by spelling.
pub const CERTIFICATIONS: &[CertificationName] = &[
    cert(
        "MLPS",
        "Multi-Level Protection Scheme, China's graded cybersecurity protection (levels 1-5)",
        "网络安全等级保护（等保，1-5 级）",
        true,
    ),
    cert(
        "GENAI-FILING",
        "generative AI service filing with the Cyberspace Administration of China",
        "生成式人工智能服务备案",
        false,
    ),
    cert(
        "ALGORITHM-FILING",
        "algorithm filing (recommendation / deep-synthesis algorithms) with the CAC",
        "算法备案",
        false,
    ),
    cert(
        "ISO27001",
        "ISO/IEC 27001 information security management",
        "ISO/IEC 27001 信息安全管理体系",
        false,
    ),
    cert(
        "ISO27017",
        "ISO/IEC 27017 information security controls for cloud services",
        "ISO/IEC 27017 云服务信息安全控制",
        false,
    ),
    cert(
        "ISO27018",
        "ISO/IEC 27018 protection of personal data in public clouds",
        "ISO/IEC 27018 公有云个人信息保护",
        false,
    ),
    cert(
        "ISO27701",
        "ISO/IEC 27701 privacy information management",
        "ISO/IEC 27701 隐私信息管理体系",
        false,
    ),
    cert(
        "ISO9001",
        "ISO 9001 quality management",
        "ISO 9001 质量管理体系",
        false,
    ),
    cert(
        "ISO20000",
        "ISO/IEC 20000 IT service management",
        "ISO/IEC 20000 IT 服务管理体系",
        false,
    ),
    cert(
        "ISO22301",
        "ISO 22301 business continuity management",
        "ISO 22301 业务连续性管理体系",
        false,
    ),
    cert(
        "ISO42001",
        "ISO/IEC 42001 AI management system",
        "ISO/IEC 42001 人工智能管理体系",
        false,
    ),
    cert(
        "SOC1",
        "SOC 1 report (controls relevant to customers' financial reporting)",
        "SOC 1 报告（与财务报告相关的控制）",
        false,
    ),
    cert(
        "SOC2",
        "SOC 2 report (security, availability, confidentiality controls)",
        "SOC 2 报告（安全、可用性、保密性控制）",
        false,
    ),
    cert(
        "SOC3",
        "SOC 3 report (public summary of SOC 2)",
        "SOC 3 报告（SOC 2 的公开摘要）",
        false,
    ),
    cert(
        "CSA-STAR",
        "Cloud Security Alliance STAR certification or attestation",
        "CSA STAR 云安全认证",
        false,
    ),
    cert(
        "C-STAR",
        "CSA C-STAR cloud security assessment (China)",
        "CSA C-STAR 云安全评估（中国）",
        false,
    ),
    cert(
        "PCI-DSS",
        "Payment Card Industry Data Security Standard",
        "PCI DSS 支付卡行业数据安全标准",
        false,
    ),
    cert(
        "C5",
        "BSI C5, Germany's cloud computing compliance criteria catalogue",
        "德国 BSI C5 云计算合规标准",
        false,
    ),
    cert(
        "FedRAMP",
        "US FedRAMP authorisation, impact level not stated",
        "美国 FedRAMP 授权（未说明级别）",
        false,
    ),
    cert(
        "FedRAMP-High",
        "US FedRAMP authorisation at the High impact level",
        "美国 FedRAMP 高影响级授权",
        false,
    ),
    cert(
        "FedRAMP-Moderate",
        "US FedRAMP authorisation at the Moderate impact level",
        "美国 FedRAMP 中影响级授权",
        false,
    ),
    cert(
        "FIPS-140",
        "US FIPS 140 validated cryptographic modules",
        "美国 FIPS 140 密码模块验证",
        false,
    ),
    cert(
        "HIPAA",
        "US HIPAA health-data compliance (business associate agreement offered)",
        "美国 HIPAA 医疗数据合规（可签 BAA）",
        false,
    ),
    cert(
        "GDPR",
        "EU GDPR: a regulation, not a certificate; a record means a stated GDPR-compliance \
         programme or data-processing-agreement coverage",
        "欧盟 GDPR：法规而非认证；记录表示声明的合规计划或数据处理协议覆盖",
        false,
    ),
    cert(
        "MTCS-T3",
        "Singapore Multi-Tier Cloud Security, tier 3",
        "新加坡多层云安全标准（MTCS）第 3 级",
        false,
    ),
    cert(
        "IRAP",
        "Australian IRAP security assessment",
        "澳大利亚 IRAP 安全评估",
        false,
    ),
    cert(
        "TRUSTED-CLOUD",
        "Trusted Cloud assessment by CAICT",
        "可信云评估（中国信通院）",
        false,
    ),
    cert(
        "FINANCIAL-CLOUD",
        "qualifications to serve China's financial industry from the cloud",
        "金融云资质",
        false,
    ),
];

/// Older spellings kept readable: `(written, normalised name)`.
const CERTIFICATION_SPELLINGS: &[(&str, &str)] = &[("CSA-C-STAR", "C-STAR")];

/// The normalised certification name and level for `s`: the name case-insensitively, an older
/// spelling (`CSA-C-STAR`), or a graded scheme with its level appended (`MLPS3`, `MLPS-3` →
/// `("MLPS", Some(3))`). `None` for a name outside [`CERTIFICATIONS`] or a level out of range.
pub fn parse_certification(s: &str) -> Option<(&'static str, Option<u8>)> {
    let s = s.trim();
    let by_name = |n: &str| {
        CERTIFICATIONS
            .iter()
            .find(|c| c.name.eq_ignore_ascii_case(n))
            .map(|c| c.name)
            .or_else(|| {
                CERTIFICATION_SPELLINGS
                    .iter()
                    .find(|(old, _)| old.eq_ignore_ascii_case(n))
                    .map(|(_, new)| *new)
            })
    };
    if let Some(name) = by_name(s) {
        return Some((name, None));
    }
    // a graded name with its level: `MLPS3`, `MLPS-3`
    let digits = s.len() - s.trim_end_matches(|c: char| c.is_ascii_digit()).len();
    if digits == 0 {
        return None;
    }
    let (stem, level) = s.split_at(s.len() - digits);
    let stem = stem.strip_suffix('-').unwrap_or(stem);
    let level: u8 = level.parse().ok()?;
    let c = CERTIFICATIONS
        .iter()
        .find(|c| c.graded && c.name.eq_ignore_ascii_case(stem))?;
    CERTIFICATION_LEVELS
        .contains(&level)
        .then_some((c.name, Some(level)))
}

/// The vocabulary entry of a normalised name.
pub(crate) fn certification(name: &str) -> Option<&'static CertificationName> {
    CERTIFICATIONS.iter().find(|c| c.name == name)
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
        for p in ModelPurpose::ALL {
            assert_eq!(ModelPurpose::parse(p.name()), Some(p));
        }
        for c in CertCoverage::ALL {
            assert_eq!(CertCoverage::parse(c.name()), Some(c));
        }
        for c in CERTIFICATIONS {
            assert_eq!(parse_certification(c.name), Some((c.name, None)));
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
        assert_eq!(ModelPurpose::parse("chat"), None);
        assert_eq!(CertCoverage::parse("model service"), None);
    }

    #[test]
    fn certification_names_are_case_insensitive_and_graded_forms_carry_the_level() {
        type Parsed = Option<(&'static str, Option<u8>)>;
        let cases: &[(&str, Parsed)] = &[
            ("iso27001", Some(("ISO27001", None))),
            ("fedramp-high", Some(("FedRAMP-High", None))),
            ("MLPS", Some(("MLPS", None))),
            ("MLPS3", Some(("MLPS", Some(3)))),
            ("mlps4", Some(("MLPS", Some(4)))),
            ("MLPS-3", Some(("MLPS", Some(3)))),
            ("CSA-C-STAR", Some(("C-STAR", None))),
            ("MLPS0", None),
            ("MLPS6", None),
            ("MLPS-", None),
            ("ISO27001-3", None),
            ("SOC", None),
            ("", None),
        ];
        for (written, expected) in cases {
            assert_eq!(parse_certification(written), *expected, "{written}");
        }
    }

    #[test]
    fn certification_vocabulary_has_unique_names_and_only_mlps_is_graded() {
        let mut names: Vec<String> = CERTIFICATIONS
            .iter()
            .map(|c| c.name.to_uppercase())
            .collect();
        let n = names.len();
        names.sort();
        names.dedup();
        assert_eq!(names.len(), n, "names differ only by case");
        let graded: Vec<&str> = CERTIFICATIONS
            .iter()
            .filter(|c| c.graded)
            .map(|c| c.name)
            .collect();
        assert_eq!(graded, ["MLPS"]);
        assert!(CERTIFICATIONS
            .iter()
            .all(|c| !c.en.is_empty() && !c.zh.is_empty()));
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
