//! Loading a large pipeline config: 400 sections expanding into 4,000 modules through
//! alternatives, with module variables, `%` substitution and default inputs.
//!
//! Prints the time per load and the ratio to the original Pimlico: to its reference time on
//! this machine (4.7 s), and to a measurement of the original on the same generated file when
//! its checkout and Python are available (`PIMLICO_ORIG`, default `/work/orig/pimlico`;
//! `PIMLICO_PYTHON`, default `/work/orig/venv311/bin/python`). The original is given
//! `PIMLICO_ORIG_TIMEOUT` seconds (default 120); if it does not finish, the ratio printed is a
//! lower bound.
#![forbid(unsafe_code)]

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use pimlico_config::{LoadOptions, LocalConfig, StoreRoot, load_pipeline};
use pimlico_modules::catalogue::PimlicoCatalogue;

/// The original's load time for this pipeline, measured on this machine.
const REFERENCE_SECONDS: f64 = 4.7;
/// Module sections (plus one unexpanded input, `extra`).
const SECTIONS: usize = 400;
const ALTERNATIVES: usize = 10;
const LOADS: usize = 20;

/// The generated config: a datatype input with 10 alternatives, then blocks of four sections
/// under a `##` heading (a subset of the input, a split, a concatenation with another input,
/// a store), each expanding into 10 modules. Blocks do not feed each other: the original
/// typechecks chains of corpus views in time exponential in their length.
fn generate() -> String {
    let mut c = String::from(
        "[pipeline]\nname=bench\nrelease=latest\n\n[vars]\nbase=/data/corpora\nsize=100\n\n\
         [extra]\ntype=GroupedCorpus\ndir=%(base)s/extra\nmodvar_n=\"1\"\nmodvar_lang=\"x\"\n\n",
    );
    let dirs: Vec<String> = (0..ALTERNATIVES)
        .map(|i| format!("{{lang{i}}}%(base)s/c{i}"))
        .collect();
    let _ = write!(
        c,
        "# The corpora, one per language\n[m0]\ntype=pimlico.datatypes.corpora.GroupedCorpus\n\
         data_point_type=RawTextDocumentType\ndir={}\nmodvar_lang=altname(dir)\n\
         modvar_n=map(lang, \"lang0\" -> \"10\" * -> \"20\")\n\n",
        dirs.join("|")
    );
    for i in 1..SECTIONS {
        let _ = match i % 4 {
            0 => write!(c, "[m{i}]\ntype=pimlico.modules.corpora.store\n\n"),
            1 => write!(
                c,
                "## Block {}\n# Subset {i}\n[m{i}]\ntype=pimlico.modules.corpora.subset\ninput=m0\n\
                 size=%(size)s\noffset=$(n)\nmodvar_step=\"{i}\"\n\n",
                i / 4
            ),
            2 => write!(
                c,
                "[m{i}]\ntype=pimlico.modules.corpora.split\nset1_size=0.{i}\n\n"
            ),
            _ => write!(
                c,
                "[m{i}]\ntype=pimlico.modules.corpora.concat\ninput_corpora=m{}.set1,extra*2\n\
                 modvar_n=n[0]\nmodvar_lang=lang[1]\n\n",
                i - 1
            ),
        };
    }
    c
}

fn load_once(
    path: &Path,
    catalogue: &PimlicoCatalogue,
    local: &LocalConfig,
) -> anyhow::Result<usize> {
    let pipeline = load_pipeline(
        path,
        LoadOptions {
            variant: "main",
            local: local.clone(),
            resolver: catalogue,
        },
    )?;
    Ok(pipeline.modules.len())
}

/// What became of running the original.
enum Original {
    NotFound,
    Finished(f64),
    TimedOut(u64),
}

/// Times the original Pimlico loading the same file, if it is available.
fn measure_original(config: &Path, store: &Path) -> anyhow::Result<Original> {
    let orig = PathBuf::from(
        std::env::var("PIMLICO_ORIG").unwrap_or_else(|_| "/work/orig/pimlico".into()),
    );
    let python =
        std::env::var("PIMLICO_PYTHON").unwrap_or_else(|_| "/work/orig/venv311/bin/python".into());
    if !orig.join("src/python/pimlico").is_dir() || !Path::new(&python).exists() {
        return Ok(Original::NotFound);
    }
    let timeout: u64 = std::env::var("PIMLICO_ORIG_TIMEOUT")
        .ok()
        .and_then(|t| t.parse().ok())
        .unwrap_or(120);
    let script = format!(
        "import signal, sys, time\nsignal.alarm({timeout})\nsys.path.insert(0, {src:?})\nfrom pimlico.core.config import PipelineConfig\n\
         t = time.perf_counter()\np = PipelineConfig.load({conf:?}, override_local_config={{'store': {store:?}}}, only_override_config=True)\n\
         print(time.perf_counter() - t, len(p.module_order))\n",
        src = orig.join("src/python").display().to_string(),
        conf = config.display().to_string(),
        store = store.display().to_string(),
    );
    let out = Command::new(&python)
        .arg("-c")
        .arg(script)
        .output()
        .with_context(|| format!("running {python}"))?;
    if !out.status.success() {
        // SIGALRM ends Python without a message.
        if out.stderr.is_empty() && out.stdout.is_empty() {
            return Ok(Original::TimedOut(timeout));
        }
        bail!(
            "the original failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let text = String::from_utf8_lossy(&out.stdout);
    let mut parts = text.split_whitespace();
    let seconds: f64 = parts.next().context("no time printed")?.parse()?;
    let modules: usize = parts.next().context("no module count printed")?.parse()?;
    if modules != SECTIONS * ALTERNATIVES + 1 {
        bail!("the original loaded {modules} modules");
    }
    Ok(Original::Finished(seconds))
}

fn main() -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let config = dir.path().join("bench.conf");
    let text = generate();
    std::fs::write(&config, &text)?;
    let catalogue = PimlicoCatalogue::new();
    let local = LocalConfig {
        stores: vec![StoreRoot {
            name: "default".into(),
            root: dir.path().join("store"),
        }],
        ..LocalConfig::default()
    };
    let modules = load_once(&config, &catalogue, &local)?;
    if modules != SECTIONS * ALTERNATIVES + 1 {
        bail!(
            "expected {} modules, loaded {modules}",
            SECTIONS * ALTERNATIVES + 1
        );
    }
    println!(
        "config_load: {SECTIONS} sections expanding into {modules} modules ({} bytes)",
        text.len()
    );
    let mut times: Vec<Duration> = (0..LOADS)
        .map(|_| {
            let start = Instant::now();
            load_once(&config, &catalogue, &local).map(|_| start.elapsed())
        })
        .collect::<anyhow::Result<_>>()?;
    times.sort();
    let best = times[0].as_secs_f64();
    let median = times[LOADS / 2].as_secs_f64();
    println!(
        "ours: median {:.1} ms, best {:.1} ms per load over {LOADS} loads",
        median * 1e3,
        best * 1e3
    );
    println!(
        "original Pimlico, reference on this machine: {REFERENCE_SECONDS:.1} s -> {:.0}x faster",
        REFERENCE_SECONDS / median
    );
    match measure_original(&config, &dir.path().join("store")) {
        Ok(Original::Finished(seconds)) => println!(
            "original Pimlico, measured now on the same file: {seconds:.2} s -> {:.0}x faster",
            seconds / median
        ),
        Ok(Original::TimedOut(limit)) => println!(
            "original Pimlico, measured now on the same file: not done after {limit} s -> more \
             than {:.0}x faster (raise PIMLICO_ORIG_TIMEOUT to measure it fully)",
            limit as f64 / median
        ),
        Ok(Original::NotFound) => println!(
            "original Pimlico not found: set PIMLICO_ORIG and PIMLICO_PYTHON to measure it"
        ),
        Err(e) => println!("original Pimlico could not be measured: {e:#}"),
    }
    Ok(())
}
