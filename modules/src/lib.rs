//! Pimlico's core datatypes and module types, implemented natively.
//!
//! [`registry`] gives the engine's type registry with every native module type registered and
//! the datatypes' readiness checks; [`formats`] reads and writes the original's on-disk
//! formats; [`corpus`] reads corpora whether stored or computed; [`map`] runs document maps on
//! all cores.
#![forbid(unsafe_code)]

pub mod catalogue;
pub mod corpus;
pub mod error;
pub mod formats;
pub mod map;
mod registry;
pub mod run;
pub mod types;
pub mod util;

pub use registry::{datatypes, register, registry};
