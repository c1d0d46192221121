//! Faults: a full disk (a small real tmpfs) during an upload or a pull is said as such (507,
//! or the transfer's error), keeps the old data, and a pull resumes once there is room. Listed
//! in docs/reliability.md with the other faults (checked by `faults.rs`).

mod common;
mod fault_support;

use fault_support::{NAME, Site, dump, files, make_module, pull_of_make};
use pimlico_proto::TransferState;

const MIB: usize = 1 << 20;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_full_disk_during_an_upload_keeps_the_old_data() {
    let Some(tmpfs) = fault_support::Tmpfs::mount("4m") else {
        return;
    };
    let site = Site::new(Some(&tmpfs.path().join("store")));
    make_module(&site.module_dir("make"), MIB, 6);
    let before = files(&site.module_dir("make"));
    let source = tempfile::tempdir().unwrap();
    make_module(source.path(), 8 * MIB, 7);
    let archive = dump(source.path()).await;
    let daemon = site.start().await;
    let err = daemon.upload_make(archive).await.unwrap_err();
    // The daemon's disk, not the client's archive: 507 saying so (the paths stay in the
    // daemon's log). The daemon answers as soon as the disk is full and closes the connection,
    // so a client still sending the rest of the body may see the connection closed before the
    // answer.
    if err.status().is_some() {
        assert_says_the_disk_is_full(&err, tmpfs.path());
        let store = site.variant_root.display().to_string();
        daemon
            .until_logged(&["request failed", &store, "No space left on device"])
            .await;
    }
    assert_eq!(files(&site.module_dir("make")), before, "old data intact");
    assert_eq!(site.staging(), Vec::<std::path::PathBuf>::new());
    // The space is free again: a module that fits is installed.
    let small = tempfile::tempdir().unwrap();
    make_module(small.path(), MIB, 8);
    let archive = dump(small.path()).await;
    daemon.upload_make(archive).await.unwrap();
    assert_eq!(files(&site.module_dir("make")), files(small.path()));
    daemon.kill9().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_pull_into_a_full_disk_says_so_keeps_the_old_data_and_resumes_once_there_is_room() {
    let Some(tmpfs) = fault_support::Tmpfs::mount("4m") else {
        return;
    };
    let source = common::TestServer::start(common::Setup {
        pipeline: Some(fault_support::pipeline(std::path::Path::new(
            "/nonexistent",
        ))),
        ..common::Setup::default()
    })
    .await;
    // Eight files of 1 MiB: the first few fit, then the disk is full.
    let there = source.dir.path().join("store").join(NAME).join("main/make");
    make_module(&there, MIB, 9);
    for i in 0..7 {
        fault_support::random_file(&there.join(format!("output/data/part{i}.bin")), MIB, 10 + i);
    }
    let wanted = files(&there);

    let site = Site::new(Some(&tmpfs.path().join("store")));
    make_module(&site.module_dir("make"), MIB, 11);
    let before = files(&site.module_dir("make"));
    let daemon = site.start().await;
    let request = pull_of_make(source.url.clone());
    let failed = daemon
        .client
        .pull_to_end(NAME, "main", &request)
        .await
        .unwrap();
    assert_eq!(failed.state, TransferState::Failed, "{failed:?}");
    let error = failed.error.unwrap_or_default();
    assert_eq!(
        error,
        "the daemon's disk is full (or its disk quota is used up) while receiving module \
         'make': free space on the daemon's store and try again"
    );
    assert!(failed.done.is_empty());
    // The daemon's log says which file, and why.
    let store = site.variant_root.display().to_string();
    daemon
        .until_logged(&["pull failed", &store, "No space left on device"])
        .await;
    assert_eq!(files(&site.module_dir("make")), before, "old data intact");
    for entry in site.staging() {
        let name = entry.file_name().unwrap().to_string_lossy().into_owned();
        assert!(
            name.starts_with("resume-"),
            "only a resumable slot: {entry:?}"
        );
    }

    // Room on the disk: the same pull installs the module, without sending again the files
    // the failed one verified.
    tmpfs.resize("32m");
    let done = daemon
        .client
        .pull_to_end(NAME, "main", &request)
        .await
        .unwrap();
    assert_eq!(done.state, TransferState::Succeeded, "{done:?}");
    assert!(
        done.resumed_files > 0,
        "the verified files were kept: {done:?}"
    );
    assert_eq!(files(&site.module_dir("make")), wanted, "new data complete");
    assert_eq!(site.staging(), Vec::<std::path::PathBuf>::new());
    daemon.kill9().await;
    source.stop().await;
}

/// The client shows the daemon's 507 as it came: the disk is full, what to do, and no path
/// on the daemon.
fn assert_says_the_disk_is_full(err: &pimlico_client::remote::Error, store: &std::path::Path) {
    let pimlico_client::remote::Error::Api {
        status,
        code,
        message,
        ..
    } = err
    else {
        panic!("not an answer of the daemon: {err}");
    };
    assert_eq!((*status, code.as_str()), (507, "storage_full"), "{err}");
    assert!(message.starts_with("the daemon's disk is full"), "{err}");
    assert!(
        message.contains("free space on the daemon's store"),
        "{err}"
    );
    assert!(!message.contains(&*store.to_string_lossy()), "{err}");
    let shown = err.to_string();
    assert!(
        shown.contains(message.as_str()),
        "shown as it came: {shown}"
    );
}
