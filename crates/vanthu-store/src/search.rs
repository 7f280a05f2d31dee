//! Full-text search over the register's metadata (SQLite FTS5), in the folded form of
//! `vanthu_core::text::fold`: "quyet dinh" finds "Quyết định", "da nang" finds "Đà Nẵng".
//!
//! The index is contentless: it holds tokens only, and rows are read back from `document`. Its entries
//! are written in the same transaction as the document ([`index_document`]). Folding is done in Rust and
//! exposed to SQL as `vanthu_search_text(…)` so that migrations can backfill the index with exactly the
//! text the application would have written.

use rusqlite::functions::FunctionFlags;
use rusqlite::{Connection, Transaction, params};
use vanthu_core::text::fold;

use crate::Result;

/// The searchable fields of a document, in the order `vanthu_search_text` takes them.
#[derive(Clone, Copy, Debug, Default)]
pub struct SearchFields<'a> {
    /// Trích yếu.
    pub subject: &'a str,
    /// Author / issuing organisation.
    pub organ_name: &'a str,
    /// Code number.
    pub code_number: Option<&'a str>,
    /// Code notation.
    pub code_notation: Option<&'a str>,
    /// Type name.
    pub type_name: &'a str,
    /// Signer.
    pub signer: Option<&'a str>,
    /// Handler.
    pub handler: Option<&'a str>,
    /// Recipients as stored (JSON array text).
    pub recipients: &'a str,
    /// Note.
    pub note: Option<&'a str>,
}

impl SearchFields<'_> {
    /// The folded text indexed for these fields.
    pub fn folded(&self) -> String {
        search_text(&[
            Some(self.subject),
            Some(self.organ_name),
            self.code_number,
            self.code_notation,
            Some(self.type_name),
            self.signer,
            self.handler,
            Some(self.recipients),
            self.note,
        ])
    }
}

fn search_text(fields: &[Option<&str>]) -> String {
    let joined: Vec<&str> = fields.iter().flatten().copied().collect();
    fold(&joined.join(" "))
}

/// Registers `vanthu_fold(text)` and `vanthu_search_text(…9 fields)` on a connection.
pub(crate) fn register_functions(conn: &Connection) -> Result<()> {
    let flags = FunctionFlags::SQLITE_UTF8 | FunctionFlags::SQLITE_DETERMINISTIC;
    conn.create_scalar_function("vanthu_fold", 1, flags, |ctx| {
        let s: Option<String> = ctx.get(0)?;
        Ok(s.map(|s| fold(&s)))
    })?;
    conn.create_scalar_function("vanthu_search_text", 9, flags, |ctx| {
        let mut fields = Vec::with_capacity(9);
        for i in 0..9 {
            fields.push(ctx.get::<Option<String>>(i)?);
        }
        let refs: Vec<Option<&str>> = fields.iter().map(|f| f.as_deref()).collect();
        Ok(search_text(&refs))
    })?;
    Ok(())
}

/// Writes the search entry of document `rowid`.
pub fn index_document(tx: &Transaction<'_>, rowid: i64, fields: &SearchFields<'_>) -> Result<()> {
    tx.execute("INSERT INTO document_search (rowid, folded) VALUES (?1, ?2)", params![rowid, fields.folded()])?;
    Ok(())
}

/// The FTS5 query for what the user typed: every folded word must appear; the last one may be
/// unfinished, so it matches as a prefix ("quyet din" finds "quyết định"). `None` when nothing
/// searchable was typed.
pub fn match_expression(user_query: &str) -> Option<String> {
    let folded = fold(user_query);
    if folded.is_empty() {
        return None;
    }
    // Folded words are letters and digits only, so quoting them is always safe.
    let mut terms: Vec<String> = folded.split(' ').map(|w| format!("\"{w}\"")).collect();
    if let Some(last) = terms.last_mut() {
        last.push('*');
    }
    Some(terms.join(" AND "))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn match_expressions() {
        assert_eq!(match_expression("Quyết định").as_deref(), Some("\"quyet\" AND \"dinh\"*"));
        assert_eq!(match_expression("da nang").as_deref(), Some("\"da\" AND \"nang\"*"));
        assert_eq!(match_expression("\"OR\" NEAR(*)").as_deref(), Some("\"or\" AND \"near\"*"));
        assert_eq!(match_expression(" -- "), None);
    }
}
