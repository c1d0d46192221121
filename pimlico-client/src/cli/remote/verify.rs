//! `verify MODULE [--server S]`: re-hash a module's stored data and compare it with the
//! manifest recorded for it (when it was received, or first hashed), here or on a daemon.

use clap::Args;
use pimlico_core::manifest::verify_module;
use pimlico_proto::{ProblemKind, VerifyResponse};

use super::{Context, block_on, connect, print_json, target};

/// Arguments of `verify`.
#[derive(Debug, Args)]
pub struct VerifyArgs {
    /// The module (name or number).
    pub module: String,
    /// Check the data on this server instead of the local stores.
    #[arg(long, value_name = "SERVER")]
    pub server: Option<String>,
    /// Print the result as JSON.
    #[arg(long)]
    pub json: bool,
}

/// Runs `verify`; `global_server` is a `--server` given before the command. Exit code 0 when
/// the data matches its manifest, 1 otherwise.
pub fn verify(ctx: &Context, global_server: Option<&str>, args: &VerifyArgs) -> i32 {
    let module = match ctx.module(&args.module) {
        Ok(m) => m.name.clone(),
        Err(code) => return code,
    };
    let server = args.server.as_deref().or(global_server);
    let report = match server {
        Some(server) => remote(ctx, server, &module),
        None => local(ctx, &module),
    };
    let report = match report {
        Ok(r) => r,
        Err(message) => {
            eprintln!("Error: {message}");
            return 1;
        }
    };
    let place = server.unwrap_or("this machine");
    if args.json {
        print_json(&report);
    } else {
        print_report(&report, place);
    }
    i32::from(!report.problems.is_empty())
}

fn remote(ctx: &Context, server: &str, module: &str) -> Result<VerifyResponse, String> {
    let (client, _) = connect(server).map_err(|_| format!("cannot use server '{server}'"))?;
    let (pipeline, variant) = target(ctx);
    block_on(client.verify(&pipeline, &variant, module))
        .map_err(|_| "could not start the runtime".to_string())?
        .map_err(|e| e.to_string())
}

fn local(ctx: &Context, module: &str) -> Result<VerifyResponse, String> {
    let Some((store, dir)) = ctx.stores.find_module_dir(module) else {
        let looked: Vec<String> = ctx
            .stores
            .all()
            .iter()
            .map(|s| s.path.display().to_string())
            .collect();
        return Err(format!(
            "module '{module}' has no data in any store (looked in {})",
            looked.join(", ")
        ));
    };
    let report = verify_module(&dir).map_err(|e| e.to_string())?;
    Ok(VerifyResponse {
        module: module.to_string(),
        store: store.name.clone(),
        files: report.files,
        bytes: report.bytes,
        recorded: report.recorded,
        problems: report.problems,
    })
}

fn print_report(report: &VerifyResponse, place: &str) {
    let size = format!(
        "{} files, {:.1} MB",
        report.files,
        report.bytes as f64 / 1e6
    );
    if report.recorded {
        println!(
            "Module {} on {place} (store {}) had no recorded manifest: recorded one now ({size}); \
             later runs of verify compare against it",
            report.module, report.store
        );
        return;
    }
    if report.problems.is_empty() {
        println!(
            "Module {} on {place} (store {}): {size} checked, all match the recorded manifest",
            report.module, report.store
        );
        return;
    }
    println!(
        "Module {} on {place} (store {}): {} of {} files do not match the recorded manifest",
        report.module,
        report.store,
        report.problems.len(),
        report.files
    );
    for p in &report.problems {
        let kind = match p.kind {
            ProblemKind::Missing => "missing",
            ProblemKind::Unexpected => "unexpected",
            ProblemKind::Corrupt => "CORRUPT",
            ProblemKind::Modified => "modified",
            ProblemKind::Mode => "mode",
        };
        println!("  {kind:<10} {}: {}", p.path, p.detail);
    }
}
