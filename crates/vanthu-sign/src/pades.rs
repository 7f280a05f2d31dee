//! PAdES baseline signatures (ETSI EN 319 142-1): B-B, and B-T when a timestamp authority answers.
//!
//! The flow, always an **incremental update** (the bytes given stay the exact prefix):
//! 1. [`vanthu_pdf::signature::prepare`] (on a file parsed once: [`sign_parsed`]) appends the signature field, its widgets (appearances drawn
//!    by the caller) and a `/Sig` value with a zeroed `/Contents` hole and the real `/ByteRange`;
//! 2. the two signed parts are hashed with SHA-256;
//! 3. the signed attributes are contentType, messageDigest and **signingCertificateV2** (no
//!    signingTime: PAdES takes the time from `/M`, or from the timestamp);
//! 4. the token signs their DER; with a timestamp authority configured and reachable, a token over
//!    the signature value is added as the unsigned attribute signatureTimeStampToken (B-T);
//! 5. the CMS `SignedData` (detached, signer certificate + the chain the token carries) is written as
//!    hex into the hole.
//!
//! A document timestamp ([`document_timestamp`], `/SubFilter /ETSI.RFC3161`) is how a B-B made
//! offline gets its proof of time once the link returns: one more revision over the whole file.

use cms::cert::{CertificateChoices, IssuerAndSerialNumber};
use cms::content_info::{CmsVersion, ContentInfo};
use cms::signed_data::{
    CertificateSet, EncapsulatedContentInfo, SignatureValue, SignedData, SignerIdentifier, SignerInfo, SignerInfos,
};
use const_oid::ObjectIdentifier;
use const_oid::db::{rfc5911, rfc5912};
use der::asn1::{OctetString, SetOfVec};
use der::{Any, Decode, Encode, Sequence};
use sha2::{Digest, Sha256};
use spki::AlgorithmIdentifierOwned;
use time::OffsetDateTime;
use vanthu_pdf::signature::{self as pdf_signature, Signable, SignatureRequest, SubFilter, Widget};
use x509_cert::Certificate;
use x509_cert::attr::{Attribute, AttributeValue};
use x509_cert::ext::pkix::name::GeneralName;
use x509_cert::serial_number::SerialNumber;

use crate::token::{Scheme, SigningSession};
use crate::tsa;
use crate::{Result, SignError};

/// id-aa-signatureTimeStampToken (RFC 3161 appendix A).
pub const ID_AA_SIGNATURE_TIME_STAMP_TOKEN: ObjectIdentifier =
    ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.16.2.14");

/// Room for the CMS beyond the certificates: signature, attributes, a timestamp token with its chain.
const CMS_BASE_CAPACITY: usize = 4 * 1024;
const TIMESTAMP_CAPACITY: usize = 12 * 1024;

/// Where and how the signature shows, and what it says about itself.
#[derive(Clone, Debug, Default)]
pub struct Layout {
    /// The field's name; must be new in the document.
    pub field_name: String,
    /// Its widgets (empty: an invisible signature).
    pub widgets: Vec<Widget>,
    /// A PDF whose pages are the widgets' appearances.
    pub appearance: Option<Vec<u8>>,
    /// `/Name`: the signer as shown by readers.
    pub name: Option<String>,
    /// `/Reason`.
    pub reason: Option<String>,
    /// `/Location`.
    pub location: Option<String>,
}

/// A signed PDF and what the signature holds.
#[derive(Clone, Debug)]
pub struct Signed {
    /// The signature's revision: the signed file is the input followed by these bytes (the input is
    /// not copied; write both, or hash both).
    pub revision: Vec<u8>,
    /// The signing certificate, DER.
    pub certificate: Vec<u8>,
    /// The timestamp's time when one was obtained (B-T).
    pub timestamp: Option<OffsetDateTime>,
    /// Why there is no timestamp although an authority was configured (offline): queue the upgrade.
    pub timestamp_error: Option<String>,
}

/// Sign `pdf` with the session's key at `at` (written as `/M`), with a timestamp from `tsa` when given
/// and reachable.
pub fn sign_pdf(
    pdf: &[u8],
    session: &SigningSession,
    layout: &Layout,
    at: OffsetDateTime,
    tsa: Option<&str>,
) -> Result<Signed> {
    sign_parsed(&Signable::read(pdf)?, session, layout, at, tsa)
}

/// [`sign_pdf`] on a file already parsed (whose signatures and pages the caller read to lay the
/// signature out).
pub fn sign_parsed(
    pdf: &Signable<'_>,
    session: &SigningSession,
    layout: &Layout,
    at: OffsetDateTime,
    tsa: Option<&str>,
) -> Result<Signed> {
    session.check_validity(at)?;
    let certificate = session.certificate().clone();
    let mut certificates = vec![certificate.clone()];
    for ca in session.chain() {
        if ca != certificate && !certificates.contains(&ca) {
            certificates.push(ca);
        }
    }
    let certificates_len: usize = certificates.iter().map(|c| c.to_der().map(|d| d.len()).unwrap_or(2048)).sum();
    let capacity = CMS_BASE_CAPACITY + certificates_len + if tsa.is_some() { TIMESTAMP_CAPACITY } else { 0 };
    let request = SignatureRequest {
        field_name: layout.field_name.clone(),
        subfilter: SubFilter::CadesDetached,
        signing_time: pdf_date(at),
        name: layout.name.clone(),
        reason: layout.reason.clone(),
        location: layout.location.clone(),
        widgets: layout.widgets.clone(),
        appearance: layout.appearance.as_deref(),
        contents_capacity: capacity,
    };
    let prepared = pdf.prepare(&request)?;
    let mut hasher = Sha256::new();
    for part in prepared.signed_parts() {
        hasher.update(part);
    }
    let digest = hasher.finalize();

    let signed_attributes = signed_attributes(&digest, &certificate)?;
    let signature = session.sign(&signed_attributes.to_der()?)?;
    let (unsigned, timestamp, timestamp_error) = match tsa {
        None => (None, None, None),
        Some(url) => match tsa::timestamp(url, &signature) {
            Ok(stamp) => {
                let attribute = attribute(ID_AA_SIGNATURE_TIME_STAMP_TOKEN, Any::from_der(&stamp.token)?)?;
                (Some(SetOfVec::try_from(vec![attribute])?), Some(stamp.time), None)
            }
            Err(error) => (None, None, Some(error.to_string())),
        },
    };
    let signer_info = SignerInfo {
        version: CmsVersion::V1,
        sid: SignerIdentifier::IssuerAndSerialNumber(IssuerAndSerialNumber {
            issuer: certificate.tbs_certificate.issuer.clone(),
            serial_number: certificate.tbs_certificate.serial_number.clone(),
        }),
        digest_alg: sha256_algorithm(),
        signed_attrs: Some(signed_attributes),
        signature_algorithm: signature_algorithm(session.scheme())?,
        signature: SignatureValue::new(signature)?,
        unsigned_attrs: unsigned,
    };
    let cms = signed_data(signer_info, &certificates)?;
    let revision = prepared.embed_update(&cms)?;
    Ok(Signed { revision, certificate: certificate.to_der()?, timestamp, timestamp_error })
}

/// Append a document timestamp (`/Type /DocTimeStamp`, `ETSI.RFC3161`) over the whole file: the
/// upgrade of signatures made offline, once the timestamp authority can be reached.
pub fn document_timestamp(pdf: &[u8], field_name: &str, tsa_url: &str) -> Result<(Vec<u8>, OffsetDateTime)> {
    let request = SignatureRequest {
        field_name: field_name.to_string(),
        subfilter: SubFilter::Rfc3161,
        signing_time: String::new(),
        name: None,
        reason: None,
        location: None,
        widgets: Vec::new(),
        appearance: None,
        contents_capacity: TIMESTAMP_CAPACITY,
    };
    let prepared = pdf_signature::prepare(pdf, &request)?;
    let mut data = Vec::new();
    for part in prepared.signed_parts() {
        data.extend_from_slice(part);
    }
    let stamp = tsa::timestamp(tsa_url, &data)?;
    Ok((prepared.embed(&stamp.token)?, stamp.time))
}

/// `D:YYYYMMDDHHmmSS+07'00'`: the PDF date of `at` in Vietnam time.
pub fn pdf_date(at: OffsetDateTime) -> String {
    let at = at.to_offset(time::macros::offset!(+7));
    format!(
        "D:{:04}{:02}{:02}{:02}{:02}{:02}+07'00'",
        at.year(),
        u8::from(at.month()),
        at.day(),
        at.hour(),
        at.minute(),
        at.second()
    )
}

fn sha256_algorithm() -> AlgorithmIdentifierOwned {
    AlgorithmIdentifierOwned { oid: rfc5912::ID_SHA_256, parameters: None }
}

fn signature_algorithm(scheme: Scheme) -> Result<AlgorithmIdentifierOwned> {
    Ok(match scheme {
        Scheme::RsaPkcs1v15 => AlgorithmIdentifierOwned { oid: rfc5912::RSA_ENCRYPTION, parameters: Some(Any::null()) },
        Scheme::RsaPss => rsa::pss::get_default_pss_signature_algo_id::<Sha256>()
            .map_err(|error| SignError::Encoding(error.to_string()))?,
        Scheme::EcdsaP256 => AlgorithmIdentifierOwned { oid: rfc5912::ECDSA_WITH_SHA_256, parameters: None },
    })
}

fn attribute(oid: ObjectIdentifier, value: Any) -> Result<Attribute> {
    let values: SetOfVec<AttributeValue> = SetOfVec::try_from(vec![value])?;
    Ok(Attribute { oid, values })
}

/// ESS `SigningCertificateV2` (RFC 5035) with one `ESSCertIDv2`; hashAlgorithm is the default SHA-256.
#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
struct SigningCertificateV2 {
    certs: Vec<EssCertIdV2>,
}

#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
struct EssCertIdV2 {
    cert_hash: OctetString,
    issuer_serial: Option<IssuerSerial>,
}

#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
struct IssuerSerial {
    issuer: Vec<GeneralName>,
    serial_number: SerialNumber,
}

fn signed_attributes(digest: &[u8], certificate: &Certificate) -> Result<SetOfVec<Attribute>> {
    let certificate_hash = Sha256::digest(certificate.to_der()?);
    let essential = SigningCertificateV2 {
        certs: vec![EssCertIdV2 {
            cert_hash: OctetString::new(certificate_hash.to_vec())?,
            issuer_serial: Some(IssuerSerial {
                issuer: vec![GeneralName::DirectoryName(certificate.tbs_certificate.issuer.clone())],
                serial_number: certificate.tbs_certificate.serial_number.clone(),
            }),
        }],
    };
    let attributes = vec![
        attribute(rfc5911::ID_CONTENT_TYPE, Any::encode_from(&rfc5911::ID_DATA)?)?,
        attribute(rfc5911::ID_MESSAGE_DIGEST, Any::encode_from(&OctetString::new(digest.to_vec())?)?)?,
        attribute(rfc5911::ID_AA_SIGNING_CERTIFICATE_V_2, Any::encode_from(&essential)?)?,
    ];
    Ok(SetOfVec::try_from(attributes)?)
}

fn signed_data(signer_info: SignerInfo, certificates: &[Certificate]) -> Result<Vec<u8>> {
    let choices: Vec<CertificateChoices> = certificates.iter().cloned().map(CertificateChoices::Certificate).collect();
    let signed = SignedData {
        version: CmsVersion::V1,
        digest_algorithms: SetOfVec::try_from(vec![sha256_algorithm()])?,
        encap_content_info: EncapsulatedContentInfo { econtent_type: rfc5911::ID_DATA, econtent: None },
        certificates: Some(CertificateSet(SetOfVec::try_from(choices)?)),
        crls: None,
        signer_infos: SignerInfos(SetOfVec::try_from(vec![signer_info])?),
    };
    let info = ContentInfo { content_type: rfc5911::ID_SIGNED_DATA, content: Any::encode_from(&signed)? };
    Ok(info.to_der()?)
}
