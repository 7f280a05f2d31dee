//! The one error type of the crate, with messages in Vietnamese naming the field at fault.

use std::io;

/// Everything that can go wrong writing, parsing or validating an edXML message.
#[derive(Debug, thiserror::Error)]
pub enum EdxmlError {
    /// The input is not well-formed XML, or not an edXML message at all.
    #[error("Tài liệu edXML không đúng định dạng: {0}")]
    Malformed(String),
    /// The input uses an XML feature refused for safety (DOCTYPE, entities).
    #[error("Từ chối tài liệu không an toàn: {0}")]
    Unsafe(String),
    /// A field is missing or has a value the standard does not allow.
    #[error("{field} {reason}")]
    Invalid {
        /// The field, in Vietnamese with its wire name, e.g. "Trích yếu (Subject)".
        field: String,
        /// What is wrong with it, e.g. "dài 612 ký tự, vượt quá 500".
        reason: String,
    },
    /// A safety limit of the parser was exceeded.
    #[error("Vượt giới hạn an toàn: {what} (tối đa {limit})")]
    Limit {
        /// What was too large or too many.
        what: String,
        /// The limit that applies.
        limit: u64,
    },
    /// Reading the input, writing the output, or the caller's attachment source/sink failed.
    #[error("Lỗi đọc/ghi dữ liệu: {0}")]
    Io(#[from] io::Error),
}

impl EdxmlError {
    pub(crate) fn invalid(field: &str, reason: impl Into<String>) -> Self {
        Self::Invalid { field: field.to_owned(), reason: reason.into() }
    }

    pub(crate) fn limit(what: impl Into<String>, limit: impl TryInto<u64>) -> Self {
        Self::Limit { what: what.into(), limit: limit.try_into().unwrap_or(u64::MAX) }
    }
}
