//! The PDF side of signatures (PAdES): the signature field and its hole, written as an
//! incremental update; the signatures a file carries; what later revisions changed.
//!
//! The cryptography is elsewhere: this module never computes a digest nor reads a certificate.
//!
//! **Signing** ([`prepare`], or [`Signable::prepare`] on a file already parsed, then
//! [`Prepared::embed`]) appends one revision to the original
//! (the bytes we are given stay the exact prefix of the result, so earlier signatures stay valid):
//! a signature field (`/FT /Sig`) with one or more widgets whose appearances are pages of a small
//! PDF drawn elsewhere (turned into Form XObjects kept upright on rotated pages), the field added
//! to the document's `/AcroForm` (`/SigFlags 3`) and the widgets to their pages' `/Annots` — each
//! as a new revision of whatever object holds them, never a rewrite — and last the signature
//! value dictionary (`/Type /Sig`) with a `/ByteRange` and a zeroed `/Contents` hole. The byte
//! range (everything but the hole, the hex string's `<` and `>` included) is patched in place with
//! fixed-width digits, so the caller can digest [`Prepared::signed_parts`] and have the CMS
//! written into the hole.
//!
//! **Reading** ([`signatures`]) lists every signed signature field, with its byte range judged
//! against the file: does it start at 0, leave out exactly the `/Contents` string, end where a
//! revision ends, and reach the end of the file? [`changes_since`] then compares the revision a
//! signature covers (the prefix, parsed on its own) with the whole file, structurally (references
//! followed, an object rewritten with the same content is no change), and names what changed.
//!
//! Input is untrusted: parsing and walking run on a big-stack thread with panics caught, every
//! walk is bounded, and a file that cannot be read safely is an error, not a panic.

use std::collections::{BTreeMap, HashMap, HashSet};

use lopdf::{Dictionary, Document, Object, ObjectId, Stream, StringFormat};

use crate::incremental::{
    Body, Copier, MAX_DEPTH, Target, guarded, inherited, load, original_contents, resolve, write_object,
};
use crate::{PdfError, Result};

/// Points per millimetre.
const MM: f32 = 72.0 / 25.4;

/// Digits of each patched `/ByteRange` number: offsets up to 9 999 999 999 bytes.
const RANGE_DIGITS: usize = 10;

/// The largest hole for the CMS we reserve (a signature with a long chain, timestamps and
/// revocation data stays far below).
const MAX_CAPACITY: usize = 32 << 20;

/// Annotation flags of a signature widget: Print (4) + Locked (128).
const WIDGET_FLAGS: i64 = 132;

/// How many field-tree nodes are read before a file is refused.
const MAX_FIELDS: usize = 1_000_000;

/// How many object pairs a comparison of two revisions looks at before giving up.
const COMPARE_BUDGET: usize = 20_000_000;

/// Which CMS profile the `/SubFilter` names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SubFilter {
    /// `ETSI.CAdES.detached`: PAdES (ETSI EN 319 142), a CAdES detached signature.
    CadesDetached,
    /// `adbe.pkcs7.detached`: a plain detached PKCS#7 / CMS signature.
    Pkcs7Detached,
    /// `ETSI.RFC3161`: a document timestamp (`/Type /DocTimeStamp`); the hole takes an RFC 3161
    /// timestamp token, `signing_time` may be empty (no `/M` is then written).
    Rfc3161,
}

impl SubFilter {
    /// The name as written after `/SubFilter`, without the slash.
    pub fn name(self) -> &'static str {
        match self {
            SubFilter::CadesDetached => "ETSI.CAdES.detached",
            SubFilter::Pkcs7Detached => "adbe.pkcs7.detached",
            SubFilter::Rfc3161 => "ETSI.RFC3161",
        }
    }
}

/// One widget of the signature field: where on which page, and which page of the appearance PDF
/// draws it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Widget {
    /// Page of the target document, from 0.
    pub page: usize,
    /// Left edge, in millimetres from the left of the page as displayed (after `/Rotate`, from
    /// the crop box).
    pub x_mm: f32,
    /// Top edge, in millimetres from the top of the page as displayed.
    pub y_mm: f32,
    /// Width as displayed, in millimetres.
    pub width_mm: f32,
    /// Height as displayed, in millimetres.
    pub height_mm: f32,
    /// Page of [`SignatureRequest::appearance`], from 0, whose content is this widget's `/AP /N`
    /// (its size should be the widget's: a reader scales it into the widget's rectangle).
    pub source_page: usize,
}

/// What to add: the field, its value dictionary's entries and its widgets.
#[derive(Debug, Clone)]
pub struct SignatureRequest<'a> {
    /// The field's name (`/T`): new in the document, not empty, without a period.
    pub field_name: String,
    /// The CMS profile.
    pub subfilter: SubFilter,
    /// `/M`, a PDF date string such as `D:20260305143000+07'00'` (may be empty for a document
    /// timestamp).
    pub signing_time: String,
    /// `/Name`: the signer, as a text string.
    pub name: Option<String>,
    /// `/Reason`.
    pub reason: Option<String>,
    /// `/Location`.
    pub location: Option<String>,
    /// The widgets; none gives one invisible widget (`/Rect [0 0 0 0]`) on page 0.
    pub widgets: Vec<Widget>,
    /// A small PDF whose pages are the widgets' appearances; needed when there are widgets.
    pub appearance: Option<&'a [u8]>,
    /// Bytes reserved for the DER CMS: the hole is `2 × capacity` hex digits between `<` and `>`.
    pub contents_capacity: usize,
}

/// The signature's revision, to append to the original, its `/Contents` hole still zeroed and its
/// `/ByteRange` already final. The original is borrowed, not copied.
#[derive(Debug, Clone)]
pub struct Prepared<'a> {
    original: &'a [u8],
    update: Vec<u8>,
    /// The hole, in the whole file: from its `<` to just after its `>` (both in the update).
    hole: (usize, usize),
    byte_range: [u64; 4],
}

impl<'a> Prepared<'a> {
    /// The `/ByteRange` written: `[0, hole start, hole end, length − hole end]`.
    pub fn byte_range(&self) -> [u64; 4] {
        self.byte_range
    }

    /// What the digest is computed over, in order: the original, then the update before and after
    /// the hole.
    pub fn signed_parts(&self) -> [&[u8]; 3] {
        let base = self.original.len();
        [self.original, &self.update[..self.hole.0 - base], &self.update[self.hole.1 - base..]]
    }

    /// The length of the whole file as it will be.
    pub fn file_len(&self) -> usize {
        self.original.len() + self.update.len()
    }

    /// How many bytes of DER fit in the hole.
    pub fn capacity(&self) -> usize {
        (self.hole.1 - self.hole.0 - 2) / 2
    }

    /// Write `cms_der` into the hole as hex, zero-padded; return the whole signed file. Fails if
    /// the CMS is empty or does not fit.
    pub fn embed(self, cms_der: &[u8]) -> Result<Vec<u8>> {
        let original = self.original;
        Ok([original, &self.embed_update(cms_der)?].concat())
    }

    /// [`Prepared::embed`], returning only the revision: the signed file is the original followed
    /// by these bytes (written out in two parts, the original is never copied).
    pub fn embed_update(mut self, cms_der: &[u8]) -> Result<Vec<u8>> {
        if cms_der.is_empty() {
            return Err(PdfError::Write("chữ ký số rỗng".into()));
        }
        let capacity = self.capacity();
        if cms_der.len() > capacity {
            return Err(PdfError::Write(format!(
                "chữ ký số dài {} byte, vượt chỗ dành sẵn trong tệp ({capacity} byte)",
                cms_der.len()
            )));
        }
        const HEX: &[u8; 16] = b"0123456789ABCDEF";
        let at = self.hole.0 + 1 - self.original.len();
        for (i, byte) in cms_der.iter().enumerate() {
            self.update[at + 2 * i] = HEX[usize::from(byte >> 4)];
            self.update[at + 2 * i + 1] = HEX[usize::from(byte & 0x0f)];
        }
        Ok(self.update)
    }
}

// ------------------------------------------------------------------------------------- writing

/// Append one incremental update adding a signature field (with its widgets, merged into the
/// `/AcroForm`, `/SigFlags 3`) and its `/Sig` value dictionary with a zeroed `/Contents` hole;
/// the real `/ByteRange` is already patched in.
///
/// Fails with [`PdfError::Write`] for a request that cannot be honoured (a field of that name
/// exists, a page or appearance page that does not exist, a document certified against any
/// change), [`PdfError::Encrypted`], [`PdfError::NotPdf`] or [`PdfError::Malformed`] for a file
/// that cannot be updated safely.
pub fn prepare<'a>(original: &'a [u8], request: &SignatureRequest<'_>) -> Result<Prepared<'a>> {
    Signable::read(original)?.prepare(request)
}

/// A file parsed once for signing. Signing needs the file's signatures (for a free field name and
/// for where the signer's widget is), its pages' sizes (to place the appearances) and the parsed
/// objects the new revision is built on: parsing a scan of megabytes three times was most of the
/// time a signature took.
pub struct Signable<'a> {
    target: Target<'a>,
}

impl<'a> Signable<'a> {
    /// Parse `pdf`. Fails like [`prepare`] for a file that cannot be updated safely (encrypted,
    /// damaged cross-reference data, no page).
    pub fn read(pdf: &'a [u8]) -> Result<Signable<'a>> {
        Ok(Signable { target: Target::parse(pdf)? })
    }

    /// The signature fields, as [`signatures`] lists them.
    pub fn signatures(&self) -> Result<Vec<SignatureField>> {
        guarded(|| read_signatures(self.target.document(), self.target.original(), None))
    }

    /// The size of every page in mm, as displayed (after `/Rotate`, from the crop box).
    pub fn pages_size_mm(&self) -> Vec<(f32, f32)> {
        self.target.pages_size_mm()
    }

    /// What [`prepare`] does, on the parsed file.
    pub fn prepare(&self, request: &SignatureRequest<'_>) -> Result<Prepared<'a>> {
        check_request(request)?;
        let target = &self.target;
        let source = match (request.widgets.is_empty(), request.appearance) {
            (true, _) => None,
            (false, Some(bytes)) => Some(guarded(|| {
                Document::load_mem(bytes)
                    .map_err(|e| PdfError::Write(format!("hình hiển thị chữ ký không đọc được: {e}")))
            })?),
            (false, None) => return Err(PdfError::Write("thiếu hình hiển thị cho chữ ký".into())),
        };
        let (mut update, body, layout) = guarded(|| build(target, source.as_ref(), request))?;

        let base = target.original().len();
        let hole_start = body + layout.contents;
        let hole_end = hole_start + 2 * request.contents_capacity + 2;
        let length = base + update.len();
        let byte_range = [0, hole_start as u64, hole_end as u64, (length - hole_end) as u64];
        if length as u64 > 10u64.pow(RANGE_DIGITS as u32) - 1 {
            return Err(PdfError::Write("tệp quá lớn để ký (quá 9 999 999 999 byte)".into()));
        }
        let mut text = format!("[0 {} {} {}", byte_range[1], byte_range[2], byte_range[3]).into_bytes();
        let width = placeholder_range().len();
        text.resize(width - 1, b' ');
        text.push(b']');
        let at = body + layout.byte_range - base;
        update[at..at + width].copy_from_slice(&text);
        Ok(Prepared { original: target.original(), update, hole: (hole_start, hole_end), byte_range })
    }
}

/// `[0 0000000000 0000000000 0000000000]`: as wide as any range it will be replaced with.
fn placeholder_range() -> Vec<u8> {
    let digits = "0".repeat(RANGE_DIGITS);
    format!("[0 {digits} {digits} {digits}]").into_bytes()
}

fn check_request(request: &SignatureRequest<'_>) -> Result<()> {
    let name = &request.field_name;
    if name.is_empty() || name.contains('.') || name.chars().any(char::is_control) {
        return Err(PdfError::Write(format!(
            "tên trường chữ ký không hợp lệ: “{name}” (không được rỗng, chứa dấu chấm)"
        )));
    }
    let time = &request.signing_time;
    let well_formed = time.starts_with("D:") && time.len() <= 64 && time.bytes().all(|b| (0x20..0x7f).contains(&b));
    let untimed_stamp = time.is_empty() && request.subfilter == SubFilter::Rfc3161;
    if !(well_formed || untimed_stamp) {
        return Err(PdfError::Write(format!("thời điểm ký không đúng dạng ngày PDF (D:YYYYMMDDHHmmSS…): “{time}”")));
    }
    if request.contents_capacity == 0 || request.contents_capacity > MAX_CAPACITY {
        return Err(PdfError::Write(format!(
            "chỗ dành cho chữ ký số phải từ 1 đến {MAX_CAPACITY} byte (yêu cầu {})",
            request.contents_capacity
        )));
    }
    for widget in &request.widgets {
        let values = [widget.x_mm, widget.y_mm, widget.width_mm, widget.height_mm];
        let sizes = [widget.width_mm, widget.height_mm];
        if values.iter().any(|v| !v.is_finite() || v.abs() > 5080.0) || sizes.iter().any(|v| *v <= 0.0) {
            return Err(PdfError::Write(format!(
                "vị trí hoặc kích thước ô chữ ký không hợp lệ ở trang {}",
                widget.page + 1
            )));
        }
    }
    Ok(())
}

/// Where, inside the signature dictionary's body, the patched parts are.
struct SigLayout {
    byte_range: usize,
    contents: usize,
}

/// Write the update; return it, the offset in the whole file of the signature dictionary's body,
/// and where in it the range and the hole are.
fn build(
    target: &Target<'_>,
    source: Option<&Document>,
    request: &SignatureRequest<'_>,
) -> Result<(Vec<u8>, usize, SigLayout)> {
    let document = target.document();
    let root_id = match document.trailer.get(b"Root") {
        Ok(Object::Reference(id)) => *id,
        _ => return Err(PdfError::Malformed("phần trailer không có /Root".into())),
    };
    let catalog = document
        .get_dictionary(root_id)
        .map_err(|e| PdfError::Malformed(format!("không đọc được danh mục tài liệu (/Root): {e}")))?;
    if certified_against_changes(document, catalog) {
        return Err(PdfError::Write(
            "tài liệu đã được chứng thực (DocMDP) không cho phép thay đổi, kể cả thêm chữ ký".into(),
        ));
    }
    let fields = FieldTree::read(document)?;
    if fields.nodes.iter().any(|field| field.name == request.field_name) {
        return Err(PdfError::Write(format!("trường chữ ký “{}” đã tồn tại trong tài liệu", request.field_name)));
    }

    let empty = Document::new();
    let source = source.unwrap_or(&empty);
    let source_pages: Vec<ObjectId> = source.page_iter().take(100_000).collect();
    let mut copier = Copier::new(source, target.first_free());
    let field_id = copier.allocate();
    let sig_id = copier.allocate();
    let mut new_objects: Vec<(ObjectId, Object)> = Vec::new();
    let mut forms: HashMap<(usize, u16), ObjectId> = HashMap::new();
    let mut widgets: Vec<(usize, ObjectId, Dictionary)> = Vec::new();

    let placements: Vec<Widget> = if request.widgets.is_empty() {
        vec![Widget { page: 0, x_mm: 0.0, y_mm: 0.0, width_mm: 0.0, height_mm: 0.0, source_page: 0 }]
    } else {
        request.widgets.clone()
    };
    let invisible = request.widgets.is_empty();
    for placement in &placements {
        let geometry = *target
            .pages()
            .get(placement.page)
            .ok_or_else(|| PdfError::Write(format!("tài liệu không có trang {} để đặt chữ ký", placement.page + 1)))?;
        let mut widget = Dictionary::new();
        widget.set("Type", Object::Name(b"Annot".to_vec()));
        widget.set("Subtype", Object::Name(b"Widget".to_vec()));
        widget.set("F", Object::Integer(WIDGET_FLAGS));
        widget.set("P", Object::Reference(geometry.id));
        let appearance = if invisible {
            widget.set("Rect", reals(&[0.0; 4]));
            let id = copier.allocate();
            let mut form = Dictionary::new();
            form.set("Type", Object::Name(b"XObject".to_vec()));
            form.set("Subtype", Object::Name(b"Form".to_vec()));
            form.set("BBox", reals(&[0.0; 4]));
            form.set("Resources", Object::Dictionary(Dictionary::new()));
            new_objects.push((id, Object::Stream(Stream::new(form, Vec::new()))));
            id
        } else {
            let (w, h) = (placement.width_mm * MM, placement.height_mm * MM);
            let m = geometry.placement_matrix(placement.x_mm * MM, placement.y_mm * MM, h);
            let apply = |x: f32, y: f32| (m[0] * x + m[2] * y + m[4], m[1] * x + m[3] * y + m[5]);
            let (a, b) = (apply(0.0, 0.0), apply(w, h));
            widget.set("Rect", reals(&[a.0.min(b.0), a.1.min(b.1), a.0.max(b.0), a.1.max(b.1)]));
            match forms.get(&(placement.source_page, geometry.rotate)) {
                Some(id) => *id,
                None => {
                    let page_id = *source_pages.get(placement.source_page).ok_or_else(|| {
                        PdfError::Write(format!("hình hiển thị chữ ký không có trang {}", placement.source_page + 1))
                    })?;
                    let (id, _) = copier.form_from_page(page_id)?;
                    if geometry.rotate != 0 {
                        // Upright on the display: the reader maps the turned box onto /Rect.
                        let turn = reals(&[m[0], m[1], m[2], m[3], 0.0, 0.0]);
                        if let Some((_, Object::Stream(form))) = copier.out.iter_mut().find(|(made, _)| *made == id) {
                            form.dict.set("Matrix", turn);
                        }
                    }
                    forms.insert((placement.source_page, geometry.rotate), id);
                    id
                }
            }
        };
        let mut ap = Dictionary::new();
        ap.set("N", Object::Reference(appearance));
        widget.set("AP", Object::Dictionary(ap));
        widgets.push((placement.page, geometry.id, widget));
    }

    // The field: merged with its widget when there is one, else the parent of its widgets.
    let mut field = Dictionary::new();
    field.set("FT", Object::Name(b"Sig".to_vec()));
    field.set("T", text_string(&request.field_name));
    field.set("V", Object::Reference(sig_id));
    let mut annots_by_page: BTreeMap<usize, (ObjectId, Vec<Object>)> = BTreeMap::new();
    if widgets.len() == 1 {
        if let Some((page, page_id, widget)) = widgets.pop() {
            for (key, value) in widget.iter() {
                field.set(key.clone(), value.clone());
            }
            annots_by_page.entry(page).or_insert((page_id, Vec::new())).1.push(Object::Reference(field_id));
        }
    } else {
        let mut kids = Vec::new();
        for (page, page_id, mut widget) in widgets {
            let id = copier.allocate();
            widget.set("Parent", Object::Reference(field_id));
            // Redundant for the standard (the value is the parent's), but poppler takes every
            // kid with a /Parent for a field of its own and would call these unsigned.
            widget.set("V", Object::Reference(sig_id));
            new_objects.push((id, Object::Dictionary(widget)));
            kids.push(Object::Reference(id));
            annots_by_page.entry(page).or_insert((page_id, Vec::new())).1.push(Object::Reference(id));
        }
        field.set("Kids", Object::Array(kids));
    }
    new_objects.push((field_id, Object::Dictionary(field)));

    // New revisions of what holds the widgets and the field.
    let mut revised: BTreeMap<ObjectId, Object> = BTreeMap::new();
    for (page_id, added) in annots_by_page.into_values() {
        let page = match revised.get(&page_id) {
            Some(Object::Dictionary(page)) => page.clone(),
            _ => document
                .get_dictionary(page_id)
                .map_err(|e| PdfError::Malformed(format!("trang {} {}: {e}", page_id.0, page_id.1)))?
                .clone(),
        };
        if let Some(page) = append_to_array(document, &mut revised, page, b"Annots", added, "/Annots của trang")? {
            revised.insert(page_id, Object::Dictionary(page));
        }
    }
    let field_ref = vec![Object::Reference(field_id)];
    let mut new_catalog = None;
    match catalog.get(b"AcroForm") {
        Ok(Object::Reference(form_id)) if matches!(document.get_object(*form_id), Ok(Object::Dictionary(_))) => {
            let form =
                document.get_dictionary(*form_id).map_err(|e| PdfError::Malformed(format!("/AcroForm: {e}")))?.clone();
            let flags_set = sig_flags(document, &form) & 3 == 3;
            match append_to_array(document, &mut revised, form.clone(), b"Fields", field_ref, "/Fields của /AcroForm")?
            {
                Some(mut form) => {
                    set_sig_flags(document, &mut form);
                    revised.insert(*form_id, Object::Dictionary(form));
                }
                None if !flags_set => {
                    let mut form = form;
                    set_sig_flags(document, &mut form);
                    revised.insert(*form_id, Object::Dictionary(form));
                }
                None => {}
            }
        }
        Ok(Object::Dictionary(form)) => {
            let form =
                append_to_array(document, &mut revised, form.clone(), b"Fields", field_ref, "/Fields của /AcroForm")?
                    .unwrap_or_else(|| form.clone());
            let mut form = form;
            set_sig_flags(document, &mut form);
            let mut catalog = catalog.clone();
            catalog.set("AcroForm", Object::Dictionary(form));
            new_catalog = Some(catalog);
        }
        _ => {
            let mut form = Dictionary::new();
            form.set("Fields", Object::Array(field_ref));
            form.set("SigFlags", Object::Integer(3));
            let mut catalog = catalog.clone();
            catalog.set("AcroForm", Object::Dictionary(form));
            new_catalog = Some(catalog);
        }
    }
    if let Some(catalog) = new_catalog {
        if revised.contains_key(&root_id) {
            return Err(PdfError::Malformed("danh mục tài liệu trùng với một trang hoặc mảng".into()));
        }
        revised.insert(root_id, Object::Dictionary(catalog));
    }

    // The signature value, last: its hole is near the end.
    let kind = if request.subfilter == SubFilter::Rfc3161 { "DocTimeStamp" } else { "Sig" };
    let mut sig =
        format!("<< /Type /{kind} /Filter /Adobe.PPKLite /SubFilter /{}", request.subfilter.name()).into_bytes();
    if !request.signing_time.is_empty() {
        sig.extend_from_slice(b" /M ");
        write_object(&mut sig, &Object::String(request.signing_time.clone().into_bytes(), StringFormat::Literal));
    }
    for (key, value) in [("Name", &request.name), ("Reason", &request.reason), ("Location", &request.location)] {
        if let Some(value) = value {
            sig.extend_from_slice(format!(" /{key} ").as_bytes());
            write_object(&mut sig, &text_string(value));
        }
    }
    sig.extend_from_slice(b" /ByteRange ");
    let byte_range = sig.len();
    sig.extend_from_slice(&placeholder_range());
    sig.extend_from_slice(b" /Contents ");
    let contents = sig.len();
    sig.push(b'<');
    sig.resize(sig.len() + 2 * request.contents_capacity, b'0');
    sig.extend_from_slice(b"> >>");

    let next_free = copier.next;
    let mut objects: Vec<(ObjectId, Body)> = copier
        .out
        .into_iter()
        .chain(new_objects)
        .chain(revised)
        .map(|(id, object)| (id, Body::Object(object)))
        .collect();
    objects.sort_by_key(|(id, _)| *id);
    objects.push((sig_id, Body::Raw(sig)));
    let appended = target.append(&objects, next_free)?;
    let body = *appended.bodies.get(&sig_id).ok_or_else(|| PdfError::Write("mất vị trí của chữ ký".into()))?;
    Ok((appended.update, body, SigLayout { byte_range, contents }))
}

/// Add `items` to the array `dict[key]`: in a new revision of the array when it is an indirect
/// object (recorded in `revised`, `None` returned: `dict` needs no new revision), else in a new
/// `dict` (returned).
fn append_to_array(
    document: &Document,
    revised: &mut BTreeMap<ObjectId, Object>,
    mut dict: Dictionary,
    key: &[u8],
    items: Vec<Object>,
    what: &str,
) -> Result<Option<Dictionary>> {
    match dict.get(key) {
        Ok(Object::Reference(id)) => {
            let id = *id;
            let current = match revised.get(&id) {
                Some(object) => Some(object.clone()),
                None => document.get_object(id).ok().cloned(),
            };
            match current {
                Some(Object::Array(mut array)) => {
                    array.extend(items);
                    revised.insert(id, Object::Array(array));
                    Ok(None)
                }
                Some(Object::Null) | None => {
                    dict.set(key.to_vec(), Object::Array(items));
                    Ok(Some(dict))
                }
                Some(_) => Err(PdfError::Malformed(format!("{what} không phải mảng"))),
            }
        }
        Ok(Object::Array(array)) => {
            let mut array = array.clone();
            array.extend(items);
            dict.set(key.to_vec(), Object::Array(array));
            Ok(Some(dict))
        }
        Ok(Object::Null) | Err(_) => {
            dict.set(key.to_vec(), Object::Array(items));
            Ok(Some(dict))
        }
        Ok(_) => Err(PdfError::Malformed(format!("{what} không phải mảng"))),
    }
}

fn sig_flags(document: &Document, form: &Dictionary) -> i64 {
    form.get(b"SigFlags").ok().and_then(|o| resolve(document, o).ok()).and_then(|o| o.as_i64().ok()).unwrap_or(0)
}

/// `/SigFlags`: SignaturesExist (1) and AppendOnly (2), added to what is there.
fn set_sig_flags(document: &Document, form: &mut Dictionary) {
    let flags = sig_flags(document, form);
    form.set("SigFlags", Object::Integer(flags | 3));
}

/// Whether a certification signature (`/Perms /DocMDP`) forbids any change (`/P 1`).
fn certified_against_changes(document: &Document, catalog: &Dictionary) -> bool {
    let dict = |object| dictionary(document, object);
    let Some(sig) =
        catalog.get(b"Perms").ok().and_then(dict).and_then(|perms| perms.get(b"DocMDP").ok()).and_then(dict)
    else {
        return false;
    };
    let Some(references) =
        sig.get(b"Reference").ok().and_then(|o| resolve(document, o).ok()).and_then(|o| o.as_array().ok())
    else {
        return false;
    };
    references.iter().filter_map(dict).any(|reference| {
        let is_docmdp = reference.get(b"TransformMethod").and_then(Object::as_name).is_ok_and(|n| n == b"DocMDP");
        let p = reference
            .get(b"TransformParams")
            .ok()
            .and_then(dict)
            .and_then(|params| params.get(b"P").ok())
            .and_then(|o| resolve(document, o).ok())
            .and_then(|o| o.as_i64().ok())
            .unwrap_or(2);
        is_docmdp && p == 1
    })
}

/// The dictionary `object` is or names.
fn dictionary<'d>(document: &'d Document, object: &'d Object) -> Option<&'d Dictionary> {
    resolve(document, object).ok()?.as_dict().ok()
}

fn reals(values: &[f32]) -> Object {
    Object::Array(values.iter().map(|v| Object::Real(*v)).collect())
}

/// A text string: literal when plain ASCII, else UTF-16BE with its byte order mark, in hex.
fn text_string(text: &str) -> Object {
    if text.bytes().all(|b| (0x20..0x7f).contains(&b)) {
        Object::String(text.as_bytes().to_vec(), StringFormat::Literal)
    } else {
        let mut bytes = vec![0xfe, 0xff];
        for unit in text.encode_utf16() {
            bytes.extend_from_slice(&unit.to_be_bytes());
        }
        Object::String(bytes, StringFormat::Hexadecimal)
    }
}

/// Decode a text string: UTF-16BE or UTF-8 with their marks, else PDFDocEncoding.
fn decode_text(bytes: &[u8]) -> String {
    if let Some(rest) = bytes.strip_prefix(&[0xfe, 0xff]) {
        let units: Vec<u16> = rest.chunks_exact(2).map(|pair| u16::from_be_bytes([pair[0], pair[1]])).collect();
        return String::from_utf16_lossy(&units);
    }
    if let Some(rest) = bytes.strip_prefix(&[0xef, 0xbb, 0xbf]) {
        return String::from_utf8_lossy(rest).into_owned();
    }
    const HIGH: [char; 33] = [
        '•', '†', '‡', '…', '—', '–', 'ƒ', '⁄', '‹', '›', '−', '‰', '„', '“', '”', '‘', '’', '‚', '™', 'ﬁ', 'ﬂ', 'Ł',
        'Œ', 'Š', 'Ÿ', 'Ž', 'ı', 'ł', 'œ', 'š', 'ž', '\u{fffd}', '€',
    ];
    const LOW: [char; 8] = ['˘', 'ˇ', 'ˆ', '˙', '˝', '˛', '˚', '˜'];
    bytes
        .iter()
        .map(|&b| match b {
            0x18..=0x1f => LOW[usize::from(b - 0x18)],
            0x80..=0xa0 => HIGH[usize::from(b - 0x80)],
            _ => char::from(b),
        })
        .collect()
}

// ------------------------------------------------------------------------------------- the field tree

/// One node of the interactive form's field tree that has a name.
struct FieldNode<'d> {
    /// Fully qualified: the `/T` of its ancestors and its own, joined with '.'.
    name: String,
    dict: &'d Dictionary,
    /// `/FT`, inherited.
    kind: Option<Vec<u8>>,
    /// `/V`, inherited.
    value: Option<&'d Object>,
    /// Its widget annotations: itself when merged, or its kids without a name.
    widgets: Vec<ObjectId>,
}

struct FieldTree<'d> {
    nodes: Vec<FieldNode<'d>>,
    /// Widget annotation → index of its field in `nodes`.
    widget_of: HashMap<ObjectId, usize>,
}

/// A node of the field tree still to visit, with what it inherits.
struct Pending<'d> {
    item: &'d Object,
    parent: String,
    kind: Option<Vec<u8>>,
    value: Option<&'d Object>,
    depth: usize,
}

impl<'d> FieldTree<'d> {
    /// Walk `/AcroForm /Fields` (iteratively, each object once, bounded).
    fn read(document: &'d Document) -> Result<FieldTree<'d>> {
        let mut tree = FieldTree { nodes: Vec::new(), widget_of: HashMap::new() };
        let Some(catalog) = catalog(document) else {
            return Ok(tree);
        };
        let Some(form) =
            catalog.get(b"AcroForm").ok().and_then(|o| resolve(document, o).ok()).and_then(|o| o.as_dict().ok())
        else {
            return Ok(tree);
        };
        let Some(fields) =
            form.get(b"Fields").ok().and_then(|o| resolve(document, o).ok()).and_then(|o| o.as_array().ok())
        else {
            return Ok(tree);
        };
        let mut stack: Vec<Pending<'d>> = fields
            .iter()
            .rev()
            .map(|item| Pending { item, parent: String::new(), kind: None, value: None, depth: 0 })
            .collect();
        let mut seen: HashSet<ObjectId> = HashSet::new();
        let mut visited = 0usize;
        while let Some(Pending { item, parent, kind, value, depth }) = stack.pop() {
            visited += 1;
            if visited > MAX_FIELDS || depth > MAX_DEPTH {
                return Err(PdfError::Malformed("cây trường biểu mẫu quá lớn hoặc quá sâu".into()));
            }
            let id = match item {
                Object::Reference(id) => {
                    if !seen.insert(*id) {
                        continue;
                    }
                    Some(*id)
                }
                _ => None,
            };
            let Some(dict) = resolve(document, item).ok().and_then(|o| o.as_dict().ok()) else {
                continue;
            };
            let partial = dict.get(b"T").ok().and_then(|o| resolve(document, o).ok()).and_then(|o| o.as_str().ok());
            let name = match partial {
                Some(t) if parent.is_empty() => decode_text(t),
                Some(t) => format!("{parent}.{}", decode_text(t)),
                None => parent.clone(),
            };
            let kind = dict
                .get(b"FT")
                .ok()
                .and_then(|o| resolve(document, o).ok())
                .and_then(|o| o.as_name().ok())
                .map(<[u8]>::to_vec)
                .or(kind);
            let value = dict.get(b"V").ok().or(value);
            let kids = dict.get(b"Kids").ok().and_then(|o| resolve(document, o).ok()).and_then(|o| o.as_array().ok());
            let index = tree.nodes.len();
            let mut widgets = Vec::new();
            if let Some(kids) = kids {
                for kid in kids.iter().rev() {
                    let Some(kid_dict) = resolve(document, kid).ok().and_then(|o| o.as_dict().ok()) else {
                        continue;
                    };
                    if kid_dict.has(b"T") || kid_dict.has(b"Kids") {
                        stack.push(Pending {
                            item: kid,
                            parent: name.clone(),
                            kind: kind.clone(),
                            value,
                            depth: depth + 1,
                        });
                    } else if let Object::Reference(kid_id) = kid {
                        widgets.push(*kid_id);
                    }
                }
                widgets.reverse();
            }
            let is_widget = dict.get(b"Subtype").and_then(Object::as_name).is_ok_and(|n| n == b"Widget");
            if is_widget && let Some(id) = id {
                widgets.insert(0, id);
            }
            if partial.is_none() && widgets.is_empty() {
                continue;
            }
            for widget in &widgets {
                tree.widget_of.entry(*widget).or_insert(index);
            }
            tree.nodes.push(FieldNode { name, dict, kind, value, widgets });
        }
        Ok(tree)
    }
}

fn catalog(document: &Document) -> Option<&Dictionary> {
    let root = document.trailer.get(b"Root").ok()?;
    resolve(document, root).ok()?.as_dict().ok()
}

// ------------------------------------------------------------------------------------- reading

/// A signature field with a value, as found in the file.
#[derive(Debug, Clone, PartialEq)]
pub struct SignatureField {
    /// The fully qualified field name (the `/T` of its ancestors joined with '.').
    pub field: String,
    /// `/SubFilter` as written, without the slash: `ETSI.CAdES.detached`, `adbe.pkcs7.detached`,
    /// `adbe.pkcs7.sha1`…
    pub subfilter: String,
    /// `/ByteRange` as written (what is not a non-negative integer is left out, and reported).
    pub byte_range: Vec<u64>,
    /// The decoded `/Contents` string: the CMS DER, possibly zero-padded.
    pub contents: Vec<u8>,
    /// `/M` as written (a PDF date string).
    pub claimed_time: Option<String>,
    /// `/Name`.
    pub name: Option<String>,
    /// `/Reason`.
    pub reason: Option<String>,
    /// `/Location`.
    pub location: Option<String>,
    /// The page of its (first) widget, from 0.
    pub page: Option<usize>,
    /// Where that widget shows, mm from the page's top-left as displayed (`None` when invisible).
    pub rect_mm: Option<crate::appearance::Area>,
    /// The end of the last range: the length of the revision it signs.
    pub signed_len: u64,
    /// The ranges are `[0 a b c]` with `a < b`, the gap is exactly the `/Contents` string with
    /// its `<` `>`, and `b + c` is the file's length.
    pub covers_whole_file: bool,
    /// Why the byte range cannot be trusted, in Vietnamese: malformed, beyond the file,
    /// overlapping, leaving out more than the `/Contents` string, not ending a revision.
    pub range_problem: Option<String>,
}

/// Every signature field with a value, in the order of the revisions they sign.
///
/// A file whose cross-reference data is damaged (a truncated one) is still read as far as it can
/// be: its signatures then show the damage in [`SignatureField::range_problem`].
pub fn signatures(pdf: &[u8]) -> Result<Vec<SignatureField>> {
    let (document, damage) = load_for_reading(pdf)?;
    guarded(|| read_signatures(&document, pdf, damage.as_deref()))
}

/// Whether the file may hold a signature (it names a `/ByteRange`): a byte scan, no parsing, so a
/// scan of megabytes is not parsed to find none.
pub fn may_be_signed(pdf: &[u8]) -> bool {
    pdf.windows(10).any(|window| window == b"/ByteRange")
}

/// Like `load`, but a file whose cross-reference data had to be rebuilt is read anyway; the
/// second value then says what is wrong with it.
fn load_for_reading(pdf: &[u8]) -> Result<(Document, Option<String>)> {
    match load(pdf) {
        Ok(document) => Ok((document, None)),
        Err(PdfError::Malformed(reason)) => {
            let repaired = guarded(|| Document::load_mem(pdf).map_err(|e| PdfError::Malformed(e.to_string())));
            match repaired {
                Ok(document) if document.encryption_state.is_none() && !document.trailer.has(b"Encrypt") => {
                    let trimmed = pdf.len() - pdf.iter().rev().take_while(|b| b.is_ascii_whitespace()).count();
                    let damage = if pdf[..trimmed].ends_with(b"%%EOF") {
                        format!("tệp bị hỏng, chỉ đọc được sau khi dựng lại bảng tham chiếu chéo ({reason})")
                    } else {
                        "tệp bị cắt cụt: không kết thúc bằng %%EOF".to_owned()
                    };
                    Ok((document, Some(damage)))
                }
                _ => Err(PdfError::Malformed(reason)),
            }
        }
        Err(other) => Err(other),
    }
}

/// The first widget's rectangle with an area, in mm from the top-left of its page as displayed.
fn widget_area(document: &Document, page_id: ObjectId, widgets: &[ObjectId]) -> Option<crate::appearance::Area> {
    const MM: f32 = 72.0 / 25.4;
    let geometry = crate::incremental::page_geometry(document, page_id).ok()?;
    let [x0, y0, x1, y1] = geometry.visible;
    for widget in widgets {
        let Ok(dict) = document.get_dictionary(*widget) else { continue };
        let Some(rect) = dict.get(b"Rect").ok().and_then(|o| resolve(document, o).ok()).and_then(|o| o.as_array().ok())
        else {
            continue;
        };
        let numbers: Vec<f32> = rect.iter().filter_map(|o| resolve(document, o).ok()?.as_float().ok()).collect();
        let [a, b, c, d] = numbers[..] else { continue };
        if (a - c).abs() < 0.01 || (b - d).abs() < 0.01 {
            continue;
        }
        let displayed = |ux: f32, uy: f32| match geometry.rotate {
            90 => (uy - y0, ux - x0),
            180 => (x1 - ux, uy - y0),
            270 => (y1 - uy, x1 - ux),
            _ => (ux - x0, y1 - uy),
        };
        let corners = [displayed(a, b), displayed(a, d), displayed(c, b), displayed(c, d)];
        let left = corners.iter().map(|p| p.0).fold(f32::INFINITY, f32::min);
        let right = corners.iter().map(|p| p.0).fold(f32::NEG_INFINITY, f32::max);
        let top = corners.iter().map(|p| p.1).fold(f32::INFINITY, f32::min);
        let bottom = corners.iter().map(|p| p.1).fold(f32::NEG_INFINITY, f32::max);
        return Some(crate::appearance::Area {
            x_mm: left / MM,
            y_mm: top / MM,
            width_mm: (right - left) / MM,
            height_mm: (bottom - top) / MM,
        });
    }
    None
}

fn read_signatures(document: &Document, pdf: &[u8], damage: Option<&str>) -> Result<Vec<SignatureField>> {
    let tree = FieldTree::read(document)?;
    let pages: Vec<ObjectId> = document.page_iter().take(1_000_000).collect();
    let page_index: HashMap<ObjectId, usize> = pages.iter().enumerate().map(|(i, id)| (*id, i)).collect();
    let mut annot_page: HashMap<ObjectId, usize> = HashMap::new();
    for (index, page_id) in pages.iter().enumerate() {
        if let Ok(page) = document.get_dictionary(*page_id) {
            for (key, _) in annotations(document, page) {
                if let AnnotKey::Id(id) = key {
                    annot_page.entry(id).or_insert(index);
                }
            }
        }
    }
    let mut found = Vec::new();
    for node in &tree.nodes {
        if node.kind.as_deref() != Some(b"Sig") {
            continue;
        }
        let Some(value) = node.value else {
            continue;
        };
        let page = node.widgets.iter().find_map(|w| annot_page.get(w).copied()).or_else(|| {
            let widget = document.get_dictionary(*node.widgets.first()?).ok()?;
            page_index.get(&widget.get(b"P").ok()?.as_reference().ok()?).copied()
        });
        let mut field = SignatureField {
            field: node.name.clone(),
            subfilter: String::new(),
            byte_range: Vec::new(),
            contents: Vec::new(),
            claimed_time: None,
            name: None,
            reason: None,
            location: None,
            page,
            rect_mm: page.and_then(|index| widget_area(document, pages.get(index).copied()?, &node.widgets)),
            signed_len: 0,
            covers_whole_file: false,
            range_problem: None,
        };
        let Some(sig) = resolve(document, value).ok().and_then(|o| o.as_dict().ok()) else {
            if matches!(resolve(document, value), Ok(Object::Null)) {
                continue;
            }
            let problem = damage.map_or_else(|| "không đọc được từ điển chữ ký (/V)".to_owned(), str::to_owned);
            field.range_problem = Some(problem);
            found.push(field);
            continue;
        };
        let get = |key: &[u8]| sig.get(key).ok().and_then(|o| resolve(document, o).ok());
        let text = |key: &[u8]| get(key).and_then(|o| o.as_str().ok()).map(decode_text);
        field.subfilter = get(b"SubFilter")
            .and_then(|o| o.as_name().ok())
            .map(|n| String::from_utf8_lossy(n).into_owned())
            .unwrap_or_default();
        field.claimed_time = text(b"M");
        field.name = text(b"Name");
        field.reason = text(b"Reason");
        field.location = text(b"Location");
        let contents = get(b"Contents").and_then(|o| o.as_str().ok());
        field.contents = contents.map(<[u8]>::to_vec).unwrap_or_default();
        let mut malformed = false;
        match get(b"ByteRange").and_then(|o| o.as_array().ok()) {
            Some(items) => {
                for item in items.iter().take(64) {
                    match resolve(document, item).ok().and_then(|o| o.as_i64().ok()).and_then(|n| u64::try_from(n).ok())
                    {
                        Some(n) => field.byte_range.push(n),
                        None => malformed = true,
                    }
                }
                malformed |= items.len() > 64;
            }
            None => malformed = true,
        }
        field.signed_len =
            field.byte_range.chunks_exact(2).map(|pair| pair[0].saturating_add(pair[1])).max().unwrap_or(0);
        let verdict = if malformed {
            Err("/ByteRange không hợp lệ (thiếu hoặc có giá trị không phải số nguyên không âm)".to_owned())
        } else if contents.is_none() {
            Err("chữ ký không có chuỗi /Contents".to_owned())
        } else {
            judge_range(pdf, &field.byte_range, &field.contents)
        };
        match (verdict, damage) {
            (Ok(_), Some(damage)) => field.range_problem = Some(damage.to_owned()),
            (Ok(whole), None) => field.covers_whole_file = whole,
            (Err(problem), _) => field.range_problem = Some(problem),
        }
        found.push(field);
    }
    found.sort_by_key(|field| field.signed_len);
    Ok(found)
}

/// Is the byte range sound? `Ok(true)` when it also reaches the end of the file.
fn judge_range(pdf: &[u8], range: &[u64], contents: &[u8]) -> std::result::Result<bool, String> {
    let &[start, first_len, second, second_len] = range else {
        return Err(format!("/ByteRange phải có đúng 4 số (có {})", range.len()));
    };
    if start != 0 {
        return Err("phạm vi ký không bắt đầu từ đầu tệp".into());
    }
    if second < first_len {
        return Err("hai đoạn của phạm vi ký chồng lên nhau".into());
    }
    let Some(end) = second.checked_add(second_len) else {
        return Err("/ByteRange không hợp lệ (số quá lớn)".into());
    };
    let length = pdf.len() as u64;
    if end > length {
        return Err(format!("tệp bị cắt cụt: phạm vi ký tới byte {end} nhưng tệp chỉ dài {length} byte"));
    }
    let (gap_start, gap_end, end) = (first_len as usize, second as usize, end as usize);
    let gap = &pdf[gap_start..gap_end];
    let skips_only_contents = gap.len() >= 2
        && gap.first() == Some(&b'<')
        && gap.last() == Some(&b'>')
        && gap[1..gap.len() - 1].iter().all(u8::is_ascii_hexdigit)
        && (gap.len() - 2) / 2 == contents.len()
        && gap[1..gap.len() - 1].chunks(2).zip(contents).all(|(pair, byte)| hex_pair(pair) == Some(*byte))
        && {
            let before = &pdf[..gap_start];
            let trimmed = before.len() - before.iter().rev().take_while(|b| b.is_ascii_whitespace()).count();
            before[..trimmed].ends_with(b"/Contents")
        };
    if !skips_only_contents {
        return Err("phạm vi ký bỏ qua cả những byte ngoài chuỗi /Contents của chữ ký".into());
    }
    let signed = &pdf[..end];
    let trimmed = signed.len() - signed.iter().rev().take_while(|b| b.is_ascii_whitespace()).count();
    if !signed[..trimmed].ends_with(b"%%EOF") {
        return Err("phạm vi ký không kết thúc ở cuối một phiên bản của tệp (%%EOF)".into());
    }
    Ok(end == pdf.len())
}

fn hex_pair(pair: &[u8]) -> Option<u8> {
    let digit = |c: u8| (c as char).to_digit(16);
    match pair {
        [high, low] => Some((digit(*high)? * 16 + digit(*low)?) as u8),
        [high] => Some((digit(*high)? * 16) as u8),
        _ => None,
    }
}

/// The slices of `pdf` the byte range covers (none if the range is malformed or out of the file).
pub fn signed_parts<'a>(pdf: &'a [u8], field: &SignatureField) -> Vec<&'a [u8]> {
    let range = &field.byte_range;
    if range.is_empty() || !range.len().is_multiple_of(2) {
        return Vec::new();
    }
    let mut parts = Vec::with_capacity(range.len() / 2);
    for pair in range.chunks_exact(2) {
        let (Ok(start), Ok(len)) = (usize::try_from(pair[0]), usize::try_from(pair[1])) else {
            return Vec::new();
        };
        match start.checked_add(len).and_then(|end| pdf.get(start..end)) {
            Some(part) => parts.push(part),
            None => return Vec::new(),
        }
    }
    parts
}

// ------------------------------------------------------------------------------------- changes

/// What later incremental updates changed, compared with the revision a signature covers.
///
/// Not reported (allowed silently): `/DSS` (validation data), the document `/Info`, XMP
/// `/Metadata`, catalog `/Extensions` and `/Version`, `/AcroForm /DR`, new cross-reference and
/// object streams, objects rewritten with the same content.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Change {
    /// A new signature field (with its widgets), signed or empty, or an empty one signed.
    SignatureAdded {
        /// Its fully qualified name.
        field: String,
    },
    /// A non-signature field's value or appearance changed.
    FormFilled {
        /// Its fully qualified name.
        field: String,
    },
    /// An annotation other than a form field's widget was added.
    AnnotationAdded {
        /// Its page, from 0.
        page: usize,
        /// Its `/Subtype`, e.g. `FreeText`.
        subtype: String,
    },
    /// An existing annotation other than a form field's widget changed.
    AnnotationChanged {
        /// Its page, from 0.
        page: usize,
        /// Its `/Subtype`.
        subtype: String,
    },
    /// What a page shows changed: its `/Contents`, `/Resources` (or an XObject or font they use),
    /// its boxes or `/Rotate`.
    PageContentChanged {
        /// The page, from 0.
        page: usize,
    },
    /// Pages were added, removed or reordered.
    PagesChanged,
    /// Anything else, described in Vietnamese.
    Other(String),
}

impl Change {
    /// Whether a signature stays acceptable after this change (Adobe's default without DocMDP):
    /// new signatures, form filling and annotations are; changes to what pages show are not.
    pub fn allowed(&self) -> bool {
        matches!(
            self,
            Change::SignatureAdded { .. }
                | Change::FormFilled { .. }
                | Change::AnnotationAdded { .. }
                | Change::AnnotationChanged { .. }
        )
    }

    /// The change in Vietnamese, for the clerk.
    pub fn describe(&self) -> String {
        match self {
            Change::SignatureAdded { field } => format!("thêm chữ ký {field}"),
            Change::FormFilled { field } => format!("điền biểu mẫu (trường {field})"),
            Change::AnnotationAdded { page, subtype } => format!("thêm chú thích ({subtype}) ở trang {}", page + 1),
            Change::AnnotationChanged { page, subtype } => format!("sửa chú thích ({subtype}) ở trang {}", page + 1),
            Change::PageContentChanged { page } => format!("thay đổi nội dung trang {}", page + 1),
            Change::PagesChanged => "thêm, bớt hoặc sắp xếp lại các trang".into(),
            Change::Other(what) => what.clone(),
        }
    }
}

/// Compare the document as of `signed_len` (the prefix `&pdf[..signed_len]`, parsed on its own)
/// with the whole file; an empty list when nothing was appended or nothing that matters changed.
///
/// Fails when either cannot be parsed safely (the caller reports it: what cannot be compared
/// cannot be trusted).
pub fn changes_since(pdf: &[u8], signed_len: u64) -> Result<Vec<Change>> {
    let signed_len = usize::try_from(signed_len)
        .ok()
        .filter(|&n| n <= pdf.len())
        .ok_or_else(|| PdfError::Malformed("phạm vi ký vượt quá cuối tệp".into()))?;
    if signed_len == pdf.len() {
        return Ok(Vec::new());
    }
    let old = load(&pdf[..signed_len])?;
    let new = load(pdf)?;
    guarded(|| Diff::new(&old, &new).run())
}

/// The key of an annotation on its page: its object, or its place when written inline.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum AnnotKey {
    Id(ObjectId),
    Direct(usize),
}

/// A page's annotations, each resolved to its dictionary.
fn annotations<'d>(document: &'d Document, page: &'d Dictionary) -> Vec<(AnnotKey, &'d Dictionary)> {
    let Some(items) = page.get(b"Annots").ok().and_then(|o| resolve(document, o).ok()).and_then(|o| o.as_array().ok())
    else {
        return Vec::new();
    };
    let mut seen = HashSet::new();
    items
        .iter()
        .enumerate()
        .filter_map(|(index, item)| {
            let key = match item {
                Object::Reference(id) => AnnotKey::Id(*id),
                _ => AnnotKey::Direct(index),
            };
            let dict = resolve(document, item).ok()?.as_dict().ok()?;
            seen.insert(key).then_some((key, dict))
        })
        .collect()
}

fn subtype(dict: &Dictionary) -> String {
    dict.get(b"Subtype").and_then(Object::as_name).map(|n| String::from_utf8_lossy(n).into_owned()).unwrap_or_default()
}

/// Keys of a field that filling it in (or signing it) changes.
const FILLED_KEYS: [&[u8]; 3] = [b"V", b"AP", b"AS"];
/// Keys never compared: links back up a tree (the trees are compared on their own).
const LINKS: [&[u8]; 2] = [b"Parent", b"P"];
/// Catalog entries a later revision may change without it being reported.
const FREE_CATALOG_KEYS: [&[u8]; 6] = [b"AcroForm", b"DSS", b"Metadata", b"Extensions", b"Version", b"Pages"];

/// The structural comparison of two revisions.
struct Diff<'d> {
    old: &'d Document,
    new: &'d Document,
    /// Pairs of objects known to be equal.
    equal: HashSet<(ObjectId, ObjectId)>,
    budget: usize,
    changes: Vec<Change>,
}

impl<'d> Diff<'d> {
    fn new(old: &'d Document, new: &'d Document) -> Diff<'d> {
        Diff { old, new, equal: HashSet::new(), budget: COMPARE_BUDGET, changes: Vec::new() }
    }

    fn report(&mut self, change: Change) {
        if !self.changes.contains(&change) {
            self.changes.push(change);
        }
    }

    fn run(mut self) -> Result<Vec<Change>> {
        let (old, new) = (self.old, self.new);
        let old_tree = FieldTree::read(old)?;
        let new_tree = FieldTree::read(new)?;
        self.catalog()?;
        self.fields(&old_tree, &new_tree)?;
        self.pages(&old_tree, &new_tree)?;
        Ok(self.changes)
    }

    fn catalog(&mut self) -> Result<()> {
        let (Some(old), Some(new)) = (catalog(self.old), catalog(self.new)) else {
            return Err(PdfError::Malformed("không đọc được danh mục tài liệu (/Root)".into()));
        };
        for key in changed_keys(self, old, new, &FREE_CATALOG_KEYS)? {
            self.report(Change::Other(format!("thay đổi mục /{key} của danh mục tài liệu")));
        }
        let form = |document: &'d Document, catalog: &'d Dictionary| {
            catalog.get(b"AcroForm").ok().and_then(|o| resolve(document, o).ok()).and_then(|o| o.as_dict().ok())
        };
        let empty = Dictionary::new();
        let old_form = form(self.old, old).unwrap_or(&empty);
        let new_form = form(self.new, new).unwrap_or(&empty);
        for key in changed_keys(self, old_form, new_form, &[b"Fields", b"SigFlags", b"DR"])? {
            self.report(Change::Other(format!("thay đổi mục /{key} của biểu mẫu (/AcroForm)")));
        }
        Ok(())
    }

    fn fields(&mut self, old_tree: &FieldTree<'d>, new_tree: &FieldTree<'d>) -> Result<()> {
        let old_by_name: HashMap<&str, &FieldNode<'d>> =
            old_tree.nodes.iter().rev().map(|node| (node.name.as_str(), node)).collect();
        let mut names = HashSet::new();
        for node in &new_tree.nodes {
            if !names.insert(node.name.as_str()) {
                continue;
            }
            let is_sig = node.kind.as_deref() == Some(b"Sig");
            let Some(before) = old_by_name.get(node.name.as_str()) else {
                self.report(if is_sig {
                    Change::SignatureAdded { field: node.name.clone() }
                } else {
                    Change::Other(format!("thêm trường biểu mẫu {}", node.name))
                });
                continue;
            };
            let mut skip: Vec<&[u8]> = vec![b"Kids", b"T"];
            skip.extend(FILLED_KEYS);
            if !changed_keys(self, before.dict, node.dict, &skip)?.is_empty()
                || before.kind != node.kind
                || before.widgets.len() > node.widgets.len()
            {
                self.report(Change::Other(format!("thay đổi thuộc tính trường {}", node.name)));
                continue;
            }
            let value_same = match (before.value, node.value) {
                (None, None) => true,
                (Some(a), Some(b)) => self.same_top(a, b)?,
                _ => false,
            };
            let looks_same = self.same_keys(before.dict, node.dict, &FILLED_KEYS[1..])?;
            if is_sig {
                let was_signed = before.value.is_some_and(|v| !matches!(resolve(self.old, v), Ok(Object::Null)));
                if !value_same && !was_signed {
                    self.report(Change::SignatureAdded { field: node.name.clone() });
                } else if !value_same {
                    self.report(Change::Other(format!("thay đổi chữ ký {}", node.name)));
                } else if !looks_same {
                    self.report(Change::Other(format!("thay đổi hình hiển thị của chữ ký {}", node.name)));
                }
            } else if !value_same || !looks_same {
                self.report(Change::FormFilled { field: node.name.clone() });
            }
        }
        let new_names: HashSet<&str> = new_tree.nodes.iter().map(|node| node.name.as_str()).collect();
        for node in &old_tree.nodes {
            if !new_names.contains(node.name.as_str()) {
                self.report(Change::Other(format!("xoá trường biểu mẫu {}", node.name)));
            }
        }
        Ok(())
    }

    fn pages(&mut self, old_tree: &FieldTree<'d>, new_tree: &FieldTree<'d>) -> Result<()> {
        let (old, new) = (self.old, self.new);
        let old_pages: Vec<ObjectId> = old.page_iter().take(1_000_000).collect();
        let new_pages: Vec<ObjectId> = new.page_iter().take(1_000_000).collect();
        let old_by_name: HashMap<&str, &FieldNode<'d>> =
            old_tree.nodes.iter().rev().map(|node| (node.name.as_str(), node)).collect();
        if old_pages != new_pages {
            self.report(Change::PagesChanged);
        }
        for (index, (old_id, new_id)) in old_pages.iter().zip(&new_pages).enumerate() {
            let (Ok(old_page), Ok(new_page)) = (old.get_dictionary(*old_id), new.get_dictionary(*new_id)) else {
                self.report(Change::PageContentChanged { page: index });
                continue;
            };
            if !self.same_page(old_page, new_page)? {
                self.report(Change::PageContentChanged { page: index });
            }
            let before: HashMap<AnnotKey, &Dictionary> = annotations(old, old_page).into_iter().collect();
            let after = annotations(new, new_page);
            let after_keys: HashSet<AnnotKey> = after.iter().map(|(key, _)| *key).collect();
            for (key, dict) in after {
                let field = match key {
                    AnnotKey::Id(id) => new_tree.widget_of.get(&id).and_then(|i| new_tree.nodes.get(*i)),
                    AnnotKey::Direct(_) => None,
                };
                match (before.get(&key), field) {
                    // A widget of a field: the field's comparison says what it is, unless it
                    // was added to a field that was there before.
                    (None, Some(field)) => {
                        if old_by_name.contains_key(field.name.as_str()) {
                            self.report(Change::Other(format!("thêm ô hiển thị cho trường {}", field.name)));
                        }
                    }
                    (None, None) => self.report(Change::AnnotationAdded { page: index, subtype: subtype(dict) }),
                    (Some(previous), Some(field)) => {
                        let mut skip: Vec<&[u8]> = FILLED_KEYS.to_vec();
                        skip.extend([&b"Kids"[..], b"T", b"FT", b"Ff", b"DA", b"DV"]);
                        if !changed_keys(self, previous, dict, &skip)?.is_empty() {
                            self.report(Change::Other(format!("thay đổi ô hiển thị của trường {}", field.name)));
                        } else if !self.same_keys(previous, dict, &FILLED_KEYS[1..])? {
                            // What the widget shows: filling in a form field, or signing an
                            // empty signature field; never redrawing a signature.
                            let before = old_by_name.get(field.name.as_str());
                            let newly_signed = before.is_none_or(|node| {
                                node.value.is_none_or(|v| matches!(resolve(old, v), Ok(Object::Null)))
                            });
                            if field.kind.as_deref() != Some(b"Sig") {
                                self.report(Change::FormFilled { field: field.name.clone() });
                            } else if !newly_signed {
                                self.report(Change::Other(format!("thay đổi hình hiển thị của chữ ký {}", field.name)));
                            }
                        }
                    }
                    (Some(previous), None) => {
                        if !self.same_keys_all(previous, dict)? {
                            self.report(Change::AnnotationChanged { page: index, subtype: subtype(dict) });
                        }
                    }
                }
            }
            for (key, dict) in &before {
                if !after_keys.contains(key) {
                    self.report(Change::Other(format!("xoá chú thích ({}) ở trang {}", subtype(dict), index + 1)));
                }
            }
        }
        Ok(())
    }

    /// Whether what a page shows is the same: every entry but `/Annots` and `/Parent`, the
    /// inheritable ones resolved up the page tree.
    fn same_page(&mut self, old_page: &'d Dictionary, new_page: &'d Dictionary) -> Result<bool> {
        let inheritable: [&[u8]; 4] = [b"Resources", b"MediaBox", b"CropBox", b"Rotate"];
        let mut keys: Vec<&[u8]> = inheritable.to_vec();
        for (key, _) in old_page.iter().chain(new_page.iter()) {
            if !keys.contains(&key.as_slice()) && key.as_slice() != b"Annots" && key.as_slice() != b"Parent" {
                keys.push(key.as_slice());
            }
        }
        for key in keys {
            let (a, b) = if inheritable.contains(&key) {
                (inherited(self.old, old_page, key)?, inherited(self.new, new_page, key)?)
            } else {
                (old_page.get(key).ok(), new_page.get(key).ok())
            };
            let same = match (a, b) {
                (None, None) => true,
                (Some(a), Some(b)) => self.same_top(a, b)?,
                _ => false,
            };
            if !same {
                return Ok(false);
            }
        }
        // The content streams themselves (a `/Contents` array may be rewritten in place).
        let a = original_contents(self.old, old_page).unwrap_or_default();
        let b = original_contents(self.new, new_page).unwrap_or_default();
        self.same_top(&Object::Array(a), &Object::Array(b))
    }

    /// Whether the entries `keys` are the same in both.
    fn same_keys(&mut self, a: &Dictionary, b: &Dictionary, keys: &[&[u8]]) -> Result<bool> {
        for key in keys {
            let same = match (a.get(key).ok(), b.get(key).ok()) {
                (None, None) => true,
                (Some(x), Some(y)) => self.same_top(x, y)?,
                _ => false,
            };
            if !same {
                return Ok(false);
            }
        }
        Ok(true)
    }

    fn same_keys_all(&mut self, a: &Dictionary, b: &Dictionary) -> Result<bool> {
        Ok(changed_keys(self, a, b, &[])?.is_empty())
    }

    /// Structural equality, references followed (each pair of objects once per comparison; a
    /// pair met again while being compared is taken as equal: any difference shows elsewhere in
    /// the walk). Iterative, so a long chain of references costs time, not stack; pairs found
    /// equal are remembered for later comparisons only when the whole comparison is.
    fn same_top<'x>(&mut self, a: &'x Object, b: &'x Object) -> Result<bool>
    where
        'd: 'x,
    {
        let (old, new) = (self.old, self.new);
        let mut pending: HashSet<(ObjectId, ObjectId)> = HashSet::new();
        let mut work: Vec<(&'x Object, &'x Object)> = vec![(a, b)];
        while let Some((a, b)) = work.pop() {
            self.budget = self
                .budget
                .checked_sub(1)
                .ok_or_else(|| PdfError::Malformed("tài liệu quá phức tạp để so sánh các phiên bản".into()))?;
            let same = match (a, b) {
                (Object::Reference(x), Object::Reference(y)) => {
                    if self.equal.contains(&(*x, *y)) || !pending.insert((*x, *y)) {
                        continue;
                    }
                    match (old.get_object(*x), new.get_object(*y)) {
                        (Ok(a), Ok(b)) => {
                            work.push((a, b));
                            true
                        }
                        (Ok(Object::Null) | Err(_), Ok(Object::Null) | Err(_)) => true,
                        _ => false,
                    }
                }
                (Object::Reference(x), other) => match old.get_object(*x) {
                    Ok(a) => {
                        work.push((a, other));
                        true
                    }
                    Err(_) => matches!(other, Object::Null),
                },
                (other, Object::Reference(y)) => match new.get_object(*y) {
                    Ok(b) => {
                        work.push((other, b));
                        true
                    }
                    Err(_) => matches!(other, Object::Null),
                },
                (Object::Dictionary(x), Object::Dictionary(y)) => push_entries(x, y, &[], &mut work),
                (Object::Stream(x), Object::Stream(y)) => {
                    x.content == y.content && push_entries(&x.dict, &y.dict, &[b"Length"], &mut work)
                }
                (Object::Array(x), Object::Array(y)) => {
                    work.extend(x.iter().zip(y));
                    x.len() == y.len()
                }
                (Object::String(x, _), Object::String(y, _)) => x == y,
                (Object::Integer(x), Object::Real(y)) | (Object::Real(y), Object::Integer(x)) => {
                    *x as f64 == f64::from(*y)
                }
                (x, y) => x == y,
            };
            if !same {
                return Ok(false);
            }
        }
        self.equal.extend(pending);
        Ok(true)
    }
}

/// Queue the pairs of values of two dictionaries for comparison; `false` when their keys differ.
/// `skip` and links back up a tree are left out.
fn push_entries<'x>(
    a: &'x Dictionary,
    b: &'x Dictionary,
    skip: &[&[u8]],
    work: &mut Vec<(&'x Object, &'x Object)>,
) -> bool {
    let compared = |key: &[u8], value: &Object| {
        !(skip.contains(&key) || LINKS.contains(&key) && matches!(value, Object::Reference(_)))
    };
    let count = |dict: &Dictionary| dict.iter().filter(|(key, value)| compared(key, value)).count();
    if count(a) != count(b) {
        return false;
    }
    for (key, value) in a.iter() {
        if !compared(key, value) {
            continue;
        }
        match b.get(key) {
            Ok(other) => work.push((value, other)),
            Err(_) => return false,
        }
    }
    true
}

/// The keys whose values differ between `a` and `b` (absent on one side counts), `skip` aside.
fn changed_keys(diff: &mut Diff<'_>, a: &Dictionary, b: &Dictionary, skip: &[&[u8]]) -> Result<Vec<String>> {
    let mut changed = Vec::new();
    let mut keys: Vec<&[u8]> = Vec::new();
    for (key, _) in a.iter().chain(b.iter()) {
        if !skip.contains(&key.as_slice()) && !LINKS.contains(&key.as_slice()) && !keys.contains(&key.as_slice()) {
            keys.push(key.as_slice());
        }
    }
    for key in keys {
        let same = match (a.get(key).ok(), b.get(key).ok()) {
            (None, None) => true,
            (Some(x), Some(y)) => diff.same_top(x, y)?,
            _ => false,
        };
        if !same {
            changed.push(String::from_utf8_lossy(key).into_owned());
        }
    }
    Ok(changed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_strings_round_trip() {
        for text in ["Sig1", "Nguyễn Văn A", "Hà Nội (UBND)"] {
            let Object::String(bytes, _) = text_string(text) else { panic!("a string") };
            assert_eq!(decode_text(&bytes), text);
        }
        assert_eq!(decode_text(b"\x80 \xa0"), "• €");
    }

    #[test]
    fn ranges_are_judged() {
        let pdf = b"%PDF-1.4\n<< /Contents <0A0B> >>\n%%EOF\n";
        let gap = pdf.windows(6).position(|w| w == b"<0A0B>").unwrap_or(0) as u64;
        let len = pdf.len() as u64;
        assert_eq!(judge_range(pdf, &[0, gap, gap + 6, len - gap - 6], &[10, 11]), Ok(true));
        assert!(judge_range(pdf, &[0, gap, gap + 6, len - gap - 9], &[10, 11]).is_err(), "not to %%EOF");
        assert!(judge_range(pdf, &[0, gap - 1, gap + 6, len - gap - 6], &[10, 11]).is_err(), "skips a space");
        assert!(judge_range(pdf, &[0, gap, gap + 6, len], &[10, 11]).unwrap_err().contains("cắt cụt"));
        assert!(judge_range(pdf, &[0, gap + 6, gap, 3], &[10, 11]).is_err(), "overlap");
        assert!(judge_range(pdf, &[0, gap, gap + 6, len - gap - 6], &[10, 12]).is_err(), "other contents");
    }
}
