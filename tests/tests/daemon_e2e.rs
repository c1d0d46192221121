//! End to end with two real daemons and the real `pimlico` command: module 1 runs on A, moves
//! to B (directly, or through the client), module 2 runs on B; statuses are right on both and
//! the data is byte-identical. Pull and push between a daemon and the local stores.

mod daemon_support;

use daemon_support::{Daemon, PIPELINE, contents, pimlico};
use pimlico_proto::PipelineStatus;
use pimlico_tests::Workspace;

fn statuses(json: &str) -> Vec<(String, String)> {
    let status: PipelineStatus = serde_json::from_str(json).expect("status --json");
    status
        .modules
        .into_iter()
        .map(|m| (m.name, m.status))
        .collect()
}

fn pair(a: &str, b: &str) -> Vec<(String, String)> {
    vec![("first".into(), a.into()), ("second".into(), b.into())]
}

async fn run_transfer_run(via_client: bool) {
    let ws = Workspace::new();
    ws.write("p.conf", PIPELINE);
    ws.write(
        "client.local",
        &format!("store={}\n", ws.join("client-store").display()),
    );
    let a = Daemon::start(&ws, "a").await;
    let b = Daemon::start(&ws, "b").await;
    let base = ["p.conf", "--lc", "client.local"];
    let with = |extra: &[&'static str]| [&base[..], extra].concat();

    pimlico(&ws, &with(&["--server", "a", "run", "1"]))
        .await
        .expect_code(0);
    let mut transfer = with(&["transfer", "1", "--from", "a", "--to", "b"]);
    if via_client {
        transfer.push("--via-client");
    }
    let moved = pimlico(&ws, &transfer).await.expect_code(0);
    assert!(moved.stdout().contains("first"), "{}", moved.all());
    pimlico(&ws, &with(&["--server", "b", "run", "second"]))
        .await
        .expect_code(0);

    let on_a = pimlico(&ws, &with(&["--server", "a", "status", "--json"]))
        .await
        .expect_code(0);
    let on_b = pimlico(&ws, &with(&["--server", "b", "status", "--json"]))
        .await
        .expect_code(0);
    assert_eq!(statuses(&on_a.stdout()), pair("COMPLETE", "UNEXECUTED"));
    // The daemon's status is the one `pimlico status --json` computes on its host.
    let local_a = pimlico(&ws, &["p.conf", "--lc", "a.local", "status", "--json"]).await;
    assert_eq!(local_a.expect_code(0).stdout(), on_a.stdout());
    assert_eq!(statuses(&on_b.stdout()), pair("COMPLETE", "COMPLETE"));
    let first_a = contents(&a.root.join("first"));
    assert!(first_a.len() >= 4, "{first_a:?}");
    assert_eq!(first_a, contents(&b.root.join("first")));
    let upper = std::fs::read_to_string(b.root.join("second/output/data/upper.txt")).unwrap();
    assert_eq!(upper, "HELLO WORLD\n");

    // Moving it again is refused without -f, and changes nothing; with -f it is replaced.
    let again = pimlico(&ws, &transfer).await.expect_code(1);
    assert!(
        again.stderr().contains("already has data"),
        "{}",
        again.all()
    );
    transfer.push("-f");
    pimlico(&ws, &transfer).await.expect_code(0);
    assert_eq!(first_a, contents(&b.root.join("first")));

    let logs = pimlico(&ws, &with(&["--server", "b", "logs", "second"]))
        .await
        .expect_code(0);
    assert!(logs.stdout().contains("second"), "{}", logs.all());
    a.stop().await;
    b.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn run_on_a_transfer_to_b_run_on_b() {
    run_transfer_run(false).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_same_through_the_client() {
    run_transfer_run(true).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pull_and_push_with_the_cli() {
    let ws = Workspace::new();
    ws.write("p.conf", PIPELINE);
    let local_store = ws.join("local-store");
    ws.write(
        "client.local",
        &format!("store={}\n", local_store.display()),
    );
    let a = Daemon::start(&ws, "a").await;
    let b = Daemon::start(&ws, "b").await;
    let base = ["p.conf", "--lc", "client.local"];
    let with = |extra: &[&'static str]| [&base[..], extra].concat();
    pimlico(&ws, &with(&["--server", "a", "run", "first"]))
        .await
        .expect_code(0);

    // pull: A -> the local stores; then the local `status` sees it and module 2 runs here.
    pimlico(&ws, &with(&["pull", "1", "--from", "a"]))
        .await
        .expect_code(0);
    let local_first = local_store.join("demo/main/first");
    assert_eq!(contents(&a.root.join("first")), contents(&local_first));
    let refused = pimlico(&ws, &with(&["pull", "1", "--from", "a"]))
        .await
        .expect_code(1);
    assert!(
        refused.stderr().contains("already has data"),
        "{}",
        refused.all()
    );
    pimlico(
        &ws,
        &with(&["pull", "first", "--from", "a", "-f", "--json"]),
    )
    .await
    .expect_code(0);
    let status = pimlico(&ws, &with(&["status", "--json"]))
        .await
        .expect_code(0);
    assert_eq!(statuses(&status.stdout()), pair("COMPLETE", "UNEXECUTED"));
    pimlico(&ws, &with(&["run", "2"])).await.expect_code(0);

    // push: the local stores -> B.
    pimlico(&ws, &with(&["push", "1", "2", "--to", "b"]))
        .await
        .expect_code(0);
    assert_eq!(contents(&local_first), contents(&b.root.join("first")));
    let on_b = pimlico(&ws, &with(&["--server", "b", "status", "--json"]))
        .await
        .expect_code(0);
    assert_eq!(statuses(&on_b.stdout()), pair("COMPLETE", "COMPLETE"));
    pimlico(&ws, &with(&["push", "1", "--to", "b"]))
        .await
        .expect_code(1);

    // A client whose config defines module 1 differently is refused, naming the option.
    ws.write("other.conf", &PIPELINE.replace("hello world", "goodbye"));
    let other = [
        "other.conf",
        "--lc",
        "client.local",
        "push",
        "1",
        "--to",
        "b",
        "-f",
    ];
    let mismatch = pimlico(&ws, &other).await.expect_code(1);
    assert!(
        mismatch.stderr().contains("option 'cmd'"),
        "{}",
        mismatch.all()
    );
    assert_eq!(contents(&local_first), contents(&b.root.join("first")));
    let mut insist = other.to_vec();
    insist.push("--ignore-definition-mismatch");
    pimlico(&ws, &insist).await.expect_code(0);
    a.stop().await;
    b.stop().await;
}
