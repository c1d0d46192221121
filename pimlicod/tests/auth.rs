//! Authentication: every endpoint except health refuses requests without the token, with a
//! wrong token, with an expired scoped token, and (except the two read endpoints a scoped
//! token is for) with a scoped token; refused requests change nothing.

mod common;

use common::{NAME, SECRET, Setup, TestServer, tree};
use pimlicod::auth::{Auth, Scope};
use reqwest::{Method, StatusCode};

/// Every route with a request that would change or reveal something if it were allowed.
fn endpoints() -> Vec<(Method, &'static str, Option<&'static str>)> {
    let m = "/v1/pipelines/dtest/main/modules/make";
    vec![
        (Method::GET, "/metrics", None),
        (Method::GET, "/v1/openapi.json", None),
        (Method::GET, "/v1/pipelines", None),
        (Method::GET, "/v1/pipelines/dtest/main/status", None),
        (
            Method::POST,
            "/v1/pipelines/dtest/main/runs",
            Some(r#"{"modules":["count"]}"#),
        ),
        (
            Method::POST,
            "/v1/pipelines/dtest/main/pulls",
            Some(
                r#"{"source":"http://127.0.0.1:9","token":"x","modules":["count"],"overwrite":true}"#,
            ),
        ),
        (Method::GET, m, None),
        (
            Method::GET,
            "/v1/pipelines/dtest/main/modules/make/definition",
            None,
        ),
        (
            Method::POST,
            "/v1/pipelines/dtest/main/modules/make/unlock",
            None,
        ),
        (
            Method::GET,
            "/v1/pipelines/dtest/main/modules/make/data",
            None,
        ),
        (
            Method::PUT,
            "/v1/pipelines/dtest/main/modules/make/data?overwrite=true",
            Some("not an archive"),
        ),
        (
            Method::DELETE,
            "/v1/pipelines/dtest/main/modules/make/data",
            None,
        ),
        (Method::GET, "/v1/runs", None),
        (Method::GET, "/v1/runs/r1", None),
        (Method::DELETE, "/v1/runs/r1", None),
        (Method::GET, "/v1/runs/r1/logs", None),
        (Method::GET, "/v1/transfers", None),
        (Method::GET, "/v1/transfers/t1", None),
        (
            Method::POST,
            "/v1/tokens",
            Some(r#"{"pipeline":"dtest","variant":"main","modules":["count"]}"#),
        ),
    ]
}

fn scoped(modules: &[&str], expires_at: u64) -> String {
    Auth::with_secret(None, SECRET).mint(&Scope {
        pipeline: NAME.into(),
        variant: "main".into(),
        modules: modules.iter().map(|m| m.to_string()).collect(),
        expires_at,
    })
}

#[tokio::test]
async fn refused_requests_change_nothing() {
    let server = TestServer::start(Setup {
        auth: true,
        ..Setup::default()
    })
    .await;
    server.run(&["make"]).await;
    let before = tree(&server.module_dir("make"));
    let now = pimlicod::auth::now_secs();
    let in_scope = scoped(&["make"], now + 600);
    let cases: Vec<(&str, Option<String>, StatusCode)> = vec![
        ("no token", None, StatusCode::UNAUTHORIZED),
        (
            "wrong token",
            Some("not-the-token".into()),
            StatusCode::UNAUTHORIZED,
        ),
        (
            "expired scoped token",
            Some(scoped(&["make"], now - 1)),
            StatusCode::UNAUTHORIZED,
        ),
        (
            "out-of-scope token",
            Some(scoped(&["count"], now + 600)),
            StatusCode::FORBIDDEN,
        ),
        ("scoped token", Some(in_scope), StatusCode::FORBIDDEN),
    ];
    for (what, token, expected) in cases {
        for (method, path, body) in endpoints() {
            let client = server.client_with(token.as_deref());
            let mut request = client.raw(method.clone(), path);
            if let Some(body) = body {
                request = request
                    .header("content-type", "application/json")
                    .body(body);
            }
            let status = match client.send(request).await {
                Ok(response) => response.status(),
                Err(e) => StatusCode::from_u16(e.status().expect("an HTTP answer")).unwrap(),
            };
            let readable = what == "scoped token"
                && method == Method::GET
                && (path.ends_with("/definition") || path.ends_with("/make/data"));
            if readable {
                assert_eq!(status, StatusCode::OK, "{what}: {method} {path}");
            } else {
                assert_eq!(status, expected, "{what}: {method} {path}");
            }
        }
    }
    assert_eq!(tree(&server.module_dir("make")), before);
    assert!(!server.module_dir("count").exists());
    let runs = server.client.runs(&Default::default()).await.unwrap().runs;
    assert_eq!(runs.len(), 1, "only the set-up run");
    assert!(
        server
            .client
            .transfers()
            .await
            .unwrap()
            .transfers
            .is_empty()
    );
    // Health needs no token.
    assert_eq!(
        server.client_with(None).health().await.unwrap().status,
        "ok"
    );
    server.stop().await;
}
