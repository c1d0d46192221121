//! pimlicod: serves a server's pipeline stores over HTTP. It runs modules on request, streams
//! module data in and out in the dump format, and pulls modules from other daemons.
//!
//! [`serve`] takes a bound listener, the [`AppState`] and a shutdown future; [`router`] is the
//! route table. The binary only parses arguments, starts tracing and binds.
#![forbid(unsafe_code)]

pub mod access;
pub mod auth;
pub mod busy;
pub mod cli;
pub mod error;
pub mod execution;
pub mod handlers;
pub mod limits;
pub mod metrics;
pub mod notify;
pub mod pipelines;
pub mod reclaim;
mod records;
pub mod router;
pub mod runs;
pub mod server;
pub mod settings;
pub mod state;
pub mod tls;
pub mod trace;
pub mod transfers;

pub use router::router;
pub use server::serve;
pub use state::{AppState, Options};
