//! The REST shape of the national axis (VXP) as Vanthu's reference hub serves it and Vanthu's
//! station calls it: the paths, the headers, the JSON replies and the message key.
//!
//! The national axis names its operations `sendEdoc`, `getReceivedEdocList`, `getEdoc`,
//! `updateStatus`, `getSentEdocList` and `getAgenciesList`, and answers with `status`,
//! `ErrorCode` (`"0"` is success), `ErrorDesc` and `DocId` (domain §8); those names are kept.
//! What the national documents leave open is fixed here, once, for both sides:
//!
//! * **Authentication**: HTTP Basic, the user name is the organisation's OrganId and the password
//!   its secret; always over TLS except on loopback.
//! * **`sendEdoc`**: `POST`, the body is the edXML file (a package, or a status packet), the
//!   headers [`header::FROM`] (the sender's OrganId, which must be the authenticated one),
//!   [`header::SERVICE_TYPE`] (`eDoc`) and [`header::MESSAGE_TYPE`] (`edoc` or `status`). The hub
//!   parses and validates it, routes a package to its `To` organisations and a status packet to
//!   its `ResponseFor/OrganId`, and answers a [`SendReply`] with the hub's message id `DocId`.
//!   **A send whose [`MessageKey`] the hub already holds from the same sender is the same
//!   message**: the hub answers the first `DocId` with `duplicate: true` and delivers nothing new.
//! * **`getReceivedEdocList`**: `GET`, the caller's deliveries not yet acknowledged, oldest first
//!   ([`ReceivedItem`]); optional query `messagetype` and `limit` (default 100, at most 1 000).
//! * **`getEdoc`**: `GET ?docId=…`, the message's bytes exactly as sent (`application/xml`), to a
//!   recipient only; a delivery can be fetched again until and after it is acknowledged.
//! * **`updateStatus`**: `POST` JSON [`Acknowledge`]: `done` once the station holds the message
//!   (it is then no longer listed), `fail` with a reason when the station refuses it (malformed,
//!   not addressed to it); both are idempotent. Statuses of documents (01, 02, 03…) are not this:
//!   they travel as status packets through `sendEdoc`.
//! * **`getSentEdocList`**: `GET`, the caller's sent messages with each recipient's delivery and
//!   the last status it sent back ([`SentItem`]); optional query `documentId`, `after` (a `DocId`,
//!   for paging) and `limit`.
//! * **`getAgenciesList`**: `GET`, the directory ([`Agency`]).
//!
//! Every JSON reply carries `status` (`OK` or `FAIL`), `ErrorCode` and `ErrorDesc`; a refusal also
//! has the HTTP status of [`error_code`]'s table, so a client can tell "try again" from "never".

use serde::{Deserialize, Serialize};

use crate::model::{BusinessDocType, Package, Status, StatusCode};

/// The operations' paths.
pub mod path {
    pub const SEND: &str = "/vxp/sendEdoc";
    pub const RECEIVED: &str = "/vxp/getReceivedEdocList";
    pub const FETCH: &str = "/vxp/getEdoc";
    pub const ACKNOWLEDGE: &str = "/vxp/updateStatus";
    pub const SENT: &str = "/vxp/getSentEdocList";
    pub const AGENCIES: &str = "/vxp/getAgenciesList";
    /// Unauthenticated liveness probe: `200 ok` once the store answers.
    pub const HEALTH: &str = "/health";
}

/// The request headers of `sendEdoc` (lower case, as HTTP/2 and most servers normalise them).
pub mod header {
    pub const FROM: &str = "from";
    pub const SERVICE_TYPE: &str = "servicetype";
    pub const MESSAGE_TYPE: &str = "messagetype";
    /// The only service type: `eDoc`.
    pub const SERVICE_EDOC: &str = "eDoc";
}

/// `ErrorCode` values and the HTTP status each comes with.
pub mod error_code {
    /// Success (HTTP 200).
    pub const OK: &str = "0";
    /// No or wrong credentials (401).
    pub const AUTH: &str = "AUTH";
    /// The `from` header or the package's sender is not the authenticated organisation (403).
    pub const FORBIDDEN: &str = "FORBIDDEN";
    /// Not XML, not edXML, a DTD or entity, a bad header (400).
    pub const MALFORMED: &str = "MALFORMED";
    /// Well-formed but breaks a rule: a missing field, a repeated recipient… (422).
    pub const INVALID: &str = "INVALID";
    /// A recipient the directory does not know (422).
    pub const UNKNOWN_RECIPIENT: &str = "UNKNOWN_RECIPIENT";
    /// Over a size, depth or count limit (413).
    pub const LIMIT: &str = "LIMIT";
    /// No such message for this caller (404).
    pub const NOT_FOUND: &str = "NOT_FOUND";
    /// The hub's store failed; try again later (503).
    pub const UNAVAILABLE: &str = "UNAVAILABLE";
    /// Anything else on the hub's side (500).
    pub const INTERNAL: &str = "INTERNAL";
}

/// `OK` or `FAIL`.
pub const STATUS_OK: &str = "OK";
pub const STATUS_FAIL: &str = "FAIL";

/// What a message is: `edoc` (a package) or `status` (a status packet).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum MessageType {
    Edoc,
    Status,
}

impl MessageType {
    /// The header and query value.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Edoc => "edoc",
            Self::Status => "status",
        }
    }

    /// The type of a header or query value, if it is one.
    pub fn parse(value: &str) -> Option<Self> {
        match value.trim() {
            v if v.eq_ignore_ascii_case("edoc") => Some(Self::Edoc),
            v if v.eq_ignore_ascii_case("status") => Some(Self::Status),
            _ => None,
        }
    }
}

/// The identity of a message: one sender, one document, one kind. The hub keeps one message per
/// key, so a repeated send is the same message; a station keeps one inbox row per key, so a
/// repeated delivery is registered once.
///
/// The kind of a package is its business type (a document's new package, its recall, its
/// update, its replacement: one each). The kind of a status packet is its code and its
/// timestamp, since a recipient may send 04 or 05 more than once, at different times.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct MessageKey {
    /// The sender's OrganId.
    pub sender: String,
    /// The DocumentId the message is about.
    pub document_id: String,
    /// `edoc:N` (N the business type) or `status:CC@yyyy/MM/dd HH:mm:ss`.
    pub kind: String,
}

impl MessageKey {
    /// The key of a package.
    pub fn of_package(package: &Package) -> Self {
        Self {
            sender: package.header.from.organ_id.clone(),
            document_id: package.header.document_id.clone(),
            kind: package_kind(package.business.doc_type),
        }
    }

    /// The key of a status packet, if it names the document it answers (`ResponseFor/DocumentId`;
    /// a status naming only a code cannot be routed by a hub).
    pub fn of_status(status: &Status) -> Option<Self> {
        Some(Self {
            sender: status.from.organ_id.clone(),
            document_id: status.response_for.document_id.clone()?,
            kind: status_kind(status.code, &crate::wire::format_timestamp(status.timestamp)),
        })
    }
}

/// The kind of a package of `doc_type`: `edoc:0` to `edoc:3`.
pub fn package_kind(doc_type: BusinessDocType) -> String {
    format!("edoc:{}", doc_type.code())
}

/// The kind of a status packet: `status:CC@timestamp`, the timestamp as on the wire.
pub fn status_kind(code: StatusCode, wire_timestamp: &str) -> String {
    format!("status:{}@{wire_timestamp}", code.code())
}

/// The reply of `sendEdoc`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SendReply {
    pub status: String,
    #[serde(rename = "ErrorCode")]
    pub error_code: String,
    #[serde(rename = "ErrorDesc", default)]
    pub error_desc: String,
    /// The hub's id of the message (the first one's, for a repeated send).
    #[serde(rename = "DocId", default, skip_serializing_if = "Option::is_none")]
    pub doc_id: Option<String>,
    /// Whether the hub already held this message.
    #[serde(default)]
    pub duplicate: bool,
}

/// A reply with no payload: a refusal, or the acknowledgement's answer.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reply {
    pub status: String,
    #[serde(rename = "ErrorCode")]
    pub error_code: String,
    #[serde(rename = "ErrorDesc", default)]
    pub error_desc: String,
}

/// A reply carrying a list.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ListReply<T> {
    pub status: String,
    #[serde(rename = "ErrorCode")]
    pub error_code: String,
    #[serde(rename = "ErrorDesc", default)]
    pub error_desc: String,
    #[serde(default = "Vec::new")]
    pub data: Vec<T>,
}

/// A delivery waiting for the caller (`getReceivedEdocList`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReceivedItem {
    #[serde(rename = "DocId")]
    pub doc_id: String,
    /// The sender's OrganId.
    pub from: String,
    pub messagetype: MessageType,
    #[serde(rename = "DocumentId")]
    pub document_id: String,
    /// The [`MessageKey::kind`].
    pub kind: String,
    /// Bytes of the message.
    pub size: u64,
    /// Lower-case hex SHA-256 of the message's bytes, for the station to check what it fetched.
    pub sha256: String,
    /// When the hub accepted it, RFC 3339.
    pub created: String,
}

/// The longest refusal reason an acknowledgement may carry, in characters: the hub refuses a longer
/// one (INVALID), so a station shortens its reason to this before acknowledging.
pub const MAX_REASON_CHARS: usize = 2_000;

/// The acknowledgement of a delivery (`updateStatus`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Acknowledge {
    #[serde(rename = "docId")]
    pub doc_id: String,
    pub status: AckStatus,
    /// Why the station refused it (for `fail`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

/// `done`: the station holds the message; `fail`: the station refuses it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum AckStatus {
    Done,
    Fail,
}

/// A message the caller sent (`getSentEdocList`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SentItem {
    #[serde(rename = "DocId")]
    pub doc_id: String,
    #[serde(rename = "DocumentId")]
    pub document_id: String,
    pub messagetype: MessageType,
    /// The [`MessageKey::kind`].
    pub kind: String,
    pub sha256: String,
    /// RFC 3339.
    pub created: String,
    pub recipients: Vec<RecipientState>,
}

/// One recipient of a sent message.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecipientState {
    #[serde(rename = "OrganId")]
    pub organ_id: String,
    /// `pending`, `done` (the recipient acknowledged it) or `fail` (it refused it).
    pub delivery: String,
    /// When the recipient acknowledged or refused it, RFC 3339.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub delivered_at: Option<String>,
    /// The refusal's reason.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// For a package: the last status code this recipient sent back about the document.
    #[serde(rename = "lastStatus", default, skip_serializing_if = "Option::is_none")]
    pub last_status: Option<String>,
}

/// An organisation of the directory (`getAgenciesList`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Agency {
    #[serde(rename = "OrganId")]
    pub organ_id: String,
    #[serde(rename = "OrganName")]
    pub organ_name: String,
    #[serde(rename = "OrganAdd", default, skip_serializing_if = "Option::is_none")]
    pub address: Option<String>,
    #[serde(rename = "Email", default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    #[serde(rename = "Telephone", default, skip_serializing_if = "Option::is_none")]
    pub telephone: Option<String>,
}
