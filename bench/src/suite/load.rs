//! A small load generator (our own, in the spirit of `wrk`): a few connections, each sending
//! `GET` requests back to back and recording each one's latency, until told to stop.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use anyhow::Result;
use pimlico_client::remote::Client;

/// What a load run saw.
#[derive(Debug, Clone, Default)]
pub struct LoadResult {
    /// Latency of every completed request, sorted.
    pub latencies: Vec<Duration>,
    /// How long the load ran.
    pub elapsed: Duration,
}

impl LoadResult {
    /// Completed requests per second.
    pub fn per_second(&self) -> f64 {
        self.latencies.len() as f64 / self.elapsed.as_secs_f64().max(1e-9)
    }

    /// The latency below which `p` (0-1) of the requests completed.
    pub fn percentile(&self, p: f64) -> Duration {
        if self.latencies.is_empty() {
            return Duration::ZERO;
        }
        let rank = ((p * self.latencies.len() as f64).ceil() as usize).max(1);
        self.latencies[rank.min(self.latencies.len()) - 1]
    }
}

/// A running load; [`Load::stop`] ends it and collects the latencies.
pub struct Load {
    stop: Arc<AtomicBool>,
    started: Instant,
    workers: Vec<tokio::task::JoinHandle<Result<Vec<Duration>>>>,
}

impl Load {
    /// Starts `connections` workers sending `GET /<segments>` to `client`'s daemon.
    pub fn start(client: &Client, segments: &[&str], connections: usize) -> Self {
        let stop = Arc::new(AtomicBool::new(false));
        let segments: Arc<Vec<String>> = Arc::new(segments.iter().map(|s| s.to_string()).collect());
        let workers = (0..connections.max(1))
            .map(|_| {
                let (client, stop, segments) = (client.clone(), stop.clone(), segments.clone());
                tokio::spawn(async move {
                    let path: Vec<&str> = segments.iter().map(String::as_str).collect();
                    let mut latencies = Vec::new();
                    while !stop.load(Ordering::Relaxed) {
                        let start = Instant::now();
                        let response = client.get_raw(&path).await?;
                        response.bytes().await?;
                        latencies.push(start.elapsed());
                    }
                    Ok(latencies)
                })
            })
            .collect();
        Load {
            stop,
            started: Instant::now(),
            workers,
        }
    }

    /// Stops the workers (each finishes its request in flight) and returns what they saw.
    pub async fn stop(self) -> Result<LoadResult> {
        self.stop.store(true, Ordering::Relaxed);
        let elapsed = self.started.elapsed();
        let mut latencies = Vec::new();
        for worker in self.workers {
            latencies.extend(worker.await??);
        }
        latencies.sort();
        Ok(LoadResult { latencies, elapsed })
    }
}

/// Runs a load for `duration`.
pub async fn run_for(
    client: &Client,
    segments: &[&str],
    connections: usize,
    duration: Duration,
) -> Result<LoadResult> {
    let load = Load::start(client, segments, connections);
    tokio::time::sleep(duration).await;
    load.stop().await
}
