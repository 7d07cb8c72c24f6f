//! cloudfit-emulator
