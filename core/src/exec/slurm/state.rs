//! Slurm job states as squeue, `scontrol show job` and sacct report them, and what they mean
//! for a module.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use crate::status::statuses::{COMPLETE, FAILED, STARTED};

/// What Slurm says about a job.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct JobInfo {
    /// The state's name (`PENDING`, `RUNNING`, `COMPLETED`, `TIMEOUT`, ...).
    pub state: String,
    /// Why it is in that state (`Priority`, `Resources`, `TimeLimit`, ...), when Slurm says.
    pub reason: Option<String>,
    /// Exit code and signal of the batch script, once known.
    pub exit: Option<(i32, i32)>,
    /// The node(s) it runs or ran on.
    pub nodes: Option<String>,
    /// The job's name.
    pub name: Option<String>,
}

/// Where a job is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phase {
    /// Waiting to be scheduled (held, pending, requeued).
    Queued,
    /// Running (or starting, completing, suspended).
    Running,
    /// Ended; the state says how.
    Ended,
}

impl JobInfo {
    /// The phase of the job's state.
    pub fn phase(&self) -> Phase {
        match self.state.as_str() {
            "PENDING" | "REQUEUED" | "REQUEUE_HOLD" | "REQUEUE_FED" | "RESV_DEL_HOLD" => {
                Phase::Queued
            }
            "RUNNING" | "CONFIGURING" | "COMPLETING" | "SUSPENDED" | "STOPPED" | "SIGNALING"
            | "STAGE_OUT" | "RESIZING" => Phase::Running,
            _ => Phase::Ended,
        }
    }

    /// The module status this state maps onto: `None` while queued (the module has not
    /// started), then `STARTED`, `COMPLETE` or `FAILED`.
    pub fn module_status(&self) -> Option<&'static str> {
        match self.phase() {
            Phase::Queued => None,
            Phase::Running => Some(STARTED),
            Phase::Ended if self.state == "COMPLETED" => Some(COMPLETE),
            Phase::Ended => Some(FAILED),
        }
    }

    /// How the job ended, as a phrase following "Slurm job N": `reached its time limit
    /// (TIMEOUT)`.
    pub fn describe_end(&self) -> String {
        let state = self.state.as_str();
        let what = match state {
            "COMPLETED" => "completed".to_string(),
            "TIMEOUT" => "reached its time limit".to_string(),
            "OUT_OF_MEMORY" => "ran out of memory".to_string(),
            "CANCELLED" => "was cancelled".to_string(),
            "NODE_FAIL" => "ended because its node failed".to_string(),
            "PREEMPTED" => "was preempted".to_string(),
            "BOOT_FAIL" => "could not start: its node failed to boot".to_string(),
            "DEADLINE" => "reached its deadline".to_string(),
            "FAILED" => match self.exit {
                Some((_, signal)) if signal != 0 => {
                    format!(
                        "failed: killed by {}",
                        crate::exec::JobExit::Signal(signal).describe()
                    )
                }
                Some((code, _)) => format!("failed with exit code {code}"),
                None => "failed".to_string(),
            },
            other => format!("ended in state {other}"),
        };
        let reason = self
            .reason
            .as_deref()
            // Reasons that only restate the state are left out.
            .filter(|r| {
                !matches!(
                    *r,
                    "None" | "" | "NonZeroExitCode" | "TimeLimit" | "OutOfMemory"
                )
            });
        match reason {
            Some(reason) => format!("{what} ({state}, reason {reason})"),
            None => format!("{what} ({state})"),
        }
    }
}

/// The first word of a state (sacct writes `CANCELLED by 0`), upper-case.
fn state_word(text: &str) -> String {
    text.split_whitespace()
        .next()
        .unwrap_or("")
        .trim_end_matches('+')
        .to_ascii_uppercase()
}

/// `3:0` → `(3, 0)`.
fn parse_exit(text: &str) -> Option<(i32, i32)> {
    let (code, signal) = text.trim().split_once(':')?;
    Some((code.parse().ok()?, signal.parse().ok()?))
}

fn non_empty(text: &str) -> Option<String> {
    let text = text.trim();
    (!text.is_empty() && text != "(null)").then(|| text.to_string())
}

/// One line of `squeue -h -o %T|%r|%N|%j`.
pub(super) fn parse_squeue(line: &str) -> Option<JobInfo> {
    let mut fields = line.trim().splitn(4, '|');
    let state = state_word(fields.next()?);
    if state.is_empty() {
        return None;
    }
    Some(JobInfo {
        state,
        reason: fields.next().and_then(non_empty),
        exit: None,
        nodes: fields.next().and_then(non_empty),
        name: fields.next().and_then(non_empty),
    })
}

/// `scontrol show job -o`'s `Key=Value` pairs. A word without `=` continues the previous
/// value (values such as paths may contain spaces).
fn scontrol_pairs(text: &str) -> HashMap<String, String> {
    let mut pairs = HashMap::new();
    let mut last: Option<String> = None;
    for word in text.split_whitespace() {
        let key_like = word.split_once('=').filter(|(key, _)| {
            !key.is_empty()
                && key
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '/' | ':' | '_' | '.'))
        });
        match key_like {
            Some((key, value)) => {
                pairs.insert(key.to_string(), value.to_string());
                last = Some(key.to_string());
            }
            None => {
                if let Some(value) = last.as_ref().and_then(|k| pairs.get_mut(k)) {
                    value.push(' ');
                    value.push_str(word);
                }
            }
        }
    }
    pairs
}

/// The output of `scontrol show job -o ID` (one line).
pub(super) fn parse_scontrol(text: &str) -> Option<JobInfo> {
    let pairs = scontrol_pairs(text);
    let state = state_word(pairs.get("JobState")?);
    Some(JobInfo {
        state,
        reason: pairs.get("Reason").and_then(|r| non_empty(r)),
        exit: pairs.get("ExitCode").and_then(|e| parse_exit(e)),
        nodes: pairs
            .get("BatchHost")
            .or_else(|| pairs.get("NodeList"))
            .and_then(|n| non_empty(n)),
        name: pairs.get("JobName").and_then(|n| non_empty(n)),
    })
}

/// One line of `sacct -X -n -P -o State,ExitCode,NodeList,JobName`.
pub(super) fn parse_sacct(line: &str) -> Option<JobInfo> {
    let mut fields = line.trim().splitn(4, '|');
    let state = state_word(fields.next()?);
    if state.is_empty() {
        return None;
    }
    Some(JobInfo {
        state,
        reason: None,
        exit: fields.next().and_then(parse_exit),
        nodes: fields.next().and_then(non_empty),
        name: fields.next().and_then(non_empty),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `scontrol show job -o` as Slurm 22.05 prints it for a job over its time limit.
    const SCONTROL: &str = "JobId=4 JobName=pimlico-slow UserId=root(0) GroupId=root(0) \
        MCS_label=N/A Priority=4294901757 Nice=0 Account=(null) QOS=(null) JobState=TIMEOUT \
        Reason=TimeLimit Dependency=(null) Requeue=0 Restarts=0 BatchFlag=1 Reboot=0 \
        ExitCode=1:0 RunTime=00:01:17 TimeLimit=00:01:00 TimeMin=N/A NodeList=vm BatchHost=vm \
        NumNodes=1 Command=/data/my store/slow/slurm-submit.sh WorkDir=/data/my store/slow \
        StdErr=/data/my store/slow/slurm-4.err StdOut=/data/my store/slow/slurm-4.out";

    #[test]
    fn scontrol_output_is_read_with_spaces_in_values() {
        let info = parse_scontrol(SCONTROL).unwrap();
        assert_eq!(
            info,
            JobInfo {
                state: "TIMEOUT".into(),
                reason: Some("TimeLimit".into()),
                exit: Some((1, 0)),
                nodes: Some("vm".into()),
                name: Some("pimlico-slow".into()),
            }
        );
        assert_eq!(scontrol_pairs(SCONTROL)["WorkDir"], "/data/my store/slow");
        assert_eq!(info.phase(), Phase::Ended);
        assert_eq!(info.module_status(), Some(FAILED));
        assert_eq!(info.describe_end(), "reached its time limit (TIMEOUT)");
    }

    #[test]
    fn squeue_and_sacct_lines_are_read() {
        let queued = parse_squeue("PENDING|Priority|(null)|pimlico-m\n").unwrap();
        assert_eq!(queued.phase(), Phase::Queued);
        assert_eq!(queued.module_status(), None);
        assert_eq!(queued.reason.as_deref(), Some("Priority"));
        assert_eq!(queued.nodes, None);
        let running = parse_squeue("RUNNING|None|node07|pimlico-m").unwrap();
        assert_eq!(running.module_status(), Some(STARTED));
        assert!(parse_squeue("").is_none());

        let cancelled = parse_sacct("CANCELLED by 0|0:15|node07|pimlico-m").unwrap();
        assert_eq!(cancelled.state, "CANCELLED");
        assert_eq!(cancelled.exit, Some((0, 15)));
        assert_eq!(cancelled.describe_end(), "was cancelled (CANCELLED)");
        let oom = parse_sacct("OUT_OF_MEMORY|0:125|node07|pimlico-m").unwrap();
        assert_eq!(oom.describe_end(), "ran out of memory (OUT_OF_MEMORY)");
        let done = parse_sacct("COMPLETED|0:0|node07|pimlico-m").unwrap();
        assert_eq!(done.module_status(), Some(COMPLETE));
    }

    #[test]
    fn failures_say_how_the_job_ended() {
        let failed = |exit, reason: &str| JobInfo {
            state: "FAILED".into(),
            reason: Some(reason.into()),
            exit,
            nodes: None,
            name: None,
        };
        assert_eq!(
            failed(Some((7, 0)), "NonZeroExitCode").describe_end(),
            "failed with exit code 7 (FAILED)"
        );
        assert_eq!(
            failed(Some((0, 9)), "RaisedSignal:9(Killed)").describe_end(),
            "failed: killed by signal 9 (SIGKILL) (FAILED, reason RaisedSignal:9(Killed))"
        );
        let node = JobInfo {
            state: "NODE_FAIL".into(),
            ..failed(None, "NodeDown")
        };
        assert_eq!(
            node.describe_end(),
            "ended because its node failed (NODE_FAIL, reason NodeDown)"
        );
    }
}
