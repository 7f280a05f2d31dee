//! The directory of organisations (danh bạ cơ quan) that grows as the clerk works: every issuer of a
//! registered incoming document and every external recipient of an outgoing one is remembered, one
//! entry per folded name, with how often it was used, so the form can offer the usual ones first.

use rusqlite::{Connection, OptionalExtension, Transaction, params};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use vanthu_core::text::fold;

use crate::Result;
use crate::register::vietnam_rfc3339;

/// An organisation of the directory.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Organ {
    /// Row id.
    pub id: i64,
    /// Mã định danh, when known.
    pub organ_id: Option<String>,
    /// Name as first written (NFC).
    pub name: String,
    /// How many registrations used it.
    pub uses: i64,
}

/// Remembers `name` (and its id when given), counting one more use. Called inside registrations.
pub fn remember(tx: &Transaction<'_>, name: &str, organ_id: Option<&str>, at: OffsetDateTime) -> Result<()> {
    let folded = fold(name);
    if folded.is_empty() {
        return Ok(());
    }
    tx.execute(
        "INSERT INTO organ (organ_id, name, name_fold, uses, last_used_at) VALUES (?1, ?2, ?3, 1, ?4)
         ON CONFLICT (name_fold) DO UPDATE SET uses = uses + 1, last_used_at = excluded.last_used_at,
             organ_id = coalesce(excluded.organ_id, organ.organ_id)",
        params![organ_id, name, folded, vietnam_rfc3339(at)],
    )?;
    Ok(())
}

/// Organisations whose folded name contains every word of `query` (diacritics and case ignored), most
/// used first. An empty query lists the most used.
pub fn suggest(conn: &Connection, query: &str, limit: u32) -> Result<Vec<Organ>> {
    let words: Vec<String> =
        fold(query).split_whitespace().map(|w| format!("%{}%", w.replace(['%', '_'], ""))).collect();
    let mut sql = String::from("SELECT id, organ_id, name, uses FROM organ WHERE 1 = 1");
    for i in 0..words.len() {
        sql.push_str(&format!(" AND name_fold LIKE ?{}", i + 2));
    }
    sql.push_str(" ORDER BY uses DESC, name LIMIT ?1");
    let mut stmt = conn.prepare(&sql)?;
    let mut params: Vec<&dyn rusqlite::ToSql> = vec![&limit];
    for w in &words {
        params.push(w);
    }
    let rows = stmt.query_map(params.as_slice(), |r| {
        Ok(Organ { id: r.get(0)?, organ_id: r.get(1)?, name: r.get(2)?, uses: r.get(3)? })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// The entry for exactly this (folded) name.
pub fn find(conn: &Connection, name: &str) -> Result<Option<Organ>> {
    Ok(conn
        .query_row("SELECT id, organ_id, name, uses FROM organ WHERE name_fold = ?1", [fold(name)], |r| {
            Ok(Organ { id: r.get(0)?, organ_id: r.get(1)?, name: r.get(2)?, uses: r.get(3)? })
        })
        .optional()?)
}
