//! What can go wrong in an exchange pass: the hub's answers ([`HubError`], which the planner reads to
//! decide what to retry) and the register's or the wire format's own errors ([`SyncError`]).

use vanthu_edxml::EdxmlError;
use vanthu_store::StoreError;

/// What a hub call met. The variants are what the planner needs to know, not how the adapter
/// talks: whether anything may have reached the hub, and whether trying again can help.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum HubError {
    /// The hub could not be reached: nothing was sent (no route, refused, TLS handshake failed).
    #[error("không kết nối được trục liên thông ({0})")]
    Unreachable(String),
    /// The connection broke or timed out after the request began: a send may have reached the hub.
    #[error("mất kết nối với trục liên thông giữa chừng ({0})")]
    Interrupted(String),
    /// The hub refused our credentials.
    #[error("trục liên thông từ chối tài khoản của cơ quan ({0}); hãy kiểm tra mã cơ quan và mật khẩu kết nối")]
    Auth(String),
    /// The hub refused the request. `permanent`: the same request will always be refused (a
    /// malformed or invalid message, an unknown recipient); otherwise try again later.
    #[error("trục liên thông từ chối: {message} (mã {code})")]
    Refused {
        /// The hub's error code.
        code: String,
        /// The hub's description.
        message: String,
        /// Whether retrying cannot help.
        permanent: bool,
    },
    /// The hub answered something that is not its protocol.
    #[error("trục liên thông trả lời không đúng giao thức ({0})")]
    Protocol(String),
}

/// An exchange pass's error.
#[derive(Debug, thiserror::Error)]
pub enum SyncError {
    /// The register failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// A package or status packet we made does not validate.
    #[error(transparent)]
    Edxml(#[from] EdxmlError),
    /// The hub failed.
    #[error(transparent)]
    Hub(#[from] HubError),
    /// The register's data cannot be sent as it is (the message says why, in Vietnamese).
    #[error("{0}")]
    Invalid(String),
}

/// The crate's result.
pub type Result<T, E = SyncError> = std::result::Result<T, E>;
