//! `pimlico.modules.input.text.raw_text_files`: a corpus of text files named by paths and
//! globs, read when the corpus is read (not executed) and grouped into archives.

use pimlico_config::{ModuleSignature, OptionDecl, OptionType};
use serde_json::json;

use super::files::{FileSpec, doc_names, file_specs, files_option_type, read_text};
use crate::catalogue::decl::{corpus_output, module, option};
use crate::corpus::{Corpus, DocStream, OwnedStream};
use crate::error::Result;
use crate::formats::doctype::DocType;
use crate::types::corpora::{Grouped, grouper_options};
use crate::types::{Behaviour, TypeDef, ViewArgs};
use crate::util::options::{self, Options};

pub(super) const DEF: TypeDef = TypeDef {
    type_string: "pimlico.modules.input.text.raw_text_files",
    signature,
    behaviour: Behaviour::View(open),
    check: None,
    source_ready: Some(super::files::source_ready),
};

/// The options of the text file readers.
pub(super) fn reader_options() -> Vec<OptionDecl> {
    let mut opts = vec![
        OptionDecl {
            required: true,
            ..option(
                "files",
                files_option_type(),
                json!(null),
                "Comma-separated list of absolute paths to files to include in the collection. \
                 Paths may include globs. Place a '?' at the start of a filename to indicate \
                 that it's optional. You can specify a line range for the file by adding ':X-Y' \
                 to the end of the path, where X is the first line and Y the last to be \
                 included. Either X or Y may be left empty. (Line numbers are 1-indexed.)",
            )
        },
        option(
            "exclude",
            OptionType::CommaList,
            json!(null),
            "A list of files to exclude. Specified in the same way as `files` (except without \
             line ranges). This allows you to specify a glob in `files` and then exclude \
             individual files from it (you can use globs here too)",
        ),
        option(
            "encoding",
            OptionType::String,
            json!("utf8"),
            "Encoding to assume for input files. Default: utf8",
        ),
        option(
            "encoding_errors",
            OptionType::String,
            json!("strict"),
            "What to do in the case of invalid characters in the input while decoding (e.g. \
             illegal utf-8 chars). Select 'strict' (default), 'ignore', 'replace'. See Python's \
             str.decode() for details",
        ),
    ];
    opts.extend(grouper_options());
    opts
}

fn signature() -> ModuleSignature {
    let mut sig = module(
        "raw_text_files_reader",
        "Input reader for raw text file collections: reads files from locations given by a list \
         of paths and globs. Not executed: the files are read when the corpus is used.",
    );
    sig.outputs = vec![corpus_output("corpus", "RawTextDocumentType")];
    sig.options = reader_options();
    sig.executable = false;
    sig
}

/// Turns a file's text into the stored document.
pub(super) type Postprocess = fn(String) -> Vec<u8>;

/// The documents of text files, one per file, before grouping.
pub(super) struct TextFiles {
    module: String,
    specs: Vec<FileSpec>,
    names: Vec<String>,
    encoding: String,
    errors: String,
    doc_type: &'static DocType,
    postprocess: Postprocess,
}

impl TextFiles {
    /// The files an input reader's options name, grouped as its grouping options say.
    pub(super) fn open(args: &ViewArgs<'_>, postprocess: Postprocess) -> Result<Box<dyn Corpus>> {
        let opts: &Options = args.options;
        let specs = file_specs(opts, false)?;
        let files = TextFiles {
            module: args.module.name.clone(),
            names: doc_names(&specs),
            specs,
            encoding: options::string(opts, "encoding")
                .unwrap_or("utf8")
                .to_string(),
            errors: options::string(opts, "encoding_errors")
                .unwrap_or("strict")
                .to_string(),
            doc_type: args.doc_type,
            postprocess,
        };
        Ok(Box::new(Grouped::new(
            &args.module.name,
            Box::new(files),
            opts,
        )))
    }
}

fn open(args: &ViewArgs<'_>) -> Result<Box<dyn Corpus>> {
    TextFiles::open(args, String::into_bytes)
}

impl Corpus for TextFiles {
    fn describe(&self) -> String {
        format!("input files of '{}'", self.module)
    }

    fn len(&self) -> Result<u64> {
        Ok(self.specs.len() as u64)
    }

    fn doc_type(&self) -> &'static DocType {
        self.doc_type
    }

    fn docs(&self) -> Result<Box<dyn DocStream + '_>> {
        Ok(Box::new(OwnedStream::new(
            self.specs.iter().zip(&self.names).map(|(spec, name)| {
                let text = read_text(spec, &self.encoding, &self.errors)?;
                Ok((String::new(), name.clone(), (self.postprocess)(text)))
            }),
        )))
    }
}
