//! `pimlico.modules.text.simple_tokenize`: splits each line of text on a separator (a space by
//! default), dropping empty tokens.

use std::sync::Arc;

use pimlico_config::{ModuleConfig, ModuleSignature, OptionType, Pipeline};
use pimlico_core::types::Problem;
use serde_json::json;

use super::text;
use crate::catalogue::decl::{corpus_input, corpus_output, module, option};
use crate::error::Result;
use crate::formats::documents::TokenizedWriter;
use crate::formats::grouped::DocRef;
use crate::formats::metadata::Metadata;
use crate::formats::pystr::{splitlines, strip};
use crate::map::DocMapper;
use crate::types::{Behaviour, MapArgs, MapSpec, TypeDef};
use crate::util::options;

pub(super) const DEF: TypeDef = TypeDef {
    type_string: "pimlico.modules.text.simple_tokenize",
    signature,
    behaviour: Behaviour::DocMap(make),
    check: Some(check),
    source_ready: None,
};

fn signature() -> ModuleSignature {
    let mut sig = module(
        "simple_tokenize",
        "Tokenize raw text using simple splitting: each line is a sentence, split on the splitter \
         (a space by default), with white space stripped and empty tokens dropped.",
    );
    sig.inputs = vec![corpus_input("corpus", "TextDocumentType")];
    sig.outputs = vec![corpus_output("corpus", "TokenizedDocumentType")];
    sig.options = vec![option(
        "splitter",
        OptionType::String,
        json!(" "),
        "Character or string to split on. Default: space",
    )];
    sig.document_map = true;
    sig
}

fn check(module: &ModuleConfig, _: &Pipeline) -> Vec<Problem> {
    match options::string(&module.options, "splitter") {
        Some("") => vec![Problem {
            name: "empty splitter".into(),
            description: "the splitter option is empty: give a character or string to split on"
                .into(),
        }],
        _ => Vec::new(),
    }
}

struct SimpleTokenize {
    splitter: String,
}

fn make(args: &MapArgs<'_>) -> Result<MapSpec> {
    let splitter = options::string(args.options, "splitter").unwrap_or(" ");
    if splitter.is_empty() {
        return Err(crate::error::Error::msg("empty splitter"));
    }
    Ok(MapSpec {
        mapper: Arc::new(SimpleTokenize {
            splitter: splitter.to_string(),
        }),
        metadata: Metadata::new(),
    })
}

/// Appends a line's tokens split on spaces, joined by single spaces: the line with every run
/// of spaces made one and none at the ends (a space byte is never part of another character).
fn push_space_tokens(line: &str, out: &mut Vec<u8>) {
    let mut first = true;
    for piece in line
        .as_bytes()
        .split(|b| *b == b' ')
        .filter(|p| !p.is_empty())
    {
        if !first {
            out.push(b' ');
        }
        out.extend_from_slice(piece);
        first = false;
    }
}

impl DocMapper for SimpleTokenize {
    fn map(&self, doc: &DocRef<'_>, out: &mut Vec<u8>) -> Result<()> {
        if self.splitter == " " {
            for (i, line) in splitlines(text(doc)?).enumerate() {
                if i > 0 {
                    out.push(b'\n');
                }
                push_space_tokens(strip(line), out);
            }
            return Ok(());
        }
        let mut writer = TokenizedWriter::new(out);
        for line in splitlines(text(doc)?) {
            writer.sentence();
            for token in strip(line).split(self.splitter.as_str()) {
                if !token.is_empty() {
                    writer.token(token);
                }
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splitting_on_spaces_joins_tokens_as_the_general_writer() {
        for line in ["", " ", "a", "  a  b ", "a\tb  c", "é  ü", "x  "] {
            let mut fast = Vec::new();
            push_space_tokens(line, &mut fast);
            let mut general = Vec::new();
            let mut writer = TokenizedWriter::new(&mut general);
            writer.sentence();
            for token in line.split(' ').filter(|t| !t.is_empty()) {
                writer.token(token);
            }
            assert_eq!(fast, general, "{line:?}");
        }
    }
}
