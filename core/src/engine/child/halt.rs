//! Stopping cleanly when told to: if the child receives SIGTERM or SIGHUP (also sent by the
//! kernel when its supervisor dies, through the parent-death signal), it records the halt,
//! sets `FAILED`, removes its lock and kills its process group (the module's program).

use std::sync::{Arc, Mutex};

use nix::sys::signal::{Signal, killpg};
use nix::unistd::{getpgrp, getpid, getppid};
use tokio::signal::unix::{SignalKind, signal};

use crate::status::{append_history, set_status, statuses::FAILED};
use crate::store::Stores;

/// Asks the kernel to send SIGTERM when the supervisor dies, and leaves at once (changing
/// nothing) if it is already gone.
pub(super) fn follow_supervisor(supervisor: u32) {
    #[cfg(target_os = "linux")]
    let _ = nix::sys::prctl::set_pdeathsig(Signal::SIGTERM);
    if getppid().as_raw() as u32 != supervisor {
        std::process::exit(super::EXIT_REFUSED);
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
        Some(pid) if getppid().as_raw() as u32 != pid => {
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
