//! Pimlico's core datatypes and module types, implemented natively.
#![forbid(unsafe_code)]

pub mod catalogue;
pub mod formats;
