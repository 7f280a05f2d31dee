//! The verdict on one CMS signature of a PDF: integrity, the signer's signature, the time it was
//! made, and the path from the signer to the organisation's configured trust (domain §7, Circular
//! 15/2025: signer, time, integrity and trust path reported in Vietnamese).
//!
//! A bad signature is a *verdict*, never an error: [`verify_cms`] always returns a [`CmsVerdict`]
//! whose `problems` say, in sentences, what failed. Hostile bytes (garbage DER, huge lengths, deep
//! nesting) end up there too; nothing panics.
//!
//! - [`asn1`]: raw DER walking, BER → DER, times, directory strings.
//! - [`algorithms`]: digests, keys, RSA PKCS#1 v1.5 / RSA-PSS / ECDSA P-256, P-384.
//! - [`certs`]: certificates and CRLs as held by the [`TrustStore`].
//! - [`cms`]: SignedData, SignerInfo, signed attributes, ESS, RFC 3161 tokens.
//! - [`trust`]: path building to an anchor, certificate checks, revocation by cached CRLs.
//!
//! No clock and no network: `now` is a parameter and CRLs are those the store was given.

mod algorithms;
mod asn1;
pub(crate) mod certs;
mod cms;
mod trust;

use std::sync::Arc;

use serde::Serialize;
use time::OffsetDateTime;

use self::certs::{Cert, Crl};
use crate::SignError;

/// The organisation's configured trust: anchors (imported CA certificates, the government CA roots),
/// extra intermediates, and cached CRLs (fetched while online, used offline).
///
/// Certificates are taken as given when added; validity, constraints and a CRL's signature are
/// checked when a signature is verified, against its issuer on the path.
#[derive(Clone, Debug, Default)]
pub struct TrustStore {
    anchors: Vec<Arc<Cert>>,
    intermediates: Vec<Arc<Cert>>,
    crls: Vec<Arc<Crl>>,
}

impl TrustStore {
    /// An empty store: nothing is trusted.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds trust anchors: one DER certificate, or PEM with any number of `CERTIFICATE` blocks
    /// (all are added; the first one's summary is returned). A certificate already there is kept once.
    pub fn add_anchor(&mut self, der_or_pem: &[u8]) -> crate::Result<CertInfo> {
        add_certs(&mut self.anchors, der_or_pem)
    }

    /// Adds intermediate CA certificates used to complete paths (same input forms as
    /// [`TrustStore::add_anchor`]). They confer no trust by themselves.
    pub fn add_intermediate(&mut self, der_or_pem: &[u8]) -> crate::Result<CertInfo> {
        add_certs(&mut self.intermediates, der_or_pem)
    }

    /// Adds cached CRLs: DER, or PEM with any number of `X509 CRL` blocks (the first one's summary
    /// is returned). The CRL's signature is checked at use time against its issuer.
    pub fn add_crl(&mut self, der_or_pem: &[u8]) -> crate::Result<CrlInfo> {
        let crls = certs::crls_from(der_or_pem).map_err(SignError::Encoding)?;
        let first = crls.first().map(|c| c.info.clone());
        for crl in crls {
            if !self.crls.iter().any(|c| c.der == crl.der) {
                self.crls.push(Arc::new(crl));
            }
        }
        first.ok_or_else(|| SignError::Encoding("không có CRL nào".into()))
    }

    /// The anchors, as configured.
    pub fn anchors(&self) -> Vec<CertInfo> {
        self.anchors.iter().map(|c| c.info.clone()).collect()
    }

    /// The intermediates, as configured.
    pub fn intermediates(&self) -> Vec<CertInfo> {
        self.intermediates.iter().map(|c| c.info.clone()).collect()
    }

    /// The cached CRLs.
    pub fn crls(&self) -> Vec<CrlInfo> {
        self.crls.iter().map(|c| c.info.clone()).collect()
    }

    /// Anchors and intermediates: where a signer's certificate is looked up when the signature
    /// does not carry it.
    pub(crate) fn known_certs(&self) -> Vec<Arc<Cert>> {
        self.intermediates.iter().chain(self.anchors.iter()).cloned().collect()
    }
}

/// Every certificate in `der_or_pem` (one DER certificate, or PEM with any number of `CERTIFICATE`
/// blocks) as the clerk sees it, without trusting any of them.
pub fn read_certificates(der_or_pem: &[u8]) -> crate::Result<Vec<CertInfo>> {
    let found = certs::certificates_from(der_or_pem).map_err(SignError::Encoding)?;
    if found.is_empty() {
        return Err(SignError::Encoding("không có chứng thư nào".into()));
    }
    Ok(found.into_iter().map(|cert| cert.info).collect())
}

fn add_certs(into: &mut Vec<Arc<Cert>>, der_or_pem: &[u8]) -> crate::Result<CertInfo> {
    let found = certs::certificates_from(der_or_pem).map_err(SignError::Encoding)?;
    let first = found.first().map(|c| c.info.clone());
    for cert in found {
        if !into.iter().any(|c| c.sha256 == cert.sha256) {
            into.push(Arc::new(cert));
        }
    }
    first.ok_or_else(|| SignError::Encoding("không có chứng thư nào".into()))
}

/// A certificate as the clerk sees it (and as kept for later proof: the DER).
#[derive(Serialize, Clone, Debug, PartialEq, Eq)]
pub struct CertInfo {
    /// Common name(s), then organisation(s) not already said: "Nguyễn Văn Đức, UBND xã Tân Phú".
    pub subject: String,
    /// The issuer, written the same way.
    pub issuer: String,
    /// The serial number, hex.
    pub serial: String,
    /// Start of validity.
    #[serde(with = "time::serde::rfc3339")]
    pub not_before: OffsetDateTime,
    /// End of validity.
    #[serde(with = "time::serde::rfc3339")]
    pub not_after: OffsetDateTime,
    /// SHA-256 of the DER, hex.
    pub sha256: String,
    /// The certificate's DER (not serialised).
    #[serde(skip)]
    pub der: Vec<u8>,
    /// Its CRL distribution points (URLs), for fetching while online.
    pub crl_urls: Vec<String>,
}

/// A cached CRL as the clerk sees it.
#[derive(Serialize, Clone, Debug, PartialEq, Eq)]
pub struct CrlInfo {
    /// The CA that issued it.
    pub issuer: String,
    /// When it was issued.
    #[serde(with = "time::serde::rfc3339")]
    pub this_update: OffsetDateTime,
    /// When the next one is due.
    #[serde(with = "time::serde::rfc3339::option")]
    pub next_update: Option<OffsetDateTime>,
    /// How many certificates it lists.
    pub revoked_count: usize,
}

/// One CMS signature over given bytes.
#[derive(Clone, Copy, Debug)]
pub struct CmsInput<'a> {
    /// The PDF's /SubFilter: `adbe.pkcs7.detached`, `ETSI.CAdES.detached`, `adbe.pkcs7.sha1`, or
    /// `ETSI.RFC3161` (a document timestamp); a leading `/` is accepted.
    pub subfilter: &'a str,
    /// The /Contents bytes: DER (or BER), possibly followed by zero padding.
    pub cms: &'a [u8],
    /// The byte-range parts, in order.
    pub signed: &'a [&'a [u8]],
}

/// Where the signing time comes from.
#[derive(Serialize, Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum TimeSource {
    /// A valid RFC 3161 timestamp token (trusted TSA).
    Timestamp,
    /// The signer's own signingTime signed attribute.
    SignedAttribute,
    /// The time the PDF claims (/M), given by the caller.
    Claimed,
    /// None: the certificates were checked at the verification time.
    #[default]
    None,
}

/// An RFC 3161 timestamp token and what it proves.
#[derive(Serialize, Clone, Debug)]
pub struct TimestampInfo {
    /// The TSA's certificate.
    pub tsa: Option<CertInfo>,
    /// The time the TSA vouches for.
    #[serde(with = "time::serde::rfc3339")]
    pub gen_time: OffsetDateTime,
    /// The messageImprint is the hash of the timestamped bytes (the signature value; for a
    /// document timestamp, the signed byte ranges).
    pub imprint_ok: bool,
    /// The token's own CMS verifies (messageDigest and the TSA's signature).
    pub signature_ok: bool,
    /// The TSA's certificate path, at genTime.
    pub trust: TrustVerdict,
    /// The TSA's path, TSA first.
    pub chain: Vec<CertInfo>,
    /// All of the above: the time can be relied on.
    pub valid: bool,
}

/// The trust path verdict.
#[derive(Serialize, Clone, Debug, Default, PartialEq, Eq)]
pub struct TrustVerdict {
    /// A path to an anchor, every certificate valid at the signing time, none revoked, every
    /// constraint met. (Revocation unknown does not by itself make it false: see
    /// `revocation_checked`.)
    pub trusted: bool,
    /// A path to a configured anchor was built.
    pub path_found: bool,
    /// A certificate of the path had expired at the signing time.
    pub expired_at_signing: bool,
    /// A certificate of the path was not yet valid at the signing time.
    pub not_yet_valid: bool,
    /// The earliest revocation date, when a certificate of the path was revoked at the signing time.
    #[serde(with = "time::serde::rfc3339::option")]
    pub revoked: Option<OffsetDateTime>,
    /// Every certificate below the anchor was checked against a current CRL from the store.
    pub revocation_checked: bool,
    /// Why it is not trusted, in Vietnamese.
    pub reason: Option<String>,
}

/// The verdict on one CMS signature.
#[derive(Serialize, Clone, Debug)]
pub struct CmsVerdict {
    /// The messageDigest attribute (or, for `adbe.pkcs7.sha1`, the encapsulated SHA-1; for a
    /// document timestamp, the messageImprint) equals the digest of the signed parts. Without
    /// signed attributes the signature itself is the integrity check: then equal to `signature_ok`.
    pub digest_ok: bool,
    /// The signer's signature over the signed attributes (or content) verifies with the signer
    /// certificate's key, and the signed attributes are sound (contentType right, ESS certificate
    /// reference naming that certificate).
    pub signature_ok: bool,
    /// "RSA PKCS#1 v1.5 / SHA-256", "RSA-PSS / SHA-256", "ECDSA P-256 / SHA-256".
    pub algorithm: String,
    /// The signer's certificate (the TSA's, for a document timestamp).
    pub signer: Option<CertInfo>,
    /// Signer first, up to and including the anchor when found.
    pub chain: Vec<CertInfo>,
    /// From a valid timestamp token, else the signingTime attribute, else the claimed time.
    #[serde(with = "time::serde::rfc3339::option")]
    pub signing_time: Option<OffsetDateTime>,
    /// Where `signing_time` comes from.
    pub time_source: TimeSource,
    /// The signature timestamp token (id-aa-signatureTimeStampToken), if any.
    pub timestamp: Option<TimestampInfo>,
    /// The trust path verdict.
    pub trust: TrustVerdict,
    /// Vietnamese sentences, each a reason something failed (or could not be checked).
    pub problems: Vec<String>,
}

impl CmsVerdict {
    fn failed(problem: String) -> CmsVerdict {
        let mut verdict = CmsVerdict::empty();
        verdict.trust.reason = Some(problem.clone());
        verdict.problems.push(problem);
        verdict
    }

    fn empty() -> CmsVerdict {
        CmsVerdict {
            digest_ok: false,
            signature_ok: false,
            algorithm: String::new(),
            signer: None,
            chain: Vec::new(),
            signing_time: None,
            time_source: TimeSource::None,
            timestamp: None,
            trust: TrustVerdict::default(),
            problems: Vec::new(),
        }
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Detached,
    Sha1,
    DocumentTimestamp,
}

/// Verifies one CMS signature over `input.signed`, against `trust`, at `now`. `claimed_time` is
/// the PDF's /M, used as the signing time when neither a valid timestamp nor a signingTime
/// attribute gives one.
pub fn verify_cms(
    input: &CmsInput<'_>,
    trust: &TrustStore,
    now: OffsetDateTime,
    claimed_time: Option<OffsetDateTime>,
) -> CmsVerdict {
    let subfilter = input.subfilter.trim().trim_start_matches('/');
    let kind = match subfilter {
        "adbe.pkcs7.detached" | "ETSI.CAdES.detached" => Kind::Detached,
        "adbe.pkcs7.sha1" => Kind::Sha1,
        "ETSI.RFC3161" => Kind::DocumentTimestamp,
        other => {
            return CmsVerdict::failed(format!("Kiểu chữ ký (SubFilter) \"{other}\" không được hỗ trợ"));
        }
    };
    if input.cms.iter().all(|b| *b == 0) {
        return CmsVerdict::failed("Chữ ký trống: trường /Contents không chứa dữ liệu".into());
    }
    let (der, used) = match asn1::ber_to_der(input.cms) {
        Ok(parsed) => parsed,
        Err(error) => return CmsVerdict::failed(format!("Không đọc được dữ liệu chữ ký CMS: {error}")),
    };
    let mut problems = Vec::new();
    let trailing = input.cms.get(used..).unwrap_or_default();
    if trailing.iter().any(|b| *b != 0) {
        problems.push(format!("Có {} byte dữ liệu lạ sau khối chữ ký CMS", trailing.len()));
    }
    if kind == Kind::DocumentTimestamp {
        let mut verdict = document_timestamp(&der, input.signed, trust, now, claimed_time);
        problems.append(&mut verdict.problems);
        verdict.problems = problems;
        return verdict;
    }
    let sd = match cms::parse_content_info(&der) {
        Ok(sd) => sd,
        Err(error) => return CmsVerdict::failed(format!("Không đọc được chữ ký CMS: {error}")),
    };
    problems.extend(sd.problems.iter().cloned());
    let Some(first) = sd.signer_infos.first() else {
        return CmsVerdict::failed("Chữ ký CMS không có người ký (SignerInfo)".into());
    };
    if sd.signer_infos.len() > 1 {
        problems.push(format!(
            "Chữ ký CMS có {} người ký (SignerInfo); chỉ kiểm tra người ký đầu tiên",
            sd.signer_infos.len()
        ));
    }
    let si = match cms::parse_signer_info(*first) {
        Ok(si) => si,
        Err(error) => return CmsVerdict::failed(format!("Không đọc được thông tin người ký: {error}")),
    };
    let known = trust.known_certs();
    let (check, content_ok) = match kind {
        Kind::Sha1 => match sd.econtent {
            Some(econtent) => {
                let ok = algorithms::Hash::Sha1.digest(input.signed) == econtent;
                if !ok {
                    problems.push(
                        "Mã băm SHA-1 đóng gói trong chữ ký không khớp với nội dung được ký: tài liệu đã bị thay đổi sau khi ký"
                            .into(),
                    );
                }
                (cms::check_signer(&sd, &si, &[econtent], &known), ok)
            }
            None => {
                problems.push("Chữ ký adbe.pkcs7.sha1 không chứa mã băm SHA-1 đóng gói".into());
                (cms::check_signer(&sd, &si, input.signed, &known), false)
            }
        },
        _ => {
            let detached = sd.econtent.is_none();
            if !detached {
                problems.push("Chữ ký kiểu tách rời (detached) nhưng lại chứa nội dung đóng gói".into());
            }
            (cms::check_signer(&sd, &si, input.signed, &known), detached)
        }
    };
    problems.extend(check.problems.iter().cloned());
    let mut verdict = CmsVerdict::empty();
    verdict.digest_ok = check.digest_ok && content_ok;
    verdict.signature_ok = check.signature_ok;
    verdict.algorithm = check.algorithm.clone();
    verdict.signer = check.signer.as_ref().map(|c| c.info.clone());

    // The signature timestamp: the first token of the first id-aa-signatureTimeStampToken.
    let tokens: Vec<_> = si.unsigned_attrs.iter().filter(|a| a.oid == cms::ATTR_TIMESTAMP_TOKEN).collect();
    if let Some(attr) = tokens.first() {
        if tokens.len() > 1 || attr.values.len() > 1 {
            problems.push("Chữ ký có nhiều dấu thời gian; chỉ kiểm tra dấu thời gian đầu tiên".into());
        }
        match attr.values.first() {
            Some(token) => match cms::check_timestamp_token(token.raw, &[si.signature], trust, now) {
                Ok(token) => {
                    if !token.info.valid {
                        problems.push("Dấu thời gian của chữ ký không hợp lệ hoặc không được tin cậy; không dùng làm thời điểm ký".into());
                    }
                    problems.extend(token.problems.iter().map(|p| format!("Dấu thời gian: {p}")));
                    verdict.timestamp = Some(token.info);
                }
                Err(error) => problems.push(format!("Không đọc được dấu thời gian của chữ ký: {error}")),
            },
            None => problems.push("Thuộc tính dấu thời gian không có giá trị".into()),
        }
    }

    let (signing_time, source) = match (&verdict.timestamp, check.signing_time, claimed_time) {
        (Some(ts), _, _) if ts.valid => (Some(ts.gen_time), TimeSource::Timestamp),
        (_, Some(time), _) => (Some(time), TimeSource::SignedAttribute),
        (_, None, Some(time)) => (Some(time), TimeSource::Claimed),
        _ => (None, TimeSource::None),
    };
    verdict.signing_time = signing_time;
    verdict.time_source = source;
    if let Some(time) = signing_time
        && now.checked_add(time::Duration::minutes(5)).is_some_and(|limit| time > limit)
    {
        problems.push(format!("Thời điểm ký ({}) ở sau thời điểm kiểm tra ({})", vn_time(time), vn_time(now)));
    }

    match &check.signer {
        Some(signer) => {
            let evaluation = trust::evaluate(
                signer,
                &sd.certs,
                trust,
                signing_time,
                source == TimeSource::Timestamp,
                now,
                trust::Purpose::Signing,
            );
            problems.extend(evaluation.problems);
            verdict.trust = evaluation.verdict;
            verdict.chain = evaluation.chain.iter().map(|c| c.info.clone()).collect();
        }
        None => {
            verdict.trust.reason = Some("Không tìm thấy chứng thư của người ký".into());
        }
    }
    verdict.problems = problems;
    verdict
}

/// An `ETSI.RFC3161` document timestamp: the CMS is a token over the byte ranges.
fn document_timestamp(
    der: &[u8],
    signed: &[&[u8]],
    trust: &TrustStore,
    now: OffsetDateTime,
    claimed_time: Option<OffsetDateTime>,
) -> CmsVerdict {
    let token = match cms::check_timestamp_token(der, signed, trust, now) {
        Ok(token) => token,
        Err(error) => return CmsVerdict::failed(format!("Không đọc được dấu thời gian tài liệu: {error}")),
    };
    let valid = token.info.valid;
    let (signing_time, time_source) = if valid {
        (Some(token.info.gen_time), TimeSource::Timestamp)
    } else if let Some(claimed) = claimed_time {
        (Some(claimed), TimeSource::Claimed)
    } else {
        (None, TimeSource::None)
    };
    CmsVerdict {
        digest_ok: token.info.imprint_ok && token.token_digest_ok,
        signature_ok: token.token_signature_ok,
        algorithm: token.algorithm,
        signer: token.signer.as_ref().map(|c| c.info.clone()),
        chain: token.chain.iter().map(|c| c.info.clone()).collect(),
        signing_time,
        time_source,
        trust: token.info.trust.clone(),
        timestamp: Some(token.info),
        problems: token.problems,
    }
}

/// A time as a clerk reads it: Vietnam time, dd/mm/yyyy hh:mm:ss.
pub(crate) fn vn_time(at: OffsetDateTime) -> String {
    let at = at.checked_to_offset(time::macros::offset!(+7)).unwrap_or(at);
    format!(
        "{:02}/{:02}/{:04} {:02}:{:02}:{:02}",
        at.day(),
        u8::from(at.month()),
        at.year(),
        at.hour(),
        at.minute(),
        at.second()
    )
}
