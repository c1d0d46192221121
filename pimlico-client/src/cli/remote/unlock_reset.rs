//! `--server S unlock MODULE` and `--server S reset MODULES`.

use pimlico_core::ops::dependent_modules;
use pimlico_core::status::statuses::UNEXECUTED;

use super::super::prompt::confirm;
use super::super::reset::ResetArgs;
use super::super::unlock::UnlockArgs;
use super::{Context, block_on, connect, target};

/// Removes a module's lock on the daemon.
pub fn unlock(ctx: &Context, server: &str, args: &UnlockArgs) -> i32 {
    let module = match ctx.module(&args.module) {
        Ok(m) => m.name.clone(),
        Err(code) => return code,
    };
    let (client, _) = match connect(server) {
        Ok(c) => c,
        Err(code) => return code,
    };
    let (pipeline, variant) = target(ctx);
    match block_on(client.unlock(&pipeline, &variant, &module)) {
        Err(code) => code,
        Ok(Ok(answer)) => {
            println!("{}", answer.message);
            0
        }
        Ok(Err(e)) => {
            eprintln!("Error: {e}");
            1
        }
    }
}

/// Deletes modules' data on the daemon, asking first about executed modules that depend on
/// them (their status as the daemon sees it), as the local `reset` does.
pub fn reset(ctx: &Context, server: &str, args: &ResetArgs) -> i32 {
    if args.modules.is_empty() {
        eprintln!("Error: name the modules to reset");
        return 1;
    }
    let modules = match ctx.modules(&args.modules) {
        Ok(m) => m,
        Err(code) => return code,
    };
    let (client, _) = match connect(server) {
        Ok(c) => c,
        Err(code) => return code,
    };
    let (pipeline, variant) = target(ctx);
    let result = block_on(async {
        let mut dependents = Vec::new();
        if !args.no_deps {
            let status = client
                .status(&pipeline, &variant, true)
                .await
                .map_err(|e| e.to_string())?;
            for module in &modules {
                for dep in dependent_modules(&ctx.pipeline, module) {
                    let executed = status
                        .modules
                        .iter()
                        .any(|m| m.name == dep && m.executable && m.status != UNEXECUTED);
                    if executed && !modules.contains(&dep) && !dependents.contains(&dep) {
                        dependents.push(dep);
                    }
                }
            }
        }
        Ok::<_, String>(dependents)
    });
    let dependents = match result {
        Err(code) => return code,
        Ok(Err(e)) => {
            eprintln!("Error: {e}");
            return 1;
        }
        Ok(Ok(d)) => d,
    };
    if !dependents.is_empty() {
        println!(
            "The following modules depend on {}. Their execution state will be reset too if you continue.",
            modules.join(", ")
        );
        println!("  {}", dependents.join(", "));
        if args.force_deps {
            println!("Resetting all");
        } else if !ctx.interactive {
            eprintln!(
                "Error: not resetting anything: confirmation is needed but this is not an \
                 interactive session. Use -f to reset the dependent modules too, or -n to reset \
                 only {}",
                modules.join(", ")
            );
            return 1;
        } else if !confirm("Do you want to continue? [y/N] ") {
            println!("Cancelled");
            return 0;
        }
    }
    let mut code = 0;
    for module in modules.iter().chain(&dependents) {
        println!("Resetting execution state of module {module} on {server}");
        match block_on(client.delete_data(&pipeline, &variant, module)) {
            Err(c) => return c,
            Ok(Ok(_)) => {}
            Ok(Err(e)) => {
                eprintln!("Error: {e}");
                code = 1;
            }
        }
    }
    code
}
