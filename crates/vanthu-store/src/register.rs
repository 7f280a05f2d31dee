//! The register books: drawing numbers, writing registrations, cancelling, reading pages.
//!
//! **Numbering invariant.** A number is drawn by incrementing `series.last_number` inside the same
//! transaction that inserts the document, its files, its search entry and its audit entry. Either all of
//! it commits or none of it does, so the numbers of committed documents in a series and year are exactly
//! 1..=last_number: no gap, no duplicate (`UNIQUE (series_id, number)` backs this up), whatever crashes.
//! A cancelled document keeps its number.
//!
//! **Paging.** Each row also gets a position in its register (direction, year), again 1..=n without
//! gaps, so that any page of a register of a million rows is an index range, not an OFFSET scan.

use rusqlite::{Connection, OptionalExtension, Row, Transaction, params};
use serde::{Deserialize, Serialize};
use serde_json::json;
use time::format_description::well_known::Rfc3339;
use time::{Date, OffsetDateTime};
use vanthu_core::VIETNAM_OFFSET;
use vanthu_core::document::{
    Channel, Direction, DocumentCode, Incoming, Outgoing, Recipient, Secrecy, Urgency, exchange_document_id,
};
use vanthu_core::handling::HandlingStatus;
use vanthu_core::numbering::{SeriesKey, format_number, numbering_year};
use vanthu_core::text::fold;

use crate::audit::{self, NewAuditEntry};
use crate::files::StoredFile;
use crate::search::{self, SearchFields};
use crate::{Result, StoreError};

/// The organisation owning the register.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Organisation {
    /// Mã định danh.
    pub org_id: String,
    /// Full name.
    pub name: String,
    /// Abbreviation used in code notations (UBND).
    pub abbreviation: String,
}

/// A row of a register as shown and printed (App. IV columns and more).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RegisterRow {
    /// Opaque id.
    pub id: String,
    /// Incoming or outgoing.
    pub direction: Direction,
    /// The numbering year.
    pub year: i32,
    /// Series key (`den`, `di`, `di/qppl/QĐ`…).
    pub series: String,
    /// Position in the year's register (for paging).
    pub position: i64,
    /// The number drawn from the series: số đến, or the outgoing number.
    pub number: i64,
    /// The number as written: `12` for an arrival, `01` for an outgoing document.
    pub number_text: String,
    /// Số, ký hiệu: the sender's for incoming (`136/TTr-STTTT`), ours for outgoing (`01/QĐ-UBND`).
    pub code: String,
    /// CodeNumber part of `code`.
    pub code_number: Option<String>,
    /// CodeNotation part of `code`.
    pub code_notation: Option<String>,
    /// When it was registered (RFC 3339, +07:00).
    pub registered_at: String,
    /// Ngày đến (incoming).
    pub arrival_date: Option<String>,
    /// Ngày tháng văn bản: the date on the document (for outgoing, its issue date).
    pub document_date: Option<String>,
    /// Organisation id of the author.
    pub organ_id: Option<String>,
    /// Tác giả / cơ quan ban hành.
    pub organ_name: String,
    /// Tên loại.
    pub type_name: String,
    /// Trích yếu.
    pub subject: String,
    /// Người ký.
    pub signer: Option<String>,
    /// Nơi nhận.
    pub recipients: Vec<String>,
    /// Đơn vị hoặc người nhận (incoming).
    pub handler: Option<String>,
    /// Bản lưu (outgoing).
    pub archive_holder: Option<String>,
    /// Số lượng bản.
    pub copies: Option<u32>,
    /// Độ khẩn.
    pub urgency: Option<Urgency>,
    /// Độ mật.
    pub secrecy: Option<Secrecy>,
    /// Paper or electronic (incoming).
    pub channel: Option<Channel>,
    /// Hạn xử lý.
    pub due_date: Option<String>,
    /// By when it must be registered and presented (domain §6).
    pub register_deadline: Option<String>,
    /// Whether the registration was cancelled (it keeps its number).
    pub cancelled: bool,
    /// When.
    pub cancelled_at: Option<String>,
    /// Why.
    pub cancel_reason: Option<String>,
    /// Ghi chú.
    pub note: Option<String>,
    /// Exchange-form document id.
    pub exchange_id: Option<String>,
    /// The id of the incoming document this outgoing one answers (ResponseFor).
    pub response_for: Option<String>,
    /// Whether the (outgoing) document was recalled; a recalled record is frozen.
    pub recalled: bool,
    /// When.
    pub recalled_at: Option<String>,
    /// Why.
    pub recall_reason: Option<String>,
    /// Where its handling stands (incoming, once assigned).
    pub handling_status: Option<HandlingStatus>,
    /// The handling deadline (RFC 3339), once assigned.
    pub handling_deadline: Option<String>,
    /// The lead unit or person, once assigned.
    pub lead: Option<String>,
    /// When it was assigned (handed over: the register's "Ngày chuyển"), RFC 3339.
    pub assigned_at: Option<String>,
}

/// A page of rows, newest first.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Page<T> {
    /// The rows.
    pub items: Vec<T>,
    /// 0-based page index.
    pub page: u32,
    /// Rows per page.
    pub page_size: u32,
    /// Rows in the whole result, when known cheaply (registers: always; searches: never).
    pub total: Option<u64>,
    /// Whether a next page exists.
    pub has_more: bool,
}

/// A file to attach in a registration (already in the file store).
#[derive(Clone, Debug)]
pub struct Attachment {
    /// The stored bytes.
    pub file: StoredFile,
    /// The name the clerk gave it (NFC, no path).
    pub name: String,
    /// Media type.
    pub media_type: String,
    /// `main` or `attachment`.
    pub main: bool,
}

/// A file attached to a document.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DocumentFile {
    /// SHA-256.
    pub sha256: String,
    /// Size.
    pub size: u64,
    /// Name.
    pub name: String,
    /// Media type.
    pub media_type: String,
    /// `main` or `attachment`.
    pub role: String,
}

/// Why a registration looks like a duplicate.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum DuplicateReason {
    /// Same exchange document id.
    SameDocumentId,
    /// Same number, notation and issuer, issued in the same year (or in an unknown year).
    SameCodeAndIssuer,
}

/// The earlier registration a new one duplicates.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DuplicateOf {
    /// Why.
    pub reason: DuplicateReason,
    /// The earlier registration.
    pub earlier: RegisterRow,
}

impl std::fmt::Display for DuplicateOf {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let e = &self.earlier;
        write!(
            f,
            "văn bản {} của {} đã được đăng ký: số đến {} ngày {} (mã {}){}",
            e.code,
            e.organ_name,
            e.number,
            e.arrival_date.as_deref().unwrap_or(&e.registered_at),
            e.id,
            match self.reason {
                DuplicateReason::SameDocumentId => ", trùng mã định danh văn bản",
                DuplicateReason::SameCodeAndIssuer => ", trùng số, ký hiệu và cơ quan ban hành",
            }
        )
    }
}

/// Formats a time as RFC 3339 in Vietnam time.
pub fn vietnam_rfc3339(at: OffsetDateTime) -> String {
    at.to_offset(VIETNAM_OFFSET).replace_nanosecond(0).unwrap_or(at).format(&Rfc3339).unwrap_or_else(|_| at.to_string())
}

fn date_text(d: Date) -> String {
    format!("{:04}-{:02}-{:02}", d.year(), u8::from(d.month()), d.day())
}

/// Writes the organisation; a register is initialised once.
pub fn init_organisation(tx: &Transaction<'_>, org: &Organisation, at: OffsetDateTime, actor: &str) -> Result<()> {
    if let Some(existing) = organisation(tx)? {
        return Err(StoreError::AlreadyInitialised(existing.name));
    }
    let at = vietnam_rfc3339(at);
    tx.execute(
        "INSERT INTO organisation (id, org_id, name, abbreviation, created_at) VALUES (1, ?1, ?2, ?3, ?4)",
        params![org.org_id, org.name, org.abbreviation, at],
    )?;
    audit::append(
        tx,
        &NewAuditEntry {
            at: &at,
            actor,
            action: "organisation.init",
            entity: "organisation",
            entity_id: &org.org_id,
            old: None,
            new: Some(serde_json::to_value(org).map_err(|e| StoreError::Invalid(e.to_string()))?),
        },
    )?;
    Ok(())
}

/// The organisation, if the register is initialised.
pub fn organisation(conn: &Connection) -> Result<Option<Organisation>> {
    Ok(conn
        .query_row("SELECT org_id, name, abbreviation FROM organisation WHERE id = 1", [], |r| {
            Ok(Organisation { org_id: r.get(0)?, name: r.get(1)?, abbreviation: r.get(2)? })
        })
        .optional()?)
}

fn require_organisation(conn: &Connection) -> Result<Organisation> {
    organisation(conn)?.ok_or(StoreError::NotInitialised)
}

/// Draws the next number of `series` in `year` (the first is 1). Only inside a write transaction.
pub fn draw_number(tx: &Transaction<'_>, series: &SeriesKey, year: i32) -> Result<(i64, i64)> {
    tx.execute(
        "INSERT INTO series (series_key, year, last_number) VALUES (?1, ?2, 0) ON CONFLICT DO NOTHING",
        params![series.key(), year],
    )?;
    Ok(tx.query_row(
        "UPDATE series SET last_number = last_number + 1 WHERE series_key = ?1 AND year = ?2
         RETURNING id, last_number",
        params![series.key(), year],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )?)
}

/// The number the next registration in `series` and `year` would get (a preview: only the
/// registration's transaction fixes it).
pub fn peek_number(conn: &Connection, series: &SeriesKey, year: i32) -> Result<i64> {
    let last: Option<i64> = conn
        .query_row(
            "SELECT last_number FROM series WHERE series_key = ?1 AND year = ?2",
            params![series.key(), year],
            |r| r.get(0),
        )
        .optional()?;
    Ok(last.unwrap_or(0) + 1)
}

fn next_position(tx: &Transaction<'_>, direction: Direction, year: i32) -> Result<i64> {
    Ok(tx.query_row(
        "INSERT INTO register_book (direction, year, last_row) VALUES (?1, ?2, 1)
         ON CONFLICT (direction, year) DO UPDATE SET last_row = last_row + 1
         RETURNING last_row",
        params![direction.as_str(), year],
        |r| r.get(0),
    )?)
}

/// Looks for an earlier, not cancelled, registration of the same incoming document.
pub fn find_duplicate(conn: &Connection, doc: &Incoming) -> Result<Option<DuplicateOf>> {
    if let (Some(organ_id), Some(issued), Some(code)) = (&doc.organ_id, doc.issued_date, &doc.code) {
        let exchange_id = exchange_document_id(organ_id, issued, code);
        let sql = format!(
            "SELECT {COLUMNS} FROM document d JOIN series s ON s.id = d.series_id
             WHERE d.exchange_id = ?1 AND d.direction = 'incoming' AND d.cancelled_at IS NULL
             ORDER BY d.rowid LIMIT 1"
        );
        if let Some(earlier) = conn.query_row(&sql, params![exchange_id], map_row).optional()? {
            return Ok(Some(DuplicateOf { reason: DuplicateReason::SameDocumentId, earlier }));
        }
    }
    if let Some(code) = &doc.code {
        // Senders number from 1 every January: the same code from the same issuer in another year of
        // issue is another document. When either date is unknown, warn.
        let sql = format!(
            "SELECT {COLUMNS} FROM document d JOIN series s ON s.id = d.series_id
             WHERE d.code_number = ?1 AND d.code_notation = ?2 AND d.organ_fold = ?3
               AND d.direction = 'incoming' AND d.cancelled_at IS NULL
               AND (?4 IS NULL OR d.document_date IS NULL OR substr(d.document_date, 1, 4) = ?4)
             ORDER BY d.rowid LIMIT 1"
        );
        let issued_year = doc.issued_date.map(|d| format!("{:04}", d.year()));
        let found = conn
            .query_row(&sql, params![code.number, code.notation, fold(&doc.organ_name), issued_year], map_row)
            .optional()?;
        if let Some(earlier) = found {
            return Ok(Some(DuplicateOf { reason: DuplicateReason::SameCodeAndIssuer, earlier }));
        }
    }
    Ok(None)
}

/// An incoming registration, ready to write.
#[derive(Clone, Debug)]
pub struct NewIncoming<'a> {
    /// The new document's id.
    pub id: &'a str,
    /// Arrival time (the numbering year and arrival date follow from it, in Vietnam time).
    pub at: OffsetDateTime,
    /// Who registers it.
    pub actor: &'a str,
    /// The checked metadata.
    pub doc: &'a Incoming,
    /// Deadline for registration and presentation (from the working-time calendar).
    pub register_deadline: Option<OffsetDateTime>,
    /// Files, already in the file store.
    pub files: &'a [Attachment],
    /// Register even when it looks like a duplicate.
    pub allow_duplicate: bool,
}

/// Registers an incoming document: draws its arrival number and writes it with its files, search
/// entry and audit entry, in the caller's transaction.
pub fn register_incoming(tx: &Transaction<'_>, new: &NewIncoming<'_>) -> Result<RegisterRow> {
    require_organisation(tx)?;
    let doc = new.doc;
    if !new.allow_duplicate
        && let Some(dup) = find_duplicate(tx, doc)?
    {
        return Err(StoreError::Duplicate(Box::new(dup)));
    }
    let year = numbering_year(new.at);
    let (series_id, number) = draw_number(tx, &SeriesKey::Incoming, year)?;
    let exchange_id = match (&doc.organ_id, doc.issued_date, &doc.code) {
        (Some(o), Some(d), Some(c)) => Some(exchange_document_id(o, d, c)),
        _ => None,
    };
    let row = WriteRow {
        id: new.id,
        direction: Direction::Incoming,
        year,
        series_id,
        series: SeriesKey::Incoming,
        number,
        code: doc.code.clone(),
        at: new.at,
        document_date: doc.issued_date,
        organ_id: doc.organ_id.as_deref(),
        organ_name: &doc.organ_name,
        type_name: &doc.type_name,
        subject: &doc.subject,
        signer: doc.signer.as_deref(),
        signer_position: None,
        recipients: &[],
        handler: doc.handler.as_deref(),
        archive_holder: None,
        copies: None,
        page_amount: doc.page_amount,
        urgency: doc.urgency,
        secrecy: doc.secrecy,
        channel: Some(doc.channel),
        due_date: doc.due_date,
        register_deadline: new.register_deadline,
        note: doc.note.as_deref(),
        exchange_id,
        actor: new.actor,
        action: "incoming.register",
        files: new.files,
        response_for: None,
        delivery: &[],
    };
    write_row(tx, &row)
}

/// An outgoing registration, ready to write.
#[derive(Clone, Debug)]
pub struct NewOutgoing<'a> {
    /// The new document's id.
    pub id: &'a str,
    /// Issue time (the numbering year and issue date follow from it, in Vietnam time).
    pub at: OffsetDateTime,
    /// Who registers it.
    pub actor: &'a str,
    /// The checked metadata.
    pub doc: &'a Outgoing,
    /// Files, already in the file store.
    pub files: &'a [Attachment],
    /// The incoming document it answers (ResponseFor), by id.
    pub response_for: Option<&'a str>,
    /// Recipients in detail (the names also go to `doc.recipients` for the register's "Nơi nhận").
    pub delivery: &'a [Recipient],
}

/// Registers an outgoing document: draws its number from the series its kind belongs to, builds its
/// code notation, and writes it like [`register_incoming`].
pub fn register_outgoing(tx: &Transaction<'_>, new: &NewOutgoing<'_>) -> Result<RegisterRow> {
    let org = require_organisation(tx)?;
    let doc = new.doc;
    let year = numbering_year(new.at);
    let (series_id, number) = draw_number(tx, &doc.kind.series, year)?;
    let number_u32 = u32::try_from(number).map_err(|_| StoreError::Invalid(format!("số {number}")))?;
    let code = DocumentCode { number: format_number(number_u32), notation: doc.kind.notation(&org.abbreviation, year) };
    let issued = new.at.to_offset(VIETNAM_OFFSET).date();
    let exchange_id = exchange_document_id(&org.org_id, issued, &code);
    let response_for = match new.response_for {
        Some(answered) => {
            let rowid = rowid_of(tx, answered)?;
            let answered_row = get_by_rowid(tx, rowid)?;
            if answered_row.direction != Direction::Incoming {
                return Err(StoreError::Conflict("văn bản được trả lời phải là văn bản đến".to_owned()));
            }
            Some(rowid)
        }
        None => None,
    };
    let row = WriteRow {
        id: new.id,
        direction: Direction::Outgoing,
        year,
        series_id,
        series: doc.kind.series.clone(),
        number,
        code: Some(code),
        at: new.at,
        document_date: Some(issued),
        organ_id: Some(&org.org_id),
        organ_name: &org.name,
        type_name: &doc.kind.type_name,
        subject: &doc.subject,
        signer: Some(&doc.signer),
        signer_position: doc.signer_position.as_deref(),
        recipients: &doc.recipients,
        handler: None,
        archive_holder: doc.archive_holder.as_deref(),
        copies: doc.copies,
        page_amount: doc.page_amount,
        urgency: doc.urgency,
        secrecy: doc.secrecy,
        channel: None,
        due_date: doc.due_date,
        register_deadline: None,
        note: doc.note.as_deref(),
        exchange_id: Some(exchange_id),
        actor: new.actor,
        action: "outgoing.register",
        files: new.files,
        response_for,
        delivery: new.delivery,
    };
    write_row(tx, &row)
}

struct WriteRow<'a> {
    id: &'a str,
    direction: Direction,
    year: i32,
    series_id: i64,
    series: SeriesKey,
    number: i64,
    code: Option<DocumentCode>,
    at: OffsetDateTime,
    document_date: Option<Date>,
    organ_id: Option<&'a str>,
    organ_name: &'a str,
    type_name: &'a str,
    subject: &'a str,
    signer: Option<&'a str>,
    signer_position: Option<&'a str>,
    recipients: &'a [String],
    handler: Option<&'a str>,
    archive_holder: Option<&'a str>,
    copies: Option<u32>,
    page_amount: Option<u32>,
    urgency: Option<Urgency>,
    secrecy: Option<Secrecy>,
    channel: Option<Channel>,
    due_date: Option<Date>,
    register_deadline: Option<OffsetDateTime>,
    note: Option<&'a str>,
    exchange_id: Option<String>,
    actor: &'a str,
    action: &'a str,
    files: &'a [Attachment],
    response_for: Option<i64>,
    delivery: &'a [Recipient],
}

fn write_row(tx: &Transaction<'_>, w: &WriteRow<'_>) -> Result<RegisterRow> {
    let position = next_position(tx, w.direction, w.year)?;
    let at = vietnam_rfc3339(w.at);
    let register_date = date_text(w.at.to_offset(VIETNAM_OFFSET).date());
    let recipients = serde_json::to_string(w.recipients).map_err(|e| StoreError::Invalid(e.to_string()))?;
    let code_number = w.code.as_ref().map(|c| c.number.as_str());
    let code_notation = w.code.as_ref().map(|c| c.notation.as_str());
    let audit_new = json!({
        "direction": w.direction.as_str(),
        "series": w.series.key(),
        "year": w.year,
        "number": w.number,
        "position": position,
        "code": w.code.as_ref().map(DocumentCode::display),
        "registered_at": at,
        "organ_id": w.organ_id,
        "organ_name": w.organ_name,
        "type_name": w.type_name,
        "subject": w.subject,
        "signer": w.signer,
        "recipients": w.recipients,
        "urgency": w.urgency.map(Urgency::code),
        "secrecy": w.secrecy.map(Secrecy::code),
        "due_date": w.due_date.map(date_text),
        "files": w.files.iter().map(|f| json!({"sha256": f.file.sha256, "name": f.name})).collect::<Vec<_>>(),
        "response_for": w.response_for,
        "delivery": w.delivery,
    });
    let audit_seq = audit::append(
        tx,
        &NewAuditEntry {
            at: &at,
            actor: w.actor,
            action: w.action,
            entity: "document",
            entity_id: w.id,
            old: None,
            new: Some(audit_new),
        },
    )?;
    tx.execute(
        "INSERT INTO document (id, direction, year, position, series_id, number, code_number, code_notation,
            registered_at, register_date, document_date, organ_id, organ_name, organ_fold, type_name, subject,
            signer, signer_position, recipients, handler, archive_holder, copies, page_amount, urgency, secrecy,
            channel, due_date, register_deadline, note, exchange_id, audit_seq, response_for)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20,
            ?21, ?22, ?23, ?24, ?25, ?26, ?27, ?28, ?29, ?30, ?31, ?32)",
        params![
            w.id,
            w.direction.as_str(),
            w.year,
            position,
            w.series_id,
            w.number,
            code_number,
            code_notation,
            at,
            register_date,
            w.document_date.map(date_text),
            w.organ_id,
            w.organ_name,
            fold(w.organ_name),
            w.type_name,
            w.subject,
            w.signer,
            w.signer_position,
            recipients,
            w.handler,
            w.archive_holder,
            w.copies,
            w.page_amount,
            w.urgency.map(Urgency::code),
            w.secrecy.map(Secrecy::code),
            w.channel.map(Channel::code),
            w.due_date.map(date_text),
            w.register_deadline.map(vietnam_rfc3339),
            w.note,
            w.exchange_id,
            audit_seq,
            w.response_for,
        ],
    )?;
    let rowid = tx.last_insert_rowid();
    for (ordinal, r) in w.delivery.iter().enumerate() {
        tx.execute(
            "INSERT INTO recipient (document_rowid, ordinal, kind, organ_id, name, channel)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            params![
                rowid,
                ordinal as i64,
                if r.internal { "unit" } else { "organ" },
                r.organ_id,
                r.name,
                r.channel.code()
            ],
        )?;
        if !r.internal {
            crate::directory::remember(tx, &r.name, r.organ_id.as_deref(), w.at)?;
        }
    }
    if w.direction == Direction::Incoming {
        crate::directory::remember(tx, w.organ_name, w.organ_id, w.at)?;
    }
    for (ordinal, f) in w.files.iter().enumerate() {
        tx.execute(
            "INSERT INTO file (sha256, size, media_type, stored_at) VALUES (?1, ?2, ?3, ?4)
             ON CONFLICT (sha256) DO NOTHING",
            params![f.file.sha256, f.file.size as i64, f.media_type, at],
        )?;
        tx.execute(
            "INSERT INTO document_file (document_rowid, ordinal, sha256, name, role) VALUES (?1, ?2, ?3, ?4, ?5)",
            params![rowid, ordinal as i64, f.file.sha256, f.name, if f.main { "main" } else { "attachment" }],
        )?;
    }
    search::index_document(
        tx,
        rowid,
        &SearchFields {
            subject: w.subject,
            organ_name: w.organ_name,
            code_number,
            code_notation,
            type_name: w.type_name,
            signer: w.signer,
            handler: w.handler,
            recipients: &recipients,
            note: w.note,
        },
    )?;
    get_by_rowid(tx, rowid)
}

/// Cancels a registration: it keeps its number, marked cancelled with the reason.
pub fn cancel(tx: &Transaction<'_>, id: &str, reason: &str, at: OffsetDateTime, actor: &str) -> Result<RegisterRow> {
    let before = get(tx, id)?.ok_or_else(|| StoreError::NotFound(id.to_owned()))?;
    if before.cancelled {
        return Err(StoreError::AlreadyCancelled(id.to_owned()));
    }
    if before.recalled {
        return Err(StoreError::Conflict(format!(
            "văn bản {} đã thu hồi: hồ sơ của nó không thay đổi được nữa",
            before.code
        )));
    }
    stamp(tx, id, Stamp::Cancel, reason, at, actor)
}

/// A final mark on a document, with its reason.
#[derive(Clone, Copy)]
enum Stamp {
    /// Hủy đăng ký: the number stays, marked cancelled.
    Cancel,
    /// Thu hồi: the record is frozen from then on.
    Recall,
}

/// Audits and writes a [`Stamp`] (the caller has checked that it applies).
fn stamp(
    tx: &Transaction<'_>,
    id: &str,
    kind: Stamp,
    reason: &str,
    at: OffsetDateTime,
    actor: &str,
) -> Result<RegisterRow> {
    let at = vietnam_rfc3339(at);
    let (action, old, new, sql) = match kind {
        Stamp::Cancel => (
            "document.cancel",
            json!({"cancelled": false}),
            json!({"cancelled": true, "cancel_reason": reason, "cancelled_at": at}),
            "UPDATE document SET cancelled_at = ?2, cancel_reason = ?3 WHERE id = ?1 AND cancelled_at IS NULL",
        ),
        Stamp::Recall => (
            "outgoing.recall",
            json!({"recalled": false}),
            json!({"recalled": true, "recall_reason": reason, "recalled_at": at}),
            "UPDATE document SET recalled_at = ?2, recall_reason = ?3 WHERE id = ?1 AND recalled_at IS NULL",
        ),
    };
    audit::append(
        tx,
        &NewAuditEntry { at: &at, actor, action, entity: "document", entity_id: id, old: Some(old), new: Some(new) },
    )?;
    tx.execute(sql, params![id, at, reason])?;
    get(tx, id)?.ok_or_else(|| StoreError::NotFound(id.to_owned()))
}

/// The columns [`map_row`] reads, over `document d JOIN series s`.
const COLUMNS: &str = "d.id, d.direction, d.year, s.series_key, d.position, d.number, d.code_number, d.code_notation,
    d.registered_at, d.register_date, d.document_date, d.organ_id, d.organ_name, d.type_name, d.subject, d.signer,
    d.recipients, d.handler, d.archive_holder, d.copies, d.urgency, d.secrecy, d.channel, d.due_date,
    d.register_deadline, d.cancelled_at, d.cancel_reason, d.note, d.exchange_id,
    (SELECT r.id FROM document r WHERE r.rowid = d.response_for), d.recalled_at, d.recall_reason,
    (SELECT h.status FROM handling h WHERE h.document_rowid = d.rowid),
    (SELECT h.deadline FROM handling h WHERE h.document_rowid = d.rowid),
    (SELECT coalesce(u.name, a.full_name) FROM handler x LEFT JOIN unit u ON u.id = x.unit_id
        LEFT JOIN account a ON a.id = x.account_id WHERE x.document_rowid = d.rowid AND x.role = 'lead'),
    (SELECT h.assigned_at FROM handling h WHERE h.document_rowid = d.rowid)";

fn invalid(what: &str, value: &str) -> rusqlite::Error {
    rusqlite::Error::FromSqlConversionFailure(0, rusqlite::types::Type::Text, format!("{what}: {value:?}").into())
}

fn map_row(r: &Row<'_>) -> rusqlite::Result<RegisterRow> {
    let direction_text: String = r.get(1)?;
    let direction = Direction::parse(&direction_text).ok_or_else(|| invalid("direction", &direction_text))?;
    let number: i64 = r.get(5)?;
    let code_number: Option<String> = r.get(6)?;
    let code_notation: Option<String> = r.get(7)?;
    let register_date: String = r.get(9)?;
    let recipients_text: String = r.get(16)?;
    let recipients: Vec<String> =
        serde_json::from_str(&recipients_text).map_err(|_| invalid("recipients", &recipients_text))?;
    let code = match (&code_number, &code_notation) {
        (Some(n), Some(t)) => format!("{n}/{t}"),
        _ => String::new(),
    };
    let urgency: Option<String> = r.get(20)?;
    let secrecy: Option<String> = r.get(21)?;
    let channel: Option<String> = r.get(22)?;
    let cancelled_at: Option<String> = r.get(25)?;
    let recalled_at: Option<String> = r.get(30)?;
    let handling_status: Option<String> = r.get(32)?;
    Ok(RegisterRow {
        id: r.get(0)?,
        direction,
        year: r.get(2)?,
        series: r.get(3)?,
        position: r.get(4)?,
        number,
        number_text: match direction {
            Direction::Incoming => number.to_string(),
            Direction::Outgoing => code_number.clone().unwrap_or_else(|| number.to_string()),
        },
        code,
        code_number,
        code_notation,
        registered_at: r.get(8)?,
        arrival_date: (direction == Direction::Incoming).then(|| register_date.clone()),
        document_date: r.get(10)?,
        organ_id: r.get(11)?,
        organ_name: r.get(12)?,
        type_name: r.get(13)?,
        subject: r.get(14)?,
        signer: r.get(15)?,
        recipients,
        handler: r.get(17)?,
        archive_holder: r.get(18)?,
        copies: r.get(19)?,
        urgency: urgency.as_deref().map(|u| Urgency::parse(u).ok_or_else(|| invalid("urgency", u))).transpose()?,
        secrecy: secrecy.as_deref().map(|s| Secrecy::parse(s).ok_or_else(|| invalid("secrecy", s))).transpose()?,
        channel: channel.as_deref().map(|c| Channel::parse(c).ok_or_else(|| invalid("channel", c))).transpose()?,
        due_date: r.get(23)?,
        register_deadline: r.get(24)?,
        cancelled: cancelled_at.is_some(),
        cancelled_at,
        cancel_reason: r.get(26)?,
        note: r.get(27)?,
        exchange_id: r.get(28)?,
        response_for: r.get(29)?,
        recalled: recalled_at.is_some(),
        recalled_at,
        recall_reason: r.get(31)?,
        handling_status: handling_status
            .as_deref()
            .map(|s| HandlingStatus::parse(s).ok_or_else(|| invalid("handling status", s)))
            .transpose()?,
        handling_deadline: r.get(33)?,
        lead: r.get(34)?,
        assigned_at: r.get(35)?,
    })
}

fn get_by_rowid(conn: &Connection, rowid: i64) -> Result<RegisterRow> {
    let sql = format!("SELECT {COLUMNS} FROM document d JOIN series s ON s.id = d.series_id WHERE d.rowid = ?1");
    Ok(conn.query_row(&sql, [rowid], map_row)?)
}

/// One document by id.
pub fn get(conn: &Connection, id: &str) -> Result<Option<RegisterRow>> {
    let sql = format!("SELECT {COLUMNS} FROM document d JOIN series s ON s.id = d.series_id WHERE d.id = ?1");
    Ok(conn.query_row(&sql, [id], map_row).optional()?)
}

/// The files of a document, in order.
pub fn files_of(conn: &Connection, id: &str) -> Result<Vec<DocumentFile>> {
    let mut stmt = conn.prepare(
        "SELECT f.sha256, f.size, df.name, f.media_type, df.role
         FROM document d JOIN document_file df ON df.document_rowid = d.rowid JOIN file f ON f.sha256 = df.sha256
         WHERE d.id = ?1 ORDER BY df.ordinal",
    )?;
    let rows = stmt.query_map([id], |r| {
        Ok(DocumentFile {
            sha256: r.get(0)?,
            size: r.get::<_, i64>(1)? as u64,
            name: r.get(2)?,
            media_type: r.get(3)?,
            role: r.get(4)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// A page of a register, newest first. Without a year, the years follow each other, newest first.
pub fn list(
    conn: &Connection,
    direction: Direction,
    year: Option<i32>,
    page: u32,
    page_size: u32,
) -> Result<Page<RegisterRow>> {
    let page_size = page_size.clamp(1, 1000);
    let mut stmt = conn.prepare_cached(
        "SELECT year, last_row FROM register_book WHERE direction = ?1 AND (?2 IS NULL OR year = ?2)
         ORDER BY year DESC",
    )?;
    let books: Vec<(i32, i64)> = stmt
        .query_map(params![direction.as_str(), year], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<rusqlite::Result<_>>()?;
    let total: i64 = books.iter().map(|b| b.1).sum();
    let mut skip = i64::from(page) * i64::from(page_size);
    let mut wanted = i64::from(page_size);
    let mut items = Vec::with_capacity(page_size as usize);
    let sql = format!(
        "SELECT {COLUMNS} FROM document d JOIN series s ON s.id = d.series_id
         WHERE d.direction = ?1 AND d.year = ?2 AND d.position BETWEEN ?3 AND ?4 ORDER BY d.position DESC"
    );
    let mut rows_stmt = conn.prepare_cached(&sql)?;
    for (book_year, last_row) in books {
        if wanted == 0 {
            break;
        }
        if skip >= last_row {
            skip -= last_row;
            continue;
        }
        let hi = last_row - skip;
        let lo = (hi - wanted + 1).max(1);
        skip = 0;
        for row in rows_stmt.query_map(params![direction.as_str(), book_year, lo, hi], map_row)? {
            items.push(row?);
        }
        wanted -= hi - lo + 1;
    }
    let end = (i64::from(page) + 1) * i64::from(page_size);
    Ok(Page { items, page, page_size, total: Some(total as u64), has_more: end < total })
}

/// A page of search results, newest first. An empty query gives an empty page.
pub fn search(
    conn: &Connection,
    query: &str,
    direction: Option<Direction>,
    page: u32,
    page_size: u32,
) -> Result<Page<RegisterRow>> {
    let page_size = page_size.clamp(1, 1000);
    let Some(expr) = search::match_expression(query) else {
        return Ok(Page { items: Vec::new(), page, page_size, total: Some(0), has_more: false });
    };
    let sql = format!(
        "SELECT {COLUMNS} FROM document_search x JOIN document d ON d.rowid = x.rowid JOIN series s ON s.id = d.series_id
         WHERE document_search MATCH ?1 AND (?2 IS NULL OR d.direction = ?2)
         ORDER BY x.rowid DESC LIMIT ?3 OFFSET ?4"
    );
    let mut stmt = conn.prepare_cached(&sql)?;
    let offset = i64::from(page) * i64::from(page_size);
    let mut items = stmt
        .query_map(params![expr, direction.map(Direction::as_str), i64::from(page_size) + 1, offset], map_row)?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    let has_more = items.len() > page_size as usize;
    items.truncate(page_size as usize);
    Ok(Page { items, page, page_size, total: None, has_more })
}

/// The internal row id of a document, or [`StoreError::NotFound`].
pub(crate) fn rowid_of(conn: &Connection, id: &str) -> Result<i64> {
    conn.query_row("SELECT rowid FROM document WHERE id = ?1", [id], |r| r.get(0))
        .optional()?
        .ok_or_else(|| StoreError::NotFound(id.to_owned()))
}

/// Reads one row by internal row id (for the other modules of this crate).
pub(crate) fn row_by_rowid(conn: &Connection, rowid: i64) -> Result<RegisterRow> {
    get_by_rowid(conn, rowid)
}

/// The column list of [`RegisterRow`] over `document d JOIN series s`, for the other modules' queries.
pub(crate) const ROW_COLUMNS: &str = COLUMNS;

/// Maps a row selected with [`ROW_COLUMNS`].
pub(crate) fn read_row(r: &Row<'_>) -> rusqlite::Result<RegisterRow> {
    map_row(r)
}

/// Recalls (thu hồi) an issued outgoing document: the record is frozen from now on (a trigger refuses
/// any later change), with the reason.
pub fn recall(tx: &Transaction<'_>, id: &str, reason: &str, at: OffsetDateTime, actor: &str) -> Result<RegisterRow> {
    let before = get(tx, id)?.ok_or_else(|| StoreError::NotFound(id.to_owned()))?;
    if before.direction != Direction::Outgoing {
        return Err(StoreError::Conflict(
            "chỉ thu hồi được văn bản đi; văn bản đến bị thu hồi thì hủy đăng ký".to_owned(),
        ));
    }
    if before.recalled {
        return Err(StoreError::Conflict(format!("văn bản {} đã được thu hồi trước đó", before.code)));
    }
    if before.cancelled {
        return Err(StoreError::AlreadyCancelled(id.to_owned()));
    }
    stamp(tx, id, Stamp::Recall, reason, at, actor)
}

/// The recipients of an outgoing document, in order.
pub fn delivery_of(conn: &Connection, id: &str) -> Result<Vec<Recipient>> {
    let rowid = rowid_of(conn, id)?;
    let mut stmt = conn.prepare_cached(
        "SELECT kind, organ_id, name, channel FROM recipient WHERE document_rowid = ?1 ORDER BY ordinal",
    )?;
    let rows = stmt.query_map([rowid], |r| {
        let kind: String = r.get(0)?;
        let channel: String = r.get(3)?;
        Ok(Recipient {
            internal: kind == "unit",
            organ_id: r.get(1)?,
            name: r.get(2)?,
            channel: Channel::parse(&channel).ok_or_else(|| invalid("channel", &channel))?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Every row of a register (direction) whose register date (arrival or issue) falls in
/// `from..=to`, in register order: what a printed register book shows.
pub fn range(conn: &Connection, direction: Direction, from: Date, to: Date) -> Result<Vec<RegisterRow>> {
    let sql = format!(
        "SELECT {COLUMNS} FROM document d JOIN series s ON s.id = d.series_id
         WHERE d.direction = ?1 AND d.year BETWEEN ?2 AND ?3 AND d.register_date BETWEEN ?4 AND ?5
         ORDER BY d.year, d.position"
    );
    let mut stmt = conn.prepare(&sql)?;
    let rows =
        stmt.query_map(params![direction.as_str(), from.year(), to.year(), date_text(from), date_text(to)], map_row)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// A register series of a year with its last number (the settings screen lists them).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SeriesState {
    /// The series key (`den`, `di`, `di/qppl/QĐ`…).
    pub key: String,
    /// Its Vietnamese name.
    pub title: String,
    /// The year.
    pub year: i32,
    /// The last number given (0: none yet).
    pub last_number: i64,
}

/// Every series that has given a number in `year`.
pub fn series_of_year(conn: &Connection, year: i32) -> Result<Vec<SeriesState>> {
    let mut stmt =
        conn.prepare("SELECT series_key, year, last_number FROM series WHERE year = ?1 ORDER BY series_key")?;
    let rows = stmt.query_map([year], |r| Ok((r.get::<_, String>(0)?, r.get::<_, i32>(1)?, r.get::<_, i64>(2)?)))?;
    rows.map(|r| {
        let (key, year, last_number) = r?;
        let title = SeriesKey::parse(&key).map(|k| k.title()).unwrap_or_else(|| key.clone());
        Ok(SeriesState { key, title, year, last_number })
    })
    .collect()
}

/// Records that an incoming document answers one of our outgoing documents (a report we asked for).
pub fn link_reply(
    tx: &Transaction<'_>,
    incoming: &str,
    outgoing: &str,
    at: OffsetDateTime,
    actor: &str,
) -> Result<RegisterRow> {
    let reply = get(tx, incoming)?.ok_or_else(|| StoreError::NotFound(incoming.to_owned()))?;
    let asked = get(tx, outgoing)?.ok_or_else(|| StoreError::NotFound(outgoing.to_owned()))?;
    if reply.direction != Direction::Incoming || asked.direction != Direction::Outgoing {
        return Err(StoreError::Conflict("chỉ ghi được: một văn bản đến trả lời một văn bản đi".to_owned()));
    }
    if reply.cancelled {
        return Err(StoreError::AlreadyCancelled(incoming.to_owned()));
    }
    if let Some(existing) = &reply.response_for {
        return Err(StoreError::Conflict(format!(
            "văn bản số đến {} đã được ghi là trả lời văn bản {existing}",
            reply.number
        )));
    }
    let at = vietnam_rfc3339(at);
    audit::append(
        tx,
        &NewAuditEntry {
            at: &at,
            actor,
            action: "incoming.answers",
            entity: "document",
            entity_id: incoming,
            old: None,
            new: Some(json!({"response_for": outgoing, "code": asked.code})),
        },
    )?;
    tx.execute(
        "UPDATE document SET response_for = (SELECT rowid FROM document WHERE id = ?2) WHERE id = ?1",
        params![incoming, outgoing],
    )?;
    get(tx, incoming)?.ok_or_else(|| StoreError::NotFound(incoming.to_owned()))
}

/// The documents registered as answers to the document `id` (replies to an incoming document, or
/// reports answering an outgoing one), in registration order.
pub fn answers_to(conn: &Connection, id: &str) -> Result<Vec<RegisterRow>> {
    let sql = format!(
        "SELECT {COLUMNS} FROM document d JOIN series s ON s.id = d.series_id
         WHERE d.response_for = (SELECT rowid FROM document WHERE id = ?1) ORDER BY d.rowid"
    );
    let mut stmt = conn.prepare(&sql)?;
    let rows = stmt.query_map([id], map_row)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}
