//! `alt_naming`: how an expanded module's `[...]` name is made from its alternatives.

use super::{Fail, ParamSetting};
use crate::error::ErrorKind;
use crate::py;

/// A parsed `alt_naming` value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum AltNaming {
    /// `key=name~key=name`, or just the name when one parameter varies or all names agree.
    /// `full(inputname)` (and plain `full`) drop the `input_` prefix of keys.
    Full { strip_input: bool },
    /// `pos`: the names alone, joined with `~`.
    Pos,
    /// `option(a,b)`: the names of the listed options, joined with `~`.
    Options(Vec<String>),
}

impl AltNaming {
    /// Parses the option. Plain `full` is accepted as `full(inputname)`: Pimlico rejects it
    /// by mistake (`unknown alternative naming option ''`).
    pub fn parse(raw: &str, section: &str) -> Result<Self, Fail> {
        if raw.is_empty() {
            Ok(Self::Full { strip_input: false })
        } else if let Some(extra) = raw.strip_prefix("full") {
            let extra = py::strip_chars(extra, "()");
            if extra.is_empty() {
                return Ok(Self::Full { strip_input: true });
            }
            for opt in extra.split(',') {
                if opt != "inputname" {
                    return Err((
                        ErrorKind::Structure,
                        format!("unknown alternative naming option '{opt}'"),
                    ));
                }
            }
            Ok(Self::Full { strip_input: true })
        } else if raw == "pos" {
            Ok(Self::Pos)
        } else if let Some(list) = raw.strip_prefix("option") {
            Ok(Self::Options(
                py::strip_chars(list, "()")
                    .split(',')
                    .map(|o| py::strip(o).to_owned())
                    .collect(),
            ))
        } else {
            Err((
                ErrorKind::Parse,
                format!("could not interpret alt_naming option to {section}: {raw}"),
            ))
        }
    }

    /// The alternative name of one expansion.
    pub fn name(&self, params: &[ParamSetting], section: &str) -> Result<String, Fail> {
        let named = || params.iter().filter_map(|p| p.name.as_deref());
        match self {
            Self::Options(sources) => {
                let mut parts = Vec::with_capacity(sources.len());
                for source in sources {
                    let Some(p) = params.iter().find(|p| &p.key == source) else {
                        return Err((
                            ErrorKind::Parse,
                            format!(
                                "tried to take alt name from option '{source}' for module \
                                 {section}, but that option either doesn't exist or doesn't \
                                 have alternative values"
                            ),
                        ));
                    };
                    // A tied parameter may have had its name dropped: use its value then.
                    parts.push(p.name.as_deref().unwrap_or(&p.value));
                }
                Ok(parts.join("~"))
            }
            Self::Pos => Ok(named().collect::<Vec<_>>().join("~")),
            Self::Full { strip_input } => {
                let mut names = named();
                let first = names.next();
                let all_same = names.all(|n| Some(n) == first);
                if params.len() == 1 || all_same {
                    let p = &params[0];
                    return Ok(p.name.clone().unwrap_or_else(|| p.value.clone()));
                }
                Ok(params
                    .iter()
                    .filter_map(|p| {
                        let key = match p.key.strip_prefix("input_") {
                            Some(k) if *strip_input => k,
                            _ => &p.key,
                        };
                        p.name.as_ref().map(|n| format!("{key}={n}"))
                    })
                    .collect::<Vec<_>>()
                    .join("~"))
            }
        }
    }
}
