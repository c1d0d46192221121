//! Moving module data: `pull` (a server into the local stores), `push` (local stores to a
//! server) and `transfer` (server to server, directly or through this machine). Every move goes
//! through `pimlico_core::transfer`, as the daemons' own transfers do. Existing data at the
//! destination is never replaced without `-f`.

mod pull;
mod push;
mod transfer;

pub use pull::pull;
pub use push::push;
pub use transfer::transfer;

use serde::Serialize;

use super::print_json;

/// What happened to one module, for messages and `--json`.
#[derive(Debug, Clone, Serialize)]
struct Moved {
    module: String,
    files: u64,
    bytes: u64,
    replaced: bool,
}

/// Prints the outcome and returns the exit code.
fn report(moved: &[Moved], error: Option<String>, json: bool, to: &str) -> i32 {
    if json {
        #[derive(Serialize)]
        struct Report<'a> {
            moved: &'a [Moved],
            error: Option<String>,
        }
        print_json(&Report {
            moved,
            error: error.clone(),
        });
    } else {
        for m in moved {
            let verb = if m.replaced { "replaced" } else { "installed" };
            println!(
                "Module {} {verb} on {to}: {} files, {:.1} MB",
                m.module,
                m.files,
                m.bytes as f64 / 1e6
            );
        }
        if let Some(error) = &error {
            eprintln!("Error: {error}");
        }
    }
    i32::from(error.is_some())
}
