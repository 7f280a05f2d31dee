//! Parsing packages and status packets from untrusted input, in bounded memory.
//!
//! Elements are matched by namespace and local name, whatever the prefixes. The envelope (header
//! and manifest) is read into a small bounded tree and mapped to the model; the attachments are
//! streamed: their base64 text is read straight from the underlying `BufRead` (quick-xml would
//! buffer a whole text node) and decoded in chunks into the caller's [`AttachmentSink`].
//!
//! Everything outside the attachments' payloads counts against [`Limits::max_markup_bytes`], so
//! quick-xml's own buffering (a whole tag or text node) is bounded too. Any DOCTYPE is refused
//! before it could declare an entity, and so is any entity but the five predefined ones.

use std::io::{self, BufRead, Read};
use std::sync::Arc;

use base64::Engine as _;
use base64::alphabet;
use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};
use quick_xml::NsReader;
use quick_xml::events::{BytesRef, BytesStart, Event};
use quick_xml::name::ResolveResult;

use crate::error::EdxmlError;
use crate::model::{AttachmentMeta, Package, Status};
use crate::tree::{self, Node};
use crate::{EDXML_NS, SOAP_NS};

type Result<T> = std::result::Result<T, EdxmlError>;

/// The parser's safety limits. The defaults suit real packages with room to spare.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Limits {
    /// Element nesting depth (default 32).
    pub max_depth: usize,
    /// Number of elements in the document (default 100 000).
    pub max_elements: u64,
    /// Bytes of one element's text (default 64 KiB).
    pub max_text_bytes: usize,
    /// Bytes of XML outside the attachments' base64 payloads: the header, the manifest and the
    /// attachments' metadata (default 16 MiB). It also bounds quick-xml's own buffering.
    pub max_markup_bytes: u64,
    /// Bytes of the raw signature (default 1 MiB).
    pub max_signature_bytes: usize,
    /// Number of attachments (default 1 000).
    pub max_attachments: usize,
    /// Decoded bytes of one attachment (default 512 MiB).
    pub max_attachment_bytes: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_depth: 32,
            max_elements: 100_000,
            max_text_bytes: 64 << 10,
            max_markup_bytes: 16 << 20,
            max_signature_bytes: 1 << 20,
            max_attachments: 1_000,
            max_attachment_bytes: 512 << 20,
        }
    }
}

/// Receives the attachments' decoded bytes as they are parsed: `begin`, `write` repeatedly,
/// `end`, per attachment in document order. If parsing then fails, what was received must be
/// discarded: the package is only valid once [`parse_package`] returns `Ok`.
pub trait AttachmentSink {
    /// An attachment starts; `meta` holds the metadata read before its payload (at least the
    /// ContentId; the complete metadata is in the returned [`Package`]).
    fn begin(&mut self, meta: &AttachmentMeta) -> io::Result<()>;
    /// The next decoded bytes of the current attachment.
    fn write(&mut self, chunk: &[u8]) -> io::Result<()>;
    /// The current attachment is complete.
    fn end(&mut self) -> io::Result<()>;
}

/// Attachments in memory, as `(content id, bytes)` in document order.
pub type Attachments = Vec<(String, Vec<u8>)>;

/// A sink that keeps every attachment in memory as `(content id, bytes)`: for small packages.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct VecSink {
    pub attachments: Attachments,
}

impl AttachmentSink for VecSink {
    fn begin(&mut self, meta: &AttachmentMeta) -> io::Result<()> {
        self.attachments.push((meta.content_id.clone(), Vec::new()));
        Ok(())
    }

    fn write(&mut self, chunk: &[u8]) -> io::Result<()> {
        match self.attachments.last_mut() {
            Some((_, bytes)) => bytes.extend_from_slice(chunk),
            None => return Err(io::Error::other("write before begin")),
        }
        Ok(())
    }

    fn end(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// Parses and validates a package, streaming the attachments' bytes into `sink`.
pub fn parse_package<R: BufRead>(input: R, limits: &Limits, sink: &mut dyn AttachmentSink) -> Result<Package> {
    let mut p = Parser::new(input, limits);
    let root = p.root()?;
    if !root.is_edxml("edXML") {
        return Err(wrong_root(&root, "edXML"));
    }
    if root.empty {
        return Err(EdxmlError::Malformed("gói tin edXML rỗng".into()));
    }
    let (mut envelope, mut attachments) = (None, Vec::new());
    loop {
        match p.next()? {
            Item::Start(t) if t.is_edxml("edXMLEnvelope") => {
                if envelope.is_some() {
                    return Err(EdxmlError::Malformed("có hơn một phần tử edXMLEnvelope".into()));
                }
                envelope = Some(p.read_element(t)?);
            }
            Item::Start(t) if t.is_edxml("AttachmentEncoded") => {
                p.attachments(sink, &mut attachments)?;
            }
            Item::Start(_) => p.skip_to_end()?,
            Item::Empty(_) | Item::Text(_) => {}
            Item::End => break,
            Item::Eof => return Err(truncated()),
        }
    }
    p.finish()?;
    let envelope = envelope.ok_or_else(|| EdxmlError::invalid("Phong bì (edXMLEnvelope)", "bị thiếu"))?;
    let package = tree::package(&envelope, attachments, limits)?;
    package.validate()?;
    Ok(package)
}

/// Parses a small package from memory with the default limits, keeping the attachments'
/// bytes as `(content id, bytes)` in document order.
pub fn parse_package_bytes(bytes: &[u8]) -> Result<(Package, Attachments)> {
    let mut sink = VecSink::default();
    let package = parse_package(bytes, &Limits::default(), &mut sink)?;
    Ok((package, sink.attachments))
}

/// Parses and validates a status packet: a SOAP envelope whose header holds the `Status`, or a
/// bare `Status` root.
pub fn parse_status(bytes: &[u8]) -> Result<Status> {
    let limits = Limits::default();
    let mut p = Parser::new(bytes, &limits);
    let root = p.root()?;
    let root = if root.empty { Node::new(&root) } else { p.read_element(root)? };
    p.finish()?;
    let node = if root.is(Ns::Edxml, "Status") {
        &root
    } else if root.is(Ns::Soap, "Envelope") {
        root.get_in(Ns::Soap, "Header")
            .and_then(|h| h.get("Status"))
            .ok_or_else(|| EdxmlError::invalid("Trạng thái (SOAP-ENV:Header/Status)", "bị thiếu"))?
    } else {
        return Err(EdxmlError::Malformed(format!(
            "phần tử gốc là {}, cần SOAP-ENV:Envelope hoặc Status thuộc không gian tên {EDXML_NS}",
            root.local
        )));
    };
    let status = tree::status(node)?;
    status.validate()?;
    Ok(status)
}

/// The value of a predefined entity (`lt`, `gt`, `amp`, `apos`, `quot`), if it is one.
pub(crate) fn predefined_entity(name: &str) -> Option<&'static str> {
    match name {
        "lt" => Some("<"),
        "gt" => Some(">"),
        "amp" => Some("&"),
        "apos" => Some("'"),
        "quot" => Some("\""),
        _ => None,
    }
}

/// The namespaces the parser tells apart.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Ns {
    Edxml,
    Soap,
    Other,
}

/// An element's start tag: its namespace, local name and raw text (for the signature).
pub(crate) struct Tag {
    pub(crate) ns: Ns,
    pub(crate) local: String,
    raw: String,
    empty: bool,
}

impl Tag {
    fn new(ns: &ResolveResult<'_>, start: &BytesStart<'_>, empty: bool) -> Self {
        let ns = match ns {
            ResolveResult::Bound(n) if n.as_ref() == EDXML_NS => Ns::Edxml,
            ResolveResult::Bound(n) if n.as_ref() == SOAP_NS => Ns::Soap,
            _ => Ns::Other,
        };
        Self { ns, local: start.local_name().as_ref().to_owned(), raw: (**start).to_owned(), empty }
    }

    fn is_edxml(&self, local: &str) -> bool {
        self.ns == Ns::Edxml && self.local == local
    }

    /// The tag as it was written, e.g. `<ds:Signature xmlns:ds="…">`.
    fn source(&self) -> String {
        let close = if self.empty { "/>" } else { ">" };
        format!("<{}{close}", self.raw)
    }
}

/// What the parser sees, comments and declarations left out and entities resolved.
enum Item {
    Start(Tag),
    Empty(Tag),
    Text(String),
    End,
    Eof,
}

/// Raised by [`Budgeted`] when the markup budget is spent.
#[derive(Debug)]
struct BudgetSpent;

impl std::fmt::Display for BudgetSpent {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("markup budget spent")
    }
}

impl std::error::Error for BudgetSpent {}

/// The input as quick-xml sees it: at most `remaining` more bytes, optionally recorded (the
/// signature). The attachments' payloads are read from `inner` directly, outside the budget.
struct Budgeted<R> {
    inner: R,
    remaining: u64,
    record: Option<Vec<u8>>,
}

impl<R: BufRead> Read for Budgeted<R> {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        let available = self.fill_buf()?;
        let n = available.len().min(out.len());
        out[..n].copy_from_slice(&available[..n]);
        self.consume(n);
        Ok(n)
    }
}

impl<R: BufRead> BufRead for Budgeted<R> {
    fn fill_buf(&mut self) -> io::Result<&[u8]> {
        let available = self.inner.fill_buf()?;
        if available.is_empty() {
            return Ok(available);
        }
        if self.remaining == 0 {
            return Err(io::Error::other(BudgetSpent));
        }
        let n = usize::try_from(self.remaining).map_or(available.len(), |r| r.min(available.len()));
        Ok(&available[..n])
    }

    fn consume(&mut self, amount: usize) {
        if let Some(record) = &mut self.record {
            // The bytes being consumed are still in `inner`'s buffer: no I/O happens here.
            if let Ok(available) = self.inner.fill_buf() {
                record.extend_from_slice(&available[..amount.min(available.len())]);
            }
        }
        self.remaining = self.remaining.saturating_sub(amount as u64);
        self.inner.consume(amount);
    }
}

/// The bounded pull parser shared by packages and status packets.
pub(crate) struct Parser<'l, R> {
    reader: NsReader<Budgeted<R>>,
    buf: Vec<u8>,
    limits: &'l Limits,
    depth: usize,
    elements: u64,
}

impl<'l, R: BufRead> Parser<'l, R> {
    fn new(input: R, limits: &'l Limits) -> Self {
        let budgeted = Budgeted { inner: input, remaining: limits.max_markup_bytes, record: None };
        Self { reader: NsReader::from_reader(budgeted), buf: Vec::new(), limits, depth: 0, elements: 0 }
    }

    fn next(&mut self) -> Result<Item> {
        loop {
            self.buf.clear();
            let event = self.reader.read_resolved_event_into(&mut self.buf);
            let item = match event {
                Ok((ns, Event::Start(e))) => Item::Start(Tag::new(&ns, &e, false)),
                Ok((ns, Event::Empty(e))) => Item::Empty(Tag::new(&ns, &e, true)),
                Ok((_, Event::End(_))) => Item::End,
                Ok((_, Event::Text(t))) => Item::Text(t.xml10_content().into_owned()),
                Ok((_, Event::CData(t))) => Item::Text(t.xml10_content().into_owned()),
                Ok((_, Event::GeneralRef(r))) => Item::Text(resolve_reference(&r)?),
                Ok((_, Event::DocType(_))) => return Err(doctype_refused()),
                Ok((_, Event::Eof)) => Item::Eof,
                Ok((_, Event::Comment(_) | Event::Decl(_) | Event::PI(_))) => continue,
                Err(e) => return Err(self.xml_error(e)),
            };
            self.track(&item)?;
            return Ok(item);
        }
    }

    /// Depth and element count.
    fn track(&mut self, item: &Item) -> Result<()> {
        match item {
            Item::Start(_) | Item::Empty(_) => {
                self.elements += 1;
                if self.elements > self.limits.max_elements {
                    return Err(EdxmlError::limit("số phần tử XML", self.limits.max_elements));
                }
            }
            Item::End => self.depth = self.depth.saturating_sub(1),
            Item::Text(_) | Item::Eof => {}
        }
        if matches!(item, Item::Start(_)) {
            self.depth += 1;
            if self.depth > self.limits.max_depth {
                return Err(EdxmlError::limit("độ sâu lồng nhau của phần tử XML", self.limits.max_depth));
            }
        }
        Ok(())
    }

    fn xml_error(&self, e: quick_xml::Error) -> EdxmlError {
        match e {
            quick_xml::Error::Io(io) if io.get_ref().is_some_and(|e| e.is::<BudgetSpent>()) => EdxmlError::limit(
                "kích thước phần XML ngoài nội dung tệp đính kèm (byte)",
                self.limits.max_markup_bytes,
            ),
            quick_xml::Error::Io(io) => {
                EdxmlError::Io(Arc::try_unwrap(io).unwrap_or_else(|io| io::Error::new(io.kind(), io.to_string())))
            }
            other => EdxmlError::Malformed(format!("{other} (gần byte {})", self.reader.error_position())),
        }
    }

    /// The root element's tag, skipping the prolog.
    fn root(&mut self) -> Result<Tag> {
        loop {
            match self.next()? {
                Item::Start(t) | Item::Empty(t) => return Ok(t),
                Item::Text(t) if t.trim().is_empty() => {}
                Item::Text(_) => return Err(EdxmlError::Malformed("có văn bản trước phần tử gốc".into())),
                Item::End => return Err(EdxmlError::Malformed("thẻ đóng không khớp".into())),
                Item::Eof => return Err(EdxmlError::Malformed("tài liệu rỗng".into())),
            }
        }
    }

    /// After the root: only whitespace, comments and processing instructions.
    fn finish(&mut self) -> Result<()> {
        loop {
            match self.next()? {
                Item::Eof => return Ok(()),
                Item::Text(t) if t.trim().is_empty() => {}
                _ => return Err(EdxmlError::Malformed("có nội dung sau phần tử gốc".into())),
            }
        }
    }

    /// Reads the rest of an element whose start tag was just read into a tree.
    fn read_element(&mut self, tag: Tag) -> Result<Node> {
        let mut node = Node::new(&tag);
        loop {
            match self.next()? {
                Item::Start(t) if t.local == "Signature" => node.children.push(self.read_raw(t)?),
                Item::Start(t) => node.children.push(self.read_element(t)?),
                Item::Empty(t) if t.local == "Signature" => node.children.push(Node::raw(&t, t.source())),
                Item::Empty(t) => node.children.push(Node::new(&t)),
                Item::Text(text) => {
                    if node.text.len() + text.len() > self.limits.max_text_bytes {
                        return Err(EdxmlError::limit(
                            format!("độ dài văn bản của phần tử {} (byte)", node.local),
                            self.limits.max_text_bytes,
                        ));
                    }
                    node.text.push_str(&text);
                }
                Item::End => return Ok(node),
                Item::Eof => return Err(truncated()),
            }
        }
    }

    /// Reads the rest of an element as its exact source text (the opaque signature).
    fn read_raw(&mut self, tag: Tag) -> Result<Node> {
        self.reader.get_mut().record = Some(tag.source().into_bytes());
        let skipped = self.skip_to_end();
        let recorded = self.reader.get_mut().record.take().unwrap_or_default();
        skipped?;
        if recorded.len() > self.limits.max_signature_bytes {
            return Err(EdxmlError::limit("kích thước chữ ký số Signature (byte)", self.limits.max_signature_bytes));
        }
        let source = String::from_utf8(recorded)
            .map_err(|_| EdxmlError::Malformed("chữ ký số Signature không phải UTF-8".into()))?;
        Ok(Node::raw(&tag, source))
    }

    /// Skips the rest of an element whose start tag was just read.
    fn skip_to_end(&mut self) -> Result<()> {
        let mut open = 1usize;
        while open > 0 {
            match self.next()? {
                Item::Start(_) => open += 1,
                Item::End => open -= 1,
                Item::Eof => return Err(truncated()),
                Item::Empty(_) | Item::Text(_) => {}
            }
        }
        Ok(())
    }

    /// The children of `AttachmentEncoded`.
    fn attachments(&mut self, sink: &mut dyn AttachmentSink, out: &mut Vec<AttachmentMeta>) -> Result<()> {
        loop {
            match self.next()? {
                Item::Start(t) if t.is_edxml("Attachment") => {
                    if out.len() >= self.limits.max_attachments {
                        return Err(EdxmlError::limit("số tệp đính kèm", self.limits.max_attachments));
                    }
                    out.push(self.attachment(sink)?);
                }
                Item::Start(_) => self.skip_to_end()?,
                Item::Empty(_) | Item::Text(_) => {}
                Item::End => return Ok(()),
                Item::Eof => return Err(truncated()),
            }
        }
    }

    /// One `Attachment`: its metadata, then its payload streamed into `sink`.
    fn attachment(&mut self, sink: &mut dyn AttachmentSink) -> Result<AttachmentMeta> {
        let mut meta = AttachmentMeta::default();
        let mut payloads = 0;
        loop {
            match self.next()? {
                Item::Start(t) | Item::Empty(t) if t.is_edxml("ContentTransferEncoded") => {
                    payloads += 1;
                    if payloads > 1 {
                        return Err(EdxmlError::invalid(
                            &format!("Tệp đính kèm {} (ContentTransferEncoded)", meta.content_id),
                            "xuất hiện hơn một lần",
                        ));
                    }
                    self.payload(&meta, sink, !t.empty)?;
                }
                Item::Start(t) => tree::attachment_field(&mut meta, &self.read_element(t)?),
                Item::Empty(_) | Item::Text(_) => {}
                Item::End => break,
                Item::Eof => return Err(truncated()),
            }
        }
        if payloads == 0 {
            return Err(EdxmlError::invalid(
                &format!("Tệp đính kèm {} (ContentTransferEncoded)", meta.content_id),
                "bị thiếu nội dung",
            ));
        }
        Ok(meta)
    }

    fn payload(&mut self, meta: &AttachmentMeta, sink: &mut dyn AttachmentSink, body: bool) -> Result<()> {
        if meta.content_id.trim().is_empty() {
            return Err(EdxmlError::invalid(
                "Mã nội dung tệp đính kèm (Attachment/ContentId)",
                "phải có và đứng trước nội dung ContentTransferEncoded",
            ));
        }
        sink.begin(meta)?;
        if body {
            self.decode_base64(meta, sink)?;
            if !matches!(self.next()?, Item::End) {
                return Err(EdxmlError::invalid(
                    &format!("Tệp đính kèm {} (ContentTransferEncoded)", meta.content_id),
                    "chỉ được chứa dữ liệu base64",
                ));
            }
        }
        Ok(sink.end()?)
    }

    /// Reads the base64 text up to the next `<` straight from the input, decoding in chunks.
    fn decode_base64(&mut self, meta: &AttachmentMeta, sink: &mut dyn AttachmentSink) -> Result<()> {
        let mut decoder = Base64Stream::new(meta, self.limits.max_attachment_bytes);
        let input = &mut self.reader.get_mut().inner;
        loop {
            let available = input.fill_buf()?;
            if available.is_empty() {
                return Err(truncated());
            }
            let end = available.iter().position(|&b| b == b'<');
            let text = &available[..end.unwrap_or(available.len())];
            decoder.push(text, sink)?;
            let n = text.len();
            input.consume(n);
            if end.is_some() {
                return decoder.finish(sink);
            }
        }
    }
}

/// Base64 decoded in chunks, whitespace skipped, quanta carried over between chunks.
struct Base64Stream<'m> {
    meta: &'m AttachmentMeta,
    limit: u64,
    pending: Vec<u8>,
    decoded: Vec<u8>,
    total: u64,
    padded: bool,
}

/// Padding is optional at the end (some senders omit it) and forbidden elsewhere.
const BASE64: GeneralPurpose = GeneralPurpose::new(
    &alphabet::STANDARD,
    GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent),
);

/// Base64 characters decoded at once (a multiple of 4).
const CHUNK: usize = 64 << 10;

impl<'m> Base64Stream<'m> {
    fn new(meta: &'m AttachmentMeta, limit: u64) -> Self {
        Self {
            meta,
            limit,
            pending: Vec::with_capacity(CHUNK),
            decoded: Vec::with_capacity(CHUNK / 4 * 3),
            total: 0,
            padded: false,
        }
    }

    fn push(&mut self, text: &[u8], sink: &mut dyn AttachmentSink) -> Result<()> {
        for &b in text {
            match b {
                b' ' | b'\t' | b'\r' | b'\n' => continue,
                b'=' => self.padded = true,
                b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'+' | b'/' if !self.padded => {}
                _ => return Err(self.invalid(format!("có ký tự không hợp lệ {:?}", char::from(b)))),
            }
            self.pending.push(b);
            if self.pending.len() == CHUNK {
                self.flush(sink)?;
            }
        }
        Ok(())
    }

    fn finish(mut self, sink: &mut dyn AttachmentSink) -> Result<()> {
        self.flush(sink)
    }

    fn flush(&mut self, sink: &mut dyn AttachmentSink) -> Result<()> {
        self.decoded.clear();
        BASE64.decode_vec(&self.pending, &mut self.decoded).map_err(|e| self.invalid(e.to_string()))?;
        self.pending.clear();
        self.total += self.decoded.len() as u64;
        if self.total > self.limit {
            return Err(EdxmlError::limit(
                format!("kích thước tệp đính kèm {} sau giải mã (byte)", self.meta.content_id),
                self.limit,
            ));
        }
        Ok(sink.write(&self.decoded)?)
    }

    fn invalid(&self, reason: String) -> EdxmlError {
        EdxmlError::invalid(
            &format!("Nội dung base64 của tệp {} (ContentTransferEncoded)", self.meta.content_id),
            format!("không hợp lệ: {reason}"),
        )
    }
}

fn resolve_reference(r: &BytesRef<'_>) -> Result<String> {
    if let Some(value) = predefined_entity(r) {
        return Ok(value.to_owned());
    }
    match r.resolve_char_ref() {
        Ok(Some(c)) => Ok(c.to_string()),
        Ok(None) => Err(EdxmlError::Unsafe(format!(
            "tham chiếu thực thể không xác định &{};: chỉ chấp nhận &lt; &gt; &amp; &apos; &quot; và tham chiếu ký tự",
            &**r
        ))),
        Err(e) => Err(EdxmlError::Malformed(format!("tham chiếu ký tự &{}; sai: {e}", &**r))),
    }
}

fn doctype_refused() -> EdxmlError {
    EdxmlError::Unsafe(
        "tài liệu có khai báo DOCTYPE/DTD; không chấp nhận DTD (chống thực thể ngoài và bom mở rộng thực thể)".into(),
    )
}

fn truncated() -> EdxmlError {
    EdxmlError::Malformed("tài liệu bị cắt cụt: kết thúc trước khi đóng hết các phần tử".into())
}

fn wrong_root(root: &Tag, expected: &str) -> EdxmlError {
    if root.local == expected {
        EdxmlError::Malformed(format!("phần tử gốc {expected} không thuộc không gian tên {EDXML_NS}"))
    } else {
        EdxmlError::Malformed(format!("phần tử gốc là {}, cần {expected}", root.local))
    }
}

#[cfg(test)]
mod tests {
    use base64::engine::general_purpose::STANDARD;

    use super::*;

    fn decode_in_pieces(text: &[u8], piece: usize) -> Result<Vec<u8>> {
        let meta = AttachmentMeta { content_id: "cid:t".into(), ..AttachmentMeta::default() };
        let mut sink = VecSink::default();
        sink.begin(&meta)?;
        let mut stream = Base64Stream::new(&meta, u64::MAX);
        for part in text.chunks(piece) {
            stream.push(part, &mut sink)?;
        }
        stream.finish(&mut sink)?;
        Ok(sink.attachments.remove(0).1)
    }

    #[test]
    fn base64_quanta_split_across_pieces_and_chunks_decode() {
        let bytes: Vec<u8> = (0..200_003u32).map(|i| (i * 7 + i / 251) as u8).collect();
        let encoded = STANDARD.encode(&bytes);
        // Line breaks every 76 characters, as MIME senders do, plus stray spaces.
        let wrapped: Vec<u8> =
            encoded.as_bytes().chunks(76).flat_map(|line| line.iter().copied().chain(*b"\r\n ")).collect();
        for piece in [1, 3, 7, 4096, CHUNK + 1] {
            assert_eq!(decode_in_pieces(&wrapped, piece).expect("decoded"), bytes, "{piece}");
        }
    }

    #[test]
    fn base64_without_final_padding_is_accepted_but_padding_inside_is_not() {
        assert_eq!(decode_in_pieces(b"QUJDRA", 2).expect("decoded"), b"ABCD");
        assert!(decode_in_pieces(b"QQ==QUJD", 1).is_err());
        assert!(decode_in_pieces(b"QUJD!", 1).is_err());
    }

    #[test]
    fn the_decoded_size_limit_applies() {
        let meta = AttachmentMeta::default();
        let mut stream = Base64Stream::new(&meta, 2);
        let mut sink = VecSink::default();
        stream.push(b"QUJD", &mut sink).expect("pushed");
        assert!(matches!(stream.finish(&mut sink), Err(EdxmlError::Limit { limit: 2, .. })));
    }
}
