//! The one error type that crosses IPC: `{code, message}`. The UI switches on `code` and shows
//! `message`, which is written for the agent (what went wrong and, where it helps, what to do).

use serde::Serialize;
use specta::Type;

use ringdesk_store::StoreError;

/// What kind of failure it is; stable, for the UI to switch on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub enum ErrorCode {
    NotFound,
    InvalidInput,
    Csv,
    Storage,
    Keychain,
    Cancelled,
    Io,
    DatabaseNewer,
    DatabaseCorrupt,
    Conflict,
    /// SignalWire refused the request; the message says why and what to do.
    Provider,
    /// SignalWire could not be reached; what the agent did is kept and retried.
    Offline,
    /// SignalWire (or another service) is not set up in Settings.
    NotConfigured,
    Internal,
}

/// An error as the UI and the CLI receive it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Type, thiserror::Error)]
#[error("{message}")]
pub struct IpcError {
    pub code: ErrorCode,
    pub message: String,
    /// The request's field the error is about (its name as the window sends it, such as
    /// `followUpAt` or `callerId`), so a form shows it there; `null` for the whole request.
    pub field: Option<String>,
}

impl IpcError {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        IpcError { code, message: message.into(), field: None }
    }

    pub fn invalid(message: impl Into<String>) -> Self {
        IpcError::new(ErrorCode::InvalidInput, message)
    }

    /// This error, about the request's `field`.
    pub fn on_field(mut self, field: &str) -> Self {
        self.field = Some(field.to_string());
        self
    }
}

impl From<StoreError> for IpcError {
    fn from(e: StoreError) -> Self {
        let code = match &e {
            StoreError::NewerThanBinary { .. } => ErrorCode::DatabaseNewer,
            StoreError::Corrupt { .. } => ErrorCode::DatabaseCorrupt,
            StoreError::NotFound { .. } => ErrorCode::NotFound,
            StoreError::Conflict(_) => ErrorCode::Conflict,
            StoreError::NotYours { .. } => ErrorCode::InvalidInput,
            StoreError::Io { .. } => ErrorCode::Io,
            StoreError::Sqlite(rusqlite_err) if is_corruption(rusqlite_err) => ErrorCode::DatabaseCorrupt,
            _ => ErrorCode::Storage,
        };
        if code == ErrorCode::Storage {
            tracing::error!(error = %e, "storage error");
        }
        IpcError::new(code, e.to_string())
    }
}

impl From<ringdesk_signalwire::Error> for IpcError {
    fn from(e: ringdesk_signalwire::Error) -> Self {
        use ringdesk_signalwire::Error as E;
        let code = match &e {
            E::Api(_) | E::Decode(_) => ErrorCode::Provider,
            E::Ambiguous(_) | E::Unreachable(_) => ErrorCode::Offline,
            E::Invalid(_) => ErrorCode::InvalidInput,
            E::Config(_) => ErrorCode::NotConfigured,
        };
        IpcError::new(code, format!("{e} {}", e.advice()))
    }
}

fn is_corruption(e: &ringdesk_store::rusqlite_error::Error) -> bool {
    e.sqlite_error_code().is_some_and(|c| {
        matches!(
            c,
            ringdesk_store::rusqlite_error::ErrorCode::DatabaseCorrupt
                | ringdesk_store::rusqlite_error::ErrorCode::NotADatabase
        )
    })
}

pub type Result<T, E = IpcError> = std::result::Result<T, E>;
