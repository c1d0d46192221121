//! Printing run events: log lines on stderr, reports on stdout, module output on the stream
//! it came from, and a progress bar when drawing one makes sense.

use std::collections::HashMap;

use indicatif::{ProgressBar, ProgressStyle};
use pimlico_core::engine::{RunEvent, RunSink};
use pimlico_core::exec::OutputStream;

use super::log::log;

/// Prints run events for the terminal.
pub struct CliSink {
    debug: bool,
    progress: bool,
    bars: HashMap<String, ProgressBar>,
}

impl CliSink {
    /// `progress`: draw progress bars (interactive terminal only).
    pub fn new(debug: bool, progress: bool) -> Self {
        Self {
            debug,
            progress,
            bars: HashMap::new(),
        }
    }

    fn print_above_bars(&self, f: impl FnOnce()) {
        match self.bars.values().next() {
            Some(bar) => bar.suspend(f),
            None => f(),
        }
    }
}

impl RunSink for CliSink {
    fn event(&mut self, event: RunEvent) {
        match event {
            RunEvent::Log {
                level,
                logger,
                message,
            } => self.print_above_bars(|| log(self.debug, level, &logger, &message)),
            RunEvent::Print { text } => self.print_above_bars(|| println!("{text}")),
            RunEvent::Output { stream, line, .. } => self.print_above_bars(|| match stream {
                OutputStream::Stdout => println!("{line}"),
                OutputStream::Stderr => eprintln!("{line}"),
            }),
            RunEvent::Progress {
                module,
                done,
                total,
                message,
            } if self.progress => {
                let bar = self.bars.entry(module.clone()).or_insert_with(|| {
                    let bar = ProgressBar::new(total.unwrap_or(0));
                    let style =
                        ProgressStyle::with_template("{prefix}: {wide_bar} {pos}/{len} {msg}")
                            .unwrap_or_else(|_| ProgressStyle::default_bar());
                    bar.set_style(style);
                    bar.set_prefix(module);
                    bar
                });
                if let Some(total) = total {
                    bar.set_length(total);
                }
                bar.set_position(done);
                bar.set_message(message.unwrap_or_default());
            }
            RunEvent::ModuleFinished { module, .. } => {
                if let Some(bar) = self.bars.remove(&module) {
                    bar.finish_and_clear();
                }
            }
            RunEvent::Progress { .. } | RunEvent::ModuleStarted { .. } => {}
        }
    }
}
