//! Stopping cleanly when told to: if the child receives SIGTERM or SIGHUP, or its supervisor
//! goes away, it records the halt, sets `FAILED`, removes its lock and kills its process group
//! (the module's program).
//!
//! The supervisor is watched by polling the parent pid rather than with the kernel's
//! parent-death signal, which fires when the *thread* that spawned the child exits (a daemon
//! may start jobs from short-lived threads).

use std::sync::{Arc, Mutex};
use std::time::Duration;

use nix::sys::signal::{Signal, killpg};
use nix::unistd::{getpgrp, getpid, getppid};
use tokio::signal::unix::{SignalKind, signal};

use crate::status::{append_history, set_status, statuses::FAILED};
use crate::store::Stores;

/// How often the child checks that its supervisor is still there.
const SUPERVISOR_POLL: Duration = Duration::from_millis(250);

/// Leaves at once (changing nothing) if the supervisor is already gone.
pub(super) fn follow_supervisor(supervisor: u32) {
    if !parent_is(supervisor) {
        std::process::exit(super::EXIT_REFUSED);
    }
}

fn parent_is(pid: u32) -> bool {
    u32::try_from(getppid().as_raw()).is_ok_and(|p| p == pid)
}

/// Resolves when the parent is no longer `supervisor` (never, without one).
async fn supervisor_gone(supervisor: Option<u32>) {
    let Some(pid) = supervisor else {
        return std::future::pending().await;
    };
    let mut tick = tokio::time::interval(SUPERVISOR_POLL);
    loop {
        tick.tick().await;
        if !parent_is(pid) {
            return;
        }
    }
}

/// Serialises the final bookkeeping of the main thread with a halt.
pub(super) struct HaltGuard {
    state: Arc<HaltState>,
}

struct HaltState {
    stores: Stores,
    module: String,
    supervisor: Option<u32>,
    /// True once the final status is written (by the main thread or a halt).
    done: Mutex<bool>,
}

impl HaltGuard {
    /// Starts listening for SIGTERM and SIGHUP.
    pub(super) fn install(stores: &Stores, module: &str, supervisor: Option<u32>) -> Self {
        let state = Arc::new(HaltState {
            stores: stores.clone(),
            module: module.to_string(),
            supervisor,
            done: Mutex::new(false),
        });
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_io()
            .enable_time()
            .build();
        if let Ok(runtime) = runtime {
            // Registered here, before returning, so no signal arrives unhandled.
            let streams = {
                let _entered = runtime.enter();
                signal(SignalKind::terminate()).and_then(|t| Ok((t, signal(SignalKind::hangup())?)))
            };
            if let Ok((mut term, mut hup)) = streams {
                let halt_state = Arc::clone(&state);
                std::thread::spawn(move || {
                    let name = runtime.block_on(async {
                        tokio::select! {
                            _ = term.recv() => "SIGTERM",
                            _ = hup.recv() => "SIGHUP",
                            _ = supervisor_gone(supervisor) => "supervisor gone",
                        }
                    });
                    halt(&halt_state, name);
                });
            }
        }
        Self { state }
    }

    /// Runs the final bookkeeping; a halt arriving meanwhile waits, then does nothing.
    pub(super) fn finish<R>(&self, bookkeeping: impl FnOnce() -> R) -> R {
        let mut done = self.state.done.lock().unwrap_or_else(|e| e.into_inner());
        let result = bookkeeping();
        *done = true;
        result
    }
}

fn halt(state: &HaltState, signal_name: &str) {
    let mut done = state.done.lock().unwrap_or_else(|e| e.into_inner());
    if *done {
        return;
    }
    let module = &state.module;
    let message = match state.supervisor {
        Some(pid) if !parent_is(pid) => {
            format!("Execution of {module} halted: its supervising process ({pid}) exited")
        }
        _ => format!("Execution of {module} halted by signal {signal_name}"),
    };
    let _ = append_history(&state.stores, module, &message);
    let _ = set_status(&state.stores, module, FAILED);
    let _ = crate::lock::release(&state.stores, module, std::process::id());
    *done = true;
    if getpgrp() == getpid() {
        let _ = killpg(getpgrp(), Signal::SIGKILL);
    }
    std::process::exit(super::EXIT_FAILED);
}
