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
