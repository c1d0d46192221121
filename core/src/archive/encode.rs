//! Compression of the tar stream, off the async runtime and overlapped with reading files.
//!
//! gzip is compressed in parallel the way `pigz --independent` and BGZF do it: the tar stream is
//! cut into 1 MiB chunks, each chunk becomes a complete gzip member on a worker thread, and the
//! members are written in order. Concatenated members are a standard gzip file (RFC 1952 §2.2)
//! that Python's `tarfile`, GNU gzip and every other reader decompress as one stream. zstd runs
//! one streaming encoder on its own thread (it is fast enough not to need more).

use std::io::{self, Write};
use std::sync::mpsc::{Receiver, SyncSender, sync_channel};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;

use flate2::{Compress, FlushCompress, Status};
use tokio::sync::{mpsc, oneshot};

use super::compression::Compression;
use super::error::{ArchiveError, Result};

/// A piece of the compressed stream, in stream order; gzip members may still be in the making.
pub(crate) enum OutMsg {
    Data(Vec<u8>),
    Pending(oneshot::Receiver<io::Result<Vec<u8>>>),
}

pub(crate) type OutTx = mpsc::Sender<OutMsg>;

/// The start of a gzip member that never ends: written after a failed dump so that whatever
/// was already sent cannot be mistaken for a complete gzip file by any reader.
pub(crate) const GZIP_POISON: [u8; 12] = [0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3, 0xff, 0xff];

/// Where the producer thread sends tar chunks.
pub(crate) enum Encoder {
    Plain(OutTx),
    Gzip(GzipPool),
    Zstd(ZstdStage),
}

impl Encoder {
    pub(crate) fn new(compression: Compression, threads: usize, out: OutTx) -> Result<Self> {
        Ok(match compression {
            Compression::None => Encoder::Plain(out),
            Compression::Gzip { level } => Encoder::Gzip(GzipPool::new(level, threads, out)?),
            Compression::Zstd { level } => Encoder::Zstd(ZstdStage::new(level, out)?),
        })
    }

    /// Hands over the next chunk of the tar stream. Fails with `Cancelled` once the consumer of
    /// the compressed stream has gone away.
    pub(crate) fn send(&mut self, chunk: Vec<u8>) -> Result<()> {
        match self {
            Encoder::Plain(out) => out
                .blocking_send(OutMsg::Data(chunk))
                .map_err(|_| ArchiveError::Cancelled),
            Encoder::Gzip(pool) => pool.send(chunk),
            Encoder::Zstd(stage) => stage.send(chunk),
        }
    }

    /// Ends the stream after the last chunk (writing the zstd frame's end).
    pub(crate) fn finish(self) -> Result<()> {
        match self {
            Encoder::Plain(_) => Ok(()),
            Encoder::Gzip(pool) => {
                pool.shutdown();
                Ok(())
            }
            Encoder::Zstd(stage) => stage.finish(),
        }
    }
}

struct Job {
    data: Vec<u8>,
    reply: oneshot::Sender<io::Result<Vec<u8>>>,
}

/// Worker threads turning chunks into gzip members.
pub(crate) struct GzipPool {
    jobs: Option<SyncSender<Job>>,
    out: OutTx,
    workers: Vec<JoinHandle<()>>,
}

impl GzipPool {
    fn new(level: u32, threads: usize, out: OutTx) -> Result<Self> {
        let threads = threads.max(1);
        let (jobs, queue) = sync_channel::<Job>(threads);
        let queue = Arc::new(Mutex::new(queue));
        let mut workers = Vec::with_capacity(threads);
        for i in 0..threads {
            let queue = Arc::clone(&queue);
            let worker = std::thread::Builder::new()
                .name(format!("pimlico-gzip-{i}"))
                .spawn(move || gzip_worker(level, &queue))
                .map_err(|e| ArchiveError::Output(io::Error::other(e)))?;
            workers.push(worker);
        }
        Ok(GzipPool {
            jobs: Some(jobs),
            out,
            workers,
        })
    }

    fn send(&mut self, data: Vec<u8>) -> Result<()> {
        let (reply, member) = oneshot::channel();
        // Queue the slot first: the bounded output channel is what limits chunks in flight.
        self.out
            .blocking_send(OutMsg::Pending(member))
            .map_err(|_| ArchiveError::Cancelled)?;
        let jobs = self.jobs.as_ref().ok_or(ArchiveError::Cancelled)?;
        jobs.send(Job { data, reply })
            .map_err(|_| ArchiveError::Cancelled)
    }

    fn shutdown(mut self) {
        self.jobs.take();
        for worker in self.workers.drain(..) {
            // A panicking worker drops its reply sender; the writer reports that chunk as lost.
            let _ = worker.join();
        }
    }
}

fn gzip_worker(level: u32, queue: &Mutex<Receiver<Job>>) {
    let mut compress = Compress::new(flate2::Compression::new(level), false);
    loop {
        let job = {
            let queue = queue.lock().unwrap_or_else(|poison| poison.into_inner());
            queue.recv()
        };
        let Ok(job) = job else { return };
        let member = gzip_member(&job.data, level, &mut compress);
        // The receiver is gone only if the dump was abandoned.
        let _ = job.reply.send(member);
    }
}

/// One complete gzip member holding `input`.
pub(crate) fn gzip_member(
    input: &[u8],
    level: u32,
    compress: &mut Compress,
) -> io::Result<Vec<u8>> {
    compress.reset();
    let extra_flags = match level {
        9 => 2,
        1 => 4,
        _ => 0,
    };
    let mut out = Vec::with_capacity(input.len() + input.len() / 64 + 1024);
    // Header: magic, deflate, no flags, no mtime, extra flags, OS = Unix.
    out.extend_from_slice(&[0x1f, 0x8b, 8, 0, 0, 0, 0, 0, extra_flags, 3]);
    loop {
        if out.capacity() - out.len() < 1024 {
            out.reserve(input.len() / 4 + 4096);
        }
        let consumed = usize::try_from(compress.total_in()).map_err(io::Error::other)?;
        let status = compress
            .compress_vec(&input[consumed..], &mut out, FlushCompress::Finish)
            .map_err(io::Error::other)?;
        if status == Status::StreamEnd {
            break;
        }
    }
    let mut crc = flate2::Crc::new();
    crc.update(input);
    out.extend_from_slice(&crc.sum().to_le_bytes());
    // ISIZE is the length modulo 2^32 by definition.
    out.extend_from_slice(&(input.len() as u32).to_le_bytes());
    Ok(out)
}

enum ZstdMsg {
    Data(Vec<u8>),
    Finish,
}

/// A streaming zstd encoder on its own thread.
pub(crate) struct ZstdStage {
    input: SyncSender<ZstdMsg>,
    thread: JoinHandle<io::Result<()>>,
}

impl ZstdStage {
    fn new(level: i32, out: OutTx) -> Result<Self> {
        let (input, chunks) = sync_channel::<ZstdMsg>(2);
        let thread = std::thread::Builder::new()
            .name("pimlico-zstd".into())
            .spawn(move || zstd_worker(level, &chunks, &out))
            .map_err(|e| ArchiveError::Output(io::Error::other(e)))?;
        Ok(ZstdStage { input, thread })
    }

    fn send(&mut self, chunk: Vec<u8>) -> Result<()> {
        self.input
            .send(ZstdMsg::Data(chunk))
            .map_err(|_| ArchiveError::Cancelled)
    }

    fn finish(self) -> Result<()> {
        // If the thread is gone, its result below says why.
        let _ = self.input.send(ZstdMsg::Finish);
        drop(self.input);
        match self.thread.join() {
            Ok(Ok(())) => Ok(()),
            Ok(Err(e)) if e.kind() == io::ErrorKind::BrokenPipe => Err(ArchiveError::Cancelled),
            Ok(Err(e)) => Err(ArchiveError::Output(io::Error::other(format!(
                "zstd compression failed: {e}"
            )))),
            Err(_) => Err(ArchiveError::Output(io::Error::other(
                "the zstd compression thread panicked",
            ))),
        }
    }
}

fn zstd_worker(level: i32, chunks: &Receiver<ZstdMsg>, out: &OutTx) -> io::Result<()> {
    let mut encoder = zstd::stream::write::Encoder::new(Vec::new(), level)?;
    encoder.include_checksum(true)?;
    let emit = |data: Vec<u8>| {
        if data.is_empty() {
            return Ok(());
        }
        out.blocking_send(OutMsg::Data(data))
            .map_err(|_| io::Error::from(io::ErrorKind::BrokenPipe))
    };
    loop {
        match chunks.recv() {
            Ok(ZstdMsg::Data(data)) => {
                encoder.write_all(&data)?;
                emit(std::mem::take(encoder.get_mut()))?;
            }
            Ok(ZstdMsg::Finish) => return emit(encoder.finish()?),
            // The producer failed: leave the frame unfinished so no reader takes it as complete.
            Err(_) => return Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use std::io::Read;

    use super::*;

    #[test]
    fn concatenated_members_are_one_gzip_stream() {
        let mut compress = Compress::new(flate2::Compression::new(6), false);
        let parts: [&[u8]; 3] = [b"hello ", b"", &[7u8; 100_000]];
        let mut stream = Vec::new();
        for part in parts {
            stream.extend(gzip_member(part, 6, &mut compress).unwrap());
        }
        let mut decoded = Vec::new();
        flate2::read::MultiGzDecoder::new(&stream[..])
            .read_to_end(&mut decoded)
            .unwrap();
        assert_eq!(decoded, parts.concat());
    }
}
