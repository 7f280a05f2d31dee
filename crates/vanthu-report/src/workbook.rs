//! Any table as an Excel workbook, for clerks who sort and count in a spreadsheet.
//!
//! One worksheet: the title, the subtitle, the export mark ("Xuất từ hệ thống Vanthu bởi …")
//! in a row of its own, then a bold header row that stays frozen while scrolling and filters,
//! then the rows. Every cell is written as text: "07" is a register number, not seven, and a
//! code like "1e5" must not turn into a hundred thousand. Printed from Excel, the sheet is A4
//! landscape with the header repeated and the mark in the footer.
//!
//! It writes what it is given and refuses only what Excel itself cannot hold.

use rust_xlsxwriter::{Format, FormatAlign, FormatBorder, Workbook, XlsxError};

use crate::listing::normalised;
use crate::{ReportError, Table};

const ROW_MAX: usize = 1_048_576;
const COL_MAX: usize = 16_384;
/// Excel's limit on the characters in one cell.
const CELL_MAX: usize = 32_767;

fn xlsx_error(e: XlsxError) -> ReportError {
    ReportError::Xlsx(e.to_string())
}

/// Cut `text` to what one cell can hold.
fn cell(text: &str) -> &str {
    match text.char_indices().nth(CELL_MAX) {
        Some((at, _)) => &text[..at],
        None => text,
    }
}

pub(crate) fn xlsx(table: &Table) -> Result<Vec<u8>, ReportError> {
    let (headers, rows) = normalised(table);
    let subtitle = table.subtitle.as_deref().filter(|s| !s.trim().is_empty());
    let header_row = if subtitle.is_some() { 4 } else { 3 };
    let total_rows = header_row + 1 + rows.len();
    if total_rows > ROW_MAX || headers.len() > COL_MAX {
        return Err(ReportError::TooLarge { rows: total_rows, columns: headers.len() });
    }

    let title_format = Format::new().set_bold().set_font_size(14);
    let subtitle_format = Format::new().set_italic();
    let mark_format = Format::new().set_italic().set_font_size(9);
    let header_format = Format::new()
        .set_bold()
        .set_text_wrap()
        .set_align(FormatAlign::Center)
        .set_align(FormatAlign::VerticalCenter)
        .set_border(FormatBorder::Thin)
        .set_background_color(0xE7E6E6);
    let body_format =
        Format::new().set_text_wrap().set_align(FormatAlign::Top).set_border(FormatBorder::Thin).set_num_format("@");

    let mut workbook = Workbook::new();
    let sheet = workbook.add_worksheet();
    sheet.set_name("Bảng").map_err(xlsx_error)?;
    sheet.set_landscape().set_paper_size(9);

    let mut row: u32 = 0;
    sheet.write_string_with_format(row, 0, cell(&table.title), &title_format).map_err(xlsx_error)?;
    row += 1;
    if let Some(subtitle) = subtitle {
        sheet.write_string_with_format(row, 0, cell(subtitle), &subtitle_format).map_err(xlsx_error)?;
        row += 1;
    }
    let mark = table.mark.exported();
    sheet.write_string_with_format(row, 0, cell(&mark), &mark_format).map_err(xlsx_error)?;

    // The footer is a format string: "&" starts a code, so it is doubled; Excel keeps 255 chars.
    let footer_mark: String = mark.replace('&', "&&").chars().take(200).collect();
    sheet.set_footer(format!("&L&8{footer_mark}&R&8Trang &P/&N"));

    let header_row = header_row as u32;
    for (col, title) in headers.iter().enumerate() {
        sheet.write_string_with_format(header_row, col as u16, cell(title), &header_format).map_err(xlsx_error)?;
    }
    for (i, values) in rows.iter().enumerate() {
        let r = header_row + 1 + i as u32;
        for (col, value) in values.iter().enumerate() {
            sheet.write_string_with_format(r, col as u16, cell(value), &body_format).map_err(xlsx_error)?;
        }
    }

    // Widths in characters: the longest of the header and a sample of cells, within reason.
    for (col, title) in headers.iter().enumerate() {
        let longest = rows
            .iter()
            .take(1_000)
            .filter_map(|r| r.get(col))
            .map(|v| v.chars().count())
            .chain(std::iter::once(title.chars().count() + 2))
            .max()
            .unwrap_or(0);
        let width = (longest as f64 * 1.1).clamp(8.0, 60.0);
        sheet.set_column_width(col as u16, width).map_err(xlsx_error)?;
    }

    if !headers.is_empty() {
        let last_col = (headers.len() - 1) as u16;
        let last_row = header_row + rows.len() as u32;
        sheet.set_freeze_panes(header_row + 1, 0).map_err(xlsx_error)?;
        sheet.autofilter(header_row, 0, last_row, last_col).map_err(xlsx_error)?;
        sheet.set_repeat_rows(header_row, header_row).map_err(xlsx_error)?;
    }
    workbook.save_to_buffer().map_err(xlsx_error)
}
