//! Python's `configparser` reading rules (`RawConfigParser` with its defaults), which both the
//! pipeline config and the local config inherit: `key=value` / `key: value`, lower-cased keys,
//! whole-line `#`/`;` comments, indented continuation lines, `[DEFAULT]`, strict duplicates.

use indexmap::IndexMap;

use crate::loc::{Files, Loc};
use crate::py::{self, is_space};

/// One line of text to parse, without its line break.
#[derive(Debug, Clone)]
pub(crate) struct SrcLine {
    pub text: String,
    pub loc: Loc,
}

/// A value and where its key was written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Entry {
    /// Continuation lines are joined with `\n`, as configparser does.
    pub value: String,
    pub loc: Loc,
}

/// A section and its own entries (without `[DEFAULT]`).
#[derive(Debug, Clone)]
pub(crate) struct IniSection {
    pub loc: Loc,
    pub entries: IndexMap<String, Entry>,
}

/// A parsed file.
#[derive(Debug, Clone, Default)]
pub(crate) struct Ini {
    pub defaults: IndexMap<String, Entry>,
    pub sections: IndexMap<String, IniSection>,
}

impl Ini {
    /// configparser's `items(section)`: `[DEFAULT]` entries first, overridden by the section's.
    pub fn items(&self, section: &str) -> IndexMap<String, Entry> {
        let mut items = self.defaults.clone();
        if let Some(s) = self.sections.get(section) {
            for (k, v) in &s.entries {
                items.insert(k.clone(), v.clone());
            }
        }
        items
    }
}

/// A configparser error, with the line that caused it: `loc` is where it is in the file, `n`
/// the line number configparser itself reports, which counts only the lines it was given
/// (Pimlico drops directive lines first, and adds a `[main]` line to local configs).
#[derive(Debug, Clone)]
pub(crate) enum IniError {
    DuplicateSection {
        section: String,
        loc: Loc,
        n: usize,
    },
    DuplicateOption {
        section: String,
        option: String,
        loc: Loc,
        n: usize,
    },
    MissingSectionHeader {
        line: String,
        loc: Loc,
        n: usize,
    },
    Parsing {
        lines: Vec<(Loc, usize, String)>,
    },
}

impl IniError {
    /// The line to report the error at.
    pub fn loc(&self) -> Loc {
        match self {
            Self::DuplicateSection { loc, .. }
            | Self::DuplicateOption { loc, .. }
            | Self::MissingSectionHeader { loc, .. } => *loc,
            Self::Parsing { lines } => lines.first().map(|l| l.0).unwrap_or_default(),
        }
    }

    /// configparser's message, as Pimlico shows it.
    pub fn message(&self, files: &Files) -> String {
        let source = |loc: &Loc| py::repr(&files.path(loc.file).display().to_string());
        match self {
            Self::DuplicateSection { section, loc, n } => format!(
                "While reading from {} [line {n:2}]: section {} already exists",
                source(loc),
                py::repr(section)
            ),
            Self::DuplicateOption {
                section,
                option,
                loc,
                n,
            } => format!(
                "While reading from {} [line {n:2}]: option {} in section {} already exists",
                source(loc),
                py::repr(option),
                py::repr(section)
            ),
            Self::MissingSectionHeader { line, loc, n } => format!(
                "File contains no section headers.\nfile: {}, line: {n}\n{}",
                source(loc),
                py::repr(line)
            ),
            Self::Parsing { lines } => {
                let mut msg = format!(
                    "Source contains parsing errors: {}",
                    lines.first().map(|(l, _, _)| source(l)).unwrap_or_default()
                );
                for (_, n, line) in lines {
                    msg.push_str(&format!("\n\t[line {n:2}]: {}", py::repr(line)));
                }
                msg
            }
        }
    }
}

/// Where the parser is putting values.
#[derive(Clone, PartialEq, Eq)]
enum Target {
    Defaults,
    Section(String),
}

struct Parser {
    ini: Ini,
    parts: IndexMap<(Option<String>, String), Vec<String>>,
    added: std::collections::HashSet<(String, Option<String>)>,
    errors: Vec<(Loc, usize, String)>,
}

const DEFAULT_SECTION: &str = "DEFAULT";

/// Parses lines the way `RawConfigParser.read_string` does.
pub(crate) fn parse(lines: &[SrcLine]) -> Result<Ini, IniError> {
    let mut p = Parser {
        ini: Ini::default(),
        parts: IndexMap::new(),
        added: Default::default(),
        errors: Vec::new(),
    };
    let mut current: Option<Target> = None;
    let mut option: Option<String> = None;
    let mut indent_level = 0usize;
    let last = lines.len().saturating_sub(1);
    for (index, line) in lines.iter().enumerate() {
        let n = index + 1;
        // Python iterates lines with their line break, and shows it in errors.
        let shown = || {
            if index == last {
                line.text.clone()
            } else {
                format!("{}\n", line.text)
            }
        };
        let value = py::strip(&line.text);
        let is_comment = value.starts_with('#') || value.starts_with(';');
        if value.is_empty() || is_comment {
            if let (false, Some(target), Some(opt)) = (is_comment, &current, &option) {
                p.push_part(Some(target), opt, String::new());
            }
            continue;
        }
        let indent = line.text.chars().take_while(|&c| is_space(c)).count();
        if let (Some(target), Some(opt)) = (&current, &option)
            && indent > indent_level
        {
            p.push_part(Some(target), opt, value.to_owned());
            continue;
        }
        indent_level = indent;
        if let Some(header) = section_header(value) {
            current = Some(p.open_section(header, line.loc, n)?);
            option = None;
        } else if current.is_none() {
            return Err(IniError::MissingSectionHeader {
                line: shown(),
                loc: line.loc,
                n,
            });
        } else if let Some(i) = value.find(['=', ':']) {
            let name = py::rstrip(&value[..i]);
            if name.is_empty() {
                p.errors.push((line.loc, n, shown()));
                option = None;
                continue;
            }
            let name = name.to_lowercase();
            let target = current.clone().unwrap_or(Target::Defaults);
            p.add_option(&target, &name, py::strip(&value[i + 1..]), line.loc, n)?;
            option = Some(name);
        } else {
            p.errors.push((line.loc, n, shown()));
        }
    }
    if !p.errors.is_empty() {
        return Err(IniError::Parsing { lines: p.errors });
    }
    Ok(p.finish())
}

/// configparser's `\[(?P<header>.+)\]` matched at the start of the stripped line.
fn section_header(value: &str) -> Option<&str> {
    let rest = value.strip_prefix('[')?;
    let close = rest.rfind(']')?;
    (close > 0).then(|| &rest[..close])
}

impl Parser {
    fn open_section(&mut self, name: &str, loc: Loc, n: usize) -> Result<Target, IniError> {
        if self.ini.sections.contains_key(name) {
            return Err(IniError::DuplicateSection {
                section: name.to_owned(),
                loc,
                n,
            });
        }
        if name == DEFAULT_SECTION {
            return Ok(Target::Defaults);
        }
        self.ini.sections.insert(
            name.to_owned(),
            IniSection {
                loc,
                entries: IndexMap::new(),
            },
        );
        Ok(Target::Section(name.to_owned()))
    }

    fn add_option(
        &mut self,
        target: &Target,
        name: &str,
        value: &str,
        loc: Loc,
        n: usize,
    ) -> Result<(), IniError> {
        let section = match target {
            Target::Defaults => None,
            Target::Section(s) => Some(s.clone()),
        };
        if !self.added.insert((name.to_owned(), section.clone())) {
            return Err(IniError::DuplicateOption {
                section: section.unwrap_or_else(|| DEFAULT_SECTION.to_owned()),
                option: name.to_owned(),
                loc,
                n,
            });
        }
        let entries = match target {
            Target::Defaults => &mut self.ini.defaults,
            Target::Section(s) => match self.ini.sections.get_mut(s) {
                Some(sec) => &mut sec.entries,
                None => return Ok(()),
            },
        };
        entries.insert(
            name.to_owned(),
            Entry {
                value: String::new(),
                loc,
            },
        );
        self.parts
            .insert((section, name.to_owned()), vec![value.to_owned()]);
        Ok(())
    }

    fn push_part(&mut self, target: Option<&Target>, option: &str, part: String) {
        let section = match target {
            Some(Target::Section(s)) => Some(s.clone()),
            _ => None,
        };
        if let Some(parts) = self.parts.get_mut(&(section, option.to_owned())) {
            parts.push(part);
        }
    }

    fn finish(mut self) -> Ini {
        for ((section, name), parts) in self.parts {
            let value = py::rstrip(&parts.join("\n")).to_owned();
            let entries = match &section {
                None => Some(&mut self.ini.defaults),
                Some(s) => self.ini.sections.get_mut(s).map(|s| &mut s.entries),
            };
            if let Some(entry) = entries.and_then(|e| e.get_mut(&name)) {
                entry.value = value;
            }
        }
        self.ini
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(text: &str) -> Vec<SrcLine> {
        text.split('\n')
            .enumerate()
            .map(|(i, t)| SrcLine {
                text: t.to_owned(),
                loc: Loc {
                    file: 0,
                    line: i as u32 + 1,
                },
            })
            .collect()
    }

    #[test]
    fn reads_values_continuations_and_defaults() {
        let ini = parse(&lines(
            "[DEFAULT]\nd=1\n[a]\nX = y z\nm=map(\n  a,\n\n  # c\n  b)\nk: v # not a comment\n; c\n",
        ))
        .unwrap();
        let a = ini.items("a");
        assert_eq!(a["d"].value, "1");
        assert_eq!(a["x"].value, "y z");
        assert_eq!(a["m"].value, "map(\na,\n\nb)");
        assert_eq!(a["k"].value, "v # not a comment");
        assert_eq!(a["k"].loc.line, 10);
        assert_eq!(a.keys().collect::<Vec<_>>(), ["d", "x", "m", "k"]);
    }

    #[test]
    fn reports_errors_like_configparser() {
        let files = {
            let mut f = Files::default();
            f.add("f.conf".into());
            f
        };
        let msg = |t: &str| parse(&lines(t)).unwrap_err().message(&files);
        assert_eq!(
            msg("[a]\nx=1\njustword\ny=2\n"),
            "Source contains parsing errors: 'f.conf'\n\t[line  3]: 'justword\\n'"
        );
        assert_eq!(
            msg("x=1\n[a]"),
            "File contains no section headers.\nfile: 'f.conf', line: 1\n'x=1\\n'"
        );
        assert_eq!(
            msg("[a]\nx=1\nX=2"),
            "While reading from 'f.conf' [line  3]: option 'x' in section 'a' already exists"
        );
        assert_eq!(
            msg("[a]\n[b]\n[a]"),
            "While reading from 'f.conf' [line  3]: section 'a' already exists"
        );
    }

    #[test]
    fn section_headers_are_permissive() {
        assert_eq!(section_header("[a] b]"), Some("a] b"));
        assert_eq!(section_header("[]"), None);
        assert_eq!(section_header("[]]"), Some("]"));
    }
}
