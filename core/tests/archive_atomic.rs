//! Atomicity: failed, cancelled and killed extractions leave the previous module data exactly as
//! it was; installs swap in one step; cleanup removes what dead processes left and keeps what
//! live ones hold.

mod archive_support;

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use archive_support::*;
use pimlico_core::archive::{
    Compression, DumpOptions, ExtractOptions, InstallError, Installed, STAGING_DIR_NAME, Staging,
    SwapMethod, cleanup_stale_staging, extract_into_staging, install, install_with,
};
use tokio::io::AsyncWriteExt;

/// A module of `files` incompressible files of `size` bytes, dumped with gzip.
async fn big_dump(files: usize, size: usize) -> (tempfile::TempDir, Vec<u8>) {
    let src = tempfile::tempdir().unwrap();
    for i in 0..files {
        write_file(
            &src.path().join(format!("corpus/data/archive-{i:03}.prc")),
            &pseudo_random(size, i as u64),
            0o644,
            1_600_000_000,
        );
    }
    let archive = dump_to_vec(src.path(), "m", &DumpOptions::default()).await;
    (src, archive)
}

fn staging_entries(variant_root: &Path) -> Vec<PathBuf> {
    match fs::read_dir(variant_root.join(STAGING_DIR_NAME)) {
        Ok(dir) => dir.map(|e| e.unwrap().path()).collect(),
        Err(_) => Vec::new(),
    }
}

#[tokio::test]
async fn an_extraction_failing_halfway_leaves_the_old_module_identical() {
    let (_src, good) = big_dump(20, 100_000).await;
    let sandbox = Sandbox::new();
    // The first half of a real dump, then garbage: many files are written before the error.
    let mut broken = good[..good.len() / 2].to_vec();
    broken.extend(pseudo_random(1000, 9));
    let msg = sandbox
        .expect_rejected(broken, &ExtractOptions::default())
        .await;
    assert!(msg.contains("corrupt"), "{msg}");

    // A plain tar of the same files with an unsafe member at the very end.
    let mut members: Vec<Vec<u8>> = (0..20)
        .map(|i| file(&format!("m/f{i}"), &pseudo_random(100_000, i)))
        .collect();
    members.push(file("m/../escape", b"x"));
    let msg = sandbox
        .expect_rejected(tar(&members), &ExtractOptions::default())
        .await;
    assert!(msg.contains("m/../escape"), "{msg}");
}

#[tokio::test]
async fn install_refuses_to_overwrite_then_replaces_in_one_swap() {
    for method in [SwapMethod::Auto, SwapMethod::Journal] {
        let (src, archive) = big_dump(3, 10_000).await;
        let sandbox = Sandbox::new();
        let target = sandbox.variant_root.join("m");
        let old = manifest(&target);
        let staged =
            extract_into_staging(&sandbox.staging(), &archive[..], &ExtractOptions::default())
                .await
                .unwrap();
        let staged = match install_with(staged, &target, false, method).await {
            Err(InstallError::TargetExists { target: t, staged }) => {
                assert_eq!(t, target);
                staged
            }
            other => panic!("expected TargetExists, got {other:?}"),
        };
        assert_eq!(
            manifest(&target),
            old,
            "target touched by a refused install"
        );
        assert_eq!(manifest(&staged.dir), manifest(src.path()));

        let outcome = install_with(*staged, &target, true, method).await.unwrap();
        assert_eq!(outcome, Installed::Replaced);
        assert_eq!(manifest(&target), manifest(src.path()));
        // The old data is deleted along with the slot.
        assert_eq!(
            staging_entries(&sandbox.variant_root),
            Vec::<PathBuf>::new()
        );
    }
}

#[tokio::test]
async fn dropping_a_staged_module_removes_it() {
    let (_src, archive) = big_dump(2, 1000).await;
    let sandbox = Sandbox::new();
    let staged = extract_into_staging(&sandbox.staging(), &archive[..], &ExtractOptions::default())
        .await
        .unwrap();
    assert_eq!(staging_entries(&sandbox.variant_root).len(), 2);
    // Held by this very process: cleanup must leave it alone.
    let report = cleanup_stale_staging(&sandbox.variant_root).await.unwrap();
    assert_eq!(report.live.len(), 1, "{report:?}");
    assert!(report.removed.is_empty(), "{report:?}");
    assert!(staged.dir.join("corpus/data").is_dir());
    drop(staged);
    assert_eq!(
        staging_entries(&sandbox.variant_root),
        Vec::<PathBuf>::new()
    );
}

#[tokio::test]
async fn a_cancelled_extraction_leaves_old_data_and_nothing_after_cleanup() {
    let (_src, archive) = big_dump(40, 100_000).await;
    let sandbox = Sandbox::new();
    let before = manifest(&sandbox.variant_root.join("m"));
    let (mut feed, reader) = tokio::io::duplex(64 * 1024);
    let (consumed_tx, consumed_rx) = tokio::sync::oneshot::channel();
    let half = archive.len() / 2;
    let feeder = tokio::spawn(async move {
        // write_all returns once the extractor has read all but the duplex buffer.
        feed.write_all(&archive[..half]).await.unwrap();
        consumed_tx.send(()).unwrap();
        feed
    });
    let staging = sandbox.staging();
    let options = ExtractOptions::default();
    tokio::select! {
        result = extract_into_staging(&staging, reader, &options) => {
            panic!("extraction finished on half an archive: {result:?}");
        }
        _ = consumed_rx => {}
    }
    let _feed = feeder.await.unwrap();
    assert_eq!(manifest(&sandbox.variant_root.join("m")), before);
    let report = cleanup_stale_staging(&sandbox.variant_root).await.unwrap();
    assert!(report.live.is_empty(), "{report:?}");
    assert_eq!(
        staging_entries(&sandbox.variant_root),
        Vec::<PathBuf>::new()
    );
    assert_eq!(manifest(&sandbox.variant_root.join("m")), before);
}

const CHILD_ENV: &str = "PIMLICO_ARCHIVE_TEST_CHILD";

/// Not a test on its own: the body of the child process of the kill test below, which re-runs
/// this test binary with `--ignored` and `CHILD_ENV` set. It extracts a dump read from stdin
/// and installs it.
#[tokio::test]
#[ignore = "run as a child process by the kill test"]
async fn child_extracts_from_stdin() {
    let variant_root = std::env::var(CHILD_ENV).expect("run only as the kill test's child");
    let staging = Staging::new(&variant_root);
    let staged = extract_into_staging(&staging, tokio::io::stdin(), &ExtractOptions::default())
        .await
        .unwrap();
    install(staged, &Path::new(&variant_root).join("m"), true)
        .await
        .unwrap();
}

#[tokio::test]
async fn a_killed_extraction_leaves_old_data_and_cleanup_removes_its_slot() {
    let (_src, archive) = big_dump(40, 200_000).await;
    let sandbox = Sandbox::new();
    let before = manifest(&sandbox.variant_root.join("m"));
    let mut child = Command::new(std::env::current_exe().unwrap())
        .args([
            "child_extracts_from_stdin",
            "--exact",
            "--ignored",
            "--test-threads",
            "1",
        ])
        .env(CHILD_ENV, &sandbox.variant_root)
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    // Blocks until the child has read all but a pipe buffer's worth: it is mid-extraction.
    stdin.write_all(&archive[..archive.len() / 2]).unwrap();

    // While the child lives, its slot is kept.
    let report = cleanup_stale_staging(&sandbox.variant_root).await.unwrap();
    assert_eq!(report.live.len(), 1, "{report:?}");
    assert!(report.removed.is_empty(), "{report:?}");
    let slot = report.live[0].clone();
    // The reader is half way; its writer thread creates what it was handed a moment later.
    pimlico_tests::wait_until("the child to write into its slot", || {
        slot.join("new/corpus/data").is_dir()
    });

    child.kill().unwrap();
    child.wait().unwrap();
    drop(stdin);
    assert_eq!(manifest(&sandbox.variant_root.join("m")), before);

    let report = cleanup_stale_staging(&sandbox.variant_root).await.unwrap();
    assert_eq!(report.removed, vec![slot], "{report:?}");
    assert!(
        report.live.is_empty() && report.restored.is_empty(),
        "{report:?}"
    );
    assert_eq!(
        staging_entries(&sandbox.variant_root),
        Vec::<PathBuf>::new()
    );
    assert_eq!(manifest(&sandbox.variant_root.join("m")), before);
}

#[tokio::test]
async fn a_child_that_is_not_killed_installs_the_module() {
    // The same child as above, fed the whole archive: shows the kill test kills real work.
    let (src, archive) = big_dump(5, 10_000).await;
    let sandbox = Sandbox::new();
    let mut child = Command::new(std::env::current_exe().unwrap())
        .args([
            "child_extracts_from_stdin",
            "--exact",
            "--ignored",
            "--test-threads",
            "1",
        ])
        .env(CHILD_ENV, &sandbox.variant_root)
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(&archive).unwrap();
    assert!(child.wait().unwrap().success());
    assert_eq!(
        manifest(&sandbox.variant_root.join("m")),
        manifest(src.path())
    );
}

/// Writes an owner file as a process on `host` would, without holding its lock (as after the
/// process died).
fn dead_owner(staging_root: &Path, id: &str, host: &str) {
    fs::create_dir_all(staging_root.join(id)).unwrap();
    let record =
        format!(r#"{{"pid": 999999, "host": "{host}", "created": "2026-01-01 00:00:00"}}"#);
    fs::File::create(staging_root.join(format!("{id}.owner")))
        .unwrap()
        .write_all(record.as_bytes())
        .unwrap();
}

fn this_host() -> String {
    let out = Command::new("hostname").output().unwrap();
    String::from_utf8(out.stdout).unwrap().trim().to_owned()
}

#[tokio::test]
async fn cleanup_restores_data_left_between_the_two_renames_of_a_journal_install() {
    // The state a crash leaves between "target -> slot/old" and "slot/new -> target" in the
    // journal fallback: the module's only copy is in a dead slot.
    let sandbox = Sandbox::new();
    let target = sandbox.variant_root.join("m");
    let before = manifest(&target);
    let root = sandbox.staging().root().to_path_buf();
    dead_owner(&root, "123-abc-0", &this_host());
    let slot = root.join("123-abc-0");
    fs::write(slot.join("journal"), target.as_os_str().as_encoded_bytes()).unwrap();
    fs::rename(&target, slot.join("old")).unwrap();
    fs::create_dir(slot.join("new")).unwrap();

    let report = cleanup_stale_staging(&sandbox.variant_root).await.unwrap();
    assert_eq!(report.restored, vec![target.clone()]);
    assert_eq!(report.removed, vec![slot]);
    assert_eq!(manifest(&target), before);
    assert_eq!(
        staging_entries(&sandbox.variant_root),
        Vec::<PathBuf>::new()
    );
}

#[tokio::test]
async fn cleanup_leaves_other_hosts_and_removes_orphans() {
    let sandbox = Sandbox::new();
    let root = sandbox.staging().root().to_path_buf();
    dead_owner(&root, "1-a-0", "some-other-host");
    dead_owner(&root, "2-b-0", &this_host());
    fs::create_dir_all(root.join("orphan/new")).unwrap();
    // An empty owner file may be one being created right now: kept (it is fresh).
    fs::File::create(root.join("3-c-0.owner")).unwrap();

    let report = cleanup_stale_staging(&sandbox.variant_root).await.unwrap();
    assert_eq!(report.foreign, vec![root.join("1-a-0")]);
    assert_eq!(report.live, vec![root.join("3-c-0")]);
    let mut removed = report.removed.clone();
    removed.sort();
    assert_eq!(removed, vec![root.join("2-b-0"), root.join("orphan")]);
    assert!(root.join("1-a-0").is_dir() && root.join("1-a-0.owner").is_file());
    assert!(!root.join("2-b-0").exists() && !root.join("2-b-0.owner").exists());

    // No staging area at all is fine.
    let empty = tempfile::tempdir().unwrap();
    assert_eq!(
        cleanup_stale_staging(empty.path()).await.unwrap(),
        Default::default()
    );
}

#[tokio::test]
async fn zstd_and_plain_dumps_install_over_existing_data() {
    for compression in [Compression::Zstd { level: 3 }, Compression::None] {
        let src = tempfile::tempdir().unwrap();
        nasty_module(src.path());
        let options = DumpOptions {
            compression,
            ..DumpOptions::default()
        };
        let archive = dump_to_vec(src.path(), "m", &options).await;
        let sandbox = Sandbox::new();
        let target = sandbox.variant_root.join("m");
        let staged =
            extract_into_staging(&sandbox.staging(), &archive[..], &ExtractOptions::default())
                .await
                .unwrap();
        assert_eq!(
            install(staged, &target, true).await.unwrap(),
            Installed::Replaced
        );
        assert_eq!(manifest(&target), manifest(src.path()));
    }
}
