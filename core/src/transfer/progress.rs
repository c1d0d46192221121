//! Progress of a transfer, shared between the task moving the data and whoever reports on it
//! (the daemon's transfer resource, the CLI's progress bars).

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

/// Counters updated while data moves. Totals are announced by the source and may arrive late
/// (one module at a time), so they only grow.
#[derive(Debug)]
pub struct Progress {
    started: Instant,
    wire_bytes: AtomicU64,
    tar_bytes: AtomicU64,
    files: AtomicU64,
    total_bytes: AtomicU64,
    total_files: AtomicU64,
}

/// A consistent-enough reading of [`Progress`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ProgressSnapshot {
    /// Archive bytes as they travel (compressed).
    pub wire_bytes: u64,
    /// Uncompressed tar bytes: comparable with `total_bytes`.
    pub tar_bytes: u64,
    /// Regular files seen.
    pub files: u64,
    /// Announced total of tar bytes (0 when unknown).
    pub total_bytes: u64,
    /// Announced number of files (0 when unknown).
    pub total_files: u64,
    /// Wire bytes per second since the start.
    pub rate: f64,
}

impl Default for Progress {
    fn default() -> Self {
        Self {
            started: Instant::now(),
            wire_bytes: AtomicU64::new(0),
            tar_bytes: AtomicU64::new(0),
            files: AtomicU64::new(0),
            total_bytes: AtomicU64::new(0),
            total_files: AtomicU64::new(0),
        }
    }
}

impl Progress {
    /// Counts archive bytes that went over the wire.
    pub fn add_wire(&self, n: u64) {
        self.wire_bytes.fetch_add(n, Ordering::Relaxed);
    }

    /// Counts uncompressed tar bytes.
    pub fn add_tar(&self, n: u64) {
        self.tar_bytes.fetch_add(n, Ordering::Relaxed);
    }

    /// Counts one regular file.
    pub fn add_file(&self) {
        self.files.fetch_add(1, Ordering::Relaxed);
    }

    /// Adds a module's announced size to the totals.
    pub fn announce(&self, tar_bytes: u64, files: u64) {
        self.total_bytes.fetch_add(tar_bytes, Ordering::Relaxed);
        self.total_files.fetch_add(files, Ordering::Relaxed);
    }

    /// The current counts.
    pub fn snapshot(&self) -> ProgressSnapshot {
        let wire_bytes = self.wire_bytes.load(Ordering::Relaxed);
        let secs = self.started.elapsed().as_secs_f64();
        ProgressSnapshot {
            wire_bytes,
            tar_bytes: self.tar_bytes.load(Ordering::Relaxed),
            files: self.files.load(Ordering::Relaxed),
            total_bytes: self.total_bytes.load(Ordering::Relaxed),
            total_files: self.total_files.load(Ordering::Relaxed),
            rate: if secs > 0.0 {
                wire_bytes as f64 / secs
            } else {
                0.0
            },
        }
    }
}
