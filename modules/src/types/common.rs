//! Helpers for executors: their inputs and outputs.

use std::path::PathBuf;

use pimlico_core::types::{ModuleContext, ProgressReporter};

use crate::corpus::{Corpus, Reading, doc_type_of};
use crate::error::{Error, Result};
use crate::formats::doctype::DocType;
use crate::formats::grouped::{GroupedCorpusWriter, WriterOptions};
use crate::formats::metadata::Metadata;

/// The corpus connected to a module's input.
pub fn input_corpus(ctx: &ModuleContext<'_>, input: &str) -> Result<Box<dyn Corpus>> {
    Reading::from_ctx(ctx).input_corpus(ctx.module, input)
}

/// The directory of a module's output (in the output store).
pub fn output_dir(ctx: &ModuleContext<'_>, output: &str) -> Result<PathBuf> {
    ctx.outputs
        .get(output)
        .map(|o| o.base_dir.clone())
        .ok_or_else(|| Error::msg(format!("module has no output '{output}'")))
}

/// The document type of a module's corpus output.
pub fn output_doc_type(ctx: &ModuleContext<'_>, output: &str) -> &'static DocType {
    doc_type_of(ctx.pipeline, ctx.registry, &ctx.module.name, output)
}

/// A writer for a corpus output whose documents are encoded as `metadata` says (only the
/// output document type's keys are kept).
pub fn corpus_writer(
    ctx: &ModuleContext<'_>,
    output: &str,
    metadata: &Metadata,
) -> Result<GroupedCorpusWriter> {
    let doc_type = output_doc_type(ctx, output);
    Ok(GroupedCorpusWriter::create(
        output_dir(ctx, output)?,
        doc_type,
        WriterOptions {
            metadata: doc_type.inherited_metadata(metadata),
            append: false,
        },
    )?)
}

/// Reports progress every hundredth of `total`.
pub struct Progress {
    reporter: ProgressReporter,
    total: u64,
    step: u64,
    done: u64,
}

impl Progress {
    /// Progress over `total` documents.
    pub fn new(ctx: &ModuleContext<'_>, total: u64) -> Self {
        Progress {
            reporter: ctx.progress.clone(),
            total,
            step: (total / 100).max(1),
            done: 0,
        }
    }

    /// One more document done.
    pub fn tick(&mut self) {
        self.done += 1;
        if self.done.is_multiple_of(self.step) || self.done == self.total {
            self.reporter.report(self.done, Some(self.total), None);
        }
    }
}

/// The sentences of a tokenized document, as the original's `doc.sentences` gives them for the
/// corpus's document type: characters for character-tokenized documents, `/`-separated
/// elements for segmented lines, space-separated tokens otherwise.
pub fn sentences<'a>(
    doc_type: &'static DocType,
    doc: &crate::formats::grouped::DocRef<'a>,
) -> Result<Vec<Vec<std::borrow::Cow<'a, str>>>> {
    use std::borrow::Cow;
    let is = |name: &str| doc_type.is_a(DocType::by_class_name(name).expect("built in"));
    let text = crate::formats::documents::decode_text(doc.data, doc_type.name())
        .map_err(|e| Error::doc(doc.archive, doc.name, e))?;
    let lines = text.split('\n');
    Ok(if is("CharacterTokenizedDocumentType") {
        lines
            .map(|l| {
                l.char_indices()
                    .map(|(i, c)| Cow::Borrowed(&l[i..i + c.len_utf8()]))
                    .collect()
            })
            .collect()
    } else if is("SegmentedLinesDocumentType") {
        lines
            .map(|l| {
                l.split('/')
                    .map(|e| match e.contains("@slash@") {
                        true => Cow::Owned(e.replace("@slash@", "/")),
                        false => Cow::Borrowed(e),
                    })
                    .collect()
            })
            .collect()
    } else {
        lines
            .map(|l| l.split(' ').map(Cow::Borrowed).collect())
            .collect()
    })
}
