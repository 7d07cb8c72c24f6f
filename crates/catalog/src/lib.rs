//! cloudfit-catalog: sourced, dated facts about AI clouds; load, merge, validate; built-in data.
//!
//! Entry points: [`Catalog::builtin`] and [`CatalogLoader`] (built-in data plus overlays, all
//! problems reported at once as a [`CatalogError`]); query helpers on the model types in
//! `query`; [`import::litellm`] turns LiteLLM's price map into overlay files.
//!
//! Invariant: no function here turns an absent fact into a number. Unknown stays `None`.

pub mod error;
pub mod import;
pub mod load;
pub mod model;
mod names;
mod query;
mod raw;

pub use error::{plain_serde_message, CatalogError, Diagnostic};
pub use load::{builtin_files, CatalogLoader};
pub use model::*;
pub use names::{
    parse_certification, suggest, CertificationName, CERTIFICATIONS, CERTIFICATION_LEVELS,
};
pub use query::gpu_matches;
/// The decimal type of every amount, re-exported so users need not depend on `rust_decimal`.
pub use rust_decimal::Decimal;
