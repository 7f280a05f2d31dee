//! The one error type of the crate: what went wrong with a PDF or an image, in words a clerk can act on.

/// Everything that can go wrong while reading, writing, stamping or rendering a PDF.
///
/// `Display` gives the Vietnamese message shown to the clerk; the façade maps variants to codes.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum PdfError {
    /// Reading or writing bytes failed.
    #[error("Lỗi đọc/ghi tệp: {0}")]
    Io(#[from] std::io::Error),
    /// The bytes are not a PDF at all (no header, no trailer).
    #[error("Tệp không phải PDF: {0}")]
    NotPdf(String),
    /// The PDF is damaged or uses a structure we cannot read.
    #[error("Tệp PDF bị hỏng hoặc không đọc được: {0}")]
    Malformed(String),
    /// The PDF is encrypted: it cannot be stamped, checked or archived.
    #[error("Tệp PDF được mã hoá (có mật khẩu); hãy dùng bản không mã hoá")]
    Encrypted,
    /// An image cannot be embedded as it is (not a JPEG we can pass through, CMYK, 16-bit…).
    #[error("Ảnh không dùng được: {0}")]
    UnsupportedImage(String),
    /// The image carries no resolution and none was given.
    #[error("Ảnh không có thông tin độ phân giải (dpi)")]
    NoResolution,
    /// The font could not be used to write text.
    #[error("Lỗi phông chữ: {0}")]
    Font(String),
    /// Writing the PDF failed inside the writer.
    #[error("Không tạo được PDF: {0}")]
    Write(String),
    /// The pdfium library cannot be found or loaded.
    #[error("Không nạp được thư viện hiển thị PDF (pdfium): {0}")]
    PdfiumMissing(String),
    /// pdfium could not open or render the document.
    #[error("Không hiển thị được trang PDF: {0}")]
    Render(String),
    /// A page number outside the document.
    #[error("Tài liệu không có trang {page} (có {count} trang)")]
    NoSuchPage {
        /// The page asked for, from 1.
        page: u32,
        /// How many pages the document has.
        count: u32,
    },
    /// A document without a single page cannot be written.
    #[error("Tài liệu không có trang nào")]
    NoPages,
    /// A resolution outside what a scan can sensibly have (10–2400 dpi).
    #[error("Độ phân giải {0} dpi nằm ngoài khoảng cho phép (10–2400 dpi)")]
    ResolutionOutOfRange(f32),
    /// A page larger than PDF 1.4 allows (200 inches, 5080 mm) or smaller than its minimum.
    #[error("Khổ trang {width_mm:.1} × {height_mm:.1} mm nằm ngoài giới hạn của PDF (mỗi cạnh từ 1,06 đến 5080 mm)")]
    PageSize {
        /// The page's width in millimetres.
        width_mm: f32,
        /// The page's height in millimetres.
        height_mm: f32,
    },
    /// An input too large to be read safely.
    #[error("Tệp quá lớn ({0} byte), tối đa 2 GiB")]
    TooLarge(u64),
}
