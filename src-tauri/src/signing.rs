//! The signing commands: the verdict on an arriving PDF's signatures (before it is registered), the
//! verdicts kept with a document, signing a document with the organisation's token, the files signed,
//! the trust anchors and CRLs, the seal, and the token preferences.
//!
//! Like every command here they parse a DTO, call one `Desk` method on a blocking thread and map the
//! answer. Files the clerk picked (a PDF to verify, a certificate, a CRL, the seal PNG) are read here,
//! bounded in size, and handed to the façade as bytes. The PIN arrives in [`SignDocument`], is moved
//! into the façade call and dropped with it: it is never stored, logged or sent back.

use std::path::{Path, PathBuf};

use serde::Deserialize;
use tauri::ipc::{Request, Response};
use vanthu_app::credentials::TokenPreferences as AppTokenPreferences;
use vanthu_app::signing::{self as app_signing, CopyLook, IssuedLook, Profile, SignRequest, TokenChoice};
use vanthu_app::signing_prefs::TokenPlace as AppTokenPlace;

use crate::commands::{DeskState, blocking, parse};
use crate::dto::{CommandError, DocumentId, FilePath, StoredFile};
use crate::signing_dto::*;

type Reply<T> = Result<T, CommandError>;
type DeskRef<'a> = tauri::State<'a, DeskState>;

/// The largest PDF verified from a picked file.
const MAX_PDF: u64 = 100 * 1024 * 1024;
/// The largest certificate bundle, CRL or seal image.
const MAX_SMALL: u64 = 20 * 1024 * 1024;

/// Reads a file the clerk picked: a regular file of at most `max` bytes.
fn read_picked(path: &str, max: u64) -> Reply<Vec<u8>> {
    let path = Path::new(path.trim());
    if path.as_os_str().is_empty() {
        return Err(CommandError::new("invalid_input", "Hãy chọn tệp."));
    }
    let unreadable =
        |e: std::io::Error| CommandError::new("io", format!("Không đọc được tệp {}: {e}.", path.display()));
    let meta = std::fs::metadata(path).map_err(unreadable)?;
    if !meta.is_file() {
        return Err(CommandError::new("invalid_input", format!("{} không phải là tệp.", path.display())));
    }
    if meta.len() > max {
        return Err(CommandError::new(
            "invalid_input",
            format!("Tệp {} quá lớn ({} MB).", path.display(), meta.len() / (1024 * 1024)),
        ));
    }
    std::fs::read(path).map_err(unreadable)
}

// ---------------------------------------------------------------------------------------------
// Mapping: the façade's reports are plain serde data (snake_case); they are read back field by field.

#[derive(Deserialize, Default)]
#[serde(default)]
struct RawReport {
    verdict: String,
    summary: String,
    signatures: Vec<RawSignature>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct RawSignature {
    field: String,
    subfilter: String,
    intact: bool,
    covers_whole_file: bool,
    trusted: bool,
    signer: Option<String>,
    signing_time: Option<String>,
    time_source: String,
    modifications: Vec<String>,
    verdict: String,
    reason: Option<String>,
    algorithm: String,
    timestamp: Option<String>,
    page: Option<u32>,
    problems: Vec<String>,
    chain: Vec<RawCertificate>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct RawCertificate {
    subject: String,
    issuer: String,
    serial: String,
    not_before: String,
    not_after: String,
    sha256: String,
}

fn file_verdict(word: &str) -> FileVerdictWord {
    match word {
        "valid" => FileVerdictWord::Valid,
        "indeterminate" => FileVerdictWord::Indeterminate,
        "unsigned" => FileVerdictWord::Unsigned,
        _ => FileVerdictWord::Invalid,
    }
}

fn verdict(word: &str) -> VerdictWord {
    match word {
        "valid" => VerdictWord::Valid,
        "indeterminate" => VerdictWord::Indeterminate,
        _ => VerdictWord::Invalid,
    }
}

/// A report (live or kept with a document) as the window shows it. A kept report that no longer
/// reads is shown as what it is: a verdict without details.
fn report_dto(value: serde_json::Value, kept_verdict: Option<&str>) -> SignatureReport {
    let raw: RawReport = serde_json::from_value(value).unwrap_or_default();
    let word = if raw.verdict.is_empty() { kept_verdict.unwrap_or("invalid") } else { raw.verdict.as_str() };
    SignatureReport {
        verdict: file_verdict(word),
        summary: raw.summary,
        signatures: raw
            .signatures
            .into_iter()
            .map(|s| SignatureCheck {
                field: s.field,
                subfilter: s.subfilter,
                intact: s.intact,
                covers_whole_file: s.covers_whole_file,
                trusted: s.trusted,
                signer: s.signer,
                signing_time: s.signing_time,
                time_source: s.time_source,
                modifications: s.modifications,
                verdict: verdict(&s.verdict),
                reason: s.reason,
                algorithm: s.algorithm,
                timestamp: s.timestamp,
                page: s.page,
                problems: s.problems,
                chain: s
                    .chain
                    .into_iter()
                    .map(|c| CertificateView {
                        subject: c.subject,
                        issuer: c.issuer,
                        serial: c.serial,
                        not_before: c.not_before,
                        not_after: c.not_after,
                        sha256: c.sha256,
                    })
                    .collect(),
            })
            .collect(),
    }
}

fn profile_dto(profile: &str) -> SignProfile {
    match profile {
        "issued" => SignProfile::Issued,
        "attachment" => SignProfile::Attachment,
        _ => SignProfile::Copy,
    }
}

fn copy_dto(c: app_signing::SignedCopy) -> SignedCopy {
    SignedCopy {
        id: c.id,
        document_id: c.document_id,
        source_sha256: c.source_sha256,
        sha256: c.sha256,
        profile: profile_dto(&c.profile),
        certificate_sha256: c.certificate_sha256,
        signed_at: c.signed_at,
        signed_by: c.signed_by,
        timestamp_at: c.timestamp_at,
        upgraded_sha256: c.upgraded_sha256,
    }
}

fn certificate_dto(c: app_signing::CertificateRecord) -> CertificateView {
    CertificateView {
        subject: c.subject,
        issuer: c.issuer,
        serial: c.serial,
        not_before: c.not_before,
        not_after: c.not_after,
        sha256: c.sha256,
    }
}

fn crl_dto(c: app_signing::CrlRecord) -> CrlView {
    CrlView {
        sha256: c.sha256,
        issuer: c.issuer,
        this_update: c.this_update,
        next_update: c.next_update,
        source: c.source,
    }
}

fn seal_dto(s: app_signing::SealSetting) -> SealSetting {
    SealSetting { sha256: s.sha256, width_mm: s.width_mm, height_mm: s.height_mm }
}

fn place_dto(place: AppTokenPlace) -> TokenPlace {
    match place {
        AppTokenPlace::Keyring => TokenPlace::Keyring,
        AppTokenPlace::Register => TokenPlace::Register,
    }
}

fn optional(text: Option<String>) -> Option<String> {
    text.map(|t| t.trim().to_owned()).filter(|t| !t.is_empty())
}

// ---------------------------------------------------------------------------------------------
// Arriving documents: verify before registering, the verdicts kept.

/// Verifies the signatures of a PDF the clerk picked, against the register's trust, before it is
/// registered (nothing is stored).
#[tauri::command]
pub async fn verify_file(state: DeskRef<'_>, request: Request<'_>) -> Reply<SignatureReport> {
    let input: FilePath = parse(&request)?;
    blocking(state.desk()?, move |desk| {
        let pdf = read_picked(&input.path, MAX_PDF)?;
        let report = desk.verify_bytes(&pdf)?;
        Ok::<_, CommandError>(report_dto(serde_json::to_value(&report).unwrap_or_default(), None))
    })
    .await
}

/// The verdicts kept with a document, oldest first.
#[tauri::command]
pub async fn signature_verdicts(state: DeskRef<'_>, request: Request<'_>) -> Reply<Vec<SignatureVerdict>> {
    let input: DocumentId = parse(&request)?;
    let kept = blocking(state.desk()?, move |desk| desk.signature_verdicts(&input.id)).await?;
    Ok(kept
        .into_iter()
        .map(|v| SignatureVerdict {
            id: v.id,
            file_sha256: v.file_sha256,
            verified_at: v.verified_at,
            verdict: file_verdict(&v.verdict),
            report: report_dto(v.report, Some(&v.verdict)),
            override_reason: v.override_reason,
            overridden_by: v.overridden_by,
        })
        .collect())
}

// ---------------------------------------------------------------------------------------------
// The organisation's signatures.

/// Signs a registered document with the organisation's token (its latest signed file, or its main
/// PDF): an issued document with its number, date and seal, or a copy. Each use is audited.
#[tauri::command]
pub async fn sign_document(state: DeskRef<'_>, request: Request<'_>) -> Reply<SignOutcome> {
    let SignDocument { id, profile, module, token_label, key_label, tsa_url, rsa_pss, pin } = parse(&request)?;
    if module.trim().is_empty() {
        return Err(CommandError::new(
            "invalid_input",
            "Chưa cấu hình thư viện PKCS#11 của token: vào Chữ ký số để nhập đường dẫn.",
        ));
    }
    let sign = SignRequest {
        profile: match profile {
            SignProfile::Issued => Profile::Issued,
            SignProfile::Copy => Profile::Copy,
            SignProfile::Attachment => Profile::Attachment,
        },
        token: TokenChoice {
            module: PathBuf::from(module.trim()),
            token_label: token_label.trim().to_owned(),
            key_label: optional(key_label),
            rsa_pss,
        },
        tsa_url: optional(tsa_url),
        organisation: String::new(),
        issued: IssuedLook::default(),
        copy: CopyLook::default(),
    };
    // The PIN moves into the call and is dropped with it.
    let (signed, copy) = blocking(state.desk()?, move |desk| desk.sign_document(&id, &sign, &pin)).await?;
    Ok(SignOutcome {
        field: signed.field,
        signer: signed.signer,
        signed_at: signed.signed_at,
        algorithm: signed.algorithm,
        timestamp_at: signed.timestamp_at,
        timestamp_error: signed.timestamp_error,
        copy: copy_dto(copy),
    })
}

/// The files signed with the organisation's key for a document, oldest first.
#[tauri::command]
pub async fn signed_copies(state: DeskRef<'_>, request: Request<'_>) -> Reply<Vec<SignedCopy>> {
    let input: DocumentId = parse(&request)?;
    Ok(blocking(state.desk()?, move |desk| desk.signed_copies(&input.id)).await?.into_iter().map(copy_dto).collect())
}

/// Appends a timestamp to every file signed while the authority could not be reached.
#[tauri::command]
pub async fn upgrade_timestamps(state: DeskRef<'_>, request: Request<'_>) -> Reply<TimestampRun> {
    let input: UpgradeTimestamps = parse(&request)?;
    let run = blocking(state.desk()?, move |desk| desk.upgrade_timestamps(input.tsa_url.trim())).await?;
    Ok(TimestampRun {
        done: u32::try_from(run.done).unwrap_or(u32::MAX),
        waiting: u32::try_from(run.waiting).unwrap_or(u32::MAX),
        last_error: run.last_error,
    })
}

// ---------------------------------------------------------------------------------------------
// Trust: anchors and CRLs.

/// The organisation's trust anchors.
#[tauri::command]
pub async fn trust_anchors(state: DeskRef<'_>) -> Reply<Vec<CertificateView>> {
    Ok(blocking(state.desk()?, |desk| desk.trust_anchors()).await?.into_iter().map(certificate_dto).collect())
}

/// Trusts the CA certificates of a PEM bundle or a DER file the clerk picked.
#[tauri::command]
pub async fn import_trust_anchors(state: DeskRef<'_>, request: Request<'_>) -> Reply<Vec<CertificateView>> {
    let input: FilePath = parse(&request)?;
    let added = blocking(state.desk()?, move |desk| {
        let bytes = read_picked(&input.path, MAX_SMALL)?;
        desk.import_trust_anchors(&bytes).map_err(CommandError::from)
    })
    .await?;
    Ok(added.into_iter().map(certificate_dto).collect())
}

/// Stops trusting a CA; true when it was trusted.
#[tauri::command]
pub async fn remove_trust_anchor(state: DeskRef<'_>, request: Request<'_>) -> Reply<bool> {
    let input: StoredFile = parse(&request)?;
    blocking(state.desk()?, move |desk| desk.remove_trust_anchor(&input.sha256)).await
}

/// The cached CRLs (the newest of each issuer).
#[tauri::command]
pub async fn crls(state: DeskRef<'_>) -> Reply<Vec<CrlView>> {
    Ok(blocking(state.desk()?, |desk| desk.crls()).await?.into_iter().map(crl_dto).collect())
}

/// Caches a CRL file the clerk picked.
#[tauri::command]
pub async fn import_crl(state: DeskRef<'_>, request: Request<'_>) -> Reply<CrlView> {
    let input: FilePath = parse(&request)?;
    let crl = blocking(state.desk()?, move |desk| {
        let bytes = read_picked(&input.path, MAX_SMALL)?;
        desk.import_crl(&bytes, "import").map_err(CommandError::from)
    })
    .await?;
    Ok(crl_dto(crl))
}

/// While online: fetches the CRLs the known certificates name.
#[tauri::command]
pub async fn refresh_crls(state: DeskRef<'_>) -> Reply<CrlRefresh> {
    let refresh = blocking(state.desk()?, |desk| desk.refresh_crls()).await?;
    Ok(CrlRefresh {
        fetched: refresh.fetched,
        failed: refresh.failed.into_iter().map(|(url, message)| CrlFailure { url, message }).collect(),
    })
}

// ---------------------------------------------------------------------------------------------
// The seal and the token preferences.

/// The seal image's setting, if one was set.
#[tauri::command]
pub async fn seal(state: DeskRef<'_>) -> Reply<Option<SealSetting>> {
    Ok(blocking(state.desk()?, |desk| desk.seal()).await?.map(|(setting, _)| seal_dto(setting)))
}

/// The seal image (PNG bytes), for its preview.
#[tauri::command]
pub async fn seal_image(state: DeskRef<'_>) -> Reply<Response> {
    let seal = blocking(state.desk()?, |desk| desk.seal()).await?;
    match seal {
        Some((_, png)) => Ok(Response::new(png)),
        None => Err(CommandError::new("not_found", "Chưa có ảnh con dấu.")),
    }
}

/// Keeps the seal image (a transparent PNG the administrator picked) and its real size.
#[tauri::command]
pub async fn set_seal(state: DeskRef<'_>, request: Request<'_>) -> Reply<SealSetting> {
    let input: SetSeal = parse(&request)?;
    let size = input.width_mm.zip(input.height_mm);
    let setting = blocking(state.desk()?, move |desk| {
        let png = read_picked(&input.path, MAX_SMALL)?;
        desk.set_seal(&png, size).map_err(CommandError::from)
    })
    .await?;
    Ok(seal_dto(setting))
}

/// The token preferences and where they are kept, if saved.
#[tauri::command]
pub async fn token_preferences(state: DeskRef<'_>) -> Reply<Option<StoredTokenPreferences>> {
    let stored = blocking(state.desk()?, |desk| desk.token_preferences()).await?;
    Ok(stored.map(|(p, place)| StoredTokenPreferences {
        preferences: TokenPreferences {
            module: p.module,
            token_label: p.token_label,
            key_label: p.key_label,
            tsa_url: p.tsa_url,
        },
        stored_in: place_dto(place),
    }))
}

/// Saves the token preferences (never the PIN); answers where they were kept.
#[tauri::command]
pub async fn set_token_preferences(state: DeskRef<'_>, request: Request<'_>) -> Reply<TokenPlace> {
    let input: TokenPreferences = parse(&request)?;
    let preferences = AppTokenPreferences {
        module: input.module,
        token_label: input.token_label,
        key_label: input.key_label,
        tsa_url: input.tsa_url,
    };
    Ok(place_dto(blocking(state.desk()?, move |desk| desk.set_token_preferences(&preferences)).await?))
}
