//! Packages and status packets: round trips, the national sample's structure, validation and
//! hostile input.

mod common;

use std::collections::BTreeSet;

use common::*;
use quick_xml::events::Event;
use time::macros::{date, datetime};
use vanthu_edxml::*;

fn parse(bytes: &[u8]) -> Result<(Package, Attachments), EdxmlError> {
    parse_package_bytes(bytes)
}

fn invalid_field(result: Result<impl std::fmt::Debug, EdxmlError>) -> (String, String) {
    match result {
        Err(e @ EdxmlError::Invalid { .. }) => {
            let message = e.to_string();
            let EdxmlError::Invalid { field, .. } = e else { unreachable!() };
            (field, message)
        }
        other => panic!("expected an Invalid error, got {other:?}"),
    }
}

fn replaced(xml: &[u8], from: &str, to: &str) -> Vec<u8> {
    let text = String::from_utf8(xml.to_vec()).expect("utf-8");
    assert!(text.contains(from), "{from} not in the document");
    text.replace(from, to).into_bytes()
}

// ---- Round trips -------------------------------------------------------------------------

#[test]
fn full_package_round_trips_with_its_attachments() {
    let xml = full_package_xml();
    let (package, attachments) = parse(&xml).expect("parsed");
    assert_eq!(package, full_package());
    assert_eq!(attachments, vec![("cid:1".to_owned(), pdf_bytes()), ("cid:2".to_owned(), binary_bytes())]);
}

#[test]
fn package_is_written_in_the_national_prefix_style() {
    let text = String::from_utf8(full_package_xml()).expect("utf-8");
    assert!(text.starts_with(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<edXML xmlns=\"http://www.mic.gov.vn/TBT/QCVN_102_2016\">"
    ));
    for needle in [
        "<edXML:edXMLEnvelope xmlns:edXML=\"http://www.mic.gov.vn/TBT/QCVN_102_2016\">",
        "<edXML:Bussiness>",
        "<edXML:BussinessDocType>3</edXML:BussinessDocType>",
        "<edXML:PromulgationDate>2026/11/18</edXML:PromulgationDate>",
        "<edXML:Timestamp>2026/11/18 14:05:09</edXML:Timestamp>",
        "<edXML:edXMLManifest version=\"1.0\">",
        "<AttachmentEncoded>",
        "<ContentId>cid:2</ContentId>",
        "<edXML:ContentTransferEncoded xmlns:edXML=\"http://www.mic.gov.vn/TBT/QCVN_102_2016\">",
        "&lt;khẩn&gt; &amp;",
        SIGNATURE,
    ] {
        assert!(text.contains(needle), "missing {needle}");
    }
}

#[test]
fn any_prefix_or_a_default_namespace_parses_the_same() {
    let xml = full_package_xml();
    let other_prefix = replaced(&replaced(&xml, "edXML:", "q:"), "xmlns:edXML=", "xmlns:q=");
    let default_ns =
        replaced(&replaced(&xml, "edXML:", ""), " xmlns:edXML=\"http://www.mic.gov.vn/TBT/QCVN_102_2016\"", "");
    for variant in [other_prefix, default_ns] {
        let (package, attachments) = parse(&variant).expect("parsed");
        assert_eq!(package, full_package());
        assert_eq!(attachments[1].1, binary_bytes());
    }
}

#[test]
fn unknown_elements_are_skipped() {
    let xml = replaced(
        &full_package_xml(),
        "<edXML:Subject>",
        "<edXML:FutureField><edXML:Nested>mới</edXML:Nested></edXML:FutureField><x:Ext xmlns:x=\"urn:x\"/><edXML:Subject>",
    );
    let xml = replaced(&xml, "<Attachment>", "<Attachment><Unknown>1</Unknown>");
    assert_eq!(parse(&xml).expect("parsed").0, full_package());
}

#[test]
fn every_status_code_round_trips() {
    for code in StatusCode::ALL {
        let status = status(code);
        let xml = write_status(&status).expect("written");
        assert_eq!(parse_status(&xml).expect("parsed"), status, "{}", code.code());
        let text = String::from_utf8(xml).expect("utf-8");
        assert!(text.contains(&format!("<edXML:StatusCode>{}</edXML:StatusCode>", code.code())));
        assert!(text.contains("<SOAP-ENV:Envelope xmlns:SOAP-ENV=\"http://schemas.xmlsoap.org/soap/envelope/\" xmlns:edXML=\"http://www.mic.gov.vn/TBT/QCVN_102_2016\">"));
        assert!(text.contains("<edXML:Email/>"), "absent text is an empty element");
    }
}

#[test]
fn a_bare_status_root_parses() {
    let xml = String::from_utf8(write_status(&status(StatusCode::Done)).expect("written")).expect("utf-8");
    let start = xml.find("<edXML:Status>").expect("status");
    let end = xml.find("</edXML:Status>").expect("end") + "</edXML:Status>".len();
    let bare = xml[start..end]
        .replace("<edXML:Status>", "<edXML:Status xmlns:edXML=\"http://www.mic.gov.vn/TBT/QCVN_102_2016\">");
    assert_eq!(parse_status(bare.as_bytes()).expect("parsed"), status(StatusCode::Done));
}

// ---- The national sample ----------------------------------------------------------------

fn element_paths(xml: &[u8]) -> BTreeSet<String> {
    let mut reader = quick_xml::Reader::from_reader(xml);
    let (mut stack, mut paths, mut buf) = (Vec::<String>::new(), BTreeSet::new(), Vec::new());
    loop {
        match reader.read_event_into(&mut buf).expect("well-formed") {
            Event::Start(e) => {
                stack.push(e.local_name().as_ref().to_owned());
                paths.insert(stack.join("/"));
            }
            Event::Empty(e) => {
                paths.insert(format!("{}/{}", stack.join("/"), e.local_name().as_ref()));
            }
            Event::End(_) => {
                stack.pop();
            }
            Event::Eof => return paths,
            _ => {}
        }
        buf.clear();
    }
}

#[test]
fn written_package_contains_every_path_of_the_national_sample() {
    let fixture = include_str!("fixtures/national-sample-paths.txt");
    let expected: Vec<&str> = fixture.lines().filter(|l| !l.is_empty() && !l.starts_with('#')).collect();
    assert_eq!(expected.len(), 90);
    let ours = element_paths(&full_package_xml());
    let missing: Vec<_> = expected.iter().filter(|p| !ours.contains(**p)).collect();
    assert!(missing.is_empty(), "missing paths: {missing:?}");
}

#[test]
fn hand_written_copy_of_the_sample_header_parses() {
    let (p, attachments) = parse(include_bytes!("fixtures/edoc_new-header.edxml")).expect("parsed");
    let h = &p.header;
    assert_eq!(h.from.organ_id, "000.00.00.G22");
    assert_eq!(h.from.organ_name, "Văn phòng Chính phủ");
    assert_eq!(h.to.len(), 1);
    assert_eq!(h.to[0].organ_id, "000.00.00.H41");
    assert_eq!(h.to[0].address, None, "an empty element is an absent value");
    assert_eq!(h.document_id, "000.00.00.G22,2015/09/30,7816/VPCP-TTĐT");
    assert_eq!(h.code.to_string(), "7816/VPCP-TTĐT");
    assert_eq!(h.promulgation.date, date!(2019 - 01 - 16));
    assert_eq!(h.promulgation.place.as_deref(), Some("Hà Nội"));
    assert_eq!(h.due_date, Some(date!(2018 - 09 - 28)));
    assert_eq!(h.content.as_deref(), Some("Đề nghị các cơ quan triển khai & báo cáo kết quả"));
    assert_eq!(h.signer.as_ref().and_then(|s| s.competence.as_deref()), Some("TL. BỘ TRƯỞNG"));
    assert_eq!(h.document_type.as_ref().map(|t| (t.kind, t.detail)), Some((1, 0)));
    assert_eq!(h.other.priority, Priority::Normal);
    assert_eq!(h.other.promulgation_amount, Some(2));
    assert_eq!(h.other.page_amount, Some(22));
    assert!(!h.other.direction);
    assert_eq!(h.steering_type, Some(1));
    assert_eq!(h.to_places, ["Như trên", "Lưu: VT"]);
    assert_eq!(
        p.traces,
        [TraceHeader { organ_id: "000.00.00.G22".into(), timestamp: datetime!(2018 - 09 - 28 00:00:00) }]
    );
    assert_eq!(p.business.document_id, h.document_id);
    assert_eq!(p.business.doc_type, BusinessDocType::New);
    assert_eq!(p.business.reason.as_deref(), Some("Văn bản điện tử mới"));
    assert!(!p.business.paper);
    assert_eq!(p.business.staff, StaffInfo::default());
    assert_eq!(p.signature, None);
    assert_eq!(p.manifest[0].content_id, "cid:209");
    assert_eq!(p.attachments[0].attachment_name, "7816-VPCP-TTĐT.pdf");
    // The base64 was split over lines.
    assert_eq!(attachments, [("cid:209".to_owned(), b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n".to_vec())]);
}

#[test]
fn document_id_follows_the_convention() {
    let code = Code { number: Some("7816".into()), notation: Some("VPCP-TTĐT".into()) };
    assert_eq!(document_id("000.00.00.G22", date!(2015 - 09 - 30), &code), "000.00.00.G22,2015/09/30,7816/VPCP-TTĐT");
}

// ---- Validation -------------------------------------------------------------------------

#[test]
fn subject_limit_counts_characters() {
    let mut package = full_package();
    package.header.subject = "ắ".repeat(501);
    let (field, message) = invalid_field(package.validate());
    assert_eq!(field, "Trích yếu (Subject)");
    assert_eq!(message, "Trích yếu (Subject) dài 501 ký tự, vượt quá 500");
    assert!(package_to_vec(&package, &[]).is_err(), "the writer refuses it");

    package.header.subject = "Đề ắ ".repeat(100);
    assert_eq!(package.header.subject.chars().count(), 500);
    assert!(package.header.subject.len() > 500);
    let (pdf, bin) = (pdf_bytes(), binary_bytes());
    let xml = package_to_vec(&package, &[("cid:1", &pdf), ("cid:2", &bin)]).expect("written");
    let parsed = parse(&xml).expect("parsed").0;
    assert_eq!(parsed.header.subject, package.header.subject.trim());
}

#[test]
fn a_repeated_recipient_is_refused() {
    let mut package = full_package();
    package.header.to[1].organ_id = package.header.to[0].organ_id.clone();
    let (field, message) = invalid_field(package.validate());
    assert_eq!(field, "Mã định danh cơ quan nhận (To/OrganId)");
    assert!(message.contains("000.00.00.H41 bị lặp lại"), "{message}");
}

#[test]
fn bad_organ_ids_are_refused() {
    for bad in ["000.00.00.g22", "000..00", ".H41", "H41.", "000.00.00.H41-X", &"1".repeat(36)] {
        let mut package = full_package();
        package.header.from.organ_id = bad.into();
        let (field, message) = invalid_field(package.validate());
        assert_eq!(field, "Mã định danh cơ quan gửi (From/OrganId)", "{bad}");
        assert!(message.contains("không đúng cú pháp"), "{message}");
    }
    for good in ["000.00.00.G22", "28.22.H17", "H41", &"1".repeat(35)] {
        assert!(vanthu_edxml::validate::is_valid_organ_id(good), "{good}");
    }
}

#[test]
fn a_missing_document_id_is_refused_when_writing_and_parsing() {
    let mut package = full_package();
    package.header.document_id.clear();
    let (field, _) = invalid_field(package.validate());
    assert_eq!(field, "Mã văn bản (DocumentId)");

    let xml = String::from_utf8(full_package_xml()).expect("utf-8");
    let start = xml.find("<edXML:DocumentId>").expect("id");
    let end = xml[start..].find('\n').expect("line end") + start;
    let without = format!("{}{}", &xml[..start], &xml[end..]);
    let (field, message) = invalid_field(parse(without.as_bytes()));
    assert_eq!(field, "Mã văn bản (DocumentId)");
    assert!(message.contains("bị thiếu"), "{message}");
}

#[test]
fn business_document_id_must_match_the_header() {
    let mut package = full_package();
    package.business.document_id = "28.22.H17,2026/11/18,999/UBND-VX".into();
    let (field, _) = invalid_field(package.validate());
    assert_eq!(field, "Mã văn bản nghiệp vụ (Bussiness/DocumentId)");
}

#[test]
fn replacement_without_replacement_info_is_refused() {
    let mut package = full_package();
    package.business.replacements.clear();
    let (field, message) = invalid_field(package.validate());
    assert!(field.contains("ReplacementInfoList"), "{field}");
    assert!(message.contains("BussinessDocType = 3"), "{message}");
}

#[test]
fn manifest_and_attachments_must_match_one_to_one() {
    let mut package = full_package();
    package.attachments.pop();
    let (field, message) = invalid_field(package.validate());
    assert_eq!(field, "Tệp cid:2 trong danh mục (edXMLManifest/Reference)");
    assert!(message.contains("không có tệp đính kèm"), "{message}");

    let mut package = full_package();
    package.manifest.pop();
    let (field, _) = invalid_field(package.validate());
    assert_eq!(field, "Tệp đính kèm cid:2 (AttachmentEncoded/Attachment)");

    let xml = replaced(&full_package_xml(), "<ContentId>cid:2</ContentId>", "<ContentId>cid:9</ContentId>");
    let (field, _) = invalid_field(parse(&xml));
    assert_eq!(field, "Tệp cid:2 trong danh mục (edXMLManifest/Reference)");
}

#[test]
fn package_to_vec_needs_every_attachments_bytes() {
    let (field, _) = invalid_field(package_to_vec(&full_package(), &[("cid:1", b"x")]));
    assert_eq!(field, "Tệp đính kèm cid:2 (AttachmentEncoded/Attachment)");
}

#[test]
fn a_signature_that_is_not_one_element_is_refused() {
    for bad in [
        "<Signature>",
        "<Signature/><Signature/>",
        "<Other/>",
        "<!DOCTYPE x><Signature/>",
        "<Signature>&xxe;</Signature>",
        "</edXML:edXMLHeader><Signature/>",
    ] {
        let mut package = full_package();
        package.signature = Some(bad.into());
        let (field, _) = invalid_field(package.validate());
        assert_eq!(field, "Chữ ký số (Signature)", "{bad}");
    }
}

#[test]
fn control_characters_are_refused() {
    let mut package = full_package();
    package.header.subject = "Trích yếu\u{1}".into();
    let (_, message) = invalid_field(package.validate());
    assert!(message.contains("U+0001"), "{message}");
}

#[test]
fn unknown_status_code_is_named() {
    let xml = replaced(
        &write_status(&status(StatusCode::Arrived)).expect("written"),
        "<edXML:StatusCode>01<",
        "<edXML:StatusCode>07<",
    );
    let (field, message) = invalid_field(parse_status(&xml));
    assert_eq!(field, "Mã trạng thái (StatusCode)");
    assert!(message.contains("\"07\""), "{message}");
}

#[test]
fn rejection_needs_a_reason() {
    let mut rejected = status(StatusCode::Rejected);
    rejected.description = None;
    let (field, message) = invalid_field(rejected.validate());
    assert_eq!(field, "Mô tả (Description)");
    assert!(message.contains("02"), "{message}");
    assert!(write_status(&rejected).is_err());

    let xml = replaced(
        &write_status(&status(StatusCode::Rejected)).expect("written"),
        "<edXML:Description>Trạng thái 02: đã cập nhật</edXML:Description>",
        "<edXML:Description/>",
    );
    let (field, _) = invalid_field(parse_status(&xml));
    assert_eq!(field, "Mô tả (Description)");
}

#[test]
fn dates_with_another_format_name_the_field() {
    let xml = replaced(&full_package_xml(), "<edXML:DueDate>2026/11/25<", "<edXML:DueDate>25-11-2026<");
    let (field, message) = invalid_field(parse(&xml));
    assert_eq!(field, "Hạn xử lý (DueDate)");
    assert!(message.contains("yyyy/MM/dd"), "{message}");
}

// ---- Hostile input ----------------------------------------------------------------------

fn assert_unsafe(result: Result<impl std::fmt::Debug, EdxmlError>) {
    assert!(matches!(result, Err(EdxmlError::Unsafe(_))), "{result:?}");
}

#[test]
fn billion_laughs_is_refused() {
    let mut doc = String::from("<?xml version=\"1.0\"?>\n<!DOCTYPE edXML [\n <!ENTITY lol \"lol\">\n");
    for i in 1..10 {
        let prev = if i == 1 { "lol".to_owned() } else { format!("lol{}", i - 1) };
        doc += &format!(" <!ENTITY lol{i} \"{}\">\n", format!("&{prev};").repeat(10));
    }
    doc += "]>\n<edXML xmlns=\"http://www.mic.gov.vn/TBT/QCVN_102_2016\">&lol9;</edXML>";
    let Err(EdxmlError::Unsafe(message)) = parse(doc.as_bytes()) else { panic!("accepted") };
    assert!(message.contains("DOCTYPE"), "{message}");
    assert_unsafe(parse_status(doc.as_bytes()));
}

#[test]
fn external_entities_are_refused() {
    let doc = "<?xml version=\"1.0\"?><!DOCTYPE edXML [<!ENTITY x SYSTEM \"file:///etc/passwd\">]><edXML xmlns=\"http://www.mic.gov.vn/TBT/QCVN_102_2016\">&x;</edXML>";
    assert_unsafe(parse(doc.as_bytes()));
    let xml = replaced(&full_package_xml(), "V/v báo cáo", "&x; V/v báo cáo");
    assert_unsafe(parse(&xml));
}

#[test]
fn deep_nesting_hits_the_depth_limit() {
    let doc = format!(
        "<edXML xmlns=\"http://www.mic.gov.vn/TBT/QCVN_102_2016\">{}{}</edXML>",
        "<a>".repeat(10_000),
        "</a>".repeat(10_000)
    );
    let result = parse(doc.as_bytes());
    assert!(matches!(result, Err(EdxmlError::Limit { limit: 32, .. })), "{result:?}");
}

#[test]
fn every_truncation_is_an_error() {
    let xml = full_package_xml();
    for cut in (0..xml.len() - 8).step_by(5) {
        assert!(parse(&xml[..cut]).is_err(), "cut at {cut}");
    }
    let status = write_status(&status(StatusCode::Done)).expect("written");
    for cut in (0..status.len() - 8).step_by(3) {
        assert!(parse_status(&status[..cut]).is_err(), "cut at {cut}");
    }
}

#[test]
fn invalid_base64_is_refused() {
    let xml = String::from_utf8(full_package_xml()).expect("utf-8");
    let marker = "xmlns:edXML=\"http://www.mic.gov.vn/TBT/QCVN_102_2016\">";
    let start = xml.rfind(marker).expect("payload") + marker.len();
    for bad in ["@@@@", "QUJD*", "QQ==QUJD", "Q", "&amp;"] {
        let doc = format!("{}{bad}{}", &xml[..start], &xml[start + xml[start..].find('<').expect("end")..]);
        let (field, message) = invalid_field(parse(doc.as_bytes()));
        assert!(field.contains("base64") && field.contains("cid:2"), "{bad}: {field}");
        assert!(message.contains("không hợp lệ"), "{message}");
    }
}

#[test]
fn invalid_utf8_wrong_namespace_and_empty_input_are_errors() {
    let mut xml = full_package_xml();
    let at = xml.windows(9).position(|w| w == b"V/v b\xc3\xa1o ").expect("subject");
    xml[at + 5] = 0xFF;
    assert!(matches!(parse(&xml), Err(EdxmlError::Malformed(_))));

    let wrong = replaced(&full_package_xml(), "http://www.mic.gov.vn/TBT/QCVN_102_2016", "http://example.com/edXML");
    let Err(EdxmlError::Malformed(message)) = parse(&wrong) else { panic!("accepted") };
    assert!(message.contains("không gian tên"), "{message}");

    for empty in [&b""[..], b"   \n", b"<?xml version=\"1.0\"?>", b"<html/>", b"not xml"] {
        assert!(matches!(parse(empty), Err(EdxmlError::Malformed(_))), "{empty:?}");
        assert!(parse_status(empty).is_err());
    }
}

#[test]
fn limits_are_enforced() {
    let xml = full_package_xml();
    let cases = [
        Limits { max_elements: 50, ..Limits::default() },
        Limits { max_text_bytes: 40, ..Limits::default() },
        Limits { max_markup_bytes: 2_000, ..Limits::default() },
        Limits { max_signature_bytes: 64, ..Limits::default() },
        Limits { max_attachments: 1, ..Limits::default() },
        Limits { max_attachment_bytes: 100, ..Limits::default() },
    ];
    for limits in cases {
        let result = parse_package(&xml[..], &limits, &mut VecSink::default());
        assert!(matches!(result, Err(EdxmlError::Limit { .. })), "{limits:?}: {result:?}");
    }
    assert!(parse_package(&xml[..], &Limits::default(), &mut VecSink::default()).is_ok());
}
