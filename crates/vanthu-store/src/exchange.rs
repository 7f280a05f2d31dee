//! The exchange with the document hub, on disk: the outbox (messages to send), the inbox (packages
//! that arrived), the statuses that passed both ways, and the link's state (migration 0006).
//!
//! Write functions take the caller's `&Transaction`, so that a message is queued in the same
//! transaction as the issue, registration, rejection or recall it belongs to, and an arrival is
//! stored in the same transaction as the status 01 that answers it. What a message is never changes
//! once queued (triggers refuse it); only its delivery state moves. Secret documents are refused by a
//! trigger of the outbox, whatever the caller checked. This module decides nothing: when to send and
//! what to retry is `vanthu-sync`'s planner.

use rusqlite::{Connection, OptionalExtension, Row, Transaction, params};
use serde::Serialize;
use time::OffsetDateTime;

use crate::capture::remember_file;
use crate::files::StoredFile;
use crate::register::{ROW_COLUMNS, RegisterRow, read_row, rowid_of, vietnam_rfc3339};
use crate::{Result, StoreError};

/// The media type of an edXML file in the `file` table.
pub const EDXML_MEDIA_TYPE: &str = "application/xml";

/// `edoc` (a package) or `status` (a status packet), as stored.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum MessageType {
    /// A package.
    Edoc,
    /// A status packet.
    Status,
}

impl MessageType {
    /// The stored value.
    pub fn as_str(self) -> &'static str {
        match self {
            MessageType::Edoc => "edoc",
            MessageType::Status => "status",
        }
    }

    fn parse(s: &str) -> rusqlite::Result<MessageType> {
        match s {
            "edoc" => Ok(MessageType::Edoc),
            "status" => Ok(MessageType::Status),
            other => Err(bad_value("messagetype", other)),
        }
    }
}

/// Where an outbox message is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum OutboxState {
    /// Not sent yet (or an attempt failed before the hub could have it).
    Pending,
    /// An attempt failed after the upload began: the hub may hold it. Ask before sending again.
    Unknown,
    /// The hub holds it.
    Sent,
    /// The hub refused it for good; the clerk is told why.
    Failed,
}

impl OutboxState {
    /// The stored value.
    pub fn as_str(self) -> &'static str {
        match self {
            OutboxState::Pending => "pending",
            OutboxState::Unknown => "unknown",
            OutboxState::Sent => "sent",
            OutboxState::Failed => "failed",
        }
    }

    fn parse(s: &str) -> rusqlite::Result<OutboxState> {
        match s {
            "pending" => Ok(OutboxState::Pending),
            "unknown" => Ok(OutboxState::Unknown),
            "sent" => Ok(OutboxState::Sent),
            "failed" => Ok(OutboxState::Failed),
            other => Err(bad_value("state", other)),
        }
    }
}

/// A message to queue.
#[derive(Clone, Debug)]
pub struct NewMessage<'a> {
    /// The register's document it is about, when there is one.
    pub document: Option<&'a str>,
    /// Package or status packet.
    pub messagetype: MessageType,
    /// The DocumentId it is about.
    pub document_id: &'a str,
    /// The message key's kind (`edoc:N`, `status:CC@timestamp`).
    pub kind: &'a str,
    /// Who it goes to (OrganIds).
    pub recipients: &'a [String],
    /// Its bytes, already in the file store.
    pub file: &'a StoredFile,
    /// When it was queued.
    pub at: OffsetDateTime,
    /// Who queued it.
    pub actor: &'a str,
}

/// A queued message.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct OutboxMessage {
    /// Its row.
    pub id: i64,
    /// The register's document it is about.
    pub document: Option<String>,
    /// Package or status packet.
    pub messagetype: MessageType,
    /// The DocumentId it is about.
    pub document_id: String,
    /// The message key's kind.
    pub kind: String,
    /// Who it goes to.
    pub recipients: Vec<String>,
    /// Its bytes in the file store.
    pub sha256: String,
    /// Their size.
    pub size: u64,
    /// Where it is.
    pub state: OutboxState,
    /// Attempts so far.
    pub attempts: u32,
    /// When the next attempt may be made (RFC 3339), if deferred.
    pub next_attempt_at: Option<String>,
    /// What the last attempt met.
    pub last_error: Option<String>,
    /// The hub's id for it, once sent.
    pub hub_doc_id: Option<String>,
    /// When it was queued.
    pub created_at: String,
    /// When the hub took it.
    pub sent_at: Option<String>,
}

/// Queues a message (with its file's row) and returns its id, or `None` when a message with the same
/// key is already queued (the earlier one stands: it is the same message). A secret document is
/// refused ([`StoreError::Conflict`]).
pub fn enqueue(tx: &Transaction<'_>, m: &NewMessage<'_>) -> Result<Option<i64>> {
    let at = vietnam_rfc3339(m.at);
    let rowid = m.document.map(|id| rowid_of(tx, id)).transpose()?;
    if let Some(rowid) = rowid {
        let secrecy: Option<String> =
            tx.query_row("SELECT secrecy FROM document WHERE rowid = ?1", [rowid], |r| r.get(0))?;
        if secrecy.is_some() {
            // The trigger `outbox_never_secret` refuses it too; this says it in the clerk's words.
            return Err(StoreError::Conflict("văn bản mật không được gửi qua trục liên thông".to_owned()));
        }
    }
    remember_file(tx, m.file, EDXML_MEDIA_TYPE, &at)?;
    let recipients = serde_json::to_string(m.recipients).map_err(|e| StoreError::Invalid(e.to_string()))?;
    Ok(tx
        .query_row(
            "INSERT INTO outbox (document_rowid, messagetype, document_id, kind, recipients, sha256, size,
                                 created_at, created_by)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)
             ON CONFLICT (document_id, kind) DO NOTHING RETURNING id",
            params![
                rowid,
                m.messagetype.as_str(),
                m.document_id,
                m.kind,
                recipients,
                m.file.sha256,
                m.file.size as i64,
                at,
                m.actor
            ],
            |r| r.get(0),
        )
        .optional()?)
}

const OUTBOX_COLUMNS: &str = "o.id, d.id, o.messagetype, o.document_id, o.kind, o.recipients, o.sha256, o.size,
    o.state, o.attempts, o.next_attempt_at, o.last_error, o.hub_doc_id, o.created_at, o.sent_at";

fn outbox_row(r: &Row<'_>) -> rusqlite::Result<OutboxMessage> {
    let recipients: String = r.get(5)?;
    Ok(OutboxMessage {
        id: r.get(0)?,
        document: r.get(1)?,
        messagetype: MessageType::parse(&r.get::<_, String>(2)?)?,
        document_id: r.get(3)?,
        kind: r.get(4)?,
        recipients: serde_json::from_str(&recipients).map_err(|_| bad_value("recipients", &recipients))?,
        sha256: r.get(6)?,
        size: r.get::<_, i64>(7)? as u64,
        state: OutboxState::parse(&r.get::<_, String>(8)?)?,
        attempts: r.get::<_, i64>(9)? as u32,
        next_attempt_at: r.get(10)?,
        last_error: r.get(11)?,
        hub_doc_id: r.get(12)?,
        created_at: r.get(13)?,
        sent_at: r.get(14)?,
    })
}

/// Messages still to send (pending or unknown), oldest first, whatever their next attempt time:
/// the planner decides which are due.
pub fn waiting_messages(conn: &Connection, limit: u32) -> Result<Vec<OutboxMessage>> {
    let sql = format!(
        "SELECT {OUTBOX_COLUMNS} FROM outbox o LEFT JOIN document d ON d.rowid = o.document_rowid
         WHERE o.state IN ('pending', 'unknown') ORDER BY o.id LIMIT ?1"
    );
    let mut stmt = conn.prepare_cached(&sql)?;
    let rows = stmt.query_map([limit], outbox_row)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Every message about one document, oldest first.
pub fn messages_of_document(conn: &Connection, id: &str) -> Result<Vec<OutboxMessage>> {
    let sql = format!(
        "SELECT {OUTBOX_COLUMNS} FROM outbox o JOIN document d ON d.rowid = o.document_rowid
         WHERE d.id = ?1 ORDER BY o.id"
    );
    let mut stmt = conn.prepare(&sql)?;
    let rows = stmt.query_map([id], outbox_row)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// One message.
pub fn message(conn: &Connection, id: i64) -> Result<Option<OutboxMessage>> {
    let sql = format!(
        "SELECT {OUTBOX_COLUMNS} FROM outbox o LEFT JOIN document d ON d.rowid = o.document_rowid WHERE o.id = ?1"
    );
    Ok(conn.query_row(&sql, [id], outbox_row).optional()?)
}

/// The hub holds the message.
pub fn mark_sent(tx: &Transaction<'_>, id: i64, hub_doc_id: &str, at: OffsetDateTime) -> Result<()> {
    tx.execute(
        "UPDATE outbox SET state = 'sent', hub_doc_id = ?2, sent_at = ?3, attempts = attempts + 1,
                           next_attempt_at = NULL, last_error = NULL
         WHERE id = ?1 AND state IN ('pending', 'unknown')",
        params![id, hub_doc_id, vietnam_rfc3339(at)],
    )?;
    Ok(())
}

/// An attempt failed: the message stays to send (`Pending`, or `Unknown` when the hub may hold it)
/// and waits until `next_attempt_at`; or the hub refused it for good (`Failed`).
pub fn mark_attempt(
    tx: &Transaction<'_>,
    id: i64,
    state: OutboxState,
    error: &str,
    next_attempt_at: Option<OffsetDateTime>,
) -> Result<()> {
    if state == OutboxState::Sent {
        return Err(StoreError::Invalid("a sent message needs the hub's id (mark_sent)".to_owned()));
    }
    tx.execute(
        "UPDATE outbox SET state = ?2, last_error = ?3, next_attempt_at = ?4, attempts = attempts + 1
         WHERE id = ?1 AND state IN ('pending', 'unknown')",
        params![id, state.as_str(), error, next_attempt_at.map(vietnam_rfc3339)],
    )?;
    Ok(())
}

/// A failed message queued again by the clerk (after the cause was fixed): it becomes pending.
pub fn retry_failed(tx: &Transaction<'_>, id: i64) -> Result<bool> {
    Ok(tx.execute(
        "UPDATE outbox SET state = 'pending', next_attempt_at = NULL WHERE id = ?1 AND state = 'failed'",
        [id],
    )? == 1)
}

/// What the connection indicator shows.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Counts {
    /// Messages still to send.
    pub outbox: u32,
    /// Messages the hub refused for good.
    pub failed: u32,
    /// Packages waiting for the clerk.
    pub inbox: u32,
}

/// The counts of the connection indicator.
pub fn counts(conn: &Connection) -> Result<Counts> {
    Ok(conn.query_row(
        "SELECT (SELECT count(*) FROM outbox WHERE state IN ('pending', 'unknown')),
                (SELECT count(*) FROM outbox WHERE state = 'failed'),
                (SELECT count(*) FROM inbox WHERE state = 'waiting')",
        [],
        |r| Ok(Counts { outbox: r.get(0)?, failed: r.get(1)?, inbox: r.get(2)? }),
    )?)
}

/// Where an inbox package is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum InboxState {
    /// Waiting for the clerk.
    Waiting,
    /// Registered as an incoming document.
    Registered,
    /// Rejected (status 02 sent).
    Rejected,
    /// Recalled by its sender before it was registered.
    Withdrawn,
    /// A recall (or another notice) that was applied to what it names.
    Applied,
}

impl InboxState {
    /// The stored value.
    pub fn as_str(self) -> &'static str {
        match self {
            InboxState::Waiting => "waiting",
            InboxState::Registered => "registered",
            InboxState::Rejected => "rejected",
            InboxState::Withdrawn => "withdrawn",
            InboxState::Applied => "applied",
        }
    }

    fn parse(s: &str) -> rusqlite::Result<InboxState> {
        match s {
            "waiting" => Ok(InboxState::Waiting),
            "registered" => Ok(InboxState::Registered),
            "rejected" => Ok(InboxState::Rejected),
            "withdrawn" => Ok(InboxState::Withdrawn),
            "applied" => Ok(InboxState::Applied),
            other => Err(bad_value("state", other)),
        }
    }
}

/// A file of an arrived package.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ArrivalFile {
    /// Its bytes in the file store.
    pub file: StoredFile,
    /// Its name (AttachmentName).
    pub name: String,
    /// Its content type.
    pub media_type: String,
}

/// A package to keep in the inbox.
#[derive(Clone, Debug)]
pub struct NewArrival<'a> {
    /// The hub's message id.
    pub hub_doc_id: &'a str,
    /// The sender's OrganId.
    pub sender: &'a str,
    /// The sender's name.
    pub sender_name: &'a str,
    /// The DocumentId.
    pub document_id: &'a str,
    /// The message key's kind (`edoc:N`).
    pub kind: &'a str,
    /// The edXML file as received.
    pub package: &'a StoredFile,
    /// "7816/VPCP-TTĐT".
    pub code: Option<&'a str>,
    /// Trích yếu.
    pub subject: &'a str,
    /// The document type's name.
    pub type_name: Option<&'a str>,
    /// 0–4.
    pub priority: u8,
    /// yyyy-mm-dd.
    pub promulgation_date: Option<&'a str>,
    /// BussinessDocReason.
    pub reason: Option<&'a str>,
    /// What registration needs, as JSON.
    pub metadata: &'a serde_json::Value,
    /// The attachments.
    pub files: &'a [ArrivalFile],
    /// The signatures' verdict, when checked.
    pub verdict: Option<&'a str>,
    /// When it arrived.
    pub at: OffsetDateTime,
}

/// An inbox package.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct InboxItem {
    /// Its row.
    pub id: i64,
    /// The hub's message id.
    pub hub_doc_id: String,
    /// The sender's OrganId.
    pub sender: String,
    /// The sender's name.
    pub sender_name: String,
    /// The DocumentId.
    pub document_id: String,
    /// `edoc:0` new, `edoc:1` recall, `edoc:2` update, `edoc:3` replace.
    pub kind: String,
    /// The edXML file.
    pub sha256: String,
    /// Its size.
    pub size: u64,
    /// "7816/VPCP-TTĐT".
    pub code: Option<String>,
    /// Trích yếu.
    pub subject: String,
    /// Type name.
    pub type_name: Option<String>,
    /// 0 normal … 4.
    pub priority: u8,
    /// yyyy-mm-dd.
    pub promulgation_date: Option<String>,
    /// BussinessDocReason.
    pub reason: Option<String>,
    /// What registration needs.
    pub metadata: serde_json::Value,
    /// When it arrived (RFC 3339).
    pub received_at: String,
    /// The signatures' verdict.
    pub verdict: Option<String>,
    /// Where it is.
    pub state: InboxState,
    /// The register's document it became (or a recall applied to).
    pub document: Option<String>,
    /// When the clerk (or the recall) decided.
    pub decided_at: Option<String>,
    /// Who.
    pub decided_by: Option<String>,
    /// The rejection's reason, or what a recall did.
    pub decision_note: Option<String>,
    /// Its files.
    pub files: Vec<ArrivalFile>,
}

/// Keeps an arrival and returns its id, or `None` when the same message (sender, DocumentId, kind) is
/// already kept: a repeated delivery.
pub fn insert_arrival(tx: &Transaction<'_>, a: &NewArrival<'_>) -> Result<Option<i64>> {
    let at = vietnam_rfc3339(a.at);
    remember_file(tx, a.package, EDXML_MEDIA_TYPE, &at)?;
    let id: Option<i64> = tx
        .query_row(
            "INSERT INTO inbox (hub_doc_id, sender, sender_name, document_id, kind, sha256, size, code, subject,
                                type_name, priority, promulgation_date, reason, metadata, received_at, verdict)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16)
             ON CONFLICT (sender, document_id, kind) DO NOTHING RETURNING id",
            params![
                a.hub_doc_id,
                a.sender,
                a.sender_name,
                a.document_id,
                a.kind,
                a.package.sha256,
                a.package.size as i64,
                a.code,
                a.subject,
                a.type_name,
                a.priority,
                a.promulgation_date,
                a.reason,
                a.metadata.to_string(),
                at,
                a.verdict
            ],
            |r| r.get(0),
        )
        .optional()?;
    if let Some(id) = id {
        for (ordinal, f) in a.files.iter().enumerate() {
            remember_file(tx, &f.file, &f.media_type, &at)?;
            tx.execute(
                "INSERT INTO inbox_file (inbox_id, ordinal, sha256, name, media_type) VALUES (?1, ?2, ?3, ?4, ?5)",
                params![id, ordinal as i64, f.file.sha256, f.name, f.media_type],
            )?;
        }
    }
    Ok(id)
}

const INBOX_COLUMNS: &str = "i.id, i.hub_doc_id, i.sender, i.sender_name, i.document_id, i.kind, i.sha256, i.size,
    i.code, i.subject, i.type_name, i.priority, i.promulgation_date, i.reason, i.metadata, i.received_at, i.verdict,
    i.state, d.id, i.decided_at, i.decided_by, i.decision_note";

fn inbox_row(r: &Row<'_>) -> rusqlite::Result<InboxItem> {
    let metadata: String = r.get(14)?;
    Ok(InboxItem {
        id: r.get(0)?,
        hub_doc_id: r.get(1)?,
        sender: r.get(2)?,
        sender_name: r.get(3)?,
        document_id: r.get(4)?,
        kind: r.get(5)?,
        sha256: r.get(6)?,
        size: r.get::<_, i64>(7)? as u64,
        code: r.get(8)?,
        subject: r.get(9)?,
        type_name: r.get(10)?,
        priority: r.get(11)?,
        promulgation_date: r.get(12)?,
        reason: r.get(13)?,
        metadata: serde_json::from_str(&metadata).map_err(|_| bad_value("metadata", &metadata))?,
        received_at: r.get(15)?,
        verdict: r.get(16)?,
        state: InboxState::parse(&r.get::<_, String>(17)?)?,
        document: r.get(18)?,
        decided_at: r.get(19)?,
        decided_by: r.get(20)?,
        decision_note: r.get(21)?,
        files: Vec::new(),
    })
}

fn with_files(conn: &Connection, mut item: InboxItem) -> Result<InboxItem> {
    let mut stmt = conn.prepare_cached(
        "SELECT f.sha256, f.size, x.name, x.media_type FROM inbox_file x JOIN file f ON f.sha256 = x.sha256
         WHERE x.inbox_id = ?1 ORDER BY x.ordinal",
    )?;
    let rows = stmt.query_map([item.id], |r| {
        Ok(ArrivalFile {
            file: StoredFile { sha256: r.get(0)?, size: r.get::<_, i64>(1)? as u64 },
            name: r.get(2)?,
            media_type: r.get(3)?,
        })
    })?;
    item.files = rows.collect::<rusqlite::Result<_>>()?;
    Ok(item)
}

/// One inbox package with its files.
pub fn inbox_item(conn: &Connection, id: i64) -> Result<Option<InboxItem>> {
    one_inbox(conn, "i.id = ?1", params![id])
}

/// The inbox package of a message key, if kept.
pub fn inbox_by_key(conn: &Connection, sender: &str, document_id: &str, kind: &str) -> Result<Option<InboxItem>> {
    one_inbox(conn, "i.sender = ?1 AND i.document_id = ?2 AND i.kind = ?3", params![sender, document_id, kind])
}

/// The inbox package (the latest, with its files) that matches `condition`.
fn one_inbox(conn: &Connection, condition: &str, values: impl rusqlite::Params) -> Result<Option<InboxItem>> {
    let sql = format!(
        "SELECT {INBOX_COLUMNS} FROM inbox i LEFT JOIN document d ON d.rowid = i.document_rowid
         WHERE {condition} ORDER BY i.id DESC LIMIT 1"
    );
    match conn.query_row(&sql, values, inbox_row).optional()? {
        Some(item) => Ok(Some(with_files(conn, item)?)),
        None => Ok(None),
    }
}

/// Inbox packages, in one state or all, newest first, with their files.
pub fn inbox(conn: &Connection, state: Option<InboxState>, limit: u32) -> Result<Vec<InboxItem>> {
    let sql = format!(
        "SELECT {INBOX_COLUMNS} FROM inbox i LEFT JOIN document d ON d.rowid = i.document_rowid
         WHERE ?1 IS NULL OR i.state = ?1 ORDER BY i.id DESC LIMIT ?2"
    );
    let mut stmt = conn.prepare(&sql)?;
    let items = stmt
        .query_map(params![state.map(InboxState::as_str), limit.clamp(1, 1000)], inbox_row)?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    items.into_iter().map(|i| with_files(conn, i)).collect()
}

/// Records what became of a waiting package. Fails with [`StoreError::Conflict`] when it is no longer
/// waiting (another clerk, or a recall, decided first).
pub fn decide(
    tx: &Transaction<'_>,
    id: i64,
    state: InboxState,
    document: Option<&str>,
    note: Option<&str>,
    at: OffsetDateTime,
    actor: &str,
) -> Result<()> {
    let rowid = document.map(|d| rowid_of(tx, d)).transpose()?;
    let changed = tx.execute(
        "UPDATE inbox SET state = ?2, document_rowid = ?3, decision_note = ?4, decided_at = ?5, decided_by = ?6
         WHERE id = ?1 AND state = 'waiting'",
        params![id, state.as_str(), rowid, note, vietnam_rfc3339(at), actor],
    )?;
    if changed == 0 {
        return Err(StoreError::Conflict("gói tin này đã được xử lý trước đó".to_owned()));
    }
    Ok(())
}

/// A status that passed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct StatusRecord {
    /// The DocumentId it is about.
    pub document_id: String,
    /// The register's document, when we have it.
    pub document: Option<String>,
    /// `in`: sent to us; `out`: sent by us.
    pub way: String,
    /// Who sent it (in) or to whom (out).
    pub organ_id: String,
    /// Their name, when known.
    pub organ_name: Option<String>,
    /// 01 … 16.
    pub code: String,
    /// Its description (a rejection's reason).
    pub description: Option<String>,
    /// The packet's own time (RFC 3339, Vietnam).
    pub at: String,
    /// When it was recorded here.
    pub recorded_at: String,
}

/// Records a status (once: a repeated delivery of the same status is ignored); `true` when new.
pub fn record_status(tx: &Transaction<'_>, s: &StatusRecord) -> Result<bool> {
    let rowid = s.document.as_deref().map(|d| rowid_of(tx, d)).transpose()?;
    Ok(tx.execute(
        "INSERT INTO exchange_status (document_id, document_rowid, way, organ_id, organ_name, code, description, at,
                                      recorded_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)
         ON CONFLICT (document_id, way, organ_id, code, at) DO NOTHING",
        params![s.document_id, rowid, s.way, s.organ_id, s.organ_name, s.code, s.description, s.at, s.recorded_at],
    )? == 1)
}

/// Every status about a DocumentId, oldest first.
pub fn statuses(conn: &Connection, document_id: &str) -> Result<Vec<StatusRecord>> {
    let mut stmt = conn.prepare_cached(
        "SELECT s.document_id, d.id, s.way, s.organ_id, s.organ_name, s.code, s.description, s.at, s.recorded_at
         FROM exchange_status s LEFT JOIN document d ON d.rowid = s.document_rowid
         WHERE s.document_id = ?1 ORDER BY s.id",
    )?;
    let rows = stmt.query_map([document_id], |r| {
        Ok(StatusRecord {
            document_id: r.get(0)?,
            document: r.get(1)?,
            way: r.get(2)?,
            organ_id: r.get(3)?,
            organ_name: r.get(4)?,
            code: r.get(5)?,
            description: r.get(6)?,
            at: r.get(7)?,
            recorded_at: r.get(8)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// The document of a direction with this DocumentId (the latest registration, cancelled or not).
pub fn document_by_exchange_id(conn: &Connection, exchange_id: &str, outgoing: bool) -> Result<Option<RegisterRow>> {
    let sql = format!(
        "SELECT {ROW_COLUMNS} FROM document d JOIN series s ON s.id = d.series_id
         WHERE d.exchange_id = ?1 AND d.direction = ?2 ORDER BY d.rowid DESC LIMIT 1"
    );
    let direction = if outgoing { "outgoing" } else { "incoming" };
    Ok(conn.query_row(&sql, params![exchange_id, direction], read_row).optional()?)
}

/// Sets the DocumentId of an incoming document registered from a package (the package's own, which
/// may differ from the one its code would give).
pub fn set_exchange_id(tx: &Transaction<'_>, id: &str, exchange_id: &str) -> Result<()> {
    tx.execute(
        "UPDATE document SET exchange_id = ?2 WHERE id = ?1 AND exchange_id IS NOT ?2",
        params![id, exchange_id],
    )?;
    Ok(())
}

/// What an exchange audit entry is about.
#[derive(Clone, Copy, Debug)]
pub enum AuditSubject<'a> {
    /// A register's document, by id (it shows in the document's history).
    Document(&'a str),
    /// A message: a hub id or a DocumentId (entity `exchange`).
    Message(&'a str),
}

/// Appends an exchange audit entry (`action`, with `new`) in the caller's transaction.
pub fn audit(
    tx: &Transaction<'_>,
    at: OffsetDateTime,
    actor: &str,
    action: &str,
    subject: AuditSubject<'_>,
    new: serde_json::Value,
) -> Result<()> {
    let at = vietnam_rfc3339(at);
    let (entity, entity_id) = match subject {
        AuditSubject::Document(id) => ("document", id),
        AuditSubject::Message(id) => ("exchange", id),
    };
    crate::audit::append(
        tx,
        &crate::audit::NewAuditEntry { at: &at, actor, action, entity, entity_id, old: None, new: Some(new) },
    )?;
    Ok(())
}

/// The link's state.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct SyncState {
    /// When the worker last tried (RFC 3339).
    pub last_attempt_at: Option<String>,
    /// When a pass last succeeded.
    pub last_success_at: Option<String>,
    /// Passes failed in a row.
    pub failures: u32,
    /// When the worker tries again.
    pub next_attempt_at: Option<String>,
    /// What the last failed pass met.
    pub last_error: Option<String>,
}

/// The link's state.
pub fn sync_state(conn: &Connection) -> Result<SyncState> {
    Ok(conn.query_row(
        "SELECT last_attempt_at, last_success_at, failures, next_attempt_at, last_error FROM sync_state WHERE id = 1",
        [],
        |r| {
            Ok(SyncState {
                last_attempt_at: r.get(0)?,
                last_success_at: r.get(1)?,
                failures: r.get(2)?,
                next_attempt_at: r.get(3)?,
                last_error: r.get(4)?,
            })
        },
    )?)
}

/// Records a pass: a success resets the failures; a failure counts and defers the next pass.
pub fn record_pass(
    tx: &Transaction<'_>,
    at: OffsetDateTime,
    error: Option<&str>,
    next_attempt_at: Option<OffsetDateTime>,
) -> Result<()> {
    let at = vietnam_rfc3339(at);
    let next = next_attempt_at.map(vietnam_rfc3339);
    match error {
        None => tx.execute(
            "UPDATE sync_state SET last_attempt_at = ?1, last_success_at = ?1, failures = 0, next_attempt_at = ?2,
                                   last_error = NULL WHERE id = 1",
            params![at, next],
        )?,
        Some(e) => tx.execute(
            "UPDATE sync_state SET last_attempt_at = ?1, failures = failures + 1, next_attempt_at = ?2, last_error = ?3
             WHERE id = 1",
            params![at, next, e],
        )?,
    };
    Ok(())
}

fn bad_value(column: &str, value: &str) -> rusqlite::Error {
    rusqlite::Error::FromSqlConversionFailure(
        0,
        rusqlite::types::Type::Text,
        format!("exchange: unexpected {column} {value:?}").into(),
    )
}

/// The package a registered incoming document came from, if it came through the hub.
pub fn arrival_of_document(conn: &Connection, id: &str) -> Result<Option<InboxItem>> {
    one_inbox(conn, "d.id = ?1 AND i.state = 'registered'", params![id])
}

/// The name the directory knows an OrganId by (the most used one).
pub fn organ_name(conn: &Connection, organ_id: &str) -> Result<Option<String>> {
    Ok(conn
        .query_row("SELECT name FROM organ WHERE organ_id = ?1 ORDER BY uses DESC, id LIMIT 1", [organ_id], |r| {
            r.get(0)
        })
        .optional()?)
}

/// Names the files of a document registered from a package as the package named them (in order).
pub fn rename_files(tx: &Transaction<'_>, id: &str, names: &[String]) -> Result<()> {
    let rowid = rowid_of(tx, id)?;
    for (ordinal, name) in names.iter().enumerate() {
        tx.execute(
            "UPDATE document_file SET name = ?3 WHERE document_rowid = ?1 AND ordinal = ?2",
            params![rowid, ordinal as i64, name],
        )?;
    }
    Ok(())
}
