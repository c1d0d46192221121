//! Printing statuses in the original's layout (appendix A of the behaviour notes).

use std::io::IsTerminal;

use pimlico_proto::{HeadingStatus, InputSourceKind, ModuleDetail, ModuleSummary, PipelineStatus};
use serde_json::Value;

use super::Context;
use super::status::StatusArgs;

/// Which headings to expand.
pub enum Expand {
    /// Every heading (a range or restriction is shown, or `--expand-all`).
    All,
    /// Only these numbers (`1.2`), or whole subtrees (`1.2.`).
    Sections(Vec<String>),
}

impl Expand {
    fn expands(&self, number: &str) -> bool {
        match self {
            Self::All => true,
            // A heading is expanded if it is asked for, lies above one asked for, or lies in a
            // subtree asked for with a trailing dot (`1.2.`).
            Self::Sections(list) => list.iter().any(|x| {
                let base = x.trim_end_matches('.');
                base == number
                    || base.starts_with(&format!("{number}."))
                    || (x.ends_with('.') && number.starts_with(x.as_str()))
            }),
        }
    }
}

/// Prints statuses, in colour on a terminal.
pub struct Printer<'a> {
    ctx: &'a Context,
    color: bool,
    /// Every module is listed (`--all`): bullets are `-`, as in the original.
    dashes: std::cell::Cell<bool>,
}

const GREEN: &str = "32";
const YELLOW: &str = "33";
const RED: &str = "31";
const CYAN: &str = "36";

impl<'a> Printer<'a> {
    /// A printer; colours only on a terminal and without `--no-color`.
    pub fn new(ctx: &'a Context, no_color: bool) -> Self {
        let color =
            !no_color && std::env::var_os("NO_COLOR").is_none() && std::io::stdout().is_terminal();
        Self {
            ctx,
            color,
            dashes: std::cell::Cell::new(false),
        }
    }

    fn paint(&self, text: &str, color: &str) -> String {
        if self.color {
            format!("\x1b[{color}m{text}\x1b[0m")
        } else {
            text.to_string()
        }
    }

    fn module_color(m: &ModuleSummary) -> &'static str {
        match (m.executable, m.status.as_str()) {
            (false, _) if m.inputs_ready => GREEN,
            (false, _) => RED,
            (true, "COMPLETE") => GREEN,
            (true, "UNEXECUTED") if m.inputs_ready => YELLOW,
            (true, "UNEXECUTED") => RED,
            _ => CYAN,
        }
    }

    /// The two lines every listing starts with.
    pub fn header(&self) {
        let mut variants = vec!["main".to_string()];
        variants.extend(self.ctx.pipeline.variants.iter().cloned());
        println!("Available pipeline variants: {}", variants.join(", "));
        println!("Showing status for '{}' variant", self.ctx.pipeline.variant);
    }

    /// The listing of many modules.
    pub fn listing(&self, status: &PipelineStatus, args: &StatusArgs, expand: Expand) {
        self.dashes.set(args.all);
        if args.all {
            println!("\nAll modules in pipeline with statuses:");
        } else if status.modules.is_empty() {
            println!("\nPipeline loaded successfully, but it does not contain any modules");
            return;
        } else {
            println!("\nModule execution schedule with statuses:");
        }
        if args.short {
            self.short(status);
            return;
        }
        let has_sections = !status.headings.children.is_empty();
        if has_sections && args.no_sections && status.modules.len() >= 2 {
            for module in &status.modules {
                self.module(module, args.alias);
            }
        } else {
            self.section(status, &status.headings, 0, &expand, args.alias);
        }
    }

    fn short(&self, status: &PipelineStatus) {
        let mut groups: std::collections::BTreeMap<&str, Vec<String>> = Default::default();
        for m in &status.modules {
            groups
                .entry(&m.status)
                .or_default()
                .push(format!("{} {}", self.bullet(m), m.name));
        }
        for (status, names) in groups {
            println!("\n{status}:");
            println!("{}", names.join("\n"));
        }
    }

    fn section(
        &self,
        status: &PipelineStatus,
        tree: &HeadingStatus,
        depth: usize,
        expand: &Expand,
        aliases: bool,
    ) {
        let is_root = tree.number.is_empty();
        let expanded = is_root || expand.expands(&tree.number);
        if !is_root {
            let more = !tree.modules.is_empty() || !tree.children.is_empty();
            let suffix = if !expanded && more { " -> ..." } else { "" };
            println!(
                "{} {}. {} {suffix}",
                "#".repeat(depth),
                tree.number,
                tree.title
            );
        }
        if !expanded {
            return;
        }
        for name in &tree.modules {
            if let Some(m) = status.modules.iter().find(|m| &m.name == name) {
                self.module(m, aliases);
            }
        }
        for child in &tree.children {
            self.section(status, child, depth + 1, expand, aliases);
        }
    }

    fn module(&self, m: &ModuleSummary, aliases: bool) {
        let color = Self::module_color(m);
        println!(
            "{}",
            self.paint(&format!(" {} {}", self.bullet(m), m.name), color)
        );
        println!("       type: {}", m.type_name);
        println!("       status: {}", self.paint(&m.status, color));
        for input in &m.inputs {
            let ready = if input.ready {
                self.paint("ready", GREEN)
            } else {
                self.paint("not ready", RED)
            };
            println!("       input {}: {ready}", input.name);
        }
        let outputs: Vec<String> = m
            .outputs
            .iter()
            .map(|o| self.paint(&o.name, if o.ready { GREEN } else { RED }))
            .collect();
        println!("       outputs: {}", outputs.join(", "));
        if let Some(reason) = &m.unavailable {
            println!("       unavailable here: {reason}");
        }
        if let Some(lock) = &m.lock {
            println!("       locked: {}", lock_text(lock));
        }
        if aliases {
            for (alias, target) in &self.ctx.pipeline.aliases {
                if *target == m.name {
                    println!("{}", self.paint(&format!(" * alias: {alias}"), color));
                }
            }
        }
    }

    /// `status MODULE`.
    pub fn detail(&self, d: &ModuleDetail, history: bool) {
        let mut shown = Vec::new();
        self.detail_one(d, history, &mut shown);
    }

    fn detail_one(&self, d: &ModuleDetail, history: bool, shown: &mut Vec<String>) {
        let m = &d.summary;
        shown.push(m.name.clone());
        let color = Self::module_color(m);
        println!();
        println!(
            "{}",
            self.paint(
                &pimlico_core::text::title_box(&format!("Module: {}", m.name)),
                color
            )
        );
        if !d.docstring.is_empty() {
            println!("{}", d.docstring);
        }
        let status = if m.executable {
            self.paint(&m.status, color)
        } else {
            self.paint("not executable", GREEN)
        };
        println!("Status: {status}");
        println!("Type: {}", m.type_name);
        if d.inputs.is_empty() {
            println!("No inputs");
        }
        for input in &d.inputs {
            println!("Input {}:", input.name);
            let ready = if input.ready {
                self.paint("Data ready", GREEN)
            } else {
                self.paint("Data not ready", RED)
            };
            println!("    {ready}");
            println!(
                "    From module: {} ({} output)",
                input.from_module,
                input.from_output.as_deref().unwrap_or("default")
            );
            println!("    Datatype: {}", input.datatype);
            println!(
                "    {}",
                match input.source {
                    InputSourceKind::Executable => "Executable module",
                    InputSourceKind::Filter => "Filter module",
                    InputSourceKind::PipelineInput => "Pipeline input",
                }
            );
            if let Some(location) = &input.location {
                println!("    Location: {location}");
            }
        }
        if d.outputs.is_empty() {
            println!("No outputs");
        }
        for output in &d.outputs {
            println!("Output {}:", output.name);
            let ready = if output.ready {
                self.paint("Data available", GREEN)
            } else {
                self.paint("Data not available", RED)
            };
            println!("    {ready}");
            println!("    Datatype: {}", output.datatype);
            if output.filter {
                println!("    Filter module");
            }
            if let Some(location) = &output.location {
                println!("    Location: {location}");
            }
        }
        if let Some(lock) = &m.lock {
            println!("Locked: {}", lock_text(lock));
        }
        if let Some(reason) = &m.unavailable {
            println!("Unavailable here: {reason}");
        }
        println!("Options:");
        println!("    {}", pairs(&d.options).join("\n    "));
        println!("Module variables:");
        println!("    {}", pairs(&d.modvars).join("\n    "));
        if history {
            println!("\nFull execution history:");
            println!("{}", d.history.as_deref().unwrap_or(""));
        }
        // Computed inputs are shown too: they are what this module really reads.
        for input in &d.inputs {
            if input.source == InputSourceKind::Filter && !shown.contains(&input.from_module) {
                let engine = self.ctx.engine();
                if let Ok(upstream) = engine.module(&input.from_module)
                    && let Ok(detail) =
                        pimlico_core::report::module_detail(&engine, upstream, history)
                {
                    self.detail_one(&detail, history, shown);
                }
            }
        }
    }
}

impl Printer<'_> {
    fn bullet(&self, m: &ModuleSummary) -> String {
        match m.number {
            Some(n) if !self.dashes.get() => format!("{n}."),
            _ => "-".to_string(),
        }
    }
}

fn lock_text(lock: &pimlico_proto::LockStatus) -> String {
    match (&lock.host, lock.pid) {
        (Some(host), Some(pid)) if lock.stale => format!(
            "stale (process {pid} on {host} is no longer running; use 'unlock' to remove it)"
        ),
        (Some(host), Some(pid)) => format!(
            "ongoing execution (process {pid} on {host}, since {})",
            lock.started.as_deref().unwrap_or("?")
        ),
        _ => "ongoing execution".to_string(),
    }
}

fn pairs(map: &serde_json::Map<String, Value>) -> Vec<String> {
    map.iter()
        .map(|(k, v)| match v {
            Value::String(s) => format!("{k}: {s}"),
            other => format!("{k}: {other}"),
        })
        .collect()
}
