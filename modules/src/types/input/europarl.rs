//! `pimlico.modules.input.text.europarl`: raw, unaligned Europarl text files, read as
//! `raw_text_files` does and cleaned of the transcripts' markup. Documents with fewer than four
//! lines left are headings, not debates, and become invalid documents.

use pimlico_config::ModuleSignature;

use super::raw_text_files::{TextFiles, reader_options};
use crate::catalogue::decl::{corpus_output, module};
use crate::corpus::Corpus;
use crate::error::Result;
use crate::formats::invalid::InvalidDocument;
use crate::formats::pystr::splitlines;
use crate::types::{Behaviour, TypeDef, ViewArgs};

pub(super) const DEF: TypeDef = TypeDef {
    type_string: "pimlico.modules.input.text.europarl",
    signature,
    behaviour: Behaviour::View(open),
    check: None,
    source_ready: Some(super::files::source_ready),
};

fn signature() -> ModuleSignature {
    let mut sig = module(
        "europarl_reader",
        "Input reader for raw, unaligned text from the Europarl corpus, with Europarl-specific \
         cleaning. Not executed.",
    );
    sig.outputs = vec![corpus_output("corpus", "RawTextDocumentType")];
    sig.options = reader_options();
    sig.executable = false;
    sig
}

fn open(args: &ViewArgs<'_>) -> Result<Box<dyn Corpus>> {
    TextFiles::open(args, clean)
}

/// One line cleaned, or `None` to leave it out.
fn filter_line(line: &str) -> Option<String> {
    if line.starts_with('<') {
        return None;
    }
    let line = line.split_once(". - ").map_or(line, |(_, rest)| rest);
    let line = line.trim_start_matches(['-', ' ']);
    if line.starts_with('(') && line.ends_with(')') {
        return None;
    }
    Some(remove_language_markers(line))
}

/// Removes every `(XX) ` (two capital ASCII letters in brackets, then a space).
fn remove_language_markers(line: &str) -> String {
    let bytes = line.as_bytes();
    let mut out = String::with_capacity(line.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes.len() - i >= 5
            && bytes[i] == b'('
            && bytes[i + 1].is_ascii_uppercase()
            && bytes[i + 2].is_ascii_uppercase()
            && bytes[i + 3] == b')'
            && bytes[i + 4] == b' '
        {
            i += 5;
            continue;
        }
        let c = line[i..].chars().next().expect("inside the string");
        out.push(c);
        i += c.len_utf8();
    }
    out
}

fn clean(text: String) -> Vec<u8> {
    let lines: Vec<String> = splitlines(&text).filter_map(filter_line).collect();
    if lines.len() < 4 {
        return InvalidDocument::new(
            "europarl_reader",
            "Too few lines in document: not a debate transcript",
        )
        .to_bytes();
    }
    lines.join("\n").into_bytes()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_are_cleaned_as_the_original() {
        assert_eq!(filter_line("<CHAPTER ID=1>"), None);
        assert_eq!(filter_line("(Applause)"), None);
        assert_eq!(
            filter_line("President. - (DE) Thank you."),
            Some("Thank you.".into())
        );
        assert_eq!(filter_line("- - Yes (FR) no"), Some("Yes no".into()));
        let invalid = String::from_utf8(clean("a\nb".into())).unwrap();
        assert!(invalid.starts_with("***** EMPTY DOCUMENT *****"));
        assert_eq!(clean("a\r\nb\nc\nd\n".into()), b"a\nb\nc\nd");
    }
}
