//! Finding documents: filtered searches, a user's saved searches, and the directory of organisations
//! that the forms suggest from.

use serde::{Deserialize, Serialize};
use vanthu_core::access::Permission;
use vanthu_core::text::clean;
use vanthu_store::directory::{self, Organ};
use vanthu_store::query::{self, Filter, SavedSearch};
use vanthu_store::register::{Page, RegisterRow};

use crate::{ApiError, ApiResult, Desk};

/// A search to save.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SavedSearchInput {
    /// Its name.
    pub name: String,
    /// The filter.
    pub filter: Filter,
    /// The columns shown, in order.
    pub columns: Vec<String>,
}

impl Desk {
    /// A filtered search, newest first.
    pub fn find(&self, filter: &Filter, page: u32, page_size: u32) -> ApiResult<Page<RegisterRow>> {
        let actor = self.authorise(Permission::ReadRegister)?;
        if let (Some(a), Some(b)) = (filter.date_from, filter.date_to)
            && b < a
        {
            return Err(ApiError::invalid("\"Đến ngày\" phải sau \"từ ngày\"."));
        }
        let now = self.now();
        let found = self.store.read(|c| query::filtered(c, filter, now, page, page_size))?;
        let by_text = filter.text.as_deref().is_some_and(|t| !t.trim().is_empty());
        self.redact(&actor, found, by_text)
    }

    /// Saves (or replaces) a search under a name, for the signed-in user.
    pub fn save_search(&self, input: &SavedSearchInput) -> ApiResult<SavedSearch> {
        let actor = self.authorise(Permission::SavedSearches)?;
        let name = clean(&input.name);
        if name.is_empty() || name.chars().count() > 100 {
            return Err(ApiError::invalid("Tên tìm kiếm phải có 1–100 ký tự."));
        }
        let now = self.now();
        Ok(self.store.write(|tx| query::save_search(tx, &actor.name, &name, &input.filter, &input.columns, now))?)
    }

    /// The signed-in user's saved searches.
    pub fn saved_searches(&self) -> ApiResult<Vec<SavedSearch>> {
        let actor = self.authorise(Permission::SavedSearches)?;
        Ok(self.store.read(|c| query::saved_searches(c, &actor.name))?)
    }

    /// Deletes one of the signed-in user's saved searches.
    pub fn delete_saved_search(&self, id: i64) -> ApiResult<()> {
        let actor = self.authorise(Permission::SavedSearches)?;
        Ok(self.store.write(|tx| query::delete_saved_search(tx, &actor.name, id))?)
    }

    /// Organisations of the directory matching what the clerk typed (diacritics ignored), most used
    /// first.
    pub fn suggest_organs(&self, typed: &str, limit: u32) -> ApiResult<Vec<Organ>> {
        self.authorise(Permission::ReadRegister)?;
        Ok(self.store.read(|c| directory::suggest(c, typed, limit.clamp(1, 100)))?)
    }
}
