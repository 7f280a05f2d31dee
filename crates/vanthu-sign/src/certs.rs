//! Small facts about certificates that signing and verification both need: names in the clerk's
//! words, validity periods as `time` values, whether a certificate is a CA.

use der::asn1::{Ia5StringRef, PrintableStringRef, TeletexStringRef, Utf8StringRef};
use der::{Decode, Tagged};
use time::OffsetDateTime;
use x509_cert::Certificate;
use x509_cert::ext::pkix::BasicConstraints;
use x509_cert::name::Name;

use crate::{Result, SignError};

/// A name as people read it: "CN, O" (the common name and the organisation), in UTF-8.
pub fn display_name(name: &Name) -> String {
    let mut common = None;
    let mut organisation = None;
    for rdn in name.0.iter() {
        for attribute in rdn.0.iter() {
            let text = attribute_text(&attribute.value);
            if attribute.oid == const_oid::db::rfc4519::CN {
                common = common.or(text);
            } else if attribute.oid == const_oid::db::rfc4519::O {
                organisation = organisation.or(text);
            }
        }
    }
    match (common, organisation) {
        (Some(cn), Some(o)) if cn != o => format!("{cn}, {o}"),
        (Some(cn), _) => cn,
        (None, Some(o)) => o,
        (None, None) => name.to_string(),
    }
}

/// The text of a directory string (UTF8String, PrintableString, IA5String, TeletexString, BMPString).
fn attribute_text(value: &der::Any) -> Option<String> {
    if let Ok(text) = Utf8StringRef::try_from(value) {
        return Some(text.as_str().to_string());
    }
    if let Ok(text) = PrintableStringRef::try_from(value) {
        return Some(text.as_str().to_string());
    }
    if let Ok(text) = Ia5StringRef::try_from(value) {
        return Some(text.as_str().to_string());
    }
    if let Ok(text) = TeletexStringRef::try_from(value) {
        return Some(text.as_str().to_string());
    }
    if value.tag() == der::Tag::BmpString {
        let units: Vec<u16> =
            value.value().chunks_exact(2).map(|pair| u16::from_be_bytes([pair[0], pair[1]])).collect();
        return String::from_utf16(&units).ok();
    }
    None
}

/// A certificate's validity period.
pub fn validity(certificate: &Certificate) -> (OffsetDateTime, OffsetDateTime) {
    let validity = &certificate.tbs_certificate.validity;
    (to_offset(validity.not_before.to_unix_duration()), to_offset(validity.not_after.to_unix_duration()))
}

fn to_offset(since_epoch: std::time::Duration) -> OffsetDateTime {
    let seconds = i64::try_from(since_epoch.as_secs()).unwrap_or(i64::MAX);
    OffsetDateTime::from_unix_timestamp(seconds).unwrap_or(OffsetDateTime::UNIX_EPOCH)
}

/// dd/mm/yyyy in Vietnam time.
pub fn vietnam_date(at: OffsetDateTime) -> String {
    let at = at.to_offset(time::macros::offset!(+7));
    format!("{:02}/{:02}/{}", at.day(), u8::from(at.month()), at.year())
}

/// Refuse a certificate outside its validity period at `now`.
pub fn check_validity(certificate: &Certificate, now: OffsetDateTime) -> Result<()> {
    let (not_before, not_after) = validity(certificate);
    let state = if now < not_before {
        "chưa có hiệu lực"
    } else if now > not_after {
        "đã hết hạn"
    } else {
        return Ok(());
    };
    Err(SignError::CertificateNotValid {
        subject: display_name(&certificate.tbs_certificate.subject),
        state,
        not_before: vietnam_date(not_before),
        not_after: vietnam_date(not_after),
    })
}

/// Whether the certificate is a CA (basicConstraints cA = true).
pub fn is_ca(certificate: &Certificate) -> bool {
    certificate
        .tbs_certificate
        .extensions
        .iter()
        .flatten()
        .filter(|extension| extension.extn_id == const_oid::db::rfc5280::ID_CE_BASIC_CONSTRAINTS)
        .filter_map(|extension| BasicConstraints::from_der(extension.extn_value.as_bytes()).ok())
        .any(|constraints| constraints.ca)
}
