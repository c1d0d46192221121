//! Daemon-to-daemon transfer throughput and memory. Two real `pimlicod` processes on loopback,
//! each with its own store; B pulls a generated text module (256 MB in 7,600 files by default)
//! from A with a scoped token, and the time is compared with
//! `tar cf - | zstd -1 -T0 | zstd -d | tar xf -` on the same data, measured in the same run.
//! Then both daemons are restarted and a 1 GB module is moved, and each daemon's peak resident
//! memory (VmHWM in /proc) is reported.
//!
//! Usage: `cargo build --release -p pimlicod && cargo run --release -p pimlico-bench --bin
//! transfer -- [--mb N] [--files N] [--big-mb N] [--rounds N] [--compression zstd|gzip|none]`.
//! The `pimlicod` binary is taken from next to this one. Needs `tar` and `zstd` on the PATH
//! (`apt-get install zstd`).
#![forbid(unsafe_code)]

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail, ensure};
use pimlico_bench::corpus::generate_module;
use pimlico_client::remote::{Client, ServerSpec};
use pimlico_proto::{DataCompression, PullRequest, TokenRequest, TransferState};

const PIPELINE: &str =
    "[pipeline]\nname=bench\nrelease=latest\n\n[corpus]\ntype=command\ncmd=true\n";

struct Args {
    megabytes: u64,
    files: u64,
    big_megabytes: u64,
    rounds: usize,
    compression: DataCompression,
}

fn parse_args() -> Result<Args> {
    let mut args = Args {
        megabytes: 256,
        files: 7600,
        big_megabytes: 1024,
        rounds: 3,
        compression: DataCompression::Zstd,
    };
    let mut it = std::env::args().skip(1);
    while let Some(arg) = it.next() {
        let mut value = || it.next().context("missing value");
        match arg.as_str() {
            "--mb" => args.megabytes = value()?.parse()?,
            "--files" => args.files = value()?.parse()?,
            "--big-mb" => args.big_megabytes = value()?.parse()?,
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

/// One `pimlicod` process with its own store.
struct Daemon {
    child: Child,
    client: Client,
    root: PathBuf,
}

impl Daemon {
    fn start(dir: &Path, name: &str) -> Result<Self> {
        let exe = std::env::current_exe()?;
        let program = exe.with_file_name("pimlicod");
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
            .env("RUST_LOG", "pimlicod=warn")
            .stderr(Stdio::inherit())
            .spawn()
            .with_context(|| format!("starting {}", program.display()))?;
        let started = Instant::now();
        let addr = loop {
            // Start-up takes milliseconds; the port file appears once the daemon listens.
            if let Ok(text) = std::fs::read_to_string(&port_file)
                && !text.is_empty()
            {
                break text;
            }
            ensure!(
                started.elapsed() < Duration::from_secs(30),
                "{name} did not start"
            );
            std::thread::sleep(Duration::from_millis(20));
        };
        let client = Client::new(&ServerSpec::url(format!("http://{}", addr.trim()), None))?;
        Ok(Daemon {
            child,
            client,
            root: store.join("bench").join("main"),
        })
    }

    /// Peak resident memory (VmHWM) in MB.
    fn peak_mb(&self) -> Result<f64> {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id()))?;
        let line = status
            .lines()
            .find(|l| l.starts_with("VmHWM:"))
            .context("no VmHWM")?;
        let kb: f64 = line
            .split_whitespace()
            .nth(1)
            .context("bad VmHWM")?
            .parse()?;
        Ok(kb / 1024.0)
    }
}

impl Drop for Daemon {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

async fn pull(a: &Daemon, b: &Daemon, compression: DataCompression) -> Result<Duration> {
    let token = a
        .client
        .mint_token(&TokenRequest {
            pipeline: "bench".into(),
            variant: "main".into(),
            modules: vec!["corpus".into()],
            ttl_secs: Some(600),
        })
        .await?;
    let request = PullRequest {
        source: a.client.base_url().to_string(),
        token: token.token,
        modules: vec!["corpus".into()],
        overwrite: false,
        ignore_definition_mismatch: false,
        compression,
        ca_pem: None,
    };
    let start = Instant::now();
    let started = b.client.start_pull("bench", "main", &request).await?;
    let done = b.client.transfer_to_end(&started.id).await?;
    let elapsed = start.elapsed();
    ensure!(
        done.state == TransferState::Succeeded,
        "transfer failed: {:?}",
        done.error
    );
    Ok(elapsed)
}

fn reference(src_parent: &Path, dest: &Path) -> Result<Duration> {
    std::fs::create_dir_all(dest)?;
    let script = format!(
        "tar cf - -C '{}' corpus | zstd -1 -T0 -q | zstd -d -q | tar xf - -C '{}'",
        src_parent.display(),
        dest.display()
    );
    let start = Instant::now();
    let status = Command::new("sh").arg("-c").arg(&script).status()?;
    let elapsed = start.elapsed();
    ensure!(status.success(), "the reference pipeline failed");
    Ok(elapsed)
}

#[tokio::main]
async fn main() -> Result<()> {
    let args = parse_args()?;
    for tool in ["tar", "zstd"] {
        ensure!(
            Command::new(tool).arg("--version").output().is_ok(),
            "{tool} is needed for the reference (apt-get install {tool})"
        );
    }
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
    let (mut ours, mut theirs) = (Vec::new(), Vec::new());
    for round in 0..args.rounds {
        let dest = work.path().join(format!("ref-{round}"));
        theirs.push(reference(&a.root, &dest)?);
        if b.root.join("corpus").exists() {
            b.client.delete_data("bench", "main", "corpus").await?;
        }
        ours.push(pull(&a, &b, args.compression).await?);
    }
    let best = |v: &[Duration]| v.iter().min().copied().unwrap_or_default();
    let (o, t) = (best(&ours), best(&theirs));
    println!(
        "pimlicod pull A -> B:                 {:>7.2} s  ({:.0} MB/s)",
        o.as_secs_f64(),
        data as f64 / 1e6 / o.as_secs_f64()
    );
    println!(
        "tar | zstd -1 -T0 | zstd -d | tar x:  {:>7.2} s  ({:.0} MB/s)",
        t.as_secs_f64(),
        data as f64 / 1e6 / t.as_secs_f64()
    );
    println!(
        "ratio (pimlicod / reference, best of {}): {:.2}  (aim: 1.3 or less)",
        args.rounds,
        o.as_secs_f64() / t.as_secs_f64()
    );
    drop((a, b));

    if args.big_megabytes > 0 {
        let a = Daemon::start(work.path(), "big-a")?;
        let b = Daemon::start(work.path(), "big-b")?;
        let files = (args.big_megabytes * 30).max(1);
        let data = generate_module(
            &a.root.join("corpus"),
            args.big_megabytes * 1_000_000,
            files,
        )?;
        let time = pull(&a, &b, args.compression).await?;
        println!(
            "{:.0} MB in {files} files moved in {:.2} s; peak memory (VmHWM): A {:.1} MB, B {:.1} MB (aim: under 100 MB)",
            data as f64 / 1e6,
            time.as_secs_f64(),
            a.peak_mb()?,
            b.peak_mb()?
        );
    }
    Ok(())
}
