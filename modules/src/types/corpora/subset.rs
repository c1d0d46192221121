//! `pimlico.modules.corpora.subset`: a slice of a corpus, computed when read: `size` documents
//! after skipping `offset`.

use pimlico_config::{ModuleSignature, OptionType};
use serde_json::json;

use crate::catalogue::decl::{input, module, option, output_like_input, required_option};
use crate::corpus::{Corpus, DocStream};
use crate::error::Result;
use crate::formats::doctype::DocType;
use crate::formats::grouped::DocRef;
use crate::formats::metadata::Metadata;
use crate::types::{Behaviour, TypeDef, ViewArgs};
use crate::util::options;

pub(super) const DEF: TypeDef = TypeDef {
    type_string: "pimlico.modules.corpora.subset",
    signature,
    behaviour: Behaviour::View(open),
    check: None,
    source_ready: None,
};

fn signature() -> ModuleSignature {
    let mut sig = module(
        "subset",
        "Truncates a corpus after a given number of documents, optionally skipping some first. \
         Not executed: documents are read from the input as they are needed.",
    );
    sig.inputs = vec![input("corpus", "IterableCorpus")];
    sig.outputs = vec![output_like_input("corpus", "corpus")];
    sig.executable = false;
    sig.options = vec![
        required_option("size", OptionType::Int, "Number of documents to include"),
        option(
            "offset",
            OptionType::Int,
            json!(0),
            "Number of documents to skip at the beginning of the corpus (default: 0, start at \
             beginning)",
        ),
        option(
            "skip_invalid",
            OptionType::Bool,
            json!(null),
            "Skip over any invalid documents so that the output subset contains the chosen number \
             of (valid) documents (or as many as possible) and no invalid ones. By default, \
             invalid documents are passed through and counted towards the subset size",
        ),
    ];
    sig
}

struct Subset {
    module: String,
    input: Box<dyn Corpus>,
    size: u64,
    offset: u64,
    skip_invalid: bool,
}

fn open(args: &ViewArgs<'_>) -> Result<Box<dyn Corpus>> {
    Ok(Box::new(Subset {
        module: args.module.name.clone(),
        input: args.reading.input_corpus(args.module, "corpus")?,
        size: options::int(args.options, "size").unwrap_or(0).max(0) as u64,
        offset: options::int(args.options, "offset").unwrap_or(0).max(0) as u64,
        skip_invalid: options::flag(args.options, "skip_invalid"),
    }))
}

struct Stream<'a> {
    inner: Box<dyn DocStream + 'a>,
    remaining: u64,
    skip_invalid: bool,
}

impl DocStream for Stream<'_> {
    fn advance(&mut self) -> Result<bool> {
        while self.remaining > 0 {
            if !self.inner.advance()? {
                self.remaining = 0;
                return Ok(false);
            }
            if self.skip_invalid && self.inner.current().is_invalid() {
                continue;
            }
            self.remaining -= 1;
            return Ok(true);
        }
        Ok(false)
    }

    fn current(&self) -> DocRef<'_> {
        self.inner.current()
    }
}

impl Corpus for Subset {
    fn describe(&self) -> String {
        format!("subset '{}'", self.module)
    }

    /// Without `skip_invalid`, computed from the input's length; with it, by counting, so that
    /// it is always the number of documents read.
    fn len(&self) -> Result<u64> {
        if !self.skip_invalid {
            return Ok(self.size.min(self.input.len()?.saturating_sub(self.offset)));
        }
        let mut docs = self.docs()?;
        let mut n = 0;
        while docs.advance()? {
            n += 1;
        }
        Ok(n)
    }

    fn doc_type(&self) -> &'static DocType {
        self.input.doc_type()
    }

    fn metadata(&self) -> Metadata {
        self.input.metadata()
    }

    fn docs(&self) -> Result<Box<dyn DocStream + '_>> {
        Ok(Box::new(Stream {
            inner: self.input.docs_skipping(self.offset)?,
            remaining: self.size,
            skip_invalid: self.skip_invalid,
        }))
    }
}
