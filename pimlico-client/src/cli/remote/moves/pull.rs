//! `pull MODULES --from S`: fetch modules from a daemon into the local stores, verified and
//! incrementally: only files missing here (or not received by an interrupted pull) travel.

use std::sync::Arc;
use std::time::Duration;

use pimlico_core::archive::ExtractLimits;
use pimlico_core::lock;
use pimlico_core::transfer::{Progress, ReceiveOptions, module_definition, resume_max_age};

use super::super::args::PullArgs;
use super::super::definitions::check;
use super::super::progress::{Counts, MoveBar};
use super::super::{Context, block_on, connect, target};
use super::{Moved, report};
use crate::remote::pull_module;

/// Runs `pull`.
pub fn pull(ctx: &Context, args: &PullArgs) -> i32 {
    let modules = match ctx.modules(&args.modules) {
        Ok(m) => m,
        Err(code) => return code,
    };
    let (client, _) = match connect(&args.from) {
        Ok(c) => c,
        Err(code) => return code,
    };
    let max_age = match resume_max_age(&ctx.pipeline) {
        Ok(age) => age,
        Err(e) => {
            eprintln!("Error: {e}");
            return 1;
        }
    };
    let (pipeline, variant) = target(ctx);
    let roots: Vec<_> = ctx.stores.all().iter().map(|s| s.path.clone()).collect();
    let opts = &args.common;
    let mut moved = Vec::new();
    let outcome = block_on(async {
        for module in &modules {
            if let Ok(Some(info)) = lock::inspect(&ctx.stores, module)
                && !info.stale
            {
                return Err(format!(
                    "module '{module}' is running here ({})",
                    info.describe()
                ));
            }
            if !opts.ignore_definition_mismatch {
                let there = client
                    .definition(&pipeline, &variant, module)
                    .await
                    .map_err(|e| e.to_string())?;
                let here = module_definition(&ctx.pipeline, module)
                    .ok_or_else(|| format!("module '{module}' is not defined here"))?;
                check(module, (&args.from, &there), ("this machine", &here))?;
            }
            let progress = Arc::new(Progress::default());
            let bar = MoveBar::new(!opts.json && ctx.interactive, module);
            let ticker = tick(bar, progress.clone());
            let options = ReceiveOptions {
                variant_roots: roots.clone(),
                pipeline: pipeline.clone(),
                variant: variant.clone(),
                module: module.clone(),
                overwrite: opts.force_overwrite,
                // The local config's archive_max_* settings, as for `load`.
                limits: ExtractLimits::default()
                    .with_settings(|key| ctx.pipeline.local.values.get(key).map(String::as_str))
                    .map_err(|e| format!("in the local config: {e}"))?,
                resume_max_age: max_age,
            };
            let received = pull_module(&client, options, opts.compression(), Some(progress)).await;
            ticker.abort();
            moved.push(Moved::from(received.map_err(|e| e.to_string())?));
        }
        Ok(())
    });
    match outcome {
        Err(code) => code,
        Ok(result) => report(&moved, result.err(), opts.json, "this machine"),
    }
}

/// Updates `bar` from `progress` until aborted (and clears it then).
pub(super) fn tick(bar: MoveBar, progress: Arc<Progress>) -> tokio::task::JoinHandle<()> {
    struct Clear(MoveBar);
    impl Drop for Clear {
        fn drop(&mut self) {
            self.0.finish();
        }
    }
    tokio::spawn(async move {
        let bar = Clear(bar);
        loop {
            let p = progress.snapshot();
            bar.0.update(Counts {
                done: p.tar_bytes,
                total: (p.total_bytes > 0).then_some(p.total_bytes),
                files: Some(p.files),
                total_files: (p.total_files > 0).then_some(p.total_files),
            });
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    })
}
