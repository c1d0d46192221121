//! The archive layer: Pimlico's dump format, written and read as streams.
//!
//! A dump is a tar (gzip, zstd or uncompressed; detected by content when reading) whose first
//! member is `dump_metadata.json`, followed by the module directory under `<module>/`. The same
//! code serves `pimlico dump`/`load`, the daemon's download and upload of module data, and
//! daemon-to-daemon transfers: everything streams through `AsyncRead`/`AsyncWrite`, and no
//! archive is ever held in memory.
//!
//! Writing: [`write_dump`] into any writer, or [`dump_module_to_dir`] for a file.
//! Reading: [`read_metadata`]/[`read_metadata_file`] for the checks before a load, then
//! [`extract_into_staging`] (strict validation, limits, staging slot) and [`install`] (one atomic
//! rename). [`cleanup_stale_staging`] removes what killed processes left behind.
//!
//! The format, the safety rules and the differences from the original are described in
//! `docs/dump-load.md`.

mod cleanup;
mod compression;
mod dump_file;
mod encode;
mod error;
mod extract;
mod fs_writer;
mod input;
mod install;
mod limits;
mod member;
mod metadata;
mod names;
mod produce;
mod read_meta;
mod source;
mod staging;
mod tar_header;
mod util;
mod write;

pub use cleanup::{
    CleanupOptions, CleanupReport, DEFAULT_RESUMABLE_MAX_AGE, cleanup_stale_staging,
    cleanup_stale_staging_with,
};
pub use compression::{Compression, CompressionKind};
pub use dump_file::{dump_file_name, dump_module_to_dir};
pub use error::{ArchiveError, Result};
pub use extract::extract_into_staging;
pub use install::{InstallError, Installed, SwapMethod, install, install_with};
pub use limits::{
    ExtractLimits, ExtractOptions, ExtractSummary, KEY_MAX_BYTES, KEY_MAX_ENTRIES,
    KEY_MAX_FILE_BYTES, LimitSettingError,
};
pub use metadata::{DumpMetadata, METADATA_MEMBER};
pub use names::{is_excluded_name, validate_module_name};
pub use produce::DumpSummary;
pub use read_meta::{read_metadata, read_metadata_file};
pub use staging::{RESUMABLE_PREFIX, STAGING_DIR_NAME, StagedModule, Staging};
pub use write::{DumpOptions, write_dump};

// For the transfer layer, which reads dumps with exactly these checks while verifying each file
// against a manifest, and keeps resumable slots next to ordinary ones.
pub(crate) use extract::{check_limits, check_trailer, read_chunk};
pub(crate) use member::{Kind, Tree, inspect};
pub(crate) use names::{MAX_PATH_BYTES, component_problem, parse_entry_path};
pub(crate) use produce::read_full;
pub(crate) use read_meta::{HEADER_SLACK, next_entry, open_dump};
pub(crate) use staging::{OWNER_SUFFIX, this_host};
pub(crate) use util::remove_tree;
