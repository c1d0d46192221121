//! The job script: sbatch options as `#SBATCH` lines, then the job's environment and command.
//! It is kept in the module directory, so a run can be inspected (or resubmitted by hand).

use std::ffi::OsString;
use std::path::Path;

use super::config::Resources;
use crate::engine::ExecRequest;
use crate::engine::child::INTERNAL_EXEC;
use crate::exec::JobSpec;

/// The job name of a module's jobs: `pimlico-` and the module name, restricted to characters
/// every Slurm command shows unchanged.
pub(super) fn job_name(module: &str) -> String {
    let clean: String = module
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-' | '[' | ']' | '=' | '~') {
                c
            } else {
                '_'
            }
        })
        .collect();
    format!("pimlico-{clean}")
}

/// Slurm expands `%` in output file names (`%j` is the job id): a literal one is doubled.
fn slurm_pattern(path: &Path) -> String {
    path.display().to_string().replace('%', "%%")
}

fn utf8<'a>(what: &str, value: &'a OsString) -> Result<&'a str, String> {
    value
        .to_str()
        .ok_or_else(|| format!("{what} {value:?} is not valid UTF-8"))
}

fn quote(value: &str) -> Result<String, String> {
    shlex::try_quote(value)
        .map(|q| q.into_owned())
        .map_err(|e| format!("cannot quote {value:?} for the job script: {e}"))
}

/// An `#SBATCH` line; sbatch reads double-quoted values, so a value may hold spaces but not
/// double quotes or line breaks.
fn sbatch_line(option: &str) -> Result<String, String> {
    if option.contains(['"', '\n', '\r']) {
        return Err(format!(
            "sbatch option {option:?} contains a double quote or a line break"
        ));
    }
    Ok(match option.split_once('=') {
        Some((name, value)) if value.contains(char::is_whitespace) => {
            format!("#SBATCH {name}=\"{value}\"\n")
        }
        _ => format!("#SBATCH {option}\n"),
    })
}

/// The arguments the job runs with. A module's `internal-exec` request loses its supervisor
/// pid: the job's parent is Slurm's step daemon, and the job must not stop when the process
/// that submitted it goes away (a restarted daemon follows it again).
pub(super) fn detach(args: &[OsString]) -> Result<Vec<OsString>, String> {
    if args.len() != 2 || args[0] != INTERNAL_EXEC {
        return Ok(args.to_vec());
    }
    let json = utf8("internal-exec request", &args[1])?;
    let mut request: ExecRequest =
        serde_json::from_str(json).map_err(|e| format!("invalid internal-exec request: {e}"))?;
    request.supervisor_pid = None;
    let json = serde_json::to_string(&request).expect("requests serialise");
    Ok(vec![args[0].clone(), json.into()])
}

/// What goes into a job script.
pub(super) struct ScriptSpec<'a> {
    pub(super) spec: &'a JobSpec,
    pub(super) program: &'a Path,
    pub(super) module_dir: &'a Path,
    pub(super) resources: &'a Resources,
    pub(super) header: &'a str,
}

/// The job script's text.
pub(super) fn job_script(s: &ScriptSpec<'_>) -> Result<String, String> {
    let dir = s.module_dir;
    let mut text = String::from("#!/bin/sh\n");
    for line in s.header.lines() {
        text.push_str(&format!("# {line}\n"));
    }
    let mut options = vec![
        format!("--job-name={}", job_name(&s.spec.module)),
        format!("--output={}/slurm-%j.out", slurm_pattern(dir)),
        format!("--error={}/slurm-%j.err", slurm_pattern(dir)),
        format!("--chdir={}", dir.display()),
        // A job lost with its node is reported, not silently run again.
        "--no-requeue".to_string(),
        "--nodes=1".to_string(),
        "--ntasks=1".to_string(),
    ];
    options.extend(s.resources.sbatch_options());
    for option in &options {
        text.push_str(&sbatch_line(option)?);
    }
    for (key, value) in &s.spec.env {
        let key = utf8("environment variable name", key)?;
        if key.is_empty() || !key.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
            return Err(format!("environment variable name {key:?} is not valid"));
        }
        let value = utf8("environment variable value", value)?;
        text.push_str(&format!("export {key}={}\n", quote(value)?));
    }
    let program = s
        .program
        .to_str()
        .ok_or_else(|| format!("program path {:?} is not valid UTF-8", s.program))?;
    let mut command = vec![quote(program)?];
    for arg in detach(&s.spec.args)? {
        command.push(quote(utf8("argument", &arg)?)?);
    }
    text.push_str(&format!("exec {}\n", command.join(" ")));
    Ok(text)
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    use super::*;
    use crate::engine::LoadSpec;
    use crate::engine::child::internal_exec_args;

    fn request() -> ExecRequest {
        ExecRequest {
            load: LoadSpec {
                config: "/shared/p.conf".into(),
                variant: "main".into(),
                local_config: None,
                overrides: vec![],
                home: None,
            },
            module: "m".into(),
            force_rerun: false,
            debug: false,
            supervisor_pid: Some(42),
        }
    }

    #[test]
    fn the_script_runs_the_module_program_detached_from_its_submitter() {
        let spec = JobSpec {
            module: "sub[size=1~offset=3]".into(),
            program: "/ignored".into(),
            args: internal_exec_args(&request()),
            env: vec![("NAME".into(), "it's here".into())],
        };
        let resources = Resources {
            partition: Some("short".into()),
            cpus: Some(4),
            time: Some("1:00:00".into()),
            sbatch_args: vec!["--qos=low prio".into()],
            ..Resources::default()
        };
        let dir = PathBuf::from("/shared/store 1/p/main/sub[size=1~offset=3]");
        let text = job_script(&ScriptSpec {
            spec: &spec,
            program: Path::new("/shared/bin/pimlicod"),
            module_dir: &dir,
            resources: &resources,
            header: "first\nsecond",
        })
        .unwrap();
        let mut lines = text.lines();
        assert_eq!(lines.next(), Some("#!/bin/sh"));
        assert_eq!(lines.next(), Some("# first"));
        assert_eq!(lines.next(), Some("# second"));
        let sbatch: Vec<&str> = text.lines().filter(|l| l.starts_with("#SBATCH")).collect();
        assert_eq!(
            sbatch,
            [
                "#SBATCH --job-name=pimlico-sub[size=1~offset=3]",
                "#SBATCH --output=\"/shared/store 1/p/main/sub[size=1~offset=3]/slurm-%j.out\"",
                "#SBATCH --error=\"/shared/store 1/p/main/sub[size=1~offset=3]/slurm-%j.err\"",
                "#SBATCH --chdir=\"/shared/store 1/p/main/sub[size=1~offset=3]\"",
                "#SBATCH --no-requeue",
                "#SBATCH --nodes=1",
                "#SBATCH --ntasks=1",
                "#SBATCH --partition=short",
                "#SBATCH --cpus-per-task=4",
                "#SBATCH --time=1:00:00",
                "#SBATCH --qos=\"low prio\"",
            ]
        );
        let export = text.lines().find(|l| l.starts_with("export ")).unwrap();
        assert_eq!(shlex::split(export).unwrap(), ["export", "NAME=it's here"]);
        let exec = text.lines().last().unwrap();
        let words = shlex::split(exec).unwrap();
        assert_eq!(words[..3], ["exec", "/shared/bin/pimlicod", INTERNAL_EXEC]);
        let sent: ExecRequest = serde_json::from_str(&words[3]).unwrap();
        assert_eq!(
            sent,
            ExecRequest {
                supervisor_pid: None,
                ..request()
            }
        );
    }

    #[test]
    fn percent_signs_in_paths_are_escaped_and_bad_values_refused() {
        let spec = JobSpec {
            module: "m".into(),
            program: "/bin/true".into(),
            args: vec![],
            env: vec![],
        };
        let script = |dir: &str, resources: &Resources| {
            job_script(&ScriptSpec {
                spec: &spec,
                program: Path::new("/bin/true"),
                module_dir: Path::new(dir),
                resources,
                header: "",
            })
        };
        let text = script("/data/100%/m", &Resources::default()).unwrap();
        assert!(
            text.contains("#SBATCH --output=/data/100%%/m/slurm-%j.out\n"),
            "{text}"
        );
        assert!(text.ends_with("exec /bin/true\n"), "{text}");
        let quoted = Resources {
            sbatch_args: vec!["--comment=\"x\"".into()],
            ..Resources::default()
        };
        let error = script("/data/m", &quoted).unwrap_err();
        assert!(error.contains("double quote"), "{error}");
    }

    #[test]
    fn job_names_keep_module_names_readable() {
        assert_eq!(job_name("tokenize"), "pimlico-tokenize");
        assert_eq!(job_name("a b/c"), "pimlico-a_b_c");
    }
}
