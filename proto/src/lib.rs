//! Wire types of pimlicod's HTTP API (`/v1`), shared by the daemon and its clients.
//!
//! Serde types only: no runtime, no framework. Every request and response type names its
//! endpoint in its doc comment. Fields added after a release get `#[serde(default)]` so that
//! older peers keep working.
#![forbid(unsafe_code)]

pub mod status;

pub use status::{
    HeadingStatus, InputDetail, InputReadiness, InputSourceKind, LockStatus, ModuleDetail,
    ModuleSummary, OutputDetail, OutputReadiness, PipelineStatus,
};
