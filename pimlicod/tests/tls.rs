//! HTTPS with a certificate generated here: the client trusts it through a CA given to it, and
//! refuses the daemon without it.

mod common;

use common::{NAME, Setup, TestServer, self_signed};
use pimlico_client::remote::{Client, ServerSpec};

#[tokio::test]
async fn https_with_a_given_ca_and_refused_without() {
    let (cert, key) = self_signed();
    let server = TestServer::start(Setup {
        auth: true,
        tls: Some((cert, key)),
        ..Setup::default()
    })
    .await;
    assert!(server.url.starts_with("https://"));
    assert_eq!(server.client.health().await.unwrap().status, "ok");
    let status = server.client.status(NAME, "main", false).await.unwrap();
    assert_eq!(status.pipeline, NAME);
    let untrusting =
        Client::new(&ServerSpec::url(&server.url, Some(common::TOKEN.into()))).unwrap();
    let refused = untrusting.health().await.unwrap_err();
    assert!(
        refused.status().is_none(),
        "a TLS failure, not an HTTP answer: {refused}"
    );
    let plain = Client::new(&ServerSpec::url(server.url.replace("https", "http"), None)).unwrap();
    assert!(plain.health().await.is_err());
    server.stop().await;
}

#[tokio::test]
async fn a_daemon_pulls_over_https_trusting_the_given_ca() {
    let (cert, key) = self_signed();
    let a = TestServer::start(Setup {
        auth: true,
        tls: Some((cert.clone(), key)),
        ..Setup::default()
    })
    .await;
    let b = TestServer::start(Setup::default()).await;
    assert_eq!(
        a.run(&["make"]).await.state,
        pimlico_proto::RunState::Succeeded
    );
    let token = a
        .client
        .mint_token(&pimlico_proto::TokenRequest {
            pipeline: NAME.into(),
            variant: "main".into(),
            modules: vec!["make".into()],
            ttl_secs: None,
        })
        .await
        .unwrap();
    let mut request = pimlico_proto::PullRequest {
        source: a.url.clone(),
        token: token.token,
        modules: vec!["make".into()],
        overwrite: false,
        ignore_definition_mismatch: false,
        compression: pimlico_proto::DataCompression::Zstd,
        ca_pem: None,
    };
    // Without the CA, B does not trust A: the pull fails and installs nothing.
    let failed = b.client.pull_to_end(NAME, "main", &request).await.unwrap();
    assert_eq!(failed.state, pimlico_proto::TransferState::Failed);
    assert!(!b.module_dir("make").exists());
    request.ca_pem = Some(cert);
    let done = b.client.pull_to_end(NAME, "main", &request).await.unwrap();
    assert_eq!(
        done.state,
        pimlico_proto::TransferState::Succeeded,
        "{done:?}"
    );
    assert_eq!(
        common::tree(&a.module_dir("make")),
        common::tree(&b.module_dir("make"))
    );
    a.stop().await;
    b.stop().await;
}
