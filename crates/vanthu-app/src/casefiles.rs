//! Case files (hồ sơ): the yearly catalogue, opening, filling and closing a file, and the warning
//! 30 days before a closed file is due at the agency's archive.

use serde::{Deserialize, Serialize};
use vanthu_core::VIETNAM_OFFSET;
use vanthu_core::access::Permission;
use vanthu_core::handling::ARCHIVE_WARNING_DAYS;
use vanthu_core::text::clean;
use vanthu_store::casefiles::{self, CaseFile, NewCaseFile};
use vanthu_store::register::RegisterRow;

use crate::{ApiError, ApiResult, Desk};

/// A case file as typed.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CaseFileInput {
    /// Catalogue year (default: this year).
    pub year: Option<i32>,
    /// Số và ký hiệu hồ sơ (`01.TH`).
    pub notation: String,
    /// Tiêu đề.
    pub title: String,
    /// Thời hạn bảo quản ("Vĩnh viễn", "10 năm"…).
    pub maintenance: String,
    /// Unit.
    pub unit_id: Option<i64>,
    /// Description.
    pub description: Option<String>,
}

/// A case file with its documents in chronological order.
#[derive(Clone, Debug, Serialize)]
pub struct CaseFileDetail {
    /// The file.
    pub file: CaseFile,
    /// Its documents, oldest first.
    pub documents: Vec<RegisterRow>,
}

impl Desk {
    /// Opens a case file.
    pub fn open_case_file(&self, input: &CaseFileInput) -> ApiResult<CaseFile> {
        let actor = self.authorise(Permission::CaseFiles)?;
        let now = self.now();
        let new = NewCaseFile {
            year: input.year.unwrap_or_else(|| vanthu_core::numbering::numbering_year(now)),
            notation: clean(&input.notation),
            title: clean(&input.title),
            maintenance: clean(&input.maintenance),
            unit_id: input.unit_id,
            description: input.description.as_deref().map(clean).filter(|d| !d.is_empty()),
        };
        if new.notation.is_empty() || new.notation.chars().count() > 30 {
            return Err(ApiError::invalid("Số và ký hiệu hồ sơ phải có 1–30 ký tự (ví dụ 01.TH)."));
        }
        if new.title.is_empty() || new.title.chars().count() > 500 {
            return Err(ApiError::invalid("Tiêu đề hồ sơ phải có 1–500 ký tự."));
        }
        if new.maintenance.is_empty() {
            return Err(ApiError::invalid("Thiếu thời hạn bảo quản (ví dụ \"Vĩnh viễn\", \"10 năm\")."));
        }
        Ok(self.store.write(|tx| casefiles::open(tx, &new, now, &actor.name))?)
    }

    /// Puts a document into an open case file.
    pub fn add_to_case_file(&self, file: i64, document: &str) -> ApiResult<CaseFile> {
        let actor = self.authorise(Permission::CaseFiles)?;
        let now = self.now();
        Ok(self.store.write(|tx| casefiles::add(tx, file, document.trim(), now, &actor.name))?)
    }

    /// Takes a document out of an open case file.
    pub fn remove_from_case_file(&self, file: i64, document: &str) -> ApiResult<CaseFile> {
        let actor = self.authorise(Permission::CaseFiles)?;
        let now = self.now();
        Ok(self.store.write(|tx| casefiles::remove(tx, file, document.trim(), now, &actor.name))?)
    }

    /// Closes a case file; it is due at the archive a year later.
    pub fn close_case_file(&self, file: i64) -> ApiResult<CaseFile> {
        let actor = self.authorise(Permission::CaseFiles)?;
        let now = self.now();
        Ok(self.store.write(|tx| casefiles::close(tx, file, now, &actor.name))?)
    }

    /// The catalogue of a year (or of every year).
    pub fn case_files(&self, year: Option<i32>) -> ApiResult<Vec<CaseFile>> {
        self.authorise(Permission::ReadRegister)?;
        Ok(self.store.read(|c| casefiles::list(c, year))?)
    }

    /// One case file with its documents, oldest first.
    pub fn case_file(&self, file: i64) -> ApiResult<CaseFileDetail> {
        let actor = self.authorise(Permission::ReadRegister)?;
        let (file, mut documents) =
            self.store.read(|c| Ok((casefiles::get(c, file)?, casefiles::documents(c, file)?)))?;
        self.hide_unreadable(&actor, documents.iter_mut())?;
        Ok(CaseFileDetail { file, documents })
    }

    /// Closed case files due at the archive within 30 days (or overdue).
    pub fn case_files_due(&self) -> ApiResult<Vec<CaseFile>> {
        self.authorise_passive(Permission::ReadRegister)?;
        let until = self.now().to_offset(VIETNAM_OFFSET).date() + time::Duration::days(ARCHIVE_WARNING_DAYS);
        Ok(self.store.read(|c| casefiles::due_at_archive(c, until))?)
    }
}
