//! Running a document-map module: every document of its corpus input mapped, in parallel, into
//! its output corpus, keeping the input's archive and document names and order.

use std::sync::Arc;

use pimlico_core::types::{ModuleContext, ModuleError, Outcome};

use super::{Chain, DocMapper, map_in_order};
use crate::corpus::{Corpus, Reading, doc_type_of};
use crate::error::{Error, Result};
use crate::formats::grouped::{GroupedCorpusWriter, WriterOptions};
use crate::formats::metadata::Metadata;
use crate::types::{MapArgs, MapSpec};

/// How a document-map module is built from its arguments.
pub type MapRun = fn(&MapArgs<'_>) -> Result<MapSpec>;

/// Executes a document-map module whose mapper `make` builds.
pub fn run_document_map(ctx: &mut ModuleContext<'_>, make: MapRun) -> Result<Outcome, ModuleError> {
    run(ctx, make).map_err(ModuleError::from)?;
    Ok(Outcome::default())
}

fn run(ctx: &mut ModuleContext<'_>, make: MapRun) -> Result<()> {
    let reading = Reading::from_ctx(ctx);
    let module = ctx.module;
    let input_name = module
        .inputs
        .keys()
        .next()
        .ok_or_else(|| Error::msg("document map module has no input"))?;
    let input = reading.input_corpus(module, input_name)?;
    let output = module
        .outputs
        .first()
        .ok_or_else(|| Error::msg("document map module has no output"))?;
    let output_doc_type = doc_type_of(ctx.pipeline, ctx.registry, &module.name, output);
    let spec = make(&MapArgs {
        reading,
        module,
        options: &module.options,
        input_doc_type: input.doc_type(),
        input_metadata: input.metadata(),
        output_doc_type,
    })?;
    let (base, chain) = filter_chain(input.as_ref(), spec.mapper);
    let total = input.len()?;
    let processes = ctx.processes.max(1);
    ctx.log.info(format!(
        "Preparing parallel document map execution with {processes} processes"
    ));
    let out_dir = ctx
        .outputs
        .get(output)
        .map(|o| o.base_dir.clone())
        .ok_or_else(|| Error::msg(format!("output '{output}' has no directory")))?;
    let mut writer = GroupedCorpusWriter::create(
        &out_dir,
        output_doc_type,
        WriterOptions {
            metadata: spec.metadata,
            append: false,
        },
    )?;
    if total == 0 {
        ctx.log.info("No documents to process");
    } else {
        ctx.log.info(format!("Starting execution on {total} docs"));
    }
    let step = (total / 100).max(1);
    let progress = ctx.progress.clone();
    let mut done = 0u64;
    map_in_order(base.docs()?, &chain, processes, |doc| {
        writer.add_document(doc.archive, doc.name, doc.data, None)?;
        done += 1;
        if done.is_multiple_of(step) || done == total {
            progress.report(done, Some(total), None);
        }
        Ok(())
    })?;
    writer.finish()?;
    ctx.log.info("Document mapping complete. Finishing off");
    Ok(())
}

/// The stored or computed corpus under a chain of filters, and the maps to apply to its
/// documents: the filters' (innermost first), then `own`.
pub fn filter_chain(input: &dyn Corpus, own: Arc<dyn DocMapper>) -> (&dyn Corpus, Chain) {
    let mut maps = vec![own];
    let mut base = input;
    while let Some((inner, mapper)) = base.as_filter() {
        maps.insert(0, Arc::clone(mapper));
        base = inner;
    }
    (base, Chain(maps))
}

/// Metadata to pass to an output writer whose documents have the same encoding as `input`'s.
pub fn inherited(doc_type: &crate::formats::doctype::DocType, input: &Metadata) -> Metadata {
    doc_type.inherited_metadata(input)
}
