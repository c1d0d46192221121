//! The benchmark suite: two real `pimlicod` processes on loopback, generated data, and every
//! measurement next to its reference (tar, zstd, gzip) measured in the same run. Prints the
//! machine and a Markdown table.
//!
//! Usage: `cargo run --release -p pimlico-bench --bin suite -- [--quick] [--rounds N] [--dir
//! DIR]`. It first builds `pimlicod` in the same profile (so the daemon measured is never older
//! than the source), unless `--no-build`. `--dir` puts the work directory (about 3 GB for the
//! full sizes) somewhere else than `$TMPDIR`. `--only SECTION` (repeatable: large, small,
//! dump-load, status, memory) runs part of the suite.
#![forbid(unsafe_code)]

use std::path::PathBuf;
use std::process::Command;

use anyhow::{Context, Result, bail};
use pimlico_bench::daemon::Launcher;
use pimlico_bench::suite::{Section, SuiteConfig, markdown, run};

struct Args {
    config: SuiteConfig,
    dir: Option<PathBuf>,
    build: bool,
}

fn parse_args() -> Result<Args> {
    let mut config = SuiteConfig::full();
    let mut rounds = None;
    let mut dir = None;
    let mut build = true;
    let mut only = Vec::new();
    let mut it = std::env::args().skip(1);
    while let Some(arg) = it.next() {
        let mut value = || it.next().context("missing value");
        match arg.as_str() {
            "--quick" => config = SuiteConfig::quick(),
            "--rounds" => rounds = Some(value()?.parse()?),
            "--dir" => dir = Some(PathBuf::from(value()?)),
            "--no-build" => build = false,
            "--only" => {
                let name = value()?;
                let names = Section::NAMES.map(|(n, _)| n).join(", ");
                only.push(
                    Section::parse(&name)
                        .with_context(|| format!("unknown section {name} (one of {names})"))?,
                );
            }
            other => bail!(
                "unknown argument {other} (expected --quick, --rounds N, --dir DIR, --only \
                 SECTION, --no-build)"
            ),
        }
    }
    if let Some(rounds) = rounds {
        config.rounds = rounds;
    }
    config.only = only;
    Ok(Args { config, dir, build })
}

/// Builds `pimlicod` with the cargo and workspace this binary was built from, in its profile.
fn build_daemon() -> Result<()> {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let manifest = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../Cargo.toml");
    let mut command = Command::new(cargo);
    command
        .args(["build", "--quiet", "-p", "pimlicod", "--manifest-path"])
        .arg(&manifest);
    if !cfg!(debug_assertions) {
        command.arg("--release");
    }
    let status = command
        .status()
        .context("running cargo to build pimlicod")?;
    anyhow::ensure!(status.success(), "building pimlicod failed ({status})");
    Ok(())
}

fn first_line(program: &str, args: &[&str]) -> String {
    Command::new(program)
        .args(args)
        .output()
        .ok()
        .and_then(|o| String::from_utf8(o.stdout).ok())
        .and_then(|s| s.lines().next().map(str::to_owned))
        .unwrap_or_else(|| "not installed".into())
}

fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|s| s.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_default()
}

fn machine(work: &std::path::Path) -> String {
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("model name"))
                .and_then(|l| l.split(':').nth(1))
                .map(|m| m.trim().to_owned())
        })
        .unwrap_or_default();
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let memory = std::fs::read_to_string("/proc/meminfo")
        .ok()
        .and_then(|s| {
            s.lines()
                .next()
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|kb| kb.parse::<f64>().ok())
        })
        .map_or(String::new(), |kb| {
            format!("{:.0} GB RAM", kb / 1024.0 / 1024.0)
        });
    let fs = first_line("stat", &["-f", "-c", "%T", &work.display().to_string()]);
    format!(
        "{cpu}, {cores} cores, {memory}, Linux {}, work directory on {fs}; {}; {}",
        first_line("uname", &["-r"]),
        first_line("tar", &["--version"]),
        first_line("zstd", &["--version"]),
    )
}

fn main() -> Result<()> {
    let args = parse_args()?;
    if args.build {
        build_daemon()?;
    }
    let launcher = Launcher::beside_current_exe()?;
    let work = match &args.dir {
        Some(dir) => tempfile::tempdir_in(dir)?,
        None => tempfile::tempdir()?,
    };
    println!("machine: {}", machine(work.path()));
    println!("load average before: {}", load_average());
    let runtime = tokio::runtime::Runtime::new()?;
    let rows = runtime.block_on(run(&args.config, launcher, work.path().to_path_buf(), true))?;
    println!("load average after: {}", load_average());
    println!(
        "\nmedians of {} round(s); ratio = ours / reference\n",
        args.config.rounds
    );
    print!("{}", markdown(&rows));
    eprintln!("removing the work directory {}", work.path().display());
    Ok(())
}
