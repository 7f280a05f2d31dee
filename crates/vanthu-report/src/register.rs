//! The register books of Decree 30/2020 Appendix IV, as they are printed and bound.
//!
//! A book is a cover (the organisation, the title, Năm, Từ ngày … đến ngày …, Từ số … đến số …,
//! Quyển số) followed by the ruled register with exactly the App. IV columns in the App. IV order
//! and the "(1) … (n)" numbering row under the header. The "Ký nhận" column stays empty: the
//! recipient signs it by hand on paper. Column proportions are fixed here, not measured, so every
//! page of every volume looks the same and the narrow date and number columns never squeeze.
//!
//! This module decides what goes where on the form; it must not format dates or numbers (the
//! caller does) and must not reorder or drop rows: the book is the register, row for row.

use crate::font::{Fonts, Style};
use crate::layout::{Align, Flow, Geometry, PdfSettings, write_pdf};
use crate::table::{Table, form_widths};
use crate::{BookKind, BookRows, Cover, RegisterBook, ReportError};

/// Column titles, relative widths and alignment of each book, in App. IV order.
const INCOMING: &[(&str, f32, Align)] = &[
    ("Ngày đến", 20.0, Align::Center),
    ("Số đến", 15.0, Align::Center),
    ("Tác giả", 34.0, Align::Left),
    ("Số, ký hiệu", 26.0, Align::Center),
    ("Ngày tháng văn bản", 21.0, Align::Center),
    ("Tên loại và trích yếu nội dung", 58.0, Align::Left),
    ("Đơn vị hoặc người nhận", 30.0, Align::Left),
    ("Ngày chuyển", 20.0, Align::Center),
    ("Ký nhận", 17.0, Align::Left),
    ("Ghi chú", 16.0, Align::Left),
];

const OUTGOING: &[(&str, f32, Align)] = &[
    ("Số, ký hiệu", 26.0, Align::Center),
    ("Ngày tháng văn bản", 21.0, Align::Center),
    ("Tên loại và trích yếu nội dung", 58.0, Align::Left),
    ("Người ký", 26.0, Align::Left),
    ("Nơi nhận", 34.0, Align::Left),
    ("Đơn vị, người nhận bản lưu", 25.0, Align::Left),
    ("Số lượng bản", 14.0, Align::Center),
    ("Ngày chuyển", 20.0, Align::Center),
    ("Ký nhận", 17.0, Align::Left),
    ("Ghi chú", 16.0, Align::Left),
];

const HANDLING: &[(&str, f32, Align)] = &[
    ("Số đến", 15.0, Align::Center),
    ("Ngày đến", 20.0, Align::Center),
    ("Văn bản (số, ký hiệu, trích yếu)", 68.0, Align::Left),
    ("Người/đơn vị giải quyết", 35.0, Align::Left),
    ("Hạn giải quyết", 21.0, Align::Center),
    ("Tiến độ giải quyết", 45.0, Align::Left),
    ("Số, ký hiệu văn bản trả lời", 32.0, Align::Center),
    ("Ghi chú", 21.0, Align::Left),
];

/// The book's title as printed on the cover.
pub(crate) fn title(kind: BookKind) -> &'static str {
    match kind {
        BookKind::Incoming => "SỔ ĐĂNG KÝ VĂN BẢN ĐẾN",
        BookKind::Outgoing => "SỔ ĐĂNG KÝ VĂN BẢN ĐI",
        BookKind::Handling => "SỔ THEO DÕI GIẢI QUYẾT VĂN BẢN ĐẾN",
    }
}

/// The App. IV columns of the book that `rows` belongs to, and which one is the free text
/// ("Tên loại và trích yếu nội dung") that gives way when another column needs room.
fn columns(rows: &BookRows) -> (&'static [(&'static str, f32, Align)], usize) {
    match rows {
        BookRows::Incoming(_) => (INCOMING, 5),
        BookRows::Outgoing(_) => (OUTGOING, 2),
        BookRows::Handling(_) => (HANDLING, 2),
    }
}

pub(crate) fn pdf(book: &RegisterBook) -> Result<Vec<u8>, ReportError> {
    let fonts = Fonts::load()?;
    let geometry = Geometry::A4_LANDSCAPE;
    let mut flow = Flow::new(&fonts, geometry);
    cover(&mut flow, &book.cover);

    let cover = &book.cover;
    let mut head = format!("{} — Năm {} — Quyển số {}", title(cover.kind), cover.year, cover.volume);
    if !cover.organisation.trim().is_empty() {
        head = format!("{} — {head}", cover.organisation);
    }
    flow.set_running_head(Some(head));
    flow.new_page();

    let rows: Vec<Vec<String>> = match &book.rows {
        BookRows::Incoming(rows) => rows
            .iter()
            .map(|r| {
                vec![
                    r.arrival_date.clone(),
                    r.arrival_number.clone(),
                    r.author.clone(),
                    r.code.clone(),
                    r.document_date.clone(),
                    r.type_and_subject.clone(),
                    r.recipient.clone(),
                    r.transfer_date.clone(),
                    String::new(),
                    r.note.clone(),
                ]
            })
            .collect(),
        BookRows::Outgoing(rows) => rows
            .iter()
            .map(|r| {
                vec![
                    r.code.clone(),
                    r.document_date.clone(),
                    r.type_and_subject.clone(),
                    r.signer.clone(),
                    r.recipients.clone(),
                    r.archive_holder.clone(),
                    r.copies.clone(),
                    r.transfer_date.clone(),
                    String::new(),
                    r.note.clone(),
                ]
            })
            .collect(),
        BookRows::Handling(rows) => rows
            .iter()
            .map(|r| {
                vec![
                    r.arrival_number.clone(),
                    r.arrival_date.clone(),
                    r.document.clone(),
                    r.handler.clone(),
                    r.deadline.clone(),
                    r.progress.clone(),
                    r.reply_code.clone(),
                    r.note.clone(),
                ]
            })
            .collect(),
    };
    let (spec, elastic) = columns(&book.rows);
    let headers: Vec<String> = spec.iter().map(|c| c.0.to_owned()).collect();
    let weights: Vec<f32> = spec.iter().map(|c| c.1).collect();
    let table = Table {
        widths: form_widths(&fonts, &headers, &weights, &rows, 10.0, geometry.content_width(), elastic),
        headers,
        aligns: spec.iter().map(|c| c.2).collect(),
        size: 10.0,
        header_size: 10.0,
        numbered: true,
        padding: 3.0,
    };
    table.draw(&mut flow, rows);

    let mark = book.mark.printed();
    let doc_title = format!("{} năm {} — quyển số {}", title(cover.kind), cover.year, cover.volume);
    write_pdf(&fonts, &flow.pages, &PdfSettings { title: &doc_title, mark: &mark, attachments: &[] })
}

/// The cover page, laid out on the flow's current (first) page.
fn cover(flow: &mut Flow<'_>, cover: &Cover) {
    let g = flow.geometry;
    let header_width = g.content_width() * 0.6;
    let header_x = g.left() + (g.content_width() - header_width) / 2.0;
    flow.organisation_header(cover.parent_organisation.as_deref(), &cover.organisation, header_x, header_width, 14.0);

    flow.y = flow.y.max(g.top() + g.height * 0.22);
    flow.paragraph(g.left(), g.content_width(), title(cover.kind), 28.0, Style::Bold, Align::Center, 36.0);
    flow.gap(28.0);

    let lines = [
        (format!("Năm: {}", cover.year), 18.0, Style::Bold),
        (format!("Từ ngày {} đến ngày {}", cover.from_date, cover.to_date), 15.0, Style::Regular),
        (format!("Từ số {} đến số {}", cover.from_number, cover.to_number), 15.0, Style::Regular),
        (format!("Quyển số: {}", cover.volume), 15.0, Style::Regular),
    ];
    for (text, size, style) in lines {
        flow.paragraph(g.left(), g.content_width(), &text, size, style, Align::Center, size * 1.6);
    }
}
