//! `cloudfit claims`: every market "No. 1" claim with the measure behind it, beside the share of
//! plausible weightings in which the provider is first *for this profile* ("人均第一").

use std::collections::BTreeMap;
use std::path::PathBuf;

use cloudfit_advise::{assess, i18n, rank, Measurements, RankOptions};
use comfy_table::{presets::UTF8_FULL_CONDENSED, Table};
use serde_json::{json, Value};

use crate::failure::{CmdResult, Failure};
use crate::output::{emit, emit_json, unsupported, Format};

use super::report::{advise_failure, load_profile, round, Common};

#[derive(clap::Args)]
pub struct Args {
    /// Business profile; adds its SMAA first-rank share beside each claim
    #[arg(long, value_name = "P.toml")]
    profile: Option<PathBuf>,
    #[command(flatten)]
    common: Common,
    /// Output format: table or json
    #[arg(long, value_enum, default_value = "table")]
    format: Format,
    /// Seed for SMAA sampling
    #[arg(long, default_value_t = 42)]
    seed: u64,
    /// SMAA samples
    #[arg(long, default_value_t = 10_000, value_parser = clap::value_parser!(u64).range(1..=10_000_000))]
    samples: u64,
}

/// Per provider: (rank, first-rank share) or the exclusion reason.
type Standing = BTreeMap<String, Result<(usize, f64), String>>;

pub fn run(args: Args) -> CmdResult {
    if matches!(args.format, Format::Markdown | Format::Html) {
        return Err(unsupported(args.format, "claims", "table or json"));
    }
    let catalog = args.common.catalog()?;
    let lang = args.common.lang();
    let mut standing: Option<(String, Standing)> = None;
    if let Some(path) = &args.profile {
        let profile = load_profile(path)?;
        let as_of = args.common.as_of(Some(&profile), &catalog)?;
        let a =
            assess(&catalog, &profile, &Measurements::default(), as_of).map_err(advise_failure)?;
        let advice = rank(
            a,
            &profile,
            RankOptions {
                samples: usize::try_from(args.samples)
                    .map_err(|e| Failure::input(anyhow::Error::new(e)))?,
                seed: args.seed,
                ..RankOptions::default()
            },
        )
        .map_err(advise_failure)?;
        let mut map = Standing::new();
        for r in &advice.ranking {
            let id = advice.assessment.providers[r.index].id.clone();
            map.insert(id, Ok((r.rank, r.first_rank_share)));
        }
        for e in &advice.assessment.excluded {
            map.insert(e.provider.clone(), Err(i18n::exclusion(&e.reason, lang)));
        }
        standing = Some((profile.name.clone(), map));
    }
    let claims: Vec<Value> = catalog
        .claims
        .iter()
        .map(|c| {
            let text = match (lang, &c.claim_zh) {
                (i18n::Lang::Zh, Some(zh)) => zh.clone(),
                _ => c.claim_en.clone(),
            };
            let mut v = json!({
                "id": c.id, "provider": c.provider, "claim": text, "measure": c.measure,
                "scope": c.scope, "period": c.period, "value": c.value, "unit": c.unit,
                "report": c.report, "source": c.source.source, "as_of": c.source.as_of,
            });
            if let Some((_, map)) = &standing {
                let (rank, share, excluded) = match map.get(&c.provider) {
                    Some(Ok((rank, share))) => (json!(rank), json!(round(*share, 4)), Value::Null),
                    Some(Err(reason)) => (Value::Null, json!(0.0), json!(reason)),
                    None => (Value::Null, Value::Null, Value::Null),
                };
                v["rank"] = rank;
                v["first_rank_share"] = share;
                v["excluded"] = excluded;
            }
            v
        })
        .collect();
    if args.format == Format::Json {
        return emit_json(&json!({
            "profile": standing.as_ref().map(|s| s.0.clone()),
            "claims": claims,
        }));
    }
    let mut t = Table::new();
    t.load_preset(UTF8_FULL_CONDENSED);
    let l = |k| i18n::label(k, lang);
    let mut header = vec![
        l("provider"),
        l("claim"),
        l("measure"),
        l("scope"),
        l("period"),
        l("value"),
        l("report"),
    ];
    if standing.is_some() {
        header.push(l("your_share"));
    }
    t.set_header(header);
    for c in &claims {
        let s = |k: &str| c[k].as_str().unwrap_or_default().to_owned();
        let value = match (c["value"].as_f64(), c["unit"].as_str()) {
            (Some(v), Some("percent")) => format!("{v}%"),
            (Some(v), Some(u)) => format!("{v} {u}"),
            (Some(v), None) => v.to_string(),
            (None, _) => "-".to_owned(),
        };
        let mut row = vec![
            s("provider"),
            s("claim"),
            s("measure"),
            s("scope"),
            s("period"),
            value,
            s("report"),
        ];
        if standing.is_some() {
            row.push(
                match (c["first_rank_share"].as_f64(), c["excluded"].as_str()) {
                    (_, Some(reason)) => format!("0% ({reason})"),
                    (Some(share), None) => format!("{:.1}%", share * 100.0),
                    (None, None) => "-".to_owned(),
                },
            );
        }
        t.add_row(row);
    }
    let mut out = format!("{}\n", l("claims"));
    if let Some((name, _)) = &standing {
        out.push_str(&format!("{}: {name}\n", l("your_share")));
    }
    out.push_str(&format!("{t}\n"));
    emit(&out)
}
