//! The `pimlicod` binary: parses arguments, starts tracing, binds, and hands over to the library.
#![forbid(unsafe_code)]

fn main() -> anyhow::Result<()> {
    anyhow::bail!("pimlicod is not built yet")
}
