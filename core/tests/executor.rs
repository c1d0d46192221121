//! The local executor: real processes in their own process groups.

mod common;

use std::path::Path;

use pimlico_core::exec::{
    ChildEvent, Executor, JobEvent, JobExit, JobSpec, LocalExecutor, LogLevel, OutputStream,
};
use pimlico_core::lock::process_alive;

fn sh(script: &str) -> JobSpec {
    JobSpec {
        module: "m".into(),
        program: "sh".into(),
        args: vec!["-c".into(), script.into()],
        env: vec![("GREETING".into(), "hi".into())],
    }
}

fn read_pid(path: &Path) -> u32 {
    common::wait_until("the pid file", || {
        std::fs::read_to_string(path).is_ok_and(|t| t.ends_with('\n'))
    });
    std::fs::read_to_string(path)
        .unwrap()
        .trim()
        .parse()
        .unwrap()
}

#[tokio::test]
async fn events_output_and_exit_code_are_reported() {
    let script = r#"echo '{"event":"log","level":"info","logger":"Pimlico","message":"hello"}'
echo "plain $GREETING"
echo oops >&2
exit 5"#;
    let mut job = LocalExecutor.start(sh(script)).unwrap();
    let mut events = job.take_events().unwrap();
    assert_eq!(job.wait().await.unwrap(), JobExit::Code(5));
    let mut got = Vec::new();
    while let Some(event) = events.recv().await {
        got.push(event);
    }
    assert!(got.contains(&JobEvent::Child(ChildEvent::Log {
        level: LogLevel::Info,
        logger: "Pimlico".into(),
        message: "hello".into(),
    })));
    assert!(got.contains(&JobEvent::Output {
        stream: OutputStream::Stdout,
        line: "plain hi".into()
    }));
    assert!(got.contains(&JobEvent::Output {
        stream: OutputStream::Stderr,
        line: "oops".into()
    }));
}

#[tokio::test]
async fn cancelling_kills_the_whole_process_group() {
    let tmp = tempfile::tempdir().unwrap();
    let pidfile = tmp.path().join("pid");
    let script = format!("sleep 60 & echo $! > {}; wait", pidfile.display());
    let mut job = LocalExecutor.start(sh(&script)).unwrap();
    let grandchild = read_pid(&pidfile);
    assert!(process_alive(grandchild));
    job.cancel().unwrap();
    assert_eq!(job.wait().await.unwrap(), JobExit::Signal(9));
    common::wait_until("the grandchild to die", || !process_alive(grandchild));
    // Cancelling a finished job does nothing.
    job.cancel().unwrap();
}

#[tokio::test]
async fn processes_left_behind_by_a_finished_job_are_killed() {
    let tmp = tempfile::tempdir().unwrap();
    let pidfile = tmp.path().join("pid");
    let script = format!(
        "sleep 60 > /dev/null 2>&1 & echo $! > {}",
        pidfile.display()
    );
    let mut job = LocalExecutor.start(sh(&script)).unwrap();
    assert_eq!(job.wait().await.unwrap(), JobExit::Code(0));
    let leftover = read_pid(&pidfile);
    common::wait_until("the leftover process to die", || !process_alive(leftover));
}

#[test]
fn exits_describe_codes_and_signals() {
    assert_eq!(JobExit::Code(2).describe(), "exit code 2");
    assert_eq!(JobExit::Signal(9).describe(), "signal 9 (SIGKILL)");
}
