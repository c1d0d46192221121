//! Jobs as local child processes, each the leader of its own process group so that cancelling
//! kills the module's whole process tree and a terminal's Ctrl-C reaches only the supervisor.

use std::os::unix::process::ExitStatusExt;
use std::process::Stdio;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use futures::FutureExt;
use futures::future::BoxFuture;
use nix::sys::signal::{Signal, killpg};
use nix::unistd::Pid;
use tokio::io::{AsyncBufReadExt, AsyncRead, BufReader};
use tokio::process::{Child, Command};
use tokio::sync::mpsc::{UnboundedReceiver, UnboundedSender, unbounded_channel};

use super::{
    Canceller, ChildEvent, ExecError, Executor, Job, JobEvent, JobExit, JobSpec, OutputStream,
};

/// Runs jobs as local processes. Must be used inside a tokio runtime.
#[derive(Debug, Clone, Copy, Default)]
pub struct LocalExecutor;

impl Executor for LocalExecutor {
    fn start(&self, spec: JobSpec) -> Result<Box<dyn Job>, ExecError> {
        let mut command = Command::new(&spec.program);
        command
            .args(&spec.args)
            .envs(spec.env.iter().map(|(k, v)| (k, v)))
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .process_group(0);
        let mut child = command.spawn().map_err(|source| ExecError::Spawn {
            module: spec.module.clone(),
            program: spec.program.display().to_string(),
            source,
        })?;
        let pid = child.id();
        let (tx, rx) = unbounded_channel();
        if let Some(stdout) = child.stdout.take() {
            tokio::spawn(forward_lines(stdout, OutputStream::Stdout, tx.clone()));
        }
        if let Some(stderr) = child.stderr.take() {
            tokio::spawn(forward_lines(stderr, OutputStream::Stderr, tx));
        }
        Ok(Box::new(LocalJob {
            module: spec.module,
            child,
            pid,
            events: Some(rx),
            exit: None,
            reaped: Arc::new(AtomicBool::new(false)),
        }))
    }
}

async fn forward_lines(
    stream: impl AsyncRead + Unpin,
    kind: OutputStream,
    tx: UnboundedSender<JobEvent>,
) {
    let mut reader = BufReader::new(stream);
    let mut buf = Vec::new();
    loop {
        buf.clear();
        match reader.read_until(b'\n', &mut buf).await {
            Ok(0) | Err(_) => break,
            Ok(_) => {}
        }
        let line = String::from_utf8_lossy(&buf);
        let line = line.trim_end_matches(['\n', '\r']);
        let event = match kind {
            OutputStream::Stdout => ChildEvent::parse(line).map(JobEvent::Child),
            OutputStream::Stderr => None,
        };
        let event = event.unwrap_or_else(|| JobEvent::Output {
            stream: kind,
            line: line.to_string(),
        });
        if tx.send(event).is_err() {
            break;
        }
    }
}

struct LocalJob {
    module: String,
    child: Child,
    pid: Option<u32>,
    events: Option<UnboundedReceiver<JobEvent>>,
    exit: Option<JobExit>,
    reaped: Arc<AtomicBool>,
}

impl LocalJob {
    fn control_error(&self, source: std::io::Error) -> ExecError {
        ExecError::Control {
            module: self.module.clone(),
            source,
        }
    }

    /// Kills whatever the job's process group still holds once its leader has exited, so no
    /// stray process keeps writing module data (or holds our pipes open).
    fn reap_group(&self) {
        self.reaped.store(true, Ordering::SeqCst);
        if let Some(pid) = self.pid.and_then(|p| i32::try_from(p).ok()) {
            let _ = killpg(Pid::from_raw(pid), Signal::SIGKILL);
        }
    }
}

fn to_exit(status: std::process::ExitStatus) -> JobExit {
    match (status.code(), status.signal()) {
        (Some(code), _) => JobExit::Code(code),
        (None, Some(sig)) => JobExit::Signal(sig),
        (None, None) => JobExit::Code(-1),
    }
}

impl Job for LocalJob {
    fn id(&self) -> String {
        self.pid
            .map_or_else(|| "exited".to_string(), |p| p.to_string())
    }

    fn pid(&self) -> Option<u32> {
        self.pid
    }

    fn take_events(&mut self) -> Option<UnboundedReceiver<JobEvent>> {
        self.events.take()
    }

    fn wait(&mut self) -> BoxFuture<'_, Result<JobExit, ExecError>> {
        async move {
            if let Some(exit) = self.exit {
                return Ok(exit);
            }
            let status = self.child.wait().await.map_err(|e| self.control_error(e))?;
            let exit = to_exit(status);
            self.exit = Some(exit);
            self.reap_group();
            Ok(exit)
        }
        .boxed()
    }

    fn try_wait(&mut self) -> Result<Option<JobExit>, ExecError> {
        if self.exit.is_some() {
            return Ok(self.exit);
        }
        match self.child.try_wait().map_err(|e| self.control_error(e))? {
            Some(status) => {
                let exit = to_exit(status);
                self.exit = Some(exit);
                self.reap_group();
                Ok(Some(exit))
            }
            None => Ok(None),
        }
    }

    fn canceller(&self) -> Canceller {
        let pid = self.pid.and_then(|p| i32::try_from(p).ok());
        let module = self.module.clone();
        let reaped = Arc::clone(&self.reaped);
        // Once the leader is reaped its id may be reused, so a finished job is left alone.
        Arc::new(move || {
            let Some(pid) = pid else { return Ok(()) };
            if reaped.load(Ordering::SeqCst) {
                return Ok(());
            }
            match killpg(Pid::from_raw(pid), Signal::SIGKILL) {
                Ok(()) | Err(nix::errno::Errno::ESRCH) => Ok(()),
                Err(errno) => Err(ExecError::Control {
                    module: module.clone(),
                    source: errno.into(),
                }),
            }
        })
    }
}
