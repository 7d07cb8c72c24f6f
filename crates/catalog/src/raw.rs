//! File types: the TOML shapes of `data/catalog/FORMAT.md`, exactly, with unknown keys rejected.
//!
//! A file is parsed once with `toml_edit` (keeping source spans); then every top-level table
//! and every `[[...]]` entry is deserialised on its own through `serde_path_to_error`, so a
//! mistake in one entry is reported with its line and key path and does not hide the mistakes
//! in the entries after it.

use std::fmt;
use std::ops::Range;
use std::str::FromStr;

use rust_decimal::Decimal;
use serde::de::{self, DeserializeOwned, Visitor};
use serde::{Deserialize, Deserializer};
use toml::Spanned;

/// A number read exactly: TOML integer, float (through its shortest round-trip text) or string.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Num(pub Decimal);

impl<'de> Deserialize<'de> for Num {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct NumVisitor;
        impl Visitor<'_> for NumVisitor {
            type Value = Num;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a number (or a decimal string such as \"1.2\")")
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Num, E> {
                Ok(Num(Decimal::from(v)))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Num, E> {
                Ok(Num(Decimal::from(v)))
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<Num, E> {
                if !v.is_finite() {
                    return Err(E::custom("expected a finite number"));
                }
                // Rust prints the shortest text that reads back as the same f64, which is the
                // literal the author wrote for any literal of up to 15 significant digits.
                parse_decimal(&format!("{v}"))
                    .map(Num)
                    .ok_or_else(|| E::custom(format!("number {v} does not fit a decimal")))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Num, E> {
                parse_decimal(v.trim()).map(Num).ok_or_else(|| {
                    E::custom(format!("expected a decimal number, found the string {v:?}"))
                })
            }
        }
        deserializer.deserialize_any(NumVisitor)
    }
}

/// Parses `1.2`, `-3`, `5e-08`, `1.5E+3` into an exact decimal.
pub fn parse_decimal(text: &str) -> Option<Decimal> {
    if text.contains(['e', 'E']) {
        Decimal::from_scientific(text).ok()
    } else {
        Decimal::from_str(text).ok()
    }
}

/// Source fields repeated in every table that holds a fact (serde cannot flatten with
/// `deny_unknown_fields`, so each struct lists them).
pub struct RawSourceRef<'a> {
    pub source: &'a Option<Spanned<String>>,
    pub as_of: &'a Option<Spanned<String>>,
    pub reliability: &'a Option<Spanned<String>>,
}

macro_rules! sourced {
    ($t:ty) => {
        impl $t {
            pub fn source_ref(&self) -> RawSourceRef<'_> {
                RawSourceRef {
                    source: &self.source,
                    as_of: &self.as_of,
                    reliability: &self.reliability,
                }
            }
        }
    };
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawProvider {
    pub id: Spanned<String>,
    pub name_en: Option<String>,
    pub name_zh: Option<String>,
    pub aliases: Option<Spanned<Vec<Spanned<String>>>>,
    pub headquarters: Option<Spanned<String>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawRegion {
    pub id: Spanned<String>,
    pub name: String,
    pub jurisdiction: Option<Spanned<String>>,
    pub residency: Option<String>,
    pub source: Option<Spanned<String>>,
    pub as_of: Option<Spanned<String>>,
    pub reliability: Option<Spanned<String>>,
}
sourced!(RawRegion);

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawEndpoint {
    pub region: Spanned<String>,
    pub protocol: Spanned<String>,
    pub dialect: Spanned<String>,
    pub base_url: Spanned<String>,
    pub auth: Spanned<String>,
    pub source: Option<Spanned<String>>,
    pub as_of: Option<Spanned<String>>,
    pub reliability: Option<Spanned<String>>,
}
sourced!(RawEndpoint);

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawCertification {
    pub name: Spanned<String>,
    pub scope: Option<String>,
    pub level: Option<Spanned<i64>>,
    pub coverage: Option<Spanned<String>>,
    pub held: Option<bool>,
    pub source: Option<Spanned<String>>,
    pub as_of: Option<Spanned<String>>,
    pub reliability: Option<Spanned<String>>,
}
sourced!(RawCertification);

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawSla {
    pub service: Spanned<String>,
    pub monthly_uptime_percent: Spanned<Num>,
    pub covers_model_api: bool,
    pub source: Option<Spanned<String>>,
    pub as_of: Option<Spanned<String>>,
    pub reliability: Option<Spanned<String>>,
}
sourced!(RawSla);

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawIncident {
    pub id: Spanned<String>,
    pub started: Spanned<String>,
    pub duration_hours: Spanned<Num>,
    pub scope: String,
    pub root_cause: Option<String>,
    #[serde(default)]
    pub jurisdictions: Vec<Spanned<String>>,
    pub affects_model_api: Option<bool>,
    pub source: Option<Spanned<String>>,
    pub as_of: Option<Spanned<String>>,
    pub reliability: Option<Spanned<String>>,
}
sourced!(RawIncident);

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawGpuInstance {
    pub name: Spanned<String>,
    pub gpu: String,
    pub gpu_count: Spanned<i64>,
    pub region: Option<Spanned<String>>,
    pub price_per_hour: Spanned<Num>,
    pub currency: Spanned<String>,
    pub source: Option<Spanned<String>>,
    pub as_of: Option<Spanned<String>>,
    pub reliability: Option<Spanned<String>>,
}
sourced!(RawGpuInstance);

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawEgress {
    pub price_per_gb: Spanned<Num>,
    pub currency: Spanned<String>,
    pub free_gb_per_month: Option<Spanned<Num>>,
    pub source: Option<Spanned<String>>,
    pub as_of: Option<Spanned<String>>,
    pub reliability: Option<Spanned<String>>,
}
sourced!(RawEgress);

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawSupport {
    pub tier: String,
    pub response_minutes: Spanned<i64>,
    pub source: Option<Spanned<String>>,
    pub as_of: Option<Spanned<String>>,
    pub reliability: Option<Spanned<String>>,
}
sourced!(RawSupport);

/// `[[availability]]`: observed uptime of the model API.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawAvailability {
    pub service: Spanned<String>,
    pub model: Option<Spanned<String>>,
    pub uptime_percent: Spanned<Num>,
    pub period: Spanned<String>,
    pub measured_from: Option<Spanned<String>>,
    pub source: Option<Spanned<String>>,
    pub as_of: Option<Spanned<String>>,
    pub reliability: Option<Spanned<String>>,
}
sourced!(RawAvailability);

/// `[data_use]`: the published statement on training with API data.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawDataUse {
    pub trains_on_api_data_by_default: bool,
    pub statement: Spanned<String>,
    pub source: Option<Spanned<String>>,
    pub as_of: Option<Spanned<String>>,
    pub reliability: Option<Spanned<String>>,
}
sourced!(RawDataUse);

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawModel {
    pub id: Spanned<String>,
    pub name: String,
    pub family: Option<String>,
    pub capabilities: Spanned<Vec<Spanned<String>>>,
    pub context_window: Option<Spanned<i64>>,
    pub deprecated_from: Option<Spanned<String>>,
    pub preview: Option<bool>,
    pub purpose: Option<Spanned<String>>,
    pub source: Option<Spanned<String>>,
    pub as_of: Option<Spanned<String>>,
    pub reliability: Option<Spanned<String>>,
    #[serde(default)]
    pub price: Vec<RawPrice>,
    #[serde(default)]
    pub quality: Vec<RawQuality>,
}
sourced!(RawModel);

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawPrice {
    pub region: Option<Spanned<String>>,
    pub currency: Spanned<String>,
    pub source: Option<Spanned<String>>,
    pub as_of: Option<Spanned<String>>,
    pub reliability: Option<Spanned<String>>,
    #[serde(default)]
    pub superseded: bool,
    #[serde(default)]
    pub off_peak: bool,
    #[serde(default)]
    pub tier: Vec<RawTier>,
}
sourced!(RawPrice);

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawTier {
    pub up_to_prompt_tokens: Option<Spanned<i64>>,
    pub input_per_mtok: Spanned<Num>,
    pub output_per_mtok: Spanned<Num>,
    pub cached_input_per_mtok: Option<Spanned<Num>>,
    pub cache_write_per_mtok: Option<Spanned<Num>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawQuality {
    pub benchmark: Spanned<String>,
    pub snapshot: Spanned<String>,
    pub value: Spanned<Num>,
    pub source: Option<Spanned<String>>,
    pub as_of: Option<Spanned<String>>,
    pub reliability: Option<Spanned<String>>,
}
sourced!(RawQuality);

/// `[[performance]]`: a published speed of one of the provider's models.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawPerformance {
    pub model: Spanned<String>,
    pub median_output_tokens_per_second: Spanned<Num>,
    pub median_time_to_first_token_ms: Option<Spanned<Num>>,
    pub measured_from: Option<Spanned<String>>,
    pub source: Option<Spanned<String>>,
    pub as_of: Option<Spanned<String>>,
    pub reliability: Option<Spanned<String>>,
}
sourced!(RawPerformance);

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawClaim {
    pub id: Spanned<String>,
    pub provider: Spanned<String>,
    pub claim_en: String,
    pub claim_zh: Option<String>,
    pub measure: String,
    pub measure_zh: Option<String>,
    pub scope: String,
    pub scope_zh: Option<String>,
    pub period: String,
    pub period_zh: Option<String>,
    pub value: Option<Spanned<Num>>,
    pub unit: Option<String>,
    pub report: String,
    pub source: Option<Spanned<String>>,
    pub as_of: Option<Spanned<String>>,
    pub reliability: Option<Spanned<String>>,
}
sourced!(RawClaim);

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawRate {
    pub from: Spanned<String>,
    pub to: Spanned<String>,
    pub rate: Spanned<Num>,
    pub source: Option<Spanned<String>>,
    pub as_of: Option<Spanned<String>>,
    pub reliability: Option<Spanned<String>>,
}
sourced!(RawRate);

/// One `[[...]]` entry: its value, the line its table starts on, its key path (`model[3]`).
pub type Entry<T> = (T, Option<usize>, String);

/// Everything one file holds, each entry with the line its table starts on.
#[derive(Debug, Default)]
pub struct RawFile {
    pub provider: Option<(RawProvider, Option<usize>)>,
    pub region: Vec<Entry<RawRegion>>,
    pub endpoint: Vec<Entry<RawEndpoint>>,
    pub certification: Vec<Entry<RawCertification>>,
    pub sla: Option<(RawSla, Option<usize>)>,
    pub incident: Vec<Entry<RawIncident>>,
    pub gpu_instance: Vec<Entry<RawGpuInstance>>,
    pub egress: Option<(RawEgress, Option<usize>)>,
    pub support: Option<(RawSupport, Option<usize>)>,
    pub data_use: Option<(RawDataUse, Option<usize>)>,
    pub availability: Vec<Entry<RawAvailability>>,
    pub model: Vec<Entry<RawModel>>,
    pub performance: Vec<Entry<RawPerformance>>,
    pub claim: Vec<Entry<RawClaim>>,
    pub rate: Vec<Entry<RawRate>>,
}

/// A structural problem: where and what.
#[derive(Debug)]
pub struct RawProblem {
    pub line: Option<usize>,
    pub key_path: String,
    pub message: String,
}

/// Maps byte offsets to 1-based line numbers.
pub struct Lines {
    starts: Vec<usize>,
}

impl Lines {
    pub fn new(text: &str) -> Self {
        let mut starts = vec![0];
        starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        Self { starts }
    }

    pub fn line(&self, offset: usize) -> usize {
        match self.starts.binary_search(&offset) {
            Ok(i) => i + 1,
            Err(i) => i,
        }
    }

    pub fn of_span(&self, span: Option<Range<usize>>) -> Option<usize> {
        span.map(|s| self.line(s.start))
    }
}

const TABLE_KEYS: &[&str] = &["provider", "sla", "egress", "support", "data_use"];
const ARRAY_KEYS: &[&str] = &[
    "region",
    "endpoint",
    "certification",
    "incident",
    "availability",
    "gpu_instance",
    "model",
    "performance",
    "claim",
    "rate",
];

/// Parses one file's text. Structural problems are returned beside whatever parsed cleanly.
pub fn parse_file(text: &str, lines: &Lines) -> (RawFile, Vec<RawProblem>) {
    let mut file = RawFile::default();
    let mut problems = Vec::new();
    let doc = match toml_edit::ImDocument::parse(text) {
        Ok(doc) => doc,
        Err(e) => {
            problems.push(RawProblem {
                line: lines.of_span(e.span()),
                key_path: String::new(),
                message: format!("invalid TOML: {}", first_line(e.message())),
            });
            return (file, problems);
        }
    };
    for (key, item) in doc.as_table().iter() {
        let key_line = doc
            .as_table()
            .key(key)
            .and_then(|k| lines.of_span(k.span()))
            .or_else(|| lines.of_span(item.span()));
        if TABLE_KEYS.contains(&key) {
            let Some(table) = item.as_table() else {
                problems.push(RawProblem {
                    line: key_line,
                    key_path: key.to_owned(),
                    message: format!("expected a table `[{key}]`"),
                });
                continue;
            };
            let line = lines.of_span(table.span()).or(key_line);
            let path = key.to_owned();
            match key {
                "provider" => file.provider = entry(table, line, &path, lines, &mut problems),
                "sla" => file.sla = entry(table, line, &path, lines, &mut problems),
                "egress" => file.egress = entry(table, line, &path, lines, &mut problems),
                "data_use" => file.data_use = entry(table, line, &path, lines, &mut problems),
                _ => file.support = entry(table, line, &path, lines, &mut problems),
            }
        } else if ARRAY_KEYS.contains(&key) {
            let Some(array) = item.as_array_of_tables() else {
                problems.push(RawProblem {
                    line: key_line,
                    key_path: key.to_owned(),
                    message: format!("expected an array of tables `[[{key}]]`"),
                });
                continue;
            };
            for (i, table) in array.iter().enumerate() {
                let line = lines.of_span(table.span()).or(key_line);
                let path = format!("{key}[{i}]");
                match key {
                    "region" => push(
                        &mut file.region,
                        entry(table, line, &path, lines, &mut problems),
                        &path,
                    ),
                    "endpoint" => push(
                        &mut file.endpoint,
                        entry(table, line, &path, lines, &mut problems),
                        &path,
                    ),
                    "certification" => push(
                        &mut file.certification,
                        entry(table, line, &path, lines, &mut problems),
                        &path,
                    ),
                    "incident" => push(
                        &mut file.incident,
                        entry(table, line, &path, lines, &mut problems),
                        &path,
                    ),
                    "availability" => push(
                        &mut file.availability,
                        entry(table, line, &path, lines, &mut problems),
                        &path,
                    ),
                    "gpu_instance" => push(
                        &mut file.gpu_instance,
                        entry(table, line, &path, lines, &mut problems),
                        &path,
                    ),
                    "model" => push(
                        &mut file.model,
                        entry(table, line, &path, lines, &mut problems),
                        &path,
                    ),
                    "performance" => push(
                        &mut file.performance,
                        entry(table, line, &path, lines, &mut problems),
                        &path,
                    ),
                    "claim" => push(
                        &mut file.claim,
                        entry(table, line, &path, lines, &mut problems),
                        &path,
                    ),
                    _ => push(
                        &mut file.rate,
                        entry(table, line, &path, lines, &mut problems),
                        &path,
                    ),
                }
            }
        } else {
            problems.push(RawProblem {
                line: key_line,
                key_path: key.to_owned(),
                message: format!(
                    "unknown key `{key}`, expected one of `provider`, `region`, `endpoint`, \
                     `certification`, `sla`, `incident`, `availability`, `data_use`, \
                     `gpu_instance`, `egress`, `support`, `model`, `performance`, `claim`, `rate`"
                ),
            });
        }
    }
    (file, problems)
}

fn push<T>(list: &mut Vec<Entry<T>>, item: Option<(T, Option<usize>)>, path: &str) {
    list.extend(item.map(|(v, line)| (v, line, path.to_owned())));
}

/// Deserialises one table through `serde_path_to_error`; a failure becomes a problem with the
/// line of the offending value when the parser knows it, else the line of the table.
fn entry<T: DeserializeOwned>(
    table: &toml_edit::Table,
    line: Option<usize>,
    path: &str,
    lines: &Lines,
    problems: &mut Vec<RawProblem>,
) -> Option<(T, Option<usize>)> {
    let value = toml_edit::Value::InlineTable(table.clone().into_inline_table());
    let deserializer = value.into_deserializer();
    match serde_path_to_error::deserialize::<_, T>(deserializer) {
        Ok(v) => Some((v, line)),
        Err(e) => {
            let inner_path = e
                .path()
                .to_string()
                .replace(".$__serde_spanned_private_value", "")
                .replace("$__serde_spanned_private_value", "");
            let key_path = if inner_path == "." || inner_path.is_empty() {
                path.to_owned()
            } else {
                format!("{path}.{inner_path}")
            };
            let inner = e.into_inner();
            problems.push(RawProblem {
                line: lines.of_span(inner.span()).or(line),
                key_path,
                message: crate::error::plain_serde_message(inner.message()),
            });
            None
        }
    }
}

fn first_line(message: &str) -> &str {
    message.lines().next().unwrap_or("").trim_end_matches('.')
}

use serde::de::IntoDeserializer as _;

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, Deserialize)]
    struct T {
        a: Num,
        b: Num,
        c: Num,
        d: Num,
    }

    #[test]
    fn numbers_are_read_exactly() {
        let t: T = toml::from_str("a = 0.1\nb = \"0.0000005\"\nc = 7\nd = 5e-08").unwrap();
        assert_eq!(t.a.0.to_string(), "0.1");
        assert_eq!(t.b.0.to_string(), "0.0000005");
        assert_eq!(t.c.0.to_string(), "7");
        assert_eq!(t.d.0.normalize().to_string(), "0.00000005");
        assert!(toml::from_str::<T>("a = \"abc\"\nb = 1\nc = 1\nd = 1").is_err());
    }

    #[test]
    fn lines_are_one_based() {
        let l = Lines::new("a\nbb\nccc");
        assert_eq!(l.line(0), 1);
        assert_eq!(l.line(2), 2);
        assert_eq!(l.line(5), 3);
    }
}
