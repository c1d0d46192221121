//! The engine shared by the `pimlico` CLI and the `pimlicod` daemon: stores and on-disk layout,
//! module status and locks, module types and their execution, archives and transfers.
//!
//! Entry points: [`load::load`] (local config, pipeline, typecheck), [`engine::Engine`]
//! (readiness, status), [`engine::run_modules`] (the `run` command), [`report`] (status
//! reports), [`ops`] (reset, unlock, clean, movestores) and
//! [`engine::child::internal_exec_main`] (the child process binaries dispatch to).
#![forbid(unsafe_code)]

pub mod archive;
pub mod datatypes;
pub mod deps;
pub mod engine;
pub mod error;
pub mod exec;
pub mod load;
pub mod lock;
pub mod manifest;
pub mod ops;
pub mod pyjson;
pub mod report;
pub mod status;
pub mod store;
pub mod text;
pub mod time;
pub mod transfer;
pub mod types;
