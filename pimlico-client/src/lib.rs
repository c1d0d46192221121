//! The HTTP client for pimlicod and the implementation of the `pimlico` command.
#![forbid(unsafe_code)]

#[cfg(feature = "cli")]
pub mod cli;
pub mod registry;
pub mod remote;
