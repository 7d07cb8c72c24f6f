//! The business profile: what a buyer tells cloudfit about itself.
//!
//! Read in two phases (docs/style.md rule 5): raw serde structs that reject unknown keys, read
//! through `serde_path_to_error`, then [`validate`] into the runtime [`Profile`], collecting
//! *every* problem as an [`Issue`] with file, line, key path and what was expected.

use std::collections::BTreeSet;
use std::fmt;
use std::path::Path;

use cloudfit_catalog::{Capability, Currency, Jurisdiction, Money};
use rust_decimal::Decimal;
use serde::Deserialize;
use toml::Spanned;

use crate::criterion::Criterion;
use crate::date::Date;

/// A validated profile.
#[derive(Clone, Debug)]
pub struct Profile {
    pub name: String,
    pub segment: Option<Segment>,
    /// The date the advice is for (incident window end). `None` = the caller decides.
    pub as_of: Option<Date>,
    pub constraints: Constraints,
    pub weights: WeightSpec,
    pub workload: Workload,
    pub current: Option<Current>,
    /// Where the profile came from, for messages (`examples/profiles/bank.toml`).
    pub file: String,
    /// What the reader changed on the way in (weights rescaled, ...), to be said to the user.
    pub notices: Vec<Notice>,
}

/// Something the reader did to the profile that the user should be told.
#[derive(Clone, Debug, PartialEq)]
pub struct Notice {
    pub key: String,
    pub en: String,
    pub zh: String,
}

/// A required or desired certification: a vocabulary name and, for graded schemes (MLPS), the
/// lowest level that satisfies it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CertRequirement {
    pub name: String,
    pub min_level: Option<u8>,
    pub line: Option<usize>,
}

impl CertRequirement {
    /// `MLPS3`, `GENAI-FILING`.
    pub fn label(&self) -> String {
        match self.min_level {
            Some(l) => format!("{}{l}", self.name),
            None => self.name.clone(),
        }
    }

    fn from_label(label: &str, line: Option<usize>) -> Self {
        let upper = label.trim().to_uppercase();
        match upper
            .strip_prefix("MLPS")
            .map(|l| l.trim_start_matches('-'))
        {
            Some(level) if !level.is_empty() && level.bytes().all(|b| b.is_ascii_digit()) => {
                CertRequirement {
                    name: "MLPS".to_owned(),
                    min_level: level.parse().ok(),
                    line,
                }
            }
            _ => CertRequirement {
                name: upper,
                min_level: None,
                line,
            },
        }
    }
}

/// What to do with a provider whose residency or required certification is unknown.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Unverified {
    /// List it apart, with the rank it would take if the constraint held and what to ask.
    #[default]
    ToVerify,
    /// The strict reading: exclude it.
    Exclude,
}

/// The report's three kinds of buyer (seed §二 "AI 云,都卖给了谁?").
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Segment {
    AiNative,
    Regulated,
    Sme,
}

/// A segment's preset weighting and the sentence of the report it is read from.
#[derive(Clone, Debug)]
pub struct Preset {
    /// Central weights in [`Criterion::ALL`] order; they sum to 1.
    pub weights: [f64; 6],
    /// Certifications the compliance criterion counts when the profile names none.
    pub desired_certifications: &'static [&'static str],
    /// The sentence of the seed report the preset is grounded in (Chinese original).
    pub source_zh: &'static str,
    pub source_en: &'static str,
}

impl Segment {
    pub fn key(self) -> &'static str {
        match self {
            Segment::AiNative => "ai-native",
            Segment::Regulated => "regulated",
            Segment::Sme => "sme",
        }
    }

    /// The preset weighting (cost, performance, stability, compliance, AI capability, migration).
    ///
    /// The report gives a split, not exact numbers, so [`WeightSpec::Preset`] hands SMAA an
    /// interval of ±50% around each preset weight ([`PRESET_SPREAD`]); TOPSIS/WSM use the centre.
    ///
    /// - ai-native: "看重 GPU 算力和模型服务 … Token 又便宜又快 … 这些客户要的是快,谁能让模型先跑起来,谁就赢"
    ///   → cost 0.25, performance 0.25, AI capability 0.30 (0.80 on tokens cheap, fast, capable);
    ///   stability 0.08, compliance 0.05, migration 0.07.
    /// - regulated: "金融客户选云时,甚至'技术只占三成,剩下七成都在聊合规和稳定性'"
    ///   → compliance 0.40 + stability 0.30 = 0.70; cost 0.10, performance 0.05,
    ///   AI capability 0.10, migration 0.05 = 0.30.
    /// - sme: "没精力比参数,更在意出了问题有人管 … 哪家客服回复快、不会让人半夜被问题叫醒"
    ///   → stability 0.35 (nobody woken at night), cost 0.25 (务实), migration 0.15 (省心:
    ///   little integration work), AI capability 0.10, compliance 0.10, performance 0.05.
    pub fn preset(self) -> Preset {
        match self {
            Segment::AiNative => Preset {
                weights: [0.25, 0.25, 0.08, 0.05, 0.30, 0.07],
                desired_certifications: &["ISO27001", "SOC2"],
                source_zh: "第一类是 AI 原生公司和研发投入高的团队,看重 GPU 算力和模型服务……这些客户要的是快,谁能让模型先跑起来,谁就赢。",
                source_en: "AI-native companies and R&D-heavy teams value GPU compute and model services; they want speed: whoever gets the model running first wins.",
            },
            Segment::Regulated => Preset {
                weights: [0.10, 0.05, 0.30, 0.40, 0.10, 0.05],
                desired_certifications: &["MLPS3", "ISO27001", "GENAI-FILING", "TRUSTED-CLOUD"],
                source_zh: "第二类是政务、金融及大型国央企……金融客户选云时,甚至“技术只占三成,剩下七成都在聊合规和稳定性”。",
                source_en: "Government, finance and large state-owned firms: for financial customers \"technology is only 30% of the decision, the other 70% is compliance and stability\".",
            },
            Segment::Sme => Preset {
                weights: [0.25, 0.05, 0.35, 0.10, 0.10, 0.15],
                desired_certifications: &["ISO27001"],
                source_zh: "第三类是广大中小企业及传统行业客户……没精力比参数,更在意出了问题有人管……哪家客服回复快、不会让人半夜被问题叫醒,哪家就是优选甚至首选。",
                source_en: "SMEs and traditional industries have no time to compare specs and care that someone answers when things break; whoever replies fast and never wakes them at night is their first choice.",
            },
        }
    }
}

/// Relative half-width of the SMAA interval around a preset weight.
pub const PRESET_SPREAD: f64 = 0.5;

/// How the profile states its criteria weights.
#[derive(Clone, Debug, PartialEq)]
pub enum WeightSpec {
    /// Exact weights in [`Criterion::ALL`] order, normalised to sum 1.
    Exact([f64; 6]),
    /// Importance order, most important first; criteria in one group are tied. Criteria not
    /// named come after all named ones.
    Order(Vec<Vec<Criterion>>),
    /// `[min, max]` per criterion in [`Criterion::ALL`] order.
    Ranges([(f64, f64); 6]),
    /// AHP pairwise judgements `(a, b, r)`: a is r times as important as b.
    Ahp(Vec<(Criterion, Criterion, f64)>),
    /// No `[weights]`: the segment's preset.
    Preset(Segment),
}

#[derive(Clone, Debug, Default)]
pub struct Constraints {
    /// Where data may be processed and stored; empty = anywhere.
    pub data_jurisdictions: Vec<Jurisdiction>,
    /// Certifications a provider must hold.
    pub required_certifications: Vec<CertRequirement>,
    /// Certifications the compliance criterion counts; empty = the segment preset's list.
    pub desired_certifications: Vec<CertRequirement>,
    pub required_capabilities: BTreeSet<Capability>,
    pub monthly_budget: Option<Money>,
    pub unverified: Unverified,
}

#[derive(Clone, Debug)]
pub struct Workload {
    /// Reporting currency for every amount.
    pub currency: Currency,
    pub tasks: Vec<Task>,
    pub monthly_embedding_tokens: u64,
    pub gpu: Option<GpuNeed>,
    pub storage_gb: f64,
    pub monthly_egress_gb: f64,
    pub allow_preview_models: bool,
    pub allow_deprecated_models: bool,
}

/// One class of model calls with the same needs.
#[derive(Clone, Debug)]
pub struct Task {
    pub name: String,
    pub monthly_input_tokens: u64,
    pub monthly_output_tokens: u64,
    /// Typical prompt length: picks the price tier and must fit the context window.
    pub typical_prompt_tokens: u64,
    pub capabilities: BTreeSet<Capability>,
    /// Minimum Artificial Analysis Intelligence Index (0-100) of the model, if any.
    pub min_quality_index: Option<f64>,
    /// Share of input tokens served from the provider's prompt cache, 0..=1.
    pub cache_hit_share: f64,
    /// Largest prompt the task sends; the chosen model's context window must hold it.
    pub max_prompt_tokens: Option<u64>,
    pub purpose: cloudfit_catalog::ModelPurpose,
}

#[derive(Clone, Debug)]
pub struct GpuNeed {
    /// GPU model as the catalog names it (`H100`, `A100-80G`).
    pub model: String,
    pub monthly_hours: f64,
}

/// Where the business runs today (the migration criterion starts here).
#[derive(Clone, Debug)]
pub struct Current {
    pub provider: String,
    /// Line of `current.provider` in the profile, for messages about an unknown id.
    pub provider_line: Option<usize>,
    /// Data to move out, in GB, billed at the current provider's egress price.
    pub data_to_move_gb: f64,
    /// Cost of one engineer-day, to price the integration work of switching.
    pub engineer_day_rate: Money,
    /// Tokens of the corpus that must be re-embedded at the new provider.
    pub embedded_corpus_tokens: u64,
    pub regression_test_days_per_task: Option<f64>,
    /// One-time cost of a new compliance assessment when moving.
    pub compliance_reassessment: Option<Money>,
}

/// One problem in a profile file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Issue {
    pub file: String,
    /// 1-based line, when known.
    pub line: Option<usize>,
    /// Dotted key path (`workload.task[1].cache_hit_share`).
    pub key: String,
    /// What was expected (and what was found).
    pub expected: String,
}

impl fmt::Display for Issue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line {
            Some(line) => write!(f, "{}:{}: {}: {}", self.file, line, self.key, self.expected),
            None => write!(f, "{}: {}: {}", self.file, self.key, self.expected),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ProfileError {
    #[error("reading profile {file}")]
    Read {
        file: String,
        source: std::io::Error,
    },
    #[error("{}", render_issues(.issues))]
    Invalid { issues: Vec<Issue> },
}

fn render_issues(issues: &[Issue]) -> String {
    let mut out = format!(
        "invalid profile ({} error{})",
        issues.len(),
        if issues.len() == 1 { "" } else { "s" }
    );
    for issue in issues {
        out.push_str("\n  ");
        out.push_str(&issue.to_string());
    }
    out
}

impl Profile {
    /// Read and validate a profile file.
    pub fn load(path: &Path) -> Result<Profile, ProfileError> {
        let file = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|source| ProfileError::Read {
            file: file.clone(),
            source,
        })?;
        Profile::parse(&text, &file)
    }

    /// Parse and validate profile text; `file` names it in messages.
    pub fn parse(text: &str, file: &str) -> Result<Profile, ProfileError> {
        let raw: RawProfile = read_raw(text, file)?;
        let mut v = Validator {
            text,
            file,
            issues: Vec::new(),
        };
        let profile = v.profile(raw);
        match profile {
            Some(profile) if v.issues.is_empty() => Ok(profile),
            _ => Err(ProfileError::Invalid { issues: v.issues }),
        }
    }

    /// Certifications the compliance criterion counts: the profile's desired ones plus the
    /// required ones, or the segment preset's list when the profile names none.
    pub fn counted_certifications(&self) -> Vec<CertRequirement> {
        let mut out: Vec<CertRequirement> = self.constraints.required_certifications.clone();
        let desired: Vec<CertRequirement> = if self.constraints.desired_certifications.is_empty() {
            self.segment
                .map(|s| s.preset().desired_certifications)
                .unwrap_or(&["ISO27001", "SOC2"])
                .iter()
                .map(|s| CertRequirement::from_label(s, None))
                .collect()
        } else {
            self.constraints.desired_certifications.clone()
        };
        for cert in desired {
            if !out.contains(&cert) {
                out.push(cert);
            }
        }
        out
    }
}

/// Read a `[workload]` table from its own file (`cloudfit tco --workload W.toml`), validated
/// like a profile's.
pub fn parse_workload(text: &str, file: &str) -> Result<Workload, ProfileError> {
    let raw: RawWorkloadFile = read_raw(text, file)?;
    let mut v = Validator {
        text,
        file,
        issues: Vec::new(),
    };
    match v.workload(raw.workload) {
        Some(w) if v.issues.is_empty() => Ok(w),
        _ => Err(ProfileError::Invalid { issues: v.issues }),
    }
}

/// Phase one: serde into raw structs; the one error names file, line and key path.
fn read_raw<T: serde::de::DeserializeOwned>(text: &str, file: &str) -> Result<T, ProfileError> {
    serde_path_to_error::deserialize(toml::Deserializer::new(text)).map_err(|err| {
        let key = err
            .path()
            .to_string()
            .replace(".$__serde_spanned_private_value", "");
        let inner = err.into_inner();
        let line = inner.span().map(|s| line_of(text, s.start));
        ProfileError::Invalid {
            issues: vec![Issue {
                file: file.to_owned(),
                line,
                key: if key == "." {
                    "(document)".to_owned()
                } else {
                    key
                },
                expected: cloudfit_catalog::plain_serde_message(inner.message().trim()),
            }],
        }
    })
}

/// 1-based line of a byte offset.
fn line_of(text: &str, offset: usize) -> usize {
    text.get(..offset)
        .map(|prefix| prefix.matches('\n').count() + 1)
        .unwrap_or(1)
}

// ---------------------------------------------------------------- raw file types

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawProfile {
    name: Spanned<String>,
    segment: Option<Spanned<String>>,
    as_of: Option<Spanned<String>>,
    #[serde(default)]
    constraints: RawConstraints,
    weights: Option<Spanned<RawWeights>>,
    workload: RawWorkload,
    current: Option<RawCurrent>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawWorkloadFile {
    workload: RawWorkload,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawConstraints {
    #[serde(default)]
    data_jurisdictions: Vec<Spanned<String>>,
    #[serde(default)]
    required_certifications: Vec<Spanned<String>>,
    #[serde(default)]
    desired_certifications: Vec<Spanned<String>>,
    #[serde(default)]
    required_capabilities: Vec<Spanned<String>>,
    monthly_budget: Option<Spanned<RawMoney>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawMoney {
    amount: RawDecimal,
    currency: String,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum RawDecimal {
    Int(i64),
    Float(f64),
    Text(String),
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, tag = "type", rename_all = "lowercase")]
enum RawWeights {
    Exact {
        cost: Option<f64>,
        performance: Option<f64>,
        stability: Option<f64>,
        compliance: Option<f64>,
        ai_capability: Option<f64>,
        migration: Option<f64>,
    },
    Order {
        order: String,
    },
    Ranges {
        cost: Option<[f64; 2]>,
        performance: Option<[f64; 2]>,
        stability: Option<[f64; 2]>,
        compliance: Option<[f64; 2]>,
        ai_capability: Option<[f64; 2]>,
        migration: Option<[f64; 2]>,
    },
    Ahp {
        pairs: Vec<RawPair>,
    },
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPair {
    more: String,
    less: String,
    /// How many times more important `more` is than `less` (Saaty's 1-9 scale).
    ratio: f64,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawWorkload {
    currency: Spanned<String>,
    #[serde(default)]
    task: Vec<RawTask>,
    #[serde(default)]
    monthly_embedding_tokens: u64,
    gpu_model: Option<Spanned<String>>,
    monthly_gpu_hours: Option<Spanned<f64>>,
    storage_gb: Option<Spanned<f64>>,
    monthly_egress_gb: Option<Spanned<f64>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTask {
    name: Spanned<String>,
    monthly_input_tokens: u64,
    monthly_output_tokens: u64,
    typical_prompt_tokens: Spanned<u64>,
    #[serde(default)]
    capabilities: Vec<Spanned<String>>,
    min_quality_index: Option<Spanned<f64>>,
    cache_hit_share: Option<Spanned<f64>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCurrent {
    provider: Spanned<String>,
    data_to_move_gb: Option<Spanned<f64>>,
    engineer_day_rate: Spanned<RawMoney>,
}

// ---------------------------------------------------------------- validation

struct Validator<'a> {
    text: &'a str,
    file: &'a str,
    issues: Vec<Issue>,
}

impl Validator<'_> {
    fn issue(&mut self, span: Option<std::ops::Range<usize>>, key: &str, expected: String) {
        self.issues.push(Issue {
            file: self.file.to_owned(),
            line: span.map(|s| line_of(self.text, s.start)),
            key: key.to_owned(),
            expected,
        });
    }

    fn line(&self, span: std::ops::Range<usize>) -> usize {
        line_of(self.text, span.start)
    }

    fn profile(&mut self, raw: RawProfile) -> Option<Profile> {
        let name = raw.name.get_ref().trim().to_owned();
        if name.is_empty() {
            self.issue(
                Some(raw.name.span()),
                "name",
                "expected a non-empty name".to_owned(),
            );
        }
        let segment = raw.segment.as_ref().and_then(|s| {
            let found = match s.get_ref().as_str() {
                "ai-native" => Some(Segment::AiNative),
                "regulated" => Some(Segment::Regulated),
                "sme" => Some(Segment::Sme),
                _ => None,
            };
            if found.is_none() {
                self.issue(
                    Some(s.span()),
                    "segment",
                    format!(
                        "expected one of \"ai-native\", \"regulated\", \"sme\", found {:?}",
                        s.get_ref()
                    ),
                );
            }
            found
        });
        let as_of = raw.as_of.as_ref().and_then(|s| {
            let d = Date::parse(s.get_ref());
            if d.is_none() {
                self.issue(
                    Some(s.span()),
                    "as_of",
                    format!("expected a date YYYY-MM-DD, found {:?}", s.get_ref()),
                );
            }
            d
        });
        let constraints = self.constraints(raw.constraints);
        let weights = match raw.weights {
            Some(w) => self.weights(w),
            None => match segment {
                Some(s) => Some(WeightSpec::Preset(s)),
                None if raw.segment.is_some() => None,
                None => {
                    self.issue(
                        None,
                        "weights",
                        "expected a `segment` preset or a [weights] table".to_owned(),
                    );
                    None
                }
            },
        };
        let workload = self.workload(raw.workload);
        let current = raw.current.and_then(|c| self.current(c));
        Some(Profile {
            name,
            segment,
            as_of,
            constraints,
            weights: weights?,
            workload: workload?,
            current,
            file: self.file.to_owned(),
            notices: Vec::new(),
        })
    }

    fn constraints(&mut self, raw: RawConstraints) -> Constraints {
        let mut out = Constraints::default();
        for (i, j) in raw.data_jurisdictions.iter().enumerate() {
            match parse_jurisdiction(j.get_ref()) {
                Some(code) => out.data_jurisdictions.push(code),
                None => self.issue(
                    Some(j.span()),
                    &format!("constraints.data_jurisdictions[{i}]"),
                    format!(
                        "expected a lowercase jurisdiction code (cn, hk, sg, us, eu, uk, jp, ...), found {:?}",
                        j.get_ref()
                    ),
                ),
            }
        }
        for (field, list, target) in [
            (
                "required_certifications",
                &raw.required_certifications,
                &mut out.required_certifications,
            ),
            (
                "desired_certifications",
                &raw.desired_certifications,
                &mut out.desired_certifications,
            ),
        ] {
            for (i, c) in list.iter().enumerate() {
                let name = c.get_ref().trim();
                if name.is_empty() || name.contains(char::is_whitespace) {
                    self.issues.push(Issue {
                        file: self.file.to_owned(),
                        line: Some(line_of(self.text, c.span().start)),
                        key: format!("constraints.{field}[{i}]"),
                        expected: format!(
                            "expected a certification name such as \"ISO27001\" or \"MLPS3\", found {:?}",
                            c.get_ref()
                        ),
                    });
                } else {
                    target.push(CertRequirement::from_label(
                        name,
                        Some(line_of(self.text, c.span().start)),
                    ));
                }
            }
        }
        for (i, c) in raw.required_capabilities.iter().enumerate() {
            match parse_capability(c.get_ref()) {
                Some(cap) => {
                    out.required_capabilities.insert(cap);
                }
                None => self.issue(
                    Some(c.span()),
                    &format!("constraints.required_capabilities[{i}]"),
                    capability_expectation(c.get_ref()),
                ),
            }
        }
        if let Some(m) = raw.monthly_budget {
            out.monthly_budget = self.money(&m, "constraints.monthly_budget");
        }
        out
    }

    fn money(&mut self, raw: &Spanned<RawMoney>, key: &str) -> Option<Money> {
        let currency = parse_currency(&raw.get_ref().currency);
        if currency.is_none() {
            self.issue(
                Some(raw.span()),
                &format!("{key}.currency"),
                format!(
                    "expected \"CNY\", \"USD\" or \"EUR\", found {:?}",
                    raw.get_ref().currency
                ),
            );
        }
        let amount = match &raw.get_ref().amount {
            RawDecimal::Int(i) => Some(Decimal::from(*i)),
            RawDecimal::Float(f) => Decimal::from_f64_retain(*f).map(|d| d.normalize()),
            RawDecimal::Text(t) => t.trim().parse::<Decimal>().ok(),
        };
        match amount {
            Some(a) if a >= Decimal::ZERO => Some(Money {
                amount: a,
                currency: currency?,
            }),
            _ => {
                self.issue(
                    Some(raw.span()),
                    &format!("{key}.amount"),
                    "expected a non-negative amount (a number or a decimal string)".to_owned(),
                );
                None
            }
        }
    }

    fn weights(&mut self, raw: Spanned<RawWeights>) -> Option<WeightSpec> {
        let span = raw.span();
        match raw.into_inner() {
            RawWeights::Exact {
                cost,
                performance,
                stability,
                compliance,
                ai_capability,
                migration,
            } => {
                let given = [
                    cost,
                    performance,
                    stability,
                    compliance,
                    ai_capability,
                    migration,
                ];
                let mut w = [0.0; 6];
                let mut ok = true;
                for (i, value) in given.iter().enumerate() {
                    let v = value.unwrap_or(0.0);
                    if !(v.is_finite() && v >= 0.0) {
                        ok = false;
                        self.issue(
                            Some(span.clone()),
                            &format!("weights.{}", Criterion::ALL[i].key()),
                            format!("expected a finite weight >= 0, found {v}"),
                        );
                    }
                    w[i] = v;
                }
                let sum: f64 = w.iter().sum();
                if ok && sum <= 0.0 {
                    self.issue(
                        Some(span),
                        "weights",
                        "expected at least one weight above 0 (type = \"exact\")".to_owned(),
                    );
                    return None;
                }
                ok.then(|| WeightSpec::Exact(w.map(|x| x / sum)))
            }
            RawWeights::Order { order } => match parse_order(&order) {
                Ok(groups) => Some(WeightSpec::Order(groups)),
                Err(msg) => {
                    self.issue(Some(span), "weights.order", msg);
                    None
                }
            },
            RawWeights::Ranges {
                cost,
                performance,
                stability,
                compliance,
                ai_capability,
                migration,
            } => {
                let given = [
                    cost,
                    performance,
                    stability,
                    compliance,
                    ai_capability,
                    migration,
                ];
                let mut r = [(0.0, 0.0); 6];
                let mut ok = true;
                for (i, value) in given.iter().enumerate() {
                    let [lo, hi] = value.unwrap_or([0.0, 0.0]);
                    if !(lo.is_finite() && hi.is_finite() && 0.0 <= lo && lo <= hi && hi <= 1.0) {
                        ok = false;
                        self.issue(
                            Some(span.clone()),
                            &format!("weights.{}", Criterion::ALL[i].key()),
                            format!(
                                "expected [min, max] with 0 <= min <= max <= 1, found [{lo}, {hi}]"
                            ),
                        );
                    }
                    r[i] = (lo, hi);
                }
                let lo_sum: f64 = r.iter().map(|x| x.0).sum();
                let hi_sum: f64 = r.iter().map(|x| x.1).sum();
                if ok && !(lo_sum <= 1.0 + 1e-9 && hi_sum >= 1.0 - 1e-9) {
                    ok = false;
                    self.issue(
                        Some(span),
                        "weights",
                        format!("expected ranges whose minimums sum to <= 1 and maximums to >= 1, found {lo_sum:.3} and {hi_sum:.3}"),
                    );
                }
                ok.then_some(WeightSpec::Ranges(r))
            }
            RawWeights::Ahp { pairs } => {
                let mut out = Vec::new();
                let mut ok = true;
                for (i, p) in pairs.iter().enumerate() {
                    let more = Criterion::from_key(p.more.trim());
                    let less = Criterion::from_key(p.less.trim());
                    for (field, name, parsed) in [("more", &p.more, more), ("less", &p.less, less)]
                    {
                        if parsed.is_none() {
                            ok = false;
                            self.issue(
                                Some(span.clone()),
                                &format!("weights.pairs[{i}].{field}"),
                                criterion_expectation(name),
                            );
                        }
                    }
                    if !(p.ratio.is_finite() && p.ratio > 0.0) {
                        ok = false;
                        self.issue(
                            Some(span.clone()),
                            &format!("weights.pairs[{i}].ratio"),
                            format!("expected a ratio > 0 (Saaty scale 1-9), found {}", p.ratio),
                        );
                    }
                    if let (Some(a), Some(b)) = (more, less) {
                        if a == b {
                            ok = false;
                            self.issue(
                                Some(span.clone()),
                                &format!("weights.pairs[{i}]"),
                                format!("expected two different criteria, found {a} twice"),
                            );
                        } else if out
                            .iter()
                            .any(|&(x, y, _)| (x, y) == (a, b) || (x, y) == (b, a))
                        {
                            ok = false;
                            self.issue(
                                Some(span.clone()),
                                &format!("weights.pairs[{i}]"),
                                format!("expected each pair once, found {a}/{b} again"),
                            );
                        } else {
                            out.push((a, b, p.ratio));
                        }
                    }
                }
                if ok {
                    let named: BTreeSet<Criterion> =
                        out.iter().flat_map(|&(a, b, _)| [a, b]).collect();
                    let n = named.len();
                    if n < 2 || out.len() != n * (n - 1) / 2 {
                        self.issue(
                            Some(span),
                            "weights.pairs",
                            format!(
                                "expected a judgement for every pair of the {n} criteria named ({} pairs), found {}",
                                n * n.saturating_sub(1) / 2,
                                out.len()
                            ),
                        );
                        return None;
                    }
                }
                ok.then_some(WeightSpec::Ahp(out))
            }
        }
    }

    fn workload(&mut self, raw: RawWorkload) -> Option<Workload> {
        let currency = parse_currency(raw.currency.get_ref());
        if currency.is_none() {
            self.issue(
                Some(raw.currency.span()),
                "workload.currency",
                format!(
                    "expected \"CNY\", \"USD\" or \"EUR\", found {:?}",
                    raw.currency.get_ref()
                ),
            );
        }
        let mut tasks = Vec::new();
        let mut names = BTreeSet::new();
        for (i, t) in raw.task.into_iter().enumerate() {
            let key = format!("workload.task[{i}]");
            let name = t.name.get_ref().trim().to_owned();
            if name.is_empty() || !names.insert(name.clone()) {
                self.issue(
                    Some(t.name.span()),
                    &format!("{key}.name"),
                    format!("expected a non-empty name used by one task only, found {name:?}"),
                );
            }
            let mut capabilities = BTreeSet::new();
            for (j, c) in t.capabilities.iter().enumerate() {
                match parse_capability(c.get_ref()) {
                    Some(cap) => {
                        capabilities.insert(cap);
                    }
                    None => self.issue(
                        Some(c.span()),
                        &format!("{key}.capabilities[{j}]"),
                        capability_expectation(c.get_ref()),
                    ),
                }
            }
            let (share, share_span) = num(&t.cache_hit_share);
            if !(0.0..=1.0).contains(&share) {
                self.issue(
                    share_span,
                    &format!("{key}.cache_hit_share"),
                    format!("expected a share between 0 and 1, found {share}"),
                );
            }
            if *t.typical_prompt_tokens.get_ref() == 0 {
                self.issue(
                    Some(t.typical_prompt_tokens.span()),
                    &format!("{key}.typical_prompt_tokens"),
                    "expected a prompt length above 0 tokens".to_owned(),
                );
            }
            let min_quality_index = t.min_quality_index.as_ref().map(|q| {
                let v = *q.get_ref();
                if !(0.0..=100.0).contains(&v) {
                    self.issue(
                        Some(q.span()),
                        &format!("{key}.min_quality_index"),
                        format!("expected an Intelligence Index between 0 and 100, found {v}"),
                    );
                }
                v
            });
            tasks.push(Task {
                name,
                monthly_input_tokens: t.monthly_input_tokens,
                monthly_output_tokens: t.monthly_output_tokens,
                typical_prompt_tokens: *t.typical_prompt_tokens.get_ref(),
                capabilities,
                min_quality_index,
                cache_hit_share: share,
                max_prompt_tokens: None,
                purpose: cloudfit_catalog::ModelPurpose::General,
            });
        }
        for (key, value) in [
            ("workload.monthly_gpu_hours", &raw.monthly_gpu_hours),
            ("workload.storage_gb", &raw.storage_gb),
            ("workload.monthly_egress_gb", &raw.monthly_egress_gb),
        ] {
            let (v, span) = num(value);
            if !(v.is_finite() && v >= 0.0) {
                self.issue(span, key, format!("expected a number >= 0, found {v}"));
            }
        }
        let (hours, hours_span) = num(&raw.monthly_gpu_hours);
        let gpu = match (&raw.gpu_model, hours > 0.0) {
            (Some(model), _) => Some(GpuNeed {
                model: model.get_ref().trim().to_owned(),
                monthly_hours: hours,
            }),
            (None, true) => {
                self.issue(
                    hours_span,
                    "workload.gpu_model",
                    "expected a GPU model (e.g. \"H100\") when monthly_gpu_hours is above 0"
                        .to_owned(),
                );
                None
            }
            (None, false) => None,
        };
        Some(Workload {
            currency: currency?,
            tasks,
            monthly_embedding_tokens: raw.monthly_embedding_tokens,
            gpu,
            storage_gb: num(&raw.storage_gb).0,
            monthly_egress_gb: num(&raw.monthly_egress_gb).0,
            allow_preview_models: false,
            allow_deprecated_models: false,
        })
    }

    fn current(&mut self, raw: RawCurrent) -> Option<Current> {
        let (gb, gb_span) = num(&raw.data_to_move_gb);
        if !(gb.is_finite() && gb >= 0.0) {
            self.issue(
                gb_span,
                "current.data_to_move_gb",
                format!("expected a number of GB >= 0, found {gb}"),
            );
        }
        let rate = self.money(&raw.engineer_day_rate, "current.engineer_day_rate");
        let provider = raw.provider.get_ref().trim().to_owned();
        if provider.is_empty() {
            self.issue(
                Some(raw.provider.span()),
                "current.provider",
                "expected a provider id such as \"aws\" or \"alibaba-cloud\"".to_owned(),
            );
        }
        Some(Current {
            provider,
            provider_line: Some(self.line(raw.provider.span())),
            data_to_move_gb: gb,
            engineer_day_rate: rate?,
            embedded_corpus_tokens: 0,
            regression_test_days_per_task: None,
            compliance_reassessment: None,
        })
    }
}

/// An optional number (absent = 0) and where it was written.
fn num(value: &Option<Spanned<f64>>) -> (f64, Option<std::ops::Range<usize>>) {
    match value {
        Some(v) => (*v.get_ref(), Some(v.span())),
        None => (0.0, None),
    }
}

/// Parse `compliance > stability = cost > migration`: `>` separates levels, `=` ties.
pub fn parse_order(text: &str) -> Result<Vec<Vec<Criterion>>, String> {
    let mut groups = Vec::new();
    let mut seen = BTreeSet::new();
    for level in text.split('>') {
        let mut group = Vec::new();
        for name in level.split('=') {
            let name = name.trim();
            let Some(c) = Criterion::from_key(name) else {
                return Err(criterion_expectation(name));
            };
            if !seen.insert(c) {
                return Err(format!("expected each criterion once, found {c} twice"));
            }
            group.push(c);
        }
        groups.push(group);
    }
    if seen.len() < 2 {
        return Err(
            "expected at least two criteria separated by `>`, e.g. \"compliance > stability > cost\""
                .to_owned(),
        );
    }
    Ok(groups)
}

fn criterion_expectation(found: &str) -> String {
    format!(
        "expected one of cost, performance, stability, compliance, ai_capability, migration, found {found:?}"
    )
}

fn capability_expectation(found: &str) -> String {
    format!("expected one of chat, tools, vision, reasoning, embeddings, json-mode, audio, image-generation, found {found:?}")
}

pub(crate) fn parse_capability(text: &str) -> Option<Capability> {
    Some(match text {
        "chat" => Capability::Chat,
        "tools" => Capability::Tools,
        "vision" => Capability::Vision,
        "reasoning" => Capability::Reasoning,
        "embeddings" => Capability::Embeddings,
        "json-mode" => Capability::JsonMode,
        "audio" => Capability::Audio,
        "image-generation" => Capability::ImageGeneration,
        _ => return None,
    })
}

pub fn capability_key(c: Capability) -> &'static str {
    match c {
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

pub(crate) fn parse_currency(text: &str) -> Option<Currency> {
    Some(match text {
        "CNY" => Currency::Cny,
        "USD" => Currency::Usd,
        "EUR" => Currency::Eur,
        _ => return None,
    })
}

pub(crate) fn parse_jurisdiction(text: &str) -> Option<Jurisdiction> {
    Some(match text {
        "cn" => Jurisdiction::MainlandChina,
        "hk" => Jurisdiction::HongKong,
        "sg" => Jurisdiction::Singapore,
        "us" => Jurisdiction::UnitedStates,
        "eu" => Jurisdiction::EuropeanUnion,
        "uk" => Jurisdiction::UnitedKingdom,
        "jp" => Jurisdiction::Japan,
        other
            if (2..=8).contains(&other.len())
                && other.chars().all(|c| c.is_ascii_lowercase() || c == '-') =>
        {
            Jurisdiction::Other(other.to_owned())
        }
        _ => return None,
    })
}

/// The lowercase code of a jurisdiction, as profiles and catalog files write it.
pub fn jurisdiction_code(j: &Jurisdiction) -> &str {
    match j {
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

#[cfg(test)]
mod tests {
    use super::*;

    const MINIMAL: &str = r#"
name = "t"
segment = "sme"
[workload]
currency = "CNY"
[[workload.task]]
name = "chat"
monthly_input_tokens = 1000000
monthly_output_tokens = 200000
typical_prompt_tokens = 2000
capabilities = ["chat"]
cache_hit_share = 0.25
"#;

    fn issues(text: &str) -> Vec<Issue> {
        match Profile::parse(text, "p.toml") {
            Err(ProfileError::Invalid { issues }) => issues,
            other => panic!("expected invalid, got {other:?}"),
        }
    }

    #[test]
    fn minimal_profile_uses_the_segment_preset() {
        let p = Profile::parse(MINIMAL, "p.toml").unwrap();
        assert_eq!(p.weights, WeightSpec::Preset(Segment::Sme));
        assert_eq!(p.workload.tasks[0].cache_hit_share, 0.25);
        assert_eq!(p.workload.currency, Currency::Cny);
    }

    #[test]
    fn presets_sum_to_one_and_follow_their_sentence() {
        for s in [Segment::AiNative, Segment::Regulated, Segment::Sme] {
            let w = s.preset().weights;
            assert!((w.iter().sum::<f64>() - 1.0).abs() < 1e-12, "{s:?}");
        }
        let w = Segment::Regulated.preset().weights;
        // "technology 30%, compliance and stability 70%"
        let cs = w[Criterion::Compliance.index()] + w[Criterion::Stability.index()];
        assert!((cs - 0.7).abs() < 1e-12);
        let w = Segment::AiNative.preset().weights;
        let fast_cheap_capable = w[Criterion::Cost.index()]
            + w[Criterion::Performance.index()]
            + w[Criterion::AiCapability.index()];
        assert!(fast_cheap_capable >= 0.8 - 1e-12);
    }

    #[test]
    fn unknown_key_names_line_and_path() {
        let text = MINIMAL.replace("cache_hit_share", "cache_hit_rate");
        let found = issues(&text);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].key, "workload.task[0].cache_hit_rate");
        assert_eq!(found[0].line, Some(12));
        assert!(found[0].expected.contains("unknown field"), "{found:?}");
    }

    #[test]
    fn wrong_type_names_line_and_path_without_serde_internals() {
        let text = MINIMAL.replace(
            "typical_prompt_tokens = 2000",
            "typical_prompt_tokens = \"x\"",
        );
        let found = issues(&text);
        assert_eq!(found[0].key, "workload.task[0].typical_prompt_tokens");
        assert_eq!(found[0].line, Some(10));
    }

    #[test]
    fn validation_collects_every_error() {
        let text = MINIMAL
            .replace("segment = \"sme\"", "segment = \"bank\"")
            .replace("\"chat\"]", "\"telepathy\"]")
            .replace("0.25", "1.5")
            .replace("currency = \"CNY\"", "currency = \"GBP\"");
        let found = issues(&text);
        let keys: Vec<&str> = found.iter().map(|i| i.key.as_str()).collect();
        assert_eq!(
            keys,
            [
                "segment",
                "workload.currency",
                "workload.task[0].capabilities[0]",
                "workload.task[0].cache_hit_share"
            ],
            "{found:?}"
        );
        assert_eq!(found[0].line, Some(3));
        assert!(found.iter().all(|i| i.line.is_some()));
        let message = ProfileError::Invalid { issues: found }.to_string();
        assert!(
            message.starts_with("invalid profile (4 errors)"),
            "{message}"
        );
        assert!(
            message.contains("p.toml:3: segment: expected one of"),
            "{message}"
        );
    }

    #[test]
    fn weight_forms() {
        let with = |w: &str| format!("{MINIMAL}\n[weights]\n{w}\n");
        let p = Profile::parse(&with("type = \"exact\"\ncost = 2\nstability = 2"), "p").unwrap();
        assert_eq!(p.weights, WeightSpec::Exact([0.5, 0.0, 0.5, 0.0, 0.0, 0.0]));
        let p = Profile::parse(
            &with("type = \"order\"\norder = \"compliance > stability = cost > migration\""),
            "p",
        )
        .unwrap();
        assert_eq!(
            p.weights,
            WeightSpec::Order(vec![
                vec![Criterion::Compliance],
                vec![Criterion::Stability, Criterion::Cost],
                vec![Criterion::Migration]
            ])
        );
        let p = Profile::parse(
            &with("type = \"ranges\"\ncost = [0.2, 0.6]\ncompliance = [0.3, 0.8]"),
            "p",
        )
        .unwrap();
        assert!(matches!(p.weights, WeightSpec::Ranges(r) if r[0] == (0.2, 0.6)));
        let found = issues(&with("type = \"ranges\"\ncost = [0.2, 0.3]"));
        assert_eq!(found[0].key, "weights");
        let found = issues(&with("type = \"order\"\norder = \"compliance > price\""));
        assert_eq!(found[0].key, "weights.order");
        assert!(found[0].expected.contains("\"price\""));
        let ahp = "type = \"ahp\"\npairs = [{more = \"compliance\", less = \"cost\", ratio = 3}, {more = \"compliance\", less = \"stability\", ratio = 2}, {more = \"stability\", less = \"cost\", ratio = 2}]";
        let p = Profile::parse(&with(ahp), "p").unwrap();
        assert!(matches!(p.weights, WeightSpec::Ahp(ref v) if v.len() == 3));
        let incomplete = "type = \"ahp\"\npairs = [{more = \"compliance\", less = \"cost\", ratio = 3}, {more = \"compliance\", less = \"stability\", ratio = 2}]";
        let found = issues(&with(incomplete));
        assert_eq!(found[0].key, "weights.pairs");
        let found = issues(&with("type = \"guess\""));
        assert_eq!(found[0].key, "weights.type");
    }

    #[test]
    fn workload_file_is_validated_like_a_profile() {
        let w = parse_workload(
            "[workload]\ncurrency = \"USD\"\nmonthly_embedding_tokens = 5\n",
            "w.toml",
        )
        .unwrap();
        assert_eq!(w.currency, Currency::Usd);
        assert_eq!(w.monthly_embedding_tokens, 5);
        let Err(ProfileError::Invalid { issues }) =
            parse_workload("[workload]\ncurrency = \"XXX\"\n", "w.toml")
        else {
            panic!("expected an error")
        };
        assert_eq!(
            issues[0].to_string(),
            "w.toml:2: workload.currency: expected \"CNY\", \"USD\" or \"EUR\", found \"XXX\""
        );
    }

    #[test]
    fn a_negative_count_is_explained_without_rust_type_names() {
        let Err(ProfileError::Invalid { issues }) = parse_workload(
            "[workload]\ncurrency = \"USD\"\nmonthly_embedding_tokens = -5\n",
            "w.toml",
        ) else {
            panic!("expected an error")
        };
        let text = issues[0].to_string();
        assert!(
            text.starts_with("w.toml:3: workload.monthly_embedding_tokens: "),
            "{text}"
        );
        assert!(
            text.ends_with("expected a whole number (0 or more)"),
            "{text}"
        );
    }

    #[test]
    fn neither_segment_nor_weights_is_an_error() {
        let found = issues(&MINIMAL.replace("segment = \"sme\"\n", ""));
        assert_eq!(found[0].key, "weights");
    }

    #[test]
    fn current_and_budget_money() {
        let text = format!(
            "{MINIMAL}\n[current]\nprovider = \"aws\"\ndata_to_move_gb = 500\nengineer_day_rate = {{ amount = \"2500.50\", currency = \"CNY\" }}\n"
        )
        .replace(
            "[workload]",
            "[constraints]\nmonthly_budget = { amount = 30000, currency = \"CNY\" }\ndata_jurisdictions = [\"cn\"]\n[workload]",
        );
        let p = Profile::parse(&text, "p").unwrap();
        let c = p.current.unwrap();
        assert_eq!(c.engineer_day_rate.amount, Decimal::new(250050, 2));
        assert_eq!(c.provider_line, Some(18));
        assert_eq!(
            p.constraints.monthly_budget.unwrap().amount,
            Decimal::from(30000)
        );
        assert_eq!(
            p.constraints.data_jurisdictions,
            vec![Jurisdiction::MainlandChina]
        );
    }

    #[test]
    fn counted_certifications_merge_required_and_preset() {
        let text = MINIMAL.replace(
            "[workload]",
            "[constraints]\nrequired_certifications = [\"mlps3\"]\n[workload]",
        );
        let p = Profile::parse(&text, "p").unwrap();
        assert_eq!(
            p.counted_certifications()
                .iter()
                .map(CertRequirement::label)
                .collect::<Vec<_>>(),
            ["MLPS3", "ISO27001"]
        );
    }
}
