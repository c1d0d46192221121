//! Daemon-to-daemon transfers against `tar | [zstd | zstd -d |] tar x`, and the daemons' peak
//! memory during a large transfer. Transfers go through the public client library exactly as
//! `pimlico transfer` does: a scoped token minted at the source, a pull started at the
//! destination, and a long poll until it has ended.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use anyhow::{Result, ensure};
use pimlico_proto::{DataCompression, PullRequest, TokenRequest, TransferState};

use super::reference::{Sample, check_same_size, tar_copy, timed_row};
use super::table::{Aim, Row, Unit, Value};
use super::{Context, DataSet, cpu};
use crate::corpus::generate_module;
use crate::daemon::{Daemon, PIPELINE_NAME};
use pimlico_core::manifest::CACHE_FILE_NAME;

/// Moves `module` from `a` to `b` (which must not have it) and returns the wall-clock time from
/// the request to the end of the transfer.
pub async fn pull(
    a: &Daemon,
    b: &Daemon,
    module: &str,
    compression: DataCompression,
) -> Result<Duration> {
    let token = a
        .client
        .mint_token(&TokenRequest {
            pipeline: PIPELINE_NAME.into(),
            variant: "main".into(),
            modules: vec![module.into()],
            ttl_secs: Some(3600),
        })
        .await?;
    let request = PullRequest {
        source: a.client.base_url().to_string(),
        token: token.token,
        modules: vec![module.into()],
        overwrite: false,
        ignore_definition_mismatch: false,
        compression,
        ca_pem: None,
    };
    let start = Instant::now();
    let done = b
        .client
        .pull_to_end(PIPELINE_NAME, "main", &request)
        .await?;
    let elapsed = start.elapsed();
    ensure!(
        done.state == TransferState::Succeeded,
        "the transfer of {module} failed: {}",
        done.error.unwrap_or_default()
    );
    Ok(elapsed)
}

/// Rounds of transfers of `set` (which `a` serves) against the tar pipelines, with zstd (when
/// installed) and without compression. Copies are deleted after each round, outside the timing.
pub async fn transfer_rows(ctx: &Context, a: &Daemon, set: &DataSet) -> Result<Vec<Row>> {
    let mut kinds = Vec::new();
    if ctx.have_zstd {
        kinds.push((DataCompression::Zstd, "zstd", set.zstd_aim));
    }
    kinds.push((DataCompression::None, "none", set.plain_aim));
    let mut times = vec![(Vec::new(), Vec::new()); kinds.len()];
    for round in 0..ctx.rounds {
        for (i, (compression, name, _)) in kinds.iter().enumerate() {
            let tag = format!("{}-{name}-{round}", set.module);
            let zstd = *compression != DataCompression::None;
            // Alternate which side goes first: the first one after a deletion of many files
            // creates its own files more slowly (ext4 skips recently freed inodes).
            let (ours, reference) = if (round + i) % 2 == 1 {
                let ours = our_copy(ctx, a, set.module, *compression, &tag).await?;
                (ours, reference_copy(ctx, a, set.module, zstd, &tag)?)
            } else {
                let reference = reference_copy(ctx, a, set.module, zstd, &tag)?;
                (
                    our_copy(ctx, a, set.module, *compression, &tag).await?,
                    reference,
                )
            };
            ctx.discard(&[&ours.1, &reference.1])?;
            let (ours, reference) = (ours.0, reference.0);
            ctx.log_round(
                &format!("transfer {} ({name})", set.label),
                round,
                &ours,
                &reference,
            );
            times[i].0.push(ours);
            times[i].1.push(reference);
        }
    }
    Ok(kinds
        .iter()
        .zip(times)
        .map(|((compression, name, aim), (ours, reference))| {
            let reference_name = if *compression == DataCompression::None {
                "tar cf - | tar xf -".to_string()
            } else {
                "tar cf - | zstd -1 -T0 | zstd -d | tar xf -".to_string()
            };
            timed_row(
                format!("transfer {}, compression {name}", set.label),
                &ours,
                reference_name,
                &reference,
                Aim::RatioAtMost(*aim),
            )
        })
        .collect())
}

/// The first transfer of a module, before its source has hashed it (no manifest cache): what
/// a user pays once per module produced, on top of the transfers above (which find the cache
/// of the round before). Without compression, against `tar cf - | tar xf -`.
pub async fn first_transfer_row(ctx: &Context, a: &Daemon, set: &DataSet) -> Result<Row> {
    let cache = a.root.join(set.module).join(CACHE_FILE_NAME);
    let (mut ours, mut reference) = (Vec::new(), Vec::new());
    for round in 0..ctx.rounds {
        let tag = format!("{}-first-{round}", set.module);
        match std::fs::remove_file(&cache) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => return Err(e.into()),
            _ => {}
        }
        let (our, theirs) = if round % 2 == 1 {
            let our = our_copy(ctx, a, set.module, DataCompression::None, &tag).await?;
            (our, reference_copy(ctx, a, set.module, false, &tag)?)
        } else {
            let theirs = reference_copy(ctx, a, set.module, false, &tag)?;
            let our = our_copy(ctx, a, set.module, DataCompression::None, &tag).await?;
            (our, theirs)
        };
        ctx.discard(&[&our.1, &theirs.1])?;
        ctx.log_round(
            &format!("first transfer of {}", set.label),
            round,
            &our.0,
            &theirs.0,
        );
        ours.push(our.0);
        reference.push(theirs.0);
    }
    Ok(timed_row(
        format!(
            "first transfer of {} (the source hashes it first), compression none",
            set.label
        ),
        &ours,
        "tar cf - | tar xf -".into(),
        &reference,
        Aim::None,
    ))
}

/// Copies `module` from `a` into a fresh daemon; returns the sample and the daemon's directory.
async fn our_copy(
    ctx: &Context,
    a: &Daemon,
    module: &str,
    compression: DataCompression,
    tag: &str,
) -> Result<(Sample, PathBuf)> {
    let name = format!("b-{tag}");
    let b = Daemon::start(&ctx.launcher, &ctx.work, &name, &[module])?;
    ctx.settle();
    let cpu = cpu::daemons(&[a, &b])?;
    let wall = pull(a, &b, module, compression).await?;
    let sample = Sample {
        wall,
        cpu: cpu::daemons(&[a, &b])? - cpu,
    };
    check_same_size(&a.root.join(module), &b.root.join(module))?;
    Ok((sample, ctx.work.join(name)))
}

/// Copies `module` from `a`'s store with tar (and zstd); returns the sample and the copy.
fn reference_copy(
    ctx: &Context,
    a: &Daemon,
    module: &str,
    zstd: bool,
    tag: &str,
) -> Result<(Sample, PathBuf)> {
    let dest = ctx.work.join(format!("ref-{tag}"));
    ctx.settle();
    let sample = tar_copy(&a.root, module, &dest, zstd)?;
    check_same_size(&a.root.join(module), &dest.join(module))?;
    Ok((sample, dest))
}

/// Peak resident memory of both daemons, started fresh, while `bytes` of text move between
/// them with zstd (the compression that needs the most memory).
pub async fn memory_rows(ctx: &Context, bytes: u64) -> Result<Vec<Row>> {
    const MODULE: &str = "big";
    // About 34 KB per file, like the transfer corpus.
    let files = (bytes / 34_000).max(1);
    let a = Daemon::start(&ctx.launcher, &ctx.work, "mem-a", &[MODULE])?;
    let b = Daemon::start(&ctx.launcher, &ctx.work, "mem-b", &[MODULE])?;
    let written = generate_module(&a.root.join(MODULE), bytes, files)?;
    let compression = if ctx.have_zstd {
        DataCompression::Zstd
    } else {
        DataCompression::None
    };
    ctx.settle();
    let time = pull(&a, &b, MODULE, compression).await?;
    check_same_size(&a.root.join(MODULE), &b.root.join(MODULE))?;
    let label = format!("{} in {files} files", mb(written));
    ctx.log(&format!(
        "moved {label} ({}) in {:.2} s",
        compression.as_str(),
        time.as_secs_f64()
    ));
    let mut rows = Vec::new();
    for (daemon, side) in [(&a, "source"), (&b, "destination")] {
        if let Some(peak) = daemon.peak_mb()? {
            rows.push(Row {
                measure: format!(
                    "peak memory of the {side} daemon, transfer of {label} ({})",
                    compression.as_str()
                ),
                ours: Value {
                    number: peak,
                    unit: Unit::Megabytes,
                },
                reference: None,
                cpu: None,
                aim: Aim::Below(100.0),
            });
        }
    }
    Ok(rows)
}

/// `bytes` as "256 MB" (decimal units), "1.0 GB" or "400 KB".
pub fn mb(bytes: u64) -> String {
    if bytes >= 1_000_000_000 {
        format!("{:.1} GB", bytes as f64 / 1e9)
    } else if bytes < 1_000_000 {
        format!("{:.0} KB", bytes as f64 / 1e3)
    } else {
        format!("{:.0} MB", bytes as f64 / 1e6)
    }
}
