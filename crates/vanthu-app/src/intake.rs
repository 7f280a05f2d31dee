//! Taking the clerk's files into the content-addressed store before a registration: checks that each is
//! a readable, non-empty regular file, recognises its type from its first bytes (not its name), and keeps
//! only its file name (NFC, no folders, no control characters).

use std::io::Read;
use std::path::{Path, PathBuf};

use vanthu_core::text::clean;
use vanthu_store::FileStore;
use vanthu_store::register::Attachment;

use crate::{ApiError, ApiResult, ErrorCode};

/// Stores every file and describes it for the registration; the first file is the main one.
pub(crate) fn store_files(store: &FileStore, paths: &[PathBuf]) -> ApiResult<Vec<Attachment>> {
    let mut out = Vec::with_capacity(paths.len());
    for (i, path) in paths.iter().enumerate() {
        let media_type = sniff(path)?;
        let file = store.put_file(path)?;
        out.push(Attachment { file, name: display_name(path), media_type: media_type.to_owned(), main: i == 0 });
    }
    Ok(out)
}

fn sniff(path: &Path) -> ApiResult<&'static str> {
    let shown = path.display();
    let meta = std::fs::metadata(path)
        .map_err(|e| ApiError::new(ErrorCode::Io, format!("Không đọc được tệp {shown}: {}.", io_reason(&e))))?;
    if !meta.is_file() {
        return Err(ApiError::invalid(format!("{shown} không phải là một tệp.")));
    }
    if meta.len() == 0 {
        return Err(ApiError::invalid(format!("Tệp {shown} rỗng (0 byte).")));
    }
    let mut head = [0u8; 8];
    let mut f = std::fs::File::open(path)
        .map_err(|e| ApiError::new(ErrorCode::Io, format!("Không đọc được tệp {shown}: {}.", io_reason(&e))))?;
    let n = f.read(&mut head).map_err(|e| ApiError::new(ErrorCode::Io, format!("Không đọc được tệp {shown}: {e}.")))?;
    let head = &head[..n];
    Ok(if head.starts_with(b"%PDF-") {
        "application/pdf"
    } else if head.starts_with(&[0xFF, 0xD8, 0xFF]) {
        "image/jpeg"
    } else if head.starts_with(b"\x89PNG\r\n\x1a\n") {
        "image/png"
    } else if head.starts_with(b"II*\0") || head.starts_with(b"MM\0*") {
        "image/tiff"
    } else {
        "application/octet-stream"
    })
}

fn io_reason(e: &std::io::Error) -> &'static str {
    match e.kind() {
        std::io::ErrorKind::NotFound => "không tồn tại",
        std::io::ErrorKind::PermissionDenied => "không có quyền đọc",
        _ => "lỗi hệ thống tệp",
    }
}

fn display_name(path: &Path) -> String {
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let name = clean(&name).replace(['/', '\\'], "_");
    if name.is_empty() { "tep".to_owned() } else { name }
}

/// The PDF assembled from a review-queue draft, as the document's main file.
pub(crate) fn assembled(file: vanthu_store::files::StoredFile, draft: i64) -> Attachment {
    Attachment { file, name: format!("ban-so-hoa-{draft}.pdf"), media_type: "application/pdf".to_owned(), main: true }
}
