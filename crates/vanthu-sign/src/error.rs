//! The one error type of the crate: what stopped a signature, in words a clerk can act on.

/// Everything that can stop signing, timestamping or reading trust material.
///
/// `Display` gives the Vietnamese message shown to the clerk; the façade maps variants to codes.
/// A verification never fails with this type for a *bad signature*: that is a verdict, not an error.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SignError {
    /// The PKCS#11 module (the token's driver library) cannot be loaded.
    #[error("Không nạp được trình điều khiển thiết bị ký số (PKCS#11) {module}: {reason}")]
    Module {
        /// The library path configured.
        module: String,
        /// What the loader said.
        reason: String,
    },
    /// No token with this label is plugged in.
    #[error("Không tìm thấy thiết bị ký số (USB token) có nhãn \"{0}\"; hãy cắm thiết bị và thử lại")]
    TokenMissing(String),
    /// The token went away during the operation (unplugged, no longer recognised).
    #[error("Thiết bị ký số đã bị rút ra hoặc không còn nhận được; hãy cắm lại và thử lại")]
    TokenRemoved,
    /// The PIN was refused.
    #[error("Mã PIN không đúng")]
    WrongPin,
    /// The token refuses every login until its PIN is unlocked by its administrator.
    #[error("Thiết bị ký số đã bị khoá do nhập sai mã PIN nhiều lần; hãy liên hệ quản trị để mở khoá")]
    TokenLocked,
    /// The PIN's form is not acceptable (empty, too long).
    #[error("Mã PIN không hợp lệ: {0}")]
    BadPin(String),
    /// No private key (or no certificate beside it) with this label on the token.
    #[error("Thiết bị ký số không có khoá ký \"{0}\" kèm chứng thư số")]
    KeyMissing(String),
    /// Several keys and no label to choose among them.
    #[error("Thiết bị ký số có nhiều khoá ký ({0}); hãy chọn nhãn khoá trong cấu hình")]
    KeyAmbiguous(String),
    /// The signing certificate is outside its validity period at the signing time.
    #[error("Chứng thư số \"{subject}\" {state} (hiệu lực từ {not_before} đến {not_after}); không thể ký")]
    CertificateNotValid {
        /// The certificate's subject, for the clerk.
        subject: String,
        /// "đã hết hạn" or "chưa có hiệu lực".
        state: &'static str,
        /// Start of validity, dd/mm/yyyy.
        not_before: String,
        /// End of validity, dd/mm/yyyy.
        not_after: String,
    },
    /// The key's algorithm is not one we sign with.
    #[error("Khoá ký có thuật toán không được hỗ trợ: {0}")]
    UnsupportedKey(String),
    /// The token failed while signing or reading.
    #[error("Thiết bị ký số báo lỗi: {0}")]
    Token(String),
    /// A certificate, CRL or CMS structure could not be read or written.
    #[error("Dữ liệu chứng thư/chữ ký không hợp lệ: {0}")]
    Encoding(String),
    /// The timestamp authority could not be reached or answered badly.
    #[error("Không lấy được dấu thời gian từ {url}: {reason}")]
    Timestamp {
        /// The authority's address.
        url: String,
        /// Why.
        reason: String,
    },
    /// A network fetch (CRL) failed.
    #[error("Không tải được {url}: {reason}")]
    Fetch {
        /// The address.
        url: String,
        /// Why.
        reason: String,
    },
    /// The PDF side of signing failed (placeholder, appearance, embedding).
    #[error(transparent)]
    Pdf(#[from] vanthu_pdf::PdfError),
}

impl From<der::Error> for SignError {
    fn from(error: der::Error) -> Self {
        SignError::Encoding(error.to_string())
    }
}
