//! What the Slurm tests share: finding out whether a Slurm cluster is up (run
//! `.ci/slurm-setup.sh` as root to start the one-node test cluster), fast polling settings, and
//! reading module directories.
#![allow(dead_code)]

use std::path::Path;
use std::time::{Duration, Instant};

use pimlico_core::exec::SlurmConfig;

pub use pimlico_tests::slurm::slurm_up;

/// Settings that follow jobs closely, so tests end soon after their jobs.
pub fn fast_config() -> SlurmConfig {
    SlurmConfig {
        poll_interval: 0.2,
        output_interval: 0.1,
        time: Some("5".into()),
        ..SlurmConfig::default()
    }
}

/// Waits (polling) until `cond` holds, failing after two minutes.
pub fn wait_until(what: &str, mut cond: impl FnMut() -> bool) {
    let start = Instant::now();
    while !cond() {
        assert!(
            start.elapsed() < Duration::from_secs(120),
            "timed out waiting for {what}"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// The `status` in a module directory's metadata.
pub fn status(dir: &Path) -> Option<String> {
    let text = std::fs::read_to_string(dir.join("metadata")).ok()?;
    let value: serde_json::Value = serde_json::from_str(&text).ok()?;
    value.get("status")?.as_str().map(str::to_string)
}

/// History messages without their timestamps.
pub fn history(dir: &Path) -> Vec<String> {
    std::fs::read_to_string(dir.join("history"))
        .unwrap_or_default()
        .lines()
        .map(|l| l.get(20..).unwrap_or(l).to_string())
        .collect()
}

/// The newest error log's text.
pub fn last_error_log(dir: &Path) -> Option<String> {
    let path = pimlico_core::status::last_error_log(dir).ok()??;
    std::fs::read_to_string(path).ok()
}

/// The job id in a `Submitted Slurm job N (...)` history line.
pub fn submitted_job(dir: &Path) -> Option<String> {
    history(dir).iter().rev().find_map(|l| {
        l.strip_prefix("Submitted Slurm job ")
            .and_then(|rest| rest.split_whitespace().next())
            .map(str::to_string)
    })
}
