//! The edXML message types, in Rust names; the wire names live only in the writer and parser.
//!
//! Optional fields are `Option`, repeated ones `Vec`. Text is kept exactly as given (trimmed of
//! surrounding whitespace when parsed). Dates are `yyyy/MM/dd` on the wire and timestamps local
//! Vietnam time `yyyy/MM/dd HH:mm:ss` with no zone, hence [`Date`] and [`PrimitiveDateTime`].

use std::fmt;

pub use time::{Date, PrimitiveDateTime};

/// An organisation: the sender (`From`), a recipient (`To`) or a status packet's author.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Organization {
    /// The national organisation code (`OrganId`), e.g. `000.00.00.G22`.
    pub organ_id: String,
    /// The body in charge (`OrganizationInCharge`).
    pub organization_in_charge: Option<String>,
    /// The organisation's name (`OrganName`).
    pub organ_name: String,
    /// Postal address (`OrganAdd`).
    pub address: Option<String>,
    pub email: Option<String>,
    pub telephone: Option<String>,
    pub fax: Option<String>,
    pub website: Option<String>,
}

/// The document's number and notation (`Code`), e.g. 7816 and `VPCP-TTĐT`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Code {
    /// `CodeNumber`, e.g. `7816`.
    pub number: Option<String>,
    /// `CodeNotation`, e.g. `VPCP-TTĐT`.
    pub notation: Option<String>,
}

impl fmt::Display for Code {
    /// The usual "number/notation" form, e.g. `7816/VPCP-TTĐT`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (&self.number, &self.notation) {
            (Some(n), Some(s)) => write!(f, "{n}/{s}"),
            (Some(x), None) | (None, Some(x)) => f.write_str(x),
            (None, None) => Ok(()),
        }
    }
}

/// Where and when the document was promulgated (`PromulgationInfo`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PromulgationInfo {
    pub place: Option<String>,
    pub date: Date,
}

/// The kind of document (`DocumentType`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct DocumentType {
    /// `Type`: 1 legal normative document, 2 administrative document.
    pub kind: u16,
    /// `TypeDetail`: the code of the detailed type.
    pub detail: u16,
    /// `TypeName`, e.g. "Công văn".
    pub name: Option<String>,
}

/// Who signed the document (`SignerInfo`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SignerInfo {
    /// `Competence`, e.g. "TL. BỘ TRƯỞNG".
    pub competence: Option<String>,
    pub position: Option<String>,
    pub full_name: Option<String>,
}

/// How urgent the document is (`Priority`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Priority {
    /// 0: thường.
    #[default]
    Normal,
    /// 1: khẩn.
    Urgent,
    /// 2: thượng khẩn.
    VeryUrgent,
    /// 3: hỏa tốc.
    Express,
    /// 4: hỏa tốc hẹn giờ.
    ExpressScheduled,
}

impl Priority {
    pub const ALL: [Self; 5] = [Self::Normal, Self::Urgent, Self::VeryUrgent, Self::Express, Self::ExpressScheduled];

    /// The wire value, 0 to 4.
    pub fn code(self) -> u8 {
        match self {
            Self::Normal => 0,
            Self::Urgent => 1,
            Self::VeryUrgent => 2,
            Self::Express => 3,
            Self::ExpressScheduled => 4,
        }
    }

    /// The priority of a wire value, if it is one.
    pub fn from_code(code: u8) -> Option<Self> {
        Self::ALL.into_iter().find(|p| p.code() == code)
    }
}

/// Further information on the document (`OtherInfo`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct OtherInfo {
    pub priority: Priority,
    /// `SphereOfPromulgation`: to whom it is promulgated.
    pub sphere_of_promulgation: Option<String>,
    /// `TyperNotation`: the typist's initials.
    pub typer_notation: Option<String>,
    /// `PromulgationAmount`: the number of copies.
    pub promulgation_amount: Option<u32>,
    /// `PageAmount`: the number of pages.
    pub page_amount: Option<u32>,
    /// `Direction`: whether this is a steering document ("văn bản chỉ đạo").
    pub direction: bool,
    /// `Appendixes/Appendix`: the appendices' titles.
    pub appendixes: Vec<String>,
}

/// A reference to the document this one answers (`ResponseFor`), also the subject of a status.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ResponseFor {
    pub organ_id: Option<String>,
    /// The answered document's code as one string, e.g. `7816/VPCP-TTĐT`.
    pub code: Option<String>,
    pub promulgation_date: Option<Date>,
    pub document_id: Option<String>,
}

/// The document's description (`MessageHeader`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MessageHeader {
    pub from: Organization,
    /// One per recipient, at least one.
    pub to: Vec<Organization>,
    /// `DocumentId`, by convention `{OrganId},{yyyy/MM/dd},{number}/{notation}` (see
    /// [`document_id`]).
    pub document_id: String,
    pub code: Code,
    pub promulgation: PromulgationInfo,
    pub document_type: Option<DocumentType>,
    /// `Subject`: the abstract ("trích yếu"), at most 500 characters.
    pub subject: String,
    /// `Content`, at most 500 characters.
    pub content: Option<String>,
    pub signer: Option<SignerInfo>,
    pub due_date: Option<Date>,
    pub other: OtherInfo,
    pub response_for: Vec<ResponseFor>,
    /// `SteeringType`.
    pub steering_type: Option<u8>,
    /// `ToPlaces/Place`: the recipients as printed on the document ("nơi nhận").
    pub to_places: Vec<String>,
}

/// One hop of the package through the hubs (`TraceHeader`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TraceHeader {
    pub organ_id: String,
    pub timestamp: PrimitiveDateTime,
}

/// What the package does (`BussinessDocType`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum BusinessDocType {
    /// 0: a new document.
    #[default]
    New,
    /// 1: recalls a document.
    Recall,
    /// 2: updates a document.
    Update,
    /// 3: replaces a document (then [`Business::replacements`] names it).
    Replace,
}

impl BusinessDocType {
    pub const ALL: [Self; 4] = [Self::New, Self::Recall, Self::Update, Self::Replace];

    /// The wire value, 0 to 3.
    pub fn code(self) -> u8 {
        match self {
            Self::New => 0,
            Self::Recall => 1,
            Self::Update => 2,
            Self::Replace => 3,
        }
    }

    /// The type of a wire value, if it is one.
    pub fn from_code(code: u8) -> Option<Self> {
        Self::ALL.into_iter().find(|t| t.code() == code)
    }
}

/// The person handling the document (`StaffInfo`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct StaffInfo {
    pub department: Option<String>,
    pub staff: Option<String>,
    pub email: Option<String>,
    pub mobile: Option<String>,
}

/// A replaced document and the organisations it went to (`ReplacementInfo`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ReplacementInfo {
    pub document_id: String,
    pub organ_ids: Vec<String>,
}

/// The business information of the package (`Bussiness`, spelt so on the wire).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Business {
    /// Must equal [`MessageHeader::document_id`].
    pub document_id: String,
    pub doc_type: BusinessDocType,
    /// `BussinessDocReason`, e.g. "Văn bản điện tử mới".
    pub reason: Option<String>,
    /// `Paper`: whether a paper copy is also sent.
    pub paper: bool,
    pub staff: StaffInfo,
    /// `ReplacementInfoList`: required when [`BusinessDocType::Replace`].
    pub replacements: Vec<ReplacementInfo>,
}

/// An entry of the manifest (`edXMLManifest/Reference`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Reference {
    /// `ContentId`, e.g. `cid:209`; matches one attachment's.
    pub content_id: String,
    /// `ContentType`, e.g. `application/pdf`.
    pub content_type: String,
    pub description: Option<String>,
    pub attachment_name: String,
}

/// An attachment's metadata (`AttachmentEncoded/Attachment`, without its bytes).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AttachmentMeta {
    pub content_id: String,
    pub attachment_name: String,
    pub description: Option<String>,
    pub content_type: String,
}

impl From<&AttachmentMeta> for Reference {
    fn from(meta: &AttachmentMeta) -> Self {
        Self {
            content_id: meta.content_id.clone(),
            content_type: meta.content_type.clone(),
            description: meta.description.clone(),
            attachment_name: meta.attachment_name.clone(),
        }
    }
}

/// A whole edXML package, without the attachments' bytes (those are streamed).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Package {
    pub header: MessageHeader,
    pub traces: Vec<TraceHeader>,
    pub business: Business,
    /// The XML-DSig `Signature` element as raw XML, kept opaque (neither made nor checked here).
    pub signature: Option<String>,
    /// The manifest, one [`Reference`] per attachment.
    pub manifest: Vec<Reference>,
    /// The attachments, in wire order; their ContentIds match the manifest's one-to-one.
    pub attachments: Vec<AttachmentMeta>,
}

impl Package {
    /// Adds an attachment and its manifest entry.
    pub fn add_attachment(&mut self, meta: AttachmentMeta) {
        self.manifest.push(Reference::from(&meta));
        self.attachments.push(meta);
    }
}

/// A status code of a status packet, two digits on the wire.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum StatusCode {
    /// 01: đã đến.
    Arrived,
    /// 02: từ chối tiếp nhận (the description gives the reason).
    Rejected,
    /// 03: đã tiếp nhận.
    Accepted,
    /// 04: đã phân công.
    Assigned,
    /// 05: đang xử lý.
    InProgress,
    /// 06: đã xử lý xong.
    Done,
    /// 13: thu hồi.
    RecallRequested,
    /// 15: đồng ý thu hồi/cập nhật.
    RecallAgreed,
    /// 16: từ chối thu hồi/cập nhật.
    RecallRefused,
}

impl StatusCode {
    pub const ALL: [Self; 9] = [
        Self::Arrived,
        Self::Rejected,
        Self::Accepted,
        Self::Assigned,
        Self::InProgress,
        Self::Done,
        Self::RecallRequested,
        Self::RecallAgreed,
        Self::RecallRefused,
    ];

    /// The wire value, e.g. `"01"`.
    pub fn code(self) -> &'static str {
        match self {
            Self::Arrived => "01",
            Self::Rejected => "02",
            Self::Accepted => "03",
            Self::Assigned => "04",
            Self::InProgress => "05",
            Self::Done => "06",
            Self::RecallRequested => "13",
            Self::RecallAgreed => "15",
            Self::RecallRefused => "16",
        }
    }

    /// The status of a wire value, if it is one.
    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.code() == code)
    }
}

/// A status packet: what a recipient did with a document (`Status`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Status {
    pub response_for: ResponseFor,
    pub from: Organization,
    pub code: StatusCode,
    /// `Description`: required for [`StatusCode::Rejected`] (the reason).
    pub description: Option<String>,
    pub timestamp: PrimitiveDateTime,
    pub staff: StaffInfo,
}

/// The conventional DocumentId: `{sender OrganId},{yyyy/MM/dd},{number}/{notation}`, e.g.
/// `000.00.00.G22,2015/09/30,7816/VPCP-TTĐT`.
pub fn document_id(sender_organ_id: &str, promulgation_date: Date, code: &Code) -> String {
    format!("{sender_organ_id},{},{code}", crate::wire::format_date(promulgation_date))
}
