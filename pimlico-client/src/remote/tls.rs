//! TLS for the client: rustls with the ring provider, trusting the system's roots plus, when
//! given, a CA file (for daemons with self-signed or private-CA certificates).

use std::path::Path;
use std::sync::Arc;

use rustls::RootCertStore;
use rustls::pki_types::CertificateDer;
use rustls::pki_types::pem::PemObject;

use super::error::{Error, Result};

/// The rustls configuration used for every daemon connection.
pub fn client_config(ca_file: Option<&Path>, ca_pem: Option<&str>) -> Result<rustls::ClientConfig> {
    let mut roots = RootCertStore::empty();
    let native = rustls_native_certs::load_native_certs();
    for cert in native.certs {
        // A malformed system certificate should not make every connection fail.
        let _ = roots.add(cert);
    }
    if let Some(path) = ca_file {
        let pem = std::fs::read(path).map_err(|source| Error::ReadFile {
            what: "CA file",
            path: path.to_path_buf(),
            source,
        })?;
        add_pem(&mut roots, &pem, &path.display().to_string())?;
    }
    if let Some(pem) = ca_pem {
        add_pem(&mut roots, pem.as_bytes(), "the given CA certificate")?;
    }
    if roots.is_empty() {
        return Err(Error::Tls(
            "no trusted certificates: the system has no root certificates and no CA file was \
             given"
                .into(),
        ));
    }
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| Error::Tls(e.to_string()))?
        .with_root_certificates(roots)
        .with_no_client_auth();
    config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    Ok(config)
}

fn add_pem(roots: &mut RootCertStore, pem: &[u8], name: &str) -> Result<()> {
    let mut added = 0;
    for cert in CertificateDer::pem_slice_iter(pem) {
        let cert = cert.map_err(|e| Error::Tls(format!("reading {name}: {e}")))?;
        roots
            .add(cert)
            .map_err(|e| Error::Tls(format!("using a certificate of {name}: {e}")))?;
        added += 1;
    }
    if added == 0 {
        return Err(Error::Tls(format!("{name} holds no PEM certificate")));
    }
    Ok(())
}
