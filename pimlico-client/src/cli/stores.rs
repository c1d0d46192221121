//! `stores`: the named stores and their paths, output store first.

use super::Context;

/// Runs the command.
pub fn run(ctx: &Context) -> i32 {
    println!("Absolute paths to named storage locations\n");
    let rows: Vec<(String, String)> = ctx
        .stores
        .all()
        .iter()
        .map(|s| (s.name.clone(), s.path.display().to_string()))
        .collect();
    let w0 = rows.iter().map(|r| r.0.len()).max().unwrap_or(0).max(4);
    let w1 = rows.iter().map(|r| r.1.len()).max().unwrap_or(0).max(4);
    println!("{:<w0$}  Path", "Name");
    println!("{}  {}", "-".repeat(w0), "-".repeat(w1));
    for (name, path) in rows {
        println!("{name:<w0$}  {path}");
    }
    0
}
