//! Following a job's output file as it grows: the job writes it on a compute node, we read
//! what was added since the last look (the file is reopened every time, which is what makes
//! a shared filesystem such as NFS show the latest content).

use std::io::SeekFrom;
use std::path::PathBuf;

use tokio::io::{AsyncReadExt, AsyncSeekExt};

/// The longest line kept whole; longer ones are split (a runaway line cannot eat memory).
const MAX_LINE: usize = 1 << 20;

/// One output file and how far it has been read.
pub(super) struct Tail {
    path: PathBuf,
    offset: u64,
    partial: Vec<u8>,
}

impl Tail {
    pub(super) fn new(path: PathBuf) -> Self {
        Self {
            path,
            offset: 0,
            partial: Vec::new(),
        }
    }

    /// Whether the file exists (Slurm creates it when the job starts).
    pub(super) fn exists(&self) -> bool {
        self.path.exists()
    }

    /// Complete lines added since the last call (a file not there yet has none).
    pub(super) async fn read_lines(&mut self) -> Vec<String> {
        let Ok(mut file) = tokio::fs::File::open(&self.path).await else {
            return Vec::new();
        };
        let len = match file.metadata().await {
            Ok(meta) => meta.len(),
            Err(_) => return Vec::new(),
        };
        if len < self.offset {
            // Truncated (the job was started again with the same file): read it anew.
            self.offset = 0;
            self.partial.clear();
        }
        if len == self.offset || file.seek(SeekFrom::Start(self.offset)).await.is_err() {
            return Vec::new();
        }
        let mut added = Vec::new();
        if file.read_to_end(&mut added).await.is_err() {
            return Vec::new();
        }
        self.offset += added.len() as u64;
        self.partial.extend_from_slice(&added);
        let mut lines = Vec::new();
        while let Some(end) = self.partial.iter().position(|&b| b == b'\n') {
            let line: Vec<u8> = self.partial.drain(..=end).collect();
            lines.push(text(&line));
        }
        if self.partial.len() > MAX_LINE {
            lines.push(text(&std::mem::take(&mut self.partial)));
        }
        lines
    }

    /// The last, unterminated line, once the job has ended.
    pub(super) fn rest(&mut self) -> Option<String> {
        (!self.partial.is_empty()).then(|| text(&std::mem::take(&mut self.partial)))
    }
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes)
        .trim_end_matches(['\n', '\r'])
        .to_string()
}
