//! Moving a module's data between hosts. Every transfer goes through here: the daemon's
//! download and upload endpoints, a daemon pulling from a peer, and the CLI's `pull`, `push`
//! and `transfer --via-client`. The source side turns a module directory into a stream of
//! archive bytes ([`send_stream`]); the destination side reads such a stream into the staging
//! area and installs it atomically ([`receive`]).
//!
//! Verified transfers add manifests ([`crate::manifest`]): the receiver compares the sender's
//! manifest with what it holds, asks for the missing files only ([`ModuleData::select`]),
//! checks each file as it arrives and keeps it in a resumable slot, and installs only a
//! complete, verified module ([`Incoming`]). The wire format stays the dump format of
//! [`crate::archive`]. See `docs/transfers.md`.

mod counting;
mod definition;
mod error;
mod incoming;
mod partial;
mod progress;
mod receive;
mod resume;
mod send;

pub use counting::CountingReader;
pub use definition::{DefinitionDifference, compare_definitions, module_definition};
pub use error::TransferError;
pub use incoming::Incoming;
pub use progress::{Progress, ProgressSnapshot};
pub use receive::{ReceiveOptions, Received, receive};
pub use resume::{RESUME_MAX_AGE_KEY, parse_max_age_hours, resume_max_age};
pub use send::{
    DataStream, ModuleData, WIRE_ZSTD_LEVEL, find_module, locate_module, send_stream,
    wire_compression,
};
