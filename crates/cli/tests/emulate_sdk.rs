//! The official Python SDKs of the four emulated clouds — `openai`, `anthropic`, `boto3`
//! (Bedrock) and `google-genai` (Gemini) — against the built `cloudfit emulate`
//! (crates/cli/tests/python/test_sdk.py). Fails — never skips — when python3 or the SDKs are
//! missing: CI installs them with
//! `python3 -m pip install -r crates/cli/tests/python/requirements.txt`.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::print_stdout,
    clippy::print_stderr,
    reason = "test code"
)]

use std::path::PathBuf;
use std::process::Command;

#[test]
fn official_python_sdks_talk_to_the_emulator() {
    let script = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/python/test_sdk.py");
    let out = Command::new("python3")
        .arg(&script)
        .env("CLOUDFIT_BIN", env!("CARGO_BIN_EXE_cloudfit"))
        .env("PYTHONDONTWRITEBYTECODE", "1")
        // botocore must not ask the EC2 metadata service (off 127.0.0.1) for credentials
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .output()
        .expect("python3 must be installed (CI: pip install -r crates/cli/tests/python/requirements.txt)");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success(),
        "python SDK tests failed (need openai, anthropic, boto3 and google-genai: \
         `python3 -m pip install -r crates/cli/tests/python/requirements.txt`):\n{}\n{stderr}",
        String::from_utf8_lossy(&out.stdout)
    );
    // unittest reports on stderr; make sure tests actually ran
    assert!(stderr.contains("\nOK"), "{stderr}");
    let ran: usize = stderr
        .lines()
        .find_map(|l| {
            l.strip_prefix("Ran ")
                .and_then(|r| r.split_whitespace().next())
                .and_then(|n| n.parse().ok())
        })
        .unwrap_or(0);
    assert!(ran >= 44, "only {ran} SDK tests ran:\n{stderr}");
}
