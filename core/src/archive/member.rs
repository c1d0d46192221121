//! Inspection of one tar member before anything of it is written: its type, its sizes (header
//! against PAX), its mode and mtime. Also the bookkeeping that catches duplicate entries.

use std::collections::HashMap;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use tokio::io::AsyncRead;
use tokio_tar::{Entry, EntryType};

use super::error::{ArchiveError, Result};
use super::names::RelPath;
use super::tar_header::padded;

/// The largest size a ustar/GNU octal size field can hold (11 octal digits). Larger files need a
/// PAX `size` record (or GNU base-256), and only then may the header's own field differ.
const OCTAL_SIZE_LIMIT: u64 = 8u64.pow(11);

/// The two kinds of member we accept.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    File,
    Dir,
}

/// What we need to know about a member.
#[derive(Debug)]
pub(crate) struct Member {
    /// The raw name bytes (PAX `path` or GNU long name applied).
    pub(crate) raw_name: Vec<u8>,
    /// The name for messages.
    pub(crate) shown: String,
    pub(crate) kind: Kind,
    pub(crate) size: u64,
    /// Permission bits only (`rwx` for user, group, others).
    pub(crate) mode: u32,
    pub(crate) mtime: SystemTime,
    /// Position in the tar stream just after this member's data and padding.
    pub(crate) data_end: u64,
}

/// Reads a member's header information and refuses anything that is not a plain file or
/// directory, or whose sizes disagree.
pub(crate) async fn inspect<R: AsyncRead + Unpin>(entry: &mut Entry<R>) -> Result<Member> {
    let raw_name = entry
        .path_bytes()
        .map_err(|e| ArchiveError::corrupt("reading a member name", e))?
        .into_owned();
    let shown = String::from_utf8_lossy(&raw_name).into_owned();
    let refuse = |reason: String| ArchiveError::unsafe_entry(shown.clone(), reason);
    let header = entry.header();
    let kind = match header.entry_type() {
        EntryType::Regular => Kind::File,
        EntryType::Directory => Kind::Dir,
        other => return Err(refuse(type_problem(other, entry))),
    };
    let header_size = header
        .raw_entry_size()
        .map_err(|e| ArchiveError::corrupt(format!("reading the size of {shown:?}"), e))?;
    let mode = header
        .mode()
        .map_err(|e| ArchiveError::corrupt(format!("reading the mode of {shown:?}"), e))?
        & 0o777;
    let header_mtime = header
        .mtime()
        .map_err(|e| ArchiveError::corrupt(format!("reading the mtime of {shown:?}"), e))?;
    let size = entry.effective_size();
    let data_end = entry.raw_file_position().saturating_add(padded(size));

    let mut pax_size = None;
    let mut pax_mtime = None;
    let records = entry
        .pax_extensions()
        .await
        .map_err(|e| ArchiveError::corrupt(format!("reading the PAX header of {shown:?}"), e))?;
    if let Some(records) = records {
        for record in records {
            let record = record.map_err(|e| {
                ArchiveError::corrupt(format!("reading the PAX header of {shown:?}"), e)
            })?;
            match record.key_bytes() {
                b"size" => pax_size = Some(record.value_bytes().to_vec()),
                b"mtime" => pax_mtime = Some(record.value_bytes().to_vec()),
                _ => {}
            }
        }
    }
    if pax_size.is_some() && size < OCTAL_SIZE_LIMIT && size != header_size {
        // The CVE-2025-62518 shape: readers that trust different size fields see different
        // member boundaries, so one of them can be fed smuggled entries.
        return Err(refuse(format!(
            "its PAX size ({size} bytes) disagrees with its header size ({header_size} bytes)"
        )));
    }
    if kind == Kind::Dir && size != 0 {
        return Err(refuse(format!(
            "a directory entry carries {size} bytes of data"
        )));
    }
    let mtime = match pax_mtime {
        Some(value) => parse_pax_time(&value)
            .ok_or_else(|| refuse("its PAX mtime is not a decimal number".to_owned()))?,
        None => UNIX_EPOCH + Duration::from_secs(header_mtime),
    };
    Ok(Member {
        raw_name,
        shown,
        kind,
        size,
        mode,
        mtime,
        data_end,
    })
}

fn type_problem<R: AsyncRead + Unpin>(kind: EntryType, entry: &Entry<R>) -> String {
    let target = || {
        entry
            .link_name_bytes()
            .ok()
            .flatten()
            .map(|t| String::from_utf8_lossy(&t).into_owned())
            .unwrap_or_default()
    };
    match kind {
        EntryType::Symlink => format!("symbolic links are not allowed (-> {:?})", target()),
        EntryType::Link => format!("hard links are not allowed (-> {:?})", target()),
        EntryType::Char | EntryType::Block => "device files are not allowed".to_owned(),
        EntryType::Fifo => "FIFOs are not allowed".to_owned(),
        EntryType::GNUSparse => "sparse files are not supported".to_owned(),
        EntryType::XGlobalHeader => "global PAX headers are not supported".to_owned(),
        EntryType::Continuous => "contiguous files are not supported".to_owned(),
        other => format!(
            "entry type {:?} is not a regular file or directory",
            char::from(other.as_byte())
        ),
    }
}

/// Parses a PAX time, `[-]seconds[.fraction]`; times before 1970 become the epoch.
fn parse_pax_time(value: &[u8]) -> Option<SystemTime> {
    let text = std::str::from_utf8(value).ok()?;
    let (negative, text) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text),
    };
    let (secs, frac) = text.split_once('.').unwrap_or((text, ""));
    if secs.is_empty() || !secs.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    if !frac.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    if negative {
        return Some(UNIX_EPOCH);
    }
    let secs: u64 = secs.parse().ok()?;
    let nanos: u32 = format!("{:0<9}", &frac[..frac.len().min(9)]).parse().ok()?;
    Some(UNIX_EPOCH + Duration::new(secs, nanos))
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Seen {
    File,
    Dir,
    /// Created as the parent of an earlier entry, without an entry of its own (yet).
    ImpliedDir,
}

/// The paths extracted so far, to refuse duplicates and files where a directory must be.
#[derive(Debug, Default)]
pub(crate) struct Tree {
    seen: HashMap<String, Seen>,
}

impl Tree {
    pub(crate) fn add(&mut self, rel: &RelPath, kind: Kind, shown: &str) -> Result<()> {
        let components = &rel.0;
        for depth in 1..components.len() {
            let parent = components[..depth].join("/");
            match self.seen.get(&parent) {
                Some(Seen::File) => {
                    return Err(ArchiveError::unsafe_entry(
                        shown,
                        format!(
                            "its parent directory '{parent}' is a regular file in this archive"
                        ),
                    ));
                }
                Some(_) => {}
                None => {
                    self.seen.insert(parent, Seen::ImpliedDir);
                }
            }
        }
        let key = rel.joined();
        match (self.seen.get(&key).copied(), kind) {
            (None, Kind::File) => {
                self.seen.insert(key, Seen::File);
            }
            (None | Some(Seen::ImpliedDir), Kind::Dir) => {
                self.seen.insert(key, Seen::Dir);
            }
            (Some(Seen::ImpliedDir), Kind::File) => {
                return Err(ArchiveError::unsafe_entry(
                    shown,
                    "earlier entries use this path as a directory",
                ));
            }
            (Some(_), _) => {
                return Err(ArchiveError::unsafe_entry(
                    shown,
                    "duplicate entry: this path appeared earlier in the archive",
                ));
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pax_times() {
        let t = |s: &str| parse_pax_time(s.as_bytes());
        assert_eq!(t("12.5"), Some(UNIX_EPOCH + Duration::new(12, 500_000_000)));
        assert_eq!(t("7"), Some(UNIX_EPOCH + Duration::from_secs(7)));
        assert_eq!(t("-3.2"), Some(UNIX_EPOCH));
        assert_eq!(
            t("1.1234567891"),
            Some(UNIX_EPOCH + Duration::new(1, 123_456_789))
        );
        assert_eq!(t("x"), None);
        assert_eq!(t(""), None);
    }

    #[test]
    fn duplicates_and_file_parents_are_refused() {
        let rel = |s: &str| RelPath(s.split('/').map(str::to_owned).collect());
        let mut tree = Tree::default();
        tree.add(&rel("a/b"), Kind::File, "m/a/b").unwrap();
        tree.add(&rel("a"), Kind::Dir, "m/a/").unwrap();
        assert!(tree.add(&rel("a"), Kind::Dir, "m/a/").is_err());
        assert!(tree.add(&rel("a/b"), Kind::File, "m/a/b").is_err());
        assert!(tree.add(&rel("a/b/c"), Kind::File, "m/a/b/c").is_err());
        tree.add(&rel("d/e"), Kind::File, "m/d/e").unwrap();
        assert!(tree.add(&rel("d"), Kind::File, "m/d").is_err());
    }
}
