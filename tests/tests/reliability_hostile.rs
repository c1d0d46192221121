//! The shared table of hostile archives (`pimlico_tests::hostile`) against the three ways an
//! archive comes in: `pimlico CONF load` (the real binary), an upload to a real daemon (`PUT
//! .../data` through our client library), and a pull by a real daemon from a hostile peer that
//! serves a manifest and then the archive where the daemon asks for the files. Each is refused with a message naming the problem,
//! nothing is written anywhere (the whole workspace, with a directory outside the store that
//! the escaping cases aim at, is compared before and after), the staging area is empty again,
//! and the module's existing data is byte-identical. The valid archive of the table then loads
//! through the same path, so the refusals come from the archives.

mod daemon_support;
mod reliability_support;

use std::path::Path;

use daemon_support::{Daemon, PIPELINE, pimlico};
use pimlico_proto::{DataCompression, PullRequest, TransferState};
use pimlico_tests::Workspace;
use pimlico_tests::hostile::{
    Case, Target, cases, test_limits_config, valid_archive, valid_contents,
};
use reliability_support::{
    HostilePeer, OLD_DATA, Snapshot, differences, snapshot, staging_leftovers, write_tree,
};

/// Files the entry points may write that are not data: daemon state, the dumps we wrote, and
/// the cache of hashes a daemon keeps beside a module's data (computed to compare with a
/// source's manifest).
const NOT_DATA: [&str; 4] = ["a-state", "dumps", "home", ".pimlico-manifest"];

/// A workspace with the pipeline, a directory outside the store holding `victim`, and module
/// `first` with data in the store at `<store>/demo/main`.
fn workspace(store: &str) -> Workspace {
    let ws = Workspace::new();
    ws.write("p.conf", PIPELINE);
    ws.write("outside/victim", "victim\n");
    write_tree(&ws.join(store).join("demo/main/first"), &OLD_DATA);
    ws
}

fn target(outside: &Path) -> Target<'_> {
    Target {
        pipeline: "demo",
        variant: "main",
        module: "first",
        outside,
    }
}

/// What a pull says when the archive holds a file its manifest does not list: the verified
/// protocol refuses such a file before the archive layer's later checks could.
const NOT_IN_MANIFEST: &str = "the manifest does not list this file";

/// Checks one refusal: the message, nothing written, staging empty.
fn check_refused(case: &Case, message: &str, before: &Snapshot, ws: &Workspace, root: &Path) {
    if !message.contains(NOT_IN_MANIFEST) {
        for part in &case.expect {
            assert!(
                message.contains(part.as_str()),
                "case {}: {part:?} not in the message:\n{message}",
                case.name
            );
        }
    }
    let diff = differences(before, &snapshot(ws.path(), &NOT_DATA));
    assert!(diff.is_empty(), "case {}: written: {diff:?}", case.name);
    let left = staging_leftovers(root);
    assert!(left.is_empty(), "case {}: staging: {left:?}", case.name);
}

/// After a refused pull the module's resumable slot may stay, for a later pull: it may hold only
/// files verified against the manifest (listed in its journal), never anything of the hostile archive.
fn check_resumable_only(case: &Case, root: &Path) {
    let allowed: Vec<String> = valid_contents()
        .iter()
        .map(|(_, data)| blake3::hash(data).to_hex().to_string())
        .collect();
    for entry in staging_leftovers(root) {
        let name = entry.file_name().unwrap().to_string_lossy().into_owned();
        assert!(name.starts_with("resume-"), "case {}: {name}", case.name);
        let journal = std::fs::read_to_string(entry.join("verified")).unwrap_or_default();
        for line in journal.lines() {
            let kept: serde_json::Value = serde_json::from_str(line).unwrap();
            let hash = kept["h"].as_str().unwrap_or_default().to_string();
            assert!(allowed.contains(&hash), "case {}: kept {line}", case.name);
        }
        for (path, data) in tree_files(&entry.join("tree")) {
            let hash = blake3::hash(&data).to_hex().to_string();
            assert!(allowed.contains(&hash), "case {}: kept {path}", case.name);
        }
        if entry.is_dir() {
            std::fs::remove_dir_all(&entry).unwrap();
        } else {
            std::fs::remove_file(&entry).unwrap();
        }
    }
}

/// Every file under `dir` (path relative to it, contents).
fn tree_files(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).into_iter().flatten().flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else {
                let rel = path.strip_prefix(dir).unwrap().display().to_string();
                out.push((rel, std::fs::read(&path).unwrap()));
            }
        }
    }
    out
}

/// The valid archive was installed: the module's files are the archive's.
fn check_installed(module_dir: &Path) {
    for (rel, data) in valid_contents() {
        let got = std::fs::read(module_dir.join(rel)).unwrap();
        assert_eq!(got, data, "{rel}");
    }
    assert!(
        !module_dir.join("output").exists(),
        "the old data was replaced"
    );
}

#[test]
fn load_refuses_every_hostile_archive() {
    let ws = workspace("store");
    ws.write(
        "cli.local",
        &format!(
            "store={}\n{}",
            ws.join("store").display(),
            test_limits_config()
        ),
    );
    let outside = ws.join("outside");
    let table = cases(&target(&outside));
    std::fs::create_dir_all(ws.join("dumps")).unwrap();
    for case in &table {
        std::fs::write(ws.join(&format!("dumps/{}.tar", case.name)), &case.archive).unwrap();
    }
    let root = ws.join("store/demo/main");
    let before = snapshot(ws.path(), &NOT_DATA);
    for case in &table {
        let dump = format!("dumps/{}.tar", case.name);
        let run = ws.pimlico(&["p.conf", "--lc", "cli.local", "load", "-f", &dump]);
        assert_eq!(run.code(), 1, "case {}: {}", case.name, run.all());
        check_refused(case, &run.stderr(), &before, &ws, &root);
    }
    std::fs::write(ws.join("dumps/valid.tar"), valid_archive(&target(&outside))).unwrap();
    ws.pimlico(&[
        "p.conf",
        "--lc",
        "cli.local",
        "load",
        "-f",
        "dumps/valid.tar",
    ])
    .expect_code(0);
    check_installed(&root.join("first"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn uploads_refuse_every_hostile_archive() {
    let ws = workspace("a-store");
    let daemon = Daemon::start(&ws, "a").await;
    // The daemon reads its local config at each request.
    let local = ws.join("a.local");
    let text = std::fs::read_to_string(&local).unwrap() + &test_limits_config();
    std::fs::write(&local, text).unwrap();
    let outside = ws.join("outside");
    let before = snapshot(ws.path(), &NOT_DATA);
    for case in cases(&target(&outside)) {
        let body = futures_once(case.archive.clone());
        let err = daemon
            .client
            .upload("demo", "main", "first", true, body)
            .await
            .expect_err(case.name);
        assert_eq!(err.status(), Some(400), "case {}: {err}", case.name);
        check_refused(&case, &err.to_string(), &before, &ws, &daemon.root);
    }
    let body = futures_once(valid_archive(&target(&outside)));
    let done = daemon
        .client
        .upload("demo", "main", "first", true, body)
        .await
        .unwrap();
    assert!(done.replaced);
    check_installed(&daemon.root.join("first"));
    daemon.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pulls_refuse_every_hostile_archive() {
    let ws = workspace("a-store");
    let daemon = Daemon::start(&ws, "a").await;
    let local = ws.join("a.local");
    let text = std::fs::read_to_string(&local).unwrap() + &test_limits_config();
    std::fs::write(&local, text).unwrap();
    let peer = HostilePeer::start().await;
    // The manifest of the valid archive: every file differs from the data here, so the daemon
    // asks for all of them, and gets the hostile archive.
    peer.serve_manifest(&valid_manifest());
    let outside = ws.join("outside");
    let before = snapshot(ws.path(), &NOT_DATA);
    let request = PullRequest {
        source: peer.url.clone(),
        token: "stolen-token".into(),
        modules: vec!["first".into()],
        overwrite: true,
        // The peer serves archives, not definitions.
        ignore_definition_mismatch: true,
        compression: DataCompression::None,
        ca_pem: None,
    };
    let table = cases(&target(&outside));
    let mut by_manifest = Vec::new();
    for case in &table {
        peer.serve(case.archive.clone());
        let id = daemon
            .client
            .start_pull("demo", "main", &request)
            .await
            .unwrap()
            .id;
        let done = to_end(&daemon, &id).await;
        assert_eq!(done.state, TransferState::Failed, "case {}", case.name);
        assert!(done.done.is_empty(), "case {}: {done:?}", case.name);
        let message = done.error.unwrap_or_default();
        if message.contains(NOT_IN_MANIFEST) {
            assert!(message.contains("unexpected archive entry"), "{message}");
            by_manifest.push(case.name);
        }
        check_resumable_only(case, &daemon.root);
        check_refused(case, &message, &before, &ws, &daemon.root);
    }
    // The manifest check refuses only files it does not list; every other case meets the archive
    // layer's own check. docs/reliability.md lists these.
    eprintln!("refused by the manifest check first: {by_manifest:?}");
    pimlico_tests::assert_reliability_doc_says(&[format!(
        "{} of the {} refused there first",
        by_manifest.len(),
        table.len()
    )]);
    let requests = peer.requests.lock().unwrap().clone();
    assert_eq!(
        requests.len(),
        2 * table.len(),
        "a manifest and a download per case"
    );
    assert!(
        requests[0].starts_with("GET /v1/pipelines/demo/main/modules/first/manifest"),
        "{requests:?}"
    );
    assert!(
        requests[1].starts_with("POST /v1/pipelines/demo/main/modules/first/data/files"),
        "{requests:?}"
    );
    peer.serve(valid_archive(&target(&outside)));
    let id = daemon
        .client
        .start_pull("demo", "main", &request)
        .await
        .unwrap()
        .id;
    let done = to_end(&daemon, &id).await;
    assert_eq!(done.state, TransferState::Succeeded, "{done:?}");
    check_installed(&daemon.root.join("first"));
    daemon.stop().await;
}

/// The `ManifestResponse` of [`valid_archive`]: its files and directories, with their hashes.
fn valid_manifest() -> serde_json::Value {
    let files: Vec<serde_json::Value> = valid_contents()
        .into_iter()
        .map(|(path, data)| {
            serde_json::json!({
                "path": path,
                "size": data.len(),
                "mode": 0o644,
                "mtime": 1_600_000_000,
                "blake3": blake3::hash(&data).to_hex().to_string(),
            })
        })
        .collect();
    serde_json::json!({
        "module": "first",
        "manifest": {
            "version": 1,
            "files": files,
            "dirs": [{"path": "sub", "mode": 0o755, "mtime": 1_600_000_000}],
        },
        "hashed_files": 0,
        "hashed_bytes": 0,
        "cached_files": 0,
    })
}

/// Waits for a transfer to end; a transfer that never ends is a failure, not a hung test.
async fn to_end(daemon: &Daemon, id: &str) -> pimlico_proto::TransferInfo {
    let wait = daemon.client.transfer_to_end(id);
    tokio::time::timeout(std::time::Duration::from_secs(60), wait)
        .await
        .unwrap_or_else(|_| panic!("transfer {id} still running after 60 s"))
        .unwrap()
}

/// A request body stream of one chunk.
fn futures_once(
    data: Vec<u8>,
) -> impl futures::Stream<Item = std::io::Result<bytes::Bytes>> + Send + 'static {
    futures::stream::once(async move { Ok(bytes::Bytes::from(data)) })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pimlico_pull_applies_the_local_config_limits() {
    let ws = workspace("a-store");
    let daemon = Daemon::start(&ws, "a").await;
    // Three files and a directory on the daemon; the client allows two entries.
    write_tree(
        &daemon.root.join("first"),
        &[("x", b"1"), ("y", b"2"), ("sub/z", b"3")],
    );
    let store = ws.join("client-store");
    let local = format!("store={}\narchive_max_entries=2\n", store.display());
    ws.write("client.local", &local);
    let base = [
        "p.conf",
        "--lc",
        "client.local",
        "pull",
        "first",
        "--from",
        "a",
    ];
    let run = pimlico(&ws, &base).await.expect_code(1);
    assert!(
        run.stderr().contains("more than 2 entries")
            && run.stderr().contains("archive_max_entries"),
        "{}",
        run.all()
    );
    assert!(!store.join("demo/main/first").exists(), "nothing installed");
    // With the limit raised, the same pull goes through.
    ws.write(
        "client.local",
        &format!("store={}\narchive_max_entries=20\n", store.display()),
    );
    pimlico(&ws, &base).await.expect_code(0);
    assert_eq!(
        std::fs::read(store.join("demo/main/first/sub/z")).unwrap(),
        b"3"
    );
    daemon.stop().await;
}
