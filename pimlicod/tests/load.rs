//! Load: two real `pimlicod` processes. While a 64 MiB transfer from one to the other is held
//! open part-way, 10,000 status requests are answered; then one pulls 50 modules from the other
//! in 50 concurrent transfers. Everything succeeds, the data arrives whole, and both daemons' peak memory
//! (`VmHWM` in `/proc/PID/status`) stays under a bound that a buffered archive would break.

mod fault_support;

use std::sync::Arc;

use fault_support::{NAME, Site, files, holding_proxy, random_file};
use futures::StreamExt;
use pimlico_proto::{DataCompression, PullRequest, TransferState};
use tokio::sync::{Notify, oneshot};

/// Concurrent transfers.
const TRANSFERS: usize = 50;
/// Status requests during one transfer.
const STATUS_REQUESTS: usize = 10_000;
/// Peak resident memory allowed to either daemon during the 50 transfers: about 5 MiB per
/// transfer (buffers, decompression windows, a writer thread each), well above what they use.
const CONCURRENT_BOUND_KIB: u64 = 256 * 1024;
/// Peak resident memory allowed to either daemon while it answers the status requests (they
/// measure about 40 MiB).
const STATUS_BOUND_KIB: u64 = 96 * 1024;
/// How much either daemon's memory may grow while the 64 MiB module streams: the extractor's
/// queue holds up to 16 MiB, and holding the module in memory would break the bound.
const GROWTH_BOUND_KIB: u64 = 40 * 1024;

/// Modules `m01`..`m50` and `big`.
fn pipeline(_: &std::path::Path) -> String {
    let mut text = format!("[pipeline]\nname={NAME}\nrelease=latest\n\n");
    for name in module_names()
        .iter()
        .chain(std::iter::once(&"big".to_string()))
    {
        text.push_str(&format!(
            "[{name}]\ntype=command\ncmd=echo {name} > \"$PIMLICO_OUTPUT/x\"\n\n"
        ));
    }
    text
}

fn module_names() -> Vec<String> {
    (1..=TRANSFERS).map(|i| format!("m{i:02}")).collect()
}

/// Resets the peak that [`peak_rss_kib`] reads (Linux: `echo 5 > /proc/PID/clear_refs`).
fn reset_peak(pid: u32) {
    std::fs::write(format!("/proc/{pid}/clear_refs"), "5").unwrap();
}

/// A line of `/proc/PID/status` in KiB.
fn proc_status_kib(pid: u32, field: &str) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    status
        .lines()
        .find_map(|l| l.strip_prefix(field))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or_else(|| panic!("{field} in /proc/{pid}/status"))
}

/// Peak resident memory (`VmHWM`).
fn peak_rss_kib(pid: u32) -> u64 {
    proc_status_kib(pid, "VmHWM:")
}

/// Resident memory now (`VmRSS`).
fn rss_kib(pid: u32) -> u64 {
    proc_status_kib(pid, "VmRSS:")
}

fn pull(source: &str, modules: Vec<String>) -> PullRequest {
    PullRequest {
        source: source.to_string(),
        token: "unused".into(),
        modules,
        overwrite: false,
        ignore_definition_mismatch: false,
        compression: DataCompression::Zstd,
        ca_pem: None,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fifty_concurrent_transfers_and_ten_thousand_status_requests() {
    let a = Site::with_pipeline(pipeline, None);
    for (i, name) in module_names().iter().enumerate() {
        let dir = a.module_dir(name);
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("metadata"), r#"{"status": "COMPLETE"}"#).unwrap();
        random_file(&dir.join("output/data/part.bin"), 1 << 20, i as u64 + 1);
        for j in 0..10 {
            std::fs::write(
                dir.join(format!("output/data/small{j}.txt")),
                format!("{name} {j}"),
            )
            .unwrap();
        }
    }
    std::fs::create_dir_all(a.module_dir("big")).unwrap();
    random_file(
        &a.module_dir("big").join("output/data/big.bin"),
        64 << 20,
        99,
    );
    let b = Site::with_pipeline(pipeline, None);
    let source = a.start().await;
    let dest = b.start().await;

    // One big transfer held open after 1 MiB, and 10,000 status requests meanwhile.
    let (reached_tx, reached_rx) = oneshot::channel();
    let resume = Arc::new(Notify::new());
    let via = holding_proxy(source.url.clone(), 1 << 20, reached_tx, resume.clone()).await;
    let mut request = pull(&via, vec!["big".into()]);
    request.compression = DataCompression::None;
    let id = dest
        .client
        .start_pull(NAME, "main", &request)
        .await
        .unwrap()
        .id;
    reached_rx.await.unwrap();
    let client = dest.client.clone();
    let answered = futures::stream::iter(0..STATUS_REQUESTS)
        .map(|i| {
            let (client, id) = (client.clone(), id.clone());
            async move {
                if i % 2 == 0 {
                    client
                        .transfer(&id)
                        .await
                        .map(|t| t.state == TransferState::Running)
                } else {
                    client
                        .module_status(NAME, "main", "big", false)
                        .await
                        .map(|_| true)
                }
            }
        })
        .buffer_unordered(16)
        .fold(0usize, |n, r| async move { n + usize::from(r.unwrap()) })
        .await;
    assert_eq!(
        answered, STATUS_REQUESTS,
        "every request answered, the transfer running"
    );
    let (peak_a, peak_b) = (peak_rss_kib(source.pid), peak_rss_kib(dest.pid));
    eprintln!("peak memory, status requests: source {peak_a} KiB, destination {peak_b} KiB");
    assert!(peak_a < STATUS_BOUND_KIB, "source used {peak_a} KiB");
    assert!(peak_b < STATUS_BOUND_KIB, "destination used {peak_b} KiB");

    // The rest of the 64 MiB: memory grows by the archive layer's bounded buffers only.
    reset_peak(source.pid);
    reset_peak(dest.pid);
    let (rss_a, rss_b) = (rss_kib(source.pid), rss_kib(dest.pid));
    resume.notify_one();
    let done = dest.client.transfer_to_end(&id).await.unwrap();
    assert_eq!(done.state, TransferState::Succeeded, "{done:?}");
    assert_eq!(files(&b.module_dir("big")), files(&a.module_dir("big")));

    let grew_a = peak_rss_kib(source.pid).saturating_sub(rss_a);
    let grew_b = peak_rss_kib(dest.pid).saturating_sub(rss_b);
    eprintln!("memory growth, 64 MiB transfer: source {grew_a} KiB, destination {grew_b} KiB");
    assert!(grew_a < GROWTH_BOUND_KIB, "source grew by {grew_a} KiB");
    assert!(
        grew_b < GROWTH_BOUND_KIB,
        "destination grew by {grew_b} KiB"
    );
    reset_peak(source.pid);
    reset_peak(dest.pid);
    // 50 transfers at once, one module each.
    let started = futures::future::join_all(module_names().into_iter().map(|m| {
        let client = dest.client.clone();
        let request = pull(&source.url, vec![m]);
        async move { client.start_pull(NAME, "main", &request).await }
    }))
    .await;
    let ids: Vec<String> = started.into_iter().map(|r| r.unwrap().id).collect();
    assert_eq!(ids.len(), TRANSFERS);
    for id in &ids {
        let done = dest.client.transfer_to_end(id).await.unwrap();
        assert_eq!(done.state, TransferState::Succeeded, "{done:?}");
    }
    for name in module_names() {
        assert_eq!(
            files(&b.module_dir(&name)),
            files(&a.module_dir(&name)),
            "{name}"
        );
    }
    let (peak_a, peak_b) = (peak_rss_kib(source.pid), peak_rss_kib(dest.pid));
    eprintln!("peak memory, {TRANSFERS} transfers: source {peak_a} KiB, destination {peak_b} KiB");
    assert!(peak_a < CONCURRENT_BOUND_KIB, "source used {peak_a} KiB");
    assert!(
        peak_b < CONCURRENT_BOUND_KIB,
        "destination used {peak_b} KiB"
    );

    source.kill9().await;
    dest.kill9().await;
}

#[test]
fn the_reliability_doc_states_the_load() {
    let thousands = format!("{},{:03}", STATUS_REQUESTS / 1000, STATUS_REQUESTS % 1000);
    fault_support::assert_doc_says(&[
        format!("**{thousands} status requests**"),
        format!("**{TRANSFERS} concurrent transfers**"),
        format!("peak under {} MiB per daemon", STATUS_BOUND_KIB / 1024),
        format!("growth under {} MiB", GROWTH_BOUND_KIB / 1024),
        format!("peak under {} MiB per daemon", CONCURRENT_BOUND_KIB / 1024),
    ]);
}
