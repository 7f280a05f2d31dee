//! Vanthu's paper: the printable forms and the exports of the register desk, rendered to bytes.
//!
//! Registers kept in software must still be printable in the forms of Decree 30/2020 Appendix IV
//! (they are printed and bound), every printout the system produces must carry a mark saying so,
//! and a case file must leave the system as PDF and XML in chronological order (domain §4, §9,
//! §10). This crate is where those obligations become pages:
//!
//! - [`register_book_pdf`]: the incoming, outgoing and handling register books, a cover and then
//!   the ruled table with the official columns, on A4 landscape;
//! - [`handling_slip_pdf`]: the "phiếu giải quyết văn bản đến" for one incoming document, on A4
//!   portrait;
//! - [`table_pdf`] and [`table_xlsx`]: any table (search results, lists), on paper or for Excel;
//! - [`case_file_pdf`] and [`case_file_xml`]: a case file (hồ sơ) with its cover, its catalogue
//!   of documents and their own pages, and its App. VI metadata.
//!
//! Every output carries the system mark ([`Mark`]): in a PDF on the foot of every page, with
//! "Trang N/M"; in a workbook as a row under the title and in the printed footer; in XML as
//! elements.
//!
//! The crate is pure: plain data in, bytes out. It reads no clock (dates arrive formatted, as the
//! caller wants them printed), opens no file (the Liberation Serif fonts, metric-compatible with
//! Times New Roman, are compiled in) and knows no database or other workspace crate, so the
//! façade can call it from any thread and the tests can check it with nothing but its inputs.
//! Text is printed as given (the register stores NFC); only the organisation names in form
//! headers are set in capitals, as the forms require.
//!
//! Modules: `font` measures text, `layout` places it on pages and writes the PDF, `table` rules
//! the grids; `register`, `slip`, `listing`, `case_file` and `workbook` are the outputs.

#![deny(missing_docs)]

mod case_file;
mod font;
mod layout;
mod listing;
mod register;
mod slip;
mod table;
mod workbook;

/// Who produced a printout or export, and when: the system mark every output carries.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Mark {
    /// The user's display name, e.g. "Nguyễn Thị Lan".
    pub by: String,
    /// The moment, already formatted for printing, e.g. "09:15 ngày 21/11/2026".
    pub at: String,
}

impl Mark {
    /// "In từ hệ thống Vanthu bởi …, lúc …" — for printouts.
    pub fn printed(&self) -> String {
        format!("In từ hệ thống Vanthu bởi {}, lúc {}", self.by, self.at)
    }

    /// "Xuất từ hệ thống Vanthu bởi …, lúc …" — for exports.
    pub fn exported(&self) -> String {
        format!("Xuất từ hệ thống Vanthu bởi {}, lúc {}", self.by, self.at)
    }
}

/// Which register book (sổ đăng ký) is printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BookKind {
    /// Sổ đăng ký văn bản đến.
    Incoming,
    /// Sổ đăng ký văn bản đi.
    Outgoing,
    /// Sổ theo dõi giải quyết văn bản đến.
    Handling,
}

/// The cover (bìa) of a register book.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cover {
    /// The organisation keeping the book, e.g. "Ủy ban nhân dân xã Tả Phìn".
    pub organisation: String,
    /// The organisation above it (cơ quan chủ quản), printed on the line above, if any.
    pub parent_organisation: Option<String>,
    /// Which book.
    pub kind: BookKind,
    /// The year the book covers.
    pub year: i32,
    /// First date in the book, formatted, e.g. "01/01/2026".
    pub from_date: String,
    /// Last date in the book, formatted.
    pub to_date: String,
    /// First number in the book, e.g. "1".
    pub from_number: String,
    /// Last number in the book, e.g. "245".
    pub to_number: String,
    /// Volume (quyển số).
    pub volume: u32,
}

/// One row of the incoming register (App. IV), every field already formatted.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct IncomingEntry {
    /// Ngày đến.
    pub arrival_date: String,
    /// Số đến.
    pub arrival_number: String,
    /// Tác giả: the issuing organisation.
    pub author: String,
    /// Số, ký hiệu, e.g. "136/TTr-STTTT".
    pub code: String,
    /// Ngày tháng văn bản.
    pub document_date: String,
    /// Tên loại và trích yếu nội dung.
    pub type_and_subject: String,
    /// Đơn vị hoặc người nhận.
    pub recipient: String,
    /// Ngày chuyển.
    pub transfer_date: String,
    /// Ghi chú.
    pub note: String,
}

/// One row of the outgoing register (App. IV), every field already formatted.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct OutgoingEntry {
    /// Số, ký hiệu, e.g. "15/QĐ-UBND".
    pub code: String,
    /// Ngày tháng văn bản.
    pub document_date: String,
    /// Tên loại và trích yếu nội dung.
    pub type_and_subject: String,
    /// Người ký.
    pub signer: String,
    /// Nơi nhận.
    pub recipients: String,
    /// Đơn vị, người nhận bản lưu.
    pub archive_holder: String,
    /// Số lượng bản.
    pub copies: String,
    /// Ngày chuyển.
    pub transfer_date: String,
    /// Ghi chú.
    pub note: String,
}

/// One row of the register of handling of incoming documents (App. IV).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct HandlingEntry {
    /// Số đến.
    pub arrival_number: String,
    /// Ngày đến.
    pub arrival_date: String,
    /// The document: code, type and subject.
    pub document: String,
    /// Người/đơn vị giải quyết.
    pub handler: String,
    /// Hạn giải quyết.
    pub deadline: String,
    /// Tiến độ giải quyết.
    pub progress: String,
    /// Số, ký hiệu văn bản trả lời.
    pub reply_code: String,
    /// Ghi chú.
    pub note: String,
}

/// The rows of a register book; the variant should match [`Cover::kind`] (the rows decide the
/// columns, the cover the title).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BookRows {
    /// Rows of the incoming register.
    Incoming(Vec<IncomingEntry>),
    /// Rows of the outgoing register.
    Outgoing(Vec<OutgoingEntry>),
    /// Rows of the handling register.
    Handling(Vec<HandlingEntry>),
}

/// A register book to print: cover, rows, and the system mark.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegisterBook {
    /// The cover.
    pub cover: Cover,
    /// The rows, in register order.
    pub rows: BookRows,
    /// Who prints it, and when.
    pub mark: Mark,
}

/// One step in the handling of an incoming document.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ProgressLine {
    /// When, formatted.
    pub at: String,
    /// Who.
    pub by: String,
    /// The status reached, e.g. "Đang giải quyết".
    pub status: String,
    /// What was done or proposed.
    pub note: String,
}

/// The handling slip (phiếu giải quyết văn bản đến) of one incoming document.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct HandlingSlip {
    /// The receiving organisation.
    pub organisation: String,
    /// The organisation above it, if any.
    pub parent_organisation: Option<String>,
    /// Số đến.
    pub arrival_number: String,
    /// Ngày đến.
    pub arrival_date: String,
    /// Tác giả: the issuing organisation.
    pub author: String,
    /// Số, ký hiệu.
    pub code: String,
    /// Ngày tháng văn bản.
    pub document_date: String,
    /// Tên loại, e.g. "Quyết định".
    pub type_name: String,
    /// Trích yếu.
    pub subject: String,
    /// Độ khẩn, if any ("Khẩn", "Thượng khẩn", "Hỏa tốc").
    pub urgency: Option<String>,
    /// Ý kiến chỉ đạo của lãnh đạo.
    pub directions: Option<String>,
    /// Đơn vị/người chủ trì.
    pub lead: Option<String>,
    /// Đơn vị/người phối hợp.
    pub co_handlers: Vec<String>,
    /// Hạn giải quyết.
    pub deadline: Option<String>,
    /// The leader who gave the directions.
    pub assigned_by: Option<String>,
    /// When the directions were given, formatted.
    pub assigned_at: Option<String>,
    /// The handlers' proposals and progress, oldest first.
    pub progress: Vec<ProgressLine>,
    /// Who prints it, and when.
    pub mark: Mark,
}

/// Any table: search results, lists. Rows shorter than `columns` are padded with empty cells.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Table {
    /// The title, e.g. "KẾT QUẢ TÌM KIẾM VĂN BẢN".
    pub title: String,
    /// A line under the title (the search criteria, the period), if any.
    pub subtitle: Option<String>,
    /// Column headers.
    pub columns: Vec<String>,
    /// The rows.
    pub rows: Vec<Vec<String>>,
    /// Who prints or exports it, and when.
    pub mark: Mark,
}

/// One document of a case file.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct CaseFileDocument {
    /// Position in the case file (DocOrdinal), from 1.
    pub ordinal: u32,
    /// Số, ký hiệu.
    pub code: String,
    /// Ngày tháng văn bản, formatted.
    pub date: String,
    /// Tên loại.
    pub type_name: String,
    /// Trích yếu.
    pub subject: String,
    /// Tác giả: the issuing organisation.
    pub author: String,
    /// Số trang, if known.
    pub page_amount: Option<u32>,
    /// "Đến" or "Đi".
    pub direction: String,
    /// The document's own PDF, if there is an electronic copy.
    pub pdf: Option<Vec<u8>>,
}

/// A case file (hồ sơ) with its App. VI metadata.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct CaseFile {
    /// The organisation that keeps it.
    pub organisation: String,
    /// Số và ký hiệu hồ sơ, e.g. "01.TH".
    pub file_code: String,
    /// Tiêu đề hồ sơ.
    pub title: String,
    /// Thời hạn bảo quản, e.g. "Vĩnh viễn", "10 năm".
    pub maintenance: String,
    /// Chế độ sử dụng.
    pub rights: String,
    /// Người lập hồ sơ.
    pub creator: String,
    /// Ngôn ngữ.
    pub language: String,
    /// Thời gian bắt đầu, formatted.
    pub start_date: String,
    /// Thời gian kết thúc, formatted.
    pub end_date: String,
    /// Chú giải.
    pub description: String,
    /// The documents, already in chronological order.
    pub documents: Vec<CaseFileDocument>,
}

/// Why a report could not be produced. The messages are Vietnamese: they reach clerks.
#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    /// A bundled font could not be read (a broken build, never the user's data).
    #[error("không đọc được phông chữ {0} đi kèm chương trình")]
    Font(&'static str),
    /// The PDF writer failed.
    #[error("không tạo được tệp PDF: {0}")]
    Pdf(String),
    /// The XLSX writer failed.
    #[error("không tạo được tệp Excel: {0}")]
    Xlsx(String),
    /// The XML writer failed.
    #[error("không tạo được tệp XML: {0}")]
    Xml(String),
    /// More rows or columns than one Excel worksheet holds.
    #[error("bảng quá lớn cho một trang tính Excel: {rows} dòng, {columns} cột (tối đa 1.048.576 dòng, 16.384 cột)")]
    TooLarge {
        /// Rows asked for, title and header included.
        rows: usize,
        /// Columns asked for.
        columns: usize,
    },
}

/// Print a register book: its cover, then its rows under the App. IV column headers (A4
/// landscape), the header row repeated on every page.
pub fn register_book_pdf(book: &RegisterBook) -> Result<Vec<u8>, ReportError> {
    register::pdf(book)
}

/// Print the handling slip of one incoming document (A4 portrait).
pub fn handling_slip_pdf(slip: &HandlingSlip) -> Result<Vec<u8>, ReportError> {
    slip::pdf(slip)
}

/// Print any table (A4 landscape), columns sized to their content.
pub fn table_pdf(table: &Table) -> Result<Vec<u8>, ReportError> {
    listing::pdf(table)
}

/// Export any table as an Excel workbook: title, the mark, then a bold frozen header row.
pub fn table_xlsx(table: &Table) -> Result<Vec<u8>, ReportError> {
    workbook::xlsx(table)
}

/// Export a case file as one PDF: cover, catalogue of documents, then each document's own pages.
/// A document whose PDF is missing or unreadable is listed in the catalogue only.
pub fn case_file_pdf(file: &CaseFile, mark: &Mark) -> Result<Vec<u8>, ReportError> {
    case_file::pdf(file, mark)
}

/// Export a case file's metadata as XML with the App. VI element names.
pub fn case_file_xml(file: &CaseFile, mark: &Mark) -> Result<String, ReportError> {
    case_file::xml(file, mark)
}
