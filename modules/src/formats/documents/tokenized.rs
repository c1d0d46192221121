//! `TokenizedDocumentType` and its subtypes `CharacterTokenizedDocumentType` and
//! `SegmentedLinesDocumentType`.
//!
//! Tokenized documents store sentences one per line (`\n`) with tokens separated by single
//! spaces. There is no escaping: reading splits on every `\n` and every space, so an empty
//! document reads as one sentence holding one empty token, exactly as in the original.
//! Character-tokenized documents store each sentence's characters joined with nothing.
//! Segmented lines separate elements with `/`, writing a `/` inside an element as `@slash@`.

use super::text::decode_text;
use crate::formats::error::DocError;

/// A tokenized document read from its bytes, borrowing them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Tokenized<'a> {
    text: &'a str,
}

impl<'a> Tokenized<'a> {
    /// Checks the bytes are UTF-8 and wraps them.
    pub fn parse(raw: &'a [u8]) -> Result<Self, DocError> {
        Ok(Tokenized {
            text: decode_text(raw, "TokenizedDocumentType")?,
        })
    }

    /// The document's text: sentences on lines, tokens separated by spaces.
    pub fn text(&self) -> &'a str {
        self.text
    }

    /// The sentences, each an iterator over its tokens.
    pub fn sentences(&self) -> impl Iterator<Item = std::str::Split<'a, char>> + 'a {
        self.text.split('\n').map(|line| line.split(' '))
    }

    /// The sentences as owned token lists.
    pub fn to_vec(&self) -> Vec<Vec<String>> {
        self.sentences()
            .map(|s| s.map(str::to_string).collect())
            .collect()
    }
}

/// Appends the stored form of tokenized sentences to `out`.
pub fn encode_tokenized<S: AsRef<str>>(sentences: &[Vec<S>], out: &mut Vec<u8>) {
    for (i, sentence) in sentences.iter().enumerate() {
        if i > 0 {
            out.push(b'\n');
        }
        for (j, token) in sentence.iter().enumerate() {
            if j > 0 {
                out.push(b' ');
            }
            out.extend_from_slice(token.as_ref().as_bytes());
        }
    }
}

/// Writes a tokenized document token by token into a buffer, for modules that produce tokens
/// one at a time: no list of sentences is built.
#[derive(Debug)]
pub struct TokenizedWriter<'a> {
    out: &'a mut Vec<u8>,
    sentences: usize,
    tokens_in_sentence: usize,
}

impl<'a> TokenizedWriter<'a> {
    /// Starts a document at the end of `out`.
    pub fn new(out: &'a mut Vec<u8>) -> Self {
        TokenizedWriter {
            out,
            sentences: 0,
            tokens_in_sentence: 0,
        }
    }

    /// Starts a new sentence (every document has at least one once a token is written).
    pub fn sentence(&mut self) {
        if self.sentences > 0 {
            self.out.push(b'\n');
        }
        self.sentences += 1;
        self.tokens_in_sentence = 0;
    }

    /// Adds a token to the current sentence (starting the first sentence if needed).
    pub fn token(&mut self, token: &str) {
        if self.sentences == 0 {
            self.sentence();
        }
        if self.tokens_in_sentence > 0 {
            self.out.push(b' ');
        }
        self.out.extend_from_slice(token.as_bytes());
        self.tokens_in_sentence += 1;
    }
}

/// A character-tokenized document: each line is a sentence, each character a token.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CharTokenized<'a> {
    text: &'a str,
}

impl<'a> CharTokenized<'a> {
    /// Checks the bytes are UTF-8 and wraps them.
    pub fn parse(raw: &'a [u8]) -> Result<Self, DocError> {
        Ok(CharTokenized {
            text: decode_text(raw, "CharacterTokenizedDocumentType")?,
        })
    }

    /// The stored text.
    pub fn text(&self) -> &'a str {
        self.text
    }

    /// The sentences, each an iterator over its characters (Unicode code points, as Python's
    /// `list(str)` gives).
    pub fn sentences(&self) -> impl Iterator<Item = std::str::Chars<'a>> + 'a {
        self.text.split('\n').map(str::chars)
    }

    /// The sentences as owned character lists.
    pub fn to_vec(&self) -> Vec<Vec<char>> {
        self.sentences().map(Iterator::collect).collect()
    }
}

/// Appends the stored form of character-tokenized sentences (each a sequence of characters,
/// given as a string) to `out`.
pub fn encode_char_tokenized<S: AsRef<str>>(sentences: &[S], out: &mut Vec<u8>) {
    for (i, sentence) in sentences.iter().enumerate() {
        if i > 0 {
            out.push(b'\n');
        }
        out.extend_from_slice(sentence.as_ref().as_bytes());
    }
}

/// Reads a segmented-lines document: `/`-separated elements on each line, `@slash@` standing
/// for a `/` inside an element.
pub fn decode_segmented_lines(raw: &[u8]) -> Result<Vec<Vec<String>>, DocError> {
    let text = decode_text(raw, "SegmentedLinesDocumentType")?;
    Ok(text
        .split('\n')
        .map(|line| {
            line.split('/')
                .map(|el| el.replace("@slash@", "/"))
                .collect()
        })
        .collect())
}

/// Appends the stored form of segmented lines to `out`. As in the original, line breaks inside
/// elements are dropped, since they would split the line.
pub fn encode_segmented_lines<S: AsRef<str>>(lines: &[Vec<S>], out: &mut Vec<u8>) {
    for (i, line) in lines.iter().enumerate() {
        if i > 0 {
            out.push(b'\n');
        }
        let mut joined = String::new();
        for (j, el) in line.iter().enumerate() {
            if j > 0 {
                joined.push('/');
            }
            joined.push_str(&el.as_ref().replace('/', "@slash@"));
        }
        out.extend_from_slice(joined.replace('\n', "").as_bytes());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokenized_matches_the_original_split() {
        let doc = Tokenized::parse(b"a b\n\nc  d").unwrap();
        assert_eq!(
            doc.to_vec(),
            vec![vec!["a", "b"], vec![""], vec!["c", "", "d"]]
        );
        assert_eq!(Tokenized::parse(b"").unwrap().to_vec(), vec![vec![""]]);
        let mut out = Vec::new();
        encode_tokenized(&[vec!["a", "b"], vec![], vec!["c"]], &mut out);
        assert_eq!(out, b"a b\n\nc");
        assert!(Tokenized::parse(b"\xff").is_err());
    }

    #[test]
    fn streaming_writer_matches_the_list_encoder() {
        let sentences = [vec!["a", "b"], vec![], vec!["c"]];
        let mut expected = Vec::new();
        encode_tokenized(&sentences, &mut expected);
        let mut out = Vec::new();
        let mut w = TokenizedWriter::new(&mut out);
        for s in &sentences {
            w.sentence();
            for t in s {
                w.token(t);
            }
        }
        assert_eq!(out, expected);
    }

    #[test]
    fn characters_are_code_points() {
        let doc = CharTokenized::parse("h\u{e9}\nx".as_bytes()).unwrap();
        assert_eq!(doc.to_vec(), vec![vec!['h', '\u{e9}'], vec!['x']]);
        let mut out = Vec::new();
        encode_char_tokenized(&["h\u{e9}", "x"], &mut out);
        assert_eq!(out, "h\u{e9}\nx".as_bytes());
    }

    #[test]
    fn segmented_lines_escape_slashes() {
        let mut out = Vec::new();
        encode_segmented_lines(&[vec!["a/b", "c\nd"], vec!["e"]], &mut out);
        assert_eq!(out, b"a@slash@b/cd\ne");
        assert_eq!(
            decode_segmented_lines(&out).unwrap(),
            vec![
                vec!["a/b".to_string(), "cd".to_string()],
                vec!["e".to_string()]
            ]
        );
    }
}
