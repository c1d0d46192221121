//! `pimlico.modules.corpora.concat`: several corpora read one after the other, computed when
//! read. Archive names get a `corpus<N>_` prefix so that they stay distinct.

use pimlico_config::ModuleSignature;

use crate::catalogue::decl::{module, multiple_input, output_like_input};
use crate::corpus::{Corpus, DocStream};
use crate::error::Result;
use crate::formats::doctype::DocType;
use crate::formats::grouped::DocRef;
use crate::formats::metadata::Metadata;
use crate::types::{Behaviour, TypeDef, ViewArgs};

pub(super) const DEF: TypeDef = TypeDef {
    type_string: "pimlico.modules.corpora.concat",
    signature,
    behaviour: Behaviour::View(open),
    check: None,
    source_ready: None,
};

fn signature() -> ModuleSignature {
    let mut sig = module(
        "concat",
        "Concatenate two (or more) corpora to produce a bigger corpus. They must have the same \
         data point type, or one must be a subtype of the other. Not executed.",
    );
    sig.inputs = vec![multiple_input("corpora", "IterableCorpus")];
    sig.outputs = vec![output_like_input("corpus", "corpora")];
    sig.executable = false;
    sig
}

struct Concat {
    module: String,
    inputs: Vec<Box<dyn Corpus>>,
    doc_type: &'static DocType,
}

fn open(args: &ViewArgs<'_>) -> Result<Box<dyn Corpus>> {
    Ok(Box::new(Concat {
        module: args.module.name.clone(),
        inputs: args.reading.input_corpora(args.module, "corpora")?,
        doc_type: args.doc_type,
    }))
}

struct Stream<'a> {
    inputs: &'a [Box<dyn Corpus>],
    next_input: usize,
    inner: Option<Box<dyn DocStream + 'a>>,
    prefix: String,
    archive: String,
}

impl DocStream for Stream<'_> {
    fn advance(&mut self) -> Result<bool> {
        loop {
            if let Some(inner) = self.inner.as_mut() {
                if inner.advance()? {
                    self.archive.clear();
                    self.archive.push_str(&self.prefix);
                    self.archive.push_str(inner.current().archive);
                    return Ok(true);
                }
                self.inner = None;
            }
            let Some(input) = self.inputs.get(self.next_input) else {
                return Ok(false);
            };
            self.prefix = format!("corpus{}_", self.next_input);
            self.next_input += 1;
            self.inner = Some(input.docs()?);
        }
    }

    fn current(&self) -> DocRef<'_> {
        let doc = self
            .inner
            .as_ref()
            .expect("advanced to a document")
            .current();
        DocRef {
            archive: &self.archive,
            name: doc.name,
            data: doc.data,
        }
    }
}

impl Corpus for Concat {
    fn describe(&self) -> String {
        format!("concatenation '{}'", self.module)
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
        Ok(Box::new(Stream {
            inputs: &self.inputs,
            next_input: 0,
            inner: None,
            prefix: String::new(),
            archive: String::new(),
        }))
    }
}
