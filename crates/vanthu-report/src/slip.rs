//! The handling slip (phiếu giải quyết văn bản đến) that travels with an incoming document.
//!
//! A leader writes directions on it, names who leads and who helps and by when; the handlers
//! note their proposals and progress. The slip printed from the system shows what is already
//! recorded and leaves dotted blanks for what is not, so the same sheet works whether the
//! directions were given in the software or are still to be written by hand.
//!
//! Layout only: the slip shows the data it is given and decides nothing about who may direct or
//! handle a document.

use crate::font::{Fonts, Style};
use crate::layout::{Align, Flow, Geometry, PdfSettings, write_pdf};
use crate::table::{Table, auto_widths};
use crate::{HandlingSlip, ReportError};

const SIZE: f32 = 13.0;
const LEADING: f32 = 18.0;

pub(crate) fn pdf(slip: &HandlingSlip) -> Result<Vec<u8>, ReportError> {
    let fonts = Fonts::load()?;
    let geometry = Geometry::A4_PORTRAIT;
    let mut flow = Flow::new(&fonts, geometry);
    let g = geometry;

    let header_width = g.content_width() * 0.55;
    flow.organisation_header(slip.parent_organisation.as_deref(), &slip.organisation, g.left(), header_width, 12.0);
    flow.gap(14.0);
    flow.paragraph(g.left(), g.content_width(), "PHIẾU GIẢI QUYẾT VĂN BẢN ĐẾN", 15.0, Style::Bold, Align::Center, 20.0);
    flow.gap(10.0);

    let type_and_subject = [slip.type_name.trim(), slip.subject.trim()]
        .iter()
        .filter(|s| !s.is_empty())
        .copied()
        .collect::<Vec<_>>()
        .join(" ");
    flow.label_value("Số đến:", &slip.arrival_number, SIZE, LEADING);
    flow.label_value("Ngày đến:", &slip.arrival_date, SIZE, LEADING);
    flow.label_value("Tác giả:", &slip.author, SIZE, LEADING);
    flow.label_value("Số, ký hiệu:", &slip.code, SIZE, LEADING);
    flow.label_value("Ngày tháng văn bản:", &slip.document_date, SIZE, LEADING);
    flow.label_value("Tên loại và trích yếu:", &type_and_subject, SIZE, LEADING);
    if let Some(urgency) = slip.urgency.as_deref().filter(|u| !u.trim().is_empty()) {
        flow.label_value("Độ khẩn:", urgency, SIZE, LEADING);
    }

    section(&mut flow, "Ý kiến của lãnh đạo:");
    match slip.directions.as_deref().filter(|d| !d.trim().is_empty()) {
        Some(directions) => {
            flow.paragraph(g.left(), g.content_width(), directions, SIZE, Style::Regular, Align::Left, LEADING)
        }
        None => blanks(&mut flow, 3),
    }
    flow.gap(4.0);
    flow.label_value("Đơn vị/người chủ trì:", slip.lead.as_deref().unwrap_or(""), SIZE, LEADING);
    flow.label_value("Đơn vị/người phối hợp:", &slip.co_handlers.join("; "), SIZE, LEADING);
    flow.label_value("Hạn giải quyết:", slip.deadline.as_deref().unwrap_or(""), SIZE, LEADING);
    signature(&mut flow, slip.assigned_at.as_deref(), slip.assigned_by.as_deref());

    section(&mut flow, "Ý kiến đề xuất / tiến độ của người giải quyết:");
    if slip.progress.is_empty() {
        blanks(&mut flow, 5);
    } else {
        let headers: Vec<String> =
            ["Thời gian", "Người thực hiện", "Trạng thái", "Nội dung"].iter().map(|s| (*s).to_owned()).collect();
        let rows: Vec<Vec<String>> =
            slip.progress.iter().map(|p| vec![p.at.clone(), p.by.clone(), p.status.clone(), p.note.clone()]).collect();
        let table = Table {
            widths: auto_widths(&fonts, &headers, &rows, 11.0, g.content_width()),
            headers,
            aligns: vec![Align::Left; 4],
            size: 11.0,
            header_size: 11.0,
            numbered: false,
            padding: 3.0,
        };
        table.draw(&mut flow, rows);
    }

    let mark = slip.mark.printed();
    let title = format!("Phiếu giải quyết văn bản đến số {}", slip.arrival_number);
    write_pdf(&fonts, &flow.pages, &PdfSettings { title: &title, mark: &mark, attachments: &[] })
}

/// A bold section heading with some air above it.
fn section(flow: &mut Flow<'_>, heading: &str) {
    flow.gap(10.0);
    flow.ensure(LEADING * 3.0);
    let g = flow.geometry;
    flow.paragraph(g.left(), g.content_width(), heading, SIZE, Style::Bold, Align::Left, LEADING);
    flow.gap(2.0);
}

/// `count` dotted lines to write on by hand.
fn blanks(flow: &mut Flow<'_>, count: usize) {
    let g = flow.geometry;
    for _ in 0..count {
        flow.ensure(LEADING);
        let baseline = flow.y + SIZE + 1.5;
        flow.dotted_line(g.left(), g.right(), baseline);
        flow.y += LEADING;
    }
}

/// The leader's date and name, right of centre, as under a signature.
fn signature(flow: &mut Flow<'_>, at: Option<&str>, by: Option<&str>) {
    let g = flow.geometry;
    let x = g.left() + g.content_width() * 0.45;
    let width = g.content_width() * 0.55;
    flow.gap(6.0);
    flow.ensure(LEADING * 2.0);
    match at.filter(|a| !a.trim().is_empty()) {
        Some(at) => flow.paragraph(x, width, at, SIZE - 1.0, Style::Italic, Align::Center, LEADING),
        None => flow.paragraph(x, width, "Ngày …… tháng …… năm ……", SIZE - 1.0, Style::Italic, Align::Center, LEADING),
    }
    flow.paragraph(x, width, "LÃNH ĐẠO", SIZE, Style::Bold, Align::Center, LEADING);
    match by.filter(|b| !b.trim().is_empty()) {
        Some(by) => {
            flow.gap(LEADING);
            flow.paragraph(x, width, by, SIZE, Style::Bold, Align::Center, LEADING);
        }
        None => flow.gap(LEADING * 2.0),
    }
}
