//! Safe extraction of a dump into a staging slot.
//!
//! Every member is inspected and validated before any of its data is written: only regular
//! files and directories below `<module>/`, names parsed strictly, no duplicates, sizes within
//! the limits and consistent between header and PAX. File data is copied from the tar stream by
//! us into paths we build (no library `unpack`). At the end the tar trailer is checked: both
//! end-of-archive blocks present, only zeros after them, and the compressed stream complete,
//! so a truncated download is an error rather than a smaller module.

use std::path::PathBuf;

use bytes::{Bytes, BytesMut};
use tokio::io::{AsyncRead, AsyncReadExt};
use tokio_tar::{Archive, Entry};

use super::error::{ArchiveError, Result};
use super::fs_writer::FsWriter;
use super::input::{GuardState, TarStream};
use super::limits::{
    ExtractOptions, ExtractSummary, KEY_MAX_BYTES, KEY_MAX_ENTRIES, KEY_MAX_FILE_BYTES,
};
use super::member::{Kind, Member, Tree, inspect};
use super::metadata::DumpMetadata;
use super::names::{is_excluded_name, parse_entry_path};
use super::read_meta::{HEADER_SLACK, OpenDump, next_entry, open_dump};
use super::staging::{StagedModule, Staging};
use super::tar_header::BLOCK;

/// Largest piece of file data handed to the writer thread at once.
const DATA_CHUNK: usize = 256 * 1024;
/// Most zero padding we read after the end-of-archive blocks (GNU tar and Python pad to 10 KiB).
const MAX_TRAILER: u64 = 16 << 20;

/// Extracts a dump read from `reader` into a new slot of `staging`. On success the module is
/// complete in [`StagedModule::dir`], ready for [`install`](super::install); on any error the
/// slot is removed and nothing outside it was written.
pub async fn extract_into_staging<R>(
    staging: &Staging,
    reader: R,
    options: &ExtractOptions,
) -> Result<StagedModule>
where
    R: AsyncRead + Send + Unpin,
{
    let slot = staging.create_slot().await?;
    let dir = slot.new_dir();
    match extract(dir.clone(), reader, options).await {
        Ok((metadata, summary)) => Ok(StagedModule {
            metadata,
            dir,
            summary,
            slot,
        }),
        Err(e) => {
            slot.remove().await;
            Err(e)
        }
    }
}

async fn extract<R>(
    root: PathBuf,
    reader: R,
    options: &ExtractOptions,
) -> Result<(DumpMetadata, ExtractSummary)>
where
    R: AsyncRead + Send + Unpin,
{
    let dump = open_dump(reader).await?;
    let module = dump.metadata.module_name.clone();
    if let Some(expected) = &options.expected_module
        && *expected != module
    {
        return Err(ArchiveError::ModuleMismatch {
            expected: expected.clone(),
            found: module,
        });
    }
    let metadata = dump.metadata.clone();
    let mut writer = FsWriter::spawn(root)?;
    match extract_members(dump, &module, &mut writer, options).await {
        Ok(summary) => {
            writer.finish().await?;
            Ok((metadata, summary))
        }
        Err(e) => {
            // Let the writer thread stop before the caller removes the slot under it.
            writer.abort().await;
            Err(e)
        }
    }
}

async fn extract_members(
    mut dump: OpenDump<'_>,
    module: &str,
    writer: &mut FsWriter,
    options: &ExtractOptions,
) -> Result<ExtractSummary> {
    let mut tree = Tree::default();
    let mut summary = ExtractSummary::default();
    let mut entries_seen = 0u64;
    let mut total = 0u64;
    let mut last_end = dump.metadata_end;
    let mut last_name = super::metadata::METADATA_MEMBER.to_owned();
    loop {
        dump.guard.set_limit(last_end.saturating_add(HEADER_SLACK));
        let context = || format!("reading the member after {last_name:?}");
        let Some(mut entry) = next_entry(&mut dump.entries, &dump.guard, context).await? else {
            break;
        };
        let member = inspect(&mut entry).await?;
        last_end = member.data_end;
        last_name.clone_from(&member.shown);
        dump.guard.set_limit(last_end.saturating_add(HEADER_SLACK));

        entries_seen += 1;
        total = total.saturating_add(member.size);
        check_limits(&member, entries_seen, total, options)?;
        let rel = parse_entry_path(&member.raw_name, module, member.kind == Kind::Dir)?;
        if rel.0.iter().any(|c| is_excluded_name(c)) {
            // Its data is skipped by the tar reader when we ask for the next member.
            tracing::info!(entry = %member.shown, "not extracting a lock or engine file");
            summary.skipped.push(member.shown);
            continue;
        }
        tree.add(&rel, member.kind, &member.shown)?;
        match member.kind {
            Kind::Dir => {
                summary.directories += 1;
                writer.dir(rel.joined(), member.mode, member.mtime).await?;
            }
            Kind::File => {
                writer
                    .start_file(rel.joined(), member.mode, member.mtime)
                    .await?;
                copy_data(&mut entry, &member, writer).await?;
                writer.end_file().await?;
                summary.files += 1;
                summary.bytes += member.size;
            }
        }
    }
    let guard = dump.guard.clone();
    drop(dump.entries);
    check_trailer(dump.archive, &guard, last_end, &last_name).await?;
    Ok(summary)
}

pub(crate) fn check_limits(
    member: &Member,
    count: u64,
    total: u64,
    options: &ExtractOptions,
) -> Result<()> {
    let limits = &options.limits;
    let over = |reason: String| ArchiveError::Limit {
        entry: member.shown.clone(),
        reason,
    };
    if count > limits.max_entries {
        return Err(over(format!(
            "the archive has more than {} entries (limit {KEY_MAX_ENTRIES})",
            limits.max_entries
        )));
    }
    if member.size > limits.max_entry_bytes {
        return Err(over(format!(
            "it is {} bytes, more than {} (limit {KEY_MAX_FILE_BYTES})",
            member.size, limits.max_entry_bytes
        )));
    }
    if total > limits.max_total_bytes {
        return Err(over(format!(
            "the archive expands to more than {} bytes (limit {KEY_MAX_BYTES})",
            limits.max_total_bytes
        )));
    }
    Ok(())
}

async fn copy_data<R: AsyncRead + Unpin>(
    entry: &mut Entry<R>,
    member: &Member,
    writer: &mut FsWriter,
) -> Result<()> {
    let mut copied = 0u64;
    while copied < member.size {
        let chunk = read_chunk(entry, member, copied).await?;
        copied += chunk.len() as u64;
        writer.data(chunk).await?;
    }
    Ok(())
}

/// The next chunk (at most [`DATA_CHUNK`] bytes) of a member's data, `copied` bytes of which
/// have been read; a stream that ends first is a truncated entry. Shared by extraction and the
/// verified receiver, so both read and report alike.
pub(crate) async fn read_chunk(
    entry: &mut (impl AsyncRead + Unpin),
    member: &Member,
    copied: u64,
) -> Result<Bytes> {
    let want = usize::try_from(member.size - copied)
        .unwrap_or(usize::MAX)
        .min(DATA_CHUNK);
    let mut chunk = BytesMut::with_capacity(want);
    while chunk.len() < want {
        let n = entry.read_buf(&mut chunk).await.map_err(|e| {
            ArchiveError::corrupt(format!("reading the data of {:?}", member.shown), e)
        })?;
        if n == 0 {
            return Err(ArchiveError::TruncatedEntry {
                entry: member.shown.clone(),
                expected: member.size,
                found: copied + chunk.len() as u64,
            });
        }
    }
    Ok(chunk.freeze())
}

/// After the last member the tar reader has consumed either nothing (the stream ended without
/// an end-of-archive marker) or the first zero block. The second zero block must follow, then
/// only zero padding up to the end of the (fully decompressed and checksummed) stream.
pub(crate) async fn check_trailer(
    archive: Archive<TarStream<'_>>,
    guard: &GuardState,
    last_end: u64,
    last_name: &str,
) -> Result<()> {
    let Ok(mut stream) = archive.into_inner() else {
        return Err(ArchiveError::corrupt(
            "finishing the tar stream",
            std::io::Error::other("the tar reader is still in use (internal error)"),
        ));
    };
    let pos = guard.pos();
    if pos == last_end {
        return Err(ArchiveError::Truncated(format!(
            "the tar stream ends after {last_name:?} without its end-of-archive marker"
        )));
    }
    if pos != last_end + BLOCK as u64 {
        return Err(ArchiveError::corrupt(
            format!("reading the end of the archive after {last_name:?}"),
            std::io::Error::other("the tar reader stopped at an unexpected position"),
        ));
    }
    guard.set_limit(pos.saturating_add(MAX_TRAILER));
    let mut buf = vec![0u8; 64 * 1024];
    let mut trailing = 0u64;
    loop {
        let n = stream.read(&mut buf).await.map_err(|e| {
            if guard.limit_hit() {
                ArchiveError::TrailingData(format!(
                    "more than {MAX_TRAILER} bytes of padding after the end-of-archive marker"
                ))
            } else {
                ArchiveError::corrupt("reading the end of the archive", e)
            }
        })?;
        if n == 0 {
            break;
        }
        if buf[..n].iter().any(|&b| b != 0) {
            return Err(ArchiveError::TrailingData(format!(
                "non-zero data {} bytes after the end-of-archive marker",
                trailing + buf[..n].iter().position(|&b| b != 0).unwrap_or(0) as u64
            )));
        }
        trailing += n as u64;
    }
    if trailing < BLOCK as u64 {
        return Err(ArchiveError::Truncated(
            "only one of the two end-of-archive blocks is present".into(),
        ));
    }
    Ok(())
}
