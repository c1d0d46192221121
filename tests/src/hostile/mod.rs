//! The one table of hostile and broken archives. Every entry point that reads a dump (the archive
//! layer itself, `pimlico load`, a daemon's upload and a daemon's pull) is tested against every
//! case, and `docs/reliability.md` counts them: keep its numbers in step with [`cases`].
//!
//! Each case is real bytes, mostly built header by header ([`crate::tar_bytes`]) because no tar
//! library writes these shapes, and the substrings its error message must contain.

use std::path::Path;

use crate::tar_bytes::*;

mod entries;
mod streams;

use entries::{escapes, header_tricks, types};
use streams::{bombs, structure, truncations};

/// The limits the entry points are configured with while the table runs (local config keys and
/// values); the bomb cases go beyond them. Real defaults are far higher.
pub const TEST_LIMITS: [(&str, &str); 3] = [
    ("archive_max_bytes", "4M"),
    ("archive_max_file_bytes", "1M"),
    ("archive_max_entries", "200"),
];

/// [`TEST_LIMITS`] as local config lines.
pub fn test_limits_config() -> String {
    TEST_LIMITS
        .iter()
        .map(|(k, v)| format!("{k}={v}\n"))
        .collect()
}

/// What the archives are made for: the module they claim to hold, and a directory outside the
/// store that the escaping cases aim at by absolute path.
#[derive(Debug, Clone, Copy)]
pub struct Target<'a> {
    /// Pipeline name written in `dump_metadata.json`.
    pub pipeline: &'a str,
    /// Variant written in `dump_metadata.json`.
    pub variant: &'a str,
    /// Module name written in `dump_metadata.json` and used as the top directory.
    pub module: &'a str,
    /// An absolute directory outside the store holding a file `victim`.
    pub outside: &'a Path,
}

/// One hostile archive.
#[derive(Debug, Clone)]
pub struct Case {
    /// Short unique name.
    pub name: &'static str,
    /// The category it belongs to.
    pub category: &'static str,
    /// The archive's bytes.
    pub archive: Vec<u8>,
    /// Substrings the error message must contain.
    pub expect: Vec<String>,
    /// Refused by the entry points' check of the pipeline name, above the archive layer (which
    /// extracts any pipeline's dump).
    pub above_archive_layer: bool,
}

/// A valid dump of `t.module`: `a.txt`, `sub/b.bin` (100 KB) and directories. The entry points
/// accept it (so a test's refusals come from the hostility, not from the set-up).
pub fn valid_archive(t: &Target<'_>) -> Vec<u8> {
    concat(&[
        metadata(t.pipeline, t.variant, t.module),
        valid_members(t),
        end(),
    ])
}

/// The contents [`valid_archive`] installs, relative to the module directory.
pub fn valid_contents() -> Vec<(&'static str, Vec<u8>)> {
    vec![
        ("a.txt", b"new data\n".to_vec()),
        ("sub/b.bin", pseudo_random(100_000, 11)),
    ]
}

pub(crate) fn valid_members(t: &Target<'_>) -> Vec<u8> {
    let m = t.module;
    concat(&[
        dir(&format!("{m}/")),
        file(&format!("{m}/a.txt"), b"new data\n"),
        dir(&format!("{m}/sub/")),
        file(&format!("{m}/sub/b.bin"), &pseudo_random(100_000, 11)),
    ])
}

/// Deterministic bytes that do not compress.
pub fn pseudo_random(len: usize, seed: u64) -> Vec<u8> {
    let mut state = seed
        .wrapping_mul(6364136223846793005)
        .wrapping_add(1442695040888963407);
    (0..len)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state >> 24) as u8
        })
        .collect()
}

fn s(parts: &[&str]) -> Vec<String> {
    parts.iter().map(|p| p.to_string()).collect()
}

/// Every hostile archive for `t`.
pub fn cases(t: &Target<'_>) -> Vec<Case> {
    let mut out = Vec::new();
    out.extend(escapes(t));
    out.extend(types(t));
    out.extend(header_tricks(t));
    out.extend(structure(t));
    out.extend(truncations(t));
    out.extend(bombs(t));
    let mut names: Vec<_> = out.iter().map(|c| c.name).collect();
    names.sort_unstable();
    names.dedup();
    assert_eq!(names.len(), out.len(), "case names are unique");
    out
}

/// metadata for `t`, the members, the end blocks.
pub(crate) fn dump(t: &Target<'_>, members: &[Vec<u8>]) -> Vec<u8> {
    let mut out = metadata(t.pipeline, t.variant, t.module);
    for m in members {
        out.extend_from_slice(m);
    }
    out.extend(end());
    out
}

pub(crate) fn case(
    name: &'static str,
    category: &'static str,
    archive: Vec<u8>,
    expect: &[&str],
) -> Case {
    Case {
        name,
        category,
        archive,
        expect: s(expect),
        above_archive_layer: false,
    }
}
