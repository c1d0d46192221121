//! The record of a module's Slurm job (`.slurm_job` in its module directory), kept from
//! submission until its outcome is recorded, so that a restarted daemon finds the jobs that
//! were running and follows them to their end.

use std::fs;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::error::{IoContext, IoError};

/// Name of the record file inside the module directory.
pub const RECORD_FILE: &str = ".slurm_job";

/// A submitted job.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct JobRecord {
    /// Slurm's job id.
    pub job_id: String,
    /// The job's name (checked when following the job, in case job ids were reused).
    pub job_name: String,
    /// The module.
    pub module: String,
    /// The job script (kept in the module directory).
    pub script: PathBuf,
    /// The job's standard output (the module's events and output).
    pub stdout: PathBuf,
    /// The job's standard error.
    pub stderr: PathBuf,
    /// When it was submitted (`YYYY-MM-DD HH:MM:SS`).
    pub submitted: String,
    /// The host that submitted it.
    pub submit_host: String,
    /// The last state seen (`PENDING`, `RUNNING`, ...).
    #[serde(default)]
    pub state: String,
    /// Slurm's reason for it (`Priority`, `Resources`, ...).
    #[serde(default)]
    pub reason: Option<String>,
}

/// The status reports show for a module whose Slurm job waits to start.
pub const QUEUED: &str = "QUEUED";

/// The module's Slurm job if it is waiting to start: recorded, last seen queued (or not seen
/// yet), and the module not locked (its process takes the lock first thing).
pub fn queued_job(module_dir: &Path) -> Option<JobRecord> {
    let record = read_record(module_dir).ok()??;
    let queued = matches!(
        record.state.as_str(),
        "" | "PENDING" | "REQUEUED" | "REQUEUE_HOLD" | "REQUEUE_FED" | "RESV_DEL_HOLD"
    );
    (queued && !module_dir.join(crate::lock::LOCK_FILE).exists()).then_some(record)
}

/// The record in a module directory, if there is one.
pub fn read_record(module_dir: &Path) -> Result<Option<JobRecord>, IoError> {
    let path = module_dir.join(RECORD_FILE);
    let text = match fs::read_to_string(&path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(IoError::new("reading", &path, e)),
    };
    serde_json::from_str(&text).map(Some).map_err(|e| {
        IoError::new(
            "parsing Slurm job record",
            &path,
            std::io::Error::new(std::io::ErrorKind::InvalidData, e),
        )
    })
}

/// Writes the record atomically (a temporary file renamed into place).
pub(super) fn write_record(module_dir: &Path, record: &JobRecord) -> Result<(), IoError> {
    let tmp = tempfile::Builder::new()
        .prefix(".slurm_job-")
        .tempfile_in(module_dir)
        .ctx("creating temporary file in", module_dir)?;
    let text = serde_json::to_string_pretty(record).expect("records serialise");
    fs::write(tmp.path(), text).ctx("writing", tmp.path())?;
    let path = module_dir.join(RECORD_FILE);
    tmp.persist(&path)
        .map_err(|e| IoError::new("renaming into place", &path, e.error))?;
    Ok(())
}

/// Removes the record if it is still the one of job `job_id`.
pub(super) fn remove_record(module_dir: &Path, job_id: &str) -> Result<(), IoError> {
    if read_record(module_dir)?.is_some_and(|r| r.job_id == job_id) {
        let path = module_dir.join(RECORD_FILE);
        match fs::remove_file(&path) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(IoError::new("removing", &path, e)),
        }
    }
    Ok(())
}
