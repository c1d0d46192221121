//! Verified, incremental and resumable transfers at the library level: a real module directory
//! streamed by the real sender into the real receiver, in one process, with real files.

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use bytes::Bytes;
use futures::StreamExt;
use pimlico_core::archive::{
    CleanupOptions, Compression, ExtractLimits, STAGING_DIR_NAME, cleanup_stale_staging_with,
};
use pimlico_core::manifest::{CACHE_FILE_NAME, module_manifest, verify_module};
use pimlico_core::transfer::{
    Incoming, Progress, ReceiveOptions, TransferError, locate_module, send_stream,
};
use pimlico_proto::{Manifest, ProblemKind};
use tokio_util::io::StreamReader;

const OLD: u64 = 1_600_000_000;

/// A module of `n` files in two directories (plus an empty one), with old modification times
/// so that cached hashes are trusted.
fn make_module(root: &Path, n: usize) -> PathBuf {
    let dir = root.join("m");
    for i in 0..n {
        let sub = if i % 2 == 0 { "output/data" } else { "other" };
        let path = dir.join(sub).join(format!("f{i:03}"));
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        let body: Vec<u8> = format!("file {i} ").repeat(2000 + i * 10).into_bytes();
        std::fs::write(&path, body).unwrap();
        age(&path);
    }
    std::fs::create_dir_all(dir.join("empty")).unwrap();
    std::fs::write(dir.join("metadata"), r#"{"status": "COMPLETE"}"#).unwrap();
    age(&dir.join("metadata"));
    std::fs::set_permissions(
        dir.join("other/f001"),
        std::fs::Permissions::from_mode(0o600),
    )
    .unwrap();
    dir
}

fn age(path: &Path) {
    let f = std::fs::File::options().write(true).open(path).unwrap();
    f.set_modified(SystemTime::UNIX_EPOCH + Duration::from_secs(OLD))
        .unwrap();
}

fn options(root: &Path, overwrite: bool) -> ReceiveOptions {
    ReceiveOptions {
        variant_roots: vec![root.to_path_buf()],
        pipeline: "p".into(),
        variant: "main".into(),
        module: "m".into(),
        overwrite,
        limits: ExtractLimits::default(),
        resume_max_age: Duration::from_secs(3600),
    }
}

/// The sender's stream of `paths`, with `tamper` applied to every chunk.
fn stream_of(
    source_root: &Path,
    paths: &[String],
    tamper: impl FnMut(&mut Vec<u8>) + Send + 'static,
) -> impl tokio::io::AsyncRead + Send + Unpin + 'static {
    let data = locate_module(&[source_root.to_path_buf()], "p", "main", "m")
        .unwrap()
        .select(paths.to_vec())
        .unwrap();
    let mut tamper = tamper;
    let stream = send_stream(data, Compression::None, None).map(move |chunk| {
        chunk.map(|bytes| {
            let mut v = bytes.to_vec();
            tamper(&mut v);
            Bytes::from(v)
        })
    });
    StreamReader::new(stream)
}

async fn transfer(
    source_root: &Path,
    dest_root: &Path,
    overwrite: bool,
) -> Result<pimlico_core::transfer::Received, TransferError> {
    let manifest = module_manifest(&source_root.join("m")).unwrap().manifest;
    let mut incoming = Incoming::open(options(dest_root, overwrite), manifest).await?;
    let needed = incoming.needed().to_vec();
    incoming
        .receive(stream_of(source_root, &needed, |_| {}), None)
        .await?;
    incoming.install().await
}

fn manifest_of(dir: &Path) -> Manifest {
    module_manifest(dir).unwrap().manifest
}

#[tokio::test]
async fn full_then_incremental_transfer_reproduces_the_module() {
    let src = tempfile::tempdir().unwrap();
    let dst = tempfile::tempdir().unwrap();
    let dir = make_module(src.path(), 40);
    let first = transfer(src.path(), dst.path(), false).await.unwrap();
    assert_eq!(first.files, 41);
    assert_eq!(first.transferred_files, 41);
    assert_eq!(manifest_of(&dst.path().join("m")), manifest_of(&dir));
    let installed = dst.path().join("m");
    assert!(installed.join("empty").is_dir(), "empty directories travel");
    assert!(
        installed.join(CACHE_FILE_NAME).exists(),
        "the receiver records the manifest"
    );
    let cached = module_manifest(&installed).unwrap();
    assert_eq!((cached.hashed_files, cached.cached_files), (0, 41));

    // Unchanged: nothing travels, nothing is replaced.
    let same = transfer(src.path(), dst.path(), true).await.unwrap();
    assert!(same.unchanged, "{same:?}");
    assert_eq!(same.transferred_files, 0);

    // Two files changed, one added, one removed: only the changed and added ones travel.
    std::fs::write(dir.join("output/data/f000"), "changed").unwrap();
    std::fs::write(dir.join("other/f003"), "changed too").unwrap();
    std::fs::write(dir.join("other/new"), "new").unwrap();
    std::fs::remove_file(dir.join("output/data/f002")).unwrap();
    let again = transfer(src.path(), dst.path(), true).await.unwrap();
    assert_eq!(again.transferred_files, 3, "{again:?}");
    assert_eq!(again.reused_files, 38, "{again:?}");
    assert!(again.replaced);
    assert_eq!(manifest_of(&installed), manifest_of(&dir));
    assert!(
        !dst.path()
            .join(STAGING_DIR_NAME)
            .read_dir()
            .unwrap()
            .any(|_| true),
        "nothing is left in the staging area"
    );

    // Existing data is never replaced without overwrite.
    let refused = transfer(src.path(), dst.path(), false).await;
    assert!(
        matches!(refused, Err(TransferError::Exists { .. })),
        "{refused:?}"
    );
}

#[tokio::test]
async fn a_corrupted_byte_is_caught_nothing_is_installed_and_the_rest_resumes() {
    let src = tempfile::tempdir().unwrap();
    let dst = tempfile::tempdir().unwrap();
    let dir = make_module(src.path(), 20);
    std::fs::write(dir.join("other/target"), "MARKER-abcdefgh-".repeat(100)).unwrap();
    age(&dir.join("other/target"));
    let manifest = manifest_of(&dir);
    let mut incoming = Incoming::open(options(dst.path(), false), manifest.clone())
        .await
        .unwrap();
    let needed = incoming.needed().to_vec();
    let mut flipped = false;
    let tampered = stream_of(src.path(), &needed, move |chunk| {
        if let Some(at) = chunk.windows(7).position(|w| w == b"MARKER-")
            && !flipped
        {
            chunk[at + 9] ^= 0x20;
            flipped = true;
        }
    });
    let progress = Arc::new(Progress::default());
    let err = incoming
        .receive(tampered, Some(progress))
        .await
        .unwrap_err();
    match &err {
        TransferError::Mismatch { path, .. } => assert_eq!(path, "other/target"),
        other => panic!("expected a mismatch, got {other:?}"),
    }
    assert!(err.to_string().contains("other/target"), "{err}");
    assert!(!dst.path().join("m").exists(), "nothing was installed");
    drop(incoming);

    // The files verified before the damaged one are kept: the retry needs only the rest.
    let mut retry = Incoming::open(options(dst.path(), false), manifest)
        .await
        .unwrap();
    let plan = retry.plan();
    assert!(plan.resumed_files > 0, "{plan:?}");
    assert!(retry.needed().contains(&"other/target".to_string()));
    assert!(retry.needed().len() < needed.len(), "{plan:?}");
    let rest = retry.needed().to_vec();
    retry
        .receive(stream_of(src.path(), &rest, |_| {}), None)
        .await
        .unwrap();
    let done = retry.install().await.unwrap();
    assert_eq!(done.resumed_files, plan.resumed_files);
    assert_eq!(manifest_of(&dst.path().join("m")), manifest_of(&dir));
}

#[tokio::test]
async fn a_source_file_changed_after_its_manifest_is_refused() {
    let src = tempfile::tempdir().unwrap();
    let dst = tempfile::tempdir().unwrap();
    let dir = make_module(src.path(), 6);
    let manifest = manifest_of(&dir);
    // Same size, same mtime: only the content check can notice.
    let victim = dir.join("output/data/f004");
    let mut bytes = std::fs::read(&victim).unwrap();
    bytes[100] ^= 1;
    std::fs::write(&victim, bytes).unwrap();
    age(&victim);
    let mut incoming = Incoming::open(options(dst.path(), false), manifest)
        .await
        .unwrap();
    let needed = incoming.needed().to_vec();
    let err = incoming
        .receive(stream_of(src.path(), &needed, |_| {}), None)
        .await
        .unwrap_err();
    assert!(
        matches!(&err, TransferError::Mismatch { path, .. } if path == "output/data/f004"),
        "{err:?}"
    );
    let incomplete = incoming.install().await.unwrap_err();
    assert!(
        matches!(incomplete, TransferError::Incomplete { .. }),
        "{incomplete:?}"
    );
    assert!(!dst.path().join("m").exists());
}

/// The sender's whole module, as `POST .../data/files` with `all` sends it.
fn whole_stream_of(source_root: &Path) -> impl tokio::io::AsyncRead + Send + Unpin + 'static {
    let data = locate_module(&[source_root.to_path_buf()], "p", "main", "m").unwrap();
    StreamReader::new(send_stream(data, Compression::None, None))
}

#[tokio::test]
async fn a_whole_module_stream_skips_a_file_written_after_the_manifest() {
    let src = tempfile::tempdir().unwrap();
    let dir = make_module(src.path(), 6);
    let manifest = manifest_of(&dir);
    std::fs::write(dir.join("output/data/late"), "written after the manifest").unwrap();

    // Asked for the whole module: the late file is left out, as a list would have left it.
    let dst = tempfile::tempdir().unwrap();
    let mut incoming = Incoming::open(options(dst.path(), false), manifest.clone())
        .await
        .unwrap();
    assert!(incoming.needs_everything());
    incoming
        .receive_whole(whole_stream_of(src.path()), None)
        .await
        .unwrap();
    let received = incoming.install().await.unwrap();
    assert_eq!(received.files, 7);
    assert_eq!(manifest_of(&dst.path().join("m")), manifest);

    // The same stream read as a list of files is refused: it holds a file not asked for.
    let other = tempfile::tempdir().unwrap();
    let mut incoming = Incoming::open(options(other.path(), false), manifest)
        .await
        .unwrap();
    let err = incoming
        .receive(whole_stream_of(src.path()), None)
        .await
        .unwrap_err();
    assert!(
        matches!(&err, TransferError::Unexpected { entry, .. } if entry.ends_with("late")),
        "{err:?}"
    );
}

#[tokio::test]
async fn manifests_are_cached_and_verify_finds_damage() {
    let src = tempfile::tempdir().unwrap();
    let dir = make_module(src.path(), 10);
    let first = module_manifest(&dir).unwrap();
    assert_eq!((first.hashed_files, first.cached_files), (11, 0));
    let second = module_manifest(&dir).unwrap();
    assert_eq!((second.hashed_files, second.cached_files), (0, 11));
    assert_eq!(second.manifest, first.manifest);
    std::fs::write(dir.join("other/f005"), "new content").unwrap();
    age(&dir.join("other/f005"));
    let third = module_manifest(&dir).unwrap();
    assert_eq!((third.hashed_files, third.cached_files), (1, 10));
    // A freshly written file is hashed again next time: its timestamp may not show a write
    // that follows within the same tick.
    std::fs::write(dir.join("other/f007"), "fresh").unwrap();
    assert_eq!(module_manifest(&dir).unwrap().hashed_files, 1);
    assert_eq!(module_manifest(&dir).unwrap().hashed_files, 1);
    age(&dir.join("other/f007"));
    module_manifest(&dir).unwrap();
    assert_eq!(module_manifest(&dir).unwrap().hashed_files, 0);

    let clean = verify_module(&dir).unwrap();
    assert!(clean.problems.is_empty(), "{clean:?}");
    assert_eq!(clean.files, 11);
    // Damage on disk: same size and mtime, other content.
    let victim = dir.join("output/data/f002");
    let mut bytes = std::fs::read(&victim).unwrap();
    bytes[5] ^= 0xff;
    std::fs::write(&victim, bytes).unwrap();
    age(&victim);
    std::fs::remove_file(dir.join("other/f009")).unwrap();
    let report = verify_module(&dir).unwrap();
    let found: Vec<(&str, ProblemKind)> = report
        .problems
        .iter()
        .map(|p| (p.path.as_str(), p.kind))
        .collect();
    assert_eq!(
        found,
        [
            ("other/f009", ProblemKind::Missing),
            ("output/data/f002", ProblemKind::Corrupt),
        ]
    );
}

#[tokio::test]
async fn resumable_slots_outlive_their_owner_until_they_are_old() {
    let src = tempfile::tempdir().unwrap();
    let dst = tempfile::tempdir().unwrap();
    let dir = make_module(src.path(), 10);
    let manifest = manifest_of(&dir);
    let mut incoming = Incoming::open(options(dst.path(), false), manifest.clone())
        .await
        .unwrap();
    let needed = incoming.needed().to_vec();
    incoming
        .receive(stream_of(src.path(), &needed[..5], |_| {}), None)
        .await
        .unwrap();
    drop(incoming);
    let staging = dst.path().join(STAGING_DIR_NAME);
    let young = CleanupOptions {
        resumable_max_age: Duration::from_secs(3600),
    };
    let report = cleanup_stale_staging_with(dst.path(), young).await.unwrap();
    assert_eq!(report.resumable.len(), 1, "{report:?}");
    assert!(report.removed.is_empty());
    let slot = report.resumable[0].clone();
    // An old slot goes.
    let owner = PathBuf::from(format!("{}.owner", slot.display()));
    let old = SystemTime::now() - Duration::from_secs(7200);
    std::fs::File::options()
        .write(true)
        .open(&owner)
        .unwrap()
        .set_modified(old)
        .unwrap();
    let report = cleanup_stale_staging_with(dst.path(), young).await.unwrap();
    assert_eq!(report.removed, vec![slot.clone()], "{report:?}");
    assert!(!slot.exists() && !owner.exists());
    assert_eq!(std::fs::read_dir(&staging).unwrap().count(), 0);
}
