//! Printouts and exports: the register books of Decree 30 App. IV (incoming, outgoing, handling) with
//! their cover, the "Phiếu giải quyết văn bản đến", case files (PDF with the documents, XML) and search
//! results (PDF, XLSX). Each carries the system's mark: who printed it and when.
//!
//! This module gathers the data (through the store) and hands plain structs to `vanthu-report`, which
//! renders bytes; the file is then written atomically into [`Desk::exports_dir`] under a new name, so
//! a printout never overwrites another and a failure leaves no half-written file behind.

use std::io::Write;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use time::Date;
use vanthu_core::access::Permission;
use vanthu_core::document::Direction;
use vanthu_core::handling::HandlingStatus;
use vanthu_report as report;
use vanthu_store::handling;
use vanthu_store::query::{self, Filter};
use vanthu_store::register::{self, RegisterRow};

use crate::{ApiError, ApiResult, Desk, ErrorCode};

/// Which register book.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Book {
    /// Sổ đăng ký văn bản đến.
    Incoming,
    /// Sổ đăng ký văn bản đi.
    Outgoing,
    /// Sổ đăng ký theo dõi giải quyết văn bản đến.
    Handling,
}

/// A register book to print: one book covers dates of one year.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RegisterPrint {
    /// Which book.
    pub book: Book,
    /// First date (arrival or issue), inclusive.
    pub from: Date,
    /// Last date, inclusive.
    pub to: Date,
    /// Quyển số (default 1).
    pub volume: Option<u32>,
}

/// A file format.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ExportFormat {
    /// PDF.
    Pdf,
    /// Excel workbook.
    Xlsx,
    /// XML.
    Xml,
}

impl ExportFormat {
    fn extension(self) -> &'static str {
        match self {
            ExportFormat::Pdf => "pdf",
            ExportFormat::Xlsx => "xlsx",
            ExportFormat::Xml => "xml",
        }
    }

    fn media_type(self) -> &'static str {
        match self {
            ExportFormat::Pdf => "application/pdf",
            ExportFormat::Xlsx => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            ExportFormat::Xml => "application/xml",
        }
    }
}

/// A file written by a printout or an export.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Exported {
    /// Where it is.
    pub path: PathBuf,
    /// Its media type.
    pub media_type: String,
    /// How many rows (documents) it holds.
    pub rows: u64,
}

/// The columns a result list can show and export: (id, Vietnamese header).
pub const RESULT_COLUMNS: &[(&str, &str)] = &[
    ("register", "Sổ"),
    ("number", "Số đến/Số đi"),
    ("register_date", "Ngày đến/Ngày ban hành"),
    ("code", "Số, ký hiệu"),
    ("document_date", "Ngày văn bản"),
    ("organ_name", "Cơ quan ban hành"),
    ("type_name", "Tên loại"),
    ("subject", "Trích yếu"),
    ("signer", "Người ký"),
    ("recipients", "Nơi nhận"),
    ("lead", "Người/đơn vị chủ trì"),
    ("deadline", "Hạn giải quyết"),
    ("status", "Tình trạng"),
    ("urgency", "Độ khẩn"),
    ("secrecy", "Độ mật"),
    ("note", "Ghi chú"),
];

/// The most rows one export holds.
const MAX_EXPORT_ROWS: u32 = 100_000;

/// `yyyy-mm-dd…` → `dd/mm/yyyy`; anything else as it is.
fn vn_date(iso: &str) -> String {
    match (iso.get(0..4), iso.get(5..7), iso.get(8..10)) {
        (Some(y), Some(m), Some(d)) if iso.as_bytes().get(4) == Some(&b'-') => format!("{d}/{m}/{y}"),
        _ => iso.to_owned(),
    }
}

/// RFC 3339 → `dd/mm/yyyy HH:MM`.
pub(crate) fn vn_time(rfc: &str) -> String {
    match rfc.get(11..16) {
        Some(hm) => format!("{} {hm}", vn_date(rfc)),
        None => vn_date(rfc),
    }
}

fn date_vn(d: Date) -> String {
    format!("{:02}/{:02}/{:04}", d.day(), u8::from(d.month()), d.year())
}

fn status_text(row: &RegisterRow) -> String {
    if row.cancelled {
        return format!("Đã hủy: {}", row.cancel_reason.as_deref().unwrap_or(""));
    }
    if row.recalled {
        return format!("Đã thu hồi: {}", row.recall_reason.as_deref().unwrap_or(""));
    }
    match row.handling_status {
        Some(s) => s.label().to_owned(),
        None if row.direction == Direction::Incoming => "Chưa phân công".to_owned(),
        None => "Đã ban hành".to_owned(),
    }
}

fn note_text(row: &RegisterRow) -> String {
    let mut parts: Vec<String> = Vec::new();
    if let Some(u) = row.urgency {
        parts.push(u.label().to_owned());
    }
    if let Some(s) = row.secrecy {
        parts.push(s.label().to_owned());
    }
    if row.cancelled || row.recalled {
        parts.push(status_text(row));
    }
    if let Some(n) = &row.note {
        parts.push(n.clone());
    }
    parts.join(". ")
}

fn type_and_subject(row: &RegisterRow) -> String {
    format!("{}: {}", row.type_name, row.subject)
}

fn io_error(path: &Path, e: &std::io::Error) -> ApiError {
    ApiError::new(ErrorCode::Io, format!("Không ghi được tệp {}: {e}.", path.display()))
}

fn render_error(e: &report::ReportError) -> ApiError {
    ApiError::new(ErrorCode::Internal, format!("Không tạo được bản in: {e}."))
}

impl Desk {
    /// Where printouts and exports are written: `exports/` beside the register.
    pub fn exports_dir(&self) -> PathBuf {
        self.db_path().parent().map(|p| p.join("exports")).unwrap_or_else(|| PathBuf::from("exports"))
    }

    fn mark(&self, actor: &crate::Actor) -> report::Mark {
        let by =
            actor.account.as_ref().map(|a| format!("{} ({})", a.full_name, a.username)).unwrap_or(actor.name.clone());
        report::Mark { by, at: vn_time(&crate::rfc3339(self.now())) }
    }

    /// The mark printed on every page of a printed document: "In từ hệ thống Vanthu bởi …, lúc …".
    pub(crate) fn print_mark(&self, actor: &crate::Actor) -> String {
        self.mark(actor).printed()
    }

    /// Keeps the marked copy that is sent to the printer in the exports folder.
    pub(crate) fn write_print_copy(&self, stem: &str, bytes: &[u8]) -> ApiResult<PathBuf> {
        Ok(self.write_export(stem, ExportFormat::Pdf, bytes, 0)?.path)
    }

    /// Writes `bytes` as a new file `stem-<time>.ext` in the exports folder, atomically.
    fn write_export(&self, stem: &str, format: ExportFormat, bytes: &[u8], rows: u64) -> ApiResult<Exported> {
        let dir = self.exports_dir();
        std::fs::create_dir_all(&dir).map_err(|e| io_error(&dir, &e))?;
        let stamp = crate::file_stamp(self.now());
        let mut path = dir.join(format!("{stem}-{stamp}.{}", format.extension()));
        let mut n = 2;
        while path.exists() {
            path = dir.join(format!("{stem}-{stamp}-{n}.{}", format.extension()));
            n += 1;
        }
        let mut tmp = tempfile::NamedTempFile::new_in(&dir).map_err(|e| io_error(&dir, &e))?;
        tmp.write_all(bytes).map_err(|e| io_error(&path, &e))?;
        tmp.as_file().sync_all().map_err(|e| io_error(&path, &e))?;
        tmp.persist_noclobber(&path).map_err(|e| io_error(&path, &e.error))?;
        Ok(Exported { path, media_type: format.media_type().to_owned(), rows })
    }

    /// Prints a register book (App. IV form with its cover) for a date range within one year, as PDF.
    pub fn print_register(&self, q: &RegisterPrint) -> ApiResult<Exported> {
        let actor = self.authorise(Permission::Print)?;
        if q.to < q.from {
            return Err(ApiError::invalid("\"Đến ngày\" phải sau \"từ ngày\"."));
        }
        if q.to.year() != q.from.year() {
            return Err(ApiError::invalid(
                "Mỗi quyển sổ chỉ ghi trong một năm: hãy chọn khoảng ngày trong cùng một năm.",
            ));
        }
        let direction = if q.book == Book::Outgoing { Direction::Outgoing } else { Direction::Incoming };
        let org = self.organisation()?.ok_or_else(|| ApiError::from(vanthu_store::StoreError::NotInitialised))?;
        let mut rows = self.store.read(|c| register::range(c, direction, q.from, q.to))?;
        self.hide_unreadable(&actor, rows.iter_mut())?;
        let (from_number, to_number) = match (rows.first(), rows.last()) {
            (Some(a), Some(b)) => (a.number_text.clone(), b.number_text.clone()),
            _ => (String::new(), String::new()),
        };
        let book_rows = match q.book {
            Book::Incoming => report::BookRows::Incoming(
                rows.iter()
                    .map(|r| report::IncomingEntry {
                        arrival_date: r.arrival_date.as_deref().map(vn_date).unwrap_or_default(),
                        arrival_number: r.number_text.clone(),
                        author: r.organ_name.clone(),
                        code: r.code.clone(),
                        document_date: r.document_date.as_deref().map(vn_date).unwrap_or_default(),
                        type_and_subject: type_and_subject(r),
                        recipient: r.lead.clone().or(r.handler.clone()).unwrap_or_default(),
                        transfer_date: r.assigned_at.as_deref().map(vn_date).unwrap_or_default(),
                        note: note_text(r),
                    })
                    .collect(),
            ),
            Book::Outgoing => report::BookRows::Outgoing(
                rows.iter()
                    .map(|r| report::OutgoingEntry {
                        code: r.code.clone(),
                        document_date: r.document_date.as_deref().map(vn_date).unwrap_or_default(),
                        type_and_subject: type_and_subject(r),
                        signer: r.signer.clone().unwrap_or_default(),
                        recipients: r.recipients.join("; "),
                        archive_holder: r.archive_holder.clone().unwrap_or_default(),
                        copies: r.copies.map(|c| c.to_string()).unwrap_or_default(),
                        transfer_date: String::new(),
                        note: note_text(r),
                    })
                    .collect(),
            ),
            Book::Handling => {
                let mut entries = Vec::with_capacity(rows.len());
                for r in &rows {
                    let h = self.store.read(|c| handling::handling(c, &r.id))?;
                    let progress = h
                        .as_ref()
                        .map(|h| {
                            let last = h.progress.last().and_then(|p| p.note.clone()).unwrap_or_default();
                            let done = h.done_at.as_deref().map(|d| format!(" ({})", vn_date(d))).unwrap_or_default();
                            format!("{}{done}. {last}", h.status.label()).trim_end_matches(". ").to_owned()
                        })
                        .unwrap_or_else(|| status_text(r));
                    entries.push(report::HandlingEntry {
                        arrival_number: r.number_text.clone(),
                        arrival_date: r.arrival_date.as_deref().map(vn_date).unwrap_or_default(),
                        document: format!("{} — {}", r.code, type_and_subject(r)).trim_start_matches(" — ").to_owned(),
                        handler: h
                            .as_ref()
                            .map(|h| {
                                h.handlers
                                    .iter()
                                    .map(|x| if x.lead { format!("{} (chủ trì)", x.name) } else { x.name.clone() })
                                    .collect::<Vec<_>>()
                                    .join("; ")
                            })
                            .unwrap_or_default(),
                        deadline: r.handling_deadline.as_deref().map(vn_date).unwrap_or_default(),
                        progress,
                        reply_code: h
                            .as_ref()
                            .map(|h| h.replies.iter().map(|x| x.code.clone()).collect::<Vec<_>>().join("; "))
                            .unwrap_or_default(),
                        note: note_text(r),
                    });
                }
                report::BookRows::Handling(entries)
            }
        };
        let book = report::RegisterBook {
            cover: report::Cover {
                organisation: org.name.to_uppercase(),
                parent_organisation: None,
                kind: match q.book {
                    Book::Incoming => report::BookKind::Incoming,
                    Book::Outgoing => report::BookKind::Outgoing,
                    Book::Handling => report::BookKind::Handling,
                },
                year: q.from.year(),
                from_date: date_vn(q.from),
                to_date: date_vn(q.to),
                from_number,
                to_number,
                volume: q.volume.unwrap_or(1).max(1),
            },
            rows: book_rows,
            mark: self.mark(&actor),
        };
        let bytes = report::register_book_pdf(&book).map_err(|e| render_error(&e))?;
        let stem = match q.book {
            Book::Incoming => "so-van-ban-den",
            Book::Outgoing => "so-van-ban-di",
            Book::Handling => "so-theo-doi-giai-quyet",
        };
        self.write_export(&format!("{stem}-{}", q.from.year()), ExportFormat::Pdf, &bytes, rows.len() as u64)
    }

    /// Prints the "Phiếu giải quyết văn bản đến" of an incoming document.
    pub fn print_handling_slip(&self, id: &str) -> ApiResult<Exported> {
        let actor = self.authorise(Permission::Print)?;
        let id = id.trim();
        let org = self.organisation()?.ok_or_else(|| ApiError::from(vanthu_store::StoreError::NotInitialised))?;
        let (row, h) = self.store.read(|c| {
            let row = register::get(c, id)?.ok_or_else(|| vanthu_store::StoreError::NotFound(id.to_owned()))?;
            Ok((row, handling::handling(c, id)?))
        })?;
        if row.direction != Direction::Incoming {
            return Err(ApiError::invalid("Phiếu giải quyết chỉ dành cho văn bản đến."));
        }
        self.require_readable(&actor, &row)?;
        let slip = report::HandlingSlip {
            organisation: org.name.to_uppercase(),
            parent_organisation: None,
            arrival_number: row.number_text.clone(),
            arrival_date: row.arrival_date.as_deref().map(vn_date).unwrap_or_default(),
            author: row.organ_name.clone(),
            code: row.code.clone(),
            document_date: row.document_date.as_deref().map(vn_date).unwrap_or_default(),
            type_name: row.type_name.clone(),
            subject: row.subject.clone(),
            urgency: row.urgency.map(|u| u.label().to_owned()),
            directions: h.as_ref().and_then(|h| h.directions.clone()),
            lead: h.as_ref().and_then(|h| h.handlers.iter().find(|x| x.lead).map(|x| x.name.clone())),
            co_handlers: h
                .as_ref()
                .map(|h| h.handlers.iter().filter(|x| !x.lead).map(|x| x.name.clone()).collect())
                .unwrap_or_default(),
            deadline: h.as_ref().and_then(|h| h.deadline.as_deref().map(vn_time)),
            assigned_by: h.as_ref().map(|h| h.assigned_by.clone()),
            assigned_at: h.as_ref().map(|h| vn_time(&h.assigned_at)),
            progress: h
                .as_ref()
                .map(|h| {
                    h.progress
                        .iter()
                        .filter(|p| p.status != HandlingStatus::Assigned)
                        .map(|p| report::ProgressLine {
                            at: vn_time(&p.at),
                            by: p.actor.clone(),
                            status: p.status.label().to_owned(),
                            note: p.note.clone().unwrap_or_default(),
                        })
                        .collect()
                })
                .unwrap_or_default(),
            mark: self.mark(&actor),
        };
        let bytes = report::handling_slip_pdf(&slip).map_err(|e| render_error(&e))?;
        self.write_export(&format!("phieu-giai-quyet-so-den-{}-{}", row.number, row.year), ExportFormat::Pdf, &bytes, 1)
    }

    /// Exports a case file in chronological order: PDF (cover, catalogue, then the documents' own
    /// PDF pages) or XML (App. VI case-file metadata).
    pub fn export_case_file(&self, id: i64, format: ExportFormat) -> ApiResult<Exported> {
        let actor = self.authorise(Permission::Print)?;
        if format == ExportFormat::Xlsx {
            return Err(ApiError::invalid("Hồ sơ xuất ra PDF hoặc XML."));
        }
        let org = self.organisation()?.ok_or_else(|| ApiError::from(vanthu_store::StoreError::NotInitialised))?;
        // `case_file` has already hidden what the actor may not read; their PDFs stay out too.
        let detail = self.case_file(id)?;
        let readable: Vec<bool> =
            detail.documents.iter().map(|d| self.may_read(&actor, d)).collect::<ApiResult<_>>()?;
        let mut documents = Vec::with_capacity(detail.documents.len());
        for (i, d) in detail.documents.iter().enumerate() {
            let pdf = if format == ExportFormat::Pdf && readable[i] {
                let files = self.store.read(|c| register::files_of(c, &d.id))?;
                files
                    .iter()
                    .find(|f| f.role == "main" && f.media_type == "application/pdf")
                    .and_then(|f| std::fs::read(self.store.files().path_of(&f.sha256)).ok())
            } else {
                None
            };
            documents.push(report::CaseFileDocument {
                ordinal: u32::try_from(i + 1).unwrap_or(u32::MAX),
                code: d.code.clone(),
                date: d.document_date.as_deref().or(d.arrival_date.as_deref()).map(vn_date).unwrap_or_default(),
                type_name: d.type_name.clone(),
                subject: d.subject.clone(),
                author: d.organ_name.clone(),
                page_amount: None,
                direction: if d.direction == Direction::Incoming { "Đến" } else { "Đi" }.to_owned(),
                pdf,
            });
        }
        let f = &detail.file;
        let file = report::CaseFile {
            organisation: org.name.clone(),
            file_code: format!("{}.{}", f.year, f.notation),
            title: f.title.clone(),
            maintenance: f.maintenance.clone(),
            rights: f.rights.clone(),
            creator: f.creator.clone(),
            language: f.language.clone(),
            start_date: vn_date(&f.opened_at),
            end_date: f.closed_at.as_deref().map(vn_date).unwrap_or_default(),
            description: f.description.clone().unwrap_or_default(),
            documents,
        };
        let mark = self.mark(&actor);
        let rows = detail.documents.len() as u64;
        let stem = format!("ho-so-{}-{}", f.year, f.notation.replace(['/', '\\', ' '], "-"));
        match format {
            ExportFormat::Xml => {
                let xml = report::case_file_xml(&file, &mark).map_err(|e| render_error(&e))?;
                self.write_export(&stem, format, xml.as_bytes(), rows)
            }
            _ => {
                let bytes = report::case_file_pdf(&file, &mark).map_err(|e| render_error(&e))?;
                self.write_export(&stem, format, &bytes, rows)
            }
        }
    }

    /// Exports the results of a filtered search with the chosen columns (ids of [`RESULT_COLUMNS`];
    /// empty = a default set), as PDF or XLSX.
    pub fn export_results(&self, filter: &Filter, columns: &[String], format: ExportFormat) -> ApiResult<Exported> {
        let actor = self.authorise(Permission::Print)?;
        if format == ExportFormat::Xml {
            return Err(ApiError::invalid("Kết quả tìm kiếm xuất ra PDF hoặc Excel."));
        }
        let default = ["number", "register_date", "code", "organ_name", "type_name", "subject", "status"];
        let ids: Vec<&str> =
            if columns.is_empty() { default.to_vec() } else { columns.iter().map(String::as_str).collect() };
        let mut headers = Vec::with_capacity(ids.len());
        for id in &ids {
            let (_, header) = RESULT_COLUMNS
                .iter()
                .find(|(c, _)| c == id)
                .ok_or_else(|| ApiError::invalid(format!("Không có cột \"{id}\".")))?;
            headers.push((*header).to_owned());
        }
        let now = self.now();
        let rows = self.store.read(|c| query::filtered_all(c, filter, now, MAX_EXPORT_ROWS))?;
        let by_text = filter.text.as_deref().is_some_and(|t| !t.trim().is_empty());
        let rows = self.redact_rows(&actor, rows, by_text)?;
        let table = report::Table {
            title: "KẾT QUẢ TÌM KIẾM VĂN BẢN".to_owned(),
            subtitle: Some(describe(filter)),
            columns: headers,
            rows: rows.iter().map(|r| ids.iter().map(|id| cell(r, id)).collect()).collect(),
            mark: self.mark(&actor),
        };
        let bytes = match format {
            ExportFormat::Xlsx => report::table_xlsx(&table),
            _ => report::table_pdf(&table),
        }
        .map_err(|e| render_error(&e))?;
        self.write_export("ket-qua-tim-kiem", format, &bytes, rows.len() as u64)
    }
}

fn cell(r: &RegisterRow, column: &str) -> String {
    match column {
        "register" => if r.direction == Direction::Incoming { "Đến" } else { "Đi" }.to_owned(),
        "number" => r.number_text.clone(),
        "register_date" => r.arrival_date.as_deref().or(r.document_date.as_deref()).map(vn_date).unwrap_or_default(),
        "code" => r.code.clone(),
        "document_date" => r.document_date.as_deref().map(vn_date).unwrap_or_default(),
        "organ_name" => r.organ_name.clone(),
        "type_name" => r.type_name.clone(),
        "subject" => r.subject.clone(),
        "signer" => r.signer.clone().unwrap_or_default(),
        "recipients" => r.recipients.join("; "),
        "lead" => r.lead.clone().unwrap_or_default(),
        "deadline" => r.handling_deadline.as_deref().map(vn_time).unwrap_or_default(),
        "status" => status_text(r),
        "urgency" => r.urgency.map(|u| u.label().to_owned()).unwrap_or_default(),
        "secrecy" => r.secrecy.map(|s| s.label().to_owned()).unwrap_or_default(),
        "note" => r.note.clone().unwrap_or_default(),
        _ => String::new(),
    }
}

/// The filter in words, under the title of an export.
fn describe(f: &Filter) -> String {
    let mut parts = Vec::new();
    if let Some(t) = &f.text {
        parts.push(format!("Từ khóa: \"{t}\""));
    }
    if let Some(d) = f.direction {
        parts.push(if d == Direction::Incoming { "Sổ văn bản đến" } else { "Sổ văn bản đi" }.to_owned());
    }
    if let Some(y) = f.year {
        parts.push(format!("Năm {y}"));
    }
    if let Some(t) = &f.type_name {
        parts.push(format!("Loại: {t}"));
    }
    if let Some(o) = &f.organ {
        parts.push(format!("Cơ quan: {o}"));
    }
    if let Some(u) = f.urgency {
        parts.push(u.label().to_owned());
    } else if f.any_urgent {
        parts.push("Văn bản khẩn".to_owned());
    }
    if let Some(a) = f.date_from {
        parts.push(format!("Từ ngày {}", date_vn(a)));
    }
    if let Some(b) = f.date_to {
        parts.push(format!("Đến ngày {}", date_vn(b)));
    }
    if parts.is_empty() { "Tất cả văn bản".to_owned() } else { parts.join(" · ") }
}
