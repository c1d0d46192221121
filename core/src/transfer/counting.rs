//! Counting what a transfer receives: wire bytes, and in the decompressed tar stream, bytes
//! and file headers, so progress can be shown against the totals the source announces.

use std::io;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use async_compression::tokio::bufread::{GzipDecoder, ZstdDecoder};
use tokio::io::{AsyncRead, AsyncReadExt, BufReader, ReadBuf};

use super::progress::Progress;

const BLOCK: u64 = 512;

/// Counts the bytes read through it into a [`Progress`]: wire bytes, or (for a tar stream)
/// tar bytes and regular-file headers.
#[derive(Debug)]
pub struct CountingReader<R> {
    inner: R,
    progress: Arc<Progress>,
    tar: Option<TarScan>,
}

impl<R: AsyncRead + Unpin> CountingReader<R> {
    /// Counts wire (compressed) bytes.
    pub fn wire(inner: R, progress: Arc<Progress>) -> Self {
        Self {
            inner,
            progress,
            tar: None,
        }
    }

    /// Counts the bytes and files of an uncompressed tar stream.
    pub fn tar(inner: R, progress: Arc<Progress>) -> Self {
        Self {
            inner,
            progress,
            tar: Some(TarScan::default()),
        }
    }
}

impl<R: AsyncRead + Unpin> AsyncRead for CountingReader<R> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let before = buf.filled().len();
        let this = &mut *self;
        let poll = Pin::new(&mut this.inner).poll_read(cx, buf);
        let new = &buf.filled()[before..];
        match &mut this.tar {
            None => this.progress.add_wire(new.len() as u64),
            Some(scan) => {
                this.progress.add_tar(new.len() as u64);
                scan.feed(new, &this.progress);
            }
        }
        poll
    }
}

/// Follows tar headers through the stream without buffering data: only the 512 bytes of each
/// header are looked at, to learn the size of the entry that follows.
#[derive(Debug, Default)]
struct TarScan {
    pos: u64,
    next_header: u64,
    header: Vec<u8>,
    entries: u64,
    ended: bool,
}

impl TarScan {
    fn feed(&mut self, mut data: &[u8], progress: &Progress) {
        while !data.is_empty() && !self.ended {
            if self.pos < self.next_header {
                let skip = (self.next_header - self.pos).min(data.len() as u64) as usize;
                self.pos += skip as u64;
                data = &data[skip..];
                continue;
            }
            let take = (BLOCK as usize - self.header.len()).min(data.len());
            self.header.extend_from_slice(&data[..take]);
            self.pos += take as u64;
            data = &data[take..];
            if self.header.len() == BLOCK as usize {
                self.header_complete(progress);
                self.header.clear();
            }
        }
    }

    fn header_complete(&mut self, progress: &Progress) {
        if self.header.iter().all(|&b| b == 0) {
            self.ended = true;
            return;
        }
        let size = parse_size(&self.header[124..136]);
        // Saturating: a hostile header may announce any size.
        self.next_header = self
            .pos
            .saturating_add(size.div_ceil(BLOCK).saturating_mul(BLOCK));
        // The first member of a dump is dump_metadata.json, not module data.
        self.entries += 1;
        if matches!(self.header[156], b'0' | 0) && self.entries > 1 {
            progress.add_file();
        }
    }
}

/// A tar size field: octal digits, or base-256 when the high bit of the first byte is set.
fn parse_size(field: &[u8]) -> u64 {
    if field[0] & 0x80 != 0 {
        return field[1..].iter().fold(u64::from(field[0] & 0x7f), |n, &b| {
            n.saturating_mul(256).saturating_add(u64::from(b))
        });
    }
    field
        .iter()
        .skip_while(|&&b| b == b' ')
        .take_while(|&&b| (b'0'..=b'7').contains(&b))
        .fold(0u64, |n, &b| {
            n.saturating_mul(8).saturating_add(u64::from(b - b'0'))
        })
}

/// Decompresses `reader` (gzip or zstd, detected by content; anything else passes through)
/// and counts the tar stream. The archive layer then reads a plain tar.
pub(crate) async fn decoded_counting<R>(
    mut reader: R,
    progress: Arc<Progress>,
) -> io::Result<CountingReader<Box<dyn AsyncRead + Send + Unpin>>>
where
    R: AsyncRead + Send + Unpin + 'static,
{
    let mut magic = Vec::with_capacity(4);
    while magic.len() < 4 {
        let mut byte = [0u8; 4];
        let n = reader.read(&mut byte[..4 - magic.len()]).await?;
        if n == 0 {
            break;
        }
        magic.extend_from_slice(&byte[..n]);
    }
    let raw = io::Cursor::new(magic.clone()).chain(reader);
    let buffered = |raw| BufReader::with_capacity(256 * 1024, raw);
    // A plain tar goes on unbuffered: the archive layer reads it through a large buffer of its
    // own, and a second one here would copy every byte once more.
    let decoded: Box<dyn AsyncRead + Send + Unpin> = if magic.starts_with(&[0x1f, 0x8b]) {
        let mut decoder = GzipDecoder::new(buffered(raw));
        decoder.multiple_members(true);
        Box::new(decoder)
    } else if magic.starts_with(&[0x28, 0xb5, 0x2f, 0xfd]) {
        let mut decoder = ZstdDecoder::new(buffered(raw));
        decoder.multiple_members(true);
        Box::new(decoder)
    } else {
        Box::new(raw)
    };
    Ok(CountingReader::tar(decoded, progress))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_parse_in_both_encodings() {
        assert_eq!(parse_size(b"00000001750\0"), 1000);
        assert_eq!(parse_size(b"     1750 \0\0"), 1000);
        let mut big = [0u8; 12];
        big[0] = 0x80;
        big[11] = 1;
        big[10] = 2;
        assert_eq!(parse_size(&big), 513);
    }

    #[test]
    fn scan_counts_files_after_the_metadata_member() {
        let mut stream = Vec::new();
        for (name, size, kind) in [("meta", 3u64, b'0'), ("m/", 0, b'5'), ("m/a", 700, b'0')] {
            let mut header = vec![0u8; 512];
            header[..name.len()].copy_from_slice(name.as_bytes());
            header[124..135].copy_from_slice(format!("{size:011o}").as_bytes());
            header[156] = kind;
            stream.extend_from_slice(&header);
            stream.resize(stream.len() + size.div_ceil(512) as usize * 512, 7);
        }
        stream.resize(stream.len() + 1024, 0);
        let progress = Progress::default();
        let mut scan = TarScan::default();
        for chunk in stream.chunks(100) {
            scan.feed(chunk, &progress);
        }
        assert!(scan.ended);
        assert_eq!(progress.snapshot().files, 1);
    }
}
