//! `pimlico.modules.text.text_normalize`: case, white space and blank lines of raw text.

use std::sync::Arc;

use pimlico_config::{ModuleSignature, OptionType};
use serde_json::json;

use super::text;
use crate::catalogue::decl::{corpus_input, corpus_output, module, option};
use crate::error::Result;
use crate::formats::grouped::DocRef;
use crate::formats::metadata::Metadata;
use crate::formats::pystr::{splitlines, strip};
use crate::map::DocMapper;
use crate::types::{Behaviour, MapArgs, MapSpec, TypeDef};
use crate::util::options;

pub(super) const DEF: TypeDef = TypeDef {
    type_string: "pimlico.modules.text.text_normalize",
    signature,
    behaviour: Behaviour::DocMap(make),
    check: None,
    source_ready: None,
};

fn signature() -> ModuleSignature {
    let mut sig = module(
        "text_normalize",
        "Text normalization for raw text documents: case, stripping lines, removing blank lines.",
    );
    sig.inputs = vec![corpus_input("corpus", "TextDocumentType")];
    sig.outputs = vec![corpus_output("corpus", "RawTextDocumentType")];
    sig.options = vec![
        option(
            "case",
            OptionType::Choice(vec!["upper".into(), "lower".into(), String::new()]),
            json!(""),
            "Transform all text to upper or lower case. Choose from 'upper' or 'lower', or leave \
             blank to not perform transformation",
        ),
        option(
            "strip",
            OptionType::Bool,
            json!(null),
            "Strip whitespace from the start and end of lines",
        ),
        option(
            "blank_lines",
            OptionType::Bool,
            json!(null),
            "Remove all blank lines (after whitespace stripping, if requested)",
        ),
    ];
    sig.document_map = true;
    sig
}

/// Case transformation of the `case` option.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Case {
    Keep,
    Upper,
    Lower,
}

impl Case {
    pub(super) fn from_option(value: Option<&str>) -> Case {
        match value {
            Some("upper") => Case::Upper,
            Some("lower") => Case::Lower,
            _ => Case::Keep,
        }
    }

    /// Appends `s` transformed (Python's `str.upper()` / `str.lower()`).
    pub(super) fn push(self, s: &str, out: &mut String) {
        match self {
            Case::Keep => out.push_str(s),
            Case::Upper if s.is_ascii() => {
                let start = out.len();
                out.push_str(s);
                out[start..].make_ascii_uppercase();
            }
            Case::Lower if s.is_ascii() => {
                let start = out.len();
                out.push_str(s);
                out[start..].make_ascii_lowercase();
            }
            Case::Upper => out.push_str(&s.to_uppercase()),
            Case::Lower => out.push_str(&s.to_lowercase()),
        }
    }
}

struct TextNormalize {
    case: Case,
    strip: bool,
    blank_lines: bool,
}

fn make(args: &MapArgs<'_>) -> Result<MapSpec> {
    Ok(MapSpec {
        mapper: Arc::new(TextNormalize {
            case: Case::from_option(options::string(args.options, "case")),
            strip: options::flag(args.options, "strip"),
            blank_lines: options::flag(args.options, "blank_lines"),
        }),
        metadata: Metadata::new(),
    })
}

impl DocMapper for TextNormalize {
    fn map(&self, doc: &DocRef<'_>, out: &mut Vec<u8>) -> Result<()> {
        let mut line_buf = String::new();
        let mut first = true;
        for line in splitlines(text(doc)?) {
            line_buf.clear();
            self.case.push(line, &mut line_buf);
            let line = if self.strip {
                strip(&line_buf)
            } else {
                &line_buf
            };
            if self.blank_lines && line.is_empty() {
                continue;
            }
            if !first {
                out.push(b'\n');
            }
            first = false;
            out.extend_from_slice(line.as_bytes());
        }
        Ok(())
    }
}
