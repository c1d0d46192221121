//! `pimlico.modules.text.normalize`: normalization of tokenized text (case, punctuation,
//! numbers, short words, empty sentences).

use std::sync::Arc;

use pimlico_config::{ModuleSignature, OptionType};
use serde_json::json;

use super::text_normalize::Case;
use crate::catalogue::decl::{corpus_input, corpus_output, module, option};
use crate::error::{Error, Result};
use crate::formats::documents::{Tokenized, TokenizedWriter};
use crate::formats::grouped::DocRef;
use crate::formats::metadata::Metadata;
use crate::formats::pystr::strip;
use crate::map::DocMapper;
use crate::types::{Behaviour, MapArgs, MapSpec, TypeDef};
use crate::util::options;
use crate::util::pychar::is_punct;

pub(super) const DEF: TypeDef = TypeDef {
    type_string: "pimlico.modules.text.normalize",
    signature,
    behaviour: Behaviour::DocMap(make),
    check: None,
    source_ready: None,
};

fn signature() -> ModuleSignature {
    let mut sig = module(
        "normalize",
        "Perform text normalization on tokenized documents: case, empty sentence removal, \
         punctuation removal, removal of sentences of punctuation only, numerical character \
         removal, minimum word length.",
    );
    sig.inputs = vec![corpus_input("corpus", "TokenizedDocumentType")];
    sig.outputs = vec![corpus_output("corpus", "TokenizedDocumentType")];
    let flag = |name: &str, help: &str| option(name, OptionType::Bool, json!(false), help);
    sig.options = vec![
        option(
            "case",
            OptionType::Choice(vec!["upper".into(), "lower".into(), String::new()]),
            json!(""),
            "Transform all text to upper or lower case. Choose from 'upper' or 'lower', or leave \
             blank to not perform transformation",
        ),
        flag(
            "remove_empty",
            "Skip over any empty sentences (i.e. blank lines). Applied after other processing, \
             so this will remove sentences that are left empty by other filters",
        ),
        flag(
            "remove_only_punct",
            "Skip over any sentences that are empty if punctuation is ignored",
        ),
        flag(
            "remove_punct",
            "Remove punctuation from all tokens and then remove the whole token if nothing's left",
        ),
        flag("remove_nums", "Remove numeric characters"),
        option(
            "min_word_length",
            OptionType::Int,
            json!(0),
            "Remove any words shorter than this. Default: 0 (don't do anything)",
        ),
    ];
    sig.document_map = true;
    sig
}

struct Normalize {
    case: Case,
    remove_empty: bool,
    remove_only_punct: bool,
    remove_punct: bool,
    remove_nums: bool,
    min_word_length: usize,
}

fn make(args: &MapArgs<'_>) -> Result<MapSpec> {
    let o = args.options;
    Ok(MapSpec {
        mapper: Arc::new(Normalize {
            case: Case::from_option(options::string(o, "case")),
            remove_empty: options::flag(o, "remove_empty"),
            remove_only_punct: options::flag(o, "remove_only_punct"),
            remove_punct: options::flag(o, "remove_punct"),
            remove_nums: options::flag(o, "remove_nums"),
            min_word_length: options::int(o, "min_word_length").unwrap_or(0).max(0) as usize,
        }),
        metadata: Metadata::new(),
    })
}

impl Normalize {
    /// Whether every word only changes by case (no word is ever dropped or edited), so words
    /// can be written straight through.
    fn case_only(&self) -> bool {
        !(self.remove_only_punct || self.remove_punct || self.remove_nums)
            && self.min_word_length == 0
    }

    /// One word after the per-word steps; `None` when it is dropped.
    fn word(&self, word: &str, buf: &mut String) -> Option<String> {
        buf.clear();
        self.case.push(word, buf);
        let mut word = std::mem::take(buf);
        if self.remove_punct {
            let kept: String = word.chars().filter(|c| !is_punct(*c)).collect();
            word = strip(&kept).to_string();
        }
        Some(word)
    }

    fn map_general(&self, doc: &Tokenized<'_>, out: &mut Vec<u8>) {
        let mut writer = TokenizedWriter::new(out);
        let mut buf = String::new();
        let mut words: Vec<String> = Vec::new();
        for sentence in doc.sentences() {
            words.clear();
            words.extend(sentence.filter_map(|w| self.word(w, &mut buf)));
            // The sentence is empty once punctuation is ignored: every word is punctuation.
            if self.remove_only_punct && words.iter().all(|w| w.chars().all(is_punct)) {
                continue;
            }
            if self.remove_nums {
                for w in &mut words {
                    w.retain(|c| !c.is_ascii_digit());
                }
            }
            if self.min_word_length > 0 {
                words.retain(|w| w.chars().count() > self.min_word_length);
            }
            words.retain(|w| !w.is_empty());
            if self.remove_empty && words.is_empty() {
                continue;
            }
            writer.sentence();
            for w in &words {
                writer.token(w);
            }
        }
    }

    /// Case changes only, on ASCII text: each line's words (runs of bytes between spaces)
    /// re-joined by single spaces, with their case changed in place.
    fn map_case_only_ascii(&self, doc: &Tokenized<'_>, out: &mut Vec<u8>) {
        let mut sentences = 0;
        for line in doc.text().as_bytes().split(|b| *b == b'\n') {
            let start = out.len();
            if sentences > 0 {
                out.push(b'\n');
            }
            let words_start = out.len();
            for word in line.split(|b| *b == b' ').filter(|w| !w.is_empty()) {
                if out.len() > words_start {
                    out.push(b' ');
                }
                out.extend_from_slice(word);
            }
            if out.len() == words_start && self.remove_empty {
                out.truncate(start);
                continue;
            }
            match self.case {
                Case::Upper => out[words_start..].make_ascii_uppercase(),
                Case::Lower => out[words_start..].make_ascii_lowercase(),
                Case::Keep => {}
            }
            sentences += 1;
        }
    }

    fn map_case_only(&self, doc: &Tokenized<'_>, out: &mut Vec<u8>) {
        let mut writer = TokenizedWriter::new(out);
        let mut buf = String::new();
        for sentence in doc.sentences() {
            let mut started = false;
            for word in sentence.filter(|w| !w.is_empty()) {
                if !started {
                    writer.sentence();
                    started = true;
                }
                buf.clear();
                self.case.push(word, &mut buf);
                if !buf.is_empty() {
                    writer.token(&buf);
                }
            }
            if !started && !self.remove_empty {
                writer.sentence();
            }
        }
    }
}

impl DocMapper for Normalize {
    fn map(&self, doc: &DocRef<'_>, out: &mut Vec<u8>) -> Result<()> {
        let tokenized =
            Tokenized::parse(doc.data).map_err(|e| Error::doc(doc.archive, doc.name, e))?;
        if self.case_only() && tokenized.text().is_ascii() {
            self.map_case_only_ascii(&tokenized, out);
        } else if self.case_only() {
            self.map_case_only(&tokenized, out);
        } else {
            self.map_general(&tokenized, out);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn normalize(case: Case, remove_empty: bool) -> Normalize {
        Normalize {
            case,
            remove_empty,
            remove_only_punct: false,
            remove_punct: false,
            remove_nums: false,
            min_word_length: 0,
        }
    }

    #[test]
    fn the_ascii_path_writes_what_the_general_path_writes() {
        let docs = [
            "",
            " ",
            "\n",
            "A b\n\nC  d ",
            "  x\n \n y Z",
            "One\ntwo three\n",
            "a\n\n\n",
        ];
        for text in docs {
            let doc = Tokenized::parse(text.as_bytes()).unwrap();
            for case in [Case::Keep, Case::Upper, Case::Lower] {
                for remove_empty in [false, true] {
                    let n = normalize(case, remove_empty);
                    let (mut fast, mut general) = (Vec::new(), Vec::new());
                    n.map_case_only_ascii(&doc, &mut fast);
                    n.map_case_only(&doc, &mut general);
                    assert_eq!(fast, general, "{text:?} remove_empty={remove_empty}");
                }
            }
        }
    }
}
