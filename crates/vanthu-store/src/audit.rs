//! The audit log on disk: append one entry per change, inside the change's transaction, chained by
//! SHA-256 onto the previous entry (rules in `vanthu_core::audit`), and verify the whole chain.
//!
//! The table also refuses UPDATE and DELETE through triggers; that only stops accidents. What detects a
//! deliberate edit is the chain, and [`crate::check`] cross-checks the chain's tail against the
//! documents that point into it, so a truncated tail is found too.

use rusqlite::{Connection, OptionalExtension, Row, Transaction, params};
use vanthu_core::audit::{AuditEntry, ChainBreak, GENESIS_HASH, verify_chain};

use crate::Result;

/// What to append; `seq` and hashes are computed here.
#[derive(Clone, Debug)]
pub struct NewAuditEntry<'a> {
    /// RFC 3339 time, Vietnam offset.
    pub at: &'a str,
    /// Who.
    pub actor: &'a str,
    /// Stable verb, e.g. `incoming.register`.
    pub action: &'a str,
    /// Entity kind.
    pub entity: &'a str,
    /// Entity id.
    pub entity_id: &'a str,
    /// Old values (JSON).
    pub old: Option<serde_json::Value>,
    /// New values (JSON).
    pub new: Option<serde_json::Value>,
}

/// Appends an entry and returns its seq.
pub fn append(tx: &Transaction<'_>, e: &NewAuditEntry<'_>) -> Result<i64> {
    let last: Option<(i64, String)> = tx
        .query_row("SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1", [], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?;
    let (prev_seq, prev_hash) = last.unwrap_or((0, GENESIS_HASH.to_owned()));
    let entry = AuditEntry {
        seq: prev_seq + 1,
        at: e.at.to_owned(),
        actor: e.actor.to_owned(),
        action: e.action.to_owned(),
        entity: e.entity.to_owned(),
        entity_id: e.entity_id.to_owned(),
        old_json: e.old.as_ref().map(|v| v.to_string()),
        new_json: e.new.as_ref().map(|v| v.to_string()),
    };
    let hash = entry.hash(&prev_hash);
    tx.execute(
        "INSERT INTO audit_log (seq, at, actor, action, entity, entity_id, old_json, new_json, prev_hash, hash)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
        params![
            entry.seq,
            entry.at,
            entry.actor,
            entry.action,
            entry.entity,
            entry.entity_id,
            entry.old_json,
            entry.new_json,
            prev_hash,
            hash
        ],
    )?;
    Ok(entry.seq)
}

/// The result of verifying the chain.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct ChainReport {
    /// Entries read.
    pub entries: i64,
    /// The head hash when the chain holds.
    pub head: Option<String>,
    /// Where it breaks, if it does.
    pub error: Option<ChainBreak>,
}

/// Reads every entry in seq order and verifies the chain (streaming: constant memory).
pub fn verify(conn: &Connection) -> Result<ChainReport> {
    let mut stmt = conn.prepare(
        "SELECT seq, at, actor, action, entity, entity_id, old_json, new_json, prev_hash, hash
         FROM audit_log ORDER BY seq",
    )?;
    let mut rows = stmt.query([])?;
    let mut entries = 0;
    let mut read_error = None;
    let iter = std::iter::from_fn(|| match rows.next() {
        Ok(Some(r)) => {
            let row = (|| Ok((read_entry(r)?, r.get(8)?, r.get(9)?)))();
            match row {
                Ok(row) => {
                    entries += 1;
                    Some(row)
                }
                Err(e) => {
                    read_error = Some(e);
                    None
                }
            }
        }
        Ok(None) => None,
        Err(e) => {
            read_error = Some(e);
            None
        }
    });
    let verdict = verify_chain(iter);
    if let Some(e) = read_error {
        return Err(e.into());
    }
    Ok(match verdict {
        Ok(head) => ChainReport { entries, head: Some(head), error: None },
        Err(e) => ChainReport { entries, head: None, error: Some(e) },
    })
}

/// The entries about one entity, oldest first (a document's history).
pub fn history(conn: &Connection, entity: &str, entity_id: &str) -> Result<Vec<AuditEntry>> {
    let mut stmt = conn.prepare(
        "SELECT seq, at, actor, action, entity, entity_id, old_json, new_json
         FROM audit_log WHERE entity = ?1 AND entity_id = ?2 ORDER BY seq",
    )?;
    let rows = stmt.query_map(params![entity, entity_id], read_entry)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Reads the first eight columns (seq … new_json) of an `audit_log` row.
fn read_entry(r: &Row<'_>) -> rusqlite::Result<AuditEntry> {
    Ok(AuditEntry {
        seq: r.get(0)?,
        at: r.get(1)?,
        actor: r.get(2)?,
        action: r.get(3)?,
        entity: r.get(4)?,
        entity_id: r.get(5)?,
        old_json: r.get(6)?,
        new_json: r.get(7)?,
    })
}
