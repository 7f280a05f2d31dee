//! Pages from pixels and from image files: one JPEG per page, compressed at most once.
//!
//! The law asks for colour scans of at least 200 dpi at 100 % scale; the review queue keeps every
//! page as JPEG bytes with its size and resolution, and the PDF assembler embeds those bytes as
//! they are. So this module is where a page's pixels become its final JPEG, and it takes care
//! that this happens **once**:
//!
//! - [`encode_raw`] compresses raw scanner pixels (one encode, quality [`JPEG_QUALITY`]).
//! - [`pages_from_file`] passes a JPEG through byte for byte when it already is what a PDF can
//!   embed (baseline or progressive, 8-bit, three YCbCr components, upright); anything else (a
//!   grey or CMYK JPEG, PNG, every page of a TIFF) is decoded and encoded once as colour.
//!
//! A file's type is decided by its first bytes ([`sniff`]), never by its name. Decoding runs under
//! limits: a header's claimed size is checked against [`MAX_SIDE`] and [`MAX_PIXELS`] before any
//! pixel buffer exists, so a 100 000 × 100 000 PNG of a few bytes is refused, not allocated.
//!
//! Every page is also *analysed* on a reduced grey copy (~100 dpi for A4): how much of it is ink,
//! whether it is blank (a duplex back side), whether it is our printed separator sheet
//! ([`separator_sheet`]), which splits a feeder batch into documents.
//!
//! The resolution of a file is read from the file (JFIF density, EXIF, PNG `pHYs`, TIFF
//! `XResolution`) when it describes a plausible sheet; otherwise the page is taken to be at most
//! an A4 sheet (see [`pages_from_file`]). The module knows nothing of PDFs, databases or clocks.

use std::io::Cursor;

use image::codecs::jpeg::JpegDecoder;
use image::codecs::png::PngDecoder;
use image::metadata::Orientation;
use image::{DynamicImage, ImageDecoder, ImageError, Limits, RgbImage};
use jpeg_encoder::{ChromaSubsamplingMethod, ColorType, Encoder, PixelDensity, SamplingFactor};

use crate::{CaptureError, Result};

/// What a file really is, judged by its first bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FileKind {
    /// A JPEG (JFIF or EXIF) image.
    Jpeg,
    /// A PNG image.
    Png,
    /// A TIFF image, possibly of several pages (classic or BigTIFF).
    Tiff,
    /// A PDF document (handled outside this module).
    Pdf,
}

impl FileKind {
    /// The kind of `bytes`, by magic bytes only; see [`sniff`].
    pub fn from_bytes(bytes: &[u8]) -> Option<FileKind> {
        sniff(bytes)
    }

    /// The media type of this kind of file.
    pub fn media_type(self) -> &'static str {
        match self {
            FileKind::Jpeg => "image/jpeg",
            FileKind::Png => "image/png",
            FileKind::Tiff => "image/tiff",
            FileKind::Pdf => "application/pdf",
        }
    }
}

/// The kind of a file by its magic bytes; `None` when it is none of the kinds we read.
///
/// Extensions lie (a PNG saved as `.jpg` is common); the bytes do not. A PDF may, as the PDF
/// specification allows, have up to 1 024 bytes of junk before `%PDF-`.
pub fn sniff(bytes: &[u8]) -> Option<FileKind> {
    const PNG: &[u8] = b"\x89PNG\r\n\x1a\n";
    if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Some(FileKind::Jpeg)
    } else if bytes.starts_with(PNG) {
        Some(FileKind::Png)
    } else if [b"II*\0", b"MM\0*", b"II+\0", b"MM\0+"].iter().any(|magic| bytes.starts_with(*magic)) {
        Some(FileKind::Tiff)
    } else if bytes[..bytes.len().min(1024)].windows(5).any(|w| w == b"%PDF-") {
        Some(FileKind::Pdf)
    } else {
        None
    }
}

/// The JPEG quality of every page we compress (libjpeg's 1–100 scale).
///
/// At 200 dpi a 10-point letter is about 28 pixels tall and its strokes 2–3 pixels wide. At 88 the
/// luminance quantisation keeps such strokes and the diacritics of Vietnamese (the dot of `ệ`,
/// the hook of `ở`) crisp, with no visible ringing on white paper; below ~80 ringing appears
/// around strokes, above ~92 files grow fast for no visible gain. An A4 text page comes to a few
/// hundred kilobytes.
///
/// Chroma is subsampled 4:2:0 (2 × 2), averaged rather than decimated: text lives in luminance,
/// and the colour that matters on our documents (a red seal, a blue signature) spans many pixels,
/// so it survives half-resolution chroma. This keeps files about a third smaller and encoding
/// faster than 4:4:4.
pub const JPEG_QUALITY: u8 = 88;

/// The largest width or height we decode or encode, in pixels (A3 at 1 200 dpi is ~19 800).
pub const MAX_SIDE: u32 = 20_000;

/// The largest page we decode or encode, in pixels: 80 megapixels (A3 at 600 dpi is ~70), i.e.
/// 240 MB of RGB.
pub const MAX_PIXELS: u64 = 80_000_000;

/// The smallest shorter side of a page, in pixels. A business card (85 × 55 mm) at 200 dpi is
/// 669 × 433 px and passes; an icon, a 1 × 1 tracking pixel or a tiny logo is refused.
pub const MIN_SIDE: u32 = 300;

/// A page whose ink covers less than this fraction of its area (margins ignored) is blank:
/// 0.02 %, about 10 mm² on an A4 sheet, a few specks of dust. One line of 10-point text covers
/// ~0.2 %, a short signature ~0.05 %.
pub const BLANK_INK: f32 = 0.000_2;

/// The most memory one decode may take (the decoded pixels included): 8 bytes a pixel for
/// [`MAX_PIXELS`], enough for 16-bit RGBA.
const MAX_ALLOC: u64 = MAX_PIXELS * 8;

/// A page ready for the review queue: its JPEG bytes and what we know of it.
#[derive(Debug, Clone, PartialEq)]
pub struct Page {
    /// The JPEG file of the page: either the original bytes (`passthrough`) or our one encode.
    pub jpeg: Vec<u8>,
    /// Width in pixels.
    pub width: u32,
    /// Height in pixels.
    pub height: u32,
    /// Resolution in dots per inch (never below 1); the page's physical size is `width / dpi`.
    pub dpi: f32,
    /// Whether `jpeg` is the source file untouched (no compression by us at all).
    pub passthrough: bool,
    /// Ink, blank page, separator sheet.
    pub analysis: Analysis,
}

/// What the review screen needs to know about a page's content.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Analysis {
    /// The fraction (0–1) of the page that is ink, 5 % margins on each side ignored.
    pub ink: f32,
    /// Almost no ink (below [`BLANK_INK`]): typically the empty back of a duplex sheet.
    pub blank: bool,
    /// The page is our printed separator sheet ("TỜ PHÂN TÁCH"), see [`separator_sheet`].
    pub separator: bool,
}

/// Raw pixels of one page as a scanner delivers them.
#[derive(Debug, Clone, PartialEq)]
pub struct RawPage {
    /// Width in pixels.
    pub width: u32,
    /// Height in pixels.
    pub height: u32,
    /// Resolution in dots per inch.
    pub dpi: f32,
    /// Interleaved 8-bit RGB, row by row, `width * height * 3` bytes.
    pub rgb: Vec<u8>,
}

/// Compresses a scanned page once as JPEG and analyses it.
///
/// The JPEG is baseline, quality [`JPEG_QUALITY`], 4:2:0, with the page's resolution as JFIF
/// density. The analysis runs on a reduced grey copy (see [`analyse`]).
pub fn encode_raw(raw: &RawPage) -> Result<Page> {
    check_size(raw.width, raw.height)?;
    let expected = raw.width as usize * raw.height as usize * 3;
    if raw.rgb.len() != expected {
        return Err(CaptureError::Encode(format!(
            "dữ liệu điểm ảnh dài {} byte, cần {expected} byte cho {} × {}",
            raw.rgb.len(),
            raw.width,
            raw.height
        )));
    }
    let dpi = sane_dpi(raw.dpi);
    let analysis = analyse_rgb(&raw.rgb, raw.width as usize, raw.height as usize);
    let jpeg = encode_jpeg(&raw.rgb, raw.width, raw.height, dpi, JPEG_QUALITY)?;
    Ok(Page { jpeg, width: raw.width, height: raw.height, dpi, passthrough: false, analysis })
}

/// The pages of an image file, in order.
///
/// - **JPEG**: passed through untouched when it is baseline or progressive, 8-bit, three
///   YCbCr components and upright (EXIF orientation 1 or absent); it is still decoded once, to
///   check it is whole and to analyse it. A grey, CMYK, RGB-coded (Adobe) or rotated JPEG is
///   decoded and encoded once as colour.
/// - **PNG**: alpha is flattened on white, 16-bit samples become 8-bit.
/// - **TIFF**: every page (reduced-resolution previews skipped); 1/2/4/8/16-bit grey (either polarity), RGB(A), CMYK, YCbCr; any of the
///   usual compressions (none, LZW, Deflate, PackBits, CCITT G4, JPEG).
/// - **PDF**: refused with [`CaptureError::NotAnImage`]; PDFs are handled elsewhere.
///
/// Errors: zero bytes → [`CaptureError::Empty`]; unknown magic → [`CaptureError::UnknownFormat`];
/// a side over [`MAX_SIDE`] or more than [`MAX_PIXELS`] → [`CaptureError::TooLarge`] (decided
/// from the header, before allocating); a shorter side under [`MIN_SIDE`] →
/// [`CaptureError::TooSmall`]; truncated or damaged data → [`CaptureError::Corrupt`]; a variant
/// we do not decode (12-bit JPEG, palette TIFF…) → [`CaptureError::Unsupported`].
///
/// **Resolution.** The file's own density (JFIF, else EXIF; PNG `pHYs`; TIFF `XResolution` with
/// `ResolutionUnit`) is used when it describes a sheet whose longer side is between 1 and 17
/// inches (a stamp-sized cutting to A3). Otherwise — no density, a unit-less one, or a software default
/// such as 72 dpi on a 2 000-pixel scan — the image is taken to be at most an A4 sheet: the
/// lowest resolution at which it fits on A4, `max(shorter side / 8.27, longer side / 11.69)`
/// (equal for an A4 page in either orientation). The result is never below 1 dpi.
pub fn pages_from_file(bytes: &[u8]) -> Result<Vec<Page>> {
    if bytes.is_empty() {
        return Err(CaptureError::Empty);
    }
    match sniff(bytes) {
        None => Err(CaptureError::UnknownFormat),
        Some(FileKind::Pdf) => Err(CaptureError::NotAnImage),
        Some(FileKind::Jpeg) => jpeg_page(bytes).map(|page| vec![page]),
        Some(FileKind::Png) => png_page(bytes).map(|page| vec![page]),
        Some(FileKind::Tiff) => tiff_pages(bytes),
    }
}

/// Like [`pages_from_file`], for a PDF written at once (`vanthu digitise`) rather than the review
/// queue: nobody will look at blank-page flags, so a JPEG that can go into the PDF as it is is only
/// *walked* — its markers, its frame header and its entropy-coded data up to the end-of-image marker,
/// which still refuses a truncated or damaged file — and never decoded. Its [`Analysis`] is left at
/// the default (not blank, no ink measured). Every other file is read as by [`pages_from_file`].
pub fn pages_for_pdf(bytes: &[u8]) -> Result<Vec<Page>> {
    if sniff(bytes) != Some(FileKind::Jpeg) {
        return pages_from_file(bytes);
    }
    let info = parse_jpeg(bytes)?;
    check_size(info.width, info.height)?;
    if info.precision != 8 || !info.embeddable_as_colour() {
        return pages_from_file(bytes);
    }
    Ok(vec![Page {
        jpeg: bytes.to_vec(),
        width: info.width,
        height: info.height,
        dpi: page_dpi(info.density, info.width, info.height),
        passthrough: true,
        analysis: Analysis::default(),
    }])
}

/// Analyses a page: ink coverage, blank page, separator sheet.
///
/// The page is reduced to grey, its shorter side to about 850 pixels (~100 dpi for A4), by a
/// mean over k × k pixels, which also melts isolated noise pixels; the paper's brightness is the
/// 90th percentile of the inner area (5 % margins ignored), and a pixel is ink when it is darker
/// than the paper by more than max(64, 35 % of the paper's brightness) — so JPEG ringing, light
/// grey speckles and a faint bleed-through from the other side do not count, while black, blue
/// and red ink do. A page that is itself dark (a black page, a photograph) is measured against
/// white paper.
pub fn analyse(img: &RgbImage) -> Analysis {
    analyse_rgb(img.as_raw(), img.width() as usize, img.height() as usize)
}

/// Draws our separator sheet ("TỜ PHÂN TÁCH") at `width_px` × `height_px` (e.g. 1654 × 2339 for
/// A4 at 200 dpi), to be printed and put between documents in the feeder.
///
/// The pattern is three thick black bars across the sheet and one big black square, at fixed
/// proportions of the sheet, with the caption in block letters: recognised by [`analyse`] after
/// printing (with or without scaling to fit), scanning at any resolution, a few degrees of skew,
/// JPEG compression, and upside down. Its blank back side is recognised as blank.
pub fn separator_sheet(width_px: u32, height_px: u32) -> RgbImage {
    let (w, h) = (width_px.max(1), height_px.max(1));
    let mut img = RgbImage::from_pixel(w, h, image::Rgb([255, 255, 255]));
    let (wf, hf) = (w as f32, h as f32);
    let x0 = SHEET_BAR_X.0 * wf;
    let x1 = SHEET_BAR_X.1 * wf;
    for (top, bottom) in SHEET_BARS {
        fill(&mut img, x0, top * hf, x1, bottom * hf);
    }
    let side = (SHEET_SQUARE_SIDE * wf).min(SHEET_SQUARE_MAX_H * hf);
    let left = (wf - side) / 2.0;
    let top = SHEET_SQUARE_TOP * hf;
    fill(&mut img, left, top, left + side, top + side);
    draw_caption(&mut img, SHEET_CAPTION.0 * hf, SHEET_CAPTION.1 * hf);
    img
}

/// A small JPEG of a page for the review screen, `width_px` wide (never wider than the page),
/// height in proportion; decoded under the same limits as files, reduced with a fast box filter.
pub fn thumbnail_jpeg(jpeg: &[u8], width_px: u32) -> Result<Vec<u8>> {
    if jpeg.is_empty() {
        return Err(CaptureError::Empty);
    }
    if sniff(jpeg) != Some(FileKind::Jpeg) {
        return Err(CaptureError::UnknownFormat);
    }
    let info = parse_jpeg(jpeg)?;
    check_bounds(info.width, info.height)?;
    let decoder = JpegDecoder::new(Cursor::new(jpeg)).map_err(|e| image_error(e, &info))?;
    let rgb = decode(decoder, &info)?.into_rgb8();
    let (w, h) = rgb.dimensions();
    let tw = width_px.clamp(1, w);
    let th = ((u64::from(h) * u64::from(tw) + u64::from(w) / 2) / u64::from(w)).max(1) as u32;
    let small = image::imageops::thumbnail(&rgb, tw, th);
    encode_jpeg(small.as_raw(), tw, th, 72.0, THUMBNAIL_QUALITY)
}

const THUMBNAIL_QUALITY: u8 = 80;

// ---------------------------------------------------------------------------------------------
// Sizes and resolutions

/// Refuses what is too large (first: a 100 000 × 1 strip is too large, not too small) or too
/// small to be a page.
fn check_size(width: u32, height: u32) -> Result<()> {
    check_bounds(width, height)?;
    if width.min(height) < MIN_SIDE {
        return Err(CaptureError::TooSmall { width, height });
    }
    Ok(())
}

fn check_bounds(width: u32, height: u32) -> Result<()> {
    if width == 0 || height == 0 {
        return Err(CaptureError::Corrupt(format!("kích thước ảnh {width} × {height} không hợp lệ")));
    }
    if width > MAX_SIDE || height > MAX_SIDE || u64::from(width) * u64::from(height) > MAX_PIXELS {
        return Err(CaptureError::TooLarge { width, height, max: MAX_SIDE });
    }
    Ok(())
}

const A4_SHORT_IN: f32 = 210.0 / 25.4;
const A4_LONG_IN: f32 = 297.0 / 25.4;
/// A declared density is believed when the sheet's longer side comes to this many inches.
const PLAUSIBLE_LONG_IN: (f32, f32) = (1.0, 17.0);

/// The resolution of a page from its file: see [`pages_from_file`].
fn page_dpi(declared: Option<f32>, width: u32, height: u32) -> f32 {
    let short = width.min(height) as f32;
    let long = width.max(height) as f32;
    if let Some(dpi) = declared.filter(|d| d.is_finite() && *d >= 1.0) {
        let inches = long / dpi;
        if (PLAUSIBLE_LONG_IN.0..=PLAUSIBLE_LONG_IN.1).contains(&inches) {
            return dpi;
        }
    }
    (short / A4_SHORT_IN).max(long / A4_LONG_IN).max(1.0)
}

fn sane_dpi(dpi: f32) -> f32 {
    if dpi.is_finite() { dpi.max(1.0) } else { 1.0 }
}

// ---------------------------------------------------------------------------------------------
// JPEG

/// What a JPEG's headers say, read by walking its markers (no pixel decoded).
#[derive(Debug, Default)]
struct JpegInfo {
    /// The start-of-frame marker: 0xC0 baseline, 0xC1 extended, 0xC2 progressive…
    frame: u8,
    precision: u8,
    components: u8,
    width: u32,
    height: u32,
    density: Option<f32>,
    orientation: u16,
    adobe_transform: Option<u8>,
}

impl JpegInfo {
    /// Whether a PDF can embed these bytes as a colour page as they are.
    fn embeddable_as_colour(&self) -> bool {
        matches!(self.frame, 0xC0 | 0xC2)
            && self.precision == 8
            && self.components == 3
            && self.orientation <= 1
            && self.adobe_transform.is_none_or(|t| t == 1)
    }
}

fn be16(b: &[u8], at: usize) -> Option<u16> {
    b.get(at..at + 2).map(|s| u16::from_be_bytes([s[0], s[1]]))
}

fn be32(b: &[u8], at: usize) -> Option<u32> {
    b.get(at..at + 4).map(|s| u32::from_be_bytes([s[0], s[1], s[2], s[3]]))
}

fn truncated(what: &str) -> CaptureError {
    CaptureError::Corrupt(format!("tệp {what} bị cắt cụt hoặc hỏng"))
}

/// Walks the markers of a JPEG, reading the frame header, densities, EXIF orientation and the
/// Adobe colour transform, and checks that the entropy-coded data runs to an end-of-image marker
/// (a truncated file does not).
fn parse_jpeg(bytes: &[u8]) -> Result<JpegInfo> {
    let mut info = JpegInfo::default();
    let mut jfif = None;
    let mut exif = None;
    let mut seen_frame = false;
    let mut pos = 2;
    loop {
        // Skip anything up to the next marker, and fill bytes.
        let skip =
            bytes.get(pos..).and_then(|rest| rest.iter().position(|&b| b == 0xFF)).ok_or_else(|| truncated("JPEG"))?;
        pos += skip;
        while bytes.get(pos + 1) == Some(&0xFF) {
            pos += 1;
        }
        let marker = *bytes.get(pos + 1).ok_or_else(|| truncated("JPEG"))?;
        match marker {
            0x01 | 0xD0..=0xD8 => {
                pos += 2;
                continue;
            }
            0xD9 => {
                return Err(CaptureError::Corrupt("tệp JPEG kết thúc trước dữ liệu ảnh".into()));
            }
            _ => {}
        }
        let len = usize::from(be16(bytes, pos + 2).ok_or_else(|| truncated("JPEG"))?);
        if len < 2 {
            return Err(truncated("JPEG"));
        }
        let segment = bytes.get(pos + 4..pos + 2 + len).ok_or_else(|| truncated("JPEG"))?;
        match marker {
            0xE0 if segment.starts_with(b"JFIF\0") => jfif = jfif_density(segment),
            0xE1 if segment.starts_with(b"Exif\0\0") => {
                let (density, orientation) = exif_fields(&segment[6..]);
                exif = density;
                info.orientation = orientation;
            }
            0xEE if segment.starts_with(b"Adobe") => info.adobe_transform = segment.get(11).copied(),
            0xC0..=0xCF if !matches!(marker, 0xC4 | 0xC8 | 0xCC) && !seen_frame => {
                seen_frame = true;
                info.frame = marker;
                info.precision = *segment.first().ok_or_else(|| truncated("JPEG"))?;
                info.height = u32::from(be16(segment, 1).ok_or_else(|| truncated("JPEG"))?);
                info.width = u32::from(be16(segment, 3).ok_or_else(|| truncated("JPEG"))?);
                info.components = *segment.get(5).ok_or_else(|| truncated("JPEG"))?;
            }
            0xDA => {
                if !seen_frame {
                    return Err(CaptureError::Corrupt("tệp JPEG thiếu phần đầu khung ảnh".into()));
                }
                match entropy_end(bytes, pos + 2 + len) {
                    Some(EntropyEnd::EndOfImage) => break,
                    Some(EntropyEnd::Marker(next)) => {
                        pos = next;
                        continue;
                    }
                    None => return Err(truncated("JPEG")),
                }
            }
            _ => {}
        }
        pos += 2 + len;
    }
    info.density = jfif.or(exif);
    Ok(info)
}

enum EntropyEnd {
    EndOfImage,
    Marker(usize),
}

/// Follows entropy-coded data from `at` to the marker that ends it (`None`: the file ends first).
/// Inside the data, 0xFF is always followed by a stuffed 0x00 or a restart marker.
fn entropy_end(bytes: &[u8], mut at: usize) -> Option<EntropyEnd> {
    loop {
        at += bytes.get(at..)?.iter().position(|&b| b == 0xFF)?;
        match *bytes.get(at + 1)? {
            0x00 | 0xD0..=0xD7 => at += 2,
            0xFF => at += 1,
            0xD9 => return Some(EntropyEnd::EndOfImage),
            _ => return Some(EntropyEnd::Marker(at)),
        }
    }
}

fn jfif_density(segment: &[u8]) -> Option<f32> {
    let units = *segment.get(7)?;
    let x = f32::from(be16(segment, 8)?);
    match units {
        1 if x > 0.0 => Some(x),
        2 if x > 0.0 => Some(x * 2.54),
        _ => None,
    }
}

/// Reads XResolution + ResolutionUnit and Orientation from IFD0 of an EXIF block.
fn exif_fields(tiff: &[u8]) -> (Option<f32>, u16) {
    let little = match tiff.get(..4) {
        Some(b"II*\0") => true,
        Some(b"MM\0*") => false,
        _ => return (None, 1),
    };
    let u16_at = |at: usize| {
        tiff.get(at..at + 2)
            .map(|s| if little { u16::from_le_bytes([s[0], s[1]]) } else { u16::from_be_bytes([s[0], s[1]]) })
    };
    let u32_at = |at: usize| {
        tiff.get(at..at + 4).map(|s| {
            let a = [s[0], s[1], s[2], s[3]];
            if little { u32::from_le_bytes(a) } else { u32::from_be_bytes(a) }
        })
    };
    let Some(ifd) = u32_at(4).map(|o| o as usize) else {
        return (None, 1);
    };
    let count = usize::from(u16_at(ifd).unwrap_or(0));
    let (mut resolution, mut unit, mut orientation) = (None, 2, 1);
    for i in 0..count.min(256) {
        let entry = ifd + 2 + i * 12;
        let (Some(tag), Some(value_at)) = (u16_at(entry), Some(entry + 8)) else {
            break;
        };
        match tag {
            0x0112 => orientation = u16_at(value_at).unwrap_or(1),
            0x0128 => unit = u16_at(value_at).unwrap_or(2),
            0x011A => {
                resolution = u32_at(value_at).and_then(|offset| {
                    let num = u32_at(offset as usize)?;
                    let den = u32_at(offset as usize + 4)?;
                    (den > 0 && num > 0).then(|| num as f32 / den as f32)
                });
            }
            _ => {}
        }
    }
    let density = match unit {
        2 => resolution,
        3 => resolution.map(|r| r * 2.54),
        _ => None,
    };
    (density, orientation)
}

fn jpeg_page(bytes: &[u8]) -> Result<Page> {
    let info = parse_jpeg(bytes)?;
    check_size(info.width, info.height)?;
    if info.precision != 8 {
        return Err(CaptureError::Unsupported(format!("JPEG {}-bit (chỉ đọc JPEG 8-bit)", info.precision)));
    }
    let decoder = JpegDecoder::new(Cursor::new(bytes)).map_err(|e| image_error(e, &info))?;
    let mut image = decode(decoder, &info)?;
    let dpi = page_dpi(info.density, info.width, info.height);
    if info.embeddable_as_colour() {
        let rgb = image.into_rgb8();
        let analysis = analyse(&rgb);
        return Ok(Page {
            jpeg: bytes.to_vec(),
            width: info.width,
            height: info.height,
            dpi,
            passthrough: true,
            analysis,
        });
    }
    if let Some(orientation) = u8::try_from(info.orientation).ok().and_then(Orientation::from_exif) {
        image.apply_orientation(orientation);
    }
    let rgb = image.into_rgb8();
    encode_raw(&RawPage { width: rgb.width(), height: rgb.height(), dpi, rgb: rgb.into_raw() })
}

// ---------------------------------------------------------------------------------------------
// PNG

fn png_page(bytes: &[u8]) -> Result<Page> {
    // The header is checked by hand first: the size it claims decides before any decoder runs.
    if bytes.get(12..16) != Some(b"IHDR") {
        return Err(truncated("PNG"));
    }
    let width = be32(bytes, 16).ok_or_else(|| truncated("PNG"))?;
    let height = be32(bytes, 20).ok_or_else(|| truncated("PNG"))?;
    check_size(width, height)?;
    let info = JpegInfo { width, height, ..JpegInfo::default() };
    let mut limits = image_limits();
    limits.max_alloc = Some(MAX_ALLOC);
    let decoder = PngDecoder::with_limits(Cursor::new(bytes), limits).map_err(|e| image_error(e, &info))?;
    let image = decode(decoder, &info)?;
    let rgb = flatten_on_white(image)?;
    encode_raw(&RawPage { width, height, dpi: page_dpi(png_density(bytes), width, height), rgb: rgb.into_raw() })
}

/// The `pHYs` density of a PNG, if it is given per metre.
fn png_density(bytes: &[u8]) -> Option<f32> {
    let mut pos = 8;
    loop {
        let len = be32(bytes, pos)? as usize;
        let kind = bytes.get(pos + 4..pos + 8)?;
        if kind == b"IDAT" || kind == b"IEND" {
            return None;
        }
        if kind == b"pHYs" && len == 9 {
            let data = bytes.get(pos + 8..pos + 17)?;
            let x = be32(data, 0)?;
            return (data[8] == 1 && x > 0).then_some(x as f32 * 0.0254);
        }
        pos = pos.checked_add(12)?.checked_add(len)?;
    }
}

/// RGB on white paper: transparent pixels become white, 16-bit samples 8-bit.
fn flatten_on_white(image: DynamicImage) -> Result<RgbImage> {
    if !image.color().has_alpha() {
        return Ok(image.into_rgb8());
    }
    let rgba = image.into_rgba8();
    let (w, h) = rgba.dimensions();
    let mut rgb = Vec::with_capacity(w as usize * h as usize * 3);
    for px in rgba.as_raw().chunks_exact(4) {
        let a = u32::from(px[3]);
        for &c in &px[..3] {
            rgb.push(((u32::from(c) * a + 255 * (255 - a) + 127) / 255) as u8);
        }
    }
    RgbImage::from_raw(w, h, rgb).ok_or_else(|| CaptureError::Encode("ảnh RGB sai kích thước".into()))
}

// ---------------------------------------------------------------------------------------------
// Decoding with limits, errors

fn image_limits() -> Limits {
    let mut limits = Limits::default();
    limits.max_image_width = Some(MAX_SIDE);
    limits.max_image_height = Some(MAX_SIDE);
    limits.max_alloc = Some(MAX_ALLOC);
    limits
}

fn decode(mut decoder: impl ImageDecoder, info: &JpegInfo) -> Result<DynamicImage> {
    decoder.set_limits(image_limits()).map_err(|e| image_error(e, info))?;
    DynamicImage::from_decoder(decoder).map_err(|e| image_error(e, info))
}

fn image_error(error: ImageError, info: &JpegInfo) -> CaptureError {
    match error {
        ImageError::Limits(_) => CaptureError::TooLarge { width: info.width, height: info.height, max: MAX_SIDE },
        ImageError::Unsupported(e) => CaptureError::Unsupported(e.to_string()),
        ImageError::Encoding(e) => CaptureError::Encode(e.to_string()),
        other => CaptureError::Corrupt(other.to_string()),
    }
}

// ---------------------------------------------------------------------------------------------
// TIFF

fn tiff_pages(bytes: &[u8]) -> Result<Vec<Page>> {
    use tiff::decoder::{Decoder, Limits as TiffLimits};
    let mut limits = TiffLimits::default();
    limits.decoding_buffer_size = MAX_ALLOC as usize;
    let mut decoder = Decoder::new(Cursor::new(bytes)).map_err(|e| tiff_error(e, 0, 0))?.with_limits(limits);
    let mut pages = Vec::new();
    loop {
        // NewSubfileType: bit 0 a reduced-resolution copy (a scanner's preview of the page before
        // it), bit 2 a transparency mask. Neither is a page.
        let subfile = decoder.find_tag_unsigned::<u32>(tiff::tags::Tag::NewSubfileType).ok().flatten().unwrap_or(0);
        if subfile & 0b101 == 0 {
            let (width, height) = decoder.dimensions().map_err(|e| tiff_error(e, 0, 0))?;
            check_size(width, height)?;
            let color = decoder.colortype().map_err(|e| tiff_error(e, width, height))?;
            let declared = tiff_density(&mut decoder);
            let data = decoder.read_image().map_err(|e| tiff_error(e, width, height))?;
            let rgb = tiff_rgb(color, data, width as usize, height as usize)?;
            pages.push(encode_raw(&RawPage { width, height, dpi: page_dpi(declared, width, height), rgb })?);
        }
        if !decoder.more_images() {
            break;
        }
        decoder.next_image().map_err(|e| tiff_error(e, 0, 0))?;
    }
    if pages.is_empty() {
        return Err(CaptureError::Corrupt("tệp TIFF không có trang nào".into()));
    }
    Ok(pages)
}

fn tiff_error(error: tiff::TiffError, width: u32, height: u32) -> CaptureError {
    use tiff::TiffError;
    match error {
        TiffError::LimitsExceeded | TiffError::IntSizeError => CaptureError::TooLarge { width, height, max: MAX_SIDE },
        TiffError::UnsupportedError(e) => CaptureError::Unsupported(e.to_string()),
        other => CaptureError::Corrupt(other.to_string()),
    }
}

fn tiff_density<R: std::io::Read + std::io::Seek>(decoder: &mut tiff::decoder::Decoder<R>) -> Option<f32> {
    use tiff::decoder::ifd::Value;
    use tiff::tags::Tag;
    let resolution = match decoder.find_tag(Tag::XResolution).ok()?? {
        Value::Rational(n, d) if d > 0 && n > 0 => n as f32 / d as f32,
        Value::Float(f) => f,
        Value::Double(f) => f as f32,
        Value::Unsigned(n) => n as f32,
        _ => return None,
    };
    let unit = decoder.find_tag_unsigned::<u16>(Tag::ResolutionUnit).ok().flatten().unwrap_or(2);
    match unit {
        2 => Some(resolution),
        3 => Some(resolution * 2.54),
        _ => None,
    }
}

/// Interleaved 8-bit RGB from what the TIFF decoder gives (rows of packed samples).
fn tiff_rgb(color: tiff::ColorType, data: tiff::decoder::DecodingResult, w: usize, h: usize) -> Result<Vec<u8>> {
    use tiff::ColorType as C;
    use tiff::decoder::DecodingResult as D;
    let short = || CaptureError::Corrupt("trang TIFF thiếu dữ liệu điểm ảnh".into());
    let n = w * h;
    let mut rgb = Vec::with_capacity(n * 3);
    match (color, data) {
        (C::Gray(bits @ (1 | 2 | 4)), D::U8(v)) => {
            let row_bytes = (w * usize::from(bits)).div_ceil(8);
            let max = (1u16 << bits) - 1;
            for row in v.chunks_exact(row_bytes).take(h) {
                for x in 0..w {
                    let bit = x * usize::from(bits);
                    let sample = (row[bit / 8] >> (8 - usize::from(bits) - bit % 8)) & max as u8;
                    let g = (u16::from(sample) * 255 / max) as u8;
                    rgb.extend_from_slice(&[g, g, g]);
                }
            }
        }
        (C::Gray(8), D::U8(v)) => v.iter().take(n).for_each(|&g| rgb.extend_from_slice(&[g, g, g])),
        (C::Gray(16), D::U16(v)) => v.iter().take(n).for_each(|&g| {
            let g = (g >> 8) as u8;
            rgb.extend_from_slice(&[g, g, g]);
        }),
        (C::GrayA(8), D::U8(v)) => v.chunks_exact(2).take(n).for_each(|p| {
            let g = over_white(p[0], p[1]);
            rgb.extend_from_slice(&[g, g, g]);
        }),
        (C::GrayA(16), D::U16(v)) => v.chunks_exact(2).take(n).for_each(|p| {
            let g = over_white((p[0] >> 8) as u8, (p[1] >> 8) as u8);
            rgb.extend_from_slice(&[g, g, g]);
        }),
        (C::RGB(8), D::U8(v)) => rgb.extend_from_slice(v.get(..n * 3).ok_or_else(short)?),
        (C::RGB(16), D::U16(v)) => rgb.extend(v.iter().take(n * 3).map(|s| (s >> 8) as u8)),
        (C::RGBA(8), D::U8(v)) => v.chunks_exact(4).take(n).for_each(|p| {
            rgb.extend_from_slice(&[over_white(p[0], p[3]), over_white(p[1], p[3]), over_white(p[2], p[3])]);
        }),
        (C::RGBA(16), D::U16(v)) => v.chunks_exact(4).take(n).for_each(|p| {
            let a = (p[3] >> 8) as u8;
            rgb.extend(p[..3].iter().map(|s| over_white((s >> 8) as u8, a)));
        }),
        (C::CMYK(8), D::U8(v)) => v.chunks_exact(4).take(n).for_each(|p| {
            let k = 255 - u16::from(p[3]);
            rgb.extend(p[..3].iter().map(|&c| ((255 - u16::from(c)) * k / 255) as u8));
        }),
        (C::YCbCr(8), D::U8(v)) => v.chunks_exact(3).take(n).for_each(|p| {
            rgb.extend_from_slice(&ycbcr_to_rgb(p[0], p[1], p[2]));
        }),
        (color, _) => {
            return Err(CaptureError::Unsupported(format!("trang TIFF kiểu màu {color:?}")));
        }
    }
    if rgb.len() != n * 3 {
        return Err(short());
    }
    Ok(rgb)
}

fn over_white(c: u8, a: u8) -> u8 {
    let (c, a) = (u32::from(c), u32::from(a));
    ((c * a + 255 * (255 - a) + 127) / 255) as u8
}

fn ycbcr_to_rgb(y: u8, cb: u8, cr: u8) -> [u8; 3] {
    let (y, cb, cr) = (f32::from(y), f32::from(cb) - 128.0, f32::from(cr) - 128.0);
    let clamp = |v: f32| v.round().clamp(0.0, 255.0) as u8;
    [clamp(y + 1.402 * cr), clamp(y - 0.344_136 * cb - 0.714_136 * cr), clamp(y + 1.772 * cb)]
}

// ---------------------------------------------------------------------------------------------
// Encoding

fn encode_jpeg(rgb: &[u8], width: u32, height: u32, dpi: f32, quality: u8) -> Result<Vec<u8>> {
    let (w, h) = match (u16::try_from(width), u16::try_from(height)) {
        (Ok(w), Ok(h)) => (w, h),
        _ => {
            return Err(CaptureError::TooLarge { width, height, max: MAX_SIDE });
        }
    };
    // Roughly 1 byte per 5 pixels at our quality: one allocation for most pages.
    let mut out = Vec::with_capacity(rgb.len() / 12 + 4096);
    let mut encoder = Encoder::new(&mut out, quality);
    encoder.set_sampling_factor(SamplingFactor::R_4_2_0);
    encoder.set_chroma_subsampling_method(ChromaSubsamplingMethod::Average);
    encoder.set_density(PixelDensity::dpi(dpi.round().clamp(1.0, 65_535.0) as u16));
    encoder.encode(rgb, w, h, ColorType::Rgb).map_err(|e| CaptureError::Encode(e.to_string()))?;
    Ok(out)
}

// ---------------------------------------------------------------------------------------------
// Analysis

/// A grey page reduced for analysis.
struct Gray {
    width: usize,
    height: usize,
    px: Vec<u8>,
}

/// Pixels reduced so that the shorter side is about 850 (an A4 page at ~100 dpi).
const ANALYSIS_SHORT_SIDE: usize = 850;

fn analyse_rgb(rgb: &[u8], width: usize, height: usize) -> Analysis {
    let k = (width.min(height) + ANALYSIS_SHORT_SIDE / 2) / ANALYSIS_SHORT_SIDE;
    analyse_gray(&reduce(rgb, width, height, k.max(1)))
}

/// Mean luma (BT.601, in integers) over k × k blocks; leftover columns and rows are dropped.
/// One pass over the pixels, no division per pixel: this runs on every page.
fn reduce(rgb: &[u8], width: usize, height: usize, k: usize) -> Gray {
    let (ow, oh) = (width / k, height / k);
    let mut px = vec![0u8; ow * oh];
    let mut acc = vec![0u32; ow];
    let mut luma = vec![0u16; ow * k];
    // a / (k * k) as a multiplication: exact for every sum of k * k values up to 255.
    let reciprocal = (1u64 << 32).div_ceil((k * k) as u64);
    let stride = width * 3;
    for (oy, out_row) in px.chunks_exact_mut(ow.max(1)).enumerate().take(oh) {
        acc.fill(0);
        for row in rgb[oy * k * stride..].chunks_exact(stride).take(k) {
            for (l, p) in luma.iter_mut().zip(row.chunks_exact(3)) {
                *l = ((77 * u32::from(p[0]) + 150 * u32::from(p[1]) + 29 * u32::from(p[2])) >> 8) as u16;
            }
            if k == 2 {
                for (a, pair) in acc.iter_mut().zip(luma.chunks_exact(2)) {
                    *a += u32::from(pair[0]) + u32::from(pair[1]);
                }
            } else {
                for (a, block) in acc.iter_mut().zip(luma.chunks_exact(k)) {
                    *a += block.iter().map(|&v| u32::from(v)).sum::<u32>();
                }
            }
        }
        for (o, &a) in out_row.iter_mut().zip(&acc) {
            *o = ((u64::from(a) * reciprocal) >> 32) as u8;
        }
    }
    Gray { width: ow, height: oh, px }
}

fn analyse_gray(g: &Gray) -> Analysis {
    let (mx, my) = (g.width * 5 / 100, g.height * 5 / 100);
    let (x0, x1, y0, y1) = (mx, g.width - mx, my, g.height - my);
    if x1 <= x0 || y1 <= y0 {
        return Analysis { ink: 0.0, blank: true, separator: false };
    }
    // Rows `from..to` of the inner area (row 0 is the first row below the top margin).
    let inner = |from: usize, to: usize| {
        g.px[(y0 + from) * g.width..(y0 + to) * g.width].chunks_exact(g.width).map(move |row| &row[x0..x1])
    };
    let rows = || inner(0, y1 - y0);
    let mut histogram = [0u32; 256];
    for row in rows() {
        for &v in row {
            histogram[usize::from(v)] += 1;
        }
    }
    let total = ((x1 - x0) * (y1 - y0)) as u64;
    // The paper: the 90th percentile (at least 10 % of any page is paper); a dark page is
    // measured against white.
    let mut seen = 0u64;
    let mut paper = 255u32;
    for (value, &count) in histogram.iter().enumerate() {
        seen += u64::from(count);
        if seen * 10 >= total * 9 {
            paper = value as u32;
            break;
        }
    }
    let paper = if paper < 128 { 255 } else { paper };
    let threshold = paper - (paper * 35 / 100).max(64);
    let dark: u64 = histogram[..threshold as usize].iter().map(|&c| u64::from(c)).sum();
    let ink = dark as f32 / total as f32;
    let row_ink: Vec<f32> =
        rows().map(|row| row.iter().filter(|&&v| u32::from(v) < threshold).count() as f32 / row.len() as f32).collect();
    let separator = ink > 0.05
        && is_separator(&row_ink, |from, to| {
            // The dark pixels' mean column in rows [from, to) of the inner area, as a fraction of
            // the inner width.
            let (mut sum, mut count) = (0u64, 0u64);
            for row in inner(from, to) {
                for (x, &v) in row.iter().enumerate() {
                    if u32::from(v) < threshold {
                        sum += x as u64;
                        count += 1;
                    }
                }
            }
            (count > 0).then(|| sum as f32 / count as f32 / (x1 - x0) as f32)
        });
    Analysis { ink, blank: !separator && ink < BLANK_INK, separator }
}

// The separator sheet's layout, in fractions of the sheet's width (x) and height (y).
const SHEET_BARS: [(f32, f32); 3] = [(0.08, 0.14), (0.68, 0.74), (0.84, 0.90)];
const SHEET_BAR_X: (f32, f32) = (0.10, 0.90);
const SHEET_SQUARE_TOP: f32 = 0.27;
const SHEET_SQUARE_SIDE: f32 = 0.42;
const SHEET_SQUARE_MAX_H: f32 = 0.30;
const SHEET_CAPTION: (f32, f32) = (0.17, 0.23);

/// Recognises the separator from the fraction of ink in each row of the inner area: three bars
/// (rows almost all ink) and a square (rows with about 40 % ink, centred) at the sheet's
/// proportions, measured relative to the distance between the outer bars, so that scaling, the
/// printer's margins and the scan resolution do not matter; upright or upside down.
fn is_separator(row_ink: &[f32], centre_of: impl Fn(usize, usize) -> Option<f32>) -> bool {
    let n = row_ink.len();
    if n < 40 {
        return false;
    }
    let runs = |keep: &dyn Fn(f32) -> bool| {
        let mut runs = Vec::new();
        let mut start = None;
        for (y, &f) in row_ink.iter().chain(std::iter::once(&0.0)).enumerate() {
            match (keep(f) && y < n, start) {
                (true, None) => start = Some(y),
                (false, Some(s)) => {
                    runs.push((s, y));
                    start = None;
                }
                _ => {}
            }
        }
        runs
    };
    let min_len = n / 50;
    let bars: Vec<(usize, usize)> = runs(&|f| f >= 0.55).into_iter().filter(|(a, b)| b - a >= min_len.max(2)).collect();
    let [b1, b2, b3] = bars[..] else {
        return false;
    };
    let centre = |(a, b): (usize, usize)| (a + b) as f32 / 2.0;
    let (c1, c2, c3) = (centre(b1), centre(b2), centre(b3));
    let span = c3 - c1;
    if span < 0.4 * n as f32 {
        return false;
    }
    let bar_mid = |(a, b): (f32, f32)| (a + b) / 2.0;
    let expected_span = bar_mid(SHEET_BARS[2]) - bar_mid(SHEET_BARS[0]);
    let expected_t2 = (bar_mid(SHEET_BARS[1]) - bar_mid(SHEET_BARS[0])) / expected_span;
    let square_mid = SHEET_SQUARE_TOP + SHEET_SQUARE_MAX_H.min(0.297) / 2.0;
    let expected_ts = (square_mid - bar_mid(SHEET_BARS[0])) / expected_span;
    let thickness_ok = bars.iter().all(|&(a, b)| {
        let t = (b - a) as f32 / span;
        (0.03..=0.13).contains(&t)
    });
    if !thickness_ok {
        return false;
    }
    let t2 = (c2 - c1) / span;
    let upright = (t2 - expected_t2).abs() < 0.06;
    let flipped = (t2 - (1.0 - expected_t2)).abs() < 0.06;
    if !upright && !flipped {
        return false;
    }
    let (lo, hi, want) = if upright { (b1.1, b2.0, expected_ts) } else { (b2.1, b3.0, 1.0 - expected_ts) };
    let Some(square) = runs(&|f| (0.2..0.55).contains(&f))
        .into_iter()
        .filter(|&(a, b)| a >= lo && b <= hi)
        .max_by_key(|&(a, b)| b - a)
    else {
        return false;
    };
    let length = (square.1 - square.0) as f32 / span;
    let ts = (centre(square) - c1) / span;
    if !(0.25..=0.5).contains(&length) || (ts - want).abs() > 0.07 {
        return false;
    }
    centre_of(square.0, square.1).is_some_and(|x| (x - 0.5).abs() < 0.1)
}

fn fill(img: &mut RgbImage, x0: f32, y0: f32, x1: f32, y1: f32) {
    let (w, h) = img.dimensions();
    let clampx = |v: f32| (v.round().max(0.0) as u32).min(w);
    let clampy = |v: f32| (v.round().max(0.0) as u32).min(h);
    let (x0, x1, y0, y1) = (clampx(x0), clampx(x1), clampy(y0), clampy(y1));
    let stride = w as usize * 3;
    let buf: &mut [u8] = img;
    for y in y0..y1 {
        let row = &mut buf[y as usize * stride..][..stride];
        row[x0 as usize * 3..x1 as usize * 3].fill(0);
    }
}

/// Block letters for "TỜ PHÂN TÁCH": 6 columns, 2 rows of diacritics above 7 rows of letter.
const GLYPHS: &[(char, [&str; 9])] = &[
    ('T', ["......", "......", "#####.", "..#...", "..#...", "..#...", "..#...", "..#...", "..#..."]),
    ('Ờ', [".#....", "..#...", ".###.#", "#...##", "#...#.", "#...#.", "#...#.", "#...#.", ".###.."]),
    ('P', ["......", "......", "####..", "#...#.", "#...#.", "####..", "#.....", "#.....", "#....."]),
    ('H', ["......", "......", "#...#.", "#...#.", "#...#.", "#####.", "#...#.", "#...#.", "#...#."]),
    ('Â', ["..#...", ".#.#..", ".###..", "#...#.", "#...#.", "#####.", "#...#.", "#...#.", "#...#."]),
    ('N', ["......", "......", "#...#.", "##..#.", "#.#.#.", "#..##.", "#...#.", "#...#.", "#...#."]),
    ('Á', ["...#..", "..#...", ".###..", "#...#.", "#...#.", "#####.", "#...#.", "#...#.", "#...#."]),
    ('C', ["......", "......", ".###..", "#...#.", "#.....", "#.....", "#.....", "#...#.", ".###.."]),
    ('A', ["......", "......", ".###..", "#...#.", "#...#.", "#####.", "#...#.", "#...#.", "#...#."]),
];

const CAPTION: &str = "TỜ PHÂN TÁCH";

/// Draws the caption centred between `top` and `bottom`, in block letters thin enough that no
/// row of it looks like a bar or the square.
fn draw_caption(img: &mut RgbImage, top: f32, bottom: f32) {
    let wf = img.width() as f32;
    let cells_x = CAPTION.chars().count() as f32 * 6.0;
    let cell = ((bottom - top) / 9.0).min(0.6 * wf / cells_x);
    let left = (wf - cells_x * cell) / 2.0;
    let y_top = top + ((bottom - top) - 9.0 * cell) / 2.0;
    for (i, ch) in CAPTION.chars().enumerate() {
        let Some((_, rows)) = GLYPHS.iter().find(|(c, _)| *c == ch) else {
            continue;
        };
        let gx = left + i as f32 * 6.0 * cell;
        for (r, line) in rows.iter().enumerate() {
            for (c, b) in line.bytes().enumerate() {
                if b == b'#' {
                    let x = gx + c as f32 * cell;
                    let y = y_top + r as f32 * cell;
                    fill(img, x, y, x + cell, y + cell);
                }
            }
        }
    }
}
