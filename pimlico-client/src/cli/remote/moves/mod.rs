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

use pimlico_core::transfer::Received;
use pimlico_proto::UploadResponse;
use serde::Serialize;

use super::print_json;

/// What happened to one module, for messages and `--json`.
#[derive(Debug, Clone, Serialize)]
struct Moved {
    module: String,
    files: u64,
    bytes: u64,
    replaced: bool,
    /// Files (and bytes) that travelled this time.
    sent_files: u64,
    sent_bytes: u64,
    /// Files taken from data the destination already held.
    reused_files: u64,
    reused_bytes: u64,
    /// Files received by an earlier, interrupted move.
    resumed_files: u64,
    resumed_bytes: u64,
    /// The destination already held exactly this data.
    unchanged: bool,
}

impl From<Received> for Moved {
    fn from(r: Received) -> Self {
        Self {
            module: r.module,
            files: r.files,
            bytes: r.bytes,
            replaced: r.replaced,
            sent_files: r.transferred_files,
            sent_bytes: r.transferred_bytes,
            reused_files: r.reused_files,
            reused_bytes: r.reused_bytes,
            resumed_files: r.resumed_files,
            resumed_bytes: r.resumed_bytes,
            unchanged: r.unchanged,
        }
    }
}

impl From<UploadResponse> for Moved {
    fn from(r: UploadResponse) -> Self {
        Self {
            module: r.module,
            files: r.files,
            bytes: r.bytes,
            replaced: r.replaced,
            sent_files: r.transferred_files,
            sent_bytes: r.transferred_bytes,
            reused_files: r.reused_files,
            reused_bytes: r.reused_bytes,
            resumed_files: r.resumed_files,
            resumed_bytes: r.resumed_bytes,
            unchanged: r.unchanged,
        }
    }
}

impl Moved {
    /// One line: what was installed and what it cost.
    fn describe(&self, to: &str) -> String {
        let mb = |b: u64| b as f64 / 1e6;
        if self.unchanged {
            return format!(
                "Module {} is already up to date on {to}: {} files, {:.1} MB, nothing sent",
                self.module,
                self.files,
                mb(self.bytes)
            );
        }
        let verb = if self.replaced {
            "replaced"
        } else {
            "installed"
        };
        let mut line = format!(
            "Module {} {verb} on {to}: {} files, {:.1} MB (sent {} files, {:.1} MB",
            self.module,
            self.files,
            mb(self.bytes),
            self.sent_files,
            mb(self.sent_bytes)
        );
        if self.reused_files > 0 {
            line.push_str(&format!(
                "; reused {} files, {:.1} MB already there",
                self.reused_files,
                mb(self.reused_bytes)
            ));
        }
        if self.resumed_files > 0 {
            line.push_str(&format!(
                "; resumed {} files, {:.1} MB from an interrupted transfer",
                self.resumed_files,
                mb(self.resumed_bytes)
            ));
        }
        line.push(')');
        line
    }
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
            println!("{}", m.describe(to));
        }
        if let Some(error) = &error {
            eprintln!("Error: {error}");
        }
    }
    i32::from(error.is_some())
}
