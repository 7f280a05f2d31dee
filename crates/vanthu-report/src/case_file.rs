//! A case file (hồ sơ) leaving the system: one PDF to read and bind, one XML to archive.
//!
//! Domain §9: a case file is exported to PDF and XML with its documents in chronological order.
//! The PDF is a cover (file code, title, retention, period, how many documents and pages), the
//! catalogue "MỤC LỤC VĂN BẢN", and then each document's own PDF pages in order, each page still
//! carrying the system mark at its foot. The XML carries the App. VI case-file metadata
//! (FileCode, Title, Maintenance, …, Description) and one `<Document>` per entry.
//!
//! Attachments are untrusted bytes. A document whose PDF is missing, unreadable, encrypted or
//! otherwise refused by the PDF reader is listed in the catalogue as "không có bản điện tử" and
//! the export goes on: one bad file never fails the whole case file. Parsing happens under
//! `catch_unwind` as a last line of defence, so even a reader bug on a hostile file costs only
//! that file.
//!
//! Documents are taken in the order given (the caller sorts them); nothing here reads a clock or
//! a file.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::Arc;

use krilla::pdf::{Pdf, PdfDocument};
use quick_xml::Writer;
use quick_xml::events::{BytesDecl, BytesEnd, BytesStart, BytesText, Event};

use crate::font::{Fonts, Style};
use crate::layout::{Align, Flow, Geometry, Op, Page, PdfSettings, write_pdf};
use crate::table::{Table, form_widths};
use crate::{CaseFile, CaseFileDocument, Mark, ReportError};

/// Written in the catalogue for a document without a usable electronic copy.
const NO_COPY: &str = "không có bản điện tử";

/// An attachment that opened: the document for the writer and the size of each page.
struct Attachment {
    pdf: PdfDocument,
    pages: Vec<(f32, f32)>,
}

/// Open one attachment, or `None` if it cannot be used.
fn open(bytes: &[u8]) -> Option<Attachment> {
    let data = bytes.to_vec();
    let opened = catch_unwind(AssertUnwindSafe(move || {
        let pdf = Pdf::new(data).ok()?;
        let pages: Vec<(f32, f32)> = pdf.pages().iter().map(|p| p.render_dimensions()).collect();
        Some((pdf, pages))
    }))
    .ok()??;
    let (pdf, pages) = opened;
    let sane = |(w, h): &(f32, f32)| {
        w.is_finite() && h.is_finite() && (1.0..=14_400.0).contains(w) && (1.0..=14_400.0).contains(h)
    };
    if pages.is_empty() || !pages.iter().all(sane) {
        return None;
    }
    Some(Attachment { pdf: PdfDocument::new(Arc::new(pdf)), pages })
}

/// "Quyết định" + "về việc …" as the register prints them.
fn type_and_subject(doc: &CaseFileDocument) -> String {
    [doc.type_name.trim(), doc.subject.trim()].iter().filter(|s| !s.is_empty()).copied().collect::<Vec<_>>().join(" ")
}

pub(crate) fn pdf(file: &CaseFile, mark: &Mark) -> Result<Vec<u8>, ReportError> {
    let fonts = Fonts::load()?;
    let mut attachments: Vec<Option<Attachment>> =
        file.documents.iter().map(|d| d.pdf.as_deref().and_then(open)).collect();
    let printed = mark.printed();
    let title = format!("Hồ sơ {} — {}", file.file_code, file.title);

    let pages = layout(&fonts, file, &attachments);
    let (pages, embedded) = with_attachments(pages, &attachments);
    let settings = PdfSettings { title: &title, mark: &printed, attachments: &embedded };
    if let Ok(Ok(bytes)) = catch_unwind(AssertUnwindSafe(|| write_pdf(&fonts, &pages, &settings))) {
        return Ok(bytes);
    }

    // Something in an attachment defeated the writer: find which, drop them, write again.
    for slot in attachments.iter_mut() {
        let Some(attachment) = slot else { continue };
        let probe: Vec<Page> = attachment
            .pages
            .iter()
            .enumerate()
            .map(|(page, (w, h))| Page { width: *w, height: *h, ops: vec![Op::Attached { attachment: 0, page }] })
            .collect();
        let single = [attachment.pdf.clone()];
        let settings = PdfSettings { title: &title, mark: &printed, attachments: &single };
        let fine = matches!(catch_unwind(AssertUnwindSafe(|| write_pdf(&fonts, &probe, &settings))), Ok(Ok(_)));
        if !fine {
            *slot = None;
        }
    }
    let pages = layout(&fonts, file, &attachments);
    let (pages, embedded) = with_attachments(pages, &attachments);
    let settings = PdfSettings { title: &title, mark: &printed, attachments: &embedded };
    catch_unwind(AssertUnwindSafe(|| write_pdf(&fonts, &pages, &settings)))
        .map_err(|_| ReportError::Pdf("lỗi không mong đợi khi ghi hồ sơ".into()))?
}

/// Cover and catalogue, laid out until the page numbers printed in the catalogue are stable.
fn layout(fonts: &Fonts, file: &CaseFile, attachments: &[Option<Attachment>]) -> Vec<Page> {
    // The catalogue says on which page of this PDF each document starts, which depends on how
    // many pages the catalogue itself takes: lay out, count, and lay out again if it moved.
    let mut front = 0;
    let mut pages = Vec::new();
    for _ in 0..4 {
        pages = front_matter(fonts, file, attachments, front);
        if pages.len() == front {
            break;
        }
        front = pages.len();
    }
    pages
}

/// Append one page per attached page after the front matter; return the documents to embed.
fn with_attachments(mut pages: Vec<Page>, attachments: &[Option<Attachment>]) -> (Vec<Page>, Vec<PdfDocument>) {
    let mut embedded = Vec::new();
    for attachment in attachments.iter().flatten() {
        let index = embedded.len();
        embedded.push(attachment.pdf.clone());
        for (page, (w, h)) in attachment.pages.iter().enumerate() {
            pages.push(Page { width: *w, height: *h, ops: vec![Op::Attached { attachment: index, page }] });
        }
    }
    (pages, embedded)
}

fn front_matter(fonts: &Fonts, file: &CaseFile, attachments: &[Option<Attachment>], front: usize) -> Vec<Page> {
    let g = Geometry::A4_PORTRAIT;
    let mut flow = Flow::new(fonts, g);

    // Cover.
    let header_width = g.content_width() * 0.6;
    flow.organisation_header(
        None,
        &file.organisation,
        g.left() + (g.content_width() - header_width) / 2.0,
        header_width,
        13.0,
    );
    flow.y = flow.y.max(g.top() + g.height * 0.2);
    flow.paragraph(g.left(), g.content_width(), "HỒ SƠ", 30.0, Style::Bold, Align::Center, 40.0);
    flow.paragraph(
        g.left(),
        g.content_width(),
        &format!("Số và ký hiệu hồ sơ: {}", file.file_code),
        14.0,
        Style::Regular,
        Align::Center,
        20.0,
    );
    flow.gap(10.0);
    flow.paragraph(g.left(), g.content_width(), &file.title, 17.0, Style::Bold, Align::Center, 22.0);
    flow.gap(30.0);

    let page_counts: Vec<Option<u32>> = file
        .documents
        .iter()
        .zip(attachments)
        .map(|(d, a)| d.page_amount.or_else(|| a.as_ref().map(|a| u32::try_from(a.pages.len()).unwrap_or(u32::MAX))))
        .collect();
    let page_total: u64 = page_counts.iter().flatten().map(|n| u64::from(*n)).sum();
    let size = 13.0;
    let leading = 19.0;
    flow.label_value("Thời hạn bảo quản:", &file.maintenance, size, leading);
    flow.label_value("Thời gian:", &format!("Từ ngày {} đến ngày {}", file.start_date, file.end_date), size, leading);
    flow.label_value("Gồm:", &format!("{} văn bản, {} trang", file.documents.len(), page_total), size, leading);
    flow.label_value("Người lập hồ sơ:", &file.creator, size, leading);
    flow.label_value("Ngôn ngữ:", &file.language, size, leading);
    flow.label_value("Chế độ sử dụng:", &file.rights, size, leading);
    if !file.description.trim().is_empty() {
        flow.label_value("Chú giải:", &file.description, size, leading);
    }

    // Catalogue.
    flow.new_page();
    flow.paragraph(g.left(), g.content_width(), "MỤC LỤC VĂN BẢN", 14.0, Style::Bold, Align::Center, 20.0);
    flow.gap(8.0);
    let spec: [(&str, f32, Align); 7] = [
        ("STT", 11.0, Align::Center),
        ("Số, ký hiệu", 24.0, Align::Center),
        ("Ngày tháng", 21.0, Align::Center),
        ("Tên loại và trích yếu", 44.0, Align::Left),
        ("Tác giả", 28.0, Align::Left),
        ("Số trang", 16.0, Align::Center),
        ("Ghi chú", 35.0, Align::Left),
    ];
    let headers: Vec<String> = spec.iter().map(|c| c.0.to_owned()).collect();
    let weights: Vec<f32> = spec.iter().map(|c| c.1).collect();
    let mut next_page = front + 1;
    let rows: Vec<Vec<String>> = file
        .documents
        .iter()
        .zip(attachments)
        .zip(&page_counts)
        .map(|((doc, attachment), pages)| {
            let note = match attachment {
                Some(a) => {
                    let first = next_page;
                    next_page += a.pages.len();
                    if a.pages.len() == 1 { format!("tr. {first}") } else { format!("tr. {first}–{}", next_page - 1) }
                }
                None => NO_COPY.to_owned(),
            };
            vec![
                doc.ordinal.to_string(),
                doc.code.clone(),
                doc.date.clone(),
                type_and_subject(doc),
                doc.author.clone(),
                pages.map(|n| n.to_string()).unwrap_or_default(),
                note,
            ]
        })
        .collect();
    let table = Table {
        widths: form_widths(fonts, &headers, &weights, &rows, 10.0, g.content_width(), 3),
        headers,
        aligns: spec.iter().map(|c| c.2).collect(),
        size: 10.0,
        header_size: 10.0,
        numbered: false,
        padding: 3.0,
    };
    table.draw(&mut flow, rows);
    flow.pages
}

// ---------------------------------------------------------------- XML

/// Drop what XML 1.0 cannot carry even escaped (control characters other than tab and newlines).
fn xml_safe(text: &str) -> String {
    text.chars()
        .filter(|c| matches!(c, '\t' | '\n' | '\r') || (!c.is_control() && !matches!(c, '\u{FFFE}' | '\u{FFFF}')))
        .collect()
}

struct XmlOut {
    writer: Writer<Vec<u8>>,
}

impl XmlOut {
    fn event(&mut self, event: Event<'_>) -> Result<(), ReportError> {
        self.writer.write_event(event).map_err(|e| ReportError::Xml(e.to_string()))
    }
    fn start(&mut self, name: &str) -> Result<(), ReportError> {
        self.event(Event::Start(BytesStart::new(name)))
    }
    fn end(&mut self, name: &str) -> Result<(), ReportError> {
        self.event(Event::End(BytesEnd::new(name)))
    }
    fn leaf(&mut self, name: &str, text: &str) -> Result<(), ReportError> {
        let text = xml_safe(text);
        if text.is_empty() {
            return self.event(Event::Empty(BytesStart::new(name)));
        }
        self.start(name)?;
        self.event(Event::Text(BytesText::new(&text)))?;
        self.end(name)
    }
}

pub(crate) fn xml(file: &CaseFile, mark: &Mark) -> Result<String, ReportError> {
    let mut out = XmlOut { writer: Writer::new_with_indent(Vec::new(), b' ', 2) };
    out.event(Event::Decl(BytesDecl::new("1.0", Some("UTF-8"), None)))?;
    out.start("CaseFile")?;
    let page_total: u64 = file.documents.iter().filter_map(|d| d.page_amount).map(u64::from).sum();
    out.leaf("FileCode", &file.file_code)?;
    out.leaf("Title", &file.title)?;
    out.leaf("Maintenance", &file.maintenance)?;
    out.leaf("Rights", &file.rights)?;
    out.leaf("Creator", &file.creator)?;
    out.leaf("Language", &file.language)?;
    out.leaf("StartDate", &file.start_date)?;
    out.leaf("EndDate", &file.end_date)?;
    out.leaf("DocTotal", &file.documents.len().to_string())?;
    out.leaf("PageTotal", &page_total.to_string())?;
    out.leaf("Description", &file.description)?;
    out.leaf("ExportedBy", &mark.by)?;
    out.leaf("ExportedAt", &mark.at)?;
    out.start("Documents")?;
    for doc in &file.documents {
        out.start("Document")?;
        out.leaf("DocOrdinal", &doc.ordinal.to_string())?;
        out.leaf("Code", &doc.code)?;
        out.leaf("IssuedDate", &doc.date)?;
        out.leaf("TypeName", &doc.type_name)?;
        out.leaf("Subject", &doc.subject)?;
        out.leaf("OrganName", &doc.author)?;
        if let Some(pages) = doc.page_amount {
            out.leaf("PageAmount", &pages.to_string())?;
        }
        out.leaf("Direction", &doc.direction)?;
        out.end("Document")?;
    }
    out.end("Documents")?;
    out.end("CaseFile")?;
    String::from_utf8(out.writer.into_inner()).map_err(|e| ReportError::Xml(e.to_string()))
}
