//! Dump then load real directory trees through real gzip, zstd and plain tar streams.

mod archive_support;

use std::fs;

use archive_support::*;
use pimlico_core::archive::{
    ArchiveError, Compression, CompressionKind, DumpOptions, ExtractOptions, Installed, Staging,
    dump_file_name, dump_module_to_dir, extract_into_staging, install, read_metadata,
    read_metadata_file, write_dump,
};

async fn round_trip(compression: Compression) {
    let src = tempfile::tempdir().unwrap();
    let module_dir = src.path().join("m");
    nasty_module(&module_dir);
    let options = DumpOptions {
        compression,
        ..DumpOptions::default()
    };
    let archive = dump_to_vec(&module_dir, "m", &options).await;
    assert_eq!(read_metadata(&archive[..]).await.unwrap(), meta("m"));

    let dst = tempfile::tempdir().unwrap();
    let variant_root = dst.path().join("store/runp/main");
    let staging = Staging::new(&variant_root);
    let staged = extract_into_staging(&staging, &archive[..], &ExtractOptions::default())
        .await
        .unwrap();
    assert_eq!(staged.metadata, meta("m"));
    assert_eq!(data_manifest(&staged.dir), manifest(&module_dir));
    let target = variant_root.join("m");
    assert_eq!(
        install(staged, &target, false).await.unwrap(),
        Installed::Created
    );
    assert_eq!(manifest(&target), manifest(&module_dir));
    // The slot is gone once installed.
    assert_eq!(fs::read_dir(staging.root()).unwrap().count(), 0);
}

#[tokio::test]
async fn gzip_round_trip_keeps_names_contents_modes_and_mtimes() {
    round_trip(Compression::default()).await;
}

#[tokio::test]
async fn zstd_round_trip() {
    round_trip(Compression::Zstd { level: 3 }).await;
}

#[tokio::test]
async fn plain_tar_round_trip() {
    round_trip(Compression::None).await;
}

#[tokio::test]
async fn single_threaded_gzip_at_level_9_round_trip() {
    let src = tempfile::tempdir().unwrap();
    nasty_module(src.path());
    let options = DumpOptions {
        compression: Compression::Gzip { level: 9 },
        threads: 1,
        ..DumpOptions::default()
    };
    let archive = dump_to_vec(src.path(), "m", &options).await;
    let dst = tempfile::tempdir().unwrap();
    let staged = extract_into_staging(
        &Staging::new(dst.path()),
        &archive[..],
        &ExtractOptions::default(),
    )
    .await
    .unwrap();
    assert_eq!(manifest(&staged.dir), manifest(src.path()));
}

#[tokio::test]
async fn lock_files_and_engine_files_are_never_dumped() {
    let src = tempfile::tempdir().unwrap();
    write_file(&src.path().join("metadata"), b"{}", 0o644, 1_600_000_000);
    write_file(
        &src.path().join(".execution_lock"),
        b"locked",
        0o644,
        1_600_000_000,
    );
    write_file(
        &src.path().join(".pimlico-manifest"),
        b"ours",
        0o644,
        1_600_000_000,
    );
    write_file(
        &src.path().join("out/.pimlico-writing"),
        b"ours",
        0o644,
        1_600_000_000,
    );
    let archive = dump_to_vec(src.path(), "m", &DumpOptions::default()).await;
    let dst = tempfile::tempdir().unwrap();
    let staged = extract_into_staging(
        &Staging::new(dst.path()),
        &archive[..],
        &ExtractOptions::default(),
    )
    .await
    .unwrap();
    let names: Vec<String> = manifest(&staged.dir).into_keys().collect();
    assert_eq!(names, ["", "metadata", "out"]);
    assert_eq!(staged.summary.skipped, Vec::<String>::new());
}

#[tokio::test]
async fn a_selection_dumps_only_those_files_and_their_parents() {
    let src = tempfile::tempdir().unwrap();
    nasty_module(src.path());
    let options = DumpOptions {
        only: Some(vec![
            "corpus/data/archive-0.prc".into(),
            "empty dir/".into(),
            "metadata".into(),
        ]),
        ..DumpOptions::default()
    };
    let archive = dump_to_vec(src.path(), "m", &options).await;
    let dst = tempfile::tempdir().unwrap();
    let staged = extract_into_staging(
        &Staging::new(dst.path()),
        &archive[..],
        &ExtractOptions::default(),
    )
    .await
    .unwrap();
    let got = manifest(&staged.dir);
    let full = manifest(src.path());
    let names: Vec<&str> = got.keys().map(String::as_str).collect();
    assert_eq!(
        names,
        [
            "",
            "corpus",
            "corpus/data",
            "corpus/data/archive-0.prc",
            "empty dir",
            "metadata"
        ]
    );
    for (rel, entry) in &got {
        assert_eq!(Some(entry), full.get(rel), "{rel}");
    }

    for bad in ["nope", "../x", "corpus/../metadata", ".execution_lock"] {
        let mut out = Vec::new();
        let options = DumpOptions {
            only: Some(vec![bad.into()]),
            ..DumpOptions::default()
        };
        let err = write_dump(src.path(), &meta("m"), &options, &mut out)
            .await
            .unwrap_err();
        assert!(
            matches!(err, ArchiveError::CannotDump { .. }),
            "{bad}: {err}"
        );
    }
}

#[tokio::test]
async fn symlinks_in_a_module_fail_the_dump_loudly() {
    let src = tempfile::tempdir().unwrap();
    write_file(&src.path().join("a"), b"a", 0o644, 1_600_000_000);
    std::os::unix::fs::symlink("/etc/passwd", src.path().join("link")).unwrap();
    let mut out = Vec::new();
    let err = write_dump(src.path(), &meta("m"), &DumpOptions::default(), &mut out)
        .await
        .unwrap_err();
    assert!(err.to_string().contains("symbolic link"), "{err}");
    assert!(err.to_string().contains("link"), "{err}");
}

#[tokio::test]
async fn dump_files_are_named_after_the_module_verbatim_and_written_atomically() {
    let src = tempfile::tempdir().unwrap();
    nasty_module(src.path());
    let out_dir = tempfile::tempdir().unwrap();
    let output = out_dir.path().join("not/yet/there");
    let name = "sub[size=1~offset=3]:a.b";
    for kind in [
        CompressionKind::Gzip,
        CompressionKind::Zstd,
        CompressionKind::None,
    ] {
        let options = DumpOptions {
            compression: Compression::default_for(kind),
            ..DumpOptions::default()
        };
        let (path, summary) = dump_module_to_dir(src.path(), &output, &meta(name), &options)
            .await
            .unwrap();
        assert_eq!(path, output.join(format!("{name}.{}", kind.extension())));
        assert_eq!(read_metadata_file(&path).await.unwrap(), meta(name));
        assert_eq!(summary.archive_bytes, fs::metadata(&path).unwrap().len());
        assert!(
            summary.files >= 10 && summary.data_bytes > 300_000,
            "{summary:?}"
        );
    }
    // Only the three dumps: no temporary files left behind.
    assert_eq!(fs::read_dir(&output).unwrap().count(), 3);
    assert!(dump_file_name("a/b", CompressionKind::Gzip).is_err());
    let err = dump_module_to_dir(src.path(), &output, &meta("a/b"), &DumpOptions::default())
        .await
        .unwrap_err();
    assert!(
        matches!(err, ArchiveError::InvalidModuleName { .. }),
        "{err}"
    );
}

#[tokio::test]
async fn compression_is_detected_by_content_not_by_name() {
    let src = tempfile::tempdir().unwrap();
    write_file(&src.path().join("a"), b"hello", 0o644, 1_600_000_000);
    let out = tempfile::tempdir().unwrap();
    let options = DumpOptions {
        compression: Compression::Zstd { level: 3 },
        ..DumpOptions::default()
    };
    let (path, _) = dump_module_to_dir(src.path(), out.path(), &meta("m"), &options)
        .await
        .unwrap();
    let misnamed = out.path().join("m.tar.gz");
    fs::rename(&path, &misnamed).unwrap();
    let staged = extract_into_staging(
        &Staging::new(out.path().join("v")),
        tokio::fs::File::open(&misnamed).await.unwrap(),
        &ExtractOptions::default(),
    )
    .await
    .unwrap();
    assert_eq!(fs::read(staged.dir.join("a")).unwrap(), b"hello");
}

#[tokio::test]
async fn metadata_member_is_first_with_python_tarinfo_defaults() {
    let src = tempfile::tempdir().unwrap();
    write_file(&src.path().join("a"), b"hello", 0o644, 1_600_000_000);
    let archive = dump_to_vec(
        src.path(),
        "m",
        &DumpOptions {
            compression: Compression::None,
            ..DumpOptions::default()
        },
    )
    .await;
    let json = meta("m").to_json();
    assert_eq!(&archive[..18], b"dump_metadata.json");
    assert_eq!(&archive[100..107], b"0000644");
    assert_eq!(&archive[512..512 + json.len()], json.as_bytes());
    assert_eq!(archive.len() % 10240, 0, "not padded to a 10 KiB record");
    // The module directory comes next, with a trailing slash.
    let second = 512 + json.len().div_ceil(512) * 512;
    assert_eq!(&archive[second..second + 3], b"m/\0");
}
