//! Signing with the organisation's token and verifying anyone's signatures (domain §7).
//!
//! Two ways in, one set of rules:
//! - [`sign_pdf`] and [`verify_pdf`] work on bytes with no register: the CLI's `vanthu sign` and
//!   `vanthu verify` outside a register, the benchmarks, the tests;
//! - the [`Desk`](crate::Desk) methods in this module do the same on the register's documents and
//!   keep what the law asks to keep: every use of the key in the audit log, the verdicts and the
//!   certificates with the records, the trust anchors and CRLs of the organisation.
//!
//! The PIN is taken as an argument, handed to the token and dropped: never stored, logged or echoed.

use std::path::PathBuf;

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use vanthu_pdf::appearance::{self, Area, CopyMark, PlacedText, Seal};
use vanthu_pdf::signature::{Signable, Widget};
use vanthu_sign::SignError;
use vanthu_sign::pades::{self, Layout};
use vanthu_sign::report::vietnam;
use vanthu_sign::token::{RsaScheme, Token, TokenConfig};
use vanthu_sign::verify::TrustStore;

use crate::digitise::{pdf_error, sha256_hex};
use crate::error::{ApiError, ErrorCode};

pub use vanthu_sign::report::{FileVerdict, PdfReport, SignatureReport, Verdict};

type ApiResult<T> = Result<T, ApiError>;

/// What is being signed, and so what the signature shows (Decree 30 App. I).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Profile {
    /// An outgoing document already signed by the competent person: number, date, seal.
    Issued,
    /// A copy (sao y) the organisation makes: "SAO Y", the organisation, the time, top right.
    Copy,
    /// An attachment in its own file: its number, the organisation, the time, top right.
    Attachment,
}

impl Profile {
    /// The word the register and the CLI use.
    pub fn as_str(self) -> &'static str {
        match self {
            Profile::Issued => "issued",
            Profile::Copy => "copy",
            Profile::Attachment => "attachment",
        }
    }
}

impl std::str::FromStr for Profile {
    type Err = ApiError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim() {
            "issued" => Ok(Profile::Issued),
            "copy" => Ok(Profile::Copy),
            "attachment" => Ok(Profile::Attachment),
            other => Err(ApiError::invalid(format!(
                "Loại ký \"{other}\" không hợp lệ: issued (văn bản phát hành), copy (bản sao), attachment (phụ lục)."
            ))),
        }
    }
}

/// Which token and key.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TokenChoice {
    /// The PKCS#11 library.
    pub module: PathBuf,
    /// The token's label.
    pub token_label: String,
    /// The key's label, when the token holds several.
    pub key_label: Option<String>,
    /// Sign RSA keys with RSASSA-PSS instead of PKCS#1 v1.5.
    pub rsa_pss: bool,
}

/// A point on a page: millimetres from the top-left as displayed.
pub type AtMm = (f32, f32);

/// What an issued document's signature shows beyond the seal's placement.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct IssuedLook {
    /// The number as written in its blank ("15"), when the document gets one.
    pub number: Option<String>,
    /// The date line as written ("ngày 05 tháng 3 năm 2026").
    pub date: Option<String>,
    /// Where the number goes on page 1 (default [`DEFAULT_NUMBER_AT`]).
    pub number_at: Option<AtMm>,
    /// Where the date goes on page 1 (default [`DEFAULT_DATE_AT`]).
    pub date_at: Option<AtMm>,
    /// The seal image: a transparent red PNG.
    pub seal_png: Option<Vec<u8>>,
    /// Its real size in mm (default: from the PNG's resolution, else 36 × 36).
    pub seal_size_mm: Option<(f32, f32)>,
    /// Where the seal's top-left goes (default: over the left third of the signer's signature, else
    /// [`DEFAULT_SEAL_AT`]), and on which page (default: the last).
    pub seal_at: Option<AtMm>,
    /// The seal's page, from 1.
    pub seal_page: Option<usize>,
}

/// Where a copy's or an attachment's mark goes.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct CopyLook {
    /// "SAO Y" (default for a copy) or the attachment's number.
    pub form: Option<String>,
    /// The mark's top-left (default: top right of page 1).
    pub at: Option<AtMm>,
}

/// One signing request on bytes.
#[derive(Clone, Debug)]
pub struct SignRequest {
    /// The profile.
    pub profile: Profile,
    /// The token and key.
    pub token: TokenChoice,
    /// A timestamp authority (RFC 3161); unreachable → B-B, and the caller queues the upgrade.
    pub tsa_url: Option<String>,
    /// The organisation's name, for the copy mark and the signature's `/Location`.
    pub organisation: String,
    /// Issued profile.
    pub issued: IssuedLook,
    /// Copy and attachment profiles.
    pub copy: CopyLook,
}

/// Default place of the number on page 1 of an A4 document (after "Số: " in App. I's layout).
pub const DEFAULT_NUMBER_AT: AtMm = (38.0, 36.0);
/// Default place of the date line on page 1.
pub const DEFAULT_DATE_AT: AtMm = (118.0, 36.0);
/// Default place of the seal when the signer's signature cannot be found.
pub const DEFAULT_SEAL_AT: AtMm = (105.0, 225.0);
/// Default real size of a seal (a 36 mm round seal) when the PNG does not say.
pub const DEFAULT_SEAL_MM: (f32, f32) = (36.0, 36.0);

/// A signed file.
#[derive(Clone, Debug, Serialize)]
pub struct SignedFile {
    /// The signature's revision: the signed file is the PDF that was signed followed by these
    /// bytes (the PDF is not copied). That PDF is the one given to [`sign_pdf`]; the façade's
    /// signing stores the whole file and says which one it is in [`SignedCopy`].
    #[serde(skip)]
    pub revision: Vec<u8>,
    /// The signature field's name.
    pub field: String,
    /// The signer, as people read it.
    pub signer: String,
    /// The certificate's SHA-256.
    pub certificate_sha256: String,
    /// The signing time written (`/M`), RFC 3339 +07:00.
    pub signed_at: String,
    /// The algorithm.
    pub algorithm: String,
    /// The timestamp's time (B-T).
    pub timestamp_at: Option<String>,
    /// Why there is no timestamp although an authority was configured.
    pub timestamp_error: Option<String>,
    /// The certificate's DER.
    #[serde(skip)]
    pub certificate: Vec<u8>,
}

/// Sign `pdf` with the token, at `now`: everything that can go wrong with the token, the PIN or the
/// certificate is found before a byte is written.
pub fn sign_pdf(pdf: &[u8], request: &SignRequest, pin: &str, now: OffsetDateTime) -> ApiResult<SignedFile> {
    // The signing time is written to the second (PDF dates and the copy mark have no fractions).
    let now = now.replace_nanosecond(0).unwrap_or(now);
    vanthu_sign::report::ensure_pdf(pdf).map_err(sign_error)?;
    let config = TokenConfig {
        module: request.token.module.clone(),
        token_label: request.token.token_label.trim().to_string(),
        key_label: request.token.key_label.clone().filter(|label| !label.trim().is_empty()),
    };
    let token = Token::open(&config).map_err(sign_error)?;
    let scheme = if request.token.rsa_pss { RsaScheme::Pss } else { RsaScheme::Pkcs1v15 };
    let session = token.login(pin, scheme).map_err(sign_error)?;
    session.check_validity(now).map_err(sign_error)?;
    // Parsed once: the signatures, the pages and the new revision all come from this parse.
    let parsed = Signable::read(pdf).map_err(pdf_error)?;
    let existing = parsed.signatures().map_err(pdf_error)?;
    let field = free_field_name(&existing.iter().map(|f| f.field.clone()).collect::<Vec<_>>());
    let signed_at = vietnam(now);
    let layout = layout_for(&parsed.pages_size_mm(), &existing, request, &field, &signed_at)?;
    let signed = pades::sign_parsed(&parsed, &session, &layout, now, request.tsa_url.as_deref()).map_err(sign_error)?;
    let subject = vanthu_sign::certificate_subject(&signed.certificate).unwrap_or_default();
    Ok(SignedFile {
        revision: signed.revision,
        field,
        signer: subject,
        certificate_sha256: sha256_hex(&signed.certificate),
        signed_at,
        algorithm: session.scheme().describe().to_string(),
        timestamp_at: signed.timestamp.map(vietnam),
        timestamp_error: signed.timestamp_error,
        certificate: signed.certificate,
    })
}

/// The first free `SigN` name.
fn free_field_name(existing: &[String]) -> String {
    (1..).map(|n| format!("Sig{n}")).find(|name| !existing.contains(name)).unwrap_or_else(|| "SigVanthu".into())
}

/// The appearances and widgets of the signature, on pages of these sizes (mm, as displayed).
fn layout_for(
    pages: &[(f32, f32)],
    existing: &[vanthu_pdf::signature::SignatureField],
    request: &SignRequest,
    field: &str,
    signed_at: &str,
) -> ApiResult<Layout> {
    let Some(&(first_width, _)) = pages.first() else {
        return Err(ApiError::invalid("Tệp PDF không có trang nào."));
    };
    let (appearance, targets) = match request.profile {
        Profile::Copy | Profile::Attachment => {
            let form =
                request.copy.form.clone().filter(|f| !f.trim().is_empty()).unwrap_or_else(|| match request.profile {
                    Profile::Attachment => "PHỤ LỤC".into(),
                    _ => "SAO Y".into(),
                });
            let mark = CopyMark { form, organisation: request.organisation.clone(), signed_at: signed_at.to_string() };
            let drawn = appearance::copy_mark(&mark, first_width, request.copy.at).map_err(pdf_error)?;
            let targets = vec![0; drawn.boxes.len()];
            (drawn, targets)
        }
        Profile::Issued => {
            let look = &request.issued;
            let last = pages.len() - 1;
            let seal_page = look.seal_page.map(|p| p.clamp(1, pages.len()) - 1).unwrap_or(last);
            let seal = match &look.seal_png {
                Some(png) => {
                    let size = look.seal_size_mm.or_else(|| appearance::png_size_mm(png)).unwrap_or(DEFAULT_SEAL_MM);
                    let signer_box =
                        existing.iter().filter(|f| f.page == Some(seal_page)).find_map(|f| f.rect_mm.clone());
                    let at = match (look.seal_at, signer_box) {
                        (Some((x, y)), _) => Area { x_mm: x, y_mm: y, width_mm: size.0, height_mm: size.1 },
                        (None, Some(signature)) => appearance::seal_over_signature(&signature, size.0, size.1),
                        (None, None) => Area {
                            x_mm: DEFAULT_SEAL_AT.0,
                            y_mm: DEFAULT_SEAL_AT.1,
                            width_mm: size.0,
                            height_mm: size.1,
                        },
                    };
                    Some(Seal { png: png.clone(), at })
                }
                None => None,
            };
            let mut texts = Vec::new();
            let mut targets = Vec::new();
            if seal.is_some() {
                targets.push(seal_page);
            }
            for (text, at, default) in
                [(&look.number, look.number_at, DEFAULT_NUMBER_AT), (&look.date, look.date_at, DEFAULT_DATE_AT)]
            {
                if let Some(text) = text.as_ref().filter(|t| !t.trim().is_empty()) {
                    let (x_mm, y_mm) = at.unwrap_or(default);
                    texts.push(PlacedText { text: text.clone(), x_mm, y_mm, size_pt: 13.0, bold: false });
                    targets.push(0);
                }
            }
            if seal.is_none() && texts.is_empty() {
                return Err(ApiError::invalid(
                    "Ký văn bản phát hành cần ảnh con dấu, số hoặc ngày văn bản (không có gì để thể hiện).",
                ));
            }
            let drawn = appearance::issued(seal.as_ref(), &texts).map_err(pdf_error)?;
            (drawn, targets)
        }
    };
    let widgets = appearance
        .boxes
        .iter()
        .zip(targets)
        .enumerate()
        .map(|(source_page, (area, page))| Widget {
            page,
            x_mm: area.x_mm,
            y_mm: area.y_mm,
            width_mm: area.width_mm,
            height_mm: area.height_mm,
            source_page,
        })
        .collect();
    Ok(Layout {
        field_name: field.to_string(),
        widgets,
        appearance: Some(appearance.pdf),
        name: None,
        reason: Some(match request.profile {
            Profile::Issued => "Ký số của cơ quan, tổ chức (văn bản phát hành)".into(),
            Profile::Copy => "Ký số bản sao".into(),
            Profile::Attachment => "Ký số phụ lục".into(),
        }),
        location: Some(request.organisation.clone()).filter(|o| !o.trim().is_empty()),
    })
}

/// Trust material as bytes (PEM or DER): anchors and CRLs.
#[derive(Clone, Debug, Default)]
pub struct TrustInput {
    /// CA certificates the organisation trusts.
    pub anchors: Vec<Vec<u8>>,
    /// Extra intermediate certificates.
    pub intermediates: Vec<Vec<u8>>,
    /// CRLs.
    pub crls: Vec<Vec<u8>>,
}

/// A trust store from bytes; a file that is not a certificate (or a CRL) is refused by name.
pub fn trust_store(input: &TrustInput) -> ApiResult<TrustStore> {
    let mut store = TrustStore::new();
    extend_trust(&mut store, input)?;
    Ok(store)
}

/// Add trust material to a store (the register's, for one verification).
pub fn extend_trust(store: &mut TrustStore, input: &TrustInput) -> ApiResult<()> {
    for anchor in &input.anchors {
        store.add_anchor(anchor).map_err(|e| ApiError::invalid(format!("Chứng thư gốc không đọc được: {e}")))?;
    }
    for intermediate in &input.intermediates {
        store
            .add_intermediate(intermediate)
            .map_err(|e| ApiError::invalid(format!("Chứng thư trung gian không đọc được: {e}")))?;
    }
    for crl in &input.crls {
        store.add_crl(crl).map_err(|e| ApiError::invalid(format!("Danh sách thu hồi (CRL) không đọc được: {e}")))?;
    }
    Ok(())
}

/// Verify every signature of `pdf` at `now`.
pub fn verify_pdf(pdf: &[u8], trust: &TrustStore, now: OffsetDateTime) -> ApiResult<PdfReport> {
    vanthu_sign::report::ensure_pdf(pdf).map_err(sign_error)?;
    vanthu_sign::report::verify_pdf(pdf, trust, now).map_err(sign_error)
}

/// The date line of Decree 30 App. I: "ngày 05 tháng 3 năm 2026" (days below 10 and the months
/// January and February with a leading zero).
pub fn decree30_date(date: time::Date) -> String {
    let month = u8::from(date.month());
    let month = if month <= 2 { format!("{month:02}") } else { month.to_string() };
    format!("ngày {:02} tháng {month} năm {}", date.day(), date.year())
}

/// A signing error at the edge: a code the UI acts on, the message in Vietnamese.
pub(crate) fn sign_error(error: SignError) -> ApiError {
    let code = match &error {
        SignError::Module { .. } | SignError::TokenMissing(_) | SignError::TokenRemoved => ErrorCode::TokenMissing,
        SignError::WrongPin | SignError::BadPin(_) => ErrorCode::WrongPin,
        SignError::TokenLocked => ErrorCode::TokenLocked,
        SignError::CertificateNotValid { .. } | SignError::UnsupportedKey(_) => ErrorCode::CertificateInvalid,
        SignError::KeyMissing(_) | SignError::KeyAmbiguous(_) => ErrorCode::InvalidInput,
        SignError::Pdf(_) => return ApiError::new(ErrorCode::InvalidInput, error.to_string()),
        SignError::Timestamp { .. } | SignError::Fetch { .. } => ErrorCode::Io,
        _ => ErrorCode::Internal,
    };
    ApiError::new(code, format!("{error}."))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_are_written_as_decree_30_asks() {
        let date =
            |y, m, d| time::Date::from_calendar_date(y, time::Month::try_from(m).expect("month"), d).expect("date");
        assert_eq!(decree30_date(date(2026, 3, 5)), "ngày 05 tháng 3 năm 2026");
        assert_eq!(decree30_date(date(2026, 2, 15)), "ngày 15 tháng 02 năm 2026");
        assert_eq!(decree30_date(date(2026, 12, 31)), "ngày 31 tháng 12 năm 2026");
    }

    #[test]
    fn field_names_never_collide() {
        assert_eq!(free_field_name(&[]), "Sig1");
        assert_eq!(free_field_name(&["Sig1".into(), "Sig3".into()]), "Sig2");
    }
}

// ---------------------------------------------------------------------------------------------
// The register's side: documents, the audit log, trust anchors and CRLs, the timestamp queue.

pub use vanthu_store::signing::{CertificateRecord, CrlRecord, SignedCopy, VerdictRecord};

use crate::Desk;
use vanthu_core::access::Permission;
use vanthu_store::signing as store_signing;

/// The seal image kept in the register (setting `signing.seal`): its file and real size.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct SealSetting {
    /// The PNG in the file store.
    pub sha256: String,
    /// Real width, mm.
    pub width_mm: f32,
    /// Real height, mm.
    pub height_mm: f32,
}

const SEAL_SETTING: &str = "signing.seal";

/// What a CRL refresh did.
#[derive(Clone, Debug, Default, Serialize)]
pub struct CrlRefresh {
    /// URLs fetched and cached.
    pub fetched: Vec<String>,
    /// URLs that failed, with why (offline: try again later).
    pub failed: Vec<(String, String)>,
}

/// What a run of the timestamp queue did.
#[derive(Clone, Debug, Default, Serialize)]
pub struct TimestampRun {
    /// Signed files that got their document timestamp.
    pub done: usize,
    /// Those still waiting (the authority could not be reached).
    pub waiting: usize,
    /// The last error, when some are still waiting.
    pub last_error: Option<String>,
}

/// A certificate's record for the register, with its CRL distribution points.
fn certificate_record(info: vanthu_sign::verify::CertInfo) -> (CertificateRecord, Vec<String>) {
    (
        CertificateRecord {
            sha256: info.sha256,
            der: info.der,
            subject: info.subject,
            issuer: info.issuer,
            serial: info.serial,
            not_before: vietnam(info.not_before),
            not_after: vietnam(info.not_after),
        },
        info.crl_urls,
    )
}

/// The register's records of the certificates in `der_or_pem`.
fn certificate_records(der_or_pem: &[u8]) -> ApiResult<Vec<(CertificateRecord, Vec<String>)>> {
    let found = vanthu_sign::verify::read_certificates(der_or_pem)
        .map_err(|e| ApiError::invalid(format!("Chứng thư số không đọc được: {e}")))?;
    Ok(found.into_iter().map(certificate_record).collect())
}

impl Desk {
    /// The organisation's trust anchors.
    pub fn trust_anchors(&self) -> ApiResult<Vec<CertificateRecord>> {
        self.authorise_passive(Permission::ReadRegister)?;
        Ok(self.store.read(store_signing::trust_anchors)?)
    }

    /// Trust the CA certificates of a PEM bundle or one DER certificate (audited, one entry each).
    pub fn import_trust_anchors(&self, bytes: &[u8]) -> ApiResult<Vec<CertificateRecord>> {
        let actor = self.authorise(Permission::ManageTrust)?;
        let records: Vec<CertificateRecord> = vanthu_sign::verify::read_certificates(bytes)
            .map_err(|e| ApiError::invalid(format!("Không nhập được chứng thư gốc: {e}")))?
            .into_iter()
            .map(|info| certificate_record(info).0)
            .collect();
        let now = self.now();
        self.store.write(|tx| {
            for record in &records {
                store_signing::add_trust_anchor(tx, record, now, &actor.name)?;
            }
            Ok(())
        })?;
        Ok(records)
    }

    /// Stop trusting a CA (audited).
    pub fn remove_trust_anchor(&self, sha256: &str) -> ApiResult<bool> {
        let actor = self.authorise(Permission::ManageTrust)?;
        let now = self.now();
        Ok(self.store.write(|tx| store_signing::remove_trust_anchor(tx, sha256.trim(), now, &actor.name))?)
    }

    /// Cache a CRL (imported by hand, or fetched): checked as a CRL before it is kept.
    pub fn import_crl(&self, bytes: &[u8], source: &str) -> ApiResult<CrlRecord> {
        self.authorise(Permission::ManageTrust)?;
        self.cache_crl(bytes, source)
    }

    fn cache_crl(&self, bytes: &[u8], source: &str) -> ApiResult<CrlRecord> {
        let info = TrustStore::new()
            .add_crl(bytes)
            .map_err(|e| ApiError::invalid(format!("Danh sách thu hồi (CRL) không đọc được: {e}")))?;
        let record = CrlRecord {
            sha256: sha256_hex(bytes),
            issuer: info.issuer.clone(),
            der: bytes.to_vec(),
            this_update: vietnam(info.this_update),
            next_update: info.next_update.map(vietnam),
            source: source.to_string(),
        };
        let now = self.now();
        self.store.write(|tx| store_signing::store_crl(tx, &record, now))?;
        Ok(record)
    }

    /// The cached CRLs (newest per issuer).
    pub fn crls(&self) -> ApiResult<Vec<CrlRecord>> {
        self.authorise_passive(Permission::ReadRegister)?;
        Ok(self.store.read(store_signing::crls)?)
    }

    /// While online: fetch the CRL of every distribution point named by the certificates the
    /// register knows (anchors, signers met), and cache them for verifying offline.
    pub fn refresh_crls(&self) -> ApiResult<CrlRefresh> {
        self.authorise_passive(Permission::ReadRegister)?;
        let urls = self.store.read(store_signing::known_certificates)?;
        let mut wanted: Vec<String> = urls
            .iter()
            .filter_map(|der| certificate_records(der).ok())
            .flatten()
            .flat_map(|(_, urls)| urls)
            .filter(|url| url.starts_with("http://") || url.starts_with("https://"))
            .collect();
        wanted.sort();
        wanted.dedup();
        let mut refresh = CrlRefresh::default();
        for url in wanted.into_iter() {
            match vanthu_sign::fetch::fetch(&url).map_err(sign_error).and_then(|bytes| self.cache_crl(&bytes, &url)) {
                Ok(_) => refresh.fetched.push(url),
                Err(error) => refresh.failed.push((url, error.message)),
            }
        }
        Ok(refresh)
    }

    /// The register's trust: its anchors and cached CRLs.
    pub fn trust(&self) -> ApiResult<TrustStore> {
        let (anchors, crls) = self.store.read(|c| Ok((store_signing::trust_anchors(c)?, store_signing::crls(c)?)))?;
        let mut store = TrustStore::new();
        for anchor in anchors {
            let _ = store.add_anchor(&anchor.der);
        }
        for crl in crls {
            let _ = store.add_crl(&crl.der);
        }
        Ok(store)
    }

    /// Verify a file's signatures against the register's trust, at the register's clock.
    pub fn verify_bytes(&self, pdf: &[u8]) -> ApiResult<PdfReport> {
        self.authorise_passive(Permission::ReadRegister)?;
        verify_pdf(pdf, &self.trust()?, self.now())
    }

    /// The verdicts kept with a document.
    pub fn signature_verdicts(&self, id: &str) -> ApiResult<Vec<VerdictRecord>> {
        self.authorise_passive(Permission::ReadRegister)?;
        Ok(self.store.read(|c| store_signing::verdicts(c, id.trim()))?)
    }

    /// The files signed with the organisation's key for a document.
    pub fn signed_copies(&self, id: &str) -> ApiResult<Vec<SignedCopy>> {
        self.authorise_passive(Permission::ReadRegister)?;
        Ok(self.store.read(|c| store_signing::signed_copies(c, id.trim()))?)
    }

    /// The seal image the organisation signs issued documents with.
    pub fn seal(&self) -> ApiResult<Option<(SealSetting, Vec<u8>)>> {
        self.authorise_passive(Permission::ReadRegister)?;
        let Some(value) = self.store.read(|c| vanthu_store::accounts::setting(c, SEAL_SETTING))? else {
            return Ok(None);
        };
        let setting: SealSetting = serde_json::from_value(value).unwrap_or_default();
        let path = self.store.files().path_of(&setting.sha256);
        let png = std::fs::read(&path)
            .map_err(|e| ApiError::new(ErrorCode::Io, format!("Không đọc được ảnh con dấu: {e}.")))?;
        Ok(Some((setting, png)))
    }

    /// Keep the seal image (a transparent PNG) and its real size (default: from the PNG).
    pub fn set_seal(&self, png: &[u8], size_mm: Option<(f32, f32)>) -> ApiResult<SealSetting> {
        let actor = self.authorise(Permission::Settings)?;
        if !png.starts_with(b"\x89PNG\r\n\x1a\n") {
            return Err(ApiError::invalid("Ảnh con dấu phải là tệp PNG nền trong suốt."));
        }
        let (width_mm, height_mm) = size_mm.or_else(|| appearance::png_size_mm(png)).unwrap_or(DEFAULT_SEAL_MM);
        if !(5.0..=100.0).contains(&width_mm) || !(5.0..=100.0).contains(&height_mm) {
            return Err(ApiError::invalid(format!(
                "Kích thước con dấu {width_mm:.1} × {height_mm:.1} mm không hợp lý (5–100 mm)."
            )));
        }
        let file = self.store.files().put_bytes(png)?;
        let setting = SealSetting { sha256: file.sha256.clone(), width_mm, height_mm };
        let value = serde_json::to_value(&setting).unwrap_or_default();
        let now = self.now();
        self.store.write(|tx| vanthu_store::accounts::put_setting(tx, SEAL_SETTING, &value, now, &actor.name))?;
        Ok(setting)
    }

    /// Sign a registered document with the organisation's key: its latest signed file (or its main
    /// file); for an issued document the number and date come from the register and the seal from
    /// the settings unless the request gives them. The use is recorded and audited.
    pub fn sign_document(&self, id: &str, request: &SignRequest, pin: &str) -> ApiResult<(SignedFile, SignedCopy)> {
        let actor = self.authorise(Permission::Sign)?;
        let id = id.trim();
        let (document, source) = self.store.read(|c| {
            let document =
                vanthu_store::register::get(c, id)?.ok_or_else(|| vanthu_store::StoreError::NotFound(id.to_owned()))?;
            let latest = store_signing::signed_copies(c, id)?
                .last()
                .map(|copy| copy.upgraded_sha256.clone().unwrap_or_else(|| copy.sha256.clone()));
            let main = vanthu_store::register::files_of(c, id)?
                .into_iter()
                .find(|f| f.role == "main" && f.media_type == "application/pdf")
                .map(|f| f.sha256);
            Ok((document, latest.or(main)))
        })?;
        let source = source.ok_or_else(|| ApiError::invalid("Văn bản không có tệp PDF để ký."))?;
        let path = self.store.files().path_of(&source);
        let pdf = std::fs::read(&path)
            .map_err(|e| ApiError::new(ErrorCode::Io, format!("Không đọc được tệp {}: {e}.", path.display())))?;
        let mut request = request.clone();
        if request.organisation.trim().is_empty() {
            request.organisation = self.organisation()?.map(|o| o.name).unwrap_or_default();
        }
        if request.profile == Profile::Issued {
            let look = &mut request.issued;
            if look.number.is_none() {
                look.number = document.code_number.clone();
            }
            if look.date.is_none() {
                look.date = document
                    .document_date
                    .as_deref()
                    .and_then(|d| time::Date::parse(d, time::macros::format_description!("[year]-[month]-[day]")).ok())
                    .map(decree30_date);
            }
            if look.seal_png.is_none()
                && let Some((setting, png)) = self.seal()?
            {
                look.seal_png = Some(png);
                look.seal_size_mm.get_or_insert((setting.width_mm, setting.height_mm));
            }
        }
        let now = self.now();
        let signed = sign_pdf(&pdf, &request, pin, now)?;
        let copy = self.record_signature(Some(id), (&source, &pdf), &signed, &request, &actor.name, now)?;
        Ok((signed, copy))
    }

    /// Sign bytes with the organisation's key (a file not in the register, or one that is): the use
    /// is recorded and audited, by the document when the file is one of its files.
    pub fn sign_file(&self, pdf: &[u8], request: &SignRequest, pin: &str) -> ApiResult<(SignedFile, SignedCopy)> {
        let actor = self.authorise(Permission::Sign)?;
        let sha = sha256_hex(pdf);
        let document: Option<String> = self.store.read(|c| {
            Ok(c.query_row(
                "SELECT d.id FROM document_file f JOIN document d ON d.rowid = f.document_rowid WHERE f.sha256 = ?1
                 UNION ALL SELECT d.id FROM signed_copy s JOIN document d ON d.rowid = s.document_rowid WHERE s.sha256 = ?1
                 LIMIT 1",
                [&sha],
                |r| r.get(0),
            )
            .ok())
        })?;
        if let Some(id) = document {
            return self.sign_document(&id, request, pin);
        }
        let mut request = request.clone();
        if request.organisation.trim().is_empty() {
            request.organisation = self.organisation()?.map(|o| o.name).unwrap_or_default();
        }
        let now = self.now();
        let signed = sign_pdf(pdf, &request, pin, now)?;
        let source = self.store.files().put_bytes(pdf)?;
        self.store.write(|tx| store_signing::remember_pdf(tx, &source, now))?;
        let copy = self.record_signature(None, (&source.sha256, pdf), &signed, &request, &actor.name, now)?;
        Ok((signed, copy))
    }

    /// Store the signed file (`source`'s bytes followed by the revision) and record the use.
    fn record_signature(
        &self,
        document: Option<&str>,
        (source, source_bytes): (&str, &[u8]),
        signed: &SignedFile,
        request: &SignRequest,
        actor: &str,
        now: OffsetDateTime,
    ) -> ApiResult<SignedCopy> {
        let file = self.store.files().put_appended(source_bytes, &signed.revision)?;
        let (certificate, _) = certificate_records(&signed.certificate)?
            .into_iter()
            .next()
            .ok_or_else(|| ApiError::new(ErrorCode::Internal, "Chứng thư ký không đọc được."))?;
        let queue = match (&request.tsa_url, &signed.timestamp_at) {
            (Some(_), None) => Some(signed.timestamp_error.clone().unwrap_or_else(|| "chưa có dấu thời gian".into())),
            _ => None,
        };
        let timestamp_at = signed
            .timestamp_at
            .as_deref()
            .and_then(|t| OffsetDateTime::parse(t, &time::format_description::well_known::Rfc3339).ok());
        Ok(self.store.write(|tx| {
            store_signing::record_signed_copy(
                tx,
                &store_signing::NewSignedCopy {
                    document_id: document,
                    source_sha256: source,
                    signed: &file,
                    profile: request.profile.as_str(),
                    certificate: &certificate,
                    timestamp_at,
                    queue_timestamp: queue.as_deref(),
                },
                now,
                actor,
            )
        })?)
    }

    /// While online: append a document timestamp to every file signed offline (B-B) whose upgrade
    /// is queued. A failure leaves it queued.
    pub fn upgrade_timestamps(&self, tsa_url: &str) -> ApiResult<TimestampRun> {
        let actor = self.authorise(Permission::Sign)?;
        let pending = self.store.read(store_signing::pending_timestamps)?;
        let mut run = TimestampRun::default();
        for copy in pending {
            let path = self.store.files().path_of(&copy.sha256);
            let outcome = std::fs::read(&path)
                .map_err(|e| ApiError::new(ErrorCode::Io, format!("Không đọc được tệp đã ký: {e}.")))
                .and_then(|pdf| {
                    let existing = vanthu_pdf::signature::signatures(&pdf).map_err(pdf_error)?;
                    let field = free_field_name(&existing.iter().map(|f| f.field.clone()).collect::<Vec<_>>());
                    pades::document_timestamp(&pdf, &field, tsa_url).map_err(sign_error)
                });
            match outcome {
                Ok((bytes, stamped_at)) => {
                    let file = self.store.files().put_bytes(&bytes)?;
                    let now = self.now();
                    self.store
                        .write(|tx| store_signing::timestamp_done(tx, copy.id, &file, stamped_at, now, &actor.name))?;
                    run.done += 1;
                }
                Err(error) => {
                    self.store.write(|tx| store_signing::timestamp_failed(tx, copy.id, &error.message))?;
                    run.waiting += 1;
                    run.last_error = Some(error.message);
                }
            }
        }
        Ok(run)
    }
}

/// A verification to keep with the record being registered.
pub(crate) struct ArrivalVerdict {
    file_sha256: String,
    verdict: &'static str,
    report: serde_json::Value,
    certificates: Vec<CertificateRecord>,
    override_reason: Option<String>,
}

impl ArrivalVerdict {
    pub(crate) fn as_new(&self) -> store_signing::NewVerdict<'_> {
        store_signing::NewVerdict {
            file_sha256: &self.file_sha256,
            verdict: self.verdict,
            report: &self.report,
            certificates: &self.certificates,
            override_reason: self.override_reason.as_deref(),
        }
    }
}

impl Desk {
    /// Before an arrival is registered (domain §1.1): verify the signatures of its main PDF. An
    /// electronic arrival that does not verify (invalid, indeterminate or unsigned) is refused unless
    /// the clerk gives a reason; a paper arrival is only verified when its file carries signatures.
    pub(crate) fn verify_arrival(
        &self,
        doc: &vanthu_core::document::Incoming,
        files: &[vanthu_store::register::Attachment],
        override_reason: Option<&str>,
        now: OffsetDateTime,
    ) -> ApiResult<Option<ArrivalVerdict>> {
        let Some(main) = files.iter().find(|f| f.main && f.media_type == "application/pdf") else {
            return Ok(None);
        };
        let path = self.store.files().path_of(&main.file.sha256);
        let pdf = std::fs::read(&path)
            .map_err(|e| ApiError::new(ErrorCode::Io, format!("Không đọc được tệp {}: {e}.", path.display())))?;
        let electronic = doc.channel == vanthu_core::document::Channel::Electronic;
        // A paper arrival's scan has no signature: do not parse megabytes to find none.
        if !electronic && !vanthu_pdf::signature::may_be_signed(&pdf) {
            return Ok(None);
        }
        let report = match vanthu_sign::report::verify_pdf(&pdf, &self.trust()?, now) {
            Ok(report) => report,
            // A PDF we cannot even read for its signatures: for an electronic arrival that is a
            // failed verification like any other.
            Err(error) if electronic => PdfReport {
                verdict: FileVerdict::Invalid,
                summary: format!("Không đọc được chữ ký của tệp: {error}"),
                signatures: Vec::new(),
            },
            Err(_) => return Ok(None),
        };
        if !electronic && report.verdict == FileVerdict::Unsigned {
            return Ok(None);
        }
        let reason = override_reason.map(str::trim).filter(|r| !r.is_empty());
        if electronic && report.verdict != FileVerdict::Valid && reason.is_none() {
            let mut error = ApiError::new(
                ErrorCode::SignatureInvalid,
                format!(
                    "Chữ ký số của văn bản đến chưa đạt ({}): {}. Chỉ đăng ký khi ghi rõ lý do (được ghi vào nhật ký), \
                     hoặc từ chối văn bản.",
                    match report.verdict {
                        FileVerdict::Unsigned => "không có chữ ký",
                        FileVerdict::Invalid => "không hợp lệ",
                        _ => "chưa xác định được",
                    },
                    report.summary
                ),
            );
            error.details = serde_json::to_value(&report).ok();
            return Err(error);
        }
        let certificates = report.certificates().into_iter().map(|info| certificate_record(info.clone()).0).collect();
        Ok(Some(ArrivalVerdict {
            file_sha256: main.file.sha256.clone(),
            verdict: report.verdict.as_str(),
            report: serde_json::to_value(&report).unwrap_or_default(),
            certificates,
            override_reason: if report.verdict == FileVerdict::Valid { None } else { reason.map(str::to_owned) },
        }))
    }
}
