//! `%(var)s` substitution of config values, with Pimlico's error messages.

use indexmap::IndexMap;

use crate::py::{self, percent::PercentError};

/// Pimlico's `var_substitute`: `value % vars`, or the message Pimlico would give.
pub(crate) fn var_substitute(
    value: &str,
    vars: &IndexMap<String, String>,
) -> Result<String, String> {
    py::percent_format(value, |k| vars.get(k).map(String::as_str)).map_err(|e| match e {
        PercentError::MissingKey(k) => format!(
            "error making substitutions in {value}: var {} not specified",
            py::repr(&k)
        ),
        PercentError::Format { exception, message } => {
            format!("error ({exception}) making substitutions in {value}: {message}")
        }
    })
}
