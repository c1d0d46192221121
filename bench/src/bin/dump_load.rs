//! Dump and load throughput on a module shaped like a real text corpus (by default 256 MB of
//! text in 7,600 files in a few subdirectories), against GNU tar + gzip (`tar czf`/`tar xzf`)
//! and, when zstd is installed, `tar --zstd`, all measured in the same run on the same data.
//!
//! Usage: `cargo run --release -p pimlico-bench --bin dump_load -- [--mb N] [--files N]
//! [--gzip-level L] [--threads T] [--python]`. `--python` also times the original's way of
//! dumping and loading (Python's `tarfile`, gzip level 9), which takes a while.
//!
//! Nothing is deleted until the end: on ext4, creating files soon after deleting many costs the
//! kernel's inode allocator far more (`recently_deleted`), which would skew later measurements.
//! Set `TMPDIR` to a tmpfs to measure CPU cost without the disk.
#![forbid(unsafe_code)]

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail, ensure};
use pimlico_bench::corpus::generate_module;
use pimlico_core::archive::{
    Compression, DumpMetadata, DumpOptions, ExtractOptions, Staging, dump_module_to_dir,
    extract_into_staging, install,
};

struct Args {
    megabytes: u64,
    files: u64,
    gzip_level: u32,
    threads: usize,
    python: bool,
}

fn parse_args() -> Result<Args> {
    let mut args = Args {
        megabytes: 256,
        files: 7600,
        gzip_level: Compression::DEFAULT_GZIP_LEVEL,
        threads: 0,
        python: false,
    };
    let mut it = std::env::args().skip(1);
    while let Some(arg) = it.next() {
        let mut value = || it.next().context("missing value");
        match arg.as_str() {
            "--mb" => args.megabytes = value()?.parse()?,
            "--files" => args.files = value()?.parse()?,
            "--gzip-level" => args.gzip_level = value()?.parse()?,
            "--threads" => args.threads = value()?.parse()?,
            "--python" => args.python = true,
            other => bail!("unknown argument {other}"),
        }
    }
    Ok(args)
}

/// Wall-clock and CPU time (user + system, of this process and of waited-for children) of a
/// piece of work. The machine may be shared, so CPU time is the fairer measure of cost.
#[derive(Clone, Copy)]
struct Cost {
    wall: Duration,
    cpu: Duration,
}

/// CPU time so far from `/proc/self/stat`: utime, stime, cutime, cstime (in clock ticks).
fn cpu_time() -> Result<Duration> {
    let stat = fs::read_to_string("/proc/self/stat")?;
    let after_name = &stat[stat.rfind(')').context("bad /proc/self/stat")? + 2..];
    let fields: Vec<&str> = after_name.split(' ').collect();
    let mut ticks = 0u64;
    // Fields 14-17 of the file are 11-14 after the name and state.
    for field in &fields[11..15] {
        ticks += field.parse::<u64>()?;
    }
    Ok(Duration::from_millis(ticks * 10))
}

async fn measure<F, T>(work: F) -> Result<(T, Cost)>
where
    F: std::future::Future<Output = Result<T>>,
{
    let (start, cpu) = (Instant::now(), cpu_time()?);
    let value = work.await?;
    let cost = Cost {
        wall: start.elapsed(),
        cpu: cpu_time()? - cpu,
    };
    Ok((value, cost))
}

async fn run(command: &mut Command) -> Result<Cost> {
    let ((), cost) = measure(async {
        let status = command
            .status()
            .with_context(|| format!("running {command:?}"))?;
        ensure!(status.success(), "{command:?} failed");
        Ok(())
    })
    .await?;
    Ok(cost)
}

fn mb_per_s(bytes: u64, time: Duration) -> f64 {
    bytes as f64 / 1e6 / time.as_secs_f64()
}

struct Row {
    name: String,
    dump: Cost,
    load: Cost,
    size: u64,
}

fn print_rows(rows: &[Row], data: u64) {
    let reference = &rows[0];
    println!(
        "{:<30} {:>16} {:>16} {:>16} {:>16} {:>7}",
        "", "dump MB/s (x)", "load MB/s (x)", "dump MB/cpu-s (x)", "load MB/cpu-s (x)", "size"
    );
    let cell = |time: Duration, reference: Duration| {
        format!(
            "{:.0} ({:.2}x)",
            mb_per_s(data, time),
            reference.as_secs_f64() / time.as_secs_f64()
        )
    };
    for row in rows {
        println!(
            "{:<30} {:>16} {:>16} {:>16} {:>16} {:>6.1}%",
            row.name,
            cell(row.dump.wall, reference.dump.wall),
            cell(row.load.wall, reference.load.wall),
            cell(row.dump.cpu, reference.dump.cpu),
            cell(row.load.cpu, reference.load.cpu),
            row.size as f64 * 100.0 / data as f64,
        );
    }
}

async fn ours(
    module: &Path,
    work: &Path,
    name: &str,
    compression: Compression,
    threads: usize,
) -> Result<Row> {
    let out = work.join(format!("ours-{name}"));
    let meta = DumpMetadata::now("bench", "module", "main");
    let options = DumpOptions {
        compression,
        threads,
        ..DumpOptions::default()
    };
    let ((path, _), dump) =
        measure(async { Ok(dump_module_to_dir(module, &out, &meta, &options).await?) }).await?;
    let size = fs::metadata(&path)?.len();

    let variant_root = work.join(format!("load-{name}/store/bench/main"));
    let ((), load) = measure(async {
        let staging = Staging::new(&variant_root);
        let file = tokio::fs::File::open(&path).await?;
        let staged = extract_into_staging(&staging, file, &ExtractOptions::default()).await?;
        install(staged, &variant_root.join("module"), false)
            .await
            .map_err(|e| anyhow::anyhow!("{e}"))?;
        Ok(())
    })
    .await?;
    Ok(Row {
        name: format!("pimlico-rs {name}"),
        dump,
        load,
        size,
    })
}

async fn gnu_tar(module_parent: &Path, work: &Path, name: &str, flags: &[&str]) -> Result<Row> {
    let archive = work.join(format!("gnu.{name}"));
    let dump = run(Command::new("tar")
        .args(flags)
        .arg("-cf")
        .arg(&archive)
        .arg("-C")
        .arg(module_parent)
        .arg("module"))
    .await?;
    let dest = work.join(format!("gnu-{name}"));
    fs::create_dir_all(&dest)?;
    let load = run(Command::new("tar")
        .args(flags)
        .arg("-xf")
        .arg(&archive)
        .arg("-C")
        .arg(&dest))
    .await?;
    let size = fs::metadata(&archive)?.len();
    Ok(Row {
        name: format!("tar {} ({name})", flags.join(" ")),
        dump,
        load,
        size,
    })
}

const PY_DUMP: &str = r#"
import io, json, sys, tarfile
with tarfile.open(sys.argv[1], "w:gz") as t:
    s = json.dumps({"pipeline_name": "bench", "module_name": "module"}, indent=4)
    i = tarfile.TarInfo("dump_metadata.json"); i.size = len(s); t.addfile(i, io.BytesIO(s.encode()))
    t.add(sys.argv[2], arcname="module")
"#;

const PY_LOAD: &str = r#"
import sys, tarfile
with tarfile.open(sys.argv[1], "r:gz") as t:
    t.extractall(sys.argv[2], members=[m for m in t.getmembers() if m.name.startswith("module/")])
"#;

async fn python(module: &Path, work: &Path) -> Result<Row> {
    let archive = work.join("python.tar.gz");
    let dump = run(Command::new("python3")
        .args(["-c", PY_DUMP])
        .arg(&archive)
        .arg(module))
    .await?;
    let dest = work.join("python-load");
    let load = run(Command::new("python3")
        .args(["-c", PY_LOAD])
        .arg(&archive)
        .arg(&dest))
    .await?;
    let size = fs::metadata(&archive)?.len();
    Ok(Row {
        name: "python tarfile w:gz (the original)".into(),
        dump,
        load,
        size,
    })
}

fn have(tool: &str) -> bool {
    Command::new(tool)
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success())
}

#[tokio::main]
async fn main() -> Result<()> {
    let args = parse_args()?;
    let work = tempfile::tempdir()?;
    let module_parent: PathBuf = work.path().join("src");
    let module = module_parent.join("module");
    let data = generate_module(&module, args.megabytes * 1_000_000, args.files)?;
    println!(
        "module: {:.0} MB of text in {} files; {} CPUs; gzip level {}",
        data as f64 / 1e6,
        args.files,
        std::thread::available_parallelism().map_or(1, |n| n.get()),
        args.gzip_level
    );

    let mut gzip_rows = vec![gnu_tar(&module_parent, work.path(), "gzip", &["-z"]).await?];
    gzip_rows.push(
        ours(
            &module,
            work.path(),
            "gzip",
            Compression::Gzip {
                level: args.gzip_level,
            },
            args.threads,
        )
        .await?,
    );
    gzip_rows.push(
        ours(
            &module,
            work.path(),
            "gzip -1",
            Compression::Gzip { level: 1 },
            args.threads,
        )
        .await?,
    );
    if args.python {
        gzip_rows.push(python(&module, work.path()).await?);
    }
    println!("\ngzip (ratios against GNU tar + gzip):");
    print_rows(&gzip_rows, data);

    if have("zstd") {
        let zstd_rows = vec![
            gnu_tar(&module_parent, work.path(), "zstd", &["--zstd"]).await?,
            ours(
                &module,
                work.path(),
                "zstd",
                Compression::Zstd { level: 3 },
                args.threads,
            )
            .await?,
        ];
        println!("\nzstd (ratios against GNU tar --zstd):");
        print_rows(&zstd_rows, data);
    } else {
        println!("\nzstd is not installed: no zstd comparison");
    }

    let plain_rows = vec![
        gnu_tar(&module_parent, work.path(), "none", &[]).await?,
        ours(
            &module,
            work.path(),
            "none",
            Compression::None,
            args.threads,
        )
        .await?,
    ];
    println!("\nno compression (ratios against GNU tar):");
    print_rows(&plain_rows, data);
    Ok(())
}
