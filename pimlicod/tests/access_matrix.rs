//! Access, from the attacker's side. Every operation of the OpenAPI document (so an endpoint
//! added later is covered without touching this file) except health is sent with every kind of
//! missing, wrong, forged, expired and out-of-scope credential, and is refused; module names,
//! pipelines and variants that try to leave the store, sent as raw HTTP so that no client
//! normalises them, are refused too. Nothing changes anywhere, and no refused answer carries
//! the contents of a file outside the store. `tests/auth.rs` has the basic matrix.

mod common;
mod fault_support;

use std::collections::BTreeMap;

use common::{NAME, SECRET, Setup, TOKEN, TestServer};
use fault_support::files;
use pimlicod::auth::{Auth, Scope};
use reqwest::{Method, StatusCode};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// The sentinel outside the store that an escape would reveal or change.
const SECRET_TEXT: &str = "victim-secret-contents";

/// `(method, path)` of every operation in docs/openapi.json except health.
fn operations() -> Vec<(Method, String)> {
    let path = format!("{}/../docs/openapi.json", env!("CARGO_MANIFEST_DIR"));
    let doc: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let mut out = Vec::new();
    for (path, ops) in doc["paths"].as_object().unwrap() {
        for method in ops.as_object().unwrap().keys() {
            if path == "/v1/health" {
                continue;
            }
            out.push((method.to_uppercase().parse().unwrap(), path.clone()));
        }
    }
    out
}

/// A request that would act if it were allowed: real names, a real run, a real archive.
fn concrete(method: &Method, template: &str, run_id: &str, dump: &[u8]) -> (String, Vec<u8>) {
    let path = template
        .replace("{pipeline}", NAME)
        .replace("{variant}", "main")
        .replace("{module}", "make")
        .replace(
            "{id}",
            if template.starts_with("/v1/runs") {
                run_id
            } else {
                "t1"
            },
        );
    let body: Vec<u8> = match (method.as_str(), template.rsplit('/').next().unwrap()) {
        ("POST", "runs") => br#"{"modules":["count"],"force_rerun":true}"#.to_vec(),
        ("POST", "pulls") => {
            br#"{"source":"http://127.0.0.1:9","token":"x","modules":["make"],"overwrite":true}"#
                .to_vec()
        }
        ("POST", "tokens") => {
            br#"{"pipeline":"dtest","variant":"main","modules":["make"]}"#.to_vec()
        }
        ("PUT", "data") => dump.to_vec(),
        ("POST", "files") => br#"{"files":["output/data/f1.txt"],"compression":"none"}"#.to_vec(),
        _ => Vec::new(),
    };
    let path = if method == Method::PUT {
        format!("{path}?overwrite=true")
    } else {
        path
    };
    (path, body)
}

fn scoped(secret: [u8; 32], pipeline: &str, modules: &[&str], expires_at: u64) -> String {
    Auth::with_secret(None, secret).mint(&Scope {
        pipeline: pipeline.into(),
        variant: "main".into(),
        modules: modules.iter().map(|m| m.to_string()).collect(),
        expires_at,
    })
}

/// A scoped token whose scope was edited after minting (the MAC no longer matches).
fn tampered(token: &str, edit: impl Fn(&mut serde_json::Value)) -> String {
    let parts: Vec<&str> = token.rsplitn(3, '.').collect();
    let (mac, hex, prefix) = (parts[0], parts[1], parts[2]);
    let bytes: Vec<u8> = (0..hex.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&hex[i..i + 2], 16).unwrap())
        .collect();
    let mut scope: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
    edit(&mut scope);
    let hex: String = serde_json::to_vec(&scope)
        .unwrap()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    format!("{prefix}.{hex}.{mac}")
}

/// What a valid scoped token may do: read the definition, manifest and data of its module.
fn scoped_read(method: &Method, template: &str) -> bool {
    let module = "/modules/{module}";
    (method == Method::GET
        && ["/definition", "/data", "/manifest"]
            .iter()
            .any(|end| template.ends_with(&format!("{module}{end}"))))
        || (method == Method::POST && template.ends_with(&format!("{module}/data/files")))
}

/// How a credential is sent.
enum Credential {
    None,
    Bearer(String),
    Header(String),
    Query(String),
}

/// The credentials an attacker might try, each with the status it must get.
fn credentials() -> Vec<(&'static str, Credential, StatusCode)> {
    let now = pimlicod::auth::now_secs();
    let valid = scoped(SECRET, NAME, &["make"], now + 600);
    let expired = scoped(SECRET, NAME, &["make"], now - 1);
    use Credential::*;
    let unauthorized = StatusCode::UNAUTHORIZED;
    vec![
        ("no token", None, unauthorized),
        (
            "wrong token",
            Bearer("not-the-token-at-all".into()),
            unauthorized,
        ),
        (
            "token plus a byte",
            Bearer(format!("{TOKEN}x")),
            unauthorized,
        ),
        ("token prefix", Bearer(TOKEN[..16].into()), unauthorized),
        ("empty bearer", Header("Bearer ".into()), unauthorized),
        ("token without scheme", Header(TOKEN.into()), unauthorized),
        ("basic auth", Header(format!("Basic {TOKEN}")), unauthorized),
        (
            "token in the query",
            Query(format!("token={TOKEN}")),
            unauthorized,
        ),
        (
            "expired scoped token",
            Bearer(expired.clone()),
            unauthorized,
        ),
        (
            "expired scoped token with its expiry edited",
            Bearer(tampered(&expired, |s| s["expires_at"] = (now + 600).into())),
            unauthorized,
        ),
        (
            "scoped token with modules added",
            Bearer(tampered(&valid, |s| {
                s["modules"] = serde_json::json!(["make", "count"])
            })),
            unauthorized,
        ),
        (
            "scoped token of another daemon",
            Bearer(scoped([7; 32], NAME, &["make"], now + 600)),
            unauthorized,
        ),
        (
            "scoped token for another module",
            Bearer(scoped(SECRET, NAME, &["count"], now + 600)),
            StatusCode::FORBIDDEN,
        ),
        (
            "scoped token for another pipeline",
            Bearer(scoped(SECRET, "other", &["make"], now + 600)),
            StatusCode::FORBIDDEN,
        ),
        ("scoped token", Bearer(valid), StatusCode::FORBIDDEN),
    ]
}

/// Everything in the daemon's directory (stores, configs, logs, the sentinel), by path.
fn everything(server: &TestServer) -> BTreeMap<String, Vec<u8>> {
    files(server.dir.path()).into_iter().collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn forged_and_missing_credentials_are_refused_on_every_endpoint() {
    let server = TestServer::start(Setup {
        auth: true,
        ..Setup::default()
    })
    .await;
    let run = server.run(&["make"]).await;
    let dump = download(&server).await;
    let before = everything(&server);
    let mut refused = 0;
    let mut reads = 0;
    for (what, credential, expected) in credentials() {
        for (method, template) in operations() {
            let (path, body) = concrete(&method, &template, &run.id, &dump);
            let client = server.client_with(None);
            let request = match &credential {
                Credential::None => client.raw(method.clone(), &path),
                Credential::Bearer(token) => client.raw(method.clone(), &path).bearer_auth(token),
                Credential::Header(value) => client
                    .raw(method.clone(), &path)
                    .header("authorization", value),
                Credential::Query(query) => {
                    let sep = if path.contains('?') { '&' } else { '?' };
                    client.raw(method.clone(), &format!("{path}{sep}{query}"))
                }
            };
            let request = if body.is_empty() {
                request
            } else {
                let kind = if method == Method::PUT {
                    "application/x-tar"
                } else {
                    "application/json"
                };
                request.header("content-type", kind).body(body)
            };
            let status = match client.send(request).await {
                Ok(response) => response.status(),
                Err(e) => StatusCode::from_u16(
                    e.status()
                        .unwrap_or_else(|| panic!("{what}: {method} {path}: {e}")),
                )
                .unwrap(),
            };
            if what == "scoped token" && scoped_read(&method, &template) {
                assert_eq!(status, StatusCode::OK, "{what}: {method} {path}");
                reads += 1;
            } else {
                assert_eq!(status, expected, "{what}: {method} {path}");
                refused += 1;
            }
        }
    }
    assert_eq!(
        everything(&server),
        before,
        "a refused request changed something"
    );
    let runs = server.client.runs(&Default::default()).await.unwrap().runs;
    assert_eq!(runs.len(), 1, "only the set-up run");
    let transfers = server.client.transfers().await.unwrap().transfers;
    assert!(transfers.is_empty());
    assert_eq!(refused + reads, credentials().len() * operations().len());
    assert!(reads >= 2, "the scoped token reads what it is for");
    fault_support::assert_doc_says(&[
        format!("{} operations without health", operations().len()),
        format!("{} kinds of credentials", credentials().len()),
        format!(
            "**{refused} refused requests** ({} × {}, less the {reads} reads",
            credentials().len(),
            operations().len()
        ),
    ]);
    server.stop().await;
}

/// The module as a (small, zstd) dump, with the full token.
async fn download(server: &TestServer) -> Vec<u8> {
    let d = server
        .client
        .download(NAME, "main", "make", pimlico_proto::DataCompression::Zstd)
        .await
        .unwrap();
    let mut reader = tokio_util::io::StreamReader::new(d.body);
    let mut out = Vec::new();
    reader.read_to_end(&mut out).await.unwrap();
    out
}

/// Sends a request byte for byte (no client normalises the path) and returns the status code
/// and the body.
async fn raw_http(addr: &str, method: &str, path: &str, body: &[u8]) -> (u16, String) {
    let mut socket = tokio::net::TcpStream::connect(addr).await.unwrap();
    let head = format!(
        "{method} {path} HTTP/1.1\r\nhost: {addr}\r\nauthorization: Bearer {TOKEN}\r\n\
         content-type: application/x-tar\r\ncontent-length: {}\r\nconnection: close\r\n\r\n",
        body.len()
    );
    socket.write_all(head.as_bytes()).await.unwrap();
    socket.write_all(body).await.unwrap();
    let mut response = Vec::new();
    let _ = socket.read_to_end(&mut response).await;
    let text = String::from_utf8_lossy(&response).into_owned();
    let code = text
        .split_whitespace()
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or_else(|| panic!("no HTTP answer to {method} {path}: {text:?}"));
    (code, text)
}

/// Module names that try to leave the store or reach our own files, as raw path segments.
const MODULE_ESCAPES: [&str; 16] = [
    "..",
    "%2e%2e",
    ".%2E",
    ".",
    "..%2f..%2foutside",
    "..%2F..%2F..%2F..%2Foutside%2Fvictim",
    "%2Foutside%2Fvictim",
    "..%5c..%5coutside",
    "make%2f..%2f..%2f..",
    "make%00",
    "%00",
    ".pimlico-staging",
    ".pimlico-staging%2f..",
    "make%2F.execution_lock",
    "make%0a..",
    "%C0%AE%C0%AE",
];

/// Pipeline and variant segments that try the same.
const ROOT_ESCAPES: [(&str, &str); 6] = [
    ("..", "main"),
    ("%2e%2e", "main"),
    ("dtest", ".."),
    ("dtest", "%2e%2e"),
    ("dtest", "..%2f..%2f.."),
    ("dtest%2f..", "main"),
];

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn names_from_requests_never_leave_the_store() {
    let server = TestServer::start(Setup {
        auth: true,
        ..Setup::default()
    })
    .await;
    server.run(&["make"]).await;
    let outside = server.dir.path().join("outside");
    std::fs::create_dir_all(&outside).unwrap();
    std::fs::write(outside.join("victim"), SECRET_TEXT).unwrap();
    std::fs::write(server.variant_root.join("victim"), SECRET_TEXT).unwrap();
    let dump = download(&server).await;
    let addr = server.url.trim_start_matches("http://").to_string();
    let before = everything(&server);

    let mut requests: Vec<(&str, String, Vec<u8>)> = Vec::new();
    for name in MODULE_ESCAPES {
        let base = format!("/v1/pipelines/{NAME}/main/modules/{name}");
        requests.push(("GET", base.clone(), Vec::new()));
        requests.push(("GET", format!("{base}/definition"), Vec::new()));
        requests.push(("POST", format!("{base}/unlock"), Vec::new()));
        requests.push(("GET", format!("{base}/data"), Vec::new()));
        requests.push(("PUT", format!("{base}/data?overwrite=true"), dump.clone()));
        requests.push(("DELETE", format!("{base}/data"), Vec::new()));
        requests.push(("GET", format!("{base}/manifest"), Vec::new()));
        let files = br#"{"files":["metadata"],"compression":"none"}"#.to_vec();
        requests.push(("POST", format!("{base}/data/files"), files));
        requests.push(("POST", format!("{base}/data/plan"), b"{}".to_vec()));
        requests.push(("POST", format!("{base}/verify"), Vec::new()));
        let run = format!(r#"{{"modules":["{name}"],"force_rerun":true}}"#);
        requests.push((
            "POST",
            format!("/v1/pipelines/{NAME}/main/runs"),
            run.into(),
        ));
    }
    for (pipeline, variant) in ROOT_ESCAPES {
        let base = format!("/v1/pipelines/{pipeline}/{variant}");
        requests.push(("GET", format!("{base}/status"), Vec::new()));
        requests.push(("GET", format!("{base}/modules/make/data"), Vec::new()));
        requests.push(("DELETE", format!("{base}/modules/make/data"), Vec::new()));
        let run = br#"{"modules":["make"],"force_rerun":true}"#.to_vec();
        requests.push(("POST", format!("{base}/runs"), run));
    }
    for (method, path, body) in &requests {
        let (code, text) = raw_http(&addr, method, path, body).await;
        assert!(
            (400..500).contains(&code),
            "{method} {path}: answered {code}:\n{text}"
        );
        assert!(
            !text.contains(SECRET_TEXT),
            "{method} {path} revealed the sentinel"
        );
        let runs = server.client.runs(&Default::default()).await.unwrap().runs;
        assert_eq!(runs.len(), 1, "{method} {path} started a run");
    }
    assert_eq!(
        everything(&server),
        before,
        "a refused request changed something"
    );
    assert_eq!(
        requests.len(),
        MODULE_ESCAPES.len() * 11 + ROOT_ESCAPES.len() * 4
    );
    fault_support::assert_doc_says(&[
        format!("{} module names", MODULE_ESCAPES.len()),
        format!("{} pipeline and variant names", ROOT_ESCAPES.len()),
        format!("**{} requests, all answered 4xx**", requests.len()),
    ]);
    server.stop().await;
}
