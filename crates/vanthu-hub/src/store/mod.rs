//! Everything the hub knows, behind one type: [`Store`], on SQLite or on PostgreSQL.
//!
//! The hub keeps no state outside its store: the directory of organisations with their secrets'
//! hashes, every message with its bytes exactly as received, one delivery row per (message,
//! recipient) with its acknowledgement, and the log of refusals ([`Event`]). Every answer is read
//! from these rows, so several hub processes on one PostgreSQL database are one hub.
//!
//! Both backends keep the same invariants:
//! * **One message per [`MessageKey`]**: `UNIQUE (sender, document_id, kind)`, inserted with
//!   `ON CONFLICT DO NOTHING`; a repeated send finds the first row and is answered with its id.
//! * **A message and its deliveries are written in one transaction**, so a hub killed at any
//!   moment leaves either the whole message or nothing.
//! * **Schema by numbered, append-only migrations** (`migrations/sqlite`, `migrations/postgres`),
//!   all pending ones applied at start in one transaction; a database newer than the binary is
//!   refused.
//!
//! The SQLite store runs its blocking calls on tokio's blocking pool (one writer connection, a
//! few readers, WAL, `synchronous=FULL`); the PostgreSQL store is async over a connection pool.

mod postgres;
mod sqlite;

use vanthu_edxml::vxp::{AckStatus, Agency, MessageKey, MessageType, ReceivedItem, SentItem};

use crate::config::StoreConfig;
use crate::error::StoreError;

pub use self::postgres::PostgresStore;
pub use self::sqlite::SqliteStore;

/// A numbered schema change.
pub(crate) struct Migration {
    /// The schema version once applied (1, 2, …).
    pub(crate) version: i64,
    /// The file's name, for messages.
    pub(crate) name: &'static str,
    pub(crate) sql: &'static str,
}

/// A message to keep, once parsed and checked.
#[derive(Clone, Debug)]
pub struct NewMessage {
    /// Its identity.
    pub key: MessageKey,
    /// A package or a status packet.
    pub message_type: MessageType,
    /// For a status packet: what it says about which document.
    pub status: Option<StatusFacts>,
    /// Who it goes to: a package's `To` organisations, a status packet's `ResponseFor/OrganId`.
    pub recipients: Vec<String>,
    /// Lower-case hex SHA-256 of `body`.
    pub sha256: String,
    /// The bytes exactly as received.
    pub body: Vec<u8>,
    /// When the hub accepted it, RFC 3339.
    pub created: String,
}

/// What a status packet says, kept so that the original sender's list can show it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StatusFacts {
    /// The status code, e.g. `03`.
    pub code: String,
    /// `ResponseFor/OrganId`: the organisation whose document this is about.
    pub about: String,
    /// The packet's timestamp as on the wire (`yyyy/MM/dd HH:mm:ss`).
    pub at: String,
}

/// The outcome of keeping a message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Accepted {
    /// The hub's id of the message (`DocId`).
    pub doc_id: String,
    /// Whether the store already held a message with this key (nothing new was written).
    pub duplicate: bool,
}

/// The outcome of an acknowledgement.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Acknowledged {
    /// Recorded now.
    Recorded,
    /// The same answer was recorded before (acknowledgements are idempotent).
    Repeated,
    /// A different answer was recorded before; it stands.
    Conflict {
        /// The state recorded first: `done` or `fail`.
        recorded: String,
    },
    /// The caller has no delivery of this message.
    NotFound,
}

/// A refusal (or another notable event), as logged.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Event {
    /// RFC 3339.
    pub at: String,
    /// The authenticated organisation, if the request got that far.
    pub organ_id: Option<String>,
    /// The client's address.
    pub peer: Option<String>,
    /// The operation, e.g. `sendEdoc`.
    pub operation: String,
    /// The contract's `ErrorCode`, e.g. `AUTH`.
    pub code: String,
    /// The Vietnamese description sent as `ErrorDesc`.
    pub description: String,
}

/// The hub's store: one of the two backends. Cloning is cheap (shared pools).
#[derive(Clone)]
pub enum Store {
    /// One SQLite file.
    Sqlite(SqliteStore),
    /// A PostgreSQL database.
    Postgres(PostgresStore),
}

impl Store {
    /// Opens the configured store and brings its schema up to date.
    pub async fn open(config: &StoreConfig) -> Result<Store, StoreError> {
        Ok(match config {
            StoreConfig::Sqlite(path) => Store::Sqlite(SqliteStore::open(path.clone()).await?),
            StoreConfig::Postgres(conninfo) => Store::Postgres(PostgresStore::open(conninfo).await?),
        })
    }

    /// Whether the store answers.
    pub async fn health(&self) -> Result<(), StoreError> {
        match self {
            Store::Sqlite(s) => s.health().await,
            Store::Postgres(s) => s.health().await,
        }
    }

    /// Adds an organisation to the directory with its secret's hash.
    pub async fn add_organisation(&self, agency: &Agency, secret_hash: &str, now: &str) -> Result<(), StoreError> {
        match self {
            Store::Sqlite(s) => s.add_organisation(agency, secret_hash, now).await,
            Store::Postgres(s) => s.add_organisation(agency, secret_hash, now).await,
        }
    }

    /// Replaces an organisation's secret hash.
    pub async fn set_secret(&self, organ_id: &str, secret_hash: &str) -> Result<(), StoreError> {
        match self {
            Store::Sqlite(s) => s.set_secret(organ_id, secret_hash).await,
            Store::Postgres(s) => s.set_secret(organ_id, secret_hash).await,
        }
    }

    /// Removes an organisation from the directory (its messages and deliveries stay, as history;
    /// it can no longer sign in, nor be addressed).
    pub async fn remove_organisation(&self, organ_id: &str) -> Result<(), StoreError> {
        match self {
            Store::Sqlite(s) => s.remove_organisation(organ_id).await,
            Store::Postgres(s) => s.remove_organisation(organ_id).await,
        }
    }

    /// The directory, by OrganId.
    pub async fn agencies(&self) -> Result<Vec<Agency>, StoreError> {
        match self {
            Store::Sqlite(s) => s.agencies().await,
            Store::Postgres(s) => s.agencies().await,
        }
    }

    /// An organisation's secret hash (PHC string), if it is in the directory.
    pub async fn secret_hash(&self, organ_id: &str) -> Result<Option<String>, StoreError> {
        match self {
            Store::Sqlite(s) => s.secret_hash(organ_id).await,
            Store::Postgres(s) => s.secret_hash(organ_id).await,
        }
    }

    /// The OrganIds among `organ_ids` that the directory does not have.
    pub async fn unknown_organisations(&self, organ_ids: &[String]) -> Result<Vec<String>, StoreError> {
        match self {
            Store::Sqlite(s) => s.unknown_organisations(organ_ids).await,
            Store::Postgres(s) => s.unknown_organisations(organ_ids).await,
        }
    }

    /// Keeps a message and its deliveries in one transaction, unless its key is already held.
    pub async fn insert_message(&self, message: NewMessage) -> Result<Accepted, StoreError> {
        match self {
            Store::Sqlite(s) => s.insert_message(message).await,
            Store::Postgres(s) => s.insert_message(message).await,
        }
    }

    /// The recipient's deliveries not yet acknowledged, oldest first.
    pub async fn received(
        &self,
        recipient: &str,
        message_type: Option<MessageType>,
        limit: u32,
    ) -> Result<Vec<ReceivedItem>, StoreError> {
        match self {
            Store::Sqlite(s) => s.received(recipient, message_type, limit).await,
            Store::Postgres(s) => s.received(recipient, message_type, limit).await,
        }
    }

    /// A message's bytes, if `recipient` is one of its recipients.
    pub async fn fetch(&self, doc_id: i64, recipient: &str) -> Result<Option<Vec<u8>>, StoreError> {
        match self {
            Store::Sqlite(s) => s.fetch(doc_id, recipient).await,
            Store::Postgres(s) => s.fetch(doc_id, recipient).await,
        }
    }

    /// Records the recipient's acknowledgement of a delivery.
    pub async fn acknowledge(
        &self,
        doc_id: i64,
        recipient: &str,
        status: AckStatus,
        reason: Option<&str>,
        now: &str,
    ) -> Result<Acknowledged, StoreError> {
        match self {
            Store::Sqlite(s) => s.acknowledge(doc_id, recipient, status, reason, now).await,
            Store::Postgres(s) => s.acknowledge(doc_id, recipient, status, reason, now).await,
        }
    }

    /// The sender's messages by increasing `DocId` after `after`, with each recipient's delivery
    /// and, for packages, the last status code it sent back about the document.
    pub async fn sent(
        &self,
        sender: &str,
        document_id: Option<&str>,
        after: i64,
        limit: u32,
    ) -> Result<Vec<SentItem>, StoreError> {
        match self {
            Store::Sqlite(s) => s.sent(sender, document_id, after, limit).await,
            Store::Postgres(s) => s.sent(sender, document_id, after, limit).await,
        }
    }

    /// Logs an event (a refusal).
    pub async fn log_event(&self, event: &Event) -> Result<(), StoreError> {
        match self {
            Store::Sqlite(s) => s.log_event(event).await,
            Store::Postgres(s) => s.log_event(event).await,
        }
    }

    /// The last `limit` events, newest first.
    pub async fn events(&self, limit: u32) -> Result<Vec<Event>, StoreError> {
        match self {
            Store::Sqlite(s) => s.events(limit).await,
            Store::Postgres(s) => s.events(limit).await,
        }
    }

    /// Checks the stored rows: every message has at least one delivery, its size and SHA-256
    /// match its bytes (and, on SQLite, `PRAGMA integrity_check`). Returns the problems found.
    pub async fn check(&self) -> Result<Vec<String>, StoreError> {
        match self {
            Store::Sqlite(s) => s.check().await,
            Store::Postgres(s) => s.check().await,
        }
    }
}

/// The text of an acknowledgement state.
pub(crate) fn ack_state(status: AckStatus) -> &'static str {
    match status {
        AckStatus::Done => "done",
        AckStatus::Fail => "fail",
    }
}

/// Lower-case hex SHA-256.
pub(crate) fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::Digest as _;
    hex::encode(sha2::Sha256::digest(bytes))
}

/// The problem with one message row, if any (shared by both backends' `check`).
pub(crate) fn check_row(id: i64, size: i64, sha256: &str, body: &[u8], deliveries: i64) -> Vec<String> {
    let mut problems = Vec::new();
    if usize::try_from(size).ok() != Some(body.len()) {
        problems.push(format!("thông điệp {id}: kích thước ghi {size} byte, nội dung {} byte", body.len()));
    }
    if sha256_hex(body) != sha256 {
        problems.push(format!("thông điệp {id}: SHA-256 không khớp với nội dung"));
    }
    if deliveries == 0 {
        problems.push(format!("thông điệp {id}: không có nơi nhận nào"));
    }
    problems
}

/// Groups `(message row, recipient row)` pairs, ordered by message, into [`SentItem`]s.
pub(crate) fn group_sent(rows: Vec<(SentItem, vanthu_edxml::vxp::RecipientState)>) -> Vec<SentItem> {
    let mut items: Vec<SentItem> = Vec::new();
    for (item, recipient) in rows {
        match items.last_mut() {
            Some(last) if last.doc_id == item.doc_id => last.recipients.push(recipient),
            _ => {
                let mut item = item;
                item.recipients.push(recipient);
                items.push(item);
            }
        }
    }
    items
}

/// The message type of its stored text.
pub(crate) fn message_type_of(text: &str) -> MessageType {
    MessageType::parse(text).unwrap_or(MessageType::Edoc)
}
