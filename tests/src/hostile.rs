//! The one table of hostile and broken archives. Every entry point that reads a dump (the archive
//! layer itself, `pimlico load`, a daemon's upload and a daemon's pull) is tested against every
//! case, and `docs/reliability.md` counts them: keep its numbers in step with [`cases`].
//!
//! Each case is real bytes, mostly built header by header ([`crate::tar_bytes`]) because no tar
//! library writes these shapes, and the substrings its error message must contain.

use std::path::Path;

use crate::tar_bytes::*;

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

fn valid_members(t: &Target<'_>) -> Vec<u8> {
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
fn dump(t: &Target<'_>, members: &[Vec<u8>]) -> Vec<u8> {
    let mut out = metadata(t.pipeline, t.variant, t.module);
    for m in members {
        out.extend_from_slice(m);
    }
    out.extend(end());
    out
}

fn case(name: &'static str, category: &'static str, archive: Vec<u8>, expect: &[&str]) -> Case {
    Case {
        name,
        category,
        archive,
        expect: s(expect),
        above_archive_layer: false,
    }
}

fn escapes(t: &Target<'_>) -> Vec<Case> {
    let m = t.module;
    let victim = t.outside.join("victim").display().to_string();
    let outside = t.outside.display().to_string();
    let up = format!("{m}/../../../../../../../../victim");
    vec![
        case(
            "dot-dot",
            "paths",
            dump(t, &[dir(&format!("{m}/")), file(&up, b"pwned")]),
            &[&up, "'..'"],
        ),
        Case {
            name: "absolute",
            category: "paths",
            archive: dump(t, &[file(&victim, b"pwned")]),
            expect: vec![victim.clone(), "absolute".into()],
            above_archive_layer: false,
        },
        case(
            "dot-dot-after-module",
            "paths",
            dump(t, &[file(&format!("{m}/sub/../../x"), b"pwned")]),
            &["'..'"],
        ),
        case(
            "symlink-then-file-through-it",
            "links",
            dump(
                t,
                &[
                    dir(&format!("{m}/")),
                    special(&format!("{m}/link"), b'2', &outside),
                    file(&format!("{m}/link/victim"), b"pwned"),
                ],
            ),
            &["link", "symbolic link"],
        ),
        case(
            "relative-symlink",
            "links",
            dump(t, &[special(&format!("{m}/up"), b'2', "../../../../../..")]),
            &["up", "symbolic link"],
        ),
        case(
            "hard-link-out",
            "links",
            dump(t, &[special(&format!("{m}/hl"), b'1', &victim)]),
            &["hl", "hard link"],
        ),
        case(
            "hard-link-relative",
            "links",
            dump(t, &[special(&format!("{m}/hl2"), b'1', "../../../victim")]),
            &["hl2", "hard link"],
        ),
        case(
            "gnu-long-link-target",
            "links",
            dump(
                t,
                &[concat(&[
                    gnu_long_link(format!("{outside}/{}", "x".repeat(120)).as_bytes()),
                    special(&format!("{m}/longlink"), b'2', "short"),
                ])],
            ),
            &["longlink", "symbolic link"],
        ),
        case(
            "backslash",
            "paths",
            dump(t, &[file(&format!("{m}\\..\\..\\victim"), b"x")]),
            &["backslash"],
        ),
        case(
            "empty-component",
            "paths",
            dump(t, &[file(&format!("{m}//a"), b"x")]),
            &["empty path component"],
        ),
        case(
            "not-utf8",
            "paths",
            dump(
                t,
                &[raw_member(
                    &[m.as_bytes(), b"/\xff\xfe"].concat(),
                    b'0',
                    b"x",
                    b"",
                )],
            ),
            &["UTF-8"],
        ),
    ]
}

fn types(t: &Target<'_>) -> Vec<Case> {
    let m = t.module;
    vec![
        case(
            "char-device",
            "devices",
            dump(t, &[special(&format!("{m}/tty"), b'3', "")]),
            &["tty", "device"],
        ),
        case(
            "block-device",
            "devices",
            dump(t, &[special(&format!("{m}/sda"), b'4', "")]),
            &["sda", "device"],
        ),
        case(
            "fifo",
            "devices",
            dump(t, &[special(&format!("{m}/pipe"), b'6', "")]),
            &["pipe", "FIFO"],
        ),
        case(
            "gnu-sparse",
            "types",
            dump(
                t,
                &[gnu_member(format!("{m}/sparse").as_bytes(), b'S', b"")],
            ),
            &["sparse"],
        ),
        case(
            "global-pax",
            "types",
            dump(
                t,
                &[raw_member(b"pax_global_header", b'g', b"11 a=bcdef\n", b"")],
            ),
            &["global PAX"],
        ),
        case(
            "unknown-type",
            "types",
            dump(t, &[special(&format!("{m}/z"), b'Z', "")]),
            &["entry type 'Z'"],
        ),
        case(
            "directory-with-data",
            "types",
            dump(
                t,
                &[raw_member(format!("{m}/d/").as_bytes(), b'5', b"data", b"")],
            ),
            &["directory entry carries"],
        ),
    ]
}

fn header_tricks(t: &Target<'_>) -> Vec<Case> {
    let m = t.module;
    let innocent = format!("{m}/innocent");
    // CVE-2025-62518: the header says 0 bytes, PAX says 1536, hiding a smuggled member from
    // readers that trust the header (and the reverse).
    let mut hidden = file(&format!("{m}/../../../victim"), b"pwned");
    hidden.resize(1536, 0);
    let pax_bigger = concat(&[
        pax(&[("size", b"1536")]),
        header(innocent.as_bytes(), b'0', 0, b""),
        hidden.clone(),
    ]);
    let pax_smaller = concat(&[
        pax(&[("size", b"0")]),
        header(innocent.as_bytes(), b'0', 1536, b""),
        hidden,
    ]);
    let pax_path = concat(&[
        pax(&[("path", format!("{m}/../../../victim").as_bytes())]),
        file(&innocent, b"pwned"),
    ]);
    let pax_nul = concat(&[
        pax(&[("path", format!("{m}/a\0b").as_bytes())]),
        file(&innocent, b"x"),
    ]);
    let pax_huge = concat(&[
        pax(&[("comment", &vec![b'a'; 2 << 20])]),
        file(&innocent, b"x"),
    ]);
    let long_up = format!("{m}/{}/../../../victim", "a".repeat(100));
    let long_name = concat(&[gnu_long_name(long_up.as_bytes()), file(&innocent, b"pwned")]);
    let two_long = concat(&[
        gnu_long_name(format!("{m}/first").as_bytes()),
        gnu_long_name(format!("{m}/second").as_bytes()),
        file(&innocent, b"x"),
    ]);
    let long_outside = concat(&[
        gnu_long_name(format!("elsewhere/{}", "b".repeat(120)).as_bytes()),
        file(&innocent, b"x"),
    ]);
    vec![
        case(
            "pax-size-desync-bigger",
            "pax-size",
            dump(t, &[pax_bigger]),
            &[&innocent, "PAX size (1536 bytes)", "header size (0 bytes)"],
        ),
        case(
            "pax-size-desync-smaller",
            "pax-size",
            dump(t, &[pax_smaller]),
            &[&innocent, "PAX size (0 bytes)"],
        ),
        case("pax-path-dot-dot", "paths", dump(t, &[pax_path]), &["'..'"]),
        case("pax-path-nul", "paths", dump(t, &[pax_nul]), &["NUL"]),
        case(
            "pax-huge-headers",
            "pax-size",
            dump(t, &[dir(&format!("{m}/")), pax_huge]),
            &["extension headers"],
        ),
        case(
            "gnu-long-name-dot-dot",
            "gnu-long-name",
            dump(t, &[long_name]),
            &["'..'"],
        ),
        case(
            "gnu-two-long-names",
            "gnu-long-name",
            dump(t, &[dir(&format!("{m}/")), two_long]),
            &["two long name entries"],
        ),
        case(
            "gnu-long-name-outside",
            "gnu-long-name",
            dump(t, &[long_outside]),
            &["elsewhere/bbbb", "outside the module directory"],
        ),
        case(
            "gnu-dangling-long-name",
            "gnu-long-name",
            dump(
                t,
                &[
                    dir(&format!("{m}/")),
                    gnu_long_name(format!("{m}/dangling").as_bytes()),
                ],
            ),
            &[&format!("after \"{m}/\"")],
        ),
    ]
}

fn structure(t: &Target<'_>) -> Vec<Case> {
    let m = t.module;
    let wrong_module = "ghost-module";
    let other_meta = metadata(t.pipeline, t.variant, wrong_module);
    let wrong_pipeline = metadata("elsewhere-pipeline", t.variant, m);
    let bad_json = file("dump_metadata.json", b"{not json");
    let meta_escape = metadata(t.pipeline, t.variant, "../escape");
    vec![
        case(
            "duplicate-file",
            "duplicates",
            dump(
                t,
                &[file(&format!("{m}/a"), b"1"), file(&format!("{m}/a"), b"2")],
            ),
            &["duplicate"],
        ),
        case(
            "file-then-dir",
            "duplicates",
            dump(t, &[file(&format!("{m}/a"), b"1"), dir(&format!("{m}/a/"))]),
            &["duplicate"],
        ),
        case(
            "file-as-parent",
            "duplicates",
            dump(
                t,
                &[
                    file(&format!("{m}/a"), b"1"),
                    file(&format!("{m}/a/b"), b"2"),
                ],
            ),
            &["regular file"],
        ),
        case(
            "duplicate-metadata",
            "duplicates",
            dump(t, &[metadata(t.pipeline, t.variant, m)]),
            &["dump_metadata.json", "outside the module directory"],
        ),
        case(
            "entry-outside-module",
            "outside-module",
            dump(t, &[dir(&format!("{m}/")), file("other-module/x", b"x")]),
            &["other-module/x", "outside the module directory"],
        ),
        case(
            "module-name-prefix",
            "outside-module",
            dump(t, &[file(&format!("{m}extra/x"), b"x")]),
            &[&format!("{m}extra/x")],
        ),
        case(
            "wrong-module-name",
            "wrong-module",
            concat(&[other_meta, dir(&format!("{wrong_module}/")), end()]),
            &[wrong_module],
        ),
        Case {
            above_archive_layer: true,
            ..case(
                "wrong-pipeline-name",
                "wrong-module",
                concat(&[wrong_pipeline, valid_members(t), end()]),
                &["elsewhere-pipeline"],
            )
        },
        case(
            "metadata-module-escapes",
            "wrong-module",
            concat(&[meta_escape, end()]),
            &["../escape"],
        ),
        case(
            "missing-metadata",
            "metadata",
            concat(&[valid_members(t), end()]),
            &["dump_metadata.json must be the first member"],
        ),
        case(
            "malformed-metadata",
            "metadata",
            concat(&[bad_json, valid_members(t), end()]),
            &["dump_metadata.json is malformed"],
        ),
        case(
            "metadata-is-a-directory",
            "metadata",
            concat(&[dir("dump_metadata.json/"), end()]),
            &["dump_metadata.json"],
        ),
        case("empty-stream", "metadata", Vec::new(), &["empty"]),
        case(
            "bzip2",
            "metadata",
            b"BZh91AY&SY\x00\x00\x00\x00".to_vec(),
            &["bzip2"],
        ),
        case(
            "random-bytes",
            "metadata",
            pseudo_random(4096, 3),
            &["first member"],
        ),
    ]
}

fn truncations(t: &Target<'_>) -> Vec<Case> {
    let whole = valid_archive(t);
    // The end of the last member's data: everything after is the two end blocks.
    let data_end = whole.len() - 2 * BLOCK;
    let gz = gzip(&whole);
    let zs = zstd(&whole);
    let mut bad_crc = gz.clone();
    let n = bad_crc.len();
    bad_crc[n - 8] ^= 0xff;
    let mut trailing = whole.clone();
    trailing.extend_from_slice(b"smuggled");
    vec![
        case(
            "tar-cut-in-data",
            "truncated",
            whole[..data_end - 5000].to_vec(),
            &["sub/b.bin", "truncated"],
        ),
        case(
            "tar-without-end-blocks",
            "truncated",
            whole[..data_end].to_vec(),
            &["end-of-archive marker"],
        ),
        case(
            "tar-one-end-block",
            "truncated",
            whole[..data_end + BLOCK].to_vec(),
            &["only one of the two end-of-archive blocks"],
        ),
        case(
            "gzip-cut",
            "truncated",
            gz[..gz.len() / 2].to_vec(),
            &["truncated"],
        ),
        case(
            "gzip-without-trailer",
            "truncated",
            gz[..gz.len() - 4].to_vec(),
            &["truncated"],
        ),
        case("gzip-bad-crc", "truncated", bad_crc, &["CRC"]),
        case(
            "zstd-cut",
            "truncated",
            zs[..zs.len() - 3].to_vec(),
            &["truncated"],
        ),
        case(
            "data-after-end",
            "truncated",
            trailing,
            &["after the end of the tar archive"],
        ),
    ]
}

fn bombs(t: &Target<'_>) -> Vec<Case> {
    let m = t.module;
    // 300 empty files: over archive_max_entries (200).
    let mut many = vec![dir(&format!("{m}/"))];
    many.extend((0..300).map(|i| file(&format!("{m}/f{i:03}"), b"")));
    // One file of 2 MiB of zeros: over archive_max_file_bytes (1 MiB); 2 KiB compressed.
    let big = file(&format!("{m}/zeros"), &vec![0u8; 2 << 20]);
    // Five files of 1 MiB: each within the limit, 5 MiB in all over archive_max_bytes (4 MiB).
    let five: Vec<Vec<u8>> = (0..5)
        .map(|i| file(&format!("{m}/z{i}"), &vec![0u8; 1 << 20]))
        .collect();
    // A header announcing 7 GiB with 10 bytes behind it.
    let mut liar = header(format!("{m}/liar").as_bytes(), b'0', 7 << 30, b"");
    liar.extend(padded(b"0123456789"));
    // 24 MiB of zeros after the end blocks: each block looks like more end-of-archive.
    let mut padding = valid_archive(t);
    padding.resize(padding.len() + (24 << 20), 0);
    vec![
        case(
            "bomb-many-entries",
            "bombs",
            gzip(&dump(t, &many)),
            &["more than 200 entries", "archive_max_entries"],
        ),
        case(
            "bomb-big-file",
            "bombs",
            gzip(&dump(t, &[big])),
            &["zeros", "2097152 bytes", "archive_max_file_bytes"],
        ),
        case(
            "bomb-total-size",
            "bombs",
            zstd(&dump(t, &five)),
            &["more than 4194304 bytes", "archive_max_bytes"],
        ),
        case(
            "bomb-lying-header",
            "bombs",
            dump(t, &[liar]),
            &["liar", "archive_max_file_bytes"],
        ),
        case(
            "bomb-endless-padding",
            "bombs",
            gzip(&padding),
            &["padding after the end-of-archive marker"],
        ),
    ]
}
