//! Shared fixtures of the integration tests: a package with every field filled.

#![allow(dead_code)]

use time::macros::{date, datetime};
use vanthu_edxml::*;

pub const SIGNATURE: &str = "<Signature xmlns=\"http://www.w3.org/2000/09/xmldsig#\">\n  <SignedInfo><CanonicalizationMethod Algorithm=\"http://www.w3.org/TR/2001/REC-xml-c14n-20010315\"/></SignedInfo>\n  <SignatureValue>QUJD&#10;REVG</SignatureValue>\n</Signature>";

pub fn organization(organ_id: &str, name: &str) -> Organization {
    Organization {
        organ_id: organ_id.into(),
        organization_in_charge: Some("Ủy ban nhân dân tỉnh Nghệ An".into()),
        organ_name: name.into(),
        address: Some("Số 3 đường Trường Thi, TP. Vinh, Nghệ An".into()),
        email: Some("vanthu@nghean.gov.vn".into()),
        telephone: Some("0238 3844 xxx".into()),
        fax: Some("0238 3844 yyy".into()),
        website: Some("https://nghean.gov.vn".into()),
    }
}

pub fn attachment(content_id: &str, name: &str, content_type: &str) -> AttachmentMeta {
    AttachmentMeta {
        content_id: content_id.into(),
        attachment_name: name.into(),
        description: Some(format!("Tệp {name} — bản điện tử")),
        content_type: content_type.into(),
    }
}

/// Every field filled, Vietnamese diacritics, two recipients, two attachments.
pub fn full_package() -> Package {
    let code = Code { number: Some("152".into()), notation: Some("UBND-VX".into()) };
    let promulgated = date!(2026 - 11 - 18);
    let id = document_id("28.22.H17", promulgated, &code);
    let mut package = Package {
        header: MessageHeader {
            from: organization("28.22.H17", "Ủy ban nhân dân huyện Đô Lương"),
            to: vec![
                organization("000.00.00.H41", "Sở Nội vụ tỉnh Nghệ An"),
                organization("000.00.00.G22", "Văn phòng Chính phủ"),
            ],
            document_id: id.clone(),
            code,
            promulgation: PromulgationInfo { place: Some("Đô Lương".into()), date: promulgated },
            document_type: Some(DocumentType { kind: 2, detail: 7, name: Some("Công văn".into()) }),
            subject: "V/v báo cáo tình hình thực hiện nhiệm vụ năm 2026 <khẩn> & \"đúng hạn\"".into(),
            content: Some("Đề nghị các đơn vị tổng hợp, gửi về trước ngày 25/11.".into()),
            signer: Some(SignerInfo {
                competence: Some("TM. ỦY BAN NHÂN DÂN".into()),
                position: Some("Phó Chủ tịch".into()),
                full_name: Some("Nguyễn Thị Hường".into()),
            }),
            due_date: Some(date!(2026 - 11 - 25)),
            other: OtherInfo {
                priority: Priority::VeryUrgent,
                sphere_of_promulgation: Some("Toàn tỉnh".into()),
                typer_notation: Some("NTH".into()),
                promulgation_amount: Some(12),
                page_amount: Some(3),
                direction: true,
                appendixes: vec!["Phụ lục I: Biểu mẫu".into(), "Phụ lục II: Danh sách".into()],
            },
            response_for: vec![ResponseFor {
                organ_id: Some("000.00.00.H41".into()),
                code: Some("98/SNV-VP".into()),
                promulgation_date: Some(date!(2026 - 10 - 02)),
                document_id: Some("000.00.00.H41,2026/10/02,98/SNV-VP".into()),
            }],
            steering_type: Some(1),
            to_places: vec!["Như trên".into(), "Lưu: VT, VX.".into()],
        },
        traces: vec![
            TraceHeader { organ_id: "28.22.H17".into(), timestamp: datetime!(2026 - 11 - 18 14:05:09) },
            TraceHeader { organ_id: "000.00.00.H41".into(), timestamp: datetime!(2026 - 11 - 18 14:06:00) },
        ],
        business: Business {
            document_id: id,
            doc_type: BusinessDocType::Replace,
            reason: Some("Thay thế văn bản ban hành nhầm số".into()),
            paper: true,
            staff: StaffInfo {
                department: Some("Văn phòng HĐND và UBND".into()),
                staff: Some("Trần Văn Đức".into()),
                email: Some("duc.tv@doluong.gov.vn".into()),
                mobile: Some("0912 345 678".into()),
            },
            replacements: vec![ReplacementInfo {
                document_id: "28.22.H17,2026/11/17,151/UBND-VX".into(),
                organ_ids: vec!["000.00.00.H41".into(), "000.00.00.G22".into()],
            }],
        },
        signature: Some(SIGNATURE.into()),
        manifest: Vec::new(),
        attachments: Vec::new(),
    };
    package.add_attachment(attachment("cid:1", "152-UBND-VX.pdf", "application/pdf"));
    package.add_attachment(attachment("cid:2", "Bảng số liệu.bin", "application/octet-stream"));
    package
}

pub fn pdf_bytes() -> Vec<u8> {
    "%PDF-1.4\n% Văn bản điện tử, tiếng Việt có dấu\n".as_bytes().to_vec()
}

pub fn binary_bytes() -> Vec<u8> {
    (0..=255u8).chain((0..=255u8).rev()).collect()
}

/// The full package, written with its two attachments.
pub fn full_package_xml() -> Vec<u8> {
    let (pdf, bin) = (pdf_bytes(), binary_bytes());
    package_to_vec(&full_package(), &[("cid:1", &pdf), ("cid:2", &bin)]).expect("written")
}

pub fn status(code: StatusCode) -> Status {
    Status {
        response_for: ResponseFor {
            organ_id: Some("000.00.00.G22".into()),
            code: Some("7816/VPCP-TTĐT".into()),
            promulgation_date: Some(date!(2019 - 01 - 16)),
            document_id: Some("000.00.00.G22,2015/09/30,7816/VPCP-TTĐT".into()),
        },
        from: organization("000.00.00.H41", "UBND tỉnh Nghệ An"),
        code,
        description: Some(format!("Trạng thái {}: đã cập nhật", code.code())),
        timestamp: datetime!(2026 - 11 - 20 08:30:00),
        staff: StaffInfo {
            department: Some("Văn phòng".into()),
            staff: Some("Lê Thị Thu".into()),
            email: None,
            mobile: Some("0987 654 321".into()),
        },
    }
}
