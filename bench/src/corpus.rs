//! A generated module shaped like a real text corpus, shared by the benchmarks.

use std::fs;
use std::path::Path;

use anyhow::Result;

/// Writes a module directory at `dir`: `total` bytes of text in `files` files (in four
/// output directories) and a `metadata` file saying COMPLETE; returns the bytes written.
///
/// Text that compresses like natural language (gzip -6 keeps about a third, as it does for the
/// Europarl sample in the original's test data): a 30,000-word vocabulary with English letter
/// frequencies and word lengths, drawn with a Zipf law, with sentences and lines.
pub fn generate_module(dir: &Path, total: u64, files: u64) -> Result<u64> {
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    const LETTERS: &[u8] = b"eeeeeeeeeeeetttttttttaaaaaaaaoooooooiiiiiiinnnnnnnsssssshhhhhhrrrrrrddddllllcccuuummwwffggyyppbbvk";
    let words: Vec<String> = (0..30_000)
        .map(|_| {
            let len = 2 + (rng.next() % 6 + rng.next() % 5) as usize;
            (0..len)
                .map(|_| char::from(LETTERS[(rng.next() % LETTERS.len() as u64) as usize]))
                .collect()
        })
        .collect();
    let per_file = total / files;
    let mut written = 0;
    for f in 0..files {
        let sub = dir.join(format!("output{}/data", f % 4));
        fs::create_dir_all(&sub)?;
        let mut text = String::with_capacity(per_file as usize + 64);
        let mut in_sentence = 0;
        while (text.len() as u64) < per_file {
            // Log-uniform ranks: P(rank) ~ 1/rank.
            let u = (rng.next() % 1_000_000) as f64 / 1_000_000.0;
            let rank = ((words.len() as f64).powf(u) as usize).saturating_sub(1);
            text.push_str(&words[rank]);
            in_sentence += 1;
            if in_sentence > 6 && rng.next().is_multiple_of(10) {
                text.push_str(if rng.next().is_multiple_of(4) {
                    ".\n"
                } else {
                    ". "
                });
                in_sentence = 0;
            } else {
                text.push(if rng.next().is_multiple_of(15) {
                    ','
                } else {
                    ' '
                });
            }
        }
        fs::write(sub.join(format!("doc-{f:05}.txt")), &text)?;
        written += text.len() as u64;
    }
    fs::write(dir.join("metadata"), br#"{"status": "COMPLETE"}"#)?;
    Ok(written)
}

/// xorshift64: deterministic and dependency-free.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
}
