//! Manifests of module directories: every regular file's path, size, mode, modification time
//! and BLAKE3 hash, and every directory. Transfers compare the two sides' manifests to send
//! only what is missing, and check every file received against the sender's manifest; `verify`
//! re-hashes stored data and compares it with the manifest recorded for it; `diff` compares two
//! manifests.
//!
//! Hashing a large module takes a while, so a module's manifest is cached in the module
//! directory, in [`CACHE_FILE_NAME`] (`.pimlico-manifest`). Like every `.pimlico*` name it is
//! never dumped, never sent, never listed in a manifest and never looked at by readiness. A
//! cached hash is reused while the file's size, modification time (to the nanosecond) and inode
//! are unchanged, and only if the file had not been modified during the second before it was
//! hashed (a write within the file system's timestamp granularity could otherwise go
//! unnoticed). The cache is also the reference `verify` checks the data against.
//!
//! See `docs/transfers.md`.

mod cache;
mod compute;
mod diff;
mod error;
mod hash;
mod validate;
mod verify;
mod walk;

pub use cache::CACHE_FILE_NAME;
pub use compute::{Computed, manifest_digest, module_manifest};
pub use diff::{DiffKind, Difference, diff_manifests};
pub use error::ManifestError;
pub use hash::{HashWriter, hash_path};
pub use validate::validate_manifest;
pub use verify::{VerifyReport, verify_module};

pub(crate) use cache::record_cache;
pub(crate) use walk::StatKey;
