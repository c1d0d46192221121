//! Graceful shutdown: runs are stopped and recorded, transfers still open after the deadline
//! are cut without installing anything.

mod common;

use std::time::Duration;

use bytes::Bytes;
use common::{NAME, PIPELINE, Setup, TestServer, tree};
use futures::StreamExt;
use pimlico_proto::{DataCompression, RunRequest, RunState};

#[tokio::test]
async fn shutdown_stops_runs_and_records_them() {
    let slow = PIPELINE.replace("cmd=for i in", "cmd=echo module-ready; sleep 600; for i in");
    let server = TestServer::start(Setup {
        pipeline: Some(slow),
        ..Setup::default()
    })
    .await;
    let request = RunRequest {
        modules: vec!["make".into()],
        ..Default::default()
    };
    let run = server
        .client
        .start_run(NAME, "main", &request)
        .await
        .unwrap();
    let mut log = server.client.run_logs(&run.id, true).await.unwrap();
    let mut seen = String::new();
    while !seen.contains("module-ready") {
        let chunk = log.next().await.expect("the run ended early").unwrap();
        seen.push_str(&String::from_utf8_lossy(&chunk));
    }
    drop(log);
    let state = server.state.clone();
    let module_dir = server.module_dir("make");
    let _dir = server.stop().await;
    let info = state.runs().get(&run.id).unwrap();
    assert_eq!(info.state, RunState::Cancelled, "{info:?}");
    let metadata = std::fs::read_to_string(module_dir.join("metadata")).unwrap();
    assert!(!metadata.contains("\"STARTED\""), "{metadata}");
    assert!(!metadata.contains("\"COMPLETE\""), "{metadata}");
    assert!(!module_dir.join(".execution_lock").exists());
}

#[tokio::test]
async fn an_upload_open_at_the_deadline_is_cut_and_installs_nothing() {
    let a = TestServer::start(Setup::default()).await;
    let b = TestServer::start(Setup {
        deadline: Some(Duration::from_millis(300)),
        ..Setup::default()
    })
    .await;
    a.run(&["make"]).await;
    b.run(&["make"]).await;
    std::fs::write(b.module_dir("make").join("output/data/f1.txt"), "old\n").unwrap();
    let before = tree(&b.module_dir("make"));
    let mut download = a
        .client
        .download(NAME, "main", "make", DataCompression::None)
        .await
        .unwrap();
    let first = download.body.next().await.unwrap().unwrap();
    let (tx, rx) = tokio::sync::mpsc::channel::<std::io::Result<Bytes>>(1);
    tx.send(Ok(first)).await.unwrap();
    let upload = tokio::spawn({
        let client = b.client.clone();
        let body = tokio_stream::wrappers::ReceiverStream::new(rx);
        async move { client.upload(NAME, "main", "make", true, body).await }
    });
    let (module_dir, root) = (b.module_dir("make"), b.variant_root.clone());
    let _dir = b.stop().await;
    assert!(upload.await.unwrap().is_err());
    drop(tx);
    assert_eq!(tree(&module_dir), before);
    let left = std::fs::read_dir(root.join(".pimlico-staging"))
        .map(|d| d.count())
        .unwrap_or(0);
    assert_eq!(left, 0);
    a.stop().await;
}
