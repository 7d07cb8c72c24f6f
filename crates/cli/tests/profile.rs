#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::print_stdout,
    clippy::print_stderr,
    reason = "test code"
)]
//! `cloudfit profile init|check` and the profile findings of issue 15 through the built binary:
//! every name checked with a "did you mean", providers found by the names users say, money as
//! a string, rescaled weights said, and `--help` that tells the truth.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use cloudfit_advise::{Profile, Segment, WeightSpec};
use serde_json::Value;

fn cloudfit(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_cloudfit"))
        .args(args)
        .current_dir(Path::new(env!("CARGO_MANIFEST_DIR")).join("../.."))
        .env("CLOUDFIT_LOG", "error")
        .env("LANG", "en_US.UTF-8")
        .env("COLUMNS", "120")
        .env_remove("LC_ALL")
        .output()
        .expect("run cloudfit")
}

fn stdout(out: &Output) -> String {
    String::from_utf8(out.stdout.clone()).unwrap()
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// Run and expect success; the stdout.
fn ok(args: &[&str]) -> String {
    let out = cloudfit(args);
    assert!(out.status.success(), "{args:?}: {}", stderr(&out));
    stdout(&out)
}

/// Run and expect exit 2; the stderr.
fn bad(args: &[&str]) -> String {
    let out = cloudfit(args);
    assert_eq!(out.status.code(), Some(2), "{args:?}: {}", stdout(&out));
    stderr(&out)
}

fn examples() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/profiles")
}

/// A small mainland-China profile; `{constraints}`, `{task}` and `{tail}` are filled in.
fn profile_text(constraints: &str, task: &str, tail: &str) -> String {
    format!(
        r#"name = "Shanghai payments"
segment = "regulated"
[constraints]
data_jurisdictions = ["cn"]
{constraints}
[workload]
currency = "CNY"
monthly_embedding_tokens = 200_000_000
[[workload.task]]
name = "chatbot"
monthly_input_tokens = 300_000_000
monthly_output_tokens = 60_000_000
typical_prompt_tokens = 1_500
capabilities = ["chat"]
cache_hit_share = 0.4
{task}
{tail}
"#
    )
}

struct Files {
    dir: tempfile::TempDir,
}

impl Files {
    fn new() -> Self {
        Files {
            dir: tempfile::tempdir().unwrap(),
        }
    }

    fn write(&self, name: &str, text: &str) -> String {
        let path = self.dir.path().join(name);
        std::fs::write(&path, text).unwrap();
        path.to_str().unwrap().to_owned()
    }
}

const SEGMENTS: [(&str, Segment); 3] = [
    ("ai-native", Segment::AiNative),
    ("regulated", Segment::Regulated),
    ("sme", Segment::Sme),
];

#[test]
fn every_starting_profile_parses_checks_and_ranks() {
    let files = Files::new();
    for (key, segment) in SEGMENTS {
        for lang in ["en", "zh"] {
            let text = ok(&["profile", "init", "--segment", key, "--lang", lang]);
            let p = Profile::parse(&text, "init.toml")
                .unwrap_or_else(|e| panic!("{key} {lang}: {e}\n{text}"));
            assert_eq!(p.segment, Some(segment));
            assert_eq!(p.weights, WeightSpec::Preset(segment));
            assert_eq!(p.current.is_some(), segment != Segment::AiNative, "{key}");
            for k in [
                "name",
                "segment",
                "as_of",
                "data_jurisdictions",
                "required_certifications",
                "desired_certifications",
                "required_capabilities",
                "monthly_budget",
                "unverified",
                "currency",
                "monthly_embedding_tokens",
                "gpu_model",
                "monthly_gpu_hours",
                "storage_gb",
                "monthly_egress_gb",
                "allow_preview_models",
                "allow_deprecated_models",
                "monthly_input_tokens",
                "monthly_output_tokens",
                "typical_prompt_tokens",
                "max_prompt_tokens",
                "capabilities",
                "purpose",
                "min_quality_index",
                "cache_hit_share",
                "provider",
                "data_to_move_gb",
                "engineer_day_rate",
                "embedded_corpus_tokens",
                "regression_test_days_per_task",
                "compliance_reassessment",
                "[weights]",
                "docs/profile.md",
            ] {
                assert!(text.contains(k), "{key} {lang}: no {k}");
            }
            let sentence = match lang {
                "en" => segment.preset().source_en,
                _ => segment.preset().source_zh,
            };
            assert!(
                text.replace("\n#   ", if lang == "en" { " " } else { "" })
                    .contains(sentence),
                "{key} {lang}: the preset's sentence"
            );
            let path = files.write(&format!("{key}-{lang}.toml"), &text);
            ok(&["profile", "check", &path]);
            let v: Value = serde_json::from_str(&ok(&[
                "rank",
                "--profile",
                &path,
                "--format",
                "json",
                "--samples",
                "200",
            ]))
            .unwrap();
            let name = if lang == "en" {
                "My company"
            } else {
                "我的公司"
            };
            assert_eq!(v["profile"], name, "{key} {lang}");
        }
    }
}

#[test]
fn the_commented_keys_of_a_starting_profile_parse_when_uncommented() {
    let text = ok(&["profile", "init", "--segment", "regulated", "--lang", "en"]);
    let mut uncommented = text.clone();
    for key in [
        "as_of",
        "desired_certifications",
        "monthly_budget",
        "gpu_model",
        "monthly_gpu_hours",
        "min_quality_index",
        "regression_test_days_per_task",
        "compliance_reassessment",
    ] {
        let from = format!("\n# {key} =");
        assert!(
            uncommented.contains(&from),
            "{key} is offered commented out"
        );
        uncommented = uncommented.replace(&from, &format!("\n{key} ="));
    }
    let p = Profile::parse(&uncommented, "p.toml").unwrap_or_else(|e| panic!("{e}\n{uncommented}"));
    let c = p.current.unwrap();
    assert!(c.regression_test_days_per_task.is_some() && c.compliance_reassessment.is_some());
    assert!(p.workload.gpu.is_some() && p.constraints.monthly_budget.is_some());
    let files = Files::new();
    ok(&["profile", "check", &files.write("all.toml", &uncommented)]);
}

#[test]
fn init_golden() {
    let text = ok(&["profile", "init", "--segment", "regulated", "--lang", "en"]);
    insta::assert_snapshot!("init_regulated_en", text);
}

#[test]
fn init_writes_a_file_and_never_overwrites_one() {
    let files = Files::new();
    let path = files.dir.path().join("mine.toml");
    let p = path.to_str().unwrap();
    let said = ok(&[
        "profile",
        "init",
        "--segment",
        "sme",
        "--lang",
        "zh",
        "--out",
        p,
    ]);
    assert!(said.contains("mine.toml"), "{said}");
    let written = std::fs::read_to_string(&path).unwrap();
    assert!(written.contains("cloudfit profile check"), "{written}");
    assert!(written.contains(p), "the comments name the file to check");
    Profile::parse(&written, p).unwrap();
    std::fs::write(&path, "mine").unwrap();
    let err = bad(&["profile", "init", "--out", p]);
    assert!(err.contains("the file exists"), "{err}");
    assert_eq!(std::fs::read_to_string(&path).unwrap(), "mine");
}

#[test]
fn check_golden_for_the_bank() {
    // relative to the repository root (the current directory of every run), so the golden
    // text does not depend on where the checkout is
    let bank = "examples/profiles/bank.toml";
    let text = ok(&[
        "profile",
        "check",
        bank,
        "--as-of",
        "2026-11-09",
        "--lang",
        "en",
    ]);
    insta::assert_snapshot!("check_bank_en", text);
    let v: Value = serde_json::from_str(&ok(&[
        "profile",
        "check",
        bank,
        "--as-of",
        "2026-11-09",
        "--format",
        "json",
    ]))
    .unwrap();
    assert_eq!(v["ok"], true);
    assert_eq!(v["weights"]["form"], "ahp");
    assert_eq!(v["weights"]["smaa"]["kind"], "exact");
    let sum: f64 = v["weights"]["values"]
        .as_object()
        .unwrap()
        .values()
        .map(|w| w.as_f64().unwrap())
        .sum();
    assert!((sum - 1.0).abs() < 1e-3, "{sum}");
    assert_eq!(
        v["constraints"]["required_certifications"][0]["label"],
        "GENAI-FILING"
    );
    assert_eq!(
        v["constraints"]["desired_certifications"][0]["name"],
        "MLPS"
    );
    assert_eq!(
        v["constraints"]["desired_certifications"][0]["min_level"],
        3
    );
    assert_eq!(v["constraints"]["unverified"], "to-verify");
    assert_eq!(v["workload"]["tasks"][1]["typical_prompt_tokens"], 30_000);
    let zh = ok(&["profile", "check", bank, "--lang", "zh"]);
    assert!(
        zh.contains("硬性约束") && zh.contains("cn(中国大陆)"),
        "{zh}"
    );
}

#[test]
fn check_passes_exactly_when_rank_runs() {
    for entry in std::fs::read_dir(examples()).unwrap() {
        let path = entry.unwrap().path();
        let p = path.to_str().unwrap();
        let check = cloudfit(&["profile", "check", p]);
        let rank = cloudfit(&[
            "rank",
            "--profile",
            p,
            "--samples",
            "200",
            "--format",
            "json",
        ]);
        assert_eq!(
            check.status.code(),
            rank.status.code(),
            "{p}: {}",
            stderr(&check)
        );
        assert!(check.status.success(), "{p}: {}", stderr(&check));
    }
}

#[test]
fn a_misspelt_certification_is_refused_with_the_closest_name() {
    let files = Files::new();
    let p = files.write(
        "typo.toml",
        &profile_text("required_certifications = [\"GENAI-FILLING\"]", "", ""),
    );
    for args in [
        vec!["profile", "check", &p],
        vec!["rank", "--profile", &p],
        vec!["tco", "--profile", &p],
    ] {
        let err = bad(&args);
        assert!(
            err.contains(&format!("{p}:5: constraints.required_certifications[0]: expected a certification of the catalog's vocabulary (MLPS2, MLPS3, MLPS4, GENAI-FILING,")),
            "{args:?}: {err}"
        );
        assert!(
            err.contains("found \"GENAI-FILLING\" (did you mean \"GENAI-FILING\"?)"),
            "{args:?}: {err}"
        );
    }
}

#[test]
fn mlps_without_a_level_asks_for_it_and_mlps3_is_read_with_its_level() {
    let files = Files::new();
    let p = files.write(
        "mlps.toml",
        &profile_text("required_certifications = [\"MLPS\"]", "", ""),
    );
    let err = bad(&["profile", "check", &p]);
    assert!(
        err.contains("expected the level the system needs, MLPS2, MLPS3 or MLPS4 (a higher level satisfies a lower one), found \"MLPS\""),
        "{err}"
    );
    let p = files.write(
        "mlps3.toml",
        &profile_text("required_certifications = [\"mlps-3\"]", "", ""),
    );
    let v: Value =
        serde_json::from_str(&ok(&["profile", "check", &p, "--format", "json"])).unwrap();
    let req = &v["constraints"]["required_certifications"][0];
    assert_eq!(req["name"], "MLPS");
    assert_eq!(req["min_level"], 3);
    assert_eq!(req["label"], "MLPS3");
    let text = ok(&["profile", "check", &p, "--lang", "en"]);
    assert!(text.contains("MLPS3: level 3 or higher"), "{text}");
}

/// DeepSeek's record of MLPS at level 4 (an overlay) meets a requirement of MLPS3: a higher level
/// satisfies a lower one; a record at level 2 does not.
#[test]
fn a_higher_mlps_level_meets_a_lower_requirement() {
    let files = Files::new();
    let overlay = |level: u8| {
        files.write(
            &format!("mlps{level}.toml"),
            &format!(
                r#"[provider]
id = "deepseek"

[[certification]]
name = "MLPS"
level = {level}
coverage = "model-service"
scope = "test overlay: the model service graded at level {level}"
source = "test"
as_of = "2026-01-01"
"#
            ),
        )
    };
    let p = files.write(
        "p.toml",
        &profile_text(
            "required_certifications = [\"MLPS3\"]\nunverified = \"exclude\"",
            "",
            "",
        ),
    );
    let excluded = |extra: &[&str]| -> bool {
        let mut args = vec![
            "rank",
            "--profile",
            &p,
            "--format",
            "json",
            "--samples",
            "200",
        ];
        args.extend_from_slice(extra);
        let v: Value = serde_json::from_str(&ok(&args)).unwrap();
        v["excluded"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["provider"] == "deepseek")
    };
    assert!(excluded(&[]), "no record of MLPS does not show level 3");
    let level2 = overlay(2);
    assert!(excluded(&["--catalog", &level2]), "level 2 is below 3");
    let level4 = overlay(4);
    assert!(!excluded(&["--catalog", &level4]), "level 4 meets MLPS3");
}

#[test]
fn the_current_provider_is_found_by_the_names_users_say() {
    let files = Files::new();
    let overlay = files.write(
        "aliases.toml",
        "[provider]\nid = \"alibaba-cloud\"\naliases = [\"aliyun\", \"阿里云\"]\n",
    );
    for name in ["aliyun", "阿里云", "Alibaba-Cloud"] {
        let p = files.write(
            "current.toml",
            &profile_text(
                "",
                "",
                &format!(
                    "[current]\nprovider = {name:?}\ndata_to_move_gb = 500\nengineer_day_rate = \"2500 CNY\""
                ),
            ),
        );
        let v: Value = serde_json::from_str(&ok(&[
            "profile",
            "check",
            &p,
            "--catalog",
            &overlay,
            "--format",
            "json",
        ]))
        .unwrap();
        assert_eq!(v["current"]["provider"], "alibaba-cloud", "{name}");
        assert_eq!(v["notices"][0]["key"], "current.provider", "{name}");
        assert!(
            v["notices"][0]["en"]
                .as_str()
                .unwrap()
                .contains(&format!("{name:?} read as alibaba-cloud")),
            "{v}"
        );
        ok(&[
            "rank",
            "--profile",
            &p,
            "--catalog",
            &overlay,
            "--samples",
            "200",
        ]);
        ok(&["tco", "--profile", &p, "--catalog", &overlay]);
        ok(&[
            "claims",
            "--profile",
            &p,
            "--catalog",
            &overlay,
            "--samples",
            "200",
        ]);
    }
    let p = files.write(
        "unknown.toml",
        &profile_text(
            "",
            "",
            "[current]\nprovider = \"aliyn\"\nengineer_day_rate = \"2500 CNY\"",
        ),
    );
    let err = bad(&["profile", "check", &p, "--catalog", &overlay]);
    assert!(
        err.contains(&format!(
            "{p}:18: current.provider: expected a provider of the catalog, by id ("
        )),
        "{err}"
    );
    assert!(
        err.contains("alibaba-cloud, anthropic, aws"),
        "the ids are listed: {err}"
    );
    assert!(
        err.contains("(did you mean \"aliyun\", alibaba-cloud?)"),
        "{err}"
    );
    bad(&["rank", "--profile", &p, "--catalog", &overlay]);
}

#[test]
fn the_names_chinese_users_say_resolve_in_the_builtin_catalog() {
    let files = Files::new();
    for (name, id) in [
        ("aliyun", "alibaba-cloud"),
        ("阿里云", "alibaba-cloud"),
        ("华为云", "huawei-cloud"),
        ("腾讯云", "tencent-cloud"),
        ("火山引擎", "volcengine"),
        ("百度智能云", "baidu-cloud"),
        ("京东云", "jd-cloud"),
        ("金山云", "kingsoft-cloud"),
    ] {
        let p = files.write(
            "current.toml",
            &profile_text(
                "",
                "",
                &format!("[current]\nprovider = {name:?}\nengineer_day_rate = \"2500 CNY\""),
            ),
        );
        let v: Value =
            serde_json::from_str(&ok(&["profile", "check", &p, "--format", "json"])).unwrap();
        assert_eq!(v["current"]["provider"], id, "{name}");
    }
}

#[test]
fn money_is_accepted_as_a_string() {
    let files = Files::new();
    let p = files.write(
        "budget.toml",
        &profile_text("monthly_budget = \"30000 CNY\"", "", ""),
    );
    let v: Value =
        serde_json::from_str(&ok(&["profile", "check", &p, "--format", "json"])).unwrap();
    assert_eq!(
        v["constraints"]["monthly_budget"],
        serde_json::json!({ "amount": "30000", "currency": "CNY" })
    );
    ok(&[
        "rank",
        "--profile",
        &p,
        "--format",
        "json",
        "--samples",
        "200",
    ]);
    for written in [
        "\"30,000 CNY\"",
        "\"CNY 30000\"",
        "{ amount = 30000, currency = \"CNY\" }",
    ] {
        let p = files.write(
            "b.toml",
            &profile_text(&format!("monthly_budget = {written}"), "", ""),
        );
        ok(&["profile", "check", &p]);
    }
    let p = files.write("bad.toml", &profile_text("monthly_budget = 30000", "", ""));
    let err = bad(&["profile", "check", &p]);
    assert!(
        err.contains("monthly_budget: invalid type: integer `30000`, expected an amount with its currency, as { amount = 30000, currency = \"CNY\" } or \"30000 CNY\""),
        "{err}"
    );
    assert!(!err.contains("Raw"), "{err}");
}

#[test]
fn weights_off_one_are_rescaled_and_said() {
    let files = Files::new();
    let p = files.write(
        "w.toml",
        &profile_text(
            "",
            "",
            "[weights]\ntype = \"exact\"\ncost = 0.5\nstability = 0.4\ncompliance = 0.3\nai_capability = 0.2",
        ),
    );
    let text = ok(&["profile", "check", &p, "--lang", "en"]);
    assert!(
        text.contains("! exact weights sum to 1.4; rescaled to sum to 1: cost 0.36"),
        "{text}"
    );
    let v: Value =
        serde_json::from_str(&ok(&["profile", "check", &p, "--format", "json"])).unwrap();
    assert_eq!(v["notices"][0]["key"], "weights");
    assert_eq!(
        v["notices"][0]["en"],
        "exact weights sum to 1.4; rescaled to sum to 1: cost 0.36, stability 0.29, compliance 0.21, ai_capability 0.14 (the others 0)"
    );
    assert_eq!(v["weights"]["values"]["cost"], 0.3571);
}

#[test]
fn unknown_names_get_a_did_you_mean() {
    let files = Files::new();
    for (constraints, task, expected) in [
        (
            "required_capabilities = [\"embedding\"]",
            "",
            "constraints.required_capabilities[0]: expected one of chat, tools, vision, reasoning, embeddings, json-mode, audio, image-generation, found \"embedding\" (did you mean \"embeddings\"?)",
        ),
        (
            "",
            "purpose = \"documents\"",
            "workload.task[0].purpose: expected one of \"general\", \"document\", \"code\", \"translation\", \"roleplay\", \"image\" or \"search\", found \"documents\" (did you mean \"document\"?)",
        ),
        (
            "data_jurisdictions = [\"china\"]",
            "",
            "(did you mean \"cn\"?)",
        ),
        ("unverfied = \"exclude\"", "", "(did you mean `unverified`?)"),
    ] {
        let text = profile_text(constraints, task, "")
            .replacen("data_jurisdictions = [\"cn\"]\n", "", usize::from(constraints.starts_with("data_")));
        let p = files.write("names.toml", &text);
        let err = bad(&["profile", "check", &p]);
        assert!(err.contains(expected), "{expected}\n{err}");
    }
    let p = files.write(
        "gpu.toml",
        &profile_text("", "", "").replace(
            "monthly_embedding_tokens",
            "gpu_model = \"H100-80GB\"\nmonthly_gpu_hours = 100\nmonthly_embedding_tokens",
        ),
    );
    let err = bad(&["profile", "check", &p]);
    assert!(
        err.contains(&format!(
            "{p}:8: workload.gpu_model: expected a GPU model the catalog prices ("
        )),
        "{err}"
    );
    assert!(
        err.contains("found \"H100-80GB\" (did you mean \"H100-80G\"?)"),
        "{err}"
    );
}

#[test]
fn a_largest_prompt_below_the_typical_one_is_refused() {
    let files = Files::new();
    let p = files.write("p.toml", &profile_text("", "max_prompt_tokens = 1_000", ""));
    let err = bad(&["profile", "check", &p]);
    assert!(
        err.contains("workload.task[0].max_prompt_tokens: expected the largest prompt the task sends, at least typical_prompt_tokens (1500), found 1000"),
        "{err}"
    );
}

#[test]
fn help_lists_only_the_formats_a_command_writes() {
    for command in [
        vec!["tco"],
        vec!["claims"],
        vec!["catalog", "list"],
        vec!["profile", "check"],
    ] {
        let mut args = command.clone();
        args.push("--help");
        let help = ok(&args);
        assert!(
            help.contains("- table:") && help.contains("- json:"),
            "{command:?}: {help}"
        );
        assert!(
            !help.contains("markdown") && !help.contains("html"),
            "{command:?}: {help}"
        );
        assert!(help.contains("--lang"), "{command:?} takes --lang");
    }
    let err = bad(&["tco", "--profile", "x.toml", "--format", "html"]);
    assert!(err.contains("[possible values: table, json]"), "{err}");
    for command in [
        vec!["catalog", "validate"],
        vec!["catalog", "import", "litellm"],
        vec!["profile", "init"],
    ] {
        let mut args = command.clone();
        args.push("--help");
        assert!(ok(&args).contains("--lang"), "{command:?} takes --lang");
    }
}

#[test]
fn catalog_list_speaks_chinese() {
    let zh = ok(&[
        "catalog",
        "list",
        "models",
        "--provider",
        "deepseek",
        "--lang",
        "zh",
    ]);
    assert!(zh.contains("厂商") && zh.contains("上下文"), "{zh}");
    let en = ok(&[
        "catalog",
        "list",
        "models",
        "--provider",
        "deepseek",
        "--lang",
        "en",
    ]);
    assert!(
        en.contains("provider") && en.contains("context") && !en.contains("厂商"),
        "{en}"
    );
    let zh = ok(&["catalog", "validate", "--lang", "zh"]);
    assert!(zh.contains("家厂商"), "{zh}");
    let zh = ok(&["catalog", "list", "claims", "--lang", "zh"]);
    assert!(zh.contains("声明"), "{zh}");
}
