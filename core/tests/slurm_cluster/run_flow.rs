//! The engine's run flow with modules executed as Slurm jobs: real pipeline and local config
//! files, real `internal-exec` children on the cluster, the executor chosen per module.

use std::path::{Path, PathBuf};

use pimlico_config::Pipeline;
use pimlico_core::datatypes::DatatypeRegistry;
use pimlico_core::engine::{
    CollectSink, Engine, LoadSpec, RunEvent, RunOptions, RunSummary, Supervisor, run_modules,
};
use pimlico_core::exec::slurm::RECORD_FILE;
use pimlico_core::exec::{ExecutorKind, ModuleExecutors, SlurmCluster};
use pimlico_core::store::Stores;
use pimlico_core::types::TypeRegistry;
use tempfile::TempDir;
use tokio_util::sync::CancellationToken;

use crate::slurm_support::{
    fast_config, history, last_error_log, status, submitted_job, wait_until,
};

const PIPELINE: &str = r#"[pipeline]
name=sl
release=latest

[ok]
type=command
cmd=echo "hello from the cluster"; echo done > "$PIMLICO_OUTPUT/out.txt"

[here]
type=command
cmd=echo here > "$PIMLICO_OUTPUT/out.txt"

[fails]
type=command
cmd=echo "about to fail"; exit 3

[slow]
type=command
cmd=echo started > "$PIMLICO_OUTPUT/started"; sleep 300

[waits]
type=command
cmd=echo never

[restart]
type=command
cmd=echo started > "$PIMLICO_OUTPUT/started"; sleep 3; echo done > "$PIMLICO_OUTPUT/out.txt"
"#;

struct Setup {
    tmp: TempDir,
    load: LoadSpec,
    pipeline: Pipeline,
    registry: TypeRegistry,
    stores: Stores,
}

impl Setup {
    fn new() -> Self {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path();
        std::fs::write(root.join("p.conf"), PIPELINE).unwrap();
        let local = format!(
            "store={}\nexecutor=slurm\nexecutor.here=local\nslurm_time.slow=1\n\
             slurm_sbatch_args.waits=--begin=now+3600\n",
            root.join("store").display()
        );
        std::fs::write(root.join("local.conf"), local).unwrap();
        std::fs::create_dir_all(root.join("home")).unwrap();
        let load = LoadSpec {
            config: root.join("p.conf"),
            variant: "main".into(),
            local_config: Some(root.join("local.conf")),
            overrides: Vec::new(),
            home: Some(root.join("home")),
        };
        let registry = TypeRegistry::new(DatatypeRegistry::standard());
        let pipeline = pimlico_core::load::load(&load, &registry).unwrap();
        let stores = Stores::for_pipeline(&pipeline).unwrap();
        Self {
            tmp,
            load,
            pipeline,
            registry,
            stores,
        }
    }

    fn dir(&self, module: &str) -> PathBuf {
        self.tmp.path().join("store/sl/main").join(module)
    }

    /// The module's status as `status` reports it.
    fn reported_status(&self, module: &str) -> String {
        let engine = Engine::new(&self.pipeline, &self.registry, &self.stores);
        let config = engine.module(module).unwrap();
        pimlico_core::report::module_summary(&engine, config, None)
            .unwrap()
            .status
    }

    fn executors(&self) -> ModuleExecutors {
        ModuleExecutors::for_pipeline(
            &self.pipeline,
            &self.stores,
            ExecutorKind::Local,
            &SlurmCluster::new(fast_config()).unwrap(),
        )
        .unwrap()
    }

    /// Runs modules as `pimlico run` does, with this test binary as the module program.
    async fn run(&self, modules: &[&str], cancel: CancellationToken) -> (RunSummary, CollectSink) {
        let executors = self.executors();
        let supervisor = Supervisor {
            engine: Engine::new(&self.pipeline, &self.registry, &self.stores),
            executor: &executors,
            program: std::env::current_exe().unwrap(),
            load: self.load.clone(),
            debug: false,
        };
        let options = RunOptions {
            modules: modules.iter().map(|m| m.to_string()).collect(),
            ..RunOptions::default()
        };
        let mut sink = CollectSink::default();
        let summary = run_modules(&supervisor, &options, &mut sink, cancel)
            .await
            .unwrap();
        (summary, sink)
    }
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap()
}

fn started_job(sink: &CollectSink, module: &str) -> String {
    sink.events
        .iter()
        .find_map(|e| match e {
            RunEvent::ModuleStarted { module: m, job } if m == module => Some(job.clone()),
            _ => None,
        })
        .unwrap_or_else(|| panic!("no job started for {module}: {:#?}", sink.events))
}

fn assert_unlocked_and_settled(dir: &Path) {
    assert!(!dir.join(".execution_lock").exists(), "lock removed");
    assert!(!dir.join(RECORD_FILE).exists(), "job record removed");
}

pub fn modules_run_on_slurm_or_locally_as_chosen() {
    let s = Setup::new();
    let executors = s.executors();
    assert_eq!(executors.kind("ok"), ExecutorKind::Slurm);
    assert_eq!(executors.kind("here"), ExecutorKind::Local);
    assert_eq!(
        executors.resources("slow").and_then(|r| r.time.as_deref()),
        Some("1")
    );
    let (summary, sink) = runtime().block_on(s.run(&["ok", "here"], CancellationToken::new()));
    assert_eq!(summary.succeeded, vec!["ok", "here"], "{:#?}", sink.events);
    let job = started_job(&sink, "ok");
    let id = job.strip_prefix("slurm:").expect("ok ran on Slurm");
    assert!(
        started_job(&sink, "here").parse::<u32>().is_ok(),
        "here ran locally"
    );

    let dir = s.dir("ok");
    assert_eq!(status(&dir).as_deref(), Some("COMPLETE"));
    assert_eq!(
        std::fs::read_to_string(dir.join("output/data/out.txt")).unwrap(),
        "done\n"
    );
    let script = dir.join(format!("slurm-{id}.sh"));
    let h = history(&dir);
    assert_eq!(
        h[..2],
        [
            format!("Submitted Slurm job {id} (job script {})", script.display()),
            "Starting execution from the beginning".to_string(),
        ]
    );
    assert_eq!(h.last().unwrap(), "Execution completed successfully");
    let text = std::fs::read_to_string(&script).unwrap();
    assert!(text.contains(" internal-exec ") && text.contains(r#""supervisor_pid":null"#));
    assert!(sink.events.iter().any(|e| matches!(e,
        RunEvent::Output { module, line, .. } if module == "ok" && line == "hello from the cluster")));
    assert_unlocked_and_settled(&dir);
    assert!(
        !history(&s.dir("here"))
            .iter()
            .any(|l| l.starts_with("Submitted Slurm job"))
    );
}

pub fn a_failing_module_fails_by_its_exit_code() {
    let s = Setup::new();
    let (summary, sink) = runtime().block_on(s.run(&["fails"], CancellationToken::new()));
    assert_eq!(summary.failed, vec!["fails"]);
    let dir = s.dir("fails");
    let id = submitted_job(&dir).unwrap();
    assert_eq!(status(&dir).as_deref(), Some("FAILED"));
    let h = history(&dir);
    assert!(
        h.iter().any(|l| l.starts_with("Error executing fails: ")),
        "{h:?}"
    );
    assert_eq!(
        h.last().unwrap(),
        &format!("Slurm job {id} failed with exit code 1 (FAILED)")
    );
    let log = last_error_log(&dir).unwrap();
    assert!(log.contains("about to fail"), "{log}");
    assert!(
        sink.messages()
            .iter()
            .any(|m| m.starts_with("Error executing module 'fails': ")),
        "{:#?}",
        sink.messages()
    );
    assert_unlocked_and_settled(&dir);
}

pub fn a_module_over_its_time_limit_fails_with_the_reason() {
    let s = Setup::new();
    let (summary, sink) = runtime().block_on(s.run(&["slow"], CancellationToken::new()));
    assert_eq!(summary.failed, vec!["slow"]);
    let dir = s.dir("slow");
    let id = submitted_job(&dir).unwrap();
    let script = std::fs::read_to_string(dir.join(format!("slurm-{id}.sh"))).unwrap();
    assert!(script.contains("#SBATCH --time=1\n"), "{script}");
    assert_eq!(status(&dir).as_deref(), Some("FAILED"));
    let reason = format!("Slurm job {id} reached its time limit (TIMEOUT)");
    let h = history(&dir);
    assert!(
        h.contains(&"Execution of slow halted by signal SIGTERM".to_string()),
        "{h:?}"
    );
    assert!(
        h.contains(&format!("Execution of slow failed: {reason}")),
        "{h:?}"
    );
    let log = last_error_log(&dir).unwrap();
    assert!(
        log.contains(&reason) && log.contains("DUE TO TIME LIMIT"),
        "{log}"
    );
    assert!(
        sink.messages()
            .contains(&format!("Error executing module 'slow': {reason}")),
        "{:#?}",
        sink.messages()
    );
    assert_unlocked_and_settled(&dir);
}

pub fn cancelling_a_run_cancels_the_job() {
    let s = Setup::new();
    let dir = s.dir("slow");
    let cancel = CancellationToken::new();
    let watcher = {
        let (cancel, started) = (cancel.clone(), dir.join("output/data/started"));
        std::thread::spawn(move || {
            wait_until("the module to start", || started.exists());
            cancel.cancel();
        })
    };
    let (summary, _) = runtime().block_on(s.run(&["slow"], cancel));
    watcher.join().unwrap();
    assert!(summary.halted);
    assert_eq!(summary.failed, vec!["slow"]);
    let id = submitted_job(&dir).unwrap();
    assert_eq!(status(&dir).as_deref(), Some("FAILED"));
    let h = history(&dir);
    assert!(
        h.contains(&format!(
            "Execution of slow halted by user (Slurm job {id} was cancelled (CANCELLED))"
        )),
        "{h:?}"
    );
    assert_unlocked_and_settled(&dir);
}

pub fn a_restarted_follower_reports_the_outcome() {
    let s = Setup::new();
    let dir = s.dir("restart");
    let first = runtime();
    first.block_on(async {
        let started = dir.join("output/data/started");
        tokio::select! {
            _ = s.run(&["restart"], CancellationToken::new()) => panic!("the run ended early"),
            _ = async {
                while !started.exists() {
                    tokio::time::sleep(std::time::Duration::from_millis(50)).await;
                }
            } => {}
        }
    });
    // The daemon goes away while the job runs.
    drop(first);
    assert_eq!(status(&dir).as_deref(), Some("STARTED"));
    assert!(dir.join(RECORD_FILE).is_file());
    let (result, sink) = runtime().block_on(async {
        let executors = s.executors();
        assert_eq!(executors.slurm().recorded_modules(), vec!["restart"]);
        let job = executors.slurm().reattach("restart").unwrap().unwrap();
        let supervisor = Supervisor {
            engine: Engine::new(&s.pipeline, &s.registry, &s.stores),
            executor: &executors,
            program: std::env::current_exe().unwrap(),
            load: s.load.clone(),
            debug: false,
        };
        let mut sink = CollectSink::default();
        let cancel = CancellationToken::new();
        let result = supervisor
            .follow("restart", Box::new(job), false, &mut sink, &cancel)
            .await;
        (result, sink)
    });
    assert!(result.success && result.status == "COMPLETE", "{result:?}");
    // The output seen before the restart is reported again with the rest.
    let messages = sink.messages();
    let outputting = format!("Outputting 'output' in {}", dir.join("output").display());
    assert!(messages.contains(&outputting), "{messages:#?}");
    assert_eq!(status(&dir).as_deref(), Some("COMPLETE"));
    assert_eq!(
        std::fs::read_to_string(dir.join("output/data/out.txt")).unwrap(),
        "done\n"
    );
    let id = submitted_job(&dir).unwrap();
    assert!(history(&dir).contains(&format!("Following Slurm job {id} again")));
    assert_unlocked_and_settled(&dir);
}

pub fn a_queued_module_shows_as_queued_until_cancelled() {
    let s = Setup::new();
    let dir = s.dir("waits");
    let cancel = CancellationToken::new();
    let (summary, sink) = std::thread::scope(|scope| {
        let watcher = scope.spawn(|| {
            wait_until("the job to be queued", || {
                s.reported_status("waits") == "QUEUED"
            });
            cancel.cancel();
        });
        let result = runtime().block_on(s.run(&["waits"], cancel.clone()));
        watcher.join().unwrap();
        result
    });
    assert!(summary.halted && summary.failed == ["waits"], "{summary:?}");
    let id = submitted_job(&dir).unwrap();
    let refusal = format!("Slurm job {id} was cancelled before the module started");
    assert!(
        sink.messages()
            .contains(&format!("Error running module 'waits': {refusal}")),
        "{:#?}",
        sink.messages()
    );
    assert_eq!(s.reported_status("waits"), "UNEXECUTED");
    assert_eq!(history(&dir).last(), Some(&refusal));
    assert_unlocked_and_settled(&dir);
}
