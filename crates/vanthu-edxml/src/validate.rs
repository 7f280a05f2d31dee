//! Validation of packages and status packets: the first problem found, named in Vietnamese.
//!
//! The writer refuses to write what does not validate and the parser validates what it read,
//! so both sides of the wire hold the same rules: required fields, lengths counted in characters
//! (not bytes), the syntax of organisation codes, unique recipients, a manifest that matches the
//! attachments one-to-one, the business rules of replacements and rejections, and a signature
//! that is one well-formed element (it is written verbatim, so it must not smuggle markup).

use std::collections::HashSet;

use quick_xml::events::Event;

use crate::error::EdxmlError;
use crate::model::{
    AttachmentMeta, BusinessDocType, MessageHeader, Organization, Package, Reference, ResponseFor, StaffInfo, Status,
    StatusCode,
};

/// The limit on Subject and Content, in characters.
pub const MAX_SUBJECT_CHARS: usize = 500;
/// The limit on every other free-text field, in characters.
pub const MAX_TEXT_CHARS: usize = 2_000;
/// The limit on a DocumentId, in characters.
pub const MAX_DOCUMENT_ID_CHARS: usize = 100;
/// The limit on an OrganId, in characters.
pub const MAX_ORGAN_ID_CHARS: usize = 35;
/// The limit on codes, content ids, content types and other short values, in characters.
pub const MAX_SHORT_CHARS: usize = 255;
/// The limit on the raw signature, in bytes.
pub const MAX_SIGNATURE_BYTES: usize = 1 << 20;

type Result<T = ()> = std::result::Result<T, EdxmlError>;

impl Package {
    /// Checks the package; returns the first problem found.
    pub fn validate(&self) -> Result {
        header(&self.header)?;
        for (i, trace) in self.traces.iter().enumerate() {
            organ_id(&format!("Mã cơ quan của vết chuyển thứ {} (TraceHeader/OrganId)", i + 1), &trace.organ_id)?;
        }
        business(self)?;
        if let Some(signature) = &self.signature {
            check_signature(signature)?;
        }
        attachments(&self.manifest, &self.attachments)
    }
}

impl Status {
    /// Checks the status packet; returns the first problem found.
    pub fn validate(&self) -> Result {
        response_for("Văn bản được phản hồi (ResponseFor)", &self.response_for)?;
        if self.response_for.document_id.is_none() && self.response_for.code.is_none() {
            return Err(EdxmlError::invalid(
                "Văn bản được phản hồi (ResponseFor)",
                "phải có mã văn bản (DocumentId) hoặc số, ký hiệu (Code)",
            ));
        }
        organization("cơ quan gửi trạng thái", "From", &self.from)?;
        if self.code == StatusCode::Rejected && blank(self.description.as_deref()) {
            return Err(EdxmlError::invalid(
                "Mô tả (Description)",
                "bắt buộc khi từ chối tiếp nhận (mã trạng thái 02): phải nêu lý do",
            ));
        }
        opt_text("Mô tả (Description)", self.description.as_deref(), MAX_TEXT_CHARS)?;
        staff(&self.staff)
    }
}

fn header(h: &MessageHeader) -> Result {
    organization("cơ quan gửi", "From", &h.from)?;
    recipients(&h.to)?;
    document_id("Mã văn bản (DocumentId)", &h.document_id)?;
    if blank(h.code.number.as_deref()) && blank(h.code.notation.as_deref()) {
        return Err(EdxmlError::invalid(
            "Số, ký hiệu văn bản (Code)",
            "bị thiếu: cần số (CodeNumber) hoặc ký hiệu (CodeNotation)",
        ));
    }
    opt_text("Số văn bản (Code/CodeNumber)", h.code.number.as_deref(), MAX_SHORT_CHARS)?;
    opt_text("Ký hiệu văn bản (Code/CodeNotation)", h.code.notation.as_deref(), MAX_SHORT_CHARS)?;
    opt_text("Nơi ban hành (PromulgationInfo/Place)", h.promulgation.place.as_deref(), MAX_TEXT_CHARS)?;
    required_text("Trích yếu (Subject)", &h.subject, MAX_SUBJECT_CHARS)?;
    opt_text("Nội dung (Content)", h.content.as_deref(), MAX_SUBJECT_CHARS)?;
    if let Some(t) = &h.document_type {
        opt_text("Tên loại văn bản (DocumentType/TypeName)", t.name.as_deref(), MAX_TEXT_CHARS)?;
    }
    if let Some(s) = &h.signer {
        opt_text("Thẩm quyền ký (SignerInfo/Competence)", s.competence.as_deref(), MAX_TEXT_CHARS)?;
        opt_text("Chức vụ người ký (SignerInfo/Position)", s.position.as_deref(), MAX_TEXT_CHARS)?;
        opt_text("Họ tên người ký (SignerInfo/FullName)", s.full_name.as_deref(), MAX_TEXT_CHARS)?;
    }
    let o = &h.other;
    opt_text("Phạm vi ban hành (OtherInfo/SphereOfPromulgation)", o.sphere_of_promulgation.as_deref(), MAX_TEXT_CHARS)?;
    opt_text("Ký hiệu người đánh máy (OtherInfo/TyperNotation)", o.typer_notation.as_deref(), MAX_SHORT_CHARS)?;
    for a in &o.appendixes {
        required_text("Phụ lục (OtherInfo/Appendixes/Appendix)", a, MAX_TEXT_CHARS)?;
    }
    for r in &h.response_for {
        response_for("Văn bản được phúc đáp (ResponseFor)", r)?;
    }
    for p in &h.to_places {
        required_text("Nơi nhận (ToPlaces/Place)", p, MAX_TEXT_CHARS)?;
    }
    Ok(())
}

fn recipients(to: &[Organization]) -> Result {
    if to.is_empty() {
        return Err(EdxmlError::invalid("Cơ quan nhận (To)", "bị thiếu: cần ít nhất một cơ quan nhận"));
    }
    let mut seen = HashSet::new();
    for recipient in to {
        organization("cơ quan nhận", "To", recipient)?;
        if !seen.insert(recipient.organ_id.as_str()) {
            return Err(EdxmlError::invalid(
                "Mã định danh cơ quan nhận (To/OrganId)",
                format!("{} bị lặp lại: mỗi cơ quan nhận chỉ được nêu một lần", recipient.organ_id),
            ));
        }
    }
    Ok(())
}

/// `role` is the Vietnamese role ("cơ quan gửi"), `wire` the element (`From`, `To`).
fn organization(role: &str, wire: &str, o: &Organization) -> Result {
    organ_id(&format!("Mã định danh {role} ({wire}/OrganId)"), &o.organ_id)?;
    required_text(&format!("Tên {role} ({wire}/OrganName)"), &o.organ_name, MAX_TEXT_CHARS)?;
    let optional = [
        ("Cơ quan chủ quản", "OrganizationInCharge", &o.organization_in_charge),
        ("Địa chỉ", "OrganAdd", &o.address),
        ("Thư điện tử", "Email", &o.email),
        ("Điện thoại", "Telephone", &o.telephone),
        ("Fax", "Fax", &o.fax),
        ("Trang thông tin", "Website", &o.website),
    ];
    for (label, element, value) in optional {
        opt_text(&format!("{label} {role} ({wire}/{element})"), value.as_deref(), MAX_TEXT_CHARS)?;
    }
    Ok(())
}

fn response_for(field: &str, r: &ResponseFor) -> Result {
    if let Some(id) = &r.organ_id {
        organ_id(&format!("Mã cơ quan của {field}"), id)?;
    }
    opt_text(&format!("Số, ký hiệu của {field}"), r.code.as_deref(), MAX_SHORT_CHARS)?;
    match &r.document_id {
        Some(id) => document_id(&format!("Mã văn bản của {field}"), id),
        None => Ok(()),
    }
}

fn business(p: &Package) -> Result {
    let b = &p.business;
    document_id("Mã văn bản nghiệp vụ (Bussiness/DocumentId)", &b.document_id)?;
    if b.document_id != p.header.document_id {
        return Err(EdxmlError::invalid(
            "Mã văn bản nghiệp vụ (Bussiness/DocumentId)",
            format!("là \"{}\", khác mã văn bản của tiêu đề (DocumentId) \"{}\"", b.document_id, p.header.document_id),
        ));
    }
    opt_text("Lý do nghiệp vụ (Bussiness/BussinessDocReason)", b.reason.as_deref(), MAX_TEXT_CHARS)?;
    staff(&b.staff)?;
    if b.doc_type == BusinessDocType::Replace && b.replacements.is_empty() {
        return Err(EdxmlError::invalid(
            "Thông tin văn bản bị thay thế (Bussiness/ReplacementInfoList)",
            "bắt buộc khi loại nghiệp vụ là thay thế (BussinessDocType = 3)",
        ));
    }
    for r in &b.replacements {
        document_id("Mã văn bản bị thay thế (ReplacementInfo/DocumentId)", &r.document_id)?;
        for id in &r.organ_ids {
            organ_id("Mã cơ quan nhận văn bản bị thay thế (ReplacementInfo/OrganIdList/OrganId)", id)?;
        }
    }
    Ok(())
}

fn staff(s: &StaffInfo) -> Result {
    let fields = [
        ("Đơn vị xử lý (StaffInfo/Department)", &s.department),
        ("Cán bộ xử lý (StaffInfo/Staff)", &s.staff),
        ("Thư điện tử cán bộ (StaffInfo/Email)", &s.email),
        ("Điện thoại cán bộ (StaffInfo/Mobile)", &s.mobile),
    ];
    for (field, value) in fields {
        opt_text(field, value.as_deref(), MAX_TEXT_CHARS)?;
    }
    Ok(())
}

fn attachments(manifest: &[Reference], attachments: &[AttachmentMeta]) -> Result {
    let listed = unique_ids(
        "Danh mục tệp đính kèm (edXMLManifest/Reference/ContentId)",
        manifest.iter().map(|r| r.content_id.as_str()),
    )?;
    let sent = unique_ids(
        "Tệp đính kèm (AttachmentEncoded/Attachment/ContentId)",
        attachments.iter().map(|a| a.content_id.as_str()),
    )?;
    for r in manifest {
        let field = format!("Tệp {} trong danh mục (edXMLManifest/Reference)", r.content_id);
        file_fields(&field, &r.content_type, &r.attachment_name, r.description.as_deref())?;
        if !sent.contains(r.content_id.as_str()) {
            return Err(EdxmlError::invalid(&field, "không có tệp đính kèm tương ứng trong AttachmentEncoded"));
        }
    }
    for a in attachments {
        let field = format!("Tệp đính kèm {} (AttachmentEncoded/Attachment)", a.content_id);
        file_fields(&field, &a.content_type, &a.attachment_name, a.description.as_deref())?;
        if !listed.contains(a.content_id.as_str()) {
            return Err(EdxmlError::invalid(&field, "không có trong danh mục tệp (edXMLManifest)"));
        }
    }
    Ok(())
}

fn unique_ids<'a>(field: &str, ids: impl Iterator<Item = &'a str>) -> Result<HashSet<&'a str>> {
    let mut seen = HashSet::new();
    for id in ids {
        required_text(field, id, MAX_SHORT_CHARS)?;
        if !seen.insert(id) {
            return Err(EdxmlError::invalid(field, format!("{id} bị lặp lại")));
        }
    }
    Ok(seen)
}

fn file_fields(field: &str, content_type: &str, name: &str, description: Option<&str>) -> Result {
    required_text(&format!("Kiểu nội dung của {field} (ContentType)"), content_type, MAX_SHORT_CHARS)?;
    required_text(&format!("Tên tệp của {field} (AttachmentName)"), name, MAX_SHORT_CHARS)?;
    opt_text(&format!("Mô tả của {field} (Description)"), description, MAX_TEXT_CHARS)
}

fn blank(value: Option<&str>) -> bool {
    value.is_none_or(|v| v.trim().is_empty())
}

fn required_text(field: &str, value: &str, max: usize) -> Result {
    if value.trim().is_empty() {
        return Err(EdxmlError::invalid(field, "bị thiếu hoặc để trống"));
    }
    max_chars(field, value, max)
}

fn opt_text(field: &str, value: Option<&str>, max: usize) -> Result {
    value.map_or(Ok(()), |v| max_chars(field, v, max))
}

fn max_chars(field: &str, value: &str, max: usize) -> Result {
    if let Some(c) = value.chars().find(|&c| !is_xml_char(c)) {
        return Err(EdxmlError::invalid(field, format!("chứa ký tự U+{:04X} không được phép trong XML", u32::from(c))));
    }
    let n = value.chars().count();
    if n > max {
        return Err(EdxmlError::invalid(field, format!("dài {n} ký tự, vượt quá {max}")));
    }
    Ok(())
}

/// XML 1.0 `Char`: no control characters but tab and line breaks, no U+FFFE/U+FFFF.
fn is_xml_char(c: char) -> bool {
    (c >= ' ' || matches!(c, '\t' | '\n' | '\r')) && !matches!(c, '\u{FFFE}' | '\u{FFFF}')
}

fn document_id(field: &str, value: &str) -> Result {
    required_text(field, value, MAX_DOCUMENT_ID_CHARS)
}

/// `[0-9A-Z.]`, 1 to 35 characters, non-empty dotted groups (e.g. `000.00.00.G22`).
pub fn is_valid_organ_id(value: &str) -> bool {
    (1..=MAX_ORGAN_ID_CHARS).contains(&value.len())
        && value
            .split('.')
            .all(|group| !group.is_empty() && group.bytes().all(|b| b.is_ascii_digit() || b.is_ascii_uppercase()))
}

fn organ_id(field: &str, value: &str) -> Result {
    if value.trim().is_empty() {
        return Err(EdxmlError::invalid(field, "bị thiếu hoặc để trống"));
    }
    if !is_valid_organ_id(value) {
        return Err(EdxmlError::invalid(
            field,
            format!(
                "\"{value}\" không đúng cú pháp: chỉ gồm chữ số, chữ in hoa không dấu và dấu chấm \
                 ngăn các nhóm (ví dụ 000.00.00.G22), tối đa {MAX_ORGAN_ID_CHARS} ký tự"
            ),
        ));
    }
    Ok(())
}

/// The signature is written verbatim: it must be one well-formed `Signature` element, no DTD.
fn check_signature(raw: &str) -> Result {
    const FIELD: &str = "Chữ ký số (Signature)";
    if raw.len() > MAX_SIGNATURE_BYTES {
        return Err(EdxmlError::invalid(FIELD, format!("dài {} byte, vượt quá {MAX_SIGNATURE_BYTES}", raw.len())));
    }
    let bad = |reason: String| EdxmlError::invalid(FIELD, reason);
    let mut reader = quick_xml::Reader::from_str(raw);
    let (mut depth, mut roots) = (0usize, 0usize);
    loop {
        let event = reader.read_event().map_err(|e| bad(format!("không phải XML hợp lệ: {e}")))?;
        let opens = matches!(event, Event::Start(_));
        match event {
            Event::Start(e) | Event::Empty(e) if depth == 0 => {
                roots += 1;
                if e.local_name().as_ref() != "Signature" || roots > 1 {
                    return Err(bad("phải là đúng một phần tử Signature".into()));
                }
                depth += usize::from(opens);
            }
            Event::Start(_) => depth += 1,
            Event::End(_) => depth = depth.saturating_sub(1),
            Event::Text(t) if depth == 0 && !t.trim().is_empty() => {
                return Err(bad("có văn bản nằm ngoài phần tử Signature".into()));
            }
            Event::DocType(_) | Event::Decl(_) | Event::PI(_) => {
                return Err(bad("không được chứa khai báo DOCTYPE, XML hay chỉ thị xử lý".into()));
            }
            Event::GeneralRef(r) if !r.is_char_ref() && crate::parse::predefined_entity(&r).is_none() => {
                return Err(bad(format!("dùng thực thể không xác định &{};", &*r)));
            }
            Event::Eof if depth == 0 && roots == 1 => return Ok(()),
            Event::Eof => return Err(bad("không trọn vẹn".into())),
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn organ_id_syntax() {
        for good in ["000.00.00.G22", "000.00.00.H41", "28.22.H17", "G22"] {
            assert!(is_valid_organ_id(good), "{good}");
        }
        for bad in ["", ".", "000..00", "000.00.00.h41", "28.22.H17.", "Đ.01", "000 00"] {
            assert!(!is_valid_organ_id(bad), "{bad}");
        }
    }

    #[test]
    fn limits_count_characters_not_bytes() {
        let vietnamese = "Ưu tiên xử lý hỏa tốc ".repeat(10);
        assert!(vietnamese.len() > 220);
        assert!(max_chars("F", &vietnamese, 220).is_ok());
        let err = max_chars("Trích yếu (Subject)", &"ễ".repeat(612), MAX_SUBJECT_CHARS);
        assert_eq!(err.map_err(|e| e.to_string()), Err("Trích yếu (Subject) dài 612 ký tự, vượt quá 500".to_owned()));
    }
}
