//! `dump_metadata.json`, the first member of every dump. The original writes it with Python's
//! `json.dumps(..., indent=4)`; we write the same bytes, so a dump made by either tool looks the
//! same to both.

use serde::{Deserialize, Serialize};

use super::error::{ArchiveError, Result};

/// Name of the metadata member, always the first member of a dump.
pub const METADATA_MEMBER: &str = "dump_metadata.json";

/// Largest `dump_metadata.json` we read. The real one is about 200 bytes; the limit only stops a
/// hostile archive from making us buffer a huge member.
pub(crate) const MAX_METADATA_BYTES: u64 = 64 * 1024;

/// The contents of `dump_metadata.json`. Field order is the original's key order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DumpMetadata {
    /// Name of the pipeline the module belongs to; `load` refuses other pipelines.
    pub pipeline_name: String,
    /// Full (expanded) module name, also the top directory of the archive.
    pub module_name: String,
    /// Local time of the dump, `YYYY-MM-DD HH:MM:SS`. Informational only.
    #[serde(default)]
    pub dumped: String,
    /// Host the dump was made on. Informational only.
    #[serde(default)]
    pub hostname: String,
    /// Pipeline variant; dumps from before variants existed have none, which means `main`.
    #[serde(default = "main_variant")]
    pub variant: String,
}

fn main_variant() -> String {
    "main".to_owned()
}

impl DumpMetadata {
    /// Metadata for a dump made now on this host.
    pub fn now(pipeline_name: &str, module_name: &str, variant: &str) -> Self {
        DumpMetadata {
            pipeline_name: pipeline_name.to_owned(),
            module_name: module_name.to_owned(),
            dumped: chrono::Local::now().format("%Y-%m-%d %H:%M:%S").to_string(),
            hostname: hostname::get()
                .map(|h| h.to_string_lossy().into_owned())
                .unwrap_or_default(),
            variant: variant.to_owned(),
        }
    }

    /// The JSON text exactly as Python's `json.dumps(obj, indent=4)` writes it: four-space
    /// indent, `": "` and `","` separators, non-ASCII escaped as `\uXXXX`, no final newline.
    pub fn to_json(&self) -> String {
        let fields = [
            ("pipeline_name", &self.pipeline_name),
            ("module_name", &self.module_name),
            ("dumped", &self.dumped),
            ("hostname", &self.hostname),
            ("variant", &self.variant),
        ];
        let body: Vec<String> = fields
            .iter()
            .map(|(key, value)| {
                let mut line = format!("    \"{key}\": ");
                crate::pyjson::write_str(value, &mut line);
                line
            })
            .collect();
        format!("{{\n{}\n}}", body.join(",\n"))
    }

    /// Parses the member's bytes. Unknown keys are ignored; `variant` defaults to `main`.
    pub fn from_json(bytes: &[u8]) -> Result<Self> {
        let meta: DumpMetadata =
            serde_json::from_slice(bytes).map_err(|e| ArchiveError::BadMetadata(e.to_string()))?;
        Ok(meta)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_matches_python_json_dumps_indent_4() {
        let meta = DumpMetadata {
            pipeline_name: "runp".into(),
            module_name: "store1".into(),
            dumped: "2026-11-25 18:13:32".into(),
            hostname: "vm".into(),
            variant: "main".into(),
        };
        assert_eq!(
            meta.to_json(),
            "{\n    \"pipeline_name\": \"runp\",\n    \"module_name\": \"store1\",\n    \
             \"dumped\": \"2026-11-25 18:13:32\",\n    \"hostname\": \"vm\",\n    \
             \"variant\": \"main\"\n}"
        );
    }

    #[test]
    fn non_ascii_and_controls_are_escaped_like_python() {
        let meta = DumpMetadata {
            hostname: "é\u{1F600}\"\\\n\u{1}\u{7f}".into(),
            ..DumpMetadata::from_json(
                br#"{"pipeline_name": "p", "module_name": "m", "dumped": "d", "hostname": "h"}"#,
            )
            .unwrap()
        };
        let json = meta.to_json();
        assert!(
            json.contains(r#"    "hostname": "\u00e9\ud83d\ude00\"\\\n\u0001\u007f","#),
            "{json}"
        );
    }

    #[test]
    fn missing_variant_means_main_and_extra_keys_are_ignored() {
        let meta =
            DumpMetadata::from_json(br#"{"pipeline_name": "p", "module_name": "m", "x": 1}"#)
                .unwrap();
        assert_eq!(meta.variant, "main");
        assert!(DumpMetadata::from_json(br#"{"module_name": "m"}"#).is_err());
    }
}
