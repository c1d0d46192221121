//! I/O failures while dumping and loading must surface as errors, never as a smaller but
//! valid-looking result.
//!
//! A really full disk is a 1 MiB tmpfs: loading a bigger module into it and dumping a bigger
//! module onto it must fail with the file system's error, leaving the previous module data (or
//! the previous dump file) exactly as it was and no partial files behind. Mounting needs root;
//! those tests say so and do nothing otherwise.

mod archive_support;

use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::pin::Pin;
use std::process::Command;
use std::task::{Context, Poll};

use archive_support::*;
use pimlico_core::archive::{
    ArchiveError, Compression, DumpOptions, ExtractOptions, cleanup_stale_staging,
    dump_module_to_dir, extract_into_staging, write_dump,
};
use tokio::io::AsyncWrite;

/// A tmpfs mounted for the duration of a test.
struct Tmpfs {
    _dir: tempfile::TempDir,
    path: PathBuf,
}

impl Tmpfs {
    /// Mounts a 1 MiB tmpfs, or returns `None` when not running as root.
    fn mount() -> Option<Tmpfs> {
        if !nix::unistd::geteuid().is_root() {
            eprintln!("skipped: mounting a tmpfs needs root");
            return None;
        }
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().to_path_buf();
        let status = Command::new("mount")
            .args(["-t", "tmpfs", "-o", "size=1m", "tmpfs"])
            .arg(&path)
            .status()
            .unwrap();
        assert!(
            status.success(),
            "cannot mount a tmpfs at {}",
            path.display()
        );
        Some(Tmpfs { _dir: dir, path })
    }
}

impl Drop for Tmpfs {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg(&self.path).status();
    }
}

fn file_names(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

#[tokio::test]
async fn loading_onto_a_full_disk_fails_and_keeps_the_old_module() {
    let Some(tmpfs) = Tmpfs::mount() else { return };
    let variant_root = tmpfs.path.join("store/runp/main");
    write_file(
        &variant_root.join("m/metadata"),
        b"OLD",
        0o644,
        1_400_000_000,
    );
    write_file(
        &variant_root.join("m/data"),
        &pseudo_random(100_000, 1),
        0o644,
        1_400_000_000,
    );
    let before = manifest(&variant_root.join("m"));

    let src = tempfile::tempdir().unwrap();
    for i in 0..4 {
        write_file(
            &src.path().join(format!("f{i}")),
            &pseudo_random(1 << 20, i),
            0o644,
            1_600_000_000,
        );
    }
    let archive = dump_to_vec(src.path(), "m", &DumpOptions::default()).await;
    let staging = pimlico_core::archive::Staging::new(&variant_root);
    let err = extract_into_staging(&staging, &archive[..], &ExtractOptions::default())
        .await
        .unwrap_err();
    assert!(err.to_string().contains("No space left on device"), "{err}");
    assert_eq!(manifest(&variant_root.join("m")), before);
    assert_eq!(file_names(staging.root()), Vec::<String>::new());
    let report = cleanup_stale_staging(&variant_root).await.unwrap();
    assert_eq!(report, Default::default());
}

#[tokio::test]
async fn dumping_onto_a_full_disk_fails_and_keeps_the_previous_dump() {
    let Some(tmpfs) = Tmpfs::mount() else { return };
    let out = tmpfs.path.join("dumps");
    fs::create_dir_all(&out).unwrap();
    fs::write(out.join("m.tar.gz"), b"previous dump").unwrap();

    let src = tempfile::tempdir().unwrap();
    for i in 0..4 {
        write_file(
            &src.path().join(format!("f{i}")),
            &pseudo_random(1 << 20, i),
            0o644,
            1_600_000_000,
        );
    }
    let err = dump_module_to_dir(src.path(), &out, &meta("m"), &DumpOptions::default())
        .await
        .unwrap_err();
    assert!(err.to_string().contains("No space left on device"), "{err}");
    assert_eq!(fs::read(out.join("m.tar.gz")).unwrap(), b"previous dump");
    assert_eq!(file_names(&out), ["m.tar.gz"]);
}

/// A destination that accepts `capacity` bytes and then fails, like a connection that drops.
struct BrokenPipe {
    written: usize,
    capacity: usize,
}

impl AsyncWrite for BrokenPipe {
    fn poll_write(
        mut self: Pin<&mut Self>,
        _: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        if self.written >= self.capacity {
            return Poll::Ready(Err(io::ErrorKind::BrokenPipe.into()));
        }
        let n = buf.len().min(self.capacity - self.written);
        self.written += n;
        Poll::Ready(Ok(n))
    }

    fn poll_flush(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<io::Result<()>> {
        Poll::Ready(Ok(()))
    }

    fn poll_shutdown(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<io::Result<()>> {
        Poll::Ready(Ok(()))
    }
}

#[tokio::test]
async fn a_destination_failing_mid_stream_fails_the_dump() {
    let src = tempfile::tempdir().unwrap();
    for i in 0..4 {
        write_file(
            &src.path().join(format!("f{i}")),
            &pseudo_random(1 << 20, i),
            0o644,
            1_600_000_000,
        );
    }
    for compression in [
        Compression::default(),
        Compression::Zstd { level: 3 },
        Compression::None,
    ] {
        let mut out = BrokenPipe {
            written: 0,
            capacity: 1_500_000,
        };
        let options = DumpOptions {
            compression,
            ..DumpOptions::default()
        };
        let err = write_dump(src.path(), &meta("m"), &options, &mut out)
            .await
            .unwrap_err();
        assert!(
            matches!(err, ArchiveError::Output(_)),
            "{compression:?}: {err}"
        );
        assert!(err.to_string().contains("broken pipe"), "{err}");
    }
}

/// Bind-mounts a `/proc` file, which stats as empty but has content, into the module: the
/// dump sees a file that changes while it is read.
#[tokio::test]
async fn a_file_changing_during_the_dump_fails_it_and_the_output_cannot_be_loaded() {
    if !nix::unistd::geteuid().is_root() {
        eprintln!("skipped: bind mounts need root");
        return;
    }
    let src = tempfile::tempdir().unwrap();
    write_file(
        &src.path().join("a"),
        &pseudo_random(3 << 20, 1),
        0o644,
        1_600_000_000,
    );
    let changing = src.path().join("b");
    fs::write(&changing, b"").unwrap();
    let status = Command::new("mount")
        .args(["--bind", "/proc/version"])
        .arg(&changing)
        .status()
        .unwrap();
    assert!(status.success());
    let mut out = Vec::new();
    let result = write_dump(src.path(), &meta("m"), &DumpOptions::default(), &mut out).await;
    let _ = Command::new("umount").arg(&changing).status();
    let err = result.unwrap_err();
    assert!(err.to_string().contains("grew"), "{err}");
    assert!(err.to_string().contains("/b"), "{err}");
    // Several MiB went out before the failure, yet no reader takes the output as complete.
    assert!(out.len() > 1 << 20);
    let path = src.path().join("partial.tar.gz");
    fs::write(&path, &out).unwrap();
    assert!(
        !Command::new("gzip")
            .arg("-t")
            .arg(&path)
            .status()
            .unwrap()
            .success()
    );
    let python = Command::new("python3")
        .args([
            "-c",
            "import sys, tarfile; tarfile.open(sys.argv[1], 'r:gz').getmembers()",
        ])
        .arg(&path)
        .output()
        .unwrap();
    assert!(!python.status.success(), "Python read the partial dump");
    let sandbox = Sandbox::new();
    sandbox
        .expect_rejected(out, &ExtractOptions::default())
        .await;
}
