//! Reading config files: directives, variants, includes, docstrings and headings, then the
//! configparser rules, `[vars]`, the merging of included files and `%%copy`.
//!
//! This is Pimlico's `preprocess_config_file`: it turns the top-level file and everything it
//! includes into one ordered list of raw sections (values not yet `%`-substituted).

mod directive;
mod headings;
mod merge;

use std::collections::{BTreeSet, HashMap};
use std::path::{Path, PathBuf};

use indexmap::IndexMap;

use crate::error::{ConfigError, ErrorKind};
use crate::ini::{self, Entry, SrcLine};
use crate::loc::{Files, Loc};
use crate::py;
use directive::Directive;
pub(crate) use headings::HeadingTree;

/// A section after preprocessing: `[DEFAULT]` values merged in, copies applied, continuation
/// line breaks removed.
#[derive(Debug, Clone)]
pub(crate) struct RawSection {
    pub name: String,
    pub loc: Loc,
    pub values: IndexMap<String, Entry>,
}

/// Everything preprocessing produces.
#[derive(Debug)]
pub(crate) struct Preprocessed {
    /// Sections in pipeline order (includes inserted, `[vars]` removed).
    pub sections: Vec<RawSection>,
    /// Variants named anywhere, except `main`.
    pub variants: BTreeSet<String>,
    /// `[vars]`, evaluated, with included files' vars overriding.
    pub vars: IndexMap<String, String>,
    /// Docstrings by section name.
    pub docstrings: HashMap<String, String>,
    pub headings: HeadingTree,
    pub files: Files,
}

/// A `%%copy` directive, applied once everything is read.
#[derive(Debug, Clone)]
struct Copy {
    source: String,
    excluded: Vec<String>,
    loc: Loc,
}

/// State shared by a file and the files it includes.
struct Ctx<'a> {
    variant: &'a str,
    initial_vars: &'a IndexMap<String, String>,
    files: Files,
    copies: IndexMap<String, Vec<Copy>>,
    headings: HeadingTree,
    /// Files being read, outermost first, to refuse include cycles.
    stack: Vec<PathBuf>,
}

/// What one file (with its own includes merged) contributes.
struct FileResult {
    sections: Vec<RawSection>,
    variants: BTreeSet<String>,
    vars: IndexMap<String, String>,
    docstrings: HashMap<String, String>,
    is_abstract: bool,
}

/// An `%%include` seen while reading, merged after the file is parsed.
struct Include {
    path: PathBuf,
    result: FileResult,
    after_section: Option<String>,
    loc: Loc,
}

/// Includes deeper than this are almost certainly a mistake (and would exhaust the stack).
const MAX_INCLUDE_DEPTH: usize = 64;

/// Reads the top-level config file for one variant.
pub(crate) fn preprocess(
    path: &Path,
    variant: &str,
    initial_vars: &IndexMap<String, String>,
) -> Result<Preprocessed, ConfigError> {
    let mut ctx = Ctx {
        variant,
        initial_vars,
        files: Files::default(),
        copies: IndexMap::new(),
        headings: HeadingTree::default(),
        stack: Vec::new(),
    };
    let text = std::fs::read(path).map_err(|e| {
        ConfigError::new(
            ErrorKind::Parse,
            format!(
                "could not read config file {}: {}",
                path.display(),
                io_message(&e, path)
            ),
        )
        .at(path, None)
    })?;
    let mut result = read_file(&mut ctx, path, &text)?;
    if result.is_abstract {
        return Err(ConfigError::new(
            ErrorKind::Parse,
            format!(
                "config file {} is abstract: it shouldn't be run itself, but included in another \
                 config file",
                path.display()
            ),
        )
        .at(path, None));
    }
    merge::apply_copies(&ctx.files, &ctx.copies, &mut result.sections)?;
    Ok(Preprocessed {
        sections: result.sections,
        variants: result.variants,
        vars: result.vars,
        docstrings: result.docstrings,
        headings: ctx.headings,
        files: ctx.files,
    })
}

/// Python's `IOError` text for a missing file; other errors as the OS words them.
fn io_message(e: &std::io::Error, path: &Path) -> String {
    if e.kind() == std::io::ErrorKind::NotFound {
        format!(
            "[Errno 2] No such file or directory: {}",
            py::repr(&path.display().to_string())
        )
    } else {
        e.to_string()
    }
}

/// Splits text into lines the way Python's universal-newline reading does.
fn split_lines(text: &str) -> Vec<&str> {
    let mut lines = Vec::new();
    let mut rest = text;
    while !rest.is_empty() {
        match rest.find(['\n', '\r']) {
            Some(i) => {
                lines.push(&rest[..i]);
                let skip = if rest[i..].starts_with("\r\n") { 2 } else { 1 };
                rest = &rest[i + skip..];
            }
            None => {
                lines.push(rest);
                break;
            }
        }
    }
    lines
}

/// Running state of the line loop in one file.
struct LineState {
    current_section: Option<String>,
    comments: Vec<String>,
    cursor: headings::Cursor,
}

fn read_file(ctx: &mut Ctx<'_>, path: &Path, bytes: &[u8]) -> Result<FileResult, ConfigError> {
    let file = ctx.files.add(path.to_path_buf());
    let text = std::str::from_utf8(bytes).map_err(|e| {
        ConfigError::new(
            ErrorKind::Parse,
            format!("config file {} is not valid UTF-8: {e}", path.display()),
        )
        .at(path, None)
    })?;
    // A byte-order mark would hide the first section header from configparser.
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    ctx.stack.push(path.to_path_buf());
    let mut lines = Vec::new();
    let mut includes = Vec::new();
    let mut variants = BTreeSet::new();
    let mut docstrings = HashMap::new();
    let mut is_abstract = false;
    let mut state = LineState {
        current_section: None,
        comments: Vec::new(),
        cursor: ctx.headings.rightmost(),
    };
    for (n, line) in split_lines(text).into_iter().enumerate() {
        let loc = Loc {
            file,
            line: u32::try_from(n + 1).unwrap_or(u32::MAX),
        };
        let err = |files: &Files, msg: String| files.error(ErrorKind::Parse, loc, msg);
        let config_line = if line.starts_with("%%") {
            let d = directive::parse(line).map_err(|m| err(&ctx.files, m))?;
            state.comments.clear();
            match d {
                Directive::NoVariant { line } => (ctx.variant == "main").then_some(line),
                Directive::Variant { names, line } => {
                    let included = names.iter().any(|v| v == ctx.variant);
                    variants.extend(names);
                    included.then_some(line)
                }
                Directive::Include { path: rel } => {
                    let include = read_include(ctx, path, rel, loc)?;
                    state.cursor.level = ctx.headings.rightmost().level;
                    variants.extend(include.result.variants.iter().cloned());
                    docstrings.extend(include.result.docstrings.clone());
                    includes.push(Include {
                        after_section: state.current_section.clone(),
                        ..include
                    });
                    None
                }
                Directive::Copy { source, excluded } => {
                    let Some(target) = state.current_section.clone() else {
                        return Err(err(
                            &ctx.files,
                            "%%copy must be used inside a section: it copies settings into the \
                             section it appears in"
                                .to_owned(),
                        ));
                    };
                    ctx.copies.entry(target).or_default().push(Copy {
                        source: source.to_owned(),
                        excluded: excluded.into_iter().map(str::to_owned).collect(),
                        loc,
                    });
                    None
                }
                Directive::Abstract => {
                    is_abstract = true;
                    None
                }
            }
        } else {
            Some(line)
        };
        if let Some(config_line) = config_line {
            track_line(ctx, &mut state, &mut docstrings, config_line);
            lines.push(SrcLine {
                text: config_line.to_owned(),
                loc,
            });
        }
    }
    ctx.stack.pop();
    let parsed = ini::parse(&lines).map_err(|e| {
        ctx.files.error(
            ErrorKind::Parse,
            e.loc(),
            format!(
                "could not parse config file {}. {}",
                path.display(),
                e.message(&ctx.files)
            ),
        )
    })?;
    let vars = merge::evaluate_vars(&ctx.files, &parsed, ctx.initial_vars, &includes)?;
    let sections = merge::merge_includes(&ctx.files, &parsed, includes)?;
    variants.remove("main");
    Ok(FileResult {
        sections,
        variants,
        vars,
        docstrings,
        is_abstract,
    })
}

/// Section headers, docstrings and headings, as Pimlico tracks them line by line.
fn track_line(
    ctx: &mut Ctx<'_>,
    state: &mut LineState,
    docstrings: &mut HashMap<String, String>,
    line: &str,
) {
    if line.starts_with('[') {
        let name = py::strip_chars(line, "[] \n").to_owned();
        docstrings.insert(name.clone(), state.comments.join("\n"));
        state.comments.clear();
        ctx.headings.add_section(state.cursor, &name);
        state.current_section = Some(name);
    } else if line.starts_with('#') {
        if line.starts_with("##") {
            match ctx.headings.add_heading(state.cursor, line) {
                Some(cursor) => state.cursor = cursor,
                None => tracing::warn!(
                    "malformed section headings: jumped from section heading level {} to a \
                     deeper level: ignoring section heading '{line}'",
                    state.cursor.level
                ),
            }
        }
        let text = line
            .trim_start_matches('#')
            .trim_matches(|c| c == ' ' || c == '\n');
        state.comments.push(text.to_owned());
    } else {
        state.comments.clear();
    }
}

fn read_include(
    ctx: &mut Ctx<'_>,
    including: &Path,
    rel: &str,
    loc: Loc,
) -> Result<Include, ConfigError> {
    let dir = including.parent().unwrap_or(Path::new("/"));
    let path = normalize(&dir.join(rel));
    let err = |files: &Files, msg: String| files.error(ErrorKind::Parse, loc, msg);
    if ctx.stack.contains(&path) {
        return Err(err(
            &ctx.files,
            format!(
                "included config file '{rel}' ({}) includes itself, directly or through other \
                 included files",
                path.display()
            ),
        ));
    }
    if ctx.stack.len() >= MAX_INCLUDE_DEPTH {
        return Err(err(
            &ctx.files,
            format!("includes are nested more than {MAX_INCLUDE_DEPTH} files deep at '{rel}'"),
        ));
    }
    let bytes = std::fs::read(&path).map_err(|e| {
        err(
            &ctx.files,
            format!(
                "could not find included config file '{rel}': {}",
                io_message(&e, &path)
            ),
        )
    })?;
    let result = read_file(ctx, &path, &bytes)?;
    Ok(Include {
        path,
        result,
        after_section: None,
        loc,
    })
}

/// Lexical path normalisation, like Python's `os.path.abspath` on an absolute path.
pub(crate) fn normalize(path: &Path) -> PathBuf {
    use std::path::Component;
    let mut out = PathBuf::new();
    for c in path.components() {
        match c {
            Component::ParentDir => {
                if !out.pop() {
                    out.push("/");
                }
            }
            Component::CurDir => {}
            other => out.push(other.as_os_str()),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn universal_newlines() {
        assert_eq!(split_lines("a\r\nb\rc\n\nd"), ["a", "b", "c", "", "d"]);
        assert_eq!(split_lines("a\n"), ["a"]);
        assert!(split_lines("").is_empty());
    }

    #[test]
    fn normalizes_paths() {
        assert_eq!(
            normalize(Path::new("/a/b/../c/./d")),
            PathBuf::from("/a/c/d")
        );
        assert_eq!(normalize(Path::new("/../a")), PathBuf::from("/a"));
    }
}
