//! # vanthu-edxml: the wire contract with the provincial document hubs
//!
//! Vanthu exchanges documents with the provincial and national document hubs ("trục liên thông
//! văn bản") in the national edXML format, QCVN 102:2016/BTTTT as amended in 2022. This crate is
//! that contract and nothing else: the [`model`] of a package (the message header, the trace
//! header, the business information, the manifest and the attachments) and of a status packet,
//! their [`validate`]ion, a [`write`]r and a [`parse`]r. It depends on no other Vanthu crate, so
//! that what goes on the wire cannot drift with the application's own model; the application
//! maps its records to and from these types. [`vxp`] is the REST shape the reference hub and
//! the station's client share (paths, headers, JSON replies, the message key).
//!
//! ## What it writes, what it reads
//!
//! It writes exactly the prefix style of the national sample (`edoc_new.edxml` of the national
//! axis SDK): a root `edXML` in the default namespace, `edXML:`-prefixed header elements and an
//! unprefixed `AttachmentEncoded` section, because some consumers are prefix-sensitive. It reads
//! by namespace and local name, whatever the prefixes, so any conforming sender parses. Unknown
//! elements in known places are skipped (within the limits), so newer senders still parse. The
//! XML-DSig `Signature` is neither made nor checked here: it is kept as an opaque, bounded raw
//! XML string that round-trips.
//!
//! ## What it must not do
//!
//! * No I/O beyond the `Read`/`Write` it is handed: no files, no network, no environment.
//! * No clock: every timestamp is a value passed in by the caller.
//! * No normalisation of text: Vietnamese text is kept as the exact UTF-8 it arrived in (NFC is
//!   the caller's business); character limits count characters, not bytes. Only the whitespace
//!   around a field's value is trimmed.
//! * No panic on any input: every failure is an [`EdxmlError`] with a Vietnamese message that
//!   names the field.
//!
//! ## Safety limits
//!
//! Packages come from other organisations' systems and are untrusted. The parser refuses any
//! DOCTYPE (so no external entities and no entity-expansion bombs) and any entity other than the
//! five predefined ones and character references; it bounds the element depth, the number of
//! elements, the size of each text field, the total size of the XML outside the attachments'
//! payloads, the signature's size, the number of attachments and each attachment's decoded size
//! ([`Limits`]). Attachments are base64-decoded in chunks straight from the input into an
//! [`AttachmentSink`], and written by base64-encoding chunks streamed from the caller, so a
//! 200 MB package never needs 200 MB of memory on either side.

pub mod error;
pub mod model;
pub mod parse;
pub mod validate;
pub mod vxp;
pub mod write;

mod tree;
mod wire;

pub use error::EdxmlError;
pub use model::*;
pub use parse::{AttachmentSink, Attachments, Limits, VecSink, parse_package, parse_package_bytes, parse_status};
pub use write::{package_to_vec, write_package, write_status};

/// The edXML namespace of QCVN 102:2016/BTTTT.
pub const EDXML_NS: &str = "http://www.mic.gov.vn/TBT/QCVN_102_2016";
/// The SOAP 1.1 envelope namespace a status packet travels in.
pub const SOAP_NS: &str = "http://schemas.xmlsoap.org/soap/envelope/";
