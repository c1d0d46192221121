//! The default wire compression, `auto`: none over loopback (compressing costs more CPU time
//! than moving the bytes there), the compression asked for otherwise.

mod common;

use common::{NAME, Setup, TestServer, tree};
use futures::StreamExt;
use pimlico_proto::{DataCompression, PullRequest, TokenRequest, TransferState};

async fn first_bytes(server: &TestServer, compression: DataCompression) -> Vec<u8> {
    let mut download = server
        .client
        .download(NAME, "main", "make", compression)
        .await
        .unwrap();
    let mut out = Vec::new();
    while let Some(chunk) = download.body.next().await {
        out.extend_from_slice(&chunk.unwrap());
    }
    out.truncate(18);
    out
}

async fn pull(a: &TestServer, b: &TestServer, compression: DataCompression) -> (u64, u64) {
    let token = a
        .client
        .mint_token(&TokenRequest {
            pipeline: NAME.into(),
            variant: "main".into(),
            modules: vec!["make".into()],
            ttl_secs: None,
        })
        .await
        .unwrap();
    let request = PullRequest {
        source: a.url.clone(),
        token: token.token,
        modules: vec!["make".into()],
        overwrite: false,
        ignore_definition_mismatch: false,
        compression,
        ca_pem: None,
    };
    let done = b.client.pull_to_end(NAME, "main", &request).await.unwrap();
    assert_eq!(done.state, TransferState::Succeeded, "{done:?}");
    assert_eq!(tree(&a.module_dir("make")), tree(&b.module_dir("make")));
    (done.bytes, done.data_bytes)
}

#[tokio::test]
async fn auto_is_uncompressed_over_loopback() {
    let a = TestServer::start(Setup::default()).await;
    assert_eq!(
        a.run(&["make"]).await.state,
        pimlico_proto::RunState::Succeeded
    );
    // A plain tar starts with the name of its first member; zstd with its magic number.
    assert_eq!(
        first_bytes(&a, DataCompression::Auto).await,
        b"dump_metadata.json"
    );
    assert_eq!(
        first_bytes(&a, DataCompression::Zstd).await[..4],
        [0x28, 0xb5, 0x2f, 0xfd]
    );

    // A pull left at the default moves the tar as it is; one asking for zstd compresses it.
    let b = TestServer::start(Setup::default()).await;
    let (wire, tar) = pull(&a, &b, DataCompression::default()).await;
    assert!(tar > 0 && wire == tar, "wire {wire}, tar {tar}");
    let c = TestServer::start(Setup::default()).await;
    let (wire, tar) = pull(&a, &c, DataCompression::Zstd).await;
    assert!(wire < tar, "wire {wire}, tar {tar}");
    for server in [a, b, c] {
        server.stop().await;
    }
}
