//! Encoding of tar headers for the writer, in the GNU format that Python's `tarfile` (≤ 3.7
//! default) and GNU tar write: names over 100 bytes go in a `././@LongLink` member before the
//! entry, large numbers in base-256. Python, GNU tar, bsdtar and astral-tokio-tar all read it.

use tokio_tar::{EntryType, Header};

/// Size of a tar block.
pub(crate) const BLOCK: usize = 512;
/// Python's `tarfile` and GNU tar pad archives to a multiple of 20 blocks; so do we.
pub(crate) const RECORD: usize = 20 * BLOCK;
/// Longest name that fits in the header's name field.
const NAME_FIELD: usize = 100;

/// What an entry header says.
pub(crate) struct HeaderFields<'a> {
    /// Full member name (`<module>/...`, with a trailing `/` for directories).
    pub(crate) name: &'a str,
    pub(crate) is_dir: bool,
    pub(crate) size: u64,
    pub(crate) mode: u32,
    pub(crate) uid: u64,
    pub(crate) gid: u64,
    pub(crate) mtime: u64,
}

/// Appends the header block(s) for one entry to `out`: a GNU long-name member if the name does
/// not fit, then the entry's own header. The caller appends the data and its padding.
pub(crate) fn append_header(out: &mut Vec<u8>, fields: &HeaderFields<'_>) {
    let name = fields.name.as_bytes();
    if name.len() > NAME_FIELD {
        append_long_name(out, name);
    }
    let mut header = Header::new_gnu();
    let stored = &name[..name.len().min(NAME_FIELD)];
    header.as_old_mut().name[..stored.len()].copy_from_slice(stored);
    header.set_entry_type(if fields.is_dir {
        EntryType::Directory
    } else {
        EntryType::Regular
    });
    header.set_size(fields.size);
    header.set_mode(fields.mode & 0o7777);
    header.set_uid(fields.uid);
    header.set_gid(fields.gid);
    header.set_mtime(fields.mtime);
    header.set_cksum();
    out.extend_from_slice(header.as_bytes());
}

/// The GNU long-name member: a `././@LongLink` entry of type `L` whose data is the name plus a
/// NUL, as GNU tar writes it.
fn append_long_name(out: &mut Vec<u8>, name: &[u8]) {
    let mut header = Header::new_gnu();
    let link = b"././@LongLink";
    header.as_old_mut().name[..link.len()].copy_from_slice(link);
    header.set_entry_type(EntryType::GNULongName);
    header.set_size(name.len() as u64 + 1);
    header.set_mode(0o644);
    header.set_uid(0);
    header.set_gid(0);
    header.set_mtime(0);
    header.set_cksum();
    out.extend_from_slice(header.as_bytes());
    out.extend_from_slice(name);
    out.push(0);
    pad_to_block(out, name.len() as u64 + 1);
}

/// Appends the zero padding that follows `data_len` bytes of entry data.
pub(crate) fn pad_to_block(out: &mut Vec<u8>, data_len: u64) {
    let rem = (data_len % BLOCK as u64) as usize;
    if rem != 0 {
        out.resize(out.len() + BLOCK - rem, 0);
    }
}

/// Rounds an entry's data size up to whole blocks (saturating: hostile sizes must not panic).
pub(crate) fn padded(size: u64) -> u64 {
    size.div_ceil(BLOCK as u64).saturating_mul(BLOCK as u64)
}
