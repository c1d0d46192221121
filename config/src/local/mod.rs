//! The local config: `~/.pimlico`, host-specific files, `--local-config` and `-l` overrides.
//!
//! Files have no section header (Pimlico reads them as `[main]`) and use configparser's
//! `%(key)s` interpolation. Among host-specific files, the most specific match is used: the
//! exact `~/.pimlico_<host>` first, then the `~/.pimlico_<prefix>-` with the longest matching
//! prefix (Pimlico took whichever the directory listing happened to show first).

mod interpolate;

use std::path::{Path, PathBuf};

use indexmap::IndexMap;

use crate::error::{ConfigError, ErrorKind};
use crate::ini::{self, SrcLine};
use crate::loc::{Files, Loc};
use crate::model::{LocalConfig, StoreRoot};
use crate::preprocess::normalize;

/// Where to look for the local config and what to override.
#[derive(Debug, Clone, Default)]
pub struct LocalConfigRequest {
    /// `--local-config FILE`: use only this file.
    pub file: Option<PathBuf>,
    /// `-l key=value` overrides, in order.
    pub overrides: Vec<(String, String)>,
    /// Home directory to search (defaults to `$HOME`).
    pub home: Option<PathBuf>,
    /// Host name to match host-specific files against (defaults to the machine's).
    pub hostname: Option<String>,
}

fn local_error(message: impl Into<String>) -> ConfigError {
    ConfigError::new(ErrorKind::LocalConfig, message)
}

fn absolute(path: &Path) -> PathBuf {
    std::path::absolute(path)
        .map(|p| normalize(&p))
        .unwrap_or_else(|_| path.to_path_buf())
}

/// Reads and merges the local config.
pub fn load_local_config(request: &LocalConfigRequest) -> Result<LocalConfig, ConfigError> {
    let files = match &request.file {
        Some(file) => vec![absolute(file)],
        None => find_files(request)?,
    };
    let mut values = IndexMap::new();
    for file in &files {
        values.extend(read_file(file)?);
    }
    for (key, value) in &request.overrides {
        values.insert(key.clone(), value.clone());
    }
    convert_deprecated(&mut values);
    let mut stores = Vec::new();
    if let Some(root) = values.get("store") {
        stores.push(StoreRoot {
            name: "default".to_owned(),
            root: absolute(Path::new(root)),
        });
    }
    for (key, root) in &values {
        if let Some(name) = key.strip_prefix("store_") {
            stores.push(StoreRoot {
                name: name.to_owned(),
                root: absolute(Path::new(root)),
            });
        }
    }
    if stores.is_empty() {
        let mut err = local_error(
            "no storage location was found in local config. You should specify at least one, \
             either as a default 'store' parameter, or a named storage location 'store_<name>'",
        );
        if let Some(last) = files.last() {
            err = err.at(last, None);
        }
        return Err(err);
    }
    Ok(LocalConfig {
        values,
        stores,
        files,
    })
}

/// `~/.pimlico` and the most specific host file.
fn find_files(request: &LocalConfigRequest) -> Result<Vec<PathBuf>, ConfigError> {
    let home = request
        .home
        .clone()
        .or_else(|| std::env::var_os("HOME").map(PathBuf::from))
        .ok_or_else(|| {
            local_error(
                "cannot look for ~/.pimlico: the home directory is not known (HOME is not set); \
                 use --local-config to name a local config file",
            )
        })?;
    let basic = home.join(".pimlico");
    let mut files = Vec::new();
    if basic.exists() {
        files.push(absolute(&basic));
    }
    let hostname = request.hostname.clone().unwrap_or_else(|| {
        hostname::get()
            .map(|h| h.to_string_lossy().into_owned())
            .unwrap_or_default()
    });
    if let Some(host_file) = host_file(&home, &hostname) {
        files.push(absolute(&host_file));
    }
    if files.is_empty() {
        return Err(local_error(format!(
            "basic Pimlico local config file does not exist and no other local config files are \
             available in the current context. Looked for basic config in {}",
            basic.display()
        )));
    }
    Ok(files)
}

/// The host-specific file for `hostname`: `.pimlico_<host>`, else the longest matching
/// `.pimlico_<prefix>-`.
fn host_file(home: &Path, hostname: &str) -> Option<PathBuf> {
    if hostname.is_empty() {
        return None;
    }
    let mut best: Option<(usize, PathBuf)> = None;
    for entry in std::fs::read_dir(home).ok()?.flatten() {
        let name = entry.file_name();
        let Some(suffix) = name.to_str().and_then(|n| n.strip_prefix(".pimlico_")) else {
            continue;
        };
        let specificity = if suffix == hostname {
            usize::MAX
        } else {
            match suffix.strip_suffix('-') {
                Some(prefix) if hostname.starts_with(prefix) => prefix.len(),
                _ => continue,
            }
        };
        if best.as_ref().is_none_or(|(s, _)| specificity > *s) {
            best = Some((specificity, entry.path()));
        }
    }
    best.map(|(_, path)| path)
}

/// One local config file: its values, interpolated, with relative store paths made absolute
/// against the file's directory.
fn read_file(path: &Path) -> Result<IndexMap<String, String>, ConfigError> {
    let bytes = std::fs::read(path).map_err(|e| {
        local_error(format!(
            "could not read local config file {}: {e}",
            path.display()
        ))
        .at(path, None)
    })?;
    let text = String::from_utf8(bytes).map_err(|e| {
        local_error(format!(
            "local config file {} is not valid UTF-8: {e}",
            path.display()
        ))
        .at(path, None)
    })?;
    let mut files = Files::default();
    let file = files.add(path.to_path_buf());
    let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
    let mut lines = vec![SrcLine {
        text: "[main]".to_owned(),
        loc: Loc { file, line: 0 },
    }];
    let mut rest = text;
    let mut n = 0u32;
    while !rest.is_empty() {
        n += 1;
        let end = rest.find(['\n', '\r']).unwrap_or(rest.len());
        lines.push(SrcLine {
            text: rest[..end].to_owned(),
            loc: Loc { file, line: n },
        });
        let skip = if rest[end..].starts_with("\r\n") {
            2
        } else {
            usize::from(end < rest.len())
        };
        rest = &rest[end + skip..];
    }
    let parsed = ini::parse(&lines).map_err(|e| {
        files.error(
            ErrorKind::LocalConfig,
            e.loc(),
            format!(
                "could not parse local config file {}: {}",
                path.display(),
                e.message(&files)
            ),
        )
    })?;
    let items = parsed.items("main");
    let dir = path.parent().unwrap_or(Path::new("/"));
    let mut values = IndexMap::with_capacity(items.len());
    for (key, entry) in &items {
        let mut value = interpolate::interpolate(key, &items)
            .map_err(|m| files.error(ErrorKind::LocalConfig, entry.loc, m))?;
        let is_store = matches!(
            key.as_str(),
            "store" | "short_term_store" | "long_term_store"
        ) || key.starts_with("store_");
        if is_store && !Path::new(&value).is_absolute() {
            value = normalize(&dir.join(&value)).display().to_string();
        }
        values.insert(key.clone(), value);
    }
    Ok(values)
}

/// The deprecated `short_term_store` and `long_term_store` keys become `store_short` (first,
/// unless other stores are given) and `store_long`.
///
/// Pimlico wrote `storage_short` instead when other stores were given, losing the store; here
/// it becomes `store_short` after them.
fn convert_deprecated(values: &mut IndexMap<String, String>) {
    if values.contains_key("short_term_store") || values.contains_key("long_term_store") {
        tracing::warn!(
            "Local config used deprecated 'short_term_store'/'long_term_store' parameters. \
             Converting to new named storage system. You should update your local config"
        );
    }
    if let Some(short) = values.shift_remove("short_term_store") {
        if values.keys().any(|k| k.starts_with("store")) {
            values.insert("store_short".to_owned(), short);
        } else {
            values.shift_insert(0, "store_short".to_owned(), short);
        }
    }
    if let Some(long) = values.shift_remove("long_term_store") {
        values.insert("store_long".to_owned(), long);
    }
}
