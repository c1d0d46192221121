//! The reference side: shell pipelines of the standard tools, timed, and the checks that both
//! sides did the same work.

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, ensure};
use pimlico_core::archive::is_excluded_name;

/// Whether `tool --version` runs.
pub fn have(tool: &str) -> bool {
    Command::new(tool)
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success())
}

/// Runs `script` with `sh -c` and returns its wall-clock time.
pub fn time_shell(script: &str) -> Result<Duration> {
    let start = Instant::now();
    let status = Command::new("sh")
        .arg("-c")
        .arg(script)
        .status()
        .with_context(|| format!("running {script}"))?;
    let elapsed = start.elapsed();
    ensure!(status.success(), "`{script}` failed ({status})");
    Ok(elapsed)
}

/// Runs `script` with `sh -c` and returns its wall-clock time and the CPU time of the whole
/// pipeline.
pub fn sample_shell(script: &str) -> Result<Sample> {
    let cpu = super::cpu::children()?;
    let wall = time_shell(script)?;
    Ok(Sample {
        wall,
        cpu: super::cpu::children()? - cpu,
    })
}

/// Copies `parent/name` to `dest/name` through `tar | [zstd -1 -T0 | zstd -d |] tar x`.
pub fn tar_copy(parent: &Path, name: &str, dest: &Path, zstd: bool) -> Result<Sample> {
    std::fs::create_dir_all(dest)?;
    let middle = if zstd {
        " | zstd -1 -T0 -q | zstd -d -q"
    } else {
        ""
    };
    sample_shell(&format!(
        "tar cf - -C '{}' '{name}'{middle} | tar xf - -C '{}'",
        parent.display(),
        dest.display()
    ))
}

/// Writes dirty pages back, so that one measurement does not pay for the last one's writes.
pub fn settle() {
    let _ = Command::new("sync").status();
}

/// Regular files and their total bytes below `dir`, leaving out what dumps leave out (locks and
/// the daemons' own `.pimlico*` files, such as a manifest cache, which each side writes itself).
pub fn tree_size(dir: &Path) -> Result<(u64, u64)> {
    let mut files = 0;
    let mut bytes = 0;
    let mut stack = vec![dir.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in
            std::fs::read_dir(&dir).with_context(|| format!("listing {}", dir.display()))?
        {
            let entry = entry?;
            if is_excluded_name(&entry.file_name().to_string_lossy()) {
                continue;
            }
            let meta = entry.metadata()?;
            if meta.is_dir() {
                stack.push(entry.path());
            } else {
                files += 1;
                bytes += meta.len();
            }
        }
    }
    Ok((files, bytes))
}

/// Fails unless `copy` holds as many files and bytes as `original`.
pub fn check_same_size(original: &Path, copy: &Path) -> Result<()> {
    let (a, b) = (tree_size(original)?, tree_size(copy)?);
    ensure!(
        a == b,
        "{} has {} files and {} bytes, but its copy {} has {} files and {} bytes",
        original.display(),
        a.0,
        a.1,
        copy.display(),
        b.0,
        b.1
    );
    Ok(())
}

/// One timed run: wall-clock time and CPU seconds.
#[derive(Debug, Clone, Copy)]
pub struct Sample {
    /// Wall-clock time.
    pub wall: Duration,
    /// CPU seconds (user + system) of every process doing the work.
    pub cpu: f64,
}

/// A table row from the rounds of a timed measurement and of its reference: their medians.
pub fn timed_row(
    measure: String,
    ours: &[Sample],
    reference_name: String,
    reference: &[Sample],
    aim: super::table::Aim,
) -> super::table::Row {
    let ((ours, ours_cpu), (reference, reference_cpu)) = (medians(ours), medians(reference));
    super::table::Row {
        measure,
        ours: super::table::Value::seconds(ours),
        reference: Some((reference_name, super::table::Value::seconds(reference))),
        cpu: Some((ours_cpu, reference_cpu)),
        aim,
    }
}

/// Medians of the wall-clock times and of the CPU seconds of `samples`.
pub fn medians(samples: &[Sample]) -> (Duration, f64) {
    let walls: Vec<Duration> = samples.iter().map(|s| s.wall).collect();
    let cpus: Vec<Duration> = samples
        .iter()
        .map(|s| Duration::from_secs_f64(s.cpu.max(0.0)))
        .collect();
    (median(&walls), median(&cpus).as_secs_f64())
}

/// The median of some durations (the mean of the middle two for an even count).
pub fn median(values: &[Duration]) -> Duration {
    let mut sorted = values.to_vec();
    sorted.sort();
    match sorted.len() {
        0 => Duration::ZERO,
        n if n % 2 == 1 => sorted[n / 2],
        n => (sorted[n / 2 - 1] + sorted[n / 2]) / 2,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn medians() {
        let ms = Duration::from_millis;
        assert_eq!(median(&[ms(5), ms(1), ms(3)]), ms(3));
        assert_eq!(median(&[ms(4), ms(2)]), ms(3));
        assert_eq!(median(&[]), Duration::ZERO);
    }
}
