//! Which modules are being run or written by this daemon, so that two things never touch one
//! module's data at once: a second run, an upload, a pull or a delete gets 409 instead.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use crate::error::ApiError;

/// A module of a pipeline variant.
pub type ModuleKey = (String, String, String);

/// The modules in use, and by what (`running`, `receiving data`, `deleting`).
#[derive(Debug, Default, Clone)]
pub struct Busy(Arc<Mutex<HashMap<ModuleKey, &'static str>>>);

/// Marks modules busy until dropped.
#[derive(Debug)]
pub struct BusyGuard {
    busy: Busy,
    keys: Vec<ModuleKey>,
}

impl Busy {
    /// Marks every module of `modules` busy with `what`, or none of them if one already is.
    pub fn claim(
        &self,
        pipeline: &str,
        variant: &str,
        modules: &[String],
        what: &'static str,
    ) -> Result<BusyGuard, ApiError> {
        let mut map = self.0.lock().unwrap_or_else(|e| e.into_inner());
        let keys: Vec<ModuleKey> = modules
            .iter()
            .map(|m| (pipeline.to_string(), variant.to_string(), m.clone()))
            .collect();
        if let Some((key, doing)) = keys.iter().find_map(|k| map.get(k).map(|d| (k, d))) {
            return Err(ApiError::Conflict(format!(
                "module '{}' is busy on this daemon ({doing})",
                key.2
            )));
        }
        for key in &keys {
            map.insert(key.clone(), what);
        }
        Ok(BusyGuard {
            busy: self.clone(),
            keys,
        })
    }
}

impl Drop for BusyGuard {
    fn drop(&mut self) {
        let mut map = self.busy.0.lock().unwrap_or_else(|e| e.into_inner());
        for key in &self.keys {
            map.remove(key);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_module_is_claimed_once_at_a_time() {
        let busy = Busy::default();
        let modules = vec!["a".to_string(), "b".to_string()];
        let guard = busy.claim("p", "main", &modules, "running").unwrap();
        assert!(
            busy.claim("p", "main", &["b".into()], "receiving data")
                .is_err()
        );
        assert!(
            busy.claim("p", "other", &["b".into()], "receiving data")
                .is_ok()
        );
        drop(guard);
        assert!(
            busy.claim("p", "main", &["b".into()], "receiving data")
                .is_ok()
        );
    }
}
