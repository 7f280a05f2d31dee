//! The IPC commands: parse a DTO, call one `Desk` method, map the answer.
//!
//! Each command takes the whole argument object of `invoke(name, args)` as its DTO (so the UI calls
//! `invoke("list_register", {direction, page, pageSize})`), runs the façade call on a blocking thread (a
//! page of a million-row register must never stall the window's event loop) and rejects with a
//! [`CommandError`] `{code, message}`. Who may do what is decided by the façade, never here: a command
//! the window hides from a clerk is still refused (`forbidden`) when called directly.
//!
//! The desk sits behind a lock ([`DeskState`]) because restoring a backup replaces the database file:
//! the shell closes its `Desk`, lets `Desk::restore` swap the file, and opens it again.

use std::path::{Path, PathBuf};
use std::sync::{Arc, PoisonError, RwLock};
use std::time::{Duration, Instant};

use serde::de::DeserializeOwned;
use tauri::ipc::{InvokeBody, Request, Response};
use vanthu_app::{Desk, Permission};

use crate::convert::rfc3339;
use crate::dto::*;
use crate::startup;

/// The register opened at startup (or after a restore), or why it could not be opened.
#[derive(Clone)]
pub struct DeskState {
    slot: Arc<Slot>,
}

struct Slot {
    settings: startup::Settings,
    desk: RwLock<Result<Arc<Desk>, CommandError>>,
}

impl DeskState {
    /// Opens the register named by `settings`, keeping the settings to reopen it after a restore.
    pub fn open(settings: startup::Settings) -> DeskState {
        let desk = startup::open(&settings);
        if let Err(e) = &desk {
            eprintln!("vanthu-desktop: the register could not be opened: {} ({})", e.message, e.code);
        }
        DeskState { slot: Arc::new(Slot { settings, desk: RwLock::new(desk.map(Arc::new)) }) }
    }

    /// The open desk, or the reason there is none.
    pub fn desk(&self) -> Reply<Arc<Desk>> {
        self.slot.desk.read().unwrap_or_else(PoisonError::into_inner).clone()
    }

    /// Closes the desk, runs `Desk::restore`, and opens the register again (whatever the outcome).
    /// Meanwhile every command answers `busy`; the lock is held only to swap the slot, never during
    /// the restore itself, so no IPC thread waits on it.
    fn restore(&self, from: &Path) -> Reply<vanthu_app::Restored> {
        let closing = {
            let mut guard = self.slot.desk.write().unwrap_or_else(PoisonError::into_inner);
            let desk = guard.clone()?;
            *guard = Err(CommandError::new("busy", "Đang khôi phục sổ đăng ký từ bản sao lưu; vui lòng đợi."));
            desk
        };
        let db_path = closing.db_path().to_owned();
        // Calls already running hold their own reference: wait for them to finish (a few seconds at most).
        let mut desk = closing;
        let deadline = Instant::now() + Duration::from_secs(30);
        let closed = loop {
            match Arc::try_unwrap(desk) {
                Ok(d) => break d,
                Err(still_shared) if Instant::now() >= deadline => {
                    self.put(Ok(still_shared));
                    return Err(CommandError::new(
                        "busy",
                        "Sổ đăng ký đang bận nên chưa khôi phục được; hãy thử lại sau ít phút.",
                    ));
                }
                Err(still_shared) => {
                    desk = still_shared;
                    std::thread::sleep(Duration::from_millis(50));
                }
            }
        };
        drop(closed);
        let result = Desk::restore(from, &db_path).map_err(CommandError::from);
        let mut settings = self.slot.settings.clone();
        settings.set_db(db_path);
        self.put(startup::open(&settings).map(Arc::new));
        result
    }

    fn put(&self, desk: Result<Arc<Desk>, CommandError>) {
        *self.slot.desk.write().unwrap_or_else(PoisonError::into_inner) = desk;
    }
}

type Reply<T> = Result<T, CommandError>;
type DeskRef<'a> = tauri::State<'a, DeskState>;
type WorkerRef<'a> = tauri::State<'a, crate::exchange::Worker>;

/// Is the register initialised, for which organisation, and who is signed in.
#[tauri::command]
pub async fn app_status(state: DeskRef<'_>) -> Reply<AppStatus> {
    blocking(state.desk()?, |desk| {
        let organisation = desk.organisation()?;
        Ok::<_, CommandError>(AppStatus {
            initialised: organisation.is_some(),
            organisation: organisation.map(Organisation::from),
            db_path: desk.db_path().display().to_string(),
            has_accounts: desk.has_accounts()?,
            session: desk.session_info()?.map(Into::into),
            today: rfc3339(desk.now()).chars().take(10).collect(),
        })
    })
    .await
}

/// Records the organisation without accounts (open mode).
#[tauri::command]
pub async fn init_organisation(state: DeskRef<'_>, request: Request<'_>) -> Reply<Organisation> {
    let input: InitOrganisation = parse(&request)?;
    Ok(blocking(state.desk()?, move |desk| desk.init(&input.into())).await?.into())
}

/// First start: the organisation, its units and the first administrator, who is then signed in.
#[tauri::command]
pub async fn setup(state: DeskRef<'_>, request: Request<'_>) -> Reply<Organisation> {
    let input: Setup = parse(&request)?;
    Ok(blocking(state.desk()?, move |desk| desk.setup(&input.into())).await?.into())
}

/// Signs in.
#[tauri::command]
pub async fn sign_in(state: DeskRef<'_>, request: Request<'_>) -> Reply<SessionInfo> {
    let input: SignIn = parse(&request)?;
    Ok(blocking(state.desk()?, move |desk| desk.sign_in(&input.username, &input.password)).await?.into())
}

/// Signs out.
#[tauri::command]
pub async fn sign_out(state: DeskRef<'_>) -> Reply<()> {
    blocking(state.desk()?, |desk| desk.sign_out()).await
}

/// Changes the signed-in user's password.
#[tauri::command]
pub async fn change_password(state: DeskRef<'_>, request: Request<'_>) -> Reply<()> {
    let input: ChangePassword = parse(&request)?;
    blocking(state.desk()?, move |desk| desk.change_password(&input.old_password, &input.new_password)).await
}

/// One page of a register, newest first.
#[tauri::command]
pub async fn list_register(state: DeskRef<'_>, request: Request<'_>) -> Reply<RegisterPage> {
    let input: ListRegister = parse(&request)?;
    Ok(blocking(state.desk()?, move |desk| desk.list(&input.into())).await?.into())
}

/// One page of search hits (diacritics optional), newest first.
#[tauri::command]
pub async fn search_register(state: DeskRef<'_>, request: Request<'_>) -> Reply<RegisterPage> {
    let input: SearchRegister = parse(&request)?;
    Ok(blocking(state.desk()?, move |desk| desk.search(&input.into())).await?.into())
}

/// One page of a filtered search.
#[tauri::command]
pub async fn find_register(state: DeskRef<'_>, request: Request<'_>) -> Reply<RegisterPage> {
    let input: FindRegister = parse(&request)?;
    let filter: vanthu_app::Filter = input.filter.try_into()?;
    Ok(blocking(state.desk()?, move |desk| desk.find(&filter, input.page, input.page_size)).await?.into())
}

/// Registers an incoming document.
#[tauri::command]
pub async fn register_incoming(state: DeskRef<'_>, request: Request<'_>) -> Reply<IncomingRegistered> {
    let input: IncomingForm = parse(&request)?;
    let input: vanthu_app::IncomingInput = input.try_into()?;
    Ok(blocking(state.desk()?, move |desk| desk.register_incoming(&input)).await?.into())
}

/// The number an outgoing document would get now.
#[tauri::command]
pub async fn preview_outgoing(state: DeskRef<'_>, request: Request<'_>) -> Reply<OutgoingPreview> {
    let input: OutgoingForm = parse(&request)?;
    let input: vanthu_app::OutgoingInput = input.try_into()?;
    Ok(blocking(state.desk()?, move |desk| desk.preview_outgoing(&input.draft)).await?.into())
}

/// Registers an outgoing document: its number is fixed now.
#[tauri::command]
pub async fn register_outgoing(state: DeskRef<'_>, request: Request<'_>) -> Reply<OutgoingRegistered> {
    let input: OutgoingForm = parse(&request)?;
    let input: vanthu_app::OutgoingInput = input.try_into()?;
    Ok(blocking(state.desk()?, move |desk| desk.register_outgoing(&input)).await?.into())
}

/// One document with its files, handling and history.
#[tauri::command]
pub async fn show_document(state: DeskRef<'_>, request: Request<'_>) -> Reply<DocumentDetail> {
    let input: DocumentId = parse(&request)?;
    Ok(blocking(state.desk()?, move |desk| desk.show(&input.id)).await?.into())
}

/// Cancels a registration (it keeps its number).
#[tauri::command]
pub async fn cancel_document(state: DeskRef<'_>, request: Request<'_>) -> Reply<RegisterRow> {
    let input: DocumentReason = parse(&request)?;
    Ok(blocking(state.desk()?, move |desk| desk.cancel(&input.id, &input.reason)).await?.into())
}

/// Recalls an issued outgoing document: its record is frozen.
#[tauri::command]
pub async fn recall_document(state: DeskRef<'_>, worker: WorkerRef<'_>, request: Request<'_>) -> Reply<RegisterRow> {
    let input: DocumentReason = parse(&request)?;
    let row = blocking(state.desk()?, move |desk| desk.recall(&input.id, &input.reason)).await?;
    // A document sent through the hub: the recall package is queued; let it leave now.
    worker.wake();
    Ok(row.into())
}

/// Organisations of the directory matching what was typed.
#[tauri::command]
pub async fn suggest_organs(state: DeskRef<'_>, request: Request<'_>) -> Reply<Vec<Organ>> {
    let input: SuggestOrgans = parse(&request)?;
    let organs = blocking(state.desk()?, move |desk| desk.suggest_organs(&input.typed, input.limit)).await?;
    Ok(organs.into_iter().map(Into::into).collect())
}

/// Assigns the handling of an incoming document.
#[tauri::command]
pub async fn assign_handling(state: DeskRef<'_>, worker: WorkerRef<'_>, request: Request<'_>) -> Reply<Handling> {
    let input: AssignHandling = parse(&request)?;
    let id = input.id.clone();
    let assignment: vanthu_app::AssignInput = input.try_into()?;
    let handling = blocking(state.desk()?, move |desk| desk.assign(&id, &assignment)).await?;
    // A document that came through the hub: status 04 is queued for its sender.
    worker.wake();
    Ok(handling.into())
}

/// Records progress on an assigned document.
#[tauri::command]
pub async fn report_progress(state: DeskRef<'_>, worker: WorkerRef<'_>, request: Request<'_>) -> Reply<Handling> {
    let input: ReportProgress = parse(&request)?;
    let handling = blocking(state.desk()?, move |desk| {
        desk.report_progress(&input.id, input.status.into(), input.note.as_deref())
    })
    .await?;
    // Status 05 or 06 may be queued for the sender.
    worker.wake();
    Ok(handling.into())
}

/// The deadline `workingDays` working days from today (RFC 3339, Vietnam time).
#[tauri::command]
pub async fn suggest_deadline(state: DeskRef<'_>, request: Request<'_>) -> Reply<String> {
    let input: SuggestDeadline = parse(&request)?;
    Ok(rfc3339(blocking(state.desk()?, move |desk| desk.suggest_deadline(input.working_days)).await?))
}

/// The home screen.
#[tauri::command]
pub async fn dashboard(state: DeskRef<'_>) -> Reply<Dashboard> {
    Ok(blocking(state.desk()?, |desk| desk.dashboard()).await?.into())
}

/// The colleagues a leader can give a document to (anyone signed in may list them).
#[tauri::command]
pub async fn people(state: DeskRef<'_>) -> Reply<Vec<Person>> {
    Ok(blocking(state.desk()?, |desk| desk.people()).await?.into_iter().map(Into::into).collect())
}

/// Outgoing documents whose requested report is due within `days` days, or overdue.
#[tauri::command]
pub async fn replies_awaited(state: DeskRef<'_>, request: Request<'_>) -> Reply<Vec<ReplyAwaited>> {
    let input: RepliesAwaited = parse(&request)?;
    let awaited = blocking(state.desk()?, move |desk| desk.replies_awaited(input.days)).await?;
    Ok(awaited.into_iter().map(Into::into).collect())
}

/// Records that an incoming document is the report an outgoing one asked for.
#[tauri::command]
pub async fn record_reply(state: DeskRef<'_>, request: Request<'_>) -> Reply<RegisterRow> {
    let input: RecordReply = parse(&request)?;
    Ok(blocking(state.desk()?, move |desk| desk.record_reply(&input.incoming, &input.outgoing)).await?.into())
}

/// The units.
#[tauri::command]
pub async fn units(state: DeskRef<'_>) -> Reply<Vec<Unit>> {
    Ok(blocking(state.desk()?, |desk| desk.units()).await?.into_iter().map(Into::into).collect())
}

/// The register series of a year with their last numbers.
#[tauri::command]
pub async fn series(state: DeskRef<'_>, request: Request<'_>) -> Reply<Vec<SeriesState>> {
    let input: SeriesRequest = parse(&request)?;
    Ok(blocking(state.desk()?, move |desk| desk.series(input.year)).await?.into_iter().map(Into::into).collect())
}

/// Adds a unit (administrators).
#[tauri::command]
pub async fn add_unit(state: DeskRef<'_>, request: Request<'_>) -> Reply<Unit> {
    let input: NewUnit = parse(&request)?;
    Ok(blocking(state.desk()?, move |desk| desk.add_unit(&input.into())).await?.into())
}

/// Every account (administrators).
#[tauri::command]
pub async fn accounts(state: DeskRef<'_>) -> Reply<Vec<Account>> {
    Ok(blocking(state.desk()?, |desk| desk.accounts()).await?.into_iter().map(Into::into).collect())
}

/// Creates an account (administrators).
#[tauri::command]
pub async fn create_account(state: DeskRef<'_>, request: Request<'_>) -> Reply<Account> {
    let input: NewAccount = parse(&request)?;
    Ok(blocking(state.desk()?, move |desk| desk.create_account(&input.into())).await?.into())
}

/// Changes an account (administrators).
#[tauri::command]
pub async fn update_account(state: DeskRef<'_>, request: Request<'_>) -> Reply<Account> {
    let input: UpdateAccount = parse(&request)?;
    let id = input.id;
    Ok(blocking(state.desk()?, move |desk| desk.update_account(id, &input.into())).await?.into())
}

/// Sets a temporary password and unlocks the account (administrators).
#[tauri::command]
pub async fn reset_password(state: DeskRef<'_>, request: Request<'_>) -> Reply<()> {
    let input: ResetPassword = parse(&request)?;
    blocking(state.desk()?, move |desk| desk.reset_password(input.id, &input.temporary)).await
}

/// The security policy.
#[tauri::command]
pub async fn security_policy(state: DeskRef<'_>) -> Reply<SecurityPolicy> {
    Ok(blocking(state.desk()?, |desk| desk.security_policy()).await?.into())
}

/// Changes the security policy (administrators).
#[tauri::command]
pub async fn set_security_policy(state: DeskRef<'_>, request: Request<'_>) -> Reply<()> {
    let input: SecurityPolicy = parse(&request)?;
    blocking(state.desk()?, move |desk| desk.set_security_policy(&input.into())).await
}

/// The working calendar's adjustments.
#[tauri::command]
pub async fn calendar_settings(state: DeskRef<'_>) -> Reply<CalendarSettings> {
    Ok(blocking(state.desk()?, |desk| desk.calendar_settings()).await?.into())
}

/// Changes the working calendar (administrators).
#[tauri::command]
pub async fn set_calendar_settings(state: DeskRef<'_>, request: Request<'_>) -> Reply<()> {
    let input: CalendarSettings = parse(&request)?;
    blocking(state.desk()?, move |desk| desk.set_calendar_settings(&input.into())).await
}

/// The case-file catalogue of a year (or every year).
#[tauri::command]
pub async fn case_files(state: DeskRef<'_>, request: Request<'_>) -> Reply<Vec<CaseFile>> {
    let input: CaseFileYear = parse(&request)?;
    Ok(blocking(state.desk()?, move |desk| desk.case_files(input.year)).await?.into_iter().map(Into::into).collect())
}

/// Closed case files due at the archive within 30 days.
#[tauri::command]
pub async fn case_files_due(state: DeskRef<'_>) -> Reply<Vec<CaseFile>> {
    Ok(blocking(state.desk()?, |desk| desk.case_files_due()).await?.into_iter().map(Into::into).collect())
}

/// Opens a case file.
#[tauri::command]
pub async fn open_case_file(state: DeskRef<'_>, request: Request<'_>) -> Reply<CaseFile> {
    let input: CaseFileInput = parse(&request)?;
    Ok(blocking(state.desk()?, move |desk| desk.open_case_file(&input.into())).await?.into())
}

/// One case file with its documents, oldest first.
#[tauri::command]
pub async fn case_file(state: DeskRef<'_>, request: Request<'_>) -> Reply<CaseFileDetail> {
    let input: NumericId = parse(&request)?;
    Ok(blocking(state.desk()?, move |desk| desk.case_file(input.id)).await?.into())
}

/// Puts a document into a case file.
#[tauri::command]
pub async fn add_to_case_file(state: DeskRef<'_>, request: Request<'_>) -> Reply<CaseFile> {
    let input: CaseFileDocument = parse(&request)?;
    Ok(blocking(state.desk()?, move |desk| desk.add_to_case_file(input.file, &input.document)).await?.into())
}

/// Takes a document out of a case file.
#[tauri::command]
pub async fn remove_from_case_file(state: DeskRef<'_>, request: Request<'_>) -> Reply<CaseFile> {
    let input: CaseFileDocument = parse(&request)?;
    Ok(blocking(state.desk()?, move |desk| desk.remove_from_case_file(input.file, &input.document)).await?.into())
}

/// Closes a case file.
#[tauri::command]
pub async fn close_case_file(state: DeskRef<'_>, request: Request<'_>) -> Reply<CaseFile> {
    let input: NumericId = parse(&request)?;
    Ok(blocking(state.desk()?, move |desk| desk.close_case_file(input.id)).await?.into())
}

/// The signed-in user's saved searches.
#[tauri::command]
pub async fn saved_searches(state: DeskRef<'_>) -> Reply<Vec<SavedSearch>> {
    Ok(blocking(state.desk()?, |desk| desk.saved_searches()).await?.into_iter().map(Into::into).collect())
}

/// Saves a search.
#[tauri::command]
pub async fn save_search(state: DeskRef<'_>, request: Request<'_>) -> Reply<SavedSearch> {
    let input: SaveSearch = parse(&request)?;
    let input: vanthu_app::SavedSearchInput = input.try_into()?;
    Ok(blocking(state.desk()?, move |desk| desk.save_search(&input)).await?.into())
}

/// Deletes a saved search.
#[tauri::command]
pub async fn delete_saved_search(state: DeskRef<'_>, request: Request<'_>) -> Reply<()> {
    let input: NumericId = parse(&request)?;
    blocking(state.desk()?, move |desk| desk.delete_saved_search(input.id)).await
}

/// The backup schedule and the last results.
#[tauri::command]
pub async fn backup_status(state: DeskRef<'_>) -> Reply<BackupStatus> {
    Ok(blocking(state.desk()?, |desk| desk.backup_status()).await?.into())
}

/// Makes a verified backup now, into a new sub-folder of the chosen folder.
#[tauri::command]
pub async fn backup_now(state: DeskRef<'_>, request: Request<'_>) -> Reply<BackupMade> {
    let input: Folder = parse(&request)?;
    blocking(state.desk()?, move |desk| {
        let dest = backup_folder(Path::new(input.folder.trim()), desk)?;
        let manifest = desk.backup(&dest)?;
        Ok::<_, CommandError>(BackupMade::new(&dest, &manifest))
    })
    .await
}

/// Changes the backup schedule (administrators).
#[tauri::command]
pub async fn set_backup_schedule(state: DeskRef<'_>, request: Request<'_>) -> Reply<()> {
    let input: BackupSchedule = parse(&request)?;
    blocking(state.desk()?, move |desk| desk.set_backup_schedule(&input.into())).await
}

/// Restores the register from a backup folder (administrators): closes the desk, restores, reopens.
/// Everyone is signed out by the reopening.
#[tauri::command]
pub async fn restore_backup(
    app: tauri::AppHandle,
    state: DeskRef<'_>,
    watch: tauri::State<'_, crate::digitise::ScanWatch>,
    request: Request<'_>,
) -> Reply<Restored> {
    let input: Folder = parse(&request)?;
    let from = PathBuf::from(input.folder.trim());
    blocking(state.desk()?, |desk| desk.authorise(Permission::Backup)).await?;
    let holder = state.inner().clone();
    let folder = from.clone();
    let restored = match tauri::async_runtime::spawn_blocking(move || holder.restore(&folder)).await {
        Ok(result) => result?,
        Err(_) => return Err(interrupted()),
    };
    // The restored register has its own scan folder setting: watch that one from now on.
    watch.start_from_settings(app, state.inner().clone());
    Ok(Restored::new(&from, &restored))
}

/// Prints a register book (App. IV, with its cover) to a PDF under the exports folder.
#[tauri::command]
pub async fn print_register(state: DeskRef<'_>, request: Request<'_>) -> Reply<Exported> {
    let input: PrintRegister = parse(&request)?;
    let print: vanthu_app::RegisterPrint = input.try_into()?;
    Ok(blocking(state.desk()?, move |desk| desk.print_register(&print)).await?.into())
}

/// Prints the "Phiếu giải quyết văn bản đến" of one document.
#[tauri::command]
pub async fn print_handling_slip(state: DeskRef<'_>, request: Request<'_>) -> Reply<Exported> {
    let input: DocumentId = parse(&request)?;
    Ok(blocking(state.desk()?, move |desk| desk.print_handling_slip(&input.id)).await?.into())
}

/// Exports a case file to PDF or XML, its documents in chronological order.
#[tauri::command]
pub async fn export_case_file(state: DeskRef<'_>, request: Request<'_>) -> Reply<Exported> {
    let input: ExportCaseFile = parse(&request)?;
    Ok(blocking(state.desk()?, move |desk| desk.export_case_file(input.id, input.format.into())).await?.into())
}

/// Exports search results to PDF or XLSX.
#[tauri::command]
pub async fn export_results(state: DeskRef<'_>, request: Request<'_>) -> Reply<Exported> {
    let input: ExportResults = parse(&request)?;
    let filter: vanthu_app::Filter = input.filter.try_into()?;
    let exported =
        blocking(state.desk()?, move |desk| desk.export_results(&filter, &input.columns, input.format.into())).await?;
    Ok(exported.into())
}

/// The columns a result list can show and export.
#[tauri::command]
pub fn result_columns() -> Vec<ResultColumn> {
    vanthu_app::RESULT_COLUMNS
        .iter()
        .map(|(id, title)| ResultColumn { id: (*id).to_owned(), title: (*title).to_owned() })
        .collect()
}

/// The bytes of a PDF the clerk picked, for the page preview (a raw response, not JSON).
#[tauri::command]
pub async fn read_picked_file(state: DeskRef<'_>, request: Request<'_>) -> Reply<Response> {
    let input: FilePath = parse(&request)?;
    let bytes = blocking(state.desk()?, move |desk| {
        desk.authorise(Permission::ReadRegister)?;
        read_pdf(Path::new(input.path.trim()))
    })
    .await?;
    Ok(Response::new(bytes))
}

/// The bytes of a stored file, for the page preview.
#[tauri::command]
pub async fn stored_file_bytes(state: DeskRef<'_>, request: Request<'_>) -> Reply<Response> {
    let input: StoredFile = parse(&request)?;
    let bytes = blocking(state.desk()?, move |desk| read_pdf(&desk.stored_file(&input.sha256)?)).await?;
    Ok(Response::new(bytes))
}

/// Opens a stored file in the system's viewer (to read or print it).
#[tauri::command]
pub async fn open_stored_file(app: tauri::AppHandle, state: DeskRef<'_>, request: Request<'_>) -> Reply<String> {
    let input: StoredFile = parse(&request)?;
    let path = blocking(state.desk()?, move |desk| desk.stored_file(&input.sha256)).await?;
    open_in_viewer(&app, &path)?;
    Ok(path.display().to_string())
}

/// Opens an exported or printed file (under the register's `exports` folder) in the system's viewer,
/// whose print dialog prints it.
#[tauri::command]
pub async fn open_export(app: tauri::AppHandle, state: DeskRef<'_>, request: Request<'_>) -> Reply<()> {
    let input: FilePath = parse(&request)?;
    let path = blocking(state.desk()?, move |desk| {
        desk.authorise(Permission::ReadRegister)?;
        let exports = desk.exports_dir();
        let path = PathBuf::from(input.path.trim());
        match (path.canonicalize(), exports.canonicalize()) {
            (Ok(p), Ok(dir)) if p.starts_with(&dir) && p.is_file() => Ok(p),
            _ => Err(CommandError::new("not_found", "Không tìm thấy tệp đã xuất.")),
        }
    })
    .await?;
    open_in_viewer(&app, &path)
}

fn open_in_viewer(app: &tauri::AppHandle, path: &Path) -> Reply<()> {
    use tauri_plugin_opener::OpenerExt;
    app.opener()
        .open_path(path.display().to_string(), None::<&str>)
        .map_err(|e| CommandError::new("io", format!("Không mở được tệp bằng chương trình xem của máy: {e}.")))
}

/// A backup goes into a new sub-folder `vanthu-YYYYMMDD-HHMMSS` of the folder the clerk chose.
fn backup_folder(parent: &Path, desk: &Desk) -> Reply<PathBuf> {
    if !parent.is_absolute() {
        return Err(CommandError::new("invalid_input", "Hãy chọn thư mục sao lưu (đường dẫn đầy đủ)."));
    }
    let now = desk.now().to_offset(time::macros::offset!(+7));
    let name = format!(
        "vanthu-{:04}{:02}{:02}-{:02}{:02}{:02}",
        now.year(),
        u8::from(now.month()),
        now.day(),
        now.hour(),
        now.minute(),
        now.second()
    );
    let mut dest = parent.join(&name);
    let mut n = 2;
    while dest.exists() {
        dest = parent.join(format!("{name}-{n}"));
        n += 1;
    }
    Ok(dest)
}

/// Reads a PDF for the preview: a regular file, at most 100 MB, starting with `%PDF-`.
fn read_pdf(path: &Path) -> Reply<Vec<u8>> {
    const MAX: u64 = 100 * 1024 * 1024;
    let unreadable =
        |e: std::io::Error| CommandError::new("io", format!("Không đọc được tệp {}: {e}.", path.display()));
    let meta = std::fs::metadata(path).map_err(unreadable)?;
    if !meta.is_file() || meta.len() > MAX {
        return Err(CommandError::new("invalid_input", "Chỉ xem trước được tệp PDF nhỏ hơn 100 MB."));
    }
    let bytes = std::fs::read(path).map_err(unreadable)?;
    if !bytes.starts_with(b"%PDF-") {
        return Err(CommandError::new("invalid_input", "Tệp này không phải PDF nên không xem trước được."));
    }
    Ok(bytes)
}

/// Reads the whole argument object of the invoke call as `T`.
pub(crate) fn parse<T: DeserializeOwned>(request: &Request<'_>) -> Reply<T> {
    let InvokeBody::Json(body) = request.body() else {
        return Err(invalid_request("dữ liệu gửi lên không phải JSON"));
    };
    serde_json::from_value(body.clone()).map_err(|e| invalid_request(&e.to_string()))
}

fn invalid_request(detail: &str) -> CommandError {
    CommandError::new("invalid_request", format!("Yêu cầu không hợp lệ: {detail}."))
}

fn interrupted() -> CommandError {
    CommandError::new("internal", "Lỗi nội bộ: thao tác bị dừng giữa chừng. Vui lòng thử lại.")
}

/// Runs one façade call off the async runtime's threads.
pub(crate) async fn blocking<T, E>(
    desk: Arc<Desk>,
    call: impl FnOnce(&Desk) -> Result<T, E> + Send + 'static,
) -> Reply<T>
where
    T: Send + 'static,
    E: Into<CommandError> + Send + 'static,
{
    match tauri::async_runtime::spawn_blocking(move || call(&desk)).await {
        Ok(result) => result.map_err(Into::into),
        Err(_) => Err(interrupted()),
    }
}

/// Every 5 minutes, makes the scheduled backup if one is due (the façade decides), and tells the window.
pub fn schedule_backups(app: tauri::AppHandle, state: DeskState) {
    use tauri::Emitter;
    std::thread::spawn(move || {
        loop {
            std::thread::sleep(Duration::from_secs(5 * 60));
            if let Ok(desk) = state.desk() {
                match desk.run_scheduled_backup() {
                    Ok(Some(_)) | Err(_) => {
                        // The outcome is recorded in the register either way; the window re-reads it.
                        let _ = app.emit("backup-status-changed", ());
                    }
                    Ok(None) => {}
                }
            }
        }
    });
}
