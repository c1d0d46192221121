//! Records kept on disk, one JSON file per record (`<dir>/<id>.json`), so that listings of
//! runs and transfers survive a daemon restart: run records beside their logs
//! (`runs/records.rs`), transfer records in `<state_dir>/transfers` (`transfers/records.rs`).
//!
//! A record is rewritten atomically (temporary file, then rename) whenever it changes. One that
//! had not ended when its daemon stopped is read back as ended by that stop, and saved so.
//! Nothing prunes records.

use std::path::{Path, PathBuf};

use serde::Serialize;
use serde::de::DeserializeOwned;

/// A kind of record.
pub trait Record: Serialize + DeserializeOwned {
    /// What the log calls one ("run record").
    const WHAT: &'static str;
    /// Its id, which names its file.
    fn id(&self) -> &str;
    /// When it was created (a sortable timestamp).
    fn created(&self) -> &str;
    /// Whether it has ended.
    fn is_finished(&self) -> bool;
    /// Marks it ended by its daemon's stop.
    fn mark_stopped(&mut self);
}

fn record_path(dir: &Path, id: &str) -> PathBuf {
    dir.join(format!("{id}.json"))
}

/// Writes `record`; a failure is logged and the work goes on (its data and logs are what
/// matter; the record only serves listings after a restart).
pub fn save<R: Record>(dir: &Path, record: &R) {
    let path = record_path(dir, record.id());
    let result = (|| -> std::io::Result<()> {
        std::fs::create_dir_all(dir)?;
        let mut tmp = tempfile::NamedTempFile::new_in(dir)?;
        serde_json::to_writer_pretty(&mut tmp, record)?;
        tmp.persist(&path).map_err(|e| e.error)?;
        Ok(())
    })();
    if let Err(e) = result {
        tracing::warn!(path = %path.display(), error = %e, "could not save a {}", R::WHAT);
    }
}

/// The records left by earlier lifetimes of this daemon, oldest first. Unreadable files are
/// logged and skipped; records that had not ended are marked stopped (and saved so).
pub fn load<R: Record>(dir: &Path) -> Vec<R> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut records: Vec<R> = entries
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .filter_map(|path| {
            let read = std::fs::read(&path).map_err(|e| e.to_string());
            match read.and_then(|b| serde_json::from_slice::<R>(&b).map_err(|e| e.to_string())) {
                // Its id names its file (and, for runs, its log): one that does not is not
                // ours, and is never used to build a path.
                Ok(record) if path.file_stem().and_then(|s| s.to_str()) != Some(record.id()) => {
                    tracing::warn!(path = %path.display(), id = record.id(), "skipping a {} whose id is not its file name", R::WHAT);
                    None
                }
                Ok(record) => Some(record),
                Err(e) => {
                    tracing::warn!(path = %path.display(), error = %e, "skipping an unreadable {}", R::WHAT);
                    None
                }
            }
        })
        .collect();
    records.sort_by(|a, b| (a.created(), a.id()).cmp(&(b.created(), b.id())));
    for record in records.iter_mut().filter(|r| !r.is_finished()) {
        record.mark_stopped();
        save(dir, record);
    }
    records
}

#[cfg(test)]
mod tests {
    use super::*;
    use pimlico_proto::{RunInfo, RunState};

    fn run(id: &str) -> RunInfo {
        RunInfo {
            id: id.into(),
            pipeline: "p".into(),
            variant: "main".into(),
            modules: vec!["m".into()],
            state: RunState::Running,
            current: Some("m".into()),
            succeeded: Vec::new(),
            failed: Vec::new(),
            skipped: Vec::new(),
            error: None,
            created: "2026-11-26 10:00:00".into(),
            finished: None,
        }
    }

    #[test]
    fn no_directory_means_no_records() {
        let dir = tempfile::tempdir().unwrap();
        assert!(load::<RunInfo>(&dir.path().join("missing")).is_empty());
    }

    #[test]
    fn a_record_whose_id_is_not_its_file_name_is_skipped() {
        let dir = tempfile::tempdir().unwrap();
        let mut good = run("r-1");
        good.state = RunState::Succeeded;
        save(dir.path(), &good);
        let text = serde_json::to_vec(&run("../../x")).unwrap();
        std::fs::write(dir.path().join("r-9.json"), text).unwrap();
        assert_eq!(load::<RunInfo>(dir.path()), vec![good]);
        assert!(!dir.path().join("../../x.json").exists());
    }

    #[test]
    fn a_record_is_replaced_whole() {
        let dir = tempfile::tempdir().unwrap();
        let mut info = run("r-1");
        save(dir.path(), &info);
        info.state = RunState::Succeeded;
        info.current = None;
        save(dir.path(), &info);
        assert_eq!(load::<RunInfo>(dir.path()), vec![info]);
        let files = std::fs::read_dir(dir.path()).unwrap().count();
        assert_eq!(files, 1, "no temporary file is left");
    }
}
