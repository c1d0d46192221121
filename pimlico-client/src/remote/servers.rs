//! Naming servers: `~/.config/pimlico/servers.toml` or a URL, and where the token comes from.
//!
//! ```toml
//! [servers.gpu1]
//! url = "https://gpu1.example.org:7878"
//! token_file = "~/.config/pimlico/gpu1.token"
//! ca_file = "~/.config/pimlico/gpu1-ca.pem"
//! ```
//!
//! A server given as a URL (`http://127.0.0.1:7878`) needs no entry. The token is the entry's
//! `token_file` if it has one, else `PIMLICO_TOKEN`, else none (a loopback daemon without
//! authentication).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use reqwest::Url;
use serde::Deserialize;

use super::error::{Error, Result};

/// Environment variable holding a token for servers without a `token_file`.
pub const TOKEN_ENV: &str = "PIMLICO_TOKEN";

/// Everything needed to talk to one daemon.
#[derive(Clone, Default)]
pub struct ServerSpec {
    /// Base URL (`https://host:7878`), without `/v1`.
    pub url: String,
    /// The bearer token, if any.
    pub token: Option<String>,
    /// A CA file to trust besides the system roots.
    pub ca_file: Option<PathBuf>,
    /// PEM certificates to trust besides the system roots.
    pub ca_pem: Option<String>,
}

impl std::fmt::Debug for ServerSpec {
    // The token is a secret: never print it.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ServerSpec")
            .field("url", &self.url)
            .field("token", &self.token.as_ref().map(|_| "<redacted>"))
            .field("ca_file", &self.ca_file)
            .finish()
    }
}

impl ServerSpec {
    /// A server by URL, with an optional token.
    pub fn url(url: impl Into<String>, token: Option<String>) -> Self {
        Self {
            url: url.into(),
            token,
            ..Self::default()
        }
    }
}

/// Where to look when resolving a server name.
#[derive(Debug, Clone, Default)]
pub struct Resolver {
    /// The servers file (`None`: [`default_servers_file`]).
    pub servers_file: Option<PathBuf>,
    /// The value of `PIMLICO_TOKEN`, if set.
    pub env_token: Option<String>,
}

impl Resolver {
    /// A resolver reading the default servers file and `PIMLICO_TOKEN` from the environment.
    pub fn from_env() -> Self {
        Self {
            servers_file: None,
            env_token: std::env::var(TOKEN_ENV)
                .ok()
                .filter(|t| !t.trim().is_empty()),
        }
    }

    /// Resolves a server name from the servers file, or a URL.
    pub fn resolve(&self, name: &str) -> Result<ServerSpec> {
        let path = self.servers_file.clone().or_else(default_servers_file);
        if let Some(path) = &path
            && let Some(entry) = read_servers(path)?.servers.remove(name)
        {
            let base = path.parent().unwrap_or(Path::new("."));
            let token = match &entry.token_file {
                Some(file) => Some(read_token(&expand(file, base))?),
                None => self.env_token.clone(),
            };
            return Ok(ServerSpec {
                url: entry.url,
                token,
                ca_file: entry.ca_file.map(|f| expand(&f, base)),
                ca_pem: None,
            });
        }
        if name.contains("://") {
            Url::parse(name).map_err(|e| Error::BadUrl {
                url: name.to_string(),
                reason: e.to_string(),
            })?;
            return Ok(ServerSpec::url(name, self.env_token.clone()));
        }
        Err(Error::UnknownServer {
            name: name.to_string(),
            path: path.unwrap_or_else(|| PathBuf::from("~/.config/pimlico/servers.toml")),
        })
    }
}

/// `$XDG_CONFIG_HOME/pimlico/servers.toml`, else `~/.config/pimlico/servers.toml`.
pub fn default_servers_file() -> Option<PathBuf> {
    let config = std::env::var_os("XDG_CONFIG_HOME")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".config")))?;
    Some(config.join("pimlico").join("servers.toml"))
}

/// Reads a token file: the first line, trimmed.
pub fn read_token(path: &Path) -> Result<String> {
    let text = std::fs::read_to_string(path).map_err(|source| Error::ReadFile {
        what: "token file",
        path: path.to_path_buf(),
        source,
    })?;
    let token = text.lines().next().unwrap_or("").trim().to_string();
    if token.is_empty() {
        return Err(Error::BadToken {
            source_name: Some(path.display().to_string()),
            reason: "the file is empty".into(),
        });
    }
    Ok(token)
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct ServersFile {
    #[serde(default)]
    servers: BTreeMap<String, ServerEntry>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ServerEntry {
    url: String,
    token_file: Option<PathBuf>,
    ca_file: Option<PathBuf>,
}

fn read_servers(path: &Path) -> Result<ServersFile> {
    let text = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(ServersFile::default()),
        Err(source) => {
            return Err(Error::ReadFile {
                what: "servers file",
                path: path.to_path_buf(),
                source,
            });
        }
    };
    toml::from_str(&text).map_err(|e| Error::ServersFile {
        path: path.to_path_buf(),
        source: Box::new(e),
    })
}

/// `~/x` is relative to the home directory, other relative paths to the servers file's folder.
fn expand(path: &Path, base: &Path) -> PathBuf {
    if let Ok(rest) = path.strip_prefix("~")
        && let Some(home) = std::env::var_os("HOME")
    {
        return PathBuf::from(home).join(rest);
    }
    base.join(path)
}
