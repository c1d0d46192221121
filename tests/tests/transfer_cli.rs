//! The `pimlico` command moving data verified and incrementally (pull, push, transfer
//! --via-client), resuming a pull interrupted with Ctrl-C, and checking data with `verify` and
//! `diff`, against real daemons on `127.0.0.1:0`.

mod daemon_support;
mod transfer_support;

use std::os::unix::fs::MetadataExt;
use std::sync::atomic::Ordering;
use std::time::{Duration, UNIX_EPOCH};

use daemon_support::{Daemon, PIPELINE, contents, pimlico};
use nix::sys::signal::{Signal, kill};
use nix::unistd::Pid;
use pimlico_tests::{Workspace, wait_until};
use serde_json::Value;
use transfer_support::{Relay, Tamper, file_name, pseudo_random, write_module};

const BASE: [&str; 3] = ["p.conf", "--lc", "client.local"];

fn with<'a>(extra: &[&'a str]) -> Vec<&'a str> {
    [&BASE[..], extra].concat()
}

/// The `moved[0]` record of a move's `--json` output.
fn moved(stdout: &str) -> Value {
    let report: Value = serde_json::from_str(stdout).expect("--json output");
    assert!(report["error"].is_null(), "{report}");
    report["moved"][0].clone()
}

fn setup() -> Workspace {
    let ws = Workspace::new();
    ws.write("p.conf", PIPELINE);
    ws.write(
        "client.local",
        &format!("store={}\n", ws.join("client-store").display()),
    );
    ws
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pull_push_and_via_client_send_only_what_changed_and_verify_and_diff_see_it() {
    let ws = setup();
    let a = Daemon::start(&ws, "a").await;
    let b = Daemon::start(&ws, "b").await;
    let local = ws.join("client-store/demo/main/first");
    write_module(&a.root, "first", 50, 20_000, None);

    let first = pimlico(&ws, &with(&["pull", "first", "--from", "a", "--json"])).await;
    let first = moved(&first.expect_code(0).stdout());
    assert_eq!(
        (first["files"].as_u64(), first["sent_files"].as_u64()),
        (Some(51), Some(51))
    );
    assert_eq!(contents(&local), contents(&a.root.join("first")));

    // One file changes on a: pulling again sends it alone.
    std::fs::write(
        a.root.join("first").join(file_name(7)),
        pseudo_random(20_000, 1077),
    )
    .unwrap();
    let diff = pimlico(&ws, &with(&["diff", "first", "--server", "a"])).await;
    let diff = diff.expect_code(1).stdout();
    assert!(
        diff.contains(&format!("{}: content", file_name(7))),
        "{diff}"
    );
    assert_eq!(diff.matches(": content").count(), 1, "{diff}");
    let again = pimlico(
        &ws,
        &with(&["pull", "first", "--from", "a", "-f", "--json"]),
    )
    .await;
    let again = moved(&again.expect_code(0).stdout());
    assert_eq!(again["sent_files"].as_u64(), Some(1), "{again}");
    assert_eq!(again["reused_files"].as_u64(), Some(50), "{again}");
    pimlico(&ws, &with(&["diff", "first", "--server", "a"]))
        .await
        .expect_code(0);

    // The received data has a recorded manifest: verify finds it intact, then finds damage
    // that keeps the size and the modification time.
    let ok = pimlico(&ws, &with(&["verify", "first"]))
        .await
        .expect_code(0);
    assert!(ok.stdout().contains("all match"), "{}", ok.all());
    let victim = local.join(file_name(20));
    let meta = std::fs::metadata(&victim).unwrap();
    let mut bytes = std::fs::read(&victim).unwrap();
    bytes[100] ^= 1;
    std::fs::write(&victim, &bytes).unwrap();
    let mtime = UNIX_EPOCH + Duration::new(meta.mtime() as u64, meta.mtime_nsec() as u32);
    std::fs::File::options()
        .write(true)
        .open(&victim)
        .unwrap()
        .set_modified(mtime)
        .unwrap();
    let bad = pimlico(&ws, &with(&["verify", "first"]))
        .await
        .expect_code(1);
    assert!(
        bad.stdout()
            .contains(&format!("CORRUPT    {}", file_name(20))),
        "{}",
        bad.all()
    );
    bytes[100] ^= 1;
    std::fs::write(&victim, &bytes).unwrap();

    // Push to b (empty), then push again after one local change (to content found nowhere
    // else: equal content anywhere in the destination's copy would be reused, not sent).
    let pushed = pimlico(&ws, &with(&["push", "first", "--to", "b", "--json"])).await;
    assert_eq!(
        moved(&pushed.expect_code(0).stdout())["sent_files"].as_u64(),
        Some(51)
    );
    std::fs::write(local.join(file_name(30)), pseudo_random(20_000, 1033)).unwrap();
    let pushed = pimlico(&ws, &with(&["push", "first", "--to", "b", "-f", "--json"])).await;
    let pushed = moved(&pushed.expect_code(0).stdout());
    assert_eq!(pushed["sent_files"].as_u64(), Some(1), "{pushed}");
    assert_eq!(contents(&b.root.join("first")), contents(&local));
    pimlico(&ws, &with(&["verify", "first", "--server", "b"]))
        .await
        .expect_code(0);

    // a -> b through this machine: only the file that differs travels.
    let diff = pimlico(
        &ws,
        &with(&["diff", "first", "--server", "a", "--server", "b"]),
    )
    .await;
    let diff = diff.expect_code(1).stdout();
    assert!(diff.contains(&file_name(30)), "{diff}");
    let relayed = pimlico(
        &ws,
        &with(&[
            "transfer",
            "first",
            "--from",
            "a",
            "--to",
            "b",
            "--via-client",
            "-f",
            "--json",
        ]),
    )
    .await;
    let relayed = moved(&relayed.expect_code(0).stdout());
    assert_eq!(relayed["sent_files"].as_u64(), Some(1), "{relayed}");
    assert_eq!(
        contents(&b.root.join("first")),
        contents(&a.root.join("first"))
    );
    pimlico(
        &ws,
        &with(&["diff", "first", "--server", "a", "--server", "b"]),
    )
    .await
    .expect_code(0);
    b.stop().await;
    a.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_pull_interrupted_with_ctrl_c_resumes_where_it_stopped() {
    let ws = setup();
    let a = Daemon::start(&ws, "a").await;
    let (n, size) = (100, 100_000);
    write_module(&a.root, "first", n, size, None);
    let relay = Relay::start(&a.url, Tamper::PauseAfter((n * size / 2) as u64)).await;
    ws.write(
        "home/.config/pimlico/servers.toml",
        &format!(
            "{}[servers.slow]\nurl = \"{}\"\ntoken_file = \"{}\"\n",
            ws.read("home/.config/pimlico/servers.toml"),
            relay.url,
            ws.join("home/.config/pimlico/a.token").display()
        ),
    );
    let child = ws.spawn(&with(&[
        "--non-interactive",
        "pull",
        "first",
        "--from",
        "slow",
    ]));
    let staging = ws.join("client-store/demo/main/.pimlico-staging");
    let objects = move || -> usize {
        let Ok(slots) = std::fs::read_dir(&staging) else {
            return 0;
        };
        slots
            .flatten()
            .filter(|e| e.file_name().to_string_lossy().starts_with("resume-"))
            .filter_map(|e| std::fs::read_to_string(e.path().join("verified")).ok())
            .map(|journal| journal.lines().count())
            .sum()
    };
    let count = objects.clone();
    let fired = relay.fired.clone();
    tokio::task::spawn_blocking(move || {
        wait_until("the relay to pause at half way", || {
            fired.load(Ordering::SeqCst)
        });
        wait_until("files verified before the pause", || count() >= n / 4);
    })
    .await
    .unwrap();
    kill(Pid::from_raw(child.id() as i32), Signal::SIGINT).unwrap();
    let out = tokio::task::spawn_blocking(move || child.wait_with_output().unwrap())
        .await
        .unwrap();
    assert!(!out.status.success());
    assert!(
        !ws.join("client-store/demo/main/first").exists(),
        "nothing installed"
    );
    let kept = objects();

    let resumed = pimlico(&ws, &with(&["pull", "first", "--from", "a", "--json"])).await;
    let resumed = moved(&resumed.expect_code(0).stdout());
    assert_eq!(
        resumed["resumed_files"].as_u64(),
        Some(kept as u64),
        "{resumed}"
    );
    assert_eq!(
        resumed["sent_files"].as_u64(),
        Some((n + 1 - kept) as u64),
        "{resumed}"
    );
    assert_eq!(
        contents(&ws.join("client-store/demo/main/first")),
        contents(&a.root.join("first"))
    );
    a.stop().await;
}
