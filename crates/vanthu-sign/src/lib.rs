//! Vanthu's signatures: the organisation's key on its token, and the verdict on anyone's signature.
//!
//! Domain §7: the clerk seals outgoing documents already signed by the competent person (after
//! writing their number and date), signs digitised copies and attachments, and checks the signatures
//! of every electronic document that arrives, before registering it.
//!
//! - [`token`]: the PKCS#11 token (cryptoki): chosen by label, PIN asked per signing session and
//!   never kept, the key and its certificate found by label.
//! - [`pades`]: PAdES baseline B-B / B-T (`ETSI.CAdES.detached`, SHA-256, signingCertificateV2),
//!   always an incremental update.
//! - [`tsa`]: RFC 3161 timestamps.
//! - [`verify`]: every signature of a PDF, ours or anyone's: digest, CMS signature, coverage and
//!   later changes, path to the configured trust anchors, validity and revocation (cached CRLs).
//!
//! No database, no clock: the signing and validation times are passed in. Network access happens
//! only in [`tsa`] and when the caller asks to fetch a CRL.

#![deny(missing_docs)]

mod certs;
mod error;
pub mod fetch;
pub mod pades;
pub mod report;
pub mod token;
pub mod tsa;
pub mod verify;

pub use error::SignError;

/// The subject of a certificate (DER) as people read it: "CN, O".
pub fn certificate_subject(der: &[u8]) -> Option<String> {
    use der::Decode;
    let certificate = x509_cert::Certificate::from_der(der).ok()?;
    Some(certs::display_name(&certificate.tbs_certificate.subject))
}

/// The crate's result type.
pub type Result<T, E = SignError> = std::result::Result<T, E>;
