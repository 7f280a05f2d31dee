//! Digests, public keys and signature schemes: what a signature's algorithm identifier means, and
//! the check itself.
//!
//! Accepted: RSA PKCS#1 v1.5 with SHA-1/224/256/384/512 (`rsaEncryption` with the SignerInfo's
//! digest, or `sha*WithRSAEncryption`), RSASSA-PSS with explicit parameters (MGF1 with the same hash,
//! trailer 1, salt length enforced), ECDSA with SHA-1/224/256/384/512 on P-256 and P-384 (DER
//! signatures). Anything else is refused with its OID named, never guessed.

use const_oid::ObjectIdentifier;
use der::{Decode, Encode, Tagged};
use sha1::Digest;
use signature::hazmat::PrehashVerifier;
use spki::{AlgorithmIdentifierOwned, SubjectPublicKeyInfoOwned};

use super::asn1::Result;

const ID_SHA1: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.14.3.2.26");
const ID_SHA224: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.16.840.1.101.3.4.2.4");
const ID_SHA256: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.16.840.1.101.3.4.2.1");
const ID_SHA384: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.16.840.1.101.3.4.2.2");
const ID_SHA512: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.16.840.1.101.3.4.2.3");

const RSA_ENCRYPTION: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.1");
const SHA1_WITH_RSA: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.5");
const SHA224_WITH_RSA: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.14");
const SHA256_WITH_RSA: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.11");
const SHA384_WITH_RSA: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.12");
const SHA512_WITH_RSA: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.13");
const RSASSA_PSS: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.10");
const MGF1: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.8");

const EC_PUBLIC_KEY: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.2.1");
const ECDSA_SHA1: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.4.1");
const ECDSA_SHA224: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.4.3.1");
const ECDSA_SHA256: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.4.3.2");
const ECDSA_SHA384: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.4.3.3");
const ECDSA_SHA512: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.4.3.4");
const P256: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.3.1.7");
const P384: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.132.0.34");

/// The smallest and largest RSA moduli we verify with.
const RSA_MIN_BITS: usize = 1024;
const RSA_MAX_BITS: usize = 8192;

/// A digest algorithm.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Hash {
    Sha1,
    Sha224,
    Sha256,
    Sha384,
    Sha512,
}

impl Hash {
    /// The digest named by `oid`, if we know it.
    pub fn from_oid(oid: &ObjectIdentifier) -> Option<Hash> {
        Some(match *oid {
            ID_SHA1 => Hash::Sha1,
            ID_SHA224 => Hash::Sha224,
            ID_SHA256 => Hash::Sha256,
            ID_SHA384 => Hash::Sha384,
            ID_SHA512 => Hash::Sha512,
            _ => return None,
        })
    }

    /// The digest of an AlgorithmIdentifier (parameters absent or NULL).
    pub fn from_alg(alg: &AlgorithmIdentifierOwned) -> Result<Hash> {
        let hash =
            Hash::from_oid(&alg.oid).ok_or_else(|| format!("thuật toán băm không được hỗ trợ (OID {})", alg.oid))?;
        check_null_params(alg)?;
        Ok(hash)
    }

    /// Its name, "SHA-256".
    pub fn name(self) -> &'static str {
        match self {
            Hash::Sha1 => "SHA-1",
            Hash::Sha224 => "SHA-224",
            Hash::Sha256 => "SHA-256",
            Hash::Sha384 => "SHA-384",
            Hash::Sha512 => "SHA-512",
        }
    }

    /// The digest of the concatenation of `parts`.
    pub fn digest(self, parts: &[&[u8]]) -> Vec<u8> {
        fn run<D: Digest>(parts: &[&[u8]]) -> Vec<u8> {
            let mut hasher = D::new();
            for part in parts {
                hasher.update(part);
            }
            hasher.finalize().to_vec()
        }
        match self {
            Hash::Sha1 => run::<sha1::Sha1>(parts),
            Hash::Sha224 => run::<sha2::Sha224>(parts),
            Hash::Sha256 => run::<sha2::Sha256>(parts),
            Hash::Sha384 => run::<sha2::Sha384>(parts),
            Hash::Sha512 => run::<sha2::Sha512>(parts),
        }
    }
}

fn check_null_params(alg: &AlgorithmIdentifierOwned) -> Result<()> {
    match &alg.parameters {
        None => Ok(()),
        Some(any) if any.tag() == der::Tag::Null && any.value().is_empty() => Ok(()),
        Some(_) => Err(format!("tham số không hợp lệ cho thuật toán {}", alg.oid)),
    }
}

/// A signature scheme, resolved from a signature AlgorithmIdentifier.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Scheme {
    /// RSASSA-PKCS1-v1_5.
    RsaPkcs1(Hash),
    /// RSASSA-PSS (MGF1 with the same hash, trailer field 1).
    RsaPss {
        /// Message and MGF1 hash.
        hash: Hash,
        /// Salt length in bytes.
        salt: usize,
    },
    /// ECDSA (DER Ecdsa-Sig-Value).
    Ecdsa(Hash),
}

impl Scheme {
    /// What `alg` means; `digest` is the SignerInfo's digest algorithm, used when `alg` names a key
    /// type only (`rsaEncryption`, `id-ecPublicKey`, as some tools write).
    pub fn resolve(alg: &AlgorithmIdentifierOwned, digest: Option<Hash>) -> Result<Scheme> {
        let unsupported = || format!("thuật toán chữ ký không được hỗ trợ (OID {})", alg.oid);
        let need_digest = || digest.ok_or_else(unsupported);
        let scheme = match alg.oid {
            RSA_ENCRYPTION => Scheme::RsaPkcs1(need_digest()?),
            SHA1_WITH_RSA => Scheme::RsaPkcs1(Hash::Sha1),
            SHA224_WITH_RSA => Scheme::RsaPkcs1(Hash::Sha224),
            SHA256_WITH_RSA => Scheme::RsaPkcs1(Hash::Sha256),
            SHA384_WITH_RSA => Scheme::RsaPkcs1(Hash::Sha384),
            SHA512_WITH_RSA => Scheme::RsaPkcs1(Hash::Sha512),
            RSASSA_PSS => return pss(alg),
            EC_PUBLIC_KEY => Scheme::Ecdsa(need_digest()?),
            ECDSA_SHA1 => Scheme::Ecdsa(Hash::Sha1),
            ECDSA_SHA224 => Scheme::Ecdsa(Hash::Sha224),
            ECDSA_SHA256 => Scheme::Ecdsa(Hash::Sha256),
            ECDSA_SHA384 => Scheme::Ecdsa(Hash::Sha384),
            ECDSA_SHA512 => Scheme::Ecdsa(Hash::Sha512),
            _ => return Err(unsupported()),
        };
        match scheme {
            // ecdsa-with-SHA* carry no parameters at all.
            Scheme::Ecdsa(_) if alg.oid != EC_PUBLIC_KEY && alg.parameters.is_some() => {
                Err(format!("tham số không hợp lệ cho thuật toán {}", alg.oid))
            }
            Scheme::Ecdsa(_) => Ok(scheme),
            _ => check_null_params(alg).map(|()| scheme),
        }
    }

    /// The hash the scheme signs.
    pub fn hash(self) -> Hash {
        match self {
            Scheme::RsaPkcs1(hash) | Scheme::Ecdsa(hash) | Scheme::RsaPss { hash, .. } => hash,
        }
    }

    /// "RSA PKCS#1 v1.5 / SHA-256", "RSA-PSS / SHA-256", "ECDSA P-256 / SHA-256".
    pub fn describe(self, key: Option<&PublicKey>) -> String {
        match self {
            Scheme::RsaPkcs1(hash) => format!("RSA PKCS#1 v1.5 / {}", hash.name()),
            Scheme::RsaPss { hash, .. } => format!("RSA-PSS / {}", hash.name()),
            Scheme::Ecdsa(hash) => match key {
                Some(PublicKey::P256(_)) => format!("ECDSA P-256 / {}", hash.name()),
                Some(PublicKey::P384(_)) => format!("ECDSA P-384 / {}", hash.name()),
                _ => format!("ECDSA / {}", hash.name()),
            },
        }
    }

    /// Checks `signature` over `message` (the bytes, hashed here) with `key`.
    pub fn verify(self, key: &PublicKey, message: &[&[u8]], signature: &[u8]) -> Result<()> {
        self.verify_prehashed(key, &self.hash().digest(message), signature)
    }

    /// Checks `signature` over a digest already computed with [`Scheme::hash`].
    pub fn verify_prehashed(self, key: &PublicKey, hashed: &[u8], signature: &[u8]) -> Result<()> {
        let refused = || "chữ ký số không khớp với khoá công khai".to_string();
        match (self, key) {
            (Scheme::RsaPkcs1(hash), PublicKey::Rsa(key)) => {
                let padding = match hash {
                    Hash::Sha1 => rsa::Pkcs1v15Sign::new::<sha1::Sha1>(),
                    Hash::Sha224 => rsa::Pkcs1v15Sign::new::<sha2::Sha224>(),
                    Hash::Sha256 => rsa::Pkcs1v15Sign::new::<sha2::Sha256>(),
                    Hash::Sha384 => rsa::Pkcs1v15Sign::new::<sha2::Sha384>(),
                    Hash::Sha512 => rsa::Pkcs1v15Sign::new::<sha2::Sha512>(),
                };
                key.verify(padding, hashed, signature).map_err(|_| refused())
            }
            (Scheme::RsaPss { hash, salt }, PublicKey::Rsa(key)) => {
                use rsa::traits::PublicKeyParts;
                if salt > key.size() {
                    return Err("độ dài muối RSA-PSS không hợp lệ".into());
                }
                let padding = match hash {
                    Hash::Sha1 => rsa::Pss::new_with_salt::<sha1::Sha1>(salt),
                    Hash::Sha224 => rsa::Pss::new_with_salt::<sha2::Sha224>(salt),
                    Hash::Sha256 => rsa::Pss::new_with_salt::<sha2::Sha256>(salt),
                    Hash::Sha384 => rsa::Pss::new_with_salt::<sha2::Sha384>(salt),
                    Hash::Sha512 => rsa::Pss::new_with_salt::<sha2::Sha512>(salt),
                };
                key.verify(padding, hashed, signature).map_err(|_| refused())
            }
            (Scheme::Ecdsa(_), PublicKey::P256(key)) => {
                let signature = p256::ecdsa::Signature::from_der(signature)
                    .map_err(|_| "chữ ký ECDSA không đúng định dạng DER".to_string())?;
                key.verify_prehash(hashed, &signature).map_err(|_| refused())
            }
            (Scheme::Ecdsa(_), PublicKey::P384(key)) => {
                let signature = p384::ecdsa::Signature::from_der(signature)
                    .map_err(|_| "chữ ký ECDSA không đúng định dạng DER".to_string())?;
                key.verify_prehash(hashed, &signature).map_err(|_| refused())
            }
            (scheme, key) => Err(format!(
                "thuật toán chữ ký ({}) không hợp với loại khoá của chứng thư ({})",
                scheme.describe(None),
                key.describe()
            )),
        }
    }
}

fn pss(alg: &AlgorithmIdentifierOwned) -> Result<Scheme> {
    let bad = |why: &str| format!("tham số RSA-PSS không hợp lệ: {why}");
    let params = alg.parameters.as_ref().ok_or_else(|| bad("thiếu tham số"))?;
    let params = params.to_der().map_err(|e| bad(&e.to_string()))?;
    let params = rsa::pkcs1::RsaPssParams::from_der(&params).map_err(|e| bad(&e.to_string()))?;
    let hash = Hash::from_oid(&params.hash.oid)
        .ok_or_else(|| format!("thuật toán băm của RSA-PSS không được hỗ trợ (OID {})", params.hash.oid))?;
    if params.mask_gen.oid != MGF1 {
        return Err(format!("hàm sinh mặt nạ RSA-PSS không được hỗ trợ (OID {})", params.mask_gen.oid));
    }
    let mgf_hash =
        params.mask_gen.parameters.as_ref().map(|p| p.oid).ok_or_else(|| bad("MGF1 thiếu thuật toán băm"))?;
    if Hash::from_oid(&mgf_hash) != Some(hash) {
        return Err(bad("MGF1 dùng thuật toán băm khác với chữ ký"));
    }
    if params.trailer_field != rsa::pkcs1::TrailerField::BC {
        return Err(bad("trường kết thúc khác 1"));
    }
    Ok(Scheme::RsaPss { hash, salt: usize::from(params.salt_len) })
}

/// A public key we can verify with.
#[derive(Clone, Debug)]
pub(crate) enum PublicKey {
    Rsa(rsa::RsaPublicKey),
    P256(p256::ecdsa::VerifyingKey),
    P384(p384::ecdsa::VerifyingKey),
}

impl PublicKey {
    /// The key of a certificate.
    pub fn from_spki(spki: &SubjectPublicKeyInfoOwned) -> Result<PublicKey> {
        let bits = spki.subject_public_key.as_bytes().ok_or_else(|| "khoá công khai có bit thừa".to_string())?;
        match spki.algorithm.oid {
            RSA_ENCRYPTION | RSASSA_PSS => {
                let key = rsa::pkcs1::RsaPublicKey::from_der(bits).map_err(|e| format!("khoá RSA hỏng: {e}"))?;
                let n = rsa::BigUint::from_bytes_be(key.modulus.as_bytes());
                let e = rsa::BigUint::from_bytes_be(key.public_exponent.as_bytes());
                let size = n.bits();
                if !(RSA_MIN_BITS..=RSA_MAX_BITS).contains(&size) {
                    return Err(format!("khoá RSA {size} bit không được chấp nhận"));
                }
                rsa::RsaPublicKey::new_with_max_size(n, e, RSA_MAX_BITS)
                    .map(PublicKey::Rsa)
                    .map_err(|e| format!("khoá RSA không hợp lệ: {e}"))
            }
            EC_PUBLIC_KEY => {
                let curve = spki
                    .algorithm
                    .parameters
                    .as_ref()
                    .and_then(|p| p.decode_as::<ObjectIdentifier>().ok())
                    .ok_or_else(|| "khoá EC không nêu đường cong".to_string())?;
                match curve {
                    P256 => p256::ecdsa::VerifyingKey::from_sec1_bytes(bits)
                        .map(PublicKey::P256)
                        .map_err(|_| "khoá EC P-256 hỏng".to_string()),
                    P384 => p384::ecdsa::VerifyingKey::from_sec1_bytes(bits)
                        .map(PublicKey::P384)
                        .map_err(|_| "khoá EC P-384 hỏng".to_string()),
                    other => Err(format!("đường cong EC không được hỗ trợ (OID {other})")),
                }
            }
            other => Err(format!("loại khoá công khai không được hỗ trợ (OID {other})")),
        }
    }

    /// "RSA-2048", "EC P-256".
    pub fn describe(&self) -> String {
        use rsa::traits::PublicKeyParts;
        match self {
            PublicKey::Rsa(key) => format!("RSA-{}", key.n().bits()),
            PublicKey::P256(_) => "EC P-256".into(),
            PublicKey::P384(_) => "EC P-384".into(),
        }
    }
}
