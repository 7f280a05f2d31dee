//! Handling of incoming documents: the leader's assignment (lead, co-handlers, deadline, directions),
//! the handlers' progress reports, the reply that answered it. Everything is audited.
//!
//! Who may assign and who may report is the façade's business (it knows the signed-in user); this
//! module only keeps the records consistent: one handling per document, exactly one lead, no handler
//! twice, nothing on a cancelled document.

use rusqlite::{Connection, OptionalExtension, Transaction, params};
use serde::{Deserialize, Serialize};
use serde_json::json;
use time::OffsetDateTime;
use vanthu_core::document::Direction;
use vanthu_core::handling::HandlingStatus;

use crate::audit::{self, NewAuditEntry};
use crate::register::{RegisterRow, row_by_rowid, rowid_of, vietnam_rfc3339};
use crate::{Result, StoreError};

/// A unit or a person.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind", content = "id")]
pub enum HandlerRef {
    /// A unit of the organisation.
    Unit(i64),
    /// An account.
    Account(i64),
}

/// A handler as shown.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Handler {
    /// Lead (chủ trì) or co-handler (phối hợp).
    pub lead: bool,
    /// Who.
    pub who: HandlerRef,
    /// Unit name or person's full name.
    pub name: String,
}

/// A progress report.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProgressEntry {
    /// When (RFC 3339).
    pub at: String,
    /// Who (user name).
    pub actor: String,
    /// The status it set.
    pub status: HandlingStatus,
    /// What was done.
    pub note: Option<String>,
}

/// The handling of one incoming document.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Handling {
    /// Where it stands.
    pub status: HandlingStatus,
    /// Ý kiến chỉ đạo.
    pub directions: Option<String>,
    /// Hạn giải quyết (RFC 3339).
    pub deadline: Option<String>,
    /// Who assigned it.
    pub assigned_by: String,
    /// When.
    pub assigned_at: String,
    /// Last change.
    pub updated_at: String,
    /// When it was done.
    pub done_at: Option<String>,
    /// Lead first, then co-handlers.
    pub handlers: Vec<Handler>,
    /// Progress reports, oldest first.
    pub progress: Vec<ProgressEntry>,
    /// Outgoing documents that answer it.
    pub replies: Vec<RegisterRow>,
}

/// An assignment.
#[derive(Clone, Debug)]
pub struct Assignment<'a> {
    /// The lead.
    pub lead: HandlerRef,
    /// Co-handlers.
    pub co: &'a [HandlerRef],
    /// Hạn giải quyết.
    pub deadline: Option<OffsetDateTime>,
    /// Ý kiến chỉ đạo (NFC).
    pub directions: Option<&'a str>,
}

fn handler_name(conn: &Connection, who: HandlerRef) -> Result<String> {
    let found: Option<String> = match who {
        HandlerRef::Unit(id) => conn.query_row("SELECT name FROM unit WHERE id = ?1", [id], |r| r.get(0)).optional()?,
        HandlerRef::Account(id) => conn
            .query_row("SELECT full_name FROM account WHERE id = ?1 AND active = 1", [id], |r| r.get(0))
            .optional()?,
    };
    found.ok_or_else(|| StoreError::NotFound(format!("người/đơn vị xử lý {who:?}")))
}

fn incoming_rowid(conn: &Connection, id: &str) -> Result<(i64, RegisterRow)> {
    let rowid = rowid_of(conn, id)?;
    let row = row_by_rowid(conn, rowid)?;
    if row.direction != Direction::Incoming {
        return Err(StoreError::Conflict("chỉ văn bản đến mới được phân công giải quyết".to_owned()));
    }
    if row.cancelled {
        return Err(StoreError::Conflict(format!("văn bản số đến {} đã bị hủy", row.number)));
    }
    Ok((rowid, row))
}

/// Assigns (or re-assigns) the handling of an incoming document.
pub fn assign(tx: &Transaction<'_>, id: &str, a: &Assignment<'_>, at: OffsetDateTime, actor: &str) -> Result<Handling> {
    let (rowid, _) = incoming_rowid(tx, id)?;
    let before = handling(tx, id)?;
    if before.as_ref().is_some_and(|h| h.status == HandlingStatus::Done) {
        return Err(StoreError::Conflict("văn bản đã giải quyết xong, không phân công lại được".to_owned()));
    }
    let mut handlers = vec![Handler { lead: true, who: a.lead, name: handler_name(tx, a.lead)? }];
    for who in a.co {
        if handlers.iter().any(|h| h.who == *who) {
            return Err(StoreError::Conflict("một người/đơn vị được chọn hai lần".to_owned()));
        }
        handlers.push(Handler { lead: false, who: *who, name: handler_name(tx, *who)? });
    }
    let at_text = vietnam_rfc3339(at);
    let deadline = a.deadline.map(vietnam_rfc3339);
    match &before {
        None => {
            tx.execute(
                "INSERT INTO handling (document_rowid, status, directions, deadline, assigned_by, assigned_at, updated_at)
                 VALUES (?1, 'assigned', ?2, ?3, ?4, ?5, ?5)",
                params![rowid, a.directions, deadline, actor, at_text],
            )?;
            tx.execute(
                "INSERT INTO progress (document_rowid, at, actor, status, note) VALUES (?1, ?2, ?3, 'assigned', ?4)",
                params![rowid, at_text, actor, a.directions],
            )?;
        }
        Some(_) => {
            tx.execute(
                "UPDATE handling SET directions = ?2, deadline = ?3, assigned_by = ?4, assigned_at = ?5, updated_at = ?5
                 WHERE document_rowid = ?1",
                params![rowid, a.directions, deadline, actor, at_text],
            )?;
            tx.execute("DELETE FROM handler WHERE document_rowid = ?1", [rowid])?;
        }
    }
    for h in &handlers {
        let (unit, account) = match h.who {
            HandlerRef::Unit(u) => (Some(u), None),
            HandlerRef::Account(a) => (None, Some(a)),
        };
        tx.execute(
            "INSERT INTO handler (document_rowid, role, unit_id, account_id) VALUES (?1, ?2, ?3, ?4)",
            params![rowid, if h.lead { "lead" } else { "co" }, unit, account],
        )?;
    }
    let summary = |h: &Handling| {
        json!({
            "lead": h.handlers.iter().find(|x| x.lead).map(|x| &x.name),
            "co": h.handlers.iter().filter(|x| !x.lead).map(|x| &x.name).collect::<Vec<_>>(),
            "deadline": h.deadline,
            "directions": h.directions,
        })
    };
    let after = handling(tx, id)?.ok_or_else(|| StoreError::NotFound(id.to_owned()))?;
    audit::append(
        tx,
        &NewAuditEntry {
            at: &at_text,
            actor,
            action: if before.is_some() { "handling.reassign" } else { "handling.assign" },
            entity: "document",
            entity_id: id,
            old: before.as_ref().map(summary),
            new: Some(summary(&after)),
        },
    )?;
    Ok(after)
}

/// Records progress on an assigned document.
pub fn report(
    tx: &Transaction<'_>,
    id: &str,
    status: HandlingStatus,
    note: Option<&str>,
    at: OffsetDateTime,
    actor: &str,
) -> Result<Handling> {
    let (rowid, _) = incoming_rowid(tx, id)?;
    let before = handling(tx, id)?.ok_or_else(|| StoreError::Conflict("văn bản chưa được phân công".to_owned()))?;
    // Reopening a done document is allowed (a leader sends it back): it is audited like any change.
    let at_text = vietnam_rfc3339(at);
    tx.execute(
        "UPDATE handling SET status = ?2, updated_at = ?3,
            done_at = CASE WHEN ?2 = 'done' THEN ?3 ELSE NULL END WHERE document_rowid = ?1",
        params![rowid, status.code(), at_text],
    )?;
    tx.execute(
        "INSERT INTO progress (document_rowid, at, actor, status, note) VALUES (?1, ?2, ?3, ?4, ?5)",
        params![rowid, at_text, actor, status.code(), note],
    )?;
    audit::append(
        tx,
        &NewAuditEntry {
            at: &at_text,
            actor,
            action: "handling.progress",
            entity: "document",
            entity_id: id,
            old: Some(json!({"status": before.status.code()})),
            new: Some(json!({"status": status.code(), "note": note})),
        },
    )?;
    handling(tx, id)?.ok_or_else(|| StoreError::NotFound(id.to_owned()))
}

/// The handling of a document, if assigned.
pub fn handling(conn: &Connection, id: &str) -> Result<Option<Handling>> {
    let rowid = rowid_of(conn, id)?;
    let head = conn
        .query_row(
            "SELECT status, directions, deadline, assigned_by, assigned_at, updated_at, done_at
             FROM handling WHERE document_rowid = ?1",
            [rowid],
            |r| Ok((r.get::<_, String>(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?, r.get(6)?)),
        )
        .optional()?;
    let Some((status, directions, deadline, assigned_by, assigned_at, updated_at, done_at)) = head else {
        return Ok(None);
    };
    let status = parse_status(&status)?;
    let mut stmt = conn.prepare_cached(
        "SELECT x.role = 'lead', x.unit_id, x.account_id, coalesce(u.name, a.full_name)
         FROM handler x LEFT JOIN unit u ON u.id = x.unit_id LEFT JOIN account a ON a.id = x.account_id
         WHERE x.document_rowid = ?1 ORDER BY x.role = 'lead' DESC, x.rowid",
    )?;
    let handlers = stmt
        .query_map([rowid], |r| {
            let unit: Option<i64> = r.get(1)?;
            let account: Option<i64> = r.get(2)?;
            Ok(Handler {
                lead: r.get(0)?,
                who: match (unit, account) {
                    (Some(u), _) => HandlerRef::Unit(u),
                    (None, a) => HandlerRef::Account(a.unwrap_or_default()),
                },
                name: r.get(3)?,
            })
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    let mut stmt =
        conn.prepare_cached("SELECT at, actor, status, note FROM progress WHERE document_rowid = ?1 ORDER BY id")?;
    let progress = stmt
        .query_map([rowid], |r| Ok((r.get::<_, String>(0)?, r.get(1)?, r.get::<_, String>(2)?, r.get(3)?)))?
        .collect::<rusqlite::Result<Vec<_>>>()?
        .into_iter()
        .map(|(at, actor, s, note)| Ok(ProgressEntry { at, actor, status: parse_status(&s)?, note }))
        .collect::<Result<Vec<_>>>()?;
    Ok(Some(Handling {
        status,
        directions,
        deadline,
        assigned_by,
        assigned_at,
        updated_at,
        done_at,
        handlers,
        progress,
        replies: replies_to(conn, rowid)?,
    }))
}

/// Outgoing documents registered as answers to the document at `rowid`.
fn replies_to(conn: &Connection, rowid: i64) -> Result<Vec<RegisterRow>> {
    let mut stmt = conn.prepare_cached("SELECT rowid FROM document WHERE response_for = ?1 ORDER BY rowid")?;
    let ids = stmt.query_map([rowid], |r| r.get::<_, i64>(0))?.collect::<rusqlite::Result<Vec<_>>>()?;
    ids.into_iter().map(|r| row_by_rowid(conn, r)).collect()
}

/// Whether the account (or its unit) is among the handlers of the document.
pub fn is_handler(conn: &Connection, id: &str, account_id: i64, unit_id: Option<i64>) -> Result<bool> {
    let rowid = rowid_of(conn, id)?;
    Ok(conn.query_row(
        "SELECT EXISTS (SELECT 1 FROM handler WHERE document_rowid = ?1 AND (account_id = ?2 OR unit_id = ?3))",
        params![rowid, account_id, unit_id],
        |r| r.get(0),
    )?)
}

fn parse_status(s: &str) -> Result<HandlingStatus> {
    HandlingStatus::parse(s).ok_or_else(|| StoreError::Invalid(format!("trạng thái giải quyết {s}")))
}
