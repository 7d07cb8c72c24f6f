//! Importers that turn other price databases into catalog overlay files.

pub mod litellm;
