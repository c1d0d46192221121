//! pimlicod: serves a server's pipeline stores over HTTP.
#![forbid(unsafe_code)]
