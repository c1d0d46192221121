//! Handlers, one file per resource, named by verb. Each takes [`Full`](crate::access::Full)
//! or [`Reader`](crate::access::Reader) to say who may call it.

pub mod data;
pub mod health;
pub mod meta;
pub mod modules;
pub mod pipelines;
pub mod runs;
pub mod tokens;
pub mod transfers;
pub mod verified;
