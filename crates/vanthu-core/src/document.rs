//! Incoming and outgoing documents (văn bản đến / đi) with the metadata of Decree 30 App. VI, and the
//! rules a draft must satisfy before it may be registered.
//!
//! A draft is what the clerk typed; [`IncomingDraft::validate`] and [`OutgoingDraft::validate`] turn it
//! into a checked value whose strings are stored-form (NFC, tidy) and within the limits of the law and of
//! the exchange format (Subject ≤ 500 characters). Nothing here assigns a number: numbering belongs to
//! the register series ([`crate::numbering`]) and happens inside the store's transaction.

use serde::{Deserialize, Serialize};
use time::Date;

use crate::calendar::RegistrationRule;
use crate::text::clean;

/// Longest subject (trích yếu) accepted, in characters: the limit of Decree 30 App. VI and of edXML.
pub const MAX_SUBJECT_CHARS: usize = 500;
/// Longest value accepted for the other free-text fields, in characters.
pub const MAX_FIELD_CHARS: usize = 1000;

/// Which register a document belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Direction {
    /// Văn bản đến: received by the organisation.
    Incoming,
    /// Văn bản đi: issued by the organisation.
    Outgoing,
}

impl Direction {
    /// The stable string used in storage and on the command line.
    pub fn as_str(self) -> &'static str {
        match self {
            Direction::Incoming => "incoming",
            Direction::Outgoing => "outgoing",
        }
    }

    /// Parses [`Direction::as_str`]'s output.
    pub fn parse(s: &str) -> Option<Direction> {
        match s {
            "incoming" => Some(Direction::Incoming),
            "outgoing" => Some(Direction::Outgoing),
            _ => None,
        }
    }
}

/// Độ khẩn: how urgent a document is. Absent means normal.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Urgency {
    /// Khẩn.
    Khan,
    /// Thượng khẩn.
    ThuongKhan,
    /// Hỏa tốc.
    HoaToc,
}

impl Urgency {
    /// All levels, least urgent first.
    pub const ALL: [Urgency; 3] = [Urgency::Khan, Urgency::ThuongKhan, Urgency::HoaToc];

    /// The stable code used in storage and on the command line (`khan`, `thuong-khan`, `hoa-toc`).
    pub fn code(self) -> &'static str {
        match self {
            Urgency::Khan => "khan",
            Urgency::ThuongKhan => "thuong-khan",
            Urgency::HoaToc => "hoa-toc",
        }
    }

    /// The Vietnamese label printed on the urgency stamp.
    pub fn label(self) -> &'static str {
        match self {
            Urgency::Khan => "Khẩn",
            Urgency::ThuongKhan => "Thượng khẩn",
            Urgency::HoaToc => "Hỏa tốc",
        }
    }

    /// The edXML `Priority` code (0 is normal; 4, "hỏa tốc hẹn giờ", is not a register level).
    pub fn edxml_priority(self) -> u8 {
        match self {
            Urgency::Khan => 1,
            Urgency::ThuongKhan => 2,
            Urgency::HoaToc => 3,
        }
    }

    /// Parses [`Urgency::code`]'s output.
    pub fn parse(s: &str) -> Option<Urgency> {
        Urgency::ALL.into_iter().find(|u| u.code() == s)
    }
}

/// Độ mật: the secrecy level. Secret documents have their own outgoing series and never leave the device.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Secrecy {
    /// Mật.
    Mat,
    /// Tối mật.
    ToiMat,
    /// Tuyệt mật.
    TuyetMat,
}

impl Secrecy {
    /// All levels, least secret first.
    pub const ALL: [Secrecy; 3] = [Secrecy::Mat, Secrecy::ToiMat, Secrecy::TuyetMat];

    /// The stable code used in storage and on the command line (`mat`, `toi-mat`, `tuyet-mat`).
    pub fn code(self) -> &'static str {
        match self {
            Secrecy::Mat => "mat",
            Secrecy::ToiMat => "toi-mat",
            Secrecy::TuyetMat => "tuyet-mat",
        }
    }

    /// The Vietnamese label of the secrecy mark.
    pub fn label(self) -> &'static str {
        match self {
            Secrecy::Mat => "Mật",
            Secrecy::ToiMat => "Tối mật",
            Secrecy::TuyetMat => "Tuyệt mật",
        }
    }

    /// Parses [`Secrecy::code`]'s output.
    pub fn parse(s: &str) -> Option<Secrecy> {
        Secrecy::ALL.into_iter().find(|u| u.code() == s)
    }
}

/// How an incoming document reached the office.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Channel {
    /// On paper, by post or by hand; digitised by the clerk.
    Paper,
    /// Through the document exchange or another electronic channel.
    Electronic,
}

impl Channel {
    /// The stable code used in storage.
    pub fn code(self) -> &'static str {
        match self {
            Channel::Paper => "paper",
            Channel::Electronic => "electronic",
        }
    }

    /// Parses [`Channel::code`]'s output.
    pub fn parse(s: &str) -> Option<Channel> {
        match s {
            "paper" => Some(Channel::Paper),
            "electronic" => Some(Channel::Electronic),
            _ => None,
        }
    }
}

/// The time limit for registering and presenting an incoming document (domain §6): urgent documents
/// immediately, electronic arrivals within 2 working hours, the rest the same or the next working day.
pub fn registration_rule(urgency: Option<Urgency>, channel: Channel) -> RegistrationRule {
    match (urgency, channel) {
        (Some(_), _) => RegistrationRule::Immediately,
        (None, Channel::Electronic) => RegistrationRule::WithinWorkingHours(2),
        (None, Channel::Paper) => RegistrationRule::SameOrNextWorkingDay,
    }
}

/// Why a draft cannot be registered. Messages are Vietnamese: they reach the clerk.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum DocumentError {
    /// A required field is empty.
    #[error("Thiếu {0}.")]
    Missing(&'static str),
    /// A field is longer than the law or the exchange format allows.
    #[error("{field} dài {len} ký tự, vượt quá giới hạn {max} ký tự.")]
    TooLong {
        /// Vietnamese name of the field.
        field: &'static str,
        /// Its length in characters.
        len: usize,
        /// The limit.
        max: usize,
    },
    /// A code (số, ký hiệu) that is not of the form `number/notation`.
    #[error("Số, ký hiệu \"{0}\" không đúng dạng \"số/ký hiệu\" (ví dụ 136/TTr-STTTT).")]
    BadCode(String),
    /// The organisation id is not of the form of Decision 20/2020.
    #[error(
        "Mã định danh \"{0}\" không hợp lệ (chỉ gồm chữ in hoa, chữ số và dấu chấm, tối đa 35 ký tự; ví dụ 000.00.00.H24)."
    )]
    BadOrganId(String),
    /// The document type is not in the table of Decree 30 App. III.
    #[error("Không biết loại văn bản \"{0}\" (xem Phụ lục III Nghị định 30/2020/NĐ-CP).")]
    UnknownType(String),
    /// A type that cannot be a legal normative document was flagged as one.
    #[error("{0} không thể là văn bản quy phạm pháp luật.")]
    NotLegal(String),
    /// Dates that contradict each other.
    #[error("{0}")]
    BadDate(&'static str),
    /// A secret document addressed for electronic delivery.
    #[error("Văn bản mật không được gửi qua mạng: hãy chọn gửi bản giấy cho mọi nơi nhận.")]
    SecretElectronic,
}

fn required(value: &str, field: &'static str, max: usize) -> Result<String, DocumentError> {
    let value = clean(value);
    if value.is_empty() {
        return Err(DocumentError::Missing(field));
    }
    limit(value, field, max)
}

fn optional(value: Option<&str>, field: &'static str) -> Result<Option<String>, DocumentError> {
    match value.map(clean) {
        Some(v) if v.is_empty() => Ok(None),
        Some(v) => limit(v, field, MAX_FIELD_CHARS).map(Some),
        None => Ok(None),
    }
}

fn limit(value: String, field: &'static str, max: usize) -> Result<String, DocumentError> {
    let len = value.chars().count();
    if len > max {
        return Err(DocumentError::TooLong { field, len, max });
    }
    Ok(value)
}

/// Checks an organisation id (mã định danh, Decision 20/2020): 1–35 characters of `[0-9A-Z.]`.
pub fn validate_organ_id(id: &str) -> Result<String, DocumentError> {
    let id = id.trim();
    let ok = !id.is_empty()
        && id.len() <= 35
        && id.bytes().all(|b| b.is_ascii_digit() || b.is_ascii_uppercase() || b == b'.')
        && !id.starts_with('.')
        && !id.ends_with('.')
        && !id.contains("..");
    if ok { Ok(id.to_owned()) } else { Err(DocumentError::BadOrganId(id.to_owned())) }
}

/// A document's "số, ký hiệu" split into its number and notation: `136/TTr-STTTT` → (`136`, `TTr-STTTT`),
/// `52/2019/QĐ-UBND` → (`52`, `2019/QĐ-UBND`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DocumentCode {
    /// CodeNumber, as written (leading zeros kept).
    pub number: String,
    /// CodeNotation.
    pub notation: String,
}

impl DocumentCode {
    /// Parses `number/notation`; spaces around the slash are tolerated, the number must be digits.
    pub fn parse(s: &str) -> Result<DocumentCode, DocumentError> {
        let s = clean(s);
        let bad = || DocumentError::BadCode(s.clone());
        let (number, notation) = s.split_once('/').ok_or_else(bad)?;
        let (number, notation) = (number.trim(), notation.trim());
        if number.is_empty() || !number.chars().all(|c| c.is_ascii_digit()) || notation.is_empty() {
            return Err(bad());
        }
        if number.len() > 12 || notation.chars().count() > 100 {
            return Err(bad());
        }
        Ok(DocumentCode { number: number.to_owned(), notation: notation.replace(' ', "") })
    }

    /// The code as written on the document: `136/TTr-STTTT`.
    pub fn display(&self) -> String {
        format!("{}/{}", self.number, self.notation)
    }
}

/// The exchange form of a document id (Decree 30 App. VI): `{OrganId},{yyyy/MM/dd},{number}/{notation}`.
pub fn exchange_document_id(organ_id: &str, issued: Date, code: &DocumentCode) -> String {
    format!("{},{:04}/{:02}/{:02},{}", organ_id, issued.year(), u8::from(issued.month()), issued.day(), code.display())
}

/// What the clerk typed for an incoming document (App. VI metadata).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct IncomingDraft {
    /// Cơ quan ban hành: the issuing organisation (OrganName).
    pub organ_name: String,
    /// Its mã định danh (OrganId), when known.
    pub organ_id: Option<String>,
    /// Số, ký hiệu as written on the document, e.g. `136/TTr-STTTT`.
    pub code: Option<String>,
    /// Ngày tháng văn bản (IssuedDate).
    pub issued_date: Option<Date>,
    /// Tên loại (TypeName), e.g. "Tờ trình".
    pub type_name: String,
    /// Trích yếu (Subject), ≤ 500 characters.
    pub subject: String,
    /// Người ký (SignerInfo.FullName).
    pub signer: Option<String>,
    /// Độ khẩn.
    pub urgency: Option<Urgency>,
    /// Độ mật.
    pub secrecy: Option<Secrecy>,
    /// Hạn xử lý (DueDate).
    pub due_date: Option<Date>,
    /// Paper or electronic.
    pub channel: Option<Channel>,
    /// Số trang (PageAmount).
    pub page_amount: Option<u32>,
    /// Đơn vị hoặc người nhận: the unit or person it is passed to.
    pub handler: Option<String>,
    /// Ghi chú.
    pub note: Option<String>,
}

/// An incoming document whose metadata passed every check, in stored form.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Incoming {
    /// OrganName.
    pub organ_name: String,
    /// OrganId.
    pub organ_id: Option<String>,
    /// The sender's số, ký hiệu.
    pub code: Option<DocumentCode>,
    /// IssuedDate.
    pub issued_date: Option<Date>,
    /// TypeName.
    pub type_name: String,
    /// Subject.
    pub subject: String,
    /// Signer's name.
    pub signer: Option<String>,
    /// Urgency.
    pub urgency: Option<Urgency>,
    /// Secrecy.
    pub secrecy: Option<Secrecy>,
    /// DueDate.
    pub due_date: Option<Date>,
    /// Paper or electronic (paper when not said).
    pub channel: Channel,
    /// PageAmount.
    pub page_amount: Option<u32>,
    /// The unit or person it is passed to.
    pub handler: Option<String>,
    /// Note.
    pub note: Option<String>,
}

impl IncomingDraft {
    /// Checks the draft and brings every string to stored form.
    pub fn validate(&self) -> Result<Incoming, DocumentError> {
        let code = match self.code.as_deref().map(str::trim) {
            Some(c) if !c.is_empty() => Some(DocumentCode::parse(c)?),
            _ => None,
        };
        let organ_id = match self.organ_id.as_deref().map(str::trim) {
            Some(id) if !id.is_empty() => Some(validate_organ_id(id)?),
            _ => None,
        };
        if let (Some(issued), Some(due)) = (self.issued_date, self.due_date)
            && due < issued
        {
            return Err(DocumentError::BadDate("Hạn xử lý không thể trước ngày văn bản."));
        }
        Ok(Incoming {
            organ_name: required(&self.organ_name, "cơ quan ban hành", MAX_FIELD_CHARS)?,
            organ_id,
            code,
            issued_date: self.issued_date,
            type_name: required(&self.type_name, "tên loại văn bản", 100)?,
            subject: required(&self.subject, "trích yếu nội dung", MAX_SUBJECT_CHARS)?,
            signer: optional(self.signer.as_deref(), "người ký")?,
            urgency: self.urgency,
            secrecy: self.secrecy,
            due_date: self.due_date,
            channel: self.channel.unwrap_or(Channel::Paper),
            page_amount: self.page_amount,
            handler: optional(self.handler.as_deref(), "đơn vị hoặc người nhận")?,
            note: optional(self.note.as_deref(), "ghi chú")?,
        })
    }
}

/// What the clerk typed for an outgoing document. The number and notation are not typed: they come
/// from the register series when it is registered.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct OutgoingDraft {
    /// Tên loại or its App. III abbreviation: "Quyết định", "QĐ", "Công văn", "SY"…
    pub type_name: String,
    /// Drafting unit's abbreviation (đơn vị soạn thảo), written last in a công văn's notation: `VP`.
    pub drafting_unit: Option<String>,
    /// A legal normative document (văn bản quy phạm pháp luật): own series per type, year in the notation.
    pub legal: bool,
    /// Advisory body issuing under the agency's seal, with its own series (its abbreviation).
    pub advisory_body: Option<String>,
    /// Trích yếu, ≤ 500 characters.
    pub subject: String,
    /// Người ký.
    pub signer: String,
    /// Chức vụ of the signer.
    pub signer_position: Option<String>,
    /// Nơi nhận: recipients (organisation ids or names).
    pub recipients: Vec<String>,
    /// Số lượng bản.
    pub copies: Option<u32>,
    /// Đơn vị, người nhận bản lưu.
    pub archive_holder: Option<String>,
    /// Độ khẩn.
    pub urgency: Option<Urgency>,
    /// Độ mật.
    pub secrecy: Option<Secrecy>,
    /// Hạn trả lời, when the document asks for a report.
    pub due_date: Option<Date>,
    /// Số trang.
    pub page_amount: Option<u32>,
    /// Ghi chú.
    pub note: Option<String>,
}

/// A checked outgoing document in stored form; `kind` decides its series and notation.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Outgoing {
    /// The resolved type and the series rule that follows from it.
    pub kind: crate::numbering::OutgoingKind,
    /// Trích yếu.
    pub subject: String,
    /// Người ký.
    pub signer: String,
    /// Chức vụ.
    pub signer_position: Option<String>,
    /// Nơi nhận.
    pub recipients: Vec<String>,
    /// Số lượng bản.
    pub copies: Option<u32>,
    /// Bản lưu.
    pub archive_holder: Option<String>,
    /// Độ khẩn.
    pub urgency: Option<Urgency>,
    /// Độ mật.
    pub secrecy: Option<Secrecy>,
    /// Hạn trả lời.
    pub due_date: Option<Date>,
    /// Số trang.
    pub page_amount: Option<u32>,
    /// Ghi chú.
    pub note: Option<String>,
}

impl OutgoingDraft {
    /// Checks the draft and resolves its type against the App. III table.
    pub fn validate(&self) -> Result<Outgoing, DocumentError> {
        let kind = crate::numbering::OutgoingKind::resolve(
            &self.type_name,
            self.legal,
            self.drafting_unit.as_deref(),
            self.advisory_body.as_deref(),
            self.secrecy.is_some(),
        )?;
        let mut recipients = Vec::with_capacity(self.recipients.len());
        for r in &self.recipients {
            let r = limit(clean(r), "nơi nhận", MAX_FIELD_CHARS)?;
            if !r.is_empty() && !recipients.contains(&r) {
                recipients.push(r);
            }
        }
        Ok(Outgoing {
            kind,
            subject: required(&self.subject, "trích yếu nội dung", MAX_SUBJECT_CHARS)?,
            signer: required(&self.signer, "người ký", MAX_FIELD_CHARS)?,
            signer_position: optional(self.signer_position.as_deref(), "chức vụ người ký")?,
            recipients,
            copies: self.copies,
            archive_holder: optional(self.archive_holder.as_deref(), "bản lưu")?,
            urgency: self.urgency,
            secrecy: self.secrecy,
            due_date: self.due_date,
            page_amount: self.page_amount,
            note: optional(self.note.as_deref(), "ghi chú")?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn codes_parse() {
        for (input, expected) in [
            ("136/TTr-STTTT", Some(("136", "TTr-STTTT"))),
            ("52/2019/QĐ-UBND", Some(("52", "2019/QĐ-UBND"))),
            ("05 / UBND-VP", Some(("05", "UBND-VP"))),
            ("TTr-STTTT", None),
            ("/QĐ", None),
            ("12a/QĐ", None),
            ("12/", None),
        ] {
            let got = DocumentCode::parse(input).ok();
            let got = got.as_ref().map(|c| (c.number.as_str(), c.notation.as_str()));
            assert_eq!(got, expected, "{input}");
        }
    }

    #[test]
    fn organ_ids() {
        for (input, ok) in [
            ("000.00.00.H24", true),
            ("000.00.00.G22", true),
            ("H24", true),
            ("000.00.00.h24", false),
            ("000..00.H24", false),
            ("", false),
            ("A".repeat(36).as_str(), false),
        ] {
            assert_eq!(validate_organ_id(input).is_ok(), ok, "{input}");
        }
    }

    #[test]
    fn exchange_id_form() {
        let code = DocumentCode::parse("136/TTr-STTTT").unwrap();
        assert_eq!(
            exchange_document_id("000.00.00.H24", date!(2019 - 10 - 07), &code),
            "000.00.00.H24,2019/10/07,136/TTr-STTTT"
        );
    }

    #[test]
    fn incoming_validation() {
        let draft = IncomingDraft {
            organ_name: "Sở Thông tin và Truyền thông".into(),
            code: Some("136/TTr-STTTT".into()),
            type_name: "Tờ trình".into(),
            subject: "x".repeat(501),
            ..Default::default()
        };
        assert!(matches!(draft.validate(), Err(DocumentError::TooLong { len: 501, .. })));
        let ok = IncomingDraft { subject: "ư".repeat(500), ..draft.clone() }.validate().unwrap();
        assert_eq!(ok.channel, Channel::Paper);
        let missing = IncomingDraft { organ_name: "  ".into(), ..draft }.validate();
        assert_eq!(missing, Err(DocumentError::Missing("cơ quan ban hành")));
    }

    #[test]
    fn rules_by_urgency_and_channel() {
        assert_eq!(registration_rule(Some(Urgency::Khan), Channel::Paper), RegistrationRule::Immediately);
        assert_eq!(registration_rule(None, Channel::Electronic), RegistrationRule::WithinWorkingHours(2));
        assert_eq!(registration_rule(None, Channel::Paper), RegistrationRule::SameOrNextWorkingDay);
    }
}

/// A recipient of an outgoing document (nơi nhận): a unit of ours or an external organisation,
/// reached through the exchange or on paper.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Recipient {
    /// A unit of the organisation (internal) rather than another organisation.
    pub internal: bool,
    /// Mã định danh of an external organisation, when known.
    pub organ_id: Option<String>,
    /// Name (NFC).
    pub name: String,
    /// Electronic (through the exchange) or paper.
    pub channel: Channel,
}

impl Recipient {
    /// Checks a recipient: a name, a valid organisation id when given, and no electronic delivery of
    /// a secret document (secret documents never leave the device, domain.md glossary).
    pub fn validate(&self, secrecy: Option<Secrecy>) -> Result<Recipient, DocumentError> {
        let name = required(&self.name, "nơi nhận", MAX_FIELD_CHARS)?;
        let organ_id = match self.organ_id.as_deref().map(str::trim) {
            Some(id) if !id.is_empty() => Some(validate_organ_id(id)?),
            _ => None,
        };
        if secrecy.is_some() && self.channel == Channel::Electronic {
            return Err(DocumentError::SecretElectronic);
        }
        Ok(Recipient { internal: self.internal, organ_id, name, channel: self.channel })
    }
}
