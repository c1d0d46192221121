//! A module's execution state on disk: `metadata` (status), `history`, `errorNNN.log` and the
//! config snapshots, read from the first store holding the module and written to the output
//! store, exactly as the original Pimlico lays them out.

mod history;
mod logs;
mod metadata;
mod snapshot;

pub use history::{append_history, read_history};
pub use logs::{error_logs, last_error_log, new_error_log};
pub(crate) use metadata::{read_json_object_at, write_file_atomically};
pub use metadata::{read_metadata, read_status, set_status, write_metadata};
pub use snapshot::write_config_snapshot;

/// Status strings Pimlico uses (compared with `==`, so custom strings are possible too).
pub mod statuses {
    /// Never run (also the default when there is no metadata).
    pub const UNEXECUTED: &str = "UNEXECUTED";
    /// Running, or died without recording an end status.
    pub const STARTED: &str = "STARTED";
    /// Finished successfully.
    pub const COMPLETE: &str = "COMPLETE";
    /// Finished with an error, or was killed.
    pub const FAILED: &str = "FAILED";
}
