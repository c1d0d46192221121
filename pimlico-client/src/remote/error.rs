//! Errors of the pimlicod client. Each says what was asked of which server or file.

use std::path::PathBuf;

/// Why a request to a daemon (or the set-up before it) failed.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A server name is neither in the servers file nor a URL.
    #[error(
        "unknown server '{name}': it is not a URL and {} has no [servers.{name}] entry",
        path.display()
    )]
    UnknownServer {
        /// The name asked for.
        name: String,
        /// The servers file searched.
        path: PathBuf,
    },
    /// A file (servers file, token file, CA file) could not be read.
    #[error("reading {what} {}: {source}", path.display())]
    ReadFile {
        /// What the file is for.
        what: &'static str,
        /// The file.
        path: PathBuf,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
    /// The servers file is not valid TOML of the expected shape.
    #[error("invalid servers file {}: {source}", path.display())]
    ServersFile {
        /// The file.
        path: PathBuf,
        /// The parse error.
        #[source]
        source: Box<toml::de::Error>,
    },
    /// A URL could not be parsed or used.
    #[error("invalid server URL '{url}': {reason}")]
    BadUrl {
        /// The URL as given.
        url: String,
        /// What is wrong with it.
        reason: String,
    },
    /// A token file is empty or a token is not valid in an HTTP header.
    #[error("invalid token{}: {reason}", source_name.as_deref().map(|s| format!(" from {s}")).unwrap_or_default())]
    BadToken {
        /// Where the token came from.
        source_name: Option<String>,
        /// What is wrong with it.
        reason: String,
    },
    /// TLS could not be set up (CA file without certificates, no system roots, ...).
    #[error("setting up TLS: {0}")]
    Tls(String),
    /// The request could not be sent or its response not read (connection refused, reset,
    /// truncated body, TLS failure).
    #[error("{method} {url}: {}", causes(source))]
    Request {
        /// HTTP method.
        method: &'static str,
        /// The URL.
        url: String,
        /// The cause.
        #[source]
        source: reqwest::Error,
    },
    /// The daemon answered with an error status.
    #[error("{method} {url}: {status} {code}: {message}")]
    Api {
        /// HTTP method.
        method: &'static str,
        /// The URL.
        url: String,
        /// HTTP status code.
        status: u16,
        /// The error code from the body (`conflict`, `unauthorized`, ...).
        code: String,
        /// The daemon's message.
        message: String,
    },
}

/// A reqwest error with its causes: its own message says only "error sending request", and
/// the reason a user can act on (connection refused, no route to host, a certificate
/// rejected) is further down the chain.
fn causes(error: &reqwest::Error) -> String {
    let mut text = error.to_string();
    let mut next = std::error::Error::source(error);
    while let Some(cause) = next {
        let cause_text = cause.to_string();
        if !text.contains(&cause_text) {
            text.push_str(": ");
            text.push_str(&cause_text);
        }
        next = cause.source();
    }
    text
}

impl Error {
    /// The HTTP status the daemon answered with, for an API error.
    pub fn status(&self) -> Option<u16> {
        match self {
            Self::Api { status, .. } => Some(*status),
            _ => None,
        }
    }
}

/// Results of the client.
pub type Result<T, E = Error> = std::result::Result<T, E>;

#[cfg(test)]
mod tests {
    use crate::remote::{Client, ServerSpec};

    /// The reason a connection failed reaches the message, not just "error sending request".
    #[test]
    fn a_refused_connection_says_so() {
        let port = {
            let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
            listener.local_addr().unwrap().port()
        };
        let url = format!("http://127.0.0.1:{port}");
        let client = Client::new(&ServerSpec::url(url.clone(), None)).unwrap();
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        let error = runtime.block_on(client.health()).unwrap_err().to_string();
        assert!(error.contains(&url), "{error}");
        assert!(error.contains("Connection refused"), "{error}");
    }
}
