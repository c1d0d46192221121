//! At start-up, the staging areas of the served pipelines' output stores are cleaned: slots
//! left by a daemon (or a `pimlico load`) that was killed mid-transfer are removed, and data an
//! interrupted install set aside is put back. Slots of live processes are left alone, and so are
//! resumable slots younger than the maximum age (`resume_max_age_hours`).

use pimlico_core::archive::{
    CleanupOptions, DEFAULT_RESUMABLE_MAX_AGE, cleanup_stale_staging_with,
};

use crate::state::AppState;

/// Cleans the staging area of every served pipeline variant's output store. Failures are
/// logged: a staging area that cannot be cleaned does not stop the daemon.
pub async fn reclaim_staging(state: &AppState) {
    let pipelines = state.pipelines().clone();
    let infos = match tokio::task::spawn_blocking(move || pipelines.infos()).await {
        Ok(Ok(infos)) => infos,
        Ok(Err(e)) => return tracing::warn!("not cleaning staging areas: {e}"),
        Err(e) => return tracing::warn!("not cleaning staging areas: {e}"),
    };
    for info in infos {
        for variant in &info.variants {
            let loaded = match state.pipelines().load(&info.name, variant).await {
                Ok(loaded) => loaded,
                Err(e) => {
                    tracing::warn!(pipeline = %info.name, %variant, "not cleaning staging: {e}");
                    continue;
                }
            };
            let Some(root) = loaded.variant_roots().into_iter().next() else {
                continue;
            };
            let resumable_max_age = state.options().resume_max_age.unwrap_or_else(|| {
                pimlico_core::transfer::resume_max_age(&loaded.pipeline).unwrap_or_else(|e| {
                    tracing::warn!(error = %e, "using the default maximum age of resumable staging");
                    DEFAULT_RESUMABLE_MAX_AGE
                })
            });
            let options = CleanupOptions { resumable_max_age };
            match cleanup_stale_staging_with(&root, options).await {
                Ok(report) => {
                    for dir in &report.restored {
                        tracing::warn!(dir = %dir.display(), "restored data set aside by an interrupted install");
                    }
                    for dir in &report.removed {
                        tracing::info!(dir = %dir.display(), "removed an abandoned staging slot");
                    }
                }
                Err(e) => tracing::warn!(root = %root.display(), "cleaning the staging area: {e}"),
            }
        }
    }
}
