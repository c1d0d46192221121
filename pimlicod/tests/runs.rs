//! Runs on a daemon: status agrees with the stores, a second run of a busy module gets 409,
//! logs are served and followed, cancelling kills the module and records it.

mod common;

use common::{NAME, PIPELINE, Setup, TestServer};
use futures::StreamExt;
use pimlico_proto::{RunRequest, RunState};

#[tokio::test]
async fn run_modules_and_read_status_and_logs() {
    let server = TestServer::start(Setup::default()).await;
    let health = server.client.health().await.unwrap();
    assert_eq!(health.status, "ok");
    let pipelines = server.client.pipelines().await.unwrap().pipelines;
    assert_eq!(pipelines.len(), 1);
    assert_eq!(pipelines[0].name, NAME);
    assert_eq!(pipelines[0].fingerprint.len(), 64);

    let before = server.client.status(NAME, "main", false).await.unwrap();
    let statuses: Vec<&str> = before.modules.iter().map(|m| m.status.as_str()).collect();
    assert_eq!(statuses, ["UNEXECUTED", "UNEXECUTED"]);
    assert!(!before.modules[1].inputs_ready);

    let run = server.run(&["make"]).await;
    assert_eq!(run.state, RunState::Succeeded, "{run:?}");
    assert_eq!(run.succeeded, ["make"]);
    let after = server.client.status(NAME, "main", false).await.unwrap();
    assert_eq!(after.modules[0].status, "COMPLETE");
    assert!(after.modules[1].inputs_ready);
    assert_eq!(
        common::tree(&server.module_dir("make").join("output/data")).len(),
        20
    );

    // Module numbers are resolved by clients from their own copy of the config.
    let by_number = RunRequest {
        modules: vec!["2".into()],
        ..Default::default()
    };
    let refused = server.client.start_run(NAME, "main", &by_number).await;
    assert_eq!(refused.unwrap_err().status(), Some(404));
    let run = server.run(&["count"]).await;
    assert_eq!(run.state, RunState::Succeeded, "{run:?}");
    let listing =
        std::fs::read_to_string(server.module_dir("count").join("output/data/listing.txt"));
    assert_eq!(listing.unwrap().lines().count(), 20);

    let detail = server
        .client
        .module_status(NAME, "main", "count", true)
        .await
        .unwrap();
    assert_eq!(detail.summary.status, "COMPLETE");
    assert!(detail.history.is_some());

    let mut log = server.client.run_logs(&run.id, true).await.unwrap();
    let mut text = Vec::new();
    while let Some(chunk) = log.next().await {
        text.extend_from_slice(&chunk.unwrap());
    }
    let text = String::from_utf8(text).unwrap();
    assert!(text.contains("count"), "log: {text}");
    let listed = server.client.runs(&Default::default()).await.unwrap().runs;
    assert_eq!(listed.len(), 2);
    server.stop().await;
}

#[tokio::test]
async fn a_second_run_of_a_running_module_is_refused_and_cancel_records_it() {
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
    let first = server
        .client
        .start_run(NAME, "main", &request)
        .await
        .unwrap();
    let second = server.client.start_run(NAME, "main", &request).await;
    assert_eq!(second.unwrap_err().status(), Some(409));
    // Follow the log until the module's command has started, then cancel.
    let mut log = server.client.run_logs(&first.id, true).await.unwrap();
    let mut seen = String::new();
    while !seen.contains("module-ready") {
        match log.next().await {
            Some(chunk) => seen.push_str(&String::from_utf8_lossy(&chunk.unwrap())),
            None => panic!("the run ended before the module started: {seen}"),
        }
    }
    server.client.cancel_run(&first.id).await.unwrap();
    let done = server.client.run_to_end(&first.id).await.unwrap();
    assert_eq!(done.state, RunState::Cancelled, "{done:?}");
    let status = server.client.status(NAME, "main", false).await.unwrap();
    assert_ne!(status.modules[0].status, "COMPLETE");
    assert_ne!(status.modules[0].status, "STARTED", "the halt is recorded");
    assert!(status.modules[0].lock.is_none(), "the lock is cleared");
    server.stop().await;
}

#[tokio::test]
async fn runs_beyond_the_limit_wait_in_the_queue() {
    let pipeline = "[pipeline]\nname=dtest\nrelease=latest\n\n\
        [slow]\ntype=command\ncmd=echo module-ready; sleep 600\n\n\
        [quick]\ntype=command\ncmd=echo done > \"$PIMLICO_OUTPUT/done.txt\"\n";
    let server = TestServer::start(Setup {
        pipeline: Some(pipeline.into()),
        max_runs: Some(1),
        ..Setup::default()
    })
    .await;
    let run = |m: &str| RunRequest {
        modules: vec![m.into()],
        ..Default::default()
    };
    let slow = server
        .client
        .start_run(NAME, "main", &run("slow"))
        .await
        .unwrap();
    let mut log = server.client.run_logs(&slow.id, true).await.unwrap();
    let mut seen = String::new();
    while !seen.contains("module-ready") {
        let chunk = log.next().await.expect("the slow run ended early").unwrap();
        seen.push_str(&String::from_utf8_lossy(&chunk));
    }
    let quick = server
        .client
        .start_run(NAME, "main", &run("quick"))
        .await
        .unwrap();
    // The one slot is taken: the second run waits, whatever time passes.
    let waiting = server.client.wait_run(&quick.id, 1).await.unwrap();
    assert_eq!(waiting.state, RunState::Queued, "{waiting:?}");
    server.client.cancel_run(&slow.id).await.unwrap();
    let done = server.client.run_to_end(&quick.id).await.unwrap();
    assert_eq!(done.state, RunState::Succeeded, "{done:?}");
    let slow = server.client.run_to_end(&slow.id).await.unwrap();
    assert_eq!(slow.state, RunState::Cancelled);
    server.stop().await;
}

/// `--all` and `--dry-run` reach the daemon: the daemon picks what its own stores let run, and
/// a dry run checks without executing anything.
#[tokio::test]
async fn all_and_dry_run_are_chosen_by_the_daemon() {
    let server = TestServer::start(Setup::default()).await;
    let request = |all: bool, dry_run: bool| RunRequest {
        all,
        dry_run,
        ..Default::default()
    };
    let start = |r: RunRequest| {
        let client = &server.client;
        async move {
            let info = client.start_run(NAME, "main", &r).await.unwrap();
            client.run_to_end(&info.id).await.unwrap()
        }
    };

    let dry = start(request(true, true)).await;
    assert_eq!(dry.state, RunState::Succeeded, "{dry:?}");
    assert_eq!(dry.modules, ["make", "count"]);
    let status = server.client.status(NAME, "main", false).await.unwrap();
    let statuses: Vec<&str> = status.modules.iter().map(|m| m.status.as_str()).collect();
    assert_eq!(statuses, ["UNEXECUTED", "UNEXECUTED"]);
    assert!(!server.module_dir("make").join("output").exists());

    let all = start(request(true, false)).await;
    assert_eq!(all.state, RunState::Succeeded, "{all:?}");
    assert_eq!(all.succeeded, ["make", "count"]);

    let refused = server
        .client
        .start_run(NAME, "main", &request(true, false))
        .await;
    assert_eq!(refused.unwrap_err().status(), Some(400));
    let refused = server
        .client
        .start_run(NAME, "main", &request(false, false))
        .await;
    assert_eq!(refused.unwrap_err().status(), Some(400));
}
