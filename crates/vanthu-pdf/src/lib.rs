//! Vanthu's PDFs: the bytes the digitisation standard and the archive are judged on.
//!
//! Paper that reaches the office becomes a PDF that meets the national standard for digitised
//! documents (Decree 30/2020 App. I, Circular 01/2019 art. 6: PDF 1.4 or later, colour, at least
//! 200 dpi, 100 % scale), identified as PDF/A-1b so that it can be archived; its archive copy carries
//! the arrival stamp "ĐẾN" (App. IV); what is printed carries the system's mark (domain §5, §10).
//!
//! - [`assemble`]: JPEG pages → one PDF/A-1b file, streamed page by page. JPEG data is embedded as
//!   it is (never re-encoded); the page size follows pixels and resolution (100 % scale).
//! - [`check`]: reads *any* PDF and reports its compliance with the standard: version, colour,
//!   resolution and scale per page, the PDF/A claim, encryption, JavaScript.
//! - [`stamp`]: the arrival stamp on page 1 and the print mark on every page, each written as an
//!   **incremental update**: the bytes of the file it is given are the unchanged prefix of the result.
//! - [`signature`]: the PDF side of PAdES signatures: the signature field and its `/Contents`
//!   hole appended as an incremental update, the signatures a file carries and their byte
//!   ranges, and what later revisions changed.
//! - [`render`]: thumbnails, previews and page text through pdfium (bound at run time).
//!
//! The crate does no I/O of its own beyond what the caller hands it (bytes and writers), reads no
//! clock (dates and document ids are passed in) and knows no database: the façade decides what is
//! stored where.

#![deny(missing_docs)]

mod error;
mod incremental;
mod jpeg;

pub mod appearance;
pub mod assemble;
pub mod check;
pub mod render;
pub mod signature;
pub mod stamp;

pub use error::PdfError;

/// The crate's result type.
pub type Result<T, E = PdfError> = std::result::Result<T, E>;
