//! Whether the Slurm tests can run: shared by the engine's Slurm tests (`core/tests`) and the
//! daemon's (`tests/tests/slurm_daemon.rs`). Start the one-node test cluster with
//! `.ci/slurm-setup.sh` (as root).

use std::io::Write;
use std::process::Command;

/// Set to `1` to make the Slurm tests fail, instead of skipping, when Slurm is not up.
pub const REQUIRE: &str = "PIMLICO_REQUIRE_SLURM";

/// Why Slurm cannot be used here, or `None` when a cluster answers with a usable node.
fn unavailable() -> Option<String> {
    let output = match Command::new("sinfo").args(["-h", "-o", "%T"]).output() {
        Ok(output) => output,
        Err(e) => return Some(format!("sinfo could not be run: {e}")),
    };
    if !output.status.success() {
        return Some(format!(
            "sinfo failed: {}",
            String::from_utf8_lossy(&output.stderr).trim()
        ));
    }
    let states = String::from_utf8_lossy(&output.stdout).to_string();
    let usable = states
        .lines()
        .any(|s| matches!(s.trim(), "idle" | "mixed" | "allocated"));
    (!usable).then(|| format!("no usable node (sinfo says {:?})", states.trim()))
}

/// Whether to run the Slurm tests. Without Slurm they are skipped with a message on the
/// terminal, unless [`REQUIRE`] is set, which makes them fail.
pub fn slurm_up(test: &str) -> bool {
    let Some(why) = unavailable() else {
        return true;
    };
    if std::env::var(REQUIRE).is_ok_and(|v| v == "1") {
        panic!(
            "{test}: Slurm is required ({REQUIRE}=1) but not usable: {why}. Start the test \
             cluster with `sudo .ci/slurm-setup.sh`"
        );
    }
    // Written past the test harness's capture, so the skip is seen.
    let _ = writeln!(
        std::io::stderr(),
        "SKIPPED {test}: Slurm is not usable here ({why}); run `sudo .ci/slurm-setup.sh` to \
         start the one-node test cluster, and set {REQUIRE}=1 to make this a failure"
    );
    false
}
