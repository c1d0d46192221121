//! Archive limits for what the daemon receives (uploads and pulls): the archive layer's
//! defaults, then the served pipeline's local config, then `pimlicod.toml`, each overriding the
//! one before. The local config is read with each request, like the rest of the pipeline.

use pimlico_core::archive::{
    ExtractLimits, KEY_MAX_BYTES, KEY_MAX_ENTRIES, KEY_MAX_FILE_BYTES, LimitSettingError,
};
use serde::Deserialize;

use crate::error::ApiError;
use crate::pipelines::Loaded;
use crate::state::AppState;

/// A limit in `pimlicod.toml`: a number (`archive_max_entries = 100000`) or text with a
/// suffix (`archive_max_bytes = "500G"`, `"unlimited"`).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(untagged)]
pub enum LimitValue {
    /// A plain number.
    Number(u64),
    /// A number with a K, M, G or T suffix, or `unlimited`.
    Text(String),
}

/// The three limit settings of `pimlicod.toml`, as given.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ArchiveLimitSettings {
    /// Total bytes of file data in one archive.
    pub archive_max_bytes: Option<LimitValue>,
    /// Bytes of one file.
    pub archive_max_file_bytes: Option<LimitValue>,
    /// Files and directories in one archive.
    pub archive_max_entries: Option<LimitValue>,
}

impl ArchiveLimitSettings {
    fn get(&self, key: &str) -> Option<String> {
        let value = match key {
            KEY_MAX_BYTES => &self.archive_max_bytes,
            KEY_MAX_FILE_BYTES => &self.archive_max_file_bytes,
            KEY_MAX_ENTRIES => &self.archive_max_entries,
            _ => &None,
        };
        value.as_ref().map(|v| match v {
            LimitValue::Number(n) => n.to_string(),
            LimitValue::Text(t) => t.clone(),
        })
    }

    /// `base` with these settings applied.
    pub fn apply(&self, base: ExtractLimits) -> Result<ExtractLimits, LimitSettingError> {
        let values: Vec<(&str, String)> = [KEY_MAX_BYTES, KEY_MAX_FILE_BYTES, KEY_MAX_ENTRIES]
            .into_iter()
            .filter_map(|key| self.get(key).map(|v| (key, v)))
            .collect();
        base.with_settings(|key| {
            values
                .iter()
                .find(|(k, _)| *k == key)
                .map(|(_, v)| v.as_str())
        })
    }
}

impl AppState {
    /// The limits for an archive received into `loaded`'s stores.
    pub fn extract_limits(&self, loaded: &Loaded) -> Result<ExtractLimits, ApiError> {
        let local = &loaded.pipeline.local.values;
        let limits = ExtractLimits::default()
            .with_settings(|key| local.get(key).map(String::as_str))
            .and_then(|limits| self.archive_limits().apply(limits))
            .map_err(|e| ApiError::internal("reading the archive limits", e))?;
        Ok(limits)
    }
}
