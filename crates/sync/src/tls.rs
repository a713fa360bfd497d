//! TLS for both transports: rustls on ring with the operating system's roots, plus a private CA
//! when the backend's URL names one (`sslrootcert=`, for self-hosted servers).

use std::path::Path;
use std::sync::Arc;

use rustls::pki_types::CertificateDer;
use rustls::pki_types::pem::PemObject;

use crate::SyncError;

pub(crate) fn client_config() -> rustls::ClientConfig {
    with_roots(system_roots())
}

/// The system roots plus the certificates of the PEM file at `ca`.
pub(crate) fn client_config_with(ca: &Path) -> Result<rustls::ClientConfig, SyncError> {
    let mut roots = system_roots();
    let certs: Vec<CertificateDer<'static>> = CertificateDer::pem_file_iter(ca)
        .and_then(|it| it.collect::<Result<_, _>>())
        .map_err(|e| SyncError::Config(format!("the sslrootcert file {} cannot be read: {e}", ca.display())))?;
    if certs.is_empty() {
        return Err(SyncError::Config(format!("the sslrootcert file {} holds no certificate", ca.display())));
    }
    let (added, _) = roots.add_parsable_certificates(certs);
    if added == 0 {
        return Err(SyncError::Config(format!("no usable certificate in {}", ca.display())));
    }
    Ok(with_roots(roots))
}

fn system_roots() -> rustls::RootCertStore {
    let mut roots = rustls::RootCertStore::empty();
    let found = rustls_native_certs::load_native_certs();
    let (added, ignored) = roots.add_parsable_certificates(found.certs);
    tracing::debug!(added, ignored, "system roots for the backend");
    roots
}

fn with_roots(roots: rustls::RootCertStore) -> rustls::ClientConfig {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    match rustls::ClientConfig::builder_with_provider(provider).with_safe_default_protocol_versions() {
        Ok(b) => b.with_root_certificates(roots).with_no_client_auth(),
        // ring supports the safe defaults; this arm only keeps the function total.
        Err(_) => rustls::ClientConfig::builder().with_root_certificates(roots).with_no_client_auth(),
    }
}
