//! The files an input reader reads (`files` with globs, directories, optional `?` entries and
//! line ranges, `exclude`), and reading them as text as Python's `open(..., encoding=...)`
//! does, with universal newlines.

use std::path::{Path, PathBuf};

use pimlico_config::OptionType;
use serde_json::{Value, json};

use crate::error::{Error, Result};
use crate::util::fnmatch::fnmatch;
use crate::util::options::{self, Options};

/// The `files` option: comma-separated paths, each optionally ending in a line range
/// `:X-Y` (1-based, either end may be left out). Values are `[path, start, end]`, with 0 and
/// -1 for open ends, as the original's `filename_with_range`.
pub(super) fn files_option_type() -> OptionType {
    OptionType::Custom {
        name: "comma-separated list of (line range-limited) file paths",
        parse: parse_files,
    }
}

fn parse_files(raw: &str) -> Result<Value, String> {
    if crate::formats::pystr::strip(raw).is_empty() {
        return Ok(json!([]));
    }
    raw.split(',')
        .map(|item| parse_path(crate::formats::pystr::strip(item)))
        .collect::<Result<Vec<Value>, String>>()
        .map(Value::Array)
}

fn parse_path(val: &str) -> Result<Value, String> {
    let Some((path, range)) = val.rsplit_once(':') else {
        return Ok(json!([val, 0, -1]));
    };
    let invalid = || format!("invalid line range specifier '{range}' in file path");
    let (start, end) = range.split_once('-').ok_or_else(invalid)?;
    let num = |s: &str, empty: i64| -> Result<i64, String> {
        if s.is_empty() {
            Ok(empty)
        } else {
            s.trim().parse().map_err(|_| invalid())
        }
    };
    Ok(json!([path, num(start, 0)?, num(end, -1)?]))
}

/// One file to read: its document name (`None`: from the file name) and line range.
pub(super) struct FileSpec {
    pub doc_name: Option<String>,
    pub path: PathBuf,
    pub start: i64,
    pub end: i64,
}

fn entries(opts: &Options) -> Vec<(String, i64, i64)> {
    let Some(Value::Array(items)) = opts.get("files") else {
        return Vec::new();
    };
    items
        .iter()
        .filter_map(|item| {
            let path = item.get(0)?.as_str()?.to_string();
            Some((path, item.get(1)?.as_i64()?, item.get(2)?.as_i64()?))
        })
        .collect()
}

fn excluded(path: &Path, excludes: &[String]) -> bool {
    let path = path.to_string_lossy();
    excludes.iter().any(|pattern| {
        fnmatch(&path, pattern)
            || (!pattern.starts_with('/')
                && path.ends_with(pattern.as_str())
                && (path.len() == pattern.len()
                    || path[..path.len() - pattern.len()].ends_with('/')))
    })
}

/// Python's `glob.glob(pattern)`, keeping regular files, sorted.
fn glob_files(pattern: &str) -> Vec<PathBuf> {
    let options = glob::MatchOptions {
        case_sensitive: true,
        require_literal_separator: true,
        require_literal_leading_dot: true,
    };
    let mut found: Vec<PathBuf> = match glob::glob_with(pattern, options) {
        Ok(paths) => paths.filter_map(std::result::Result::ok).collect(),
        Err(_) => vec![PathBuf::from(pattern)],
    };
    found.retain(|p| p.is_file());
    found.sort_by(|a, b| {
        a.as_os_str()
            .as_encoded_bytes()
            .cmp(b.as_os_str().as_encoded_bytes())
    });
    found
}

/// The files below a directory with their paths relative to it, files before subdirectories,
/// each in name order.
fn walk(dir: &Path, base: &Path, out: &mut Vec<(String, PathBuf)>) -> Result<()> {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(|e| Error::msg(format!("could not list {}: {e}", dir.display())))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .collect();
    entries.sort();
    let (dirs, files): (Vec<PathBuf>, Vec<PathBuf>) = entries.into_iter().partition(|p| p.is_dir());
    for file in files {
        let rel = file.strip_prefix(base).unwrap_or(&file);
        out.push((rel.to_string_lossy().into_owned(), file));
    }
    for sub in dirs {
        walk(&sub, base, out)?;
    }
    Ok(())
}

/// Every file the options name, in order, after exclusions. With `strict`, a path or glob that
/// matches nothing (and is not optional) is an error.
pub(super) fn file_specs(opts: &Options, strict: bool) -> Result<Vec<FileSpec>> {
    let excludes = options::list(opts, "exclude").unwrap_or_default();
    let mut specs = Vec::new();
    for (entry, start, end) in entries(opts) {
        let (optional, pattern) = match entry.strip_prefix('?') {
            Some(rest) => (true, rest.to_string()),
            None => (false, entry.clone()),
        };
        let dir = Path::new(&pattern);
        let found: Vec<(Option<String>, PathBuf)> = if dir.is_dir() {
            let mut files = Vec::new();
            walk(dir, dir, &mut files)?;
            if strict && files.is_empty() {
                return Err(Error::msg(format!(
                    "path '{pattern}' is a directory, but it doesn't contain any files"
                )));
            }
            files.into_iter().map(|(n, p)| (Some(n), p)).collect()
        } else {
            let files = glob_files(&pattern);
            if strict && files.is_empty() && !optional {
                return Err(Error::msg(format!(
                    "path '{pattern}' does not exist, or is a glob that matches nothing"
                )));
            }
            files.into_iter().map(|p| (None, p)).collect()
        };
        for (doc_name, path) in found {
            if !excluded(&path, &excludes) {
                specs.push(FileSpec {
                    doc_name,
                    path,
                    start,
                    end,
                });
            }
        }
    }
    Ok(specs)
}

/// `source_ready` of the readers: their files are there.
pub(super) fn source_ready(
    module: &pimlico_config::ModuleConfig,
) -> std::result::Result<(), String> {
    data_ready(&module.options)
}

/// Whether the input data is there: every non-optional path or glob matches a file (not
/// excluded) or is a directory with files, and there is at least one.
fn data_ready(opts: &Options) -> std::result::Result<(), String> {
    let excludes = options::list(opts, "exclude").unwrap_or_default();
    let mut got_something = false;
    for (entry, _, _) in entries(opts) {
        if entry.starts_with('?') {
            continue;
        }
        let dir = Path::new(&entry);
        if dir.is_dir() {
            let mut files = Vec::new();
            walk(dir, dir, &mut files).map_err(|e| e.to_string())?;
            if files.is_empty() {
                return Err(format!("directory '{entry}' contains no files"));
            }
        } else if !glob_files(&entry).iter().any(|p| !excluded(p, &excludes)) {
            return Err(format!("'{entry}' does not exist or matches no file"));
        }
        got_something = true;
    }
    if got_something {
        Ok(())
    } else {
        Err("no input files are required, so none are known to exist".into())
    }
}

/// Document names: a given one, else the file name, made unique as the original does
/// (`a.txt`, `a-0.txt`, then `a-0-1.txt`: each retry renames the previous attempt).
pub(super) fn doc_names(specs: &[FileSpec]) -> Vec<String> {
    let mut used = std::collections::HashSet::new();
    specs
        .iter()
        .map(|spec| {
            if let Some(name) = &spec.doc_name {
                return name.clone();
            }
            let mut name = spec
                .path
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            let mut id = 0;
            while used.contains(&name) {
                let (base, ext) = splitext(&name);
                name = format!("{base}-{id}{ext}");
                id += 1;
            }
            used.insert(name.clone());
            name
        })
        .collect()
}

/// Python's `os.path.splitext` of a file name.
fn splitext(name: &str) -> (&str, &str) {
    let stem_start = name.len() - name.trim_start_matches('.').len();
    match name[stem_start..].rfind('.') {
        Some(i) => name.split_at(stem_start + i),
        None => (name, ""),
    }
}

/// Reads a file as text: decoded with `encoding` and `errors` (`strict`, `ignore`, `replace`),
/// `\r\n` and `\r` turned into `\n`, cut to its line range.
pub(super) fn read_text(spec: &FileSpec, encoding: &str, errors: &str) -> Result<String> {
    let bytes = std::fs::read(&spec.path)
        .map_err(|e| Error::msg(format!("could not read {}: {e}", spec.path.display())))?;
    let text = decode(&bytes, encoding, errors)
        .map_err(|e| Error::msg(format!("{}: {e}", spec.path.display())))?;
    let text = text.replace("\r\n", "\n").replace('\r', "\n");
    if spec.start == 0 && spec.end == -1 {
        return Ok(text);
    }
    let lines: Vec<&str> = text.split('\n').collect();
    let start = (if spec.start != 0 { spec.start - 1 } else { 0 }).max(0) as usize;
    let end = if spec.end == -1 {
        lines.len()
    } else {
        (spec.end.max(0) as usize).min(lines.len())
    };
    Ok(lines
        .get(start.min(end)..end)
        .unwrap_or_default()
        .join("\n"))
}

/// Decodes bytes in one of the encodings supported here.
pub(super) fn decode(bytes: &[u8], encoding: &str, errors: &str) -> Result<String, String> {
    let enc = encoding.to_ascii_lowercase().replace('_', "-");
    match enc.as_str() {
        "utf8" | "utf-8" | "u8" | "utf" => decode_utf8(bytes, errors),
        "latin1" | "latin-1" | "iso-8859-1" | "iso8859-1" | "l1" | "8859" => {
            Ok(bytes.iter().map(|&b| char::from(b)).collect())
        }
        "ascii" | "us-ascii" => {
            let mut out = String::with_capacity(bytes.len());
            for (i, &b) in bytes.iter().enumerate() {
                match (b.is_ascii(), errors) {
                    (true, _) => out.push(char::from(b)),
                    (false, "ignore") => {}
                    (false, "replace") => out.push('\u{fffd}'),
                    (false, _) => {
                        return Err(format!(
                            "'ascii' codec can't decode byte {b:#04x} in position {i}: ordinal \
                             not in range(128)"
                        ));
                    }
                }
            }
            Ok(out)
        }
        _ => Err(format!(
            "encoding '{encoding}' is not supported here: use utf-8, latin-1 or ascii"
        )),
    }
}

fn decode_utf8(bytes: &[u8], errors: &str) -> Result<String, String> {
    let mut out = String::with_capacity(bytes.len());
    let mut pos = 0;
    for chunk in bytes.utf8_chunks() {
        out.push_str(chunk.valid());
        pos += chunk.valid().len();
        if !chunk.invalid().is_empty() {
            match errors {
                "ignore" => {}
                "replace" => out.push('\u{fffd}'),
                _ => {
                    return Err(format!(
                        "'utf-8' codec can't decode byte {:#04x} in position {pos}: invalid \
                         utf-8 data",
                        chunk.invalid()[0]
                    ));
                }
            }
            pos += chunk.invalid().len();
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_with_line_ranges() {
        assert_eq!(
            parse_files("/a/b.txt").unwrap(),
            json!([["/a/b.txt", 0, -1]])
        );
        assert_eq!(
            parse_files(" /a:3-, /b:-5 ,/c:2-4").unwrap(),
            json!([["/a", 3, -1], ["/b", 0, 5], ["/c", 2, 4]])
        );
        assert!(parse_files("/a:x").is_err());
        assert_eq!(parse_files("  ").unwrap(), json!([]));
    }

    #[test]
    fn names_are_made_unique_as_the_original() {
        let spec = |p: &str| FileSpec {
            doc_name: None,
            path: PathBuf::from(p),
            start: 0,
            end: -1,
        };
        let specs = [
            spec("/x/a.txt"),
            spec("/y/a.txt"),
            spec("/z/a.txt"),
            spec("/w/.b"),
        ];
        assert_eq!(doc_names(&specs), ["a.txt", "a-0.txt", "a-0-1.txt", ".b"]);
    }

    #[test]
    fn decoding_follows_python_error_modes() {
        assert_eq!(decode(b"a\xffb", "utf8", "replace").unwrap(), "a\u{fffd}b");
        assert_eq!(decode(b"a\xffb", "utf8", "ignore").unwrap(), "ab");
        assert!(decode(b"a\xffb", "utf8", "strict").is_err());
        assert_eq!(decode(b"\xe9", "latin-1", "strict").unwrap(), "é");
        assert!(decode(b"x", "cp1252", "strict").is_err());
    }
}
