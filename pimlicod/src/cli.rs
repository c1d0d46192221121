//! The daemon's command line. It lives in the library so that shell completions and man pages
//! can be generated from it (`cargo xtask deploy-files`); the binary only parses and starts.

use std::path::PathBuf;

use clap::Parser;

use crate::settings::{Settings, SettingsError};

/// The Pimlico daemon: serves this server's pipeline stores over HTTP.
#[derive(Debug, Parser)]
#[command(name = "pimlicod", version, about)]
pub struct Args {
    /// Settings file (TOML); options given here override it.
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Address to listen on [default: 127.0.0.1:7878].
    #[arg(long, value_name = "ADDR")]
    pub listen: Option<String>,
    /// A pipeline config to serve (repeatable).
    #[arg(long = "pipeline", value_name = "CONF")]
    pub pipelines: Vec<PathBuf>,
    /// Local config file for every pipeline (else ~/.pimlico, as the CLI).
    #[arg(long, value_name = "FILE")]
    pub local_config: Option<PathBuf>,
    /// File holding the bearer token clients must send.
    #[arg(long, value_name = "FILE")]
    pub token_file: Option<PathBuf>,
    /// PEM certificate chain: serve HTTPS.
    #[arg(long, value_name = "FILE", requires = "tls_key")]
    pub tls_cert: Option<PathBuf>,
    /// PEM private key of the certificate.
    #[arg(long, value_name = "FILE", requires = "tls_cert")]
    pub tls_key: Option<PathBuf>,
    /// Allow a non-loopback address without a token (trusted networks only).
    #[arg(long)]
    pub insecure_no_auth: bool,
    /// Write the bound address here once listening (for scripts that listen on port 0).
    #[arg(long, value_name = "FILE")]
    pub port_file: Option<PathBuf>,
    /// Where run logs are kept [default: $XDG_STATE_HOME/pimlicod].
    #[arg(long, value_name = "DIR")]
    pub state_dir: Option<PathBuf>,
    /// Runs executing at once [default: 1].
    #[arg(long, value_name = "N")]
    pub max_concurrent_runs: Option<usize>,
}

impl Args {
    /// The settings file (if any) with these options on top.
    pub fn settings(&self) -> Result<Settings, SettingsError> {
        let mut s = match &self.config {
            Some(path) => Settings::from_file(path)?,
            None => Settings::default(),
        };
        s.pipelines.extend(self.pipelines.iter().cloned());
        let replace = |slot: &mut Option<PathBuf>, value: &Option<PathBuf>| {
            if value.is_some() {
                slot.clone_from(value);
            }
        };
        replace(&mut s.local_config, &self.local_config);
        replace(&mut s.token_file, &self.token_file);
        replace(&mut s.tls_cert, &self.tls_cert);
        replace(&mut s.tls_key, &self.tls_key);
        replace(&mut s.state_dir, &self.state_dir);
        if self.listen.is_some() {
            s.listen.clone_from(&self.listen);
        }
        s.insecure_no_auth |= self.insecure_no_auth;
        s.max_concurrent_runs = self.max_concurrent_runs.or(s.max_concurrent_runs);
        Ok(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn options_override_the_file_and_pipelines_add_up() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("pimlicod.toml");
        std::fs::write(
            &file,
            "listen = \"0.0.0.0:7878\"\npipelines = [\"a.conf\"]\nmax_concurrent_runs = 3\n",
        )
        .unwrap();
        let args = Args::parse_from([
            "pimlicod",
            "--config",
            file.to_str().unwrap(),
            "--pipeline",
            "/b.conf",
            "--listen",
            "127.0.0.1:0",
        ]);
        let s = args.settings().unwrap();
        assert_eq!(s.listen(), "127.0.0.1:0");
        assert_eq!(
            s.pipelines,
            [dir.path().join("a.conf"), PathBuf::from("/b.conf")]
        );
        assert_eq!(s.max_concurrent_runs, Some(3));
    }
}
