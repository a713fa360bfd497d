//! What can go wrong while replicating, in words an agent can act on.

/// A failed sync step. Local data is never touched by a failure: the outbox keeps every change.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum SyncError {
    /// The backend cannot be reached (network, DNS, refused, timed out, connection cut).
    #[error("the backend cannot be reached: {0}")]
    Unreachable(String),
    /// The credentials were refused or have expired.
    #[error("the backend refused the credentials: {0}")]
    Auth(String),
    /// The backend's database lacks Ringdesk's sync migrations.
    #[error(
        "the backend does not have Ringdesk's sync functions yet: run `ringdesk-cli backend migrate --url ...` ({0})"
    )]
    NotMigrated(String),
    /// The backend applied this client's mutation id with other contents: this database is a copy.
    #[error("this database is a copy of another desktop's: {0}")]
    Fork(String),
    /// The backend expected an earlier mutation id.
    #[error("the backend is missing earlier changes: {0}")]
    Gap(String),
    /// The backend's answer could not be understood.
    #[error("the backend answered something unexpected: {0}")]
    Malformed(String),
    /// The backend failed for another reason.
    #[error("the backend failed: {message} (code {code})")]
    Server { code: String, message: String },
    /// The settings are incomplete or invalid.
    #[error("{0}")]
    Config(String),
    /// The local database failed.
    #[error("the local database failed: {0}")]
    Store(String),
}

impl SyncError {
    /// Whether trying again later may succeed without the agent doing anything.
    pub fn is_transient(&self) -> bool {
        matches!(self, SyncError::Unreachable(_) | SyncError::Server { .. })
    }

    /// Maps an error the server raised (SQLSTATE and message) to what it means for sync.
    pub(crate) fn from_sqlstate(code: &str, message: &str) -> SyncError {
        let m = message.to_string();
        match code {
            "RD001" => SyncError::Fork(m),
            "RD002" => SyncError::Gap(m),
            "RD003" | "28000" | "28P01" | "42501" => SyncError::Auth(m),
            "RD004" => SyncError::Malformed(m),
            // undefined schema / function / table: the migrations were not applied.
            "3F000" | "42883" | "42P01" => SyncError::NotMigrated(m),
            "3D000" => SyncError::Config(format!("the database does not exist: {m}")),
            _ => SyncError::Server { code: code.to_string(), message: m },
        }
    }
}

impl From<ringdesk_store::StoreError> for SyncError {
    fn from(e: ringdesk_store::StoreError) -> Self {
        SyncError::Store(e.to_string())
    }
}
