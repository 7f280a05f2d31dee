//! CMS SignedData (RFC 5652) as a PDF signature carries it, and the RFC 3161 timestamp tokens in it.
//!
//! The outer structure is walked by hand ([`super::asn1`]) so that the signed attributes are
//! verified as the bytes that were signed (the `[0] IMPLICIT` tag turned back into SET, RFC 5652
//! §5.4) and so that one unreadable certificate in the bag does not hide the signature; the pieces
//! whose bytes do not matter (SignerIdentifier, AlgorithmIdentifier, certificates) are decoded with
//! the `cms`/`x509-cert` types.
//!
//! Checked for one SignerInfo: its digest algorithm, contentType and messageDigest, the ESS
//! signingCertificateV2 (or v1) against the certificate found, and the signature with that
//! certificate's key. Everything wrong becomes a sentence; nothing here panics.

use std::sync::Arc;

use cms::signed_data::SignerIdentifier;
use const_oid::ObjectIdentifier;
use der::Decode;
use spki::AlgorithmIdentifierOwned;
use time::OffsetDateTime;

use super::algorithms::{Hash, Scheme};
use super::asn1::{self, Children, Result, Tlv, tag};
use super::certs::{Cert, name_key};
use super::trust::{self, Purpose};
use super::{CertInfo, TimestampInfo, TrustStore, TrustVerdict};

pub(crate) const ID_DATA: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.7.1");
const ID_SIGNED_DATA: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.7.2");
const ID_CT_TST_INFO: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.16.1.4");
const ATTR_CONTENT_TYPE: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.3");
const ATTR_MESSAGE_DIGEST: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.4");
const ATTR_SIGNING_TIME: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.5");
const ATTR_SIGNING_CERT: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.16.2.12");
const ATTR_SIGNING_CERT_V2: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.16.2.47");
/// id-aa-signatureTimeStampToken.
pub(crate) const ATTR_TIMESTAMP_TOKEN: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.16.2.14");

/// Certificates read from one SignedData at most (a signature carries a handful).
const MAX_CERTS: usize = 100;

/// A SignedData, walked.
pub(crate) struct SignedData<'a> {
    pub econtent_type: ObjectIdentifier,
    /// The encapsulated content's octets, when not detached.
    pub econtent: Option<&'a [u8]>,
    /// The certificates that could be read.
    pub certs: Vec<Arc<Cert>>,
    /// The SignerInfos, unparsed.
    pub signer_infos: Vec<Tlv<'a>>,
    /// What was skipped (unreadable certificates).
    pub problems: Vec<String>,
}

/// Reads a DER ContentInfo holding a SignedData.
pub(crate) fn parse_content_info(der: &[u8]) -> Result<SignedData<'_>> {
    let outer = asn1::parse_one(der, tag::SEQUENCE, "ContentInfo")?;
    let mut parts = Children::of(outer, "ContentInfo");
    let content_type = asn1::oid(parts.expect(tag::OID, "contentType")?)?;
    if content_type != ID_SIGNED_DATA {
        return Err(format!("ContentInfo không chứa SignedData (contentType {content_type})"));
    }
    let explicit = parts.expect(tag::CTX0, "content")?;
    parts.finish()?;
    let signed = asn1::parse_one(explicit.value, tag::SEQUENCE, "SignedData")?;
    let mut fields = Children::of(signed, "SignedData");
    fields.expect(tag::INTEGER, "version")?;
    fields.expect(tag::SET, "digestAlgorithms")?;
    let encap = fields.expect(tag::SEQUENCE, "encapContentInfo")?;
    let mut encap_fields = Children::of(encap, "encapContentInfo");
    let econtent_type = asn1::oid(encap_fields.expect(tag::OID, "eContentType")?)?;
    let econtent = match encap_fields.optional(tag::CTX0)? {
        Some(wrapper) => Some(asn1::parse_one(wrapper.value, tag::OCTET_STRING, "eContent")?.value),
        None => None,
    };
    encap_fields.finish()?;
    let mut certs = Vec::new();
    let mut problems = Vec::new();
    if let Some(bag) = fields.optional(tag::CTX0)? {
        let mut items = Children::of(bag, "certificates");
        while let Some(item) = items.next_tlv()? {
            if item.tag != tag::SEQUENCE {
                continue; // attribute certificates and other formats: not ours to use
            }
            if certs.len() >= MAX_CERTS {
                problems.push(format!("Chữ ký mang quá nhiều chứng thư; chỉ đọc {MAX_CERTS} chứng thư đầu"));
                break;
            }
            match Cert::from_der(item.raw) {
                Ok(cert) => certs.push(Arc::new(cert)),
                Err(error) => problems.push(format!("Bỏ qua một chứng thư không đọc được trong chữ ký: {error}")),
            }
        }
    }
    fields.optional(tag::CTX1)?;
    let infos = fields.expect(tag::SET, "signerInfos")?;
    fields.finish()?;
    let mut signer_infos = Vec::new();
    let mut items = Children::of(infos, "signerInfos");
    while let Some(item) = items.next_tlv()? {
        signer_infos.push(item);
    }
    Ok(SignedData { econtent_type, econtent, certs, signer_infos, problems })
}

/// One attribute: its type and values.
pub(crate) struct Attr<'a> {
    pub oid: ObjectIdentifier,
    pub values: Vec<Tlv<'a>>,
}

fn parse_attrs(tlv: Tlv<'_>) -> Result<Vec<Attr<'_>>> {
    let mut attrs = Vec::new();
    let mut items = Children::of(tlv, "thuộc tính");
    while let Some(item) = items.next_tlv()? {
        if item.tag != tag::SEQUENCE {
            return Err("thuộc tính không phải SEQUENCE".into());
        }
        let mut parts = Children::of(item, "thuộc tính");
        let oid = asn1::oid(parts.expect(tag::OID, "attrType")?)?;
        let set = parts.expect(tag::SET, "attrValues")?;
        parts.finish()?;
        let mut values = Vec::new();
        let mut members = Children::of(set, "attrValues");
        while let Some(value) = members.next_tlv()? {
            values.push(value);
        }
        attrs.push(Attr { oid, values });
    }
    Ok(attrs)
}

/// A SignerInfo, walked; `signed_attrs` keeps the `[0]` element as it was encoded.
pub(crate) struct SignerInfo<'a> {
    pub sid: SignerIdentifier,
    pub digest_alg: AlgorithmIdentifierOwned,
    pub signed_attrs: Option<Tlv<'a>>,
    pub sig_alg: AlgorithmIdentifierOwned,
    pub signature: &'a [u8],
    pub unsigned_attrs: Vec<Attr<'a>>,
}

pub(crate) fn parse_signer_info(tlv: Tlv<'_>) -> Result<SignerInfo<'_>> {
    if tlv.tag != tag::SEQUENCE {
        return Err("SignerInfo không phải SEQUENCE".into());
    }
    let mut parts = Children::of(tlv, "SignerInfo");
    parts.expect(tag::INTEGER, "version")?;
    let sid = parts.next_tlv()?.ok_or_else(|| "SignerInfo: thiếu sid".to_string())?;
    let sid = SignerIdentifier::from_der(sid.raw).map_err(|e| format!("SignerInfo: sid hỏng: {e}"))?;
    let alg = |tlv: Tlv<'_>| {
        AlgorithmIdentifierOwned::from_der(tlv.raw).map_err(|e| format!("SignerInfo: thuật toán hỏng: {e}"))
    };
    let digest_alg = alg(parts.expect(tag::SEQUENCE, "digestAlgorithm")?)?;
    let signed_attrs = parts.optional(tag::CTX0)?;
    let sig_alg = alg(parts.expect(tag::SEQUENCE, "signatureAlgorithm")?)?;
    let signature = parts.expect(tag::OCTET_STRING, "signature")?.value;
    let unsigned_attrs = match parts.optional(tag::CTX1)? {
        Some(set) => parse_attrs(set)?,
        None => Vec::new(),
    };
    parts.finish()?;
    Ok(SignerInfo { sid, digest_alg, signed_attrs, sig_alg, signature, unsigned_attrs })
}

/// The certificate a SignerIdentifier names, among `certs` then `extra`.
fn find_signer(sid: &SignerIdentifier, certs: &[Arc<Cert>], extra: &[Arc<Cert>]) -> Option<Arc<Cert>> {
    let matches = |cert: &Arc<Cert>| match sid {
        SignerIdentifier::IssuerAndSerialNumber(id) => {
            cert.serial() == id.serial_number.as_bytes() && cert.issuer_key == name_key(&id.issuer)
        }
        SignerIdentifier::SubjectKeyIdentifier(ski) => {
            let wanted = ski.0.as_bytes();
            match &cert.ski {
                Some(own) => own.as_slice() == wanted,
                // RFC 5280 §4.2.1.2 method 1: SHA-1 of the subjectPublicKey bits.
                None => cert
                    .cert
                    .tbs_certificate
                    .subject_public_key_info
                    .subject_public_key
                    .as_bytes()
                    .is_some_and(|bits| Hash::Sha1.digest(&[bits]) == wanted),
            }
        }
    };
    certs.iter().chain(extra.iter()).find(|cert| matches(cert)).cloned()
}

/// The outcome of one SignerInfo.
pub(crate) struct SignerCheck {
    pub digest_ok: bool,
    pub signature_ok: bool,
    pub algorithm: String,
    pub signer: Option<Arc<Cert>>,
    pub signing_time: Option<OffsetDateTime>,
    pub problems: Vec<String>,
}

/// Checks `si` over `content` (the signed bytes, in parts). `extra` are certificates to look the
/// signer up in when the SignedData does not carry it.
///
/// `signature_ok` is the key's signature *and* a sound set of signed attributes (contentType
/// present and right, the ESS certificate reference, if any, naming this certificate).
pub(crate) fn check_signer(
    sd: &SignedData<'_>,
    si: &SignerInfo<'_>,
    content: &[&[u8]],
    extra: &[Arc<Cert>],
) -> SignerCheck {
    let signer = find_signer(&si.sid, &sd.certs, extra);
    let mut check = SignerCheck {
        digest_ok: false,
        signature_ok: false,
        algorithm: String::new(),
        signer: signer.clone(),
        signing_time: None,
        problems: Vec::new(),
    };
    let digest = match Hash::from_alg(&si.digest_alg) {
        Ok(hash) => Some(hash),
        Err(error) => {
            check.problems.push(format!("Không kiểm tra được tính toàn vẹn: {error}"));
            None
        }
    };
    let scheme = match Scheme::resolve(&si.sig_alg, digest) {
        Ok(scheme) => Some(scheme),
        Err(error) => {
            check.problems.push(format!("Không kiểm tra được chữ ký: {error}"));
            check.algorithm = format!("OID {}", si.sig_alg.oid);
            None
        }
    };
    let key = match &signer {
        None => {
            check.problems.push("Không tìm thấy chứng thư của người ký trong chữ ký hay trong kho tin cậy".into());
            None
        }
        Some(cert) => match &cert.key {
            Ok(key) => Some(key),
            Err(error) => {
                check
                    .problems
                    .push(format!("Không dùng được khoá công khai của chứng thư \"{}\": {error}", cert.label()));
                None
            }
        },
    };
    if let Some(scheme) = scheme {
        check.algorithm = scheme.describe(key);
    }

    let mut attrs_ok = true;
    let message: Vec<u8>;
    let signed: Vec<&[u8]> = match si.signed_attrs {
        Some(raw) => {
            match parse_attrs(raw) {
                Ok(attrs) => {
                    attrs_ok = check_signed_attrs(&attrs, sd, digest, content, &mut check);
                }
                Err(error) => {
                    attrs_ok = false;
                    check.problems.push(format!("Thuộc tính được ký không đọc được: {error}"));
                }
            }
            let mut bytes = raw.raw.to_vec();
            if let Some(first) = bytes.first_mut() {
                *first = tag::SET;
            }
            message = bytes;
            vec![message.as_slice()]
        }
        None => {
            if sd.econtent_type != ID_DATA {
                attrs_ok = false;
                check
                    .problems
                    .push("Chữ ký thiếu thuộc tính được ký dù nội dung không phải id-data (RFC 5652 §5.3)".into());
            }
            content.to_vec()
        }
    };

    let crypto_ok = match (scheme, key) {
        (Some(scheme), Some(key)) => match scheme.verify(key, &signed, si.signature) {
            Ok(()) => true,
            Err(error) => {
                check.problems.push(format!("Chữ ký số không hợp lệ: {error}"));
                false
            }
        },
        _ => false,
    };
    check.signature_ok = crypto_ok && attrs_ok;
    if si.signed_attrs.is_none() {
        // Without signed attributes the signature is over the content itself: one check for both.
        check.digest_ok = crypto_ok;
    }
    check
}

/// contentType, messageDigest, signingTime, ESS; sets `digest_ok` and `signing_time`; false when
/// the attributes are unsound.
fn check_signed_attrs(
    attrs: &[Attr<'_>],
    sd: &SignedData<'_>,
    digest: Option<Hash>,
    content: &[&[u8]],
    check: &mut SignerCheck,
) -> bool {
    let mut sound = true;
    let single = |oid: ObjectIdentifier| -> std::result::Result<Option<Tlv<'_>>, String> {
        let mut found = attrs.iter().filter(|a| a.oid == oid);
        let Some(attr) = found.next() else { return Ok(None) };
        if found.next().is_some() {
            return Err(format!("thuộc tính {oid} xuất hiện hai lần"));
        }
        match attr.values.as_slice() {
            [value] => Ok(Some(*value)),
            _ => Err(format!("thuộc tính {oid} phải có đúng một giá trị")),
        }
    };
    match single(ATTR_CONTENT_TYPE) {
        Ok(Some(value)) => match asn1::oid(value) {
            Ok(oid) if oid == sd.econtent_type => {}
            Ok(oid) => {
                sound = false;
                check
                    .problems
                    .push(format!("Thuộc tính contentType ({oid}) khác kiểu nội dung được ký ({})", sd.econtent_type));
            }
            Err(error) => {
                sound = false;
                check.problems.push(format!("Thuộc tính contentType hỏng: {error}"));
            }
        },
        Ok(None) => {
            sound = false;
            check.problems.push("Thiếu thuộc tính contentType trong thuộc tính được ký".into());
        }
        Err(error) => {
            sound = false;
            check.problems.push(format!("Thuộc tính được ký không hợp lệ: {error}"));
        }
    }
    match single(ATTR_MESSAGE_DIGEST) {
        Ok(Some(value)) if value.tag == tag::OCTET_STRING => {
            if let Some(hash) = digest {
                check.digest_ok = hash.digest(content) == value.value;
                if !check.digest_ok {
                    check.problems.push(format!(
                        "Mã băm ({}) của nội dung được ký không khớp với thuộc tính messageDigest: tài liệu đã bị thay đổi sau khi ký",
                        hash.name()
                    ));
                }
            }
        }
        Ok(Some(_)) => {
            sound = false;
            check.problems.push("Thuộc tính messageDigest không phải OCTET STRING".into());
        }
        Ok(None) => {
            sound = false;
            check.problems.push("Thiếu thuộc tính messageDigest trong thuộc tính được ký".into());
        }
        Err(error) => {
            sound = false;
            check.problems.push(format!("Thuộc tính được ký không hợp lệ: {error}"));
        }
    }
    match single(ATTR_SIGNING_TIME) {
        Ok(Some(value)) => match asn1::time(value) {
            Ok(time) => check.signing_time = Some(time),
            Err(error) => check.problems.push(format!("Thuộc tính signingTime hỏng, bỏ qua: {error}")),
        },
        Ok(None) => {}
        Err(error) => check.problems.push(format!("Thuộc tính signingTime bị bỏ qua: {error}")),
    }
    for (oid, v2) in [(ATTR_SIGNING_CERT_V2, true), (ATTR_SIGNING_CERT, false)] {
        let value = match single(oid) {
            Ok(Some(value)) => value,
            Ok(None) => continue,
            Err(error) => {
                sound = false;
                check.problems.push(format!("Thuộc tính được ký không hợp lệ: {error}"));
                continue;
            }
        };
        let Some(cert) = &check.signer else { continue };
        if let Err(error) = check_ess(value, v2, cert) {
            sound = false;
            let name = if v2 { "signingCertificateV2" } else { "signingCertificate" };
            check.problems.push(format!("Thuộc tính {name} không khớp với chứng thư \"{}\": {error}", cert.label()));
        }
    }
    sound
}

/// The first ESSCertID(v2) of a SigningCertificate(V2) must name `cert`: its hash, and its serial
/// when issuerSerial is there.
fn check_ess(value: Tlv<'_>, v2: bool, cert: &Cert) -> Result<()> {
    if value.tag != tag::SEQUENCE {
        return Err("không phải SEQUENCE".into());
    }
    let mut outer = Children::of(value, "SigningCertificate");
    let ids = outer.expect(tag::SEQUENCE, "certs")?;
    let first = Children::of(ids, "certs").expect(tag::SEQUENCE, "ESSCertID")?;
    let mut fields = Children::of(first, "ESSCertID");
    let hash = if v2 {
        match fields.optional(tag::SEQUENCE)? {
            Some(alg) => {
                let alg =
                    AlgorithmIdentifierOwned::from_der(alg.raw).map_err(|e| format!("hashAlgorithm hỏng: {e}"))?;
                Hash::from_alg(&alg)?
            }
            None => Hash::Sha256,
        }
    } else {
        Hash::Sha1
    };
    let cert_hash = fields.expect(tag::OCTET_STRING, "certHash")?;
    if hash.digest(&[&cert.der]) != cert_hash.value {
        return Err(format!("mã băm {} của chứng thư khác", hash.name()));
    }
    if let Some(issuer_serial) = fields.optional(tag::SEQUENCE)? {
        let mut parts = Children::of(issuer_serial, "IssuerSerial");
        parts.expect(tag::SEQUENCE, "issuer")?;
        let serial = parts.expect(tag::INTEGER, "serialNumber")?;
        if serial.value != cert.serial() {
            return Err("số hiệu chứng thư khác".into());
        }
    }
    fields.finish()?;
    Ok(())
}

/// An RFC 3161 token, checked: what it says and what it proves.
pub(crate) struct TokenCheck {
    pub info: TimestampInfo,
    /// The token's own messageDigest matched its TSTInfo.
    pub token_digest_ok: bool,
    /// The TSA's signature (and attributes) verified.
    pub token_signature_ok: bool,
    pub algorithm: String,
    pub signer: Option<Arc<Cert>>,
    pub chain: Vec<Arc<Cert>>,
    pub problems: Vec<String>,
}

/// Checks a timestamp token (DER or BER ContentInfo) over `imprinted` (the bytes whose hash the
/// messageImprint must be). The TSA must chain to an anchor of `store`, valid at genTime.
pub(crate) fn check_timestamp_token(
    token: &[u8],
    imprinted: &[&[u8]],
    store: &TrustStore,
    now: OffsetDateTime,
) -> Result<TokenCheck> {
    let (der, _) = asn1::ber_to_der(token)?;
    let sd = parse_content_info(&der)?;
    if sd.econtent_type != ID_CT_TST_INFO {
        return Err(format!("nội dung không phải TSTInfo ({})", sd.econtent_type));
    }
    let tst = sd.econtent.ok_or_else(|| "thiếu TSTInfo".to_string())?;
    let (imprint_hash, imprint, gen_time) = parse_tst_info(tst)?;
    let mut problems = sd.problems.clone();
    let imprint_ok = imprint_hash.digest(imprinted) == imprint;
    if !imprint_ok {
        problems.push("Dấu thời gian không được cấp cho chữ ký này (messageImprint không khớp)".into());
    }
    let first = sd.signer_infos.first().ok_or_else(|| "dấu thời gian không có SignerInfo".to_string())?;
    if sd.signer_infos.len() > 1 {
        problems.push("Dấu thời gian có nhiều SignerInfo; chỉ kiểm tra SignerInfo đầu tiên".into());
    }
    let si = parse_signer_info(*first)?;
    let extra = store.known_certs();
    let signed = check_signer(&sd, &si, &[tst], &extra);
    problems.extend(signed.problems);
    let (verdict, chain) = match &signed.signer {
        Some(tsa) => {
            let evaluation = trust::evaluate(tsa, &sd.certs, store, Some(gen_time), true, now, Purpose::Timestamping);
            problems.extend(evaluation.problems);
            (evaluation.verdict, evaluation.chain)
        }
        None => (
            TrustVerdict {
                reason: Some("Không tìm thấy chứng thư của đơn vị cấp dấu thời gian".into()),
                ..TrustVerdict::default()
            },
            Vec::new(),
        ),
    };
    let signature_ok = signed.digest_ok && signed.signature_ok;
    let info = TimestampInfo {
        tsa: signed.signer.as_ref().map(|c| c.info.clone()),
        gen_time,
        imprint_ok,
        signature_ok,
        valid: imprint_ok && signature_ok && verdict.trusted,
        chain: chain.iter().map(|c| c.info.clone()).collect::<Vec<CertInfo>>(),
        trust: verdict,
    };
    Ok(TokenCheck {
        info,
        token_digest_ok: signed.digest_ok,
        token_signature_ok: signed.signature_ok,
        algorithm: signed.algorithm,
        signer: signed.signer,
        chain,
        problems,
    })
}

/// TSTInfo: the messageImprint (hash and value) and genTime.
fn parse_tst_info(der: &[u8]) -> Result<(Hash, Vec<u8>, OffsetDateTime)> {
    let outer = asn1::parse_one(der, tag::SEQUENCE, "TSTInfo")?;
    let mut fields = Children::of(outer, "TSTInfo");
    fields.expect(tag::INTEGER, "version")?;
    fields.expect(tag::OID, "policy")?;
    let imprint = fields.expect(tag::SEQUENCE, "messageImprint")?;
    let mut imprint_fields = Children::of(imprint, "messageImprint");
    let alg = imprint_fields.expect(tag::SEQUENCE, "hashAlgorithm")?;
    let alg = AlgorithmIdentifierOwned::from_der(alg.raw).map_err(|e| format!("TSTInfo: hashAlgorithm hỏng: {e}"))?;
    let hash = Hash::from_alg(&alg)?;
    let value = imprint_fields.expect(tag::OCTET_STRING, "hashedMessage")?.value.to_vec();
    imprint_fields.finish()?;
    fields.expect(tag::INTEGER, "serialNumber")?;
    let gen_time = asn1::time(fields.expect(tag::GENERALIZED_TIME, "genTime")?)?;
    Ok((hash, value, gen_time))
}
