//! Module data over HTTP: download and upload round trips, pulls between two daemons, the
//! refusals (existing data, busy modules, definition mismatches) and failures half-way.

mod common;

use bytes::Bytes;
use common::{NAME, PIPELINE, Setup, TestServer, tree};
use futures::StreamExt;
use pimlico_proto::{DataCompression, PullRequest, TokenRequest, TransferState};

async fn download_all(server: &TestServer, module: &str, c: DataCompression) -> Vec<u8> {
    let mut download = server
        .client
        .download(NAME, "main", module, c)
        .await
        .unwrap();
    let mut out = Vec::new();
    while let Some(chunk) = download.body.next().await {
        out.extend_from_slice(&chunk.unwrap());
    }
    out
}

fn once(data: Vec<u8>) -> impl futures::Stream<Item = std::io::Result<Bytes>> + Send + 'static {
    futures::stream::iter([Ok(Bytes::from(data))])
}

#[tokio::test]
async fn download_then_upload_in_each_compression() {
    let a = TestServer::start(Setup::default()).await;
    let b = TestServer::start(Setup::default()).await;
    assert_eq!(
        a.run(&["make"]).await.state,
        pimlico_proto::RunState::Succeeded
    );
    for compression in [
        DataCompression::Zstd,
        DataCompression::Gzip,
        DataCompression::None,
    ] {
        let archive = download_all(&a, "make", compression).await;
        let overwrite = compression != DataCompression::Zstd;
        let up = b
            .client
            .upload(NAME, "main", "make", overwrite, once(archive))
            .await
            .unwrap();
        assert_eq!(
            up.files as usize,
            tree(&a.module_dir("make")).len(),
            "{up:?}"
        );
        assert_eq!(up.replaced, overwrite);
        assert_eq!(tree(&a.module_dir("make")), tree(&b.module_dir("make")));
    }
    // Existing data is never replaced without overwrite.
    let archive = download_all(&a, "make", DataCompression::Zstd).await;
    let refused = b
        .client
        .upload(NAME, "main", "make", false, once(archive))
        .await;
    assert_eq!(refused.unwrap_err().status(), Some(409));
    let status = b.client.status(NAME, "main", false).await.unwrap();
    assert_eq!(status.modules[0].status, "COMPLETE");
    assert_eq!(
        b.run(&["count"]).await.state,
        pimlico_proto::RunState::Succeeded
    );
    // Deleting removes the data; a module without data has nothing to download.
    let deleted = b.client.delete_data(NAME, "main", "make").await.unwrap();
    assert_eq!(deleted.removed.len(), 1);
    assert!(!b.module_dir("make").exists());
    let missing = b
        .client
        .download(NAME, "main", "make", DataCompression::Zstd)
        .await;
    assert_eq!(missing.err().and_then(|e| e.status()), Some(404));
    a.stop().await;
    b.stop().await;
}

#[tokio::test]
async fn pull_with_a_scoped_token_then_run_downstream() {
    let a = TestServer::start(Setup {
        auth: true,
        ..Setup::default()
    })
    .await;
    let b = TestServer::start(Setup {
        auth: true,
        ..Setup::default()
    })
    .await;
    a.run(&["make"]).await;
    let token = a
        .client
        .mint_token(&TokenRequest {
            pipeline: NAME.into(),
            variant: "main".into(),
            modules: vec!["make".into()],
            ttl_secs: Some(600),
        })
        .await
        .unwrap();
    let request = PullRequest {
        source: a.url.clone(),
        token: token.token.clone(),
        modules: vec!["make".into()],
        overwrite: false,
        ignore_definition_mismatch: false,
        compression: DataCompression::Zstd,
        ca_pem: None,
    };
    let done = b.client.pull_to_end(NAME, "main", &request).await.unwrap();
    assert_eq!(done.state, TransferState::Succeeded, "{done:?}");
    assert_eq!(done.done, ["make"]);
    let files = tree(&a.module_dir("make")).len() as u64;
    assert_eq!(done.files, files);
    assert_eq!(done.total_files, Some(files));
    assert!(done.bytes > 0 && done.data_bytes >= done.bytes);
    assert_eq!(tree(&a.module_dir("make")), tree(&b.module_dir("make")));
    assert_eq!(
        b.run(&["count"]).await.state,
        pimlico_proto::RunState::Succeeded
    );
    let a_status = a.client.status(NAME, "main", false).await.unwrap();
    let b_status = b.client.status(NAME, "main", false).await.unwrap();
    assert_eq!(a_status.modules[0].status, "COMPLETE");
    assert_eq!(a_status.modules[1].status, "UNEXECUTED");
    assert_eq!(b_status.modules[0].status, "COMPLETE");
    assert_eq!(b_status.modules[1].status, "COMPLETE");
    // Pulling again without overwrite is refused up front and changes nothing.
    let again = b.client.start_pull(NAME, "main", &request).await;
    assert_eq!(again.unwrap_err().status(), Some(409));
    let metrics = b
        .client
        .get_raw(&["metrics"])
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        metrics.contains("pimlicod_transfers_total{state=\"succeeded\"} 1"),
        "{metrics}"
    );
    assert!(
        metrics.contains("route=\"/v1/pipelines/{pipeline}/{variant}/pulls\""),
        "{metrics}"
    );
    let sent = a
        .client
        .get_raw(&["metrics"])
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let out = sent
        .lines()
        .find(|l| l.starts_with("pimlicod_data_bytes_out_total "))
        .unwrap();
    assert_eq!(out, format!("pimlicod_data_bytes_out_total {}", done.bytes));
    // The scoped token reads only what it names.
    let scoped = a.client_with(Some(&token.token));
    assert!(scoped.definition(NAME, "main", "make").await.is_ok());
    let other = scoped
        .download(NAME, "main", "count", DataCompression::Zstd)
        .await;
    assert_eq!(other.err().and_then(|e| e.status()), Some(403));
    a.stop().await;
    b.stop().await;
}

#[tokio::test]
async fn a_definition_mismatch_refuses_the_pull_unless_ignored() {
    let a = TestServer::start(Setup::default()).await;
    let changed = PIPELINE.replace("line $i", "other $i");
    assert_ne!(changed, PIPELINE);
    let b = TestServer::start(Setup {
        pipeline: Some(changed),
        ..Setup::default()
    })
    .await;
    a.run(&["make"]).await;
    let mut request = PullRequest {
        source: a.url.clone(),
        token: "unused".into(),
        modules: vec!["make".into()],
        overwrite: false,
        ignore_definition_mismatch: false,
        compression: DataCompression::Gzip,
        ca_pem: None,
    };
    let failed = b.client.pull_to_end(NAME, "main", &request).await.unwrap();
    assert_eq!(failed.state, TransferState::Failed);
    let error = failed.error.unwrap();
    assert!(error.contains("option 'cmd'"), "{error}");
    assert!(!b.module_dir("make").exists());
    request.ignore_definition_mismatch = true;
    let done = b.client.pull_to_end(NAME, "main", &request).await.unwrap();
    assert_eq!(done.state, TransferState::Succeeded, "{done:?}");
    a.stop().await;
    b.stop().await;
}

#[tokio::test]
async fn two_uploads_of_one_module_leave_one_complete_version() {
    let a = TestServer::start(Setup::default()).await;
    let b = TestServer::start(Setup::default()).await;
    a.run(&["make"]).await;
    let v1 = download_all(&a, "make", DataCompression::None).await;
    let tree1 = tree(&a.module_dir("make"));
    std::fs::write(
        a.module_dir("make").join("output/data/f1.txt"),
        "second version\n",
    )
    .unwrap();
    let v2 = download_all(&a, "make", DataCompression::None).await;
    let tree2 = tree(&a.module_dir("make"));
    // The first upload sends half its archive and waits; the second is sent whole meanwhile.
    let (tx, rx) = tokio::sync::mpsc::channel::<std::io::Result<Bytes>>(1);
    let body = tokio_stream::wrappers::ReceiverStream::new(rx);
    let first = tokio::spawn({
        let client = b.client.clone();
        async move { client.upload(NAME, "main", "make", true, body).await }
    });
    let half = v1.len() / 2;
    tx.send(Ok(Bytes::copy_from_slice(&v1[..half])))
        .await
        .unwrap();
    let second = b.client.upload(NAME, "main", "make", true, once(v2)).await;
    // A refused first upload has dropped its body already.
    let _ = tx.send(Ok(Bytes::copy_from_slice(&v1[half..]))).await;
    drop(tx);
    let first = first.await.unwrap();
    for result in [&first, &second] {
        if let Err(e) = result {
            assert_eq!(e.status(), Some(409), "{e}");
        }
    }
    assert!(first.is_ok() || second.is_ok());
    let installed = tree(&b.module_dir("make"));
    assert!(
        installed == tree1 || installed == tree2,
        "a mixture was installed"
    );
    a.stop().await;
    b.stop().await;
}

#[tokio::test]
async fn an_upload_that_breaks_leaves_the_old_data() {
    let a = TestServer::start(Setup::default()).await;
    let b = TestServer::start(Setup::default()).await;
    a.run(&["make"]).await;
    b.run(&["make"]).await;
    std::fs::write(
        b.module_dir("make").join("output/data/f1.txt"),
        "old version\n",
    )
    .unwrap();
    let before = tree(&b.module_dir("make"));
    let archive = download_all(&a, "make", DataCompression::Gzip).await;
    let truncated = archive[..archive.len() * 2 / 3].to_vec();
    let refused = b
        .client
        .upload(NAME, "main", "make", true, once(truncated))
        .await;
    assert_eq!(refused.unwrap_err().status(), Some(400));
    let broken = futures::stream::iter([
        Ok(Bytes::copy_from_slice(&archive[..archive.len() / 2])),
        Err(std::io::Error::other("the client gave up")),
    ]);
    assert!(
        b.client
            .upload(NAME, "main", "make", true, broken)
            .await
            .is_err()
    );
    assert_eq!(tree(&b.module_dir("make")), before);
    let staging = b.variant_root.join(".pimlico-staging");
    let leftovers: Vec<_> = std::fs::read_dir(&staging)
        .map(|d| d.count())
        .into_iter()
        .collect();
    assert!(
        leftovers.iter().all(|&n| n == 0),
        "staging slots left: {leftovers:?}"
    );
    a.stop().await;
    b.stop().await;
}

/// `POST .../data/files` with `all` is a dump of the whole module without announced totals
/// (the receiver has them from the manifest); with a list, only those files and their totals.
#[tokio::test]
async fn files_by_list_or_all_of_them() {
    let a = TestServer::start(Setup::default()).await;
    let b = TestServer::start(Setup::default()).await;
    assert_eq!(
        a.run(&["make"]).await.state,
        pimlico_proto::RunState::Succeeded
    );
    let manifest = a.client.manifest(NAME, "main", "make").await.unwrap();
    let first = manifest.manifest.files[0].path.clone();
    let listed = a
        .client
        .download_files(NAME, "main", "make", &[first], DataCompression::None)
        .await
        .unwrap();
    assert_eq!(listed.files, Some(1));
    assert!(listed.data_bytes.is_some());

    let all = a
        .client
        .download_all_files(NAME, "main", "make", DataCompression::Zstd)
        .await
        .unwrap();
    assert_eq!((all.files, all.data_bytes), (None, None));
    let mut archive = Vec::new();
    let mut body = all.body;
    while let Some(chunk) = body.next().await {
        archive.extend_from_slice(&chunk.unwrap());
    }
    let up = b
        .client
        .upload(NAME, "main", "make", false, once(archive))
        .await
        .unwrap();
    assert_eq!(up.files as usize, manifest.manifest.files.len());
    assert_eq!(tree(&a.module_dir("make")), tree(&b.module_dir("make")));
    a.stop().await;
    b.stop().await;
}
