//! The special variables available in every value: `project_root`, `pimlico_root`,
//! `output_dir`, `home` and `test_data_dir`.
//!
//! There is no Pimlico checkout here, so each can be set by the local-config key of the same
//! name; otherwise `project_root` is the top-level config file's directory, `pimlico_root` is
//! `project_root`, `output_dir` is `<project_root>/output`, `test_data_dir` is
//! `<pimlico_root>/test/data` and `home` is the home directory.

use std::path::Path;

use indexmap::IndexMap;

use crate::model::LocalConfig;

/// The special variables, in Pimlico's order.
pub(crate) fn special_vars(config_file: &Path, local: &LocalConfig) -> IndexMap<String, String> {
    let get = |key: &str| local.values.get(key).cloned();
    let config_dir = config_file
        .parent()
        .map(|p| p.display().to_string())
        .unwrap_or_default();
    let project_root = get("project_root").unwrap_or(config_dir);
    let pimlico_root = get("pimlico_root").unwrap_or_else(|| project_root.clone());
    let output_dir = get("output_dir").unwrap_or_else(|| format!("{project_root}/output"));
    let home = get("home").unwrap_or_else(|| {
        std::env::var_os("HOME")
            .map(|h| h.to_string_lossy().into_owned())
            .unwrap_or_default()
    });
    let test_data_dir = get("test_data_dir").unwrap_or_else(|| format!("{pimlico_root}/test/data"));
    [
        ("project_root", project_root),
        ("pimlico_root", pimlico_root),
        ("output_dir", output_dir),
        ("home", home),
        ("test_data_dir", test_data_dir),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v))
    .collect()
}
