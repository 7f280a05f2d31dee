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

mod casefiles;
pub mod credentials;
pub mod digitise;
mod error;
pub mod exchange;
mod find;
mod intake;
mod maintenance;
mod printing;
mod reports;
mod secrecy;
mod session;
mod settings;
pub mod signing;
pub mod signing_prefs;
mod work;

use std::path::{Path, PathBuf};
use std::sync::Mutex;

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use vanthu_core::document::registration_rule;
use vanthu_core::numbering::numbering_year;
use vanthu_core::text::clean;
use vanthu_store::register::{self, NewIncoming, NewOutgoing};
use vanthu_store::{Store, audit, backup, check};

pub use casefiles::{CaseFileDetail, CaseFileInput};
pub use digitise::{
    Digitised, FileProblem, ImportOutcome, PrintJob, PrintWhat, Printer, ScanFolder, ScanOutcome, ScanRequest,
    ScanSource, StampLayout,
};
pub use error::{ApiError, ApiResult, ErrorCode};
pub use find::SavedSearchInput;
pub use maintenance::BackupStatus;
pub use reports::{Book, ExportFormat, Exported, RESULT_COLUMNS, RegisterPrint};
pub use session::{Actor, NewAccountInput, Person, SessionInfo};
pub use settings::{BackupSchedule, CalendarSettings, FirstRun, NewUnit};
pub use vanthu_core::access::{Permission, Role, SecurityPolicy};
pub use vanthu_core::audit::AuditEntry;
pub use vanthu_core::document::Recipient;
pub use vanthu_core::document::{Channel, Direction, IncomingDraft, OutgoingDraft, Secrecy, Urgency};
pub use vanthu_core::handling::HandlingStatus;
pub use vanthu_pdf::check::Report as PdfReport;
pub use vanthu_pdf::stamp::Placement;
pub use vanthu_store::accounts::{Account, AccountChange, Unit};
pub use vanthu_store::audit::ChainReport;
pub use vanthu_store::backup::{Manifest, Restored};
pub use vanthu_store::capture::{ArchiveCopy, CaptureSource, Draft, DraftPage};
pub use vanthu_store::casefiles::CaseFile;
pub use vanthu_store::check::CheckReport;
pub use vanthu_store::directory::Organ;
pub use vanthu_store::handling::{Handler, HandlerRef, Handling, ProgressEntry};
pub use vanthu_store::query::{
    BackupRun, Dashboard, DeadlineItem, DeadlineKind, Filter, HandlerLoad, ReplyAwaited, SavedSearch, StatusFilter,
};
pub use vanthu_store::register::{DocumentFile, DuplicateOf, Organisation, Page, RegisterRow, SeriesState};
pub use work::AssignInput;

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
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
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
    /// A draft of the review queue whose assembled PDF is the document (before `files`, which then
    /// are attachments); the draft leaves the queue in the registration's transaction.
    pub from_capture: Option<i64>,
    /// Register an electronic arrival whose signatures do not verify: the clerk's reason, kept with
    /// the verdict and audited (domain §1: the clerk answers for it). Without it such an arrival is
    /// refused with `signature_invalid` (and the report in `details`).
    pub signature_override: Option<String>,
}

/// An outgoing registration request.
#[derive(Clone, Debug, Default)]
pub struct OutgoingInput {
    /// The metadata. When `delivery` is given, its names replace `draft.recipients`.
    pub draft: OutgoingDraft,
    /// Files to attach; the first is the document itself.
    pub files: Vec<PathBuf>,
    /// Recipients in detail: internal units or external organisations, electronic or paper.
    pub delivery: Vec<Recipient>,
    /// The id of the incoming document it answers.
    pub response_for: Option<String>,
}

/// The number an outgoing document would get now.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct OutgoingPreview {
    /// "05/UBND-VP".
    pub code: String,
    /// "05".
    pub number: String,
    /// "UBND-VP".
    pub notation: String,
    /// The series it is numbered in, in words.
    pub series: String,
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
    /// Its handling (incoming, once assigned).
    pub handling: Option<Handling>,
    /// Recipients in detail (outgoing).
    pub delivery: Vec<Recipient>,
    /// The case files it is in.
    pub case_files: Vec<CaseFile>,
    /// The document it answers: for an outgoing reply, the incoming document; for an incoming report,
    /// our outgoing request.
    pub answers: Option<RegisterRow>,
    /// The documents registered as answers to it.
    pub answered_by: Vec<RegisterRow>,
}

/// The register desk: the façade over one register.
#[derive(Debug)]
pub struct Desk {
    store: Store,
    clock: Mutex<Clock>,
    /// The acting name in open mode (no accounts): the system user, or `--user`.
    os_actor: String,
    session: Mutex<Option<session::ActiveSession>>,
}

impl Desk {
    /// Opens (creating and migrating if needed) the register at `db_path`.
    pub fn open(db_path: impl AsRef<Path>, clock: Clock) -> ApiResult<Desk> {
        let store = Store::open(db_path)?;
        Ok(Desk { store, clock: Mutex::new(clock), os_actor: default_actor(), session: Mutex::new(None) })
    }

    /// Sets who acts in open mode (a register without accounts; recorded in the audit log).
    pub fn with_actor(mut self, actor: impl Into<String>) -> Desk {
        let actor = clean(&actor.into());
        if !actor.is_empty() {
            self.os_actor = actor;
        }
        self
    }

    /// Replaces the clock (tests and demos move time forward with it).
    pub fn set_clock(&self, clock: Clock) {
        *self.clock.lock().unwrap_or_else(std::sync::PoisonError::into_inner) = clock;
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
        self.clock.lock().unwrap_or_else(std::sync::PoisonError::into_inner).now()
    }

    /// The organisation, or `None` before first-start setup.
    pub fn organisation(&self) -> ApiResult<Option<Organisation>> {
        Ok(self.store.read(register::organisation)?)
    }

    /// Records the organisation whose register this is, without accounts (open mode; the command
    /// line's `vanthu init`). The desktop's first start uses [`Desk::setup`], which also creates the
    /// units and the first administrator.
    pub fn init(&self, input: &NewOrganisation) -> ApiResult<Organisation> {
        let actor = self.authorise(Permission::Settings)?;
        let org = settings::check_organisation(input)?;
        let at = self.now();
        self.store.write(|tx| register::init_organisation(tx, &org, at, &actor.name))?;
        Ok(org)
    }

    /// Registers an incoming document: validates it, stores its files, gives it the next arrival number
    /// of the year and writes it with its audit entry, all or nothing.
    pub fn register_incoming(&self, input: &IncomingInput) -> ApiResult<IncomingRegistered> {
        self.register_incoming_then(input, |_, _| Ok(()))
    }

    /// [`Desk::register_incoming`], with more to write in the registration's transaction (the inbox
    /// package it came from and the status that answers it).
    pub(crate) fn register_incoming_then(
        &self,
        input: &IncomingInput,
        then: impl FnOnce(&vanthu_store::Transaction<'_>, &RegisterRow) -> vanthu_store::Result<()>,
    ) -> ApiResult<IncomingRegistered> {
        let actor = self.authorise(Permission::Register)?;
        let doc = input.draft.validate()?;
        let mut files = intake::store_files(self.store.files(), &input.files)?;
        if let Some(draft) = input.from_capture {
            let pdf = self.draft_pdf(draft)?;
            for f in &mut files {
                f.main = false;
            }
            files.insert(0, intake::assembled(pdf, draft));
        }
        let at = self.now();
        let verification = self.verify_arrival(&doc, &files, input.signature_override.as_deref(), at)?;
        let year = numbering_year(at);
        let calendar = self.working_calendar(year)?;
        let deadline = calendar.registration_deadline(at, registration_rule(doc.urgency, doc.channel)).ok();
        let id = new_id();
        let row = self.store.write(|tx| {
            let row = register::register_incoming(
                tx,
                &NewIncoming {
                    id: &id,
                    at,
                    actor: &actor.name,
                    doc: &doc,
                    register_deadline: deadline,
                    files: &files,
                    allow_duplicate: input.allow_duplicate,
                },
            )?;
            if let Some(draft) = input.from_capture {
                vanthu_store::capture::mark_registered(tx, draft, &row.id, at)?;
            }
            if let Some(kept) = &verification {
                vanthu_store::signing::record_verdict(tx, &row.id, &kept.as_new(), at, &actor.name)?;
            }
            then(tx, &row)?;
            Ok(row)
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
        let actor = self.authorise(Permission::Register)?;
        let (doc, delivery) = self.check_outgoing(input)?;
        let files = intake::store_files(self.store.files(), &input.files)?;
        let at = self.now();
        let id = new_id();
        let row = self.store.write(|tx| {
            register::register_outgoing(
                tx,
                &NewOutgoing {
                    id: &id,
                    at,
                    actor: &actor.name,
                    doc: &doc,
                    files: &files,
                    response_for: input.response_for.as_deref().map(str::trim).filter(|s| !s.is_empty()),
                    delivery: &delivery,
                },
            )
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

    fn check_outgoing(&self, input: &OutgoingInput) -> ApiResult<(vanthu_core::document::Outgoing, Vec<Recipient>)> {
        let mut draft = input.draft.clone();
        let delivery = input.delivery.iter().map(|r| r.validate(draft.secrecy)).collect::<Result<Vec<_>, _>>()?;
        if !delivery.is_empty() {
            draft.recipients = delivery.iter().map(|r| r.name.clone()).collect();
        }
        Ok((draft.validate()?, delivery))
    }

    /// What an outgoing document would be numbered if registered now: the number and notation are
    /// previewed while the clerk fills the form and fixed only on save (another clerk may take it first).
    pub fn preview_outgoing(&self, draft: &OutgoingDraft) -> ApiResult<OutgoingPreview> {
        self.authorise(Permission::Register)?;
        let doc = draft.validate()?;
        let year = numbering_year(self.now());
        let org = self
            .store
            .read(register::organisation)?
            .ok_or_else(|| ApiError::from(vanthu_store::StoreError::NotInitialised))?;
        let next = self.store.read(|c| register::peek_number(c, &doc.kind.series, year))?;
        let number = vanthu_core::numbering::format_number(u32::try_from(next).unwrap_or(u32::MAX));
        let notation = doc.kind.notation(&org.abbreviation, year);
        Ok(OutgoingPreview { code: format!("{number}/{notation}"), number, notation, series: doc.kind.series.title() })
    }

    /// The register series of a year with their last numbers (incoming, administrative, each legal
    /// type, secret, copies, advisory bodies: domain.md §3).
    pub fn series(&self, year: i32) -> ApiResult<Vec<SeriesState>> {
        self.authorise(Permission::ReadRegister)?;
        Ok(self.store.read(|c| register::series_of_year(c, year))?)
    }

    /// Recalls an issued outgoing document, with a reason: its record is frozen from then on, and the
    /// recipients it was sent to through the hub get a recall package (queued in the same transaction).
    pub fn recall(&self, id: &str, reason: &str) -> ApiResult<RegisterRow> {
        let actor = self.authorise(Permission::Recall)?;
        let reason = clean(reason);
        if reason.is_empty() {
            return Err(ApiError::invalid("Phải ghi lý do thu hồi."));
        }
        let at = self.now();
        // Recipients who received it through the hub are told in the recall's transaction.
        let through_hub = self.prepare_recall(id, &reason, &actor.name, at)?;
        Ok(self.store.write(|tx| {
            let row = register::recall(tx, id.trim(), &reason, at, &actor.name)?;
            if let Some(recall) = &through_hub {
                recall.enqueue(tx, &row.id, at, &actor.name)?;
            }
            Ok(row)
        })?)
    }

    /// A page of a register, newest first.
    pub fn list(&self, q: &ListQuery) -> ApiResult<Page<RegisterRow>> {
        let actor = self.authorise(Permission::ReadRegister)?;
        let page = self.store.read(|c| register::list(c, q.direction, q.year, q.page, q.page_size))?;
        self.redact(&actor, page, false)
    }

    /// Full-text search with Vietnamese folding, newest first.
    pub fn search(&self, q: &SearchQuery) -> ApiResult<Page<RegisterRow>> {
        let actor = self.authorise(Permission::ReadRegister)?;
        let page = self.store.read(|c| register::search(c, &q.text, q.direction, q.page, q.page_size))?;
        self.redact(&actor, page, true)
    }

    /// One document with its files and history.
    pub fn show(&self, id: &str) -> ApiResult<DocumentDetail> {
        let actor = self.authorise(Permission::ReadRegister)?;
        let id = id.trim();
        let detail = self.store.read(|c| {
            let document = register::get(c, id)?.ok_or_else(|| vanthu_store::StoreError::NotFound(id.to_owned()))?;
            let files = register::files_of(c, id)?;
            let history = audit::history(c, "document", id)?;
            let answers = match &document.response_for {
                Some(other) => register::get(c, other)?,
                None => None,
            };
            Ok(DocumentDetail {
                files,
                history,
                handling: vanthu_store::handling::handling(c, id)?,
                delivery: register::delivery_of(c, id)?,
                case_files: vanthu_store::casefiles::of_document(c, id)?,
                answered_by: register::answers_to(c, id)?,
                answers,
                document,
            })
        })?;
        self.require_readable(&actor, &detail.document)?;
        let mut detail = detail;
        self.hide_unreadable(&actor, detail.answered_by.iter_mut().chain(detail.answers.iter_mut()))?;
        Ok(detail)
    }

    /// Where a stored file (by its SHA-256, from [`DocumentDetail::files`]) can be read: for a preview,
    /// or to open it in the system's viewer. The file is read-only; never write to it.
    pub fn stored_file(&self, sha256: &str) -> ApiResult<PathBuf> {
        self.authorise(Permission::ReadRegister)?;
        let sha = sha256.trim();
        if sha.len() != 64 || !sha.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(ApiError::invalid("Mã tệp không hợp lệ."));
        }
        let path = self.store.files().path_of(&sha.to_ascii_lowercase());
        if !path.is_file() {
            return Err(ApiError::new(ErrorCode::NotFound, "Không tìm thấy tệp trong kho lưu trữ."));
        }
        Ok(path)
    }

    /// Cancels a registration, which keeps its number, with a reason.
    pub fn cancel(&self, id: &str, reason: &str) -> ApiResult<RegisterRow> {
        let actor = self.authorise(Permission::Cancel)?;
        let reason = clean(reason);
        if reason.is_empty() {
            return Err(ApiError::invalid("Phải ghi lý do hủy."));
        }
        let at = self.now();
        Ok(self.store.write(|tx| register::cancel(tx, id.trim(), &reason, at, &actor.name))?)
    }

    /// Verifies the audit chain.
    pub fn audit_verify(&self) -> ApiResult<ChainReport> {
        self.authorise(Permission::Audit)?;
        Ok(self.store.read(audit::verify)?)
    }

    /// Every integrity check: database, audit chain, numbering continuity, file fixity.
    pub fn check(&self) -> ApiResult<CheckReport> {
        self.authorise(Permission::Audit)?;
        Ok(self.store.read(|c| check::run(c, self.store.files()))?)
    }

    /// Makes a verified backup in the folder `dest`, and records the attempt (success or failure).
    pub fn backup(&self, dest: &Path) -> ApiResult<Manifest> {
        self.authorise(Permission::Backup)?;
        self.backup_now(dest, false)
    }

    pub(crate) fn backup_now(&self, dest: &Path, scheduled: bool) -> ApiResult<Manifest> {
        let at = register::vietnam_rfc3339(self.now());
        let result = backup::backup(&self.store, dest, &at);
        let run = vanthu_store::query::BackupRun {
            at: at.clone(),
            folder: dest.display().to_string(),
            scheduled,
            ok: result.is_ok(),
            message: match &result {
                Ok(m) => format!("{} văn bản, {} tệp", m.documents, m.files.len()),
                Err(e) => e.to_string(),
            },
        };
        self.store.write(|tx| vanthu_store::query::record_backup(tx, &run))?;
        Ok(result?)
    }

    /// Restores the register at `db_path` from the backup folder `from` (verified first). Call it with
    /// no [`Desk`] open on that register.
    pub fn restore(from: &Path, db_path: &Path) -> ApiResult<Restored> {
        Ok(backup::restore(from, db_path)?)
    }
}

/// RFC 3339 in Vietnam time, as stored.
pub(crate) fn rfc3339(at: OffsetDateTime) -> String {
    register::vietnam_rfc3339(at)
}

/// `YYYYMMDD-HHMMSS` in Vietnam time: the stamp in the names of backups and printouts.
pub(crate) fn file_stamp(at: OffsetDateTime) -> String {
    let local = at.to_offset(vanthu_core::VIETNAM_OFFSET);
    format!(
        "{:04}{:02}{:02}-{:02}{:02}{:02}",
        local.year(),
        u8::from(local.month()),
        local.day(),
        local.hour(),
        local.minute(),
        local.second()
    )
}

fn new_id() -> String {
    uuid::Uuid::now_v7().to_string()
}

fn default_actor() -> String {
    std::env::var("USER").ok().map(|u| clean(&u)).filter(|u| !u.is_empty()).unwrap_or_else(|| "văn thư".to_owned())
}
