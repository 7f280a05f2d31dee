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
}
