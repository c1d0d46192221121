//! Limits that stop decompression bombs and absurd archives before they fill a disk or memory.
//!
//! They are set by the same three keys in the local config (for `pimlico load` and the daemon's
//! pipelines) and in `pimlicod.toml` (which wins for everything the daemon receives):
//! `archive_max_bytes`, `archive_max_file_bytes` and `archive_max_entries`.

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

/// The setting that holds [`ExtractLimits::max_total_bytes`].
pub const KEY_MAX_BYTES: &str = "archive_max_bytes";
/// The setting that holds [`ExtractLimits::max_entry_bytes`].
pub const KEY_MAX_FILE_BYTES: &str = "archive_max_file_bytes";
/// The setting that holds [`ExtractLimits::max_entries`].
pub const KEY_MAX_ENTRIES: &str = "archive_max_entries";

/// A limit setting that is not a number.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "invalid value {value:?} for {key}: expected a whole number, optionally followed by K, M, G \
     or T (powers of 1024), or 'unlimited'"
)]
pub struct LimitSettingError {
    /// The setting.
    pub key: String,
    /// Its value.
    pub value: String,
}

impl ExtractLimits {
    /// No limits at all, for trusted archives.
    pub const UNLIMITED: ExtractLimits = ExtractLimits {
        max_total_bytes: u64::MAX,
        max_entry_bytes: u64::MAX,
        max_entries: u64::MAX,
    };

    /// These limits with those of the three settings that `lookup` finds replaced: the local
    /// config's values, or `pimlicod.toml`'s. A value is a whole number with an optional K, M, G
    /// or T suffix (powers of 1024), or `unlimited`.
    pub fn with_settings<'a>(
        mut self,
        lookup: impl Fn(&str) -> Option<&'a str>,
    ) -> Result<Self, LimitSettingError> {
        let slots = [
            (KEY_MAX_BYTES, &mut self.max_total_bytes),
            (KEY_MAX_FILE_BYTES, &mut self.max_entry_bytes),
            (KEY_MAX_ENTRIES, &mut self.max_entries),
        ];
        for (key, slot) in slots {
            if let Some(value) = lookup(key) {
                *slot = parse_limit(value).ok_or_else(|| LimitSettingError {
                    key: key.to_owned(),
                    value: value.to_owned(),
                })?;
            }
        }
        Ok(self)
    }
}

/// `1000`, `64K`, `10G`, `1T`, `unlimited`.
fn parse_limit(text: &str) -> Option<u64> {
    let text = text.trim();
    if text.eq_ignore_ascii_case("unlimited") {
        return Some(u64::MAX);
    }
    let (digits, shift) = match text.char_indices().last()? {
        (i, 'k' | 'K') => (&text[..i], 10),
        (i, 'm' | 'M') => (&text[..i], 20),
        (i, 'g' | 'G') => (&text[..i], 30),
        (i, 't' | 'T') => (&text[..i], 40),
        _ => (text, 0),
    };
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    digits.parse::<u64>().ok()?.checked_mul(1u64 << shift)
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn settings_replace_the_limits_they_name() {
        let values = [("archive_max_entries", "10"), ("archive_max_bytes", "64K")];
        let lookup = |key: &str| values.iter().find(|(k, _)| *k == key).map(|(_, v)| *v);
        let limits = ExtractLimits::default().with_settings(lookup).unwrap();
        assert_eq!(limits.max_entries, 10);
        assert_eq!(limits.max_total_bytes, 64 << 10);
        assert_eq!(
            limits.max_entry_bytes,
            ExtractLimits::default().max_entry_bytes
        );
        for (text, value) in [
            ("0", Some(0)),
            ("2T", Some(2 << 40)),
            ("3m", Some(3 << 20)),
            ("unlimited", Some(u64::MAX)),
            ("", None),
            ("K", None),
            ("-1", None),
            ("1.5G", None),
            ("99999999999T", None),
        ] {
            assert_eq!(parse_limit(text), value, "{text:?}");
        }
        let bad = ExtractLimits::default().with_settings(|_| Some("lots"));
        assert_eq!(bad.unwrap_err().key, KEY_MAX_BYTES);
    }
}
