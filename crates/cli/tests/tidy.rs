//! Repository rules enforced by a test rather than by memory (rust-analyzer's tidy).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "test code"
)]

use std::fs;
use std::path::{Path, PathBuf};

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

#[test]
fn architecture_mentions_every_crate() {
    let root = repo_root();
    let architecture = fs::read_to_string(root.join("ARCHITECTURE.md")).unwrap();
    let mut missing = Vec::new();
    for entry in fs::read_dir(root.join("crates")).unwrap() {
        let entry = entry.unwrap();
        if !entry.file_type().unwrap().is_dir() {
            continue;
        }
        let name = entry.file_name().to_string_lossy().into_owned();
        if !architecture.contains(&format!("crates/{name}")) {
            missing.push(name);
        }
    }
    assert!(
        missing.is_empty(),
        "ARCHITECTURE.md does not describe crates: {missing:?}"
    );
}

#[test]
fn readme_starts_with_the_two_setup_commands() {
    let readme = fs::read_to_string(repo_root().join("README.md")).unwrap();
    // The first fenced block holds exactly the main-job command and the test command,
    // each under its marker comment; .ci/run reads the line after `# tests`.
    let block = readme
        .split("```")
        .nth(1)
        .expect("README.md has no fenced code block");
    let commands: Vec<&str> = block
        .lines()
        .skip(1)
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .collect();
    assert_eq!(
        commands.len(),
        2,
        "first README block must hold exactly two commands: {commands:?}"
    );
    let lines: Vec<&str> = block.lines().map(str::trim).collect();
    let main_at = lines
        .iter()
        .position(|l| *l == "# main job")
        .expect("`# main job` marker");
    let tests_at = lines
        .iter()
        .position(|l| *l == "# tests")
        .expect("`# tests` marker");
    assert_eq!(lines[main_at + 1], commands[0]);
    assert_eq!(lines[tests_at + 1], commands[1]);
}

#[test]
fn every_crate_uses_workspace_lints() {
    let root = repo_root();
    for entry in fs::read_dir(root.join("crates")).unwrap() {
        let manifest = entry.unwrap().path().join("Cargo.toml");
        let text = fs::read_to_string(&manifest).unwrap();
        assert!(
            text.contains("[lints]\nworkspace = true"),
            "{} does not inherit the workspace lints",
            manifest.display()
        );
    }
}
