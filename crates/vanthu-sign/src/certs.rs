//! Small facts about a signing certificate that the token side needs: its name in the clerk's
//! words (the verifier's rule), its validity period as `time` values, whether it is a CA.

use der::Decode;
use time::OffsetDateTime;
use x509_cert::Certificate;
use x509_cert::ext::pkix::BasicConstraints;
use x509_cert::name::Name;

use crate::{Result, SignError};

/// A name as people read it: "CN, O" (the verifier's rule, one for the whole crate).
pub fn display_name(name: &Name) -> String {
    crate::verify::certs::display_name(name)
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
