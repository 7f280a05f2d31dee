//! The shapes of the signing commands (see [`crate::signing`]): verdicts on incoming signatures, the
//! organisation's signatures, its trust anchors and CRLs, the seal and the token preferences.
//!
//! Same policy as [`crate::dto`]: camelCase fields, kebab-case enum values, exported to
//! `ui/src/bindings/` by the `bindings::export` test of `dto.rs`. **No type here carries the PIN
//! back**: it travels once, in [`SignDocument`], and its `Debug` hides it.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// One signature's verdict (ETSI EN 319 102-1 in spirit).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "kebab-case")]
pub enum VerdictWord {
    /// Hợp lệ: intact, trusted, nothing forbidden changed since.
    Valid,
    /// Chưa xác định được: intact, but trust cannot be established.
    Indeterminate,
    /// Không hợp lệ: broken.
    Invalid,
}

/// A file's verdict: the worst of its signatures', or unsigned.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "kebab-case")]
pub enum FileVerdictWord {
    /// Every signature is valid.
    Valid,
    /// None invalid, at least one indeterminate.
    Indeterminate,
    /// At least one invalid.
    Invalid,
    /// No signature at all.
    Unsigned,
}

/// A certificate as the clerk reads it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct CertificateView {
    /// Subject, as people read it.
    pub subject: String,
    /// Issuer, as people read it.
    pub issuer: String,
    /// Serial number, hex.
    pub serial: String,
    /// Start of validity, RFC 3339.
    pub not_before: String,
    /// End of validity, RFC 3339.
    pub not_after: String,
    /// SHA-256 of the DER, hex.
    pub sha256: String,
}

/// One signature of a PDF, verified.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct SignatureCheck {
    /// The signature field's name.
    pub field: String,
    /// `/SubFilter`.
    pub subfilter: String,
    /// Toàn vẹn: the digest and the CMS signature verify, the byte range is sound.
    pub intact: bool,
    /// The signature covers the whole file.
    pub covers_whole_file: bool,
    /// Tin cậy: the signer's certificate chains to a trust anchor, valid then, not revoked.
    pub trusted: bool,
    /// The signer.
    pub signer: Option<String>,
    /// The signing time, RFC 3339 in Vietnam time.
    pub signing_time: Option<String>,
    /// timestamp, signed_attribute, claimed, none.
    pub time_source: String,
    /// What later revisions changed, in Vietnamese.
    pub modifications: Vec<String>,
    /// The verdict.
    pub verdict: VerdictWord,
    /// Why it is not valid (or what to know although it is), in Vietnamese.
    pub reason: Option<String>,
    /// The algorithm.
    pub algorithm: String,
    /// A valid timestamp's time.
    pub timestamp: Option<String>,
    /// The signature's page, from 1.
    pub page: Option<u32>,
    /// Every problem found, in Vietnamese.
    pub problems: Vec<String>,
    /// The certificate chain, signer first.
    pub chain: Vec<CertificateView>,
}

/// Every signature of a PDF and the file's verdict.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct SignatureReport {
    /// The file's verdict.
    pub verdict: FileVerdictWord,
    /// One line for the clerk.
    pub summary: String,
    /// Each signature, in file order.
    pub signatures: Vec<SignatureCheck>,
}

/// A verification kept with an incoming document.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct SignatureVerdict {
    /// Row id.
    #[ts(type = "number")]
    pub id: i64,
    /// The file verified.
    pub file_sha256: String,
    /// When, RFC 3339.
    pub verified_at: String,
    /// The verdict then.
    pub verdict: FileVerdictWord,
    /// The report then.
    pub report: SignatureReport,
    /// Registered although it did not verify: why.
    pub override_reason: Option<String>,
    /// Who decided that.
    pub overridden_by: Option<String>,
}

/// What is signed with the organisation's key, and so what the signature shows (Decree 30 App. I).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "kebab-case")]
pub enum SignProfile {
    /// An outgoing document signed by the competent person: number, date, seal.
    Issued,
    /// A copy (sao y): "SAO Y", the organisation, the time, top right of page 1.
    Copy,
    /// An attachment in its own file.
    Attachment,
}

/// A file signed with the organisation's key.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct SignedCopy {
    /// Row id.
    #[ts(type = "number")]
    pub id: i64,
    /// The document it belongs to.
    pub document_id: Option<String>,
    /// What was signed.
    pub source_sha256: String,
    /// The signed file.
    pub sha256: String,
    /// The profile.
    pub profile: SignProfile,
    /// The certificate used.
    pub certificate_sha256: String,
    /// When, RFC 3339.
    pub signed_at: String,
    /// By whom.
    pub signed_by: String,
    /// The timestamp's time, once it has one.
    pub timestamp_at: Option<String>,
    /// The file with its later document timestamp (open this one when present).
    pub upgraded_sha256: Option<String>,
}

/// Arguments of `sign_document`. The PIN is used for this call only, never stored or sent back.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct SignDocument {
    /// The document.
    pub id: String,
    /// The profile.
    pub profile: SignProfile,
    /// The PKCS#11 library.
    pub module: String,
    /// The token's label.
    pub token_label: String,
    /// The key's label, when the token holds several.
    #[serde(default)]
    #[ts(optional)]
    pub key_label: Option<String>,
    /// A timestamp authority; unreachable → signed without, upgraded later.
    #[serde(default)]
    #[ts(optional)]
    pub tsa_url: Option<String>,
    /// RSA-PSS instead of PKCS#1 v1.5 for an RSA key.
    #[serde(default)]
    pub rsa_pss: bool,
    /// The token's PIN.
    pub pin: String,
}

impl std::fmt::Debug for SignDocument {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SignDocument")
            .field("id", &self.id)
            .field("profile", &self.profile)
            .field("module", &self.module)
            .field("token_label", &self.token_label)
            .field("key_label", &self.key_label)
            .field("tsa_url", &self.tsa_url)
            .field("rsa_pss", &self.rsa_pss)
            .field("pin", &"<hidden>")
            .finish()
    }
}

/// The answer of `sign_document`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct SignOutcome {
    /// The signature field's name.
    pub field: String,
    /// The signer (the organisation's certificate).
    pub signer: String,
    /// The signing time written, RFC 3339 +07:00.
    pub signed_at: String,
    /// The algorithm.
    pub algorithm: String,
    /// The timestamp's time (B-T).
    pub timestamp_at: Option<String>,
    /// Why there is no timestamp although an authority was given (it is queued).
    pub timestamp_error: Option<String>,
    /// What the register recorded.
    pub copy: SignedCopy,
}

/// A cached CRL.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct CrlView {
    /// SHA-256 of the DER.
    pub sha256: String,
    /// The CA that issued it.
    pub issuer: String,
    /// thisUpdate, RFC 3339.
    pub this_update: String,
    /// nextUpdate, RFC 3339.
    pub next_update: Option<String>,
    /// Its URL, or `import`.
    pub source: String,
}

/// A CRL that could not be fetched.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct CrlFailure {
    /// Its URL.
    pub url: String,
    /// Why, in Vietnamese.
    pub message: String,
}

/// The answer of `refresh_crls`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct CrlRefresh {
    /// URLs fetched and cached.
    pub fetched: Vec<String>,
    /// URLs that failed (offline: try again later).
    pub failed: Vec<CrlFailure>,
}

/// The seal image kept in the register.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct SealSetting {
    /// The PNG in the file store.
    pub sha256: String,
    /// Real width, mm.
    pub width_mm: f32,
    /// Real height, mm.
    pub height_mm: f32,
}

/// Arguments of `set_seal`: a transparent PNG and, optionally, its real size (else from the PNG).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct SetSeal {
    /// The PNG the administrator picked.
    pub path: String,
    /// Real width, mm.
    #[serde(default)]
    #[ts(optional)]
    pub width_mm: Option<f32>,
    /// Real height, mm.
    #[serde(default)]
    #[ts(optional)]
    pub height_mm: Option<f32>,
}

/// Which token and key the organisation signs with. Never the PIN.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct TokenPreferences {
    /// The PKCS#11 library.
    pub module: String,
    /// The token's label.
    pub token_label: String,
    /// The signing key's label.
    #[serde(default)]
    #[ts(optional)]
    pub key_label: Option<String>,
    /// The timestamp authority.
    #[serde(default)]
    #[ts(optional)]
    pub tsa_url: Option<String>,
}

/// Where the token preferences are kept.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "kebab-case")]
pub enum TokenPlace {
    /// The desktop's Secret Service.
    Keyring,
    /// The register (this machine has no Secret Service).
    Register,
}

/// The answer of `token_preferences`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct StoredTokenPreferences {
    /// The preferences.
    pub preferences: TokenPreferences,
    /// Where they were found.
    pub stored_in: TokenPlace,
}

/// Arguments of `upgrade_timestamps`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct UpgradeTimestamps {
    /// The timestamp authority.
    pub tsa_url: String,
}

/// The answer of `upgrade_timestamps`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct TimestampRun {
    /// Signed files that got their timestamp.
    pub done: u32,
    /// Those still waiting.
    pub waiting: u32,
    /// The last error, when some are still waiting.
    pub last_error: Option<String>,
}
