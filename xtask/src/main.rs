//! `cargo xtask deploy-files [--check]`: regenerate (or check) the shell completions and man
//! pages under `deploy/`.
#![forbid(unsafe_code)]

use anyhow::bail;

fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let deploy = xtask::deploy_dir();
    match args.iter().map(String::as_str).collect::<Vec<_>>()[..] {
        ["deploy-files"] => {
            for path in xtask::write(&deploy)? {
                println!("deploy/{}", path.display());
            }
            Ok(())
        }
        ["deploy-files", "--check"] => {
            let problems = xtask::differences(&deploy)?;
            if problems.is_empty() {
                return Ok(());
            }
            bail!(
                "generated files under deploy/ are stale:\n  {}\nrun `cargo xtask deploy-files`",
                problems.join("\n  ")
            )
        }
        _ => bail!("usage: cargo xtask deploy-files [--check]"),
    }
}
