//! Compression choices for writing, and detection by content for reading. A file name never
//! decides how an archive is read: a `.tar.gz` that is really zstd (or plain) still loads.

use std::fmt;
use std::str::FromStr;

use super::error::{ArchiveError, Result};

/// The kind of compression, without a level.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CompressionKind {
    /// gzip (RFC 1952): the original's format and our default.
    Gzip,
    /// Zstandard: faster and smaller, but the original cannot read it.
    Zstd,
    /// A plain tar, for data that is already compressed.
    None,
}

impl CompressionKind {
    /// File name extension of a dump, without the leading dot.
    pub fn extension(self) -> &'static str {
        match self {
            CompressionKind::Gzip => "tar.gz",
            CompressionKind::Zstd => "tar.zst",
            CompressionKind::None => "tar",
        }
    }
}

impl fmt::Display for CompressionKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            CompressionKind::Gzip => "gzip",
            CompressionKind::Zstd => "zstd",
            CompressionKind::None => "none",
        })
    }
}

impl FromStr for CompressionKind {
    type Err = String;

    fn from_str(s: &str) -> std::result::Result<Self, Self::Err> {
        match s.to_ascii_lowercase().as_str() {
            "gzip" | "gz" => Ok(CompressionKind::Gzip),
            "zstd" | "zst" => Ok(CompressionKind::Zstd),
            "none" | "tar" => Ok(CompressionKind::None),
            _ => Err(format!(
                "unknown compression '{s}': expected gzip, zstd or none"
            )),
        }
    }
}

/// How to compress a dump being written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Compression {
    /// gzip at a level from 0 (store) to 9 (smallest, slowest).
    Gzip {
        /// Deflate level, 0–9.
        level: u32,
    },
    /// zstd at a level from 1 to 22.
    Zstd {
        /// zstd level, 1–22.
        level: i32,
    },
    /// No compression.
    None,
}

impl Compression {
    /// Our default gzip level. The original uses 9 (Python's `tarfile` default). With our
    /// deflate (zlib-rs), level 3 makes files about as small as GNU `gzip -6` at a third of its
    /// CPU time; levels above it cost much more time for a few percent. See docs/dump-load.md.
    pub const DEFAULT_GZIP_LEVEL: u32 = 3;
    /// zstd's own default level.
    pub const DEFAULT_ZSTD_LEVEL: i32 = 3;

    /// The default compression for `kind`.
    pub fn default_for(kind: CompressionKind) -> Self {
        match kind {
            CompressionKind::Gzip => Compression::Gzip {
                level: Self::DEFAULT_GZIP_LEVEL,
            },
            CompressionKind::Zstd => Compression::Zstd {
                level: Self::DEFAULT_ZSTD_LEVEL,
            },
            CompressionKind::None => Compression::None,
        }
    }

    /// `kind` at `level`, checked against the kind's range.
    pub fn with_level(kind: CompressionKind, level: i32) -> std::result::Result<Self, String> {
        match kind {
            CompressionKind::Gzip if (0..=9).contains(&level) => Ok(Compression::Gzip {
                level: level.unsigned_abs(),
            }),
            CompressionKind::Gzip => Err(format!("gzip level {level} is not between 0 and 9")),
            CompressionKind::Zstd if (1..=22).contains(&level) => Ok(Compression::Zstd { level }),
            CompressionKind::Zstd => Err(format!("zstd level {level} is not between 1 and 22")),
            CompressionKind::None => Ok(Compression::None),
        }
    }

    /// The kind without its level.
    pub fn kind(self) -> CompressionKind {
        match self {
            Compression::Gzip { .. } => CompressionKind::Gzip,
            Compression::Zstd { .. } => CompressionKind::Zstd,
            Compression::None => CompressionKind::None,
        }
    }
}

impl Default for Compression {
    fn default() -> Self {
        Compression::default_for(CompressionKind::Gzip)
    }
}

/// How many leading bytes [`detect`] wants to see.
pub(crate) const MAGIC_LEN: usize = 6;

/// Identifies the compression from the first bytes of a stream. Anything that is not a known
/// compressed format is taken as a plain tar; the tar reader then checks its header checksum.
pub(crate) fn detect(magic: &[u8]) -> Result<CompressionKind> {
    if magic.is_empty() {
        return Err(ArchiveError::Empty);
    }
    let unsupported = |name| Err(ArchiveError::UnsupportedFormat(name));
    if magic.starts_with(&[0x1f, 0x8b]) {
        Ok(CompressionKind::Gzip)
    } else if magic.starts_with(&[0x28, 0xb5, 0x2f, 0xfd]) {
        Ok(CompressionKind::Zstd)
    } else if magic.starts_with(b"BZh") {
        unsupported("bzip2")
    } else if magic.starts_with(&[0xfd, b'7', b'z', b'X', b'Z', 0]) {
        unsupported("xz")
    } else if magic.starts_with(b"PK\x03\x04") {
        unsupported("zip")
    } else {
        Ok(CompressionKind::None)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn detects_by_magic() {
        assert_eq!(detect(&[0x1f, 0x8b, 8, 0]).unwrap(), CompressionKind::Gzip);
        assert_eq!(
            detect(&[0x28, 0xb5, 0x2f, 0xfd]).unwrap(),
            CompressionKind::Zstd
        );
        assert_eq!(detect(b"dump_m").unwrap(), CompressionKind::None);
        assert!(matches!(detect(b""), Err(ArchiveError::Empty)));
        assert!(matches!(
            detect(b"BZh91A"),
            Err(ArchiveError::UnsupportedFormat("bzip2"))
        ));
    }

    #[test]
    fn levels_are_checked() {
        assert!(Compression::with_level(CompressionKind::Gzip, 10).is_err());
        assert_eq!(
            Compression::with_level(CompressionKind::Zstd, 19).unwrap(),
            Compression::Zstd { level: 19 }
        );
        assert_eq!(
            "zst".parse::<CompressionKind>().unwrap(),
            CompressionKind::Zstd
        );
    }
}
