//! The `pimlico` command.
#![forbid(unsafe_code)]

fn main() -> anyhow::Result<()> {
    anyhow::bail!("pimlico is not built yet")
}
