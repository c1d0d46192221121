//! The HTTP client for pimlicod, used by the `pimlico` command and by daemons pulling from each
//! other. Servers are named in `~/.config/pimlico/servers.toml` or given as URLs; TLS uses
//! rustls with the ring provider.

mod client;
mod error;
mod moves;
mod servers;
mod tls;
mod verified;

pub use client::{ByteStream, Client, Download, RunFilter};
pub use error::{Error, Result};
pub use moves::{MoveError, Moved, PushSource, pull_module, push_module, relay_module};
pub use servers::{Resolver, ServerSpec, TOKEN_ENV, default_servers_file, read_token};
pub use tls::client_config;
