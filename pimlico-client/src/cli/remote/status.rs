//! `--server S status`: the same listing and detail as the local command, read from the
//! daemon (which builds them with the same engine code).

use pimlico_config::ModuleConfig;
use pimlico_proto::{ModuleDetail, PipelineStatus};

use super::super::status::{StatusArgs, StatusSource, run_from};
use super::{Context, block_on, connect, target};
use crate::remote::Client;

struct Remote {
    client: Client,
    pipeline: String,
    variant: String,
}

impl StatusSource for Remote {
    fn pipeline_status(&self, all: bool) -> Result<PipelineStatus, String> {
        block_on(self.client.status(&self.pipeline, &self.variant, all))
            .map_err(|_| "could not start the runtime".to_string())?
            .map_err(|e| e.to_string())
    }

    fn module_detail(&self, module: &ModuleConfig, history: bool) -> Result<ModuleDetail, String> {
        let request =
            self.client
                .module_status(&self.pipeline, &self.variant, &module.name, history);
        block_on(request)
            .map_err(|_| "could not start the runtime".to_string())?
            .map_err(|e| e.to_string())
    }
}

/// Runs `status` against a daemon.
pub fn status(ctx: &Context, server: &str, args: &StatusArgs) -> i32 {
    let (client, _) = match connect(server) {
        Ok(c) => c,
        Err(code) => return code,
    };
    let (pipeline, variant) = target(ctx);
    let source = Remote {
        client,
        pipeline,
        variant,
    };
    run_from(ctx, args, &source)
}
