//! What the organisation's signature looks like on the page (Decree 30/2020 App. I).
//!
//! - On an **issued** document: the number and the date written at their places, and the
//!   organisation's **seal image** (red, transparent PNG, at its real size) over about the left third
//!   of the competent person's signature. All three are widgets of the organisation's one signature
//!   field, so a reader sees them as part of that signature and the signer's earlier signature sees
//!   only a signature added (form filling), never a change of its page.
//! - On a **copy** (sao y) or an **attachment**: no image, three lines at the top right of page 1 —
//!   "SAO Y" (or the attachment's number), the organisation's name, and the signing time in ISO 8601
//!   with +07:00 — in Liberation Serif (Times metrics) 10 pt, black.
//!
//! This module only draws: each appearance is one page of a small source PDF whose size is the
//! widget's; [`crate::signature::prepare`] turns those pages into the widgets' appearance streams.
//! Placements are millimetres from the top-left of the page as displayed.

use crate::stamp::{Drawing, Fonts, Run, write_source};
use crate::{PdfError, Result};

const PT_PER_MM: f32 = 72.0 / 25.4;

/// One appearance to draw and where it goes.
#[derive(Clone, Debug, PartialEq)]
pub struct Area {
    /// Left edge, mm from the page's left as displayed.
    pub x_mm: f32,
    /// Top edge, mm from the page's top as displayed.
    pub y_mm: f32,
    /// Width in mm.
    pub width_mm: f32,
    /// Height in mm.
    pub height_mm: f32,
}

/// The drawn appearances: a PDF whose page `i` is the appearance of `boxes[i]`.
#[derive(Clone, Debug)]
pub struct Appearance {
    /// The source PDF.
    pub pdf: Vec<u8>,
    /// Where each page goes (same order).
    pub boxes: Vec<Area>,
}

/// The lines of a copy's or an attachment's mark.
#[derive(Clone, Debug, PartialEq)]
pub struct CopyMark {
    /// "SAO Y", or the attachment's number ("PL 01/2026").
    pub form: String,
    /// The organisation's name.
    pub organisation: String,
    /// The signing time, ISO 8601 with the Vietnam offset: `2026-03-05T14:30:00+07:00`.
    pub signed_at: String,
}

/// Size of the copy mark's text.
pub const COPY_MARK_SIZE_PT: f32 = 10.0;
/// Margin of the copy mark from the page's top and right edges.
pub const COPY_MARK_MARGIN_MM: f32 = 10.0;

/// The copy mark at the top right of a page `page_width_mm` wide (or at `at`, the clerk's choice of
/// its top-left corner).
pub fn copy_mark(mark: &CopyMark, page_width_mm: f32, at: Option<(f32, f32)>) -> Result<Appearance> {
    let fonts = Fonts::load()?;
    let lines: Vec<String> = [&mark.form, &mark.organisation, &mark.signed_at]
        .iter()
        .map(|line| fonts.regular.printable(line.trim()))
        .filter(|line| !line.is_empty())
        .collect();
    if lines.is_empty() {
        return Err(PdfError::Write("dấu sao y không có nội dung".into()));
    }
    let size = COPY_MARK_SIZE_PT;
    let leading = size * 1.2;
    let pad = 2.0;
    let widest = lines.iter().map(|line| fonts.regular.width(line, size)).fold(0.0, f32::max);
    let w = widest + 2.0 * pad;
    let h = leading * lines.len() as f32 + 2.0 * pad;
    let runs = lines
        .iter()
        .enumerate()
        .map(|(i, text)| Run {
            // Right-aligned, as it sits against the page's right margin.
            x: w - pad - fonts.regular.width(text, size),
            y: pad + leading * i as f32 + size * 0.9,
            size,
            bold: false,
            color: None,
            text: text.clone(),
        })
        .collect();
    let (width_mm, height_mm) = (w / PT_PER_MM, h / PT_PER_MM);
    let (x_mm, y_mm) = at.unwrap_or(((page_width_mm - COPY_MARK_MARGIN_MM - width_mm).max(0.0), COPY_MARK_MARGIN_MM));
    let pdf = write_source(&fonts, &[(w, h, Drawing { runs, ..Drawing::default() })])?;
    Ok(Appearance { pdf, boxes: vec![Area { x_mm, y_mm, width_mm, height_mm }] })
}

/// A text written at its place on an issued document (the number, the date).
#[derive(Clone, Debug, PartialEq)]
pub struct PlacedText {
    /// The text, in NFC.
    pub text: String,
    /// Left end of its baseline box, mm from the page's left.
    pub x_mm: f32,
    /// Top of its box, mm from the page's top.
    pub y_mm: f32,
    /// Size in points (Decree 30: 13 or 14 for the number and date lines).
    pub size_pt: f32,
    /// Italic is not used; bold neither: the form's text is upright regular.
    pub bold: bool,
}

/// The seal: a PNG (transparent, red) at its real size.
#[derive(Clone, Debug, PartialEq)]
pub struct Seal {
    /// The PNG's bytes.
    pub png: Vec<u8>,
    /// Where it goes and its real size.
    pub at: Area,
}

/// The appearances of the organisation's signature on an issued document: the seal first (when
/// given), then each text.
pub fn issued(seal: Option<&Seal>, texts: &[PlacedText]) -> Result<Appearance> {
    let fonts = Fonts::load()?;
    let mut pages = Vec::new();
    let mut boxes = Vec::new();
    if let Some(seal) = seal {
        if !seal.png.starts_with(b"\x89PNG\r\n\x1a\n") {
            return Err(PdfError::UnsupportedImage("ảnh con dấu phải là tệp PNG (nền trong suốt)".into()));
        }
        let (w, h) = (seal.at.width_mm * PT_PER_MM, seal.at.height_mm * PT_PER_MM);
        if !(w >= 1.0 && h >= 1.0 && w <= 1000.0 && h <= 1000.0) {
            return Err(PdfError::Write(format!(
                "kích thước con dấu {:.1} × {:.1} mm không hợp lệ",
                seal.at.width_mm, seal.at.height_mm
            )));
        }
        pages.push((w, h, Drawing { image: Some(seal.png.clone()), ..Drawing::default() }));
        boxes.push(seal.at.clone());
    }
    for placed in texts {
        let face = if placed.bold { &fonts.bold } else { &fonts.regular };
        let text = face.printable(placed.text.trim());
        if text.is_empty() {
            continue;
        }
        let size = placed.size_pt.clamp(4.0, 72.0);
        let pad = 1.0;
        let w = face.width(&text, size) + 2.0 * pad;
        let h = size * 1.25 + 2.0 * pad;
        let run = Run { x: pad, y: pad + size * 0.95, size, bold: placed.bold, color: None, text };
        pages.push((w, h, Drawing { runs: vec![run], ..Drawing::default() }));
        boxes.push(Area { x_mm: placed.x_mm, y_mm: placed.y_mm, width_mm: w / PT_PER_MM, height_mm: h / PT_PER_MM });
    }
    if pages.is_empty() {
        return Err(PdfError::Write("chữ ký không có hình thể hiện nào".into()));
    }
    let pdf = write_source(&fonts, &pages)?;
    Ok(Appearance { pdf, boxes })
}

/// Where the seal goes over a signer's signature box (mm, as displayed): it covers the left third
/// of the signature (its right edge one third into it), vertically centred on it.
pub fn seal_over_signature(signature: &Area, seal_width_mm: f32, seal_height_mm: f32) -> Area {
    let overlap_right = signature.x_mm + signature.width_mm / 3.0;
    Area {
        x_mm: (overlap_right - seal_width_mm).max(0.0),
        y_mm: (signature.y_mm + signature.height_mm / 2.0 - seal_height_mm / 2.0).max(0.0),
        width_mm: seal_width_mm,
        height_mm: seal_height_mm,
    }
}

/// The size of a PNG in mm from its `pHYs` chunk (pixels per metre), if it says.
pub fn png_size_mm(png: &[u8]) -> Option<(f32, f32)> {
    if !png.starts_with(b"\x89PNG\r\n\x1a\n") || png.len() < 33 {
        return None;
    }
    let width = u32::from_be_bytes(png.get(16..20)?.try_into().ok()?) as f32;
    let height = u32::from_be_bytes(png.get(20..24)?.try_into().ok()?) as f32;
    let mut at = 8;
    while at + 8 <= png.len() {
        let length = u32::from_be_bytes(png.get(at..at + 4)?.try_into().ok()?) as usize;
        let kind = png.get(at + 4..at + 8)?;
        if kind == b"pHYs" && length >= 9 {
            let data = png.get(at + 8..at + 17)?;
            let x = u32::from_be_bytes(data[0..4].try_into().ok()?) as f32;
            let y = u32::from_be_bytes(data[4..8].try_into().ok()?) as f32;
            if data[8] == 1 && x > 0.0 && y > 0.0 {
                return Some((width / x * 1000.0, height / y * 1000.0));
            }
            return None;
        }
        if kind == b"IDAT" || kind == b"IEND" {
            return None;
        }
        at = at.checked_add(12 + length)?;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_seal_covers_the_left_third_of_the_signature() {
        let signature = Area { x_mm: 120.0, y_mm: 200.0, width_mm: 45.0, height_mm: 20.0 };
        let seal = seal_over_signature(&signature, 36.0, 36.0);
        // Its right edge lies one third into the signature; it is centred on the signature's height.
        assert!((seal.x_mm + seal.width_mm - (120.0 + 15.0)).abs() < 1e-3);
        assert!((seal.y_mm + 18.0 - 210.0).abs() < 1e-3);
    }

    #[test]
    fn the_copy_mark_sits_at_the_top_right() {
        let mark = CopyMark {
            form: "SAO Y".into(),
            organisation: "UBND xã Tân Phú".into(),
            signed_at: "2026-03-05T14:30:00+07:00".into(),
        };
        let appearance = copy_mark(&mark, 210.0, None).expect("drawn");
        let placed = &appearance.boxes[0];
        assert!((placed.x_mm + placed.width_mm - 200.0).abs() < 1e-3, "{placed:?}");
        assert!((placed.y_mm - 10.0).abs() < 1e-3);
        // Three lines of 10 pt: about 15 mm high.
        assert!(placed.height_mm > 12.0 && placed.height_mm < 16.0, "{placed:?}");
    }
}
