//! Between the register and the wire: the package of an outgoing document, the status packets we
//! answer with, and what registration needs from a package that arrived ([`ArrivalMetadata`]).
//!
//! Packages are written straight into the file store (attachments streamed from their stored files),
//! so a large document is never held in memory; the stored file is what every attempt sends.

use std::fs::File;
use std::io::{self, BufReader};

use serde::{Deserialize, Serialize};
use time::{Date, OffsetDateTime, PrimitiveDateTime};
use vanthu_core::VIETNAM_OFFSET;
use vanthu_core::document::Urgency;
use vanthu_edxml::{
    AttachmentMeta, AttachmentSink, Business, BusinessDocType, Code, DocumentType, Limits, MessageHeader, Organization,
    OtherInfo, Package, Priority, PromulgationInfo, ResponseFor, SignerInfo, StaffInfo, Status, StatusCode,
    TraceHeader,
};
use vanthu_store::FileStore;
use vanthu_store::exchange::ArrivalFile;
use vanthu_store::files::{FileWriter, StoredFile};
use vanthu_store::register::{DocumentFile, Organisation, RegisterRow};

use crate::error::{Result, SyncError};

/// A timestamp as edXML writes it: Vietnam local time, no zone.
pub fn wire_time(at: OffsetDateTime) -> PrimitiveDateTime {
    let local = at.to_offset(VIETNAM_OFFSET);
    let local = local.replace_nanosecond(0).unwrap_or(local);
    PrimitiveDateTime::new(local.date(), local.time())
}

/// The edXML priority of an urgency.
pub fn priority(urgency: Option<Urgency>) -> Priority {
    match urgency {
        None => Priority::Normal,
        Some(Urgency::Khan) => Priority::Urgent,
        Some(Urgency::ThuongKhan) => Priority::VeryUrgent,
        Some(Urgency::HoaToc) => Priority::Express,
    }
}

/// The urgency of an edXML priority (4, hỏa tốc hẹn giờ, is hỏa tốc in the register).
pub fn urgency(priority: u8) -> Option<Urgency> {
    match priority {
        1 => Some(Urgency::Khan),
        2 => Some(Urgency::ThuongKhan),
        3 | 4 => Some(Urgency::HoaToc),
        _ => None,
    }
}

/// Our organisation as edXML names it.
pub fn organization(org: &Organisation) -> Organization {
    Organization { organ_id: org.org_id.clone(), organ_name: org.name.clone(), ..Organization::default() }
}

/// A recipient of a package.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct To {
    /// Its OrganId.
    pub organ_id: String,
    /// Its name.
    pub name: String,
}

/// What a package is about, beyond the document itself.
#[derive(Clone, Debug)]
pub struct PackageFor<'a> {
    /// The outgoing document.
    pub document: &'a RegisterRow,
    /// Its DocumentId.
    pub document_id: &'a str,
    /// Its files (the signed copy first, when there is one), already in the store.
    pub files: &'a [DocumentFile],
    /// Who it goes to.
    pub to: &'a [To],
    /// New, recall, update or replace.
    pub doc_type: BusinessDocType,
    /// Why (a recall's reason).
    pub reason: Option<&'a str>,
    /// The documents it answers, as (sender OrganId, DocumentId, code).
    pub response_for: &'a [(String, String, Option<String>)],
    /// The DocumentIds it replaces (a replacement).
    pub replaces: &'a [String],
    /// Who sends it (StaffInfo).
    pub staff: &'a str,
    /// When.
    pub at: OffsetDateTime,
}

fn date_of(text: Option<&str>) -> Option<Date> {
    let format = time::macros::format_description!("[year]-[month]-[day]");
    text.and_then(|t| Date::parse(t.get(..10)?, format).ok())
}

/// The package of an outgoing document (without its bytes: see [`write_package`]).
pub fn package(org: &Organisation, p: &PackageFor<'_>) -> Result<Package> {
    let doc = p.document;
    let issued = date_of(doc.document_date.as_deref())
        .ok_or_else(|| SyncError::Invalid(format!("văn bản {} không có ngày ban hành", doc.code)))?;
    let mut package = Package {
        header: MessageHeader {
            from: organization(org),
            to: p
                .to
                .iter()
                .map(|t| Organization {
                    organ_id: t.organ_id.clone(),
                    organ_name: t.name.clone(),
                    ..Organization::default()
                })
                .collect(),
            document_id: p.document_id.to_owned(),
            code: Code { number: doc.code_number.clone(), notation: doc.code_notation.clone() },
            promulgation: PromulgationInfo { place: None, date: issued },
            document_type: Some(DocumentType { kind: 2, detail: 0, name: Some(doc.type_name.clone()) }),
            subject: doc.subject.chars().take(vanthu_edxml::validate::MAX_SUBJECT_CHARS).collect(),
            content: None,
            signer: doc.signer.as_ref().map(|s| SignerInfo { full_name: Some(s.clone()), ..SignerInfo::default() }),
            due_date: date_of(doc.due_date.as_deref()),
            other: OtherInfo { priority: priority(doc.urgency), ..OtherInfo::default() },
            response_for: p
                .response_for
                .iter()
                .map(|(organ, id, code)| ResponseFor {
                    organ_id: Some(organ.clone()),
                    code: code.clone(),
                    promulgation_date: None,
                    document_id: Some(id.clone()),
                })
                .collect(),
            steering_type: None,
            to_places: doc.recipients.clone(),
        },
        traces: vec![TraceHeader { organ_id: org.org_id.clone(), timestamp: wire_time(p.at) }],
        business: Business {
            document_id: p.document_id.to_owned(),
            doc_type: p.doc_type,
            reason: Some(p.reason.map(str::to_owned).unwrap_or_else(|| reason_of(p.doc_type).to_owned())),
            paper: false,
            staff: StaffInfo { staff: Some(p.staff.to_owned()), ..StaffInfo::default() },
            replacements: p
                .replaces
                .iter()
                .map(|id| vanthu_edxml::ReplacementInfo {
                    document_id: id.clone(),
                    organ_ids: p.to.iter().map(|t| t.organ_id.clone()).collect(),
                })
                .collect(),
        },
        signature: None,
        manifest: Vec::new(),
        attachments: Vec::new(),
    };
    for (i, f) in p.files.iter().enumerate() {
        package.add_attachment(AttachmentMeta {
            content_id: format!("cid:{}", i + 1),
            attachment_name: f.name.clone(),
            description: None,
            content_type: f.media_type.clone(),
        });
    }
    Ok(package)
}

fn reason_of(t: BusinessDocType) -> &'static str {
    match t {
        BusinessDocType::New => "Văn bản điện tử mới",
        BusinessDocType::Recall => "Thu hồi văn bản",
        BusinessDocType::Update => "Cập nhật văn bản",
        BusinessDocType::Replace => "Thay thế văn bản",
    }
}

/// Writes a package into the file store, its attachments streamed from their stored files (in the
/// order of `files`, which must be the package's).
pub fn write_package(store: &FileStore, package: &Package, files: &[DocumentFile]) -> Result<StoredFile> {
    let mut out = store.writer()?;
    let mut next = files.iter();
    let mut source = |_content_id: &str, w: &mut dyn io::Write| -> io::Result<()> {
        let f = next.next().ok_or_else(|| io::Error::other("more attachments than files"))?;
        let mut input = BufReader::new(File::open(store.path_of(&f.sha256))?);
        io::copy(&mut input, w).map(|_| ())
    };
    vanthu_edxml::write_package(package, &mut source, &mut out)?;
    Ok(out.finish()?)
}

/// What a status packet says: we tell `sender` what we did (`code`) with its document.
#[derive(Clone, Copy, Debug)]
pub struct Answer<'a> {
    /// The document's sender (OrganId), to whom the status goes.
    pub sender: &'a str,
    /// Its name.
    pub sender_name: &'a str,
    /// The DocumentId answered.
    pub document_id: &'a str,
    /// The document's code ("7816/VPCP-TTĐT"), when it has one.
    pub code_text: Option<&'a str>,
    /// What we did.
    pub code: StatusCode,
    /// Why (a rejection's reason).
    pub description: Option<&'a str>,
    /// Who did it (StaffInfo).
    pub staff: &'a str,
}

/// The status packet of `answer`, from `org`, and its bytes.
pub fn status_packet(org: &Organisation, answer: &Answer<'_>, at: OffsetDateTime) -> Result<(Status, Vec<u8>)> {
    let status = Status {
        response_for: ResponseFor {
            organ_id: Some(answer.sender.to_owned()),
            code: answer.code_text.map(str::to_owned),
            promulgation_date: None,
            document_id: Some(answer.document_id.to_owned()),
        },
        from: organization(org),
        code: answer.code,
        description: answer.description.map(str::to_owned),
        timestamp: wire_time(at),
        staff: StaffInfo { staff: Some(answer.staff.to_owned()), ..StaffInfo::default() },
    };
    let bytes = vanthu_edxml::write_status(&status)?;
    Ok((status, bytes))
}

/// What registering an arrived package needs, kept with it in the inbox (JSON).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ArrivalMetadata {
    /// The sender's OrganId.
    pub organ_id: String,
    /// The sender's name (the document's author).
    pub organ_name: String,
    /// "7816/VPCP-TTĐT", when it has one.
    pub code: Option<String>,
    /// yyyy-mm-dd.
    pub issued_date: Option<String>,
    /// The type's name ("Công văn").
    pub type_name: Option<String>,
    /// Trích yếu.
    pub subject: String,
    /// The signer's name.
    pub signer: Option<String>,
    /// 0–4.
    pub priority: u8,
    /// yyyy-mm-dd.
    pub due_date: Option<String>,
    /// Pages.
    pub page_amount: Option<u32>,
    /// The DocumentIds it answers.
    pub response_for: Vec<String>,
    /// The DocumentIds it replaces.
    pub replaces: Vec<String>,
}

fn iso(date: Date) -> String {
    format!("{:04}-{:02}-{:02}", date.year(), u8::from(date.month()), date.day())
}

/// The metadata of a package.
pub fn arrival_metadata(p: &Package) -> ArrivalMetadata {
    let h = &p.header;
    let code = h.code.to_string();
    ArrivalMetadata {
        organ_id: h.from.organ_id.clone(),
        organ_name: h.from.organ_name.clone(),
        code: (!code.is_empty()).then_some(code),
        issued_date: Some(iso(h.promulgation.date)),
        type_name: h.document_type.as_ref().and_then(|t| t.name.clone()),
        subject: h.subject.clone(),
        signer: h.signer.as_ref().and_then(|s| s.full_name.clone()),
        priority: h.other.priority.code(),
        due_date: h.due_date.map(iso),
        page_amount: h.other.page_amount,
        response_for: h.response_for.iter().filter_map(|r| r.document_id.clone()).collect(),
        replaces: p.business.replacements.iter().map(|r| r.document_id.clone()).collect(),
    }
}

/// Parses a stored package, storing each attachment in the file store as it is decoded.
pub fn read_package(store: &FileStore, package: &StoredFile) -> Result<(Package, Vec<ArrivalFile>)> {
    struct Sink<'a> {
        store: &'a FileStore,
        current: Option<(AttachmentMeta, FileWriter)>,
        done: Vec<(AttachmentMeta, StoredFile)>,
    }
    impl AttachmentSink for Sink<'_> {
        fn begin(&mut self, meta: &AttachmentMeta) -> io::Result<()> {
            let writer = self.store.writer().map_err(|e| io::Error::other(e.to_string()))?;
            self.current = Some((meta.clone(), writer));
            Ok(())
        }
        fn write(&mut self, chunk: &[u8]) -> io::Result<()> {
            match &mut self.current {
                Some((_, w)) => io::Write::write_all(w, chunk),
                None => Err(io::Error::other("write before begin")),
            }
        }
        fn end(&mut self) -> io::Result<()> {
            let (meta, writer) = self.current.take().ok_or_else(|| io::Error::other("end before begin"))?;
            let stored = writer.finish().map_err(|e| io::Error::other(e.to_string()))?;
            self.done.push((meta, stored));
            Ok(())
        }
    }
    let input = BufReader::new(File::open(store.path_of(&package.sha256)).map_err(|e| {
        SyncError::Store(vanthu_store::StoreError::Io { path: store.path_of(&package.sha256), source: e })
    })?);
    let mut sink = Sink { store, current: None, done: Vec::new() };
    let parsed = vanthu_edxml::parse_package(input, &Limits::default(), &mut sink)?;
    // The complete metadata is the package's (the sink saw what preceded each payload).
    let files = sink
        .done
        .into_iter()
        .map(|(meta, file)| {
            let full = parsed.attachments.iter().find(|a| a.content_id == meta.content_id).unwrap_or(&meta);
            ArrivalFile { file, name: full.attachment_name.clone(), media_type: full.content_type.clone() }
        })
        .collect();
    Ok((parsed, files))
}
