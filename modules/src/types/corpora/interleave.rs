//! `pimlico.modules.corpora.interleave`: several corpora's documents interleaved, computed
//! when read. Each corpus is spread out in proportion to its length, its documents renamed
//! `corp<N>_<name>`, and the result regrouped into new archives.

use pimlico_config::{ModuleSignature, OptionType};
use serde_json::json;

use crate::catalogue::decl::{corpus_output_from_input, module, multiple_input, option};
use crate::corpus::{Corpus, DocStream};
use crate::error::Result;
use crate::formats::doctype::DocType;
use crate::formats::grouped::{ArchiveGrouper, DocRef};
use crate::formats::metadata::Metadata;
use crate::types::{Behaviour, TypeDef, ViewArgs};
use crate::util::options;

pub(super) const DEF: TypeDef = TypeDef {
    type_string: "pimlico.modules.corpora.interleave",
    signature,
    behaviour: Behaviour::View(open),
    check: None,
    source_ready: None,
};

fn signature() -> ModuleSignature {
    let mut sig = module(
        "interleave",
        "Interleave documents from two (or more) corpora, taking documents from each in \
         proportion to its length, and regroup them into new archives. Not executed.",
    );
    sig.inputs = vec![multiple_input("corpora", "GroupedCorpus")];
    sig.outputs = vec![corpus_output_from_input(
        "corpus",
        "GroupedCorpus",
        "corpora",
    )];
    sig.executable = false;
    sig.options = vec![
        option(
            "archive_size",
            OptionType::Int,
            json!(1000),
            "Documents are regrouped into new archives. Number of documents to include in each \
             archive (default: 1k)",
        ),
        option(
            "archive_basename",
            OptionType::String,
            json!("archive"),
            "Documents are regrouped into new archives. Base name to use for archive tar files. \
             The archive number is appended to this. (Default: 'archive')",
        ),
    ];
    sig
}

struct Interleave {
    module: String,
    inputs: Vec<Box<dyn Corpus>>,
    doc_type: &'static DocType,
    archive_size: usize,
    basename: String,
}

fn open(args: &ViewArgs<'_>) -> Result<Box<dyn Corpus>> {
    Ok(Box::new(Interleave {
        module: args.module.name.clone(),
        inputs: args.reading.input_corpora(args.module, "corpora")?,
        doc_type: args.doc_type,
        archive_size: options::int(args.options, "archive_size")
            .unwrap_or(1000)
            .max(1) as usize,
        basename: options::string(args.options, "archive_basename")
            .unwrap_or("archive")
            .to_string(),
    }))
}

struct Stream<'a> {
    streams: Vec<Box<dyn DocStream + 'a>>,
    weights: Vec<f64>,
    progress: Vec<f64>,
    finished: Vec<bool>,
    grouper: ArchiveGrouper,
    current: usize,
    archive: String,
    name: String,
}

impl DocStream for Stream<'_> {
    /// Takes the next document from the unfinished corpus with the least progress (the first
    /// on ties); each corpus's progress grows by `longest length / its length` per document.
    fn advance(&mut self) -> Result<bool> {
        loop {
            let next = (0..self.streams.len())
                .filter(|i| !self.finished[*i])
                .min_by(|a, b| {
                    self.progress[*a]
                        .total_cmp(&self.progress[*b])
                        .then(a.cmp(b))
                });
            let Some(i) = next else { return Ok(false) };
            let got = self.streams[i].advance()?;
            self.progress[i] += self.weights[i];
            if !got {
                self.finished[i] = true;
                continue;
            }
            self.current = i;
            self.archive.clear();
            self.archive.push_str(self.grouper.next_document());
            self.name = format!("corp{i}_{}", self.streams[i].current().name);
            return Ok(true);
        }
    }

    fn current(&self) -> DocRef<'_> {
        DocRef {
            archive: &self.archive,
            name: &self.name,
            data: self.streams[self.current].current().data,
        }
    }
}

impl Corpus for Interleave {
    fn describe(&self) -> String {
        format!("interleaved corpus '{}'", self.module)
    }

    fn len(&self) -> Result<u64> {
        self.inputs.iter().map(|c| c.len()).sum()
    }

    fn doc_type(&self) -> &'static DocType {
        self.doc_type
    }

    fn metadata(&self) -> Metadata {
        self.inputs
            .first()
            .map(|c| c.metadata())
            .unwrap_or_default()
    }

    fn docs(&self) -> Result<Box<dyn DocStream + '_>> {
        let lengths = self
            .inputs
            .iter()
            .map(|c| c.len())
            .collect::<Result<Vec<u64>>>()?;
        let longest = lengths.iter().copied().max().unwrap_or(0) as f64;
        Ok(Box::new(Stream {
            streams: self
                .inputs
                .iter()
                .map(|c| c.docs())
                .collect::<Result<_>>()?,
            weights: lengths
                .iter()
                .map(|&l| if l > 0 { longest / l as f64 } else { 0.0 })
                .collect(),
            progress: vec![0.0; lengths.len()],
            finished: lengths.iter().map(|&l| l == 0).collect(),
            grouper: ArchiveGrouper::new(
                self.archive_size,
                lengths.iter().sum::<u64>() as usize,
                &self.basename,
            )?,
            current: 0,
            archive: String::new(),
            name: String::new(),
        }))
    }
}
