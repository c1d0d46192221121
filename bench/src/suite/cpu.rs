//! CPU time (user + system) from `/proc`, so each measurement can also be compared in CPU
//! seconds: on a shared machine, wall-clock time depends on what else runs, CPU time much less.

use anyhow::{Context, Result};

use crate::daemon::Daemon;

/// Clock ticks per second of `/proc/*/stat` (`sysconf(_SC_CLK_TCK)`, 100 on Linux).
const TICKS: f64 = 100.0;

/// The fields of `/proc/<which>/stat` after the command name, as numbers where they are.
fn stat_fields(which: &str) -> Result<Vec<u64>> {
    let stat = std::fs::read_to_string(format!("/proc/{which}/stat"))?;
    let after_name = stat
        .rfind(')')
        .map(|i| &stat[i + 2..])
        .context("bad /proc stat line")?;
    // Field 3 (the state) is a letter; the numbers after it are what we need.
    Ok(after_name
        .split(' ')
        .skip(1)
        .map(|f| f.parse().unwrap_or(0))
        .collect())
}

/// utime + stime (fields 14 and 15) of `which`, in seconds.
fn own(which: &str) -> Result<f64> {
    let f = stat_fields(which)?;
    Ok((f[10] + f[11]) as f64 / TICKS)
}

/// CPU seconds of this process so far.
pub fn this_process() -> Result<f64> {
    own("self")
}

/// CPU seconds of this process's children that have been waited for (cutime + cstime, which
/// include their own waited-for children: a whole shell pipeline).
pub fn children() -> Result<f64> {
    let f = stat_fields("self")?;
    Ok((f[12] + f[13]) as f64 / TICKS)
}

/// CPU seconds used so far by `daemons` together; for daemons inside this process, this
/// process's CPU time (which then includes the client's).
pub fn daemons(daemons: &[&Daemon]) -> Result<f64> {
    let mut total = 0.0;
    for daemon in daemons {
        match daemon.pid() {
            Some(pid) => total += own(&pid.to_string())?,
            None => return this_process(),
        }
    }
    Ok(total)
}
