//! Resuming a document map that failed part-way, as the original does: the documents written
//! before the failure are recorded in the module's metadata (`docs_completed`,
//! `last_doc_completed`, status `PARTIALLY_PROCESSED`), and the next run appends to the output
//! after them instead of starting again.

use pimlico_core::status::{read_metadata, write_metadata};
use pimlico_core::types::ModuleContext;
use serde_json::Value;

use crate::error::{Error, Result};

/// The status of a document map stopped part-way.
pub const PARTIALLY_PROCESSED: &str = "PARTIALLY_PROCESSED";

/// Where a previous run stopped.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResumePoint {
    /// Documents already written.
    pub docs_completed: u64,
    /// Archive and name of the last one.
    pub last: (String, String),
}

/// The point to resume from, if the module stopped part-way (status `PARTIALLY_PROCESSED`, or
/// `FAILED` with progress recorded).
pub fn resume_point(ctx: &ModuleContext<'_>) -> Result<Option<ResumePoint>> {
    let meta =
        read_metadata(ctx.stores, &ctx.module.name).map_err(|e| Error::msg(e.to_string()))?;
    let status = meta.get("status").and_then(Value::as_str).unwrap_or("");
    if status != PARTIALLY_PROCESSED && status != "FAILED" {
        return Ok(None);
    }
    let done = meta
        .get("docs_completed")
        .and_then(Value::as_u64)
        .unwrap_or(0);
    let last = meta.get("last_doc_completed").and_then(Value::as_str);
    Ok(match (done, last.and_then(|l| l.split_once('/'))) {
        (1.., Some((archive, name))) => Some(ResumePoint {
            docs_completed: done,
            last: (archive.to_string(), name.to_string()),
        }),
        _ => None,
    })
}

/// Records (`Some`) or clears (`None`) the progress of the module's document map.
pub fn record(ctx: &ModuleContext<'_>, point: Option<&ResumePoint>) -> Result<()> {
    let name = &ctx.module.name;
    let fail = |e: pimlico_core::error::StoreError| Error::msg(e.to_string());
    let mut meta = read_metadata(ctx.stores, name).map_err(fail)?;
    match point {
        Some(p) => {
            meta.insert("status".into(), Value::from(PARTIALLY_PROCESSED));
            meta.insert(
                "last_doc_completed".into(),
                Value::from(format!("{}/{}", p.last.0, p.last.1)),
            );
            meta.insert("docs_completed".into(), Value::from(p.docs_completed));
        }
        None => {
            let had = meta.shift_remove("last_doc_completed").is_some();
            if meta.shift_remove("docs_completed").is_none() && !had {
                return Ok(());
            }
        }
    }
    write_metadata(ctx.stores, name, &meta).map_err(fail)
}
