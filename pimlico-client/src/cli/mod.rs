//! The `pimlico` command line: `pimlico CONFIG [options] COMMAND ...`, one file per command.
//! Commands call the core library and print; nothing here decides what happens to data.

mod args;
mod check;
mod clean;
mod context;
mod deps;
mod dump;
mod inputs;
mod load;
mod log;
mod modules;
mod movestores;
mod output;
mod prompt;
mod remote;
mod reset;
mod run;
mod sink;
mod status;
mod status_print;
mod stores;
mod unlock;
mod variants;

use std::ffi::OsString;
use std::process::ExitCode;

use clap::Parser;
use pimlico_core::engine::child::{INTERNAL_EXEC, internal_exec_main};

pub use args::{Cli, Command, GlobalArgs};
pub use context::Context;

/// Runs the command line of this process.
pub fn main() -> ExitCode {
    let args: Vec<OsString> = std::env::args_os().collect();
    ExitCode::from(run(args).clamp(0, 255) as u8)
}

/// Runs a command line (`args[0]` is the program name) and returns the exit code.
pub fn run(args: Vec<OsString>) -> i32 {
    if args.get(1).is_some_and(|a| a == INTERNAL_EXEC) {
        return internal_exec_main(&args[2..], &crate::registry::registry());
    }
    let cli = match Cli::try_parse_from(args) {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return if e.use_stderr() { 2 } else { 0 };
        }
    };
    let ctx = match Context::load(&cli.global) {
        Ok(ctx) => ctx,
        Err(code) => return code,
    };
    if let Some(code) = remote_command(&ctx, &cli) {
        return code;
    }
    match &cli.command {
        Command::Status(a) => status::run(&ctx, a),
        Command::Variants => variants::run(&ctx),
        Command::Run(a) => run::run(&ctx, a),
        Command::Reset(a) => reset::run(&ctx, a),
        Command::Clean(a) => clean::run(&ctx, a),
        Command::Stores => stores::run(&ctx),
        Command::Movestores(a) => movestores::run(&ctx, a),
        Command::Unlock(a) => unlock::run(&ctx, a),
        Command::Deps(a) => deps::run(&ctx, a),
        Command::Inputs(a) => inputs::run(&ctx, a),
        Command::Output(a) => output::run(&ctx, a),
        Command::Modules(a) => modules::run(&ctx, a),
        Command::Check => check::run(&ctx),
        Command::Dump(a) => dump::run(&ctx, a),
        Command::Load(a) => load::run(&ctx, a),
        Command::Logs(a) => remote::logs(&ctx, None, a),
        Command::Pull(a) => remote::pull(&ctx, a),
        Command::Push(a) => remote::push(&ctx, a),
        Command::Transfer(a) => remote::transfer(&ctx, a),
        Command::Verify(a) => remote::verify(&ctx, None, a),
        Command::Diff(a) => remote::diff(&ctx, None, a),
    }
}

/// The commands that act on a daemon when `--server` is given.
fn remote_command(ctx: &Context, cli: &Cli) -> Option<i32> {
    let server = cli.global.server.as_deref()?;
    Some(match &cli.command {
        Command::Status(a) => remote::status(ctx, server, a),
        Command::Run(a) => remote::run(ctx, server, a),
        Command::Reset(a) => remote::reset(ctx, server, a),
        Command::Unlock(a) => remote::unlock(ctx, server, a),
        Command::Logs(a) => remote::logs(ctx, Some(server), a),
        Command::Verify(a) => remote::verify(ctx, Some(server), a),
        Command::Diff(a) => remote::diff(ctx, Some(server), a),
        _ => {
            eprintln!(
                "Error: --server applies to status, run, reset, unlock, logs, verify and diff; pull, \
                 push and transfer name their servers with --from and --to"
            );
            1
        }
    })
}
