//! Case files (hồ sơ) of the yearly catalogue: open, fill, close. A document sits in any number of
//! case files by reference (`case_file_document`), never copied. A closed file takes no more documents
//! and is due at the agency's archive a year after it closed (`vanthu_core::handling::archive_due`).

use rusqlite::{Connection, OptionalExtension, Row, Transaction, params};
use serde::{Deserialize, Serialize};
use serde_json::json;
use time::{Date, OffsetDateTime};
use vanthu_core::VIETNAM_OFFSET;
use vanthu_core::handling::archive_due;

use crate::audit::{self, NewAuditEntry};
use crate::register::{ROW_COLUMNS, RegisterRow, read_row, rowid_of, vietnam_rfc3339};
use crate::{Result, StoreError};

/// A case file.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CaseFile {
    /// Row id.
    pub id: i64,
    /// The catalogue year.
    pub year: i32,
    /// Số và ký hiệu hồ sơ (`01.TH`).
    pub notation: String,
    /// Tiêu đề hồ sơ.
    pub title: String,
    /// Thời hạn bảo quản.
    pub maintenance: String,
    /// Chế độ sử dụng.
    pub rights: String,
    /// Người lập hồ sơ.
    pub creator: String,
    /// Unit.
    pub unit_id: Option<i64>,
    /// Ngôn ngữ.
    pub language: String,
    /// Description.
    pub description: Option<String>,
    /// Opened (RFC 3339).
    pub opened_at: String,
    /// Closed (RFC 3339).
    pub closed_at: Option<String>,
    /// Due at the archive (yyyy-mm-dd).
    pub archive_due: Option<String>,
    /// Documents in it.
    pub documents: i64,
}

/// A new case file.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewCaseFile {
    /// Catalogue year.
    pub year: i32,
    /// Số và ký hiệu hồ sơ.
    pub notation: String,
    /// Title.
    pub title: String,
    /// Thời hạn bảo quản.
    pub maintenance: String,
    /// Unit.
    pub unit_id: Option<i64>,
    /// Description.
    pub description: Option<String>,
}

const COLUMNS: &str = "c.id, c.year, c.notation, c.title, c.maintenance, c.rights, c.creator, c.unit_id, c.language,
    c.description, c.opened_at, c.closed_at, c.archive_due,
    (SELECT count(*) FROM case_file_document m WHERE m.case_file_id = c.id)";

fn map(r: &Row<'_>) -> rusqlite::Result<CaseFile> {
    Ok(CaseFile {
        id: r.get(0)?,
        year: r.get(1)?,
        notation: r.get(2)?,
        title: r.get(3)?,
        maintenance: r.get(4)?,
        rights: r.get(5)?,
        creator: r.get(6)?,
        unit_id: r.get(7)?,
        language: r.get(8)?,
        description: r.get(9)?,
        opened_at: r.get(10)?,
        closed_at: r.get(11)?,
        archive_due: r.get(12)?,
        documents: r.get(13)?,
    })
}

/// One case file.
pub fn get(conn: &Connection, id: i64) -> Result<CaseFile> {
    let sql = format!("SELECT {COLUMNS} FROM case_file c WHERE c.id = ?1");
    conn.query_row(&sql, [id], map).optional()?.ok_or_else(|| StoreError::NotFound(format!("hồ sơ {id}")))
}

/// The catalogue of a year (or every year), by notation.
pub fn list(conn: &Connection, year: Option<i32>) -> Result<Vec<CaseFile>> {
    let sql =
        format!("SELECT {COLUMNS} FROM case_file c WHERE ?1 IS NULL OR c.year = ?1 ORDER BY c.year DESC, c.notation");
    let mut stmt = conn.prepare(&sql)?;
    let rows = stmt.query_map([year], map)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Closed case files due at the archive on or before `until`.
pub fn due_at_archive(conn: &Connection, until: Date) -> Result<Vec<CaseFile>> {
    let sql = format!(
        "SELECT {COLUMNS} FROM case_file c WHERE c.archive_due IS NOT NULL AND c.archive_due <= ?1
         ORDER BY c.archive_due"
    );
    let mut stmt = conn.prepare(&sql)?;
    let rows = stmt.query_map([until.to_string()], map)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

fn audit_change(
    tx: &Transaction<'_>,
    at: &str,
    actor: &str,
    action: &str,
    file: &CaseFile,
    new: serde_json::Value,
) -> Result<()> {
    audit::append(
        tx,
        &NewAuditEntry {
            at,
            actor,
            action,
            entity: "case_file",
            entity_id: &file.id.to_string(),
            old: None,
            new: Some(new),
        },
    )?;
    Ok(())
}

/// Opens a case file.
pub fn open(tx: &Transaction<'_>, new: &NewCaseFile, at: OffsetDateTime, actor: &str) -> Result<CaseFile> {
    let taken: bool = tx.query_row(
        "SELECT EXISTS (SELECT 1 FROM case_file WHERE year = ?1 AND notation = ?2)",
        params![new.year, new.notation],
        |r| r.get(0),
    )?;
    if taken {
        return Err(StoreError::Conflict(format!("năm {} đã có hồ sơ số {}", new.year, new.notation)));
    }
    let at = vietnam_rfc3339(at);
    tx.execute(
        "INSERT INTO case_file (year, notation, title, maintenance, creator, unit_id, description, opened_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        params![new.year, new.notation, new.title, new.maintenance, actor, new.unit_id, new.description, at],
    )?;
    let file = get(tx, tx.last_insert_rowid())?;
    audit_change(tx, &at, actor, "case_file.open", &file, serde_json::to_value(new).unwrap_or_default())?;
    Ok(file)
}

fn require_open(tx: &Transaction<'_>, id: i64) -> Result<CaseFile> {
    let file = get(tx, id)?;
    if file.closed_at.is_some() {
        return Err(StoreError::Conflict(format!("hồ sơ {} đã kết thúc", file.notation)));
    }
    Ok(file)
}

/// Puts a document into an open case file (by reference).
pub fn add(tx: &Transaction<'_>, id: i64, document_id: &str, at: OffsetDateTime, actor: &str) -> Result<CaseFile> {
    let file = require_open(tx, id)?;
    let rowid = rowid_of(tx, document_id)?;
    let at = vietnam_rfc3339(at);
    let added = tx.execute(
        "INSERT INTO case_file_document (case_file_id, document_rowid, added_at, added_by) VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT DO NOTHING",
        params![id, rowid, at, actor],
    )?;
    if added == 1 {
        audit_change(tx, &at, actor, "case_file.add", &file, json!({"document": document_id}))?;
    }
    get(tx, id)
}

/// Takes a document out of an open case file.
pub fn remove(tx: &Transaction<'_>, id: i64, document_id: &str, at: OffsetDateTime, actor: &str) -> Result<CaseFile> {
    let file = require_open(tx, id)?;
    let rowid = rowid_of(tx, document_id)?;
    let removed = tx.execute(
        "DELETE FROM case_file_document WHERE case_file_id = ?1 AND document_rowid = ?2",
        params![id, rowid],
    )?;
    if removed == 1 {
        audit_change(tx, &vietnam_rfc3339(at), actor, "case_file.remove", &file, json!({"document": document_id}))?;
    }
    get(tx, id)
}

/// Closes (kết thúc) a case file; it becomes due at the archive a year later.
pub fn close(tx: &Transaction<'_>, id: i64, at: OffsetDateTime, actor: &str) -> Result<CaseFile> {
    let file = require_open(tx, id)?;
    let due = archive_due(at.to_offset(VIETNAM_OFFSET).date()).to_string();
    let at = vietnam_rfc3339(at);
    tx.execute("UPDATE case_file SET closed_at = ?2, archive_due = ?3 WHERE id = ?1", params![id, at, due])?;
    audit_change(tx, &at, actor, "case_file.close", &file, json!({"closed_at": at, "archive_due": due}))?;
    get(tx, id)
}

/// The documents of a case file in chronological order (date of the document, then registration).
pub fn documents(conn: &Connection, id: i64) -> Result<Vec<RegisterRow>> {
    let sql = format!(
        "SELECT {ROW_COLUMNS} FROM case_file_document m JOIN document d ON d.rowid = m.document_rowid
         JOIN series s ON s.id = d.series_id WHERE m.case_file_id = ?1
         ORDER BY coalesce(d.document_date, d.register_date), d.registered_at, d.rowid"
    );
    let mut stmt = conn.prepare(&sql)?;
    let rows = stmt.query_map([id], read_row)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// The case files a document is in.
pub fn of_document(conn: &Connection, document_id: &str) -> Result<Vec<CaseFile>> {
    let rowid = rowid_of(conn, document_id)?;
    let sql = format!(
        "SELECT {COLUMNS} FROM case_file c JOIN case_file_document m ON m.case_file_id = c.id
         WHERE m.document_rowid = ?1 ORDER BY c.year DESC, c.notation"
    );
    let mut stmt = conn.prepare(&sql)?;
    let rows = stmt.query_map([rowid], map)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}
