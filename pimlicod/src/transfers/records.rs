//! Transfer records kept on disk (`<state_dir>/transfers/<id>.json`), so that a client polling
//! `GET /v1/transfers/{id}` across a daemon restart, and `GET /v1/transfers`, still know the
//! transfer.
//!
//! A record is rewritten (atomically: temporary file, then rename) when a client would see it
//! change: its state, its current or finished modules, its error, its reuse counts, its end.
//! Byte and file counters move with every chunk received and are written only at those
//! moments, so a record read back after a crash may show fewer bytes and files than had
//! arrived; the record of a transfer that ended is exact. A transfer that had not ended when
//! its daemon stopped is read back as failed, with the reason; its verified files wait in the
//! module's resumable staging slot for the next pull.
//!
//! Like run records, transfer records are all kept: nothing prunes them.

use std::path::{Path, PathBuf};

use pimlico_proto::{TransferInfo, TransferState};

/// The error of a transfer its daemon did not see end.
pub(super) const STOPPED: &str = "the daemon stopped before the transfer finished; pulling \
     the modules again resumes from the files it had verified";

/// The record file of transfer `id`.
fn record_path(dir: &Path, id: &str) -> PathBuf {
    dir.join(format!("{id}.json"))
}

/// Writes `info`; a failure is logged and the transfer goes on (the module data is what
/// matters; the record only serves listings after a restart).
pub(super) fn save(dir: &Path, info: &TransferInfo) {
    let path = record_path(dir, &info.id);
    let result = (|| -> std::io::Result<()> {
        std::fs::create_dir_all(dir)?;
        let mut tmp = tempfile::NamedTempFile::new_in(dir)?;
        serde_json::to_writer_pretty(&mut tmp, info)?;
        tmp.persist(&path).map_err(|e| e.error)?;
        Ok(())
    })();
    if let Err(e) = result {
        tracing::warn!(path = %path.display(), error = %e, "could not save a transfer record");
    }
}

/// The records left by earlier lifetimes of this daemon, oldest first. Unreadable files are
/// logged and skipped; transfers that had not ended are returned failed (and saved so).
pub(super) fn load(dir: &Path) -> Vec<TransferInfo> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut transfers: Vec<TransferInfo> = entries
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .filter_map(|path| {
            let read = std::fs::read(&path).map_err(|e| e.to_string());
            match read.and_then(|b| serde_json::from_slice::<TransferInfo>(&b).map_err(|e| e.to_string())) {
                Ok(info) => Some(info),
                Err(e) => {
                    tracing::warn!(path = %path.display(), error = %e, "skipping an unreadable transfer record");
                    None
                }
            }
        })
        .collect();
    transfers.sort_by(|a, b| (&a.created, &a.id).cmp(&(&b.created, &b.id)));
    for info in transfers.iter_mut().filter(|i| !i.state.is_finished()) {
        info.state = TransferState::Failed;
        info.current = None;
        info.rate = 0.0;
        info.error = Some(STOPPED.into());
        save(dir, info);
    }
    transfers
}

#[cfg(test)]
mod tests {
    use super::*;

    fn info(id: &str, state: TransferState) -> TransferInfo {
        TransferInfo {
            id: id.into(),
            pipeline: "p".into(),
            variant: "main".into(),
            source: "http://a".into(),
            modules: vec!["m".into(), "n".into()],
            done: vec!["m".into()],
            current: Some("n".into()),
            state,
            bytes: 10,
            data_bytes: 20,
            total_bytes: Some(40),
            files: 2,
            total_files: Some(4),
            rate: 0.0,
            reused_files: 1,
            reused_bytes: 5,
            resumed_files: 0,
            resumed_bytes: 0,
            error: None,
            created: format!("2026-11-25 10:00:0{}", &id[id.len() - 1..]),
            finished: None,
        }
    }

    #[test]
    fn records_come_back_in_order_and_unfinished_transfers_as_failed() {
        let dir = tempfile::tempdir().unwrap();
        save(dir.path(), &info("t-2", TransferState::Running));
        save(dir.path(), &info("t-1", TransferState::Succeeded));
        std::fs::write(dir.path().join("t-3.json"), b"{ not json").unwrap();
        std::fs::write(dir.path().join("notes.txt"), b"not a record").unwrap();

        let transfers = load(dir.path());
        let ids: Vec<&str> = transfers.iter().map(|t| t.id.as_str()).collect();
        assert_eq!(ids, ["t-1", "t-2"]);
        assert_eq!(transfers[0], info("t-1", TransferState::Succeeded));
        let stopped = &transfers[1];
        assert_eq!(stopped.state, TransferState::Failed);
        assert_eq!(stopped.current, None);
        assert_eq!(stopped.done, ["m"]);
        assert_eq!(stopped.error.as_deref(), Some(STOPPED));
        // The correction is saved: the next start reads the same.
        assert_eq!(load(dir.path()), transfers);
    }

    #[test]
    fn no_directory_means_no_records() {
        let dir = tempfile::tempdir().unwrap();
        assert!(load(&dir.path().join("missing")).is_empty());
    }
}
