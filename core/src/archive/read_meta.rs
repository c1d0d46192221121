//! Opening a dump for reading up to and including its `dump_metadata.json`, which must be the
//! first member. `load` uses [`read_metadata_file`] to check the pipeline and variant before
//! extracting anything; extraction goes on from the same reader state.

use std::path::Path;
use std::sync::Arc;

use tokio::io::{AsyncRead, AsyncReadExt};
use tokio_stream::StreamExt;
use tokio_tar::{Archive, Entries, Entry};

use super::error::{ArchiveError, Result};
use super::input::{GuardState, TarStream, open};
use super::member::{Kind, Member, inspect};
use super::metadata::{DumpMetadata, MAX_METADATA_BYTES, METADATA_MEMBER};
use super::names::validate_module_name;

/// How many bytes of PAX/GNU extension headers may precede a member. Real ones are a few
/// hundred bytes; without a bound the tar reader would buffer any amount.
pub(crate) const HEADER_SLACK: u64 = 1 << 20;

/// A dump opened for reading, positioned after its metadata member.
pub(crate) struct OpenDump<'a> {
    pub(crate) archive: Archive<TarStream<'a>>,
    pub(crate) entries: Entries<TarStream<'a>>,
    pub(crate) guard: Arc<GuardState>,
    pub(crate) metadata: DumpMetadata,
    /// Stream position after the metadata member.
    pub(crate) metadata_end: u64,
}

/// Reads the metadata of a dump from a stream (gzip, zstd or plain, detected by content).
/// Only the start of the stream is read; the rest is not checked.
pub async fn read_metadata<R>(reader: R) -> Result<DumpMetadata>
where
    R: AsyncRead + Send + Unpin,
{
    Ok(open_dump(reader).await?.metadata)
}

/// Reads the metadata of a dump file, for the checks `load` makes before extracting.
pub async fn read_metadata_file(path: &Path) -> Result<DumpMetadata> {
    let file = tokio::fs::File::open(path)
        .await
        .map_err(|e| ArchiveError::io("open", path, e))?;
    read_metadata(file).await
}

pub(crate) async fn open_dump<'a, R>(reader: R) -> Result<OpenDump<'a>>
where
    R: AsyncRead + Send + Unpin + 'a,
{
    let (stream, _kind) = open(reader).await?;
    let guard = stream.state();
    guard.set_limit(HEADER_SLACK);
    let mut archive = Archive::new(stream);
    let mut entries = archive
        .entries()
        .map_err(|e| ArchiveError::corrupt("starting to read the tar stream", e))?;
    let first = next_entry(&mut entries, &guard, || {
        "reading the first member (is this a tar archive?)".into()
    })
    .await?
    .ok_or_else(|| ArchiveError::MissingMetadata {
        found: "but the archive has no members".into(),
    })?;
    let (metadata, member) = read_metadata_member(first).await?;
    Ok(OpenDump {
        archive,
        entries,
        guard,
        metadata,
        metadata_end: member.data_end,
    })
}

/// The next member, with errors put in `context` (made only on an error: once per member,
/// formatting it cost an allocation per file). A refused read past the guard's limit means
/// the extension headers before a member are oversized.
pub(crate) async fn next_entry<R>(
    entries: &mut Entries<R>,
    guard: &GuardState,
    context: impl FnOnce() -> String,
) -> Result<Option<Entry<Archive<R>>>>
where
    R: AsyncRead + Unpin,
{
    match entries.next().await {
        None => Ok(None),
        Some(Ok(entry)) => Ok(Some(entry)),
        Some(Err(_)) if guard.limit_hit() => Err(ArchiveError::corrupt(
            context(),
            std::io::Error::other(format!(
                "more than {HEADER_SLACK} bytes of PAX/GNU extension headers before one member"
            )),
        )),
        Some(Err(e)) => Err(ArchiveError::corrupt(context(), e)),
    }
}

async fn read_metadata_member<R: AsyncRead + Unpin>(
    mut entry: Entry<R>,
) -> Result<(DumpMetadata, Member)> {
    let member = inspect(&mut entry).await.map_err(|e| match e {
        ArchiveError::UnsafeEntry { entry, reason } => ArchiveError::MissingMetadata {
            found: format!("found {entry:?}, which is not a regular file ({reason})"),
        },
        other => other,
    })?;
    if member.raw_name != METADATA_MEMBER.as_bytes() || member.kind != Kind::File {
        return Err(ArchiveError::MissingMetadata {
            found: format!("found {:?}", member.shown),
        });
    }
    if member.size > MAX_METADATA_BYTES {
        return Err(ArchiveError::BadMetadata(format!(
            "it is {} bytes, more than the {MAX_METADATA_BYTES}-byte limit",
            member.size
        )));
    }
    let mut bytes = Vec::with_capacity(member.size as usize);
    (&mut entry)
        .take(MAX_METADATA_BYTES)
        .read_to_end(&mut bytes)
        .await
        .map_err(|e| ArchiveError::corrupt(format!("reading {METADATA_MEMBER}"), e))?;
    if bytes.len() as u64 != member.size {
        return Err(ArchiveError::TruncatedEntry {
            entry: METADATA_MEMBER.into(),
            expected: member.size,
            found: bytes.len() as u64,
        });
    }
    let metadata = DumpMetadata::from_json(&bytes)?;
    validate_module_name(&metadata.module_name)
        .map_err(|e| ArchiveError::BadMetadata(e.to_string()))?;
    Ok((metadata, member))
}
