//! TLS for both transports: rustls on ring with the operating system's roots.

use std::sync::Arc;

pub(crate) fn client_config() -> rustls::ClientConfig {
    let mut roots = rustls::RootCertStore::empty();
    let found = rustls_native_certs::load_native_certs();
    let (added, ignored) = roots.add_parsable_certificates(found.certs);
    tracing::debug!(added, ignored, "system roots for the backend");
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    match rustls::ClientConfig::builder_with_provider(provider).with_safe_default_protocol_versions() {
        Ok(b) => b.with_root_certificates(roots).with_no_client_auth(),
        // ring supports the safe defaults; this arm only keeps the function total.
        Err(_) => rustls::ClientConfig::builder().with_root_certificates(roots).with_no_client_auth(),
    }
}
