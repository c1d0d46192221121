//! The `internal-exec` child: the running binary re-executed to run one module. It loads the
//! pipeline again, takes the module's lock, writes `STARTED`, the history and the config
//! snapshot, marks the outputs as being written, runs the module type, then writes the final
//! status and history and removes the lock. Events go to its supervisor as JSON lines on
//! stdout.

mod execute;
mod halt;
mod sink;

pub use execute::{ChildOptions, execute_module_here};
pub use sink::StdoutSink;

use std::ffi::OsString;
use std::sync::Arc;

use super::ExecRequest;
use crate::exec::ChildEvent;
use crate::types::{EventSink, TypeRegistry};

/// The subcommand name binaries must dispatch to [`internal_exec_main`].
pub const INTERNAL_EXEC: &str = "internal-exec";

/// Exit code: the module ran and completed.
pub const EXIT_COMPLETE: i32 = 0;
/// Exit code: the module ran and failed (status, history and error log written).
pub const EXIT_FAILED: i32 = 1;
/// Exit code: the module was not run and nothing was changed (locked, cannot load, ...).
pub const EXIT_REFUSED: i32 = 3;

/// The arguments that make a binary run [`internal_exec_main`] for a request.
pub fn internal_exec_args(request: &ExecRequest) -> Vec<OsString> {
    let json = serde_json::to_string(request).expect("requests serialise");
    vec![INTERNAL_EXEC.into(), json.into()]
}

/// Entry point of `BINARY internal-exec <request JSON>`; `args` are the arguments after the
/// subcommand. Returns the process exit code.
pub fn internal_exec_main(args: &[OsString], registry: &TypeRegistry) -> i32 {
    let sink: Arc<dyn EventSink> = Arc::new(StdoutSink);
    let refuse = |message: String| {
        sink.emit(ChildEvent::Refused { message });
        EXIT_REFUSED
    };
    let request: ExecRequest = match args.first().and_then(|a| a.to_str()) {
        Some(json) => match serde_json::from_str(json) {
            Ok(request) => request,
            Err(e) => return refuse(format!("invalid internal-exec request: {e}")),
        },
        None => return refuse("internal-exec needs a request argument".into()),
    };
    if let Some(supervisor) = request.supervisor_pid {
        halt::follow_supervisor(supervisor);
    }
    let pipeline = match crate::load::load(&request.load, registry) {
        Ok(pipeline) => pipeline,
        Err(e) => return refuse(format!("could not load the pipeline: {e}")),
    };
    let options = ChildOptions {
        force_rerun: request.force_rerun,
        debug: request.debug,
        supervisor_pid: request.supervisor_pid,
        handle_signals: true,
    };
    execute_module_here(&pipeline, registry, &request.module, &options, sink)
}
