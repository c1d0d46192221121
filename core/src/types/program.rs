//! Running a module's program (the `command` type, external module types): the environment
//! and JSON task file it receives, its output going to the module's log, the line protocol it
//! may speak on stdout, and its exit code deciding the outcome.

use std::collections::VecDeque;
use std::io::{BufRead, BufReader, Read};
use std::os::unix::process::ExitStatusExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};

use pimlico_config::ModVarValue;
use serde_json::{Map, Value, json};

use super::{ModuleContext, ModuleError, Outcome};
use crate::datatypes::metadata::merge_corpus_metadata;
use crate::exec::{ChildEvent, OutputStream};

/// Lines on stdout starting with this are protocol messages, not output.
pub const PROTOCOL_PREFIX: &str = "PIMLICO ";

/// How many lines of output are kept for the error log.
const KEPT_LINES: usize = 2000;

/// A program to run for a module.
#[derive(Debug, Clone)]
pub struct ProgramCommand {
    /// Program path or name on `PATH`.
    pub program: PathBuf,
    /// Its arguments.
    pub args: Vec<String>,
    /// Working directory.
    pub cwd: PathBuf,
    /// Extra environment variables (on top of the task variables).
    pub env: Vec<(String, String)>,
}

/// The task description written to the JSON task file.
pub fn task_json(ctx: &ModuleContext<'_>) -> Value {
    let inputs: Map<String, Value> = ctx
        .inputs
        .iter()
        .map(|(name, conns)| {
            let conns: Vec<Value> = conns
                .iter()
                .map(|c| {
                    json!({
                        "module": c.module,
                        "output": c.output,
                        "datatype": c.datatype.as_ref().map(ToString::to_string),
                        "dir": c.base_dir,
                        "data_dir": c.data_dir(),
                    })
                })
                .collect();
            (name.clone(), Value::Array(conns))
        })
        .collect();
    let outputs: Map<String, Value> = ctx
        .outputs
        .iter()
        .map(|(name, o)| {
            let value = json!({
                "datatype": o.datatype.as_ref().map(ToString::to_string),
                "dir": o.base_dir,
                "data_dir": o.data_dir(),
            });
            (name.clone(), value)
        })
        .collect();
    let modvars: Map<String, Value> = ctx
        .modvars()
        .iter()
        .map(|(k, v)| {
            (
                k.clone(),
                serde_json::to_value(v).expect("modvars serialise"),
            )
        })
        .collect();
    json!({
        "pimlico_task_version": 1,
        "pipeline": ctx.pipeline.name,
        "variant": ctx.pipeline.variant,
        "module": ctx.module.name,
        "type": ctx.module.type_string,
        "module_dir": ctx.module_dir,
        "config_dir": ctx.config_dir(),
        "processes": ctx.processes,
        "inputs": inputs,
        "outputs": outputs,
        "options": ctx.options(),
        "modvars": modvars,
    })
}

/// `PIMLICO_...` environment variables describing the task.
pub fn task_env(ctx: &ModuleContext<'_>, task_file: &Path) -> Vec<(String, String)> {
    let path = |p: &Path| p.display().to_string();
    let mut env = vec![
        ("PIMLICO_PIPELINE".into(), ctx.pipeline.name.clone()),
        ("PIMLICO_VARIANT".into(), ctx.pipeline.variant.clone()),
        ("PIMLICO_MODULE".into(), ctx.module.name.clone()),
        ("PIMLICO_MODULE_TYPE".into(), ctx.module.type_string.clone()),
        ("PIMLICO_MODULE_DIR".into(), path(&ctx.module_dir)),
        ("PIMLICO_CONFIG_DIR".into(), path(&ctx.config_dir())),
        ("PIMLICO_PROCESSES".into(), ctx.processes.to_string()),
        ("PIMLICO_TASK_FILE".into(), path(task_file)),
    ];
    let join = |dirs: Vec<Option<PathBuf>>| {
        dirs.into_iter()
            .map(|d| d.map(|d| path(&d)).unwrap_or_default())
            .collect::<Vec<_>>()
            .join(":")
    };
    for (i, (name, conns)) in ctx.inputs.iter().enumerate() {
        let key = env_key(name);
        let data = join(conns.iter().map(|c| c.data_dir()).collect());
        let base = join(conns.iter().map(|c| c.base_dir.clone()).collect());
        if i == 0 {
            env.push(("PIMLICO_INPUT".into(), data.clone()));
        }
        env.push((format!("PIMLICO_INPUT_{key}"), data));
        env.push((format!("PIMLICO_INPUT_{key}_DIR"), base));
    }
    for (i, (name, out)) in ctx.outputs.iter().enumerate() {
        let key = env_key(name);
        if i == 0 {
            env.push(("PIMLICO_OUTPUT".into(), path(&out.data_dir())));
        }
        env.push((format!("PIMLICO_OUTPUT_{key}"), path(&out.data_dir())));
        env.push((format!("PIMLICO_OUTPUT_{key}_DIR"), path(&out.base_dir)));
    }
    for (name, value) in ctx.options() {
        let text = match value {
            Value::Null => continue,
            Value::String(s) => s.clone(),
            other => other.to_string(),
        };
        env.push((format!("PIMLICO_OPT_{}", env_key(name)), text));
    }
    for (name, value) in ctx.modvars() {
        let text = match value {
            ModVarValue::Str(s) => s.clone(),
            ModVarValue::List(items) => serde_json::to_string(items).expect("strings serialise"),
        };
        env.push((format!("PIMLICO_VAR_{}", env_key(name)), text));
    }
    env
}

/// An environment variable name part: upper case, anything but letters and digits as `_`.
pub(crate) fn env_key(name: &str) -> String {
    name.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_uppercase()
            } else {
                '_'
            }
        })
        .collect()
}

/// Runs the program with the task environment; exit code 0 is success.
pub fn run_program(
    ctx: &ModuleContext<'_>,
    command: ProgramCommand,
) -> Result<Outcome, ModuleError> {
    let task_file = tempfile::Builder::new()
        .prefix("pimlico-task-")
        .suffix(".json")
        .tempfile()
        .map_err(|e| ModuleError::new(format!("could not create the task file: {e}")))?;
    let task = serde_json::to_vec_pretty(&task_json(ctx)).expect("task serialises");
    std::fs::write(task_file.path(), task).map_err(|e| {
        ModuleError::new(format!(
            "could not write the task file {}: {e}",
            task_file.path().display()
        ))
    })?;
    let mut child = Command::new(&command.program)
        .args(&command.args)
        .current_dir(&command.cwd)
        .envs(task_env(ctx, task_file.path()))
        .envs(command.env.iter().map(|(k, v)| (k, v)))
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| {
            ModuleError::new(format!(
                "could not start {} (in {}): {e}",
                command.program.display(),
                command.cwd.display()
            ))
        })?;
    let kept = Arc::new(Mutex::new(VecDeque::new()));
    let stderr = child.stderr.take().expect("stderr is piped");
    let sink = ctx.log.clone();
    let stderr_kept = Arc::clone(&kept);
    let stderr_thread = std::thread::spawn(move || {
        for line in lines(stderr) {
            keep(&stderr_kept, format!("[stderr] {line}"));
            sink.emit_output(OutputStream::Stderr, line);
        }
    });
    let mut state = ProtocolState::default();
    for line in lines(child.stdout.take().expect("stdout is piped")) {
        match line.strip_prefix(PROTOCOL_PREFIX) {
            Some(message) => state.handle(ctx, message.trim_end()),
            None => {
                keep(&kept, line.clone());
                ctx.log.emit_output(OutputStream::Stdout, line);
            }
        }
    }
    let status = child
        .wait()
        .map_err(|e| ModuleError::new(format!("waiting for program: {e}")))?;
    let _ = stderr_thread.join();
    if status.success() {
        return Ok(Outcome::default());
    }
    let how = match (status.code(), status.signal()) {
        (Some(code), _) => format!("exited with code {code}"),
        (None, Some(sig)) => format!("was killed by signal {sig}"),
        _ => "failed".to_string(),
    };
    let program = command.program.display();
    let message = match state.error {
        Some(error) => error,
        None => format!("{program} {how}"),
    };
    let output: Vec<String> = kept
        .lock()
        .expect("output buffer")
        .iter()
        .cloned()
        .collect();
    let details = format!(
        "Command: {program} {}\nWorking directory: {}\nThe program {how}.\n\nOutput (last {} lines):\n{}\n",
        command.args.join(" "),
        command.cwd.display(),
        output.len(),
        output.join("\n")
    );
    Err(ModuleError::new(message).with_details(details))
}

/// State kept while reading protocol lines.
#[derive(Default)]
struct ProtocolState {
    error: Option<String>,
}

impl ProtocolState {
    fn handle(&mut self, ctx: &ModuleContext<'_>, message: &str) {
        let (keyword, rest) = message.split_once(' ').unwrap_or((message, ""));
        let rest = rest.trim();
        match keyword {
            "PROGRESS" => match parse_progress(rest) {
                Some((done, total, text)) => ctx.progress.report(done, total, text),
                None => ctx
                    .log
                    .warn(format!("malformed progress line from program: '{message}'")),
            },
            "ERROR" => self.error = Some(rest.to_string()),
            "METADATA" => {
                if let Err(problem) = merge_metadata(ctx, rest) {
                    ctx.log
                        .warn(format!("ignoring metadata line from program: {problem}"));
                }
            }
            _ => ctx.log.warn(format!(
                "unknown protocol line from program (expected PROGRESS, ERROR or METADATA): \
                 '{PROTOCOL_PREFIX}{message}'"
            )),
        }
    }
}

/// `<done>[/<total>] [message]`.
fn parse_progress(text: &str) -> Option<(u64, Option<u64>, Option<&str>)> {
    let (count, message) = match text.split_once(' ') {
        Some((count, message)) => (count, Some(message.trim()).filter(|m| !m.is_empty())),
        None => (text, None),
    };
    let (done, total) = match count.split_once('/') {
        Some((done, total)) => (done.parse().ok()?, Some(total.parse().ok()?)),
        None => (count.parse().ok()?, None),
    };
    Some((done, total, message))
}

/// `<output> <json object>`: merged into that output's `corpus_metadata`.
fn merge_metadata(ctx: &ModuleContext<'_>, text: &str) -> Result<(), String> {
    let (output, json) = text
        .split_once(' ')
        .ok_or_else(|| format!("expected '<output> <JSON object>', got '{text}'"))?;
    let out = ctx
        .outputs
        .get(output)
        .ok_or_else(|| format!("module has no output '{output}'"))?;
    let extra: Map<String, Value> = serde_json::from_str(json)
        .map_err(|e| format!("invalid JSON object for '{output}': {e}"))?;
    merge_corpus_metadata(&out.base_dir, &extra).map_err(|e| e.to_string())
}

fn keep(buffer: &Mutex<VecDeque<String>>, line: String) {
    let mut buffer = buffer.lock().expect("output buffer");
    if buffer.len() == KEPT_LINES {
        buffer.pop_front();
    }
    buffer.push_back(line);
}

/// Lines of a stream, decoded leniently (invalid UTF-8 replaced).
fn lines(stream: impl Read) -> impl Iterator<Item = String> {
    let mut reader = BufReader::new(stream);
    std::iter::from_fn(move || {
        let mut buf = Vec::new();
        match reader.read_until(b'\n', &mut buf) {
            Ok(0) | Err(_) => None,
            Ok(_) => {
                let line = String::from_utf8_lossy(&buf);
                Some(line.trim_end_matches(['\n', '\r']).to_string())
            }
        }
    })
}

impl super::ModuleLogger {
    /// Forwards a line of the module program's output.
    pub fn emit_output(&self, stream: OutputStream, line: String) {
        self.sink().emit(ChildEvent::Output { stream, line });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_progress_lines() {
        assert_eq!(
            parse_progress("3/10 tokenising"),
            Some((3, Some(10), Some("tokenising")))
        );
        assert_eq!(parse_progress("7"), Some((7, None, None)));
        assert_eq!(parse_progress("x/10"), None);
        assert_eq!(env_key("corpus-in.x"), "CORPUS_IN_X");
    }
}
