//! Scanned pages → one PDF/A-1b file that meets the national standard for digitised documents,
//! written by hand, page by page, as the pages arrive.
//!
//! Why by hand: the file is a handful of object kinds (an image, a content stream and a page per
//! scan; a page tree, catalog, XMP metadata, output intent and Info at the end), and writing them
//! directly lets the JPEG data go from the caller's buffer to the writer **byte for byte** (no
//! decoding, no re-encoding, no copy kept), keeps only one byte offset per object in memory (a
//! 300-page document costs a few kilobytes beyond its writer), and makes the output a pure function
//! of the input: same pages and [`Metadata`] → same bytes.
//!
//! What the file promises (Decree 30/2020 App. I, Circular 01/2019 art. 6, ISO 19005-1 level B):
//! `%PDF-1.4` with a binary comment; each page's image at 100 % scale (the page is exactly the
//! image's pixels divided by its resolution, `MediaBox = px / dpi × 72`); rotation by `/Rotate`,
//! never by touching the pixels; an sRGB output intent (`GTS_PDFA1`); unfiltered XMP metadata that
//! agrees with the Info dictionary, dates with their offset included; a classic cross-reference
//! table and a trailer `/ID`. PDFBox Preflight accepts it (the crate's tests run it).
//!
//! What it refuses: JPEGs that a reader's `DCTDecode` may not decode or that are not grey or RGB
//! (see the `jpeg` module: the caller re-encodes those), resolutions outside 10–2400 dpi, pages
//! over PDF 1.4's 200 inches (5080 mm) or under its 3 units, and a document without pages. A page
//! refused by [`Assembler::add_page`] writes nothing: the assembler stays usable.

use std::io::Write;

use time::OffsetDateTime;

use crate::jpeg;
use crate::{PdfError, Result};

/// The output intent's profile: compact ICC v2 sRGB (CC0), v2 because PDF/A-1 predates ICC v4.
const SRGB_ICC: &[u8] = include_bytes!("../../../assets/icc/sRGB-v2-magic.icc");

/// The objects written at the end have fixed numbers so that pages can point at their parent.
const CATALOG: u32 = 1;
const PAGES: u32 = 2;
const METADATA: u32 = 3;
const ICC_PROFILE: u32 = 4;
const INFO: u32 = 5;
/// Each page is three objects from here on: its image, its content stream, the page itself.
const FIRST_PAGE_OBJECT: u32 = 6;
const OBJECTS_PER_PAGE: u32 = 3;

/// Resolutions a scan can sensibly have, in dots per inch.
const DPI_RANGE: std::ops::RangeInclusive<f32> = 10.0..=2400.0;
/// PDF 1.4's implementation limits on a page side (Appendix C): 3 to 14 400 units.
const MIN_SIDE_PT: f64 = 3.0;
const MAX_SIDE_PT: f64 = 14_400.0;
/// A classic cross-reference entry holds a 10-digit offset.
const MAX_OFFSET: u64 = 9_999_999_999;

/// What the file says about itself, in the Info dictionary and, identically, in its XMP metadata.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Metadata {
    /// The document's title (`dc:title`, `/Title`); control characters become spaces; empty: none.
    pub title: String,
    /// The program that wrote the file (`pdf:Producer`, `/Producer`); empty: none.
    pub producer: String,
    /// Creation time, with its offset (`xmp:CreateDate`, `/CreationDate`, and the modification
    /// dates); whole seconds are kept.
    pub created: OffsetDateTime,
    /// The file identifier (`/ID` in the trailer, `xmpMM:DocumentID` as a UUID URN).
    pub document_id: [u8; 16],
}

/// How a page is turned when displayed, clockwise, written as the page's `/Rotate`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
pub enum Rotation {
    /// Upright.
    #[default]
    None,
    /// Turned 90° clockwise.
    Right,
    /// Turned 180°.
    UpsideDown,
    /// Turned 90° counter-clockwise (270° clockwise).
    Left,
}

impl Rotation {
    /// The clockwise angle in degrees: 0, 90, 180 or 270.
    pub fn degrees(self) -> u16 {
        match self {
            Rotation::None => 0,
            Rotation::Right => 90,
            Rotation::UpsideDown => 180,
            Rotation::Left => 270,
        }
    }

    /// The rotation for a clockwise angle that is a multiple of 90° (negative angles turn
    /// counter-clockwise: -90 is [`Rotation::Left`]); `None` for any other angle.
    pub fn from_degrees(degrees: i32) -> Option<Rotation> {
        match degrees.rem_euclid(360) {
            0 => Some(Rotation::None),
            90 => Some(Rotation::Right),
            180 => Some(Rotation::UpsideDown),
            270 => Some(Rotation::Left),
            _ => None,
        }
    }

    fn quarter_turned(self) -> bool {
        matches!(self, Rotation::Right | Rotation::Left)
    }
}

/// One page to add: a JPEG embedded as it is.
#[derive(Clone, Copy, Debug)]
pub struct PageSpec<'a> {
    /// The JPEG file's bytes: baseline, extended or progressive, 8-bit, grey or colour.
    pub jpeg: &'a [u8],
    /// The scan's resolution in dpi; overrides the JPEG's own density (JFIF, else EXIF).
    pub dpi: Option<f32>,
    /// How the page is turned when displayed.
    pub rotation: Rotation,
}

/// What a page became.
#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize)]
pub struct PageInfo {
    /// The image's width in pixels (as stored, before rotation).
    pub width_px: u32,
    /// The image's height in pixels (as stored, before rotation).
    pub height_px: u32,
    /// The resolution the page was sized with (the lower one if the axes differ).
    pub dpi: f32,
    /// The page's width in millimetres as displayed (after rotation).
    pub width_mm: f32,
    /// The page's height in millimetres as displayed (after rotation).
    pub height_mm: f32,
    /// Whether the image has three colour components (else it is grey).
    pub colour: bool,
}

/// The writer and how far into it we are; refuses further work after a failed write.
struct Sink<W> {
    out: W,
    position: u64,
    failed: bool,
}

impl<W: Write> Sink<W> {
    fn put(&mut self, bytes: &[u8]) -> Result<()> {
        if self.failed {
            return Err(PdfError::Write("một lần ghi trước đó đã thất bại".into()));
        }
        let result = self.out.write_all(bytes);
        if result.is_err() {
            self.failed = true;
        }
        result?;
        self.position += bytes.len() as u64;
        if self.position > MAX_OFFSET {
            self.failed = true;
            return Err(PdfError::Write("tệp PDF vượt quá 9,9 GB".into()));
        }
        Ok(())
    }
}

/// Writes a PDF/A-1b document page by page to `W`.
///
/// Each [`add_page`](Assembler::add_page) writes the page's objects at once and keeps only their
/// byte offsets; [`finish`](Assembler::finish) writes the page tree, the metadata and the
/// cross-reference table. Pass a buffered writer for a file: the assembler makes a few writes per
/// page (the JPEG in one).
pub struct Assembler<W: Write> {
    sink: Sink<W>,
    meta: Metadata,
    /// Byte offset of each object by number; index 0 is the free head, 1..=5 are set at the end.
    offsets: Vec<u64>,
    /// Reused for everything but the image data.
    scratch: Vec<u8>,
}

impl<W: Write> Assembler<W> {
    /// Starts a document: writes the header (`%PDF-1.4` and a binary comment) to `out`.
    pub fn new(out: W, meta: Metadata) -> Result<Self> {
        let mut sink = Sink { out, position: 0, failed: false };
        sink.put(b"%PDF-1.4\n%\xE2\xE3\xCF\xD3\n")?;
        Ok(Assembler { sink, meta, offsets: vec![0; FIRST_PAGE_OBJECT as usize], scratch: Vec::with_capacity(512) })
    }

    /// How many pages were added so far.
    pub fn page_count(&self) -> usize {
        (self.offsets.len() - FIRST_PAGE_OBJECT as usize) / OBJECTS_PER_PAGE as usize
    }

    /// Adds one page holding `page.jpeg` as it is, sized at 100 % scale.
    ///
    /// Errors before anything is written (the page is simply not added) when the JPEG cannot be
    /// passed through ([`PdfError::UnsupportedImage`]), has no resolution and none is given
    /// ([`PdfError::NoResolution`]), the resolution is outside 10–2400 dpi
    /// ([`PdfError::ResolutionOutOfRange`]) or the page would be outside PDF 1.4's limits
    /// ([`PdfError::PageSize`]); a failing writer gives [`PdfError::Io`] and ends the document.
    pub fn add_page(&mut self, page: PageSpec<'_>) -> Result<PageInfo> {
        let image = jpeg::parse(page.jpeg)?;
        let (dpi_x, dpi_y) = match (page.dpi, image.density) {
            (Some(dpi), _) => (dpi, dpi),
            (None, Some(density)) => (density.x, density.y),
            (None, None) => return Err(PdfError::NoResolution),
        };
        for dpi in [dpi_x, dpi_y] {
            if !DPI_RANGE.contains(&dpi) {
                return Err(PdfError::ResolutionOutOfRange(dpi));
            }
        }
        let width_pt = f64::from(image.width) * 72.0 / f64::from(dpi_x);
        let height_pt = f64::from(image.height) * 72.0 / f64::from(dpi_y);
        let (shown_w, shown_h) =
            if page.rotation.quarter_turned() { (height_pt, width_pt) } else { (width_pt, height_pt) };
        let info = PageInfo {
            width_px: image.width,
            height_px: image.height,
            dpi: dpi_x.min(dpi_y),
            width_mm: (shown_w / 72.0 * 25.4) as f32,
            height_mm: (shown_h / 72.0 * 25.4) as f32,
            colour: image.components == 3,
        };
        let in_limits = |side: f64| (MIN_SIDE_PT..=MAX_SIDE_PT).contains(&side);
        if !in_limits(width_pt) || !in_limits(height_pt) {
            return Err(PdfError::PageSize { width_mm: info.width_mm, height_mm: info.height_mm });
        }
        if self.sink.failed {
            return Err(PdfError::Write("một lần ghi trước đó đã thất bại".into()));
        }

        let image_id = self.next_id();
        let content_id = image_id + 1;
        let page_id = image_id + 2;
        // The MediaBox and the `cm` use the same digits, so the image fills the page exactly.
        let (w, h) = (number(width_pt), number(height_pt));

        self.begin_object(image_id);
        let colour_space = if info.colour { "DeviceRGB" } else { "DeviceGray" };
        // `write!` into a Vec<u8> cannot fail.
        let _ = write!(
            self.scratch,
            "<< /Type /XObject /Subtype /Image /Width {} /Height {} /ColorSpace /{colour_space} \
             /BitsPerComponent 8 /Filter /DCTDecode /Length {} >>\nstream\n",
            image.width,
            image.height,
            page.jpeg.len()
        );
        self.flush_scratch()?;
        self.sink.put(page.jpeg)?;
        self.sink.put(b"\nendstream\nendobj\n")?;

        let content = format!("q\n{w} 0 0 {h} 0 0 cm\n/Im0 Do\nQ\n");
        self.begin_object(content_id);
        let _ = write!(self.scratch, "<< /Length {} >>\nstream\n{content}\nendstream\nendobj\n", content.len());
        self.flush_scratch()?;

        self.begin_object(page_id);
        let _ = write!(
            self.scratch,
            "<< /Type /Page /Parent {PAGES} 0 R /MediaBox [0 0 {w} {h}] \
             /Resources << /XObject << /Im0 {image_id} 0 R >> >> /Contents {content_id} 0 R"
        );
        if page.rotation != Rotation::None {
            let _ = write!(self.scratch, " /Rotate {}", page.rotation.degrees());
        }
        self.scratch.extend_from_slice(b" >>\nendobj\n");
        self.flush_scratch()?;
        Ok(info)
    }

    /// Ends the document: page tree, XMP metadata, output intent, Info, catalog, cross-reference
    /// table and trailer. Gives the writer back (not flushed: a `BufWriter` flushes when asked or
    /// dropped). [`PdfError::NoPages`] when no page was added.
    pub fn finish(mut self) -> Result<W> {
        let count = self.page_count();
        if count == 0 {
            return Err(PdfError::NoPages);
        }
        let created = whole_seconds(self.meta.created)?;
        let pdf_date = pdf_date(created);
        let title = clean_text(&self.meta.title);
        let producer = clean_text(&self.meta.producer);

        self.begin_object(PAGES);
        self.scratch.extend_from_slice(b"<< /Type /Pages /Kids [");
        for i in 0..count as u32 {
            let page_id = FIRST_PAGE_OBJECT + i * OBJECTS_PER_PAGE + 2;
            let _ = write!(self.scratch, "{}{page_id} 0 R", if i % 8 == 0 { "\n" } else { " " });
            if self.scratch.len() > 4096 {
                self.flush_scratch()?;
            }
        }
        let _ = write!(self.scratch, "\n] /Count {count} >>\nendobj\n");
        self.flush_scratch()?;

        let xmp = xmp_packet(&title, &producer, &xmp_date(created), &self.meta.document_id);
        self.begin_object(METADATA);
        let _ = write!(self.scratch, "<< /Type /Metadata /Subtype /XML /Length {} >>\nstream\n", xmp.len());
        self.scratch.extend_from_slice(xmp.as_bytes());
        self.scratch.extend_from_slice(b"\nendstream\nendobj\n");
        self.flush_scratch()?;

        self.begin_object(ICC_PROFILE);
        let _ = write!(self.scratch, "<< /N 3 /Length {} >>\nstream\n", SRGB_ICC.len());
        self.scratch.extend_from_slice(SRGB_ICC);
        self.scratch.extend_from_slice(b"\nendstream\nendobj\n");
        self.flush_scratch()?;

        self.begin_object(INFO);
        self.scratch.extend_from_slice(b"<<");
        if !title.is_empty() {
            self.scratch.extend_from_slice(b" /Title ");
            text_string(&mut self.scratch, &title);
        }
        if !producer.is_empty() {
            self.scratch.extend_from_slice(b" /Producer ");
            text_string(&mut self.scratch, &producer);
        }
        let _ = write!(self.scratch, " /CreationDate ({pdf_date}) /ModDate ({pdf_date}) >>\nendobj\n");
        self.flush_scratch()?;

        self.begin_object(CATALOG);
        let _ = write!(
            self.scratch,
            "<< /Type /Catalog /Pages {PAGES} 0 R /Metadata {METADATA} 0 R /OutputIntents [<< \
             /Type /OutputIntent /S /GTS_PDFA1 /OutputConditionIdentifier (sRGB IEC61966-2.1) \
             /Info (sRGB IEC61966-2.1) /DestOutputProfile {ICC_PROFILE} 0 R >>] >>\nendobj\n"
        );
        self.flush_scratch()?;

        let xref_at = self.sink.position;
        let size = self.offsets.len();
        let _ = write!(self.scratch, "xref\n0 {size}\n0000000000 65535 f \n");
        for i in 1..size {
            let _ = writeln!(self.scratch, "{:010} 00000 n ", self.offsets[i]);
            if self.scratch.len() > 8192 {
                self.flush_scratch()?;
            }
        }
        let id = hex(&self.meta.document_id);
        let _ = write!(
            self.scratch,
            "trailer\n<< /Size {size} /Root {CATALOG} 0 R /Info {INFO} 0 R /ID [<{id}> <{id}>] >>\n\
             startxref\n{xref_at}\n%%EOF\n"
        );
        self.flush_scratch()?;
        Ok(self.sink.out)
    }

    fn next_id(&self) -> u32 {
        self.offsets.len() as u32
    }

    /// Records where object `id` starts (the next byte written) and opens it in the scratch.
    fn begin_object(&mut self, id: u32) {
        let at = self.sink.position + self.scratch.len() as u64;
        let slot = id as usize;
        if slot < self.offsets.len() {
            self.offsets[slot] = at;
        } else {
            self.offsets.push(at);
        }
        let _ = writeln!(self.scratch, "{id} 0 obj");
    }

    fn flush_scratch(&mut self) -> Result<()> {
        let result = self.sink.put(&self.scratch);
        self.scratch.clear();
        result
    }
}

/// Assembles `pages` into one document written to `out`: [`Assembler`] in one call, for pages
/// already in memory. Gives the writer back with what each page became.
pub fn assemble<'a, W: Write>(
    pages: impl IntoIterator<Item = PageSpec<'a>>,
    meta: Metadata,
    out: W,
) -> Result<(W, Vec<PageInfo>)> {
    let mut assembler = Assembler::new(out, meta)?;
    let infos = pages.into_iter().map(|page| assembler.add_page(page)).collect::<Result<Vec<_>>>()?;
    Ok((assembler.finish()?, infos))
}

/// A non-negative length with at most four decimals and no trailing zeros ("595.2756", "842").
fn number(value: f64) -> String {
    let mut s = format!("{value:.4}");
    while s.ends_with('0') {
        s.pop();
    }
    if s.ends_with('.') {
        s.pop();
    }
    s
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02X}")).collect()
}

/// The time cut to whole seconds, its offset to whole minutes (what a PDF date can say), in
/// years 0–9999.
fn whole_seconds(t: OffsetDateTime) -> Result<OffsetDateTime> {
    let offset = t.offset();
    let minutes = offset.whole_minutes();
    let offset = time::UtcOffset::from_whole_seconds(i32::from(minutes) * 60).unwrap_or(offset);
    let out_of_range = || PdfError::Write(format!("năm {} ngoài khoảng 0–9999", t.year()));
    let t = t.checked_to_offset(offset).ok_or_else(out_of_range)?;
    let t = t.replace_nanosecond(0).unwrap_or(t);
    if !(0..=9999).contains(&t.year()) {
        return Err(out_of_range());
    }
    Ok(t)
}

fn offset_parts(t: OffsetDateTime) -> (char, u8, u8) {
    let minutes = t.offset().whole_minutes();
    let sign = if minutes < 0 { '-' } else { '+' };
    let minutes = minutes.unsigned_abs();
    (sign, (minutes / 60) as u8, (minutes % 60) as u8)
}

/// `D:YYYYMMDDHHmmSS+HH'mm'` (PDF 1.4, 3.8.3).
fn pdf_date(t: OffsetDateTime) -> String {
    let (sign, oh, om) = offset_parts(t);
    format!(
        "D:{:04}{:02}{:02}{:02}{:02}{:02}{sign}{oh:02}'{om:02}'",
        t.year(),
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute(),
        t.second()
    )
}

/// `YYYY-MM-DDTHH:mm:SS+HH:MM` (ISO 8601, as XMP wants), the same instant and offset.
fn xmp_date(t: OffsetDateTime) -> String {
    let (sign, oh, om) = offset_parts(t);
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}{sign}{oh:02}:{om:02}",
        t.year(),
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute(),
        t.second()
    )
}

/// The text as both Info and XMP will carry it: no control characters (XML cannot hold most of
/// them, and a CR would come back from XML as LF), no non-characters, no surrounding spaces.
fn clean_text(text: &str) -> String {
    text.chars()
        .map(|c| if c.is_control() || c == '\u{FFFE}' || c == '\u{FFFF}' { ' ' } else { c })
        .collect::<String>()
        .trim()
        .to_owned()
}

/// A PDF text string: a literal for printable ASCII, else UTF-16BE with a byte-order mark in hex.
fn text_string(out: &mut Vec<u8>, text: &str) {
    if text.bytes().all(|b| (0x20..0x7F).contains(&b)) {
        out.push(b'(');
        for b in text.bytes() {
            if matches!(b, b'(' | b')' | b'\\') {
                out.push(b'\\');
            }
            out.push(b);
        }
        out.push(b')');
    } else {
        out.extend_from_slice(b"<FEFF");
        for unit in text.encode_utf16() {
            let _ = write!(out, "{unit:04X}");
        }
        out.push(b'>');
    }
}

fn xml_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c => out.push(c),
        }
    }
    out
}

/// The XMP packet: PDF/A-1b identification and the same facts as the Info dictionary.
fn xmp_packet(title: &str, producer: &str, date: &str, id: &[u8; 16]) -> String {
    let uuid =
        format!("uuid:{}-{}-{}-{}-{}", hex(&id[..4]), hex(&id[4..6]), hex(&id[6..8]), hex(&id[8..10]), hex(&id[10..]))
            .to_lowercase();
    let mut dc = String::from("  <dc:format>application/pdf</dc:format>\n");
    if !title.is_empty() {
        dc.push_str(&format!(
            "  <dc:title><rdf:Alt><rdf:li xml:lang=\"x-default\">{}</rdf:li></rdf:Alt></dc:title>\n",
            xml_escape(title)
        ));
    }
    let producer = if producer.is_empty() {
        String::new()
    } else {
        format!(
            " <rdf:Description rdf:about=\"\" xmlns:pdf=\"http://ns.adobe.com/pdf/1.3/\">\n  \
             <pdf:Producer>{}</pdf:Producer>\n </rdf:Description>\n",
            xml_escape(producer)
        )
    };
    format!(
        "<?xpacket begin=\"\u{FEFF}\" id=\"W5M0MpCehiHzreSzNTczkc9d\"?>\n\
         <x:xmpmeta xmlns:x=\"adobe:ns:meta/\">\n\
         <rdf:RDF xmlns:rdf=\"http://www.w3.org/1999/02/22-rdf-syntax-ns#\">\n \
         <rdf:Description rdf:about=\"\" xmlns:pdfaid=\"http://www.aiim.org/pdfa/ns/id/\">\n  \
         <pdfaid:part>1</pdfaid:part>\n  <pdfaid:conformance>B</pdfaid:conformance>\n \
         </rdf:Description>\n \
         <rdf:Description rdf:about=\"\" xmlns:dc=\"http://purl.org/dc/elements/1.1/\">\n{dc} \
         </rdf:Description>\n \
         <rdf:Description rdf:about=\"\" xmlns:xmp=\"http://ns.adobe.com/xap/1.0/\">\n  \
         <xmp:CreateDate>{date}</xmp:CreateDate>\n  <xmp:ModifyDate>{date}</xmp:ModifyDate>\n  \
         <xmp:MetadataDate>{date}</xmp:MetadataDate>\n </rdf:Description>\n{producer} \
         <rdf:Description rdf:about=\"\" xmlns:xmpMM=\"http://ns.adobe.com/xap/1.0/mm/\">\n  \
         <xmpMM:DocumentID>{uuid}</xmpMM:DocumentID>\n </rdf:Description>\n\
         </rdf:RDF>\n</x:xmpmeta>\n<?xpacket end=\"w\"?>"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_dates_and_strings() {
        assert_eq!(number(595.275_590_55), "595.2756");
        assert_eq!(number(842.0), "842");
        assert_eq!(number(12.5), "12.5");
        let t = time::macros::datetime!(2024-03-05 09:07:30.75 +07:00);
        let t = whole_seconds(t).expect("in range");
        assert_eq!(pdf_date(t), "D:20240305090730+07'00'");
        assert_eq!(xmp_date(t), "2024-03-05T09:07:30+07:00");
        let t = time::macros::datetime!(1999-12-31 23:59:59 -03:30);
        assert_eq!(pdf_date(t), "D:19991231235959-03'30'");
        let mut out = Vec::new();
        text_string(&mut out, "a(b)\\");
        assert_eq!(out, b"(a\\(b\\)\\\\)");
        out.clear();
        text_string(&mut out, "Công văn");
        assert_eq!(out, b"<FEFF004300F4006E0067002000760103006E>");
        assert_eq!(clean_text(" a\r\nb\u{7}c "), "a  b c");
        assert_eq!(xml_escape("<a & 'b'>"), "&lt;a &amp; &apos;b&apos;&gt;");
        assert_eq!(Rotation::from_degrees(-90), Some(Rotation::Left));
        assert_eq!(Rotation::from_degrees(450), Some(Rotation::Right));
        assert_eq!(Rotation::from_degrees(45), None);
    }
}
