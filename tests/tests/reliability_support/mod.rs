//! Helpers of the reliability tests: snapshots of whole directory trees (to show that nothing
//! was written), the staging area's leftovers, and a hostile HTTP peer.
#![allow(dead_code)]

use std::collections::BTreeMap;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

/// Every file, directory and link below a root: relative path to kind, permission bits and
/// contents. Staging areas and the names in `skip` (anywhere in a path) are left out.
pub type Snapshot = BTreeMap<String, (char, u32, Vec<u8>)>;

/// A [`Snapshot`] of `root`.
pub fn snapshot(root: &Path, skip: &[&str]) -> Snapshot {
    let mut out = Snapshot::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            let name = entry.file_name().to_string_lossy().into_owned();
            if name == ".pimlico-staging" || skip.contains(&name.as_str()) {
                continue;
            }
            let rel = path.strip_prefix(root).unwrap().display().to_string();
            let meta = std::fs::symlink_metadata(&path).unwrap();
            let mode = meta.permissions().mode() & 0o7777;
            if meta.is_dir() {
                out.insert(rel, ('d', mode, Vec::new()));
                stack.push(path);
            } else if meta.file_type().is_symlink() {
                let target = std::fs::read_link(&path).unwrap();
                out.insert(rel, ('l', 0, target.display().to_string().into_bytes()));
            } else {
                out.insert(rel, ('f', mode, std::fs::read(&path).unwrap()));
            }
        }
    }
    out
}

/// Describes how two snapshots differ (empty when they are equal).
pub fn differences(before: &Snapshot, after: &Snapshot) -> Vec<String> {
    let mut out = Vec::new();
    for (rel, value) in after {
        match before.get(rel) {
            None => out.push(format!("new: {rel}")),
            Some(old) if old != value => out.push(format!("changed: {rel}")),
            _ => {}
        }
    }
    for rel in before.keys() {
        if !after.contains_key(rel) {
            out.push(format!("removed: {rel}"));
        }
    }
    out
}

/// What is in `<variant root>/.pimlico-staging` (empty if it does not exist).
pub fn staging_leftovers(variant_root: &Path) -> Vec<PathBuf> {
    std::fs::read_dir(variant_root.join(".pimlico-staging"))
        .map(|d| d.flatten().map(|e| e.path()).collect())
        .unwrap_or_default()
}

/// Writes `files` (relative path, contents) below `dir`.
pub fn write_tree(dir: &Path, files: &[(&str, &[u8])]) {
    for (rel, data) in files {
        let path = dir.join(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, data).unwrap();
    }
}

/// A module's existing data, for the tests that check it survives.
pub const OLD_DATA: [(&str, &[u8]); 3] = [
    ("metadata", br#"{"status": "COMPLETE"}"#),
    ("output/data/words.txt", b"old words\n"),
    ("output/data/sub/c.txt", b"old c"),
];

/// An attacker posing as a daemon: answers `GET .../manifest` with the manifest set, and every
/// other request with status 200 and the bytes set at the time (the archive), then closes the
/// connection. Requests are counted.
pub struct HostilePeer {
    /// `http://127.0.0.1:PORT`.
    pub url: String,
    body: Arc<Mutex<Vec<u8>>>,
    manifest: Arc<Mutex<Vec<u8>>>,
    /// Requests answered so far.
    pub requests: Arc<Mutex<Vec<String>>>,
}

impl HostilePeer {
    /// Starts listening on `127.0.0.1:0`.
    pub async fn start() -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let body = Arc::new(Mutex::new(Vec::new()));
        let manifest = Arc::new(Mutex::new(Vec::new()));
        let requests = Arc::new(Mutex::new(Vec::new()));
        let (b, mf, r) = (body.clone(), manifest.clone(), requests.clone());
        tokio::spawn(async move {
            while let Ok((mut socket, _)) = listener.accept().await {
                let (b, mf, r) = (b.clone(), mf.clone(), r.clone());
                tokio::spawn(async move {
                    let mut head = Vec::new();
                    let mut buf = [0u8; 4096];
                    while !head.windows(4).any(|w| w == b"\r\n\r\n") {
                        match socket.read(&mut buf).await {
                            Ok(0) | Err(_) => return,
                            Ok(n) => head.extend_from_slice(&buf[..n]),
                        }
                    }
                    let line = String::from_utf8_lossy(&head)
                        .lines()
                        .next()
                        .unwrap_or_default()
                        .to_string();
                    let (data, kind) = if line.contains("/manifest") {
                        (mf.lock().unwrap().clone(), "application/json")
                    } else {
                        (b.lock().unwrap().clone(), "application/x-tar")
                    };
                    r.lock().unwrap().push(line);
                    let header = format!(
                        "HTTP/1.1 200 OK\r\ncontent-type: {kind}\r\n\
                         content-length: {}\r\nconnection: close\r\n\r\n",
                        data.len()
                    );
                    let _ = socket.write_all(header.as_bytes()).await;
                    let _ = socket.write_all(&data).await;
                    let _ = socket.shutdown().await;
                });
            }
        });
        HostilePeer {
            url,
            body,
            manifest,
            requests,
        }
    }

    /// Serves `data` as the archive from now on.
    pub fn serve(&self, data: Vec<u8>) {
        *self.body.lock().unwrap() = data;
    }

    /// Serves `manifest` (a `ManifestResponse`) from now on.
    pub fn serve_manifest(&self, manifest: &serde_json::Value) {
        *self.manifest.lock().unwrap() = serde_json::to_vec(manifest).unwrap();
    }
}
