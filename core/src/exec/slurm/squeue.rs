//! One squeue for every job a cluster handle follows: each job's follower asks for its own
//! state, and an answer less than half a polling interval old is shared, so a daemon following
//! many jobs asks the controller about as often as one following a single job.

use std::collections::{BTreeMap, HashMap};
use std::sync::Mutex;

use tokio::time::Instant;

use super::commands::{Cluster, describe, unknown_job};
use super::state::{JobInfo, parse_squeue};

/// The jobs followed and squeue's last answer about them.
#[derive(Debug, Default)]
pub(super) struct Batch {
    /// Job ids followed, with how many followers each has.
    followed: BTreeMap<String, usize>,
    /// The last answer: the ids asked about, what squeue said, and when.
    asked: Vec<String>,
    answers: HashMap<String, JobInfo>,
    at: Option<Instant>,
}

/// `squeue -o %i|%T|%r|%N|%j` lines: job id, then what [`parse_squeue`] reads.
fn parse_lines(stdout: &str) -> HashMap<String, JobInfo> {
    stdout
        .lines()
        .filter_map(|line| {
            let (id, rest) = line.trim().split_once('|')?;
            Some((id.to_string(), parse_squeue(rest)?))
        })
        .collect()
}

impl Cluster {
    fn batch(&self) -> std::sync::MutexGuard<'_, Batch> {
        self.batch.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Includes a job in the shared squeue until [`Cluster::unfollow`].
    pub(super) fn follow(&self, id: &str) {
        *self.batch().followed.entry(id.to_string()).or_default() += 1;
    }

    pub(super) fn unfollow(&self, id: &str) {
        let mut batch = self.batch();
        if let Some(count) = batch.followed.get_mut(id) {
            *count -= 1;
            if *count == 0 {
                batch.followed.remove(id);
            }
        }
    }

    /// What squeue says about a job (`None`: it does not know it).
    pub(super) async fn squeue(&self, id: &str) -> Result<Option<JobInfo>, String> {
        // One question at a time: followers arriving meanwhile take its answer.
        let _asking = self.asking.lock().await;
        let fresh_for = self.config.poll() / 2;
        let ids: Vec<String> = {
            let batch = self.batch();
            let fresh = batch.at.is_some_and(|at| at.elapsed() < fresh_for);
            if fresh && batch.asked.iter().any(|a| a == id) {
                return Ok(batch.answers.get(id).cloned());
            }
            let mut ids: Vec<String> = batch.followed.keys().cloned().collect();
            if !ids.iter().any(|i| i == id) {
                ids.push(id.to_string());
            }
            ids
        };
        let list = ids.join(",");
        let args = ["-h", "-t", "all", "-j", &list, "-o", "%i|%T|%r|%N|%j"];
        let output = self.run("squeue", &args).await?;
        let answers = if output.status.success() {
            parse_lines(&String::from_utf8_lossy(&output.stdout))
        } else if unknown_job(&output) {
            // Asked about one job only, and squeue does not know it.
            HashMap::new()
        } else {
            return Err(describe("squeue", &args, &output));
        };
        let mut batch = self.batch();
        let answer = answers.get(id).cloned();
        batch.asked = ids;
        batch.answers = answers;
        batch.at = Some(Instant::now());
        Ok(answer)
    }
}

/// An empty batch, for a new cluster handle.
pub(super) fn new_batch() -> Mutex<Batch> {
    Mutex::new(Batch::default())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_are_keyed_by_job_id() {
        let answers = parse_lines(
            "51|FAILED|NonZeroExitCode|vm|pimlico-m\n52|PENDING|Priority|(null)|pimlico-n\n",
        );
        assert_eq!(answers["51"].state, "FAILED");
        assert_eq!(answers["52"].reason.as_deref(), Some("Priority"));
        assert_eq!(answers["52"].name.as_deref(), Some("pimlico-n"));
        assert_eq!(answers.len(), 2);
    }
}
