//! Run records kept on disk beside their logs (`<state_dir>/runs/<id>.json`), so that
//! `GET /v1/runs` and `pimlico --server S logs` still know a run after the daemon restarts.
//!
//! A record is rewritten (atomically: temporary file, then rename) whenever it changes. A run
//! that had not ended when its daemon stopped is read back as failed, with the reason; a Slurm
//! job it left running is followed again in a new run (`reattach`).

use std::path::Path;

use pimlico_proto::{RunInfo, RunState};

use crate::records::Record;

impl Record for RunInfo {
    const WHAT: &'static str = "run record";

    fn id(&self) -> &str {
        &self.id
    }

    fn created(&self) -> &str {
        &self.created
    }

    fn is_finished(&self) -> bool {
        self.state.is_finished()
    }

    fn mark_stopped(&mut self) {
        self.state = RunState::Failed;
        self.current = None;
        self.error = Some("the daemon stopped before the run ended".into());
    }
}

/// Writes `info` (see [`crate::records::save`]).
pub(super) fn save(dir: &Path, info: &RunInfo) {
    crate::records::save(dir, info);
}

/// The run records of earlier lifetimes, oldest first (see [`crate::records::load`]).
pub(super) fn load(dir: &Path) -> Vec<RunInfo> {
    crate::records::load(dir)
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
}
