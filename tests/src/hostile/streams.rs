//! Hostile structure and streams: duplicates, entries outside the module, wrong or missing
//! metadata, truncated and corrupt streams, and decompression bombs.

use super::{Case, Target, case, dump, pseudo_random, valid_archive, valid_members};
use crate::tar_bytes::*;

pub(super) fn structure(t: &Target<'_>) -> Vec<Case> {
    let m = t.module;
    let wrong_module = "ghost-module";
    let other_meta = metadata(t.pipeline, t.variant, wrong_module);
    let wrong_pipeline = metadata("elsewhere-pipeline", t.variant, m);
    let bad_json = file("dump_metadata.json", b"{not json");
    let meta_escape = metadata(t.pipeline, t.variant, "../escape");
    // A file of the valid archive (so a receiver checking a manifest accepts it), then again.
    let same_file = file(&format!("{m}/a.txt"), b"new data\n");
    vec![
        case(
            "duplicate-file",
            "duplicates",
            dump(t, &[same_file.clone(), same_file.clone()]),
            &["duplicate"],
        ),
        case(
            "file-then-dir",
            "duplicates",
            dump(t, &[same_file.clone(), dir(&format!("{m}/a.txt/"))]),
            &["duplicate"],
        ),
        case(
            "file-as-parent",
            "duplicates",
            dump(t, &[same_file, file(&format!("{m}/a.txt/b"), b"2")]),
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

pub(super) fn truncations(t: &Target<'_>) -> Vec<Case> {
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

pub(super) fn bombs(t: &Target<'_>) -> Vec<Case> {
    let m = t.module;
    // 300 directories: over archive_max_entries (200).
    let mut many = vec![dir(&format!("{m}/"))];
    many.extend((0..300).map(|i| dir(&format!("{m}/d{i:03}/"))));
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
