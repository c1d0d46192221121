//! `--server S logs MODULE [--follow]`: the log of the module's latest run on the daemon.

use std::io::Write;

use futures::StreamExt;

use super::args::LogsArgs;
use super::{Context, block_on, connect, target};
use crate::remote::RunFilter;

/// Prints the log of the latest run that included the module.
pub fn logs(ctx: &Context, server: Option<&str>, args: &LogsArgs) -> i32 {
    let Some(server) = server else {
        eprintln!("Error: 'logs' shows the logs of runs on a daemon: give --server SERVER");
        return 1;
    };
    let module = match ctx.module(&args.module) {
        Ok(m) => m.name.clone(),
        Err(code) => return code,
    };
    let (client, _) = match connect(server) {
        Ok(c) => c,
        Err(code) => return code,
    };
    let (pipeline, variant) = target(ctx);
    let result = block_on(async {
        let filter = RunFilter {
            pipeline: Some(&pipeline),
            variant: Some(&variant),
            module: Some(&module),
        };
        let runs = client.runs(&filter).await.map_err(|e| e.to_string())?.runs;
        let Some(run) = runs.last() else {
            return Ok(false);
        };
        let mut stream = client
            .run_logs(&run.id, args.follow)
            .await
            .map_err(|e| e.to_string())?;
        let mut stdout = std::io::stdout();
        while let Some(chunk) = stream.next().await {
            let chunk = chunk.map_err(|e| format!("reading the log of run {}: {e}", run.id))?;
            let _ = stdout.write_all(&chunk);
            let _ = stdout.flush();
        }
        Ok::<_, String>(true)
    });
    match result {
        Err(code) => code,
        Ok(Ok(true)) => 0,
        Ok(Ok(false)) => {
            eprintln!("Module '{module}' has not been run on {server} since the daemon started");
            1
        }
        Ok(Err(e)) => {
            eprintln!("Error: {e}");
            1
        }
    }
}
