//! `cloudfit tco`: the monthly cost line items of a profile's workload at every provider that
//! passes the profile's hard constraints.

use std::path::PathBuf;

use anyhow::anyhow;
use cloudfit_advise::{assess, i18n, parse_workload, Measurements};
use serde_json::json;

use crate::failure::{CmdResult, Failure};
use crate::output::{emit, emit_json, DataFormat};

use super::report::{self, advise_failure, load_profile, Common};

#[derive(clap::Args)]
pub struct Args {
    /// Business profile (TOML); its workload and constraints are used
    #[arg(long, value_name = "P.toml")]
    profile: PathBuf,
    /// A file with a [workload] table that replaces the profile's
    #[arg(long, value_name = "W.toml")]
    workload: Option<PathBuf>,
    #[command(flatten)]
    common: Common,
    /// Output format: table (for people) or json (for scripts)
    #[arg(long, value_enum, default_value = "table")]
    format: DataFormat,
}

pub fn run(args: Args) -> CmdResult {
    let mut profile = load_profile(&args.profile)?;
    if let Some(path) = &args.workload {
        let file = path.display().to_string();
        let text = std::fs::read_to_string(path)
            .map_err(|e| Failure::input(anyhow!("reading workload {file}: {e}")))?;
        profile.workload = parse_workload(&text, &file).map_err(Failure::input)?;
    }
    let catalog = args.common.catalog()?;
    profile.resolve_names(&catalog).map_err(Failure::input)?;
    let as_of = args.common.as_of(Some(&profile), &catalog)?;
    let lang = args.common.lang();
    let a = assess(&catalog, &profile, &Measurements::default(), as_of).map_err(advise_failure)?;
    let mut providers: Vec<&cloudfit_advise::ProviderAssessment> = a.providers.iter().collect();
    providers.sort_by(|x, y| {
        x.tco
            .known_total()
            .cmp(&y.tco.known_total())
            .then(x.id.cmp(&y.id))
    });
    match args.format {
        DataFormat::Json => emit_json(&json!({
            "profile": a.profile,
            "currency": a.currency.to_string(),
            "as_of": a.as_of.to_string(),
            "providers": providers.iter().map(|p| report::tco_json(p)).collect::<Vec<_>>(),
            "excluded": a.excluded.iter().map(|e| json!({
                "provider": e.provider, "reason": cloudfit_advise::assess::exclusion(&e.reason, lang)
            })).collect::<Vec<_>>(),
        })),
        _ => {
            let c = report::colon(lang);
            let mut out = report::wrap(
                &format!(
                    "{}{c}{} · {}{c}{}",
                    i18n::label("cost_lines", lang),
                    a.profile,
                    i18n::label("as_of", lang),
                    a.as_of
                ),
                "",
                "  ",
                report::WIDTH,
            );
            out.push_str("\n\n");
            out.push_str(&report::tco_summary(&providers, lang));
            out.push('\n');
            let mut sources = report::Sources::default();
            for p in &providers {
                let name = match (lang, &p.name_zh) {
                    (i18n::Lang::Zh, Some(zh)) => zh.as_str(),
                    _ => p.name_en.as_str(),
                };
                out.push_str(&report::tco_table(&p.id, name, &p.tco, &mut sources, lang));
                out.push('\n');
            }
            out.push_str(&report::wrap(
                i18n::label("tco_note", lang),
                "",
                "  ",
                report::WIDTH,
            ));
            out.push_str("\n\n");
            if !a.excluded.is_empty() {
                out.push_str(&format!(
                    "{}{}\n",
                    i18n::label("excluded", lang),
                    c.trim_end()
                ));
                for e in &a.excluded {
                    out.push_str(&report::wrap(
                        &format!(
                            "{}{c}{}",
                            e.provider,
                            cloudfit_advise::assess::exclusion(&e.reason, lang)
                        ),
                        "  ",
                        "    ",
                        report::WIDTH,
                    ));
                    out.push('\n');
                }
                out.push('\n');
            }
            out.push_str(&sources.render(lang));
            emit(&out)
        }
    }
}
