//! `pimlico.modules.corpora.group`: the documents of a corpus grouped into archives of a fixed
//! size, computed when read. Input readers group their documents the same way.

use pimlico_config::{ModuleSignature, OptionDecl, OptionType};
use serde_json::json;

use crate::catalogue::decl::{corpus_output_from_input, input, module, option};
use crate::corpus::{Corpus, DocStream};
use crate::error::Result;
use crate::formats::doctype::DocType;
use crate::formats::grouped::{ArchiveGrouper, DocRef};
use crate::formats::metadata::Metadata;
use crate::types::{Behaviour, TypeDef, ViewArgs};
use crate::util::options::{self, Options};

pub(super) const DEF: TypeDef = TypeDef {
    type_string: "pimlico.modules.corpora.group",
    signature,
    behaviour: Behaviour::View(open),
    check: None,
    source_ready: None,
};

/// The grouping options, shared with the input readers.
pub(crate) fn grouper_options() -> Vec<OptionDecl> {
    vec![
        option(
            "archive_size",
            OptionType::Int,
            json!(1000),
            "Number of documents to include in each archive (default: 1k)",
        ),
        option(
            "archive_basename",
            OptionType::String,
            json!("archive"),
            "Base name to use for archive tar files. The archive number is appended to this. \
             (Default: 'archive')",
        ),
    ]
}

fn signature() -> ModuleSignature {
    let mut sig = module(
        "group",
        "Group the documents of an iterable corpus into fixed-size archives, in order. Not \
         executed: the grouping is done as the corpus is read.",
    );
    sig.inputs = vec![input("documents", "IterableCorpus")];
    sig.outputs = vec![corpus_output_from_input(
        "documents",
        "GroupedCorpus",
        "documents",
    )];
    sig.options = grouper_options();
    sig.executable = false;
    sig
}

fn open(args: &ViewArgs<'_>) -> Result<Box<dyn Corpus>> {
    let input = args.reading.input_corpus(args.module, "documents")?;
    Ok(Box::new(Grouped::new(
        &args.module.name,
        input,
        args.options,
    )))
}

/// A corpus regrouped into archives named `<basename>-<n>`.
pub(crate) struct Grouped {
    module: String,
    input: Box<dyn Corpus>,
    archive_size: usize,
    basename: String,
}

impl Grouped {
    /// Groups `input` as the `archive_size` and `archive_basename` options say.
    pub(crate) fn new(module: &str, input: Box<dyn Corpus>, options: &Options) -> Self {
        Grouped {
            module: module.to_string(),
            input,
            archive_size: options::int(options, "archive_size").unwrap_or(1000).max(1) as usize,
            basename: options::string(options, "archive_basename")
                .unwrap_or("archive")
                .to_string(),
        }
    }
}

/// A stream whose documents are put into archives by an [`ArchiveGrouper`].
pub(super) struct GroupedStream<'a> {
    inner: Box<dyn DocStream + 'a>,
    grouper: ArchiveGrouper,
    archive: String,
}

impl<'a> GroupedStream<'a> {
    /// Regroups `inner`, whose length is expected to be `total` (for the archive names).
    pub(crate) fn new(
        inner: Box<dyn DocStream + 'a>,
        archive_size: usize,
        total: u64,
        basename: &str,
    ) -> Result<Self> {
        Ok(GroupedStream {
            inner,
            grouper: ArchiveGrouper::new(archive_size, total as usize, basename)?,
            archive: String::new(),
        })
    }
}

impl DocStream for GroupedStream<'_> {
    fn advance(&mut self) -> Result<bool> {
        if !self.inner.advance()? {
            return Ok(false);
        }
        self.archive.clear();
        self.archive.push_str(self.grouper.next_document());
        Ok(true)
    }

    fn current(&self) -> DocRef<'_> {
        let doc = self.inner.current();
        DocRef {
            archive: &self.archive,
            name: doc.name,
            data: doc.data,
        }
    }
}

impl Corpus for Grouped {
    fn describe(&self) -> String {
        format!("grouped corpus '{}'", self.module)
    }

    fn len(&self) -> Result<u64> {
        self.input.len()
    }

    fn doc_type(&self) -> &'static DocType {
        self.input.doc_type()
    }

    fn metadata(&self) -> Metadata {
        self.input.metadata()
    }

    fn docs(&self) -> Result<Box<dyn DocStream + '_>> {
        Ok(Box::new(GroupedStream::new(
            self.input.docs()?,
            self.archive_size,
            self.input.len()?,
            &self.basename,
        )?))
    }
}
