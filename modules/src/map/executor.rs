//! Running a document-map module: every document of its corpus input mapped, in parallel, into
//! its output corpus, keeping the input's archive and document names and order. A run that
//! fails part-way records how far it got, and the next run carries on from there.

use std::sync::Arc;

use pimlico_core::types::{ModuleContext, ModuleError, Outcome};

use super::resume::{PARTIALLY_PROCESSED, ResumePoint, record, resume_point};
use super::{Chain, DocMapper, map_in_order};
use crate::corpus::{Corpus, DocStream, Reading, doc_type_of};
use crate::error::{Error, Result};
use crate::formats::grouped::{GroupedCorpusWriter, WriterOptions};
use crate::types::{MapArgs, MapSpec};

/// How a document-map module is built from its arguments.
pub type MapRun = fn(&MapArgs<'_>) -> Result<MapSpec>;

/// Executes a document-map module whose mapper `make` builds.
pub fn run_document_map(ctx: &mut ModuleContext<'_>, make: MapRun) -> Result<Outcome, ModuleError> {
    let mut progress = None;
    match run(ctx, make, &mut progress) {
        Ok(()) => {
            record(ctx, None)?;
            Ok(Outcome::default())
        }
        Err(e) => match progress {
            Some(point) => {
                record(ctx, Some(&point))?;
                ctx.log.info(format!(
                    "Processed documents recorded: restart processing where you left off by \
                     calling run again once you've fixed the problem ({} docs processed in \
                     total)",
                    point.docs_completed
                ));
                Err(ModuleError {
                    end_status: Some(PARTIALLY_PROCESSED.into()),
                    ..ModuleError::from(e)
                })
            }
            None => Err(e.into()),
        },
    }
}

/// The input stream: from the start, or after the documents a previous run wrote, checking
/// that the last of those is where the input says it is.
fn input_stream<'a>(
    base: &'a dyn Corpus,
    resume: Option<&ResumePoint>,
) -> Result<Box<dyn DocStream + 'a>> {
    let Some(point) = resume else {
        return base.docs();
    };
    let mut docs = base.docs_skipping(point.docs_completed - 1)?;
    let found = docs
        .next_doc()?
        .map(|d| (d.archive.to_string(), d.name.to_string()));
    if found.as_ref() != Some(&point.last) {
        return Err(Error::msg(format!(
            "cannot resume after document {}/{}: document {} of the input is {}, so the input \
             has changed since the module stopped. Reset the module to start again",
            point.last.0,
            point.last.1,
            point.docs_completed,
            found.map_or_else(|| "missing".into(), |(a, n)| format!("{a}/{n}")),
        )));
    }
    Ok(docs)
}

fn run(
    ctx: &mut ModuleContext<'_>,
    make: MapRun,
    progress: &mut Option<ResumePoint>,
) -> Result<()> {
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
    let resume = resume_point(ctx)?;
    let before = resume.as_ref().map_or(0, |p| p.docs_completed);
    let processes = ctx.processes.max(1);
    ctx.log.info(format!(
        "Preparing parallel document map execution with {processes} processes"
    ));
    if let Some(p) = &resume {
        ctx.log.info(format!(
            "Module has been partially executed already; picking up where we left off, after \
             doc {}/{} (skipping {} docs, {} to process)",
            p.last.0,
            p.last.1,
            p.docs_completed,
            total.saturating_sub(p.docs_completed)
        ));
    }
    let out_dir = ctx
        .outputs
        .get(output)
        .map(|o| o.base_dir.clone())
        .ok_or_else(|| Error::msg(format!("output '{output}' has no directory")))?;
    let stream = input_stream(base, resume.as_ref())?;
    let mut writer = GroupedCorpusWriter::create(
        &out_dir,
        output_doc_type,
        WriterOptions {
            metadata: spec.metadata,
            append: resume.is_some(),
        },
    )?;
    let to_process = total.saturating_sub(before);
    if to_process == 0 {
        ctx.log.info("No documents to process");
    } else {
        ctx.log
            .info(format!("Starting execution on {to_process} docs"));
    }
    let step = (to_process / 100).max(1);
    let reporter = ctx.progress.clone();
    let mut done = 0u64;
    map_in_order(stream, &chain, processes, |doc| {
        writer.add_document(doc.archive, doc.name, doc.data, None)?;
        done += 1;
        *progress = Some(ResumePoint {
            docs_completed: before + done,
            last: (doc.archive.to_string(), doc.name.to_string()),
        });
        if done.is_multiple_of(step) || done == to_process {
            reporter.report(done, Some(to_process), None);
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
