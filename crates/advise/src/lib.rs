//! cloudfit-advise
