//! Vanthu's capture: how paper and files become pages in the review queue.
//!
//! Most mail reaching a commune office is paper. It is scanned (a flatbed or a feeder, through
//! SANE), dropped by a network scanner into a watched folder, or picked as files (JPEG, PNG, TIFF,
//! PDF). This crate turns each of these into *pages*: JPEG bytes with their size and resolution,
//! compressed at most once, plus what the review screen needs to know (blank? a separator sheet?).
//!
//! - [`imaging`]: sniffing a file's real type (never trusting its extension), decoding with limits
//!   (a header that claims 100 000 × 100 000 pixels is refused before any allocation), encoding raw
//!   pixels once as JPEG, blank-page and separator-sheet detection.
//! - [`sane`]: a thin binding of libsane, opened at run time; scanning page by page so that a fault
//!   (jam, no paper, cover open) keeps the pages already scanned.
//! - [`watch`]: the watched folder: a file is taken only once it has stopped changing; what cannot be
//!   read goes to a quarantine folder with its reason; a name is never trusted as a path.
//!
//! The crate knows no database and no PDF: the façade stores pages and assembles documents. It reads
//! the clock only to wait for files to settle (watching is I/O by nature), never to date anything.

#![deny(missing_docs)]

mod error;

pub mod imaging;
pub mod sane;
pub mod watch;

pub use error::CaptureError;

/// The crate's result type.
pub type Result<T, E = CaptureError> = std::result::Result<T, E>;
