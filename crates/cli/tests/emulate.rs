//! `cloudfit emulate` as a user runs it: the built binary, a config file or flags, stdout lines
//! with base URLs, exit codes, graceful SIGTERM.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::print_stdout,
    clippy::print_stderr,
    reason = "test code"
)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::PathBuf;
use std::process::{Command, Stdio};

fn bin() -> &'static str {
    env!("CARGO_BIN_EXE_cloudfit")
}

fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

#[test]
fn shipped_example_config_is_valid() {
    let out = Command::new(bin())
        .args(["emulate", "--check", "--format", "json", "--config"])
        .arg(repo_root().join("examples/emulate.toml"))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["providers"], 6);
}

#[test]
fn bad_config_exits_2_naming_file_key_and_expectation() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bad.toml");
    std::fs::write(
        &path,
        "[[provider]]\nname = \"x\"\nprotocol = \"grpc\"\n[provider.faults]\nrate_limit_share = 3.0\n[[provider]]\nname = \"y\"\nprotocol = \"openai\"\nlisten = \"nowhere\"\n",
    )
    .unwrap();
    let out = Command::new(bin())
        .args(["emulate", "--config"])
        .arg(&path)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("bad.toml"), "{err}");
    assert!(
        err.contains("provider[0].protocol: expected one of openai"),
        "{err}"
    );
    assert!(err.contains("provider[0].faults.rate_limit_share"), "{err}");
    assert!(err.contains("provider[1].listen"), "{err}");

    std::fs::write(
        &path,
        "[[provider]]\nname = \"x\"\nprotocol = \"openai\"\nport = 3\n",
    )
    .unwrap();
    let out = Command::new(bin())
        .args(["emulate", "--config"])
        .arg(&path)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("line 4") && err.contains("port"), "{err}");

    let out = Command::new(bin())
        .args(["emulate", "--protocol", "soap"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let out = Command::new(bin())
        .args(["emulate", "--protocol", "openai", "--error-rate", "1.5"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--error-rate"));
}

fn http(addr: &str, request: &str) -> String {
    let mut s = TcpStream::connect(addr).unwrap();
    s.write_all(request.as_bytes()).unwrap();
    let mut out = String::new();
    s.read_to_string(&mut out).unwrap();
    out
}

#[test]
fn flags_form_serves_prints_base_url_and_stops_on_sigterm() {
    let mut child = Command::new(bin())
        .args([
            "emulate",
            "--protocol",
            "openai",
            "--listen",
            "127.0.0.1:0",
            "--seed",
            "3",
            "--models",
            "m1,m2",
            "--output-tokens",
            "5",
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let mut parts = line.split_whitespace();
    assert_eq!(parts.next(), Some("openai"));
    let url = parts.next().unwrap();
    let addr = url
        .strip_prefix("http://")
        .unwrap()
        .strip_suffix("/v1")
        .unwrap()
        .to_owned();
    let body = r#"{"model":"m2","messages":[{"role":"user","content":"hi"}]}"#;
    let resp = http(
        &addr,
        &format!("POST /v1/chat/completions HTTP/1.1\r\nhost: x\r\nauthorization: Bearer k\r\ncontent-type: application/json\r\nconnection: close\r\ncontent-length: {}\r\n\r\n{body}", body.len()),
    );
    assert!(resp.starts_with("HTTP/1.1 200"), "{resp}");
    assert!(resp.contains("\"completion_tokens\":5"), "{resp}");
    let resp = http(
        &addr,
        "GET /_emulator/hits HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n",
    );
    assert!(resp.contains("\"chat.completions\""), "{resp}");

    let status = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let status = child.wait().unwrap();
    assert!(status.success(), "graceful exit on SIGTERM: {status:?}");
}

#[test]
fn prompt_cache_keys_are_checked_and_repeated_prompts_report_cached_tokens() {
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("cache.toml");
    std::fs::write(
        &bad,
        "[[provider]]\nname = \"x\"\nprotocol = \"openai\"\nprompt_cache_min_tokens = 0\nprompt_cache_entries = -3\n",
    )
    .unwrap();
    let out = Command::new(bin())
        .args(["emulate", "--check", "--config"])
        .arg(&bad)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("cache.toml"), "{err}");
    assert!(
        err.contains("provider[0].prompt_cache_min_tokens: expected 1..="),
        "{err}"
    );
    assert!(err.contains("provider[0].prompt_cache_entries"), "{err}");

    // a lowered minimum lets a 200-token prompt be cached: reported in OpenAI's 128-token steps
    let good = dir.path().join("ok.toml");
    std::fs::write(
        &good,
        "[[provider]]\nname = \"oa\"\nprotocol = \"openai\"\nprompt_cache_min_tokens = 16\n",
    )
    .unwrap();
    let mut child = Command::new(bin())
        .args(["emulate", "--config"])
        .arg(&good)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let url = line.split_whitespace().nth(1).unwrap();
    let addr = url
        .strip_prefix("http://")
        .unwrap()
        .strip_suffix("/v1")
        .unwrap()
        .to_owned();
    let words: Vec<String> = (0..200).map(|i| format!("w{i}")).collect();
    let body = serde_json::json!({"model": "gpt-4o", "messages": [{"role": "user", "content": words.join(" ")}]}).to_string();
    let chat = || {
        http(
            &addr,
            &format!("POST /v1/chat/completions HTTP/1.1\r\nhost: x\r\nauthorization: Bearer k\r\ncontent-type: application/json\r\nconnection: close\r\ncontent-length: {}\r\n\r\n{body}", body.len()),
        )
    };
    let first = chat();
    assert!(first.contains("\"cached_tokens\":0"), "{first}");
    let second = chat();
    assert!(second.contains("\"prompt_tokens\":200"), "{second}");
    assert!(second.contains("\"cached_tokens\":128"), "{second}");
    let info = http(
        &addr,
        "GET /_emulator/info HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n",
    );
    assert!(info.contains("\"min_tokens\":16"), "{info}");
    let reset = http(
        &addr,
        "POST /_emulator/reset HTTP/1.1\r\nhost: x\r\nconnection: close\r\ncontent-length: 0\r\n\r\n",
    );
    assert!(reset.starts_with("HTTP/1.1 200"), "{reset}");
    assert!(chat().contains("\"cached_tokens\":0"));

    let status = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    assert!(child.wait().unwrap().success());
}
