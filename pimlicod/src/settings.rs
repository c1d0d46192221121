//! The daemon's settings: `pimlicod.toml`, overridden by command-line options, and the checks
//! made before serving (a token on anything but loopback, readable TLS files).
//!
//! ```toml
//! listen = "0.0.0.0:7878"
//! pipelines = ["/data/pipelines/parse.conf"]
//! local_config = "/etc/pimlico/local.conf"
//! token_file = "/etc/pimlico/token"
//! tls_cert = "/etc/pimlico/cert.pem"
//! tls_key = "/etc/pimlico/key.pem"
//! max_concurrent_runs = 2
//! shutdown_deadline_secs = 30
//! state_dir = "/var/lib/pimlicod"
//! # Limits for archives received (uploads, pulls); they override the local config's.
//! archive_max_bytes = "2T"
//! archive_max_file_bytes = "500G"
//! archive_max_entries = 2000000
//! resume_max_age_hours = 168
//! executor = "slurm"          # or "local" (the default); see docs/slurm.md
//!
//! [slurm]
//! partition = "short"
//! time = "4:00:00"
//! ```
//!
//! Relative paths are relative to the file's directory.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::Deserialize;

use pimlico_core::exec::{ExecutorKind, SlurmCluster, SlurmConfig};

use crate::auth::Auth;
use crate::execution::Execution;
use crate::limits::{ArchiveLimitSettings, LimitValue};
use crate::pipelines::{PipelineSpec, Pipelines, PipelinesError};
use crate::state::{AppState, Options};
use crate::tls::{TlsError, server_config};

/// The default listen address: loopback only.
pub const DEFAULT_LISTEN: &str = "127.0.0.1:7878";

/// Settings as read from `pimlicod.toml` (every field optional).
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Settings {
    /// Address to listen on.
    pub listen: Option<String>,
    /// Pipeline config files to serve.
    #[serde(default)]
    pub pipelines: Vec<PathBuf>,
    /// Local config file used for every pipeline.
    pub local_config: Option<PathBuf>,
    /// File holding the bearer token (first line).
    pub token_file: Option<PathBuf>,
    /// PEM certificate chain for HTTPS.
    pub tls_cert: Option<PathBuf>,
    /// PEM private key for HTTPS.
    pub tls_key: Option<PathBuf>,
    /// Serve a non-loopback address without a token (trusted networks only).
    #[serde(default)]
    pub insecure_no_auth: bool,
    /// Runs executing at once (default 1).
    pub max_concurrent_runs: Option<usize>,
    /// Seconds a shutdown waits for transfers (default 30).
    pub shutdown_deadline_secs: Option<u64>,
    /// Where run logs are kept (default `$XDG_STATE_HOME/pimlicod`).
    pub state_dir: Option<PathBuf>,
    /// Total bytes of file data in a received archive (default: the local config's
    /// `archive_max_bytes`, else 1 TiB).
    pub archive_max_bytes: Option<LimitValue>,
    /// Bytes of one file in a received archive (default: the local config's, else 256 GiB).
    pub archive_max_file_bytes: Option<LimitValue>,
    /// Files and directories in a received archive (default: the local config's, else one
    /// million).
    pub archive_max_entries: Option<LimitValue>,
    /// Hours an interrupted transfer's verified data is kept for resuming (default: the local
    /// config's `resume_max_age_hours`, else 168).
    pub resume_max_age_hours: Option<f64>,
    /// Where modules run: `local` (default) or `slurm`; the local config may choose per module.
    pub executor: Option<ExecutorKind>,
    /// The Slurm cluster's settings (commands, polling, default resources).
    pub slurm: Option<SlurmConfig>,
}

/// Why the daemon cannot start.
#[derive(Debug, thiserror::Error)]
pub enum SettingsError {
    /// A file could not be read.
    #[error("reading {what} {}: {source}", path.display())]
    Read {
        /// What the file is.
        what: &'static str,
        /// The file.
        path: PathBuf,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
    /// `pimlicod.toml` is malformed.
    #[error("invalid settings file {}: {message}", path.display())]
    Parse {
        /// The file.
        path: PathBuf,
        /// The parser's message.
        message: String,
    },
    /// Something is missing or contradictory.
    #[error("{0}")]
    Invalid(String),
    /// A served pipeline does not load.
    #[error(transparent)]
    Pipelines(#[from] PipelinesError),
    /// TLS files are unusable.
    #[error(transparent)]
    Tls(#[from] TlsError),
}

impl Settings {
    /// Reads `pimlicod.toml`, resolving its relative paths against its directory.
    pub fn from_file(path: &Path) -> Result<Self, SettingsError> {
        let text = std::fs::read_to_string(path).map_err(|source| SettingsError::Read {
            what: "settings file",
            path: path.to_path_buf(),
            source,
        })?;
        let mut settings: Settings = toml::from_str(&text).map_err(|e| SettingsError::Parse {
            path: path.to_path_buf(),
            message: e.to_string(),
        })?;
        let base = path.parent().unwrap_or(Path::new("."));
        let fix = |p: &mut PathBuf| *p = base.join(&*p);
        settings.pipelines.iter_mut().for_each(fix);
        [
            &mut settings.local_config,
            &mut settings.token_file,
            &mut settings.tls_cert,
            &mut settings.tls_key,
            &mut settings.state_dir,
        ]
        .into_iter()
        .flatten()
        .for_each(fix);
        if let Some(slurm) = &mut settings.slurm {
            [&mut slurm.bin_dir, &mut slurm.program]
                .into_iter()
                .flatten()
                .for_each(fix);
        }
        Ok(settings)
    }

    /// The address to bind.
    pub fn listen(&self) -> &str {
        self.listen.as_deref().unwrap_or(DEFAULT_LISTEN)
    }

    /// The token, read from the token file.
    pub fn token(&self) -> Result<Option<String>, SettingsError> {
        let Some(path) = &self.token_file else {
            return Ok(None);
        };
        let text = std::fs::read_to_string(path).map_err(|source| SettingsError::Read {
            what: "token file",
            path: path.clone(),
            source,
        })?;
        let token = text.lines().next().unwrap_or("").trim().to_string();
        if token.len() < 16 {
            return Err(SettingsError::Invalid(format!(
                "the token in {} is shorter than 16 characters",
                path.display()
            )));
        }
        Ok(Some(token))
    }

    /// Refuses to serve a non-loopback address without a token, unless told to.
    pub fn check_exposure(&self, bound: SocketAddr, has_token: bool) -> Result<(), SettingsError> {
        if bound.ip().is_loopback() || has_token || self.insecure_no_auth {
            return Ok(());
        }
        Err(SettingsError::Invalid(format!(
            "refusing to listen on {bound} without a token: anyone who can reach it could run \
             modules and read or replace data. Give --token-file, listen on 127.0.0.1, or pass \
             --insecure-no-auth on a trusted network"
        )))
    }

    /// Loads the pipelines, TLS and authentication, and builds the daemon's state. `program`
    /// is the binary that runs modules (`program internal-exec ...`).
    pub fn build_state(&self, program: PathBuf) -> Result<AppState, SettingsError> {
        if self.pipelines.is_empty() {
            return Err(SettingsError::Invalid(
                "no pipeline to serve: give --pipeline CONF (or `pipelines` in the settings file)"
                    .into(),
            ));
        }
        let tls = match (&self.tls_cert, &self.tls_key) {
            (Some(cert), Some(key)) => Some(server_config(cert, key)?),
            (None, None) => None,
            _ => {
                return Err(SettingsError::Invalid(
                    "--tls-cert and --tls-key go together".into(),
                ));
            }
        };
        let specs = self
            .pipelines
            .iter()
            .map(|config| PipelineSpec {
                config: config.clone(),
                local_config: self.local_config.clone(),
            })
            .collect();
        let resume_max_age = self
            .resume_max_age_hours
            .map(|h| pimlico_core::transfer::parse_max_age_hours(&h.to_string()))
            .transpose()
            .map_err(SettingsError::Invalid)?;
        let options = Options {
            resume_max_age,
            max_concurrent_runs: self.max_concurrent_runs.unwrap_or(1),
            shutdown_deadline: Duration::from_secs(self.shutdown_deadline_secs.unwrap_or(30)),
            state_dir: self.state_dir.clone().unwrap_or_else(default_state_dir),
            program,
        };
        let token = self.token()?;
        let limits = ArchiveLimitSettings {
            archive_max_bytes: self.archive_max_bytes.clone(),
            archive_max_file_bytes: self.archive_max_file_bytes.clone(),
            archive_max_entries: self.archive_max_entries.clone(),
        };
        limits
            .apply(pimlico_core::archive::ExtractLimits::default())
            .map_err(|e| SettingsError::Invalid(format!("in the settings file: {e}")))?;
        let slurm = self.slurm.clone().unwrap_or_default();
        let execution = Execution {
            default: self.executor.unwrap_or_default(),
            cluster: SlurmCluster::new(slurm)
                .map_err(|e| SettingsError::Invalid(format!("[slurm] settings: {e}")))?,
        };
        if let Some(dir) = &execution.cluster.config().bin_dir
            && !dir.is_dir()
        {
            return Err(SettingsError::Invalid(format!(
                "[slurm] bin_dir {} is not a directory",
                dir.display()
            )));
        }
        Ok(AppState::new(
            Pipelines::new(specs)?,
            Auth::new(token.as_deref()),
            options,
            tls,
        )
        .with_execution(execution)
        .with_archive_limits(limits))
    }
}

fn default_state_dir() -> PathBuf {
    let base = std::env::var_os("XDG_STATE_HOME")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".local/state")))
        .unwrap_or_else(std::env::temp_dir);
    base.join("pimlicod")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relative_paths_follow_the_file_and_exposure_needs_a_token() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("pimlicod.toml");
        std::fs::write(
            &file,
            "listen = \"0.0.0.0:7878\"\npipelines = [\"p.conf\"]\ntoken_file = \"t\"\n",
        )
        .unwrap();
        let settings = Settings::from_file(&file).unwrap();
        assert_eq!(settings.pipelines, [dir.path().join("p.conf")]);
        assert_eq!(settings.token_file, Some(dir.path().join("t")));
        let public: SocketAddr = "0.0.0.0:7878".parse().unwrap();
        let local: SocketAddr = "127.0.0.1:7878".parse().unwrap();
        assert!(settings.check_exposure(public, false).is_err());
        assert!(settings.check_exposure(public, true).is_ok());
        assert!(settings.check_exposure(local, false).is_ok());
        std::fs::write(dir.path().join("t"), "short\n").unwrap();
        assert!(
            settings.token().is_err(),
            "tokens under 16 characters are refused"
        );
        std::fs::write(&file, "listen = 1\nunknown = 2\n").unwrap();
        assert!(Settings::from_file(&file).is_err());
    }
}
