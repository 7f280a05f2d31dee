//! The bounded element tree of a parsed envelope or status, and its mapping to the model.
//!
//! Lookups match the edXML namespace and a local name; elements of other namespaces and
//! unknown elements are ignored, so newer senders still parse. Text values are trimmed, and an
//! empty value is an absent one. Missing required strings are left empty for validation to
//! report; values that cannot be represented (a date, a number, a code) are reported here.

use std::str::FromStr;

use crate::error::EdxmlError;
use crate::model::{
    AttachmentMeta, Business, BusinessDocType, Code, Date, DocumentType, MessageHeader, Organization, OtherInfo,
    Package, PrimitiveDateTime, Priority, PromulgationInfo, Reference, ReplacementInfo, ResponseFor, SignerInfo,
    StaffInfo, Status, StatusCode, TraceHeader,
};
use crate::parse::{Limits, Ns, Tag};
use crate::wire::{parse_date, parse_flag, parse_timestamp};

type Result<T> = std::result::Result<T, EdxmlError>;

/// An element: namespace, local name, text (or raw source for the signature), children.
#[derive(Debug)]
pub(crate) struct Node {
    ns: Ns,
    pub(crate) local: String,
    pub(crate) text: String,
    pub(crate) children: Vec<Node>,
}

impl Node {
    pub(crate) fn new(tag: &Tag) -> Self {
        Self::raw(tag, String::new())
    }

    pub(crate) fn raw(tag: &Tag, text: String) -> Self {
        Self { ns: tag.ns, local: tag.local.clone(), text, children: Vec::new() }
    }

    pub(crate) fn is(&self, ns: Ns, local: &str) -> bool {
        self.ns == ns && self.local == local
    }

    pub(crate) fn get_in(&self, ns: Ns, local: &str) -> Option<&Node> {
        self.children.iter().find(|c| c.is(ns, local))
    }

    pub(crate) fn get(&self, local: &str) -> Option<&Node> {
        self.get_in(Ns::Edxml, local)
    }

    fn all<'a>(&'a self, local: &'a str) -> impl Iterator<Item = &'a Node> {
        self.children.iter().filter(move |c| c.is(Ns::Edxml, local))
    }

    fn require(&self, local: &str, field: &str) -> Result<&Node> {
        self.get(local).ok_or_else(|| EdxmlError::invalid(field, "bị thiếu"))
    }

    fn value(&self) -> Option<String> {
        let v = self.text.trim();
        (!v.is_empty()).then(|| v.to_owned())
    }

    /// The trimmed text of a child, `None` if absent or empty.
    fn opt(&self, local: &str) -> Option<String> {
        self.get(local).and_then(Node::value)
    }

    /// The trimmed text of a child, empty if absent (validation reports it).
    fn string(&self, local: &str) -> String {
        self.opt(local).unwrap_or_default()
    }

    fn list(&self, list: &str, item: &str) -> Vec<String> {
        self.get(list).map(|l| l.all(item).filter_map(Node::value).collect()).unwrap_or_default()
    }

    fn parsed<T>(
        &self,
        local: &str,
        field: &str,
        expected: &str,
        parse: impl Fn(&str) -> Option<T>,
    ) -> Result<Option<T>> {
        self.opt(local)
            .map(|v| {
                parse(&v).ok_or_else(|| {
                    EdxmlError::invalid(field, format!("có giá trị \"{v}\" không hợp lệ: cần {expected}"))
                })
            })
            .transpose()
    }

    fn date(&self, local: &str, field: &str) -> Result<Option<Date>> {
        self.parsed(local, field, "ngày dạng yyyy/MM/dd", parse_date)
    }

    fn timestamp(&self, local: &str, field: &str) -> Result<PrimitiveDateTime> {
        self.parsed(local, field, "thời điểm dạng yyyy/MM/dd HH:mm:ss", parse_timestamp)?
            .ok_or_else(|| EdxmlError::invalid(field, "bị thiếu"))
    }

    fn number<T: FromStr>(&self, local: &str, field: &str) -> Result<Option<T>> {
        self.parsed(local, field, "một số nguyên không âm", |v| v.parse().ok())
    }

    fn flag(&self, local: &str, field: &str) -> Result<bool> {
        Ok(self.parsed(local, field, "0/1 hoặc true/false", parse_flag)?.unwrap_or(false))
    }
}

pub(crate) fn package(envelope: &Node, attachments: Vec<AttachmentMeta>, limits: &Limits) -> Result<Package> {
    let header = envelope.require("edXMLHeader", "Tiêu đề gói tin (edXMLHeader)")?;
    let trace_list = header.require("TraceHeaderList", "Danh sách vết chuyển (TraceHeaderList)")?;
    let traces = trace_list
        .all("TraceHeader")
        .map(|t| {
            Ok(TraceHeader {
                organ_id: t.string("OrganId"),
                timestamp: t.timestamp("Timestamp", "Thời điểm của vết chuyển (TraceHeader/Timestamp)")?,
            })
        })
        .collect::<Result<_>>()?;
    let manifest: Vec<Reference> = envelope
        .get("edXMLBody")
        .and_then(|b| b.get("edXMLManifest"))
        .map(|m| m.all("Reference").map(reference).collect())
        .unwrap_or_default();
    if manifest.len() > limits.max_attachments {
        return Err(EdxmlError::limit("số tham chiếu trong edXMLManifest", limits.max_attachments));
    }
    Ok(Package {
        header: message_header(header.require("MessageHeader", "Tiêu đề văn bản (MessageHeader)")?)?,
        traces,
        business: business(trace_list.require("Bussiness", "Thông tin nghiệp vụ (Bussiness)")?)?,
        signature: header.children.iter().find(|c| c.local == "Signature").map(|s| s.text.clone()),
        manifest,
        attachments,
    })
}

fn message_header(h: &Node) -> Result<MessageHeader> {
    let from = h.require("From", "Cơ quan gửi (From)")?;
    let promulgation = h.require("PromulgationInfo", "Thông tin ban hành (PromulgationInfo)")?;
    let date_field = "Ngày ban hành (PromulgationInfo/PromulgationDate)";
    Ok(MessageHeader {
        from: organization(from),
        to: h.all("To").map(organization).collect(),
        document_id: h.string("DocumentId"),
        code: h
            .get("Code")
            .map(|c| Code { number: c.opt("CodeNumber"), notation: c.opt("CodeNotation") })
            .unwrap_or_default(),
        promulgation: PromulgationInfo {
            place: promulgation.opt("Place"),
            date: promulgation
                .date("PromulgationDate", date_field)?
                .ok_or_else(|| EdxmlError::invalid(date_field, "bị thiếu"))?,
        },
        document_type: h.get("DocumentType").map(document_type).transpose()?,
        subject: h.string("Subject"),
        content: h.opt("Content"),
        signer: h.get("SignerInfo").map(|s| SignerInfo {
            competence: s.opt("Competence"),
            position: s.opt("Position"),
            full_name: s.opt("FullName"),
        }),
        due_date: h.date("DueDate", "Hạn xử lý (DueDate)")?,
        other: h.get("OtherInfo").map(other_info).transpose()?.unwrap_or_default(),
        response_for: h.all("ResponseFor").map(response_for).collect::<Result<_>>()?,
        steering_type: h.number("SteeringType", "Loại chỉ đạo (SteeringType)")?,
        to_places: h.list("ToPlaces", "Place"),
    })
}

fn organization(o: &Node) -> Organization {
    Organization {
        organ_id: o.string("OrganId"),
        organization_in_charge: o.opt("OrganizationInCharge"),
        organ_name: o.string("OrganName"),
        address: o.opt("OrganAdd"),
        email: o.opt("Email"),
        telephone: o.opt("Telephone"),
        fax: o.opt("Fax"),
        website: o.opt("Website"),
    }
}

fn document_type(t: &Node) -> Result<DocumentType> {
    Ok(DocumentType {
        kind: t.number("Type", "Loại văn bản (DocumentType/Type)")?.unwrap_or_default(),
        detail: t.number("TypeDetail", "Loại chi tiết (DocumentType/TypeDetail)")?.unwrap_or_default(),
        name: t.opt("TypeName"),
    })
}

fn other_info(o: &Node) -> Result<OtherInfo> {
    let priority_field = "Độ khẩn (OtherInfo/Priority)";
    Ok(OtherInfo {
        priority: o
            .parsed(
                "Priority",
                priority_field,
                "0 (thường), 1 (khẩn), 2 (thượng khẩn), 3 (hỏa tốc) hoặc 4 (hỏa tốc hẹn giờ)",
                |v| v.parse().ok().and_then(Priority::from_code),
            )?
            .unwrap_or_default(),
        sphere_of_promulgation: o.opt("SphereOfPromulgation"),
        typer_notation: o.opt("TyperNotation"),
        promulgation_amount: o.number("PromulgationAmount", "Số bản phát hành (OtherInfo/PromulgationAmount)")?,
        page_amount: o.number("PageAmount", "Số trang (OtherInfo/PageAmount)")?,
        direction: o.flag("Direction", "Văn bản chỉ đạo (OtherInfo/Direction)")?,
        appendixes: o.list("Appendixes", "Appendix"),
    })
}

fn response_for(r: &Node) -> Result<ResponseFor> {
    Ok(ResponseFor {
        organ_id: r.opt("OrganId"),
        code: r.opt("Code"),
        promulgation_date: r
            .date("PromulgationDate", "Ngày ban hành của văn bản được phản hồi (ResponseFor/PromulgationDate)")?,
        document_id: r.opt("DocumentId"),
    })
}

fn business(b: &Node) -> Result<Business> {
    let replacements = b
        .get("ReplacementInfoList")
        .map(|l| {
            l.all("ReplacementInfo")
                .map(|r| ReplacementInfo {
                    document_id: r.string("DocumentId"),
                    organ_ids: r.list("OrganIdList", "OrganId"),
                })
                .collect()
        })
        .unwrap_or_default();
    Ok(Business {
        document_id: b.string("DocumentId"),
        doc_type: b
            .parsed(
                "BussinessDocType",
                "Loại nghiệp vụ (Bussiness/BussinessDocType)",
                "0 (mới), 1 (thu hồi), 2 (cập nhật) hoặc 3 (thay thế)",
                |v| v.parse().ok().and_then(BusinessDocType::from_code),
            )?
            .unwrap_or_default(),
        reason: b.opt("BussinessDocReason"),
        paper: b.flag("Paper", "Văn bản giấy (Bussiness/Paper)")?,
        staff: b.get("StaffInfo").map(staff).unwrap_or_default(),
        replacements,
    })
}

fn staff(s: &Node) -> StaffInfo {
    StaffInfo { department: s.opt("Department"), staff: s.opt("Staff"), email: s.opt("Email"), mobile: s.opt("Mobile") }
}

fn reference(r: &Node) -> Reference {
    Reference {
        content_id: r.string("ContentId"),
        content_type: r.string("ContentType"),
        description: r.opt("Description"),
        attachment_name: r.string("AttachmentName"),
    }
}

/// Sets the attachment metadata field `field` names, if it is one.
pub(crate) fn attachment_field(meta: &mut AttachmentMeta, field: &Node) {
    if field.ns != Ns::Edxml {
        return;
    }
    let value = field.value();
    match field.local.as_str() {
        "ContentId" => meta.content_id = value.unwrap_or_default(),
        "AttachmentName" => meta.attachment_name = value.unwrap_or_default(),
        "Description" => meta.description = value,
        "ContentType" => meta.content_type = value.unwrap_or_default(),
        _ => {}
    }
}

pub(crate) fn status(s: &Node) -> Result<Status> {
    let code_field = "Mã trạng thái (StatusCode)";
    let code = s.opt("StatusCode").ok_or_else(|| EdxmlError::invalid(code_field, "bị thiếu"))?;
    Ok(Status {
        response_for: response_for(s.require("ResponseFor", "Văn bản được phản hồi (ResponseFor)")?)?,
        from: organization(s.require("From", "Cơ quan gửi trạng thái (From)")?),
        code: StatusCode::from_code(&code).ok_or_else(|| {
            EdxmlError::invalid(
                code_field,
                format!("có giá trị \"{code}\" không có trong danh mục: chỉ chấp nhận 01 đến 06, 13, 15, 16"),
            )
        })?,
        description: s.opt("Description"),
        timestamp: s.timestamp("Timestamp", "Thời điểm (Timestamp)")?,
        staff: s.get("StaffInfo").map(staff).unwrap_or_default(),
    })
}
