//! The arrival stamp "ĐẾN" and the print mark, drawn on a PDF without changing a byte of it.
//!
//! Decree 30/2020 App. IV has the records office stamp every incoming document "ĐẾN" on its first
//! page, under the number and notation or in a blank space, and fill in the arrival number, date
//! (and hour), where it was sent and its case file. For a digital original the stamp is drawn
//! on the archive copy: a 50 × 35 mm box with a single red border, the agency's name on top, a
//! big "ĐẾN" with "Số", "Ngày" (and "Giờ") beside it, then "Chuyển" and "Số và ký hiệu HS". Labels
//! are red like the rubber stamp, the filled-in values black, the type Liberation Serif (Times
//! metrics, every Vietnamese letter); a long value is set smaller, never let out of the box.
//!
//! What is printed from the system carries a small line at the foot of every page ([`mark_pages`]):
//! who printed it, when, and "Trang N/M".
//!
//! Both are drawn with krilla on a tiny PDF/A-1b document (fonts embedded and subset, ToUnicode,
//! CIDSet, ICC-based colours, nothing transparent) and appended to the original as an
//! **incremental update** by the private `incremental` module: the input is the exact prefix of
//! the output, and a PDF/A-1b original stays PDF/A-1b. [`suggest_placement`] looks at page 1 with
//! pdfium to put the stamp where there is no ink.
//!
//! The module reads no clock and changes no text: dates and names come formatted and in NFC (as
//! the register stores them); characters the font lacks are drawn as "?".

use krilla::Document;
use krilla::configure::{Archival, ConfigurationBuilder, PdfVersion};
use krilla::geom::{PathBuilder, Point, Rect};
use krilla::page::PageSettings;
use krilla::paint::{Fill, Stroke};
use krilla::text::{Font, GlyphId, KrillaGlyph};
use skrifa::instance::{LocationRef, Size};
use skrifa::metrics::GlyphMetrics;
use skrifa::raw::TableProvider;
use skrifa::{FontRef, MetadataProvider, charmap::Charmap};

use crate::incremental::{Overlay, Target};
use crate::render::Renderer;
use crate::{PdfError, Result};

/// Width of the arrival stamp, in millimetres (App. IV).
pub const STAMP_WIDTH_MM: f32 = 50.0;
/// Height of the arrival stamp, in millimetres (App. IV).
pub const STAMP_HEIGHT_MM: f32 = 35.0;

/// Points per millimetre.
const MM: f32 = 72.0 / 25.4;

/// The stamp's ink: a pure, opaque red.
pub(crate) const RED: (u8, u8, u8) = (220, 0, 0);

/// What is written on the arrival stamp (dấu "ĐẾN"), already formatted.
#[derive(Debug, Clone, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
pub struct ArrivalStamp {
    /// The receiving agency's name (tên cơ quan, tổ chức), written as given (usually capitals).
    pub agency: String,
    /// The arrival number (số đến), e.g. "125".
    pub number: String,
    /// The arrival date (ngày đến), e.g. "21/11/2026".
    pub date: String,
    /// The arrival hour (giờ), e.g. "09:15", when the office records it.
    pub time: Option<String>,
    /// Where the document was sent for handling (chuyển).
    pub forwarded_to: String,
    /// The case file's number and notation (số và ký hiệu hồ sơ).
    pub case_file: String,
}

/// Where the stamp goes: its top-left corner, in millimetres from the top-left corner of page 1
/// **as displayed** (after `/Rotate`, within the crop box).
#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Placement {
    /// From the left edge, in millimetres.
    pub x_mm: f32,
    /// From the top edge, in millimetres.
    pub y_mm: f32,
}

/// The usual place for the stamp on a page of this size: on the left, under the issuer's header
/// (where the number and notation are), kept inside the page.
pub fn default_placement(page_width_mm: f32, page_height_mm: f32) -> Placement {
    let x = 20.0f32.min(page_width_mm - STAMP_WIDTH_MM).max(0.0);
    let y = 45.0f32.min(page_height_mm - STAMP_HEIGHT_MM).max(0.0);
    Placement { x_mm: x, y_mm: y }
}

/// Width and height of page 1 in millimetres, as displayed (crop box, after `/Rotate`).
pub fn page_one_size_mm(pdf: &[u8]) -> Result<(f32, f32)> {
    let target = Target::parse(pdf)?;
    let (w, h) = target.pages()[0].displayed_size();
    Ok((w / MM, h / MM))
}

/// Stamp "ĐẾN" on page 1 at `at`; returns `original` followed by an incremental update.
///
/// A placement that would leave the page is moved back onto it. Fails with
/// [`PdfError::Encrypted`] for an encrypted file and [`PdfError::NotPdf`] or
/// [`PdfError::Malformed`] for what cannot be read safely; never panics.
pub fn stamp_arrival(original: &[u8], stamp: &ArrivalStamp, at: Placement) -> Result<Vec<u8>> {
    let target = Target::parse(original)?;
    let (page_w, page_h) = target.pages()[0].displayed_size();
    let (w, h) = (STAMP_WIDTH_MM * MM, STAMP_HEIGHT_MM * MM);
    let x = clamp(at.x_mm * MM, page_w - w);
    let y = clamp(at.y_mm * MM, page_h - h);
    let fonts = Fonts::load()?;
    let source = write_source(&fonts, &[(w, h, stamp_drawing(&fonts, stamp, w, h))])?;
    target.overlay(&source, &[Overlay { page: 0, source_page: 0, at: (x, y) }], "VanthuStamp")
}

/// Put `text` followed by " — Trang N/M" in small type at the foot of every page; returns `pdf`
/// followed by an incremental update.
///
/// The line is centred 4 mm above the bottom edge as displayed, 7.5 pt, set smaller (down to
/// 5 pt) and then shortened with "…" if the page is too narrow for it.
pub fn mark_pages(pdf: &[u8], text: &str) -> Result<Vec<u8>> {
    let target = Target::parse(pdf)?;
    let fonts = Fonts::load()?;
    let text = fonts.regular.printable(text.trim());
    let count = target.pages().len();
    let mut pages = Vec::with_capacity(count);
    let mut overlays = Vec::with_capacity(count);
    for (index, page) in target.pages().iter().enumerate() {
        let (page_w, page_h) = page.displayed_size();
        let numbering = format!("Trang {}/{count}", index + 1);
        let room = (page_w - 20.0 * MM).max(page_w * 0.8);
        let (line, size) = mark_line(&fonts.regular, &text, &numbering, room);
        let (w, h) = (fonts.regular.width(&line, size) + 2.0, size * 1.5);
        let drawing = vec![Run { x: 1.0, y: size * 1.1, size, bold: false, color: None, text: line }];
        pages.push((w, h, Drawing { runs: drawing, border: None, image: None }));
        let x = clamp((page_w - w) / 2.0, page_w - w);
        let y = clamp(page_h - 4.0 * MM - h, page_h - h);
        overlays.push(Overlay { page: index, source_page: index, at: (x, y) });
    }
    let source = write_source(&fonts, &pages)?;
    target.overlay(&source, &overlays, "VanthuMark")
}

/// The placement on page 1 where the stamp covers the least ink, preferring the usual places:
/// on the left under the issuer's header, then on the right, then anywhere on the page.
///
/// Page 1 is rendered at 2 pixels per millimetre; a pixel darker than light grey counts as ink.
pub fn suggest_placement(renderer: &Renderer, pdf: &[u8]) -> Result<Placement> {
    let (w_mm, h_mm) = renderer.page_size_mm(pdf, 1)?;
    if w_mm < STAMP_WIDTH_MM || h_mm < STAMP_HEIGHT_MM {
        return Ok(default_placement(w_mm, h_mm));
    }
    let width_px = (w_mm * 2.0).round().clamp(50.0, 2000.0) as u32;
    let image = renderer.render_rgb(pdf, 1, width_px)?;
    let px_per_mm = image.width() as f32 / w_mm;
    let right = w_mm - STAMP_WIDTH_MM - 15.0;
    let mut candidates = Vec::new();
    for x in [20.0, right] {
        for y in [45.0, 55.0, 65.0, 75.0, 35.0, 85.0] {
            candidates.push(Placement { x_mm: x, y_mm: y });
        }
    }
    let mut y = 10.0;
    while y + STAMP_HEIGHT_MM <= h_mm - 10.0 {
        let mut x = 10.0;
        while x + STAMP_WIDTH_MM <= w_mm - 10.0 {
            candidates.push(Placement { x_mm: x, y_mm: y });
            x += 10.0;
        }
        y += 10.0;
    }
    candidates.retain(|p| {
        p.x_mm >= 0.0 && p.y_mm >= 0.0 && p.x_mm + STAMP_WIDTH_MM <= w_mm && p.y_mm + STAMP_HEIGHT_MM <= h_mm
    });
    let ink = |p: &Placement| -> u64 {
        // A little margin around the box: the border should not touch text either.
        let x0 = ((p.x_mm - 2.0).max(0.0) * px_per_mm) as u32;
        let y0 = ((p.y_mm - 2.0).max(0.0) * px_per_mm) as u32;
        let x1 = (((p.x_mm + STAMP_WIDTH_MM + 2.0) * px_per_mm) as u32).min(image.width());
        let y1 = (((p.y_mm + STAMP_HEIGHT_MM + 2.0) * px_per_mm) as u32).min(image.height());
        let mut count = 0;
        for yy in y0..y1 {
            for xx in x0..x1 {
                let [r, g, b] = image.get_pixel(xx, yy).0;
                if u32::from(r) + u32::from(g) + u32::from(b) < 3 * 200 {
                    count += 1;
                }
            }
        }
        count
    };
    let scored: Vec<(Placement, u64)> = candidates.iter().map(|p| (*p, ink(p))).collect();
    let least = scored.iter().map(|(_, ink)| *ink).min().unwrap_or(0);
    // A few stray pixels (scanner dust) do not make a place worse than a farther one.
    let tolerance = ((STAMP_WIDTH_MM * STAMP_HEIGHT_MM) * px_per_mm * px_per_mm * 0.002) as u64;
    Ok(scored
        .into_iter()
        .find(|(_, ink)| *ink <= least + tolerance)
        .map_or_else(|| default_placement(w_mm, h_mm), |(p, _)| p))
}

/// Keep a coordinate between 0 and `max` (0 if the page is smaller than the drawing).
fn clamp(value: f32, max: f32) -> f32 {
    let value = if value.is_finite() { value } else { 0.0 };
    value.min(max).max(0.0)
}

/// The mark's text and size: `text — numbering` at 7.5 pt, smaller down to 5 pt, then shortened.
fn mark_line(face: &Face, text: &str, numbering: &str, room: f32) -> (String, f32) {
    let full = if text.is_empty() { numbering.to_owned() } else { format!("{text} — {numbering}") };
    let natural = face.width(&full, 7.5);
    if natural <= room {
        return (full, 7.5);
    }
    let size = (7.5 * room / natural).max(5.0);
    if face.width(&full, size) <= room {
        return (full, size);
    }
    let suffix = format!("… — {numbering}");
    let mut kept: Vec<char> = text.chars().collect();
    while !kept.is_empty() {
        kept.pop();
        let candidate = format!("{}{suffix}", kept.iter().collect::<String>().trim_end());
        if face.width(&candidate, size) <= room {
            return (candidate, size);
        }
    }
    (numbering.to_owned(), size)
}

/// One line of text on a drawing: baseline at `y` from the top, `color` `None` for black.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Run {
    pub(crate) x: f32,
    pub(crate) y: f32,
    pub(crate) size: f32,
    pub(crate) bold: bool,
    pub(crate) color: Option<(u8, u8, u8)>,
    pub(crate) text: String,
}

/// What one page of the source document holds.
#[derive(Debug, Clone, PartialEq, Default)]
pub(crate) struct Drawing {
    pub(crate) runs: Vec<Run>,
    /// A rectangle stroked in red, inset by half its width: the stamp's border.
    pub(crate) border: Option<f32>,
    /// A PNG drawn over the whole page (a seal image; transparency kept, so not PDF/A-1).
    pub(crate) image: Option<Vec<u8>>,
}

/// Lay the stamp out in a `w × h` point box (y down from the top).
fn stamp_drawing(fonts: &Fonts, stamp: &ArrivalStamp, w: f32, h: f32) -> Drawing {
    let pad = 4.0;
    let inner = w - 2.0 * pad;
    let mut runs = Vec::new();

    // The agency, bold and centred, on at most two lines.
    let agency = fonts.bold.printable(stamp.agency.trim());
    let (agency_lines, agency_size) = fit_lines(&fonts.bold, &agency, 9.0, 4.5, inner, 2);
    let agency_leading = agency_size * 1.15;
    let agency_height = agency_leading * agency_lines.len() as f32;

    // "ĐẾN" and its column: Số, Ngày, Giờ.
    let big = 17.0;
    let den_width = fonts.bold.width("ĐẾN", big);
    let column_x = pad + den_width + 5.0;
    let column_width = w - pad - column_x;
    let mut column: Vec<(&str, String)> = vec![("Số:", stamp.number.clone()), ("Ngày:", stamp.date.clone())];
    if let Some(time) = stamp.time.as_ref().filter(|t| !t.trim().is_empty()) {
        column.push(("Giờ:", time.clone()));
    }
    let line = 11.0;
    let block_height = (line * column.len() as f32).max(big * 1.2);

    let rows: [(&str, &str); 2] = [("Chuyển:", &stamp.forwarded_to), ("Số và ký hiệu HS:", &stamp.case_file)];
    let content = agency_height + block_height + line * rows.len() as f32;
    let gap = ((h - 2.0 * pad - content) / 3.0).max(0.0);

    let mut top = pad;
    for text in agency_lines {
        let x = pad + (inner - fonts.bold.width(&text, agency_size)) / 2.0;
        runs.push(Run { x, y: top + agency_size * 0.9, size: agency_size, bold: true, color: Some(RED), text });
        top += agency_leading;
    }
    top += gap;
    let block_top = top;
    runs.push(Run {
        x: pad,
        y: block_top + block_height / 2.0 + big * 0.36,
        size: big,
        bold: true,
        color: Some(RED),
        text: "ĐẾN".into(),
    });
    let column_top = block_top + (block_height - line * column.len() as f32) / 2.0;
    for (i, (label, value)) in column.iter().enumerate() {
        let baseline = column_top + line * i as f32 + 8.5;
        runs.extend(label_value(&fonts.regular, column_x, baseline, column_width, label, value));
    }
    top = block_top + block_height + gap;
    for (i, (label, value)) in rows.iter().enumerate() {
        let baseline = top + line * i as f32 + 8.5;
        runs.extend(label_value(&fonts.regular, pad, baseline, inner, label, value));
    }
    Drawing { runs, border: Some(1.0), image: None }
}

/// "Label: value" on one line of `width` points: red label, black value, 9 pt or smaller (down
/// to 4.5 pt), the value shortened with "…" if even that does not fit.
fn label_value(face: &Face, x: f32, baseline: f32, width: f32, label: &str, value: &str) -> Vec<Run> {
    let value = face.printable(value.trim());
    let measure = |value: &str, size: f32| face.width(label, size) + face.width(" ", size) + face.width(value, size);
    let natural = measure(&value, 9.0);
    let size = if natural <= width { 9.0 } else { (9.0 * width / natural).max(4.5) };
    let mut value = value;
    if measure(&value, size) > width {
        let mut kept: Vec<char> = value.chars().collect();
        while !kept.is_empty() && measure(&format!("{}…", kept.iter().collect::<String>()), size) > width {
            kept.pop();
        }
        value = format!("{}…", kept.iter().collect::<String>());
    }
    let label_width = face.width(label, size) + face.width(" ", size);
    let mut runs = vec![Run { x, y: baseline, size, bold: false, color: Some(RED), text: label.to_owned() }];
    if !value.is_empty() {
        runs.push(Run { x: x + label_width, y: baseline, size, bold: false, color: None, text: value });
    }
    runs
}

/// Break `text` into at most `max_lines` lines of `width` points, at the largest size from
/// `start` down to `min` (in quarter points) that allows it; at `min` the last line is shortened.
fn fit_lines(face: &Face, text: &str, start: f32, min: f32, width: f32, max_lines: usize) -> (Vec<String>, f32) {
    if text.is_empty() {
        return (Vec::new(), start);
    }
    let mut size = start;
    while size >= min {
        let lines = face.wrap(text, size, width);
        if lines.len() <= max_lines {
            return (lines, size);
        }
        size -= 0.25;
    }
    let mut lines = face.wrap(text, min, width);
    let rest: Vec<String> = lines.split_off(max_lines.saturating_sub(1).min(lines.len()));
    let mut last: Vec<char> = rest.join(" ").chars().collect();
    while !last.is_empty() && face.width(&format!("{}…", last.iter().collect::<String>()), min) > width {
        last.pop();
    }
    lines.push(format!("{}…", last.iter().collect::<String>()));
    (lines, min)
}

/// Write the drawings as the pages of a PDF/A-1b document, page sizes in points; with an image
/// (transparent), a PDF 1.7 document instead.
pub(crate) fn write_source(fonts: &Fonts, pages: &[(f32, f32, Drawing)]) -> Result<Vec<u8>> {
    let transparent = pages.iter().any(|(_, _, drawing)| drawing.image.is_some());
    let configuration = if transparent {
        ConfigurationBuilder::new().with_version(PdfVersion::Pdf17).finish()
    } else {
        ConfigurationBuilder::new().with_archival_validator(Archival::A1_B).with_version(PdfVersion::Pdf14).finish()
    }
    .map_err(|e| PdfError::Write(format!("{e:?}")))?;
    let settings = krilla::SerializeSettings { configuration, ..krilla::SerializeSettings::default() };
    let mut document = Document::new_with(settings);
    for (w, h, drawing) in pages {
        let page_settings = PageSettings::from_wh(*w, *h).ok_or_else(|| PdfError::Write("kích thước dấu".into()))?;
        let mut page = document.start_page_with(page_settings);
        let mut surface = page.surface();
        if let Some(png) = &drawing.image {
            let image = krilla::image::Image::from_png(krilla::Data::from(png.clone()), true)
                .map_err(|e| PdfError::UnsupportedImage(format!("ảnh con dấu không phải PNG đọc được ({e})")))?;
            let size = krilla::geom::Size::from_wh(*w, *h).ok_or_else(|| PdfError::Write("kích thước ảnh".into()))?;
            surface.draw_image(image, size);
        }
        if let Some(width) = drawing.border {
            let inset = width / 2.0;
            let rect = Rect::from_ltrb(inset, inset, w - inset, h - inset)
                .ok_or_else(|| PdfError::Write("khung dấu".into()))?;
            let mut path = PathBuilder::new();
            path.push_rect(rect);
            if let Some(path) = path.finish() {
                surface.set_fill(None);
                surface.set_stroke(Some(Stroke { paint: rgb(RED), width, ..Stroke::default() }));
                surface.draw_path(&path);
                surface.set_stroke(None);
            }
        }
        for run in &drawing.runs {
            if run.text.is_empty() {
                continue;
            }
            let face = if run.bold { &fonts.bold } else { &fonts.regular };
            let paint = match run.color {
                Some(color) => rgb(color),
                None => Fill::default().paint,
            };
            surface.set_stroke(None);
            surface.set_fill(Some(Fill { paint, ..Fill::default() }));
            let glyphs = face.glyphs(&run.text);
            surface.draw_glyphs(Point::from_xy(run.x, run.y), &glyphs, face.pdf.clone(), &run.text, run.size, false);
        }
        surface.finish();
        page.finish();
    }
    document.finish().map_err(|e| PdfError::Write(format!("{e:?}")))
}

fn rgb((r, g, b): (u8, u8, u8)) -> krilla::paint::Paint {
    krilla::color::rgb::Color::new(r, g, b).into()
}

static REGULAR: &[u8] = include_bytes!("../../../assets/fonts/LiberationSerif-Regular.ttf");
static BOLD: &[u8] = include_bytes!("../../../assets/fonts/LiberationSerif-Bold.ttf");

/// One face of Liberation Serif: the font for krilla plus what measuring needs.
pub(crate) struct Face {
    pdf: Font,
    charmap: Charmap<'static>,
    metrics: GlyphMetrics<'static>,
    units_per_em: f32,
}

impl Face {
    fn load(data: &'static [u8], name: &str) -> Result<Face> {
        let font_ref = FontRef::new(data).map_err(|e| PdfError::Font(format!("{name}: {e}")))?;
        let units_per_em = font_ref.head().map_err(|e| PdfError::Font(format!("{name}: {e}")))?.units_per_em();
        if units_per_em == 0 {
            return Err(PdfError::Font(format!("{name}: unitsPerEm = 0")));
        }
        let pdf = Font::new(krilla::Data::from(data), 0).ok_or_else(|| PdfError::Font(name.to_owned()))?;
        Ok(Face {
            pdf,
            charmap: font_ref.charmap(),
            metrics: font_ref.glyph_metrics(Size::unscaled(), LocationRef::default()),
            units_per_em: f32::from(units_per_em),
        })
    }

    /// `text` with control characters dropped and characters the font lacks replaced by "?".
    pub(crate) fn printable(&self, text: &str) -> String {
        text.chars().filter(|c| !c.is_control()).map(|c| if self.charmap.map(c).is_some() { c } else { '?' }).collect()
    }

    /// Glyph id and advance (in em) of one character.
    pub(crate) fn glyph(&self, c: char) -> (GlyphId, f32) {
        let id = self.charmap.map(c).or_else(|| self.charmap.map('?')).unwrap_or_default();
        let advance = self.metrics.advance_width(id).unwrap_or(0.0) / self.units_per_em;
        (GlyphId::new(id.to_u32()), advance)
    }

    /// Width of `text` in points at `size`.
    pub(crate) fn width(&self, text: &str, size: f32) -> f32 {
        text.chars().filter(|c| !c.is_control()).map(|c| self.glyph(c).1).sum::<f32>() * size
    }

    /// One glyph per character (text in NFC: each Vietnamese letter is one precomposed glyph),
    /// each pointing back at its bytes in `text` for the ToUnicode map.
    pub(crate) fn glyphs(&self, text: &str) -> Vec<KrillaGlyph> {
        text.char_indices()
            .filter(|(_, c)| !c.is_control())
            .map(|(at, c)| {
                let (id, advance) = self.glyph(c);
                KrillaGlyph::new(id, advance, 0.0, 0.0, 0.0, at..at + c.len_utf8(), None)
            })
            .collect()
    }

    /// Break `text` at spaces into lines no wider than `max` points (a word too long for a line
    /// is broken between characters).
    pub(crate) fn wrap(&self, text: &str, size: f32, max: f32) -> Vec<String> {
        let mut lines = Vec::new();
        let mut line = String::new();
        for word in text.split_whitespace() {
            let candidate = if line.is_empty() { word.to_owned() } else { format!("{line} {word}") };
            if self.width(&candidate, size) <= max {
                line = candidate;
                continue;
            }
            if !line.is_empty() {
                lines.push(std::mem::take(&mut line));
            }
            for c in word.chars() {
                line.push(c);
                if self.width(&line, size) > max && line.chars().count() > 1 {
                    line.pop();
                    lines.push(std::mem::replace(&mut line, c.to_string()));
                }
            }
        }
        if !line.is_empty() {
            lines.push(line);
        }
        lines
    }
}

/// The faces the stamp and the mark use.
pub(crate) struct Fonts {
    pub(crate) regular: Face,
    pub(crate) bold: Face,
}

impl Fonts {
    pub(crate) fn load() -> Result<Fonts> {
        Ok(Fonts {
            regular: Face::load(REGULAR, "LiberationSerif-Regular")?,
            bold: Face::load(BOLD, "LiberationSerif-Bold")?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fonts() -> Fonts {
        Fonts::load().expect("bundled fonts")
    }

    #[test]
    fn every_line_of_the_stamp_stays_in_the_box() {
        let fonts = fonts();
        let (w, h) = (STAMP_WIDTH_MM * MM, STAMP_HEIGHT_MM * MM);
        let long = "Phòng Tài nguyên và Môi trường, Ủy ban nhân dân huyện Phú Lương, tỉnh Thái Nguyên ".repeat(3);
        for stamp in [
            ArrivalStamp {
                agency: "ỦY BAN NHÂN DÂN TỈNH THÁI NGUYÊN".into(),
                number: "125".into(),
                date: "21/11/2026".into(),
                time: Some("09:15".into()),
                forwarded_to: "Phòng Hành chính".into(),
                case_file: "05/HS-VP".into(),
            },
            ArrivalStamp {
                agency: long.to_uppercase(),
                number: "1234567890".repeat(5),
                date: long.clone(),
                time: None,
                forwarded_to: long.clone(),
                case_file: long.clone(),
            },
            ArrivalStamp::default(),
        ] {
            let drawing = stamp_drawing(&fonts, &stamp, w, h);
            for run in &drawing.runs {
                let face = if run.bold { &fonts.bold } else { &fonts.regular };
                let width = face.width(&run.text, run.size);
                assert!(run.x >= 0.0 && run.x + width <= w - 3.0, "{run:?} is {width} wide");
                assert!(run.y - run.size * 0.9 >= 1.0 && run.y + run.size * 0.25 <= h - 1.0, "{run:?}");
                assert!(run.size >= 4.5, "{run:?}");
            }
        }
    }

    #[test]
    fn the_mark_fits_or_is_shortened() {
        let fonts = fonts();
        let (line, size) = mark_line(&fonts.regular, "In từ hệ thống Vanthu", "Trang 1/3", 500.0);
        assert_eq!((line.as_str(), size), ("In từ hệ thống Vanthu — Trang 1/3", 7.5));
        let (line, size) = mark_line(&fonts.regular, &"rất dài ".repeat(100), "Trang 2/3", 200.0);
        assert!(line.ends_with("… — Trang 2/3"), "{line}");
        assert!(fonts.regular.width(&line, size) <= 200.0);
    }

    #[test]
    fn default_placement_stays_on_small_pages() {
        assert_eq!(default_placement(210.0, 297.0), Placement { x_mm: 20.0, y_mm: 45.0 });
        assert_eq!(default_placement(60.0, 40.0), Placement { x_mm: 10.0, y_mm: 5.0 });
        assert_eq!(default_placement(30.0, 20.0), Placement { x_mm: 0.0, y_mm: 0.0 });
    }
}
