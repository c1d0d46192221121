//! Wire types of pimlicod's HTTP API (`/v1`), shared by the daemon and its clients.
//!
//! Serde types only: no runtime, no framework. Every request and response type names its
//! endpoint in its doc comment. Fields added after a release get `#[serde(default)]` so that
//! older peers keep working.
#![forbid(unsafe_code)]

pub mod data;
pub mod definition;
pub mod error;
pub mod health;
pub mod manifest;
pub mod pipelines;
pub mod runs;
pub mod status;
pub mod tokens;
pub mod transfers;

pub use data::{
    DataCompression, DeleteResponse, DownloadQuery, ModuleActionResponse, UploadQuery,
    UploadResponse,
};
pub use definition::{DefinitionResponse, ModuleDefinition};
pub use error::ErrorResponse;
pub use health::HealthResponse;
pub use manifest::{
    FileProblem, FilesRequest, MANIFEST_VERSION, Manifest, ManifestDir, ManifestFile,
    ManifestResponse, PlanRequest, PlanResponse, ProblemKind, VerifyResponse,
};
pub use pipelines::{PipelineInfo, PipelinesResponse};
pub use runs::{RunInfo, RunRequest, RunState, RunsResponse};
pub use status::{
    HeadingStatus, InputDetail, InputReadiness, InputSourceKind, LockStatus, ModuleDetail,
    ModuleSummary, OutputDetail, OutputReadiness, PipelineStatus,
};
pub use tokens::{TokenRequest, TokenResponse};
pub use transfers::{PullRequest, TransferInfo, TransferState, TransfersResponse};
