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

use std::path::Path;

use pimlico_proto::{TransferInfo, TransferState};

use crate::records::Record;

/// The error of a transfer its daemon did not see end.
pub(super) const STOPPED: &str = "the daemon stopped before the transfer finished; pulling \
     the modules again resumes from the files it had verified";

impl Record for TransferInfo {
    const WHAT: &'static str = "transfer record";

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
        self.state = TransferState::Failed;
        self.current = None;
        self.rate = 0.0;
        self.error = Some(STOPPED.into());
    }
}

/// Writes `info` (see [`crate::records::save`]).
pub(super) fn save(dir: &Path, info: &TransferInfo) {
    crate::records::save(dir, info);
}

/// The transfer records of earlier lifetimes, oldest first (see [`crate::records::load`]).
pub(super) fn load(dir: &Path) -> Vec<TransferInfo> {
    crate::records::load(dir)
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
}
