//! `vanthu check`: everything that proves the register is whole, in one report.
//!
//! - SQLite's own `PRAGMA integrity_check`;
//! - the audit chain, and the documents that point into it (a truncated chain tail is caught because a
//!   document refers to an entry that is no longer there, or to an entry about another document);
//! - numbering continuity: in every series and year the numbers are exactly 1..=last_number, and every
//!   register's positions are 1..=last_row;
//! - fixity: every stored file is re-hashed.

use rusqlite::Connection;
use serde::Serialize;
use vanthu_core::numbering::{NumberingFault, check_continuity};

use crate::Result;
use crate::audit::{self, ChainReport};
use crate::files::{FileStore, FixityState};

/// What `check` found.
#[derive(Clone, Debug, Serialize)]
pub struct CheckReport {
    /// `PRAGMA integrity_check` messages other than "ok".
    pub integrity: Vec<String>,
    /// The audit chain.
    pub audit: ChainReport,
    /// Documents whose audit entry is missing or about something else.
    pub audit_links: Vec<String>,
    /// Numbering faults per series and year.
    pub numbering: Vec<SeriesFault>,
    /// Files checked.
    pub files_checked: u64,
    /// Files missing or altered.
    pub files: Vec<FileFault>,
    /// Records that contradict each other: broken references, handling of a document that is not an
    /// incoming one, a handling without exactly one lead, recipients on an incoming document.
    pub consistency: Vec<String>,
    /// Documents counted.
    pub documents: u64,
}

/// A numbering fault in one series and year.
#[derive(Clone, Debug, Serialize)]
pub struct SeriesFault {
    /// Series key (or `register/incoming` for register positions).
    pub series: String,
    /// Year.
    pub year: i32,
    /// The fault.
    pub fault: NumberingFault,
}

/// A file that failed the fixity check.
#[derive(Clone, Debug, Serialize)]
pub struct FileFault {
    /// Its hash.
    pub sha256: String,
    /// What was found.
    pub state: FixityState,
}

impl CheckReport {
    /// Whether everything holds.
    pub fn ok(&self) -> bool {
        self.integrity.is_empty()
            && self.audit.error.is_none()
            && self.audit_links.is_empty()
            && self.numbering.is_empty()
            && self.files.is_empty()
            && self.consistency.is_empty()
    }
}

/// Runs every check on `conn` and `files`.
pub fn run(conn: &Connection, files: &FileStore) -> Result<CheckReport> {
    let integrity = integrity(conn)?;
    let audit = audit::verify(conn)?;
    let audit_links = audit_links(conn)?;
    let numbering = numbering(conn)?;
    let (files_checked, file_faults) = fixity(conn, files)?;
    let consistency = consistency(conn)?;
    let documents: i64 = conn.query_row("SELECT count(*) FROM document", [], |r| r.get(0))?;
    Ok(CheckReport {
        integrity,
        audit,
        audit_links,
        numbering,
        files_checked,
        files: file_faults,
        consistency,
        documents: documents as u64,
    })
}

/// The desk's records against each other (the schema cannot say all of it).
fn consistency(conn: &Connection) -> Result<Vec<String>> {
    let mut out = Vec::new();
    let mut stmt = conn.prepare("PRAGMA foreign_key_check")?;
    let rows =
        stmt.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, Option<i64>>(1)?, r.get::<_, String>(2)?)))?;
    for row in rows {
        let (table, rowid, parent) = row?;
        out.push(format!("{table} dòng {} trỏ tới {parent} không tồn tại", rowid.unwrap_or_default()));
    }
    let checks: [(&str, &str); 3] = [
        (
            "SELECT d.id FROM handling h JOIN document d ON d.rowid = h.document_rowid WHERE d.direction <> 'incoming'",
            "phân công giải quyết cho một văn bản không phải văn bản đến",
        ),
        (
            "SELECT d.id FROM handling h JOIN document d ON d.rowid = h.document_rowid
             WHERE (SELECT count(*) FROM handler x WHERE x.document_rowid = h.document_rowid AND x.role = 'lead') <> 1",
            "phân công không có đúng một người/đơn vị chủ trì",
        ),
        (
            "SELECT DISTINCT d.id FROM recipient r JOIN document d ON d.rowid = r.document_rowid
             WHERE d.direction <> 'outgoing'",
            "nơi nhận ghi cho một văn bản không phải văn bản đi",
        ),
    ];
    for (sql, what) in checks {
        let mut stmt = conn.prepare(sql)?;
        let ids = stmt.query_map([], |r| r.get::<_, String>(0))?;
        for id in ids {
            out.push(format!("văn bản {}: {what}", id?));
        }
    }
    Ok(out)
}

/// `PRAGMA integrity_check`, as the list of problems (empty when the database is sound).
pub fn integrity(conn: &Connection) -> Result<Vec<String>> {
    let mut stmt = conn.prepare("PRAGMA integrity_check")?;
    let rows = stmt.query_map([], |r| r.get::<_, String>(0))?;
    let mut out = Vec::new();
    for row in rows {
        let msg = row?;
        if msg != "ok" {
            out.push(msg);
        }
    }
    Ok(out)
}

fn audit_links(conn: &Connection) -> Result<Vec<String>> {
    let mut out = Vec::new();
    let mut stmt = conn.prepare(
        "SELECT d.id, d.audit_seq, a.entity, a.entity_id, a.action FROM document d
         LEFT JOIN audit_log a ON a.seq = d.audit_seq",
    )?;
    let mut rows = stmt.query([])?;
    while let Some(r) = rows.next()? {
        let id: String = r.get(0)?;
        let seq: i64 = r.get(1)?;
        let entity: Option<String> = r.get(2)?;
        let entity_id: Option<String> = r.get(3)?;
        let action: Option<String> = r.get(4)?;
        match (entity.as_deref(), entity_id.as_deref(), action.as_deref()) {
            (None, _, _) => out.push(format!("văn bản {id}: mục nhật ký {seq} đã mất")),
            (Some("document"), Some(e), Some(a)) if e == id && a.ends_with(".register") => {}
            _ => out.push(format!("văn bản {id}: mục nhật ký {seq} không ghi việc đăng ký văn bản này")),
        }
    }
    let mut stmt = conn.prepare(
        "SELECT d.id FROM document d WHERE d.cancelled_at IS NOT NULL AND NOT EXISTS (
            SELECT 1 FROM audit_log a WHERE a.entity = 'document' AND a.entity_id = d.id
            AND a.action = 'document.cancel')",
    )?;
    for id in stmt.query_map([], |r| r.get::<_, String>(0))? {
        out.push(format!("văn bản {}: bị hủy nhưng nhật ký không ghi việc hủy", id?));
    }
    Ok(out)
}

fn numbering(conn: &Connection) -> Result<Vec<SeriesFault>> {
    let mut out = Vec::new();
    let mut series = conn.prepare("SELECT id, series_key, year, last_number FROM series ORDER BY series_key, year")?;
    let series: Vec<(i64, String, i32, i64)> =
        series.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))?.collect::<rusqlite::Result<_>>()?;
    let mut numbers = conn.prepare("SELECT number FROM document WHERE series_id = ?1 ORDER BY number")?;
    for (id, key, year, last) in series {
        let nums: Vec<u32> = numbers
            .query_map([id], |r| r.get::<_, i64>(0))?
            .map(|n| n.map(|n| u32::try_from(n).unwrap_or(u32::MAX)))
            .collect::<rusqlite::Result<_>>()?;
        let last = u32::try_from(last).unwrap_or(u32::MAX);
        for fault in check_continuity(&nums, last) {
            out.push(SeriesFault { series: key.clone(), year, fault });
        }
    }
    let mut books = conn.prepare("SELECT direction, year, last_row FROM register_book ORDER BY direction, year")?;
    let books: Vec<(String, i32, i64)> =
        books.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?.collect::<rusqlite::Result<_>>()?;
    let mut positions =
        conn.prepare("SELECT position FROM document WHERE direction = ?1 AND year = ?2 ORDER BY position")?;
    for (direction, year, last) in books {
        let nums: Vec<u32> = positions
            .query_map(rusqlite::params![direction, year], |r| r.get::<_, i64>(0))?
            .map(|n| n.map(|n| u32::try_from(n).unwrap_or(u32::MAX)))
            .collect::<rusqlite::Result<_>>()?;
        let last = u32::try_from(last).unwrap_or(u32::MAX);
        for fault in check_continuity(&nums, last) {
            out.push(SeriesFault { series: format!("register/{direction}"), year, fault });
        }
    }
    Ok(out)
}

fn fixity(conn: &Connection, files: &FileStore) -> Result<(u64, Vec<FileFault>)> {
    let mut stmt = conn.prepare("SELECT sha256, size FROM file ORDER BY sha256")?;
    let rows: Vec<(String, i64)> =
        stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?.collect::<rusqlite::Result<_>>()?;
    let mut faults = Vec::new();
    for (sha256, size) in &rows {
        let state = files.verify(sha256, *size as u64)?;
        if state != FixityState::Intact {
            faults.push(FileFault { sha256: sha256.clone(), state });
        }
    }
    Ok((rows.len() as u64, faults))
}
