//! Benchmarks for Pimlico in Rust. Each prints its measurements as ratios against a reference
//! (a command-line tool or the original toolkit) measured in the same run.
#![forbid(unsafe_code)]

fn main() -> anyhow::Result<()> {
    anyhow::bail!("no benchmarks yet")
}
