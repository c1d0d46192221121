//! Parsing of `%%` directive lines.

use crate::py;

/// A parsed directive line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Directive<'a> {
    /// `%%variant:a,b LINE`, `%%(a) LINE`: include LINE only for the listed variants.
    Variant { names: Vec<String>, line: &'a str },
    /// `%%novariant LINE`: include LINE only for `main`.
    NoVariant { line: &'a str },
    /// `%%include PATH`.
    Include { path: &'a str },
    /// `%%copy SECTION [EXCLUDED ...]`.
    Copy {
        source: &'a str,
        excluded: Vec<&'a str>,
    },
    /// `%%abstract`.
    Abstract,
}

/// Parses a line starting with `%%`, or says why it is not a valid directive.
pub(crate) fn parse(line: &str) -> Result<Directive<'_>, String> {
    let body = &line[2..];
    if body.starts_with('(') {
        // The bracket form needs ") " before the line it applies to.
        let Some(close) = line.find(") ") else {
            return Err(format!(
                "unmatched bracket in bracket notation for variant directive: expected \
                 '%%(<variant>) <line>', got: {line}"
            ));
        };
        let names = py::strip(&line[3..close]);
        return Ok(Directive::Variant {
            names: names.split(',').map(str::to_owned).collect(),
            line: &line[close + 2..],
        });
    }
    let after = py::lstrip(body);
    let name_end = after.find(py::is_space).unwrap_or(after.len());
    let name = &after[..name_end];
    if name.is_empty() {
        return Err(if body.is_empty() {
            "empty directive '%%': expected a directive name such as '%%include'".to_owned()
        } else {
            format!("invalid directive line: {line}")
        });
    }
    // Exactly one whitespace character ends the name; the rest is kept as written.
    let rest = after[name_end..]
        .chars()
        .next()
        .map_or("", |c| &after[name_end + c.len_utf8()..]);
    let lower = name.to_lowercase();
    if lower == "novariant" {
        Ok(Directive::NoVariant { line: rest })
    } else if let Some(names) = lower.strip_prefix("variant:") {
        // Pimlico lower-cases the whole directive, so these names come out lower case.
        Ok(Directive::Variant {
            names: py::strip(names).split(',').map(str::to_owned).collect(),
            line: rest,
        })
    } else if lower.starts_with("variant") {
        Err("variant directive must specify a variant name, as 'variant:<name>'".to_owned())
    } else if lower == "include" {
        Ok(Directive::Include {
            path: rest.trim_matches(|c| c == '\n' || c == ' '),
        })
    } else if lower == "copy" {
        let (source, excluded) = py::split_once_or_all(rest, " ");
        Ok(Directive::Copy {
            source,
            excluded: excluded
                .split(py::is_space)
                .filter(|s| !s.is_empty())
                .collect(),
        })
    } else if lower == "abstract" {
        Ok(Directive::Abstract)
    } else {
        Err(format!("unknown directive '{lower}' used in config file"))
    }
}
