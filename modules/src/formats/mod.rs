//! Pimlico's on-disk data formats: readers and writers, byte-compatible with the original.
//!
//! Everything here is synchronous and works on plain files. See `docs/datatypes.md` for each
//! format and the few places where behaviour deliberately differs from the original.
pub mod dict;
pub mod dictionary;
pub mod doctype;
pub mod documents;
pub mod error;
pub mod fsutil;
pub mod grouped;
pub mod invalid;
pub mod metadata;
pub mod named_files;
pub mod npy;
pub mod pickle;
pub mod pimarc;
pub use pimlico_core::pyjson;
pub mod pystr;
pub mod ready;
pub mod stats;
pub mod string_list;
pub mod varint;
