//! The child's event channel to its supervisor: JSON lines on stdout.

use std::io::Write;

use crate::exec::ChildEvent;
use crate::types::EventSink;

/// Writes events as JSON lines on stdout. Write errors are ignored: a supervisor that went
/// away cannot read them, and the child's own bookkeeping does not depend on them.
#[derive(Debug, Clone, Copy, Default)]
pub struct StdoutSink;

impl EventSink for StdoutSink {
    fn emit(&self, event: ChildEvent) {
        let mut out = std::io::stdout().lock();
        let _ = writeln!(out, "{}", event.to_line());
        let _ = out.flush();
    }
}
