//! The organisation's key on its PKCS#11 token (cryptoki).
//!
//! The key never leaves the token: we hand it the signed attributes and get a signature back. The
//! token is chosen by **label** (slot ids change when tokens are plugged in or initialised), the key
//! and its certificate by their common label (or the only key there is). The PIN lives only for the
//! duration of [`Token::login`]: it is passed to `C_Login` and dropped; it is never stored, logged or
//! part of an error message. A [`SigningSession`] is one login: everything the clerk signs in one go
//! uses it, and dropping it logs out.
//!
//! What goes wrong is told *before* anything is written: a module that cannot be loaded, a token
//! that is not plugged in, a wrong PIN, a locked token, a missing key, a certificate outside its
//! validity (checked by [`SigningSession::check_validity`] against the caller's clock).

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, OnceLock};

use cryptoki::context::{CInitializeArgs, CInitializeFlags, Pkcs11};
use cryptoki::error::{Error as CkError, RvError};
use cryptoki::mechanism::rsa::{PkcsMgfType, PkcsPssParams};
use cryptoki::mechanism::{Mechanism, MechanismType};
use cryptoki::object::{Attribute, AttributeType, KeyType, ObjectClass, ObjectHandle};
use cryptoki::session::{Session, UserType};
use cryptoki::slot::Slot;
use cryptoki::types::AuthPin;
use der::Decode;
use sha2::Digest as _;
use time::OffsetDateTime;
use x509_cert::Certificate;

use crate::{Result, SignError};

/// Where the organisation's key is: the module (driver library), the token's label and, when the
/// token holds several keys, the key's label.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TokenConfig {
    /// The PKCS#11 library, e.g. `/usr/lib/softhsm/libsofthsm2.so` or the CA's token driver.
    pub module: PathBuf,
    /// The token's label as the token reports it.
    pub token_label: String,
    /// The key's label (its certificate carries the same); `None` when the token has one key.
    pub key_label: Option<String>,
}

/// How an RSA key signs. ECDSA keys always sign ECDSA.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum RsaScheme {
    /// RSA PKCS#1 v1.5 with SHA-256: what most deployed tokens use.
    #[default]
    Pkcs1v15,
    /// RSASSA-PSS with SHA-256, MGF1-SHA-256, salt 32: what the newer rules ask for.
    Pss,
}

/// The algorithm a session signs with.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scheme {
    /// RSA PKCS#1 v1.5, SHA-256.
    RsaPkcs1v15,
    /// RSASSA-PSS, SHA-256.
    RsaPss,
    /// ECDSA on P-256 with SHA-256 (signature DER-encoded for CMS).
    EcdsaP256,
}

impl Scheme {
    /// In words, for the audit log and the CLI.
    pub fn describe(self) -> &'static str {
        match self {
            Scheme::RsaPkcs1v15 => "RSA PKCS#1 v1.5 / SHA-256",
            Scheme::RsaPss => "RSA-PSS / SHA-256",
            Scheme::EcdsaP256 => "ECDSA P-256 / SHA-256",
        }
    }
}

/// Modules loaded and initialised in this process, by path. A PKCS#11 library may be initialised
/// once per process; dropping the last handle finalises it.
fn modules() -> &'static Mutex<HashMap<PathBuf, Pkcs11>> {
    static MODULES: OnceLock<Mutex<HashMap<PathBuf, Pkcs11>>> = OnceLock::new();
    MODULES.get_or_init(|| Mutex::new(HashMap::new()))
}

fn load_module(path: &Path) -> Result<Pkcs11> {
    let mut modules = modules().lock().unwrap_or_else(|poisoned| poisoned.into_inner());
    if let Some(module) = modules.get(path) {
        return Ok(module.clone());
    }
    let failed = |reason: String| SignError::Module { module: path.display().to_string(), reason };
    if !path.is_file() {
        return Err(failed("không có tệp thư viện này".into()));
    }
    let module = Pkcs11::new(path).map_err(|error| failed(error.to_string()))?;
    match module.initialize(CInitializeArgs::new(CInitializeFlags::OS_LOCKING_OK)) {
        Ok(()) | Err(CkError::Pkcs11(RvError::CryptokiAlreadyInitialized, _)) => {}
        Err(error) => return Err(failed(error.to_string())),
    }
    modules.insert(path.to_path_buf(), module.clone());
    Ok(module)
}

/// A token found by its label, not yet logged in.
pub struct Token {
    module: Pkcs11,
    slot: Slot,
    config: TokenConfig,
}

/// What the token says about itself (shown before the PIN is asked).
#[derive(Clone, Debug, serde::Serialize)]
pub struct TokenInfo {
    /// The token's label.
    pub label: String,
    /// Its manufacturer.
    pub manufacturer: String,
    /// Its model.
    pub model: String,
    /// Its serial number.
    pub serial: String,
    /// Whether the PIN is locked (too many wrong PINs).
    pub locked: bool,
    /// Whether the next wrong PIN locks it.
    pub final_try: bool,
}

impl Token {
    /// Load the module and find the token by its label.
    pub fn open(config: &TokenConfig) -> Result<Token> {
        let module = load_module(&config.module)?;
        let slots = module.get_slots_with_token().map_err(|error| token_error(&error))?;
        for slot in slots {
            let Ok(info) = module.get_token_info(slot) else { continue };
            if info.label().trim_end() == config.token_label.trim_end() {
                return Ok(Token { module, slot, config: config.clone() });
            }
        }
        Err(SignError::TokenMissing(config.token_label.clone()))
    }

    /// What the token says about itself.
    pub fn info(&self) -> Result<TokenInfo> {
        let info = self.module.get_token_info(self.slot).map_err(|error| token_error(&error))?;
        Ok(TokenInfo {
            label: info.label().trim_end().to_string(),
            manufacturer: info.manufacturer_id().trim_end().to_string(),
            model: info.model().trim_end().to_string(),
            serial: info.serial_number().trim_end().to_string(),
            locked: info.user_pin_locked(),
            final_try: info.user_pin_final_try(),
        })
    }

    /// Log in with the PIN and find the signing key and its certificate. The PIN is not kept.
    pub fn login(&self, pin: &str, rsa: RsaScheme) -> Result<SigningSession> {
        if pin.is_empty() {
            return Err(SignError::BadPin("mã PIN trống".into()));
        }
        if pin.len() > 64 || pin.chars().any(char::is_control) {
            return Err(SignError::BadPin("mã PIN quá dài hoặc có ký tự điều khiển".into()));
        }
        if self.info()?.locked {
            return Err(SignError::TokenLocked);
        }
        let session = self.module.open_ro_session(self.slot).map_err(|error| token_error(&error))?;
        let pin = AuthPin::new(pin.into());
        match session.login(UserType::User, Some(&pin)) {
            Ok(()) | Err(CkError::Pkcs11(RvError::UserAlreadyLoggedIn, _)) => {}
            Err(error) => return Err(token_error(&error)),
        }
        drop(pin);
        let (key, label) = self.find_key(&session)?;
        let certificate = find_certificate(&session, &label, key)?;
        let key_type = session
            .get_attributes(key, &[AttributeType::KeyType])
            .map_err(|error| token_error(&error))?
            .into_iter()
            .find_map(|attribute| match attribute {
                Attribute::KeyType(kind) => Some(kind),
                _ => None,
            })
            .ok_or_else(|| SignError::UnsupportedKey("khoá không cho biết loại".into()))?;
        let scheme = if key_type == KeyType::RSA {
            match rsa {
                RsaScheme::Pkcs1v15 => Scheme::RsaPkcs1v15,
                RsaScheme::Pss => Scheme::RsaPss,
            }
        } else if key_type == KeyType::EC {
            let curve = certificate
                .tbs_certificate
                .subject_public_key_info
                .algorithm
                .parameters
                .as_ref()
                .and_then(|parameters| parameters.decode_as::<const_oid::ObjectIdentifier>().ok());
            if curve != Some(const_oid::db::rfc5912::SECP_256_R_1) {
                return Err(SignError::UnsupportedKey("khoá EC không thuộc đường cong P-256".into()));
            }
            Scheme::EcdsaP256
        } else {
            return Err(SignError::UnsupportedKey(format!("{key_type}")));
        };
        Ok(SigningSession { session, key, certificate, scheme })
    }

    fn find_key(&self, session: &Session) -> Result<(ObjectHandle, String)> {
        let mut template = vec![Attribute::Class(ObjectClass::PRIVATE_KEY), Attribute::Sign(true)];
        if let Some(label) = &self.config.key_label {
            template.push(Attribute::Label(label.as_bytes().to_vec()));
        }
        let keys = session.find_objects(&template).map_err(|error| token_error(&error))?;
        let wanted = self.config.key_label.clone().unwrap_or_default();
        match keys.as_slice() {
            [] => Err(SignError::KeyMissing(wanted)),
            [key] => Ok((*key, label_of(session, *key).unwrap_or(wanted))),
            several => {
                let labels: Vec<String> = several.iter().filter_map(|key| label_of(session, *key)).collect();
                Err(SignError::KeyAmbiguous(labels.join(", ")))
            }
        }
    }
}

fn label_of(session: &Session, object: ObjectHandle) -> Option<String> {
    session.get_attributes(object, &[AttributeType::Label]).ok()?.into_iter().find_map(|attribute| match attribute {
        Attribute::Label(bytes) => Some(String::from_utf8_lossy(&bytes).into_owned()),
        _ => None,
    })
}

fn id_of(session: &Session, object: ObjectHandle) -> Option<Vec<u8>> {
    session.get_attributes(object, &[AttributeType::Id]).ok()?.into_iter().find_map(|attribute| match attribute {
        Attribute::Id(bytes) => Some(bytes),
        _ => None,
    })
}

/// The key's certificate: the one with the key's id, else the one with its label.
fn find_certificate(session: &Session, label: &str, key: ObjectHandle) -> Result<Certificate> {
    let mut candidates = Vec::new();
    if let Some(id) = id_of(session, key).filter(|id| !id.is_empty()) {
        candidates =
            session.find_objects(&[Attribute::Class(ObjectClass::CERTIFICATE), Attribute::Id(id)]).unwrap_or_default();
    }
    if candidates.is_empty() {
        candidates = session
            .find_objects(&[Attribute::Class(ObjectClass::CERTIFICATE), Attribute::Label(label.as_bytes().to_vec())])
            .map_err(|error| token_error(&error))?;
    }
    let handle = candidates.first().ok_or_else(|| SignError::KeyMissing(label.to_string()))?;
    let der = session
        .get_attributes(*handle, &[AttributeType::Value])
        .map_err(|error| token_error(&error))?
        .into_iter()
        .find_map(|attribute| match attribute {
            Attribute::Value(bytes) => Some(bytes),
            _ => None,
        })
        .ok_or_else(|| SignError::KeyMissing(label.to_string()))?;
    Ok(Certificate::from_der(&der)?)
}

/// Every CA certificate on the token (tokens often carry the issuing chain).
fn token_chain(session: &Session) -> Vec<Certificate> {
    let Ok(handles) = session.find_objects(&[Attribute::Class(ObjectClass::CERTIFICATE)]) else { return Vec::new() };
    handles
        .into_iter()
        .filter_map(|handle| {
            session.get_attributes(handle, &[AttributeType::Value]).ok()?.into_iter().find_map(|attribute| {
                match attribute {
                    Attribute::Value(bytes) => Certificate::from_der(&bytes).ok(),
                    _ => None,
                }
            })
        })
        .filter(crate::certs::is_ca)
        .collect()
}

/// DER of the DigestInfo prefix for SHA-256 (RFC 8017 §9.2), for tokens signing with raw CKM_RSA_PKCS.
const SHA256_DIGEST_INFO: [u8; 19] =
    [0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01, 0x05, 0x00, 0x04, 0x20];

/// One login on the token: the key, its certificate and the scheme it signs with. Logs out on drop.
pub struct SigningSession {
    session: Session,
    key: ObjectHandle,
    certificate: Certificate,
    scheme: Scheme,
}

impl SigningSession {
    /// The signing certificate.
    pub fn certificate(&self) -> &Certificate {
        &self.certificate
    }

    /// The scheme the key signs with.
    pub fn scheme(&self) -> Scheme {
        self.scheme
    }

    /// CA certificates the token carries (to embed with the signature).
    pub fn chain(&self) -> Vec<Certificate> {
        token_chain(&self.session)
    }

    /// Refuse a certificate that is not valid at `now`, before anything is written.
    pub fn check_validity(&self, now: OffsetDateTime) -> Result<()> {
        crate::certs::check_validity(&self.certificate, now)
    }

    /// Sign `data` (the DER of the signed attributes): the token hashes and pads. ECDSA signatures
    /// come back as `r‖s` and are returned DER-encoded, as CMS wants them.
    pub fn sign(&self, data: &[u8]) -> Result<Vec<u8>> {
        let mechanism = match self.scheme {
            Scheme::RsaPkcs1v15 => Mechanism::Sha256RsaPkcs,
            Scheme::RsaPss => Mechanism::Sha256RsaPkcsPss(PkcsPssParams {
                hash_alg: MechanismType::SHA256,
                mgf: PkcsMgfType::MGF1_SHA256,
                s_len: 32.into(),
            }),
            Scheme::EcdsaP256 => Mechanism::EcdsaSha256,
        };
        let signature = match self.session.sign(&mechanism, self.key, data) {
            Ok(signature) => signature,
            // Tokens that hash only on the host (SoftHSM's ECDSA, some CA tokens): hash here and
            // hand the token the digest with the raw mechanism.
            Err(CkError::Pkcs11(RvError::MechanismInvalid, _)) => {
                let digest = sha2::Sha256::digest(data);
                let (raw, input) = match self.scheme {
                    Scheme::RsaPkcs1v15 => (Mechanism::RsaPkcs, [SHA256_DIGEST_INFO.as_slice(), &digest].concat()),
                    Scheme::RsaPss => (
                        Mechanism::RsaPkcsPss(PkcsPssParams {
                            hash_alg: MechanismType::SHA256,
                            mgf: PkcsMgfType::MGF1_SHA256,
                            s_len: 32.into(),
                        }),
                        digest.to_vec(),
                    ),
                    Scheme::EcdsaP256 => (Mechanism::Ecdsa, digest.to_vec()),
                };
                self.session.sign(&raw, self.key, &input).map_err(|error| token_error(&error))?
            }
            Err(error) => return Err(token_error(&error)),
        };
        match self.scheme {
            Scheme::EcdsaP256 => {
                let signature = p256::ecdsa::Signature::from_slice(&signature)
                    .map_err(|error| SignError::Token(format!("chữ ký ECDSA không hợp lệ: {error}")))?;
                Ok(signature.to_der().as_bytes().to_vec())
            }
            _ => Ok(signature),
        }
    }
}

impl Drop for SigningSession {
    fn drop(&mut self) {
        let _ = self.session.logout();
    }
}

/// A token error in the clerk's words; never includes the PIN (cryptoki's messages do not).
fn token_error(error: &CkError) -> SignError {
    match error {
        CkError::Pkcs11(RvError::PinIncorrect, _) => SignError::WrongPin,
        CkError::Pkcs11(RvError::PinLocked, _) => SignError::TokenLocked,
        CkError::Pkcs11(RvError::PinLenRange | RvError::PinInvalid, _) => {
            SignError::BadPin("độ dài hoặc ký tự không được thiết bị chấp nhận".into())
        }
        CkError::Pkcs11(
            RvError::TokenNotPresent | RvError::DeviceRemoved | RvError::SlotIdInvalid | RvError::TokenNotRecognized,
            _,
        ) => SignError::TokenRemoved,
        other => SignError::Token(other.to_string()),
    }
}
