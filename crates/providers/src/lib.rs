//! cloudfit-providers
