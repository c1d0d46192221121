//! `dump` then `load` of a module (the archive layer that `pimlico dump` and `pimlico load` run,
//! with their default settings) against the same work done by `tar czf` and `tar xzf` (and
//! `tar --zstd` when zstd is installed).

use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::{Result, anyhow};
use pimlico_core::archive::{
    Compression, CompressionKind, DumpMetadata, DumpOptions, ExtractOptions, Staging,
    dump_module_to_dir, extract_into_staging, install,
};

use super::reference::{Sample, check_same_size, sample_shell, timed_row};
use super::table::{Aim, Row};
use super::{Context, DataSet, cpu};

/// Dumps `module_dir` into `out` and loads the dump into a new store under `load_root`.
async fn ours(
    module_dir: &Path,
    out: &Path,
    load_root: &Path,
    kind: CompressionKind,
) -> Result<Sample> {
    let metadata = DumpMetadata::now(crate::daemon::PIPELINE_NAME, "module", "main");
    let options = DumpOptions {
        compression: Compression::default_for(kind),
        ..DumpOptions::default()
    };
    let (start, cpu) = (Instant::now(), cpu::this_process()?);
    let (path, _) = dump_module_to_dir(module_dir, out, &metadata, &options).await?;
    let variant_root = load_root.join("store/bench/main");
    let staging = Staging::new(&variant_root);
    let file = tokio::fs::File::open(&path).await?;
    let staged = extract_into_staging(&staging, file, &ExtractOptions::default()).await?;
    install(staged, &variant_root.join("module"), false)
        .await
        .map_err(|e| anyhow!("{e}"))?;
    let sample = Sample {
        wall: start.elapsed(),
        cpu: cpu::this_process()? - cpu,
    };
    check_same_size(module_dir, &variant_root.join("module"))?;
    Ok(sample)
}

/// `tar c` into a file and `tar x` of it, with `flag` choosing the compression.
/// Where [`reference`] puts its archive and its copy.
fn reference_paths(work: &Path, tag: &str) -> (PathBuf, PathBuf) {
    (
        work.join(format!("ref-dump-{tag}.tar")),
        work.join(format!("ref-load-{tag}")),
    )
}

fn reference(parent: &Path, name: &str, work: &Path, tag: &str, flag: &str) -> Result<Sample> {
    let (archive, dest) = reference_paths(work, tag);
    std::fs::create_dir_all(&dest)?;
    let sample = sample_shell(&format!(
        "tar {flag} -cf '{a}' -C '{p}' '{name}' && tar {flag} -xf '{a}' -C '{d}'",
        a = archive.display(),
        p = parent.display(),
        d = dest.display()
    ))?;
    check_same_size(&parent.join(name), &dest.join(name))?;
    Ok(sample)
}

/// Rounds of dump + load of `set` (found in `parent`) against GNU tar.
pub async fn dump_load_rows(ctx: &Context, parent: &Path, set: &DataSet) -> Result<Vec<Row>> {
    let mut kinds = vec![(CompressionKind::Gzip, "-z", "tar czf + tar xzf")];
    if ctx.have_zstd {
        kinds.push((CompressionKind::Zstd, "--zstd", "tar --zstd -cf + -xf"));
    }
    let module_dir = parent.join(set.module);
    let mut times = vec![(Vec::new(), Vec::new()); kinds.len()];
    for round in 0..ctx.rounds {
        for (i, (kind, flag, _)) in kinds.iter().enumerate() {
            let tag = format!("{kind}-{round}");
            let (dump, load) = (
                ctx.work.join(format!("dump-{tag}")),
                ctx.work.join(format!("load-{tag}")),
            );
            // Alternate which side goes first (see the transfers).
            let (ours, reference) = if (round + i) % 2 == 1 {
                ctx.settle();
                let ours = ours(&module_dir, &dump, &load, *kind).await?;
                ctx.settle();
                (ours, reference(parent, set.module, &ctx.work, &tag, flag)?)
            } else {
                ctx.settle();
                let reference = reference(parent, set.module, &ctx.work, &tag, flag)?;
                ctx.settle();
                (ours(&module_dir, &dump, &load, *kind).await?, reference)
            };
            let (ref_dump, ref_load) = reference_paths(&ctx.work, &tag);
            ctx.discard(&[&dump, &load, &ref_dump, &ref_load])?;
            ctx.log_round(
                &format!("dump + load {} ({kind})", set.label),
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
        .map(|((kind, _, reference_name), (ours, reference))| {
            timed_row(
                format!("dump + load {}, {kind} (default level)", set.label),
                &ours,
                (*reference_name).into(),
                &reference,
                Aim::RatioAtMost(1.0),
            )
        })
        .collect())
}
