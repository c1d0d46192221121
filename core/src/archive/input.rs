//! Opening an archive stream for reading: detect the compression from the first bytes, stack the
//! right decoder, and put a [`Guard`] between the decoder and the tar reader.
//!
//! The guard counts the bytes the tar reader consumes and refuses to let it read past a limit
//! that the extractor moves forward entry by entry. That bounds what the tar reader may buffer
//! for PAX and GNU long-name headers (otherwise unbounded), bounds the padding after the end of
//! the archive, and gives the position of the end-of-archive marker for the trailer check.

use std::io::{self, Cursor};
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::task::{Context, Poll};

use async_compression::tokio::bufread::{GzipDecoder, ZstdDecoder};
use tokio::io::{AsyncRead, AsyncReadExt, BufReader, ReadBuf};

use super::compression::{CompressionKind, MAGIC_LEN, detect};
use super::error::{ArchiveError, Result};

/// Buffer between the raw stream and the decompressor.
const INPUT_BUFFER: usize = 256 * 1024;
/// Buffer between the decompressor and the tar reader.
const DECODED_BUFFER: usize = 256 * 1024;

/// The decompressed tar stream of an archive.
pub(crate) type TarStream<'a> = Guard<Box<dyn AsyncRead + Send + Unpin + 'a>>;

/// Detects the compression of `reader` and returns the decompressed stream behind a guard.
pub(crate) async fn open<'a, R>(mut reader: R) -> Result<(TarStream<'a>, CompressionKind)>
where
    R: AsyncRead + Send + Unpin + 'a,
{
    let mut magic = Vec::with_capacity(MAGIC_LEN);
    while magic.len() < MAGIC_LEN {
        let mut byte = [0u8; MAGIC_LEN];
        let want = MAGIC_LEN - magic.len();
        let n = reader
            .read(&mut byte[..want])
            .await
            .map_err(|e| ArchiveError::corrupt("reading the start of the stream", e))?;
        if n == 0 {
            break;
        }
        magic.extend_from_slice(&byte[..n]);
    }
    let kind = detect(&magic)?;
    let raw = Cursor::new(magic).chain(reader);
    // The tar reader asks for 512-byte headers one at a time; a buffer after the decoder lets
    // it work on large blocks instead. A plain tar needs only that one buffer: a second would
    // copy every byte once more.
    let buffered: Box<dyn AsyncRead + Send + Unpin + 'a> = match kind {
        CompressionKind::Gzip => {
            let mut decoder = GzipDecoder::new(BufReader::with_capacity(INPUT_BUFFER, raw));
            // Parallel gzip writers (ours, pigz -i, bgzip) produce several members.
            decoder.multiple_members(true);
            Box::new(BufReader::with_capacity(DECODED_BUFFER, decoder))
        }
        CompressionKind::Zstd => {
            let mut decoder = ZstdDecoder::new(BufReader::with_capacity(INPUT_BUFFER, raw));
            decoder.multiple_members(true);
            Box::new(BufReader::with_capacity(DECODED_BUFFER, decoder))
        }
        CompressionKind::None => Box::new(BufReader::with_capacity(DECODED_BUFFER, raw)),
    };
    Ok((Guard::new(buffered), kind))
}

/// Position and read limit of a [`Guard`], shared with the extractor.
#[derive(Debug, Default)]
pub(crate) struct GuardState {
    pos: AtomicU64,
    limit: AtomicU64,
    hit: AtomicBool,
}

impl GuardState {
    /// Bytes handed to the tar reader so far.
    pub(crate) fn pos(&self) -> u64 {
        self.pos.load(Ordering::SeqCst)
    }

    /// Allows reading up to absolute position `limit`.
    pub(crate) fn set_limit(&self, limit: u64) {
        self.limit.store(limit, Ordering::SeqCst);
    }

    /// True once a read was refused because of the limit.
    pub(crate) fn limit_hit(&self) -> bool {
        self.hit.load(Ordering::SeqCst)
    }
}

/// A reader that counts bytes and fails instead of reading past its limit.
pub(crate) struct Guard<R> {
    inner: R,
    state: Arc<GuardState>,
}

impl<R> Guard<R> {
    fn new(inner: R) -> Self {
        Guard {
            inner,
            state: Arc::default(),
        }
    }

    pub(crate) fn state(&self) -> Arc<GuardState> {
        Arc::clone(&self.state)
    }
}

impl<R: AsyncRead + Unpin> AsyncRead for Guard<R> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let pos = self.state.pos();
        let allowed = self.state.limit.load(Ordering::SeqCst).saturating_sub(pos);
        if allowed == 0 {
            // At the limit: end of stream is fine, one more byte is not.
            let mut probe = [0u8; 1];
            let mut probe_buf = ReadBuf::new(&mut probe);
            return match Pin::new(&mut self.inner).poll_read(cx, &mut probe_buf) {
                Poll::Ready(Ok(())) if probe_buf.filled().is_empty() => Poll::Ready(Ok(())),
                Poll::Ready(Ok(())) => {
                    self.state.hit.store(true, Ordering::SeqCst);
                    Poll::Ready(Err(io::Error::other("archive read limit reached")))
                }
                other => other,
            };
        }
        let room = usize::try_from(allowed)
            .unwrap_or(usize::MAX)
            .min(buf.remaining());
        let (result, n) = {
            let mut limited = ReadBuf::new(buf.initialize_unfilled_to(room));
            let result = Pin::new(&mut self.inner).poll_read(cx, &mut limited);
            (result, limited.filled().len())
        };
        if let Poll::Ready(Ok(())) = result {
            buf.advance(n);
            self.state.pos.fetch_add(n as u64, Ordering::SeqCst);
        }
        result
    }
}
