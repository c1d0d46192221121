//! `status`: the schedule with each module's status, or one module in detail.

use clap::Args;
use pimlico_config::ModuleConfig;
use pimlico_core::engine::Engine;
use pimlico_core::ops::dependent_modules;
use pimlico_core::report::{heading_tree, module_detail, pipeline_status};
use pimlico_proto::{ModuleDetail, PipelineStatus};

use super::Context;
use super::status_print::{Expand, Printer};

/// Arguments of `status`.
#[derive(Debug, Args)]
pub struct StatusArgs {
    /// A module (name or number) to show in detail, or a range `A...B` to list.
    pub module: Option<String>,
    /// List every module, not only those in the execution schedule.
    #[arg(short = 'a', long)]
    pub all: bool,
    /// Show module aliases after the modules.
    #[arg(long)]
    pub alias: bool,
    /// Group module names by status.
    #[arg(short = 's', long)]
    pub short: bool,
    /// With a module: also show its execution history.
    #[arg(short = 'i', long)]
    pub history: bool,
    /// Only show this module and the modules it depends on.
    #[arg(short = 'd', long, value_name = "MODULE")]
    pub deps_of: Option<String>,
    /// No terminal colours.
    #[arg(long, visible_alias = "nc")]
    pub no_color: bool,
    /// No section headings, just the modules.
    #[arg(long, visible_alias = "ns")]
    pub no_sections: bool,
    /// Expand every section heading.
    #[arg(long, visible_alias = "xa")]
    pub expand_all: bool,
    /// Expand this section (`1.2`; `1.2.` for its whole subtree). Repeatable.
    #[arg(short = 'x', long, num_args = 1..)]
    pub expand: Vec<String>,
    /// Print the status as JSON (the daemon's format).
    #[arg(long)]
    pub json: bool,
}

/// Where `status` reads statuses from: this host's stores, or a daemon (`--server`).
pub trait StatusSource {
    /// The schedule's (or with `all`, every module's) status.
    fn pipeline_status(&self, all: bool) -> Result<PipelineStatus, String>;
    /// One module in detail.
    fn module_detail(&self, module: &ModuleConfig, history: bool) -> Result<ModuleDetail, String>;
}

struct Local<'a>(Engine<'a>);

impl StatusSource for Local<'_> {
    fn pipeline_status(&self, all: bool) -> Result<PipelineStatus, String> {
        pipeline_status(&self.0, all).map_err(|e| e.to_string())
    }

    fn module_detail(&self, module: &ModuleConfig, history: bool) -> Result<ModuleDetail, String> {
        module_detail(&self.0, module, history).map_err(|e| e.to_string())
    }
}

/// Runs the command.
pub fn run(ctx: &Context, args: &StatusArgs) -> i32 {
    run_from(ctx, args, &Local(ctx.engine()))
}

/// Runs the command with statuses from `source`.
pub fn run_from(ctx: &Context, args: &StatusArgs, source: &dyn StatusSource) -> i32 {
    let (mut first, mut last, mut detail) = (None, None, None);
    if let Some(spec) = &args.module {
        if let Some((a, b)) = spec.split_once("...") {
            first = (!a.is_empty()).then(|| a.to_string());
            last = (!b.is_empty()).then(|| b.to_string());
        } else if let Some(expanded) = ctx.pipeline.expanded.get(spec) {
            first = expanded.first().cloned();
            last = expanded.last().cloned();
        } else {
            detail = Some(spec.clone());
        }
    }
    let printer = Printer::new(ctx, args.no_color);
    if let Some(spec) = detail {
        let module = match ctx.module(&spec) {
            Ok(module) => module,
            Err(code) => return code,
        };
        return match source.module_detail(module, args.history) {
            Ok(detail) if args.json => print_json(&detail),
            Ok(detail) => {
                printer.header();
                printer.detail(&detail, args.history);
                0
            }
            Err(e) => report_error(e),
        };
    }
    let mut status = match source.pipeline_status(args.all) {
        Ok(status) => status,
        Err(e) => return report_error(e),
    };
    let mut restricted = false;
    if let Some(spec) = &args.deps_of {
        let module = match ctx.module(spec) {
            Ok(module) => module.name.clone(),
            Err(code) => return code,
        };
        let keep: Vec<String> = ctx
            .pipeline
            .modules
            .iter()
            .filter(|m| {
                m.name == module || dependent_modules(&ctx.pipeline, &m.name).contains(&module)
            })
            .map(|m| m.name.clone())
            .collect();
        status.modules.retain(|m| keep.contains(&m.name));
        restricted = true;
        if !args.json {
            printer.header();
            println!("\nRestricting status view to dependencies of module '{module}'");
        }
    } else if !args.json {
        printer.header();
    }
    if first.is_some() || last.is_some() {
        match limit_range(ctx, &mut status, first, last) {
            Ok(()) => restricted = true,
            Err(code) => return code,
        }
    }
    if restricted {
        let listed: Vec<String> = status.modules.iter().map(|m| m.name.clone()).collect();
        status.headings = heading_tree(&ctx.pipeline.headings, &listed);
    }
    if args.json {
        return print_json(&status);
    }
    let expand = if restricted || args.expand_all {
        Expand::All
    } else {
        Expand::Sections(args.expand.clone())
    };
    printer.listing(&status, args, expand);
    0
}

fn limit_range(
    ctx: &Context,
    status: &mut PipelineStatus,
    first: Option<String>,
    last: Option<String>,
) -> Result<(), i32> {
    let names: Vec<String> = status.modules.iter().map(|m| m.name.clone()).collect();
    let position = |spec: &str| -> Result<usize, i32> {
        let name = ctx.module(spec)?.name.clone();
        names.iter().position(|n| *n == name).ok_or_else(|| {
            eprintln!(
                "Error: tried to limit module list by '{name}': no such module in the listing"
            );
            1
        })
    };
    let start = match &first {
        Some(spec) => position(spec)?,
        None => 0,
    };
    let end = match &last {
        Some(spec) => position(spec)? + 1,
        None => names.len(),
    };
    let keep: Vec<String> = names[start..end.max(start)].to_vec();
    status.modules.retain(|m| keep.contains(&m.name));
    Ok(())
}

fn print_json<T: serde::Serialize>(value: &T) -> i32 {
    match serde_json::to_string_pretty(value) {
        Ok(text) => {
            println!("{text}");
            0
        }
        Err(e) => {
            eprintln!("Error: could not serialise the status: {e}");
            1
        }
    }
}

fn report_error(e: impl std::fmt::Display) -> i32 {
    eprintln!("Error reading module status: {e}");
    1
}
