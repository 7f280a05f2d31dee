//! Incremental updates: drawing on pages of a PDF without rewriting a byte of it.
//!
//! An archived original is evidence. Whatever Vanthu adds to it (the arrival stamp, the print mark)
//! is appended as a new *revision* (ISO 32000-1 §7.5.6): the bytes we were given stay the exact
//! prefix of the result, so the original can always be cut back out, its hash still names it, and
//! a signature over it stays valid. This module writes that revision:
//!
//! 1. the file is parsed with lopdf (on a thread with a big stack, panics caught: the PDF may come
//!    from anywhere) and refused if it is encrypted or its cross-reference data had to be rebuilt;
//! 2. each page of a small *source* PDF (drawn by krilla: text with embedded, subset fonts) becomes
//!    a Form XObject, its resources copied and renumbered from the target's trailer `/Size`;
//! 3. each page drawn on gets a new revision of its dictionary: `/Contents` wraps the original
//!    streams in `q … Q` and ends with one that places the form (`cm`, honouring `/Rotate` and a
//!    crop box that does not start at 0,0), `/Resources` is the page's *effective* resources
//!    (inherited ones resolved, a shared resources object never modified) plus the form's name;
//! 4. a cross-reference section of the same kind as the file's last one (a classic table or a
//!    stream), with `/Prev`, `/Root`, `/Info` and `/ID` carried over, then `startxref` and `%%EOF`.
//!
//! The syntax written is the one PDF/A-1 asks for (EOL after `obj` and `stream`, exact `/Length`,
//! hex strings), so a PDF/A-1b original stays PDF/A-1b when the source is PDF/A-1b too.
//!
//! It must not change an existing object other than the pages it draws on, and never writes
//! anything but an append. The writer of the update ([`Target::append`]) also serves
//! `crate::signature`, whose update adds new revisions of what holds a signature field and its
//! widgets (the catalog or its `/AcroForm`, `/Fields`, pages or their `/Annots`).

use std::collections::{BTreeMap, HashMap, HashSet};
use std::fmt::Write as _;

use lopdf::{Dictionary, Document, Object, ObjectId, Stream, StringFormat};
use sha2::{Digest, Sha256};

use crate::{PdfError, Result};

/// Stack for the threads that parse and walk untrusted PDFs: deep nesting must not overflow.
const PARSER_STACK: usize = 256 << 20;

/// How far a chain of `/Parent` links or of references is followed before the file is refused.
pub(crate) const MAX_DEPTH: usize = 256;

/// US Letter, what readers assume for a page without a media box.
const DEFAULT_MEDIA_BOX: [f32; 4] = [0.0, 0.0, 612.0, 792.0];

/// Run `work` on a thread with a big stack; a panic inside becomes [`PdfError::Malformed`].
pub(crate) fn guarded<T: Send>(work: impl FnOnce() -> Result<T> + Send) -> Result<T> {
    std::thread::scope(|scope| {
        let handle = std::thread::Builder::new()
            .name("vanthu-pdf-parse".into())
            .stack_size(PARSER_STACK)
            .spawn_scoped(scope, work)?;
        handle
            .join()
            .unwrap_or_else(|_| Err(PdfError::Malformed("cấu trúc tệp làm trình đọc PDF dừng bất thường".into())))
    })
}

/// Whether the bytes start like a PDF (`%PDF-` within the first KiB, as readers accept).
pub(crate) fn has_pdf_header(bytes: &[u8]) -> bool {
    let head = &bytes[..bytes.len().min(1024)];
    find(head, b"%PDF-").is_some()
}

/// Parse a PDF we are going to read or update; refuse what we must not touch.
pub(crate) fn load(bytes: &[u8]) -> Result<Document> {
    if !has_pdf_header(bytes) {
        return Err(PdfError::NotPdf("không có phần đầu %PDF-".into()));
    }
    let document = guarded(|| {
        Document::load_mem(bytes).map_err(|error| match error {
            lopdf::Error::InvalidPassword | lopdf::Error::Decryption(_) | lopdf::Error::AlreadyEncrypted => {
                PdfError::Encrypted
            }
            _ if find(bytes, b"/Encrypt").is_some() => PdfError::Encrypted,
            other => PdfError::Malformed(other.to_string()),
        })
    })?;
    if document.encryption_state.is_some() || document.trailer.has(b"Encrypt") {
        return Err(PdfError::Encrypted);
    }
    if document.xref_recovery.is_some() {
        return Err(PdfError::Malformed(
            "bảng tham chiếu chéo (xref) bị hỏng, phải dựng lại mới đọc được; không thể ghi bổ sung an toàn".into(),
        ));
    }
    Ok(document)
}

/// Which kind of cross-reference section the file ends with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum XrefKind {
    Table,
    Stream,
}

/// Where the last revision's cross-reference section is and what it is.
#[derive(Debug, Clone, Copy)]
struct Tail {
    startxref: usize,
    kind: XrefKind,
}

/// Find the last `startxref` (scanning the tail) and look at what it points to.
fn read_tail(bytes: &[u8]) -> Result<Tail> {
    let window = bytes.len().saturating_sub(64 * 1024);
    let at = rfind(&bytes[window..], b"startxref")
        .map(|i| window + i)
        .ok_or_else(|| PdfError::Malformed("không tìm thấy startxref ở cuối tệp".into()))?;
    let mut i = at + b"startxref".len();
    while i < bytes.len() && bytes[i].is_ascii_whitespace() {
        i += 1;
    }
    let digits_start = i;
    while i < bytes.len() && bytes[i].is_ascii_digit() && i - digits_start < 20 {
        i += 1;
    }
    let startxref: usize = std::str::from_utf8(&bytes[digits_start..i])
        .ok()
        .and_then(|s| s.parse().ok())
        .filter(|&offset: &usize| offset < at)
        .ok_or_else(|| PdfError::Malformed("giá trị startxref không hợp lệ".into()))?;
    let mut j = startxref;
    while j < bytes.len() && bytes[j].is_ascii_whitespace() {
        j += 1;
    }
    let rest = &bytes[j..at];
    if rest.starts_with(b"xref") {
        return Ok(Tail { startxref, kind: XrefKind::Table });
    }
    // `N G obj << /Type /XRef … >> stream`
    let head = &rest[..rest.len().min(4096)];
    let is_object = head.first().is_some_and(u8::is_ascii_digit) && find(&head[..head.len().min(32)], b"obj").is_some();
    let dict_end = find(head, b"stream").unwrap_or(head.len());
    if is_object && find(&head[..dict_end], b"/XRef").is_some() {
        return Ok(Tail { startxref, kind: XrefKind::Stream });
    }
    Err(PdfError::Malformed("startxref không trỏ tới bảng tham chiếu chéo".into()))
}

/// Where a page is and how it is shown: what the placements are relative to.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct PageGeometry {
    /// The page object.
    pub id: ObjectId,
    /// The visible region in user space (crop box clipped to the media box): x0, y0, x1, y1.
    pub visible: [f32; 4],
    /// Clockwise rotation when displayed: 0, 90, 180 or 270.
    pub rotate: u16,
}

impl PageGeometry {
    /// Width and height as displayed, in points.
    pub(crate) fn displayed_size(&self) -> (f32, f32) {
        let w = self.visible[2] - self.visible[0];
        let h = self.visible[3] - self.visible[1];
        if self.rotate.is_multiple_of(180) { (w, h) } else { (h, w) }
    }

    /// The matrix that puts a form `height` points tall (its own origin at its lower left) with
    /// its top-left corner at `(x, y)` points from the top-left of the page as displayed, upright
    /// on the display.
    pub(crate) fn placement_matrix(&self, x: f32, y: f32, height: f32) -> [f32; 6] {
        let [x0, y0, x1, y1] = self.visible;
        match self.rotate {
            90 => [0.0, 1.0, -1.0, 0.0, x0 + y + height, y0 + x],
            180 => [-1.0, 0.0, 0.0, -1.0, x1 - x, y0 + y + height],
            270 => [0.0, -1.0, 1.0, 0.0, x1 - y - height, y1 - x],
            _ => [1.0, 0.0, 0.0, 1.0, x0 + x, y1 - y - height],
        }
    }
}

/// One page of the source drawn on one page of the target.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Overlay {
    /// Target page, from 0.
    pub page: usize,
    /// Source page, from 0.
    pub source_page: usize,
    /// Top-left corner of the drawing, in points from the top-left of the target page as displayed.
    pub at: (f32, f32),
}

/// A parsed PDF about to receive an update.
pub(crate) struct Target<'a> {
    original: &'a [u8],
    document: Document,
    tail: Tail,
    pages: Vec<PageGeometry>,
}

impl<'a> Target<'a> {
    /// Parse `original` and read its pages' geometry.
    pub(crate) fn parse(original: &'a [u8]) -> Result<Target<'a>> {
        let document = load(original)?;
        let tail = read_tail(original)?;
        let pages = guarded(|| {
            document.page_iter().take(1_000_000).map(|id| page_geometry(&document, id)).collect::<Result<Vec<_>>>()
        })?;
        if pages.is_empty() {
            return Err(PdfError::Malformed("tài liệu không có trang nào".into()));
        }
        Ok(Target { original, document, tail, pages })
    }

    /// The pages, in order.
    pub(crate) fn pages(&self) -> &[PageGeometry] {
        &self.pages
    }

    /// The bytes parsed.
    pub(crate) fn original(&self) -> &'a [u8] {
        self.original
    }

    /// The size of every page in mm, as displayed (after `/Rotate`, from the crop box).
    pub(crate) fn pages_size_mm(&self) -> Vec<(f32, f32)> {
        const MM: f32 = 72.0 / 25.4;
        self.pages
            .iter()
            .map(|page| {
                let (w, h) = page.displayed_size();
                (w / MM, h / MM)
            })
            .collect()
    }

    /// The parsed document (every revision merged, the last one winning).
    pub(crate) fn document(&self) -> &Document {
        &self.document
    }

    /// The first object number no revision of the file uses: where an update's new objects start.
    pub(crate) fn first_free(&self) -> u32 {
        let document = &self.document;
        let trailer_size = document
            .trailer
            .get(b"Size")
            .and_then(Object::as_i64)
            .ok()
            .and_then(|n| u32::try_from(n).ok())
            .unwrap_or(0);
        trailer_size
            .max(document.max_id.saturating_add(1))
            .max(document.reference_table.size)
            .max(document.objects.keys().map(|(n, _)| n.saturating_add(1)).max().unwrap_or(1))
    }

    /// The update that appends `objects` (in this order) and a cross-reference section to the
    /// original; `next_free` is the update's `/Size` (one more than its highest object number).
    pub(crate) fn append(&self, objects: &[(ObjectId, Body)], next_free: u32) -> Result<Appended> {
        write_update(self.original, self.tail, &self.document.trailer, &self.document, objects, next_free)
    }

    /// Draw pages of `source` (a PDF we made) on pages of the target; return original ++ update.
    /// `name_prefix` names the forms in the pages' resources (`VanthuStamp` → `/VanthuStamp1`…).
    pub(crate) fn overlay(&self, source: &[u8], overlays: &[Overlay], name_prefix: &str) -> Result<Vec<u8>> {
        let source = guarded(|| Document::load_mem(source).map_err(|e| PdfError::Write(e.to_string())))?;
        guarded(|| self.build(&source, overlays, name_prefix))
    }

    fn build(&self, source: &Document, overlays: &[Overlay], name_prefix: &str) -> Result<Vec<u8>> {
        let document = &self.document;
        let mut copier = Copier::new(source, self.first_free());

        let source_pages: Vec<ObjectId> = source.page_iter().collect();
        let mut forms: HashMap<usize, (ObjectId, [f32; 4])> = HashMap::new();
        let open_id = copier.allocate();
        copier.out.push((open_id, Object::Stream(Stream::new(Dictionary::new(), b"q\n".to_vec()))));

        let mut by_page: BTreeMap<usize, Vec<&Overlay>> = BTreeMap::new();
        for overlay in overlays {
            by_page.entry(overlay.page).or_default().push(overlay);
        }
        let mut changed_pages: Vec<(ObjectId, Object)> = Vec::new();
        for (&page_index, items) in &by_page {
            let geometry = self
                .pages
                .get(page_index)
                .ok_or_else(|| PdfError::Write(format!("không có trang {}", page_index + 1)))?;
            let page = document
                .get_dictionary(geometry.id)
                .map_err(|e| PdfError::Malformed(format!("trang {}: {e}", page_index + 1)))?;
            let mut resources = effective_resources(document, page)?;
            let mut xobjects = match resources.get(b"XObject") {
                Ok(object) => match resolve(document, object)? {
                    Object::Dictionary(dict) => dict.clone(),
                    _ => Dictionary::new(),
                },
                Err(_) => Dictionary::new(),
            };
            let mut tail = String::from("Q\n");
            for item in items {
                let (form_id, bbox) = match forms.get(&item.source_page) {
                    Some(found) => *found,
                    None => {
                        let page_id = *source_pages
                            .get(item.source_page)
                            .ok_or_else(|| PdfError::Write("thiếu trang nguồn".into()))?;
                        let made = copier.form_from_page(page_id)?;
                        forms.insert(item.source_page, made);
                        made
                    }
                };
                let name = free_name(&xobjects, name_prefix);
                xobjects.set(name.clone(), Object::Reference(form_id));
                let [bx0, by0, _, by1] = bbox;
                let m = geometry.placement_matrix(item.at.0, item.at.1, by1 - by0);
                // The form's own coordinates start at (bx0, by0): move them to 0,0 first.
                let e = m[4] - m[0] * bx0 - m[2] * by0;
                let f = m[5] - m[1] * bx0 - m[3] * by0;
                let _ = writeln!(
                    tail,
                    "q {} {} {} {} {} {} cm /{} Do Q",
                    real(m[0]),
                    real(m[1]),
                    real(m[2]),
                    real(m[3]),
                    real(e),
                    real(f),
                    String::from_utf8_lossy(&name)
                );
            }
            resources.set("XObject", Object::Dictionary(xobjects));
            let tail_id = copier.allocate();
            copier.out.push((tail_id, Object::Stream(Stream::new(Dictionary::new(), tail.into_bytes()))));

            let mut contents = vec![Object::Reference(open_id)];
            contents.extend(original_contents(document, page)?);
            contents.push(Object::Reference(tail_id));
            let mut new_page = page.clone();
            new_page.set("Contents", Object::Array(contents));
            new_page.set("Resources", Object::Dictionary(resources));
            changed_pages.push((geometry.id, Object::Dictionary(new_page)));
        }

        let mut objects = copier.out;
        let next_free = copier.next;
        objects.extend(changed_pages);
        objects.sort_by_key(|(id, _)| *id);
        let objects: Vec<(ObjectId, Body)> =
            objects.into_iter().map(|(id, object)| (id, Body::Object(object))).collect();
        Ok([self.original, &self.append(&objects, next_free)?.update].concat())
    }
}

/// Read the inheritable attributes that place a page.
pub(crate) fn page_geometry(document: &Document, id: ObjectId) -> Result<PageGeometry> {
    let page = document
        .get_dictionary(id)
        .map_err(|e| PdfError::Malformed(format!("đối tượng trang {} {}: {e}", id.0, id.1)))?;
    let media =
        inherited(document, page, b"MediaBox")?.and_then(|o| rectangle(document, o)).unwrap_or(DEFAULT_MEDIA_BOX);
    let crop = inherited(document, page, b"CropBox")?.and_then(|o| rectangle(document, o)).unwrap_or(media);
    let visible = [crop[0].max(media[0]), crop[1].max(media[1]), crop[2].min(media[2]), crop[3].min(media[3])];
    let visible = if visible[2] - visible[0] > 1.0 && visible[3] - visible[1] > 1.0 { visible } else { media };
    let rotate = inherited(document, page, b"Rotate")?
        .and_then(|o| resolve(document, o).ok())
        .and_then(|o| o.as_float().ok())
        .unwrap_or(0.0);
    let rotate = ((rotate / 90.0).round() as i64).rem_euclid(4) as u16 * 90;
    Ok(PageGeometry { id, visible, rotate })
}

/// An inheritable page attribute: from the page or the nearest ancestor that has it.
pub(crate) fn inherited<'d>(document: &'d Document, page: &'d Dictionary, key: &[u8]) -> Result<Option<&'d Object>> {
    let mut node = page;
    let mut seen = HashSet::new();
    for _ in 0..MAX_DEPTH {
        if let Ok(value) = node.get(key) {
            return Ok(Some(value));
        }
        let Ok(parent) = node.get(b"Parent").and_then(Object::as_reference) else {
            return Ok(None);
        };
        if !seen.insert(parent) {
            return Err(PdfError::Malformed("cây trang có vòng lặp /Parent".into()));
        }
        match document.get_dictionary(parent) {
            Ok(dict) => node = dict,
            Err(_) => return Ok(None),
        }
    }
    Err(PdfError::Malformed("cây trang quá sâu".into()))
}

/// Follow references to the object they name.
pub(crate) fn resolve<'d>(document: &'d Document, mut object: &'d Object) -> Result<&'d Object> {
    for _ in 0..MAX_DEPTH {
        match object {
            Object::Reference(id) => {
                object = document
                    .get_object(*id)
                    .map_err(|e| PdfError::Malformed(format!("đối tượng {} {}: {e}", id.0, id.1)))?;
            }
            other => return Ok(other),
        }
    }
    Err(PdfError::Malformed("chuỗi tham chiếu quá dài".into()))
}

/// A rectangle `[x0 y0 x1 y1]`, normalised so that x0 < x1 and y0 < y1.
fn rectangle(document: &Document, object: &Object) -> Option<[f32; 4]> {
    let array = resolve(document, object).ok()?.as_array().ok()?;
    if array.len() != 4 {
        return None;
    }
    let mut v = [0.0f32; 4];
    for (slot, item) in v.iter_mut().zip(array) {
        *slot = resolve(document, item).ok()?.as_float().ok()?;
        if !slot.is_finite() {
            return None;
        }
    }
    let rect = [v[0].min(v[2]), v[1].min(v[3]), v[0].max(v[2]), v[1].max(v[3])];
    (rect[2] - rect[0] > 0.0 && rect[3] - rect[1] > 0.0).then_some(rect)
}

/// The page's effective resources as a new direct dictionary (inherited ones resolved); the
/// objects it points to are shared, not copied.
fn effective_resources(document: &Document, page: &Dictionary) -> Result<Dictionary> {
    Ok(match inherited(document, page, b"Resources")? {
        Some(object) => match resolve(document, object)? {
            Object::Dictionary(dict) => dict.clone(),
            _ => Dictionary::new(),
        },
        None => Dictionary::new(),
    })
}

/// The page's content streams as a list of references (or whatever direct objects it holds).
pub(crate) fn original_contents(document: &Document, page: &Dictionary) -> Result<Vec<Object>> {
    let Ok(contents) = page.get(b"Contents") else {
        return Ok(Vec::new());
    };
    Ok(match contents {
        Object::Reference(id) => match document.get_object(*id) {
            Ok(Object::Array(items)) => items.clone(),
            Ok(Object::Stream(_)) => vec![Object::Reference(*id)],
            Ok(Object::Null) | Err(_) => Vec::new(),
            Ok(_) => return Err(PdfError::Malformed("/Contents của trang không phải luồng".into())),
        },
        Object::Array(items) => items.clone(),
        Object::Null => Vec::new(),
        _ => return Err(PdfError::Malformed("/Contents của trang không phải luồng".into())),
    })
}

/// The smallest `{prefix}{n}` not yet a key of `dict`.
fn free_name(dict: &Dictionary, prefix: &str) -> Vec<u8> {
    (1u32..)
        .map(|n| format!("{prefix}{n}").into_bytes())
        .find(|name| !dict.has(name))
        .unwrap_or_else(|| prefix.as_bytes().to_vec())
}

/// Copies objects of the source document into the target's number space.
pub(crate) struct Copier<'s> {
    source: &'s Document,
    map: HashMap<ObjectId, ObjectId>,
    /// The next object number to hand out.
    pub next: u32,
    /// The copies and the forms made so far, in the order they were made.
    pub out: Vec<(ObjectId, Object)>,
}

impl<'s> Copier<'s> {
    /// A copier of `source`'s objects numbering from `first_free`.
    pub(crate) fn new(source: &'s Document, first_free: u32) -> Copier<'s> {
        Copier { source, map: HashMap::new(), next: first_free, out: Vec::new() }
    }

    /// A new object number (generation 0).
    pub(crate) fn allocate(&mut self) -> ObjectId {
        let id = (self.next, 0);
        self.next += 1;
        id
    }

    /// Copy the object `id` names (and everything it points to), once; return its new id.
    fn copy_reference(&mut self, id: ObjectId) -> ObjectId {
        if let Some(new) = self.map.get(&id) {
            return *new;
        }
        let new = self.allocate();
        self.map.insert(id, new);
        let source = self.source;
        let copied = match source.get_object(id) {
            Ok(object) => self.copy(object),
            Err(_) => Object::Null,
        };
        self.out.push((new, copied));
        new
    }

    /// A copy of `object` whose references point at the copies.
    fn copy(&mut self, object: &Object) -> Object {
        match object {
            Object::Reference(id) => Object::Reference(self.copy_reference(*id)),
            Object::Array(items) => Object::Array(items.iter().map(|item| self.copy(item)).collect()),
            Object::Dictionary(dict) => Object::Dictionary(self.copy_dictionary(dict)),
            Object::Stream(stream) => {
                let mut copied = Stream::new(self.copy_dictionary(&stream.dict), stream.content.clone());
                copied.allows_compression = false;
                Object::Stream(copied)
            }
            other => other.clone(),
        }
    }

    fn copy_dictionary(&mut self, dict: &Dictionary) -> Dictionary {
        let mut copied = Dictionary::new();
        for (key, value) in dict.iter() {
            if key.as_slice() == b"Parent" {
                continue;
            }
            copied.set(key.clone(), self.copy(value));
        }
        copied
    }

    /// Turn a page of the source into a Form XObject; return its id and bounding box.
    pub(crate) fn form_from_page(&mut self, page_id: ObjectId) -> Result<(ObjectId, [f32; 4])> {
        let source = self.source;
        let page = source.get_dictionary(page_id).map_err(|e| PdfError::Write(e.to_string()))?;
        let bbox = page.get(b"MediaBox").ok().and_then(|o| rectangle(source, o)).unwrap_or(DEFAULT_MEDIA_BOX);
        let resources = match page.get(b"Resources") {
            Ok(object) => match resolve(source, object)? {
                Object::Dictionary(dict) => self.copy_dictionary(dict),
                _ => Dictionary::new(),
            },
            Err(_) => Dictionary::new(),
        };
        let parts = original_contents(source, page)?;
        let mut streams: Vec<&Stream> = Vec::new();
        for part in &parts {
            if let Object::Stream(stream) = resolve(source, part)? {
                streams.push(stream);
            }
        }
        let mut dict = Dictionary::new();
        dict.set("Type", Object::Name(b"XObject".to_vec()));
        dict.set("Subtype", Object::Name(b"Form".to_vec()));
        dict.set("FormType", Object::Integer(1));
        dict.set("BBox", Object::Array(bbox.iter().map(|v| Object::Real(*v)).collect()));
        dict.set("Resources", Object::Dictionary(resources));
        let content = match streams.as_slice() {
            [single] => {
                for key in [&b"Filter"[..], b"DecodeParms"] {
                    if let Ok(value) = single.dict.get(key) {
                        let value = self.copy(value);
                        dict.set(key.to_vec(), value);
                    }
                }
                single.content.clone()
            }
            several => {
                let mut joined = Vec::new();
                for stream in several {
                    joined.extend(stream.decompressed_content().map_err(|e| PdfError::Write(e.to_string()))?);
                    joined.push(b'\n');
                }
                joined
            }
        };
        let id = self.allocate();
        self.out.push((id, Object::Stream(Stream::new(dict, content))));
        Ok((id, bbox))
    }
}

/// What an update writes as one indirect object.
pub(crate) enum Body {
    /// An object serialised by [`write_object`] (a stream with its exact `/Length`).
    Object(Object),
    /// Bytes written as they are between `N G obj` and `endobj` (a dictionary whose fields are
    /// patched in place later, like a signature's `/ByteRange`).
    Raw(Vec<u8>),
}

/// An update to append to the original, and where its objects are.
pub(crate) struct Appended {
    /// The update: the bytes that follow the original (the original is not copied: for a scan of
    /// megabytes, a copy was a good part of the time a signature took).
    pub update: Vec<u8>,
    /// For each object written: the offset in the whole file of its body (the byte after
    /// `N G obj` and its EOL).
    pub bodies: HashMap<ObjectId, usize>,
}

/// The objects and a cross-reference section of the file's kind, to append to `original`; every
/// offset is one in the whole file.
fn write_update(
    original: &[u8],
    tail: Tail,
    trailer: &Dictionary,
    document: &Document,
    objects: &[(ObjectId, Body)],
    next_free: u32,
) -> Result<Appended> {
    let root = match trailer.get(b"Root") {
        Ok(Object::Reference(id)) => *id,
        _ => return Err(PdfError::Malformed("phần trailer không có /Root".into())),
    };
    let info = match trailer.get(b"Info") {
        Ok(Object::Reference(id)) => Some(*id),
        _ => None,
    };
    let id_pair = file_id(document, trailer, original);

    let base = original.len();
    let mut out = Vec::with_capacity(64 * 1024);
    if !matches!(original.last(), Some(b'\n' | b'\r')) {
        out.push(b'\n');
    }
    let mut offsets: BTreeMap<u32, (usize, u16)> = BTreeMap::new();
    let mut bodies = HashMap::new();
    for (id, body) in objects {
        offsets.insert(id.0, (base + out.len(), id.1));
        out.extend_from_slice(format!("{} {} obj\n", id.0, id.1).as_bytes());
        bodies.insert(*id, base + out.len());
        match body {
            Body::Object(object) => write_body(&mut out, object),
            Body::Raw(bytes) => out.extend_from_slice(bytes),
        }
        out.extend_from_slice(b"\nendobj\n");
    }

    let mut common = Dictionary::new();
    common.set("Root", Object::Reference(root));
    if let Some(info) = info {
        common.set("Info", Object::Reference(info));
    }
    common.set(
        "ID",
        Object::Array(vec![
            Object::String(id_pair.0, StringFormat::Hexadecimal),
            Object::String(id_pair.1, StringFormat::Hexadecimal),
        ]),
    );
    common.set("Prev", Object::Integer(tail.startxref as i64));

    let startxref = base + out.len();
    match tail.kind {
        XrefKind::Table => {
            let mut dict = Dictionary::new();
            dict.set("Size", Object::Integer(i64::from(next_free)));
            for (key, value) in common.iter() {
                dict.set(key.clone(), value.clone());
            }
            out.extend_from_slice(b"xref\n0 1\n0000000000 65535 f \n");
            for run in runs(&offsets) {
                out.extend_from_slice(format!("{} {}\n", run[0].0, run.len()).as_bytes());
                for (_, (offset, generation)) in run {
                    out.extend_from_slice(format!("{offset:010} {generation:05} n \n").as_bytes());
                }
            }
            out.extend_from_slice(b"trailer\n");
            write_object(&mut out, &Object::Dictionary(dict));
            out.push(b'\n');
        }
        XrefKind::Stream => {
            let xref_id = next_free;
            offsets.insert(xref_id, (startxref, 0));
            let max_offset = offsets.values().map(|(o, _)| *o).max().unwrap_or(0);
            let width = (1..=8).find(|w| max_offset < 1usize.checked_shl(8 * w).unwrap_or(usize::MAX)).unwrap_or(8);
            let mut data = Vec::new();
            let mut index = Vec::new();
            for run in runs(&offsets) {
                index.push(Object::Integer(i64::from(run[0].0)));
                index.push(Object::Integer(run.len() as i64));
                for (_, (offset, generation)) in run {
                    data.push(1u8);
                    data.extend_from_slice(&(offset as u64).to_be_bytes()[8 - width as usize..]);
                    data.extend_from_slice(&generation.to_be_bytes());
                }
            }
            let mut dict = Dictionary::new();
            dict.set("Type", Object::Name(b"XRef".to_vec()));
            dict.set("Size", Object::Integer(i64::from(xref_id) + 1));
            dict.set("Index", Object::Array(index));
            dict.set(
                "W",
                Object::Array(vec![Object::Integer(1), Object::Integer(i64::from(width)), Object::Integer(2)]),
            );
            for (key, value) in common.iter() {
                dict.set(key.clone(), value.clone());
            }
            write_indirect(&mut out, (xref_id, 0), &Object::Stream(Stream::new(dict, data)));
        }
    }
    out.extend_from_slice(format!("startxref\n{startxref}\n%%EOF\n").as_bytes());
    Ok(Appended { update: out, bodies })
}

/// Consecutive object numbers, grouped: the subsections of a cross-reference section.
fn runs(offsets: &BTreeMap<u32, (usize, u16)>) -> Vec<Vec<(u32, (usize, u16))>> {
    let mut runs: Vec<Vec<(u32, (usize, u16))>> = Vec::new();
    for (&number, &entry) in offsets {
        match runs.last_mut() {
            Some(run) if run.last().is_some_and(|(last, _)| last + 1 == number) => run.push((number, entry)),
            _ => runs.push(vec![(number, entry)]),
        }
    }
    runs
}

/// The file identifier to carry over, or a new one derived from the bytes if the file has none.
fn file_id(document: &Document, trailer: &Dictionary, original: &[u8]) -> (Vec<u8>, Vec<u8>) {
    let existing =
        trailer.get(b"ID").ok().and_then(|o| resolve(document, o).ok()).and_then(|o| o.as_array().ok()).and_then(
            |items| match items.as_slice() {
                [a, b] => match (resolve(document, a).ok()?, resolve(document, b).ok()?) {
                    (Object::String(a, _), Object::String(b, _)) => Some((a.clone(), b.clone())),
                    _ => None,
                },
                _ => None,
            },
        );
    existing.unwrap_or_else(|| {
        let digest = Sha256::digest(original);
        let id = digest[..16].to_vec();
        (id.clone(), id)
    })
}

/// `N G obj … endobj` with the line ends PDF/A-1 asks for.
fn write_indirect(out: &mut Vec<u8>, id: ObjectId, object: &Object) {
    out.extend_from_slice(format!("{} {} obj\n", id.0, id.1).as_bytes());
    write_body(out, object);
    out.extend_from_slice(b"\nendobj\n");
}

/// What is between `N G obj` and `endobj`: the object, a stream with its exact `/Length`.
fn write_body(out: &mut Vec<u8>, object: &Object) {
    match object {
        Object::Stream(stream) => {
            let mut dict = stream.dict.clone();
            dict.set("Length", Object::Integer(stream.content.len() as i64));
            write_object(out, &Object::Dictionary(dict));
            out.extend_from_slice(b"\nstream\n");
            out.extend_from_slice(&stream.content);
            out.extend_from_slice(b"\nendstream");
        }
        other => write_object(out, other),
    }
}

/// Serialise a direct object.
pub(crate) fn write_object(out: &mut Vec<u8>, object: &Object) {
    match object {
        Object::Null => out.extend_from_slice(b"null"),
        Object::Boolean(value) => out.extend_from_slice(if *value { b"true" } else { b"false" }),
        Object::Integer(value) => out.extend_from_slice(value.to_string().as_bytes()),
        Object::Real(value) => out.extend_from_slice(real(*value).as_bytes()),
        Object::Name(name) => write_name(out, name),
        Object::String(bytes, StringFormat::Hexadecimal) => {
            out.push(b'<');
            for byte in bytes {
                out.extend_from_slice(format!("{byte:02X}").as_bytes());
            }
            out.push(b'>');
        }
        Object::String(bytes, StringFormat::Literal) => {
            out.push(b'(');
            for &byte in bytes {
                match byte {
                    b'(' | b')' | b'\\' => out.extend_from_slice(&[b'\\', byte]),
                    b'\n' => out.extend_from_slice(b"\\n"),
                    b'\r' => out.extend_from_slice(b"\\r"),
                    0x20..=0x7e => out.push(byte),
                    _ => out.extend_from_slice(format!("\\{byte:03o}").as_bytes()),
                }
            }
            out.push(b')');
        }
        Object::Array(items) => {
            out.push(b'[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(b' ');
                }
                write_object(out, item);
            }
            out.push(b']');
        }
        Object::Dictionary(dict) => {
            out.extend_from_slice(b"<<");
            for (key, value) in dict.iter() {
                write_name(out, key);
                out.push(b' ');
                write_object(out, value);
            }
            out.extend_from_slice(b">>");
        }
        // A stream is only ever an indirect object (written by `write_indirect`).
        Object::Stream(_) => out.extend_from_slice(b"null"),
        Object::Reference((number, generation)) => {
            out.extend_from_slice(format!("{number} {generation} R").as_bytes());
        }
    }
}

fn write_name(out: &mut Vec<u8>, name: &[u8]) {
    out.push(b'/');
    for &byte in name {
        let delimiter = matches!(byte, b'(' | b')' | b'<' | b'>' | b'[' | b']' | b'{' | b'}' | b'/' | b'%' | b'#');
        if (0x21..=0x7e).contains(&byte) && !delimiter {
            out.push(byte);
        } else {
            out.extend_from_slice(format!("#{byte:02X}").as_bytes());
        }
    }
}

/// A real number as PDF writes it: no exponent, at most 4 decimals, no trailing zeros.
pub(crate) fn real(value: f32) -> String {
    let value = if value.is_finite() { value } else { 0.0 };
    let mut text = format!("{value:.4}");
    if text.contains('.') {
        while text.ends_with('0') {
            text.pop();
        }
        if text.ends_with('.') {
            text.pop();
        }
    }
    if text == "-0" { "0".into() } else { text }
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

fn rfind(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).rposition(|w| w == needle)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reals_are_plain() {
        for (value, text) in [(1.0, "1"), (-0.0, "0"), (0.5, "0.5"), (141.7323, "141.7323"), (f32::NAN, "0")] {
            assert_eq!(real(value), text);
        }
    }

    #[test]
    fn rotation_maps_the_box_corners() {
        let page = |rotate| PageGeometry { id: (1, 0), visible: [10.0, 20.0, 110.0, 220.0], rotate };
        let apply = |m: [f32; 6], x: f32, y: f32| (m[0] * x + m[2] * y + m[4], m[1] * x + m[3] * y + m[5]);
        // The form's top-left corner (0, h) must land where the display's (x, y) is.
        for rotate in [0, 90, 180, 270] {
            let g = page(rotate);
            let m = g.placement_matrix(5.0, 7.0, 20.0);
            let top_left = apply(m, 0.0, 20.0);
            let [x0, y0, x1, y1] = g.visible;
            let expected = match rotate {
                0 => (x0 + 5.0, y1 - 7.0),
                90 => (x0 + 7.0, y0 + 5.0),
                180 => (x1 - 5.0, y0 + 7.0),
                _ => (x1 - 7.0, y1 - 5.0),
            };
            assert_eq!(top_left, expected, "rotate {rotate}");
        }
    }
}
