//! `variants`: the pipeline's variants.

use super::Context;

/// Runs the command.
pub fn run(ctx: &Context) -> i32 {
    let mut variants = vec!["main".to_string()];
    variants.extend(ctx.pipeline.variants.iter().cloned());
    println!("Available pipeline variants: {}", variants.join(", "));
    println!("Select one using the --variant option");
    0
}
