//! The suite at tiny sizes, with daemons served from this process: every measurement and its
//! reference runs, so the suite cannot rot. (Speed itself is the suite's business, not a test's.)

use pimlico_bench::daemon::Launcher;
use pimlico_bench::suite::{SuiteConfig, Unit, markdown, run};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn suite_runs_at_tiny_sizes() {
    let work = tempfile::tempdir().unwrap();
    let rows = run(
        &SuiteConfig::tiny(),
        Launcher::InProcess,
        work.path().to_path_buf(),
        false,
    )
    .await
    .unwrap();
    let table = markdown(&rows);
    for measure in [
        "in 20 files, compression none",
        "transfer 200 files of 1 KB, compression none",
        "first transfer of 200 files of 1 KB (the source hashes it first)",
        "in 20 files, gzip",
        "status requests/s, idle daemon",
        "status p99 latency during a transfer",
    ] {
        assert!(table.contains(measure), "no row {measure:?} in\n{table}");
    }
    for row in &rows {
        assert!(row.ours.number > 0.0, "{row:?}");
        if row.ours.unit == Unit::Seconds {
            assert!(
                row.ratio().is_some_and(|r| r.is_finite() && r > 0.0),
                "{row:?}"
            );
        }
    }
}
