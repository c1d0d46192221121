//! Shared pieces of the benchmarks (each benchmark is a binary in `src/bin`); the suite
//! (`--bin suite`) is in [`suite`].
#![forbid(unsafe_code)]

pub mod corpus;
pub mod daemon;
pub mod suite;
