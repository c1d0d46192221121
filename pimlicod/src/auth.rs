//! Authentication: the daemon's full bearer token, and scoped tokens it mints for pulls.
//!
//! A scoped token lets its holder read the data and definitions of some modules of one
//! pipeline variant until it expires, and nothing else. It is verified without storage: it
//! carries its scope and expiry, and a keyed BLAKE3 MAC over both under a secret that only
//! this daemon process knows (fresh at every start, so a restart revokes every scoped token).
//!
//! Format: `pimlico-scoped.v1.<hex of the scope as JSON>.<hex MAC>`.

use std::time::{SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Serialize};

use crate::error::ApiError;

const SCOPED_PREFIX: &str = "pimlico-scoped.v1.";
/// Separates the MAC input of scoped tokens from any other use of the secret.
const MAC_CONTEXT: &[u8] = b"pimlicod scoped token v1\0";
/// Longest lifetime of a scoped token.
pub const MAX_TTL_SECS: u64 = 24 * 3600;
/// Lifetime of a scoped token when none is asked for.
pub const DEFAULT_TTL_SECS: u64 = 3600;

/// What a scoped token allows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Scope {
    /// Pipeline name.
    pub pipeline: String,
    /// Variant.
    pub variant: String,
    /// Modules whose data and definition may be read.
    pub modules: Vec<String>,
    /// Expiry, seconds since the Unix epoch.
    pub expires_at: u64,
}

/// What the bearer of a request may do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Access {
    /// Everything (the full token, or a daemon without authentication).
    Full,
    /// Reading the modules of a scope.
    Scoped(Scope),
}

impl Access {
    /// Allows only the full token.
    pub fn require_full(&self) -> Result<(), ApiError> {
        match self {
            Self::Full => Ok(()),
            Self::Scoped(_) => Err(ApiError::Forbidden(
                "this token is scoped to reading module data; the request needs the daemon's \
                 token"
                    .into(),
            )),
        }
    }

    /// Allows the full token, and scoped tokens whose scope holds this module.
    pub fn require_read(
        &self,
        pipeline: &str,
        variant: &str,
        module: &str,
    ) -> Result<(), ApiError> {
        match self {
            Self::Full => Ok(()),
            Self::Scoped(s)
                if s.pipeline == pipeline
                    && s.variant == variant
                    && s.modules.iter().any(|m| m == module) =>
            {
                Ok(())
            }
            Self::Scoped(s) => Err(ApiError::Forbidden(format!(
                "this token only allows reading modules {:?} of pipeline '{}' variant '{}'",
                s.modules, s.pipeline, s.variant
            ))),
        }
    }
}

/// The daemon's authentication settings and scoped-token secret.
pub struct Auth {
    /// Hash of the full token; `None` when authentication is off.
    full: Option<blake3::Hash>,
    secret: [u8; 32],
}

impl std::fmt::Debug for Auth {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Auth")
            .field("enabled", &self.full.is_some())
            .finish_non_exhaustive()
    }
}

impl Auth {
    /// Authentication with `token` (or none), and a fresh random secret for scoped tokens.
    pub fn new(token: Option<&str>) -> Self {
        Self::with_secret(token, rand::random())
    }

    /// Authentication with a known secret (tests mint tokens, for example expired ones).
    pub fn with_secret(token: Option<&str>, secret: [u8; 32]) -> Self {
        Self {
            full: token.map(|t| blake3::hash(t.as_bytes())),
            secret,
        }
    }

    /// Whether requests need a token.
    pub fn enabled(&self) -> bool {
        self.full.is_some()
    }

    /// Checks an `Authorization` header value.
    pub fn check(&self, header: Option<&str>, now: u64) -> Result<Access, ApiError> {
        let Some(full) = &self.full else {
            return Ok(Access::Full);
        };
        let token = header
            .and_then(|h| h.strip_prefix("Bearer "))
            .map(str::trim)
            .ok_or_else(|| {
                ApiError::Unauthorized("a token is required: Authorization: Bearer <token>".into())
            })?;
        if let Some(rest) = token.strip_prefix(SCOPED_PREFIX) {
            return self.check_scoped(rest, now).map(Access::Scoped);
        }
        // Hashes compare in constant time, so the comparison leaks nothing about the token.
        if blake3::hash(token.as_bytes()) == *full {
            Ok(Access::Full)
        } else {
            Err(ApiError::Unauthorized("wrong token".into()))
        }
    }

    /// Mints a scoped token.
    pub fn mint(&self, scope: &Scope) -> String {
        let payload = serde_json::to_vec(scope).expect("a scope serialises");
        format!(
            "{SCOPED_PREFIX}{}.{}",
            hex(&payload),
            self.mac(&payload).to_hex()
        )
    }

    fn mac(&self, payload: &[u8]) -> blake3::Hash {
        let mut hasher = blake3::Hasher::new_keyed(&self.secret);
        hasher.update(MAC_CONTEXT);
        hasher.update(payload);
        hasher.finalize()
    }

    fn check_scoped(&self, rest: &str, now: u64) -> Result<Scope, ApiError> {
        let invalid = || ApiError::Unauthorized("invalid scoped token".into());
        let (payload_hex, mac_hex) = rest.split_once('.').ok_or_else(invalid)?;
        let payload = unhex(payload_hex).ok_or_else(invalid)?;
        let mac = blake3::Hash::from_hex(mac_hex).map_err(|_| invalid())?;
        if self.mac(&payload) != mac {
            return Err(invalid());
        }
        let scope: Scope = serde_json::from_slice(&payload).map_err(|_| invalid())?;
        if scope.expires_at <= now {
            return Err(ApiError::Unauthorized(
                "the scoped token has expired".into(),
            ));
        }
        Ok(scope)
    }
}

/// Seconds since the Unix epoch.
pub fn now_secs() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn unhex(text: &str) -> Option<Vec<u8>> {
    if !text.len().is_multiple_of(2) {
        return None;
    }
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(text.get(i..i + 2)?, 16).ok())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scope(expires_at: u64) -> Scope {
        Scope {
            pipeline: "p".into(),
            variant: "main".into(),
            modules: vec!["m1".into()],
            expires_at,
        }
    }

    #[test]
    fn full_token_and_scoped_tokens() {
        let auth = Auth::with_secret(Some("s3cret"), [7; 32]);
        assert_eq!(auth.check(Some("Bearer s3cret"), 0).unwrap(), Access::Full);
        assert!(auth.check(Some("Bearer wrong"), 0).is_err());
        assert!(auth.check(None, 0).is_err());
        let token = auth.mint(&scope(100));
        let access = auth.check(Some(&format!("Bearer {token}")), 99).unwrap();
        assert!(access.require_read("p", "main", "m1").is_ok());
        assert!(access.require_read("p", "main", "m2").is_err());
        assert!(access.require_read("p", "other", "m1").is_err());
        assert!(access.require_full().is_err());
        assert!(auth.check(Some(&format!("Bearer {token}")), 100).is_err());
    }

    #[test]
    fn tampered_or_foreign_scoped_tokens_are_refused() {
        let auth = Auth::with_secret(Some("t"), [1; 32]);
        let other = Auth::with_secret(Some("t"), [2; 32]);
        let token = other.mint(&scope(u64::MAX));
        assert!(auth.check(Some(&format!("Bearer {token}")), 0).is_err());
        let mine = auth.mint(&scope(10));
        let widened = mine.replacen(&hex(b"\"m1\""), &hex(b"\"m2\""), 1);
        assert_ne!(widened, mine);
        assert!(auth.check(Some(&format!("Bearer {widened}")), 0).is_err());
    }
}
