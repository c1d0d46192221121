//! The receiving side of a verified, incremental and resumable transfer.
//!
//! 1. [`Incoming::open`] takes the sender's manifest, reclaims abandoned staging, opens (and
//!    locks) the module's resumable slot, hashes the receiver's own copy of the module (from
//!    its manifest cache where files are unchanged), and plans: which files are already here,
//!    which were received by an earlier attempt, which must travel ([`Incoming::needed`]).
//! 2. [`Incoming::receive`] reads a dump of (some of) the needed files, writing each at its
//!    path in the slot's tree and keeping it (in the slot's journal) once it matches. It can
//!    be called again with the rest after a broken stream.
//! 3. [`Incoming::install`] completes the tree (files reused from the receiver's data, copies
//!    of duplicated contents, the status file last), moves it into an ordinary staging slot
//!    and installs it with the archive layer's atomic swap; the resumable slot is then
//!    removed. Nothing is installed unless every file of the manifest is accounted for.
//!
//! Uploads split this over two requests: the plan, then the data; the slot keeps the manifest
//! in between ([`Incoming::open_planned`]).

mod assemble;
mod plan;
mod stream;

use std::collections::{HashMap, HashSet};
use std::path::PathBuf;
use std::sync::Arc;

use pimlico_proto::{Manifest, ManifestFile, PlanResponse};
use tokio::io::AsyncRead;

use super::counting::{CountingReader, decoded_counting};
use super::error::TransferError;
use super::partial::{Kept, Partial};
use super::progress::Progress;
use super::receive::{ReceiveOptions, Received};
use crate::archive::{
    ArchiveError, CleanupOptions, DumpMetadata, ExtractSummary, InstallError, Installed,
    StagedModule, Staging, cleanup_stale_staging_with, install,
};
use crate::manifest::StatKey;
use crate::manifest::{manifest_digest, module_manifest, record_cache, validate_manifest};
use assemble::assemble;
use plan::{LocalData, Plan, make_plan};
use stream::{Target, Verified, receive_verified};

/// A module being received (see the module documentation).
#[derive(Debug)]
pub struct Incoming {
    options: ReceiveOptions,
    manifest: Arc<Manifest>,
    digest: String,
    partial: Option<Partial>,
    local: Option<Arc<LocalData>>,
    plan: Plan,
    transferred: Verified,
    /// The verified files in the slot, as its journal lists them (kept in step with it, so
    /// that installing does not read the journal of 100,000 lines again).
    kept: HashMap<String, Kept>,
    /// The state of the files received by this `Incoming`, for the manifest cache.
    stats: HashMap<String, StatKey>,
}

impl Incoming {
    /// Starts receiving the module whose sender has `manifest`. Fails with
    /// [`TransferError::Exists`] if the module has data here and `options.overwrite` is false,
    /// and with [`TransferError::Busy`] while another transfer of the module is under way.
    pub async fn open(options: ReceiveOptions, manifest: Manifest) -> Result<Self, TransferError> {
        validate_manifest(&manifest)?;
        let (staging_root, _) = prepare(&options).await?;
        let module = options.module.clone();
        let (partial, manifest, digest) = blocking_transfer(move || {
            let partial = Partial::open(&staging_root, &module)?;
            let digest = partial.save_manifest(&manifest)?;
            Ok((partial, manifest, digest))
        })
        .await?;
        Self::planned(options, manifest, digest, partial).await
    }

    /// Continues an upload planned by an earlier [`Incoming::open`]: the manifest is the one
    /// recorded then, which `digest` must name.
    pub async fn open_planned(
        options: ReceiveOptions,
        digest: &str,
    ) -> Result<Self, TransferError> {
        let (staging_root, _) = prepare(&options).await?;
        let module = options.module.clone();
        let wanted = digest.to_string();
        let (partial, manifest) = blocking_transfer(move || {
            let partial = Partial::open(&staging_root, &module)?;
            match partial.load_manifest() {
                Some(m) if manifest_digest(&m) == wanted => Ok((partial, m)),
                _ => Err(TransferError::NoPlan {
                    module,
                    digest: wanted,
                }),
            }
        })
        .await?;
        validate_manifest(&manifest)?;
        Self::planned(options, manifest, digest.to_string(), partial).await
    }

    async fn planned(
        options: ReceiveOptions,
        manifest: Manifest,
        digest: String,
        partial: Partial,
    ) -> Result<Self, TransferError> {
        let roots = options.variant_roots.clone();
        let module = options.module.clone();
        let overwrite = options.overwrite;
        let manifest = Arc::new(manifest);
        let m = manifest.clone();
        let (partial, local, plan, kept) = blocking_transfer(move || {
            let local = if overwrite {
                local_data(&roots, &module)
            } else {
                None
            };
            let kept = partial.retain(&m)?;
            let plan = make_plan(&m, &contents(&kept), local.as_ref());
            Ok((partial, local, plan, kept))
        })
        .await?;
        Ok(Self {
            digest,
            options,
            manifest,
            partial: Some(partial),
            local: local.map(Arc::new),
            plan,
            transferred: Verified::default(),
            kept,
            stats: HashMap::new(),
        })
    }

    /// Paths to ask the sender for (one per content still missing).
    pub fn needed(&self) -> &[String] {
        &self.plan.needed
    }

    /// Every file of the manifest must travel (nothing here, no file content twice): the
    /// sender may then send its whole module rather than a list of every path.
    pub fn needs_everything(&self) -> bool {
        !self.plan.needed.is_empty() && self.plan.needed.len() == self.manifest.files.len()
    }

    /// The manifest being received.
    pub fn manifest(&self) -> &Manifest {
        &self.manifest
    }

    /// The plan, as the daemon answers `POST .../data/plan`.
    pub fn plan(&self) -> PlanResponse {
        PlanResponse {
            module: self.options.module.clone(),
            manifest_digest: self.digest.clone(),
            needed: self.plan.needed.clone(),
            needed_bytes: self.plan.needed_bytes,
            reused_files: self.plan.reused_files,
            reused_bytes: self.plan.reused_bytes,
            resumed_files: self.plan.resumed_files,
            resumed_bytes: self.plan.resumed_bytes,
            up_to_date: self.plan.up_to_date,
        }
    }

    /// Reads a dump stream (gzip, zstd or plain) holding needed files, verifying each against
    /// the manifest and keeping it. `progress` counts wire bytes, tar bytes and files, and gets
    /// the size of what is still needed announced. On error what was verified stays for the
    /// next attempt.
    pub async fn receive<R>(
        &mut self,
        reader: R,
        progress: Option<Arc<Progress>>,
    ) -> Result<(), TransferError>
    where
        R: AsyncRead + Send + Unpin + 'static,
    {
        self.receive_stream(reader, progress, false).await
    }

    /// [`Incoming::receive`] for a dump of the sender's whole module (asked for when
    /// [`Incoming::needs_everything`]): a file the manifest does not list, written at the
    /// source after its manifest was made, is skipped rather than refused, as asking for the
    /// listed files would have left it out.
    pub async fn receive_whole<R>(
        &mut self,
        reader: R,
        progress: Option<Arc<Progress>>,
    ) -> Result<(), TransferError>
    where
        R: AsyncRead + Send + Unpin + 'static,
    {
        self.receive_stream(reader, progress, true).await
    }

    async fn receive_stream<R>(
        &mut self,
        reader: R,
        progress: Option<Arc<Progress>>,
        skip_unlisted: bool,
    ) -> Result<(), TransferError>
    where
        R: AsyncRead + Send + Unpin + 'static,
    {
        let progress = progress.unwrap_or_default();
        let by_path: HashMap<&str, u64> = self
            .manifest
            .files
            .iter()
            .map(|f| (f.path.as_str(), f.size))
            .collect();
        let tar_estimate: u64 = self
            .plan
            .needed
            .iter()
            .map(|p| 512 + by_path.get(p.as_str()).map_or(0, |s| s.div_ceil(512) * 512))
            .sum::<u64>()
            + 3 * 512
            + 10240;
        progress.announce(tar_estimate, self.plan.needed.len() as u64);
        let manifest = self.manifest.clone();
        let index: HashMap<&str, &ManifestFile> = manifest
            .files
            .iter()
            .map(|f| (f.path.as_str(), f))
            .collect();
        let done: HashSet<String> = self.kept.keys().cloned().collect();
        let partial = self.partial.as_ref().ok_or_else(gone)?;
        let wire = CountingReader::wire(reader, progress.clone());
        let tar = decoded_counting(wire, progress)
            .await
            .map_err(|e| ArchiveError::Corrupt {
                context: "reading the start of the stream".into(),
                source: e,
            })?;
        let target = Target {
            module: &self.options.module,
            pipeline: &self.options.pipeline,
            variant: &self.options.variant,
            index: &index,
            slot_dir: partial.dir().to_path_buf(),
            journal: partial.journal_path(),
            done,
            owner: partial.owner_handle(),
            limits: self.options.limits,
            skip_unlisted,
        };
        let received = match receive_verified(tar, target).await {
            Ok(received) => received,
            Err(e) => {
                // What the stream verified before it failed is in the journal only.
                let partial = self.partial.take().ok_or_else(gone)?;
                let (partial, kept) = blocking_transfer(move || {
                    let kept = partial.verified();
                    Ok((partial, kept))
                })
                .await?;
                self.partial = Some(partial);
                self.kept = kept;
                // A file sent again may have replaced one this `Incoming` had recorded: its
                // state is looked at again when the module is installed.
                self.stats.clear();
                return Err(e);
            }
        };
        self.transferred.files += received.verified.files;
        self.transferred.bytes += received.verified.bytes;
        for (kept, stat) in received.files {
            self.stats.insert(kept.path.clone(), stat);
            self.kept.insert(kept.path.clone(), kept);
        }
        Ok(())
    }

    /// Checks that every file of the manifest is accounted for, builds the module and
    /// installs it atomically (replacing existing data only with `overwrite`). The resumable
    /// slot is removed afterwards.
    pub async fn install(mut self) -> Result<Received, TransferError> {
        let partial = self.partial.take().ok_or_else(gone)?;
        let module = self.options.module.clone();
        let output_root = self
            .options
            .variant_roots
            .first()
            .cloned()
            .unwrap_or_default();
        let staging = Staging::new(&output_root);
        let target = staging.module_dir(&module)?;
        let manifest = self.manifest.clone();
        let local = self.local.clone();
        let kept = std::mem::take(&mut self.kept);
        let plan = make_plan(&manifest, &contents(&kept), local.as_deref());
        if let Some(first) = plan.needed.first() {
            return Err(TransferError::Incomplete {
                module,
                missing: plan.missing_files as usize,
                first: first.clone(),
            });
        }
        let mut received = Received {
            module: module.clone(),
            files: manifest.files.len() as u64,
            bytes: manifest.total_bytes(),
            replaced: false,
            dir: target.clone(),
            transferred_files: self.transferred.files,
            transferred_bytes: self.transferred.bytes,
            reused_files: plan.reused_files,
            reused_bytes: plan.reused_bytes,
            resumed_files: plan.resumed_files.saturating_sub(self.transferred.files),
            resumed_bytes: plan.resumed_bytes.saturating_sub(self.transferred.bytes),
            unchanged: false,
        };
        if plan.up_to_date {
            blocking_transfer(move || {
                partial.remove();
                Ok(())
            })
            .await?;
            received.unchanged = true;
            return Ok(received);
        }
        let slot = staging.create_slot().await?;
        let new_dir = slot.new_dir();
        let (dir, m, l, name) = (
            new_dir.clone(),
            manifest.clone(),
            local.clone(),
            module.clone(),
        );
        let stats = std::mem::take(&mut self.stats);
        let partial = blocking_transfer(move || {
            let tree = partial.tree_dir();
            assemble(partial.dir(), &tree, &m, &kept, l.as_deref(), &name)?;
            // The slot's journal no longer describes the tree: from here on the tree is the
            // module, and the resumable slot is only removed.
            std::fs::rename(&tree, &dir).map_err(|source| TransferError::Io {
                op: "move the received module to",
                path: dir.clone(),
                source,
            })?;
            if let Err(e) = record_cache(&dir, &m.files, &stats) {
                tracing::debug!(error = %e, "cannot record the manifest of a received module");
            }
            Ok(partial)
        })
        .await?;
        let staged = StagedModule {
            metadata: DumpMetadata::now(&self.options.pipeline, &module, &self.options.variant),
            dir: new_dir,
            summary: ExtractSummary {
                files: received.files,
                directories: manifest.dirs.len() as u64 + 1,
                bytes: received.bytes,
                skipped: Vec::new(),
            },
            slot,
        };
        let installed = match install(staged, &target, self.options.overwrite).await {
            Ok(installed) => installed,
            Err(InstallError::TargetExists { target, staged }) => {
                // Another writer created the module meanwhile: give the verified files back
                // to the resumable slot, for a later transfer with overwrite.
                let back = partial.tree_dir();
                blocking_transfer(move || {
                    let _ = std::fs::rename(&staged.dir, &back);
                    drop(staged);
                    Ok(())
                })
                .await?;
                return Err(TransferError::Exists {
                    module,
                    dir: target,
                });
            }
            Err(InstallError::Failed(e)) => return Err(TransferError::Archive(e)),
        };
        received.replaced = installed == Installed::Replaced;
        blocking_transfer(move || {
            partial.remove();
            Ok(())
        })
        .await?;
        Ok(received)
    }
}

/// Hash to size of the verified contents, as the plan wants them.
fn contents(kept: &HashMap<String, Kept>) -> HashMap<String, u64> {
    kept.values().map(|k| (k.blake3.clone(), k.size)).collect()
}

fn gone() -> TransferError {
    TransferError::Io {
        op: "use",
        path: "the resumable staging slot".into(),
        source: std::io::Error::other("the slot was already released"),
    }
}

/// Checks that the module may be received, and reclaims abandoned staging in the output
/// store. Returns the staging directory and the install target.
async fn prepare(options: &ReceiveOptions) -> Result<(PathBuf, PathBuf), TransferError> {
    let output_root = options.variant_roots.first().cloned().unwrap_or_default();
    let staging = Staging::new(&output_root);
    let target = staging.module_dir(&options.module)?;
    super::receive::refuse_existing(options)?;
    let cleanup = CleanupOptions {
        resumable_max_age: options.resume_max_age,
    };
    if let Err(e) = cleanup_stale_staging_with(&output_root, cleanup).await {
        tracing::warn!(store = %output_root.display(), error = %e, "cannot clean the staging area");
    }
    Ok((staging.root().to_path_buf(), target))
}

/// The receiver's own copy of the module (first store holding it) and its manifest. A copy
/// whose manifest cannot be computed is not reused (and not touched): the module is then
/// received whole.
fn local_data(roots: &[PathBuf], module: &str) -> Option<LocalData> {
    let (index, dir) = roots
        .iter()
        .enumerate()
        .map(|(i, root)| (i, root.join(module)))
        .find(|(_, dir)| dir.is_dir())?;
    match module_manifest(&dir) {
        Ok(computed) => Some(LocalData::new(dir, computed.manifest, index == 0)),
        Err(e) => {
            tracing::warn!(module, error = %e, "not reusing the data already here");
            None
        }
    }
}

async fn blocking_transfer<T, F>(work: F) -> Result<T, TransferError>
where
    F: FnOnce() -> Result<T, TransferError> + Send + 'static,
    T: Send + 'static,
{
    tokio::task::spawn_blocking(work).await.unwrap_or_else(|e| {
        Err(TransferError::Io {
            op: "finish",
            path: "a blocking transfer task".into(),
            source: std::io::Error::other(e.to_string()),
        })
    })
}
