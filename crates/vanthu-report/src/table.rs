//! Ruled tables that wrap their cells and break across pages.
//!
//! Register books, search results and the case-file catalogue are all the same thing on paper: a
//! ruled grid with a header row. Cells wrap by measured glyph widths, a row is as tall as its
//! tallest cell, and when a row does not fit above the bottom margin the page ends and the header
//! row is drawn again at the top of the next one. A row too tall for any page (a 2,000-character
//! subject in a narrow column) is split between pages rather than cut off: no text is ever lost.
//!
//! The table knows nothing of registers: it takes header titles, column widths and rows of
//! strings. Column widths either come from the caller (official forms have fixed proportions) or
//! from [`auto_widths`], which gives each column room in proportion to its content.

use crate::font::{Fonts, Style};
use crate::layout::{Align, Flow, Op};

/// How a table looks.
pub(crate) struct Table {
    pub headers: Vec<String>,
    /// Width of each column in points; the table starts at the left margin.
    pub widths: Vec<f32>,
    pub aligns: Vec<Align>,
    /// Body text size.
    pub size: f32,
    /// Header text size.
    pub header_size: f32,
    /// Print the "(1) (2) …" row under the header, as the official register forms do.
    pub numbered: bool,
    /// Space between a cell's border and its text.
    pub padding: f32,
}

impl Table {
    fn leading(&self, size: f32) -> f32 {
        size * 1.2
    }

    fn column_x(&self, left: f32) -> Vec<f32> {
        let mut xs = Vec::with_capacity(self.widths.len() + 1);
        let mut x = left;
        xs.push(x);
        for w in &self.widths {
            x += w;
            xs.push(x);
        }
        xs
    }

    fn wrap_cells(&self, fonts: &Fonts, cells: &[String], style: Style, size: f32) -> Vec<Vec<String>> {
        self.widths
            .iter()
            .enumerate()
            .map(|(i, w)| {
                let text = cells.get(i).map(String::as_str).unwrap_or("");
                fonts.face(style).wrap(text, size, w - 2.0 * self.padding)
            })
            .collect()
    }

    /// Height of the header band(s).
    fn header_height(&self, header: &[Vec<String>]) -> f32 {
        let lines = header.iter().map(Vec::len).max().unwrap_or(0).max(1);
        let mut h = lines as f32 * self.leading(self.header_size) + 2.0 * self.padding;
        if self.numbered {
            h += self.leading(self.size) + self.padding;
        }
        h
    }

    fn draw_header(&self, flow: &mut Flow<'_>, header: &[Vec<String>]) {
        let left = flow.geometry.left();
        let xs = self.column_x(left);
        let right = xs.last().copied().unwrap_or(left);
        let top = flow.y;
        let leading = self.leading(self.header_size);
        let lines = header.iter().map(Vec::len).max().unwrap_or(0).max(1);
        let band = lines as f32 * leading + 2.0 * self.padding;
        flow.rule(left, right, top, 0.8);
        for (i, cell) in header.iter().enumerate() {
            let (Some(x), Some(w)) = (xs.get(i), self.widths.get(i)) else { continue };
            // Centre the header text vertically in the band.
            let offset = (lines - cell.len()) as f32 * leading / 2.0;
            for (j, line) in cell.iter().enumerate() {
                let baseline = top + self.padding + offset + j as f32 * leading + self.header_size * 0.98;
                flow.text_in(
                    x + self.padding,
                    baseline,
                    w - 2.0 * self.padding,
                    self.header_size,
                    Style::Bold,
                    Align::Center,
                    line.clone(),
                );
            }
        }
        let mut bottom = top + band;
        flow.rule(left, right, bottom, 0.8);
        if self.numbered {
            let number_band = self.leading(self.size) + self.padding;
            for (i, (x, w)) in xs.iter().zip(&self.widths).enumerate() {
                let baseline = bottom + self.padding / 2.0 + self.size * 0.98;
                let text = format!("({})", i + 1);
                flow.text_in(*x, baseline, *w, self.size, Style::Italic, Align::Center, text);
            }
            bottom += number_band;
            flow.rule(left, right, bottom, 0.8);
        }
        for x in &xs {
            flow.push(Op::Line { x1: *x, y1: top, x2: *x, y2: bottom, width: 0.8, dotted: false });
        }
        flow.y = bottom;
    }

    /// Draw lines `from..to` of a wrapped row as one band at the cursor.
    fn draw_band(&self, flow: &mut Flow<'_>, cells: &[Vec<String>], from: usize, to: usize) {
        let left = flow.geometry.left();
        let xs = self.column_x(left);
        let right = xs.last().copied().unwrap_or(left);
        let leading = self.leading(self.size);
        let top = flow.y;
        let height = (to - from).max(1) as f32 * leading + 2.0 * self.padding;
        for (i, cell) in cells.iter().enumerate() {
            let (Some(x), Some(w), Some(align)) = (xs.get(i), self.widths.get(i), self.aligns.get(i)) else {
                continue;
            };
            let shown = cell.get(from..to.min(cell.len())).unwrap_or_default();
            for (k, line) in shown.iter().enumerate() {
                let baseline = top + self.padding + k as f32 * leading + self.size * 0.98;
                flow.text_in(
                    x + self.padding,
                    baseline,
                    w - 2.0 * self.padding,
                    self.size,
                    Style::Regular,
                    *align,
                    line.clone(),
                );
            }
        }
        let bottom = top + height;
        flow.rule(left, right, bottom, 0.5);
        for x in &xs {
            flow.push(Op::Line { x1: *x, y1: top, x2: *x, y2: bottom, width: 0.5, dotted: false });
        }
        flow.y = bottom;
    }

    /// Lay the table out at the flow's cursor: header, then every row, breaking pages as needed.
    pub(crate) fn draw(&self, flow: &mut Flow<'_>, rows: impl IntoIterator<Item = Vec<String>>) {
        let fonts = flow.fonts;
        let header = self.wrap_cells(fonts, &self.headers, Style::Bold, self.header_size);
        let header_height = self.header_height(&header);
        let leading = self.leading(self.size);
        let band_extra = 2.0 * self.padding;
        // Keep the header with at least one body line.
        flow.ensure(header_height + leading + band_extra);
        self.draw_header(flow, &header);
        let mut fresh = true;
        for row in rows {
            let cells = self.wrap_cells(fonts, &row, Style::Regular, self.size);
            let total = cells.iter().map(Vec::len).max().unwrap_or(0).max(1);
            let mut start = 0;
            while start < total {
                let need = (total - start) as f32 * leading + band_extra;
                if flow.remaining() >= need {
                    self.draw_band(flow, &cells, start, total);
                    fresh = false;
                    break;
                }
                let capacity_fresh =
                    ((flow.geometry.bottom() - flow.geometry.top() - header_height - band_extra) / leading).floor();
                let rest_fits_fresh_page = (total - start) as f32 <= capacity_fresh;
                if !fresh && (rest_fits_fresh_page || flow.remaining() < band_extra + 2.0 * leading) {
                    flow.new_page();
                    self.draw_header(flow, &header);
                    fresh = true;
                    continue;
                }
                // Split: as many lines as fit here (at least one, so the loop always ends).
                let fit = (((flow.remaining() - band_extra) / leading).floor().max(1.0) as usize).min(total - start);
                self.draw_band(flow, &cells, start, start + fit);
                start += fit;
                fresh = false;
                if start < total {
                    flow.new_page();
                    self.draw_header(flow, &header);
                    fresh = true;
                }
            }
        }
    }
}

/// Fixed proportions (`weights`) for an official form, widened where a header word or a cell's
/// longest word (a notation like "52/2019/QĐ-UBND") would not fit. The room is taken from the
/// `elastic` column (the free-text one) first, then from the others in proportion to their slack.
pub(crate) fn form_widths(
    fonts: &Fonts,
    headers: &[String],
    weights: &[f32],
    rows: &[Vec<String>],
    size: f32,
    total: f32,
    elastic: usize,
) -> Vec<f32> {
    let weight: f32 = weights.iter().sum();
    if weights.is_empty() || weight <= 0.0 {
        return Vec::new();
    }
    let mut widths: Vec<f32> = weights.iter().map(|w| w / weight * total).collect();
    let padding = 6.5;
    let longest_word = |style: Style, text: &str| -> f32 {
        text.split_whitespace().map(|w| fonts.face(style).width(w, size)).fold(0.0, f32::max)
    };
    let mut mins: Vec<f32> = headers.iter().map(|h| longest_word(Style::Bold, h)).collect();
    mins.resize(widths.len(), 0.0);
    for row in rows.iter().take(2_000) {
        for (i, cell) in row.iter().enumerate().take(mins.len()) {
            mins[i] = mins[i].max(longest_word(Style::Regular, cell));
        }
    }
    let mins: Vec<f32> = mins.iter().map(|m| (m + padding).min(total / 4.0)).collect();
    let mut deficit = 0.0;
    for (w, m) in widths.iter_mut().zip(&mins) {
        if *w < *m {
            deficit += *m - *w;
            *w = *m;
        }
    }
    if deficit <= 0.0 {
        return widths;
    }
    if let (Some(w), Some(m)) = (widths.get_mut(elastic), mins.get(elastic)) {
        let take = (*w - m).max(0.0).min(deficit);
        *w -= take;
        deficit -= take;
    }
    let slack: f32 = widths.iter().zip(&mins).map(|(w, m)| (w - m).max(0.0)).sum();
    if deficit > 0.0 && slack > 0.0 {
        let share = (deficit / slack).min(1.0);
        for (w, m) in widths.iter_mut().zip(&mins) {
            *w -= (*w - m).max(0.0) * share;
        }
    }
    // Still too wide (too many words too long for the page): scale down, wrapping inside words.
    let sum: f32 = widths.iter().sum();
    if sum > total && sum > 0.0 {
        widths.iter_mut().for_each(|w| *w *= total / sum);
    }
    widths
}

/// Column widths summing to `total`: each column gets at least its longest word (or a share of the
/// page when that is impossible), and the rest goes to the columns with the most text.
pub(crate) fn auto_widths(fonts: &Fonts, headers: &[String], rows: &[Vec<String>], size: f32, total: f32) -> Vec<f32> {
    let n = headers.len();
    if n == 0 {
        return Vec::new();
    }
    let padding = 6.0;
    let regular = fonts.face(Style::Regular);
    let bold = fonts.face(Style::Bold);
    let mut min = vec![0.0f32; n];
    let mut want = vec![0.0f32; n];
    let longest_word = |face: &crate::font::Face, text: &str| -> f32 {
        text.split_whitespace().map(|w| face.width(w, size)).fold(0.0, f32::max)
    };
    for (i, h) in headers.iter().enumerate() {
        // Short headers stay on one line when the page allows it.
        min[i] = longest_word(bold, h).max(bold.width(h, size).min(total / n as f32 - padding)).min(total / 4.0);
        want[i] = bold.width(h, size).min(total / 3.0);
    }
    // A sample is enough to judge proportions; measuring a million rows would not change them.
    for row in rows.iter().take(500) {
        for (i, cell) in row.iter().enumerate().take(n) {
            min[i] = min[i].max(longest_word(regular, cell).min(total / 4.0));
            want[i] = want[i].max(regular.width(cell, size).min(total));
        }
    }
    let min: Vec<f32> = min.iter().map(|m| m + padding).collect();
    let want: Vec<f32> = want.iter().zip(&min).map(|(w, m)| (w + padding).max(*m)).collect();
    let min_sum: f32 = min.iter().sum();
    if min_sum >= total || min_sum <= 0.0 {
        let scale = if min_sum > 0.0 { total / min_sum } else { 0.0 };
        return if scale > 0.0 { min.iter().map(|m| m * scale).collect() } else { vec![total / n as f32; n] };
    }
    let want_sum: f32 = want.iter().sum();
    if want_sum <= total {
        // Everything fits on one line: spread the spare room in proportion.
        let scale = total / want_sum;
        return want.iter().map(|w| w * scale).collect();
    }
    let spare = total - min_sum;
    let extra: Vec<f32> = want.iter().zip(&min).map(|(w, m)| w - m).collect();
    let extra_sum: f32 = extra.iter().sum();
    min.iter().zip(&extra).map(|(m, e)| m + if extra_sum > 0.0 { spare * e / extra_sum } else { 0.0 }).collect()
}
