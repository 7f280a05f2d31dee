//! The digitising commands: the review queue (scan, files, pages, splits), the arrival stamp, printing,
//! and the watched scan folder that runs beside the window.
//!
//! Like every command here they parse a DTO, call one `Desk` method on a blocking thread and map the
//! answer. Scanning and rendering are slow (seconds, ≈ 100 ms a page): they run off the event loop and
//! a scan reports each page kept with the `scan-progress` event. The watched folder is a background
//! thread ([`ScanWatch`]) whose handler is the façade's `capture_arrival`; it tells the window with
//! `queue-changed` whenever the queue or the quarantine folder changed.

use std::path::PathBuf;
use std::sync::{Arc, Mutex, PoisonError};

use tauri::Emitter;
use tauri::ipc::{Request, Response};
use vanthu_app::digitise::{FolderWatch, WatchConfig, WatchMode};
use vanthu_app::{self as app, Desk};

use crate::commands::{DeskState, blocking, parse};
use crate::dto::*;

type Reply<T> = Result<T, CommandError>;
type DeskRef<'a> = tauri::State<'a, DeskState>;

fn draft_dto(d: app::Draft) -> Draft {
    Draft {
        id: d.id,
        source: match d.source {
            app::CaptureSource::Scanner => "scanner",
            app::CaptureSource::Folder => "folder",
            app::CaptureSource::File => "file",
        }
        .to_owned(),
        label: d.label,
        created_at: d.created_at,
        created_by: d.created_by,
        pdf_sha256: d.pdf_sha256,
        pages: d.pages,
        blank_pages: d.blank_pages,
    }
}

fn page_dto(p: app::DraftPage) -> DraftPage {
    DraftPage {
        id: p.id,
        draft_id: p.draft_id,
        position: p.position,
        width: p.width,
        height: p.height,
        dpi: p.dpi,
        rotation: p.rotation,
        blank: p.blank,
        separator: p.separator,
        passthrough: p.passthrough,
    }
}

fn copy_dto(c: app::ArchiveCopy) -> ArchiveCopy {
    ArchiveCopy {
        sha256: c.sha256,
        source_sha256: c.source_sha256,
        x_mm: c.x_mm,
        y_mm: c.y_mm,
        made_at: c.made_at,
        made_by: c.made_by,
    }
}

/// The scanners SANE finds (a few seconds with network scanners).
#[tauri::command]
pub async fn scanners(state: DeskRef<'_>) -> Reply<Vec<Scanner>> {
    let list = blocking(state.desk()?, |_| app::digitise::scanners()).await?;
    Ok(list.into_iter().map(|d| Scanner { name: d.name, vendor: d.vendor, model: d.model, kind: d.kind }).collect())
}

/// Scans into the queue; each page kept is announced with `scan-progress` (the count so far).
#[tauri::command]
pub async fn scan_to_queue(
    app_handle: tauri::AppHandle,
    state: DeskRef<'_>,
    request: Request<'_>,
) -> Reply<ScanOutcome> {
    let input: ScanToQueue = parse(&request)?;
    let req = app::ScanRequest {
        device: input.device,
        resolution: input.resolution,
        source: match input.source {
            ScanSource::Flatbed => app::ScanSource::Flatbed,
            ScanSource::Feeder => app::ScanSource::Feeder,
            ScanSource::Duplex => app::ScanSource::Duplex,
        },
        pages: input.pages,
        options: Vec::new(),
    };
    let outcome = blocking(state.desk()?, move |desk| {
        desk.capture_scan(&req, input.into, |n| {
            let _ = app_handle.emit("scan-progress", n);
        })
    })
    .await?;
    Ok(ScanOutcome { draft_id: outcome.draft_id, pages: outcome.pages, fault: outcome.fault })
}

/// Picked or dropped files into the queue, one draft each.
#[tauri::command]
pub async fn capture_files(state: DeskRef<'_>, request: Request<'_>) -> Reply<ImportOutcome> {
    let input: CaptureFiles = parse(&request)?;
    let paths: Vec<PathBuf> = input.paths.into_iter().map(PathBuf::from).collect();
    let o = blocking(state.desk()?, move |desk| desk.capture_files(&paths)).await?;
    Ok(ImportOutcome {
        drafts: o.drafts,
        problems: o.problems.into_iter().map(|p| FileProblem { name: p.name, message: p.message }).collect(),
    })
}

/// The open drafts.
#[tauri::command]
pub async fn drafts(state: DeskRef<'_>) -> Reply<Vec<Draft>> {
    Ok(blocking(state.desk()?, |desk| desk.drafts()).await?.into_iter().map(draft_dto).collect())
}

/// A draft's pages.
#[tauri::command]
pub async fn draft_pages(state: DeskRef<'_>, request: Request<'_>) -> Reply<Vec<DraftPage>> {
    let input: DraftRef = parse(&request)?;
    Ok(blocking(state.desk()?, move |desk| desk.draft_pages(input.draft_id)).await?.into_iter().map(page_dto).collect())
}

/// A page's JPEG (or its thumbnail).
#[tauri::command]
pub async fn page_image(state: DeskRef<'_>, request: Request<'_>) -> Reply<Response> {
    let input: PageImage = parse(&request)?;
    let bytes = blocking(state.desk()?, move |desk| desk.page_image(input.page_id, input.thumbnail)).await?;
    Ok(Response::new(bytes))
}

/// Turns a page; returns its rotation.
#[tauri::command]
pub async fn rotate_page(state: DeskRef<'_>, request: Request<'_>) -> Reply<u16> {
    let input: RotatePage = parse(&request)?;
    blocking(state.desk()?, move |desk| desk.rotate_page(input.page_id, input.turns)).await
}

/// Removes a page.
#[tauri::command]
pub async fn delete_page(state: DeskRef<'_>, request: Request<'_>) -> Reply<()> {
    let input: PageRef = parse(&request)?;
    blocking(state.desk()?, move |desk| desk.delete_page(input.page_id)).await
}

/// Moves a page within its draft.
#[tauri::command]
pub async fn move_page(state: DeskRef<'_>, request: Request<'_>) -> Reply<()> {
    let input: MovePage = parse(&request)?;
    blocking(state.desk()?, move |desk| desk.move_page(input.page_id, input.position)).await
}

/// Splits before a page; returns the new draft.
#[tauri::command]
pub async fn split_before(state: DeskRef<'_>, request: Request<'_>) -> Reply<i64> {
    let input: PageRef = parse(&request)?;
    blocking(state.desk()?, move |desk| desk.split_before(input.page_id)).await
}

/// Splits at blank and separator sheets; returns the drafts.
#[tauri::command]
pub async fn split_at_blanks(state: DeskRef<'_>, request: Request<'_>) -> Reply<Vec<i64>> {
    let input: DraftRef = parse(&request)?;
    blocking(state.desk()?, move |desk| desk.split_at_blanks(input.draft_id)).await
}

/// Removes blank and separator pages; returns how many.
#[tauri::command]
pub async fn remove_blank_pages(state: DeskRef<'_>, request: Request<'_>) -> Reply<u32> {
    let input: DraftRef = parse(&request)?;
    blocking(state.desk()?, move |desk| desk.remove_blank_pages(input.draft_id)).await
}

/// Appends one draft to another.
#[tauri::command]
pub async fn join_drafts(state: DeskRef<'_>, request: Request<'_>) -> Reply<()> {
    let input: JoinDrafts = parse(&request)?;
    blocking(state.desk()?, move |desk| desk.join_drafts(input.into, input.from)).await
}

/// Discards a draft.
#[tauri::command]
pub async fn discard_draft(state: DeskRef<'_>, request: Request<'_>) -> Reply<()> {
    let input: DraftRef = parse(&request)?;
    blocking(state.desk()?, move |desk| desk.discard_draft(input.draft_id)).await
}

/// The draft assembled as the PDF it will be registered with.
#[tauri::command]
pub async fn draft_pdf_bytes(state: DeskRef<'_>, request: Request<'_>) -> Reply<Response> {
    let input: DraftRef = parse(&request)?;
    let bytes = blocking(state.desk()?, move |desk| desk.draft_pdf_bytes(input.draft_id)).await?;
    Ok(Response::new(bytes))
}

/// A page of a stored PDF as PNG, rendered by pdfium.
#[tauri::command]
pub async fn render_page(state: DeskRef<'_>, request: Request<'_>) -> Reply<Response> {
    let input: RenderPage = parse(&request)?;
    let png = blocking(state.desk()?, move |desk| desk.render_stored(&input.sha256, input.page, input.width)).await?;
    Ok(Response::new(png))
}

/// Page 1's size and the stamp's place.
#[tauri::command]
pub async fn stamp_layout(state: DeskRef<'_>, request: Request<'_>) -> Reply<StampLayout> {
    let input: DocumentId = parse(&request)?;
    let l = blocking(state.desk()?, move |desk| desk.stamp_layout(&input.id)).await?;
    Ok(StampLayout {
        source_sha256: l.source_sha256,
        page_width_mm: l.page_mm.0,
        page_height_mm: l.page_mm.1,
        stamp_width_mm: l.stamp_mm.0,
        stamp_height_mm: l.stamp_mm.1,
        x_mm: l.placement.x_mm,
        y_mm: l.placement.y_mm,
        current: l.current.map(copy_dto),
    })
}

/// Draws the arrival stamp on a new archive copy.
#[tauri::command]
pub async fn stamp_archive_copy(state: DeskRef<'_>, request: Request<'_>) -> Reply<ArchiveCopy> {
    let input: StampRequest = parse(&request)?;
    let at = input.x_mm.zip(input.y_mm).map(|(x_mm, y_mm)| app::Placement { x_mm, y_mm });
    Ok(copy_dto(blocking(state.desk()?, move |desk| desk.stamp_archive_copy(&input.id, at)).await?))
}

/// The separator sheet, written into the exports folder; returns its path (opened with `open_export`).
#[tauri::command]
pub async fn separator_sheet(state: DeskRef<'_>) -> Reply<String> {
    Ok(blocking(state.desk()?, |desk| desk.separator_sheet()).await?.display().to_string())
}

/// The printers.
#[tauri::command]
pub async fn printers(state: DeskRef<'_>) -> Reply<Vec<Printer>> {
    let list = blocking(state.desk()?, |desk| desk.printers()).await?;
    Ok(list.into_iter().map(|p| Printer { name: p.name, default: p.default }).collect())
}

/// Prints a document's archive copy (or original) through CUPS.
#[tauri::command]
pub async fn print_document(state: DeskRef<'_>, request: Request<'_>) -> Reply<PrintJob> {
    let input: PrintDocument = parse(&request)?;
    let what = if input.original { app::PrintWhat::Original } else { app::PrintWhat::ArchiveCopy };
    let job =
        blocking(state.desk()?, move |desk| desk.print_document(&input.id, what, input.printer.as_deref())).await?;
    Ok(PrintJob { printer: job.printer, job: job.job, file: job.file.display().to_string() })
}

/// The watched scan folder and whether it is being watched.
#[tauri::command]
pub async fn scan_folder(state: DeskRef<'_>, watch: tauri::State<'_, ScanWatch>) -> Reply<ScanFolder> {
    let folder = blocking(state.desk()?, |desk| desk.scan_folder()).await?;
    Ok(watch.status(folder))
}

/// Sets the scan folder and (re)starts watching it.
#[tauri::command]
pub async fn set_scan_folder(
    app_handle: tauri::AppHandle,
    state: DeskRef<'_>,
    watch: tauri::State<'_, ScanWatch>,
    request: Request<'_>,
) -> Reply<ScanFolder> {
    let input: SetScanFolder = parse(&request)?;
    let folder =
        app::ScanFolder { dir: input.dir.filter(|d| !d.trim().is_empty()).map(PathBuf::from), poll: input.poll };
    let saved = folder.clone();
    blocking(state.desk()?, move |desk| desk.set_scan_folder(&saved)).await?;
    watch.restart(app_handle, state.inner().clone(), &folder);
    Ok(watch.status(folder))
}

/// The folder watcher that runs beside the window.
#[derive(Default)]
pub struct ScanWatch {
    running: Mutex<Option<(FolderWatch, PathBuf)>>,
}

impl ScanWatch {
    /// Starts watching the register's scan folder, if one is set.
    pub fn start_from_settings(&self, app_handle: tauri::AppHandle, state: DeskState) {
        let Ok(desk) = state.desk() else { return };
        let Ok(folder) = desk.scan_folder() else { return };
        self.restart(app_handle, state, &folder);
    }

    fn restart(&self, app_handle: tauri::AppHandle, state: DeskState, folder: &app::ScanFolder) {
        let mut running = self.running.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some((old, _)) = running.take() {
            old.stop();
        }
        let Some(dir) = folder.dir.clone() else { return };
        let mut config = WatchConfig::new(dir.clone());
        config.mode = if folder.poll { WatchMode::Poll } else { WatchMode::Notify };
        let events_to = app_handle.clone();
        let handler_state = state;
        let handler = move |arrival: &app::digitise::Arrival| match handler_state.desk() {
            Ok(desk) => handle(&desk, arrival, &events_to),
            Err(e) => app::digitise::Disposition::Quarantine(e.message),
        };
        match FolderWatch::start(config, handler) {
            Ok(w) => *running = Some((w, dir)),
            Err(e) => {
                let _ = app_handle.emit("queue-changed", format!("Không theo dõi được thư mục quét: {e}"));
            }
        }
    }

    fn mode(&self) -> Option<String> {
        let running = self.running.lock().unwrap_or_else(PoisonError::into_inner);
        running.as_ref().map(|(w, _)| match w.mode() {
            WatchMode::Notify => "notify".to_owned(),
            WatchMode::Poll => "poll".to_owned(),
        })
    }

    fn quarantine_count(&self) -> u32 {
        let running = self.running.lock().unwrap_or_else(PoisonError::into_inner);
        running.as_ref().map_or(0, |(_, dir)| app::digitise::quarantined(dir) as u32)
    }

    /// The folder as the window shows it: where, how it is watched, what waits in quarantine.
    fn status(&self, folder: app::ScanFolder) -> ScanFolder {
        ScanFolder {
            dir: folder.dir.map(|d| d.display().to_string()),
            poll: folder.poll,
            watching: self.mode(),
            quarantine: self.quarantine_count(),
        }
    }
}

fn handle(desk: &Arc<Desk>, arrival: &app::digitise::Arrival, window: &tauri::AppHandle) -> app::digitise::Disposition {
    let disposition = desk.capture_arrival(arrival);
    let _ = window.emit("queue-changed", arrival.name.clone());
    disposition
}
