//! Reading the tar archives of grouped corpora written before Pimarc existed.
//!
//! The original still reads them (through a wrapper giving tar the Pimarc interface, with
//! `{"name": member name}` as each file's metadata) but never writes them. Only what Python's
//! `tarfile` writes is needed: ustar headers in the GNU or POSIX flavour, GNU long names and
//! pax `path`/`size` records. Members that are not regular files are skipped.

use std::fs::File;
use std::io::{BufReader, Read, Seek};
use std::path::{Path, PathBuf};

use crate::formats::error::{FormatError, Result};
use crate::formats::pimarc::PimarcEntry;

const BLOCK: u64 = 512;

/// An old-style corpus archive (`.tar`), read in order.
#[derive(Debug)]
pub struct TarArchive {
    path: PathBuf,
    file: BufReader<File>,
    pos: u64,
}

struct Member {
    name: String,
    size: u64,
    regular: bool,
}

impl TarArchive {
    /// Opens a tar archive.
    pub fn open(path: impl AsRef<Path>) -> Result<Self> {
        let path = path.as_ref().to_path_buf();
        let file = File::open(&path).map_err(|e| FormatError::io("open archive", &path, e))?;
        Ok(TarArchive {
            path,
            file: BufReader::with_capacity(256 * 1024, file),
            pos: 0,
        })
    }

    fn malformed(&self, offset: u64, detail: impl Into<String>) -> FormatError {
        FormatError::malformed(&self.path, Some(offset), detail)
    }

    /// Goes back to the first member.
    pub fn rewind(&mut self) -> Result<()> {
        self.file
            .rewind()
            .map_err(|e| FormatError::io("seek in", &self.path, e))?;
        self.pos = 0;
        Ok(())
    }

    fn read_exact_or_end(&mut self, buf: &mut Vec<u8>, len: u64, what: &str) -> Result<()> {
        let start = self.pos;
        buf.clear();
        let got = (&mut self.file)
            .take(len)
            .read_to_end(buf)
            .map_err(|e| FormatError::io("read", &self.path, e))? as u64;
        self.pos += got;
        if got < len {
            return Err(self.malformed(start, format!("archive ends inside {what}")));
        }
        Ok(())
    }

    fn skip(&mut self, len: u64) -> Result<()> {
        let len = len.div_ceil(BLOCK) * BLOCK;
        self.file
            .seek_relative(len as i64)
            .map_err(|e| FormatError::io("seek in", &self.path, e))?;
        self.pos += len;
        Ok(())
    }

    /// Reads headers up to the next member; `None` at the end of the archive.
    fn next_member(&mut self, scratch: &mut Vec<u8>) -> Result<Option<Member>> {
        let mut long_name: Option<String> = None;
        let mut pax_size: Option<u64> = None;
        loop {
            let start = self.pos;
            let mut header = [0u8; 512];
            let got = read_full(&mut self.file, &mut header)
                .map_err(|e| FormatError::io("read", &self.path, e))?;
            self.pos += got as u64;
            if got == 0 || (got == 512 && header.iter().all(|b| *b == 0)) {
                return Ok(None);
            }
            if got < 512 {
                return Err(self.malformed(start, "archive ends inside a member header"));
            }
            check_checksum(&header).map_err(|d| self.malformed(start, d))?;
            let size = parse_size(&header[124..136])
                .ok_or_else(|| self.malformed(start, "bad member size"))?;
            let size = pax_size.take().unwrap_or(size);
            let typeflag = header[156];
            match typeflag {
                b'L' | b'x' => {
                    self.read_exact_or_end(scratch, size, "an extended header")?;
                    self.skip_padding(size)?;
                    if typeflag == b'L' {
                        let end = scratch
                            .iter()
                            .position(|b| *b == 0)
                            .unwrap_or(scratch.len());
                        long_name = Some(self.utf8(&scratch[..end], start)?);
                    } else {
                        for (key, value) in pax_records(scratch) {
                            match key {
                                b"path" => long_name = Some(self.utf8(value, start)?),
                                b"size" => {
                                    pax_size = std::str::from_utf8(value)
                                        .ok()
                                        .and_then(|s| s.parse().ok());
                                }
                                _ => {}
                            }
                        }
                    }
                }
                b'g' | b'K' => {
                    self.skip(size)?;
                }
                _ => {
                    let name = match long_name.take() {
                        Some(n) => n,
                        None => self.header_name(&header, start)?,
                    };
                    let regular = matches!(typeflag, b'0' | 0 | b'7');
                    return Ok(Some(Member {
                        name,
                        size,
                        regular,
                    }));
                }
            }
        }
    }

    fn skip_padding(&mut self, size: u64) -> Result<()> {
        let pad = size.div_ceil(BLOCK) * BLOCK - size;
        self.file
            .seek_relative(pad as i64)
            .map_err(|e| FormatError::io("seek in", &self.path, e))?;
        self.pos += pad;
        Ok(())
    }

    fn utf8(&self, bytes: &[u8], offset: u64) -> Result<String> {
        String::from_utf8(bytes.to_vec())
            .map_err(|_| self.malformed(offset, "member name is not UTF-8"))
    }

    fn header_name(&self, h: &[u8; 512], offset: u64) -> Result<String> {
        let name = self.utf8(nts(&h[..100]), offset)?;
        if &h[257..263] == b"ustar\0" {
            let prefix = nts(&h[345..500]);
            if !prefix.is_empty() {
                return Ok(format!("{}/{name}", self.utf8(prefix, offset)?));
            }
        }
        Ok(name)
    }

    /// Reads the next regular file into `entry` (metadata `{"name": ...}`, as the original's
    /// tar wrapper gives). Returns `false` at the end of the archive.
    pub fn read_next(&mut self, entry: &mut PimarcEntry) -> Result<bool> {
        let mut scratch = std::mem::take(&mut entry.data);
        let result = loop {
            let offset = self.pos;
            match self.next_member(&mut scratch)? {
                None => break false,
                Some(m) if !m.regular => self.skip(m.size)?,
                Some(m) => {
                    self.read_exact_or_end(
                        &mut scratch,
                        m.size,
                        &format!("the data of member '{}'", m.name),
                    )?;
                    self.skip_padding(m.size)?;
                    entry.metadata_raw.clear();
                    let mut meta = String::new();
                    crate::formats::pyjson::name_only_metadata(&m.name, &mut meta);
                    entry.metadata_raw.extend_from_slice(meta.as_bytes());
                    entry.name = m.name;
                    entry.offset = offset;
                    break true;
                }
            }
        };
        entry.data = scratch;
        Ok(result)
    }

    /// Skips `n` regular files; returns how many were skipped.
    pub fn skip_files(&mut self, n: usize) -> Result<usize> {
        let mut scratch = Vec::new();
        let mut done = 0;
        while done < n {
            match self.next_member(&mut scratch)? {
                None => break,
                Some(m) => {
                    self.skip(m.size)?;
                    if m.regular {
                        done += 1;
                    }
                }
            }
        }
        Ok(done)
    }

    /// Counts the regular files (reading all headers, as the original does for tar).
    pub fn count_files(&mut self) -> Result<usize> {
        self.rewind()?;
        let n = self.skip_files(usize::MAX)?;
        self.rewind()?;
        Ok(n)
    }

    /// Positions the reader after the named member.
    pub fn seek_after(&mut self, name: &str) -> Result<()> {
        self.rewind()?;
        let mut scratch = Vec::new();
        while let Some(m) = self.next_member(&mut scratch)? {
            self.skip(m.size)?;
            if m.regular && m.name == name {
                return Ok(());
            }
        }
        Err(FormatError::NameNotFound {
            path: self.path.clone(),
            name: name.to_string(),
        })
    }
}

/// A NUL-terminated header field.
fn nts(b: &[u8]) -> &[u8] {
    &b[..b.iter().position(|c| *c == 0).unwrap_or(b.len())]
}

fn read_full(r: &mut impl Read, buf: &mut [u8]) -> std::io::Result<usize> {
    let mut got = 0;
    while got < buf.len() {
        match r.read(&mut buf[got..]) {
            Ok(0) => break,
            Ok(n) => got += n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(got)
}

fn parse_size(field: &[u8]) -> Option<u64> {
    if field[0] & 0x80 != 0 {
        let mut v: u64 = 0;
        for (i, b) in field.iter().enumerate() {
            let b = if i == 0 { b & 0x7f } else { *b };
            v = v.checked_mul(256)?.checked_add(u64::from(b))?;
        }
        return Some(v);
    }
    let s = std::str::from_utf8(field).ok()?;
    let s = s.trim_matches(|c: char| c == '\0' || c == ' ');
    if s.is_empty() {
        return Some(0);
    }
    u64::from_str_radix(s, 8).ok()
}

fn check_checksum(h: &[u8; 512]) -> std::result::Result<(), String> {
    let stored = std::str::from_utf8(&h[148..156])
        .ok()
        .map(|s| s.trim_matches(|c: char| c == '\0' || c == ' '))
        .and_then(|s| u32::from_str_radix(s, 8).ok())
        .ok_or("member header has no valid checksum")?;
    let unsigned: u32 = h
        .iter()
        .enumerate()
        .map(|(i, b)| {
            if (148..156).contains(&i) {
                32
            } else {
                u32::from(*b)
            }
        })
        .sum();
    let signed: i64 = h
        .iter()
        .enumerate()
        .map(|(i, b)| {
            if (148..156).contains(&i) {
                32
            } else {
                i64::from(*b as i8)
            }
        })
        .sum();
    if stored == unsigned || i64::from(stored) == signed {
        Ok(())
    } else {
        Err("member header checksum does not match (not a tar archive, or corrupted)".into())
    }
}

fn pax_records(data: &[u8]) -> Vec<(&[u8], &[u8])> {
    let mut out = Vec::new();
    let mut rest = data;
    while let Some(space) = rest.iter().position(|b| *b == b' ') {
        let Some(len) = std::str::from_utf8(&rest[..space])
            .ok()
            .and_then(|s| s.parse::<usize>().ok())
        else {
            break;
        };
        if len == 0 || len > rest.len() {
            break;
        }
        let record = &rest[space + 1..len];
        let record = record.strip_suffix(b"\n").unwrap_or(record);
        if let Some(eq) = record.iter().position(|b| *b == b'=') {
            out.push((&record[..eq], &record[eq + 1..]));
        }
        rest = &rest[len..];
    }
    out
}
