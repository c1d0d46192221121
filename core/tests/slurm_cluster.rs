//! The Slurm executor on a real cluster (start the one-node test cluster with
//! `.ci/slurm-setup.sh`). Without Slurm these tests are skipped with a message, or fail when
//! `PIMLICO_REQUIRE_SLURM=1`.
//!
//! This binary has its own runner (see `slurm_support/runner.rs`): it is also the program the
//! jobs run, dispatching `internal-exec` as `pimlico` and `pimlicod` do, so the run-flow tests
//! execute modules in real child processes on the cluster.

#[path = "slurm_support/runner.rs"]
mod runner;
#[path = "slurm_support/mod.rs"]
mod slurm_support;

mod slurm_cluster {
    pub mod executor;
    pub mod run_flow;
}

use std::ffi::OsString;

use pimlico_core::datatypes::DatatypeRegistry;
use pimlico_core::engine::child::{INTERNAL_EXEC, internal_exec_main};
use pimlico_core::types::TypeRegistry;

use slurm_cluster::{executor, run_flow};

fn main() {
    let args: Vec<OsString> = std::env::args_os().collect();
    if args.get(1).is_some_and(|a| a == INTERNAL_EXEC) {
        let registry = TypeRegistry::new(DatatypeRegistry::standard());
        std::process::exit(internal_exec_main(&args[2..], &registry));
    }
    runner::run(
        &[
            (
                "executor::a_job_streams_its_output_and_keeps_its_script",
                executor::a_job_streams_its_output_and_keeps_its_script,
            ),
            (
                "executor::a_job_ending_without_a_result_is_recorded_failed",
                executor::a_job_ending_without_a_result_is_recorded_failed,
            ),
            (
                "executor::cancelling_a_running_job",
                executor::cancelling_a_running_job,
            ),
            (
                "executor::a_queued_job_blocks_resubmission_and_cancelling_it_changes_nothing",
                executor::a_queued_job_blocks_resubmission_and_cancelling_it_changes_nothing,
            ),
            (
                "executor::sbatch_errors_are_reported",
                executor::sbatch_errors_are_reported,
            ),
            (
                "executor::a_job_is_followed_again_after_a_restart",
                executor::a_job_is_followed_again_after_a_restart,
            ),
            (
                "executor::jobs_followed_together_share_one_squeue",
                executor::jobs_followed_together_share_one_squeue,
            ),
            (
                "run_flow::modules_run_on_slurm_or_locally_as_chosen",
                run_flow::modules_run_on_slurm_or_locally_as_chosen,
            ),
            (
                "run_flow::a_failing_module_fails_by_its_exit_code",
                run_flow::a_failing_module_fails_by_its_exit_code,
            ),
            (
                "run_flow::a_module_over_its_time_limit_fails_with_the_reason",
                run_flow::a_module_over_its_time_limit_fails_with_the_reason,
            ),
            (
                "run_flow::cancelling_a_run_cancels_the_job",
                run_flow::cancelling_a_run_cancels_the_job,
            ),
            (
                "run_flow::a_queued_module_shows_as_queued_until_cancelled",
                run_flow::a_queued_module_shows_as_queued_until_cancelled,
            ),
            (
                "run_flow::a_restarted_follower_reports_the_outcome",
                run_flow::a_restarted_follower_reports_the_outcome,
            ),
        ],
        slurm_support::slurm_up,
    )
}
