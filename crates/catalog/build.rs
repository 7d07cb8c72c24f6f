//! Embeds every `*.toml` under `data/catalog/` into the library as `(relative path, text)` pairs,
//! in sorted path order, so the built-in catalog needs no files at run time.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};

fn main() -> io::Result<()> {
    let manifest_dir =
        PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").map_err(io::Error::other)?);
    let data_dir = manifest_dir.join("../../data/catalog");
    println!("cargo:rerun-if-changed={}", data_dir.display());
    let mut files = Vec::new();
    if data_dir.is_dir() {
        collect(&data_dir, &mut files)?;
    }
    files.sort();
    let mut out =
        String::from("/// Built-in catalog files: path relative to `data/catalog/`, contents.\n");
    out.push_str("pub static BUILTIN_FILES: &[(&str, &str)] = &[\n");
    for path in &files {
        println!("cargo:rerun-if-changed={}", path.display());
        let rel = path
            .strip_prefix(&data_dir)
            .map_err(io::Error::other)?
            .to_string_lossy()
            .replace('\\', "/");
        let abs = fs::canonicalize(path)?;
        out.push_str(&format!(
            "    ({:?}, include_str!({:?})),\n",
            rel,
            abs.to_string_lossy()
        ));
    }
    out.push_str("];\n");
    let out_dir = PathBuf::from(std::env::var("OUT_DIR").map_err(io::Error::other)?);
    fs::write(out_dir.join("builtin_files.rs"), out)
}

fn collect(dir: &Path, files: &mut Vec<PathBuf>) -> io::Result<()> {
    println!("cargo:rerun-if-changed={}", dir.display());
    for entry in fs::read_dir(dir)? {
        let path = entry?.path();
        if path.is_dir() {
            collect(&path, files)?;
        } else if path.extension().is_some_and(|e| e == "toml") {
            files.push(path);
        }
    }
    Ok(())
}
