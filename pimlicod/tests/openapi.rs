//! The OpenAPI document: the daemon serves the repository's copy, every route of the router is
//! in it (and nothing else), and docs/http-api.md documents exactly its operations.

mod common;

use std::collections::BTreeSet;

use common::{Setup, TestServer};

fn repo_file(path: &str) -> String {
    let full = format!("{}/../{path}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&full).unwrap_or_else(|e| panic!("reading {full}: {e}"))
}

/// `(METHOD, path)` of every route in `router.rs`.
fn router_routes() -> BTreeSet<(String, String)> {
    let source = repo_file("pimlicod/src/router.rs");
    let module = source
        .lines()
        .find_map(|l| l.trim().strip_prefix("const MODULE: &str = \""))
        .and_then(|rest| rest.strip_suffix("\";"))
        .expect("router.rs defines MODULE");
    let mut routes = BTreeSet::new();
    // rustfmt may spread a call over several lines: take each `.route(` to the next.
    for call in source.split(".route(").skip(1) {
        // The call ends where the next chained call (a line starting with `.`) begins.
        let call: String = call
            .lines()
            .enumerate()
            .take_while(|(i, l)| *i == 0 || !l.trim_start().starts_with('.'))
            .map(|(_, l)| l)
            .collect();
        let rest = call.trim_start();
        let (path, handlers) = if let Some(rest) = rest.strip_prefix("MODULE,") {
            (module.to_string(), rest)
        } else if let Some(rest) = rest.strip_prefix("&format!(\"{MODULE}") {
            let end = rest.find('"').unwrap();
            (format!("{module}{}", &rest[..end]), &rest[end..])
        } else {
            let rest = rest.strip_prefix('"').expect("a literal path");
            let end = rest.find('"').unwrap();
            (rest[..end].to_string(), &rest[end..])
        };
        for method in ["get", "post", "put", "delete", "patch"] {
            if handlers.contains(&format!("{method}(")) {
                routes.insert((method.to_uppercase(), path.clone()));
            }
        }
    }
    routes
}

fn openapi_operations(doc: &serde_json::Value) -> BTreeSet<(String, String)> {
    let mut ops = BTreeSet::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for method in item.as_object().unwrap().keys() {
            ops.insert((method.to_uppercase(), path.clone()));
        }
    }
    ops
}

#[tokio::test]
async fn served_document_is_the_repository_copy_and_covers_the_router() {
    let server = TestServer::start(Setup {
        auth: true,
        ..Setup::default()
    })
    .await;
    let served = server
        .client
        .get_raw(&["v1", "openapi.json"])
        .await
        .unwrap();
    let served = served.text().await.unwrap();
    let repo = repo_file("docs/openapi.json");
    assert_eq!(served, repo);
    let doc: serde_json::Value = serde_json::from_str(&repo).unwrap();
    let routes = router_routes();
    assert!(
        routes.len() >= 19,
        "the router parse found too little: {routes:?}"
    );
    assert_eq!(openapi_operations(&doc), routes);
    server.stop().await;
}

#[test]
fn http_api_md_documents_every_operation() {
    let doc: serde_json::Value = serde_json::from_str(&repo_file("docs/openapi.json")).unwrap();
    let md = repo_file("docs/http-api.md");
    let documented: BTreeSet<(String, String)> = md
        .lines()
        .filter_map(|l| l.strip_prefix("### `"))
        .filter_map(|l| l.strip_suffix('`'))
        .filter_map(|l| l.split_once(' '))
        .map(|(m, p)| (m.to_string(), p.to_string()))
        .collect();
    assert_eq!(documented, openapi_operations(&doc));
}
