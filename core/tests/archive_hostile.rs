//! Hostile and broken archives, built from raw tar headers. Each must be refused with a message
//! naming the entry, with the existing module untouched and nothing written anywhere (the
//! sandbox, including a file outside the store that an escape would hit, is compared before and
//! after, and the staging area must be empty again).

mod archive_support;

use archive_support::*;
use pimlico_core::archive::{
    Compression, DumpOptions, ExtractLimits, ExtractOptions, extract_into_staging,
};

fn opts() -> ExtractOptions {
    ExtractOptions::default()
}

async fn rejected(archive: Vec<u8>) -> String {
    Sandbox::new().expect_rejected(archive, &opts()).await
}

fn assert_mentions(message: &str, parts: &[&str]) {
    for part in parts {
        assert!(message.contains(part), "{part:?} not in: {message}");
    }
}

#[tokio::test]
async fn dot_dot_and_absolute_paths() {
    let msg = rejected(tar(&[file("m/../../outside/victim", b"pwned")])).await;
    assert_mentions(&msg, &["m/../../outside/victim", "'..'"]);
    let msg = rejected(tar(&[file("/tmp/pimlico-absolute", b"pwned")])).await;
    assert_mentions(&msg, &["/tmp/pimlico-absolute", "absolute"]);
    let msg = rejected(tar(&[dir("m/"), file("m/a/./b", b"x")])).await;
    assert_mentions(&msg, &["m/a/./b"]);
    let msg = rejected(tar(&[file("m//a", b"x")])).await;
    assert_mentions(&msg, &["m//a", "empty path component"]);
}

#[tokio::test]
async fn symlink_then_a_file_written_through_it() {
    let msg = rejected(tar(&[
        dir("m/"),
        raw_member(b"m/link", b'2', b"", b"../../../outside"),
        file("m/link/victim", b"pwned"),
    ]))
    .await;
    assert_mentions(&msg, &["m/link", "symbolic link", "../../../outside"]);
}

#[tokio::test]
async fn hard_link_out_of_the_module() {
    let msg = rejected(tar(&[raw_member(
        b"m/hl",
        b'1',
        b"",
        b"../../outside/victim",
    )]))
    .await;
    assert_mentions(&msg, &["m/hl", "hard link"]);
}

#[tokio::test]
async fn devices_and_fifos() {
    let msg = rejected(tar(&[member("m/dev", b'3', b"")])).await;
    assert_mentions(&msg, &["m/dev", "device"]);
    let msg = rejected(tar(&[member("m/blk", b'4', b"")])).await;
    assert_mentions(&msg, &["m/blk", "device"]);
    let msg = rejected(tar(&[member("m/fifo", b'6', b"")])).await;
    assert_mentions(&msg, &["m/fifo", "FIFO"]);
}

#[tokio::test]
async fn other_member_types() {
    let msg = rejected(tar(&[gnu_member(b"m/sparse", b'S', b"")])).await;
    assert_mentions(&msg, &["m/sparse", "sparse"]);
    let msg = rejected(tar(&[member("pax_global_header", b'g', b"11 a=bcdef\n")])).await;
    assert_mentions(&msg, &["pax_global_header", "global PAX"]);
    let msg = rejected(tar(&[member("m/d/", b'5', b"data")])).await;
    assert_mentions(&msg, &["m/d/", "directory entry carries"]);
    let msg = rejected(tar(&[member("m/z", b'Z', b"")])).await;
    assert_mentions(&msg, &["m/z", "entry type 'Z'"]);
}

#[tokio::test]
async fn pax_size_that_disagrees_with_the_header_cve_2025_62518() {
    // The header says 0 bytes; a PAX record says 1536, which hides a smuggled member from
    // readers that trust the header.
    let smuggled = file("m/../../outside/victim", b"pwned");
    let mut data = smuggled.clone();
    data.resize(1536, 0);
    let mut evil = header(b"m/innocent", b'0', 0, b"");
    evil.extend_from_slice(&data);
    let msg = rejected(tar(&[pax(&[("size", b"1536")]), evil])).await;
    assert_mentions(
        &msg,
        &[
            "m/innocent",
            "PAX size (1536 bytes)",
            "header size (0 bytes)",
        ],
    );

    // The reverse: PAX says 0, the header says 1536.
    let mut evil = header(b"m/innocent", b'0', 1536, b"");
    evil.extend_from_slice(&data);
    let msg = rejected(tar(&[pax(&[("size", b"0")]), evil])).await;
    assert_mentions(&msg, &["m/innocent", "PAX size (0 bytes)"]);
}

#[tokio::test]
async fn pax_path_tricks() {
    let mut smuggle = pax(&[("path", b"m/../../outside/victim")]);
    smuggle.extend(file("m/innocent", b"pwned"));
    let msg = rejected(tar(&[smuggle])).await;
    assert_mentions(&msg, &["m/../../outside/victim"]);

    let mut nul = pax(&[("path", b"m/a\0b")]);
    nul.extend(file("m/innocent", b"x"));
    let msg = rejected(tar(&[nul])).await;
    assert_mentions(&msg, &["NUL"]);

    // Extension headers are bounded: 2 MiB of PAX records before one member.
    let mut huge = pax(&[("comment", &vec![b'a'; 2 << 20])]);
    huge.extend(file("m/innocent", b"x"));
    let msg = rejected(tar(&[dir("m/"), huge])).await;
    assert_mentions(&msg, &["after \"m/\"", "extension headers"]);
}

#[tokio::test]
async fn gnu_long_name_tricks() {
    // The long name, not the innocent short one, is the real name.
    let mut long =
        gnu_long_name(format!("m/{}/../../../outside/victim", "a".repeat(100)).as_bytes());
    long.extend(file("m/innocent", b"pwned"));
    let msg = rejected(tar(&[long])).await;
    assert_mentions(&msg, &["/../../../outside/victim", "'..'"]);

    // Two long names for one member.
    let mut twice = gnu_long_name(b"m/first");
    twice.extend(gnu_long_name(b"m/second"));
    twice.extend(file("m/innocent", b"x"));
    let msg = rejected(tar(&[dir("m/"), twice])).await;
    assert_mentions(&msg, &["\"m/\"", "two long name entries"]);

    // A long name that describes nothing.
    let msg = rejected(tar(&[dir("m/"), gnu_long_name(b"m/dangling")])).await;
    assert_mentions(&msg, &["\"m/\""]);
}

#[tokio::test]
async fn bad_names() {
    let msg = rejected(tar(&[raw_member(b"m/\xff\xfe", b'0', b"x", b"")])).await;
    assert_mentions(&msg, &["UTF-8"]);
    let msg = rejected(tar(&[file("m\\..\\..\\outside\\victim", b"x")])).await;
    assert_mentions(&msg, &["backslash"]);
    let msg = rejected(tar(&[file("m/file/", b"x")])).await;
    assert_mentions(&msg, &["m/file/", "ends with '/'"]);
}

#[tokio::test]
async fn duplicates() {
    let msg = rejected(tar(&[file("m/a", b"1"), file("m/a", b"2")])).await;
    assert_mentions(&msg, &["m/a", "duplicate"]);
    let msg = rejected(tar(&[dir("m/"), dir("m/")])).await;
    assert_mentions(&msg, &["m/", "duplicate"]);
    let msg = rejected(tar(&[file("m/a", b"1"), dir("m/a/")])).await;
    assert_mentions(&msg, &["m/a/", "duplicate"]);
    let msg = rejected(tar(&[file("m/a", b"1"), file("m/a/b", b"2")])).await;
    assert_mentions(&msg, &["m/a/b", "regular file"]);
}

#[tokio::test]
async fn entries_outside_the_module_and_wrong_module_names() {
    let msg = rejected(tar(&[dir("m/"), file("other/x", b"x")])).await;
    assert_mentions(&msg, &["other/x", "outside the module directory 'm/'"]);
    // Every entry under another module's name than the metadata's.
    let msg = rejected(tar(&[dir("n/"), file("n/x", b"x")])).await;
    assert_mentions(&msg, &["n/", "outside the module directory 'm/'"]);
    let msg = rejected(tar(&[file("mm/x", b"x")])).await;
    assert_mentions(&msg, &["mm/x"]);

    // A well-formed dump of the wrong module when the caller knows which one it wants.
    let sandbox = Sandbox::new();
    let options = ExtractOptions {
        expected_module: Some("other".into()),
        ..opts()
    };
    let msg = sandbox.expect_rejected(tar(&[dir("m/")]), &options).await;
    assert_mentions(&msg, &["'m'", "'other'"]);
}

#[tokio::test]
async fn missing_or_malformed_metadata() {
    let mut no_meta = dir("m/");
    no_meta.extend(end());
    let msg = rejected(no_meta).await;
    assert_mentions(
        &msg,
        &["dump_metadata.json must be the first member", "\"m/\""],
    );

    let msg = rejected(end()).await;
    assert_mentions(&msg, &["no members"]);

    let mut bad_json = file("dump_metadata.json", b"{not json");
    bad_json.extend(end());
    let msg = rejected(bad_json).await;
    assert_mentions(&msg, &["dump_metadata.json is malformed"]);

    let mut bad_module = file(
        "dump_metadata.json",
        br#"{"pipeline_name": "p", "module_name": "../x"}"#,
    );
    bad_module.extend(end());
    let msg = rejected(bad_module).await;
    assert_mentions(&msg, &["\"../x\""]);

    let mut meta_dir = dir("dump_metadata.json/");
    meta_dir.extend(end());
    let msg = rejected(meta_dir).await;
    assert_mentions(&msg, &["dump_metadata.json"]);
}

#[tokio::test]
async fn not_an_archive() {
    assert_mentions(&rejected(Vec::new()).await, &["empty"]);
    assert_mentions(&rejected(b"BZh91AY&SY".to_vec()).await, &["bzip2"]);
    let msg = rejected(pseudo_random(4096, 3)).await;
    assert_mentions(&msg, &["first member", "is this a tar archive"]);
}

/// A real dump of a small module, for truncation tests.
async fn real_dump(compression: Compression) -> Vec<u8> {
    let src = tempfile::tempdir().unwrap();
    write_file(
        &src.path().join("a"),
        &pseudo_random(50_000, 1),
        0o644,
        1_600_000_000,
    );
    write_file(
        &src.path().join("b"),
        &pseudo_random(50_000, 2),
        0o644,
        1_600_000_000,
    );
    let options = DumpOptions {
        compression,
        ..DumpOptions::default()
    };
    // The module is named "m" like the sandbox's, so a successful load would replace it.
    dump_to_vec(src.path(), "m", &options).await
}

#[tokio::test]
async fn truncated_gzip_streams() {
    let whole = real_dump(Compression::default()).await;
    // Without the trailer (CRC and size), in the middle, and with a corrupted CRC.
    for cut in [4, 8, whole.len() / 2] {
        let msg = rejected(whole[..whole.len() - cut].to_vec()).await;
        assert_mentions(&msg, &["truncated"]);
    }
    let mut bad_crc = whole.clone();
    let n = bad_crc.len();
    bad_crc[n - 8] ^= 0xff;
    assert_mentions(&rejected(bad_crc).await, &["CRC"]);
    let mut garbage = whole.clone();
    garbage.extend_from_slice(b"garbage after the gzip stream");
    assert_mentions(&rejected(garbage).await, &["corrupt"]);
}

#[tokio::test]
async fn truncated_zstd_streams() {
    let whole = real_dump(Compression::Zstd { level: 3 }).await;
    for cut in [1, 4, whole.len() / 2] {
        let msg = rejected(whole[..whole.len() - cut].to_vec()).await;
        assert_mentions(&msg, &["truncated"]);
    }
}

#[tokio::test]
async fn truncated_plain_tars() {
    let whole = real_dump(Compression::None).await;
    // Find where the data of the last file ends: everything after is end blocks and padding.
    let data_end = whole.iter().rposition(|&b| b != 0).unwrap().div_ceil(512) * 512;
    let msg = rejected(whole[..data_end].to_vec()).await;
    assert_mentions(&msg, &["m/b", "end-of-archive marker"]);
    let msg = rejected(whole[..data_end + 512].to_vec()).await;
    assert_mentions(&msg, &["only one of the two end-of-archive blocks"]);
    let msg = rejected(whole[..data_end - 5000].to_vec()).await;
    assert_mentions(&msg, &["m/b", "truncated"]);
    let mut trailing = whole.clone();
    trailing.extend_from_slice(b"smuggled");
    assert_mentions(
        &rejected(trailing).await,
        &["after the end of the tar archive"],
    );
    // The same archive, whole, loads: the cuts above are what made it fail.
    let sandbox = Sandbox::new();
    extract_into_staging(&sandbox.staging(), &whole[..], &opts())
        .await
        .unwrap();
}

#[tokio::test]
async fn decompression_bombs_hit_the_limits() {
    let many: Vec<Vec<u8>> = (0..5).map(|i| file(&format!("m/f{i}"), b"x")).collect();
    let sandbox = Sandbox::new();
    let few_entries = ExtractOptions {
        limits: ExtractLimits {
            max_entries: 3,
            ..ExtractLimits::default()
        },
        ..opts()
    };
    let msg = sandbox
        .expect_rejected(gzip(&tar(&many)), &few_entries)
        .await;
    assert_mentions(&msg, &["m/f3", "more than 3 entries"]);

    let zeros = vec![0u8; 600];
    let big: Vec<Vec<u8>> = (0..3).map(|i| file(&format!("m/z{i}"), &zeros)).collect();
    let small_total = ExtractOptions {
        limits: ExtractLimits {
            max_total_bytes: 1000,
            ..ExtractLimits::default()
        },
        ..opts()
    };
    let msg = sandbox
        .expect_rejected(zstd(&tar(&big)), &small_total)
        .await;
    assert_mentions(&msg, &["m/z1", "more than 1000 bytes"]);

    let small_entry = ExtractOptions {
        limits: ExtractLimits {
            max_entry_bytes: 599,
            ..ExtractLimits::default()
        },
        ..opts()
    };
    let msg = sandbox.expect_rejected(tar(&big), &small_entry).await;
    assert_mentions(&msg, &["m/z0", "600 bytes"]);
}
