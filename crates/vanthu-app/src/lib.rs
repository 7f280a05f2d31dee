//! The façade: one function per use case, used alike by the desktop shell (`src-tauri`), the `vanthu`
//! command line and the tests.
//!
//! [`Desk`] owns the register ([`vanthu_store::Store`]), the clock and the acting user. It validates
//! input with the domain rules of `vanthu-core`, stores files, runs each use case in one store
//! transaction and maps every failure to an [`ApiError`] (`{code, message}`, message in Vietnamese).
//! Callers never see SQL, never pick a number and never read the clock themselves.
//!
//! What this crate must not know: Tauri, clap, terminals, HTTP. It returns plain data (serde-serialisable)
//! that each edge renders its own way.
#![deny(missing_docs)]

mod error;
mod intake;

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use vanthu_core::calendar::WorkingCalendar;
use vanthu_core::document::{registration_rule, validate_organ_id};
use vanthu_core::numbering::numbering_year;
use vanthu_core::text::clean;
use vanthu_store::register::{self, NewIncoming, NewOutgoing};
use vanthu_store::{Store, audit, backup, check};

pub use error::{ApiError, ApiResult, ErrorCode};
pub use vanthu_core::audit::AuditEntry;
pub use vanthu_core::document::{Channel, Direction, IncomingDraft, OutgoingDraft, Secrecy, Urgency};
pub use vanthu_store::audit::ChainReport;
pub use vanthu_store::backup::{Manifest, Restored};
pub use vanthu_store::check::CheckReport;
pub use vanthu_store::register::{DocumentFile, DuplicateOf, Organisation, Page, RegisterRow};

/// Where "now" comes from. `Fixed` replaces the clock for tests and demos (`vanthu --now …`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Clock {
    /// The system clock.
    System,
    /// A fixed instant.
    Fixed(OffsetDateTime),
}

impl Clock {
    /// The current instant.
    pub fn now(&self) -> OffsetDateTime {
        match self {
            Clock::System => OffsetDateTime::now_utc(),
            Clock::Fixed(t) => *t,
        }
    }
}

/// The organisation typed at first start.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewOrganisation {
    /// Mã định danh, e.g. `000.00.00.H24`.
    pub org_id: String,
    /// Full name.
    pub name: String,
    /// Abbreviation for code notations, e.g. `UBND`.
    pub abbreviation: String,
}

/// A page request on one register.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ListQuery {
    /// Which register.
    pub direction: Direction,
    /// One year, or all years newest first.
    pub year: Option<i32>,
    /// 0-based page.
    pub page: u32,
    /// Rows per page (1–1000).
    pub page_size: u32,
}

/// A search request.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SearchQuery {
    /// What the clerk typed; diacritics and case do not matter.
    pub text: String,
    /// Only one register.
    pub direction: Option<Direction>,
    /// 0-based page.
    pub page: u32,
    /// Rows per page (1–1000).
    pub page_size: u32,
}

/// An incoming registration request.
#[derive(Clone, Debug, Default)]
pub struct IncomingInput {
    /// The metadata.
    pub draft: IncomingDraft,
    /// Files to attach; the first is the document itself.
    pub files: Vec<PathBuf>,
    /// Register even if it looks like an earlier registration.
    pub allow_duplicate: bool,
}

/// An outgoing registration request.
#[derive(Clone, Debug, Default)]
pub struct OutgoingInput {
    /// The metadata.
    pub draft: OutgoingDraft,
    /// Files to attach; the first is the document itself.
    pub files: Vec<PathBuf>,
}

/// The result of an incoming registration: the number given, and the whole row.
#[derive(Clone, Debug, Serialize)]
pub struct IncomingRegistered {
    /// The new document's id.
    pub id: String,
    /// Số đến.
    pub arrival_number: i64,
    /// Ngày đến (yyyy-mm-dd, Vietnam time).
    pub arrival_date: String,
    /// The numbering year.
    pub year: i32,
    /// By when it must be registered and presented.
    pub register_deadline: Option<String>,
    /// The registered row.
    pub document: RegisterRow,
}

/// The result of an outgoing registration: the code written on the document, and the whole row.
#[derive(Clone, Debug, Serialize)]
pub struct OutgoingRegistered {
    /// The new document's id.
    pub id: String,
    /// The number as written ("01").
    pub code_number: String,
    /// The notation ("QĐ-UBND").
    pub code_notation: String,
    /// "01/QĐ-UBND".
    pub code: String,
    /// Ngày ban hành (yyyy-mm-dd, Vietnam time).
    pub issued_date: String,
    /// The numbering year.
    pub year: i32,
    /// The series key.
    pub series: String,
    /// The registered row.
    pub document: RegisterRow,
}

/// A document with its files and its history.
#[derive(Clone, Debug, Serialize)]
pub struct DocumentDetail {
    /// The register row.
    pub document: RegisterRow,
    /// Attached files.
    pub files: Vec<DocumentFile>,
    /// Every audit entry about it, oldest first.
    pub history: Vec<AuditEntry>,
}

/// The register desk: the façade over one register.
#[derive(Debug)]
pub struct Desk {
    store: Store,
    clock: Clock,
    actor: String,
}

impl Desk {
    /// Opens (creating and migrating if needed) the register at `db_path`.
    pub fn open(db_path: impl AsRef<Path>, clock: Clock) -> ApiResult<Desk> {
        let store = Store::open(db_path)?;
        Ok(Desk { store, clock, actor: default_actor() })
    }

    /// Sets who acts (recorded in the audit log).
    pub fn with_actor(mut self, actor: impl Into<String>) -> Desk {
        let actor = clean(&actor.into());
        if !actor.is_empty() {
            self.actor = actor;
        }
        self
    }

    /// The default register: `register.sqlite3` in the platform data folder
    /// (`~/.local/share/vanthu/` on Linux).
    pub fn default_db_path() -> ApiResult<PathBuf> {
        let dirs = directories::ProjectDirs::from("vn", "Vanthu", "vanthu")
            .ok_or_else(|| ApiError::new(ErrorCode::Io, "Không xác định được thư mục dữ liệu của người dùng."))?;
        Ok(dirs.data_dir().join("register.sqlite3"))
    }

    /// The database file.
    pub fn db_path(&self) -> &Path {
        self.store.path()
    }

    /// The clock's current instant.
    pub fn now(&self) -> OffsetDateTime {
        self.clock.now()
    }

    /// The organisation, or `None` before first-start setup.
    pub fn organisation(&self) -> ApiResult<Option<Organisation>> {
        Ok(self.store.read(register::organisation)?)
    }

    /// First-start setup: records the organisation whose register this is.
    pub fn init(&self, input: &NewOrganisation) -> ApiResult<Organisation> {
        let org = Organisation {
            org_id: validate_organ_id(&input.org_id)?,
            name: clean(&input.name),
            abbreviation: clean(&input.abbreviation),
        };
        if org.name.is_empty() {
            return Err(ApiError::invalid("Thiếu tên cơ quan."));
        }
        if org.abbreviation.is_empty()
            || org.abbreviation.chars().count() > 20
            || org.abbreviation.contains(['/', ' ', '-'])
        {
            return Err(ApiError::invalid(
                "Tên viết tắt của cơ quan phải có từ 1 đến 20 ký tự, không có dấu cách, \"/\" hay \"-\" (ví dụ UBND).",
            ));
        }
        let at = self.now();
        self.store.write(|tx| register::init_organisation(tx, &org, at, &self.actor))?;
        Ok(org)
    }

    /// Registers an incoming document: validates it, stores its files, gives it the next arrival number
    /// of the year and writes it with its audit entry, all or nothing.
    pub fn register_incoming(&self, input: &IncomingInput) -> ApiResult<IncomingRegistered> {
        let doc = input.draft.validate()?;
        let files = intake::store_files(self.store.files(), &input.files)?;
        let at = self.now();
        let year = numbering_year(at);
        let calendar = WorkingCalendar::vietnam(year - 1..=year + 1);
        let deadline = calendar.registration_deadline(at, registration_rule(doc.urgency, doc.channel)).ok();
        let id = new_id();
        let row = self.store.write(|tx| {
            register::register_incoming(
                tx,
                &NewIncoming {
                    id: &id,
                    at,
                    actor: &self.actor,
                    doc: &doc,
                    register_deadline: deadline,
                    files: &files,
                    allow_duplicate: input.allow_duplicate,
                },
            )
        })?;
        Ok(IncomingRegistered {
            id: row.id.clone(),
            arrival_number: row.number,
            arrival_date: row.arrival_date.clone().unwrap_or_default(),
            year: row.year,
            register_deadline: row.register_deadline.clone(),
            document: row,
        })
    }

    /// Registers an outgoing document: gives it the next number of its series and its code notation.
    pub fn register_outgoing(&self, input: &OutgoingInput) -> ApiResult<OutgoingRegistered> {
        let doc = input.draft.validate()?;
        let files = intake::store_files(self.store.files(), &input.files)?;
        let at = self.now();
        let id = new_id();
        let row = self.store.write(|tx| {
            register::register_outgoing(tx, &NewOutgoing { id: &id, at, actor: &self.actor, doc: &doc, files: &files })
        })?;
        Ok(OutgoingRegistered {
            id: row.id.clone(),
            code_number: row.code_number.clone().unwrap_or_default(),
            code_notation: row.code_notation.clone().unwrap_or_default(),
            code: row.code.clone(),
            issued_date: row.document_date.clone().unwrap_or_default(),
            year: row.year,
            series: row.series.clone(),
            document: row,
        })
    }

    /// A page of a register, newest first.
    pub fn list(&self, q: &ListQuery) -> ApiResult<Page<RegisterRow>> {
        Ok(self.store.read(|c| register::list(c, q.direction, q.year, q.page, q.page_size))?)
    }

    /// Full-text search with Vietnamese folding, newest first.
    pub fn search(&self, q: &SearchQuery) -> ApiResult<Page<RegisterRow>> {
        Ok(self.store.read(|c| register::search(c, &q.text, q.direction, q.page, q.page_size))?)
    }

    /// One document with its files and history.
    pub fn show(&self, id: &str) -> ApiResult<DocumentDetail> {
        let id = id.trim();
        Ok(self.store.read(|c| {
            let document = register::get(c, id)?.ok_or_else(|| vanthu_store::StoreError::NotFound(id.to_owned()))?;
            let files = register::files_of(c, id)?;
            let history = audit::history(c, "document", id)?;
            Ok(DocumentDetail { document, files, history })
        })?)
    }

    /// Cancels a registration, which keeps its number, with a reason.
    pub fn cancel(&self, id: &str, reason: &str) -> ApiResult<RegisterRow> {
        let reason = clean(reason);
        if reason.is_empty() {
            return Err(ApiError::invalid("Phải ghi lý do hủy."));
        }
        let at = self.now();
        Ok(self.store.write(|tx| register::cancel(tx, id.trim(), &reason, at, &self.actor))?)
    }

    /// Verifies the audit chain.
    pub fn audit_verify(&self) -> ApiResult<ChainReport> {
        Ok(self.store.read(audit::verify)?)
    }

    /// Every integrity check: database, audit chain, numbering continuity, file fixity.
    pub fn check(&self) -> ApiResult<CheckReport> {
        Ok(self.store.read(|c| check::run(c, self.store.files()))?)
    }

    /// Makes a verified backup in the folder `dest`.
    pub fn backup(&self, dest: &Path) -> ApiResult<Manifest> {
        let at = register::vietnam_rfc3339(self.now());
        Ok(backup::backup(&self.store, dest, &at)?)
    }

    /// Restores the register at `db_path` from the backup folder `from` (verified first). Call it with
    /// no [`Desk`] open on that register.
    pub fn restore(from: &Path, db_path: &Path) -> ApiResult<Restored> {
        Ok(backup::restore(from, db_path)?)
    }
}

fn new_id() -> String {
    uuid::Uuid::now_v7().to_string()
}

fn default_actor() -> String {
    std::env::var("USER").ok().map(|u| clean(&u)).filter(|u| !u.is_empty()).unwrap_or_else(|| "văn thư".to_owned())
}
