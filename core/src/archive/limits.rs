//! Limits that stop decompression bombs and absurd archives before they fill a disk or memory.

/// Upper bounds checked while extracting, from the tar headers, before any data is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ExtractLimits {
    /// Total bytes of file data in the archive (its expanded size, without tar framing).
    pub max_total_bytes: u64,
    /// Bytes of a single file.
    pub max_entry_bytes: u64,
    /// Number of entries (files and directories) below the module directory.
    pub max_entries: u64,
}

impl ExtractLimits {
    /// No limits at all, for trusted archives.
    pub const UNLIMITED: ExtractLimits = ExtractLimits {
        max_total_bytes: u64::MAX,
        max_entry_bytes: u64::MAX,
        max_entries: u64::MAX,
    };
}

impl Default for ExtractLimits {
    /// 1 TiB in total, 256 GiB per file, one million entries: far above any real Pimlico module
    /// (corpora live in a few large archive files), far below what breaks a machine.
    fn default() -> Self {
        ExtractLimits {
            max_total_bytes: 1 << 40,
            max_entry_bytes: 256 << 30,
            max_entries: 1_000_000,
        }
    }
}

/// How to extract an archive.
#[derive(Debug, Clone, Default)]
pub struct ExtractOptions {
    /// Size and count limits.
    pub limits: ExtractLimits,
    /// If set, the archive must hold this module (checked against `dump_metadata.json` before
    /// anything is written).
    pub expected_module: Option<String>,
}

/// What an extraction produced.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ExtractSummary {
    /// Regular files written.
    pub files: u64,
    /// Directory entries in the archive below (and including) the module directory.
    pub directories: u64,
    /// Bytes of file data written.
    pub bytes: u64,
    /// Entries left out because they are lock files or our own `.pimlico*` files (dumps made by
    /// the original include `.execution_lock` when the module was running).
    pub skipped: Vec<String>,
}
