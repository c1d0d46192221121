//! The engine shared by the `pimlico` CLI and the `pimlicod` daemon: stores and on-disk layout,
//! module status and locks, module types and their execution, archives and transfers.
#![forbid(unsafe_code)]

pub mod archive;
pub mod transfer;
