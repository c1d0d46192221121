//! The Slurm executor with plain shell jobs: submission, output, exit, cancel, resubmission,
//! sbatch errors and following a job again.

use std::path::PathBuf;

use pimlico_core::exec::slurm::{RECORD_FILE, Resources, queued_job};
use pimlico_core::exec::{
    ChildEvent, Executor, Job, JobEvent, JobExit, JobSpec, LogLevel, OutputStream, SlurmCluster,
    SlurmConfig, SlurmExecutor,
};
use pimlico_core::store::{Store, Stores};
use tempfile::TempDir;

use crate::slurm_support::{fast_config, history, last_error_log, status, wait_until};

struct Setup {
    tmp: TempDir,
    stores: Stores,
    dir: PathBuf,
}

fn setup() -> Setup {
    let tmp = tempfile::tempdir().unwrap();
    let stores = Stores::from_stores(vec![Store {
        name: "default".into(),
        path: tmp.path().join("store/p/main"),
    }])
    .unwrap();
    let dir = stores.output_module_dir("m");
    Setup { tmp, stores, dir }
}

fn executor(s: &Setup) -> SlurmExecutor {
    SlurmExecutor::new(&SlurmCluster::new(fast_config()).unwrap(), s.stores.clone())
}

fn sh(script: &str) -> JobSpec {
    JobSpec {
        module: "m".into(),
        program: "/bin/sh".into(),
        args: vec!["-c".into(), script.into()],
        env: vec![("GREETING".into(), "hi there".into())],
    }
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap()
}

/// Waits for the job's end and returns its exit with every event it reported.
async fn finish(job: &mut dyn Job) -> (JobExit, Vec<JobEvent>) {
    let mut events = job.take_events().unwrap();
    let exit = job.wait().await.unwrap();
    let mut seen = Vec::new();
    while let Some(event) = events.recv().await {
        seen.push(event);
    }
    (exit, seen)
}

fn output(line: &str) -> JobEvent {
    JobEvent::Output {
        stream: OutputStream::Stdout,
        line: line.into(),
    }
}

pub fn a_job_streams_its_output_and_keeps_its_script() {
    let s = setup();
    runtime().block_on(async {
        let script = r#"echo '{"event":"log","level":"info","logger":"Pimlico","message":"hello"}'
echo "plain $GREETING"
echo oops >&2
echo '{"event":"finished","status":"COMPLETE"}'"#;
        let mut job = executor(&s).start(sh(script)).unwrap();
        let id = job.id().strip_prefix("slurm:").unwrap().to_string();
        let (exit, events) = finish(job.as_mut()).await;
        assert_eq!(exit, JobExit::Code(0), "{events:#?}");
        let script = s.dir.join(format!("slurm-{id}.sh"));
        let submitted = format!("Submitted Slurm job {id} (job script {})", script.display());
        assert_eq!(
            events.first(),
            Some(&JobEvent::Child(ChildEvent::Log {
                level: LogLevel::Info,
                logger: "Pimlico".into(),
                message: submitted.clone()
            }))
        );
        for expected in [
            JobEvent::Child(ChildEvent::Log {
                level: LogLevel::Info,
                logger: "Pimlico".into(),
                message: "hello".into(),
            }),
            output("plain hi there"),
            JobEvent::Output {
                stream: OutputStream::Stderr,
                line: "oops".into(),
            },
            JobEvent::Child(ChildEvent::Finished {
                status: "COMPLETE".into(),
            }),
        ] {
            assert!(events.contains(&expected), "{expected:?} in {events:#?}");
        }
        assert_eq!(history(&s.dir), vec![submitted]);
        let text = std::fs::read_to_string(&script).unwrap();
        for line in [
            "#SBATCH --job-name=pimlico-m",
            "#SBATCH --no-requeue",
            "#SBATCH --time=5",
            "export GREETING='hi there'",
            "exec /bin/sh -c ",
        ] {
            assert!(text.contains(line), "{line:?} in\n{text}");
        }
        assert!(s.dir.join(format!("slurm-{id}.out")).is_file());
        assert!(!s.dir.join(RECORD_FILE).exists(), "the record is removed");
    });
}

pub fn a_job_ending_without_a_result_is_recorded_failed() {
    let s = setup();
    runtime().block_on(async {
        let mut job = executor(&s).start(sh("echo working; exit 7")).unwrap();
        let id = job.id().strip_prefix("slurm:").unwrap().to_string();
        let (exit, events) = finish(job.as_mut()).await;
        assert_eq!(exit, JobExit::Code(1));
        let reason = format!("Slurm job {id} failed with exit code 7 (FAILED)");
        let failed = events.iter().find_map(|e| match e {
            JobEvent::Child(ChildEvent::Failed { message, error_log }) => {
                Some((message.clone(), error_log.clone()))
            }
            _ => None,
        });
        let log = s.dir.join("error000.log");
        assert_eq!(
            failed,
            Some((reason.clone(), Some(log.display().to_string())))
        );
        assert_eq!(status(&s.dir).as_deref(), Some("FAILED"));
        let h = history(&s.dir);
        assert_eq!(
            h[1..],
            [
                format!("Execution of m failed: {reason}"),
                format!("Debugging output in {}", log.display()),
                "Execution completed with status FAILED".to_string(),
            ]
        );
        let text = last_error_log(&s.dir).unwrap();
        assert!(text.contains(&reason) && text.contains("working"), "{text}");
    });
}

pub fn cancelling_a_running_job() {
    let s = setup();
    runtime().block_on(async {
        let mut job = executor(&s)
            .start(sh("echo started; exec sleep 60"))
            .unwrap();
        let id = job.id().strip_prefix("slurm:").unwrap().to_string();
        let mut events = job.take_events().unwrap();
        while let Some(event) = events.recv().await {
            if event == output("started") {
                break;
            }
        }
        job.cancel().unwrap();
        assert_eq!(job.wait().await.unwrap(), JobExit::Code(1));
        assert_eq!(status(&s.dir).as_deref(), Some("FAILED"));
        assert!(
            history(&s.dir).contains(&format!(
                "Execution of m halted by user (Slurm job {id} was cancelled (CANCELLED))"
            )),
            "{:?}",
            history(&s.dir)
        );
        let squeue = std::process::Command::new("squeue")
            .args(["-h", "-t", "all", "-j", &id, "-o", "%T"])
            .output()
            .unwrap();
        let state = String::from_utf8_lossy(&squeue.stdout).trim().to_string();
        assert!(state.is_empty() || state == "CANCELLED", "{state}");
        // Cancelling an ended job does nothing.
        job.cancel().unwrap();
    });
}

pub fn a_queued_job_blocks_resubmission_and_cancelling_it_changes_nothing() {
    let s = setup();
    runtime().block_on(async {
        let exec = executor(&s);
        let later = Resources {
            sbatch_args: vec!["--begin=now+3600".into()],
            ..exec.config().resources()
        };
        let mut job = exec.submit(sh("echo never"), &later).unwrap();
        wait_until("the job to be seen pending", || {
            job.info().is_some_and(|i| i.state == "PENDING")
        });
        let queued = queued_job(&s.dir).expect("a queued job");
        assert_eq!(
            (queued.job_id.as_str(), queued.state.as_str()),
            (job.job_id(), "PENDING")
        );
        let again = exec.start(sh("echo never")).err().expect("refused");
        let message = again.to_string();
        assert!(
            message.contains(&format!(
                "module 'm' already has Slurm job {} (PENDING)",
                job.job_id()
            )),
            "{message}"
        );
        job.cancel().unwrap();
        let (exit, events) = finish(&mut job).await;
        assert_eq!(exit, JobExit::Code(3));
        let refusal = format!(
            "Slurm job {} was cancelled before the module started",
            job.job_id()
        );
        assert!(events.contains(&JobEvent::Child(ChildEvent::Refused {
            message: refusal.clone()
        })));
        assert_eq!(status(&s.dir), None, "the module was never started");
        assert!(queued_job(&s.dir).is_none());
        assert_eq!(history(&s.dir).last(), Some(&refusal));
    });
}

pub fn sbatch_errors_are_reported() {
    let s = setup();
    runtime().block_on(async {
        let exec = executor(&s);
        let nowhere = Resources {
            partition: Some("no-such-partition".into()),
            ..Resources::default()
        };
        let error = exec.submit(sh("true"), &nowhere).err().expect("refused");
        let message = error.to_string();
        assert!(
            message.contains("module 'm'") && message.contains("invalid partition"),
            "{message}"
        );
        assert!(!s.dir.join("slurm-submit.sh").exists());
        assert!(!s.dir.join(RECORD_FILE).exists());
        let bad = SlurmConfig {
            poll_interval: 0.0,
            ..fast_config()
        };
        let error = SlurmCluster::new(bad).unwrap_err().to_string();
        assert!(error.contains("poll_interval"), "{error}");
    });
}

pub fn a_job_is_followed_again_after_a_restart() {
    let s = setup();
    let script = r#"echo one; sleep 2; echo two; echo '{"event":"finished","status":"COMPLETE"}'"#;
    let first = runtime();
    let id = first.block_on(async {
        let mut job = executor(&s).start(sh(script)).unwrap();
        let mut events = job.take_events().unwrap();
        while let Some(event) = events.recv().await {
            if event == output("one") {
                break;
            }
        }
        job.id()
    });
    // The follower goes away with its runtime (a daemon stopping); the job runs on.
    drop(first);
    assert!(s.dir.join(RECORD_FILE).is_file());
    runtime().block_on(async {
        let exec = executor(&s);
        assert_eq!(exec.recorded_modules(), vec!["m".to_string()]);
        let mut job = exec.reattach("m").unwrap().expect("a recorded job");
        assert_eq!(job.id(), id);
        let (exit, events) = finish(&mut job).await;
        assert_eq!(exit, JobExit::Code(0));
        assert!(events.contains(&output("one")) && events.contains(&output("two")));
        let again = format!("Following Slurm job {} again", job.job_id());
        assert!(history(&s.dir).contains(&again));
        assert!(!s.dir.join(RECORD_FILE).exists());
        assert!(exec.reattach("m").unwrap().is_none());
    });
}

pub fn jobs_followed_together_share_one_squeue() {
    let s = setup();
    // Slurm's commands through wrappers that note squeue's arguments (`bin_dir`).
    let bin = s.tmp.path().join("bin");
    std::fs::create_dir_all(&bin).unwrap();
    let calls = s.tmp.path().join("squeue-calls");
    for command in ["sbatch", "squeue", "scontrol", "sacct", "scancel"] {
        let real = which(command);
        let note = if command == "squeue" {
            format!("echo \"$*\" >> '{}'\n", calls.display())
        } else {
            String::new()
        };
        let wrapper = bin.join(command);
        std::fs::write(&wrapper, format!("#!/bin/sh\n{note}exec {real} \"$@\"\n")).unwrap();
        let mut perms = std::fs::metadata(&wrapper).unwrap().permissions();
        std::os::unix::fs::PermissionsExt::set_mode(&mut perms, 0o755);
        std::fs::set_permissions(&wrapper, perms).unwrap();
    }
    let cluster = SlurmCluster::new(SlurmConfig {
        bin_dir: Some(bin),
        ..fast_config()
    })
    .unwrap();
    runtime().block_on(async {
        let exec = SlurmExecutor::new(&cluster, s.stores.clone());
        let mut jobs = Vec::new();
        for module in ["a", "b", "c"] {
            let spec = JobSpec {
                module: module.into(),
                ..sh("sleep 2")
            };
            jobs.push(exec.start(spec).unwrap());
        }
        let ids: Vec<String> = jobs
            .iter()
            .map(|j| j.id().trim_start_matches("slurm:").to_string())
            .collect();
        for job in &mut jobs {
            assert_eq!(job.wait().await.unwrap(), JobExit::Code(0));
        }
        let calls = std::fs::read_to_string(&calls).unwrap();
        let together = ids.join(",");
        assert!(
            calls
                .lines()
                .any(|l| l.contains(&format!("-j {together} "))),
            "no squeue asked about {together} at once:\n{calls}"
        );
    });
}

fn which(command: &str) -> String {
    let output = std::process::Command::new("sh")
        .args(["-c", &format!("command -v {command}")])
        .output()
        .unwrap();
    String::from_utf8_lossy(&output.stdout).trim().to_string()
}
