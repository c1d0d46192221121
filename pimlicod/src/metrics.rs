//! `/metrics` in Prometheus text format: requests by route and status, bytes of module data in
//! and out, runs and transfers by outcome.

use std::collections::BTreeMap;
use std::fmt::Write;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

/// Counters of one daemon.
#[derive(Debug, Default)]
pub struct Metrics {
    requests: Mutex<BTreeMap<(String, String, u16), u64>>,
    bytes_in: AtomicU64,
    bytes_out: AtomicU64,
    manifest_hashed: AtomicU64,
    manifest_cached: AtomicU64,
    runs: Mutex<BTreeMap<&'static str, u64>>,
    transfers: Mutex<BTreeMap<&'static str, u64>>,
}

/// Gauges read from the daemon's state when rendering.
#[derive(Debug, Clone, Copy, Default)]
pub struct Gauges {
    /// Runs queued or running.
    pub runs_active: u64,
    /// Transfers pending or running.
    pub transfers_active: u64,
}

impl Metrics {
    /// Counts a finished request; `route` is the matched route template, never the raw path.
    pub fn request(&self, route: &str, method: &str, status: u16) {
        let mut map = self.requests.lock().unwrap_or_else(|e| e.into_inner());
        *map.entry((route.to_string(), method.to_string(), status))
            .or_default() += 1;
    }

    /// Counts module data received (uploads, pulls).
    pub fn bytes_in(&self, n: u64) {
        self.bytes_in.fetch_add(n, Ordering::Relaxed);
    }

    /// Counts module data sent (downloads).
    pub fn bytes_out(&self, n: u64) {
        self.bytes_out.fetch_add(n, Ordering::Relaxed);
    }

    /// Counts files of a manifest answer: hashed now, or taken from the cache.
    pub fn manifest_files(&self, hashed: u64, cached: u64) {
        self.manifest_hashed.fetch_add(hashed, Ordering::Relaxed);
        self.manifest_cached.fetch_add(cached, Ordering::Relaxed);
    }

    /// Counts a run that ended in `state`.
    pub fn run_finished(&self, state: &'static str) {
        *self
            .runs
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .entry(state)
            .or_default() += 1;
    }

    /// Counts a transfer that ended in `state`.
    pub fn transfer_finished(&self, state: &'static str) {
        *self
            .transfers
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .entry(state)
            .or_default() += 1;
    }

    /// The Prometheus text exposition.
    pub fn render(&self, gauges: Gauges) -> String {
        let mut out = String::new();
        out.push_str("# HELP pimlicod_http_requests_total HTTP requests by route and status.\n");
        out.push_str("# TYPE pimlicod_http_requests_total counter\n");
        for ((route, method, status), n) in self
            .requests
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .iter()
        {
            let _ = writeln!(
                out,
                "pimlicod_http_requests_total{{route=\"{}\",method=\"{method}\",status=\"{status}\"}} {n}",
                escape(route)
            );
        }
        counter(
            &mut out,
            "pimlicod_data_bytes_in_total",
            "Archive bytes of module data received.",
            self.bytes_in.load(Ordering::Relaxed),
        );
        counter(
            &mut out,
            "pimlicod_data_bytes_out_total",
            "Archive bytes of module data sent.",
            self.bytes_out.load(Ordering::Relaxed),
        );
        counter(
            &mut out,
            "pimlicod_manifest_files_hashed_total",
            "Files hashed to answer manifest requests (new or changed since cached).",
            self.manifest_hashed.load(Ordering::Relaxed),
        );
        counter(
            &mut out,
            "pimlicod_manifest_files_cached_total",
            "Files whose hash came from the manifest cache.",
            self.manifest_cached.load(Ordering::Relaxed),
        );
        by_state(
            &mut out,
            "pimlicod_runs_total",
            "Runs ended, by final state.",
            &self.runs,
        );
        by_state(
            &mut out,
            "pimlicod_transfers_total",
            "Transfers ended, by final state.",
            &self.transfers,
        );
        gauge(
            &mut out,
            "pimlicod_runs_active",
            "Runs queued or running.",
            gauges.runs_active,
        );
        gauge(
            &mut out,
            "pimlicod_transfers_active",
            "Transfers pending or running.",
            gauges.transfers_active,
        );
        out
    }
}

fn counter(out: &mut String, name: &str, help: &str, value: u64) {
    let _ = writeln!(
        out,
        "# HELP {name} {help}\n# TYPE {name} counter\n{name} {value}"
    );
}

fn gauge(out: &mut String, name: &str, help: &str, value: u64) {
    let _ = writeln!(
        out,
        "# HELP {name} {help}\n# TYPE {name} gauge\n{name} {value}"
    );
}

fn by_state(out: &mut String, name: &str, help: &str, map: &Mutex<BTreeMap<&'static str, u64>>) {
    let _ = writeln!(out, "# HELP {name} {help}\n# TYPE {name} counter");
    for (state, n) in map.lock().unwrap_or_else(|e| e.into_inner()).iter() {
        let _ = writeln!(out, "{name}{{state=\"{state}\"}} {n}");
    }
}

fn escape(label: &str) -> String {
    label
        .replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}
