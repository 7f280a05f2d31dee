//! Who may read a secret document (Mật, Tối mật, Tuyệt mật): the clerk who registers it, the leaders
//! who assign it, and the people (or units) it is given to handle — nobody else, administrators
//! included (domain.md §9: access rights per document).
//!
//! Lists still show a secret document's row (its number and date are part of the register) with the
//! subject hidden; a text search never lists it for someone who may not read it (a hit would reveal
//! its words); opening it is refused.

use vanthu_core::access::Role;
use vanthu_store::handling;
use vanthu_store::register::{Page, RegisterRow};

use crate::{Actor, ApiError, ApiResult, Desk, ErrorCode};

/// What replaces the subject of a secret document one may not read.
pub const HIDDEN_SUBJECT: &str = "[Văn bản mật: chỉ người được giao xem]";

impl Desk {
    /// Whether `actor` may read the content of `row`.
    pub(crate) fn may_read(&self, actor: &Actor, row: &RegisterRow) -> ApiResult<bool> {
        let Some(account) = &actor.account else { return Ok(true) };
        if row.secrecy.is_none() || matches!(account.role, Role::Clerk | Role::Leader) {
            return Ok(true);
        }
        Ok(self.store.read(|c| handling::is_handler(c, &row.id, account.id, account.unit_id))?)
    }

    /// Refuses a secret document `actor` may not read.
    pub(crate) fn require_readable(&self, actor: &Actor, row: &RegisterRow) -> ApiResult<()> {
        if self.may_read(actor, row)? {
            Ok(())
        } else {
            Err(ApiError::new(
                ErrorCode::Forbidden,
                "Văn bản mật: chỉ văn thư, lãnh đạo và người được giao giải quyết được xem.",
            ))
        }
    }

    /// Hides what `actor` may not read: the subject, recipients and note of secret rows; with `hits`
    /// (a text search), such rows are left out altogether.
    pub(crate) fn redact(
        &self,
        actor: &Actor,
        mut page: Page<RegisterRow>,
        hits: bool,
    ) -> ApiResult<Page<RegisterRow>> {
        page.items = self.redact_rows(actor, page.items, hits)?;
        Ok(page)
    }

    /// [`Desk::redact`] for a plain list of rows.
    pub(crate) fn redact_rows(&self, actor: &Actor, rows: Vec<RegisterRow>, hits: bool) -> ApiResult<Vec<RegisterRow>> {
        let mut kept = Vec::with_capacity(rows.len());
        for mut row in rows {
            if self.may_read(actor, &row)? {
                kept.push(row);
            } else if !hits {
                hide(&mut row);
                kept.push(row);
            }
        }
        Ok(kept)
    }

    /// Hides, in place, the content of every row `actor` may not read.
    pub(crate) fn hide_unreadable<'a>(
        &self,
        actor: &Actor,
        rows: impl IntoIterator<Item = &'a mut RegisterRow>,
    ) -> ApiResult<()> {
        for row in rows {
            if !self.may_read(actor, row)? {
                hide(row);
            }
        }
        Ok(())
    }
}

/// Blanks the content of a row.
pub(crate) fn hide(row: &mut RegisterRow) {
    row.subject = HIDDEN_SUBJECT.to_owned();
    row.recipients.clear();
    row.note = None;
}
