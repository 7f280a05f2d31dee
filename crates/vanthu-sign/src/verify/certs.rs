//! Certificates and CRLs as the verifier holds them: parsed once, with the signed bytes kept, the
//! extensions that matter decoded, and the summary shown to the clerk ([`CertInfo`], [`CrlInfo`]).
//!
//! Names are compared by a normalised key (attribute types, values decoded from any string type,
//! case and spacing folded), the comparison RFC 5280 §7.1 asks for in practice; the raw DER would
//! miss a CA that writes its name as UTF8String in one place and PrintableString in another.

use std::collections::HashMap;
use std::ops::Range;

use const_oid::ObjectIdentifier;
use der::{Decode, Tagged};
use time::OffsetDateTime;
use x509_cert::Certificate;
use x509_cert::crl::CertificateList;
use x509_cert::ext::pkix::crl::IssuingDistributionPoint;
use x509_cert::ext::pkix::name::{DistributionPointName, GeneralName};
use x509_cert::ext::pkix::{
    AuthorityKeyIdentifier, BasicConstraints, CrlDistributionPoints, ExtendedKeyUsage, KeyUsage, SubjectKeyIdentifier,
};
use x509_cert::name::Name;

use super::algorithms::{Hash, PublicKey, Scheme};
use super::asn1::{self, Children, Result, tag};
use super::{CertInfo, CrlInfo};

const CN: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.4.3");
const O: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.4.10");

const EXT_SKI: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.29.14");
const EXT_KEY_USAGE: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.29.15");
const EXT_PKUP: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.29.16");
const EXT_SAN: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.29.17");
const EXT_IAN: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.29.18");
const EXT_BASIC: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.29.19");
const EXT_CRL_NUMBER: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.29.20");
const EXT_REASON: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.29.21");
const EXT_INVALIDITY: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.29.24");
const EXT_DELTA: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.29.27");
const EXT_IDP: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.29.28");
const EXT_CERT_ISSUER: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.29.29");
const EXT_CRL_DP: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.29.31");
const EXT_POLICIES: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.29.32");
const EXT_POLICY_MAPPINGS: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.29.33");
const EXT_AKI: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.29.35");
const EXT_POLICY_CONSTRAINTS: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.29.36");
const EXT_EKU: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.29.37");
const EXT_FRESHEST: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.29.46");
const EXT_INHIBIT_ANY: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.29.54");
const EXT_AIA: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.6.1.5.5.7.1.1");
const EXT_QC: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.6.1.5.5.7.1.3");
const EXT_SIA: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.6.1.5.5.7.1.11");
const EXT_OCSP_NOCHECK: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.6.1.5.5.7.48.1.5");

/// Extensions we understand (or may ignore safely) when they are marked critical.
const CERT_EXTENSIONS_HANDLED: &[ObjectIdentifier] = &[
    EXT_SKI,
    EXT_KEY_USAGE,
    EXT_PKUP,
    EXT_SAN,
    EXT_IAN,
    EXT_BASIC,
    EXT_CRL_DP,
    EXT_POLICIES,
    EXT_POLICY_MAPPINGS,
    EXT_AKI,
    EXT_POLICY_CONSTRAINTS,
    EXT_EKU,
    EXT_FRESHEST,
    EXT_INHIBIT_ANY,
    EXT_AIA,
    EXT_QC,
    EXT_SIA,
    EXT_OCSP_NOCHECK,
];

/// A certificate, parsed, with the bytes its issuer signed.
#[derive(Debug)]
pub(crate) struct Cert {
    pub der: Vec<u8>,
    pub cert: Certificate,
    tbs: Range<usize>,
    pub sha256: Vec<u8>,
    pub info: CertInfo,
    pub subject_key: String,
    pub issuer_key: String,
    pub ski: Option<Vec<u8>>,
    pub aki: Option<Vec<u8>>,
    pub basic: Option<BasicConstraints>,
    pub key_usage: Option<KeyUsage>,
    pub eku: Option<Vec<ObjectIdentifier>>,
    /// Extensions that make the certificate unusable on a path (undecodable, unknown critical).
    pub ext_problems: Vec<String>,
    pub key: std::result::Result<PublicKey, String>,
}

impl Cert {
    /// Parses one DER certificate (exactly, no trailing bytes).
    pub fn from_der(der: &[u8]) -> Result<Cert> {
        let outer = asn1::parse_one(der, tag::SEQUENCE, "chứng thư số")?;
        let mut parts = Children::of(outer, "chứng thư số");
        let tbs_tlv = parts.expect(tag::SEQUENCE, "tbsCertificate")?;
        let start = tbs_tlv.raw.as_ptr() as usize - der.as_ptr() as usize;
        let tbs = start..start + tbs_tlv.raw.len();
        let cert = Certificate::from_der(der).map_err(|e| format!("chứng thư số không đọc được: {e}"))?;
        let tbs_cert = &cert.tbs_certificate;
        let validity = &tbs_cert.validity;
        let not_before = x509_time(validity.not_before)?;
        let not_after = x509_time(validity.not_after)?;
        let mut ski = None;
        let mut aki = None;
        let mut basic = None;
        let mut key_usage = None;
        let mut eku = None;
        let mut crl_urls = Vec::new();
        let mut ext_problems = Vec::new();
        let mut seen = Vec::new();
        for ext in tbs_cert.extensions.iter().flatten() {
            if seen.contains(&ext.extn_id) {
                ext_problems.push(format!("phần mở rộng {} xuất hiện hai lần", ext.extn_id));
                continue;
            }
            seen.push(ext.extn_id);
            let bytes = ext.extn_value.as_bytes();
            let broken = |e: der::Error| format!("phần mở rộng {} hỏng: {e}", ext.extn_id);
            let decoded: std::result::Result<(), String> = match ext.extn_id {
                EXT_SKI => {
                    SubjectKeyIdentifier::from_der(bytes).map(|v| ski = Some(v.0.as_bytes().to_vec())).map_err(broken)
                }
                EXT_AKI => AuthorityKeyIdentifier::from_der(bytes)
                    .map(|v| aki = v.key_identifier.map(|k| k.as_bytes().to_vec()))
                    .map_err(broken),
                EXT_BASIC => BasicConstraints::from_der(bytes).map(|v| basic = Some(v)).map_err(broken),
                EXT_KEY_USAGE => KeyUsage::from_der(bytes).map(|v| key_usage = Some(v)).map_err(broken),
                EXT_EKU => ExtendedKeyUsage::from_der(bytes).map(|v| eku = Some(v.0)).map_err(broken),
                EXT_CRL_DP => CrlDistributionPoints::from_der(bytes)
                    .map(|v| {
                        for point in v.0 {
                            if let Some(DistributionPointName::FullName(names)) = point.distribution_point {
                                for name in names {
                                    if let GeneralName::UniformResourceIdentifier(uri) = name {
                                        crl_urls.push(uri.to_string());
                                    }
                                }
                            }
                        }
                    })
                    .map_err(broken),
                id if ext.critical && !CERT_EXTENSIONS_HANDLED.contains(&id) => {
                    Err(format!("phần mở rộng bắt buộc (critical) {id} không được hỗ trợ"))
                }
                _ => Ok(()),
            };
            if let Err(problem) = decoded {
                ext_problems.push(problem);
            }
        }
        let serial = tbs_cert.serial_number.as_bytes();
        let info = CertInfo {
            subject: display_name(&tbs_cert.subject),
            issuer: display_name(&tbs_cert.issuer),
            serial: hex::encode(strip_sign_byte(serial)),
            not_before,
            not_after,
            sha256: hex::encode(Hash::Sha256.digest(&[der])),
            der: der.to_vec(),
            crl_urls,
        };
        let key = PublicKey::from_spki(&tbs_cert.subject_public_key_info);
        Ok(Cert {
            der: der.to_vec(),
            sha256: Hash::Sha256.digest(&[der]),
            subject_key: name_key(&tbs_cert.subject),
            issuer_key: name_key(&tbs_cert.issuer),
            cert,
            tbs,
            info,
            ski,
            aki,
            basic,
            key_usage,
            eku,
            ext_problems,
            key,
        })
    }

    /// The `tbsCertificate` as signed.
    pub fn tbs(&self) -> &[u8] {
        self.der.get(self.tbs.clone()).unwrap_or_default()
    }

    /// The serial number's contents octets (as in DER, with a sign byte when needed).
    pub fn serial(&self) -> &[u8] {
        self.cert.tbs_certificate.serial_number.as_bytes()
    }

    /// How the clerk sees it: the subject ("CN, O").
    pub fn label(&self) -> &str {
        &self.info.subject
    }

    /// Whether `issuer`'s key signed this certificate.
    pub fn verify_issued_by(&self, issuer: &Cert) -> Result<()> {
        let outer = &self.cert.signature_algorithm;
        if outer != &self.cert.tbs_certificate.signature {
            return Err("thuật toán chữ ký trong và ngoài chứng thư khác nhau".into());
        }
        let key = issuer.key.as_ref().map_err(Clone::clone)?;
        let signature = self.cert.signature.as_bytes().ok_or_else(|| "chữ ký của chứng thư có bit thừa".to_string())?;
        Scheme::resolve(outer, None)?.verify(key, &[self.tbs()], signature)
    }

    /// basicConstraints cA.
    pub fn is_ca(&self) -> bool {
        self.basic.as_ref().is_some_and(|b| b.ca)
    }

    /// Subject and issuer are the same name.
    pub fn self_issued(&self) -> bool {
        self.subject_key == self.issuer_key
    }
}

/// A CRL, parsed, with the bytes its issuer signed.
#[derive(Debug)]
pub(crate) struct Crl {
    pub der: Vec<u8>,
    list: CertificateList,
    tbs: Range<usize>,
    pub info: CrlInfo,
    pub issuer_key: String,
    pub this_update: OffsetDateTime,
    pub next_update: Option<OffsetDateTime>,
    /// Serial (contents octets) → revocation date.
    pub revoked: HashMap<Vec<u8>, OffsetDateTime>,
    /// Why this CRL cannot be used as a complete list (delta, indirect, partitioned by reason,
    /// unknown critical extension).
    pub unsupported: Option<String>,
    /// issuingDistributionPoint onlyContainsUserCerts / onlyContainsCACerts.
    pub only_user: bool,
    pub only_ca: bool,
}

impl Crl {
    /// Parses one DER CRL.
    pub fn from_der(der: &[u8]) -> Result<Crl> {
        let outer = asn1::parse_one(der, tag::SEQUENCE, "danh sách thu hồi (CRL)")?;
        let mut parts = Children::of(outer, "danh sách thu hồi (CRL)");
        let tbs_tlv = parts.expect(tag::SEQUENCE, "tbsCertList")?;
        let start = tbs_tlv.raw.as_ptr() as usize - der.as_ptr() as usize;
        let tbs = start..start + tbs_tlv.raw.len();
        let list =
            CertificateList::from_der(der).map_err(|e| format!("danh sách thu hồi (CRL) không đọc được: {e}"))?;
        let tbs_list = &list.tbs_cert_list;
        let this_update = x509_time(tbs_list.this_update)?;
        let next_update = tbs_list.next_update.map(x509_time).transpose()?;
        let mut unsupported = None;
        let mut only_user = false;
        let mut only_ca = false;
        for ext in tbs_list.crl_extensions.iter().flatten() {
            match ext.extn_id {
                EXT_DELTA => unsupported = Some("đây là CRL bổ sung (delta CRL)".to_string()),
                EXT_IDP => match IssuingDistributionPoint::from_der(ext.extn_value.as_bytes()) {
                    Ok(idp) => {
                        if idp.indirect_crl || idp.only_some_reasons.is_some() || idp.only_contains_attribute_certs {
                            unsupported = Some("CRL gián tiếp hoặc chỉ gồm một số lý do thu hồi".to_string());
                        }
                        only_user = idp.only_contains_user_certs;
                        only_ca = idp.only_contains_ca_certs;
                    }
                    Err(e) => unsupported = Some(format!("phần mở rộng issuingDistributionPoint hỏng: {e}")),
                },
                EXT_CRL_NUMBER | EXT_AKI | EXT_FRESHEST | EXT_AIA | EXT_IAN => {}
                id if ext.critical => {
                    unsupported = Some(format!("phần mở rộng bắt buộc (critical) {id} không được hỗ trợ"))
                }
                _ => {}
            }
        }
        let mut revoked = HashMap::new();
        for entry in tbs_list.revoked_certificates.iter().flatten() {
            for ext in entry.crl_entry_extensions.iter().flatten() {
                match ext.extn_id {
                    EXT_REASON | EXT_INVALIDITY => {}
                    EXT_CERT_ISSUER => unsupported = Some("CRL gián tiếp (certificateIssuer)".to_string()),
                    id if ext.critical => {
                        unsupported = Some(format!("phần mở rộng bắt buộc (critical) {id} trong mục thu hồi"));
                    }
                    _ => {}
                }
            }
            let date = x509_time(entry.revocation_date)?;
            let serial = entry.serial_number.as_bytes().to_vec();
            // A serial listed twice keeps its earliest date.
            let slot = revoked.entry(serial).or_insert(date);
            if date < *slot {
                *slot = date;
            }
        }
        let info = CrlInfo {
            issuer: display_name(&tbs_list.issuer),
            this_update,
            next_update,
            revoked_count: tbs_list.revoked_certificates.as_ref().map_or(0, Vec::len),
        };
        Ok(Crl {
            der: der.to_vec(),
            issuer_key: name_key(&tbs_list.issuer),
            list,
            tbs,
            info,
            this_update,
            next_update,
            revoked,
            unsupported,
            only_user,
            only_ca,
        })
    }

    /// Whether `issuer`'s key signed this CRL.
    pub fn verify_issued_by(&self, issuer: &Cert) -> Result<()> {
        let outer = &self.list.signature_algorithm;
        if outer != &self.list.tbs_cert_list.signature {
            return Err("thuật toán chữ ký trong và ngoài CRL khác nhau".into());
        }
        let key = issuer.key.as_ref().map_err(Clone::clone)?;
        let signature = self.list.signature.as_bytes().ok_or_else(|| "chữ ký của CRL có bit thừa".to_string())?;
        let tbs = self.der.get(self.tbs.clone()).unwrap_or_default();
        Scheme::resolve(outer, None)?.verify(key, &[tbs], signature)
    }
}

fn x509_time(time: x509_cert::time::Time) -> Result<OffsetDateTime> {
    let seconds =
        i64::try_from(time.to_unix_duration().as_secs()).map_err(|_| "thời gian ngoài phạm vi".to_string())?;
    OffsetDateTime::from_unix_timestamp(seconds).map_err(|_| "thời gian ngoài phạm vi".to_string())
}

/// The serial without the sign byte DER adds before a high bit.
fn strip_sign_byte(serial: &[u8]) -> &[u8] {
    match serial {
        [0, rest @ ..] if !rest.is_empty() => rest,
        _ => serial,
    }
}

/// An attribute value as text (any directory string), else its DER in hex.
fn value_text(value: &der::Any) -> String {
    asn1::directory_string(u8::from(value.tag()), value.value())
        .unwrap_or_else(|| format!("#{}", hex::encode(value.value())))
}

/// The name a clerk reads: the common names, then the organisations ("UBND xã Tân Phú, UBND xã
/// Tân Phú"); a name with neither is written out in full ("C=VN, 2.5.4.5=…").
pub(crate) fn display_name(name: &Name) -> String {
    let mut common = Vec::new();
    let mut organisation = Vec::new();
    let mut all = Vec::new();
    for rdn in &name.0 {
        for atv in rdn.0.iter() {
            let text = value_text(&atv.value);
            let short = match atv.oid.to_string().as_str() {
                "2.5.4.3" => "CN",
                "2.5.4.6" => "C",
                "2.5.4.7" => "L",
                "2.5.4.8" => "ST",
                "2.5.4.10" => "O",
                "2.5.4.11" => "OU",
                _ => "",
            };
            if atv.oid == CN {
                common.push(text.clone());
            } else if atv.oid == O {
                organisation.push(text.clone());
            }
            if short.is_empty() {
                all.push(format!("{}={text}", atv.oid));
            } else {
                all.push(format!("{short}={text}"));
            }
        }
    }
    let mut parts = common;
    for o in organisation {
        if !parts.contains(&o) {
            parts.push(o);
        }
    }
    if parts.is_empty() { all.join(", ") } else { parts.join(", ") }
}

/// The key two names are compared by: types and values, case and spacing folded.
pub(crate) fn name_key(name: &Name) -> String {
    let mut key = String::new();
    for rdn in &name.0 {
        let mut atvs: Vec<String> = rdn
            .0
            .iter()
            .map(|atv| {
                let text = value_text(&atv.value);
                let folded: Vec<String> = text.split_whitespace().map(str::to_lowercase).collect();
                format!("{}={}", atv.oid, folded.join(" "))
            })
            .collect();
        atvs.sort();
        key.push('/');
        key.push_str(&atvs.join("+"));
    }
    key
}

/// The certificates in `input`: DER, or PEM with any number of `CERTIFICATE` blocks.
pub(crate) fn certificates_from(input: &[u8]) -> Result<Vec<Cert>> {
    blocks(input, &["CERTIFICATE", "X509 CERTIFICATE"], "chứng thư số")?.iter().map(|der| Cert::from_der(der)).collect()
}

/// The CRLs in `input`: DER, or PEM with any number of `X509 CRL` blocks.
pub(crate) fn crls_from(input: &[u8]) -> Result<Vec<Crl>> {
    blocks(input, &["X509 CRL"], "danh sách thu hồi (CRL)")?.iter().map(|der| Crl::from_der(der)).collect()
}

fn blocks(input: &[u8], labels: &[&str], what: &str) -> Result<Vec<Vec<u8>>> {
    const BEGIN: &[u8] = b"-----BEGIN ";
    if input.first() == Some(&tag::SEQUENCE) {
        return Ok(vec![input.to_vec()]);
    }
    let mut found = Vec::new();
    let mut rest = input;
    while let Some(at) = find(rest, BEGIN) {
        let block = rest.get(at..).unwrap_or_default();
        let line_end = block.iter().position(|b| *b == b'\n' || *b == b'\r').unwrap_or(block.len());
        let line = String::from_utf8_lossy(block.get(BEGIN.len()..line_end).unwrap_or_default()).into_owned();
        let label = line
            .trim_end()
            .strip_suffix("-----")
            .ok_or_else(|| format!("{what}: khối PEM không đúng dạng"))?
            .to_string();
        let end_marker = format!("-----END {label}-----");
        let end = find(block, end_marker.as_bytes())
            .ok_or_else(|| format!("{what}: khối PEM \"{label}\" không có dòng kết thúc"))?;
        let whole = block.get(..end + end_marker.len()).unwrap_or_default();
        rest = block.get(end + end_marker.len()..).unwrap_or_default();
        if !labels.contains(&label.as_str()) {
            continue;
        }
        let (_, der) = der::pem::decode_vec(whole).map_err(|e| format!("{what}: khối PEM hỏng: {e}"))?;
        found.push(der);
    }
    if found.is_empty() {
        return Err(format!("{what}: không tìm thấy dữ liệu DER hay khối PEM {}", labels.join("/")));
    }
    Ok(found)
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}
