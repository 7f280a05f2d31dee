//! The one error type of the crate, with Vietnamese messages a clerk can act on.

/// Everything that can go wrong while capturing pages.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CaptureError {
    /// Reading or writing a file failed.
    #[error("Lỗi đọc/ghi tệp {path}: {source}")]
    Io {
        /// The file concerned.
        path: String,
        /// The underlying error.
        source: std::io::Error,
    },
    /// The file is empty.
    #[error("Tệp rỗng (0 byte)")]
    Empty,
    /// The file's content is not a format we read (whatever its extension says).
    #[error("Không nhận ra định dạng tệp (chỉ nhận JPEG, PNG, TIFF, PDF)")]
    UnknownFormat,
    /// The image is damaged or truncated.
    #[error("Ảnh bị hỏng hoặc không đầy đủ: {0}")]
    Corrupt(String),
    /// The image is larger than we accept.
    #[error("Ảnh quá lớn: {width} × {height} điểm ảnh (tối đa {max} mỗi chiều)")]
    TooLarge {
        /// Width in pixels, as the header claims.
        width: u32,
        /// Height in pixels, as the header claims.
        height: u32,
        /// The largest side accepted.
        max: u32,
    },
    /// The image is too small to be a scanned page.
    #[error("Ảnh quá nhỏ: {width} × {height} điểm ảnh, không phải một trang văn bản")]
    TooSmall {
        /// Width in pixels.
        width: u32,
        /// Height in pixels.
        height: u32,
    },
    /// Encoding a page as JPEG failed.
    #[error("Không nén được trang thành JPEG: {0}")]
    Encode(String),
    /// The file is a PDF, not an image: PDFs are taken as documents, not as pages to encode.
    #[error("Tệp là PDF, không phải ảnh")]
    NotAnImage,
    /// The image is of a kind we recognise but do not decode (12-bit JPEG, palette TIFF…).
    #[error("Ảnh thuộc loại chưa hỗ trợ: {0}")]
    Unsupported(String),
    /// Scanning is impossible on this computer (libsane missing or failing to start).
    #[error("Không dùng được máy quét trên máy tính này: {0}")]
    ScannerUnavailable(String),
    /// A scanner refused an operation (open, an option…); the message says which and why.
    #[error("Lỗi máy quét: {0}")]
    Scanner(String),
    /// A scan resolution below the legal minimum was asked for.
    #[error("Độ phân giải {requested} dpi thấp hơn mức tối thiểu {minimum} dpi theo quy định")]
    ResolutionTooLow {
        /// The resolution asked for, in dpi.
        requested: u32,
        /// The legal minimum, in dpi.
        minimum: u32,
    },
    /// The scanner cannot do what the law or the clerk asks (colour, 200 dpi, a feeder…).
    #[error("Máy quét không hỗ trợ: {0}")]
    DeviceCannot(String),
    /// The scanner has no option of that name (or it is not active now).
    #[error("Máy quét không có tuỳ chọn “{0}” (hoặc tuỳ chọn đang không dùng được)")]
    UnknownOption(String),
    /// A value the option does not accept.
    #[error("Giá trị “{value}” không hợp lệ cho tuỳ chọn “{option}”: {reason}")]
    InvalidOptionValue {
        /// The option's name.
        option: String,
        /// The value given.
        value: String,
        /// What is accepted.
        reason: String,
    },
    /// The folder to watch is not a folder.
    #[error("Không phải thư mục: {path}")]
    NotAFolder {
        /// The path given.
        path: String,
    },
}
