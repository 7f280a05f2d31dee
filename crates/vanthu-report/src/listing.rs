//! Any table on paper: search results, lists, whatever a clerk chose to print.
//!
//! Domain §9: search results can be exported and every printout the system produces is marked.
//! The table is printed on A4 landscape under its title and subtitle, columns sized to their
//! content ([`auto_widths`]), header repeated on every page, the mark on every foot.
//!
//! It prints cells as given: no sorting, no formatting, no guessing of types.

use crate::font::{Fonts, Style};
use crate::layout::{Align, Flow, Geometry, PdfSettings, write_pdf};
use crate::table::{Table as Grid, auto_widths};
use crate::{ReportError, Table};

/// The columns of `table`, widened to its widest row so no cell is silently dropped.
pub(crate) fn normalised(table: &Table) -> (Vec<String>, Vec<Vec<String>>) {
    let width = table.rows.iter().map(Vec::len).max().unwrap_or(0).max(table.columns.len());
    let mut headers = table.columns.clone();
    headers.resize(width, String::new());
    let rows = table
        .rows
        .iter()
        .map(|row| {
            let mut row = row.clone();
            row.resize(width, String::new());
            row
        })
        .collect();
    (headers, rows)
}

pub(crate) fn pdf(table: &Table) -> Result<Vec<u8>, ReportError> {
    let fonts = Fonts::load()?;
    let geometry = Geometry::A4_LANDSCAPE;
    let g = geometry;
    let mut flow = Flow::new(&fonts, geometry);
    flow.paragraph(g.left(), g.content_width(), &table.title, 14.0, Style::Bold, Align::Center, 18.0);
    if let Some(subtitle) = table.subtitle.as_deref().filter(|s| !s.trim().is_empty()) {
        flow.paragraph(g.left(), g.content_width(), subtitle, 11.0, Style::Italic, Align::Center, 14.0);
    }
    flow.gap(8.0);
    let (headers, rows) = normalised(table);
    if headers.is_empty() {
        flow.paragraph(g.left(), g.content_width(), "(không có dữ liệu)", 11.0, Style::Italic, Align::Center, 14.0);
    } else {
        let size = if headers.len() > 12 { 8.0 } else { 10.0 };
        let grid = Grid {
            widths: auto_widths(&fonts, &headers, &rows, size, g.content_width()),
            aligns: vec![Align::Left; headers.len()],
            headers,
            size,
            header_size: size,
            numbered: false,
            padding: 3.0,
        };
        grid.draw(&mut flow, rows);
    }
    let mark = table.mark.printed();
    write_pdf(&fonts, &flow.pages, &PdfSettings { title: &table.title, mark: &mark, attachments: &[] })
}
