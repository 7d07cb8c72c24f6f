//! `cloudfit emulate`: serve fake AI clouds on loopback, from a config file or from flags.
//! Prints one line per provider (`name  base_url`) once every listener is bound, then serves
//! until SIGINT or SIGTERM and shuts down gracefully.

use std::net::SocketAddr;
use std::path::PathBuf;

use anyhow::{anyhow, Context};
use cloudfit_emulator::{
    Dialect, Dist, Emulator, EmulatorConfig, OutputLength, Protocol, ProviderConfig,
};

use crate::failure::{CmdResult, Failure};
use crate::output::{self, DataFormat};

#[derive(clap::Args)]
pub struct Args {
    /// TOML file with one [[provider]] table per fake cloud (see examples/emulate.toml)
    #[arg(long, value_name = "FILE", conflicts_with = "protocol")]
    config: Option<PathBuf>,
    /// Serve one provider speaking this protocol: openai, anthropic, bedrock or gemini
    #[arg(long, value_name = "PROTOCOL", required_unless_present = "config")]
    protocol: Option<String>,
    /// Address of the single provider (port 0 picks a free port)
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1:0")]
    listen: String,
    /// OpenAI-compatible dialect (deepseek, dashscope, ark, azure, ...)
    #[arg(long, value_name = "NAME")]
    dialect: Option<String>,
    /// Time to first token, in milliseconds
    #[arg(long, value_name = "MS", default_value_t = 0.0)]
    ttft_ms: f64,
    /// Output pace; 0 sends tokens as fast as possible
    #[arg(long, value_name = "N", default_value_t = 0.0)]
    tokens_per_s: f64,
    /// Tokens per response (capped by the request's max tokens)
    #[arg(long, value_name = "N", default_value_t = 32)]
    output_tokens: u32,
    /// Share of requests answered with a 500 server error
    #[arg(long, value_name = "F", default_value_t = 0.0)]
    error_rate: f64,
    /// Share of requests answered with 429 and Retry-After
    #[arg(long, value_name = "F", default_value_t = 0.0)]
    rate_limit_rate: f64,
    /// Seed for the generated text and the fault draws
    #[arg(long, value_name = "N", default_value_t = 0)]
    seed: u64,
    /// Comma-separated model ids (default: the protocol's usual models)
    #[arg(long, value_name = "A,B", value_delimiter = ',')]
    models: Vec<String>,
    /// Validate the configuration and exit without serving
    #[arg(long)]
    check: bool,
    /// Output format
    #[arg(long, value_enum, default_value = "table")]
    format: DataFormat,
}

pub fn run(args: Args) -> CmdResult {
    let config = match &args.config {
        Some(path) => EmulatorConfig::load(path).map_err(Failure::input)?,
        None => from_flags(&args)?,
    };
    if args.check {
        return match args.format {
            DataFormat::Json => output::emit_json(
                &serde_json::json!({"providers": config.providers.len(), "valid": true}),
            ),
            _ => output::emit(&format!("ok: {} provider(s)", config.providers.len())),
        };
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("starting the async runtime")?;
    runtime.block_on(serve(config, args.format))
}

fn from_flags(args: &Args) -> Result<EmulatorConfig, Failure> {
    let name = args.protocol.as_deref().unwrap_or_default();
    let protocol = Protocol::parse(name).ok_or_else(|| {
        Failure::input(anyhow!(
            "--protocol: expected openai, anthropic, bedrock or gemini, got {name:?}"
        ))
    })?;
    let listen: SocketAddr = args.listen.parse().map_err(|_| {
        Failure::input(anyhow!(
            "--listen: expected an address like 127.0.0.1:8080, got {:?}",
            args.listen
        ))
    })?;
    let mut p = ProviderConfig::new(protocol.as_str(), protocol);
    p.listen = listen;
    if let Some(d) = &args.dialect {
        if protocol != Protocol::OpenAi {
            return Err(Failure::input(anyhow!(
                "--dialect: only the openai protocol has dialects"
            )));
        }
        p.dialect = Dialect::parse(d).ok_or_else(|| {
            let names: Vec<&str> = Dialect::ALL.iter().map(|d| d.as_str()).collect();
            Failure::input(anyhow!(
                "--dialect: expected one of {}, got {d:?}",
                names.join(", ")
            ))
        })?;
    }
    for (flag, v) in [
        ("--ttft-ms", args.ttft_ms),
        ("--tokens-per-s", args.tokens_per_s),
    ] {
        if !(v.is_finite() && v >= 0.0) {
            return Err(Failure::input(anyhow!(
                "{flag}: expected a number >= 0, got {v}"
            )));
        }
    }
    p.ttft_ms = Dist::Fixed(args.ttft_ms);
    p.tokens_per_s = args.tokens_per_s;
    p.output = OutputLength::Dist(Dist::Fixed(f64::from(args.output_tokens.max(1))));
    p.seed = args.seed;
    p.faults.server_error_share = args.error_rate;
    p.faults.rate_limit_share = args.rate_limit_rate;
    if !args.models.is_empty() {
        p.models = args
            .models
            .iter()
            .map(|m| m.trim().to_owned())
            .filter(|m| !m.is_empty())
            .collect();
        p.reasoning_models.clear();
        p.embedding_models.clear();
    }
    let problems = p.faults.problems();
    if let Some((key, message)) = problems.first() {
        let flag = if key.starts_with("server_error") {
            "--error-rate"
        } else {
            "--rate-limit-rate"
        };
        return Err(Failure::input(anyhow!("{flag}: {message}")));
    }
    Ok(EmulatorConfig::single(p))
}

async fn serve(config: EmulatorConfig, format: DataFormat) -> CmdResult {
    let shutdown = shutdown_signal();
    let running = Emulator::start(config).await.map_err(|e| match e {
        cloudfit_emulator::EmulatorError::Config(c) => Failure::input(c),
        other => Failure::runtime(other),
    })?;
    match format {
        DataFormat::Json => output::emit_json(running.providers())?,
        _ => {
            let width = running
                .providers()
                .iter()
                .map(|p| p.name.len())
                .max()
                .unwrap_or(0);
            let lines: Vec<String> = running
                .providers()
                .iter()
                .map(|p| format!("{:<width$}  {}", p.name, p.base_url))
                .collect();
            output::emit(&lines.join("\n"))?;
        }
    }
    shutdown.await;
    tracing::info!("shutting down the emulator");
    running.shutdown().await;
    Ok(())
}

/// Registers for SIGTERM and SIGINT *now*, before the base URLs are announced: a script that
/// reads the announcement and then sends SIGTERM must get a graceful stop, not the default
/// disposition racing with registration.
fn shutdown_signal() -> impl std::future::Future<Output = ()> {
    #[cfg(unix)]
    let registered = {
        use tokio::signal::unix::{signal, SignalKind};
        match (
            signal(SignalKind::terminate()),
            signal(SignalKind::interrupt()),
        ) {
            (Ok(term), Ok(int)) => Some((term, int)),
            (Err(error), _) | (_, Err(error)) => {
                tracing::warn!(%error, "cannot listen for SIGTERM/SIGINT; falling back to ctrl-c");
                None
            }
        }
    };
    async move {
        #[cfg(unix)]
        if let Some((mut term, mut int)) = registered {
            tokio::select! {
                _ = term.recv() => {}
                _ = int.recv() => {}
            }
            return;
        }
        let _ = tokio::signal::ctrl_c().await;
    }
}
