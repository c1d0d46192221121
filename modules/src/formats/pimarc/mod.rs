//! The Pimlico archive format (Pimarc): a `.prc` file holding a flat sequence of named files,
//! each with a JSON metadata block, and a `.prci` text index of where each file starts.
//!
//! Layout of a `.prc` file, repeated for each file in order:
//!
//! ```text
//! varint(len(M)) M varint(len(D)) D
//! ```
//!
//! where `M` is the UTF-8 JSON metadata (`json.dumps` of a dict with at least `"name"`) and `D`
//! the file's bytes. Varints are unsigned LEB128. The `.prci` file has one line per file:
//! `name TAB offset-of-M's-varint TAB offset-of-D's-varint NEWLINE`.

mod index;
mod reader;
mod writer;

pub use index::{IndexAppender, IndexEntry, PimarcIndex, index_path};
pub use reader::{PimarcEntry, PimarcReader};
pub use writer::PimarcWriter;
