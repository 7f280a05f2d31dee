//! Digitising paper: from the scanner, the watched folder or picked files into the review queue, from
//! a checked draft to a registered PDF that meets the standard, and the stamped archive copy.
//!
//! The crates below do the work on bytes: `vanthu-capture` reads scanners, folders and image files
//! into JPEG pages (compressed at most once); `vanthu-pdf` assembles them into a PDF/A-1b file, checks
//! any PDF against the standard and appends the arrival stamp. This module decides where bytes go: page
//! JPEGs and thumbnails into the content-addressed file store *before* the queue's transaction (as for
//! registrations: a crash leaves at most an unreferenced file), drafts and pages into the register.
//!
//! Standalone outputs (`vanthu digitise`, `vanthu scan`) are written atomically: a temporary file in
//! the destination folder, fsynced and renamed; after any error no output file is left behind.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use vanthu_capture::imaging::{self, Page};
use vanthu_capture::{CaptureError, sane, watch};
use vanthu_core::access::Permission;
use vanthu_pdf::assemble::{Assembler, Metadata, PageSpec, Rotation};
use vanthu_pdf::stamp::{ArrivalStamp, Placement};
use vanthu_pdf::{PdfError, check};
use vanthu_store::capture::{self, ArchiveCopy, CaptureSource, Draft, DraftPage, NewPage};
use vanthu_store::files::StoredFile;
use vanthu_store::register;

use crate::{ApiError, ApiResult, Desk, ErrorCode};

pub use vanthu_capture::sane::DeviceInfo as Scanner;
pub use vanthu_capture::watch::{
    Arrival, Disposition, FolderWatch, QUARANTINE_DIR, WatchConfig, WatchEvent, WatchMode, quarantined,
};
pub use vanthu_pdf::check::Report as PdfReport;

/// Width of the thumbnails kept for the review screen, in pixels.
pub const THUMBNAIL_WIDTH: u32 = 240;

/// Which kind of paper feed.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ScanSource {
    /// The flatbed glass, one sheet.
    #[default]
    Flatbed,
    /// The automatic document feeder, one side.
    Feeder,
    /// The feeder, both sides.
    Duplex,
}

/// What to scan.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScanRequest {
    /// The SANE device name, e.g. `test:0` or `airscan:e0:Canon`.
    pub device: String,
    /// Dots per inch; at least 200 (the standard).
    pub resolution: u32,
    /// Flatbed or feeder.
    pub source: ScanSource,
    /// Stop after this many pages (a feeder scans until it is empty otherwise; a flatbed scans one).
    pub pages: Option<u32>,
    /// Further device options (`name`, `value`), as `scanimage` would take them.
    pub options: Vec<(String, String)>,
}

impl Default for ScanRequest {
    fn default() -> ScanRequest {
        ScanRequest {
            device: String::new(),
            resolution: 200,
            source: ScanSource::Flatbed,
            pages: None,
            options: vec![],
        }
    }
}

/// What a scan into the queue gave.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ScanOutcome {
    /// The draft the pages went into (none when not a single page came).
    pub draft_id: Option<i64>,
    /// Pages scanned and kept.
    pub pages: u32,
    /// The device's fault that stopped the scan, in Vietnamese; the pages before it are kept.
    pub fault: Option<String>,
}

/// One file that could not be taken in, and why.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileProblem {
    /// The file's name (never a path from elsewhere).
    pub name: String,
    /// Why, in Vietnamese.
    pub message: String,
}

/// What importing picked files gave.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ImportOutcome {
    /// New drafts, one per file.
    pub drafts: Vec<i64>,
    /// Files refused, with the reason.
    pub problems: Vec<FileProblem>,
}

/// A standalone PDF written by `digitise` or `scan`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Digitised {
    /// Where it was written.
    pub path: PathBuf,
    /// Pages.
    pub pages: u32,
    /// Pages whose JPEG data went in unchanged.
    pub passthrough: u32,
    /// Size in bytes.
    pub bytes: u64,
}

/// A printer known to CUPS.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Printer {
    /// CUPS destination name.
    pub name: String,
    /// The system's default printer.
    pub default: bool,
}

/// Which file of a document to print.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PrintWhat {
    /// The stamped archive copy (bản lưu có dấu đến); the original when there is none.
    #[default]
    ArchiveCopy,
    /// The document's file as it came.
    Original,
}

/// A print job handed to CUPS.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PrintJob {
    /// The printer.
    pub printer: String,
    /// CUPS's job id, e.g. `VanthuPDF-12`.
    pub job: String,
    /// The marked copy that was sent (kept in the exports folder).
    pub file: PathBuf,
}

/// Where the arrival stamp goes on a document, for the clerk to adjust before the copy is made.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct StampLayout {
    /// The file the stamp is drawn on (the document's PDF as it came).
    pub source_sha256: String,
    /// Page 1's displayed width and height, in millimetres.
    pub page_mm: (f32, f32),
    /// The stamp's size (width, height) in millimetres: 50 × 35 (App. IV).
    pub stamp_mm: (f32, f32),
    /// Where it goes: the current archive copy's place, else the usual place.
    pub placement: Placement,
    /// The current archive copy, if one was made.
    pub current: Option<ArchiveCopy>,
}

/// The scan folder the desktop watches (thư mục quét), kept in the register's settings.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScanFolder {
    /// The folder, absolute; none when not watching.
    pub dir: Option<PathBuf>,
    /// Poll instead of file-system events (network shares).
    #[serde(default)]
    pub poll: bool,
}

/// The settings key of [`ScanFolder`].
const SCAN_FOLDER: &str = "capture.scan_folder";

/// What the watched folder did with one file, for the clerk and for `vanthu watch --json`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FolderEvent {
    /// `taken`, `quarantined`, `duplicate`, `ignored`, `waiting`, `fallback` or `error`.
    pub kind: String,
    /// The file's safe name (empty for folder-wide events).
    pub name: String,
    /// In Vietnamese.
    pub message: String,
    /// Where a quarantined file is now.
    pub path: Option<PathBuf>,
}

impl From<&WatchEvent> for FolderEvent {
    fn from(e: &WatchEvent) -> FolderEvent {
        let (kind, name, message, path) = match e {
            WatchEvent::Taken { name } => ("taken", name.clone(), format!("Đã đưa {name} vào hàng chờ."), None),
            WatchEvent::Quarantined { name, reason, path } => {
                ("quarantined", name.clone(), format!("Không nhận {name}: {reason}"), Some(path.clone()))
            }
            WatchEvent::Duplicate { name, reason, path } => {
                ("duplicate", name.clone(), format!("Bỏ qua {name}: {reason}"), Some(path.clone()))
            }
            WatchEvent::Ignored { name, reason } => ("ignored", name.clone(), format!("Bỏ qua {name}: {reason}"), None),
            WatchEvent::Waiting { name } => {
                ("waiting", name.clone(), format!("{name} đang được ghi, chờ lượt sau."), None)
            }
            WatchEvent::Fallback { reason } => ("fallback", String::new(), reason.clone(), None),
            WatchEvent::Error { message } => ("error", String::new(), message.clone(), None),
        };
        FolderEvent { kind: kind.to_owned(), name, message, path }
    }
}

pub(crate) fn capture_error(e: CaptureError) -> ApiError {
    let code = match &e {
        CaptureError::Io { .. } => ErrorCode::Io,
        _ => ErrorCode::InvalidInput,
    };
    ApiError::new(code, e.to_string())
}

pub(crate) fn pdf_error(e: PdfError) -> ApiError {
    let code = match &e {
        PdfError::Io(_) => ErrorCode::Io,
        PdfError::PdfiumMissing(_) | PdfError::Write(_) | PdfError::Font(_) => ErrorCode::Internal,
        _ => ErrorCode::InvalidInput,
    };
    ApiError::new(code, e.to_string())
}

fn io_error(path: &Path, e: &std::io::Error) -> ApiError {
    ApiError::new(ErrorCode::Io, format!("Lỗi đọc/ghi tệp {}: {e}.", path.display()))
}

/// Writes `out` atomically: `write` fills a temporary file beside it, which is fsynced and renamed over
/// `out` only when everything succeeded. After an error (or a crash) no `out` and no temporary remain
/// (the temporary is deleted on drop).
pub fn write_atomically<T>(
    out: &Path,
    write: impl FnOnce(&mut BufWriter<&mut File>) -> ApiResult<T>,
) -> ApiResult<(T, u64)> {
    let dir = match out.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let mut tmp = tempfile::Builder::new()
        .prefix(".vanthu-")
        .suffix(".part")
        .tempfile_in(&dir)
        .map_err(|e| io_error(&dir, &e))?;
    let value = {
        let mut w = BufWriter::with_capacity(1 << 20, tmp.as_file_mut());
        let value = write(&mut w)?;
        w.flush().map_err(|e| io_error(out, &e))?;
        value
    };
    tmp.as_file().sync_all().map_err(|e| io_error(out, &e))?;
    let size = tmp.as_file().metadata().map_err(|e| io_error(out, &e))?.len();
    tmp.persist(out).map_err(|e| io_error(out, &e.error))?;
    if let Ok(d) = File::open(&dir) {
        let _ = d.sync_all();
    }
    Ok((value, size))
}

fn metadata(title: &str, at: OffsetDateTime, seed: &[u8]) -> Metadata {
    use sha2::{Digest, Sha256};
    let digest = Sha256::digest([seed, title.as_bytes(), at.unix_timestamp().to_be_bytes().as_slice()].concat());
    let mut id = [0u8; 16];
    id.copy_from_slice(&digest[..16]);
    Metadata { title: title.to_owned(), producer: producer(), created: at, document_id: id }
}

fn producer() -> String {
    format!("Vanthu {}", env!("CARGO_PKG_VERSION"))
}

fn read_file(path: &Path) -> ApiResult<Vec<u8>> {
    let meta = std::fs::metadata(path).map_err(|e| io_error(path, &e))?;
    if !meta.is_file() {
        return Err(ApiError::invalid(format!("{} không phải là một tệp.", path.display())));
    }
    if meta.len() > vanthu_store::files::MAX_FILE_BYTES {
        return Err(ApiError::invalid(format!("Tệp {} quá lớn.", path.display())));
    }
    std::fs::read(path).map_err(|e| io_error(path, &e))
}

fn file_name(path: &Path) -> String {
    watch::safe_name(path.file_name().unwrap_or(path.as_os_str()))
}

/// Image files → one standard-compliant PDF at `out`, page after page (one file's pages in memory at a
/// time). JPEG files go in unchanged; other images are compressed once. Needs no register.
pub fn digitise_files(paths: &[PathBuf], out: &Path, at: OffsetDateTime) -> ApiResult<Digitised> {
    if paths.is_empty() {
        return Err(ApiError::invalid("Chưa chọn ảnh nào."));
    }
    let title = out.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
    let ((pages, passthrough), bytes) = write_atomically(out, |w| {
        let mut pdf = Assembler::new(w, metadata(&title, at, b"digitise")).map_err(pdf_error)?;
        let mut passthrough = 0;
        for path in paths {
            let bytes = read_file(path)?;
            // Walked, not decoded, when the JPEG goes in as it is: no blank-page flags are needed here.
            let pages = imaging::pages_for_pdf(&bytes)
                .map_err(|e| ApiError::invalid(format!("{}: {}", file_name(path), capture_error(e).message)))?;
            drop(bytes);
            for page in pages {
                passthrough += u32::from(page.passthrough);
                add_page(&mut pdf, &page.jpeg, page.dpi, 0)?;
            }
        }
        let n = pdf.page_count() as u32;
        pdf.finish().map_err(pdf_error)?;
        Ok((n, passthrough))
    })?;
    Ok(Digitised { path: out.to_path_buf(), pages, passthrough, bytes })
}

fn add_page<W: Write>(pdf: &mut Assembler<W>, jpeg: &[u8], dpi: f32, rotation: u16) -> ApiResult<()> {
    let rotation = Rotation::from_degrees(i32::from(rotation)).unwrap_or_default();
    pdf.add_page(PageSpec { jpeg, dpi: Some(dpi), rotation }).map_err(pdf_error)?;
    Ok(())
}

fn sane_source(s: ScanSource) -> sane::Source {
    match s {
        ScanSource::Flatbed => sane::Source::Flatbed,
        ScanSource::Feeder => sane::Source::Feeder,
        ScanSource::Duplex => sane::Source::Duplex,
    }
}

fn open_scanner(req: &ScanRequest) -> ApiResult<sane::Scanner> {
    if req.resolution < 200 {
        return Err(ApiError::invalid(format!(
            "Độ phân giải {} dpi thấp hơn mức tối thiểu 200 dpi của tiêu chuẩn số hoá.",
            req.resolution
        )));
    }
    let mut scanner = sane::Scanner::open(&req.device).map_err(capture_error)?;
    scanner
        .configure(&sane::ScanSettings { resolution: req.resolution, source: sane_source(req.source) })
        .map_err(capture_error)?;
    for (name, value) in &req.options {
        scanner.set_option(name, value).map_err(capture_error)?;
    }
    Ok(scanner)
}

fn scan_limit(req: &ScanRequest) -> Option<u32> {
    match (req.pages, req.source) {
        (Some(n), _) => Some(n),
        (None, ScanSource::Flatbed) => Some(1),
        (None, _) => None,
    }
}

fn fault_error(fault: &sane::ScanFault, page: u32) -> ApiError {
    ApiError::new(ErrorCode::ScannerFault, format!("{fault} (ở trang {page}).")).with_details(serde_json::json!({
        "page": page,
    }))
}

/// Scans into one standard-compliant PDF at `out` (`vanthu scan`). A device fault is an error and
/// leaves no output file. Needs no register.
pub fn scan_to_pdf(req: &ScanRequest, out: &Path, at: OffsetDateTime) -> ApiResult<Digitised> {
    let mut scanner = open_scanner(req)?;
    let title = out.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
    let (pages, bytes) = write_atomically(out, |w| {
        let mut pdf = Assembler::new(w, metadata(&title, at, req.device.as_bytes())).map_err(pdf_error)?;
        let mut failure = None;
        let end = scanner.scan_batch(scan_limit(req), |_, raw| {
            let page = imaging::encode_raw(&raw)?;
            if let Err(e) = add_page(&mut pdf, &page.jpeg, page.dpi, 0) {
                failure = Some(e);
                return Err(CaptureError::Encode("PDF".into()));
            }
            Ok(())
        });
        if let Some(e) = failure {
            return Err(e);
        }
        if let Some(fault) = &end.fault {
            return Err(fault_error(fault, end.pages + 1));
        }
        if end.pages == 0 {
            return Err(ApiError::new(ErrorCode::ScannerFault, "Máy quét không trả về trang nào (hết giấy?)."));
        }
        pdf.finish().map_err(pdf_error)?;
        Ok(end.pages)
    })?;
    Ok(Digitised { path: out.to_path_buf(), pages, passthrough: 0, bytes })
}

/// The printable separator sheet ("tờ phân tách"): put one between documents in a feeder batch and
/// `split_at_blanks` cuts the batch there. An A4 page at 200 dpi, as a standard-compliant PDF.
pub fn separator_sheet_pdf(out: &Path, at: OffsetDateTime) -> ApiResult<Digitised> {
    let (w, h) = (1654, 2339);
    let sheet = imaging::separator_sheet(w, h);
    let page = imaging::encode_raw(&imaging::RawPage { width: w, height: h, dpi: 200.0, rgb: sheet.into_raw() })
        .map_err(capture_error)?;
    let ((), bytes) = write_atomically(out, |w| {
        let mut pdf = Assembler::new(w, metadata("Tờ phân tách văn bản", at, b"separator")).map_err(pdf_error)?;
        add_page(&mut pdf, &page.jpeg, page.dpi, 0)?;
        pdf.finish().map_err(pdf_error)?;
        Ok(())
    })?;
    Ok(Digitised { path: out.to_path_buf(), pages: 1, passthrough: 0, bytes })
}

/// Checks any PDF against the digitisation standard (`vanthu check-pdf`).
pub fn check_pdf(path: &Path) -> ApiResult<check::Report> {
    let bytes = read_file(path)?;
    check::check(&bytes).map_err(pdf_error)
}

/// The scanners SANE sees.
pub fn scanners() -> ApiResult<Vec<Scanner>> {
    sane::devices().map_err(capture_error)
}

/// A page and its bytes (JPEG, thumbnail) already in the file store.
type StoredPage = (Page, StoredFile, Option<StoredFile>);

/// The queue's row for a stored page.
fn new_page((page, file, thumb): &StoredPage) -> NewPage<'_> {
    NewPage {
        file,
        thumb: thumb.as_ref(),
        width: page.width,
        height: page.height,
        dpi: page.dpi,
        ink: page.analysis.ink,
        blank: page.analysis.blank,
        separator: page.analysis.separator,
        passthrough: page.passthrough,
    }
}

/// What a PDF file must not be to enter the queue: encrypted, carrying JavaScript, unreadable.
fn refuse_pdf(bytes: &[u8]) -> Result<(), String> {
    match check::check(bytes) {
        Err(e) => Err(e.to_string()),
        Ok(r) if r.encrypted => Err(PdfError::Encrypted.to_string()),
        Ok(r) if r.javascript => Err("Tệp PDF chứa JavaScript: không nhận vì lý do an toàn.".into()),
        Ok(r) if r.pages.is_empty() => Err("Tệp PDF không có trang nào.".into()),
        Ok(_) => Ok(()),
    }
}

impl Desk {
    fn put_page(&self, page: &Page) -> ApiResult<(StoredFile, Option<StoredFile>)> {
        let file = self.store.files().put_bytes(&page.jpeg)?;
        let thumb = match imaging::thumbnail_jpeg(&page.jpeg, THUMBNAIL_WIDTH) {
            Ok(t) => Some(self.store.files().put_bytes(&t)?),
            Err(_) => None,
        };
        Ok((file, thumb))
    }

    /// Takes one file's bytes into the queue as a new draft: images become pages, a PDF is kept whole.
    /// The same bytes taken before are refused with the date they came. Returns the draft.
    fn take_bytes(&self, name: &str, bytes: &[u8], source: CaptureSource, actor: &str) -> ApiResult<i64> {
        let hash = sha256_hex(bytes);
        if let Some(before) = self.store.read(|c| capture::taken_before(c, &hash))? {
            return Err(ApiError::new(
                ErrorCode::Duplicate,
                format!(
                    "Tệp {name} đã được nhập lúc {} (tên lúc đó: {}).",
                    crate::reports::vn_time(&before.taken_at),
                    before.name
                ),
            ));
        }
        let at = self.now();
        match imaging::sniff(bytes) {
            Some(imaging::FileKind::Pdf) => {
                refuse_pdf(bytes).map_err(|m| ApiError::invalid(format!("{name}: {m}")))?;
                let file = self.store.files().put_bytes(bytes)?;
                Ok(self.store.write(|tx| {
                    let d = capture::create_draft(tx, source, name, Some(&file), at, actor)?;
                    capture::record_source(tx, &hash, name, source, Some(d), at)?;
                    Ok(d)
                })?)
            }
            _ => {
                let pages = imaging::pages_from_file(bytes)
                    .map_err(|e| ApiError::invalid(format!("{name}: {}", capture_error(e).message)))?;
                let mut stored = Vec::with_capacity(pages.len());
                for page in pages {
                    let (file, thumb) = self.put_page(&page)?;
                    stored.push((page, file, thumb));
                }
                // The draft, its pages and the file's hash commit together: a crash never leaves a
                // file "taken" with an empty draft.
                Ok(self.store.write(|tx| {
                    let d = capture::create_draft(tx, source, name, None, at, actor)?;
                    capture::record_source(tx, &hash, name, source, Some(d), at)?;
                    capture::add_pages(tx, d, &stored.iter().map(new_page).collect::<Vec<_>>(), at)?;
                    Ok(d)
                })?)
            }
        }
    }

    /// Takes picked or dropped files into the review queue, one draft per file. A file that cannot be
    /// taken (unreadable, too large, encrypted, already taken…) is reported and the others go on.
    pub fn capture_files(&self, paths: &[PathBuf]) -> ApiResult<ImportOutcome> {
        let actor = self.authorise(Permission::Register)?;
        let mut outcome = ImportOutcome::default();
        for path in paths {
            let name = file_name(path);
            let taken = read_file(path).and_then(|b| self.take_bytes(&name, &b, CaptureSource::File, &actor.name));
            match taken {
                Ok(d) => outcome.drafts.push(d),
                Err(e) => outcome.problems.push(FileProblem { name, message: e.message }),
            }
        }
        Ok(outcome)
    }

    /// What the watched folder does with a file that has settled: into the queue, or into quarantine
    /// with the reason, or recognised as taken before.
    pub fn capture_arrival(&self, arrival: &watch::Arrival) -> watch::Disposition {
        let actor = match self.authorise_passive(Permission::Register) {
            Ok(a) => a.name,
            // Nobody signed in (or a role that may not register): the folder is the office's, its
            // files are recorded under the system's name and wait in the queue for a clerk.
            Err(_) => "thư mục quét".to_owned(),
        };
        let bytes = match std::fs::read(&arrival.path) {
            Ok(b) => b,
            Err(e) => return watch::Disposition::Quarantine(format!("Không đọc được tệp: {e}")),
        };
        match self.take_bytes(&arrival.name, &bytes, CaptureSource::Folder, &actor) {
            Ok(_) => watch::Disposition::Taken,
            Err(e) if e.code == ErrorCode::Duplicate => watch::Disposition::Duplicate(e.message),
            Err(e) if matches!(e.code, ErrorCode::InvalidInput) => watch::Disposition::Quarantine(e.message),
            Err(e) => watch::Disposition::Quarantine(format!("Không nhập được: {}", e.message)),
        }
    }

    /// One pass over a watched folder (`vanthu watch DIR --once`): every settled file is taken in or
    /// quarantined. The desktop runs the same handler continuously on a [`watch::FolderWatch`].
    pub fn watch_once(&self, dir: &Path, settle: std::time::Duration) -> ApiResult<Vec<FolderEvent>> {
        self.authorise(Permission::Register)?;
        let mut config = watch::WatchConfig::new(dir.to_path_buf());
        config.settle = settle;
        let events = watch::scan_once(&config, |a| self.capture_arrival(a)).map_err(capture_error)?;
        Ok(events.iter().map(FolderEvent::from).collect())
    }

    /// Scans into a new draft of the queue, page by page. `progress` hears each page as it is kept. A
    /// device fault stops the scan and is returned with the pages kept so far; scanning again adds to
    /// the same draft when `into` names it.
    pub fn capture_scan(
        &self,
        req: &ScanRequest,
        into: Option<i64>,
        mut progress: impl FnMut(u32),
    ) -> ApiResult<ScanOutcome> {
        let actor = self.authorise(Permission::Register)?;
        let mut scanner = open_scanner(req)?;
        let mut draft = into;
        let mut kept = 0u32;
        let mut failure: Option<ApiError> = None;
        let end = scanner.scan_batch(scan_limit(req), |_, raw| {
            let step = (|| -> ApiResult<()> {
                let page = imaging::encode_raw(&raw).map_err(capture_error)?;
                let (file, thumb) = self.put_page(&page)?;
                let stored = (page, file, thumb);
                let at = self.now();
                // Each page commits on its own (a jam later keeps it); the first one with its draft.
                draft = Some(self.store.write(|tx| {
                    let d = match draft {
                        Some(d) => d,
                        None => capture::create_draft(tx, CaptureSource::Scanner, &req.device, None, at, &actor.name)?,
                    };
                    capture::add_page(tx, d, &new_page(&stored), at)?;
                    Ok(d)
                })?);
                Ok(())
            })();
            match step {
                Ok(()) => {
                    kept += 1;
                    progress(kept);
                    Ok(())
                }
                Err(e) => {
                    failure = Some(e);
                    Err(CaptureError::Encode("dừng".into()))
                }
            }
        });
        if let Some(e) = failure {
            return Err(e);
        }
        Ok(ScanOutcome {
            draft_id: draft,
            pages: kept,
            fault: end.fault.map(|f| format!("{f} (ở trang {}). Đã giữ {kept} trang đã quét.", kept + 1)),
        })
    }

    /// The open drafts of the review queue.
    pub fn drafts(&self) -> ApiResult<Vec<Draft>> {
        self.authorise_passive(Permission::Register)?;
        Ok(self.store.read(capture::open_drafts)?)
    }

    /// A draft's pages in order.
    pub fn draft_pages(&self, draft_id: i64) -> ApiResult<Vec<DraftPage>> {
        self.authorise_passive(Permission::Register)?;
        Ok(self.store.read(|c| capture::pages(c, draft_id))?)
    }

    /// Turns a page by quarter turns (positive: clockwise).
    pub fn rotate_page(&self, page_id: i64, quarter_turns: i32) -> ApiResult<u16> {
        self.authorise(Permission::Register)?;
        Ok(self.store.write(|tx| capture::rotate_page(tx, page_id, quarter_turns))?)
    }

    /// Removes a page from its draft.
    pub fn delete_page(&self, page_id: i64) -> ApiResult<()> {
        self.authorise(Permission::Register)?;
        Ok(self.store.write(|tx| capture::delete_page(tx, page_id))?)
    }

    /// Moves a page to a 1-based position in its draft.
    pub fn move_page(&self, page_id: i64, to_position: u32) -> ApiResult<()> {
        self.authorise(Permission::Register)?;
        Ok(self.store.write(|tx| capture::move_page(tx, page_id, to_position))?)
    }

    /// Splits a draft before a page; returns the new draft.
    pub fn split_before(&self, page_id: i64) -> ApiResult<i64> {
        let actor = self.authorise(Permission::Register)?;
        let at = self.now();
        Ok(self.store.write(|tx| capture::split_before(tx, page_id, at, &actor.name))?)
    }

    /// Splits a feeder batch at its blank and separator sheets (which are removed); returns the drafts.
    pub fn split_at_blanks(&self, draft_id: i64) -> ApiResult<Vec<i64>> {
        let actor = self.authorise(Permission::Register)?;
        let at = self.now();
        Ok(self.store.write(|tx| capture::split_at_blanks(tx, draft_id, at, &actor.name))?)
    }

    /// Removes the pages flagged blank or separator; returns how many.
    pub fn remove_blank_pages(&self, draft_id: i64) -> ApiResult<u32> {
        self.authorise(Permission::Register)?;
        Ok(self.store.write(|tx| capture::remove_blank_pages(tx, draft_id))?)
    }

    /// Appends draft `from` to draft `into`.
    pub fn join_drafts(&self, into: i64, from: i64) -> ApiResult<()> {
        self.authorise(Permission::Register)?;
        let at = self.now();
        Ok(self.store.write(|tx| capture::join_drafts(tx, into, from, at))?)
    }

    /// Discards a draft.
    pub fn discard_draft(&self, draft_id: i64) -> ApiResult<()> {
        self.authorise(Permission::Register)?;
        let at = self.now();
        Ok(self.store.write(|tx| capture::discard_draft(tx, draft_id, at))?)
    }

    /// The bytes of a page (its JPEG, or its thumbnail), for the review screen.
    pub fn page_image(&self, page_id: i64, thumbnail: bool) -> ApiResult<Vec<u8>> {
        self.authorise_passive(Permission::Register)?;
        let (full, thumb) = self.store.read(|c| capture::page_files(c, page_id))?;
        let path = self.store.files().path_of(&if thumbnail { thumb.unwrap_or(full) } else { full });
        std::fs::read(&path).map_err(|e| io_error(&path, &e))
    }

    /// The bytes of [`Desk::draft_pdf`], for the preview beside the incoming form.
    pub fn draft_pdf_bytes(&self, draft_id: i64) -> ApiResult<Vec<u8>> {
        let path = self.store.files().path_of(&self.draft_pdf(draft_id)?.sha256);
        std::fs::read(&path).map_err(|e| io_error(&path, &e))
    }

    /// The draft as the PDF it will be registered with: assembled from its pages (or its PDF as it came)
    /// and kept in the file store, so the preview and the registration are the same bytes.
    pub fn draft_pdf(&self, draft_id: i64) -> ApiResult<StoredFile> {
        self.authorise_passive(Permission::Register)?;
        let (draft, pages) = self.store.read(|c| Ok((capture::draft(c, draft_id)?, capture::pages(c, draft_id)?)))?;
        if let Some(pdf) = &draft.pdf_sha256 {
            let size = std::fs::metadata(self.store.files().path_of(pdf)).map(|m| m.len()).unwrap_or(0);
            return Ok(StoredFile { sha256: pdf.clone(), size });
        }
        if pages.is_empty() {
            return Err(ApiError::invalid("Bản nháp không còn trang nào."));
        }
        let dir = self.store.files().root().join("tmp");
        std::fs::create_dir_all(&dir).map_err(|e| io_error(&dir, &e))?;
        let mut tmp = tempfile::NamedTempFile::new_in(&dir).map_err(|e| io_error(&dir, &e))?;
        {
            let mut w = BufWriter::new(tmp.as_file_mut());
            // The draft's identity, not the clock, fixes the PDF's id and dates: the same draft gives
            // the same bytes, so assembling it again stores nothing new.
            let created =
                time::OffsetDateTime::parse(&draft.created_at, &time::format_description::well_known::Rfc3339)
                    .unwrap_or(time::OffsetDateTime::UNIX_EPOCH);
            let seed = pages.iter().map(|p| format!("{}:{}", p.sha256, p.rotation)).collect::<Vec<_>>().join(",");
            let mut pdf =
                Assembler::new(&mut w, metadata(&draft.label, created, seed.as_bytes())).map_err(pdf_error)?;
            for p in &pages {
                let jpeg = std::fs::read(self.store.files().path_of(&p.sha256))
                    .map_err(|e| io_error(&self.store.files().path_of(&p.sha256), &e))?;
                add_page(&mut pdf, &jpeg, p.dpi, p.rotation)?;
            }
            pdf.finish().map_err(pdf_error)?;
            w.flush().map_err(|e| io_error(&dir, &e))?;
        }
        Ok(self.store.files().put_file(tmp.path())?)
    }

    /// The current archive copy of a document, if any.
    pub fn archive_copy(&self, id: &str) -> ApiResult<Option<ArchiveCopy>> {
        self.authorise(Permission::ReadRegister)?;
        Ok(self.store.read(|c| capture::archive_copy(c, id.trim()))?)
    }

    fn stamp_input(&self, id: &str) -> ApiResult<(register::RegisterRow, String, ArrivalStamp)> {
        let org =
            self.organisation()?.ok_or_else(|| ApiError::new(ErrorCode::NotInitialised, "Sổ chưa được khởi tạo."))?;
        let (row, files, cases) = self.store.read(|c| {
            let row = register::get(c, id)?.ok_or_else(|| vanthu_store::StoreError::NotFound(id.to_owned()))?;
            Ok((row, register::files_of(c, id)?, vanthu_store::casefiles::of_document(c, id)?))
        })?;
        if row.direction != vanthu_core::document::Direction::Incoming {
            return Err(ApiError::invalid("Dấu đến chỉ đóng trên văn bản đến."));
        }
        let main = files
            .iter()
            .find(|f| f.role == "main" && f.media_type == "application/pdf")
            .ok_or_else(|| ApiError::invalid("Văn bản chưa có tệp PDF để đóng dấu đến."))?;
        let (date, time) = arrival_date_time(&row.registered_at);
        let stamp = ArrivalStamp {
            // App. IV sets the agency's name in capitals, as on every form header.
            agency: org.name.to_uppercase(),
            number: row.number.to_string(),
            date,
            time: Some(time),
            forwarded_to: row.lead.clone().unwrap_or_default(),
            case_file: cases.first().map(|c| c.notation.clone()).unwrap_or_default(),
        };
        Ok((row, main.sha256.clone(), stamp))
    }

    fn placement_for(&self, original: &[u8], at: Option<Placement>) -> ApiResult<((f32, f32), Placement)> {
        let size = vanthu_pdf::stamp::page_one_size_mm(original).map_err(pdf_error)?;
        // Without a place chosen, the blankest 50 × 35 mm area near the usual place (so the stamp does
        // not cover text); the usual place itself when the page cannot be rendered.
        let placement = at.unwrap_or_else(|| {
            vanthu_pdf::render::Renderer::global()
                .and_then(|r| vanthu_pdf::stamp::suggest_placement(r, original))
                .unwrap_or_else(|_| vanthu_pdf::stamp::default_placement(size.0, size.1))
        });
        let max_x = (size.0 - vanthu_pdf::stamp::STAMP_WIDTH_MM).max(0.0);
        let max_y = (size.1 - vanthu_pdf::stamp::STAMP_HEIGHT_MM).max(0.0);
        if !(0.0..=max_x).contains(&placement.x_mm) || !(0.0..=max_y).contains(&placement.y_mm) {
            return Err(ApiError::invalid(format!("Dấu đến phải nằm trong trang ({:.0} × {:.0} mm).", size.0, size.1)));
        }
        Ok((size, placement))
    }

    /// Draws the arrival stamp (ĐẾN, Số, Ngày, Chuyển, Số và ký hiệu HS) on page 1 of a copy of the
    /// document's PDF, as an incremental update: the original is untouched; the copy is stored and
    /// becomes the document's archive copy. Moving the stamp makes a new copy from the original.
    pub fn stamp_archive_copy(&self, id: &str, at: Option<Placement>) -> ApiResult<ArchiveCopy> {
        let actor = self.authorise(Permission::Register)?;
        let id = id.trim();
        let (_, source, stamp) = self.stamp_input(id)?;
        let original = std::fs::read(self.store.files().path_of(&source))
            .map_err(|e| io_error(&self.store.files().path_of(&source), &e))?;
        let (_, placement) = self.placement_for(&original, at)?;
        let stamped = vanthu_pdf::stamp::stamp_arrival(&original, &stamp, placement).map_err(pdf_error)?;
        debug_assert!(stamped.starts_with(&original));
        let file = self.store.files().put_bytes(&stamped)?;
        let now = self.now();
        Ok(self.store.write(|tx| {
            capture::record_archive_copy(tx, id, &source, &file, placement.x_mm, placement.y_mm, now, &actor.name)
        })?)
    }

    /// Page 1's size and where the stamp goes, so the clerk can move it off the text first.
    pub fn stamp_layout(&self, id: &str) -> ApiResult<StampLayout> {
        self.authorise_passive(Permission::Register)?;
        let id = id.trim();
        let (_, source, _) = self.stamp_input(id)?;
        let current = self.store.read(|c| capture::archive_copy(c, id))?;
        let original = std::fs::read(self.store.files().path_of(&source))
            .map_err(|e| io_error(&self.store.files().path_of(&source), &e))?;
        let at = current.as_ref().map(|c| Placement { x_mm: c.x_mm, y_mm: c.y_mm });
        let (page_mm, placement) = self.placement_for(&original, at)?;
        Ok(StampLayout {
            source_sha256: source,
            page_mm,
            stamp_mm: (vanthu_pdf::stamp::STAMP_WIDTH_MM, vanthu_pdf::stamp::STAMP_HEIGHT_MM),
            placement,
            current,
        })
    }

    /// A page of a stored PDF as a PNG `width_px` wide, rendered by pdfium: thumbnails of PDF drafts,
    /// the page under the stamp, the stamped copy. Slow (≈ 100 ms a page): call it off the UI thread.
    pub fn render_stored(&self, sha256: &str, page: u32, width_px: u32) -> ApiResult<Vec<u8>> {
        self.authorise_passive(Permission::ReadRegister)?;
        let sha = sha256.trim().to_ascii_lowercase();
        if sha.len() != 64 || !sha.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(ApiError::invalid("Mã tệp không hợp lệ."));
        }
        let path = self.store.files().path_of(&sha);
        let bytes = std::fs::read(&path).map_err(|e| io_error(&path, &e))?;
        let renderer = vanthu_pdf::render::Renderer::global().map_err(pdf_error)?;
        renderer.render_png(&bytes, page.max(1), width_px.clamp(64, 2400)).map_err(pdf_error)
    }

    /// The scan folder the desktop watches.
    pub fn scan_folder(&self) -> ApiResult<ScanFolder> {
        self.authorise_passive(Permission::Register)?;
        match self.store.read(|c| vanthu_store::accounts::setting(c, SCAN_FOLDER))? {
            Some(v) => Ok(serde_json::from_value(v).unwrap_or_default()),
            None => Ok(ScanFolder::default()),
        }
    }

    /// Sets (or clears) the scan folder; clerks set it for their desk.
    pub fn set_scan_folder(&self, folder: &ScanFolder) -> ApiResult<()> {
        let actor = self.authorise(Permission::Register)?;
        if let Some(dir) = &folder.dir {
            if !dir.is_absolute() {
                return Err(ApiError::invalid("Thư mục quét phải là đường dẫn đầy đủ."));
            }
            if !dir.is_dir() {
                return Err(ApiError::invalid(format!("Không có thư mục {}.", dir.display())));
            }
        }
        let value = serde_json::to_value(folder).map_err(|e| ApiError::new(ErrorCode::Internal, e.to_string()))?;
        let now = self.now();
        Ok(self.store.write(|tx| vanthu_store::accounts::put_setting(tx, SCAN_FOLDER, &value, now, &actor.name))?)
    }

    /// The separator sheet as a new PDF in the exports folder, to open and print.
    pub fn separator_sheet(&self) -> ApiResult<PathBuf> {
        self.authorise_passive(Permission::Register)?;
        let dir = self.exports_dir();
        std::fs::create_dir_all(&dir).map_err(|e| io_error(&dir, &e))?;
        let path = dir.join("to-phan-tach.pdf");
        Ok(separator_sheet_pdf(&path, self.now())?.path)
    }

    /// The printers CUPS knows, the default first.
    pub fn printers(&self) -> ApiResult<Vec<Printer>> {
        self.authorise_passive(Permission::Print)?;
        crate::printing::printers()
    }

    /// Prints a document's archive copy (or its original) through CUPS. What is sent is a copy marked
    /// "In từ hệ thống Vanthu bởi …, lúc …" on every page (an incremental update of the stored bytes),
    /// kept in the exports folder; the print is in the audit log.
    pub fn print_document(&self, id: &str, what: PrintWhat, printer: Option<&str>) -> ApiResult<PrintJob> {
        let actor = self.authorise(Permission::Print)?;
        let id = id.trim();
        let (row, files, copy) = self.store.read(|c| {
            let row = register::get(c, id)?.ok_or_else(|| vanthu_store::StoreError::NotFound(id.to_owned()))?;
            Ok((row, register::files_of(c, id)?, capture::archive_copy(c, id)?))
        })?;
        self.require_readable(&actor, &row)?;
        let sha = match (what, copy) {
            (PrintWhat::ArchiveCopy, Some(copy)) => copy.sha256,
            _ => files
                .iter()
                .find(|f| f.role == "main" && f.media_type == "application/pdf")
                .map(|f| f.sha256.clone())
                .ok_or_else(|| ApiError::invalid("Văn bản không có tệp PDF để in."))?,
        };
        let bytes = std::fs::read(self.store.files().path_of(&sha))
            .map_err(|e| io_error(&self.store.files().path_of(&sha), &e))?;
        let mark = self.print_mark(&actor);
        let marked = vanthu_pdf::stamp::mark_pages(&bytes, &mark).map_err(pdf_error)?;
        let register = if row.direction == vanthu_core::document::Direction::Incoming { "den" } else { "di" };
        let title = format!("vanthu-{register}-{}-{}", row.year, row.number);
        let file = self.write_print_copy(&title, &marked)?;
        let printer = match printer {
            Some(p) => p.to_owned(),
            None => crate::printing::default_printer()?,
        };
        let job = crate::printing::print(&printer, &title, &file)?;
        let at = self.now();
        self.store.write(|tx| {
            vanthu_store::audit::append(
                tx,
                &vanthu_store::audit::NewAuditEntry {
                    at: &crate::rfc3339(at),
                    actor: &actor.name,
                    action: "document.print",
                    entity: "document",
                    entity_id: id,
                    old: None,
                    new: Some(serde_json::json!({ "printer": printer, "job": job, "sha256": sha })),
                },
            )?;
            Ok(())
        })?;
        Ok(PrintJob { printer, job, file })
    }
}

pub(crate) fn sha256_hex(bytes: &[u8]) -> String {
    // Hashing a slice cannot fail; the store's hasher names files, so it names them here too.
    vanthu_store::files::hash_reader(&mut &bytes[..]).map(|(hex, _)| hex).unwrap_or_default()
}

/// "2026-11-22T09:15:00+07:00" → ("22/11/2026", "09:15").
fn arrival_date_time(rfc: &str) -> (String, String) {
    let date = rfc.get(..10).unwrap_or_default();
    let time = rfc.get(11..16).unwrap_or_default().to_owned();
    let parts: Vec<&str> = date.split('-').collect();
    match parts.as_slice() {
        [y, m, d] => (format!("{d}/{m}/{y}"), time),
        _ => (date.to_owned(), time),
    }
}
