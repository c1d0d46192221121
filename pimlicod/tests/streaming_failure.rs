//! A download whose source fails half-way must end in an error at the client, never as a
//! clean end of a (truncated) archive.

mod common;

use common::{NAME, Setup, TestServer};
use futures::StreamExt;
use pimlico_core::archive::{ExtractOptions, Staging, extract_into_staging};
use pimlico_proto::DataCompression;
use tokio_util::io::StreamReader;

#[tokio::test]
async fn a_download_failing_midway_aborts_the_response() {
    let server = TestServer::start(Setup::default()).await;
    // A module written directly into the store: 32 MiB of incompressible data first, then a
    // directory that will vanish while the archive is being produced.
    let dir = server.module_dir("make");
    std::fs::create_dir_all(dir.join("a")).unwrap();
    std::fs::create_dir_all(dir.join("z")).unwrap();
    let mut data = vec![0u8; 32 << 20];
    let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
    for chunk in data.chunks_mut(8) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        chunk.copy_from_slice(&x.to_le_bytes()[..chunk.len()]);
    }
    std::fs::write(dir.join("a/big.bin"), &data).unwrap();
    std::fs::write(dir.join("z/last.txt"), "the end\n").unwrap();

    for compression in [DataCompression::None, DataCompression::Zstd] {
        let mut download = server
            .client
            .download(NAME, "main", "make", compression)
            .await
            .unwrap();
        // The first bytes have arrived, so the archive is being produced; backpressure keeps
        // the producer far from the end of a/big.bin while we do not read.
        let first = download.body.next().await.unwrap().unwrap();
        assert!(!first.is_empty());
        std::fs::rename(dir.join("z"), server.dir.path().join("z-moved")).unwrap();
        let mut failed = false;
        while let Some(chunk) = download.body.next().await {
            if chunk.is_err() {
                failed = true;
                break;
            }
        }
        assert!(failed, "{compression:?}: the response ended cleanly");
        std::fs::rename(server.dir.path().join("z-moved"), dir.join("z")).unwrap();
    }

    // And a client extracting the stream gets an error and keeps nothing.
    let mut download = server
        .client
        .download(NAME, "main", "make", DataCompression::Zstd)
        .await
        .unwrap();
    let first = download.body.next().await.unwrap().unwrap();
    std::fs::remove_dir_all(dir.join("z")).unwrap();
    let rest = futures::stream::iter([Ok(first)]).chain(download.body);
    let staging_root = server.dir.path().join("client-store");
    let staging = Staging::new(&staging_root);
    let result = extract_into_staging(
        &staging,
        StreamReader::new(rest),
        &ExtractOptions::default(),
    )
    .await;
    assert!(result.is_err());
    assert!(!staging_root.join("make").exists());
    server.stop().await;
}
