//! Small helpers shared by the module types: option values, Python string semantics.

pub mod fnmatch;
pub mod options;
pub mod pychar;
pub mod rng;
