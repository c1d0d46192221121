//! Commands that act on daemons: `--server S status|run|reset|unlock|logs`, and moving module
//! data with `pull`, `push` and `transfer`; checking it with `verify` and `diff`. Module names and numbers are resolved from the
//! local copy of the config; the pipeline is matched on the daemon by name and variant.

mod args;
mod definitions;
mod diff;
mod logs;
mod moves;
mod progress;
mod run;
mod status;
mod unlock_reset;
mod verify;

pub use args::{LogsArgs, PullArgs, PushArgs, TransferArgs};
pub use diff::{DiffArgs, diff};
pub use logs::logs;
pub use moves::{pull, push, transfer};
pub use run::run;
pub use status::status;
pub use unlock_reset::{reset, unlock};
pub use verify::{VerifyArgs, verify};

use std::future::Future;

use super::Context;
use crate::remote::{Client, Resolver};

/// A client for a server named in `servers.toml` or given as a URL; prints the error and
/// returns exit code 1 if there is none.
fn connect(server: &str) -> Result<(Client, Option<String>), i32> {
    let spec = Resolver::from_env().resolve(server).map_err(|e| {
        eprintln!("Error: {e}");
        1
    })?;
    let ca_pem = match &spec.ca_file {
        Some(path) => Some(std::fs::read_to_string(path).map_err(|e| {
            eprintln!("Error: reading CA file {}: {e}", path.display());
            1
        })?),
        None => None,
    };
    let client = Client::new(&spec).map_err(|e| {
        eprintln!("Error: {e}");
        1
    })?;
    Ok((client, ca_pem))
}

/// Runs a future on a single-threaded runtime (commands are short-lived).
fn block_on<T>(future: impl Future<Output = T>) -> Result<T, i32> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map(|runtime| runtime.block_on(future))
        .map_err(|e| {
            eprintln!("Error: could not start the runtime: {e}");
            1
        })
}

/// The pipeline name and variant as the daemons know them.
fn target(ctx: &Context) -> (String, String) {
    (ctx.pipeline.name.clone(), ctx.pipeline.variant.clone())
}

/// Prints a value as pretty JSON (for `--json`).
fn print_json<T: serde::Serialize>(value: &T) {
    match serde_json::to_string_pretty(value) {
        Ok(text) => println!("{text}"),
        Err(e) => eprintln!("Error: could not serialise the result: {e}"),
    }
}
