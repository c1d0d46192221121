//! Shared pieces of the benchmarks (each benchmark is a binary in `src/bin`).
#![forbid(unsafe_code)]

pub mod corpus;
