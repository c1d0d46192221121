//! Yes/no questions. Without an interactive terminal nothing is asked and the answer is no.

use std::io::{BufRead, Write};

/// Asks `question` (e.g. `Do you want to continue? [y/N] `); only `y`/`Y` is yes.
pub fn confirm(question: &str) -> bool {
    print!("{question}");
    let _ = std::io::stdout().flush();
    let mut answer = String::new();
    match std::io::stdin().lock().read_line(&mut answer) {
        Ok(0) | Err(_) => false,
        Ok(_) => answer.trim().eq_ignore_ascii_case("y"),
    }
}
