//! The verdict on every signature of a PDF, as the clerk reads it before registering an arrival.
//!
//! For each signature field with a value: the byte range (does it cover the file, does it skip
//! anything but the signature itself), the CMS (digest, signature, certificate path, validity at the
//! signing time, revocation from the cached CRLs — [`crate::verify`]), and what later revisions
//! changed ([`vanthu_pdf::signature::changes_since`]: signatures and form fills are allowed,
//! annotations are allowed but reported, page content is not). The verdict follows ETSI EN 319 102-1
//! in spirit:
//!
//! - **invalid**: the bytes or the signature do not verify, the byte range is wrong, a later revision
//!   changed what was signed, or the certificate was revoked before the signing time;
//! - **indeterminate**: intact, but the signer cannot be trusted here (no path to a configured anchor,
//!   a certificate outside its validity at the signing time);
//! - **valid**: intact, trusted, nothing forbidden changed since.

use serde::Serialize;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;
use vanthu_pdf::signature::{self as pdf_signature, Change, SignatureField};

use crate::verify::{self, CertInfo, CmsInput, TimeSource, TrustStore};
use crate::{Result, SignError};

/// One signature's verdict.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// Intact, trusted, nothing forbidden changed since.
    Valid,
    /// Intact, but trust cannot be established.
    Indeterminate,
    /// Broken.
    Invalid,
}

impl Verdict {
    /// The word the register stores.
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Valid => "valid",
            Verdict::Indeterminate => "indeterminate",
            Verdict::Invalid => "invalid",
        }
    }

    /// In Vietnamese.
    pub fn label(self) -> &'static str {
        match self {
            Verdict::Valid => "Hợp lệ",
            Verdict::Indeterminate => "Chưa xác định được",
            Verdict::Invalid => "Không hợp lệ",
        }
    }
}

/// One signature of the file.
#[derive(Clone, Debug, Serialize)]
pub struct SignatureReport {
    /// The field's name.
    pub field: String,
    /// `/SubFilter`: ETSI.CAdES.detached, adbe.pkcs7.detached, adbe.pkcs7.sha1, ETSI.RFC3161.
    pub subfilter: String,
    /// The digest over the signed ranges and the CMS signature both verify, the range is sound.
    pub intact: bool,
    /// The signature covers the whole file (nothing was appended after it).
    pub covers_whole_file: bool,
    /// The signer's certificate chains to a configured anchor, valid at the signing time, not revoked.
    pub trusted: bool,
    /// The signer, as people read it.
    pub signer: Option<String>,
    /// The signing time, RFC 3339 in Vietnam time.
    pub signing_time: Option<String>,
    /// Where the signing time comes from: timestamp, signed_attribute, claimed (the PDF's /M), none.
    pub time_source: String,
    /// What later revisions changed, in Vietnamese.
    pub modifications: Vec<String>,
    /// The verdict.
    pub verdict: Verdict,
    /// Why it is not valid (or what to know although it is), in Vietnamese.
    pub reason: Option<String>,
    /// The algorithm, e.g. "RSA PKCS#1 v1.5 / SHA-256".
    pub algorithm: String,
    /// The timestamp's time when a valid one is attached.
    pub timestamp: Option<String>,
    /// The certificate chain, signer first.
    pub chain: Vec<CertInfo>,
    /// Page of the signature's widget, from 1.
    pub page: Option<usize>,
    /// Every problem found, in Vietnamese.
    pub problems: Vec<String>,
}

/// The whole file's verdict.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FileVerdict {
    /// Every signature is valid.
    Valid,
    /// None invalid, at least one indeterminate.
    Indeterminate,
    /// At least one invalid.
    Invalid,
    /// No signature at all.
    Unsigned,
}

impl FileVerdict {
    /// The word the register stores.
    pub fn as_str(self) -> &'static str {
        match self {
            FileVerdict::Valid => "valid",
            FileVerdict::Indeterminate => "indeterminate",
            FileVerdict::Invalid => "invalid",
            FileVerdict::Unsigned => "unsigned",
        }
    }
}

/// Every signature of a PDF and the file's verdict.
#[derive(Clone, Debug, Serialize)]
pub struct PdfReport {
    /// The worst of the signatures' verdicts, or unsigned.
    pub verdict: FileVerdict,
    /// One line for the clerk.
    pub summary: String,
    /// Each signature, in file order.
    pub signatures: Vec<SignatureReport>,
}

impl PdfReport {
    /// Every certificate the signatures carried (signer and chain), once each.
    pub fn certificates(&self) -> Vec<&CertInfo> {
        let mut seen = std::collections::HashSet::new();
        self.signatures
            .iter()
            .flat_map(|signature| signature.chain.iter())
            .filter(|certificate| seen.insert(certificate.sha256.clone()))
            .collect()
    }
}

/// Verify every signature of `pdf` against `trust`, at `now` (the validation time).
pub fn verify_pdf(pdf: &[u8], trust: &TrustStore, now: OffsetDateTime) -> Result<PdfReport> {
    let fields = pdf_signature::signatures(pdf)?;
    let signatures: Vec<SignatureReport> = fields.iter().map(|field| verify_field(pdf, field, trust, now)).collect();
    let verdict = if signatures.is_empty() {
        FileVerdict::Unsigned
    } else {
        match signatures.iter().map(|signature| signature.verdict).max() {
            Some(Verdict::Invalid) => FileVerdict::Invalid,
            Some(Verdict::Indeterminate) => FileVerdict::Indeterminate,
            _ => FileVerdict::Valid,
        }
    };
    let summary = match verdict {
        FileVerdict::Unsigned => "Tệp không có chữ ký số".to_string(),
        FileVerdict::Valid => format!("{} chữ ký, tất cả hợp lệ", signatures.len()),
        _ => {
            let worst = signatures.iter().find(|signature| signature.verdict != Verdict::Valid);
            match worst {
                Some(signature) => format!(
                    "Chữ ký {} {}: {}",
                    signature.field,
                    signature.verdict.label().to_lowercase(),
                    signature.reason.clone().unwrap_or_default()
                ),
                None => String::new(),
            }
        }
    };
    Ok(PdfReport { verdict, summary, signatures })
}

fn verify_field(pdf: &[u8], field: &SignatureField, trust: &TrustStore, now: OffsetDateTime) -> SignatureReport {
    let parts = pdf_signature::signed_parts(pdf, field);
    let claimed = field.claimed_time.as_deref().and_then(parse_pdf_date);
    let cms = verify::verify_cms(
        &CmsInput { subfilter: &field.subfilter, cms: &field.contents, signed: &parts },
        trust,
        now,
        claimed,
    );
    let mut problems = Vec::new();
    if let Some(problem) = &field.range_problem {
        problems.push(problem.clone());
    }
    problems.extend(cms.problems.iter().cloned());
    let changes = if field.covers_whole_file || field.range_problem.is_some() {
        Vec::new()
    } else {
        match pdf_signature::changes_since(pdf, field.signed_len) {
            Ok(changes) => changes,
            Err(error) => vec![Change::Other(format!("không so sánh được với bản đã ký: {error}"))],
        }
    };
    let forbidden: Vec<&Change> = changes.iter().filter(|change| !change.allowed()).collect();
    let intact = field.range_problem.is_none() && cms.digest_ok && cms.signature_ok;
    let trusted = cms.trust.trusted;

    let (verdict, reason) = if field.range_problem.is_some() {
        (Verdict::Invalid, field.range_problem.clone())
    } else if !cms.digest_ok {
        (Verdict::Invalid, Some("nội dung đã bị thay đổi sau khi ký (giá trị băm không khớp)".to_string()))
    } else if !cms.signature_ok {
        (Verdict::Invalid, Some(first(&cms.problems, "chữ ký số không đúng với chứng thư của người ký")))
    } else if !forbidden.is_empty() {
        let what: Vec<String> = forbidden.iter().map(|change| change.describe()).collect();
        (Verdict::Invalid, Some(format!("tệp bị sửa sau khi ký: {}", what.join("; "))))
    } else if let Some(revoked) = cms.trust.revoked {
        (Verdict::Invalid, Some(format!("chứng thư số đã bị thu hồi từ {}", vietnam(revoked))))
    } else if !trusted {
        let why = cms
            .trust
            .reason
            .clone()
            .unwrap_or_else(|| first(&cms.problems, "không xác lập được độ tin cậy của chứng thư số"));
        (Verdict::Indeterminate, Some(why))
    } else {
        let mut notes = Vec::new();
        if !cms.trust.revocation_checked {
            notes.push("chưa kiểm tra được tình trạng thu hồi của chứng thư (chưa có danh sách thu hồi)".to_string());
        }
        let annotations: Vec<String> = changes
            .iter()
            .filter(|change| matches!(change, Change::AnnotationAdded { .. } | Change::AnnotationChanged { .. }))
            .map(Change::describe)
            .collect();
        if !annotations.is_empty() {
            notes.push(format!("sau khi ký có {}", annotations.join("; ")));
        }
        (Verdict::Valid, (!notes.is_empty()).then(|| notes.join("; ")))
    };

    SignatureReport {
        field: field.field.clone(),
        subfilter: field.subfilter.clone(),
        intact,
        covers_whole_file: field.covers_whole_file,
        trusted,
        signer: cms.signer.as_ref().map(|signer| signer.subject.clone()),
        signing_time: cms.signing_time.map(vietnam),
        time_source: match cms.time_source {
            TimeSource::Timestamp => "timestamp",
            TimeSource::SignedAttribute => "signed_attribute",
            TimeSource::Claimed => "claimed",
            TimeSource::None => "none",
        }
        .to_string(),
        modifications: changes.iter().map(Change::describe).collect(),
        verdict,
        reason,
        algorithm: cms.algorithm.clone(),
        timestamp: cms.timestamp.as_ref().filter(|stamp| stamp.valid).map(|stamp| vietnam(stamp.gen_time)),
        chain: cms.chain.clone(),
        page: field.page.map(|page| page + 1),
        problems,
    }
}

fn first(problems: &[String], otherwise: &str) -> String {
    problems.first().cloned().unwrap_or_else(|| otherwise.to_string())
}

/// RFC 3339 in Vietnam time.
pub fn vietnam(at: OffsetDateTime) -> String {
    at.to_offset(time::macros::offset!(+7)).format(&Rfc3339).unwrap_or_else(|_| at.to_string())
}

/// A PDF date (`D:YYYYMMDDHHmmSSOHH'mm'`, any prefix of it) as a time; no zone means UTC.
pub fn parse_pdf_date(text: &str) -> Option<OffsetDateTime> {
    let text = text.trim().strip_prefix("D:").unwrap_or(text.trim());
    let digits: String = text.chars().take_while(char::is_ascii_digit).collect();
    if digits.len() < 4 {
        return None;
    }
    let number = |from: usize, len: usize, default: u32| -> u32 {
        digits.get(from..from + len).and_then(|s| s.parse().ok()).unwrap_or(default)
    };
    let year = i32::try_from(number(0, 4, 0)).ok()?;
    let month = time::Month::try_from(u8::try_from(number(4, 2, 1)).ok()?).ok()?;
    let date = time::Date::from_calendar_date(year, month, u8::try_from(number(6, 2, 1)).ok()?).ok()?;
    let clock = time::Time::from_hms(
        u8::try_from(number(8, 2, 0)).ok()?,
        u8::try_from(number(10, 2, 0)).ok()?,
        u8::try_from(number(12, 2, 0)).ok()?,
    )
    .ok()?;
    let rest = &text[digits.len()..];
    let offset = match rest.chars().next() {
        Some(sign @ ('+' | '-')) => {
            let zone: String = rest[1..].chars().filter(char::is_ascii_digit).collect();
            let hours: i8 = zone.get(0..2).and_then(|s| s.parse().ok()).unwrap_or(0);
            let minutes: i8 = zone.get(2..4).and_then(|s| s.parse().ok()).unwrap_or(0);
            let sign = if sign == '-' { -1 } else { 1 };
            time::UtcOffset::from_hms(sign * hours, sign * minutes, 0).ok()?
        }
        _ => time::UtcOffset::UTC,
    };
    Some(time::PrimitiveDateTime::new(date, clock).assume_offset(offset))
}

/// Refuse bytes that are not a PDF before anything else (for callers that want an error, not a report).
pub fn ensure_pdf(bytes: &[u8]) -> Result<()> {
    if bytes.len() < 8 || !bytes[..bytes.len().min(1024)].windows(5).any(|w| w == b"%PDF-") {
        return Err(SignError::Pdf(vanthu_pdf::PdfError::NotPdf("không có phần đầu %PDF-".into())));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pdf_dates_read_with_their_zone() {
        let at = parse_pdf_date("D:20260305143000+07'00'").expect("date");
        assert_eq!(vietnam(at), "2026-03-05T14:30:00+07:00");
        let utc = parse_pdf_date("D:20260305073000Z").expect("date");
        assert_eq!(vietnam(utc), "2026-03-05T14:30:00+07:00");
        assert!(parse_pdf_date("garbage").is_none());
        assert!(parse_pdf_date("D:2026").is_some());
    }
}
