//! pimlicod as a Slurm cluster's front door, end to end: the real daemon binary sends module
//! runs to the one-node test cluster; statuses, run logs, failures and cancelling work as on
//! a single server; a module over its time limit fails with Slurm's reason; a daemon
//! restarted while a job runs follows it again and reports it.

mod slurm_support;

use pimlico_proto::{RunInfo, RunRequest, RunState};
use pimlico_tests::{history, status, wait_until};
use slurm_support::{
    Daemon, module_dir, run_log, slurm_up, squeue_state, submitted_job, workspace,
};

fn request(modules: &[&str]) -> RunRequest {
    RunRequest {
        modules: modules.iter().map(|m| m.to_string()).collect(),
        ..RunRequest::default()
    }
}

async fn reported_status(daemon: &Daemon, module: &str) -> String {
    let report = daemon.client.status("sd", "main", false).await.unwrap();
    report
        .modules
        .into_iter()
        .find(|m| m.name == module)
        .map(|m| m.status)
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn runs_go_to_slurm_and_are_reported_like_local_runs() {
    if !slurm_up("runs_go_to_slurm_and_are_reported_like_local_runs") {
        return;
    }
    let ws = workspace();
    let daemon = Daemon::start(&ws).await;
    let run = daemon
        .client
        .start_run("sd", "main", &request(&["ok", "here"]))
        .await
        .unwrap();
    let run = daemon.client.run_to_end(&run.id).await.unwrap();
    assert_eq!(
        run.state,
        RunState::Succeeded,
        "{run:?}\n{}",
        run_log(&ws, &run.id)
    );
    assert_eq!(run.succeeded, ["ok", "here"]);
    assert_eq!(reported_status(&daemon, "ok").await, "COMPLETE");
    let ok = module_dir(&ws, "ok");
    let id = submitted_job(&ok).expect("ok ran as a Slurm job");
    assert!(ok.join(format!("slurm-{id}.sh")).is_file());
    let log = run_log(&ws, &run.id);
    for line in [
        format!("Submitted Slurm job {id} (job script "),
        "hello from the cluster".to_string(),
    ] {
        assert!(log.contains(&line), "{line:?} in\n{log}");
    }
    // The local config keeps `here` on the daemon's host.
    let here = module_dir(&ws, "here");
    assert_eq!(status(&here).as_deref(), Some("COMPLETE"));
    assert_eq!(submitted_job(&here), None);

    let run = daemon
        .client
        .start_run("sd", "main", &request(&["fails"]))
        .await
        .unwrap();
    let run = daemon.client.run_to_end(&run.id).await.unwrap();
    assert_eq!(run.state, RunState::Failed);
    assert_eq!(run.failed, ["fails"]);
    assert_eq!(reported_status(&daemon, "fails").await, "FAILED");
    let fails = module_dir(&ws, "fails");
    let id = submitted_job(&fails).unwrap();
    assert_eq!(
        history(&fails).last().unwrap(),
        &format!("Slurm job {id} failed with exit code 1 (FAILED)")
    );
    let log = run_log(&ws, &run.id);
    assert!(log.contains("Error executing module 'fails': "), "{log}");
    daemon.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cancelling_runs_cancels_their_slurm_jobs() {
    if !slurm_up("cancelling_runs_cancels_their_slurm_jobs") {
        return;
    }
    let ws = workspace();
    let daemon = Daemon::start(&ws).await;
    // A running job.
    let slow = module_dir(&ws, "slow");
    let run = daemon
        .client
        .start_run("sd", "main", &request(&["slow"]))
        .await
        .unwrap();
    let started = slow.join("output/data/started");
    wait_until("the module to start on the cluster", || started.exists());
    daemon.client.cancel_run(&run.id).await.unwrap();
    let run: RunInfo = daemon.client.run_to_end(&run.id).await.unwrap();
    assert_eq!(run.state, RunState::Cancelled);
    let id = submitted_job(&slow).unwrap();
    assert_eq!(status(&slow).as_deref(), Some("FAILED"));
    assert!(
        history(&slow).contains(&format!(
            "Execution of slow halted by user (Slurm job {id} was cancelled (CANCELLED))"
        )),
        "{:?}",
        history(&slow)
    );
    assert!(matches!(squeue_state(&id).as_str(), "" | "CANCELLED"));

    // A queued job: shown as QUEUED, then removed without touching the module.
    let run = daemon
        .client
        .start_run("sd", "main", &request(&["waits"]))
        .await
        .unwrap();
    let mut queued = false;
    for _ in 0..300 {
        if reported_status(&daemon, "waits").await == "QUEUED" {
            queued = true;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert!(queued, "the status never showed the job queued");
    daemon.client.cancel_run(&run.id).await.unwrap();
    let run = daemon.client.run_to_end(&run.id).await.unwrap();
    assert_eq!(run.state, RunState::Cancelled);
    assert_eq!(reported_status(&daemon, "waits").await, "UNEXECUTED");
    let waits = module_dir(&ws, "waits");
    let id = submitted_job(&waits).unwrap();
    assert_eq!(
        history(&waits).last().unwrap(),
        &format!("Slurm job {id} was cancelled before the module started")
    );
    daemon.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_restarted_daemon_follows_its_jobs_again() {
    if !slurm_up("a_restarted_daemon_follows_its_jobs_again") {
        return;
    }
    let ws = workspace();
    let dir = module_dir(&ws, "restart");
    let daemon = Daemon::start(&ws).await;
    let first = daemon
        .client
        .start_run("sd", "main", &request(&["restart"]))
        .await
        .unwrap();
    let started = dir.join("output/data/started");
    wait_until("the module to start on the cluster", || started.exists());
    let id = submitted_job(&dir).unwrap();
    // Stopped while the job runs: the job goes on.
    daemon.stop().await;
    assert_eq!(squeue_state(&id), "RUNNING");
    assert_eq!(status(&dir).as_deref(), Some("STARTED"));
    assert!(dir.join(".slurm_job").is_file());

    let daemon = Daemon::start(&ws).await;
    let mut followed = None;
    for _ in 0..300 {
        let runs = daemon.client.runs(&Default::default()).await.unwrap().runs;
        // The first run is listed too (run records outlive the daemon), ended.
        if let Some(run) = runs
            .into_iter()
            .find(|r| r.modules == ["restart"] && r.id != first.id)
        {
            followed = Some(run);
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    let run = followed.expect("the restarted daemon follows the job in a run");
    let run = daemon.client.run_to_end(&run.id).await.unwrap();
    assert_eq!(
        run.state,
        RunState::Succeeded,
        "{run:?}\n{}",
        run_log(&ws, &run.id)
    );
    assert_eq!(run.succeeded, ["restart"]);
    assert_eq!(reported_status(&daemon, "restart").await, "COMPLETE");
    assert_eq!(
        std::fs::read_to_string(dir.join("output/data/out.txt")).unwrap(),
        "done\n"
    );
    assert!(history(&dir).contains(&format!("Following Slurm job {id} again")));
    assert!(run_log(&ws, &run.id).contains(&format!("Following Slurm job {id} again")));
    assert!(!dir.join(".slurm_job").exists() && !dir.join(".execution_lock").exists());
    let first = daemon.client.run(&first.id).await.unwrap();
    assert_eq!(first.state, RunState::Cancelled, "{first:?}");
    assert!(first.error.unwrap().contains("follows it again"));
    daemon.stop().await;
}

/// Slurm's shortest time limit is a minute, so this test takes a little over one.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_module_over_its_time_limit_fails_with_slurms_reason() {
    if !slurm_up("a_module_over_its_time_limit_fails_with_slurms_reason") {
        return;
    }
    let ws = workspace();
    let daemon = Daemon::start(&ws).await;
    let run = daemon
        .client
        .start_run("sd", "main", &request(&["slow"]))
        .await
        .unwrap();
    let run = daemon.client.run_to_end(&run.id).await.unwrap();
    assert_eq!(run.state, RunState::Failed, "{run:?}");
    assert_eq!(run.failed, ["slow"]);
    assert_eq!(reported_status(&daemon, "slow").await, "FAILED");
    let dir = module_dir(&ws, "slow");
    let id = submitted_job(&dir).unwrap();
    let script = std::fs::read_to_string(dir.join(format!("slurm-{id}.sh"))).unwrap();
    assert!(script.contains("#SBATCH --time=1\n"), "{script}");
    let reason = format!("Slurm job {id} reached its time limit (TIMEOUT)");
    assert!(
        history(&dir).contains(&format!("Execution of slow failed: {reason}")),
        "{:?}",
        history(&dir)
    );
    let log = run_log(&ws, &run.id);
    assert!(log.contains(&reason), "{log}");
    assert!(!dir.join(".slurm_job").exists() && !dir.join(".execution_lock").exists());
    daemon.stop().await;
}

/// Needs no cluster: settings are checked before anything is submitted.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unusable_slurm_settings_are_refused_up_front() {
    let ws = workspace();
    let settings = ws.read("pimlicod.toml");
    for (from, to, expected) in [
        (
            "poll_interval = 0.2",
            "poll_interval = 0",
            "[slurm] settings: poll_interval = 0: must be a number of seconds",
        ),
        ("time = ", "tme = ", "unknown field `tme`"),
        (
            "executor = \"slurm\"",
            "executor = \"grid\"",
            "unknown variant `grid`",
        ),
    ] {
        let broken = settings.replace(from, to);
        ws.write("bad.toml", &broken);
        let out = tokio::process::Command::new(slurm_support::pimlicod_bin())
            .arg("--config")
            .arg(ws.join("bad.toml"))
            .current_dir(ws.path())
            .output()
            .await
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(
            !out.status.success() && stderr.contains(expected),
            "{stderr}"
        );
    }

    // A local config value that cannot be used fails the request, naming the key.
    let local = ws.read("local.conf");
    ws.write("local.conf", &format!("{local}slurm_cpus.ok=lots\n"));
    let daemon = Daemon::start(&ws).await;
    let error = daemon
        .client
        .start_run("sd", "main", &request(&["ok"]))
        .await
        .unwrap_err();
    assert_eq!(error.status(), Some(400));
    let message = error.to_string();
    assert!(
        message.contains("local config key 'slurm_cpus.ok' = 'lots'"),
        "{message}"
    );
    daemon.stop().await;
}
