//! Does a PDF — ours or anyone's — meet the national standard for digitised documents?
//!
//! The standard (Decree 30/2020 App. I, Circular 01/2019 art. 6) asks for PDF 1.4 or later, colour,
//! at least 200 dpi and 100 % scale. A PDF does not state its resolution or scale: they follow from
//! what each page draws. So [`check`] walks every page's content stream, tracking the graphics
//! state (`q`/`Q`, `cm`, the text rendering mode) into Form XObjects, and measures each image where
//! it is painted: pixels ÷ displayed inches is the effective resolution, the displayed area ÷ the
//! page's area is the scale. Pages are then classed: a *scan* (images cover the page, no visible
//! text or paths), *vector* (born digital: text or paths, no significant image — it passes, it is not
//! a scan), *mixed* (held to the scan rules) or *empty*. It also reports what the archive cares
//! about: the PDF/A claim and its output intent, encryption, JavaScript.
//!
//! The input is hostile until proven otherwise: this runs on files clerks receive. Inputs over 2 GiB
//! are refused. Before lopdf parses the objects, a linear pre-scan of the syntax outside streams
//! refuses nesting deeper than 512 and single arrays or dictionaries of more than a million elements
//! (lopdf spends ~128 bytes per element: a 50 MB array would cost gigabytes). Parsing then happens on
//! a thread of its own with a 256 MiB stack, inside `catch_unwind`, so that neither deep nesting nor
//! a panic in the parser reaches the caller. Content streams are read by a lexer of our own that
//! keeps at most eight operands and skips nested arrays, dictionaries and strings by counting, so
//! memory stays flat whatever a page holds; every walk is bounded (Form XObjects within Form
//! XObjects, operations and decompressed bytes per page, colour-space chains). Only "not a PDF at
//! all", "too large" or "unreadable" is an error: everything else is a [`Report`].
//!
//! Scale is an area ratio: the main image's displayed area over the page's visible area (CropBox
//! within MediaBox, times `/UserUnit`), so an image drawn at half width and half height is 25 %.
//! Invisible text (render modes 3 and 7, the OCR layer of a searchable scan) does not make a scan
//! "mixed"; visible text, such as an arrival stamp, does, and mixed pages are held to the scan rules.

use std::panic::{AssertUnwindSafe, catch_unwind};

use lopdf::{Dictionary, Document, LoadOptions, Object, ObjectId, Stream};

use crate::jpeg;
use crate::{PdfError, Result};

/// Inputs larger than this are refused before parsing.
const MAX_INPUT: u64 = 2 << 30;
/// The parser's thread stack: deep nesting must not overflow the caller's.
const PARSER_STACK: usize = 256 << 20;
/// Decompressed bytes read per page, its Form XObjects included.
const MAX_CONTENT_BYTES: usize = 256 << 20;
/// Content-stream operations interpreted per page, its Form XObjects included.
const MAX_OPERATIONS: usize = 5_000_000;
/// Form XObjects inside Form XObjects.
const MAX_FORM_DEPTH: usize = 12;
/// `q` without `Q` kept on the stack; deeper saves are counted, not stored.
const MAX_SAVED_STATES: usize = 4096;
/// Parents of a page searched for an inherited attribute.
const MAX_TREE_DEPTH: usize = 64;

/// The standard's minimum resolution, and the tolerance for rounding (199.5 passes).
const MIN_DPI: f32 = 200.0;
const DPI_TOLERANCE: f32 = 0.99;
/// The scale a scan page must have, in percent of the page's area covered by its image.
const SCALE_RANGE: std::ops::RangeInclusive<f32> = 98.0..=102.0;
/// Images covering this share of a page make it a scan (when nothing else is drawn).
const SCAN_COVERAGE: f64 = 0.90;
/// Images covering less than this share of a page are decoration, not content.
const SIGNIFICANT_COVERAGE: f64 = 0.10;

/// A PDF's compliance with the digitisation standard, as `vanthu check-pdf --json` prints it.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Report {
    /// No problems: PDF ≥ 1.4, not encrypted, no JavaScript, at least one page, and every scan or
    /// mixed page colour, at least 200 dpi and at 100 % scale.
    pub compliant: bool,
    /// The PDF version: the header's, or the catalog's `/Version` when that is later.
    pub version: String,
    /// The PDF/A claim of the XMP metadata, part and conformance ("1B", "2U"…); `None` if none.
    pub pdfa: Option<String>,
    /// Whether the catalog has a PDF/A output intent (`GTS_PDFA1`) with a profile.
    pub output_intent: bool,
    /// Whether the file is encrypted.
    pub encrypted: bool,
    /// Whether the file carries JavaScript anywhere.
    pub javascript: bool,
    /// Each page, in order (empty when an encrypted file cannot be opened).
    pub pages: Vec<PageReport>,
    /// What keeps the file from complying; empty when it complies.
    pub problems: Vec<Problem>,
}

/// One page, as displayed.
#[derive(Debug, Clone, serde::Serialize)]
pub struct PageReport {
    /// The page number, from 1.
    pub page: u32,
    /// The visible width in millimetres, after `/Rotate`.
    pub width_mm: f32,
    /// The visible height in millimetres, after `/Rotate`.
    pub height_mm: f32,
    /// The page's `/Rotate`, normalised to 0, 90, 180 or 270.
    pub rotate: u16,
    /// What the page is made of.
    pub kind: PageKind,
    /// Whether its content images are in colour; `None` when it has none.
    pub colour: Option<bool>,
    /// The lowest effective resolution of its content images, in dpi; `None` when it has none.
    pub dpi: Option<f32>,
    /// For scan and mixed pages: the main image's displayed area in percent of the page's area
    /// (100 when the image fills the page exactly).
    pub scale_percent: Option<f32>,
    /// Every image painted on the page, Form XObjects and inline images included.
    pub images: Vec<ImageReport>,
}

/// What a page is made of.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum PageKind {
    /// Images cover at least 90 % of the page; no visible text, no painted paths.
    Scan,
    /// Text or paths, and images covering less than 10 % of the page.
    Vector,
    /// Significant images together with text or paths, or images not covering the page.
    Mixed,
    /// Nothing is painted.
    Empty,
}

/// One image where it is painted.
#[derive(Debug, Clone, serde::Serialize)]
pub struct ImageReport {
    /// Width in pixels.
    pub width: u32,
    /// Height in pixels.
    pub height: u32,
    /// Pixels per displayed inch along the image's width.
    pub dpi_x: f32,
    /// Pixels per displayed inch along the image's height.
    pub dpi_y: f32,
    /// The colour space's family ("DeviceRGB", "ICCBased", "Indexed", "ImageMask"…).
    pub colour_space: String,
    /// Bits per component.
    pub bits: u8,
    /// The filter that encodes the image (the last of the chain), e.g. "DCTDecode".
    pub filter: Option<String>,
    /// Whether the image has colour (RGB, Lab, CMYK, colour ICC or an index into one).
    pub colour: bool,
}

/// One reason a file does not comply.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Problem {
    /// What kind of problem: `version_too_old`, `not_colour`, `low_resolution`, `not_full_scale`,
    /// `encrypted`, `javascript`, `no_pages`, `unreadable_page`.
    pub code: &'static str,
    /// The page it concerns, from 1, if it concerns one.
    pub page: Option<u32>,
    /// The problem in words for the clerk.
    pub message: String,
}

impl Problem {
    fn file(code: &'static str, message: String) -> Problem {
        Problem { code, page: None, message }
    }

    fn page(code: &'static str, page: u32, what: String) -> Problem {
        Problem { code, page: Some(page), message: format!("Trang {page}: {what}") }
    }
}

/// Checks `bytes` against the digitisation standard.
///
/// Errors only when the bytes are not a PDF ([`PdfError::NotPdf`]), are larger than 2 GiB
/// ([`PdfError::TooLarge`]) or cannot be read at all ([`PdfError::Malformed`]); an encrypted file
/// that cannot be opened is a report with `encrypted: true`.
pub fn check(bytes: &[u8]) -> Result<Report> {
    if bytes.len() as u64 > MAX_INPUT {
        return Err(PdfError::TooLarge(bytes.len() as u64));
    }
    let head = &bytes[..bytes.len().min(1024)];
    let Some(at) = head.windows(5).position(|w| w == b"%PDF-") else {
        return Err(PdfError::NotPdf("không có phần đầu %PDF-".into()));
    };
    let header_version = version_prefix(&bytes[at + 5..bytes.len().min(at + 16)])
        .ok_or_else(|| PdfError::NotPdf("phần đầu %PDF- không ghi phiên bản".into()))?;
    std::thread::scope(|scope| {
        let parser = std::thread::Builder::new()
            .name("vanthu-pdf-check".into())
            .stack_size(PARSER_STACK)
            .spawn_scoped(scope, || catch_unwind(AssertUnwindSafe(|| inspect(bytes, header_version))))?;
        match parser.join() {
            Ok(Ok(report)) => report,
            Ok(Err(_)) | Err(_) => Err(PdfError::Malformed("trình đọc PDF gặp lỗi nghiêm trọng với tệp này".into())),
        }
    })
}

/// A version (major, minor) from the bytes after `%PDF-` or from a `/Version` name.
type Version = (u32, u32);

fn version_prefix(bytes: &[u8]) -> Option<Version> {
    let digits = |b: &[u8]| -> Option<(u32, usize)> {
        let n = b.iter().take_while(|c| c.is_ascii_digit()).count();
        let text = std::str::from_utf8(b.get(..n)?).ok()?;
        Some((text.parse().ok()?, n))
    };
    let (major, n) = digits(bytes)?;
    if bytes.get(n) != Some(&b'.') {
        return None;
    }
    let (minor, _) = digits(&bytes[n + 1..])?;
    Some((major, minor))
}

/// Everything after the header: parsing and the report, on the parser's thread.
fn inspect(bytes: &[u8], header_version: Version) -> Result<Report> {
    prescan(bytes)?;
    let options = LoadOptions::with_max_decompressed_size(MAX_CONTENT_BYTES / 4);
    let doc = match Document::load_mem_with_options(bytes, options) {
        Ok(doc) => doc,
        Err(_) if mentions_encryption(bytes) => return Ok(locked_report(header_version)),
        Err(error) => return Err(PdfError::Malformed(error.to_string())),
    };
    let encrypted = doc.trailer.has(b"Encrypt") || doc.encryption_state.is_some();
    if encrypted && doc.encryption_state.is_none() {
        // Encrypted with a password we do not have: nothing inside can be read.
        return Ok(locked_report(header_version));
    }
    let catalog = doc.catalog().ok();
    let version = catalog
        .and_then(|c| c.get(b"Version").ok())
        .and_then(|v| v.as_name().ok())
        .and_then(version_prefix)
        .map_or(header_version, |v| v.max(header_version));

    let mut problems = Vec::new();
    if version < (1, 4) {
        problems.push(Problem::file(
            "version_too_old",
            format!("Phiên bản PDF {}.{}, cần PDF 1.4 trở lên", version.0, version.1),
        ));
    }
    if encrypted {
        problems.push(encrypted_problem());
    }
    let javascript = has_javascript(&doc);
    if javascript {
        problems.push(Problem::file("javascript", "Tệp chứa mã JavaScript".into()));
    }

    let mut pages = Vec::new();
    for (number, page_id) in doc.get_pages() {
        let (report, readable) = inspect_page(&doc, number, page_id);
        if !readable {
            problems.push(Problem::page("unreadable_page", number, "không đọc được nội dung trang".into()));
        }
        page_problems(&report, &mut problems);
        pages.push(report);
    }
    if pages.is_empty() {
        problems.push(Problem::file("no_pages", "Tệp không có trang nào".into()));
    }
    Ok(Report {
        compliant: problems.is_empty(),
        version: format!("{}.{}", version.0, version.1),
        pdfa: catalog.and_then(|c| pdfa_claim(&doc, c)),
        output_intent: catalog.is_some_and(|c| has_output_intent(&doc, c)),
        encrypted,
        javascript,
        pages,
        problems,
    })
}

fn encrypted_problem() -> Problem {
    Problem::file("encrypted", "Tệp được mã hoá (có mật khẩu), không lưu trữ được".into())
}

/// The report on an encrypted file we cannot open: only the header can be read.
fn locked_report(version: Version) -> Report {
    let mut problems = vec![encrypted_problem()];
    if version < (1, 4) {
        problems.push(Problem::file(
            "version_too_old",
            format!("Phiên bản PDF {}.{}, cần PDF 1.4 trở lên", version.0, version.1),
        ));
    }
    Report {
        compliant: false,
        version: format!("{}.{}", version.0, version.1),
        pdfa: None,
        output_intent: false,
        encrypted: true,
        javascript: false,
        pages: Vec::new(),
        problems,
    }
}

/// Whether a file the parser refused names an encryption dictionary.
fn mentions_encryption(bytes: &[u8]) -> bool {
    bytes.windows(8).any(|w| w == b"/Encrypt")
}

/// The scan rules, for scan and mixed pages.
fn page_problems(page: &PageReport, problems: &mut Vec<Problem>) {
    if !matches!(page.kind, PageKind::Scan | PageKind::Mixed) {
        return;
    }
    let n = page.page;
    if page.colour == Some(false) {
        problems.push(Problem::page("not_colour", n, "ảnh quét không phải ảnh màu".into()));
    }
    if let Some(dpi) = page.dpi
        && dpi < MIN_DPI * DPI_TOLERANCE
    {
        problems.push(Problem::page(
            "low_resolution",
            n,
            format!("độ phân giải {dpi:.0} dpi, dưới mức tối thiểu {MIN_DPI:.0} dpi"),
        ));
    }
    if let Some(scale) = page.scale_percent
        && !SCALE_RANGE.contains(&scale)
    {
        problems.push(Problem::page(
            "not_full_scale",
            n,
            format!("ảnh chiếm {scale:.0} % diện tích trang, không đúng tỷ lệ 100 %"),
        ));
    }
}

// ---------------------------------------------------------------------------------------------
// Document-level facts: JavaScript, PDF/A, output intent.

/// JavaScript anywhere: a JavaScript action (`/S /JavaScript`, `/JS`) in any object, or a
/// `/JavaScript` name tree. Looks at every dictionary, reachable or not, without recursion.
fn has_javascript(doc: &Document) -> bool {
    let mut stack: Vec<&Object> = doc.objects.values().collect();
    while let Some(object) = stack.pop() {
        let dict = match object {
            Object::Dictionary(dict) => dict,
            Object::Stream(stream) => &stream.dict,
            Object::Array(items) => {
                stack.extend(items.iter());
                continue;
            }
            _ => continue,
        };
        if dict.has(b"JS")
            || dict.has(b"JavaScript")
            || dict.get(b"S").and_then(Object::as_name).ok() == Some(b"JavaScript")
        {
            return true;
        }
        stack.extend(dict.iter().map(|(_, value)| value));
    }
    false
}

/// `pdfaid:part` and `pdfaid:conformance` from the catalog's XMP metadata, as elements or as
/// attributes.
fn pdfa_claim(doc: &Document, catalog: &Dictionary) -> Option<String> {
    let stream = deref(doc, catalog.get(b"Metadata").ok()?)?.as_stream().ok()?;
    let xmp = stream_bytes(stream, 16 << 20)?;
    let xmp = String::from_utf8_lossy(&xmp);
    let part = xmp_property(&xmp, "pdfaid:part")?;
    let conformance = xmp_property(&xmp, "pdfaid:conformance").unwrap_or_default();
    Some(format!("{part}{}", conformance.to_uppercase()))
}

fn xmp_property(xmp: &str, name: &str) -> Option<String> {
    let element = format!("<{name}>");
    if let Some(at) = xmp.find(&element) {
        let rest = &xmp[at + element.len()..];
        let value = rest[..rest.find('<')?].trim();
        return (!value.is_empty()).then(|| value.to_owned());
    }
    let attribute = format!("{name}=");
    let at = xmp.find(&attribute)?;
    let rest = &xmp[at + attribute.len()..];
    let quote = rest.chars().next().filter(|q| *q == '"' || *q == '\'')?;
    let rest = &rest[1..];
    let value = rest[..rest.find(quote)?].trim();
    (!value.is_empty()).then(|| value.to_owned())
}

fn has_output_intent(doc: &Document, catalog: &Dictionary) -> bool {
    let Some(Object::Array(intents)) = catalog.get(b"OutputIntents").ok().and_then(|o| deref(doc, o)) else {
        return false;
    };
    intents.iter().filter_map(|i| deref(doc, i)?.as_dict().ok()).any(|intent| {
        intent.get(b"S").and_then(Object::as_name).ok() == Some(b"GTS_PDFA1")
            && intent.get(b"DestOutputProfile").ok().and_then(|p| deref(doc, p)).is_some_and(|p| p.as_stream().is_ok())
    })
}

// ---------------------------------------------------------------------------------------------
// Pages.

fn deref<'a>(doc: &'a Document, object: &'a Object) -> Option<&'a Object> {
    doc.dereference(object).ok().map(|(_, object)| object)
}

fn number(object: &Object) -> Option<f64> {
    let value = f64::from(object.as_float().ok()?);
    value.is_finite().then_some(value)
}

/// An attribute of the page or, if absent, of its nearest ancestor that has it.
fn inherited<'a>(doc: &'a Document, page: &'a Dictionary, key: &[u8]) -> Option<&'a Object> {
    let mut node = page;
    for _ in 0..MAX_TREE_DEPTH {
        if let Ok(value) = node.get(key) {
            return deref(doc, value);
        }
        node = deref(doc, node.get(b"Parent").ok()?)?.as_dict().ok()?;
    }
    None
}

/// A rectangle as (x0, y0, x1, y1) with x0 ≤ x1, y0 ≤ y1.
type Rect = (f64, f64, f64, f64);

fn rectangle(object: &Object, doc: &Document) -> Option<Rect> {
    let items = object.as_array().ok()?;
    if items.len() != 4 {
        return None;
    }
    let mut v = [0.0; 4];
    for (slot, item) in v.iter_mut().zip(items) {
        *slot = number(deref(doc, item)?)?;
    }
    Some((v[0].min(v[2]), v[1].min(v[3]), v[0].max(v[2]), v[1].max(v[3])))
}

fn intersect(a: Rect, b: Rect) -> Rect {
    let r = (a.0.max(b.0), a.1.max(b.1), a.2.min(b.2), a.3.min(b.3));
    (r.0, r.1, r.2.max(r.0), r.3.max(r.1))
}

fn area(r: Rect) -> f64 {
    (r.2 - r.0) * (r.3 - r.1)
}

/// An image as painted: its report, where it lands and how large it is shown.
struct Placed {
    report: ImageReport,
    /// Its bounding box in default user space.
    bounds: Rect,
    /// Its displayed area in square points (the parallelogram of the CTM).
    area: f64,
}

fn inspect_page(doc: &Document, page_number: u32, page_id: ObjectId) -> (PageReport, bool) {
    let Some(page) = doc.get_dictionary(page_id).ok() else {
        let report = PageReport {
            page: page_number,
            width_mm: 0.0,
            height_mm: 0.0,
            rotate: 0,
            kind: PageKind::Empty,
            colour: None,
            dpi: None,
            scale_percent: None,
            images: Vec::new(),
        };
        return (report, false);
    };
    let media = inherited(doc, page, b"MediaBox").and_then(|o| rectangle(o, doc)).unwrap_or((0.0, 0.0, 612.0, 792.0));
    let visible =
        inherited(doc, page, b"CropBox").and_then(|o| rectangle(o, doc)).map_or(media, |crop| intersect(crop, media));
    let unit = page.get(b"UserUnit").ok().and_then(number).filter(|u| *u > 0.0).unwrap_or(1.0);
    let rotate = inherited(doc, page, b"Rotate")
        .and_then(|o| o.as_i64().ok())
        .map_or(0, |r| (r.rem_euclid(360) / 90 * 90) as u16);
    let (mut width_pt, mut height_pt) = ((visible.2 - visible.0) * unit, (visible.3 - visible.1) * unit);
    if rotate % 180 == 90 {
        std::mem::swap(&mut width_pt, &mut height_pt);
    }

    let mut painter =
        Painter { doc, unit, placed: Vec::new(), text: false, paths: false, operations: 0, bytes: 0, readable: true };
    let resources = inherited(doc, page, b"Resources").and_then(|r| r.as_dict().ok());
    match doc.get_page_content_with_limit(page_id, MAX_CONTENT_BYTES) {
        Ok(content) => {
            painter.bytes = content.len();
            painter.paint(&content, resources, IDENTITY, 0);
        }
        Err(_) => painter.readable = false,
    }

    let page_area = area(visible);
    let share = |r: Rect| {
        if page_area > 0.0 { area(intersect(r, visible)) / page_area } else { 0.0 }
    };
    let coverage: f64 = painter.placed.iter().map(|p| share(p.bounds)).sum::<f64>().min(1.0);
    let drawn = painter.text || painter.paths;
    let kind = if painter.placed.is_empty() && !drawn {
        PageKind::Empty
    } else if coverage < SIGNIFICANT_COVERAGE {
        PageKind::Vector
    } else if coverage >= SCAN_COVERAGE && !drawn {
        PageKind::Scan
    } else {
        PageKind::Mixed
    };
    // The images that carry the page's content; all of them if none is significant alone.
    let content: Vec<&Placed> = {
        let significant: Vec<&Placed> =
            painter.placed.iter().filter(|p| share(p.bounds) >= SIGNIFICANT_COVERAGE).collect();
        if significant.is_empty() { painter.placed.iter().collect() } else { significant }
    };
    let dpi = content.iter().map(|p| p.report.dpi_x.min(p.report.dpi_y)).min_by(f32::total_cmp);
    let colour = (!content.is_empty()).then(|| content.iter().any(|p| p.report.colour));
    let scale_percent = match kind {
        PageKind::Scan | PageKind::Mixed if page_area > 0.0 => content
            .iter()
            .map(|p| p.area)
            .max_by(f64::total_cmp)
            .map(|main| round2(main / (page_area * unit * unit) * 100.0)),
        _ => None,
    };
    let report = PageReport {
        page: page_number,
        width_mm: round2(width_pt / 72.0 * 25.4),
        height_mm: round2(height_pt / 72.0 * 25.4),
        rotate,
        kind,
        colour,
        dpi,
        scale_percent,
        images: painter.placed.into_iter().map(|p| p.report).collect(),
    };
    (report, painter.readable)
}

fn round2(value: f64) -> f32 {
    ((value * 100.0).round() / 100.0) as f32
}

/// A transformation matrix [a b c d e f].
type Matrix = [f64; 6];
const IDENTITY: Matrix = [1.0, 0.0, 0.0, 1.0, 0.0, 0.0];

/// `m` applied, then `ctm`: the product m × ctm of PDF's row-vector convention.
fn concat(m: &Matrix, ctm: &Matrix) -> Matrix {
    [
        m[0] * ctm[0] + m[1] * ctm[2],
        m[0] * ctm[1] + m[1] * ctm[3],
        m[2] * ctm[0] + m[3] * ctm[2],
        m[2] * ctm[1] + m[3] * ctm[3],
        m[4] * ctm[0] + m[5] * ctm[2] + ctm[4],
        m[4] * ctm[1] + m[5] * ctm[3] + ctm[5],
    ]
}

/// A matrix from a `/Matrix` array.
fn matrix_object(items: &[Object]) -> Option<Matrix> {
    if items.len() != 6 {
        return None;
    }
    let mut m = [0.0; 6];
    for (slot, item) in m.iter_mut().zip(items) {
        *slot = number(item)?;
    }
    Some(m)
}

/// A matrix from the last six operands of `cm`.
fn matrix_operands(operands: &[Operand<'_>]) -> Option<Matrix> {
    let operands = operands.get(operands.len().checked_sub(6)?..)?;
    let mut m = [0.0; 6];
    for (slot, operand) in m.iter_mut().zip(operands) {
        match operand {
            Operand::Number(n) => *slot = *n,
            _ => return None,
        }
    }
    Some(m)
}

/// What an image is, wherever it is painted.
struct ImageFacts {
    width: u32,
    height: u32,
    colour_space: String,
    colour: bool,
    bits: u8,
    filter: Option<String>,
}

/// The facts of an image XObject (`dict`, with `raw` its stream bytes as stored).
fn xobject_facts(doc: &Document, dict: &Dictionary, raw: &[u8], resources: Option<&Dictionary>) -> Option<ImageFacts> {
    let get = |key: &[u8]| deref(doc, dict.get(key).ok()?);
    let size = |key: &[u8]| get(key)?.as_i64().ok().and_then(|v| u32::try_from(v).ok()).filter(|v| *v > 0);
    let (width, height) = (size(b"Width")?, size(b"Height")?);
    let (filter, alone) = match get(b"Filter") {
        Some(Object::Name(name)) => (Some(filter_name(name)), true),
        Some(Object::Array(chain)) => {
            (chain.last().and_then(|f| deref(doc, f)?.as_name().ok()).map(filter_name), chain.len() == 1)
        }
        _ => (None, false),
    };
    let mask = get(b"ImageMask").and_then(|o| o.as_bool().ok()) == Some(true);
    let bits = get(b"BitsPerComponent").and_then(|o| o.as_i64().ok()).and_then(|b| u8::try_from(b).ok());
    let (colour_space, colour, bits) = match get(b"ColorSpace") {
        _ if mask => ("ImageMask".to_owned(), false, Some(1)),
        Some(space) => {
            let (family, colour) = colour_space(doc, space, resources, 0);
            (family, colour, bits)
        }
        None => encoded_colour(filter.as_deref(), alone, raw, bits),
    };
    Some(ImageFacts { width, height, colour_space, colour, bits: bits.unwrap_or(8), filter })
}

/// Colour read from the encoded data itself, for a JPEG or JPEG 2000 image without `/ColorSpace`.
fn encoded_colour(filter: Option<&str>, alone: bool, raw: &[u8], bits: Option<u8>) -> (String, bool, Option<u8>) {
    match filter {
        Some("DCTDecode") if alone => match jpeg::header(raw) {
            Ok(info) => {
                (format!("JPEG ({} thành phần)", info.components), info.components >= 3, bits.or(Some(info.precision)))
            }
            Err(_) => ("?".to_owned(), false, bits),
        },
        Some("JPXDecode") if alone => match jpx_header(raw) {
            Some((components, depth)) => {
                (format!("JPX ({components} thành phần)"), components >= 3, bits.or(Some(depth)))
            }
            None => ("JPX".to_owned(), false, bits),
        },
        _ => ("?".to_owned(), false, bits),
    }
}

/// The facts of an inline image.
fn inline_facts(doc: &Document, image: &InlineImage<'_>, resources: Option<&Dictionary>) -> Option<ImageFacts> {
    let size = |v: Option<f64>| v.filter(|v| *v >= 1.0 && *v <= f64::from(u32::MAX)).map(|v| v as u32);
    let (width, height) = (size(image.width)?, size(image.height)?);
    let filter = image.filter.map(filter_name);
    let bits = image.bits.filter(|b| (1.0..=32.0).contains(b)).map(|b| b as u8);
    let (colour_space, colour, bits) = match image.space {
        _ if image.mask => ("ImageMask".to_owned(), false, Some(1)),
        InlineSpace::Name(name) => {
            let (family, colour) = colour_space(doc, &Object::Name(name.to_vec()), resources, 0);
            (family, colour, bits)
        }
        InlineSpace::Indexed(base) => {
            let colour = base.is_some_and(|b| colour_space(doc, &Object::Name(b.to_vec()), resources, 0).1);
            ("Indexed".to_owned(), colour, bits)
        }
        InlineSpace::Unknown => ("?".to_owned(), false, bits),
        InlineSpace::Missing => encoded_colour(filter.as_deref(), image.single_filter, image.data, bits),
    };
    Some(ImageFacts { width, height, colour_space, colour, bits: bits.unwrap_or(8), filter })
}

/// Interprets a page's content streams for what they paint.
struct Painter<'a> {
    doc: &'a Document,
    unit: f64,
    placed: Vec<Placed>,
    /// Visible text was shown (render modes 3 and 7 are invisible: OCR layers of scans).
    text: bool,
    /// A path or shading was painted.
    paths: bool,
    operations: usize,
    bytes: usize,
    readable: bool,
}

#[derive(Clone, Copy)]
struct GraphicsState {
    ctm: Matrix,
    text_mode: f64,
}

/// Operands kept before an operator: `cm` needs six; more are dropped from the front.
const KEPT_OPERANDS: usize = 8;

impl<'a> Painter<'a> {
    fn paint(&mut self, content: &[u8], resources: Option<&'a Dictionary>, ctm: Matrix, depth: usize) {
        let mut state = GraphicsState { ctm, text_mode: 0.0 };
        let mut saved: Vec<GraphicsState> = Vec::new();
        let mut unsaved = 0usize;
        let mut operands: Vec<Operand<'_>> = Vec::with_capacity(KEPT_OPERANDS);
        let mut lexer = Lexer { bytes: content, at: 0 };
        while let Some(token) = lexer.next_token() {
            let operator = match token {
                Token::Operand(operand) => {
                    if operands.len() == KEPT_OPERANDS {
                        operands.remove(0);
                    }
                    operands.push(operand);
                    continue;
                }
                Token::Operator(operator) => operator,
            };
            self.operations += 1;
            if self.operations > MAX_OPERATIONS {
                self.readable = false;
                return;
            }
            match operator {
                b"q" if saved.len() < MAX_SAVED_STATES => saved.push(state),
                b"q" => unsaved += 1,
                b"Q" if unsaved > 0 => unsaved -= 1,
                b"Q" => {
                    if let Some(previous) = saved.pop() {
                        state = previous;
                    }
                }
                b"cm" => {
                    if let Some(m) = matrix_operands(&operands) {
                        state.ctm = concat(&m, &state.ctm);
                    }
                }
                b"Tr" => {
                    if let Some(Operand::Number(mode)) = operands.last() {
                        state.text_mode = *mode;
                    }
                }
                b"Tj" | b"TJ" | b"'" | b"\"" if state.text_mode != 3.0 && state.text_mode != 7.0 => {
                    self.text = true;
                }
                b"S" | b"s" | b"f" | b"F" | b"f*" | b"B" | b"B*" | b"b" | b"b*" | b"sh" => self.paths = true,
                b"Do" => {
                    if let Some(Operand::Name(name)) = operands.last() {
                        self.draw_xobject(name, resources, &state.ctm, depth);
                    }
                }
                b"BI" => {
                    if let Some(image) = lexer.inline_image()
                        && let Some(facts) = inline_facts(self.doc, &image, resources)
                    {
                        self.place(facts, &state.ctm);
                    }
                }
                _ => {}
            }
            operands.clear();
        }
    }

    fn draw_xobject(&mut self, name: &[u8], resources: Option<&'a Dictionary>, ctm: &Matrix, depth: usize) {
        let doc = self.doc;
        let xobject = resources
            .and_then(|r| deref(doc, r.get(b"XObject").ok()?))
            .and_then(|x| x.as_dict().ok())
            .and_then(|x| deref(doc, x.get(name).ok()?))
            .and_then(|x| x.as_stream().ok());
        let Some(stream) = xobject else {
            return;
        };
        match stream.dict.get(b"Subtype").and_then(Object::as_name) {
            Ok(b"Image") => {
                if let Some(facts) = xobject_facts(doc, &stream.dict, &stream.content, resources) {
                    self.place(facts, ctm);
                }
            }
            Ok(b"Form") if depth < MAX_FORM_DEPTH => {
                let Some(content) = stream_bytes(stream, MAX_CONTENT_BYTES.saturating_sub(self.bytes)) else {
                    self.readable = false;
                    return;
                };
                self.bytes += content.len();
                let form_matrix = stream
                    .dict
                    .get(b"Matrix")
                    .ok()
                    .and_then(|m| deref(doc, m))
                    .and_then(|m| matrix_object(m.as_array().ok()?))
                    .unwrap_or(IDENTITY);
                let form_resources = stream
                    .dict
                    .get(b"Resources")
                    .ok()
                    .and_then(|r| deref(doc, r))
                    .and_then(|r| r.as_dict().ok())
                    .or(resources);
                self.paint(&content, form_resources, concat(&form_matrix, ctm), depth + 1);
            }
            Ok(b"Form") => self.readable = false,
            _ => {}
        }
    }

    /// Records an image painted with `ctm` (an image fills the unit square of its space).
    fn place(&mut self, facts: ImageFacts, ctm: &Matrix) {
        let length = |x: f64, y: f64| (x * x + y * y).sqrt() * self.unit;
        let shown_w = length(ctm[0], ctm[1]);
        let shown_h = length(ctm[2], ctm[3]);
        if !(shown_w > 1e-6 && shown_h > 1e-6 && shown_w.is_finite() && shown_h.is_finite()) {
            return;
        }
        let corners = [
            (ctm[4], ctm[5]),
            (ctm[0] + ctm[4], ctm[1] + ctm[5]),
            (ctm[2] + ctm[4], ctm[3] + ctm[5]),
            (ctm[0] + ctm[2] + ctm[4], ctm[1] + ctm[3] + ctm[5]),
        ];
        let bounds =
            corners.iter().fold((f64::INFINITY, f64::INFINITY, f64::NEG_INFINITY, f64::NEG_INFINITY), |b, &(x, y)| {
                (b.0.min(x), b.1.min(y), b.2.max(x), b.3.max(y))
            });
        self.placed.push(Placed {
            report: ImageReport {
                width: facts.width,
                height: facts.height,
                dpi_x: round2(f64::from(facts.width) / (shown_w / 72.0)),
                dpi_y: round2(f64::from(facts.height) / (shown_h / 72.0)),
                colour_space: facts.colour_space,
                bits: facts.bits,
                filter: facts.filter,
                colour: facts.colour,
            },
            bounds,
            area: (ctm[0] * ctm[3] - ctm[1] * ctm[2]).abs() * self.unit * self.unit,
        });
    }
}

// ---------------------------------------------------------------------------------------------
// Bytes: the content-stream lexer and the scan before parsing.
//
// Content streams are read with a lexer of our own rather than lopdf's parser: it keeps at most
// eight operands and skips arrays, dictionaries and strings by counting, so neither a 50 MB operand
// list nor 100 000 nested brackets costs memory or stack.

fn is_whitespace(b: u8) -> bool {
    matches!(b, 0 | 9 | 10 | 12 | 13 | 32)
}

fn is_regular(b: u8) -> bool {
    !is_whitespace(b) && !b"()<>[]{}/%".contains(&b)
}

/// After a `%`: the end of the line.
fn skip_comment(bytes: &[u8], at: usize) -> usize {
    bytes[at..].iter().position(|&b| b == b'\n' || b == b'\r').map_or(bytes.len(), |n| at + n)
}

/// After a `(`: past the matching `)`, escapes and balanced parentheses included.
fn skip_literal(bytes: &[u8], mut at: usize) -> usize {
    let mut depth = 1usize;
    while let Some(&b) = bytes.get(at) {
        at += 1;
        match b {
            b'\\' => at += 1,
            b'(' => depth += 1,
            b')' => {
                depth -= 1;
                if depth == 0 {
                    return at;
                }
            }
            _ => {}
        }
    }
    bytes.len()
}

/// After a `<` that opens a hex string: past its `>`.
fn skip_hex(bytes: &[u8], at: usize) -> usize {
    bytes[at..].iter().position(|&b| b == b'>').map_or(bytes.len(), |n| at + n + 1)
}

/// At `[` or `<<`: past the matching close, whatever is nested, by counting.
fn skip_composite(bytes: &[u8], mut at: usize) -> usize {
    let mut depth = 0usize;
    while let Some(&b) = bytes.get(at) {
        let next = bytes.get(at + 1).copied();
        match b {
            b'(' => at = skip_literal(bytes, at + 1),
            b'%' => at = skip_comment(bytes, at),
            b'<' if next == Some(b'<') => {
                depth += 1;
                at += 2;
            }
            b'<' => at = skip_hex(bytes, at + 1),
            b'[' => {
                depth += 1;
                at += 1;
            }
            b'>' | b']' => {
                at += if b == b'>' && next == Some(b'>') { 2 } else { 1 };
                depth = depth.saturating_sub(1);
                if depth == 0 {
                    return at;
                }
            }
            _ => at += 1,
        }
    }
    bytes.len()
}

/// An operand as far as the painter cares.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Operand<'a> {
    Number(f64),
    Name(&'a [u8]),
    Bool(bool),
    /// A string, array, dictionary or null.
    Other,
}

enum Token<'a> {
    Operand(Operand<'a>),
    Operator(&'a [u8]),
}

/// An inline image's colour space.
#[derive(Clone, Copy, Debug, PartialEq)]
enum InlineSpace<'a> {
    Missing,
    Name(&'a [u8]),
    /// `[/I base hival lookup]`, with the base when it is a name.
    Indexed(Option<&'a [u8]>),
    Unknown,
}

/// What `BI … ID … EI` says.
#[derive(Debug)]
struct InlineImage<'a> {
    width: Option<f64>,
    height: Option<f64>,
    bits: Option<f64>,
    mask: bool,
    space: InlineSpace<'a>,
    /// The last filter of the chain.
    filter: Option<&'a [u8]>,
    single_filter: bool,
    data: &'a [u8],
}

struct Lexer<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl<'a> Lexer<'a> {
    fn next_token(&mut self) -> Option<Token<'a>> {
        let bytes = self.bytes;
        loop {
            let b = *bytes.get(self.at)?;
            let next = bytes.get(self.at + 1).copied();
            match b {
                _ if is_whitespace(b) => self.at += 1,
                b'%' => self.at = skip_comment(bytes, self.at),
                b'(' => {
                    self.at = skip_literal(bytes, self.at + 1);
                    return Some(Token::Operand(Operand::Other));
                }
                b'[' => {
                    self.at = skip_composite(bytes, self.at);
                    return Some(Token::Operand(Operand::Other));
                }
                b'<' if next == Some(b'<') => {
                    self.at = skip_composite(bytes, self.at);
                    return Some(Token::Operand(Operand::Other));
                }
                b'<' => {
                    self.at = skip_hex(bytes, self.at + 1);
                    return Some(Token::Operand(Operand::Other));
                }
                b'/' => {
                    let start = self.at + 1;
                    self.at = start + bytes[start..].iter().take_while(|&&c| is_regular(c)).count();
                    return Some(Token::Operand(Operand::Name(&bytes[start..self.at])));
                }
                _ if !is_regular(b) => self.at += 1,
                _ => {
                    let start = self.at;
                    self.at += bytes[start..].iter().take_while(|&&c| is_regular(c)).count();
                    let word = &bytes[start..self.at];
                    let operand = match word {
                        b"true" => Operand::Bool(true),
                        b"false" => Operand::Bool(false),
                        b"null" => Operand::Other,
                        _ if word.iter().all(|c| b"+-.0123456789".contains(c)) => std::str::from_utf8(word)
                            .ok()
                            .and_then(|w| w.parse::<f64>().ok())
                            .filter(|n| n.is_finite())
                            .map_or(Operand::Other, Operand::Number),
                        _ => return Some(Token::Operator(word)),
                    };
                    return Some(Token::Operand(operand));
                }
            }
        }
    }

    /// The names at the top level of the array at `self.at` (up to eight), and moves past it.
    fn array_names(&mut self) -> ([Option<&'a [u8]>; 8], usize) {
        let end = skip_composite(self.bytes, self.at);
        let mut names = [None; 8];
        let mut count = 0;
        let mut inner = Lexer { bytes: &self.bytes[..end.saturating_sub(1).max(self.at + 1)], at: self.at + 1 };
        while let Some(token) = inner.next_token() {
            if let Token::Operand(Operand::Name(name)) = token
                && count < names.len()
            {
                names[count] = Some(name);
            }
            count += 1;
        }
        self.at = end;
        (names, count)
    }

    /// Reads an inline image after its `BI`: the dictionary up to `ID`, the data up to `EI`.
    fn inline_image(&mut self) -> Option<InlineImage<'a>> {
        let mut image = InlineImage {
            width: None,
            height: None,
            bits: None,
            mask: false,
            space: InlineSpace::Missing,
            filter: None,
            single_filter: false,
            data: &[],
        };
        let mut key: Option<&[u8]> = None;
        for _ in 0..512 {
            let at = self.at + self.bytes[self.at..].iter().take_while(|&&b| is_whitespace(b)).count();
            if key.is_some() && self.bytes.get(at) == Some(&b'[') {
                self.at = at;
                let (names, count) = self.array_names();
                match key.take() {
                    Some(b"CS" | b"ColorSpace") => {
                        image.space = match names[0] {
                            Some(b"I" | b"Indexed") => InlineSpace::Indexed(names[1]),
                            _ => InlineSpace::Unknown,
                        };
                    }
                    Some(b"F" | b"Filter") => {
                        image.filter = names.get(count.saturating_sub(1)).copied().flatten();
                        image.single_filter = count == 1;
                    }
                    _ => {}
                }
                continue;
            }
            match (self.next_token()?, key.take()) {
                (Token::Operator(b"ID"), _) => return Some(self.inline_data(image)),
                (Token::Operator(_), _) => return None,
                (Token::Operand(Operand::Name(name)), None) => key = Some(name),
                (Token::Operand(value), Some(k)) => match (k, value) {
                    (b"W" | b"Width", Operand::Number(n)) => image.width = Some(n),
                    (b"H" | b"Height", Operand::Number(n)) => image.height = Some(n),
                    (b"BPC" | b"BitsPerComponent", Operand::Number(n)) => image.bits = Some(n),
                    (b"IM" | b"ImageMask", Operand::Bool(mask)) => image.mask = mask,
                    (b"CS" | b"ColorSpace", Operand::Name(name)) => image.space = InlineSpace::Name(name),
                    (b"CS" | b"ColorSpace", _) => image.space = InlineSpace::Unknown,
                    (b"F" | b"Filter", Operand::Name(name)) => {
                        image.filter = Some(name);
                        image.single_filter = true;
                    }
                    _ => {}
                },
                (Token::Operand(_), None) => {}
            }
        }
        None
    }

    /// After `ID`: one white-space byte, the data, `EI`. The length is computed when the data is
    /// not filtered; otherwise (or when that fails) the data ends at the first `EI` between
    /// white space.
    fn inline_data(&mut self, image: InlineImage<'a>) -> InlineImage<'a> {
        let bytes = self.bytes;
        let start = (self.at + 1).min(bytes.len());
        let ends_at = |end: usize| -> Option<usize> {
            let after = end + bytes.get(end..)?.iter().take_while(|&&b| is_whitespace(b)).count();
            (bytes.get(after..after + 2) == Some(b"EI") && bytes.get(after + 2).is_none_or(|&b| !is_regular(b)))
                .then_some(after + 2)
        };
        if image.filter.is_none()
            && let Some(length) = inline_length(&image)
            && let Some(end) = start.checked_add(length)
            && let Some(next) = ends_at(end)
        {
            self.at = next;
            return InlineImage { data: &bytes[start..end], ..image };
        }
        let mut end = start;
        while end < bytes.len() {
            if is_whitespace(bytes[end])
                && bytes.get(end + 1..end + 3) == Some(b"EI")
                && bytes.get(end + 3).is_none_or(|&b| !is_regular(b))
            {
                self.at = end + 3;
                return InlineImage { data: &bytes[start..end], ..image };
            }
            end += 1;
        }
        self.at = bytes.len();
        InlineImage { data: &bytes[start..], ..image }
    }
}

/// The byte length of an unfiltered inline image's data, when its dictionary tells.
fn inline_length(image: &InlineImage<'_>) -> Option<usize> {
    let components = match image.space {
        _ if image.mask => 1.0,
        InlineSpace::Name(b"G" | b"DeviceGray" | b"CalGray") | InlineSpace::Indexed(_) => 1.0,
        InlineSpace::Name(b"RGB" | b"DeviceRGB" | b"CalRGB" | b"Lab") => 3.0,
        InlineSpace::Name(b"CMYK" | b"DeviceCMYK") => 4.0,
        _ => return None,
    };
    let bits = if image.mask { 1.0 } else { image.bits? };
    let row = (image.width? * components * bits / 8.0).ceil();
    let length = row * image.height?;
    (length.is_finite() && length >= 0.0 && length < (1u64 << 40) as f64).then_some(length as usize)
}

/// Containers open at once, outside streams, before a file is refused unparsed.
const MAX_NESTING: usize = 512;
/// Elements of one array or dictionary, outside streams, before a file is refused unparsed: the
/// parser spends about 128 bytes on each, and no sound file comes near.
const MAX_ELEMENTS: u32 = 1_000_000;

/// Reads the file's syntax outside streams, without recursion or allocation beyond a counter per
/// open container, and refuses nesting deeper than [`MAX_NESTING`] or an object with more than
/// [`MAX_ELEMENTS`] elements: what would cost the parser its stack or gigabytes of memory.
fn prescan(bytes: &[u8]) -> Result<()> {
    let too_deep = || PdfError::Malformed(format!("cấu trúc lồng nhau sâu hơn {MAX_NESTING} mức"));
    let too_big = || PdfError::Malformed(format!("một đối tượng có hơn {MAX_ELEMENTS} phần tử"));
    let mut open: Vec<u32> = Vec::new();
    let count = |open: &mut Vec<u32>| -> Result<()> {
        if let Some(top) = open.last_mut() {
            *top += 1;
            if *top > MAX_ELEMENTS {
                return Err(too_big());
            }
        }
        Ok(())
    };
    let mut length = StreamLength::None;
    let mut at = 0;
    while let Some(&b) = bytes.get(at) {
        let next = bytes.get(at + 1).copied();
        match b {
            b'%' => at = skip_comment(bytes, at),
            b'(' => {
                at = skip_literal(bytes, at + 1);
                count(&mut open)?;
            }
            b'<' if next == Some(b'<') => {
                if open.len() >= MAX_NESTING {
                    return Err(too_deep());
                }
                open.push(0);
                at += 2;
            }
            b'[' => {
                if open.len() >= MAX_NESTING {
                    return Err(too_deep());
                }
                open.push(0);
                at += 1;
            }
            b'<' => {
                at = skip_hex(bytes, at + 1);
                count(&mut open)?;
            }
            b'>' | b']' => {
                at += if b == b'>' && next == Some(b'>') { 2 } else { 1 };
                open.pop();
                count(&mut open)?;
            }
            b'/' => {
                let start = at + 1;
                at = start + bytes[start..].iter().take_while(|&&c| is_regular(c)).count();
                length = match length {
                    _ if &bytes[start..at] == b"Length" => StreamLength::Key,
                    StreamLength::Value(n) | StreamLength::Generation(n) | StreamLength::Known(n) => {
                        StreamLength::Known(n)
                    }
                    _ => StreamLength::None,
                };
                count(&mut open)?;
            }
            _ if !is_regular(b) => at += 1,
            _ => {
                let start = at;
                at += bytes[at..].iter().take_while(|&&c| is_regular(c)).count();
                let word = &bytes[start..at];
                let integer = std::str::from_utf8(word).ok().and_then(|w| w.parse::<usize>().ok());
                length = match (length, integer, word) {
                    (StreamLength::Key, Some(n), _) => StreamLength::Value(n),
                    (StreamLength::Value(n), Some(_), _) => StreamLength::Generation(n),
                    (StreamLength::Generation(_), _, b"R") => StreamLength::None,
                    (StreamLength::Value(n) | StreamLength::Generation(n), _, b"stream") => StreamLength::Value(n),
                    (StreamLength::Value(n) | StreamLength::Generation(n), _, _) => StreamLength::Known(n),
                    (known @ StreamLength::Known(_), _, _) if word != b"obj" => known,
                    _ => StreamLength::None,
                };
                if word == b"stream" {
                    // Stream data is not syntax: go past its `endstream`, by `/Length` when it is
                    // direct and right, else by searching.
                    let data = at + bytes[at..].iter().take(2).take_while(|&&c| c == b'\r' || c == b'\n').count();
                    let by_length = match length {
                        StreamLength::Known(n) | StreamLength::Value(n) => data.checked_add(n).and_then(|end| {
                            let end = end + bytes.get(end..)?.iter().take_while(|&&c| is_whitespace(c)).count();
                            (bytes.get(end..end + 9) == Some(b"endstream")).then_some(end + 9)
                        }),
                        _ => None,
                    };
                    at = by_length.unwrap_or_else(|| find(bytes, at, b"endstream").map_or(bytes.len(), |i| i + 9));
                    length = StreamLength::None;
                    open.clear();
                } else {
                    count(&mut open)?;
                }
            }
        }
    }
    Ok(())
}

/// Where the pre-scan is in reading a dictionary's `/Length`.
#[derive(Clone, Copy)]
enum StreamLength {
    None,
    /// `/Length` was just read.
    Key,
    /// `/Length n`: direct, unless a generation and `R` follow.
    Value(usize),
    /// `/Length n g`: an `R` makes it a reference.
    Generation(usize),
    /// A direct length, until the stream or the next object.
    Known(usize),
}

/// The first `needle` in `bytes` from `from`.
fn find(bytes: &[u8], from: usize, needle: &[u8]) -> Option<usize> {
    let first = *needle.first()?;
    let mut at = from;
    while let Some(n) = bytes.get(at..)?.iter().position(|&b| b == first) {
        let candidate = at + n;
        if bytes.get(candidate..candidate + needle.len()) == Some(needle) {
            return Some(candidate);
        }
        at = candidate + 1;
    }
    None
}

/// Full filter names for the abbreviations inline images may use.
fn filter_name(name: &[u8]) -> String {
    let full: &[u8] = match name {
        b"AHx" => b"ASCIIHexDecode",
        b"A85" => b"ASCII85Decode",
        b"LZW" => b"LZWDecode",
        b"Fl" => b"FlateDecode",
        b"RL" => b"RunLengthDecode",
        b"CCF" => b"CCITTFaxDecode",
        b"DCT" => b"DCTDecode",
        other => other,
    };
    String::from_utf8_lossy(full).into_owned()
}

/// The family of a colour space and whether it has colour. Names that are not device spaces are
/// looked up in the resources' `/ColorSpace`.
fn colour_space(doc: &Document, space: &Object, resources: Option<&Dictionary>, depth: usize) -> (String, bool) {
    if depth > 8 {
        return ("?".to_owned(), false);
    }
    match space {
        Object::Name(name) => match name.as_slice() {
            b"DeviceRGB" | b"RGB" => ("DeviceRGB".to_owned(), true),
            b"DeviceGray" | b"G" => ("DeviceGray".to_owned(), false),
            b"DeviceCMYK" | b"CMYK" => ("DeviceCMYK".to_owned(), true),
            other => {
                let named = resources
                    .and_then(|r| deref(doc, r.get(b"ColorSpace").ok()?))
                    .and_then(|c| c.as_dict().ok())
                    .and_then(|c| deref(doc, c.get(other).ok()?));
                match named {
                    Some(named) => colour_space(doc, named, resources, depth + 1),
                    None => (String::from_utf8_lossy(other).into_owned(), false),
                }
            }
        },
        Object::Array(items) => {
            let family = items.first().and_then(|f| f.as_name().ok()).unwrap_or(b"?");
            let family_name = String::from_utf8_lossy(family).into_owned();
            let colour = match family {
                b"ICCBased" => items
                    .get(1)
                    .and_then(|p| deref(doc, p))
                    .and_then(|p| p.as_stream().ok())
                    .and_then(|p| p.dict.get(b"N").ok()?.as_i64().ok())
                    .is_some_and(|n| n >= 3),
                b"CalRGB" | b"Lab" => true,
                b"Indexed" | b"I" => items
                    .get(1)
                    .and_then(|base| deref(doc, base))
                    .is_some_and(|base| colour_space(doc, base, resources, depth + 1).1),
                b"DeviceN" => items
                    .get(1)
                    .and_then(|names| deref(doc, names)?.as_array().ok().map(Vec::len))
                    .is_some_and(|n| n > 1),
                _ => false,
            };
            (family_name, colour)
        }
        Object::Reference(_) => match deref(doc, space) {
            Some(target) if !matches!(target, Object::Reference(_)) => colour_space(doc, target, resources, depth + 1),
            _ => ("?".to_owned(), false),
        },
        _ => ("?".to_owned(), false),
    }
}

/// Components and bits of a JPEG 2000 image from its `ihdr` box (or the codestream's `SIZ`).
fn jpx_header(bytes: &[u8]) -> Option<(u8, u8)> {
    let head = &bytes[..bytes.len().min(4096)];
    if let Some(at) = head.windows(4).position(|w| w == b"ihdr") {
        let ihdr = head.get(at + 4..at + 4 + 11)?;
        let components = u16::from_be_bytes([ihdr[8], ihdr[9]]);
        return Some((u8::try_from(components).ok()?, (ihdr[10] & 0x7F) + 1));
    }
    let siz = head.windows(2).position(|w| w == [0xFF, 0x51])?;
    let body = head.get(siz + 2..siz + 2 + 40)?;
    // Lsiz(2) Rsiz(2) Xsiz Ysiz XOsiz YOsiz XTsiz YTsiz XTOsiz YTOsiz (4 each) Csiz(2) Ssiz…
    let components = u16::from_be_bytes([body[36], body[37]]);
    Some((u8::try_from(components).ok()?, (body[38] & 0x7F) + 1))
}

/// A stream's decoded bytes within `limit`; its raw bytes if it has no filter.
fn stream_bytes(stream: &Stream, limit: usize) -> Option<Vec<u8>> {
    if stream.dict.get(b"Filter").is_err() {
        return (stream.content.len() <= limit).then(|| stream.content.clone());
    }
    stream.decompressed_content_with_limit(limit).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_and_xmp_properties() {
        assert_eq!(version_prefix(b"1.4\n%"), Some((1, 4)));
        assert_eq!(version_prefix(b"2.0"), Some((2, 0)));
        assert_eq!(version_prefix(b"x.4"), None);
        assert_eq!(version_prefix(b"1"), None);
        let element = "<pdfaid:part>2</pdfaid:part><pdfaid:conformance>u</pdfaid:conformance>";
        assert_eq!(xmp_property(element, "pdfaid:part").as_deref(), Some("2"));
        assert_eq!(xmp_property(element, "pdfaid:conformance").as_deref(), Some("u"));
        let attribute = "<rdf:Description pdfaid:part='1' pdfaid:conformance=\"B\"/>";
        assert_eq!(xmp_property(attribute, "pdfaid:part").as_deref(), Some("1"));
        assert_eq!(xmp_property(attribute, "pdfaid:conformance").as_deref(), Some("B"));
        assert_eq!(xmp_property("<x/>", "pdfaid:part"), None);
    }

    #[test]
    fn prescan_refuses_only_what_would_cost_the_parser() {
        let nested = |n: usize| format!("1 0 obj {}{} endobj", "[".repeat(n), "]".repeat(n));
        let data = "[".repeat(100_000);
        let cases: Vec<(String, bool)> = vec![
            (nested(512), true),
            (nested(513), false),
            (format!("1 0 obj << /A {}>> endobj", "<< /A ".repeat(600)), false),
            (format!("1 0 obj [{}] endobj", "0 ".repeat(1_000_000)), true),
            (format!("1 0 obj [{}] endobj", "0 ".repeat(1_000_001)), false),
            (format!("1 0 obj << /K [1 2] /Length 100000 >>\nstream\n{data}\nendstream endobj"), true),
            (format!("1 0 obj << /Length 5 0 R /Filter /X >>\nstream\n{data}\nendstream endobj"), true),
            (format!("1 0 obj << /Length 7 >>\nstream\n{data}\nendstream endobj"), true),
            (format!("1 0 obj << /Length 100017 >>\nstream\nendstream endobj\n{data}\nendstream endobj"), true),
            (format!("1 0 obj ({}) endobj % {}\n", "[".repeat(1000), "[".repeat(1000)), true),
        ];
        for (i, (input, ok)) in cases.iter().enumerate() {
            assert_eq!(prescan(input.as_bytes()).is_ok(), *ok, "case {i}");
        }
    }

    /// The lexer's view of `content`: operands, operators and inline images.
    fn tokens(content: &[u8]) -> Vec<String> {
        let mut lexer = Lexer { bytes: content, at: 0 };
        let mut out = Vec::new();
        while let Some(token) = lexer.next_token() {
            out.push(match token {
                Token::Operand(Operand::Number(n)) => n.to_string(),
                Token::Operand(Operand::Name(n)) => format!("/{}", String::from_utf8_lossy(n)),
                Token::Operand(Operand::Bool(b)) => b.to_string(),
                Token::Operand(Operand::Other) => "_".to_owned(),
                Token::Operator(b"BI") => match lexer.inline_image() {
                    Some(image) => format!(
                        "BI {:?}x{:?} {:?} {:?} {:?}",
                        image.width,
                        image.height,
                        image.space,
                        image.filter.map(|f| String::from_utf8_lossy(f).into_owned()),
                        String::from_utf8_lossy(image.data)
                    ),
                    None => "BI?".to_owned(),
                },
                Token::Operator(op) => String::from_utf8_lossy(op).into_owned(),
            });
        }
        out
    }

    #[test]
    fn the_lexer_keeps_what_the_painter_needs() {
        let content = b"q 1 0 0 1 5 -6.5 cm /Im0 Do [(a]b) 3 <</X [1 2]>>] TJ (x\\)y) Tj % c ] (\n\
            true null 1.2.3 Q BI /W 1 /H 1 /CS /G /BPC 8 ID \x00 EI BI /W 4 /H 4 /F /DCT \
            /CS [/I /RGB 1 <00ff>] ID abc EIx EI Q BI /W 1 ID";
        assert_eq!(
            tokens(content),
            [
                "q",
                "1",
                "0",
                "0",
                "1",
                "5",
                "-6.5",
                "cm",
                "/Im0",
                "Do",
                "_",
                "TJ",
                "_",
                "Tj",
                "true",
                "_",
                "_",
                "Q",
                "BI Some(1.0)xSome(1.0) Name([71]) None \"\\0\"",
                "BI Some(4.0)xSome(4.0) Indexed(Some([82, 71, 66])) Some(\"DCT\") \"abc EIx\"",
                "Q",
                "BI Some(1.0)xNone Missing None \"\"",
            ]
        );
        // Deep nesting and unclosed things end at the end, without recursion.
        let deep = [b"[".repeat(100_000), b"<<".repeat(100_000), b"(".repeat(100_000)].concat();
        assert_eq!(tokens(&deep), ["_"]);
    }

    #[test]
    fn matrices_compose_like_pdf() {
        // Scale then translate: the translation is not scaled.
        let m = concat(&[2.0, 0.0, 0.0, 3.0, 0.0, 0.0], &[1.0, 0.0, 0.0, 1.0, 10.0, 20.0]);
        assert_eq!(m, [2.0, 0.0, 0.0, 3.0, 10.0, 20.0]);
        let m = concat(&[1.0, 0.0, 0.0, 1.0, 10.0, 20.0], &[2.0, 0.0, 0.0, 3.0, 0.0, 0.0]);
        assert_eq!(m, [2.0, 0.0, 0.0, 3.0, 20.0, 60.0]);
    }
}
