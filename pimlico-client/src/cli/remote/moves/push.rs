//! `push MODULES --to S`: send modules from the local stores to a daemon.

use std::sync::Arc;
use std::time::Duration;

use pimlico_core::transfer::{
    Progress, locate_module, module_definition, send_stream, wire_compression,
};

use super::super::args::PushArgs;
use super::super::definitions::check;
use super::super::progress::{Counts, MoveBar};
use super::super::{Context, block_on, connect, target};
use super::{Moved, report};

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
            let (r, p, v, m) = (
                roots.clone(),
                pipeline.clone(),
                variant.clone(),
                module.clone(),
            );
            let data = tokio::task::spawn_blocking(move || locate_module(&r, &p, &v, &m))
                .await
                .map_err(|e| e.to_string())?
                .map_err(|e| e.to_string())?;
            let progress = Arc::new(Progress::default());
            let bar = MoveBar::new(!opts.json && ctx.interactive, module);
            let ticker = tick_sent(bar, progress.clone(), data.files);
            let stream = send_stream(data, wire_compression(opts.compression()), Some(progress));
            let uploaded = client
                .upload(&pipeline, &variant, module, opts.force_overwrite, stream)
                .await;
            ticker.abort();
            let up = uploaded.map_err(|e| e.to_string())?;
            moved.push(Moved {
                module: up.module,
                files: up.files,
                bytes: up.bytes,
                replaced: up.replaced,
            });
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
    files: u64,
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
                total_files: Some(files),
            });
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    })
}
