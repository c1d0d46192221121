//! Files generated from the clap definitions of `pimlico` and `pimlicod`: shell completions
//! (`deploy/completions/`) and man pages (`deploy/man/`). They are committed so that packagers
//! and people installing from source need no extra step; a test fails when they are stale.
#![forbid(unsafe_code)]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use anyhow::Context;
use clap::CommandFactory;
use clap_complete::Shell;

/// The shells we ship completions for.
const SHELLS: [Shell; 3] = [Shell::Bash, Shell::Zsh, Shell::Fish];

/// The file name each shell looks for (zsh finds `_pimlico` on its `fpath`).
fn file_name(shell: Shell, bin: &str) -> String {
    match shell {
        Shell::Zsh => format!("_{bin}"),
        Shell::Fish => format!("{bin}.fish"),
        _ => format!("{bin}.bash"),
    }
}

fn commands() -> [clap::Command; 2] {
    [fresh("pimlico"), fresh("pimlicod")]
}

fn fresh(bin: &str) -> clap::Command {
    match bin {
        "pimlico" => pimlico_client::cli::Cli::command(),
        _ => pimlicod::cli::Args::command(),
    }
}

/// Every generated file, by path relative to `deploy/`, with its contents.
pub fn generate() -> anyhow::Result<BTreeMap<PathBuf, Vec<u8>>> {
    let mut files = BTreeMap::new();
    for mut cmd in commands() {
        let bin = cmd.get_name().to_string();
        for shell in SHELLS {
            let mut out = Vec::new();
            clap_complete::generate(shell, &mut cmd, &bin, &mut out);
            files.insert(Path::new("completions").join(file_name(shell, &bin)), out);
        }
        let pages = tempfile::tempdir().context("creating a scratch directory")?;
        // A fresh command: generating completions built this one, with a `help` subcommand
        // that would get pages of its own.
        clap_mangen::generate_to(fresh(&bin), pages.path())
            .with_context(|| format!("writing the man pages of {bin}"))?;
        for entry in std::fs::read_dir(pages.path())? {
            let path = entry?.path();
            let name = path.file_name().context("a man page has no name")?;
            files.insert(Path::new("man").join(name), std::fs::read(&path)?);
        }
    }
    Ok(files)
}

/// Writes the generated files under `deploy` and removes stale ones from its `completions/`
/// and `man/`, so a renamed command leaves no orphan page behind.
pub fn write(deploy: &Path) -> anyhow::Result<Vec<PathBuf>> {
    let files = generate()?;
    for dir in ["completions", "man"] {
        let dir = deploy.join(dir);
        std::fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
        for entry in std::fs::read_dir(&dir)? {
            let path = entry?.path();
            let rel = path.strip_prefix(deploy)?.to_path_buf();
            if !files.contains_key(&rel) {
                std::fs::remove_file(&path)
                    .with_context(|| format!("removing {}", path.display()))?;
            }
        }
    }
    for (rel, content) in &files {
        let path = deploy.join(rel);
        std::fs::write(&path, content).with_context(|| format!("writing {}", path.display()))?;
    }
    Ok(files.into_keys().collect())
}

/// What differs between the generated files and those under `deploy`: missing, stale and
/// unexpected files, by relative path.
pub fn differences(deploy: &Path) -> anyhow::Result<Vec<String>> {
    let files = generate()?;
    let mut problems = Vec::new();
    for (rel, content) in &files {
        match std::fs::read(deploy.join(rel)) {
            Ok(found) if &found == content => {}
            Ok(_) => problems.push(format!("{} is out of date", rel.display())),
            Err(_) => problems.push(format!("{} is missing", rel.display())),
        }
    }
    for dir in ["completions", "man"] {
        let Ok(entries) = std::fs::read_dir(deploy.join(dir)) else {
            continue;
        };
        for entry in entries {
            let rel = Path::new(dir).join(entry?.file_name());
            if !files.contains_key(&rel) {
                problems.push(format!("{} is not generated any more", rel.display()));
            }
        }
    }
    Ok(problems)
}

/// The repository's `deploy/` folder.
pub fn deploy_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../deploy")
}
