//! Moving a module's data between hosts. Every transfer goes through here: the daemon's
//! download and upload endpoints, a daemon pulling from a peer, and the CLI's `pull`, `push`
//! and `transfer --via-client`. The source side turns a module directory into a stream of
//! archive bytes ([`send_stream`]); the destination side reads such a stream into the staging
//! area and installs it atomically ([`receive`]). Verified and resumable transfers (manifests)
//! are to be added here, once, for all of them.
//!
//! The wire format is the dump format of [`crate::archive`].

mod counting;
mod definition;
mod error;
mod progress;
mod receive;
mod send;

pub use counting::CountingReader;
pub use definition::{DefinitionDifference, compare_definitions, module_definition};
pub use error::TransferError;
pub use progress::{Progress, ProgressSnapshot};
pub use receive::{ReceiveOptions, Received, receive};
pub use send::{
    DataStream, ModuleData, WIRE_ZSTD_LEVEL, locate_module, send_stream, wire_compression,
};
