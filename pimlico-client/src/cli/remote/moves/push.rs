//! `push MODULES --to S`: send modules from the local stores to a daemon, verified and
//! incrementally: the daemon answers the local manifest with the files it still needs.

use std::sync::Arc;
use std::time::Duration;

use pimlico_core::transfer::{Progress, module_definition};

use super::super::args::PushArgs;
use super::super::definitions::check;
use super::super::progress::{Counts, MoveBar};
use super::super::{Context, block_on, connect, target};
use super::{Moved, report};
use crate::remote::{PushSource, push_module};

/// Runs `push`.
pub fn push(ctx: &Context, args: &PushArgs) -> i32 {
    let modules = match ctx.modules(&args.modules) {
        Ok(m) => m,
        Err(code) => return code,
    };
    let (client, _) = match connect(&args.to) {
        Ok(c) => c,
        Err(code) => return code,
    };
    let (pipeline, variant) = target(ctx);
    let roots: Vec<_> = ctx.stores.all().iter().map(|s| s.path.clone()).collect();
    let opts = &args.common;
    let mut moved = Vec::new();
    let outcome = block_on(async {
        for module in &modules {
            if !opts.ignore_definition_mismatch {
                let there = client
                    .definition(&pipeline, &variant, module)
                    .await
                    .map_err(|e| e.to_string())?;
                let here = module_definition(&ctx.pipeline, module)
                    .ok_or_else(|| format!("module '{module}' is not defined here"))?;
                check(module, ("this machine", &here), (&args.to, &there))?;
            }
            let progress = Arc::new(Progress::default());
            let bar = MoveBar::new(!opts.json && ctx.interactive, module);
            let ticker = tick_sent(bar, progress.clone(), None);
            let source = PushSource {
                variant_roots: &roots,
                pipeline: &pipeline,
                variant: &variant,
                module,
            };
            let pushed = push_module(
                &client,
                source,
                opts.force_overwrite,
                opts.compression(),
                Some(progress),
            )
            .await;
            ticker.abort();
            moved.push(Moved::from(pushed.map_err(|e| e.to_string())?));
        }
        Ok(())
    });
    match outcome {
        Err(code) => code,
        Ok(result) => report(&moved, result.err(), opts.json, &args.to),
    }
}

/// Updates `bar` with the bytes sent so far. The sending side sees only compressed bytes, so
/// there is no total to show an ETA against (unless the data is sent uncompressed).
pub(super) fn tick_sent(
    bar: MoveBar,
    progress: Arc<Progress>,
    files: Option<u64>,
) -> tokio::task::JoinHandle<()> {
    struct Clear(MoveBar);
    impl Drop for Clear {
        fn drop(&mut self) {
            self.0.finish();
        }
    }
    tokio::spawn(async move {
        let bar = Clear(bar);
        loop {
            bar.0.update(Counts {
                done: progress.snapshot().wire_bytes,
                total: None,
                files: None,
                total_files: files,
            });
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    })
}
