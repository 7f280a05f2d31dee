//! The review queue of digitised paper (hàng chờ số hoá) and the stamped archive copies.
//!
//! Pages arrive from a scanner, the watched folder or picked files and wait here, in drafts, until
//! the clerk has checked them: reordered, rotated, deleted, split into several documents. A draft
//! then becomes a registration (`mark_registered`, in the registration's own transaction) or is
//! discarded. Page bytes live in the content-addressed file store; a row here only orders them.
//!
//! Every file taken in is remembered by its hash (`capture_source`), so the same file dropped twice
//! is recognised and the watched folder never loops on it.
//!
//! The archive copy (`archive_copy`) is the main file with the arrival stamp appended as an
//! incremental update; the original file row is never touched. Queue edits are not register records
//! and are not in the audit log; registering a draft and stamping a copy are.

use rusqlite::{Connection, OptionalExtension, Row, Transaction, params};
use serde::{Deserialize, Serialize};
use serde_json::json;
use time::OffsetDateTime;

use crate::audit::{self, NewAuditEntry};
use crate::files::StoredFile;
use crate::register::{rowid_of, vietnam_rfc3339};
use crate::{Result, StoreError};

/// Where a draft's pages came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum CaptureSource {
    /// A scanner through SANE.
    Scanner,
    /// The watched scan folder.
    Folder,
    /// Files the clerk picked or dropped.
    File,
}

impl CaptureSource {
    /// The code stored in the database.
    pub fn code(self) -> &'static str {
        match self {
            CaptureSource::Scanner => "scanner",
            CaptureSource::Folder => "folder",
            CaptureSource::File => "file",
        }
    }
}

impl rusqlite::types::FromSql for CaptureSource {
    fn column_result(value: rusqlite::types::ValueRef<'_>) -> rusqlite::types::FromSqlResult<Self> {
        match value.as_str()? {
            "scanner" => Ok(CaptureSource::Scanner),
            "folder" => Ok(CaptureSource::Folder),
            "file" => Ok(CaptureSource::File),
            other => Err(rusqlite::types::FromSqlError::Other(format!("nguồn số hoá không rõ: {other}").into())),
        }
    }
}

/// An open draft in the review queue.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Draft {
    /// Row id.
    pub id: i64,
    /// Where it came from.
    pub source: CaptureSource,
    /// The device or the file's name.
    pub label: String,
    /// When it was made (RFC 3339, Vietnam time).
    pub created_at: String,
    /// Who made it.
    pub created_by: String,
    /// A PDF kept whole (drafts made from a PDF file have no pages).
    pub pdf_sha256: Option<String>,
    /// Number of pages (of the page list; 0 for a PDF draft).
    pub pages: u32,
    /// How many of them look blank.
    pub blank_pages: u32,
}

/// A page of a draft.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DraftPage {
    /// Row id.
    pub id: i64,
    /// The draft.
    pub draft_id: i64,
    /// 1-based position in the draft.
    pub position: u32,
    /// The JPEG's hash in the file store.
    pub sha256: String,
    /// Pixels across.
    pub width: u32,
    /// Pixels down.
    pub height: u32,
    /// Resolution.
    pub dpi: f32,
    /// Clockwise rotation: 0, 90, 180 or 270.
    pub rotation: u16,
    /// Fraction of the page that is ink.
    pub ink: f32,
    /// Looks blank.
    pub blank: bool,
    /// Is a separator sheet.
    pub separator: bool,
    /// The JPEG is the file as it came (not re-encoded).
    pub passthrough: bool,
    /// A small JPEG for the review screen.
    pub thumb_sha256: Option<String>,
}

/// A page to add to a draft.
#[derive(Clone, Debug)]
pub struct NewPage<'a> {
    /// The page's JPEG, already in the file store.
    pub file: &'a StoredFile,
    /// Its thumbnail, already in the file store.
    pub thumb: Option<&'a StoredFile>,
    /// Pixels across.
    pub width: u32,
    /// Pixels down.
    pub height: u32,
    /// Resolution.
    pub dpi: f32,
    /// Fraction of ink.
    pub ink: f32,
    /// Looks blank.
    pub blank: bool,
    /// A separator sheet.
    pub separator: bool,
    /// The JPEG is the original file.
    pub passthrough: bool,
}

/// A file taken in earlier, found by its hash.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TakenBefore {
    /// The name it had.
    pub name: String,
    /// When (RFC 3339).
    pub taken_at: String,
    /// The draft it went into.
    pub draft_id: Option<i64>,
}

/// The current archive copy of a document.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ArchiveCopy {
    /// Row id.
    pub id: i64,
    /// The original file it was made from.
    pub source_sha256: String,
    /// The stamped copy.
    pub sha256: String,
    /// The stamp's left edge, mm from the page's left.
    pub x_mm: f32,
    /// The stamp's top edge, mm from the page's top.
    pub y_mm: f32,
    /// When (RFC 3339).
    pub made_at: String,
    /// By whom.
    pub made_by: String,
}

pub(crate) fn remember_file(tx: &Transaction<'_>, file: &StoredFile, media_type: &str, at: &str) -> Result<()> {
    tx.execute(
        "INSERT INTO file (sha256, size, media_type, stored_at) VALUES (?1, ?2, ?3, ?4) ON CONFLICT (sha256) DO NOTHING",
        params![file.sha256, file.size as i64, media_type, at],
    )?;
    Ok(())
}

/// Starts a draft; `pdf` keeps a PDF file whole as the draft's content.
pub fn create_draft(
    tx: &Transaction<'_>,
    source: CaptureSource,
    label: &str,
    pdf: Option<&StoredFile>,
    at: OffsetDateTime,
    actor: &str,
) -> Result<i64> {
    let at = vietnam_rfc3339(at);
    if let Some(pdf) = pdf {
        remember_file(tx, pdf, "application/pdf", &at)?;
    }
    tx.execute(
        "INSERT INTO capture_draft (source, label, created_at, created_by, pdf_sha256) VALUES (?1, ?2, ?3, ?4, ?5)",
        params![source.code(), label, at, actor, pdf.map(|p| &p.sha256)],
    )?;
    Ok(tx.last_insert_rowid())
}

/// Appends a page at the end of an open draft; returns its id.
pub fn add_page(tx: &Transaction<'_>, draft_id: i64, page: &NewPage<'_>, at: OffsetDateTime) -> Result<i64> {
    open_draft_state(tx, draft_id)?;
    let at = vietnam_rfc3339(at);
    remember_file(tx, page.file, "image/jpeg", &at)?;
    if let Some(thumb) = page.thumb {
        remember_file(tx, thumb, "image/jpeg", &at)?;
    }
    let position: i64 =
        tx.query_row("SELECT COALESCE(MAX(position), 0) + 1 FROM capture_page WHERE draft_id = ?1", [draft_id], |r| {
            r.get(0)
        })?;
    tx.execute(
        "INSERT INTO capture_page (draft_id, position, sha256, width, height, dpi, ink, blank, separator, passthrough, thumb_sha256)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
        params![
            draft_id,
            position,
            page.file.sha256,
            page.width,
            page.height,
            f64::from(page.dpi),
            f64::from(page.ink),
            page.blank,
            page.separator,
            page.passthrough,
            page.thumb.map(|t| &t.sha256)
        ],
    )?;
    Ok(tx.last_insert_rowid())
}

/// Appends pages, in order, at the end of an open draft.
pub fn add_pages(tx: &Transaction<'_>, draft_id: i64, pages: &[NewPage<'_>], at: OffsetDateTime) -> Result<()> {
    for page in pages {
        add_page(tx, draft_id, page, at)?;
    }
    Ok(())
}

/// Remembers that a file (by hash) was taken in; a second call for the same hash keeps the first.
pub fn record_source(
    tx: &Transaction<'_>,
    sha256: &str,
    name: &str,
    source: CaptureSource,
    draft_id: Option<i64>,
    at: OffsetDateTime,
) -> Result<()> {
    tx.execute(
        "INSERT INTO capture_source (sha256, name, source, draft_id, taken_at) VALUES (?1, ?2, ?3, ?4, ?5)
         ON CONFLICT (sha256) DO NOTHING",
        params![sha256, name, source.code(), draft_id, vietnam_rfc3339(at)],
    )?;
    Ok(())
}

/// The earlier intake of a file with these bytes, if any.
pub fn taken_before(conn: &Connection, sha256: &str) -> Result<Option<TakenBefore>> {
    Ok(conn
        .query_row("SELECT name, taken_at, draft_id FROM capture_source WHERE sha256 = ?1", [sha256], |r| {
            Ok(TakenBefore { name: r.get(0)?, taken_at: r.get(1)?, draft_id: r.get(2)? })
        })
        .optional()?)
}

const DRAFT_COLUMNS: &str = "d.id, d.source, d.label, d.created_at, d.created_by, d.pdf_sha256,
    (SELECT COUNT(*) FROM capture_page p WHERE p.draft_id = d.id),
    (SELECT COUNT(*) FROM capture_page p WHERE p.draft_id = d.id AND (p.blank = 1 OR p.separator = 1))";

fn read_draft(r: &Row<'_>) -> rusqlite::Result<Draft> {
    Ok(Draft {
        id: r.get(0)?,
        source: r.get(1)?,
        label: r.get(2)?,
        created_at: r.get(3)?,
        created_by: r.get(4)?,
        pdf_sha256: r.get(5)?,
        pages: r.get(6)?,
        blank_pages: r.get(7)?,
    })
}

/// The open drafts, oldest first.
pub fn open_drafts(conn: &Connection) -> Result<Vec<Draft>> {
    let mut stmt =
        conn.prepare(&format!("SELECT {DRAFT_COLUMNS} FROM capture_draft d WHERE d.state = 'open' ORDER BY d.id"))?;
    Ok(stmt.query_map([], read_draft)?.collect::<rusqlite::Result<Vec<_>>>()?)
}

/// One draft, whatever its state.
pub fn draft(conn: &Connection, id: i64) -> Result<Draft> {
    conn.query_row(&format!("SELECT {DRAFT_COLUMNS} FROM capture_draft d WHERE d.id = ?1"), [id], read_draft)
        .optional()?
        .ok_or_else(|| StoreError::NotFound(format!("bản nháp số hoá {id}")))
}

/// The pages of a draft, in order.
pub fn pages(conn: &Connection, draft_id: i64) -> Result<Vec<DraftPage>> {
    let mut stmt = conn.prepare(
        "SELECT id, draft_id, position, sha256, width, height, dpi, rotation, ink, blank, separator, passthrough, thumb_sha256
         FROM capture_page WHERE draft_id = ?1 ORDER BY position",
    )?;
    let rows = stmt.query_map([draft_id], |r| {
        Ok(DraftPage {
            id: r.get(0)?,
            draft_id: r.get(1)?,
            position: r.get(2)?,
            sha256: r.get(3)?,
            width: r.get(4)?,
            height: r.get(5)?,
            dpi: r.get::<_, f64>(6)? as f32,
            rotation: r.get(7)?,
            ink: r.get::<_, f64>(8)? as f32,
            blank: r.get(9)?,
            separator: r.get(10)?,
            passthrough: r.get(11)?,
            thumb_sha256: r.get(12)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
}

/// The file-store hashes of a page: its JPEG and its thumbnail (if one was made).
pub fn page_files(conn: &Connection, page_id: i64) -> Result<(String, Option<String>)> {
    conn.query_row("SELECT sha256, thumb_sha256 FROM capture_page WHERE id = ?1", [page_id], |r| {
        Ok((r.get(0)?, r.get(1)?))
    })
    .optional()?
    .ok_or_else(|| StoreError::NotFound(format!("trang {page_id}")))
}

fn open_draft_state(conn: &Connection, draft_id: i64) -> Result<()> {
    let state: Option<String> =
        conn.query_row("SELECT state FROM capture_draft WHERE id = ?1", [draft_id], |r| r.get(0)).optional()?;
    match state.as_deref() {
        None => Err(StoreError::NotFound(format!("bản nháp số hoá {draft_id}"))),
        Some("open") => Ok(()),
        Some("registered") => Err(StoreError::Conflict(format!("Bản nháp {draft_id} đã được vào sổ."))),
        Some(_) => Err(StoreError::Conflict(format!("Bản nháp {draft_id} đã bị bỏ."))),
    }
}

fn page_draft(conn: &Connection, page_id: i64) -> Result<i64> {
    let draft: i64 = conn
        .query_row("SELECT draft_id FROM capture_page WHERE id = ?1", [page_id], |r| r.get(0))
        .optional()?
        .ok_or_else(|| StoreError::NotFound(format!("trang {page_id}")))?;
    open_draft_state(conn, draft)?;
    Ok(draft)
}

/// Where pages wait while they are put in order: far below any position in use.
const PARKED: i64 = 1 << 32;

/// Puts `ordered` pages (from this draft or another) into `draft_id` at positions 1..n, in that order.
/// Each page is parked at its own far-negative position first, then all are brought up at once, so the
/// (draft, position) uniqueness holds at every step. Every other page of the draft must already have
/// left it (or be among `ordered`).
fn place(tx: &Transaction<'_>, draft_id: i64, ordered: &[i64]) -> Result<()> {
    for (i, id) in ordered.iter().enumerate() {
        tx.execute(
            "UPDATE capture_page SET draft_id = ?1, position = ?2 WHERE id = ?3",
            params![draft_id, -(i as i64) - 1 - PARKED, id],
        )?;
    }
    tx.execute(
        "UPDATE capture_page SET position = -position - ?2 WHERE draft_id = ?1 AND position < 0",
        params![draft_id, PARKED],
    )?;
    Ok(())
}

fn page_ids(tx: &Transaction<'_>, draft_id: i64) -> Result<Vec<i64>> {
    let mut stmt = tx.prepare("SELECT id FROM capture_page WHERE draft_id = ?1 ORDER BY position")?;
    let ids = stmt.query_map([draft_id], |r| r.get(0))?.collect::<rusqlite::Result<Vec<i64>>>()?;
    Ok(ids)
}

/// Turns a page by a further `quarter_turns` × 90° clockwise (negative: anticlockwise).
pub fn rotate_page(tx: &Transaction<'_>, page_id: i64, quarter_turns: i32) -> Result<u16> {
    page_draft(tx, page_id)?;
    let current: i64 = tx.query_row("SELECT rotation FROM capture_page WHERE id = ?1", [page_id], |r| r.get(0))?;
    let next = (current + i64::from(quarter_turns) * 90).rem_euclid(360);
    tx.execute("UPDATE capture_page SET rotation = ?1 WHERE id = ?2", params![next, page_id])?;
    Ok(next as u16)
}

/// Removes a page from its draft (its bytes stay in the file store).
pub fn delete_page(tx: &Transaction<'_>, page_id: i64) -> Result<()> {
    let draft = page_draft(tx, page_id)?;
    tx.execute("DELETE FROM capture_page WHERE id = ?1", [page_id])?;
    let ids = page_ids(tx, draft)?;
    place(tx, draft, &ids)
}

/// Moves a page to a 1-based position in its draft (clamped to the draft's length).
pub fn move_page(tx: &Transaction<'_>, page_id: i64, to_position: u32) -> Result<()> {
    let draft = page_draft(tx, page_id)?;
    let mut ids = page_ids(tx, draft)?;
    ids.retain(|&id| id != page_id);
    let at = (to_position.max(1) as usize - 1).min(ids.len());
    ids.insert(at, page_id);
    place(tx, draft, &ids)
}

/// Removes every page flagged blank or separator; returns how many.
pub fn remove_blank_pages(tx: &Transaction<'_>, draft_id: i64) -> Result<u32> {
    open_draft_state(tx, draft_id)?;
    let n = tx.execute("DELETE FROM capture_page WHERE draft_id = ?1 AND (blank = 1 OR separator = 1)", [draft_id])?;
    let ids = page_ids(tx, draft_id)?;
    place(tx, draft_id, &ids)?;
    Ok(n as u32)
}

fn new_draft_like(tx: &Transaction<'_>, draft_id: i64, at: &str, actor: &str) -> Result<i64> {
    tx.execute(
        "INSERT INTO capture_draft (source, label, created_at, created_by)
         SELECT source, label, ?2, ?3 FROM capture_draft WHERE id = ?1",
        params![draft_id, at, actor],
    )?;
    Ok(tx.last_insert_rowid())
}

/// Splits a draft before `page_id`: that page and those after it become a new draft, returned.
pub fn split_before(tx: &Transaction<'_>, page_id: i64, at: OffsetDateTime, actor: &str) -> Result<i64> {
    let draft = page_draft(tx, page_id)?;
    let ids = page_ids(tx, draft)?;
    let cut = ids.iter().position(|&id| id == page_id).unwrap_or(0);
    if cut == 0 {
        return Err(StoreError::Conflict("Không thể tách trước trang đầu tiên của bản nháp.".into()));
    }
    let new = new_draft_like(tx, draft, &vietnam_rfc3339(at), actor)?;
    place(tx, new, &ids[cut..])?;
    Ok(new)
}

/// Splits a feeder batch at its blank or separator sheets: each run of other pages becomes its own
/// draft (the first stays in this one), and the blank and separator sheets are removed. Returns the
/// drafts in order, this one first.
pub fn split_at_blanks(tx: &Transaction<'_>, draft_id: i64, at: OffsetDateTime, actor: &str) -> Result<Vec<i64>> {
    open_draft_state(tx, draft_id)?;
    let pages = pages(tx, draft_id)?;
    let at = vietnam_rfc3339(at);
    let mut groups: Vec<Vec<i64>> = vec![Vec::new()];
    for p in &pages {
        if p.blank || p.separator {
            tx.execute("DELETE FROM capture_page WHERE id = ?1", [p.id])?;
            if groups.last().is_some_and(|g| !g.is_empty()) {
                groups.push(Vec::new());
            }
        } else if let Some(g) = groups.last_mut() {
            g.push(p.id);
        }
    }
    groups.retain(|g| !g.is_empty());
    let mut drafts = vec![draft_id];
    for _ in 1..groups.len() {
        drafts.push(new_draft_like(tx, draft_id, &at, actor)?);
    }
    // Later groups leave first, so that this draft holds only its own pages when they are placed.
    for (target, group) in drafts.iter().zip(&groups).rev() {
        place(tx, *target, group)?;
    }
    Ok(drafts)
}

/// Joins draft `from` onto the end of `into` (undoing a split); `from` is discarded.
pub fn join_drafts(tx: &Transaction<'_>, into: i64, from: i64, at: OffsetDateTime) -> Result<()> {
    open_draft_state(tx, into)?;
    open_draft_state(tx, from)?;
    if into == from {
        return Err(StoreError::Conflict("Không thể ghép một bản nháp với chính nó.".into()));
    }
    let mut ids = page_ids(tx, into)?;
    ids.extend(page_ids(tx, from)?);
    place(tx, into, &ids)?;
    discard_draft(tx, from, at)
}

/// Discards an open draft (its pages stay in the file store until a clean-up).
pub fn discard_draft(tx: &Transaction<'_>, draft_id: i64, at: OffsetDateTime) -> Result<()> {
    open_draft_state(tx, draft_id)?;
    tx.execute(
        "UPDATE capture_draft SET state = 'discarded', closed_at = ?2 WHERE id = ?1",
        params![draft_id, vietnam_rfc3339(at)],
    )?;
    Ok(())
}

/// Marks a draft as registered as document `document_id`; runs in the registration's transaction, so
/// a draft is never left open for a registered document nor marked for one that was rolled back.
pub fn mark_registered(tx: &Transaction<'_>, draft_id: i64, document_id: &str, at: OffsetDateTime) -> Result<()> {
    open_draft_state(tx, draft_id)?;
    let rowid = rowid_of(tx, document_id)?;
    tx.execute(
        "UPDATE capture_draft SET state = 'registered', document_rowid = ?2, closed_at = ?3 WHERE id = ?1",
        params![draft_id, rowid, vietnam_rfc3339(at)],
    )?;
    Ok(())
}

/// Records a new archive copy of a document, with its audit entry.
#[allow(clippy::too_many_arguments)]
pub fn record_archive_copy(
    tx: &Transaction<'_>,
    document_id: &str,
    source: &str,
    copy: &StoredFile,
    x_mm: f32,
    y_mm: f32,
    at: OffsetDateTime,
    actor: &str,
) -> Result<ArchiveCopy> {
    let rowid = rowid_of(tx, document_id)?;
    let made_at = vietnam_rfc3339(at);
    remember_file(tx, copy, "application/pdf", &made_at)?;
    tx.execute(
        "INSERT INTO archive_copy (document_rowid, source_sha256, sha256, x_mm, y_mm, made_at, made_by)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        params![rowid, source, copy.sha256, f64::from(x_mm), f64::from(y_mm), made_at, actor],
    )?;
    let copy_row = ArchiveCopy {
        id: tx.last_insert_rowid(),
        source_sha256: source.to_owned(),
        sha256: copy.sha256.clone(),
        x_mm,
        y_mm,
        made_at,
        made_by: actor.to_owned(),
    };
    audit::append(
        tx,
        &NewAuditEntry {
            at: &copy_row.made_at,
            actor,
            action: "document.archive_copy",
            entity: "document",
            entity_id: document_id,
            old: None,
            new: Some(json!({
                "source_sha256": copy_row.source_sha256,
                "sha256": copy_row.sha256,
                "x_mm": x_mm,
                "y_mm": y_mm,
            })),
        },
    )?;
    Ok(copy_row)
}

/// The current (latest) archive copy of a document, if one was made.
pub fn archive_copy(conn: &Connection, document_id: &str) -> Result<Option<ArchiveCopy>> {
    let rowid = rowid_of(conn, document_id)?;
    Ok(conn
        .query_row(
            "SELECT id, source_sha256, sha256, x_mm, y_mm, made_at, made_by FROM archive_copy
             WHERE document_rowid = ?1 ORDER BY id DESC LIMIT 1",
            [rowid],
            |r| {
                Ok(ArchiveCopy {
                    id: r.get(0)?,
                    source_sha256: r.get(1)?,
                    sha256: r.get(2)?,
                    x_mm: r.get::<_, f64>(3)? as f32,
                    y_mm: r.get::<_, f64>(4)? as f32,
                    made_at: r.get(5)?,
                    made_by: r.get(6)?,
                })
            },
        )
        .optional()?)
}
