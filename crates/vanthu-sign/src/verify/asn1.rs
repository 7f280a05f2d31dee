//! Raw DER, read by hand where the typed decoders would lose the bytes we must verify.
//!
//! A signature covers *bytes*: the DER of the signed attributes, the `tbsCertificate`, the
//! `tbsCertList`. Typed decoders sort SET OF members and re-encode, so the signed bytes are taken
//! here, as slices of the input. This module also turns BER (indefinite lengths, chunked OCTET
//! STRINGs, which some signing tools emit around the signature) into DER, reads times (with the
//! fractional seconds TSAs put in `genTime`) and directory strings (UTF-8, BMP, Printable…).
//!
//! Hostile input is the norm: every length is checked against what is left, nesting is bounded,
//! nothing here panics or allocates more than the input's size.

use time::{Date, Month, OffsetDateTime, PrimitiveDateTime, Time};

/// How deep constructed values may nest before we refuse (real CMS needs about a dozen).
pub(crate) const MAX_DEPTH: usize = 48;

/// A parse failure, in words for the clerk's report.
pub(crate) type Result<T> = std::result::Result<T, String>;

/// Universal tags we use.
pub(crate) mod tag {
    pub const INTEGER: u8 = 0x02;
    pub const OCTET_STRING: u8 = 0x04;
    pub const OID: u8 = 0x06;
    pub const UTC_TIME: u8 = 0x17;
    pub const GENERALIZED_TIME: u8 = 0x18;
    pub const SEQUENCE: u8 = 0x30;
    pub const SET: u8 = 0x31;
    /// `[0]` constructed (EXPLICIT, or IMPLICIT of a constructed type).
    pub const CTX0: u8 = 0xA0;
    /// `[1]` constructed.
    pub const CTX1: u8 = 0xA1;
}

/// One DER element: its tag, its contents and its whole encoding.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Tlv<'a> {
    /// The identifier octet (single-byte tags only).
    pub tag: u8,
    /// The contents octets.
    pub value: &'a [u8],
    /// Tag, length and contents, as they were in the input.
    pub raw: &'a [u8],
}

/// Reads one DER element from the front of `input`; returns it and what follows.
pub(crate) fn read_tlv(input: &[u8]) -> Result<(Tlv<'_>, &[u8])> {
    let (&tag, rest) = input.split_first().ok_or_else(|| "dữ liệu ASN.1 bị cắt cụt".to_string())?;
    if tag & 0x1f == 0x1f {
        return Err("thẻ ASN.1 nhiều byte không được hỗ trợ".into());
    }
    let (&first, rest) = rest.split_first().ok_or_else(|| "dữ liệu ASN.1 bị cắt cụt".to_string())?;
    let (length, rest) = if first < 0x80 {
        (usize::from(first), rest)
    } else if first == 0x80 {
        return Err("độ dài không xác định (BER) không được phép ở đây".into());
    } else {
        let count = usize::from(first & 0x7f);
        if count > 4 {
            return Err("độ dài ASN.1 quá lớn".into());
        }
        let bytes = rest.get(..count).ok_or_else(|| "dữ liệu ASN.1 bị cắt cụt".to_string())?;
        if bytes.first() == Some(&0) {
            return Err("độ dài ASN.1 không ở dạng DER tối giản".into());
        }
        let length = bytes.iter().fold(0usize, |acc, b| (acc << 8) | usize::from(*b));
        if length < 0x80 {
            return Err("độ dài ASN.1 không ở dạng DER tối giản".into());
        }
        (length, rest.get(count..).unwrap_or_default())
    };
    if length > rest.len() {
        return Err(format!("độ dài ASN.1 ({length} byte) vượt quá dữ liệu còn lại ({} byte)", rest.len()));
    }
    let header = input.len() - rest.len();
    let (value, after) = rest.split_at(length);
    let raw = input.get(..header + length).unwrap_or_default();
    Ok((Tlv { tag, value, raw }, after))
}

/// Reads exactly one element with tag `expected` filling `input`.
pub(crate) fn parse_one<'a>(input: &'a [u8], expected: u8, what: &str) -> Result<Tlv<'a>> {
    let (tlv, rest) = read_tlv(input).map_err(|e| format!("{what}: {e}"))?;
    if tlv.tag != expected {
        return Err(format!("{what}: thẻ ASN.1 0x{:02x}, cần 0x{expected:02x}", tlv.tag));
    }
    if !rest.is_empty() {
        return Err(format!("{what}: có dữ liệu thừa sau phần tử"));
    }
    Ok(tlv)
}

/// The children of a constructed element, read one by one.
pub(crate) struct Children<'a> {
    rest: &'a [u8],
    what: &'static str,
}

impl<'a> Children<'a> {
    /// The children of `tlv`'s contents.
    pub fn of(tlv: Tlv<'a>, what: &'static str) -> Children<'a> {
        Children { rest: tlv.value, what }
    }

    /// The next child, if any.
    pub fn next_tlv(&mut self) -> Result<Option<Tlv<'a>>> {
        if self.rest.is_empty() {
            return Ok(None);
        }
        let (tlv, rest) = read_tlv(self.rest).map_err(|e| format!("{}: {e}", self.what))?;
        self.rest = rest;
        Ok(Some(tlv))
    }

    /// The next child, which must be there and carry `expected`.
    pub fn expect(&mut self, expected: u8, field: &str) -> Result<Tlv<'a>> {
        match self.next_tlv()? {
            Some(tlv) if tlv.tag == expected => Ok(tlv),
            Some(tlv) => Err(format!("{}: {field} có thẻ 0x{:02x}, cần 0x{expected:02x}", self.what, tlv.tag)),
            None => Err(format!("{}: thiếu {field}", self.what)),
        }
    }

    /// The next child if it carries `expected`; otherwise nothing is consumed.
    pub fn optional(&mut self, expected: u8) -> Result<Option<Tlv<'a>>> {
        if self.rest.first() != Some(&expected) {
            return Ok(None);
        }
        self.next_tlv()
    }

    /// Fails when children are left over.
    pub fn finish(self) -> Result<()> {
        if self.rest.is_empty() { Ok(()) } else { Err(format!("{}: có phần tử thừa", self.what)) }
    }
}

/// Turns the first BER element of `input` into DER (identity on DER): indefinite lengths become
/// definite, chunked (constructed) OCTET STRINGs become one. Returns the DER and how many input
/// bytes the element took.
pub(crate) fn ber_to_der(input: &[u8]) -> Result<(Vec<u8>, usize)> {
    let mut out = Vec::with_capacity(input.len());
    let used = normalise(input, 0, &mut out)?;
    Ok((out, used))
}

/// The header of a BER element: tag, length (None = indefinite), header size.
fn ber_header(input: &[u8]) -> Result<(u8, Option<usize>, usize)> {
    let tag = *input.first().ok_or_else(|| "dữ liệu ASN.1 bị cắt cụt".to_string())?;
    if tag & 0x1f == 0x1f {
        return Err("thẻ ASN.1 nhiều byte không được hỗ trợ".into());
    }
    let first = *input.get(1).ok_or_else(|| "dữ liệu ASN.1 bị cắt cụt".to_string())?;
    if first < 0x80 {
        return Ok((tag, Some(usize::from(first)), 2));
    }
    if first == 0x80 {
        if tag & 0x20 == 0 {
            return Err("độ dài không xác định trên phần tử nguyên thuỷ".into());
        }
        return Ok((tag, None, 2));
    }
    let count = usize::from(first & 0x7f);
    if count > 4 {
        return Err("độ dài ASN.1 quá lớn".into());
    }
    let bytes = input.get(2..2 + count).ok_or_else(|| "dữ liệu ASN.1 bị cắt cụt".to_string())?;
    let length = bytes.iter().fold(0usize, |acc, b| (acc << 8) | usize::from(*b));
    Ok((tag, Some(length), 2 + count))
}

fn push_header(out: &mut Vec<u8>, tag: u8, length: usize) {
    out.push(tag);
    if length < 0x80 {
        out.push(length as u8);
    } else {
        let bytes = length.to_be_bytes();
        let skip = bytes.iter().take_while(|b| **b == 0).count();
        out.push(0x80 | (bytes.len() - skip) as u8);
        out.extend_from_slice(bytes.get(skip..).unwrap_or_default());
    }
}

fn normalise(input: &[u8], depth: usize, out: &mut Vec<u8>) -> Result<usize> {
    if depth > MAX_DEPTH {
        return Err("cấu trúc ASN.1 lồng nhau quá sâu".into());
    }
    let (tag, length, header) = ber_header(input)?;
    let body = input.get(header..).unwrap_or_default();
    if tag & 0x20 == 0 {
        let length = length.unwrap_or_default();
        let value = body
            .get(..length)
            .ok_or_else(|| format!("độ dài ASN.1 ({length} byte) vượt quá dữ liệu còn lại ({} byte)", body.len()))?;
        push_header(out, tag, length);
        out.extend_from_slice(value);
        return Ok(header + length);
    }
    // Constructed: normalise the children into a buffer, then write the definite header.
    let mut children = Vec::new();
    let mut offset = 0usize;
    let limit = match length {
        Some(length) if length > body.len() => {
            return Err(format!("độ dài ASN.1 ({length} byte) vượt quá dữ liệu còn lại ({} byte)", body.len()));
        }
        Some(length) => length,
        None => body.len(),
    };
    loop {
        let rest = body.get(offset..limit).unwrap_or_default();
        if length.is_none() {
            if rest.starts_with(&[0, 0]) {
                offset += 2;
                break;
            }
            if rest.is_empty() {
                return Err("thiếu dấu kết thúc của độ dài không xác định".into());
            }
        } else if rest.is_empty() {
            break;
        }
        offset += normalise(rest, depth + 1, &mut children)?;
    }
    if tag == 0x24 {
        // A chunked OCTET STRING: the DER form is one primitive OCTET STRING of the chunks' contents.
        let mut joined = Vec::with_capacity(children.len());
        let mut rest = children.as_slice();
        while !rest.is_empty() {
            let (chunk, after) = read_tlv(rest)?;
            if chunk.tag != tag::OCTET_STRING {
                return Err("OCTET STRING chia khúc chứa phần tử lạ".into());
            }
            joined.extend_from_slice(chunk.value);
            rest = after;
        }
        push_header(out, tag::OCTET_STRING, joined.len());
        out.extend_from_slice(&joined);
    } else {
        push_header(out, tag, children.len());
        out.extend_from_slice(&children);
    }
    Ok(header + offset)
}

/// An OBJECT IDENTIFIER element.
pub(crate) fn oid(tlv: Tlv<'_>) -> Result<const_oid::ObjectIdentifier> {
    if tlv.tag != tag::OID {
        return Err(format!("cần OBJECT IDENTIFIER, gặp thẻ 0x{:02x}", tlv.tag));
    }
    const_oid::ObjectIdentifier::from_bytes(tlv.value).map_err(|e| format!("OBJECT IDENTIFIER hỏng: {e}"))
}

/// A UTCTime or GeneralizedTime element (DER: ends in Z; fractions of a second allowed in the latter).
pub(crate) fn time(tlv: Tlv<'_>) -> Result<OffsetDateTime> {
    let text = std::str::from_utf8(tlv.value).map_err(|_| "thời gian ASN.1 không phải ASCII".to_string())?;
    let bad = || format!("thời gian ASN.1 không hợp lệ: \"{}\"", text.escape_debug());
    let text = text.strip_suffix('Z').ok_or_else(bad)?;
    let (year, rest) = match tlv.tag {
        tag::UTC_TIME => {
            let yy: i32 = digits(text.get(..2).ok_or_else(bad)?).ok_or_else(bad)?;
            (if yy < 50 { 2000 + yy } else { 1900 + yy }, text.get(2..).ok_or_else(bad)?)
        }
        tag::GENERALIZED_TIME => {
            (digits(text.get(..4).ok_or_else(bad)?).ok_or_else(bad)?, text.get(4..).ok_or_else(bad)?)
        }
        other => return Err(format!("cần UTCTime hoặc GeneralizedTime, gặp thẻ 0x{other:02x}")),
    };
    let (main, fraction) = match rest.split_once('.') {
        Some((main, fraction)) if tlv.tag == tag::GENERALIZED_TIME => (main, Some(fraction)),
        Some(_) => return Err(bad()),
        None => (rest, None),
    };
    if main.len() != 10 {
        return Err(bad());
    }
    let field = |range: std::ops::Range<usize>| -> Result<u8> { main.get(range).and_then(digits).ok_or_else(bad) };
    let month = Month::try_from(field(0..2)?).map_err(|_| bad())?;
    let date = Date::from_calendar_date(year, month, field(2..4)?).map_err(|_| bad())?;
    let nanos = match fraction {
        None => 0,
        Some(f) if f.is_empty() || f.len() > 9 || f.ends_with('0') || !f.bytes().all(|b| b.is_ascii_digit()) => {
            return Err(bad());
        }
        Some(f) => {
            let value: u32 = f.parse().map_err(|_| bad())?;
            value * 10u32.pow(9 - f.len() as u32)
        }
    };
    let clock = Time::from_hms_nano(field(4..6)?, field(6..8)?, field(8..10)?, nanos).map_err(|_| bad())?;
    Ok(PrimitiveDateTime::new(date, clock).assume_utc())
}

fn digits<T: std::str::FromStr>(text: &str) -> Option<T> {
    if text.is_empty() || !text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    text.parse().ok()
}

/// A directory string (UTF8String, PrintableString, IA5String, TeletexString as Latin-1,
/// BMPString, UniversalString), decoded to UTF-8. None for anything else or malformed text.
pub(crate) fn directory_string(tag: u8, bytes: &[u8]) -> Option<String> {
    match tag {
        // UTF8String, NumericString, PrintableString, IA5String, VisibleString
        0x0c | 0x12 | 0x13 | 0x16 | 0x1a => std::str::from_utf8(bytes).ok().map(str::to_owned),
        // TeletexString: in practice Latin-1.
        0x14 => Some(bytes.iter().map(|b| char::from(*b)).collect()),
        // BMPString: UTF-16BE (many Vietnamese CAs write names this way).
        0x1e => {
            if !bytes.len().is_multiple_of(2) {
                return None;
            }
            let units: Vec<u16> = bytes.chunks_exact(2).map(|c| u16::from_be_bytes([c[0], c[1]])).collect();
            String::from_utf16(&units).ok()
        }
        // UniversalString: UTF-32BE.
        0x1c => {
            if !bytes.len().is_multiple_of(4) {
                return None;
            }
            bytes.chunks_exact(4).map(|c| char::from_u32(u32::from_be_bytes([c[0], c[1], c[2], c[3]]))).collect()
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lengths_are_checked_and_ber_becomes_der() {
        assert!(read_tlv(&[0x30, 0x84, 0xff, 0xff, 0xff, 0xff]).is_err());
        assert!(read_tlv(&[0x30, 0x81, 0x05, 0, 0, 0, 0, 0]).is_err(), "non-minimal length");
        assert!(read_tlv(&[0x30, 0x80, 0, 0]).is_err());
        // SEQUENCE (indefinite) { OCTET STRING (chunked) { "ab", "c" } }
        let ber = [0x30, 0x80, 0x24, 0x80, 0x04, 0x02, b'a', b'b', 0x04, 0x01, b'c', 0, 0, 0, 0, 0xff];
        let (der, used) = ber_to_der(&ber).unwrap();
        assert_eq!(der, [0x30, 0x05, 0x04, 0x03, b'a', b'b', b'c']);
        assert_eq!(used, ber.len() - 1);
        // Deep nesting is refused, not a stack overflow.
        let mut deep = Vec::new();
        for _ in 0..10_000 {
            deep.extend_from_slice(&[0x30, 0x80]);
        }
        assert!(ber_to_der(&deep).is_err());
    }

    #[test]
    fn directory_strings() {
        let bmp: Vec<u8> = "Đức".encode_utf16().flat_map(u16::to_be_bytes).collect();
        assert_eq!(directory_string(0x1e, &bmp).as_deref(), Some("Đức"));
        assert_eq!(directory_string(0x1e, &bmp[1..]), None);
        assert_eq!(directory_string(0x14, b"Ph\xfa").as_deref(), Some("Phú"));
        assert_eq!(directory_string(0x0c, "xã".as_bytes()).as_deref(), Some("xã"));
        assert_eq!(directory_string(0x0c, b"\xff"), None);
        assert_eq!(directory_string(0x04, b"x"), None);
    }

    #[test]
    fn times_with_fractions() {
        let t = time(Tlv { tag: tag::GENERALIZED_TIME, value: b"20260305073000.25Z", raw: &[] }).unwrap();
        assert_eq!(t.unix_timestamp(), 1_772_695_800);
        assert_eq!(t.nanosecond(), 250_000_000);
        let u = time(Tlv { tag: tag::UTC_TIME, value: b"260305073000Z", raw: &[] }).unwrap();
        assert_eq!(u.unix_timestamp(), 1_772_695_800);
        assert!(time(Tlv { tag: tag::UTC_TIME, value: b"2603050730Z", raw: &[] }).is_err());
        assert!(time(Tlv { tag: tag::GENERALIZED_TIME, value: b"20261305073000Z", raw: &[] }).is_err());
    }
}
