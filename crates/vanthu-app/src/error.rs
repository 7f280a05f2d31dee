//! The one error type of the façade: a machine-readable code the UI and the CLI act on, and a message
//! in Vietnamese for the clerk. Every lower-level error is mapped here, once.

use serde::Serialize;
use vanthu_core::document::DocumentError;
use vanthu_store::StoreError;

/// What the caller can act on. Add a code only when some caller acts on it differently.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    /// The input does not satisfy the rules; fix it and retry.
    InvalidInput,
    /// Looks like an earlier registration; confirm to register anyway.
    Duplicate,
    /// No such document.
    NotFound,
    /// The register has no organisation yet: run the first-start setup.
    NotInitialised,
    /// Setup was already done.
    AlreadyInitialised,
    /// The document is already cancelled.
    AlreadyCancelled,
    /// Another writer holds the register: retry.
    Busy,
    /// The database is from a newer version.
    TooNew,
    /// The database is damaged (moved aside) or was quarantined earlier: restore from a backup.
    Corrupt,
    /// A backup does not verify.
    BackupInvalid,
    /// A check found a problem.
    CheckFailed,
    /// A file could not be read or written.
    Io,
    /// The change conflicts with the register's state (a recalled document, a closed case file…).
    Conflict,
    /// Nobody is signed in: show the sign-in screen.
    NotSignedIn,
    /// The session ended after inactivity: show the sign-in screen, say why.
    SessionExpired,
    /// Wrong user name or password.
    BadCredentials,
    /// The account is locked (too many failures) or disabled.
    Locked,
    /// The user must change their password first.
    PasswordChangeRequired,
    /// The user's role does not allow this.
    Forbidden,
    /// The scanner stopped (paper jam, no paper, cover open): the pages before are kept; fix the
    /// device and scan on.
    ScannerFault,
    /// The signing token is not plugged in, not found by its label, or its driver cannot be loaded.
    TokenMissing,
    /// The token refused the PIN: ask again.
    WrongPin,
    /// The token is locked (too many wrong PINs): only its administrator can unlock it.
    TokenLocked,
    /// The signing certificate cannot sign now (expired, not yet valid, wrong key usage).
    CertificateInvalid,
    /// A signature on an arriving document does not verify: register only with an explicit, audited
    /// override, or reject the document.
    SignatureInvalid,
    /// The desktop's credential store (Secret Service) is not available or refused.
    KeyringUnavailable,
    /// The document hub cannot be reached, refuses our account, or is not configured: what was
    /// queued stays queued and leaves when the link is back.
    HubUnavailable,
    /// Anything else: a bug or an environment problem.
    Internal,
}

/// The façade's error: `{code, message}` at every edge.
#[derive(Clone, Debug, Serialize, thiserror::Error)]
#[error("{message}")]
pub struct ApiError {
    /// What the caller can act on.
    pub code: ErrorCode,
    /// Vietnamese, for the clerk.
    pub message: String,
    /// Structured details when a caller needs them (the earlier registration of a duplicate).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub details: Option<serde_json::Value>,
}

impl ApiError {
    /// An error with a code and a message.
    pub fn new(code: ErrorCode, message: impl Into<String>) -> ApiError {
        ApiError { code, message: message.into(), details: None }
    }

    /// Invalid input.
    pub fn invalid(message: impl Into<String>) -> ApiError {
        ApiError::new(ErrorCode::InvalidInput, message)
    }

    /// The same error with structured details.
    pub fn with_details(mut self, details: serde_json::Value) -> ApiError {
        self.details = Some(details);
        self
    }
}

impl From<DocumentError> for ApiError {
    fn from(e: DocumentError) -> ApiError {
        ApiError::invalid(e.to_string())
    }
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> ApiError {
        let code = match &e {
            StoreError::Busy => ErrorCode::Busy,
            StoreError::TooNew { .. } => ErrorCode::TooNew,
            StoreError::Corrupt { .. } | StoreError::Quarantined { .. } => ErrorCode::Corrupt,
            StoreError::NotInitialised => ErrorCode::NotInitialised,
            StoreError::AlreadyInitialised(_) => ErrorCode::AlreadyInitialised,
            StoreError::NotFound(_) => ErrorCode::NotFound,
            StoreError::AlreadyCancelled(_) => ErrorCode::AlreadyCancelled,
            StoreError::BackupInvalid(_) => ErrorCode::BackupInvalid,
            StoreError::Io { .. } => ErrorCode::Io,
            StoreError::Duplicate(_) => ErrorCode::Duplicate,
            StoreError::Conflict(_) => ErrorCode::Conflict,
            StoreError::Sqlite(_) | StoreError::Invalid(_) => ErrorCode::Internal,
        };
        let details = match &e {
            StoreError::Duplicate(dup) => serde_json::to_value(dup).ok(),
            _ => None,
        };
        let message = match &e {
            StoreError::Duplicate(dup) => format!("Có thể trùng văn bản đã đăng ký: {dup}."),
            other => capitalise(&other.to_string()),
        };
        ApiError { code, message, details }
    }
}

fn capitalise(s: &str) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// Result alias of the façade.
pub type ApiResult<T> = Result<T, ApiError>;
