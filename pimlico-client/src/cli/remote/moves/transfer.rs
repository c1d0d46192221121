//! `transfer MODULES --from A --to B [--via-client]`: B pulls straight from A with a token A
//! mints for just these modules; or, with `--via-client`, the data streams A → here → B.

use std::sync::Arc;
use std::time::Duration;

use pimlico_core::transfer::Progress;
use pimlico_proto::{PullRequest, TokenRequest, TransferState};

use super::super::args::TransferArgs;
use super::super::definitions::check;
use super::super::progress::{Counts, MoveBar};
use super::super::{Context, block_on, connect, print_json, target};
use super::push::tick_sent;
use super::{Moved, report};
use crate::remote::{Client, relay_module};

/// Runs `transfer`.
pub fn transfer(ctx: &Context, args: &TransferArgs) -> i32 {
    let modules = match ctx.modules(&args.modules) {
        Ok(m) => m,
        Err(code) => return code,
    };
    let ((a, a_ca), (b, _)) = match (connect(&args.from), connect(&args.to)) {
        (Ok(a), Ok(b)) => (a, b),
        (Err(code), _) | (_, Err(code)) => return code,
    };
    let (pipeline, variant) = target(ctx);
    let opts = &args.common;
    let mut moved = Vec::new();
    let mut direct = None;
    let outcome = block_on(async {
        if !opts.ignore_definition_mismatch {
            for module in &modules {
                let (on_a, on_b) = (
                    a.definition(&pipeline, &variant, module).await,
                    b.definition(&pipeline, &variant, module).await,
                );
                let on_a = on_a.map_err(|e| e.to_string())?;
                let on_b = on_b.map_err(|e| e.to_string())?;
                check(module, (&args.from, &on_a), (&args.to, &on_b))?;
            }
        }
        let label = format!("{} -> {}", args.from, args.to);
        let show = !opts.json && ctx.interactive;
        if args.via_client {
            for module in &modules {
                moved.push(via_client(&a, &b, (&pipeline, &variant, module), args, show).await?);
            }
            return Ok(());
        }
        let token = a
            .mint_token(&TokenRequest {
                pipeline: pipeline.clone(),
                variant: variant.clone(),
                modules: modules.clone(),
                ttl_secs: None,
            })
            .await
            .map_err(|e| e.to_string())?;
        let request = PullRequest {
            source: a.base_url().to_string(),
            token: token.token,
            modules: modules.clone(),
            overwrite: opts.force_overwrite,
            ignore_definition_mismatch: opts.ignore_definition_mismatch,
            compression: opts.compression(),
            ca_pem: a_ca.clone(),
        };
        let started = b
            .start_pull(&pipeline, &variant, &request)
            .await
            .map_err(|e| e.to_string())?;
        let bar = MoveBar::new(show, &label);
        let info = loop {
            let info = b.transfer(&started.id).await.map_err(|e| e.to_string())?;
            bar.update(Counts {
                done: info.data_bytes,
                total: info.total_bytes,
                files: Some(info.files),
                total_files: info.total_files,
            });
            if info.state.is_finished() {
                break info;
            }
            // A progress bar's refresh, not synchronisation: the final state is read above.
            tokio::time::sleep(Duration::from_millis(250)).await;
        };
        bar.finish();
        if info.state != TransferState::Succeeded {
            return Err(info.error.unwrap_or_else(|| "the transfer failed".into()));
        }
        direct = Some(info);
        Ok(())
    });
    match (outcome, direct) {
        (Err(code), _) => code,
        (Ok(Ok(())), Some(info)) if opts.json => {
            print_json(&info);
            0
        }
        (Ok(Ok(())), Some(info)) => {
            println!(
                "Transferred {} from {} to {}: sent {} files, {:.1} MB; reused {} files, {:.1} MB \
                 already there; resumed {} files, {:.1} MB from an interrupted transfer",
                info.done.join(", "),
                args.from,
                args.to,
                info.files,
                info.data_bytes as f64 / 1e6,
                info.reused_files,
                info.reused_bytes as f64 / 1e6,
                info.resumed_files,
                info.resumed_bytes as f64 / 1e6
            );
            0
        }
        (Ok(result), _) => report(&moved, result.err(), opts.json, &args.to),
    }
}

/// Moves one module from `a` through this machine to `b`: `b` plans against `a`'s manifest,
/// and only the files it needs stream through.
async fn via_client(
    a: &Client,
    b: &Client,
    module: (&str, &str, &str),
    args: &TransferArgs,
    show: bool,
) -> Result<Moved, String> {
    let opts = &args.common;
    let progress = Arc::new(Progress::default());
    let bar = MoveBar::new(show, module.2);
    let ticker = tick_sent(bar, progress.clone(), None);
    let moved = relay_module(
        a,
        b,
        module,
        opts.force_overwrite,
        opts.compression(),
        Some(progress),
    )
    .await;
    ticker.abort();
    Ok(Moved::from(moved.map_err(|e| e.to_string())?))
}
