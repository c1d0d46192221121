//! Incremental and resumed daemon-to-daemon transfers, as fractions of a full transfer
//! measured in the same run. Real `pimlicod` processes on loopback, each with its own store.
//! Each round:
//!
//! 1. B pulls a generated text module (200 MB in 2,000 files by default) from A: the full
//!    transfer, the reference.
//! 2. 1% of the files change on A; B pulls again (overwrite): only the changed files travel.
//!    Aim: under 5% of the full transfer's bytes and time.
//! 3. A fresh daemon C starts the same pull, is killed (SIGKILL) once about half the data has arrived, is
//!    restarted, and pulls again: only the rest travels. Aim: under 60% of a full transfer.
//!
//! Usage: `cargo build --release -p pimlicod && cargo run --release -p pimlico-bench --bin
//! transfer_incremental -- [--mb N] [--files N] [--rounds N] [--compression zstd|gzip|none]`.
//! The `pimlicod` binary is taken from next to this one. Each step runs `--rounds` times (3);
//! the ratios printed at the end are the medians of each round's ratio to that round's full
//! transfer, as times on a shared machine vary from one run to the next.
#![forbid(unsafe_code)]

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail, ensure};
use pimlico_bench::corpus::generate_module;
use pimlico_client::remote::{Client, ServerSpec};
use pimlico_proto::{DataCompression, PullRequest, TransferInfo, TransferState};

const PIPELINE: &str =
    "[pipeline]\nname=bench\nrelease=latest\n\n[corpus]\ntype=command\ncmd=true\n";

struct Args {
    megabytes: u64,
    files: u64,
    rounds: usize,
    compression: DataCompression,
}

fn parse_args() -> Result<Args> {
    let mut args = Args {
        megabytes: 200,
        files: 2000,
        rounds: 3,
        compression: DataCompression::Zstd,
    };
    let mut it = std::env::args().skip(1);
    while let Some(arg) = it.next() {
        let mut value = || it.next().context("missing value");
        match arg.as_str() {
            "--mb" => args.megabytes = value()?.parse()?,
            "--files" => args.files = value()?.parse()?,
            "--rounds" => args.rounds = value()?.parse()?,
            "--compression" => {
                args.compression = match value()?.as_str() {
                    "zstd" => DataCompression::Zstd,
                    "gzip" => DataCompression::Gzip,
                    "none" => DataCompression::None,
                    other => bail!("unknown compression {other}"),
                }
            }
            other => bail!("unknown argument {other}"),
        }
    }
    Ok(args)
}

/// One `pimlicod` process with its own store under `<dir>/<name>` (kept across restarts).
struct Daemon {
    child: Child,
    client: Client,
    root: PathBuf,
}

impl Daemon {
    fn start(dir: &Path, name: &str) -> Result<Self> {
        let program = std::env::current_exe()?.with_file_name("pimlicod");
        ensure!(
            program.exists(),
            "{} not found: build it first with `cargo build --release -p pimlicod`",
            program.display()
        );
        let home = dir.join(name);
        std::fs::create_dir_all(&home)?;
        let config = home.join("bench.conf");
        std::fs::write(&config, PIPELINE)?;
        let store = home.join("store");
        let local = home.join("local.conf");
        std::fs::write(&local, format!("store={}\n", store.display()))?;
        let port_file = home.join("port");
        let _ = std::fs::remove_file(&port_file);
        let child = Command::new(&program)
            .args(["--listen", "127.0.0.1:0", "--pipeline"])
            .arg(&config)
            .arg("--local-config")
            .arg(&local)
            .arg("--state-dir")
            .arg(home.join("state"))
            .arg("--port-file")
            .arg(&port_file)
            .env(
                "RUST_LOG",
                std::env::var("PIMLICO_BENCH_LOG").unwrap_or_else(|_| "pimlicod=error".into()),
            )
            .stderr(Stdio::inherit())
            .spawn()
            .with_context(|| format!("starting {}", program.display()))?;
        let started = Instant::now();
        let addr = loop {
            // The port file appears once the daemon listens.
            if let Ok(text) = std::fs::read_to_string(&port_file)
                && !text.is_empty()
            {
                break text;
            }
            ensure!(
                started.elapsed() < Duration::from_secs(30),
                "{name} did not start"
            );
            std::thread::sleep(Duration::from_millis(10));
        };
        let client = Client::new(&ServerSpec::url(format!("http://{}", addr.trim()), None))?;
        Ok(Daemon {
            child,
            client,
            root: store.join("bench").join("main"),
        })
    }
}

impl Drop for Daemon {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

async fn start_pull(a: &Daemon, b: &Daemon, overwrite: bool, c: DataCompression) -> Result<String> {
    let request = PullRequest {
        source: a.client.base_url().to_string(),
        token: String::new(),
        modules: vec!["corpus".into()],
        overwrite,
        ignore_definition_mismatch: false,
        compression: c,
        ca_pem: None,
    };
    Ok(b.client.start_pull("bench", "main", &request).await?.id)
}

/// A whole pull: its record and its time.
async fn pull(
    a: &Daemon,
    b: &Daemon,
    overwrite: bool,
    c: DataCompression,
) -> Result<(TransferInfo, Duration)> {
    let start = Instant::now();
    let id = start_pull(a, b, overwrite, c).await?;
    let done = b.client.transfer_to_end(&id).await?;
    let elapsed = start.elapsed();
    ensure!(
        done.state == TransferState::Succeeded,
        "transfer failed: {:?}",
        done.error
    );
    Ok((done, elapsed))
}

/// Changes every hundredth file, from file `first` on (same size, different content: rotated
/// by one byte).
fn change_one_percent(module: &Path, files: u64, first: u64) -> Result<u64> {
    let mut changed = 0;
    for f in (first..files).step_by(100) {
        let path = module.join(format!("output{}/data/doc-{f:05}.txt", f % 4));
        let mut text =
            std::fs::read(&path).with_context(|| format!("reading {}", path.display()))?;
        text.rotate_left(1);
        std::fs::write(&path, text)?;
        changed += 1;
    }
    Ok(changed)
}

fn line(what: &str, info: &TransferInfo, time: Duration, full: (&TransferInfo, Duration)) {
    println!(
        "  {what:<36} {:>9.1} MB sent in {:>6.2} s = {:>5.1}% of the bytes, {:>5.1}% of the time \
         (reused {} files, resumed {})",
        info.bytes as f64 / 1e6,
        time.as_secs_f64(),
        100.0 * info.bytes as f64 / full.0.bytes.max(1) as f64,
        100.0 * time.as_secs_f64() / full.1.as_secs_f64(),
        info.reused_files,
        info.resumed_files
    );
}

/// One round's fractions of its full transfer: (bytes, time).
#[derive(Debug, Default, Clone, Copy)]
struct Fractions {
    incremental: (f64, f64),
    resumed: (f64, f64),
}

fn fraction(info: &TransferInfo, time: Duration, full: (&TransferInfo, Duration)) -> (f64, f64) {
    (
        info.bytes as f64 / full.0.bytes.max(1) as f64,
        time.as_secs_f64() / full.1.as_secs_f64(),
    )
}

fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    values.get(values.len() / 2).copied().unwrap_or(f64::NAN)
}

/// One round: a full transfer A -> B, a re-transfer after 1% changed, and a pull into a fresh
/// daemon killed at about half way, restarted and pulled again.
async fn round(
    work: &Path,
    a: &Daemon,
    b: &Daemon,
    args: &Args,
    number: usize,
) -> Result<Fractions> {
    println!("round {}:", number + 1);
    if b.root.join("corpus").exists() {
        b.client.delete_data("bench", "main", "corpus").await?;
    }
    let (full, full_time) = pull(a, b, false, args.compression).await?;
    let reference = (&full, full_time);
    println!(
        "  {:<36} {:>9.1} MB sent in {:>6.2} s (reference)",
        "full transfer A -> B",
        full.bytes as f64 / 1e6,
        full_time.as_secs_f64()
    );
    let (same, same_time) = pull(a, b, true, args.compression).await?;
    line("again, nothing changed", &same, same_time, reference);

    let changed = change_one_percent(&a.root.join("corpus"), args.files, number as u64 + 1)?;
    let (inc, inc_time) = pull(a, b, true, args.compression).await?;
    line(
        &format!("again, {changed} files (1%) changed"),
        &inc,
        inc_time,
        reference,
    );

    let name = format!("c{number}");
    let c = Daemon::start(work, &name)?;
    let started = Instant::now();
    let id = start_pull(a, &c, false, args.compression).await?;
    let at_kill = loop {
        let info = c.client.transfer(&id).await?;
        ensure!(
            !info.state.is_finished(),
            "the transfer ended before half way: {info:?}"
        );
        if info.data_bytes * 2 >= full.data_bytes {
            break info;
        }
        // Polling the progress resource: how often only changes how close to half the kill is.
        tokio::time::sleep(Duration::from_millis(5)).await;
    };
    let first_part = started.elapsed();
    drop(c);
    let c = Daemon::start(work, &name)?;
    let (resumed, resumed_time) = pull(a, &c, false, args.compression).await?;
    println!(
        "  {:<36} {:>9.1} MB received in {:>6.2} s before the kill ({:.1}% of the data)",
        "C killed at about half way",
        at_kill.bytes as f64 / 1e6,
        first_part.as_secs_f64(),
        100.0 * at_kill.data_bytes as f64 / full.data_bytes.max(1) as f64
    );
    line(
        "C restarted, same pull again",
        &resumed,
        resumed_time,
        reference,
    );
    Ok(Fractions {
        incremental: fraction(&inc, inc_time, reference),
        resumed: fraction(&resumed, resumed_time, reference),
    })
}

#[tokio::main]
async fn main() -> Result<()> {
    let args = parse_args()?;
    let work = tempfile::tempdir()?;
    let a = Daemon::start(work.path(), "a")?;
    let b = Daemon::start(work.path(), "b")?;
    let data = generate_module(
        &a.root.join("corpus"),
        args.megabytes * 1_000_000,
        args.files,
    )?;
    println!(
        "module: {:.0} MB of text in {} files; {} CPUs; compression {}",
        data as f64 / 1e6,
        args.files,
        std::thread::available_parallelism().map_or(1, |n| n.get()),
        args.compression.as_str()
    );
    // A hashes the module once before the first round (untimed), so that every reference
    // transfer reads its manifest from the cache, as the later transfers do.
    a.client.manifest("bench", "main", "corpus").await?;
    let mut rounds = Vec::new();
    for number in 0..args.rounds.max(1) {
        rounds.push(round(work.path(), &a, &b, &args, number).await?);
    }
    let pick = |f: fn(&Fractions) -> f64| median(rounds.iter().map(f).collect());
    println!(
        "re-transfer with 1% of files changed / full transfer (median of {}): {:.3} of the \
         bytes, {:.3} of the time (aim: under 0.05)",
        rounds.len(),
        pick(|r| r.incremental.0),
        pick(|r| r.incremental.1)
    );
    println!(
        "resumed transfer after a kill at half way / full transfer (median of {}): {:.3} of the \
         bytes, {:.3} of the time (aim: under 0.60)",
        rounds.len(),
        pick(|r| r.resumed.0),
        pick(|r| r.resumed.1)
    );
    Ok(())
}
