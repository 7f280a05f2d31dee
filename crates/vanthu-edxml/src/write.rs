//! Writing packages and status packets in the national sample's exact prefix style.
//!
//! Text is escaped by quick-xml. Absent text fields are written as empty elements, as the
//! national sample does; absent dates and numbers and empty lists are left out. Attachment bytes
//! are streamed from the caller and base64-encoded in chunks straight into the output, so
//! neither an attachment nor the package is ever held whole in memory.

use std::borrow::Cow;
use std::io::{self, BufWriter, Write};

use base64::engine::general_purpose::STANDARD;
use base64::write::EncoderWriter;
use quick_xml::Writer;
use quick_xml::events::{BytesDecl, BytesEnd, BytesStart, BytesText, Event};

use crate::error::EdxmlError;
use crate::model::{
    Business, Code, Date, MessageHeader, Organization, OtherInfo, Package, ResponseFor, StaffInfo, Status,
};
use crate::wire::{flag01, format_date, format_timestamp};
use crate::{EDXML_NS, SOAP_NS};

/// The caller's source of attachment bytes: called once per attachment with its ContentId and a
/// writer to copy the bytes into (they are base64-encoded on the way out).
pub type AttachmentSource<'a> = dyn FnMut(&str, &mut dyn Write) -> io::Result<()> + 'a;

/// Writes a package to `out`, after validating it (an invalid package is refused, nothing is
/// written). `attachments` is called for each attachment, in order, to stream its bytes.
pub fn write_package<W: Write>(
    package: &Package,
    attachments: &mut AttachmentSource<'_>,
    out: W,
) -> Result<(), EdxmlError> {
    package.validate()?;
    let mut o = Out::new(BufWriter::new(out));
    o.declaration()?;
    o.start_with("edXML", &[("xmlns", EDXML_NS)])?;
    o.prefix = "edXML:";
    o.start_with("edXMLEnvelope", &[("xmlns:edXML", EDXML_NS)])?;
    o.group("edXMLHeader", |o| header_part(o, package))?;
    o.group("edXMLBody", |o| manifest(o, package))?;
    o.end("edXMLEnvelope")?;
    o.prefix = "";
    o.group("AttachmentEncoded", |o| {
        package.attachments.iter().try_for_each(|a| {
            o.group("Attachment", |o| {
                o.leaf("ContentId", &a.content_id)?;
                o.leaf("AttachmentName", &a.attachment_name)?;
                o.opt("Description", a.description.as_deref())?;
                o.leaf("ContentType", &a.content_type)?;
                o.encoded(&a.content_id, attachments)
            })
        })
    })?;
    o.end("edXML")?;
    o.finish()
}

/// Writes a small package whose attachments are in memory, given as `(content id, bytes)`.
pub fn package_to_vec(package: &Package, attachments: &[(&str, &[u8])]) -> Result<Vec<u8>, EdxmlError> {
    if let Some(missing) = package.attachments.iter().find(|a| !attachments.iter().any(|(id, _)| *id == a.content_id)) {
        return Err(EdxmlError::invalid(
            &format!("Tệp đính kèm {} (AttachmentEncoded/Attachment)", missing.content_id),
            "không có nội dung để ghi",
        ));
    }
    let mut out = Vec::new();
    let mut source = |id: &str, sink: &mut dyn Write| match attachments.iter().find(|(k, _)| *k == id) {
        Some((_, bytes)) => sink.write_all(bytes),
        None => Err(io::Error::new(io::ErrorKind::NotFound, id.to_owned())),
    };
    write_package(package, &mut source, &mut out)?;
    Ok(out)
}

/// Writes a status packet in its SOAP envelope, after validating it.
pub fn write_status(status: &Status) -> Result<Vec<u8>, EdxmlError> {
    status.validate()?;
    let mut bytes = Vec::new();
    let mut o = Out::new(&mut bytes);
    o.declaration()?;
    o.start_with("SOAP-ENV:Envelope", &[("xmlns:SOAP-ENV", SOAP_NS), ("xmlns:edXML", EDXML_NS)])?;
    o.group("SOAP-ENV:Header", |o| {
        o.prefix = "edXML:";
        o.group("Status", |o| {
            response_for(o, &status.response_for)?;
            organization(o, "From", &status.from)?;
            o.leaf("StatusCode", status.code.code())?;
            o.opt("Description", status.description.as_deref())?;
            o.leaf("Timestamp", &format_timestamp(status.timestamp))?;
            staff(o, &status.staff)
        })?;
        o.prefix = "";
        Ok(())
    })?;
    o.w.write_event(Event::Empty(BytesStart::new("SOAP-ENV:Body")))?;
    o.end("SOAP-ENV:Envelope")?;
    o.finish()?;
    Ok(bytes)
}

fn header_part<W: Write>(o: &mut Out<W>, p: &Package) -> io::Result<()> {
    o.group("MessageHeader", |o| message_header(o, &p.header))?;
    o.group("TraceHeaderList", |o| {
        for t in &p.traces {
            o.group("TraceHeader", |o| {
                o.leaf("OrganId", &t.organ_id)?;
                o.leaf("Timestamp", &format_timestamp(t.timestamp))
            })?;
        }
        business(o, &p.business)
    })?;
    match &p.signature {
        // Validated as one well-formed Signature element; written verbatim so it round-trips.
        Some(raw) => {
            o.w.write_indent()?;
            o.w.get_mut().write_all(raw.as_bytes())
        }
        None => Ok(()),
    }
}

fn message_header<W: Write>(o: &mut Out<W>, h: &MessageHeader) -> io::Result<()> {
    organization(o, "From", &h.from)?;
    for to in &h.to {
        organization(o, "To", to)?;
    }
    o.leaf("DocumentId", &h.document_id)?;
    code(o, &h.code)?;
    o.group("PromulgationInfo", |o| {
        o.opt("Place", h.promulgation.place.as_deref())?;
        o.date("PromulgationDate", Some(h.promulgation.date))
    })?;
    if let Some(t) = &h.document_type {
        o.group("DocumentType", |o| {
            o.leaf("Type", &t.kind.to_string())?;
            o.leaf("TypeDetail", &t.detail.to_string())?;
            o.opt("TypeName", t.name.as_deref())
        })?;
    }
    o.leaf("Subject", &h.subject)?;
    o.opt("Content", h.content.as_deref())?;
    if let Some(s) = &h.signer {
        o.group("SignerInfo", |o| {
            o.opt("Competence", s.competence.as_deref())?;
            o.opt("Position", s.position.as_deref())?;
            o.opt("FullName", s.full_name.as_deref())
        })?;
    }
    o.date("DueDate", h.due_date)?;
    other_info(o, &h.other)?;
    for r in &h.response_for {
        response_for(o, r)?;
    }
    o.number("SteeringType", h.steering_type)?;
    o.list("ToPlaces", "Place", &h.to_places)
}

fn organization<W: Write>(o: &mut Out<W>, element: &str, org: &Organization) -> io::Result<()> {
    o.group(element, |o| {
        o.leaf("OrganId", &org.organ_id)?;
        o.opt("OrganizationInCharge", org.organization_in_charge.as_deref())?;
        o.leaf("OrganName", &org.organ_name)?;
        o.opt("OrganAdd", org.address.as_deref())?;
        o.opt("Email", org.email.as_deref())?;
        o.opt("Telephone", org.telephone.as_deref())?;
        o.opt("Fax", org.fax.as_deref())?;
        o.opt("Website", org.website.as_deref())
    })
}

fn code<W: Write>(o: &mut Out<W>, code: &Code) -> io::Result<()> {
    o.group("Code", |o| {
        o.opt("CodeNumber", code.number.as_deref())?;
        o.opt("CodeNotation", code.notation.as_deref())
    })
}

fn other_info<W: Write>(o: &mut Out<W>, info: &OtherInfo) -> io::Result<()> {
    o.group("OtherInfo", |o| {
        o.leaf("Priority", &info.priority.code().to_string())?;
        o.opt("SphereOfPromulgation", info.sphere_of_promulgation.as_deref())?;
        o.opt("TyperNotation", info.typer_notation.as_deref())?;
        o.number("PromulgationAmount", info.promulgation_amount)?;
        o.number("PageAmount", info.page_amount)?;
        o.leaf("Direction", if info.direction { "true" } else { "false" })?;
        o.list("Appendixes", "Appendix", &info.appendixes)
    })
}

fn response_for<W: Write>(o: &mut Out<W>, r: &ResponseFor) -> io::Result<()> {
    o.group("ResponseFor", |o| {
        o.opt("OrganId", r.organ_id.as_deref())?;
        o.opt("Code", r.code.as_deref())?;
        o.date("PromulgationDate", r.promulgation_date)?;
        o.opt("DocumentId", r.document_id.as_deref())
    })
}

fn business<W: Write>(o: &mut Out<W>, b: &Business) -> io::Result<()> {
    o.group("Bussiness", |o| {
        o.leaf("DocumentId", &b.document_id)?;
        o.leaf("BussinessDocType", &b.doc_type.code().to_string())?;
        o.opt("BussinessDocReason", b.reason.as_deref())?;
        o.leaf("Paper", flag01(b.paper))?;
        staff(o, &b.staff)?;
        if b.replacements.is_empty() {
            return Ok(());
        }
        o.group("ReplacementInfoList", |o| {
            b.replacements.iter().try_for_each(|r| {
                o.group("ReplacementInfo", |o| {
                    o.leaf("DocumentId", &r.document_id)?;
                    o.list("OrganIdList", "OrganId", &r.organ_ids)
                })
            })
        })
    })
}

fn staff<W: Write>(o: &mut Out<W>, s: &StaffInfo) -> io::Result<()> {
    o.group("StaffInfo", |o| {
        o.opt("Department", s.department.as_deref())?;
        o.opt("Staff", s.staff.as_deref())?;
        o.opt("Email", s.email.as_deref())?;
        o.opt("Mobile", s.mobile.as_deref())
    })
}

fn manifest<W: Write>(o: &mut Out<W>, p: &Package) -> io::Result<()> {
    o.start_with("edXMLManifest", &[("version", "1.0")])?;
    for r in &p.manifest {
        o.group("Reference", |o| {
            o.leaf("ContentId", &r.content_id)?;
            o.leaf("ContentType", &r.content_type)?;
            o.opt("Description", r.description.as_deref())?;
            o.leaf("AttachmentName", &r.attachment_name)
        })?;
    }
    o.end("edXMLManifest")
}

/// An indenting XML writer that puts `prefix` before the local names it is given.
struct Out<W: Write> {
    w: Writer<W>,
    prefix: &'static str,
}

impl<W: Write> Out<W> {
    fn new(out: W) -> Self {
        Self { w: Writer::new_with_indent(out, b' ', 1), prefix: "" }
    }

    fn name<'a>(&self, local: &'a str) -> Cow<'a, str> {
        if self.prefix.is_empty() { Cow::Borrowed(local) } else { Cow::Owned(format!("{}{local}", self.prefix)) }
    }

    fn declaration(&mut self) -> io::Result<()> {
        self.w.write_event(Event::Decl(BytesDecl::new("1.0", Some("UTF-8"), None)))
    }

    fn start_with(&mut self, local: &str, attributes: &[(&str, &str)]) -> io::Result<()> {
        let start = BytesStart::new(self.name(local)).with_attributes(attributes.iter().copied());
        self.w.write_event(Event::Start(start))
    }

    fn end(&mut self, local: &str) -> io::Result<()> {
        self.w.write_event(Event::End(BytesEnd::new(self.name(local))))
    }

    fn group(&mut self, local: &str, body: impl FnOnce(&mut Self) -> io::Result<()>) -> io::Result<()> {
        self.start_with(local, &[])?;
        body(self)?;
        self.end(local)
    }

    /// `<name>text</name>`, or `<name/>` when the text is empty.
    fn leaf(&mut self, local: &str, text: &str) -> io::Result<()> {
        if text.is_empty() {
            return self.w.write_event(Event::Empty(BytesStart::new(self.name(local))));
        }
        self.start_with(local, &[])?;
        self.w.write_event(Event::Text(BytesText::new(text)))?;
        self.end(local)
    }

    /// Absent text is written as an empty element, as the national sample does.
    fn opt(&mut self, local: &str, text: Option<&str>) -> io::Result<()> {
        self.leaf(local, text.unwrap_or_default())
    }

    /// Absent dates are left out.
    fn date(&mut self, local: &str, date: Option<Date>) -> io::Result<()> {
        date.map_or(Ok(()), |d| self.leaf(local, &format_date(d)))
    }

    /// Absent numbers are left out.
    fn number(&mut self, local: &str, n: Option<impl ToString>) -> io::Result<()> {
        n.map_or(Ok(()), |n| self.leaf(local, &n.to_string()))
    }

    /// `<list><item>…</item>…</list>`, left out when empty.
    fn list(&mut self, list: &str, item: &str, values: &[String]) -> io::Result<()> {
        if values.is_empty() {
            return Ok(());
        }
        self.group(list, |o| values.iter().try_for_each(|v| o.leaf(item, v)))
    }

    /// The attachment's bytes, streamed from `source` and base64-encoded in chunks.
    fn encoded(&mut self, content_id: &str, source: &mut AttachmentSource<'_>) -> io::Result<()> {
        const ELEMENT: &str = "edXML:ContentTransferEncoded";
        let start = BytesStart::new(ELEMENT).with_attributes([("xmlns:edXML", EDXML_NS)]);
        self.w.write_event(Event::Start(start))?;
        {
            let mut encoder = EncoderWriter::new(self.w.get_mut(), &STANDARD);
            source(content_id, &mut encoder)?;
            encoder.finish()?;
        }
        // An empty text event keeps the end tag on the same line as the payload.
        self.w.write_event(Event::Text(BytesText::from_escaped("")))?;
        self.w.write_event(Event::End(BytesEnd::new(ELEMENT)))
    }

    fn finish(mut self) -> Result<(), EdxmlError> {
        self.w.get_mut().write_all(b"\n")?;
        Ok(self.w.get_mut().flush()?)
    }
}
