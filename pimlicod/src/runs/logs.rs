//! Serving a run's log: all of it, or (following) all of it and then each new line until the
//! run ends.

use std::io;
use std::path::PathBuf;

use bytes::Bytes;
use futures::Stream;
use tokio::io::{AsyncReadExt, AsyncSeekExt};
use tokio::sync::watch;

use super::Runs;
use crate::error::ApiError;

struct Follow {
    runs: Runs,
    id: String,
    path: PathBuf,
    pos: u64,
    changed: watch::Receiver<u64>,
    follow: bool,
    done: bool,
}

/// The log of run `id` as a byte stream.
pub fn log_stream(
    runs: &Runs,
    id: &str,
    follow: bool,
) -> Result<impl Stream<Item = io::Result<Bytes>> + Send + 'static, ApiError> {
    let (path, changed) = runs.log_of(id)?;
    let state = Follow {
        runs: runs.clone(),
        id: id.to_string(),
        path,
        pos: 0,
        changed,
        follow,
        done: false,
    };
    Ok(futures::stream::unfold(state, |mut s| async move {
        loop {
            if s.done {
                return None;
            }
            // Checked before reading, so lines written just before the end are still sent.
            let finished = !s.follow || s.runs.is_finished(&s.id);
            match read_from(&s.path, s.pos).await {
                Err(e) => {
                    s.done = true;
                    return Some((Err(e), s));
                }
                Ok(chunk) if !chunk.is_empty() => {
                    s.pos += chunk.len() as u64;
                    return Some((Ok(Bytes::from(chunk)), s));
                }
                Ok(_) if finished => return None,
                Ok(_) => {
                    if s.changed.changed().await.is_err() {
                        s.done = true;
                    }
                }
            }
        }
    }))
}

async fn read_from(path: &PathBuf, pos: u64) -> io::Result<Vec<u8>> {
    let mut file = tokio::fs::File::open(path).await?;
    file.seek(io::SeekFrom::Start(pos)).await?;
    let mut buf = Vec::new();
    file.take(1 << 20).read_to_end(&mut buf).await?;
    Ok(buf)
}
