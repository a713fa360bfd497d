//! Secrets (SignalWire API token, SIP password, backend key) in the OS keychain.
//!
//! [`KeyringStore`] uses the `keyring` crate: Secret Service (GNOME Keyring, KWallet) on Linux,
//! Keychain on macOS, Credential Manager on Windows. Secrets are held in [`Secret`], which never
//! prints, never serializes and is never written to SQLite, files or logs; the UI only ever
//! learns whether a secret is set. [`MemorySecretStore`] is for tests of code that merely needs
//! *a* store; the keyring path itself is tested against a real Secret Service.

use std::collections::HashMap;
use std::fmt;
use std::sync::Mutex;

use crate::error::{ErrorCode, IpcError};
use crate::ipc::SecretKind;

/// The keychain service name every Ringdesk secret is filed under.
pub const SERVICE: &str = "ringdesk";

/// A secret value. Its `Debug` is redacted and it has no `Display` or `Serialize`.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Self {
        Secret(value.into())
    }

    /// The value, for the one place that must send it (an auth header, a digest).
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(<redacted>)")
    }
}

impl SecretKind {
    /// The keychain account name of this secret.
    pub fn account(self) -> &'static str {
        match self {
            SecretKind::SignalwireApiToken => "signalwire-api-token",
            SecretKind::SipPassword => "sip-password",
            SecretKind::BackendKey => "backend-key",
            SecretKind::BackendSession => "backend-session",
        }
    }

    fn label(self) -> &'static str {
        match self {
            SecretKind::SignalwireApiToken => "SignalWire API token",
            SecretKind::SipPassword => "SIP password",
            SecretKind::BackendKey => "backend key",
            SecretKind::BackendSession => "backend session",
        }
    }
}

/// Where secrets are kept.
pub trait SecretStore: Send + Sync {
    fn set(&self, kind: SecretKind, value: &Secret) -> Result<(), IpcError>;
    fn get(&self, kind: SecretKind) -> Result<Option<Secret>, IpcError>;
    /// Removes the secret; removing a missing secret is not an error.
    fn delete(&self, kind: SecretKind) -> Result<(), IpcError>;
}

/// The OS keychain through `keyring`.
#[derive(Debug, Clone)]
pub struct KeyringStore {
    service: String,
}

impl KeyringStore {
    pub fn new() -> Self {
        Self::with_service(SERVICE)
    }

    /// A store under another service name (tests use a unique one).
    pub fn with_service(service: impl Into<String>) -> Self {
        KeyringStore { service: service.into() }
    }

    fn entry(&self, kind: SecretKind) -> Result<keyring::Entry, IpcError> {
        keyring::Entry::new(&self.service, kind.account()).map_err(|e| keychain_error(kind, "open", &e))
    }
}

impl Default for KeyringStore {
    fn default() -> Self {
        Self::new()
    }
}

fn keychain_error(kind: SecretKind, action: &str, e: &keyring::Error) -> IpcError {
    // keyring's errors never contain the secret itself.
    let hint = match e {
        keyring::Error::NoStorageAccess(_) | keyring::Error::PlatformFailure(_) => {
            " Is a keychain (GNOME Keyring, KWallet, macOS Keychain, Windows Credential Manager) running and unlocked?"
        }
        _ => "",
    };
    IpcError::new(
        ErrorCode::Keychain,
        format!("Could not {action} the {} in the OS keychain: {e}.{hint}", kind.label()),
    )
}

impl SecretStore for KeyringStore {
    fn set(&self, kind: SecretKind, value: &Secret) -> Result<(), IpcError> {
        self.entry(kind)?.set_password(value.expose()).map_err(|e| keychain_error(kind, "save", &e))
    }

    fn get(&self, kind: SecretKind) -> Result<Option<Secret>, IpcError> {
        match self.entry(kind)?.get_password() {
            Ok(v) => Ok(Some(Secret(v))),
            Err(keyring::Error::NoEntry) => Ok(None),
            Err(e) => Err(keychain_error(kind, "read", &e)),
        }
    }

    fn delete(&self, kind: SecretKind) -> Result<(), IpcError> {
        match self.entry(kind)?.delete_credential() {
            Ok(()) | Err(keyring::Error::NoEntry) => Ok(()),
            Err(e) => Err(keychain_error(kind, "remove", &e)),
        }
    }
}

/// Secrets in process memory, for tests and tools that must not touch the real keychain.
#[derive(Debug, Default)]
pub struct MemorySecretStore {
    secrets: Mutex<HashMap<SecretKind, Secret>>,
}

impl SecretStore for MemorySecretStore {
    fn set(&self, kind: SecretKind, value: &Secret) -> Result<(), IpcError> {
        self.secrets.lock().unwrap_or_else(|p| p.into_inner()).insert(kind, value.clone());
        Ok(())
    }

    fn get(&self, kind: SecretKind) -> Result<Option<Secret>, IpcError> {
        Ok(self.secrets.lock().unwrap_or_else(|p| p.into_inner()).get(&kind).cloned())
    }

    fn delete(&self, kind: SecretKind) -> Result<(), IpcError> {
        self.secrets.lock().unwrap_or_else(|p| p.into_inner()).remove(&kind);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_never_print() {
        let s = Secret::new("hunter2");
        assert_eq!(format!("{s:?}"), "Secret(<redacted>)", "debug output is redacted");
    }
}
