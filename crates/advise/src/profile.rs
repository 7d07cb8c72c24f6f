//! The business profile: what a buyer tells cloudfit about itself.
//!
//! Read in two phases (docs/style.md rule 5): raw serde structs that reject unknown keys, read
//! through `serde_path_to_error`, then validated into the runtime [`Profile`], collecting
//! *every* problem as an [`Issue`] with file, line, key path and what was expected. Every name a
//! user types is checked against a closed vocabulary (capabilities, certifications, criteria,
//! segments, purposes, currencies) with a "did you mean"; names that only the catalog knows
//! (providers, jurisdictions with regions, GPU models) are checked by
//! [`Profile::resolve_names`] once the catalog is loaded. The reference is `docs/profile.md`.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::path::Path;

use cloudfit_catalog::{
    parse_certification, suggest, Capability, Catalog, Currency, Jurisdiction, ModelPurpose, Money,
    CERTIFICATIONS, CERTIFICATION_LEVELS,
};
use rust_decimal::Decimal;
use serde::de::{self, Deserializer, MapAccess, Visitor};
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
    /// What the reader changed on the way in (weights rescaled, a provider name read as its
    /// id), to be said to the user.
    pub notices: Vec<Notice>,
    /// Where the names checked after loading were written (`constraints.data_jurisdictions[0]`).
    pub lines: KeyLines,
}

/// Something the reader did to the profile that the user should be told.
#[derive(Clone, Debug, PartialEq)]
pub struct Notice {
    /// The profile key it is about (`weights`, `current.provider`).
    pub key: String,
    pub en: String,
    pub zh: String,
}

/// The lines some keys were written on, so checks made after loading can point at them.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct KeyLines {
    /// The file the keys are in (a `--workload` file is not the profile).
    pub file: String,
    lines: BTreeMap<String, usize>,
}

impl KeyLines {
    /// 1-based line of a dotted key path, when recorded.
    pub fn line(&self, key: &str) -> Option<usize> {
        self.lines.get(key).copied()
    }
}

/// A required or desired certification: a name of the catalog's vocabulary
/// ([`cloudfit_catalog::CERTIFICATIONS`]) and, for graded schemes (MLPS), the lowest level that
/// satisfies it (a higher level satisfies a lower one).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CertRequirement {
    /// The vocabulary's spelling (`MLPS`, `GENAI-FILING`, `FedRAMP-High`).
    pub name: String,
    pub min_level: Option<u8>,
    /// Where the profile names it; `None` for a segment preset's list.
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

    /// Read a name as profiles write it (`MLPS3`, `mlps-3`, `iso27001`); the error says what
    /// was expected.
    fn parse(text: &str, line: Option<usize>) -> Result<CertRequirement, String> {
        let written = text.trim();
        match parse_certification(written) {
            Some((name, level)) => {
                let graded = CERTIFICATIONS.iter().any(|c| c.name == name && c.graded);
                if graded && level.is_none() {
                    return Err(format!(
                        "{name} is graded (等级保护 levels): expected the level the system needs, \
                         {name}2, {name}3 or {name}4 (a higher level satisfies a lower one), found {written:?}"
                    ));
                }
                Ok(CertRequirement {
                    name: name.to_owned(),
                    min_level: level,
                    line,
                })
            }
            None => {
                let graded_stem = CERTIFICATIONS.iter().find(|c| {
                    c.graded
                        && written
                            .to_ascii_uppercase()
                            .trim_end_matches(|ch: char| ch.is_ascii_digit())
                            .trim_end_matches('-')
                            == c.name
                });
                if let Some(c) = graded_stem {
                    return Err(format!(
                        "expected {} with a level from {} to {} (e.g. {}3), found {written:?}",
                        c.name,
                        CERTIFICATION_LEVELS.start(),
                        CERTIFICATION_LEVELS.end(),
                        c.name
                    ));
                }
                let known = certification_labels();
                Err(format!(
                    "expected a certification of the catalog's vocabulary ({}), found {written:?}{}",
                    known.join(", "),
                    hint(written, known.iter().map(String::as_str))
                ))
            }
        }
    }
}

/// The names a profile may write, graded schemes with their common levels (`MLPS2`..`MLPS4`).
fn certification_labels() -> Vec<String> {
    let mut out = Vec::new();
    for c in CERTIFICATIONS {
        if c.graded {
            out.extend((2..=4).map(|l| format!("{}{l}", c.name)));
        } else {
            out.push(c.name.to_owned());
        }
    }
    out
}

/// What to do with a provider whose residency or required certification is unknown (the
/// catalog has no record either way; a record of absence excludes it whatever this says).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Unverified {
    /// List it apart, with the rank it would take if the constraint held and what to ask.
    #[default]
    ToVerify,
    /// The strict reading: exclude it.
    Exclude,
}

impl Unverified {
    pub const ALL: [Unverified; 2] = [Unverified::ToVerify, Unverified::Exclude];

    /// `to-verify` or `exclude`, as the profile writes it.
    pub fn key(self) -> &'static str {
        match self {
            Unverified::ToVerify => "to-verify",
            Unverified::Exclude => "exclude",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|u| u.key() == text)
    }
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
    pub const ALL: [Segment; 3] = [Segment::AiNative, Segment::Regulated, Segment::Sme];

    pub fn key(self) -> &'static str {
        match self {
            Segment::AiNative => "ai-native",
            Segment::Regulated => "regulated",
            Segment::Sme => "sme",
        }
    }

    /// `ai-native`, `regulated` or `sme`.
    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.key() == text)
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

/// Certifications counted when the profile names none and has no segment.
pub const DEFAULT_DESIRED_CERTIFICATIONS: &[&str] = &["ISO27001", "SOC2"];

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
    /// What to do with a provider whose residency or required certification is unknown.
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
    /// Whether preview/experimental models may be chosen (default no: no guarantees).
    pub allow_preview_models: bool,
    /// Whether models past their deprecation date may be chosen (default no).
    pub allow_deprecated_models: bool,
    /// Where the workload's names were written (its own file for `tco --workload`).
    pub lines: KeyLines,
}

/// One class of model calls with the same needs.
#[derive(Clone, Debug)]
pub struct Task {
    pub name: String,
    pub monthly_input_tokens: u64,
    pub monthly_output_tokens: u64,
    /// Typical (median) prompt length: picks the price tier; without `max_prompt_tokens` it is
    /// also the size the context window must hold.
    pub typical_prompt_tokens: u64,
    pub capabilities: BTreeSet<Capability>,
    /// Minimum Artificial Analysis Intelligence Index (0-100) of the model, if any.
    pub min_quality_index: Option<f64>,
    /// Share of input tokens served from the provider's prompt cache, 0..=1.
    pub cache_hit_share: f64,
    /// Largest prompt the task sends (>= the typical one); the chosen model's context window
    /// must hold it.
    pub max_prompt_tokens: Option<u64>,
    /// What the task is for; special-purpose models serve only tasks of their purpose.
    pub purpose: ModelPurpose,
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
    /// The provider's catalog id once [`Profile::resolve_names`] ran; before, as written.
    pub provider: String,
    /// Line of `current.provider` in the profile, for messages about an unknown id.
    pub provider_line: Option<usize>,
    /// Data to move out, in GB, billed at the current provider's egress price.
    pub data_to_move_gb: f64,
    /// Cost of one engineer-day, to price the integration work of switching.
    pub engineer_day_rate: Money,
    /// Tokens of the corpus that must be re-embedded at the new provider (0 = none).
    pub embedded_corpus_tokens: u64,
    /// Engineer-days of regression testing per task class on moving; `None` = the default.
    pub regression_test_days_per_task: Option<f64>,
    /// One-time cost of a new compliance assessment (MLPS 测评, ...) when moving; `None` =
    /// the documented default for the regulated segment, nothing for the others.
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
        let mut v = Validator::new(text, file);
        let profile = v.profile(raw);
        match profile {
            Some(profile) if v.issues.is_empty() => Ok(profile),
            _ => Err(ProfileError::Invalid { issues: v.issues }),
        }
    }

    /// Check the names only the catalog knows and read them as the catalog does:
    /// `current.provider` by id or by a name users say (`aliyun`, `阿里云`) becomes the id
    /// (and a [`Notice`] says so), `data_jurisdictions` must be ones the catalog has regions in
    /// (or one of the named ones), `workload.gpu_model` one the catalog prices (or its family).
    /// Every unknown name is an [`Issue`] listing the known ones with a "did you mean".
    pub fn resolve_names(&mut self, catalog: &Catalog) -> Result<(), ProfileError> {
        let mut issues = Vec::new();
        let mut known: BTreeSet<Jurisdiction> = catalog
            .providers
            .values()
            .flat_map(|p| p.jurisdictions())
            .collect();
        known.extend(NAMED_JURISDICTIONS.iter().map(|(j, _)| j.clone()));
        for (i, j) in self.constraints.data_jurisdictions.iter().enumerate() {
            if known.contains(j) {
                continue;
            }
            let key = format!("constraints.data_jurisdictions[{i}]");
            let codes: Vec<&str> = known.iter().map(Jurisdiction::code).collect();
            issues.push(Issue {
                file: self.file.clone(),
                line: self.lines.line(&key),
                expected: format!(
                    "expected a jurisdiction the catalog has regions in ({}), found {:?}{}",
                    codes.join(", "),
                    j.code(),
                    hint(j.code(), codes.iter().copied())
                ),
                key,
            });
        }
        if let Some(current) = &mut self.current {
            match catalog.find_provider(&current.provider) {
                Some(p) => {
                    if p.id != current.provider {
                        self.notices.push(Notice {
                            key: "current.provider".to_owned(),
                            en: format!(
                                "current.provider {:?} read as {} ({})",
                                current.provider, p.id, p.name_en
                            ),
                            zh: format!(
                                "current.provider {:?} 识别为 {}({})",
                                current.provider,
                                p.id,
                                p.name_zh.as_deref().unwrap_or(&p.name_en)
                            ),
                        });
                        current.provider = p.id.clone();
                    }
                }
                None => {
                    let ids: Vec<&str> = catalog.providers.keys().map(String::as_str).collect();
                    let names = catalog.provider_names();
                    let did_you_mean = suggest(&current.provider, names.iter().copied())
                        .map(|s| match catalog.find_provider(s) {
                            Some(p) if p.id != s => format!(" (did you mean {s:?}, {}?)", p.id),
                            _ => format!(" (did you mean {s:?}?)"),
                        })
                        .unwrap_or_default();
                    issues.push(Issue {
                        file: self.file.clone(),
                        line: current.provider_line,
                        key: "current.provider".to_owned(),
                        expected: format!(
                            "expected a provider of the catalog, by id ({}) or by a name users say (as `catalog list providers` shows), found {:?}{did_you_mean}",
                            ids.join(", "),
                            current.provider
                        ),
                    });
                }
            }
        }
        if let Some(gpu) = &self.workload.gpu {
            let models: BTreeSet<&str> = catalog
                .providers
                .values()
                .flat_map(|p| p.gpu_instances.iter().map(|i| i.gpu.as_str()))
                .collect();
            // A catalog without GPU instances cannot tell a typo from a GPU nobody prices;
            // the cost line says it is unpriced.
            if !models.is_empty()
                && !models
                    .iter()
                    .any(|m| cloudfit_catalog::gpu_matches(m, &gpu.model))
            {
                let mut names: BTreeSet<&str> = models.clone();
                names.extend(
                    models
                        .iter()
                        .filter_map(|m| m.split_once('-').map(|(f, _)| f)),
                );
                let list: Vec<&str> = models.iter().copied().collect();
                issues.push(Issue {
                    file: self.workload.lines.file.clone(),
                    line: self.workload.lines.line("workload.gpu_model"),
                    key: "workload.gpu_model".to_owned(),
                    expected: format!(
                        "expected a GPU model the catalog prices ({}), or its family before a `-` (H100 for H100-80G), found {:?}{}",
                        list.join(", "),
                        gpu.model,
                        hint(&gpu.model, names.iter().copied())
                    ),
                });
            }
        }
        if issues.is_empty() {
            Ok(())
        } else {
            Err(ProfileError::Invalid { issues })
        }
    }

    /// Certifications the compliance criterion counts: the required ones plus the profile's
    /// desired ones, or the segment preset's list when the profile names none.
    pub fn counted_certifications(&self) -> Vec<CertRequirement> {
        let mut out: Vec<CertRequirement> = self.constraints.required_certifications.clone();
        let desired: Vec<CertRequirement> = if self.constraints.desired_certifications.is_empty() {
            self.segment
                .map(|s| s.preset().desired_certifications)
                .unwrap_or(DEFAULT_DESIRED_CERTIFICATIONS)
                .iter()
                .filter_map(|s| CertRequirement::parse(s, None).ok())
                .collect()
        } else {
            self.constraints.desired_certifications.clone()
        };
        for cert in desired {
            if !out
                .iter()
                .any(|c| c.name == cert.name && c.min_level == cert.min_level)
            {
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
    let mut v = Validator::new(text, file);
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
                expected: serde_hint(cloudfit_catalog::plain_serde_message(
                    inner.message().trim(),
                )),
            }],
        }
    })
}

/// serde's "unknown field `x`, expected one of `a`, `b`" plus the closest of the names it lists.
fn serde_hint(message: String) -> String {
    for prefix in ["unknown field `", "unknown variant `"] {
        let Some(rest) = message.strip_prefix(prefix) else {
            continue;
        };
        let Some((name, tail)) = rest.split_once('`') else {
            continue;
        };
        let known: Vec<&str> = tail.split('`').skip(1).step_by(2).collect();
        if let Some(s) = suggest(name, known.iter().copied()) {
            return format!("{message} (did you mean `{s}`?)");
        }
    }
    message
}

/// ` (did you mean "x"?)` when one of `known` is close to `found`, else nothing.
fn hint<'a>(found: &str, known: impl IntoIterator<Item = &'a str>) -> String {
    suggest(found, known)
        .map(|s| format!(" (did you mean {s:?}?)"))
        .unwrap_or_default()
}

/// 1-based line of a byte offset.
fn line_of(text: &str, offset: usize) -> usize {
    text.get(..offset)
        .map(|prefix| prefix.matches('\n').count() + 1)
        .unwrap_or(1)
}

// ---------------------------------------------------------------- raw file types
//
// Every container says what it is (`expecting`), so a wrong type reads "expected a [current]
// table ...", never a Rust type name.

#[derive(Deserialize)]
#[serde(
    deny_unknown_fields,
    expecting = "a profile: name, segment, [constraints], [weights], [workload], [current]"
)]
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
#[serde(deny_unknown_fields, expecting = "a file with a [workload] table")]
struct RawWorkloadFile {
    workload: RawWorkload,
}

#[derive(Deserialize, Default)]
#[serde(
    deny_unknown_fields,
    expecting = "a [constraints] table (data_jurisdictions, required_certifications, desired_certifications, required_capabilities, monthly_budget, unverified)"
)]
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
    unverified: Option<Spanned<String>>,
}

/// An amount with its currency: `{ amount = 30000, currency = "CNY" }` or `"30000 CNY"`.
enum RawMoney {
    Table {
        amount: RawDecimal,
        currency: String,
    },
    Text(String),
}

const MONEY_EXPECTED: &str =
    "an amount with its currency, as { amount = 30000, currency = \"CNY\" } or \"30000 CNY\"";

impl<'de> Deserialize<'de> for RawMoney {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct MoneyVisitor;
        impl<'de> Visitor<'de> for MoneyVisitor {
            type Value = RawMoney;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(MONEY_EXPECTED)
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<RawMoney, E> {
                Ok(RawMoney::Text(v.to_owned()))
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<RawMoney, A::Error> {
                let mut amount = None;
                let mut currency = None;
                while let Some(key) = map.next_key::<String>()? {
                    match key.as_str() {
                        "amount" => amount = Some(map.next_value::<RawDecimal>()?),
                        "currency" => currency = Some(map.next_value::<String>()?),
                        other => {
                            return Err(de::Error::unknown_field(other, &["amount", "currency"]))
                        }
                    }
                }
                Ok(RawMoney::Table {
                    amount: amount.ok_or_else(|| de::Error::missing_field("amount"))?,
                    currency: currency.ok_or_else(|| de::Error::missing_field("currency"))?,
                })
            }
        }
        deserializer.deserialize_any(MoneyVisitor)
    }
}

/// A number, or a decimal written as a string (`"2500.50"`) to keep every digit.
enum RawDecimal {
    Int(i64),
    Float(f64),
    Text(String),
}

impl<'de> Deserialize<'de> for RawDecimal {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct DecimalVisitor;
        impl Visitor<'_> for DecimalVisitor {
            type Value = RawDecimal;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an amount: a number or a decimal string such as \"2500.50\"")
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<RawDecimal, E> {
                Ok(RawDecimal::Int(v))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<RawDecimal, E> {
                i64::try_from(v)
                    .map(RawDecimal::Int)
                    .map_err(|_| E::custom("expected an amount below 9223372036854775808"))
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<RawDecimal, E> {
                Ok(RawDecimal::Float(v))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<RawDecimal, E> {
                Ok(RawDecimal::Text(v.to_owned()))
            }
        }
        deserializer.deserialize_any(DecimalVisitor)
    }
}

#[derive(Deserialize)]
#[serde(
    deny_unknown_fields,
    tag = "type",
    rename_all = "lowercase",
    expecting = "a [weights] table with type = \"exact\", \"order\", \"ranges\" or \"ahp\""
)]
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
#[serde(
    deny_unknown_fields,
    expecting = "a judgement { more = \"compliance\", less = \"cost\", ratio = 3 }"
)]
struct RawPair {
    more: String,
    less: String,
    /// How many times more important `more` is than `less` (Saaty's 1-9 scale).
    ratio: f64,
}

#[derive(Deserialize)]
#[serde(
    deny_unknown_fields,
    expecting = "a [workload] table (currency, [[workload.task]], monthly_embedding_tokens, ...)"
)]
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
    #[serde(default)]
    allow_preview_models: bool,
    #[serde(default)]
    allow_deprecated_models: bool,
}

#[derive(Deserialize)]
#[serde(
    deny_unknown_fields,
    expecting = "a [[workload.task]] table (name, monthly_input_tokens, monthly_output_tokens, typical_prompt_tokens, ...)"
)]
struct RawTask {
    name: Spanned<String>,
    monthly_input_tokens: u64,
    monthly_output_tokens: u64,
    typical_prompt_tokens: Spanned<u64>,
    max_prompt_tokens: Option<Spanned<u64>>,
    #[serde(default)]
    capabilities: Vec<Spanned<String>>,
    purpose: Option<Spanned<String>>,
    min_quality_index: Option<Spanned<f64>>,
    cache_hit_share: Option<Spanned<f64>>,
}

#[derive(Deserialize)]
#[serde(
    deny_unknown_fields,
    expecting = "a [current] table (provider, engineer_day_rate, data_to_move_gb, ...)"
)]
struct RawCurrent {
    provider: Spanned<String>,
    data_to_move_gb: Option<Spanned<f64>>,
    engineer_day_rate: Spanned<RawMoney>,
    #[serde(default)]
    embedded_corpus_tokens: u64,
    regression_test_days_per_task: Option<Spanned<f64>>,
    compliance_reassessment: Option<Spanned<RawMoney>>,
}

// ---------------------------------------------------------------- validation

struct Validator<'a> {
    text: &'a str,
    file: &'a str,
    issues: Vec<Issue>,
    notices: Vec<Notice>,
    lines: KeyLines,
}

impl<'a> Validator<'a> {
    fn new(text: &'a str, file: &'a str) -> Self {
        Validator {
            text,
            file,
            issues: Vec::new(),
            notices: Vec::new(),
            lines: KeyLines {
                file: file.to_owned(),
                lines: BTreeMap::new(),
            },
        }
    }

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

    fn remember(&mut self, key: &str, span: std::ops::Range<usize>) {
        let line = self.line(span);
        self.lines.lines.insert(key.to_owned(), line);
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
            let found = Segment::parse(s.get_ref().trim());
            if found.is_none() {
                self.issue(
                    Some(s.span()),
                    "segment",
                    format!(
                        "expected one of \"ai-native\", \"regulated\", \"sme\", found {:?}{}",
                        s.get_ref(),
                        hint(s.get_ref(), Segment::ALL.map(Segment::key))
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
            notices: std::mem::take(&mut self.notices),
            lines: std::mem::take(&mut self.lines),
        })
    }

    fn constraints(&mut self, raw: RawConstraints) -> Constraints {
        let mut out = Constraints::default();
        for (i, j) in raw.data_jurisdictions.iter().enumerate() {
            let key = format!("constraints.data_jurisdictions[{i}]");
            match Jurisdiction::parse(j.get_ref().trim()) {
                Some(code) => {
                    self.remember(&key, j.span());
                    out.data_jurisdictions.push(code);
                }
                None => self.issue(
                    Some(j.span()),
                    &key,
                    format!(
                        "expected a lowercase jurisdiction code (cn = mainland China, hk, sg, us, eu, uk, jp, or another two-letter code), found {:?}{}",
                        j.get_ref(),
                        jurisdiction_hint(j.get_ref())
                    ),
                ),
            }
        }
        for (field, list, required) in [
            (
                "required_certifications",
                &raw.required_certifications,
                true,
            ),
            ("desired_certifications", &raw.desired_certifications, false),
        ] {
            for (i, c) in list.iter().enumerate() {
                let line = self.line(c.span());
                match CertRequirement::parse(c.get_ref(), Some(line)) {
                    Ok(cert) => {
                        let target = if required {
                            &mut out.required_certifications
                        } else {
                            &mut out.desired_certifications
                        };
                        if !target.iter().any(|t| t.label() == cert.label()) {
                            target.push(cert);
                        }
                    }
                    Err(expected) => self.issue(
                        Some(c.span()),
                        &format!("constraints.{field}[{i}]"),
                        expected,
                    ),
                }
            }
        }
        for (i, c) in raw.required_capabilities.iter().enumerate() {
            match Capability::parse(c.get_ref().trim()) {
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
        if let Some(u) = raw.unverified {
            match Unverified::parse(u.get_ref().trim()) {
                Some(policy) => out.unverified = policy,
                None => self.issue(
                    Some(u.span()),
                    "constraints.unverified",
                    format!(
                        "expected \"to-verify\" (list a provider whose residency or required certification is unknown apart, with what to ask) or \"exclude\", found {:?}{}",
                        u.get_ref(),
                        hint(u.get_ref(), Unverified::ALL.map(Unverified::key))
                    ),
                ),
            }
        }
        out
    }

    fn money(&mut self, raw: &Spanned<RawMoney>, key: &str) -> Option<Money> {
        match raw.get_ref() {
            RawMoney::Text(text) => match money_text(text) {
                Ok(m) => Some(m),
                Err(expected) => {
                    self.issue(Some(raw.span()), key, expected);
                    None
                }
            },
            RawMoney::Table { amount, currency } => {
                let code = Currency::parse(currency.trim());
                if code.is_none() {
                    self.issue(
                        Some(raw.span()),
                        &format!("{key}.currency"),
                        currency_expectation(currency),
                    );
                }
                let amount = match amount {
                    RawDecimal::Int(i) => Some(Decimal::from(*i)),
                    RawDecimal::Float(f) => Decimal::from_f64_retain(*f).map(|d| d.normalize()),
                    RawDecimal::Text(t) => amount_text(t),
                };
                match amount {
                    Some(a) if a >= Decimal::ZERO => Some(Money {
                        amount: a,
                        currency: code?,
                    }),
                    _ => {
                        self.issue(
                            Some(raw.span()),
                            &format!("{key}.amount"),
                            "expected a non-negative amount (a number or a decimal string)"
                                .to_owned(),
                        );
                        None
                    }
                }
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
                if !ok {
                    return None;
                }
                let scaled = w.map(|x| x / sum);
                if (sum - 1.0).abs() > 1e-9 {
                    self.notices.push(rescaled_notice(sum, &scaled));
                }
                Some(WeightSpec::Exact(scaled))
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
        let currency = Currency::parse(raw.currency.get_ref().trim());
        if currency.is_none() {
            self.issue(
                Some(raw.currency.span()),
                "workload.currency",
                currency_expectation(raw.currency.get_ref()),
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
                match Capability::parse(c.get_ref().trim()) {
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
            let typical = *t.typical_prompt_tokens.get_ref();
            if typical == 0 {
                self.issue(
                    Some(t.typical_prompt_tokens.span()),
                    &format!("{key}.typical_prompt_tokens"),
                    "expected a prompt length above 0 tokens".to_owned(),
                );
            }
            let max_prompt_tokens = t.max_prompt_tokens.as_ref().map(|m| {
                let v = *m.get_ref();
                if v < typical || v == 0 {
                    self.issue(
                        Some(m.span()),
                        &format!("{key}.max_prompt_tokens"),
                        format!(
                            "expected the largest prompt the task sends, at least typical_prompt_tokens ({typical}), found {v}"
                        ),
                    );
                }
                v
            });
            let purpose = match &t.purpose {
                None => ModelPurpose::General,
                Some(p) => match ModelPurpose::parse(p.get_ref().trim()) {
                    Some(purpose) => purpose,
                    None => {
                        let known = ModelPurpose::ALL.map(ModelPurpose::name);
                        self.issue(
                            Some(p.span()),
                            &format!("{key}.purpose"),
                            format!(
                                "expected one of {}, found {:?}{}",
                                quoted(&known),
                                p.get_ref(),
                                hint(p.get_ref(), known)
                            ),
                        );
                        ModelPurpose::General
                    }
                },
            };
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
                typical_prompt_tokens: typical,
                capabilities,
                min_quality_index,
                cache_hit_share: share,
                max_prompt_tokens,
                purpose,
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
            (Some(model), _) => {
                let name = model.get_ref().trim().to_owned();
                if name.is_empty() {
                    self.issue(
                        Some(model.span()),
                        "workload.gpu_model",
                        "expected a GPU model (e.g. \"H100\"), found \"\"".to_owned(),
                    );
                }
                self.remember("workload.gpu_model", model.span());
                Some(GpuNeed {
                    model: name,
                    monthly_hours: hours,
                })
            }
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
            allow_preview_models: raw.allow_preview_models,
            allow_deprecated_models: raw.allow_deprecated_models,
            lines: self.lines.clone(),
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
                "expected a provider id such as \"alibaba-cloud\" or a name such as \"aliyun\""
                    .to_owned(),
            );
        }
        let regression = raw.regression_test_days_per_task.as_ref().map(|d| {
            let v = *d.get_ref();
            if !(v.is_finite() && v >= 0.0) {
                self.issue(
                    Some(d.span()),
                    "current.regression_test_days_per_task",
                    format!("expected engineer-days >= 0, found {v}"),
                );
            }
            v
        });
        let reassessment = match &raw.compliance_reassessment {
            Some(m) => Some(self.money(m, "current.compliance_reassessment")?),
            None => None,
        };
        Some(Current {
            provider,
            provider_line: Some(self.line(raw.provider.span())),
            data_to_move_gb: gb,
            engineer_day_rate: rate?,
            embedded_corpus_tokens: raw.embedded_corpus_tokens,
            regression_test_days_per_task: regression,
            compliance_reassessment: reassessment,
        })
    }
}

/// "exact weights sum to 1.4; rescaled to sum to 1: cost 0.36, stability 0.29 (the others 0)".
fn rescaled_notice(sum: f64, scaled: &[f64; 6]) -> Notice {
    let given: Vec<String> = Criterion::ALL
        .iter()
        .zip(scaled)
        .filter(|(_, w)| **w > 0.0)
        .map(|(c, w)| format!("{} {w:.2}", c.key()))
        .collect();
    let zeros = scaled.contains(&0.0);
    let sum = trimmed(sum);
    Notice {
        key: "weights".to_owned(),
        en: format!(
            "exact weights sum to {sum}; rescaled to sum to 1: {}{}",
            given.join(", "),
            if zeros { " (the others 0)" } else { "" }
        ),
        zh: format!(
            "精确权重之和为 {sum},已按比例缩放为和为 1:{}{}",
            given.join(", "),
            if zeros { "(其余为 0)" } else { "" }
        ),
    }
}

/// A number with at most four decimals and no trailing zeros (`1.4`, `0.95`).
fn trimmed(x: f64) -> String {
    let text = format!("{x:.4}");
    let text = text.trim_end_matches('0').trim_end_matches('.');
    text.to_owned()
}

/// `"30000 CNY"`, `"CNY 30000"`, `"30,000 CNY"`, `"2500.50CNY"`.
fn money_text(text: &str) -> Result<Money, String> {
    let t = text.trim();
    let example = "expected an amount with its currency, such as \"30000 CNY\" or { amount = 30000, currency = \"CNY\" }";
    let is_code = |c: char| c.is_alphabetic() || "¥$€".contains(c);
    let (code, number) = if t.starts_with(is_code) {
        let end = t.find(|c: char| !is_code(c)).unwrap_or(t.len());
        (&t[..end], &t[end..])
    } else if t.ends_with(is_code) {
        let start = t
            .char_indices()
            .rev()
            .find(|(_, c)| !is_code(*c))
            .map(|(i, c)| i + c.len_utf8())
            .unwrap_or(0);
        (&t[start..], &t[..start])
    } else {
        return Err(format!("{example}; found {text:?} (no currency)"));
    };
    let Some(currency) = Currency::parse(code) else {
        return Err(format!(
            "{example}; found {text:?}: {}",
            currency_expectation(code)
        ));
    };
    match amount_text(number) {
        Some(a) if a >= Decimal::ZERO => Ok(Money {
            amount: a,
            currency,
        }),
        Some(_) => Err(format!("expected a non-negative amount, found {text:?}")),
        None => Err(format!("{example}; found {text:?} (no amount)")),
    }
}

/// A decimal as people write it: `30000`, `30,000`, `30_000`, `2500.50`.
fn amount_text(text: &str) -> Option<Decimal> {
    let digits: String = text
        .trim()
        .chars()
        .filter(|c| !matches!(c, ',' | '_' | ' '))
        .collect();
    if digits.is_empty() {
        return None;
    }
    digits.parse::<Decimal>().ok()
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

/// `"a", "b" or "c"`.
fn quoted(names: &[&str]) -> String {
    let q: Vec<String> = names.iter().map(|n| format!("{n:?}")).collect();
    match q.split_last() {
        None => String::new(),
        Some((last, [])) => last.clone(),
        Some((last, init)) => format!("{} or {last}", init.join(", ")),
    }
}

fn criterion_expectation(found: &str) -> String {
    let known = Criterion::ALL.map(Criterion::key);
    format!(
        "expected one of {}, found {found:?}{}",
        known.join(", "),
        hint(found, known)
    )
}

fn capability_expectation(found: &str) -> String {
    let known = Capability::ALL.map(Capability::name);
    format!(
        "expected one of {}, found {found:?}{}",
        known.join(", "),
        hint(found, known)
    )
}

fn currency_expectation(found: &str) -> String {
    let found = found.trim();
    let said = match found.to_uppercase().as_str() {
        "RMB" | "CNH" | "元" | "¥" | "人民币" | "YUAN" => Some("CNY"),
        "$" | "US$" | "美元" => Some("USD"),
        "€" | "欧元" => Some("EUR"),
        upper => Currency::parse(upper).map(Currency::code),
    };
    let did_you_mean = match said {
        Some(code) => format!(" (did you mean {code:?}?)"),
        None => hint(found, Currency::ALL.map(Currency::code)),
    };
    format!("expected \"CNY\", \"USD\" or \"EUR\", found {found:?}{did_you_mean}")
}

/// The jurisdictions with a name of their own (others are written by their two-letter code).
const NAMED_JURISDICTIONS: &[(Jurisdiction, &[&str])] = &[
    (
        Jurisdiction::MainlandChina,
        &[
            "china",
            "mainland",
            "prc",
            "中国",
            "中国大陆",
            "大陆",
            "境内",
        ],
    ),
    (Jurisdiction::HongKong, &["hong kong", "hongkong", "香港"]),
    (Jurisdiction::Singapore, &["singapore", "新加坡"]),
    (
        Jurisdiction::UnitedStates,
        &["usa", "united states", "america", "美国"],
    ),
    (
        Jurisdiction::EuropeanUnion,
        &["europe", "european union", "欧盟"],
    ),
    (
        Jurisdiction::UnitedKingdom,
        &["gb", "britain", "united kingdom", "英国"],
    ),
    (Jurisdiction::Japan, &["japan", "日本"]),
];

/// ` (did you mean "cn"?)` for `China`, `CN`, `中国`.
fn jurisdiction_hint(found: &str) -> String {
    let lower = found.trim().to_lowercase();
    if let Some(j) = Jurisdiction::parse(&lower) {
        return format!(" (did you mean {:?}?)", j.code());
    }
    for (j, names) in NAMED_JURISDICTIONS {
        if names.iter().any(|n| *n == lower) {
            return format!(" (did you mean {:?}?)", j.code());
        }
    }
    hint(&lower, NAMED_JURISDICTIONS.iter().map(|(j, _)| j.code()))
}

pub fn capability_key(c: Capability) -> &'static str {
    c.name()
}

/// The lowercase code of a jurisdiction, as profiles and catalog files write it.
pub fn jurisdiction_code(j: &Jurisdiction) -> &str {
    j.code()
}

#[cfg(test)]
mod tests {
    use super::*;
    use cloudfit_catalog::GpuInstance;

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

    /// The one issue of `text`, as the user reads it.
    fn one_issue(text: &str) -> String {
        let found = issues(text);
        assert_eq!(found.len(), 1, "{found:?}");
        found[0].to_string()
    }

    fn with_constraints(lines: &str) -> String {
        MINIMAL.replace("[workload]", &format!("[constraints]\n{lines}\n[workload]"))
    }

    fn with_current(lines: &str) -> String {
        format!(
            "{MINIMAL}\n[current]\nprovider = \"cn-a\"\nengineer_day_rate = \"1000 CNY\"\n{lines}\n"
        )
    }

    #[test]
    fn minimal_profile_uses_the_segment_preset_and_the_defaults() {
        let p = Profile::parse(MINIMAL, "p.toml").unwrap();
        assert_eq!(p.weights, WeightSpec::Preset(Segment::Sme));
        let t = &p.workload.tasks[0];
        assert_eq!(t.cache_hit_share, 0.25);
        assert_eq!(t.max_prompt_tokens, None);
        assert_eq!(t.purpose, ModelPurpose::General);
        assert_eq!(p.workload.currency, Currency::Cny);
        assert!(!p.workload.allow_preview_models && !p.workload.allow_deprecated_models);
        assert_eq!(p.constraints.unverified, Unverified::ToVerify);
        assert!(p.notices.is_empty());
    }

    #[test]
    fn presets_sum_to_one_and_follow_their_sentence() {
        for s in Segment::ALL {
            let w = s.preset().weights;
            assert!((w.iter().sum::<f64>() - 1.0).abs() < 1e-12, "{s:?}");
            assert_eq!(Segment::parse(s.key()), Some(s));
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
    fn preset_certifications_are_names_of_the_vocabulary() {
        for list in Segment::ALL
            .map(|s| s.preset().desired_certifications)
            .into_iter()
            .chain([DEFAULT_DESIRED_CERTIFICATIONS])
        {
            for name in list {
                assert!(CertRequirement::parse(name, None).is_ok(), "{name}");
            }
        }
    }

    #[test]
    fn unknown_key_names_line_and_path_and_the_closest_key() {
        let text = MINIMAL.replace("cache_hit_share", "cache_hit_rate");
        let found = issues(&text);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].key, "workload.task[0].cache_hit_rate");
        assert_eq!(found[0].line, Some(12));
        assert!(found[0].expected.contains("unknown field"), "{found:?}");
        assert!(
            found[0]
                .expected
                .ends_with("(did you mean `cache_hit_share`?)"),
            "{found:?}"
        );
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
    fn no_message_shows_an_internal_type_name() {
        let cases = [
            with_constraints("monthly_budget = 30000"),
            with_constraints("monthly_budget = [30000]"),
            with_constraints(
                "monthly_budget = { amount = 30000, currency = \"CNY\", per = \"month\" }",
            ),
            with_constraints("monthly_budget = { amount = true, currency = \"CNY\" }"),
            with_constraints("monthly_budget = { currency = \"CNY\" }"),
            MINIMAL.replace("name = \"t\"", "name = \"t\"\nconstraints = \"cn\""),
            MINIMAL.replace("[workload]", "weights = \"cost\"\n[workload]"),
            format!("{MINIMAL}\n[weights]\ntype = \"ahp\"\npairs = [\"cost > stability\"]\n"),
            format!("{MINIMAL}\n[weights]\ntype = \"ahp\"\npairs = [{{ more = \"cost\" }}]\n"),
            MINIMAL.replace("[workload]", "current = \"aliyun\"\n[workload]"),
            format!("{MINIMAL}\n[current]\nprovider = \"cn-a\"\nengineer_day_rate = 1000\n"),
            MINIMAL.replace("[[workload.task]]", "task = \"chat\"\n[[workload.task.x]]"),
            "name = \"t\"\nsegment = \"sme\"\nworkload = 3\n".to_owned(),
        ];
        for text in cases {
            let message = ProfileError::Invalid {
                issues: issues(&text),
            }
            .to_string();
            for internal in ["Raw", "struct ", "enum ", "u64", "f64", "Spanned", "serde"] {
                assert!(
                    !message.contains(internal),
                    "{internal:?} in {message}\nfor\n{text}"
                );
            }
        }
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
    fn every_vocabulary_name_gets_a_did_you_mean() {
        let cases = [
            (
                MINIMAL.replace("\"sme\"", "\"regulatd\""),
                "segment",
                "\"regulated\"",
            ),
            (
                MINIMAL.replace("[\"chat\"]", "[\"embedding\"]"),
                "workload.task[0].capabilities[0]",
                "\"embeddings\"",
            ),
            (
                with_constraints("required_capabilities = [\"tool\"]"),
                "constraints.required_capabilities[0]",
                "\"tools\"",
            ),
            (
                with_constraints("data_jurisdictions = [\"China\"]"),
                "constraints.data_jurisdictions[0]",
                "\"cn\"",
            ),
            (
                with_constraints("data_jurisdictions = [\"CN\"]"),
                "constraints.data_jurisdictions[0]",
                "\"cn\"",
            ),
            (
                with_constraints("unverified = \"exlude\""),
                "constraints.unverified",
                "\"exclude\"",
            ),
            (
                MINIMAL.replace("currency = \"CNY\"", "currency = \"RMB\""),
                "workload.currency",
                "\"CNY\"",
            ),
            (
                MINIMAL.replace("cache_hit_share", "purpose = \"docment\"\ncache_hit_share"),
                "workload.task[0].purpose",
                "\"document\"",
            ),
            (
                format!("{MINIMAL}\n[weights]\ntype = \"order\"\norder = \"complience > cost\"\n"),
                "weights.order",
                "\"compliance\"",
            ),
            (
                format!("{MINIMAL}\n[weights]\ntype = \"exat\"\n"),
                "weights.type",
                "`exact`",
            ),
        ];
        for (text, key, suggestion) in cases {
            let found = issues(&text);
            assert_eq!(found.len(), 1, "{found:?}");
            assert_eq!(found[0].key, key, "{found:?}");
            assert!(found[0].line.is_some(), "{found:?}");
            assert!(
                found[0]
                    .expected
                    .ends_with(&format!("(did you mean {suggestion}?)")),
                "{key}: {}",
                found[0].expected
            );
        }
    }

    #[test]
    fn a_misspelt_certification_is_refused_with_the_closest_name() {
        let text = with_constraints("required_certifications = [\"GENAI-FILLING\"]");
        let message = one_issue(&text);
        assert!(
            message.starts_with("p.toml:5: constraints.required_certifications[0]: expected a certification of the catalog's vocabulary (MLPS2, MLPS3, MLPS4, GENAI-FILING, "),
            "{message}"
        );
        assert!(
            message.ends_with("found \"GENAI-FILLING\" (did you mean \"GENAI-FILING\"?)"),
            "{message}"
        );
        let message = one_issue(&with_constraints("desired_certifications = [\"ISO2700\"]"));
        assert!(
            message.contains("(did you mean \"ISO27001\"?)"),
            "{message}"
        );
    }

    #[test]
    fn mlps_needs_its_level_and_reads_every_spelling_of_one() {
        let message = one_issue(&with_constraints("required_certifications = [\"MLPS\"]"));
        assert!(
            message.contains(
                "MLPS2, MLPS3 or MLPS4 (a higher level satisfies a lower one), found \"MLPS\""
            ),
            "{message}"
        );
        let message = one_issue(&with_constraints("required_certifications = [\"MLPS9\"]"));
        assert!(
            message.contains("expected MLPS with a level from 1 to 5"),
            "{message}"
        );
        for spelling in ["MLPS3", "MLPS-3", "mlps3", " Mlps3 "] {
            let text = with_constraints(&format!("required_certifications = [{spelling:?}]"));
            let p = Profile::parse(&text, "p").unwrap();
            assert_eq!(
                p.constraints.required_certifications,
                [CertRequirement {
                    name: "MLPS".to_owned(),
                    min_level: Some(3),
                    line: Some(5),
                }],
                "{spelling}"
            );
            assert_eq!(p.constraints.required_certifications[0].label(), "MLPS3");
        }
        let text = with_constraints("required_certifications = [\"iso27001\", \"fedramp-high\"]");
        let p = Profile::parse(&text, "p").unwrap();
        let labels: Vec<String> = p
            .constraints
            .required_certifications
            .iter()
            .map(CertRequirement::label)
            .collect();
        assert_eq!(labels, ["ISO27001", "FedRAMP-High"]);
    }

    #[test]
    fn counted_certifications_merge_required_and_preset() {
        let p = Profile::parse(
            &with_constraints("required_certifications = [\"mlps3\"]"),
            "p",
        )
        .unwrap();
        let labels: Vec<String> = p
            .counted_certifications()
            .iter()
            .map(CertRequirement::label)
            .collect();
        assert_eq!(labels, ["MLPS3", "ISO27001"]);
        let p = Profile::parse(&MINIMAL.replace("\"sme\"", "\"regulated\""), "p").unwrap();
        let counted = p.counted_certifications();
        assert_eq!(counted[0].name, "MLPS");
        assert_eq!(counted[0].min_level, Some(3));
        assert_eq!(counted[0].line, None);
    }

    #[test]
    fn weight_forms() {
        let with = |w: &str| format!("{MINIMAL}\n[weights]\n{w}\n");
        let p =
            Profile::parse(&with("type = \"exact\"\ncost = 0.5\nstability = 0.5"), "p").unwrap();
        assert_eq!(p.weights, WeightSpec::Exact([0.5, 0.0, 0.5, 0.0, 0.0, 0.0]));
        assert!(p.notices.is_empty(), "weights summing to 1 need no word");
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
    fn exact_weights_off_one_are_rescaled_and_said() {
        let text = format!(
            "{MINIMAL}\n[weights]\ntype = \"exact\"\ncost = 0.5\nstability = 0.4\ncompliance = 0.3\nai_capability = 0.2\n"
        );
        let p = Profile::parse(&text, "p").unwrap();
        let WeightSpec::Exact(w) = p.weights else {
            panic!("exact")
        };
        assert!((w.iter().sum::<f64>() - 1.0).abs() < 1e-12);
        assert_eq!(
            p.notices,
            [Notice {
                key: "weights".to_owned(),
                en: "exact weights sum to 1.4; rescaled to sum to 1: cost 0.36, stability 0.29, compliance 0.21, ai_capability 0.14 (the others 0)".to_owned(),
                zh: "精确权重之和为 1.4,已按比例缩放为和为 1:cost 0.36, stability 0.29, compliance 0.21, ai_capability 0.14(其余为 0)".to_owned(),
            }]
        );
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
        assert_eq!(c.embedded_corpus_tokens, 0);
        assert_eq!(c.regression_test_days_per_task, None);
        assert_eq!(c.compliance_reassessment, None);
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
    fn money_is_a_table_or_a_string() {
        for written in [
            "\"30000 CNY\"",
            "\"CNY 30000\"",
            "\"30,000 CNY\"",
            "\"30_000CNY\"",
            "\" 30000   CNY \"",
            "{ amount = 30000, currency = \"CNY\" }",
            "{ amount = \"30000.00\", currency = \"CNY\" }",
            "{ amount = 30000.0, currency = \"CNY\" }",
        ] {
            let p = Profile::parse(
                &with_constraints(&format!("monthly_budget = {written}")),
                "p",
            )
            .unwrap_or_else(|e| panic!("{written}: {e}"));
            let budget = p.constraints.monthly_budget.unwrap();
            assert_eq!(budget.amount.normalize(), Decimal::from(30000), "{written}");
            assert_eq!(budget.currency, Currency::Cny, "{written}");
        }
        let p = Profile::parse(&with_current(""), "p").unwrap();
        assert_eq!(
            p.current.unwrap().engineer_day_rate,
            Money::new(Decimal::from(1000), Currency::Cny)
        );
        for (written, expected) in [
            ("\"30000\"", "p.toml:5: constraints.monthly_budget: expected an amount with its currency, such as \"30000 CNY\" or { amount = 30000, currency = \"CNY\" }; found \"30000\" (no currency)"),
            ("\"30000 RMB\"", "(did you mean \"CNY\"?)"),
            ("\"30000 cny\"", "(did you mean \"CNY\"?)"),
            ("\"CNY\"", "(no amount)"),
            ("\"-5 CNY\"", "expected a non-negative amount, found \"-5 CNY\""),
            ("30000", "p.toml:5: constraints.monthly_budget: invalid type: integer `30000`, expected an amount with its currency, as { amount = 30000, currency = \"CNY\" } or \"30000 CNY\""),
        ] {
            let message = one_issue(&with_constraints(&format!("monthly_budget = {written}")));
            assert!(message.contains(expected), "{written}: {message}");
        }
    }

    #[test]
    fn tasks_take_a_largest_prompt_and_a_purpose() {
        let text = MINIMAL.replace(
            "cache_hit_share",
            "max_prompt_tokens = 60000\npurpose = \"document\"\ncache_hit_share",
        );
        let p = Profile::parse(&text, "p").unwrap();
        let t = &p.workload.tasks[0];
        assert_eq!(t.max_prompt_tokens, Some(60_000));
        assert_eq!(t.purpose, ModelPurpose::Document);
        let message = one_issue(&MINIMAL.replace(
            "cache_hit_share",
            "max_prompt_tokens = 1000\ncache_hit_share",
        ));
        assert_eq!(
            message,
            "p.toml:12: workload.task[0].max_prompt_tokens: expected the largest prompt the task sends, at least typical_prompt_tokens (2000), found 1000"
        );
    }

    #[test]
    fn workload_and_current_take_the_migration_and_model_keys() {
        let text = with_current(
            "embedded_corpus_tokens = 2_000_000_000\nregression_test_days_per_task = 1.5\ncompliance_reassessment = \"150000 CNY\"",
        )
        .replace(
            "currency = \"CNY\"\n[[",
            "currency = \"CNY\"\nallow_preview_models = true\nallow_deprecated_models = true\n[[",
        )
        .replace("[workload]", "[constraints]\nunverified = \"exclude\"\n[workload]");
        let p = Profile::parse(&text, "p").unwrap();
        assert!(p.workload.allow_preview_models && p.workload.allow_deprecated_models);
        assert_eq!(p.constraints.unverified, Unverified::Exclude);
        let c = p.current.unwrap();
        assert_eq!(c.embedded_corpus_tokens, 2_000_000_000);
        assert_eq!(c.regression_test_days_per_task, Some(1.5));
        assert_eq!(
            c.compliance_reassessment,
            Some(Money::new(Decimal::from(150_000), Currency::Cny))
        );
        let message = one_issue(&with_current("regression_test_days_per_task = -1"));
        assert!(
            message.ends_with(
                "current.regression_test_days_per_task: expected engineer-days >= 0, found -1"
            ),
            "{message}"
        );
    }

    fn catalog_with_aliases() -> Catalog {
        let mut catalog = crate::fixtures::catalog();
        if let Some(a) = catalog.providers.get_mut("cn-a") {
            a.name_en = "Alpha Cloud".to_owned();
            a.name_zh = Some("阿尔法云".to_owned());
            a.aliases = vec!["aliyun".to_owned(), "阿里云".to_owned()];
            a.gpu_instances = vec![GpuInstance {
                name: "gn7".to_owned(),
                gpu: "H100-80G".to_owned(),
                gpu_count: 8,
                region: None,
                price_per_hour: Money::new(Decimal::from(200), Currency::Cny),
                source: crate::fixtures::src("gpu"),
            }];
        }
        catalog
    }

    fn resolved(text: &str) -> Result<Profile, ProfileError> {
        let mut p = Profile::parse(text, "p.toml")?;
        p.resolve_names(&catalog_with_aliases())?;
        Ok(p)
    }

    fn resolve_issue(text: &str) -> String {
        match resolved(text) {
            Err(ProfileError::Invalid { issues }) if issues.len() == 1 => issues[0].to_string(),
            other => panic!("expected one issue, got {other:?}"),
        }
    }

    #[test]
    fn the_current_provider_is_found_by_id_name_or_alias() {
        for written in [
            "cn-a",
            "CN-A",
            "aliyun",
            "阿里云",
            "Alpha Cloud",
            "阿尔法云",
        ] {
            let text = with_current("").replace("\"cn-a\"", &format!("{written:?}"));
            let p = resolved(&text).unwrap_or_else(|e| panic!("{written}: {e}"));
            assert_eq!(p.current.as_ref().unwrap().provider, "cn-a", "{written}");
            if written == "cn-a" {
                assert!(p.notices.is_empty());
            } else {
                assert_eq!(p.notices.len(), 1, "{written}");
                assert_eq!(p.notices[0].key, "current.provider");
                assert!(
                    p.notices[0].en.contains("read as cn-a (Alpha Cloud)"),
                    "{:?}",
                    p.notices
                );
                assert!(
                    p.notices[0].zh.contains("识别为 cn-a(阿尔法云)"),
                    "{:?}",
                    p.notices
                );
            }
        }
        // resolving twice changes nothing more
        let mut p = resolved(&with_current("").replace("\"cn-a\"", "\"aliyun\"")).unwrap();
        p.resolve_names(&catalog_with_aliases()).unwrap();
        assert_eq!(p.notices.len(), 1);
    }

    #[test]
    fn an_unknown_current_provider_lists_the_ids_and_the_closest_name() {
        let message = resolve_issue(&with_current("").replace("\"cn-a\"", "\"aliyn\""));
        assert_eq!(
            message,
            "p.toml:15: current.provider: expected a provider of the catalog, by id (cn-a, cn-b, us-c) or by a name users say (as `catalog list providers` shows), found \"aliyn\" (did you mean \"aliyun\", cn-a?)"
        );
        let message = resolve_issue(&with_current("").replace("\"cn-a\"", "\"cn-c\""));
        assert!(message.ends_with("(did you mean \"cn-a\"?)"), "{message}");
    }

    #[test]
    fn jurisdictions_and_gpu_models_are_checked_against_the_catalog() {
        let message = resolve_issue(&with_constraints("data_jurisdictions = [\"cn\", \"xx\"]"));
        assert_eq!(
            message,
            "p.toml:5: constraints.data_jurisdictions[1]: expected a jurisdiction the catalog has regions in (cn, hk, sg, us, eu, uk, jp), found \"xx\""
        );
        let gpu = |model: &str| {
            MINIMAL.replace(
                "currency = \"CNY\"\n[[",
                &format!("currency = \"CNY\"\ngpu_model = {model:?}\nmonthly_gpu_hours = 10\n[["),
            )
        };
        for ok in ["H100", "h100-80g", "H100-80G"] {
            resolved(&gpu(ok)).unwrap_or_else(|e| panic!("{ok}: {e}"));
        }
        let message = resolve_issue(&gpu("H10"));
        assert_eq!(
            message,
            "p.toml:6: workload.gpu_model: expected a GPU model the catalog prices (H100-80G), or its family before a `-` (H100 for H100-80G), found \"H10\" (did you mean \"H100\"?)"
        );
        // a catalog that prices no GPU cannot tell a typo: the cost line says it is unpriced
        let mut p = Profile::parse(&gpu("H10"), "p.toml").unwrap();
        p.resolve_names(&crate::fixtures::catalog()).unwrap();
    }

    #[test]
    fn a_workload_file_names_its_own_file_in_messages() {
        let mut p = Profile::parse(MINIMAL, "p.toml").unwrap();
        p.workload = parse_workload(
            "[workload]\ncurrency = \"CNY\"\ngpu_model = \"B200\"\nmonthly_gpu_hours = 1\n",
            "w.toml",
        )
        .unwrap();
        let Err(ProfileError::Invalid { issues }) = p.resolve_names(&catalog_with_aliases()) else {
            panic!("expected an error")
        };
        assert_eq!(issues[0].file, "w.toml");
        assert_eq!(issues[0].line, Some(3));
    }
}
