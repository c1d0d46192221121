//! Tokenizing and normalizing a generated corpus of at least 100 MB of text: a pipeline of
//! `simple_tokenize` then `normalize` (lower case, empty sentences removed), run with `run
//! --all` as `pimlico` runs it (each module in a child process, all cores).
//!
//! Prints documents and megabytes per second, and the ratio to the original Pimlico run on the
//! same corpus and pipeline in the same run (its checkout from `PIMLICO_ORIG`, default
//! `/work/orig/pimlico`, run with `PIMLICO_ORIG_PYTHON`, default `/work/orig/venv37/bin/python`),
//! after checking that both wrote the same documents. Options: `--mb N` (corpus size, default
//! 100), `--processes N` (default: the number of cores), `--skip-original`.
#![forbid(unsafe_code)]

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use anyhow::{Context, bail};
use pimlico_core::engine::RunOptions;
use pimlico_modules::formats::doctype::DocType;
use pimlico_modules::formats::grouped::{
    ArchiveGrouper, GroupedCorpusReader, GroupedCorpusWriter, WriterOptions,
};

/// Documents per archive of the generated corpus.
const ARCHIVE_SIZE: usize = 1000;
/// Runs of ours (the median is reported); the original runs once.
const OUR_RUNS: usize = 3;

struct Args {
    mb: usize,
    processes: usize,
    skip_original: bool,
}

fn args() -> anyhow::Result<Args> {
    let mut args = Args {
        mb: 100,
        processes: std::thread::available_parallelism().map_or(1, |n| n.get()),
        skip_original: false,
    };
    let mut it = std::env::args().skip(1);
    while let Some(arg) = it.next() {
        match arg.as_str() {
            "--mb" => args.mb = it.next().context("--mb needs a number")?.parse()?,
            "--processes" => {
                args.processes = it.next().context("--processes needs a number")?.parse()?
            }
            "--skip-original" => args.skip_original = true,
            "--bench" => {}
            other => bail!("unknown argument {other}: use --mb N, --processes N, --skip-original"),
        }
    }
    Ok(args)
}

/// A small deterministic generator (xorshift64*).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

/// English-looking text: words of a few syllables, capitalised sentences with punctuation,
/// several sentences per line, and blank lines between paragraphs.
fn document(rng: &mut Rng, words: &[String], target: usize) -> String {
    let mut doc = String::with_capacity(target + 200);
    while doc.len() < target {
        for _ in 0..1 + rng.below(4) {
            let n = 4 + rng.below(20);
            for i in 0..n {
                let w = &words[rng.below(words.len())];
                if i == 0 {
                    let mut c = w.chars();
                    let first = c.next().expect("words are not empty");
                    doc.extend(first.to_uppercase());
                    doc.push_str(c.as_str());
                } else {
                    doc.push(' ');
                    doc.push_str(w);
                }
                if i + 1 < n && rng.below(10) == 0 {
                    doc.push(',');
                }
            }
            doc.push_str([". ", "! ", "? ", ". "][rng.below(4)]);
        }
        doc.push('\n');
        if rng.below(5) == 0 {
            doc.push_str("\n   \n");
        }
    }
    doc
}

/// Writes a raw text corpus of about `mb` megabytes; returns (documents, bytes).
fn generate(dir: &Path, mb: usize) -> anyhow::Result<(u64, u64)> {
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let syllables = [
        "ka", "lo", "mi", "re", "tan", "so", "vel", "qu", "ist", "on", "ber", "ed",
    ];
    let words: Vec<String> = (0..5000)
        .map(|_| {
            (0..1 + rng.below(4))
                .map(|_| syllables[rng.below(syllables.len())])
                .collect()
        })
        .collect();
    let target = mb * 1_000_000;
    let doc_type = DocType::by_class_name("RawTextDocumentType").expect("built in");
    let mut writer = GroupedCorpusWriter::create(dir, doc_type, WriterOptions::default())?;
    let expected_docs = target / 10_000 + 1;
    let mut grouper = ArchiveGrouper::new(ARCHIVE_SIZE, expected_docs, "archive")?;
    let (mut docs, mut bytes) = (0u64, 0u64);
    while (bytes as usize) < target {
        let size = 2_000 + rng.below(16_000);
        let doc = document(&mut rng, &words, size);
        writer.add_document(
            grouper.next_document(),
            &format!("doc{docs:07}.txt"),
            doc.as_bytes(),
            None,
        )?;
        docs += 1;
        bytes += doc.len() as u64;
    }
    writer.finish()?;
    Ok((docs, bytes))
}

fn write_pipeline(dir: &Path, corpus: &Path) -> anyhow::Result<PathBuf> {
    let config = dir.join("bench_tokenize.conf");
    std::fs::write(
        &config,
        format!(
            "[pipeline]\nname=bench_tokenize\nrelease=latest\n\n[text]\n\
             type=pimlico.datatypes.corpora.GroupedCorpus\ndata_point_type=RawTextDocumentType\n\
             dir={}\n\n[tokenize]\ntype=pimlico.modules.text.simple_tokenize\n\n[normalize]\n\
             type=pimlico.modules.text.normalize\ncase=lower\nremove_empty=T\n",
            corpus.display()
        ),
    )?;
    Ok(config)
}

fn local_config(dir: &Path, store: &Path, processes: usize) -> anyhow::Result<PathBuf> {
    let path = dir.join(format!(
        "local-{}.conf",
        store.file_name().unwrap().to_string_lossy()
    ));
    std::fs::write(
        &path,
        format!("store={}\nprocesses={processes}\n", store.display()),
    )?;
    Ok(path)
}

/// Hash of every document of the pipeline's final output, in order.
fn output_digest(store: &Path) -> anyhow::Result<(u64, String)> {
    let dir = store.join("bench_tokenize/main/normalize/corpus");
    let reader = GroupedCorpusReader::open(&dir)?;
    let mut hasher = blake3::Hasher::new();
    let mut docs = reader.docs();
    let mut n = 0;
    while let Some(doc) = docs.next_doc()? {
        for part in [doc.archive.as_bytes(), doc.name.as_bytes(), doc.data] {
            hasher.update(&(part.len() as u64).to_le_bytes());
            hasher.update(part);
        }
        n += 1;
    }
    Ok((n, hasher.finalize().to_hex().to_string()))
}

fn run_ours(config: &Path, local: &Path) -> anyhow::Result<f64> {
    let start = Instant::now();
    let report = pimlico_modules::run::run_pipeline(
        config.to_path_buf(),
        local.to_path_buf(),
        Vec::new(),
        &RunOptions {
            all: true,
            ..RunOptions::default()
        },
    );
    let seconds = start.elapsed().as_secs_f64();
    match report.summary {
        Ok(s) if s.failed.is_empty() && s.succeeded.len() == 2 => Ok(seconds),
        other => bail!(
            "our run failed: {other:?}\n{}",
            report.events.messages().join("\n")
        ),
    }
}

/// Runs the original, if it is there; `None` when it is not.
fn run_original(config: &Path, local: &Path) -> anyhow::Result<Option<f64>> {
    let orig = PathBuf::from(
        std::env::var("PIMLICO_ORIG").unwrap_or_else(|_| "/work/orig/pimlico".into()),
    );
    let python = PathBuf::from(
        std::env::var("PIMLICO_ORIG_PYTHON")
            .unwrap_or_else(|_| "/work/orig/venv37/bin/python".into()),
    );
    if !orig.join("src/python/pimlico").is_dir() || !python.exists() {
        return Ok(None);
    }
    let start = Instant::now();
    let out = Command::new(&python)
        .args(["-m", "pimlico.cli.main"])
        .arg(config)
        .arg("--lc")
        .arg(local)
        .args(["run", "--all"])
        .env("PYTHONPATH", orig.join("src/python"))
        .output()
        .with_context(|| format!("running {}", python.display()))?;
    let seconds = start.elapsed().as_secs_f64();
    if !out.status.success() {
        bail!(
            "the original failed:\n{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    Ok(Some(seconds))
}

fn main() -> anyhow::Result<()> {
    pimlico_modules::run::dispatch_internal_exec();
    let args = args()?;
    let dir = tempfile::tempdir()?;
    let corpus = dir.path().join("corpus");
    let (docs, bytes) = generate(&corpus, args.mb)?;
    let mb = bytes as f64 / 1e6;
    println!(
        "tokenize: simple_tokenize + normalize (lower case, no empty sentences) over {docs} \
         documents, {mb:.1} MB of text, {} processes",
        args.processes
    );
    let config = write_pipeline(dir.path(), &corpus)?;
    // Ours is short, so the machine's load at one moment weighs on it: the median of three.
    let mut times = Vec::new();
    let mut our_digest = String::new();
    for i in 0..OUR_RUNS {
        let store = dir.path().join(format!("ours{i}"));
        times.push(run_ours(
            &config,
            &local_config(dir.path(), &store, args.processes)?,
        )?);
        let (n, digest) = output_digest(&store)?;
        if n != docs {
            bail!("our output has {n} documents, the input {docs}");
        }
        our_digest = digest;
        std::fs::remove_dir_all(&store)?;
    }
    times.sort_by(f64::total_cmp);
    let ours = times[OUR_RUNS / 2];
    let report = |who: &str, s: f64| {
        println!(
            "{who}: {s:.2} s, {:.0} documents/s, {:.1} MB/s",
            docs as f64 / s,
            mb / s
        )
    };
    report("ours (median of 3 runs)", ours);
    if args.skip_original {
        println!("original Pimlico skipped (--skip-original): ratio unavailable");
        return Ok(());
    }
    let orig_store = dir.path().join("original");
    match run_original(
        &config,
        &local_config(dir.path(), &orig_store, args.processes)?,
    )? {
        None => println!(
            "original Pimlico not found (set PIMLICO_ORIG and PIMLICO_ORIG_PYTHON): ratio \
             unavailable"
        ),
        Some(seconds) => {
            report("original Pimlico", seconds);
            let (_, orig_digest) = output_digest(&orig_store)?;
            if orig_digest != our_digest {
                bail!("the original's output differs from ours");
            }
            println!(
                "same output documents; ours is {:.1}x the original's throughput",
                seconds / ours
            );
        }
    }
    Ok(())
}
