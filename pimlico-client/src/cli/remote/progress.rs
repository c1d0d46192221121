//! Progress bars for data moves (indicatif), drawn only on an interactive terminal.

use std::io::IsTerminal;
use std::time::Duration;

use indicatif::{ProgressBar, ProgressStyle};

/// One bar for one move; invisible when progress is not shown.
pub(super) struct MoveBar {
    bar: Option<ProgressBar>,
}

/// What a bar shows.
#[derive(Debug, Clone, Copy, Default)]
pub(super) struct Counts {
    /// Bytes done (of the uncompressed tar when `total` is known, else on the wire).
    pub done: u64,
    /// Total bytes, when known.
    pub total: Option<u64>,
    /// Files done, when counted.
    pub files: Option<u64>,
    /// Total files, when known.
    pub total_files: Option<u64>,
}

impl MoveBar {
    /// A bar labelled `label`, if `show` and stderr is a terminal.
    pub(super) fn new(show: bool, label: &str) -> Self {
        let bar = (show && std::io::stderr().is_terminal()).then(|| {
            let bar = ProgressBar::new(0);
            let style = ProgressStyle::with_template(
                "{prefix} [{wide_bar}] {bytes}/{total_bytes} {binary_bytes_per_sec} ETA {eta} {msg}",
            )
            .unwrap_or_else(|_| ProgressStyle::default_bar());
            bar.set_style(style.progress_chars("=> "));
            bar.set_prefix(label.to_string());
            bar.enable_steady_tick(Duration::from_millis(200));
            bar
        });
        Self { bar }
    }

    /// Shows new counts.
    pub(super) fn update(&self, counts: Counts) {
        let Some(bar) = &self.bar else { return };
        match counts.total {
            Some(total) => {
                bar.set_length(total.max(counts.done));
            }
            None => bar.set_length(counts.done),
        }
        bar.set_position(counts.done);
        let files = match (counts.files, counts.total_files) {
            (Some(f), Some(t)) => format!("{f}/{t} files"),
            (Some(f), None) => format!("{f} files"),
            (None, Some(t)) => format!("{t} files"),
            (None, None) => String::new(),
        };
        bar.set_message(files);
    }

    /// Removes the bar.
    pub(super) fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}
