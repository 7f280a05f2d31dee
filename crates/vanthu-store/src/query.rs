//! Reading the register the ways a desk needs beyond paging a book: filtered searches (full text plus
//! register, year, type, issuer, urgency, status, date ranges), the home screen's deadline lists, saved
//! searches and the backup log.
//!
//! Filters are composed into one SQL statement with bound parameters, never string-pasted values.
//! Results come newest first and are paged; like plain search they carry no total.

use rusqlite::types::ToSql;
use rusqlite::{Connection, OptionalExtension, Transaction, params};
use serde::{Deserialize, Serialize};
use time::{Date, OffsetDateTime};
use vanthu_core::VIETNAM_OFFSET;
use vanthu_core::document::{Direction, Urgency};
use vanthu_core::text::fold;

use crate::register::{Page, ROW_COLUMNS, RegisterRow, read_row, vietnam_rfc3339};
use crate::{Result, StoreError, search};

/// Where a document stands, as a filter.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StatusFilter {
    /// Registered, not assigned yet (incoming), not cancelled.
    Unassigned,
    /// Assigned, not started.
    Assigned,
    /// In progress.
    InProgress,
    /// Done.
    Done,
    /// Assigned, not done, deadline passed.
    Overdue,
    /// Cancelled.
    Cancelled,
    /// Recalled.
    Recalled,
}

/// A filtered search. Every field is optional; an empty filter lists everything, newest first.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Filter {
    /// Full text (folded: diacritics and case do not matter).
    pub text: Option<String>,
    /// One register.
    pub direction: Option<Direction>,
    /// Numbering year.
    pub year: Option<i32>,
    /// Type name (folded, exact).
    pub type_name: Option<String>,
    /// Issuer: folded words it must contain.
    pub organ: Option<String>,
    /// Urgency (any urgent when `any_urgent`).
    pub urgency: Option<Urgency>,
    /// Only urgent documents (Khẩn or more).
    pub any_urgent: bool,
    /// Status.
    pub status: Option<StatusFilter>,
    /// Register date (arrival or issue) from, inclusive.
    pub date_from: Option<Date>,
    /// Register date to, inclusive.
    pub date_to: Option<Date>,
}

/// Runs a filtered search: one page, newest first.
pub fn filtered(
    conn: &Connection,
    f: &Filter,
    now: OffsetDateTime,
    page: u32,
    page_size: u32,
) -> Result<Page<RegisterRow>> {
    let page_size = page_size.clamp(1, 1000);
    let Some(mut items) = select(conn, f, now, i64::from(page_size) + 1, i64::from(page) * i64::from(page_size))?
    else {
        return Ok(Page { items: Vec::new(), page, page_size, total: Some(0), has_more: false });
    };
    let has_more = items.len() > page_size as usize;
    items.truncate(page_size as usize);
    Ok(Page { items, page, page_size, total: None, has_more })
}

/// Every row of a filtered search up to `max`, newest first, in one statement (exports).
pub fn filtered_all(conn: &Connection, f: &Filter, now: OffsetDateTime, max: u32) -> Result<Vec<RegisterRow>> {
    Ok(select(conn, f, now, i64::from(max), 0)?.unwrap_or_default())
}

/// The filter as one SQL statement with bound parameters; `None` when the text has nothing to search.
fn select(
    conn: &Connection,
    f: &Filter,
    now: OffsetDateTime,
    limit: i64,
    offset: i64,
) -> Result<Option<Vec<RegisterRow>>> {
    let mut from = String::from("document d JOIN series s ON s.id = d.series_id");
    let mut conds: Vec<String> = Vec::new();
    let mut args: Vec<Box<dyn ToSql>> = Vec::new();
    let bind = |args: &mut Vec<Box<dyn ToSql>>, v: Box<dyn ToSql>| {
        args.push(v);
        format!("?{}", args.len())
    };
    let by_text = f.text.as_deref().is_some_and(|t| !t.trim().is_empty());
    if let Some(text) = f.text.as_deref().filter(|t| !t.trim().is_empty()) {
        let Some(expr) = search::match_expression(text) else {
            return Ok(None);
        };
        from =
            String::from("document_search x JOIN document d ON d.rowid = x.rowid JOIN series s ON s.id = d.series_id");
        let p = bind(&mut args, Box::new(expr));
        conds.push(format!("document_search MATCH {p}"));
        // A date range narrows the full-text scan itself: rows are numbered in registration order, so
        // the documents of a date range lie between two row ids, which FTS5 seeks directly.
        if f.date_from.is_some() || f.date_to.is_some() {
            let Some((lo, hi)) = rowid_bounds(conn, f)? else {
                return Ok(Some(Vec::new()));
            };
            let lo = bind(&mut args, Box::new(lo));
            let hi = bind(&mut args, Box::new(hi));
            conds.push(format!("x.rowid BETWEEN {lo} AND {hi}"));
        }
    }
    if let Some(dir) = f.direction {
        let p = bind(&mut args, Box::new(dir.as_str()));
        conds.push(format!("d.direction = {p}"));
    }
    if let Some(year) = f.year {
        let p = bind(&mut args, Box::new(year));
        conds.push(format!("d.year = {p}"));
    }
    if let Some(t) = f.type_name.as_deref().map(fold).filter(|t| !t.is_empty()) {
        let p = bind(&mut args, Box::new(t));
        conds.push(format!("vanthu_fold(d.type_name) = {p}"));
    }
    if let Some(o) = f.organ.as_deref() {
        for word in fold(o).split_whitespace() {
            let p = bind(&mut args, Box::new(format!("%{}%", word.replace(['%', '_'], ""))));
            conds.push(format!("d.organ_fold LIKE {p}"));
        }
    }
    if let Some(u) = f.urgency {
        let p = bind(&mut args, Box::new(u.code()));
        conds.push(format!("d.urgency = {p}"));
    } else if f.any_urgent {
        conds.push("d.urgency IS NOT NULL".to_owned());
    }
    if let Some(from_date) = f.date_from {
        let p = bind(&mut args, Box::new(from_date.to_string()));
        conds.push(format!("d.register_date >= {p}"));
    }
    if let Some(to_date) = f.date_to {
        let p = bind(&mut args, Box::new(to_date.to_string()));
        conds.push(format!("d.register_date <= {p}"));
    }
    if let Some(status) = f.status {
        let h = "(SELECT h.status FROM handling h WHERE h.document_rowid = d.rowid)";
        conds.push(match status {
            StatusFilter::Unassigned => "d.direction = 'incoming' AND d.cancelled_at IS NULL
                AND NOT EXISTS (SELECT 1 FROM handling h WHERE h.document_rowid = d.rowid)"
                .to_owned(),
            StatusFilter::Assigned => format!("{h} = 'assigned' AND d.cancelled_at IS NULL"),
            StatusFilter::InProgress => format!("{h} = 'in_progress' AND d.cancelled_at IS NULL"),
            StatusFilter::Done => format!("{h} = 'done'"),
            StatusFilter::Overdue => {
                let p = bind(&mut args, Box::new(vietnam_rfc3339(now)));
                format!(
                    "d.cancelled_at IS NULL AND EXISTS (SELECT 1 FROM handling h WHERE h.document_rowid = d.rowid
                        AND h.status <> 'done' AND h.deadline IS NOT NULL AND h.deadline < {p})"
                )
            }
            StatusFilter::Cancelled => "d.cancelled_at IS NOT NULL".to_owned(),
            StatusFilter::Recalled => "d.recalled_at IS NOT NULL".to_owned(),
        });
    }
    let where_clause = if conds.is_empty() { String::new() } else { format!("WHERE {}", conds.join(" AND ")) };
    // Newest first. Within one register, walking (year, position) backwards follows the unique index
    // of the register books, so the scan stops as soon as the page is full.
    let order = match (by_text, f.direction) {
        (true, _) => "x.rowid DESC",
        (false, Some(_)) => "d.direction DESC, d.year DESC, d.position DESC",
        (false, None) => "d.rowid DESC",
    };
    let limit = bind(&mut args, Box::new(limit));
    let offset = bind(&mut args, Box::new(offset));
    let sql = format!("SELECT {ROW_COLUMNS} FROM {from} {where_clause} ORDER BY {order} LIMIT {limit} OFFSET {offset}");
    let mut stmt = conn.prepare(&sql)?;
    let refs: Vec<&dyn ToSql> = args.iter().map(|b| b.as_ref()).collect();
    let items = stmt.query_map(refs.as_slice(), read_row)?.collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(Some(items))
}

/// The smallest and largest row id of the documents registered in the filter's date range (and
/// register), through the register-date index; `None` when there is none.
fn rowid_bounds(conn: &Connection, f: &Filter) -> Result<Option<(i64, i64)>> {
    let from = f.date_from.map(|d| d.to_string()).unwrap_or_default();
    let to = f.date_to.map(|d| d.to_string()).unwrap_or_else(|| "9999-12-31".to_owned());
    let directions: &[&str] = match f.direction {
        Some(Direction::Incoming) => &["incoming"],
        Some(Direction::Outgoing) => &["outgoing"],
        None => &["incoming", "outgoing"],
    };
    let mut bounds: Option<(i64, i64)> = None;
    for dir in directions {
        let found: (Option<i64>, Option<i64>) = conn.query_row(
            "SELECT min(rowid), max(rowid) FROM document INDEXED BY document_register_date
             WHERE direction = ?1 AND register_date BETWEEN ?2 AND ?3",
            params![dir, from, to],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )?;
        if let (Some(lo), Some(hi)) = found {
            bounds = Some(bounds.map_or((lo, hi), |(a, b)| (a.min(lo), b.max(hi))));
        }
    }
    Ok(bounds)
}

/// An open deadline on the home screen.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeadlineItem {
    /// The document.
    pub document: RegisterRow,
    /// The deadline (RFC 3339): the handling deadline, or the registration/presentation deadline of a
    /// document nobody was assigned yet.
    pub deadline: String,
    /// What the deadline is for.
    pub kind: DeadlineKind,
}

/// Which deadline.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DeadlineKind {
    /// Present it for assignment (domain.md §6: same or next working day; 2 working hours electronic;
    /// immediately when urgent).
    Presentation,
    /// Hạn giải quyết set by the leader.
    Handling,
}

/// Open load per handler.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct HandlerLoad {
    /// Unit or person.
    pub name: String,
    /// Open documents where they lead.
    pub open: i64,
    /// Of which due today.
    pub due_today: i64,
    /// Of which overdue.
    pub overdue: i64,
}

/// The home screen.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Dashboard {
    /// Arrived today (incoming registered today), newest first.
    pub arrived_today: Vec<RegisterRow>,
    /// Urgent documents not yet done, newest first.
    pub urgent_open: Vec<RegisterRow>,
    /// Deadlines falling today, soonest first.
    pub due_today: Vec<DeadlineItem>,
    /// Deadlines passed, oldest first.
    pub overdue: Vec<DeadlineItem>,
    /// Per handler (lead), most overdue first.
    pub per_handler: Vec<HandlerLoad>,
}

/// How far back the home screen looks for documents still waiting to be presented.
const PRESENTATION_WINDOW_DAYS: i64 = 90;
/// At most this many rows per list on the home screen.
const LIST_LIMIT: i64 = 200;

/// The home screen at `now`. With `handler` (account id, unit id), only what that person or unit leads.
pub fn dashboard(conn: &Connection, now: OffsetDateTime, handler: Option<(i64, Option<i64>)>) -> Result<Dashboard> {
    let local = now.to_offset(VIETNAM_OFFSET);
    let today = local.date();
    let end_of_today = vietnam_rfc3339(local.replace_time(time::Time::MIDNIGHT) + time::Duration::days(1));
    let now_text = vietnam_rfc3339(now);
    let (account, unit) = handler.map_or((None, None), |(a, u)| (Some(a), u));
    let mine = "(?5 IS NULL OR EXISTS (SELECT 1 FROM handler m WHERE m.document_rowid = d.rowid
        AND (m.account_id = ?5 OR m.unit_id = ?6)))";
    let today_text = today.to_string();
    let all: [&dyn ToSql; 6] = [&today_text, &now_text, &end_of_today, &LIST_LIMIT, &account, &unit];
    let rows = |sql: &str, args: &[&dyn ToSql]| -> Result<Vec<RegisterRow>> {
        let mut stmt = conn.prepare(sql)?;
        let r = stmt.query_map(args, read_row)?;
        Ok(r.collect::<rusqlite::Result<_>>()?)
    };
    let arrived_today = rows(
        &format!(
            "SELECT {ROW_COLUMNS} FROM document d JOIN series s ON s.id = d.series_id
         WHERE d.direction = 'incoming' AND d.register_date = ?1 AND {mine} ORDER BY d.rowid DESC LIMIT ?4"
        ),
        &all,
    )?;
    let urgent_open = rows(
        &format!(
            "SELECT {ROW_COLUMNS} FROM document d JOIN series s ON s.id = d.series_id
         WHERE d.direction = 'incoming' AND d.urgency IS NOT NULL AND d.cancelled_at IS NULL
           AND NOT EXISTS (SELECT 1 FROM handling h WHERE h.document_rowid = d.rowid AND h.status = 'done')
           AND d.register_date >= date(?1, '-{PRESENTATION_WINDOW_DAYS} days') AND {mine}
         ORDER BY d.register_date DESC, d.rowid DESC LIMIT ?4"
        ),
        &all,
    )?;
    // Handling deadlines not done, up to the end of today; presentation deadlines of documents nobody
    // was assigned yet (only for the whole office: a handler has nothing to present). The planner,
    // without statistics, prefers the register-date index there and sorts 90 days of arrivals; the
    // deadline index reads them in order and stops at the limit (0.5 s → 1 ms on a million rows).
    let handling_due = rows(
        &format!(
            "SELECT {ROW_COLUMNS} FROM handling h JOIN document d ON d.rowid = h.document_rowid
         JOIN series s ON s.id = d.series_id
         WHERE h.status <> 'done' AND h.deadline IS NOT NULL AND h.deadline < ?3 AND d.cancelled_at IS NULL
           AND {mine} ORDER BY h.deadline LIMIT ?4"
        ),
        &all,
    )?;
    let presentation_due = if handler.is_some() {
        Vec::new()
    } else {
        rows(
            &format!(
                "SELECT {ROW_COLUMNS} FROM document d INDEXED BY document_register_deadline
             JOIN series s ON s.id = d.series_id
             WHERE d.direction = 'incoming' AND d.cancelled_at IS NULL AND d.register_deadline IS NOT NULL
               AND d.register_deadline < ?3
               AND d.register_deadline >= date(?1, '-{PRESENTATION_WINDOW_DAYS} days')
               AND NOT EXISTS (SELECT 1 FROM handling h WHERE h.document_rowid = d.rowid)
             ORDER BY d.register_deadline LIMIT ?4"
            ),
            &all[..4],
        )?
    };
    let mut due_today = Vec::new();
    let mut overdue = Vec::new();
    let items = handling_due
        .into_iter()
        .filter_map(|d| d.handling_deadline.clone().map(|dl| (d, dl, DeadlineKind::Handling)))
        .chain(
            presentation_due
                .into_iter()
                .filter_map(|d| d.register_deadline.clone().map(|dl| (d, dl, DeadlineKind::Presentation))),
        );
    for (document, deadline, kind) in items {
        let item = DeadlineItem { document, deadline, kind };
        if item.deadline.as_str() < now_text.as_str() {
            overdue.push(item);
        } else {
            due_today.push(item);
        }
    }
    overdue.sort_by(|a, b| a.deadline.cmp(&b.deadline));
    due_today.sort_by(|a, b| a.deadline.cmp(&b.deadline));
    let mut stmt = conn.prepare(&format!(
        "SELECT coalesce(u.name, a.full_name) AS who, count(*),
            sum(h.deadline IS NOT NULL AND h.deadline >= ?2 AND h.deadline < ?3),
            sum(h.deadline IS NOT NULL AND h.deadline < ?2)
         FROM handling h JOIN handler x ON x.document_rowid = h.document_rowid AND x.role = 'lead'
         JOIN document d ON d.rowid = h.document_rowid
         LEFT JOIN unit u ON u.id = x.unit_id LEFT JOIN account a ON a.id = x.account_id
         WHERE h.status <> 'done' AND d.cancelled_at IS NULL AND {mine}
         GROUP BY who ORDER BY 4 DESC, 2 DESC, who LIMIT ?4"
    ))?;
    let per_handler = stmt
        .query_map(&all[..], |r| {
            Ok(HandlerLoad {
                name: r.get(0)?,
                open: r.get(1)?,
                due_today: r.get::<_, Option<i64>>(2)?.unwrap_or(0),
                overdue: r.get::<_, Option<i64>>(3)?.unwrap_or(0),
            })
        })?
        .collect::<rusqlite::Result<_>>()?;
    Ok(Dashboard { arrived_today, urgent_open, due_today, overdue, per_handler })
}

/// An outgoing document that asked for a report by a date, not answered yet.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReplyAwaited {
    /// The outgoing document.
    pub document: RegisterRow,
    /// The date the report is due (yyyy-mm-dd).
    pub due_date: String,
    /// Whether that date has passed.
    pub overdue: bool,
}

/// Outgoing documents whose reply is due by `until` (yyyy-mm-dd, inclusive) and that no incoming
/// document answers yet, soonest first.
pub fn replies_awaited(conn: &Connection, today: Date, until: Date) -> Result<Vec<ReplyAwaited>> {
    let sql = format!(
        "SELECT {ROW_COLUMNS} FROM document d INDEXED BY document_reply_due JOIN series s ON s.id = d.series_id
         WHERE d.direction = 'outgoing' AND d.due_date IS NOT NULL AND d.cancelled_at IS NULL
           AND d.recalled_at IS NULL AND d.due_date <= ?1
           AND NOT EXISTS (SELECT 1 FROM document r WHERE r.response_for = d.rowid AND r.direction = 'incoming')
         ORDER BY d.due_date, d.rowid LIMIT {LIST_LIMIT}"
    );
    let mut stmt = conn.prepare(&sql)?;
    let rows = stmt.query_map([until.to_string()], read_row)?.collect::<rusqlite::Result<Vec<_>>>()?;
    let today = today.to_string();
    Ok(rows
        .into_iter()
        .filter_map(|document| {
            let due_date = document.due_date.clone()?;
            let overdue = due_date < today;
            Some(ReplyAwaited { document, due_date, overdue })
        })
        .collect())
}

/// A saved search.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SavedSearch {
    /// Row id.
    pub id: i64,
    /// Its name.
    pub name: String,
    /// The filter.
    pub filter: Filter,
    /// The columns shown, in order.
    pub columns: Vec<String>,
}

#[derive(Serialize, Deserialize)]
struct StoredQuery {
    filter: Filter,
    columns: Vec<String>,
}

/// Saves (or replaces) `owner`'s search called `name`.
pub fn save_search(
    tx: &Transaction<'_>,
    owner: &str,
    name: &str,
    filter: &Filter,
    columns: &[String],
    at: OffsetDateTime,
) -> Result<SavedSearch> {
    let query = serde_json::to_string(&StoredQuery { filter: filter.clone(), columns: columns.to_vec() })
        .map_err(|e| StoreError::Invalid(e.to_string()))?;
    tx.execute(
        "INSERT INTO saved_search (owner, name, query, created_at) VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT (owner, name) DO UPDATE SET query = excluded.query",
        params![owner, name, query, vietnam_rfc3339(at)],
    )?;
    let id: i64 =
        tx.query_row("SELECT id FROM saved_search WHERE owner = ?1 AND name = ?2", params![owner, name], |r| r.get(0))?;
    Ok(SavedSearch { id, name: name.to_owned(), filter: filter.clone(), columns: columns.to_vec() })
}

/// `owner`'s saved searches, by name.
pub fn saved_searches(conn: &Connection, owner: &str) -> Result<Vec<SavedSearch>> {
    let mut stmt = conn.prepare("SELECT id, name, query FROM saved_search WHERE owner = ?1 ORDER BY name")?;
    let rows = stmt
        .query_map([owner], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?, r.get::<_, String>(2)?)))?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    rows.into_iter()
        .map(|(id, name, q)| {
            let q: StoredQuery =
                serde_json::from_str(&q).map_err(|e| StoreError::Invalid(format!("tìm kiếm đã lưu: {e}")))?;
            Ok(SavedSearch { id, name, filter: q.filter, columns: q.columns })
        })
        .collect()
}

/// Deletes one of `owner`'s saved searches.
pub fn delete_saved_search(tx: &Transaction<'_>, owner: &str, id: i64) -> Result<()> {
    let n = tx.execute("DELETE FROM saved_search WHERE owner = ?1 AND id = ?2", params![owner, id])?;
    if n == 0 {
        return Err(StoreError::NotFound(format!("tìm kiếm đã lưu {id}")));
    }
    Ok(())
}

/// A backup attempt.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BackupRun {
    /// When (RFC 3339).
    pub at: String,
    /// Target folder.
    pub folder: String,
    /// By the schedule.
    pub scheduled: bool,
    /// Succeeded.
    pub ok: bool,
    /// The outcome in words.
    pub message: String,
}

/// Records a backup attempt.
pub fn record_backup(tx: &Transaction<'_>, run: &BackupRun) -> Result<()> {
    tx.execute(
        "INSERT INTO backup_run (at, folder, scheduled, ok, message) VALUES (?1, ?2, ?3, ?4, ?5)",
        params![run.at, run.folder, run.scheduled, run.ok, run.message],
    )?;
    Ok(())
}

/// The last backup attempt and the last successful one.
pub fn last_backups(conn: &Connection) -> Result<(Option<BackupRun>, Option<BackupRun>)> {
    let read = |sql: &str| -> Result<Option<BackupRun>> {
        Ok(conn
            .query_row(sql, [], |r| {
                Ok(BackupRun {
                    at: r.get(0)?,
                    folder: r.get(1)?,
                    scheduled: r.get(2)?,
                    ok: r.get(3)?,
                    message: r.get(4)?,
                })
            })
            .optional()?)
    };
    Ok((
        read("SELECT at, folder, scheduled, ok, message FROM backup_run ORDER BY id DESC LIMIT 1")?,
        read("SELECT at, folder, scheduled, ok, message FROM backup_run WHERE ok = 1 ORDER BY id DESC LIMIT 1")?,
    ))
}
