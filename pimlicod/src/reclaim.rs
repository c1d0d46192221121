//! At start-up, the staging areas of the served pipelines' output stores are cleaned: slots
//! left by a daemon (or a `pimlico load`) that was killed mid-transfer are removed, and data an
//! interrupted install set aside is put back. Slots of live processes are left alone.

use pimlico_core::archive::cleanup_stale_staging;

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
            match cleanup_stale_staging(&root).await {
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
