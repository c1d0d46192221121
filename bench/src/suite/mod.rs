//! The benchmark suite: generates its data, starts daemons, runs every measurement and its
//! reference in the same run, and returns the rows of the table (see `docs/performance.md`).

pub mod cpu;
mod dumpload;
pub mod load;
pub mod reference;
mod status;
pub mod table;
mod transfer;

use std::path::PathBuf;
use std::time::Duration;

use anyhow::{Context as _, Result, ensure};

pub use table::{Aim, Row, Unit, Value, markdown};
pub use transfer::{mb, pull};

use crate::corpus::generate_module;
use crate::daemon::{Daemon, Launcher};

/// Sizes and repetitions.
#[derive(Debug, Clone)]
pub struct SuiteConfig {
    /// The text module: total bytes and number of files.
    pub corpus: (u64, u64),
    /// The many-small-files module: number of files and bytes per file.
    pub many: (u64, u64),
    /// Bytes moved while the daemons' peak memory is watched.
    pub big_bytes: u64,
    /// Repetitions of each timed measurement (the table shows the median).
    pub rounds: usize,
    /// How long each idle load runs.
    pub load_duration: Duration,
    /// Concurrent connections of the load.
    pub connections: usize,
    /// Run `sync` before each timed run (slow on a busy machine; pointless at tiny sizes).
    pub settle: bool,
    /// Sections to run (all when empty): see [`Section`].
    pub only: Vec<Section>,
}

/// A part of the suite, for running one part alone while working on it (`--only`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Section {
    /// Transfers of the text module.
    Large,
    /// Transfers of the many small files.
    Small,
    /// Dump + load.
    DumpLoad,
    /// Status requests.
    Status,
    /// Peak memory.
    Memory,
}

impl Section {
    /// Every section, by its `--only` name.
    pub const NAMES: [(&'static str, Section); 5] = [
        ("large", Section::Large),
        ("small", Section::Small),
        ("dump-load", Section::DumpLoad),
        ("status", Section::Status),
        ("memory", Section::Memory),
    ];

    /// The section called `name`, if any.
    pub fn parse(name: &str) -> Option<Section> {
        Self::NAMES
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, s)| *s)
    }
}

impl SuiteConfig {
    fn runs(&self, section: Section) -> bool {
        self.only.is_empty() || self.only.contains(&section)
    }
}

impl SuiteConfig {
    /// The sizes of the issue: 256 MB in 7,600 files, 100,000 files of 1 KB, 1 GB.
    pub fn full() -> Self {
        SuiteConfig {
            corpus: (256_000_000, 7_600),
            many: (100_000, 1_000),
            big_bytes: 1_000_000_000,
            rounds: 3,
            load_duration: Duration::from_secs(3),
            connections: 4,
            settle: true,
            only: Vec::new(),
        }
    }

    /// A smoke run of about a minute.
    pub fn quick() -> Self {
        SuiteConfig {
            corpus: (32_000_000, 950),
            many: (10_000, 1_000),
            big_bytes: 64_000_000,
            rounds: 1,
            load_duration: Duration::from_secs(1),
            connections: 4,
            settle: true,
            only: Vec::new(),
        }
    }

    /// Tiny sizes for the suite's own test.
    pub fn tiny() -> Self {
        SuiteConfig {
            corpus: (400_000, 20),
            many: (200, 1_000),
            big_bytes: 500_000,
            rounds: 1,
            load_duration: Duration::from_millis(200),
            connections: 2,
            settle: false,
            only: Vec::new(),
        }
    }
}

/// A module the suite moves.
#[derive(Debug, Clone)]
pub struct DataSet {
    /// Its module name.
    pub module: &'static str,
    /// How the table names it.
    pub label: String,
    /// Aims (ours / reference) with zstd and without compression.
    pub zstd_aim: f64,
    /// See `zstd_aim`.
    pub plain_aim: f64,
}

/// What every measurement needs.
pub struct Context {
    /// How daemons are started.
    pub launcher: Launcher,
    /// Where everything is written (nothing is deleted before the end).
    pub work: PathBuf,
    /// Whether `zstd` is installed (rows with zstd are left out otherwise).
    pub have_zstd: bool,
    /// Rounds per timed measurement.
    pub rounds: usize,
    /// Idle load duration.
    pub load_duration: Duration,
    /// Load connections.
    pub connections: usize,
    /// Whether to print progress to stderr.
    pub verbose: bool,
    /// See [`SuiteConfig::settle`].
    pub settle: bool,
}

impl Context {
    fn log(&self, message: &str) {
        if self.verbose {
            eprintln!("  {message}");
        }
    }

    /// One round of a timed measurement, ours against the reference.
    fn log_round(
        &self,
        what: &str,
        round: usize,
        ours: &reference::Sample,
        theirs: &reference::Sample,
    ) {
        self.log(&format!(
            "{what}, round {}: ours {:.2} s ({:.2} CPU s), reference {:.2} s ({:.2} CPU s)",
            round + 1,
            ours.wall.as_secs_f64(),
            ours.cpu,
            theirs.wall.as_secs_f64(),
            theirs.cpu
        ));
    }

    /// Deletes copies made by a round (outside the timing), so the full sizes fit on a disk.
    fn discard(&self, paths: &[&std::path::Path]) -> Result<()> {
        for path in paths {
            let removed = match std::fs::symlink_metadata(path) {
                Ok(meta) if meta.is_dir() => std::fs::remove_dir_all(path),
                Ok(_) => std::fs::remove_file(path),
                Err(_) => Ok(()),
            };
            removed.with_context(|| format!("removing {}", path.display()))?;
        }
        Ok(())
    }

    /// Writes dirty pages back, so that a measurement does not pay for the last one's writes.
    fn settle(&self) {
        if self.settle {
            reference::settle();
        }
    }
}

/// Runs the whole suite in `work` and returns the table's rows.
pub async fn run(
    config: &SuiteConfig,
    launcher: Launcher,
    work: PathBuf,
    verbose: bool,
) -> Result<Vec<Row>> {
    for tool in ["tar", "gzip"] {
        ensure!(reference::have(tool), "{tool} is needed for the references");
    }
    let ctx = Context {
        launcher,
        work,
        have_zstd: reference::have("zstd"),
        rounds: config.rounds.max(1),
        load_duration: config.load_duration,
        connections: config.connections,
        verbose,
        settle: config.settle,
    };
    if !ctx.have_zstd {
        ctx.log("zstd is not installed (apt-get install zstd): rows with zstd are left out");
    }
    let a = Daemon::start(&ctx.launcher, &ctx.work, "a", &["corpus", "many"])?;
    let (corpus_bytes, corpus_files) = config.corpus;
    let written = generate_module(&a.root.join("corpus"), corpus_bytes, corpus_files)?;
    let corpus = DataSet {
        module: "corpus",
        label: format!("{} in {corpus_files} files", mb(written)),
        zstd_aim: 1.1,
        plain_aim: 1.3,
    };
    let (many_files, many_size) = config.many;
    generate_module(&a.root.join("many"), many_files * many_size, many_files)?;
    let many = DataSet {
        module: "many",
        label: format!("{many_files} files of {} KB", many_size / 1000),
        zstd_aim: 1.3,
        plain_aim: 1.3,
    };
    ctx.log(&format!("data: {}, {}", corpus.label, many.label));

    let mut rows = Vec::new();
    if config.runs(Section::Large) {
        rows.extend(transfer::transfer_rows(&ctx, &a, &corpus).await?);
    }
    if config.runs(Section::Small) {
        rows.extend(transfer::transfer_rows(&ctx, &a, &many).await?);
        rows.push(transfer::first_transfer_row(&ctx, &a, &many).await?);
    }
    if config.runs(Section::DumpLoad) {
        rows.extend(dumpload::dump_load_rows(&ctx, &a.root, &corpus).await?);
    }
    if config.runs(Section::Status) {
        rows.extend(status::status_rows(&ctx, &a, &corpus).await?);
    }
    drop(a);
    if config.runs(Section::Memory) {
        rows.extend(transfer::memory_rows(&ctx, config.big_bytes).await?);
    }
    Ok(rows)
}
