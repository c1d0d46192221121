//! `diff MODULE --server A [--server B]`: compare a module's data on two hosts (two servers,
//! or one server and the local stores) by their manifests, listing the files that differ. The
//! manifests come from each side's cache where files are unchanged, so this reads little.

use clap::Args;
use pimlico_core::manifest::{DiffKind, Difference, diff_manifests, module_manifest};
use pimlico_proto::Manifest;
use serde::Serialize;

use super::{Context, block_on, connect, print_json, target};

/// Arguments of `diff`.
#[derive(Debug, Args)]
pub struct DiffArgs {
    /// The module (name or number).
    pub module: String,
    /// A server to compare (twice for two servers; once to compare it with the local stores).
    #[arg(long = "server", value_name = "SERVER")]
    pub servers: Vec<String>,
    /// Print the differences as JSON.
    #[arg(long)]
    pub json: bool,
}

#[derive(Serialize)]
struct DiffReport<'a> {
    module: &'a str,
    first: &'a str,
    second: &'a str,
    differences: &'a [Difference],
}

/// Runs `diff`; `global_server` is a `--server` given before the command. Exit code 0 when
/// the two sides hold the same data, 1 when they differ or a side cannot be read.
pub fn diff(ctx: &Context, global_server: Option<&str>, args: &DiffArgs) -> i32 {
    let module = match ctx.module(&args.module) {
        Ok(m) => m.name.clone(),
        Err(code) => return code,
    };
    let mut sides: Vec<&str> = global_server.into_iter().collect();
    sides.extend(args.servers.iter().map(String::as_str));
    let (first, second) = match sides.as_slice() {
        [a] => (Some(*a), None),
        [a, b] => (Some(*a), Some(*b)),
        _ => {
            eprintln!(
                "Error: diff compares two sides: give --server twice (two servers), or once (a \
                 server and the local stores)"
            );
            return 1;
        }
    };
    let manifests = block_on(async {
        let a = manifest(ctx, first, &module).await?;
        let b = manifest(ctx, second, &module).await?;
        Ok::<_, String>((a, b))
    });
    let (a, b) = match manifests {
        Err(code) => return code,
        Ok(Err(message)) => {
            eprintln!("Error: {message}");
            return 1;
        }
        Ok(Ok(pair)) => pair,
    };
    let names = (
        first.unwrap_or("this machine"),
        second.unwrap_or("this machine"),
    );
    let differences = diff_manifests(&a, &b);
    if args.json {
        print_json(&DiffReport {
            module: &module,
            first: names.0,
            second: names.1,
            differences: &differences,
        });
    } else if differences.is_empty() {
        println!(
            "Module {module}: the same {} files ({:.1} MB) on {} and {}",
            a.files.len(),
            a.total_bytes() as f64 / 1e6,
            names.0,
            names.1
        );
    } else {
        println!(
            "Module {module}: {} paths differ between {} (first) and {} (second)",
            differences.len(),
            names.0,
            names.1
        );
        for d in &differences {
            let kind = match d.kind {
                DiffKind::OnlyFirst => format!("only on {}", names.0),
                DiffKind::OnlySecond => format!("only on {}", names.1),
                DiffKind::Content => "content".to_string(),
                DiffKind::Mode => "mode".to_string(),
            };
            println!("  {}: {kind}: {}", d.path, d.detail);
        }
    }
    i32::from(!differences.is_empty())
}

/// The module's manifest on `server`, or in the local stores for `None`.
async fn manifest(ctx: &Context, server: Option<&str>, module: &str) -> Result<Manifest, String> {
    let Some(server) = server else {
        let (_, dir) = ctx
            .stores
            .find_module_dir(module)
            .ok_or_else(|| format!("module '{module}' has no data in the local stores"))?;
        return tokio::task::spawn_blocking(move || module_manifest(&dir))
            .await
            .map_err(|e| e.to_string())?
            .map(|c| c.manifest)
            .map_err(|e| e.to_string());
    };
    let (client, _) = connect(server).map_err(|_| format!("cannot use server '{server}'"))?;
    let (pipeline, variant) = target(ctx);
    client
        .manifest(&pipeline, &variant, module)
        .await
        .map(|r| r.manifest)
        .map_err(|e| format!("{server}: {e}"))
}
