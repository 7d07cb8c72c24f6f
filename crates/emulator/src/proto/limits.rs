//! Token limits (`[provider.limits]`): which chat requests a model's context window and largest
//! output refuse. Each protocol words the refusal as its cloud does.

use crate::plan::ChatSpec;
use crate::server::Provider;

/// How a request overruns its model's limits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Overrun {
    /// The request's output cap is above the model's largest output.
    Output { requested: u32, limit: u32 },
    /// The prompt does not fit the context window, or (where output shares the window) the
    /// prompt plus the requested output cap do not.
    Context {
        input: u32,
        /// The output cap counted against the window; `None` when none was asked for or the
        /// protocol's window is on input alone.
        requested: Option<u32>,
        window: u32,
    },
}

impl Overrun {
    /// Whether the prompt alone is over the window.
    pub(crate) fn prompt_alone(&self) -> bool {
        matches!(self, Self::Context { input, window, .. } if input > window)
    }
}

/// Check `spec` against the limits of its model; the output cap is checked first, as the
/// clouds validate parameters before they count the prompt.
pub(crate) fn check(p: &Provider, spec: &ChatSpec) -> Result<(), Overrun> {
    let limits = p.cfg.limits.for_model(&spec.model);
    if let (Some(requested), Some(limit)) = (spec.max_tokens, limits.max_output_tokens) {
        if requested > limit {
            return Err(Overrun::Output { requested, limit });
        }
    }
    if let Some(window) = limits.context_window {
        let requested = spec
            .max_tokens
            .filter(|_| p.cfg.protocol.output_shares_context());
        let total = u64::from(spec.input_tokens) + u64::from(requested.unwrap_or(0));
        if total > u64::from(window) {
            return Err(Overrun::Context {
                input: spec.input_tokens,
                requested,
                window,
            });
        }
    }
    Ok(())
}
