//! Run records kept on disk beside their logs (`<state_dir>/runs/<id>.json`), so that
//! `GET /v1/runs` and `pimlico --server S logs` still know a run after the daemon restarts.
//!
//! A record is rewritten (atomically: temporary file, then rename) whenever it changes. A run
//! that had not ended when its daemon stopped is read back as failed, with the reason; a Slurm
//! job it left running is followed again in a new run (`reattach`).

use std::path::{Path, PathBuf};

use pimlico_proto::{RunInfo, RunState};

/// The record file of run `id`.
fn record_path(dir: &Path, id: &str) -> PathBuf {
    dir.join(format!("{id}.json"))
}

/// Writes `info`; a failure is logged and the run goes on (its log and module data are what
/// matter; the record only serves listings after a restart).
pub(super) fn save(dir: &Path, info: &RunInfo) {
    let path = record_path(dir, &info.id);
    let result = (|| -> std::io::Result<()> {
        std::fs::create_dir_all(dir)?;
        let mut tmp = tempfile::NamedTempFile::new_in(dir)?;
        serde_json::to_writer_pretty(&mut tmp, info)?;
        tmp.persist(&path).map_err(|e| e.error)?;
        Ok(())
    })();
    if let Err(e) = result {
        tracing::warn!(path = %path.display(), error = %e, "could not save a run record");
    }
}

/// The records left by earlier lifetimes of this daemon, oldest first. Unreadable files are
/// logged and skipped; runs that had not ended are returned failed.
pub(super) fn load(dir: &Path) -> Vec<RunInfo> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut runs: Vec<RunInfo> = entries
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .filter_map(|path| {
            let read = std::fs::read(&path).map_err(|e| e.to_string());
            match read.and_then(|b| serde_json::from_slice::<RunInfo>(&b).map_err(|e| e.to_string())) {
                Ok(info) => Some(info),
                Err(e) => {
                    tracing::warn!(path = %path.display(), error = %e, "skipping an unreadable run record");
                    None
                }
            }
        })
        .collect();
    runs.sort_by(|a, b| (&a.created, &a.id).cmp(&(&b.created, &b.id)));
    for info in runs.iter_mut().filter(|i| !i.state.is_finished()) {
        info.state = RunState::Failed;
        info.current = None;
        info.error = Some("the daemon stopped before the run ended".into());
        save(dir, info);
    }
    runs
}

#[cfg(test)]
mod tests {
    use super::*;

    fn info(id: &str, state: RunState) -> RunInfo {
        RunInfo {
            id: id.into(),
            pipeline: "p".into(),
            variant: "main".into(),
            modules: vec!["m".into()],
            state,
            current: Some("m".into()),
            succeeded: Vec::new(),
            failed: Vec::new(),
            skipped: Vec::new(),
            error: None,
            created: format!("2026-11-25 10:00:0{}", &id[id.len() - 1..]),
            finished: None,
        }
    }

    #[test]
    fn records_come_back_in_order_and_unfinished_runs_as_failed() {
        let dir = tempfile::tempdir().unwrap();
        save(dir.path(), &info("r-2", RunState::Running));
        save(dir.path(), &info("r-1", RunState::Succeeded));
        std::fs::write(dir.path().join("r-3.json"), b"{ not json").unwrap();
        std::fs::write(dir.path().join("r-1.log"), b"a log, not a record").unwrap();

        let runs = load(dir.path());
        let ids: Vec<&str> = runs.iter().map(|r| r.id.as_str()).collect();
        assert_eq!(ids, ["r-1", "r-2"]);
        assert_eq!(runs[0], info("r-1", RunState::Succeeded));
        assert_eq!(runs[1].state, RunState::Failed);
        assert_eq!(runs[1].current, None);
        assert!(runs[1].error.as_deref().unwrap().contains("daemon stopped"));
        // The correction is saved: the next start reads the same.
        assert_eq!(load(dir.path()), runs);
    }

    #[test]
    fn no_directory_means_no_records() {
        let dir = tempfile::tempdir().unwrap();
        assert!(load(&dir.path().join("missing")).is_empty());
    }
}
