//! The producer thread: walks the module directory and serialises the tar stream into chunks for
//! the [`Encoder`]. File data is read straight into the chunk buffer, so each byte is copied once
//! before compression. A file that shrinks or grows while it is read fails the dump instead of
//! producing an entry whose header and data disagree.

use std::fs::File;
use std::io::{self, Read};
use std::os::unix::fs::MetadataExt;
use std::path::Path;

use super::encode::Encoder;
use super::error::{ArchiveError, Result};
use super::metadata::{DumpMetadata, METADATA_MEMBER};
use super::source::{Item, Selection, for_each_entry};
use super::tar_header::{BLOCK, HeaderFields, RECORD, append_header, pad_to_block};

/// Size of the chunks handed to the encoder (and of each gzip member).
pub(crate) const CHUNK: usize = 1 << 20;

/// Counts of what went into a dump.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct DumpSummary {
    /// Regular files written.
    pub files: u64,
    /// Directory entries written, including the module directory.
    pub directories: u64,
    /// Bytes of file data (before tar framing and compression).
    pub data_bytes: u64,
    /// Bytes of the archive as written (after compression).
    pub archive_bytes: u64,
}

struct TarWriter {
    buf: Vec<u8>,
    offset: u64,
    encoder: Encoder,
    summary: DumpSummary,
}

/// Writes the whole tar stream of a dump into `encoder`.
pub(crate) fn produce(
    module_dir: &Path,
    metadata: &DumpMetadata,
    selection: Selection<'_>,
    encoder: Encoder,
) -> Result<DumpSummary> {
    let mut tar = TarWriter {
        buf: Vec::with_capacity(CHUNK + BLOCK * 4),
        offset: 0,
        encoder,
        summary: DumpSummary::default(),
    };
    tar.add_metadata(metadata)?;
    let module = metadata.module_name.as_str();
    for_each_entry(module_dir, selection, &mut |rel, abs, item| {
        let name = if rel.is_empty() {
            module.to_owned()
        } else {
            format!("{module}/{rel}")
        };
        match item {
            Item::Dir(meta) => tar.add_dir(&format!("{name}/"), &meta),
            Item::File(file, meta) => tar.add_file(&name, abs, file, &meta),
        }
    })?;
    tar.finish()
}

impl TarWriter {
    /// `dump_metadata.json` with Python's `TarInfo` defaults: mode 0644, owner 0, mtime 0.
    fn add_metadata(&mut self, metadata: &DumpMetadata) -> Result<()> {
        let json = metadata.to_json();
        let fields = HeaderFields {
            name: METADATA_MEMBER,
            is_dir: false,
            size: json.len() as u64,
            mode: 0o644,
            uid: 0,
            gid: 0,
            mtime: 0,
        };
        append_header(&mut self.buf, &fields);
        self.buf.extend_from_slice(json.as_bytes());
        pad_to_block(&mut self.buf, json.len() as u64);
        self.ship_full()
    }

    fn add_dir(&mut self, name: &str, meta: &std::fs::Metadata) -> Result<()> {
        append_header(&mut self.buf, &fields_from(name, true, 0, meta));
        self.summary.directories += 1;
        self.ship_full()
    }

    fn add_file(
        &mut self,
        name: &str,
        abs: &Path,
        mut file: File,
        meta: &std::fs::Metadata,
    ) -> Result<()> {
        let size = meta.len();
        append_header(&mut self.buf, &fields_from(name, false, size, meta));
        let mut remaining = size;
        while remaining > 0 {
            self.ship_full()?;
            let room = (CHUNK - self.buf.len().min(CHUNK)).max(BLOCK) as u64;
            let want = remaining.min(room) as usize;
            // Straight into the buffer's spare capacity, without zeroing it first.
            let got = (&mut file)
                .take(want as u64)
                .read_to_end(&mut self.buf)
                .map_err(|e| ArchiveError::io("read", abs, e))?;
            if got < want {
                return Err(ArchiveError::cannot_dump(
                    abs,
                    format!(
                        "it shrank while being dumped ({} of {size} bytes read); is a module still writing it?",
                        size - remaining + got as u64
                    ),
                ));
            }
            remaining -= want as u64;
        }
        let mut probe = [0u8; 1];
        if read_full(&mut file, &mut probe).map_err(|e| ArchiveError::io("read", abs, e))? > 0 {
            return Err(ArchiveError::cannot_dump(
                abs,
                format!(
                    "it grew beyond {size} bytes while being dumped; is a module still writing it?"
                ),
            ));
        }
        pad_to_block(&mut self.buf, size);
        self.summary.files += 1;
        self.summary.data_bytes += size;
        self.ship_full()
    }

    /// Sends the buffer once it holds a full chunk.
    fn ship_full(&mut self) -> Result<()> {
        if self.buf.len() >= CHUNK {
            self.ship()?;
        }
        Ok(())
    }

    fn ship(&mut self) -> Result<()> {
        let chunk = std::mem::replace(&mut self.buf, Vec::with_capacity(CHUNK + BLOCK * 4));
        self.offset += chunk.len() as u64;
        self.encoder.send(chunk)
    }

    /// Two zero blocks end the archive; zeros then fill the last 10 KiB record, as Python and
    /// GNU tar do.
    fn finish(mut self) -> Result<DumpSummary> {
        self.buf.resize(self.buf.len() + 2 * BLOCK, 0);
        let total = self.offset + self.buf.len() as u64;
        let rem = (total % RECORD as u64) as usize;
        if rem != 0 {
            self.buf.resize(self.buf.len() + RECORD - rem, 0);
        }
        self.ship()?;
        self.encoder.finish()?;
        Ok(self.summary)
    }
}

fn fields_from<'a>(
    name: &'a str,
    is_dir: bool,
    size: u64,
    meta: &std::fs::Metadata,
) -> HeaderFields<'a> {
    HeaderFields {
        name,
        is_dir,
        size,
        mode: meta.mode(),
        uid: u64::from(meta.uid()),
        gid: u64::from(meta.gid()),
        // tar cannot store times before 1970; such files get the epoch.
        mtime: u64::try_from(meta.mtime()).unwrap_or(0),
    }
}

/// Reads until `buf` is full or the file ends; returns the bytes read (short reads and
/// `EINTR` are retried, as a plain `read` would not).
pub(crate) fn read_full(file: &mut File, buf: &mut [u8]) -> io::Result<usize> {
    let mut filled = 0;
    while filled < buf.len() {
        match file.read(&mut buf[filled..]) {
            Ok(0) => break,
            Ok(n) => filled += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(filled)
}
